// RpClient: a web app's side of OpenID Connect — sign-in with the authorization code flow, and
// every way of being signed out: by the person (RP-Initiated Logout 1.0), by the OP in a browser
// iframe (Front-Channel Logout 1.0), by the OP server to server (Back-Channel Logout 1.0), and by
// the app noticing the OP session changed (Session Management 1.0).
//
//   rp::InMemoryAppSessionStore sessions(clock);
//   rp::InMemoryOneTimeStore once(clock);
//   rp::RpClient rp(config, http_client, sessions, once, clock, random);
//   rp::RegisterRpRoutes(router, rp, {});                  // /login, /callback, /logout, ...
//   router.Add("GET", "/", [&](const http::Request& r) {
//     auto session = rp.CurrentSession(r);
//     if (!session) return http::Response::Redirect("/login?return_to=/");
//     ...
//   });
//
// Each handler returns the complete response (redirects, cookies, no-store). All state lives in
// the two stores, so the handlers are thread-safe, and app nodes that share the stores can share
// the sign-ins. Handlers may block on the OP (discovery, JWKS, token endpoint): run them on the
// server's worker pool, never on an I/O thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "http/client.h"
#include "http/message.h"
#include "rp/app_sessions.h"
#include "rp/one_time_store.h"
#include "rp/provider_metadata.h"
#include "rp/token_validation.h"

namespace gh::rp {

// The app's registration at the OP, and its tolerances.
struct RpConfig {
  std::string issuer;  // exactly as the OP states it
  std::string client_id;
  // client_secret_basic when set; a public client (PKCE only) otherwise.
  std::optional<std::string> client_secret;
  std::string redirect_uri;              // absolute; the callback route serves its path
  std::string post_logout_redirect_uri;  // absolute and registered; the signed-out route
  std::string scope = "openid profile email";
  crypto::JwsAlg id_token_signed_response_alg = crypto::JwsAlg::kRS256;
  Seconds clock_skew{60};
  Seconds max_token_age{300};
  Seconds pending_lifetime{600};  // how long a started sign-in or sign-out may take
  Seconds session_lifetime{8 * 3600};
  // Front-Channel Logout 1.0 §2: when registered, the OP sends iss and sid and the RP refuses a
  // request without them.
  bool frontchannel_logout_session_required = true;
  bool require_logout_token_typ = true;  // see TokenPolicy
  std::string cookie_name = "gh_rp_session";
  std::chrono::milliseconds session_check_interval{5000};
  ProviderMetadataOptions provider;
};

class RpClient {
 public:
  RpClient(RpConfig config, http::HttpClient& http, AppSessionStore& sessions, OneTimeStore& once,
           const Clock& clock, Random& random);

  const RpConfig& config() const { return config_; }

  // The signed-in session of the request's cookie, for protected pages.
  std::optional<AppSession> CurrentSession(const http::Request& request) const;

  // GET login?return_to=/local/path[&prompt=none]: starts a sign-in (code + PKCE S256, state,
  // nonce kept server-side) and redirects to the OP. prompt=none is the Session Management
  // re-check of the current session; without one it returns to return_to at once.
  http::Response Login(const http::Request& request);
  // GET redirect_uri: completes the sign-in, sets the session cookie, returns to return_to.
  http::Response Callback(const http::Request& request);
  // GET logout: a page with a sign-out button (a GET must not sign anyone out, or any site could
  // link to it). POST logout: ends the local session and sends the browser to the OP's
  // end_session_endpoint with id_token_hint, post_logout_redirect_uri and a fresh state.
  http::Response LogoutPage(const http::Request& request) const;
  http::Response Logout(const http::Request& request);
  // GET post_logout_redirect_uri: the OP's return from sign-out; checks the state.
  http::Response SignedOut(const http::Request& request);
  // GET frontchannel_logout_uri?iss=…&sid=… (Front-Channel Logout 1.0 §2).
  http::Response FrontChannelLogout(const http::Request& request);
  // POST backchannel_logout_uri, form logout_token=… (Back-Channel Logout 1.0 §2.5–§2.8).
  http::Response BackChannelLogout(const http::Request& request);
  // GET the RP iframe of Session Management 1.0 §3.1 (see session_iframe.h); `login_path` is
  // where its prompt=none re-check starts.
  http::Response SessionIframe(const http::Request& request, std::string_view login_path);

 private:
  struct PendingLogin;
  struct SignIn;

  // Where the browser goes: the authorization URL, or straight back to return_to for a re-check
  // of a session that has already ended. `binding` is the browser-binding cookie's value to set.
  Result<std::string> StartLogin(const http::Request& request, std::string& binding);
  Result<SignIn> FinishLogin(const http::Request& request);
  // Where the browser goes to sign out at the OP (or straight back, when it cannot).
  std::string StartLogout(const std::optional<AppSession>& ended);
  std::optional<AppSession> EndCookieSession(const http::Request& request);
  http::CookieOptions CookieOptionsFor(const http::Request& request) const;

  const RpConfig config_;
  const std::string login_cookie_name_;
  const std::string app_origin_;  // of redirect_uri, for the sign-out CSRF check
  const std::string op_origin_;   // of the issuer, the only site that may frame front-channel
  AppSessionStore& sessions_;
  OneTimeStore& once_;
  const Clock& clock_;
  Random& random_;
  ProviderMetadata provider_;
  TokenValidator validator_;
  http::HttpClient& http_;
};

}  // namespace gh::rp
