// Compact JWS (RFC 7515) for JWTs: signing, and decoding plus signature verification.
// Claim rules (exp, aud, ...) belong to the protocol layers, not here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "crypto/signing_key.h"

namespace gh::crypto {

// header: {"alg", "kid", "typ"(if given)} + claims → "b64(header).b64(claims).b64(sig)".
Result<std::string> SignJwt(const SigningKey& key, const nlohmann::json& claims,
                            std::string_view typ = "JWT");

struct DecodedJws {
  nlohmann::json header;
  nlohmann::json payload;  // must be a JSON object
  std::string signing_input;
  std::string signature;
};

// Splits and decodes without verifying. kInvalidArgument for anything malformed, including
// non-object header/payload and "alg":"none".
Result<DecodedJws> DecodeJws(std::string_view compact);

// Verifies `jws` against `keys`: the key is chosen by kid (or the only key of the header's alg
// when no kid is given) and must match the header's alg. kUnauthenticated on a bad signature or
// when no key fits.
Result<void> VerifyJws(const DecodedJws& jws, const std::vector<VerificationKey>& keys);

}  // namespace gh::crypto
