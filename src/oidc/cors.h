// Cors: lets the pages of registered web origins call the endpoints a browser-based client needs
// (token, userinfo, JWKS, discovery) — the Fetch standard's CORS protocol, preflight included.
// Origins come from the clients' `web_origins`, re-read every few seconds so a registration
// takes effect without a restart. No credentials (cookies) are ever allowed cross-origin.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/clock.h"
#include "http/handler.h"
#include "store/store.h"

namespace gh::oidc {

class Cors {
 public:
  Cors(store::ClientStore& clients, Clock& clock) : clients_(clients), clock_(clock) {}

  // `handler` whose responses tell an allowed Origin it may read them.
  http::Handler Allow(http::Handler handler);
  // The answer to an OPTIONS preflight for an endpoint that takes `methods` (e.g. "GET, POST").
  http::Response Preflight(const http::Request& request, std::string_view methods);

  // Whether `origin` is registered by some client. A store failure counts as not allowed.
  bool Allowed(std::string_view origin);

 private:
  store::ClientStore& clients_;
  Clock& clock_;
  std::mutex mu_;
  std::unordered_set<std::string> origins_;
  TimePoint loaded_at_{};
  bool loaded_ = false;
};

}  // namespace gh::oidc
