// TokenValidator: the relying party's checks of the two JWTs an OP sends it — the ID token
// (OpenID Connect Core §3.1.3.7) and the logout token (Back-Channel Logout 1.0 §2.6, with errata
// set 1). Any failed rule rejects the token; the error message names the rule, for logs and for
// the OP developer reading a 400.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "rp/provider_metadata.h"

namespace gh::rp {

// What the RP registered and tolerates.
struct TokenPolicy {
  std::string issuer;
  std::string client_id;
  // id_token_signed_response_alg (Core §3.1.3.7 step 7); Back-Channel §2.6 step 3 signs logout
  // tokens the same way. "none" and HMAC are never accepted (crypto::ParseJwsAlg).
  crypto::JwsAlg alg = crypto::JwsAlg::kRS256;
  // Tolerated clock difference with the OP, applied to exp and iat.
  Seconds clock_skew{60};
  // How old (by iat) a token may be when it reaches us: ID tokens come straight from the token
  // endpoint and logout tokens are short-lived (§2.4 suggests exp at most two minutes after iat).
  Seconds max_token_age{300};
  // Back-Channel §2.4 (errata set 1): typ "logout+jwt". OPs that predate explicit typing omit
  // it; such an OP can be accommodated by turning this off, at the cost of token confusion
  // resting on the `events` and `nonce` rules alone.
  bool require_logout_token_typ = true;
};

// What the RP knows from its own pending sign-in.
struct IdTokenExpectations {
  std::string nonce;                        // Core §3.1.3.7 step 11
  std::optional<std::string> access_token;  // for at_hash (Core §3.1.3.8)
};

struct ValidatedIdToken {
  std::string sub;
  std::optional<std::string> sid;
  std::string claims_json;
};

struct ValidatedLogoutToken {
  std::optional<std::string> sub;
  std::optional<std::string> sid;
  std::string jti;
  // After this the token would be refused anyway (exp or iat window), so its jti need not be
  // remembered longer.
  TimePoint acceptable_until;
};

class TokenValidator {
 public:
  TokenValidator(TokenPolicy policy, ProviderMetadata& provider, const Clock& clock)
      : policy_(std::move(policy)), provider_(provider), clock_(clock) {}

  const TokenPolicy& policy() const { return policy_; }

  Result<ValidatedIdToken> ValidateIdToken(std::string_view compact,
                                           const IdTokenExpectations& expected) const;
  Result<ValidatedLogoutToken> ValidateLogoutToken(std::string_view compact) const;

 private:
  TokenPolicy policy_;
  ProviderMetadata& provider_;
  const Clock& clock_;
};

}  // namespace gh::rp
