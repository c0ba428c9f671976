// Rules every OAuth request shares, whatever the endpoint.
#pragma once

#include "core/params.h"
#include "core/result.h"
#include "oidc/oauth_error.h"

namespace gh::oidc {

// RFC 6749 §3.1 and §3.2: request parameters MUST NOT be included more than once.
Result<void, OAuthError> RejectRepeatedParameters(const Params& params);

}  // namespace gh::oidc
