#include "http/router.h"

#include <utility>

namespace gh::http {
namespace {

// JSON for API clients, text for everyone else (browsers, curl).
Response ErrorResponse(const Request& request, int status, std::string_view code,
                       std::string_view text) {
  const auto accept = request.headers.Get("Accept");
  if (accept && accept->find("application/json") != std::string::npos)
    return Response::Json(status, "{\"error\":\"" + std::string(code) + "\"}");
  return Response::Text(status, std::string(text) + "\n");
}

}  // namespace

void Router::Add(std::string method, std::string path, Handler handler) {
  routes_[std::move(path)][std::move(method)] = Route{std::move(handler), false};
}

void Router::AddInline(std::string method, std::string path, Handler handler) {
  routes_[std::move(path)][std::move(method)] = Route{std::move(handler), true};
}

const Router::Route* Router::Find(const Request& request) const {
  const auto path = routes_.find(std::string(request.Path()));
  if (path == routes_.end()) return nullptr;
  auto it = path->second.find(request.method);
  if (it == path->second.end() && request.method == "HEAD") it = path->second.find("GET");
  return it == path->second.end() ? nullptr : &it->second;
}

bool Router::IsInline(const Request& request) const {
  const Route* route = Find(request);
  return route != nullptr && route->inline_;
}

Response Router::Dispatch(const Request& request) const {
  if (const Route* route = Find(request)) {
    Response response = route->handler(request);
    if (request.method == "HEAD") {
      // The length a GET would have carried (RFC 9110 §9.3.2); the server keeps it as is.
      response.headers.Set("Content-Length", std::to_string(response.body.size()));
      response.body.clear();
    }
    return response;
  }
  const auto path = routes_.find(std::string(request.Path()));
  if (path == routes_.end()) return ErrorResponse(request, 404, "not_found", "Not Found");
  const auto& methods = path->second;

  std::string allow;
  auto append = [&allow](std::string_view method) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  };
  for (const auto& [method, route] : methods) {
    append(method);
    if (method == "GET" && !methods.contains("HEAD")) append("HEAD");
  }
  Response response = ErrorResponse(request, 405, "method_not_allowed", "Method Not Allowed");
  response.headers.Set("Allow", std::move(allow));
  return response;
}

}  // namespace gh::http
