// Token revocation (RFC 7009) and introspection (RFC 7662) requests and responses.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/params.h"
#include "core/result.h"
#include "oidc/oauth_error.h"
#include "store/records.h"

namespace gh::oidc {

// RFC 7009 §2.1: `token` is required; token_type_hint, when sent, must be access_token or
// refresh_token (§2.2.1: unsupported_token_type otherwise). Returns the token.
Result<std::string, OAuthError> ParseRevocationRequest(const Params& form);

// RFC 7662 §2.1: `token` is required; token_type_hint is only an optimisation and ignored, since
// one lookup finds both kinds. Returns the token.
Result<std::string, OAuthError> ParseIntrospectionRequest(const Params& form);

// RFC 7662 §4: whether `caller` may learn about `token`: its own tokens, and those of the clients
// it is registered as a resource server for. Anyone else is told only {"active":false}.
bool MayIntrospect(const store::ClientRecord& caller, const store::TokenRecord& token);

// The RFC 7662 §2.2 response. {"active":false} alone for an unknown or inactive token, so nothing
// about it leaks; otherwise active, scope, client_id, token_type, exp, iat, iss, aud, and sub,
// username and sid when the token has an end-user. `aud` is the client, or for an access token of
// a client registered with an access-token audience that audience, as its JWT says (RFC 9068).
nlohmann::json IntrospectionResponse(const std::optional<store::TokenRecord>& token,
                                     const std::optional<store::UserRecord>& user,
                                     std::string_view issuer, TimePoint now,
                                     const std::optional<std::string>& access_token_audience = {});

}  // namespace gh::oidc
