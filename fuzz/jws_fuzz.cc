// Compact JWS/JWT decoding and signature verification: every token anyone hands the IdP
// (id_token_hint) or the relying party (ID and logout tokens).
#include <nlohmann/json.hpp>

#include "crypto/jws.h"
#include "crypto/signing_key.h"
#include "fuzz_input.h"

namespace {

const std::vector<gh::crypto::VerificationKey>& Keys() {
  static const auto keys = [] {
    std::vector<gh::crypto::VerificationKey> out;
    for (auto alg : {gh::crypto::JwsAlg::kRS256, gh::crypto::JwsAlg::kES256}) {
      auto key = gh::crypto::SigningKey::Generate(alg, gh::crypto::ToString(alg));
      out.push_back(*gh::crypto::VerificationKey::FromJwk(key->PublicJwk()));
    }
    return out;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto decoded = gh::crypto::DecodeJws(gh::fuzz::AsText(data, size));
  if (!decoded.ok()) return 0;
  // A forged token never verifies: no input here was signed by these keys.
  if (gh::crypto::VerifyJws(*decoded, Keys()).ok()) __builtin_trap();
  return 0;
}
