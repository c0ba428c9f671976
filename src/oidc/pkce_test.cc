#include "oidc/pkce.h"

#include <gtest/gtest.h>

namespace gh::oidc {
namespace {

constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, MatchesRfc7636AppendixB) { EXPECT_EQ(S256Challenge(kVerifier), kChallenge); }

TEST(Pkce, ChallengeMustBe43Base64UrlCharacters) {
  EXPECT_TRUE(IsWellFormedS256Challenge(kChallenge));
  EXPECT_FALSE(IsWellFormedS256Challenge(std::string(kChallenge).substr(1)));
  EXPECT_FALSE(IsWellFormedS256Challenge(std::string(kChallenge) + "A"));
  EXPECT_FALSE(IsWellFormedS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"));
  EXPECT_FALSE(IsWellFormedS256Challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="));
}

TEST(Pkce, VerifierIs43To128UnreservedCharacters) {
  EXPECT_TRUE(IsWellFormedVerifier(kVerifier));
  EXPECT_TRUE(IsWellFormedVerifier(std::string(43, 'a')));
  EXPECT_TRUE(IsWellFormedVerifier(std::string(128, '~')));
  EXPECT_TRUE(IsWellFormedVerifier(std::string(40, 'a') + "-._"));
  EXPECT_FALSE(IsWellFormedVerifier(std::string(42, 'a')));
  EXPECT_FALSE(IsWellFormedVerifier(std::string(129, 'a')));
  EXPECT_FALSE(IsWellFormedVerifier(std::string(42, 'a') + "+"));
}

TEST(Pkce, ChallengeNeedsMethodS256) {
  EXPECT_TRUE(ValidateChallenge(kChallenge, "S256", false).ok());
  for (auto method : {std::optional<std::string>(), std::optional<std::string>("plain"),
                      std::optional<std::string>("s256")}) {
    auto r = ValidateChallenge(kChallenge, method, false);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidRequest);
  }
}

TEST(Pkce, MalformedChallengeIsInvalidRequest) {
  auto r = ValidateChallenge("short", "S256", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidRequest);
}

TEST(Pkce, MethodWithoutChallengeIsInvalidRequest) {
  EXPECT_FALSE(ValidateChallenge(std::nullopt, "S256", false).ok());
}

TEST(Pkce, PublicClientsMustSendAChallenge) {
  EXPECT_TRUE(ValidateChallenge(std::nullopt, std::nullopt, false).ok());
  auto r = ValidateChallenge(std::nullopt, std::nullopt, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidRequest);
}

TEST(Pkce, VerifierMustMatchTheStoredChallenge) {
  EXPECT_TRUE(VerifyCodeVerifier(kChallenge, kVerifier).ok());
  auto wrong = VerifyCodeVerifier(kChallenge, std::string(43, 'a'));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, OAuthErrorCode::kInvalidGrant);
}

TEST(Pkce, StoredChallengeRequiresAVerifier) {
  auto r = VerifyCodeVerifier(kChallenge, std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidGrant);
}

TEST(Pkce, MalformedVerifierIsRefusedEvenIfItHashesRight) {
  std::string short_verifier = "abc";
  auto r = VerifyCodeVerifier(S256Challenge(short_verifier), short_verifier);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidGrant);
}

TEST(Pkce, VerifierWithoutStoredChallengeIsRefused) {
  EXPECT_TRUE(VerifyCodeVerifier(std::nullopt, std::nullopt).ok());
  auto r = VerifyCodeVerifier(std::nullopt, kVerifier);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidGrant);
}

}  // namespace
}  // namespace gh::oidc
