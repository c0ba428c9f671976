// AdminApi: the operator's HTTP API over sign-out — list and revoke sessions, inspect logout
// delivery and the event log — plus /metrics. Thin: every endpoint is one operator query.
//
// Authentication is a bearer token whose SHA-256 is configured ([admin] token_sha256), compared
// in constant time, so the config never holds the token itself. Without a configured hash the
// /admin/ routes do not exist (404) and /metrics is open, as Prometheus scrapers usually expect;
// with one, /metrics asks for the same token, because outbox sizes and sign-out rates are
// operational data an outsider has no business reading.
#pragma once

#include <optional>
#include <string>

#include "http/router.h"
#include "session/event_log.h"
#include "session/session_authority.h"
#include "store/store.h"

namespace gh::admin {

// What the operator configures for the admin API ([admin] in the config).
struct AdminSettings {
  // base64url SHA-256 of the admin bearer token; nullopt disables the admin API.
  std::optional<std::string> token_sha256;
};

class AdminApi {
 public:
  AdminApi(AdminSettings settings, store::Store& store, session::SessionAuthority& sessions,
           const session::EventLog& events);
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Adds /metrics, and the /admin/ routes when a token is configured. The AdminApi must outlive
  // `router`'s use.
  void Register(http::Router& router);

  // GET /admin/sessions?user=USERNAME&all=1
  http::Response ListSessions(const http::Request& request) const;
  // POST /admin/sessions/revoke, form sid=SID or user=USERNAME
  http::Response RevokeSessions(const http::Request& request) const;
  // GET /admin/logout-notifications?sid=SID&limit=N
  http::Response ListNotifications(const http::Request& request) const;
  // GET /admin/events?after=ID&limit=N
  http::Response ListEvents(const http::Request& request) const;
  // GET /admin/consents?user=USERNAME
  http::Response ListConsents(const http::Request& request) const;
  // POST /admin/consents/revoke, form user=USERNAME&client_id=ID: also ends the offline grants
  http::Response RevokeConsent(const http::Request& request) const;
  // GET /metrics
  http::Response Metrics(const http::Request& request) const;

 private:
  // The 401 to answer with, or nullopt when the request carries the admin token.
  std::optional<http::Response> Refusal(const http::Request& request) const;
  // Wraps `handler` so that it runs only for requests that pass Refusal().
  http::Handler Guarded(http::Response (AdminApi::*handler)(const http::Request&) const) const;

  AdminSettings settings_;
  store::Store& store_;
  session::SessionAuthority& sessions_;
  const session::EventLog& events_;
};

}  // namespace gh::admin
