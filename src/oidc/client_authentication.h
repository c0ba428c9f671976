// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
// client_secret_basic, client_secret_post, or "none" (a public client naming itself by
// client_id, RFC 6749 §2.1 / OpenID Connect Core §9).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/params.h"
#include "core/result.h"
#include "oidc/oauth_error.h"
#include "store/records.h"

namespace gh::oidc {

enum class ClientAuthMethod { kNone, kClientSecretBasic, kClientSecretPost };

// What the request claims about the client, before it is checked against the registration.
struct ClientCredentials {
  std::string client_id;
  std::optional<std::string> secret;
  ClientAuthMethod method = ClientAuthMethod::kNone;
};

// True when `authorization` uses the Basic scheme, so a failure must be answered with a Basic
// challenge (RFC 6749 §5.2).
bool IsBasicAuthorization(std::optional<std::string_view> authorization);

// Decodes "Basic base64(urlencode(id) ':' urlencode(secret))" (RFC 6749 §2.3.1, RFC 7617).
// invalid_client for anything malformed.
Result<ClientCredentials, OAuthError> DecodeBasicCredentials(std::string_view authorization);

// The credentials of a token-endpoint-style request from its Authorization header and body.
// RFC 6749 §2.3: a client MUST NOT use more than one method, so a Basic header together with
// client_secret in the body is invalid_request (as is a body client_id naming another client).
// No credentials at all is invalid_client.
Result<ClientCredentials, OAuthError> ExtractClientCredentials(
    std::optional<std::string_view> authorization, const Params& form);

// Checks `credentials` against the registration of the client they name: a confidential client
// must present its secret (compared in constant time on the SHA-256 hash), a public client must
// not present one. invalid_client on any mismatch (RFC 6749 §5.2).
Result<void, OAuthError> VerifyClientCredentials(const store::ClientRecord& client,
                                                 const ClientCredentials& credentials);

}  // namespace gh::oidc
