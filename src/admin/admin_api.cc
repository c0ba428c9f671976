#include "admin/admin_api.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "admin/metrics.h"
#include "admin/operator_queries.h"
#include "core/log.h"
#include "core/utf8.h"
#include "crypto/digest.h"

namespace gh::admin {
namespace {

http::Response JsonResponse(int status, const nlohmann::json& body) {
  auto response = http::Response::Json(status, body.dump());
  response.NoStore();
  return response;
}

http::Response ErrorResponse(int status, std::string_view error, std::string_view description) {
  return JsonResponse(status, {{"error", error}, {"error_description", description}});
}

// Maps a failed query to a response. Store failures are logged, not shown: the operator reads
// the log, and a database message is no use to an API client.
http::Response FailureResponse(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
      return ErrorResponse(400, "invalid_request", e.message);
    case ErrorCode::kNotFound:
      return ErrorResponse(404, "not_found", e.message);
    default:
      Log(LogLevel::kError, "admin.request_failed", {{"error", e.message}});
      return ErrorResponse(503, "temporarily_unavailable", "the store did not answer");
  }
}

// The token of an "Authorization: Bearer <token>" header (RFC 6750 §2.1; the scheme is
// case-insensitive), or nullopt.
std::optional<std::string_view> BearerToken(const std::optional<std::string>& header) {
  constexpr std::string_view kScheme = "bearer ";
  if (!header || header->size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>((*header)[i])) != kScheme[i]) return std::nullopt;
  std::string_view token = std::string_view(*header).substr(kScheme.size());
  if (token.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  return token;
}

// Every answer is JSON, which can only carry text: a parameter that is not UTF-8 (and would be
// echoed, say as an unknown user's name) is refused up front rather than failing mid-answer.
bool ParametersAreText(const http::Request& request) {
  auto text = [](const Result<Params>& params) {
    if (!params.ok()) return true;  // malformed encoding is each handler's own 400
    for (const auto& [name, value] : params->items())
      if (!IsValidUtf8(name) || !IsValidUtf8(value)) return false;
    return true;
  };
  if (!text(request.Query())) return false;
  return request.method != "POST" || text(request.Form());
}

}  // namespace

AdminApi::AdminApi(AdminSettings settings, store::Store& store, session::SessionAuthority& sessions,
                   const session::EventLog& events)
    : settings_(std::move(settings)), store_(store), sessions_(sessions), events_(events) {}

void AdminApi::Register(http::Router& router) {
  router.Add("GET", "/metrics", Guarded(&AdminApi::Metrics));
  if (!settings_.token_sha256) return;
  router.Add("GET", "/admin/sessions", Guarded(&AdminApi::ListSessions));
  router.Add("POST", "/admin/sessions/revoke", Guarded(&AdminApi::RevokeSessions));
  router.Add("GET", "/admin/logout-notifications", Guarded(&AdminApi::ListNotifications));
  router.Add("GET", "/admin/events", Guarded(&AdminApi::ListEvents));
  router.Add("GET", "/admin/consents", Guarded(&AdminApi::ListConsents));
  router.Add("POST", "/admin/consents/revoke", Guarded(&AdminApi::RevokeConsent));
}

http::Handler AdminApi::Guarded(http::Response (AdminApi::*handler)(const http::Request&)
                                    const) const {
  return [this, handler](const http::Request& request) {
    if (auto refusal = Refusal(request)) return *std::move(refusal);
    if (!ParametersAreText(request))
      return ErrorResponse(400, "invalid_request", "parameters must be UTF-8 text");
    return (this->*handler)(request);
  };
}

std::optional<http::Response> AdminApi::Refusal(const http::Request& request) const {
  if (!settings_.token_sha256) return std::nullopt;
  auto header = request.headers.Get("Authorization");
  auto token = BearerToken(header);
  // Hash first, so the comparison time depends on neither the token nor how much of it matched.
  if (token && crypto::ConstantTimeEqual(crypto::Sha256Base64Url(*token), *settings_.token_sha256))
    return std::nullopt;
  Log(LogLevel::kWarn, "admin.unauthenticated",
      {{"path", std::string(request.Path())}, {"remote", request.remote_address}});
  auto response = header ? ErrorResponse(401, "invalid_token", "the admin token is not valid")
                         : ErrorResponse(401, "unauthorized", "an admin bearer token is required");
  // RFC 6750 §3: a request without credentials gets the bare challenge.
  response.headers.Set("WWW-Authenticate", header ? R"(Bearer realm="gatehouse-admin", )"
                                                    R"(error="invalid_token")"
                                                  : R"(Bearer realm="gatehouse-admin")");
  return response;
}

http::Response AdminApi::ListSessions(const http::Request& request) const {
  auto query = request.Query();
  if (!query.ok()) return FailureResponse(query.error());
  auto all = query->Get("all");
  if (all && *all != "1" && *all != "0")
    return ErrorResponse(400, "invalid_request", "all: expected 0 or 1");
  auto views = admin::ListSessions(store_, query->Get("user").value_or(""), all == "1");
  if (!views.ok()) return FailureResponse(views.error());
  auto sessions = nlohmann::json::array();
  for (const auto& v : *views) sessions.push_back(ToJson(v));
  return JsonResponse(200, {{"sessions", std::move(sessions)}});
}

http::Response AdminApi::RevokeSessions(const http::Request& request) const {
  auto form = request.Form();
  if (!form.ok()) return FailureResponse(form.error());
  auto include_offline = form->Get("include_offline");
  if (include_offline && *include_offline != "1" && *include_offline != "0")
    return ErrorResponse(400, "invalid_request", "include_offline: expected 0 or 1");
  auto endings =
      Revoke(store_, sessions_, {form->Get("sid"), form->Get("user"), include_offline == "1"});
  if (!endings.ok()) return FailureResponse(endings.error());
  auto ended = nlohmann::json::array();
  for (const auto& e : *endings) ended.push_back(ToJson(e));
  Log(LogLevel::kInfo, "admin.revoked",
      {{"sessions", static_cast<std::int64_t>(endings->size())},
       {"remote", request.remote_address}});
  return JsonResponse(200, {{"ended", std::move(ended)}});
}

http::Response AdminApi::ListNotifications(const http::Request& request) const {
  auto query = request.Query();
  if (!query.ok()) return FailureResponse(query.error());
  auto limit = ParseLimit(query->Get("limit"));
  if (!limit.ok()) return FailureResponse(limit.error());
  auto report = admin::ListNotifications(store_, query->Get("sid"), *limit);
  if (!report.ok()) return FailureResponse(report.error());
  return JsonResponse(200, ToJson(*report));
}

http::Response AdminApi::ListEvents(const http::Request& request) const {
  auto query = request.Query();
  if (!query.ok()) return FailureResponse(query.error());
  auto after = ParseAfter(query->Get("after"));
  if (!after.ok()) return FailureResponse(after.error());
  auto limit = ParseLimit(query->Get("limit"));
  if (!limit.ok()) return FailureResponse(limit.error());
  auto page = admin::ListEvents(store_, *after, *limit);
  if (!page.ok()) return FailureResponse(page.error());
  return JsonResponse(200, ToJson(*page));
}

http::Response AdminApi::ListConsents(const http::Request& request) const {
  auto query = request.Query();
  if (!query.ok()) return FailureResponse(query.error());
  auto user = query->Get("user");
  if (!user) return ErrorResponse(400, "invalid_request", "user is required");
  auto consents = admin::ListConsents(store_, *user);
  if (!consents.ok()) return FailureResponse(consents.error());
  auto list = nlohmann::json::array();
  for (const auto& c : *consents) list.push_back(ToJson(c));
  return JsonResponse(200, {{"consents", std::move(list)}});
}

http::Response AdminApi::RevokeConsent(const http::Request& request) const {
  auto form = request.Form();
  if (!form.ok()) return FailureResponse(form.error());
  auto user = form->Get("user");
  auto client = form->Get("client_id");
  if (!user || !client)
    return ErrorResponse(400, "invalid_request", "user and client_id are required");
  auto removed = admin::RevokeConsent(store_, sessions_, *user, *client);
  if (!removed.ok()) return FailureResponse(removed.error());
  Log(LogLevel::kInfo, "admin.consent_revoked",
      {{"username", *user}, {"client_id", *client}, {"remote", request.remote_address}});
  return JsonResponse(200, {{"revoked", *removed}});
}

http::Response AdminApi::Metrics(const http::Request&) const {
  auto outbox = store_.CountNotifications();
  if (!outbox.ok()) return FailureResponse(outbox.error());
  auto response = http::Response::Text(200, RenderMetrics(events_.counters(), *outbox));
  response.headers.Set("Content-Type", kMetricsContentType);
  response.NoStore();
  return response;
}

}  // namespace gh::admin
