#include "crypto/signing_key.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/base64url.h"

namespace gh::crypto {
namespace {

using nlohmann::json;

// RFC 7515 Appendix A.2 (RS256) and A.3 (ES256): keys and signatures made elsewhere, so these
// tests pin the wire formats rather than only our own round trip.
constexpr char kRfcSigningInput[] =
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
    "bS9pc19yb290Ijp0cnVlfQ";
constexpr char kRfcRsaN[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4"
    "QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdb"
    "BYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-D"
    "WNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr char kRfcRsaSignature[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujG"
    "bds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
constexpr char kRfcEcSigningInput[] =
    "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
    "bS9pc19yb290Ijp0cnVlfQ";
constexpr char kRfcEcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kRfcEcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr char kRfcEcSignature[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

json RfcRsaJwk() { return {{"kty", "RSA"}, {"n", kRfcRsaN}, {"e", "AQAB"}}; }
json RfcEcJwk() { return {{"kty", "EC"}, {"crv", "P-256"}, {"x", kRfcEcX}, {"y", kRfcEcY}}; }

std::string Decode(std::string_view text) { return Base64UrlDecode(text).value(); }

// Keys SigningKey::Generate refuses to make, built with OpenSSL directly.
using RawKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
template <class Arg>
RawKey GenerateRaw(const char* type, Arg arg) {
  RawKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, type, arg), &EVP_PKEY_free);
  EXPECT_NE(key, nullptr);
  return key;
}
RawKey GenerateRaw(const char* type, int bits) {
  return GenerateRaw(type, static_cast<std::size_t>(bits));
}

std::string PrivatePem(const RawKey& key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string BnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return Base64UrlEncode(bytes);
}

SigningKey MustGenerate(JwsAlg alg, std::string kid) {
  Result<SigningKey> key = SigningKey::Generate(alg, std::move(kid));
  EXPECT_TRUE(key.ok()) << key.error().message;
  return *std::move(key);
}

// RSA generation is slow; tests that need no fresh key share one per algorithm.
const SigningKey& SharedKey(JwsAlg alg) {
  static const SigningKey rs256 = MustGenerate(JwsAlg::kRS256, "k");
  static const SigningKey es256 = MustGenerate(JwsAlg::kES256, "k");
  return alg == JwsAlg::kRS256 ? rs256 : es256;
}

VerificationKey MustFromJwk(const json& jwk) {
  Result<VerificationKey> key = VerificationKey::FromJwk(jwk);
  EXPECT_TRUE(key.ok()) << key.error().message << " for " << jwk.dump();
  return *std::move(key);
}

void ExpectRejected(const json& jwk) {
  Result<VerificationKey> key = VerificationKey::FromJwk(jwk);
  ASSERT_FALSE(key.ok()) << "accepted " << jwk.dump();
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
}

TEST(JwsAlg, ParsesOnlyRs256AndEs256) {
  EXPECT_EQ(ParseJwsAlg("RS256").value(), JwsAlg::kRS256);
  EXPECT_EQ(ParseJwsAlg("ES256").value(), JwsAlg::kES256);
  for (const char* other : {"none", "HS256", "PS256", "rs256", "ES384", ""})
    EXPECT_FALSE(ParseJwsAlg(other).ok()) << other;
  EXPECT_STREQ(ToString(JwsAlg::kRS256), "RS256");
  EXPECT_STREQ(ToString(JwsAlg::kES256), "ES256");
}

TEST(VerificationKey, VerifiesRfc7515Rs256Example) {
  VerificationKey key = MustFromJwk(RfcRsaJwk());
  EXPECT_EQ(key.alg(), JwsAlg::kRS256);
  EXPECT_TRUE(key.Verify(kRfcSigningInput, Decode(kRfcRsaSignature)));
  std::string tampered = kRfcSigningInput;
  tampered.back() ^= 1;
  EXPECT_FALSE(key.Verify(tampered, Decode(kRfcRsaSignature)));
}

TEST(VerificationKey, VerifiesRfc7515Es256ExampleInRawRsForm) {
  VerificationKey key = MustFromJwk(RfcEcJwk());
  EXPECT_EQ(key.alg(), JwsAlg::kES256);
  EXPECT_TRUE(key.Verify(kRfcEcSigningInput, Decode(kRfcEcSignature)));
  std::string tampered = kRfcEcSigningInput;
  tampered.back() ^= 1;
  EXPECT_FALSE(key.Verify(tampered, Decode(kRfcEcSignature)));
}

TEST(SigningKey, Rs256PublicJwkDescribesTheKey) {
  SigningKey key = MustGenerate(JwsAlg::kRS256, "r1");
  json jwk = key.PublicJwk();
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["kid"], "r1");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["e"], "AQAB");  // 65537 in minimal big-endian bytes
  std::string n = Decode(jwk["n"].get<std::string>());
  EXPECT_EQ(n.size(), 256u);
  EXPECT_NE(n.front(), '\0');
  EXPECT_FALSE(jwk.contains("d"));
  EXPECT_FALSE(jwk.contains("p"));
}

TEST(SigningKey, Es256PublicJwkDescribesTheKey) {
  SigningKey key = MustGenerate(JwsAlg::kES256, "e1");
  json jwk = key.PublicJwk();
  EXPECT_EQ(jwk["kty"], "EC");
  EXPECT_EQ(jwk["crv"], "P-256");
  EXPECT_EQ(jwk["kid"], "e1");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["alg"], "ES256");
  EXPECT_EQ(Decode(jwk["x"].get<std::string>()).size(), 32u);
  EXPECT_EQ(Decode(jwk["y"].get<std::string>()).size(), 32u);
  EXPECT_FALSE(jwk.contains("d"));
}

class SigningKeyRoundTrip : public ::testing::TestWithParam<JwsAlg> {};

TEST_P(SigningKeyRoundTrip, SignatureVerifiesThroughThePublicJwk) {
  const SigningKey& key = SharedKey(GetParam());
  VerificationKey verifier = MustFromJwk(key.PublicJwk());
  EXPECT_EQ(verifier.alg(), GetParam());
  EXPECT_EQ(verifier.kid(), "k");
  Result<std::string> signature = key.Sign("header.payload");
  ASSERT_TRUE(signature.ok()) << signature.error().message;
  EXPECT_TRUE(verifier.Verify("header.payload", *signature));
}

TEST_P(SigningKeyRoundTrip, TamperedInputOrSignatureFails) {
  const SigningKey& key = SharedKey(GetParam());
  VerificationKey verifier = MustFromJwk(key.PublicJwk());
  std::string signature = key.Sign("header.payload").value();
  EXPECT_FALSE(verifier.Verify("header.payloaD", signature));
  std::string flipped = signature;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_FALSE(verifier.Verify("header.payload", flipped));
  EXPECT_FALSE(verifier.Verify("header.payload", signature.substr(1)));
  EXPECT_FALSE(verifier.Verify("header.payload", signature + '\0'));
  EXPECT_FALSE(verifier.Verify("header.payload", ""));
}

TEST_P(SigningKeyRoundTrip, AnotherKeysSignatureFails) {
  const SigningKey& key = SharedKey(GetParam());
  SigningKey other = MustGenerate(GetParam(), "k");
  EXPECT_FALSE(MustFromJwk(other.PublicJwk()).Verify("x", key.Sign("x").value()));
}

TEST_P(SigningKeyRoundTrip, PrivatePemRestoresTheSameKey) {
  const SigningKey& key = SharedKey(GetParam());
  Result<SigningKey> restored = SigningKey::FromPrivatePem(GetParam(), "k2", key.PrivatePem());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->alg(), GetParam());
  EXPECT_EQ(restored->kid(), "k2");
  json original_jwk = key.PublicJwk();
  json restored_jwk = restored->PublicJwk();
  original_jwk.erase("kid");
  restored_jwk.erase("kid");
  EXPECT_EQ(original_jwk, restored_jwk);
  EXPECT_TRUE(MustFromJwk(key.PublicJwk()).Verify("x", restored->Sign("x").value()));
}

TEST_P(SigningKeyRoundTrip, KeysSigningInTurnOnSeveralThreadsKeepTheirOwnSignatures) {
  // Each thread keeps a signing context per key; interleaving keys and threads must never sign
  // with the wrong one.
  const SigningKey& first = SharedKey(GetParam());
  SigningKey second = MustGenerate(GetParam(), "k2");
  VerificationKey first_verifier = MustFromJwk(first.PublicJwk());
  VerificationKey second_verifier = MustFromJwk(second.PublicJwk());
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        std::string input = "thread " + std::to_string(t) + " input " + std::to_string(i);
        bool use_first = (i + t) % 2 == 0;
        const SigningKey& key = use_first ? first : second;
        const VerificationKey& right = use_first ? first_verifier : second_verifier;
        const VerificationKey& wrong = use_first ? second_verifier : first_verifier;
        std::string signature = key.Sign(input).value();
        if (right.Verify(input, signature) && !wrong.Verify(input, signature)) ++verified;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(verified, 32);
}

INSTANTIATE_TEST_SUITE_P(Algs, SigningKeyRoundTrip,
                         ::testing::Values(JwsAlg::kRS256, JwsAlg::kES256),
                         [](const auto& info) { return std::string(ToString(info.param)); });

TEST(SigningKey, Es256SignaturesAreAlways64BytesRawRs) {
  const SigningKey& key = SharedKey(JwsAlg::kES256);
  VerificationKey verifier = MustFromJwk(key.PublicJwk());
  // DER lengths vary with leading zeros of R and S; the JWS form never does.
  for (int i = 0; i < 64; ++i) {
    std::string input = "input " + std::to_string(i);
    std::string signature = key.Sign(input).value();
    ASSERT_EQ(signature.size(), 64u);
    EXPECT_TRUE(verifier.Verify(input, signature));
  }
}

TEST(SigningKey, Rs256SignatureIsDeterministicPkcs1) {
  // PKCS#1 v1.5 is deterministic (PSS would not be): the same input signs to the same bytes.
  const SigningKey& key = SharedKey(JwsAlg::kRS256);
  std::string signature = key.Sign("x").value();
  EXPECT_EQ(signature.size(), 256u);
  EXPECT_EQ(signature, key.Sign("x").value());
}

TEST(SigningKey, FromPrivatePemRejectsTheWrongKeyType) {
  std::string rsa = SharedKey(JwsAlg::kRS256).PrivatePem();
  std::string ec = SharedKey(JwsAlg::kES256).PrivatePem();
  EXPECT_FALSE(SigningKey::FromPrivatePem(JwsAlg::kES256, "x", rsa).ok());
  EXPECT_FALSE(SigningKey::FromPrivatePem(JwsAlg::kRS256, "x", ec).ok());
  // An EC key on another curve is not an ES256 key.
  EXPECT_FALSE(
      SigningKey::FromPrivatePem(JwsAlg::kES256, "x", PrivatePem(GenerateRaw("EC", "P-384"))).ok());
}

TEST(SigningKey, FromPrivatePemRejectsWeakRsa) {
  EXPECT_FALSE(
      SigningKey::FromPrivatePem(JwsAlg::kRS256, "x", PrivatePem(GenerateRaw("RSA", 1024))).ok());
}

TEST(SigningKey, FromPrivatePemRejectsGarbage) {
  for (std::string_view pem : {std::string_view(""), std::string_view("not a pem"),
                               std::string_view("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                                "-----END PRIVATE KEY-----\n")}) {
    Result<SigningKey> key = SigningKey::FromPrivatePem(JwsAlg::kRS256, "x", pem);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(SigningKey, FromPrivatePemRejectsAPublicKey) {
  constexpr char kRfcEcPublicPem[] =
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
      "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
      "-----END PUBLIC KEY-----\n";
  EXPECT_FALSE(SigningKey::FromPrivatePem(JwsAlg::kES256, "x", kRfcEcPublicPem).ok());
}

TEST(VerificationKey, AcceptsOptionalMembersWhenConsistent) {
  json rsa = RfcRsaJwk();
  rsa["use"] = "sig";
  rsa["alg"] = "RS256";
  rsa["kid"] = "abc";
  EXPECT_EQ(MustFromJwk(rsa).kid(), "abc");
  json ec = RfcEcJwk();
  ec["alg"] = "ES256";
  EXPECT_EQ(MustFromJwk(ec).kid(), "");
}

TEST(VerificationKey, RejectsNonObjectsAndUnknownKeyTypes) {
  ExpectRejected(json::array());
  ExpectRejected("RSA");
  ExpectRejected(json::object());
  json oct = {{"kty", "oct"}, {"k", "AAAA"}};
  ExpectRejected(oct);
  json okp = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kRfcEcX}};
  ExpectRejected(okp);
  json kty_number = RfcRsaJwk();
  kty_number["kty"] = 1;
  ExpectRejected(kty_number);
}

TEST(VerificationKey, RejectsAKeyNotMeantForSignatures) {
  for (json jwk : {RfcRsaJwk(), RfcEcJwk()}) {
    jwk["use"] = "enc";
    ExpectRejected(jwk);
    jwk["use"] = true;
    ExpectRejected(jwk);
  }
}

TEST(VerificationKey, RejectsAnAlgThatDisagreesWithTheKeyType) {
  json rsa = RfcRsaJwk();
  for (const char* alg : {"ES256", "HS256", "PS256", "none"}) {
    rsa["alg"] = alg;
    ExpectRejected(rsa);
  }
  json ec = RfcEcJwk();
  for (const char* alg : {"RS256", "ES384", "ES256K"}) {
    ec["alg"] = alg;
    ExpectRejected(ec);
  }
}

TEST(VerificationKey, RejectsANonStringKid) {
  json jwk = RfcEcJwk();
  jwk["kid"] = 7;
  ExpectRejected(jwk);
}

TEST(VerificationKey, RejectsOtherCurvesAndWrongCoordinateLengths) {
  json jwk = RfcEcJwk();
  jwk["crv"] = "P-384";
  ExpectRejected(jwk);
  jwk.erase("crv");
  ExpectRejected(jwk);
  jwk = RfcEcJwk();
  jwk.erase("y");
  ExpectRejected(jwk);

  // The boundary between x and y moved by one byte: x || y is still the right point, so only the
  // length rule tells this apart from a valid key.
  std::string x = Decode(kRfcEcX);
  std::string y = Decode(kRfcEcY);
  jwk = RfcEcJwk();
  jwk["x"] = Base64UrlEncode(x.substr(0, 31));
  jwk["y"] = Base64UrlEncode(x.substr(31) + y);
  ExpectRejected(jwk);
  jwk["x"] = Base64UrlEncode(x + y.substr(0, 1));
  jwk["y"] = Base64UrlEncode(y.substr(1));
  ExpectRejected(jwk);
}

TEST(VerificationKey, RejectsAPointOffTheCurve) {
  json jwk = RfcEcJwk();
  std::string y = Decode(kRfcEcY);
  y.back() ^= 1;
  jwk["y"] = Base64UrlEncode(y);
  ExpectRejected(jwk);
}

TEST(VerificationKey, RejectsBadRsaMembers) {
  json jwk = RfcRsaJwk();
  jwk.erase("e");
  ExpectRejected(jwk);
  jwk = RfcRsaJwk();
  jwk["n"] = std::string(kRfcRsaN) + "=";  // padding is not base64url
  ExpectRejected(jwk);
  jwk["n"] = "!!!!";
  ExpectRejected(jwk);
  jwk["n"] = 12345;
  ExpectRejected(jwk);
}

TEST(VerificationKey, RejectsWeakRsa) {
  RawKey weak = GenerateRaw("RSA", 1024);
  json jwk = {{"kty", "RSA"}, {"n", BnParam(weak.get(), "n")}, {"e", BnParam(weak.get(), "e")}};
  ExpectRejected(jwk);
}

TEST(VerificationKey, RejectsNonCanonicalBase64Url) {
  // The modulus ends in "oQ"; "oR" decodes to the same bytes with unused low bits set, so it
  // would be a second spelling of the same key.
  std::string n = kRfcRsaN;
  ASSERT_EQ(n.back(), 'Q');
  n.back() = 'R';
  ASSERT_EQ(Base64UrlDecode(n), Base64UrlDecode(kRfcRsaN));
  json jwk = RfcRsaJwk();
  jwk["n"] = n;
  ExpectRejected(jwk);
}

TEST(VerificationKey, WrongLengthEs256SignatureFails) {
  VerificationKey key = MustFromJwk(RfcEcJwk());
  std::string signature = Decode(kRfcEcSignature);
  EXPECT_FALSE(key.Verify(kRfcEcSigningInput, signature.substr(0, 63)));
  EXPECT_FALSE(key.Verify(kRfcEcSigningInput, signature + '\0'));
  EXPECT_FALSE(key.Verify(kRfcEcSigningInput, std::string(1, '\0') + signature));
}

}  // namespace
}  // namespace gh::crypto
