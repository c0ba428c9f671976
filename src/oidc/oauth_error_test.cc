#include "oidc/oauth_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gh::oidc {
namespace {

TEST(OAuthError, RendersRfc6749Json) {
  auto json = nlohmann::json::parse(ToJson(OAuthError::InvalidGrant("code expired")));
  EXPECT_EQ(json,
            (nlohmann::json{{"error", "invalid_grant"}, {"error_description", "code expired"}}));
}

TEST(OAuthError, RendersRedirectParameters) {
  auto params = ToParams(OAuthError(OAuthErrorCode::kLoginRequired, "sign in"));
  EXPECT_EQ(params.Get("error"), "login_required");
  EXPECT_EQ(params.Get("error_description"), "sign in");
}

TEST(OAuthError, StatusFollowsTheSpecifications) {
  EXPECT_EQ(HttpStatus(OAuthError::InvalidClient("x")), 401);
  EXPECT_EQ(HttpStatus({OAuthErrorCode::kInvalidToken, "x"}), 401);
  EXPECT_EQ(HttpStatus({OAuthErrorCode::kInsufficientScope, "x"}), 403);
  EXPECT_EQ(HttpStatus(OAuthError::InvalidGrant("x")), 400);
  EXPECT_EQ(HttpStatus(OAuthError(Error::Unavailable("db down"))), 503);
  EXPECT_EQ(HttpStatus(OAuthError(Error::Internal("bug"))), 500);
}

TEST(OAuthError, InternalMessagesStayInternal) {
  OAuthError error(Error::Internal("SELECT secret FROM clients"));
  EXPECT_EQ(error.code, OAuthErrorCode::kServerError);
  EXPECT_EQ(error.description.find("SELECT"), std::string::npos);
}

TEST(OAuthError, DescriptionKeepsToTheAllowedCharacters) {
  OAuthError error(OAuthErrorCode::kInvalidRequest, "bad \"x\\y\"\n\xc3\xa9");
  EXPECT_EQ(error.description, "bad ?x?y????");
}

}  // namespace
}  // namespace gh::oidc
