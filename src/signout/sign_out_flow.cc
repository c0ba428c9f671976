#include "signout/sign_out_flow.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "core/log.h"
#include "core/params.h"
#include "crypto/digest.h"
#include "session/participant_protocol.h"
#include "web/logout_pages.h"
#include "web/notice.h"
#include "web/session_cookies.h"

namespace gh::signout {
namespace {

// Long enough to read the confirmation page, short enough that a stale logoutId is useless.
constexpr Seconds kLogoutContextTtl{600};
// A session has one notification row per back-channel participant, and the page asks about
// every one of them: a cap below the number of participants would leave rows never updated.
constexpr int kStatusLimit = 10'000;

// How far a notification is from done, so that several rows of one client report the worst.
int Severity(store::NotificationStatus status) {
  switch (status) {
    case store::NotificationStatus::kDelivered:
      return 0;
    case store::NotificationStatus::kFailed:
      return 1;
    case store::NotificationStatus::kPending:
      break;
  }
  return 2;
}

}  // namespace

http::Response Unavailable() {
  return web::NoticePage(503, "Unavailable",
                         "Gatehouse could not complete the sign-out. Please try again.");
}

std::string ContinueUrl(const std::string& redirect_uri, const std::optional<std::string>& state) {
  Params params;
  if (state) params.Add("state", *state);
  return params.empty() ? redirect_uri : AppendQuery(redirect_uri, params);
}

void SignOutFlow::Register(http::Router& router) const {
  router.Add("POST", std::string(web::kLogoutConfirmPath),
             [this](const http::Request& r) { return Confirm(r); });
  router.Add("GET", std::string(web::kLogoutStatusPath),
             [this](const http::Request& r) { return Status(r); });
}

http::Response SignOutFlow::AskToConfirm(const http::Request& request, const std::string& logout_id,
                                         std::optional<std::string> requester_name,
                                         std::string notice) const {
  // Csrf::Issue sets its cookie on `carrier`; the page that holds the token carries it over.
  http::Response carrier;
  std::string token = csrf_.Issue(request, carrier);
  auto response =
      web::ConfirmationPage({token, logout_id, std::move(requester_name), std::move(notice)});
  for (const auto& [name, value] : carrier.headers.items()) response.headers.Add(name, value);
  return response;
}

bool SignOutFlow::SecureCookies(const http::Request& request) const {
  return request.secure || issuer_.rfind("https://", 0) == 0;
}

Result<std::string> SignOutFlow::NewContext(store::LogoutContextRecord context, bool used) const {
  std::string id = random_.Token(32);
  auto now = clock_.Now();
  context.id_hash = crypto::Sha256Base64Url(id);
  context.created_at = now;
  context.expires_at = now + kLogoutContextTtl;
  if (used) context.used_at = now;
  GH_RETURN_IF_ERROR(store_.PutLogoutContext(context));
  return id;
}

Result<SignOutFlow::ContextUse> SignOutFlow::UseContext(std::string_view logout_id) const {
  using Outcome = ContextUse::Outcome;
  auto now = clock_.Now();
  std::string id_hash = crypto::Sha256Base64Url(logout_id);
  GH_ASSIGN_OR_RETURN(auto found, store_.FindLogoutContext(id_hash));
  if (!found || found->expires_at <= now) return ContextUse{Outcome::kUnknownOrExpired, {}};
  GH_ASSIGN_OR_RETURN(bool first, store_.UseLogoutContext(id_hash, now));
  return ContextUse{first ? Outcome::kFirstUse : Outcome::kAlreadyUsed, std::move(found)};
}

http::Response SignOutFlow::Confirm(const http::Request& request) const {
  auto form = request.Form();
  if (!form.ok() || form->RepeatedName())
    return web::NoticePage(400, "Cannot sign out", "The sign-out form was malformed.");
  if (!csrf_.Verify(request, *form)) {
    Log(LogLevel::kWarn, "logout.csrf_rejected", {{"remote", request.remote_address}});
    return web::NoticePage(403, "Sign-out form expired",
                           "Nothing was changed. Please go back and press Sign out again.");
  }
  if (auto logout_id = form->Get(web::kLogoutIdField))
    return ConfirmContext(request, *form, *logout_id);
  return SignOutUser(request, form->Get("scope") == "all", form->Get(web::kEndOfflineField) == "1");
}

http::Response SignOutFlow::ConfirmContext(const http::Request& request, const Params& form,
                                           const std::string& logout_id) const {
  using Outcome = ContextUse::Outcome;
  auto use = UseContext(logout_id);
  if (!use.ok()) return Unavailable();
  if (use->outcome == Outcome::kUnknownOrExpired)
    return web::NoticePage(
        400, "This sign-out request expired",
        "Nothing was changed. To sign out, use the Sign out button of the application "
        "or of the Gatehouse home page.");
  // Single use: a replayed or double-submitted form does nothing a second time.
  if (use->outcome == Outcome::kAlreadyUsed)
    return web::NoticePage(200, "You are signed out", "This sign-out was already carried out.");
  const auto& ctx = *use->context;
  if (form.Get("action") == "stay")
    return web::NoticePage(200, "You are still signed in", "Nothing was changed.");

  auto current = sessions_.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  if (!current.ok()) return Unavailable();
  // The browser may have signed in again since the question was asked; its new session is not
  // the one the person agreed to end, so its cookies stay.
  bool clear_cookies = !*current || (*current)->sid == ctx.sid;
  std::vector<session::SessionEnding> endings;
  if (!ctx.sid.empty()) {
    auto cause = ctx.client_id ? session::EndCause::kRpLogout : session::EndCause::kUserLogout;
    bool end_offline = form.Get(web::kEndOfflineField) == "1";
    auto ending = sessions_.End(ctx.sid, cause, end_offline);
    if (!ending.ok() && ending.error().code != ErrorCode::kNotFound) return Unavailable();
    if (ending.ok()) {
      if (end_offline && !sessions_.EndOfflineGrants(ending->session.user_id).ok())
        return Unavailable();
      endings.push_back(std::move(*ending));
    }
  }
  Log(LogLevel::kInfo, "logout.confirmed",
      {{"sid", ctx.sid}, {"client_id", ctx.client_id.value_or("")}});
  std::optional<std::string> continue_to;
  if (ctx.post_logout_redirect_uri)
    continue_to = ContinueUrl(*ctx.post_logout_redirect_uri, ctx.state);
  return SignedOut(request, endings, {logout_id}, continue_to, "", clear_cookies);
}

http::Response SignOutFlow::SignOutUser(const http::Request& request, bool everywhere,
                                        bool end_offline) const {
  auto session = sessions_.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  if (!session.ok()) return Unavailable();
  if (!*session) return SignedOut(request, {}, {}, std::nullopt, "", true);
  const auto& current = **session;
  if (!sessions_.NoteLogoutStarted(current, "").ok()) return Unavailable();

  std::vector<session::SessionEnding> endings;
  if (everywhere) {
    auto all =
        sessions_.EndAllOfUser(current.user_id, session::EndCause::kUserLogoutAll, end_offline);
    if (!all.ok()) return Unavailable();
    endings = std::move(*all);
  } else {
    auto one = sessions_.End(current.sid, session::EndCause::kUserLogout, end_offline);
    if (!one.ok()) return Unavailable();
    endings.push_back(std::move(*one));
  }
  std::vector<std::string> logout_ids;
  for (const auto& ending : endings) {
    store::LogoutContextRecord context;
    context.sid = ending.session.sid;
    auto id = NewContext(std::move(context), /*used=*/true);
    if (!id.ok()) return Unavailable();
    logout_ids.push_back(std::move(*id));
  }
  Log(LogLevel::kInfo, "logout.user",
      {{"sub", current.user_id},
       {"sid", current.sid},
       {"everywhere", everywhere},
       {"sessions", static_cast<int>(endings.size())}});
  return SignedOut(request, endings, std::move(logout_ids), std::nullopt, "", true);
}

web::SignedOut SignOutFlow::View(const std::vector<session::SessionEnding>& endings) {
  web::SignedOut view;
  // One row per application, even when it took part in several of the ended sessions. Indexed,
  // because a session may have had a thousand participants.
  std::unordered_map<std::string_view, std::size_t> app_index;
  std::unordered_set<std::string> frame_origins;
  for (const auto& ending : endings) {
    for (const auto& p : ending.participants) {
      const auto& client_id = p.participant.client_id;
      auto [index, added] = app_index.emplace(client_id, view.apps.size());
      if (added) {
        web::SignedOutApp app;
        app.client_id = client_id;
        app.name = p.display_name();
        view.apps.push_back(std::move(app));
      }
      auto& app = view.apps[index->second];
      // Front-Channel Logout 1.0 §2: one iframe per session, carrying that session's sid.
      if (p.logout && p.logout->frontchannel_url) {
        const auto& url = *p.logout->frontchannel_url;
        app.frontchannel_urls.push_back(url);
        auto origin = UriOrigin(url);
        if (origin && frame_origins.insert(*origin).second) view.frame_origins.push_back(*origin);
      }
      // End() only enqueued the notification; the page polls for its delivery.
      if (p.notification_id) app.backchannel = web::SignedOutApp::BackChannel::kPending;
    }
  }
  return view;
}

http::Response SignOutFlow::SignedOut(const http::Request& request,
                                      const std::vector<session::SessionEnding>& endings,
                                      std::vector<std::string> logout_ids,
                                      std::optional<std::string> continue_to, std::string notice,
                                      bool clear_cookies) const {
  web::SignedOut view = View(endings);
  view.logout_ids = std::move(logout_ids);
  view.continue_to = std::move(continue_to);
  view.notice = std::move(notice);
  // This browser's own session ended: the upstream it signed in through is next. Only that
  // session's, found by the browser's cookie: an upstream can only sign out the browser that is
  // sent to it, so another session's upstream (when signing out everywhere) is not ours to visit.
  auto cookie = request.Cookie(session::kSessionCookieName);
  if (clear_cookies && upstream_ && cookie) {
    std::string key_hash = crypto::Sha256Base64Url(*cookie);
    for (const auto& ending : endings) {
      if (ending.session.key_hash != key_hash) continue;
      if (auto detour = upstream_->Detour(ending.session, view.continue_to))
        view.continue_to = std::move(detour);
      break;
    }
  }
  // Only front-channel logout needs this browser; back-channel delivery goes on without it (its
  // receipts are at the status endpoint and in the admin API). With no iframe to load, the
  // browser — or a client that runs no JavaScript — goes straight back to the application.
  bool browser_work = std::any_of(view.apps.begin(), view.apps.end(),
                                  [](const auto& app) { return !app.frontchannel_urls.empty(); });
  auto response = view.continue_to && !browser_work
                      ? http::Response::Redirect(*view.continue_to, 303)
                      : web::SignedOutPage(view);
  response.NoStore();
  if (clear_cookies) web::ClearSessionCookies(response, SecureCookies(request));
  return response;
}

http::Response SignOutFlow::SignedOutInFrame(const std::vector<session::SessionEnding>& endings,
                                             std::string framed_by) const {
  web::SignedOut view = View(endings);
  for (const auto& ending : endings) {
    store::LogoutContextRecord context;
    context.sid = ending.session.sid;
    auto id = NewContext(std::move(context), /*used=*/true);
    if (!id.ok()) return Unavailable();
    view.logout_ids.push_back(std::move(*id));
  }
  view.frame_ancestors = std::move(framed_by);
  return web::SignedOutPage(view);
}

http::Response SignOutFlow::Status(const http::Request& request) const {
  auto query = request.Query();
  auto logout_id = query.ok() ? query->Get(web::kLogoutIdField) : std::nullopt;
  if (!logout_id) {
    auto response = http::Response::Json(400, R"({"error":"invalid_request"})");
    response.NoStore();
    return response;
  }
  auto found = store_.FindLogoutContext(crypto::Sha256Base64Url(*logout_id));
  if (!found.ok()) return http::Response::Json(503, R"({"error":"temporarily_unavailable"})");
  if (!*found || (*found)->expires_at <= clock_.Now()) {
    auto response = http::Response::Json(404, R"({"error":"not_found"})");
    response.NoStore();
    return response;
  }
  nlohmann::json clients = nlohmann::json::object();
  if (!(*found)->sid.empty()) {
    auto rows = store_.ListNotifications((*found)->sid, kStatusLimit);
    if (!rows.ok()) return http::Response::Json(503, R"({"error":"temporarily_unavailable"})");
    std::map<std::string, store::NotificationStatus> worst;
    for (const auto& n : *rows) {
      if (!session::ParseChannel(n.channel)) continue;
      auto [it, added] = worst.emplace(n.client_id, n.status);
      if (!added && Severity(n.status) > Severity(it->second)) it->second = n.status;
    }
    for (const auto& [client_id, status] : worst) clients[client_id] = store::ToString(status);
  }
  auto response = http::Response::Json(200, nlohmann::json{{"clients", clients}}.dump());
  response.NoStore();
  return response;
}

}  // namespace gh::signout
