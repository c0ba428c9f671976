// The requests a browser sends and what it reads from the answers, for tests that drive
// endpoints through a Router: GET and form POST with cookies, the query of a redirect, the value
// a Set-Cookie gives a cookie.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/params.h"
#include "http/message.h"

namespace gh::testing {

inline Params QueryOf(const std::string& url) {
  auto q = url.find('?');
  return *Params::Parse(q == std::string::npos ? "" : std::string_view(url).substr(q + 1));
}

// The value `name` is set to by the response's Set-Cookie headers, if any.
inline std::optional<std::string> SetCookie(const http::Response& response, std::string_view name) {
  for (const auto& header : response.headers.GetAll("Set-Cookie")) {
    if (!header.starts_with(std::string(name) + "=")) continue;
    return header.substr(name.size() + 1, header.find(';') - name.size() - 1);
  }
  return std::nullopt;
}

inline http::Request Get(std::string target, std::string cookies = "") {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  if (!cookies.empty()) request.headers.Set("Cookie", cookies);
  return request;
}

inline http::Request PostForm(std::string target, std::string body, std::string cookies = "") {
  http::Request request = Get(std::move(target), std::move(cookies));
  request.method = "POST";
  request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  request.body = std::move(body);
  return request;
}

}  // namespace gh::testing
