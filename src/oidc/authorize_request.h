// The authorization request of the code flow (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1)
// with PKCE (RFC 7636), validated in the order the specifications make errors deliverable:
// first the client and redirect_uri (errors about them must never be redirected, RFC 6749
// §4.1.2.1), then everything else (errors go back to the client through the response mode).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/params.h"
#include "core/result.h"
#include "oidc/oauth_error.h"
#include "store/records.h"

namespace gh::oidc {

// How the authorization response reaches the client (OAuth 2.0 Multiple Response Type Encoding
// Practices §2.1, OAuth 2.0 Form Post Response Mode).
enum class ResponseMode { kQuery, kFormPost };

// Where an authorization response (success or error) is delivered once the redirect_uri is
// trusted.
struct ResponseTarget {
  std::string redirect_uri;
  ResponseMode mode = ResponseMode::kQuery;
  std::optional<std::string> state;  // echoed back verbatim (RFC 6749 §4.1.2)
};

// OpenID Connect Core §3.1.2.1 prompt values.
struct Prompt {
  bool none = false;
  bool login = false;
  bool consent = false;
  bool select_account = false;
};

struct AuthorizeRequest {
  std::string client_id;
  ResponseTarget target;
  std::string scope;  // the known scopes requested, in request order
  std::optional<std::string> nonce;
  std::optional<std::string> code_challenge;  // always S256 when present
  Prompt prompt;
  std::optional<Seconds> max_age;
  std::optional<std::string> id_token_hint;  // verified by the endpoint, which has the keys
};

// The client_id and redirect_uri of a request, before anything else is trusted.
struct ClientRedirect {
  std::string client_id;
  std::string redirect_uri;
};

// invalid_request when either is missing or repeated; the caller shows an error page.
Result<ClientRedirect, OAuthError> ParseClientRedirect(const Params& params);

// Exact string comparison with a registered URI (RFC 9700 §2.1, OpenID Connect Core §3.1.2.1):
// no prefix, pattern or normalising match, so an attacker cannot steer codes elsewhere.
bool IsRegisteredRedirectUri(const store::ClientRecord& client, std::string_view redirect_uri);

// Where errors about the rest of the request go: the (already verified) redirect_uri, the
// requested response_mode when it is a supported one (query otherwise) and the state.
ResponseTarget ErrorResponseTarget(const Params& params, std::string redirect_uri);

// Validates the whole request for `client`, whose redirect_uri has been verified.
Result<AuthorizeRequest, OAuthError> ParseAuthorizeRequest(const Params& params,
                                                           const store::ClientRecord& client);

// What to do about the end-user's authentication (OpenID Connect Core §3.1.2.3).
enum class LoginDecision {
  kProceed,        // the session is good enough: issue a code
  kShowLogin,      // send the browser to the login page
  kLoginRequired,  // prompt=none forbids showing the login page: error login_required
};

// Login is needed without a session, with prompt=login, when the session authenticated more
// than max_age seconds ago, or when the request's id_token_hint names someone other than the
// session's user (`hint_names_another_user`, Core §3.1.2.1: the OP must not answer for another
// user — so a relying party's prompt=none recheck learns that its user is gone).
LoginDecision DecideLogin(const AuthorizeRequest& request,
                          std::optional<TimePoint> session_auth_time, TimePoint now,
                          bool hint_names_another_user = false);

// The local URL that resumes `params` after a login: /authorize with the same parameters but
// without prompt=login, max_age and id_token_hint, which the login just satisfied. Keeping any
// would loop: max_age=0 can never be met by a session, however fresh, and whoever just signed in
// is the answer to a hint that named someone else.
std::string ResumeAfterLoginPath(const Params& params);

// OpenID Connect Core §11: offline_access lets a client act while the user is away, so it is
// granted only with the end-user's consent — one remembered from before (`remembered`), unless
// prompt=consent asks for it afresh.
enum class ConsentDecision {
  kProceed,          // nothing to ask: offline_access not requested, or already consented to
  kAsk,              // show the consent page
  kConsentRequired,  // prompt=none forbids asking: error consent_required (Core §3.1.2.6)
};
ConsentDecision DecideConsent(const AuthorizeRequest& request, bool remembered);

// The authorization request to continue with once the end-user has answered the consent page:
// prompt=consent and max_age are done with, and without consent offline_access is dropped (the
// sign-in goes on, with no offline grant).
std::string ResumeAfterConsentPath(const Params& params, bool granted);

}  // namespace gh::oidc
