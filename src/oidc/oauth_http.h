// The HTTP edge shared by the back-channel endpoints (token, revocation, introspection): reading
// form requests, authenticating clients, and writing JSON responses.
#pragma once

#include <string>

#include "core/params.h"
#include "core/result.h"
#include "http/message.h"
#include "oidc/oauth_error.h"
#include "store/client_cache.h"
#include "store/store.h"

namespace gh::oidc {

// The form body of a POST (RFC 6749 §3.2): invalid_request unless it is
// application/x-www-form-urlencoded, well formed, and repeats no parameter.
Result<Params, OAuthError> ReadOAuthForm(const http::Request& request);

// The registered client the request authenticates as (RFC 6749 §2.3), invalid_client when it is
// unknown or the credentials do not match.
Result<store::ClientRecord, OAuthError> AuthenticateClient(store::ClientCache& clients,
                                                           const http::Request& request,
                                                           const Params& form);

// An uncacheable JSON response.
http::Response NoStoreJson(int status, std::string json);

// RFC 6749 §5.2 error response. A client that tried Basic authentication gets a matching Basic
// challenge with invalid_client.
http::Response OAuthErrorResponse(const OAuthError& error, const http::Request& request);

}  // namespace gh::oidc
