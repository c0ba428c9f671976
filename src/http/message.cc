#include "http/message.h"

#include <algorithm>
#include <cctype>

namespace gh::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(
      a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

Response WithBody(int status, std::string content_type, std::string body) {
  Response response;
  response.status = status;
  response.headers.Set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

}  // namespace

std::optional<std::string> Headers::Get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (EqualsIgnoreCase(k, name)) return v;
  return std::nullopt;
}

std::vector<std::string> Headers::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_)
    if (EqualsIgnoreCase(k, name)) out.push_back(v);
  return out;
}

void Headers::Add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  std::erase_if(items_, [&](const auto& item) { return EqualsIgnoreCase(item.first, name); });
  Add(std::move(name), std::move(value));
}

std::string_view Request::Path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::RawQuery() const {
  std::string_view t = target;
  const auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

Result<Params> Request::Query() const { return Params::Parse(RawQuery()); }

bool Request::HasMediaType(std::string_view media_type) const {
  const auto content_type = headers.Get("Content-Type");
  if (!content_type) return false;
  std::string_view media = *content_type;
  return EqualsIgnoreCase(Trim(media.substr(0, media.find(';'))), media_type);
}

Result<Params> Request::Form() const {
  if (HasMediaType("application/x-www-form-urlencoded")) return Params::Parse(body);
  if (!headers.Get("Content-Type")) return Error::InvalidArgument("missing Content-Type");
  return Error::InvalidArgument("Content-Type must be application/x-www-form-urlencoded");
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  for (const auto& header : headers.GetAll("Cookie")) {
    std::string_view rest = header;
    while (!rest.empty()) {
      const auto end = rest.find(';');
      const std::string_view pair = Trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      // RFC 6265 §4.1.1 allows the value to be wrapped in double quotes.
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

Response Response::Text(int status, std::string body) {
  return WithBody(status, "text/plain; charset=utf-8", std::move(body));
}

Response Response::Html(int status, std::string body) {
  return WithBody(status, "text/html; charset=utf-8", std::move(body));
}

Response Response::Json(int status, std::string json) {
  return WithBody(status, "application/json", std::move(json));
}

Response Response::Redirect(std::string location, int status) {
  Response response;
  response.status = status;
  response.headers.Set("Location", std::move(location));
  return response;
}

Response& Response::NoStore() {
  headers.Set("Cache-Control", "no-store");
  headers.Set("Pragma", "no-cache");
  return *this;
}

std::string SetCookieHeader(std::string_view name, std::string_view value,
                            const CookieOptions& options) {
  std::string out;
  out.append(name).append("=").append(value);
  if (!options.path.empty()) out.append("; Path=").append(options.path);
  if (options.max_age_seconds) {
    out.append("; Max-Age=").append(std::to_string(*options.max_age_seconds));
    // Agents that predate Max-Age only delete a cookie on an Expires in the past.
    if (*options.max_age_seconds <= 0) out.append("; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  }
  if (options.http_only) out.append("; HttpOnly");
  if (options.secure) out.append("; Secure");
  if (!options.same_site.empty()) out.append("; SameSite=").append(options.same_site);
  return out;
}

}  // namespace gh::http
