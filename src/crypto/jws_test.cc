#include "crypto/jws.h"

#include <gtest/gtest.h>

#include "core/base64url.h"

namespace gh::crypto {
namespace {

using nlohmann::json;

SigningKey MustGenerate(JwsAlg alg, std::string kid) {
  Result<SigningKey> key = SigningKey::Generate(alg, std::move(kid));
  EXPECT_TRUE(key.ok()) << key.error().message;
  return *std::move(key);
}

VerificationKey VerifierFor(const SigningKey& key, std::string_view kid_override = {}) {
  json jwk = key.PublicJwk();
  if (!kid_override.empty()) jwk["kid"] = kid_override;
  return VerificationKey::FromJwk(jwk).value();
}

std::string B64(std::string_view text) { return Base64UrlEncode(text); }

// A compact JWS with an arbitrary header, signed by `key`: how an attacker holding (or
// pretending to hold) a key would build one.
std::string SignWithHeader(const SigningKey& key, const json& header, const json& payload) {
  std::string input = B64(header.dump()) + "." + B64(payload.dump());
  return input + "." + B64(key.Sign(input).value());
}

ErrorCode DecodeError(std::string_view compact) {
  Result<DecodedJws> jws = DecodeJws(compact);
  EXPECT_FALSE(jws.ok()) << "accepted " << compact;
  return jws.ok() ? ErrorCode::kInternal : jws.error().code;
}

Result<void> DecodeAndVerify(std::string_view compact, const std::vector<VerificationKey>& keys) {
  GH_ASSIGN_OR_RETURN(DecodedJws jws, DecodeJws(compact));
  return VerifyJws(jws, keys);
}

const json kClaims = {{"iss", "https://idp.example"}, {"sub", "u1"}, {"exp", 1700000000}};

// RSA generation is slow; tests that need no fresh key share one per algorithm.
const SigningKey& SharedKey(JwsAlg alg) {
  static const SigningKey rs256 = MustGenerate(JwsAlg::kRS256, "kid-1");
  static const SigningKey es256 = MustGenerate(JwsAlg::kES256, "kid-1");
  return alg == JwsAlg::kRS256 ? rs256 : es256;
}

class JwsRoundTrip : public ::testing::TestWithParam<JwsAlg> {
 protected:
  const SigningKey& key_ = SharedKey(GetParam());
};

TEST_P(JwsRoundTrip, SignedJwtDecodesAndVerifies) {
  Result<std::string> compact = SignJwt(key_, kClaims);
  ASSERT_TRUE(compact.ok()) << compact.error().message;
  Result<DecodedJws> jws = DecodeJws(*compact);
  ASSERT_TRUE(jws.ok()) << jws.error().message;
  EXPECT_EQ(jws->header, json({{"alg", ToString(GetParam())}, {"kid", "kid-1"}, {"typ", "JWT"}}));
  EXPECT_EQ(jws->payload, kClaims);
  EXPECT_EQ(jws->signing_input, compact->substr(0, compact->rfind('.')));
  Result<void> verified = VerifyJws(*jws, {VerifierFor(key_)});
  EXPECT_TRUE(verified.ok()) << verified.error().message;
}

TEST_P(JwsRoundTrip, TypIsOmittedWhenEmptyAndKeptOtherwise) {
  DecodedJws plain = DecodeJws(SignJwt(key_, kClaims, "").value()).value();
  EXPECT_FALSE(plain.header.contains("typ"));
  DecodedJws logout = DecodeJws(SignJwt(key_, kClaims, "logout+jwt").value()).value();
  EXPECT_EQ(logout.header["typ"], "logout+jwt");
}

TEST_P(JwsRoundTrip, TamperedPayloadFails) {
  std::string compact = SignJwt(key_, kClaims).value();
  std::size_t first = compact.find('.');
  std::size_t second = compact.rfind('.');
  json forged = kClaims;
  forged["sub"] = "admin";
  std::string tampered = compact.substr(0, first + 1) + B64(forged.dump()) + compact.substr(second);
  Result<void> verified = DecodeAndVerify(tampered, {VerifierFor(key_)});
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(JwsRoundTrip, TamperedSignatureFails) {
  DecodedJws jws = DecodeJws(SignJwt(key_, kClaims).value()).value();
  jws.signature[3] ^= 0x20;
  Result<void> verified = VerifyJws(jws, {VerifierFor(key_)});
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(JwsRoundTrip, UnknownKidFails) {
  // The same key published under another kid: with no kid match there must be no fallback.
  std::string compact = SignJwt(key_, kClaims).value();
  Result<void> verified = DecodeAndVerify(compact, {VerifierFor(key_, "kid-2")});
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(JwsRoundTrip, NoMatchingKeyFails) {
  Result<void> verified = DecodeAndVerify(SignJwt(key_, kClaims).value(), {});
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(JwsRoundTrip, WithoutKidTheOnlyKeyOfTheAlgIsUsed) {
  const SigningKey& other_alg =
      SharedKey(GetParam() == JwsAlg::kRS256 ? JwsAlg::kES256 : JwsAlg::kRS256);
  std::string compact = SignWithHeader(key_, {{"alg", ToString(GetParam())}}, kClaims);
  Result<void> verified = DecodeAndVerify(compact, {VerifierFor(other_alg), VerifierFor(key_)});
  EXPECT_TRUE(verified.ok()) << verified.error().message;
}

TEST_P(JwsRoundTrip, WithoutKidSeveralKeysOfTheAlgAreAmbiguous) {
  SigningKey second = MustGenerate(GetParam(), "kid-2");
  std::string compact = SignWithHeader(key_, {{"alg", ToString(GetParam())}}, kClaims);
  // Both orders, so that neither "first wins" nor "last wins" would slip through.
  for (const auto& keys : {std::vector{VerifierFor(key_), VerifierFor(second)},
                           std::vector{VerifierFor(second), VerifierFor(key_)}}) {
    Result<void> verified = DecodeAndVerify(compact, keys);
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
  }
}

INSTANTIATE_TEST_SUITE_P(Algs, JwsRoundTrip, ::testing::Values(JwsAlg::kRS256, JwsAlg::kES256),
                         [](const auto& info) { return std::string(ToString(info.param)); });

TEST(VerifyJws, HeaderAlgMustMatchTheKeysAlg) {
  // The header names the key's kid but claims RS256 while the key is ES256; the signature is
  // genuinely the ES256 key's, so only the alg check stands in the way.
  SigningKey ec = MustGenerate(JwsAlg::kES256, "k");
  std::string compact = SignWithHeader(ec, {{"alg", "RS256"}, {"kid", "k"}}, kClaims);
  Result<void> verified = DecodeAndVerify(compact, {VerifierFor(ec)});
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST(VerifyJws, PicksTheKeyByKid) {
  SigningKey a = MustGenerate(JwsAlg::kES256, "a");
  SigningKey b = MustGenerate(JwsAlg::kES256, "b");
  std::vector<VerificationKey> keys = {VerifierFor(a), VerifierFor(b)};
  EXPECT_TRUE(DecodeAndVerify(SignJwt(a, kClaims).value(), keys).ok());
  EXPECT_TRUE(DecodeAndVerify(SignJwt(b, kClaims).value(), keys).ok());
  // b's signature presented under a's kid.
  std::string forged = SignWithHeader(b, {{"alg", "ES256"}, {"kid", "a"}}, kClaims);
  EXPECT_FALSE(DecodeAndVerify(forged, keys).ok());
}

TEST(VerifyJws, VerifiesRfc7515Es256Example) {
  json jwk = {{"kty", "EC"},
              {"crv", "P-256"},
              {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
              {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}};
  constexpr char kCompact[] =
      "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
      "LmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSAp"
      "mWQxfKTUJqPP3-Kg6NU1Q";
  Result<void> verified = DecodeAndVerify(kCompact, {VerificationKey::FromJwk(jwk).value()});
  EXPECT_TRUE(verified.ok()) << verified.error().message;
}

TEST(VerifyJws, RejectsAHandBuiltHeaderWithoutAlg) {
  SigningKey key = MustGenerate(JwsAlg::kES256, "k");
  DecodedJws jws = DecodeJws(SignJwt(key, kClaims).value()).value();
  jws.header.erase("alg");
  EXPECT_FALSE(VerifyJws(jws, {VerifierFor(key)}).ok());
}

TEST(DecodeJws, RejectsAlgNone) {
  std::string compact = B64(R"({"alg":"none"})") + "." + B64(kClaims.dump()) + ".";
  EXPECT_EQ(DecodeError(compact), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(B64(R"({"alg":"None"})") + "." + B64(kClaims.dump()) + "."),
            ErrorCode::kInvalidArgument);
}

TEST(DecodeJws, RejectsAlgorithmsOtherThanRs256AndEs256) {
  for (const char* alg : {"HS256", "PS256", "ES384", "RS512", ""}) {
    json header = {{"alg", alg}};
    EXPECT_EQ(DecodeError(B64(header.dump()) + "." + B64(kClaims.dump()) + ".AAAA"),
              ErrorCode::kInvalidArgument)
        << alg;
  }
}

TEST(DecodeJws, RejectsAMissingOrNonStringAlg) {
  for (const json& header : {json({{"kid", "k"}}), json({{"alg", 256}}), json({{"alg", {"RS256"}}}),
                             json({{"alg", nullptr}})}) {
    EXPECT_EQ(DecodeError(B64(header.dump()) + "." + B64(kClaims.dump()) + ".AAAA"),
              ErrorCode::kInvalidArgument)
        << header.dump();
  }
}

TEST(DecodeJws, RejectsANonStringKid) {
  json header = {{"alg", "RS256"}, {"kid", 1}};
  EXPECT_EQ(DecodeError(B64(header.dump()) + "." + B64(kClaims.dump()) + ".AAAA"),
            ErrorCode::kInvalidArgument);
}

TEST(DecodeJws, RejectsCrit) {
  json header = {{"alg", "ES256"}, {"crit", {"exp"}}, {"exp", 1}};
  EXPECT_EQ(DecodeError(B64(header.dump()) + "." + B64(kClaims.dump()) + ".AAAA"),
            ErrorCode::kInvalidArgument);
}

TEST(DecodeJws, RejectsTheWrongNumberOfParts) {
  std::string header = B64(R"({"alg":"ES256"})");
  std::string payload = B64(kClaims.dump());
  EXPECT_EQ(DecodeError(""), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + payload), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + payload + ".AAAA.AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + payload + ".AAAA."), ErrorCode::kInvalidArgument);
}

TEST(DecodeJws, RejectsBadBase64Url) {
  std::string header = B64(R"({"alg":"ES256"})");
  std::string payload = B64(kClaims.dump());
  EXPECT_EQ(DecodeError(header + "." + payload + ".AA*A"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "=." + payload + ".AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + payload + "+/.AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + payload + ".A"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(" " + header + "." + payload + ".AAAA"), ErrorCode::kInvalidArgument);
}

TEST(DecodeJws, RejectsNonCanonicalBase64UrlSignature) {
  // "AR" is 0x01 like "AQ", with unused bits set: the same token must have only one spelling.
  std::string prefix = B64(R"({"alg":"ES256"})") + "." + B64(kClaims.dump()) + ".";
  ASSERT_TRUE(DecodeJws(prefix + "AQ").ok());
  EXPECT_EQ(DecodeError(prefix + "AR"), ErrorCode::kInvalidArgument);
}

TEST(DecodeJws, RejectsNonObjectJson) {
  std::string header = B64(R"({"alg":"ES256"})");
  std::string payload = B64(kClaims.dump());
  EXPECT_EQ(DecodeError(B64(R"(["ES256"])") + "." + payload + ".AAAA"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(B64("\"ES256\"") + "." + payload + ".AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + B64("\"sub\"") + ".AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + B64("42") + ".AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + B64("null") + ".AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + B64(R"({"sub":)") + ".AAAA"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecodeError(header + "." + B64("{\"sub\":\"\xff\"}") + ".AAAA"),
            ErrorCode::kInvalidArgument);
}

TEST(SignJwt, RejectsNonObjectClaims) {
  SigningKey key = MustGenerate(JwsAlg::kES256, "k");
  for (const json& claims : {json::array(), json("sub"), json(1), json()}) {
    Result<std::string> compact = SignJwt(key, claims);
    ASSERT_FALSE(compact.ok()) << claims.dump();
    EXPECT_EQ(compact.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(SignJwt, ReportsInvalidUtf8AsAnError) {
  SigningKey key = MustGenerate(JwsAlg::kES256, "k");
  Result<std::string> compact = SignJwt(key, {{"name", "\xff\xfe"}});
  ASSERT_FALSE(compact.ok());
  EXPECT_EQ(compact.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gh::crypto
