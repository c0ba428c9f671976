// Delivering an authorization response to the client's redirect_uri through the response mode.
#pragma once

#include <string_view>

#include "core/params.h"
#include "http/message.h"
#include "oidc/authorize_request.h"

namespace gh::oidc {

// Sends `params` (code, or error and error_description) plus state and iss (RFC 9207 §2, against
// mix-up attacks) to `target`: a 302 with the parameters in the query (RFC 6749 §4.1.2), or for
// form_post an auto-submitting HTML form (OAuth 2.0 Form Post Response Mode §2).
http::Response DeliverAuthorizationResponse(const ResponseTarget& target, std::string_view issuer,
                                            Params params);

}  // namespace gh::oidc
