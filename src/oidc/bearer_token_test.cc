#include "oidc/bearer_token.h"

#include <gtest/gtest.h>

namespace gh::oidc {
namespace {

TEST(BearerToken, ReadsTheAuthorizationHeader) {
  auto t = ExtractBearerToken("Bearer abc-._~+/==", nullptr);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "abc-._~+/==");
  EXPECT_EQ(**ExtractBearerToken("bearer xyz", nullptr), "xyz");
}

TEST(BearerToken, ReadsTheFormBody) {
  Params form{{"access_token", "abc"}};
  EXPECT_EQ(**ExtractBearerToken(std::nullopt, &form), "abc");
}

TEST(BearerToken, MissingIsNotAnError) {
  auto t = ExtractBearerToken(std::nullopt, nullptr);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->has_value());
}

TEST(BearerToken, BothMethodsIsInvalidRequest) {
  Params form{{"access_token", "abc"}};
  auto t = ExtractBearerToken("Bearer abc", &form);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, OAuthErrorCode::kInvalidRequest);
}

TEST(BearerToken, MalformedOrOtherSchemes) {
  EXPECT_EQ(ExtractBearerToken("Bearer ", nullptr).error().code, OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ExtractBearerToken("Bearer a b", nullptr).error().code,
            OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ExtractBearerToken("Bearer a\"b", nullptr).error().code,
            OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ExtractBearerToken("Basic YTpi", nullptr).error().code, OAuthErrorCode::kInvalidToken);
}

TEST(BearerToken, Challenges) {
  EXPECT_EQ(BearerChallenge(std::nullopt), "Bearer");
  EXPECT_EQ(BearerChallenge(OAuthError(OAuthErrorCode::kInvalidToken, "expired")),
            "Bearer error=\"invalid_token\", error_description=\"expired\"");
}

}  // namespace
}  // namespace gh::oidc
