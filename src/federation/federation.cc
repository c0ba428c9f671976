#include "federation/federation.h"

#include <nlohmann/json.hpp>

#include "core/html_escape.h"
#include "core/log.h"
#include "federation/round_trip.h"
#include "oidc/oauth_error.h"
#include "web/html.h"
#include "web/login_pages.h"
#include "web/notice.h"
#include "web/session_cookies.h"

namespace gh::federation {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretChars = 43;
constexpr std::string_view kSignOutStepPath = "/upstream/sign-out";

http::Response BackChannelError(int status, const oidc::OAuthError& error) {
  return http::Response::Json(status, oidc::ToJson(error)).NoStore();
}

}  // namespace

std::string StartPath(std::string_view upstream_id) {
  return "/upstream/" + std::string(upstream_id) + "/start";
}

Federation::Federation(FederationContext context, std::vector<UpstreamSettings> upstreams)
    : context_(std::move(context)), linker_(context_.store, context_.clock, context_.random) {
  for (auto& settings : upstreams) {
    auto upstream = std::make_unique<Upstream>();
    upstream->settings = std::move(settings);
    if (upstream->settings.protocol == Protocol::kSaml) {
      upstream->saml = std::make_unique<SamlUpstream>(
          upstream->settings, UpstreamUri(*upstream, "saml"), context_.saml_signer, context_.http,
          context_.clock, context_.random);
    } else {
      upstream->oidc = std::make_unique<OidcUpstream>(
          upstream->settings, UpstreamUri(*upstream, "callback"), context_.http, context_.clock);
    }
    upstreams_.emplace(upstream->settings.id, std::move(upstream));
  }
}

Federation::~Federation() = default;

void Federation::Register(http::Router& router) {
  for (auto& [id, upstream] : upstreams_) {
    Upstream* u = upstream.get();
    std::string base = "/upstream/" + id + "/";
    router.Add("GET", StartPath(id), [this, u](const http::Request& r) { return Start(r, *u); });
    if (u->saml) {
      router.Add("GET", base + "saml", [u](const http::Request&) {
        auto metadata = u->saml->Metadata();
        if (!metadata.ok()) return web::NoticePage(503, "Unavailable", "Please try again.");
        auto response = http::Response::Text(200, std::move(*metadata));
        response.headers.Set("Content-Type", "application/samlmetadata+xml");
        return response;
      });
      router.Add("POST", base + "saml/acs",
                 [this, u](const http::Request& r) { return SamlAcs(r, *u); });
      for (const char* method : {"GET", "POST"})
        router.Add(method, base + "saml/slo",
                   [this, u](const http::Request& r) { return SamlSlo(r, *u); });
      continue;
    }
    router.Add("GET", base + "callback",
               [this, u](const http::Request& r) { return Callback(r, *u); });
    router.Add("GET", base + "signed-out",
               [this, u](const http::Request& r) { return SignedOutUpstream(r, *u); });
    router.Add("POST", base + "backchannel-logout",
               [this, u](const http::Request& r) { return BackChannelLogout(r, *u); });
    router.Add("GET", base + "frontchannel-logout",
               [this, u](const http::Request& r) { return FrontChannelLogout(r, *u); });
  }
  for (const char* method : {"GET", "POST"})
    router.Add(method, std::string(kSignOutStepPath),
               [this](const http::Request& r) { return SignOutStep(r); });
}

std::vector<web::UpstreamOption> Federation::Choices() const {
  std::vector<web::UpstreamOption> choices;
  for (const auto& [id, upstream] : upstreams_)
    choices.push_back(
        {id, upstream->settings.issuer, upstream->settings.display_name, StartPath(id)});
  return choices;
}

Federation::Upstream* Federation::Find(const std::string& id) {
  auto it = upstreams_.find(id);
  return it == upstreams_.end() ? nullptr : it->second.get();
}

bool Federation::SecureCookies(const http::Request& request) const {
  return request.secure || context_.issuer.starts_with("https://");
}

std::string Federation::UpstreamUri(const Upstream& upstream, std::string_view endpoint) const {
  return context_.issuer + "/upstream/" + upstream.settings.id + "/" + std::string(endpoint);
}

void Federation::Record(std::string_view type, const std::string& sid, const std::string& user_id,
                        const Upstream& upstream, nlohmann::json detail) {
  detail["upstream"] = upstream.settings.id;
  session::Event event{std::string(type), sid, user_id, "", detail.dump()};
  if (auto appended = context_.events.Append(context_.store, event); !appended.ok())
    Log(LogLevel::kWarn, "federation.event_failed", {{"error", appended.error().message}});
  context_.events.Publish(event);
}

// ---- Sign-in

http::Response Federation::Start(const http::Request& request, Upstream& upstream) {
  auto query = request.Query();
  std::string return_to = query.ok() ? query->Get("return_to").value_or("/") : "/";
  if (!web::IsLocalPath(return_to)) return_to = "/";
  PendingSignIn pending{context_.random.Token(kSecretBytes), context_.random.Token(kSecretBytes),
                        context_.random.Token(kSecretBytes)};
  // Tabs share one binding, so parallel sign-ins work.
  std::string binding = request.Cookie(kBindingCookie).value_or("");
  if (binding.size() != kSecretChars) binding = context_.random.Token(kSecretBytes);
  nlohmann::json payload = {{"kind", kSignIn},
                            {"nonce", pending.nonce},
                            {"verifier", pending.verifier},
                            {"return_to", return_to},
                            {"binding_hash", Hash(binding)}};
  auto demand = query.ok() ? web::ReadAuthenticationDemand(*query) : web::AuthenticationDemand{};
  Result<http::Response> sent = Error::Internal("no protocol");
  if (upstream.saml) {
    sent = upstream.saml->SignIn(SamlRequestId(kSignIn, pending.state), pending.state, demand);
  } else if (auto url = upstream.oidc->AuthorizationUrl(pending, demand); url.ok()) {
    sent = http::Response::Redirect(*url);
  } else {
    sent = url.error();
  }
  if (sent.ok()) {
    auto stored = context_.store.PutUpstreamRequest({Hash(pending.state), upstream.settings.id,
                                                     payload.dump(),
                                                     context_.clock.Now() + kRoundTripLifetime});
    if (!stored.ok()) sent = stored.error();
  }
  if (!sent.ok()) {
    Log(LogLevel::kWarn, "federation.signin_not_started",
        {{"upstream", upstream.settings.id}, {"error", sent.error().message}});
    return web::NoticePage(
        503, "Sign-in unavailable",
        upstream.settings.display_name + " cannot be reached right now. Please try again later.");
  }
  http::Response response = std::move(*sent);
  http::CookieOptions cookie;
  cookie.path = "/upstream/";
  cookie.secure = SecureCookies(request);
  cookie.max_age_seconds = kRoundTripLifetime.count();
  response.headers.Add("Set-Cookie", http::SetCookieHeader(kBindingCookie, binding, cookie));
  response.NoStore();
  return response;
}

http::Response Federation::SignInRefused(const Upstream& upstream, int status,
                                         const std::string& reason, const std::string& message) {
  Log(LogLevel::kWarn, "federation.signin_rejected",
      {{"upstream", upstream.settings.id}, {"reason", reason}});
  return web::NoticePage(status, "Sign-in failed", message);
}

std::variant<nlohmann::json, http::Response> Federation::TakeSignIn(
    const http::Request& request, Upstream& upstream, const std::optional<std::string>& state) {
  const std::string retry = RetryMessage(upstream.settings);
  if (!state) return SignInRefused(upstream, 400, "no state", retry);
  // Taken, not read: a replayed response finds nothing.
  auto taken = context_.store.TakeUpstreamRequest(Hash(*state), context_.clock.Now());
  if (!taken.ok()) return SignInRefused(upstream, 503, taken.error().message, retry);
  if (!*taken || (*taken)->upstream != upstream.settings.id)
    return SignInRefused(upstream, 400, "unknown, expired or already used state", retry);
  auto payload = Payload(**taken);
  if (Text(payload, "kind") != kSignIn)
    return SignInRefused(upstream, 400, "the state is not a sign-in's", retry);
  auto binding = request.Cookie(kBindingCookie);
  if (!binding || !crypto::ConstantTimeEqual(Hash(*binding), Text(payload, "binding_hash")))
    return SignInRefused(upstream, 400, "the sign-in was started in another browser", retry);
  return payload;
}

http::Response Federation::Callback(const http::Request& request, Upstream& upstream) {
  auto query = request.Query();
  if (!query.ok())
    return SignInRefused(upstream, 400, query.error().message, RetryMessage(upstream.settings));
  auto state = query->Get("state");
  auto taken = TakeSignIn(request, upstream, state);
  if (auto* refused = std::get_if<http::Response>(&taken)) return std::move(*refused);
  const auto& payload = std::get<nlohmann::json>(taken);
  PendingSignIn pending{*state, Text(payload, "nonce"), Text(payload, "verifier")};
  return CompleteSignIn(request, upstream, upstream.oidc->Finish(*query, pending), payload);
}

http::Response Federation::CompleteSignIn(const http::Request& request, Upstream& upstream,
                                          Result<UpstreamIdentity> identity,
                                          const nlohmann::json& payload) {
  const std::string& name = upstream.settings.display_name;
  const std::string retry = RetryMessage(upstream.settings);
  if (!identity.ok()) {
    if (identity.error().code == ErrorCode::kPermissionDenied)
      return SignInRefused(upstream, 403, identity.error().message, name + " did not sign you in.");
    return SignInRefused(upstream, identity.error().code == ErrorCode::kUnavailable ? 503 : 400,
                         identity.error().message, retry);
  }
  auto user = linker_.Link(upstream.settings, identity->subject, identity->claims);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kPermissionDenied)
      return SignInRefused(
          upstream, 403, user.error().message,
          "You cannot sign in here: " + user.error().message + ". Please ask your administrator.");
    return SignInRefused(upstream, 503, user.error().message, retry);
  }
  store::UpstreamLinkRecord link;
  link.upstream = upstream.settings.id;
  link.subject = identity->subject;
  link.session_id = identity->sid.value_or("");
  link.id_token = identity->id_token;
  link.saml = identity->saml;
  auto started =
      context_.sessions.SignIn(user->id, request.Cookie(session::kSessionCookieName).value_or(""),
                               identity->method, std::move(link));
  if (!started.ok()) return SignInRefused(upstream, 503, started.error().message, retry);
  Log(LogLevel::kInfo, "login.succeeded",
      {{"sub", user->id},
       {"sid", started->session.sid},
       {"idp", upstream.settings.id},
       {"remote", request.remote_address}});
  std::string return_to = Text(payload, "return_to");
  auto response = http::Response::Redirect(web::IsLocalPath(return_to) ? return_to : "/", 303);
  web::SetSessionCookies(response, started->cookie_value, started->session.browser_state,
                         SecureCookies(request));
  response.NoStore();
  return response;
}

// ---- Sign-out, downstream first, then upstream, then back

std::optional<std::string> Federation::Detour(const store::SessionRecord& session,
                                              const std::optional<std::string>& continue_to) {
  auto link = context_.store.FindUpstreamLink(session.sid);
  if (!link.ok()) {
    Log(LogLevel::kError, "federation.link_unreadable",
        {{"sid", session.sid}, {"error", link.error().message}});
    return std::nullopt;
  }
  if (!*link) return std::nullopt;
  // The upstream signed the person out itself: it is not sent a sign-out of its own back.
  if (session.end_cause == session::ToString(session::EndCause::kUpstreamLogout))
    return std::nullopt;
  Upstream* upstream = Find((*link)->upstream);
  if (!upstream || upstream->settings.sign_out == SignOutMode::kNever) return std::nullopt;
  std::string state = context_.random.Token(kSecretBytes);
  nlohmann::json payload = {{"kind", kSignOut}, {"sid", session.sid}, {"user", session.user_id}};
  if (continue_to) payload["continue_to"] = *continue_to;
  auto stored =
      context_.store.PutUpstreamRequest({Hash(state), upstream->settings.id, payload.dump(),
                                         context_.clock.Now() + kRoundTripLifetime});
  if (!stored.ok()) {
    Record(session::kEventUpstreamLogoutFailed, session.sid, session.user_id, *upstream,
           {{"reason", stored.error().message}});
    return std::nullopt;
  }
  return std::string(kSignOutStepPath) + "?" + Params{{"state", state}}.Encode();
}

http::Response Federation::SignOutStep(const http::Request& request) {
  auto params = request.method == "POST" ? request.Form() : request.Query();
  auto state = params.ok() ? params->Get("state") : std::nullopt;
  auto expired = [] {
    return web::NoticePage(400, "This sign-out link expired",
                           "You are signed out of Gatehouse. Nothing else was changed.");
  };
  if (!state) return expired();
  auto pending = context_.store.FindUpstreamRequest(Hash(*state), context_.clock.Now());
  if (!pending.ok()) return signout::Unavailable();
  if (!*pending || Text(Payload(**pending), "kind") != kSignOut) return expired();
  Upstream* upstream = Find((*pending)->upstream);
  if (!upstream) return expired();
  const std::string& name = upstream->settings.display_name;

  if (request.method == "POST") {
    if (!context_.csrf.Verify(request, *params))
      return web::NoticePage(403, "Sign-out form expired",
                             "You are signed out of Gatehouse. Please sign out at " + name +
                                 " directly if you want that too.");
    if (params->Get("action") == "upstream") return GoUpstream(*state, **pending);
    auto taken = context_.store.TakeUpstreamRequest(Hash(*state), context_.clock.Now());
    if (!taken.ok()) return signout::Unavailable();
    if (!*taken) return expired();
    auto continue_to = Payload(**taken).value("continue_to", std::string());
    if (!continue_to.empty()) return http::Response::Redirect(continue_to, 303).NoStore();
    return web::NoticePage(200, "You are signed out",
                           "You are signed out of Gatehouse, and still signed in at " + name + ".");
  }
  if (upstream->settings.sign_out != SignOutMode::kAsk) return GoUpstream(*state, **pending);

  http::Response response;
  std::string token = context_.csrf.Issue(request, response);
  std::string hidden =
      web::HiddenField(web::kCsrfFieldName, token) + web::HiddenField("state", *state);
  std::string body =
      "<h1>You are signed out of Gatehouse</h1><p>You signed in with " + EscapeHtml(name) +
      ". Sign out there as well? Anyone using this browser could otherwise sign in again as "
      "you.</p><form method=\"post\" action=\"" +
      std::string(kSignOutStepPath) + "\">" + hidden +
      "<button type=\"submit\" name=\"action\" value=\"upstream\">Sign out of " + EscapeHtml(name) +
      "</button><button type=\"submit\" name=\"action\" value=\"stay\" class=\"secondary\">"
      "Stay signed in to " +
      EscapeHtml(name) + "</button></form>";
  response.status = 200;
  response.headers.Set("Content-Type", "text/html; charset=utf-8");
  response.body = web::Page("Sign out of " + name + "?", body);
  response.NoStore();
  return response;
}

http::Response Federation::GoUpstream(const std::string& state,
                                      const store::UpstreamRequestRecord& pending) {
  Upstream& upstream = *Find(pending.upstream);
  auto payload = Payload(pending);
  std::string sid = Text(payload, "sid");
  std::string user = Text(payload, "user");
  const auto continue_to = ContinueTo(payload);
  auto give_up = [&](const std::string& reason, std::string_view why) {
    // The state is spent, so a late return from the upstream is not taken for a confirmation.
    if (auto taken = context_.store.TakeUpstreamRequest(pending.state_hash, context_.clock.Now());
        !taken.ok())
      Log(LogLevel::kWarn, "federation.state_not_spent", {{"error", taken.error().message}});
    Record(session::kEventUpstreamLogoutFailed, sid, user, upstream, {{"reason", reason}});
    return FinishSignOut(upstream, continue_to, false, why);
  };
  auto link = context_.store.FindUpstreamLink(sid);
  if (!link.ok()) return signout::Unavailable();
  if (!*link) return give_up("no upstream session recorded", "no session there is known");
  if (upstream.saml) {
    if (!(*link)->saml) return give_up("no SAML NameID recorded", "no session there is known");
    auto sent = upstream.saml->SignOut(*(*link)->saml, SamlRequestId(kSignOut, state), state);
    if (!sent.ok()) return give_up(sent.error().message, "it cannot be reached right now");
    if (!*sent) return give_up("no SingleLogoutService", "it does not offer signing out");
    Record(session::kEventUpstreamLogoutRedirected, sid, user, upstream, nlohmann::json::object());
    return std::move(**sent);
  }
  auto url =
      upstream.oidc->EndSessionUrl((*link)->id_token, UpstreamUri(upstream, "signed-out"), state);
  if (!url.ok()) return give_up(url.error().message, "it cannot be reached right now");
  if (!*url) return give_up("no end_session_endpoint", "it does not offer signing out");
  Record(session::kEventUpstreamLogoutRedirected, sid, user, upstream, nlohmann::json::object());
  return http::Response::Redirect(**url, 303).NoStore();
}

Result<std::optional<nlohmann::json>> Federation::TakeSignOut(
    const std::optional<std::string>& state, const Upstream& upstream) {
  if (!state) return std::optional<nlohmann::json>();
  GH_ASSIGN_OR_RETURN(auto taken,
                      context_.store.TakeUpstreamRequest(Hash(*state), context_.clock.Now()));
  if (!taken || taken->upstream != upstream.settings.id ||
      Text(Payload(*taken), "kind") != kSignOut)
    return std::optional<nlohmann::json>();
  return std::optional(Payload(*taken));
}

http::Response Federation::SignedOutUpstream(const http::Request& request, Upstream& upstream) {
  auto query = request.Query();
  auto state = query.ok() ? query->Get("state") : std::nullopt;
  auto taken = TakeSignOut(state, upstream);
  if (!taken.ok()) return signout::Unavailable();
  if (!*taken)
    return UnmatchedReturn(upstream, state
                                         ? "returned with an unknown, expired or already used state"
                                         : "returned without state");
  const auto& payload = **taken;
  Record(session::kEventUpstreamLogoutConfirmed, Text(payload, "sid"), Text(payload, "user"),
         upstream, nlohmann::json::object());
  return FinishSignOut(upstream, ContinueTo(payload), true, "");
}

http::Response Federation::UnmatchedReturn(const Upstream& upstream, std::string_view reason) {
  Record(session::kEventUpstreamLogoutFailed, "", "", upstream, {{"reason", reason}});
  auto page =
      FinishSignOut(upstream, std::nullopt, false, "its answer did not match a sign-out of ours");
  page.status = 400;
  return page;
}

http::Response Federation::FinishSignOut(const Upstream& upstream,
                                         const std::optional<std::string>& continue_to,
                                         bool confirmed, std::string_view why) {
  const std::string& name = upstream.settings.display_name;
  if (confirmed && continue_to) return http::Response::Redirect(*continue_to, 303).NoStore();
  if (confirmed)
    return web::NoticePage(200, "You are signed out",
                           "You are signed out of Gatehouse and of " + name + ".");
  std::optional<web::NoticeLink> next;
  if (continue_to) next = web::NoticeLink{*continue_to, "Continue"};
  return web::NoticePage(200, "Signed out of Gatehouse only",
                         "You are signed out of Gatehouse and its applications, but signing out "
                         "of " +
                             name + " could not be confirmed: " + std::string(why) +
                             ". To be sure, sign out at " + name +
                             " directly, or close the browser.",
                         next);
}

// ---- Sign-outs the upstream starts

Result<std::vector<session::SessionEnding>> Federation::EndFromUpstream(
    const Upstream& upstream, const std::vector<std::string>& sids, std::string_view channel) {
  std::vector<session::SessionEnding> endings;
  for (const auto& sid : sids) {
    GH_ASSIGN_OR_RETURN(auto ending,
                        context_.sessions.End(sid, session::EndCause::kUpstreamLogout));
    if (!ending.ended_now) continue;
    Record(session::kEventUpstreamLogoutReceived, sid, ending.session.user_id, upstream,
           {{"channel", channel}});
    endings.push_back(std::move(ending));
  }
  return endings;
}

http::Response Federation::BackChannelLogout(const http::Request& request, Upstream& upstream) {
  // Back-Channel Logout 1.0 §2.8: 400 with a JSON error for a token we refuse.
  auto refuse = [&](const std::string& reason) {
    Log(LogLevel::kWarn, "federation.backchannel_logout_rejected",
        {{"upstream", upstream.settings.id}, {"reason", reason}});
    return BackChannelError(400, oidc::OAuthError::InvalidRequest(reason));
  };
  auto form = request.Form();
  if (!form.ok()) return refuse(form.error().message);
  if (form->Count("logout_token") != 1) return refuse("exactly one logout_token is required");
  auto token = upstream.oidc->ValidateLogoutToken(form->Get("logout_token").value_or(""));
  if (!token.ok()) return refuse(token.error().message);
  // §2.6 step 8, once the token is otherwise valid, so forged ones cannot fill the cache.
  auto fresh =
      context_.store.RememberMessage(upstream.settings.issuer, token->jti, token->acceptable_until);
  if (!fresh.ok()) return BackChannelError(503, oidc::OAuthError(fresh.error()));
  if (!*fresh) return refuse("the logout token was replayed (jti)");
  // §2.7: sid names one upstream session; sub alone means every session of the person.
  std::optional<std::string_view> subject, sid;
  if (token->sub) subject = *token->sub;
  if (token->sid) sid = *token->sid;
  auto sids = context_.store.FindSessionsFromUpstream(upstream.settings.id, subject, sid);
  auto ended = sids.ok() ? EndFromUpstream(upstream, *sids, "backchannel")
                         : Result<std::vector<session::SessionEnding>>(sids.error());
  if (!ended.ok()) {
    // Forgotten, so the upstream's retry (§2.8) is not refused as a replay.
    (void)context_.store.ForgetMessage(upstream.settings.issuer, token->jti);
    return BackChannelError(503, oidc::OAuthError(ended.error()));
  }
  Log(LogLevel::kInfo, "federation.backchannel_logout",
      {{"upstream", upstream.settings.id}, {"sessions", static_cast<int>(ended->size())}});
  http::Response response;
  response.NoStore();
  return response;
}

http::Response Federation::FrontChannelLogout(const http::Request& request, Upstream& upstream) {
  auto refuse = [&](const std::string& reason) {
    Log(LogLevel::kWarn, "federation.frontchannel_logout_rejected",
        {{"upstream", upstream.settings.id}, {"reason", reason}});
    return web::NoticePage(400, "Bad request", "This sign-out request is not valid.");
  };
  auto query = request.Query();
  if (!query.ok()) return refuse(query.error().message);
  auto iss = query->Get("iss");
  auto sid = query->Get("sid");
  // Front-Channel Logout 1.0 §2 (session required, as we register it): the iframe carries no
  // cookie of ours in a browser that blocks third-party cookies, so iss and sid name the session.
  if (!iss || !sid || sid->empty()) return refuse("iss and sid are required");
  if (*iss != upstream.settings.issuer) return refuse("iss is not the upstream's issuer");
  auto sids = context_.store.FindSessionsFromUpstream(upstream.settings.id, std::nullopt, *sid);
  if (!sids.ok()) return signout::Unavailable();
  auto ended = EndFromUpstream(upstream, *sids, "frontchannel");
  if (!ended.ok()) return signout::Unavailable();
  return context_.sign_out.SignedOutInFrame(*ended,
                                            UriOrigin(upstream.settings.issuer).value_or("'none'"));
}

}  // namespace gh::federation
