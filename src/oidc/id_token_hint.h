// id_token_hint (OpenID Connect Core §3.1.2.1, RP-Initiated Logout 1.0 §2): an ID token this OP
// issued, handed back by a relying party to say which user and session it means. Expired hints
// are accepted — the point is who, not whether the token still grants anything.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signing_key.h"

namespace gh::oidc {

// What a verified id_token_hint tells about the session it was issued in.
struct IdTokenHint {
  std::string sub;
  std::optional<std::string> sid;
  std::string client_id;               // azp, or the single audience
  std::vector<std::string> audiences;  // aud, a string or an array in the token (Core §2)
};

// The hint's claims when `compact` is an ID token signed by one of `keys` with iss == `issuer`;
// nullopt for anything else (logout tokens, signed with the same keys, included).
std::optional<IdTokenHint> VerifyIdTokenHint(std::string_view compact, std::string_view issuer,
                                             const std::vector<crypto::VerificationKey>& keys);

}  // namespace gh::oidc
