#include "core/params.h"

#include <boost/url/encode.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <set>

namespace gh {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

Result<Params> Params::Parse(std::string_view encoded) {
  Params out;
  if (encoded.empty()) return out;
  // Boost.URL 1.81's parse_query measures its argument with strlen() (boostorg/url#757): given
  // a view that does not end the buffer it reads past the end, and parses what follows. A copy
  // ends where the view does; a raw NUL (never valid in this encoding, where it is %00) would
  // end it early, so it is refused. (Found by fuzz/params_fuzz.cc.)
  if (encoded.find('\0') != std::string_view::npos)
    return Error::InvalidArgument("malformed parameters");
  const std::string terminated(encoded);
  auto parsed = boost::urls::parse_query(terminated);
  if (!parsed) return Error::InvalidArgument("malformed parameters");
  for (auto param : *parsed) {
    // decode_view keeps '+' literal; in form encoding it means a space.
    auto decode = [](boost::urls::pct_string_view v) {
      std::string s;
      s.reserve(v.size());
      boost::urls::encoding_opts opt;
      opt.space_as_plus = true;
      for (char c : v.decode(opt)) s.push_back(c);
      return s;
    };
    out.items_.emplace_back(decode(param.key), param.has_value ? decode(param.value) : "");
  }
  return out;
}

std::optional<std::string> Params::Get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return v.empty() ? std::nullopt : std::optional<std::string>(v);
  return std::nullopt;
}

std::size_t Params::Count(std::string_view name) const {
  std::size_t n = 0;
  for (const auto& item : items_) n += item.first == name;
  return n;
}

std::optional<std::string> Params::RepeatedName() const {
  std::set<std::string_view> seen;
  for (const auto& item : items_)
    if (!seen.insert(item.first).second) return item.first;
  return std::nullopt;
}

void Params::Add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

std::string Params::Encode() const {
  std::string out;
  for (const auto& [k, v] : items_) {
    if (!out.empty()) out.push_back('&');
    out += boost::urls::encode(k, boost::urls::unreserved_chars);
    out.push_back('=');
    out += boost::urls::encode(v, boost::urls::unreserved_chars);
  }
  return out;
}

std::string AppendQuery(std::string_view uri, const Params& params) {
  auto parsed = boost::urls::parse_uri_reference(uri);
  if (!parsed) {
    std::string out(uri);
    out += (out.find('?') == std::string::npos ? '?' : '&');
    return out + params.Encode();
  }
  boost::urls::url url(*parsed);
  for (const auto& [k, v] : params.items()) url.params().append({k, v});
  return std::string(url.buffer());
}

std::optional<std::string> UriOrigin(std::string_view uri) {
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed || !parsed->has_authority() || parsed->host().empty()) return std::nullopt;
  std::string scheme = AsciiLower(parsed->scheme());
  if (scheme != "https" && scheme != "http") return std::nullopt;
  std::string origin = scheme + "://" + AsciiLower(parsed->encoded_host());
  if (parsed->has_port()) {
    std::string_view port = parsed->port();
    bool default_port = (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
    if (!port.empty() && !default_port) origin.append(":").append(port);
  }
  return origin;
}

}  // namespace gh
