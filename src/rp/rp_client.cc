#include "rp/rp_client.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/log.h"
#include "core/params.h"
#include "crypto/digest.h"
#include "oidc/oauth_error.h"
#include "oidc/pkce.h"
#include "rp/code_exchange.h"
#include "rp/session_iframe.h"

namespace gh::rp {
namespace {

// Keys of the OneTimeStore.
constexpr std::string_view kLoginKey = "login:";
constexpr std::string_view kLogoutKey = "logout:";
constexpr std::string_view kJtiKey = "jti:";

// Random values: 32 bytes, 43 base64url characters. The PKCE verifier is also within RFC 7636
// §4.1's alphabet and length.
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretChars = 43;

std::string Key(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + std::string(name);
}

// Where the browser may be sent after sign-in: a path on this app only. "//host" and "/\host"
// are read by browsers as other sites, so return_to cannot become an open redirector.
std::string LocalPath(const std::optional<std::string>& return_to) {
  if (!return_to || return_to->empty() || return_to->front() != '/') return "/";
  if (return_to->size() > 1 && ((*return_to)[1] == '/' || (*return_to)[1] == '\\')) return "/";
  for (unsigned char c : *return_to)
    if (c < 0x20 || c == 0x7f || c == '\\') return "/";
  return *return_to;
}

// OpenID Connect Core §3.1.2.6: the answers to prompt=none that mean "nobody is signed in here
// any more", which Session Management 1.0 §3.1 treats as a logout.
bool MeansSignedOut(std::string_view error) {
  return error == "login_required" || error == "interaction_required" ||
         error == "consent_required" || error == "account_selection_required";
}

int StatusOf(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
    default:
      return 400;
  }
}

http::Response Page(int status, std::string_view title, std::string_view text,
                    std::string_view frame_ancestors = "'none'") {
  http::Response response = http::Response::Html(
      status, "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + std::string(title) +
                  "</title></head><body><p>" + std::string(text) + "</p></body></html>");
  response.headers.Set("Content-Security-Policy",
                       "default-src 'none'; frame-ancestors " + std::string(frame_ancestors));
  response.NoStore();
  return response;
}

}  // namespace

struct RpClient::PendingLogin {
  std::string verifier;
  std::string nonce;
  std::string return_to;
  std::string binding_hash;  // SHA-256 of the browser-binding cookie
  bool silent = false;       // a prompt=none re-check of session `replaces`
  std::string replaces;

  std::string Serialize() const {
    return nlohmann::json{{"verifier", verifier},   {"nonce", nonce},
                          {"return_to", return_to}, {"binding_hash", binding_hash},
                          {"silent", silent},       {"replaces", replaces}}
        .dump();
  }
  static Result<PendingLogin> Parse(const std::string& text) {
    auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) return Error::Internal("corrupt pending sign-in");
    return PendingLogin{json.value("verifier", ""),   json.value("nonce", ""),
                        json.value("return_to", "/"), json.value("binding_hash", ""),
                        json.value("silent", false),  json.value("replaces", "")};
  }
};

struct RpClient::SignIn {
  std::optional<AppSession> session;  // nullopt: a re-check found the person signed out
  std::string cookie;
  std::string return_to;
};

RpClient::RpClient(RpConfig config, http::HttpClient& http, AppSessionStore& sessions,
                   OneTimeStore& once, const Clock& clock, Random& random)
    : config_(std::move(config)),
      login_cookie_name_(config_.cookie_name + "_login"),
      app_origin_(UriOrigin(config_.redirect_uri).value_or("")),
      op_origin_(UriOrigin(config_.issuer).value_or("'none'")),
      sessions_(sessions),
      once_(once),
      clock_(clock),
      random_(random),
      provider_(config_.issuer, http, clock, config_.provider),
      validator_({.issuer = config_.issuer,
                  .client_id = config_.client_id,
                  .alg = config_.id_token_signed_response_alg,
                  .clock_skew = config_.clock_skew,
                  .max_token_age = config_.max_token_age,
                  .require_logout_token_typ = config_.require_logout_token_typ},
                 provider_, clock),
      http_(http) {}

std::optional<AppSession> RpClient::CurrentSession(const http::Request& request) const {
  auto cookie = request.Cookie(config_.cookie_name);
  if (!cookie) return std::nullopt;
  auto session = sessions_.Get(crypto::Sha256Base64Url(*cookie));
  if (!session.ok()) {
    Log(LogLevel::kError, "rp_session_store_failed", {{"error", session.error().message}});
    return std::nullopt;
  }
  return *std::move(session);
}

http::Response RpClient::Login(const http::Request& request) {
  std::string binding;
  auto url = StartLogin(request, binding);
  if (!url.ok()) {
    Log(LogLevel::kError, "rp_signin_not_started", {{"error", url.error().message}});
    return Page(StatusOf(url.error()), "Sign-in unavailable",
                "Signing in is not possible right now. Please try again later.");
  }
  http::Response response = http::Response::Redirect(*url);
  http::CookieOptions binding_cookie = CookieOptionsFor(request);
  binding_cookie.max_age_seconds = config_.pending_lifetime.count();
  response.headers.Add("Set-Cookie",
                       http::SetCookieHeader(login_cookie_name_, binding, binding_cookie));
  response.NoStore();
  return response;
}

Result<std::string> RpClient::StartLogin(const http::Request& request, std::string& binding) {
  GH_ASSIGN_OR_RETURN(Params query, request.Query());
  GH_ASSIGN_OR_RETURN(ProviderEndpoints endpoints, provider_.Endpoints());
  PendingLogin pending;
  pending.verifier = random_.Token(kSecretBytes);
  pending.nonce = random_.Token(kSecretBytes);
  pending.return_to = LocalPath(query.Get("return_to"));
  // The pending sign-in is bound to this browser, or an attacker could start a sign-in, stop at
  // the callback URL and make a victim's browser finish it: the victim would be signed in as
  // the attacker (login CSRF, RFC 9700 §4.7). Tabs share one binding, so parallel sign-ins work.
  binding = request.Cookie(login_cookie_name_).value_or("");
  if (binding.size() != kSecretChars) binding = random_.Token(kSecretBytes);
  pending.binding_hash = crypto::Sha256Base64Url(binding);

  const std::string state = random_.Token(kSecretBytes);
  Params params{{"response_type", "code"},
                {"client_id", config_.client_id},
                {"redirect_uri", config_.redirect_uri},
                {"scope", config_.scope},
                {"state", state},
                {"nonce", pending.nonce},
                {"code_challenge", oidc::S256Challenge(pending.verifier)},
                {"code_challenge_method", std::string(oidc::kPkceMethodS256)}};
  // Session Management 1.0 §3.1: a changed OP session is re-checked with prompt=none, sending
  // the current ID token as id_token_hint. When the session has already ended (a front- or
  // back-channel logout came first) there is nothing to re-check: the page the iframe came from
  // shows the person signed out, rather than the OP's sign-in form they never asked for.
  if (query.Get("prompt") == "none") {
    auto current = CurrentSession(request);
    if (!current) return pending.return_to;
    pending.silent = true;
    pending.replaces = current->id;
    params.Add("prompt", "none");
    params.Add("id_token_hint", current->id_token);
  }
  GH_ASSIGN_OR_RETURN(bool stored, once_.PutIfAbsent(Key(kLoginKey, state), pending.Serialize(),
                                                     clock_.Now() + config_.pending_lifetime));
  if (!stored) return Error::Internal("state collision");
  return AppendQuery(endpoints.authorization_endpoint, params);
}

http::Response RpClient::Callback(const http::Request& request) {
  auto sign_in = FinishLogin(request);
  if (!sign_in.ok()) {
    // The reason goes to the log, not to the page: the person can do nothing with it.
    Log(LogLevel::kWarn, "rp_signin_rejected", {{"reason", sign_in.error().message}});
    return Page(StatusOf(sign_in.error()), "Sign-in failed",
                "Signing in did not succeed. Please go back and try again.");
  }
  http::Response response = http::Response::Redirect(sign_in->return_to);
  http::CookieOptions cookie = CookieOptionsFor(request);
  if (sign_in->session) {
    response.headers.Add("Set-Cookie",
                         http::SetCookieHeader(config_.cookie_name, sign_in->cookie, cookie));
  } else {
    cookie.max_age_seconds = 0;
    response.headers.Add("Set-Cookie", http::SetCookieHeader(config_.cookie_name, "", cookie));
  }
  response.NoStore();
  return response;
}

Result<RpClient::SignIn> RpClient::FinishLogin(const http::Request& request) {
  GH_ASSIGN_OR_RETURN(Params query, request.Query());
  if (auto repeated = query.RepeatedName())
    return Error::InvalidArgument("the authorization response repeats " + *repeated);
  auto state = query.Get("state");
  if (!state) return Error::InvalidArgument("the authorization response has no state");
  // Taken, not read: a state works once, so a replayed response finds nothing.
  GH_ASSIGN_OR_RETURN(auto stored, once_.Take(Key(kLoginKey, *state)));
  if (!stored) return Error::InvalidArgument("unknown, expired or already used state");
  GH_ASSIGN_OR_RETURN(PendingLogin pending, PendingLogin::Parse(*stored));
  auto binding = request.Cookie(login_cookie_name_);
  if (!binding ||
      !crypto::ConstantTimeEqual(crypto::Sha256Base64Url(*binding), pending.binding_hash))
    return Error::PermissionDenied("the sign-in was started in another browser");

  GH_ASSIGN_OR_RETURN(ProviderEndpoints endpoints, provider_.Endpoints());
  // RFC 9207 §2.4: the response must come from our issuer (mix-up defence); an OP that
  // advertises the parameter must always send it.
  auto iss = query.Get("iss");
  if (iss && *iss != config_.issuer)
    return Error::InvalidArgument("the authorization response names another issuer");
  if (!iss && endpoints.authorization_response_iss_parameter_supported)
    return Error::InvalidArgument("the authorization response lacks iss (RFC 9207)");

  SignIn out;
  out.return_to = pending.return_to;
  if (auto error = query.Get("error")) {
    if (pending.silent && MeansSignedOut(*error)) {
      GH_RETURN_IF_ERROR(sessions_.Remove(pending.replaces));
      return out;
    }
    return Error::PermissionDenied("the OP answered " + *error);
  }
  auto code = query.Get("code");
  if (!code) return Error::InvalidArgument("the authorization response has no code");
  GH_ASSIGN_OR_RETURN(
      TokenReply tokens,
      ExchangeCode(http_, {config_.client_id, config_.client_secret}, endpoints,
                   config_.redirect_uri, *code, pending.verifier, config_.provider.http_timeout));
  GH_ASSIGN_OR_RETURN(
      ValidatedIdToken id_token,
      validator_.ValidateIdToken(tokens.id_token, {pending.nonce, tokens.access_token}));

  if (pending.silent) {
    // Session Management 1.0 §3.1: the same person refreshes the session; another person (or a
    // session ended meanwhile) means the person we knew has signed out.
    GH_ASSIGN_OR_RETURN(auto previous, sessions_.Remove(pending.replaces));
    if (!previous || previous->sub != id_token.sub) return out;
  } else {
    // Every sign-in gets a fresh cookie (no session fixation) and ends the browser's previous one.
    EndCookieSession(request);
  }
  out.cookie = random_.Token(kSecretBytes);
  const TimePoint now = clock_.Now();
  AppSession session;
  session.id = crypto::Sha256Base64Url(out.cookie);
  session.sub = id_token.sub;
  session.sid = id_token.sid;
  session.session_state = query.Get("session_state");
  session.id_token = tokens.id_token;
  session.claims_json = std::move(id_token.claims_json);
  session.created_at = now;
  session.expires_at = now + config_.session_lifetime;
  GH_RETURN_IF_ERROR(sessions_.Put(session));
  out.session = std::move(session);
  return out;
}

http::Response RpClient::LogoutPage(const http::Request&) const {
  return Page(200, "Sign out",
              "<form method=\"post\"><button type=\"submit\">Sign out</button></form>");
}

http::Response RpClient::Logout(const http::Request& request) {
  // A cross-site form could otherwise sign people out at will (logout CSRF). The Lax session
  // cookie is not sent on a cross-site POST either; checking Origin also stops a same-site one.
  if (auto origin = request.headers.Get("Origin"); origin && *origin != app_origin_)
    return Page(403, "Sign out refused", "This sign-out request did not come from this site.");
  auto ended = EndCookieSession(request);
  http::Response response = http::Response::Redirect(StartLogout(ended), 303);
  http::CookieOptions cookie = CookieOptionsFor(request);
  cookie.max_age_seconds = 0;
  response.headers.Add("Set-Cookie", http::SetCookieHeader(config_.cookie_name, "", cookie));
  response.NoStore();
  return response;
}

std::string RpClient::StartLogout(const std::optional<AppSession>& ended) {
  const std::string state = random_.Token(kSecretBytes);
  auto stored = once_.PutIfAbsent(Key(kLogoutKey, state), ended ? ended->sub : "",
                                  clock_.Now() + config_.pending_lifetime);
  if (!stored.ok())
    Log(LogLevel::kError, "rp_signout_state_not_stored", {{"error", stored.error().message}});
  auto endpoints = provider_.Endpoints();
  if (!endpoints.ok() || !endpoints->end_session_endpoint) {
    // Signed out here; the OP session cannot be ended from this side, which the log records.
    Log(LogLevel::kError, "rp_signout_without_op",
        {{"error", endpoints.ok() ? "no end_session_endpoint" : endpoints.error().message}});
    return AppendQuery(config_.post_logout_redirect_uri, {{"state", state}});
  }
  // RP-Initiated Logout 1.0 §2: id_token_hint lets the OP end the right session without asking;
  // client_id identifies us even without a hint, so the OP may honour the redirect (§3).
  Params params;
  if (ended) params.Add("id_token_hint", ended->id_token);
  params.Add("client_id", config_.client_id);
  params.Add("post_logout_redirect_uri", config_.post_logout_redirect_uri);
  params.Add("state", state);
  return AppendQuery(*endpoints->end_session_endpoint, params);
}

http::Response RpClient::SignedOut(const http::Request& request) {
  auto query = request.Query();
  auto state = query.ok() ? query->Get("state") : std::nullopt;
  auto taken = state ? once_.Take(Key(kLogoutKey, *state))
                     : Result<std::optional<std::string>>(std::optional<std::string>());
  // RP-Initiated Logout 1.0 §3 returns our state; an unknown one means someone sent the browser
  // here without a sign-out of ours. The person is signed out either way, so only log it.
  if (!taken.ok() || !*taken)
    Log(LogLevel::kWarn, "rp_signed_out_unknown_state", {{"state_sent", state.has_value()}});
  return Page(200, "Signed out", "You are signed out.");
}

http::Response RpClient::FrontChannelLogout(const http::Request& request) {
  auto refuse = [](std::string reason) {
    Log(LogLevel::kWarn, "rp_frontchannel_logout_rejected", {{"reason", reason}});
    return Page(400, "Bad request", "This sign-out request is not valid.");
  };
  auto query = request.Query();
  if (!query.ok()) return refuse(query.error().message);
  auto iss = query->Get("iss");
  auto sid = query->Get("sid");
  // §2: "If either one is included, both MUST be".
  if (iss.has_value() != sid.has_value()) return refuse("iss and sid must come together");
  if (!iss) {
    if (config_.frontchannel_logout_session_required) return refuse("iss and sid are required");
    // Without sid only the browser's own cookie can say which session ends — and a third-party
    // iframe often does not get it (§4), which is why sid is required by default.
    EndCookieSession(request);
  } else {
    if (*iss != config_.issuer) return refuse("iss is not our issuer");
    // By the sid index, so it works when the iframe's cookies are blocked.
    auto ended = sessions_.RemoveBySid(*sid);
    if (!ended.ok()) {
      Log(LogLevel::kError, "rp_session_store_failed", {{"error", ended.error().message}});
      return Page(503, "Unavailable", "Signing out is not possible right now.");
    }
    Log(LogLevel::kInfo, "rp_frontchannel_logout",
        {{"sessions", static_cast<std::int64_t>(*ended)}});
  }
  // §2: Cache-Control no-store; framed by the OP's logout page only.
  return Page(200, "Signed out", "Signed out.", op_origin_);
}

http::Response RpClient::BackChannelLogout(const http::Request& request) {
  // §2.8: 400 with an optional JSON error body, no-store either way.
  auto refuse = [](const std::string& reason) {
    Log(LogLevel::kWarn, "rp_backchannel_logout_rejected", {{"reason", reason}});
    return http::Response::Json(400, oidc::ToJson(oidc::OAuthError::InvalidRequest(reason)))
        .NoStore();
  };
  auto form = request.Form();
  if (!form.ok()) return refuse(form.error().message);
  // §2.5: other parameters are ignored, but a repeated logout_token is ambiguous.
  if (form->Count("logout_token") != 1) return refuse("exactly one logout_token is required");
  auto token = validator_.ValidateLogoutToken(form->Get("logout_token").value_or(""));
  if (!token.ok()) return refuse(token.error().message);
  // §2.6 step 8, after the other checks so invalid tokens cannot fill the cache; remembered
  // only while the token would otherwise still be accepted.
  auto fresh = once_.PutIfAbsent(Key(kJtiKey, token->jti), "", token->acceptable_until);
  if (!fresh.ok()) {
    oidc::OAuthError error(fresh.error());
    return http::Response::Json(oidc::HttpStatus(error), oidc::ToJson(error)).NoStore();
  }
  if (!*fresh) return refuse("the logout token was replayed (jti)");
  // §2.7: sid names one OP session; sub alone means every session of the person.
  auto ended = token->sid ? sessions_.RemoveBySid(*token->sid) : sessions_.RemoveBySub(*token->sub);
  if (!ended.ok()) {
    // Forget the jti so the OP's retry (§2.5, for recoverable errors) is not taken for a replay.
    (void)once_.Take(Key(kJtiKey, token->jti));
    oidc::OAuthError error(ended.error());
    return http::Response::Json(oidc::HttpStatus(error), oidc::ToJson(error)).NoStore();
  }
  Log(LogLevel::kInfo, "rp_backchannel_logout", {{"sessions", static_cast<std::int64_t>(*ended)}});
  http::Response response;
  response.NoStore();
  return response;
}

http::Response RpClient::SessionIframe(const http::Request& request, std::string_view login_path) {
  auto session = CurrentSession(request);
  if (!session || !session->session_state) return SessionIframePage(std::nullopt);
  auto endpoints = provider_.Endpoints();
  std::optional<SessionIframeSettings> settings;
  if (endpoints.ok() && endpoints->check_session_iframe) {
    if (auto op_origin = UriOrigin(*endpoints->check_session_iframe)) {
      settings =
          SessionIframeSettings{.check_session_iframe = *endpoints->check_session_iframe,
                                .op_origin = *op_origin,
                                .client_id = config_.client_id,
                                .session_state = *session->session_state,
                                .recheck_url = std::string(login_path) + "?prompt=none&return_to=",
                                .interval = config_.session_check_interval};
    }
  }
  return SessionIframePage(settings);
}

std::optional<AppSession> RpClient::EndCookieSession(const http::Request& request) {
  auto cookie = request.Cookie(config_.cookie_name);
  if (!cookie) return std::nullopt;
  auto ended = sessions_.Remove(crypto::Sha256Base64Url(*cookie));
  if (!ended.ok()) {
    Log(LogLevel::kError, "rp_session_store_failed", {{"error", ended.error().message}});
    return std::nullopt;
  }
  return *std::move(ended);
}

http::CookieOptions RpClient::CookieOptionsFor(const http::Request& request) const {
  http::CookieOptions options;
  // Secure under TLS, and also behind a TLS-terminating proxy, which the https redirect_uri
  // reveals. SameSite=Lax: sent on the OP's top-level redirect back to the callback.
  options.secure = request.secure || config_.redirect_uri.starts_with("https://");
  return options;
}

}  // namespace gh::rp
