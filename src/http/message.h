// Request and Response: plain HTTP messages as endpoints see them. Endpoints never touch Beast;
// the server converts at the socket, which keeps heavy headers out of protocol code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/params.h"
#include "core/result.h"

namespace gh::http {

// Header fields in arrival order; names compare case-insensitively.
class Headers {
 public:
  std::optional<std::string> Get(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  void Add(std::string name, std::string value);
  void Set(std::string name, std::string value);  // replaces every field of that name
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus query
  Headers headers;
  std::string body;
  std::string remote_address;
  bool secure = false;  // arrived over TLS

  std::string_view Path() const;      // target without the query
  std::string_view RawQuery() const;  // target after '?', or empty
  Result<Params> Query() const;       // decoded query
  // Decoded body when Content-Type is application/x-www-form-urlencoded; an error otherwise.
  Result<Params> Form() const;
  // Whether the Content-Type's media type (parameters aside, any case) is `media_type`.
  bool HasMediaType(std::string_view media_type) const;
  // The value of cookie `name` from the Cookie header(s).
  std::optional<std::string> Cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response Text(int status, std::string body);
  static Response Html(int status, std::string body);
  // `json` must already be serialized; keeps nlohmann out of this header.
  static Response Json(int status, std::string json);
  // 302 for GET flows, 303 after a POST (RFC 9110 §15.4.4).
  static Response Redirect(std::string location, int status = 302);

  // Forbids caching, as RFC 6749 §5.1 requires for token responses and all pages with secrets.
  Response& NoStore();
};

// Attributes of a Set-Cookie header. Defaults are the secure ones.
struct CookieOptions {
  std::string path = "/";
  bool http_only = true;
  bool secure = false;  // set under TLS
  std::string same_site = "Lax";
  std::optional<long> max_age_seconds;  // session cookie when absent; 0 deletes
};

std::string SetCookieHeader(std::string_view name, std::string_view value,
                            const CookieOptions& options);

}  // namespace gh::http
