#include "crypto/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "core/base64url.h"
#include "crypto/base64url_strict.h"

namespace gh::crypto {
namespace {

template <auto kFree>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG_free>>;

constexpr int kP256CoordinateBytes = 32;
constexpr int kMinRsaBits = 2048;
// Keys may come from an RP's JWKS; an upper bound keeps a hostile modulus from costing seconds.
constexpr int kMaxRsaBits = 8192;

// Identifies a key for ThreadSignContext; unlike its address, never reused for another key.
std::uint64_t NextKeyId() {
  static std::atomic<std::uint64_t> next{1};
  return next++;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

EVP_PKEY* Pkey(const std::shared_ptr<void>& p) { return static_cast<EVP_PKEY*>(p.get()); }

// `what`, plus OpenSSL's reason. Empties the thread's error queue so a stale entry is never
// reported against a later, unrelated call.
std::string OpenSslError(std::string_view what) {
  std::string message(what);
  if (unsigned long code = ERR_peek_last_error(); code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  return message;
}

// Whether `pkey` is a key `alg` may use: RSA of a sane size for RS256, P-256 for ES256.
Result<void> CheckKeyType(EVP_PKEY* pkey, JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRS256: {
      if (!EVP_PKEY_is_a(pkey, "RSA")) return Error::InvalidArgument("RS256 needs an RSA key");
      int bits = EVP_PKEY_get_bits(pkey);
      if (bits < kMinRsaBits || bits > kMaxRsaBits)
        return Error::InvalidArgument("RS256 key size must be 2048 to 8192 bits");
      return Ok();
    }
    case JwsAlg::kES256: {
      char group[32];
      std::size_t group_len = 0;
      if (!EVP_PKEY_is_a(pkey, "EC") ||
          EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                         &group_len) != 1 ||
          std::string_view(group, group_len) != SN_X9_62_prime256v1) {
        ERR_clear_error();
        return Error::InvalidArgument("ES256 needs a P-256 key");
      }
      return Ok();
    }
  }
  return Error::InvalidArgument("unknown algorithm");
}

// A big-number parameter of `pkey`, big-endian: minimal when `width` is 0, else left-padded.
// Called only on keys that passed CheckKeyType, so the parameter exists; failure means OpenSSL
// ran out of memory.
std::string BigEndianParam(EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1)
    throw std::runtime_error(OpenSslError(std::string("reading key parameter ") + name));
  BnPtr bn(raw);
  int size = width != 0 ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size) != size)
    throw std::runtime_error(std::string("key parameter ") + name + " does not fit");
  return out;
}

// A signing context per thread and key, set up once. Setting one up (algorithm fetches, padding,
// digest) costs a few per cent of an RSA signature, and threads sharing one RSA key also share
// its blinding state under a lock. The logout fan-out signs on several threads at once,
// thousands of times a second, so each thread signs with its own copy of the key instead.
// Returns a context ready for EVP_PKEY_sign over a SHA-256 digest, or null when OpenSSL fails.
EVP_PKEY_CTX* ThreadSignContext(std::uint64_t key_id, EVP_PKEY* pkey) {
  // Keys are few and rotate rarely; forgetting them all past this bounds what retired keys leave.
  constexpr std::size_t kMaxKeysPerThread = 16;
  thread_local std::unordered_map<std::uint64_t, PkeyCtxPtr> contexts;
  if (auto it = contexts.find(key_id); it != contexts.end()) return it->second.get();
  if (contexts.size() >= kMaxKeysPerThread) contexts.clear();
  PkeyPtr copy(EVP_PKEY_dup(pkey));
  PkeyCtxPtr ctx(copy ? EVP_PKEY_CTX_new_from_pkey(nullptr, copy.get(), nullptr) : nullptr);
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      (EVP_PKEY_is_a(copy.get(), "RSA") &&
       EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1))
    return nullptr;
  return contexts.emplace(key_id, std::move(ctx)).first->second.get();
}

// RSASSA-PKCS1-v1_5 or ECDSA (DER) over SHA-256(input).
Result<std::string> DigestSign(std::uint64_t key_id, EVP_PKEY* pkey, std::string_view input) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_PKEY_CTX* ctx = ThreadSignContext(key_id, pkey);
  std::string signature(static_cast<std::size_t>(EVP_PKEY_get_size(pkey)), '\0');
  std::size_t size = signature.size();
  // Fetched once: looking the implementation up again costs on every signature.
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!ctx || !sha256 ||
      EVP_Digest(Bytes(input), input.size(), digest, &digest_size, sha256, nullptr) != 1 ||
      EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size, digest,
                    digest_size) != 1)
    return Error::Internal(OpenSslError("signing failed"));
  signature.resize(size);
  return signature;
}

bool DigestVerify(EVP_PKEY* pkey, std::string_view input, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(input),
                             input.size()) == 1;
  // A forged signature is ordinary input here, not an error worth keeping in the queue.
  ERR_clear_error();
  return ok;
}

// OpenSSL speaks DER ECDSA-Sig-Value; JWS uses fixed-width R||S (RFC 7518 §3.4).
Result<std::string> EcdsaDerToRaw(std::string_view der) {
  const unsigned char* p = Bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return Error::Internal(OpenSslError("decoding an ECDSA signature"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * kP256CoordinateBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kP256CoordinateBytes) != kP256CoordinateBytes ||
      BN_bn2binpad(s, out + kP256CoordinateBytes, kP256CoordinateBytes) != kP256CoordinateBytes)
    return Error::Internal("ECDSA signature component too large");
  return raw;
}

std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.size() != 2 * kP256CoordinateBytes) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BnPtr r(BN_bin2bn(Bytes(raw), kP256CoordinateBytes, nullptr));
  BnPtr s(BN_bin2bn(Bytes(raw) + kP256CoordinateBytes, kP256CoordinateBytes, nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  // ECDSA_SIG_set0 took ownership of r and s.
  r.release();
  s.release();
  unsigned char* der = nullptr;
  int size = i2d_ECDSA_SIG(sig.get(), &der);
  if (size <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return out;
}

Result<std::string> StringMember(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string())
    return Error::InvalidArgument(std::string("JWK member \"") + name + "\" must be a string");
  return it->get<std::string>();
}

// An optional member must, when present, have the value `expected`.
Result<void> CheckOptionalMember(const nlohmann::json& object, const char* name,
                                 std::string_view expected) {
  if (!object.contains(name)) return Ok();
  GH_ASSIGN_OR_RETURN(std::string value, StringMember(object, name));
  if (value != expected)
    return Error::InvalidArgument(std::string("JWK member \"") + name + "\" must be \"" +
                                  std::string(expected) + "\"");
  return Ok();
}

Result<std::string> Base64UrlMember(const nlohmann::json& object, const char* name) {
  GH_ASSIGN_OR_RETURN(std::string text, StringMember(object, name));
  std::optional<std::string> bytes = DecodeBase64UrlStrict(text);
  if (!bytes || bytes->empty())
    return Error::InvalidArgument(std::string("JWK member \"") + name + "\" is not base64url");
  return *std::move(bytes);
}

// A public key of OpenSSL type `type` ("RSA", "EC") from the parameters in `builder`.
Result<PkeyPtr> PublicKeyFromParams(const char* type, OSSL_PARAM_BLD* builder) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return Error::InvalidArgument(OpenSslError("JWK is not a valid public key"));
  return PkeyPtr(raw);
}

Result<PkeyPtr> RsaKeyFromJwk(const nlohmann::json& jwk) {
  GH_ASSIGN_OR_RETURN(std::string n, Base64UrlMember(jwk, "n"));
  GH_ASSIGN_OR_RETURN(std::string e, Base64UrlMember(jwk, "e"));
  if (n.size() > kMaxRsaBits / 8 + 1) return Error::InvalidArgument("RSA modulus too large");
  BnPtr bn_n(BN_bin2bn(Bytes(n), static_cast<int>(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(Bytes(e), static_cast<int>(e.size()), nullptr));
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return Error::Internal(OpenSslError("building RSA parameters"));
  return PublicKeyFromParams("RSA", builder.get());
}

Result<PkeyPtr> P256KeyFromJwk(const nlohmann::json& jwk) {
  GH_ASSIGN_OR_RETURN(std::string crv, StringMember(jwk, "crv"));
  if (crv != "P-256") return Error::InvalidArgument("unsupported EC curve \"" + crv + "\"");
  GH_ASSIGN_OR_RETURN(std::string x, Base64UrlMember(jwk, "x"));
  GH_ASSIGN_OR_RETURN(std::string y, Base64UrlMember(jwk, "y"));
  if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes)
    return Error::InvalidArgument("P-256 coordinates must be 32 bytes");
  // SEC 1 uncompressed point: 0x04 || X || Y.
  std::string point = "\x04" + x + y;
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      SN_X9_62_prime256v1, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1)
    return Error::Internal(OpenSslError("building EC parameters"));
  return PublicKeyFromParams("EC", builder.get());
}

}  // namespace

const char* ToString(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRS256:
      return "RS256";
    case JwsAlg::kES256:
      return "ES256";
  }
  return "unknown";
}

Result<JwsAlg> ParseJwsAlg(std::string_view name) {
  if (name == "RS256") return JwsAlg::kRS256;
  if (name == "ES256") return JwsAlg::kES256;
  return Error::InvalidArgument("unsupported JWS algorithm \"" + std::string(name) + "\"");
}

SigningKey::SigningKey(JwsAlg alg, std::string kid, std::shared_ptr<void> pkey)
    : alg_(alg), kid_(std::move(kid)), pkey_(std::move(pkey)), id_(NextKeyId()) {}

Result<SigningKey> SigningKey::Generate(JwsAlg alg, std::string kid) {
  PkeyPtr pkey(alg == JwsAlg::kRS256
                   ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{kMinRsaBits})
                   : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", SN_X9_62_prime256v1));
  if (!pkey) return Error::Internal(OpenSslError("key generation failed"));
  return SigningKey(alg, std::move(kid), std::shared_ptr<void>(std::move(pkey)));
}

Result<SigningKey> SigningKey::FromPrivatePem(JwsAlg alg, std::string kid, std::string_view pem) {
  if (pem.size() > INT_MAX) return Error::InvalidArgument("PEM too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // Without a callback OpenSSL would prompt on the terminal for an encrypted key.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!pkey) return Error::InvalidArgument(OpenSslError("not an unencrypted private key PEM"));
  GH_RETURN_IF_ERROR(CheckKeyType(pkey.get(), alg));
  return SigningKey(alg, std::move(kid), std::shared_ptr<void>(std::move(pkey)));
}

std::string SigningKey::PrivatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // Writing an in-memory key to a memory BIO fails only when allocation does.
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), Pkey(pkey_), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error(OpenSslError("PEM_write_bio_PrivateKey failed"));
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

nlohmann::json SigningKey::PublicJwk() const {
  EVP_PKEY* pkey = Pkey(pkey_);
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}, {"alg", ToString(alg_)}};
  switch (alg_) {
    case JwsAlg::kRS256:
      jwk["kty"] = "RSA";
      jwk["n"] = Base64UrlEncode(BigEndianParam(pkey, OSSL_PKEY_PARAM_RSA_N, 0));
      jwk["e"] = Base64UrlEncode(BigEndianParam(pkey, OSSL_PKEY_PARAM_RSA_E, 0));
      break;
    case JwsAlg::kES256:
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] =
          Base64UrlEncode(BigEndianParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateBytes));
      jwk["y"] =
          Base64UrlEncode(BigEndianParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateBytes));
      break;
  }
  return jwk;
}

Result<std::string> SigningKey::Sign(std::string_view input) const {
  GH_ASSIGN_OR_RETURN(std::string signature, DigestSign(id_, Pkey(pkey_), input));
  if (alg_ == JwsAlg::kES256) return EcdsaDerToRaw(signature);
  return signature;
}

VerificationKey::VerificationKey(JwsAlg alg, std::string kid, std::shared_ptr<void> pkey)
    : alg_(alg), kid_(std::move(kid)), pkey_(std::move(pkey)) {}

Result<VerificationKey> VerificationKey::FromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return Error::InvalidArgument("JWK must be a JSON object");
  GH_ASSIGN_OR_RETURN(std::string kty, StringMember(jwk, "kty"));
  JwsAlg alg;
  if (kty == "RSA") {
    alg = JwsAlg::kRS256;
  } else if (kty == "EC") {
    alg = JwsAlg::kES256;
  } else {
    return Error::InvalidArgument("unsupported JWK kty \"" + kty + "\"");
  }
  GH_RETURN_IF_ERROR(CheckOptionalMember(jwk, "use", "sig"));
  // "alg" is optional in a JWK, but when given it must be the one algorithm this key type serves
  // here; anything else means the publisher intends another use.
  GH_RETURN_IF_ERROR(CheckOptionalMember(jwk, "alg", ToString(alg)));
  std::string kid;
  if (jwk.contains("kid")) {
    GH_ASSIGN_OR_RETURN(kid, StringMember(jwk, "kid"));
  }

  GH_ASSIGN_OR_RETURN(PkeyPtr pkey,
                      alg == JwsAlg::kRS256 ? RsaKeyFromJwk(jwk) : P256KeyFromJwk(jwk));
  GH_RETURN_IF_ERROR(CheckKeyType(pkey.get(), alg));
  // fromdata does not vet the numbers; an off-curve point or an even modulus must not get through.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1)
    return Error::InvalidArgument(OpenSslError("JWK public key failed validation"));
  return VerificationKey(alg, std::move(kid), std::shared_ptr<void>(std::move(pkey)));
}

bool VerificationKey::Verify(std::string_view input, std::string_view signature) const {
  if (alg_ == JwsAlg::kES256) {
    std::optional<std::string> der = EcdsaRawToDer(signature);
    return der && DigestVerify(Pkey(pkey_), input, *der);
  }
  return DigestVerify(Pkey(pkey_), input, signature);
}

}  // namespace gh::crypto
