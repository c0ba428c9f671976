#include "oidc/cors.h"

namespace gh::oidc {
namespace {

// How long a new or removed web origin may go unnoticed.
constexpr Seconds kReloadInterval{5};
// How long a browser may reuse a preflight answer.
constexpr std::string_view kPreflightMaxAge = "600";

}  // namespace

bool Cors::Allowed(std::string_view origin) {
  std::lock_guard lock(mu_);
  auto now = clock_.Now();
  if (!loaded_ || now - loaded_at_ >= kReloadInterval) {
    auto clients = clients_.ListClients();
    if (!clients.ok()) return false;
    origins_.clear();
    for (const auto& client : *clients)
      origins_.insert(client.web_origins.begin(), client.web_origins.end());
    loaded_at_ = now;
    loaded_ = true;
  }
  return origins_.contains(std::string(origin));
}

http::Handler Cors::Allow(http::Handler handler) {
  return [this, handler = std::move(handler)](const http::Request& request) {
    auto response = handler(request);
    // Caches must keep the answers for different origins apart.
    response.headers.Add("Vary", "Origin");
    auto origin = request.headers.Get("Origin");
    if (origin && Allowed(*origin)) {
      response.headers.Set("Access-Control-Allow-Origin", *origin);
      // RFC 6750 §3: a browser client needs the challenge to tell an expired token apart.
      response.headers.Set("Access-Control-Expose-Headers", "WWW-Authenticate");
    }
    return response;
  };
}

http::Response Cors::Preflight(const http::Request& request, std::string_view methods) {
  http::Response response;
  response.status = 204;
  response.headers.Set("Vary", "Origin");
  auto origin = request.headers.Get("Origin");
  // Without the Allow-* headers the browser refuses the actual request, which is the point.
  if (!origin || !Allowed(*origin)) return response;
  response.headers.Set("Access-Control-Allow-Origin", *origin);
  response.headers.Set("Access-Control-Allow-Methods", std::string(methods));
  response.headers.Set("Access-Control-Allow-Headers", "Authorization, Content-Type");
  response.headers.Set("Access-Control-Max-Age", std::string(kPreflightMaxAge));
  return response;
}

}  // namespace gh::oidc
