// The RP-Initiated Logout 1.0 request (§2) and the decisions it drives: which client asked, where
// the browser may be sent afterwards (§3) and whether the person must confirm (§2, §6). Pure: the
// endpoint supplies the keys, the client record and the current session.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/params.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "oidc/id_token_hint.h"
#include "store/records.h"

namespace gh::oidc {

struct EndSessionRequest {
  std::optional<IdTokenHint> hint;       // present only when the hint verified
  std::optional<std::string> client_id;  // the identified client: the hint's, or client_id
  std::optional<std::string> post_logout_redirect_uri;  // as sent; see DecidePostLogoutRedirect
  std::optional<std::string> state;
  std::optional<std::string> ui_locales;
  std::optional<std::string> logout_hint;
  // Why the request could not be verified (a foreign or malformed hint, a client_id that is not
  // the hint's audience), for the person; empty when nothing failed. §4: after a failed
  // validation the OP MUST NOT redirect, but may still offer to sign out.
  std::string problem;
};

// Parses the logout parameters of a GET query or POST form. Fails only when a parameter is
// repeated (which is ambiguous, so nothing is acted on); every other defect is recorded in
// `problem`. The hint must be a JWS signed by one of `keys` with iss == `issuer`; its expiry is
// not checked, since §2 asks OPs to accept ID tokens that have expired.
Result<EndSessionRequest> ParseEndSessionRequest(const Params& params, std::string_view issuer,
                                                 const std::vector<crypto::VerificationKey>& keys);

// Where the browser goes after signing out, or why it stays at the OP.
struct PostLogoutRedirect {
  std::optional<std::string> uri;  // the validated post_logout_redirect_uri
  std::string refusal;             // for the person, when a requested URI is not honoured
};

// §3: only a URI registered exactly for the identified client (`client`, the record of
// request.client_id), and never after a failed validation or without an identified client, so
// the endpoint cannot be used as an open redirector.
PostLogoutRedirect DecidePostLogoutRedirect(const EndSessionRequest& request,
                                            const std::optional<store::ClientRecord>& client);

// §2: the OP MUST ask the person unless a verified hint was issued in `current` (same sid and
// sub), so a cross-site link cannot sign anyone out silently.
bool NeedsConfirmation(const EndSessionRequest& request, const store::SessionRecord& current);

}  // namespace gh::oidc
