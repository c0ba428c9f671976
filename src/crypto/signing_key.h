// SigningKey: one asymmetric JOSE key (RS256 or ES256) held by OpenSSL, able to sign, verify and
// describe itself as a JWK. Immutable after construction; thread-safe to share.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gh::crypto {

enum class JwsAlg { kRS256, kES256 };
const char* ToString(JwsAlg alg);
Result<JwsAlg> ParseJwsAlg(std::string_view name);  // kInvalidArgument for any other algorithm

class SigningKey {
 public:
  // RSA-2048 for RS256, P-256 for ES256.
  static Result<SigningKey> Generate(JwsAlg alg, std::string kid);
  static Result<SigningKey> FromPrivatePem(JwsAlg alg, std::string kid, std::string_view pem);

  JwsAlg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }
  std::string PrivatePem() const;
  // Public JWK: kty, kid, use=sig, alg, and n/e or crv/x/y.
  nlohmann::json PublicJwk() const;

  // JWS signature bytes over `input` (for ES256 the 64-byte R||S form of RFC 7518 §3.4).
  Result<std::string> Sign(std::string_view input) const;

  // The OpenSSL EVP_PKEY, for code that hands the key to OpenSSL itself (certificates).
  const void* native() const { return pkey_.get(); }

 private:
  SigningKey(JwsAlg alg, std::string kid, std::shared_ptr<void> pkey);
  JwsAlg alg_;
  std::string kid_;
  std::shared_ptr<void> pkey_;  // EVP_PKEY, freed with EVP_PKEY_free
  std::uint64_t id_;            // shared by copies, which share the key
};

// A public key for verification, built from a JWK (ours, or fetched from a JWKS by an RP).
class VerificationKey {
 public:
  // kInvalidArgument when the JWK is malformed or not an RSA / P-256 signing key.
  static Result<VerificationKey> FromJwk(const nlohmann::json& jwk);
  JwsAlg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }
  bool Verify(std::string_view input, std::string_view signature) const;

 private:
  VerificationKey(JwsAlg alg, std::string kid, std::shared_ptr<void> pkey);
  JwsAlg alg_;
  std::string kid_;
  std::shared_ptr<void> pkey_;
};

}  // namespace gh::crypto
