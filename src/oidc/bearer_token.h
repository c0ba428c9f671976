// Reading a bearer access token from a resource request (RFC 6750 §2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/params.h"
#include "core/result.h"
#include "oidc/oauth_error.h"

namespace gh::oidc {

// The token from "Authorization: Bearer <token>" (§2.1) or, for a form-encoded POST, the
// access_token body parameter (§2.2). nullopt when neither is present (answered with a bare
// challenge, §3.1). invalid_request when both are used ("MUST NOT use more than one method") or
// the header is malformed; invalid_token for another authentication scheme.
Result<std::optional<std::string>, OAuthError> ExtractBearerToken(
    std::optional<std::string_view> authorization, const Params* form);

// The WWW-Authenticate value for a failed resource request (RFC 6750 §3): `Bearer` alone when no
// token was sent, else with error and error_description.
std::string BearerChallenge(const std::optional<OAuthError>& error);

}  // namespace gh::oidc
