// ExchangeCode: the token request of the authorization code flow (OpenID Connect Core
// §3.1.3.1–§3.1.3.3), shared by RpClient and by Gatehouse signing in through an upstream OP.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/client.h"
#include "rp/provider_metadata.h"

namespace gh::rp {

// Who asks for the tokens: client_secret_basic when `client_secret` is set, a public client
// (PKCE only) otherwise.
struct ClientCredentials {
  std::string client_id;
  std::optional<std::string> client_secret;
};

struct TokenReply {
  std::string id_token;
  std::optional<std::string> access_token;
};

// Sends the code, its PKCE verifier and the redirect_uri it was issued for, and reads the ID
// token (to be validated by the caller). kUnavailable when the OP cannot be reached; kPermission-
// Denied when it refuses the code; kInvalidArgument when the reply has no ID token.
// Blocks: see SendAndWait.
Result<TokenReply> ExchangeCode(http::HttpClient& http, const ClientCredentials& client,
                                const ProviderEndpoints& endpoints, const std::string& redirect_uri,
                                const std::string& code, const std::string& verifier,
                                std::chrono::milliseconds timeout);

}  // namespace gh::rp
