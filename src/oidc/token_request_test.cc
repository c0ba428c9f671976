#include "oidc/token_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oidc/pkce.h"
#include "oidc/token_response.h"

namespace gh::oidc {
namespace {

constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const TimePoint kNow = FromUnixSeconds(2'000'000);

OAuthErrorCode ParseError(const Params& form) {
  auto r = ParseTokenRequest(form);
  EXPECT_FALSE(r.ok());
  return r.ok() ? OAuthErrorCode::kServerError : r.error().code;
}

TEST(TokenRequest, ParsesAuthorizationCodeGrant) {
  auto r = ParseTokenRequest({{"grant_type", "authorization_code"},
                              {"code", "c"},
                              {"redirect_uri", "https://a/cb"},
                              {"code_verifier", kVerifier}});
  ASSERT_TRUE(r.ok());
  auto& grant = std::get<AuthorizationCodeGrant>(*r);
  EXPECT_EQ(grant.code, "c");
  EXPECT_EQ(grant.redirect_uri, "https://a/cb");
  EXPECT_EQ(grant.code_verifier, kVerifier);
}

TEST(TokenRequest, CodeGrantNeedsCodeAndRedirectUri) {
  EXPECT_EQ(ParseError({{"grant_type", "authorization_code"}, {"redirect_uri", "https://a/cb"}}),
            OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ParseError({{"grant_type", "authorization_code"}, {"code", "c"}}),
            OAuthErrorCode::kInvalidRequest);
}

TEST(TokenRequest, ParsesRefreshAndClientCredentials) {
  auto refresh = ParseTokenRequest(
      {{"grant_type", "refresh_token"}, {"refresh_token", "r"}, {"scope", "openid"}});
  ASSERT_TRUE(refresh.ok());
  EXPECT_EQ(std::get<RefreshTokenGrant>(*refresh).scope, "openid");
  EXPECT_EQ(ParseError({{"grant_type", "refresh_token"}}), OAuthErrorCode::kInvalidRequest);
  EXPECT_TRUE(std::holds_alternative<ClientCredentialsGrant>(
      *ParseTokenRequest({{"grant_type", "client_credentials"}})));
}

TEST(TokenRequest, GrantTypeIsRequiredAndSupported) {
  EXPECT_EQ(ParseError({}), OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ParseError({{"grant_type", "password"}}), OAuthErrorCode::kUnsupportedGrantType);
  EXPECT_EQ(ParseError({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"}}),
            OAuthErrorCode::kUnsupportedGrantType);
}

TEST(TokenRequest, ClientCredentialsIsForConfidentialClientsOnly) {
  store::ClientRecord public_client;
  public_client.id = "spa";
  store::ClientRecord confidential = public_client;
  confidential.secret_hash = "h";
  auto r = CheckGrantAllowed(ClientCredentialsGrant{}, public_client);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kUnauthorizedClient);
  EXPECT_TRUE(CheckGrantAllowed(ClientCredentialsGrant{}, confidential).ok());
  EXPECT_TRUE(CheckGrantAllowed(RefreshTokenGrant{}, public_client).ok());
  EXPECT_TRUE(CheckGrantAllowed(AuthorizationCodeGrant{}, public_client).ok());
}

TEST(TokenRequest, AClientMayUseOnlyTheGrantsItIsRegisteredFor) {
  store::ClientRecord service;
  service.id = "service";
  service.secret_hash = "h";
  service.grant_types = {"client_credentials"};
  EXPECT_TRUE(CheckGrantAllowed(ClientCredentialsGrant{}, service).ok());
  for (const TokenRequest& request :
       {TokenRequest(AuthorizationCodeGrant{}), TokenRequest(RefreshTokenGrant{})}) {
    auto r = CheckGrantAllowed(request, service);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, OAuthErrorCode::kUnauthorizedClient);
  }
  store::ClientRecord web = service;
  web.grant_types = {"authorization_code"};
  EXPECT_TRUE(CheckGrantAllowed(AuthorizationCodeGrant{}, web).ok());
  EXPECT_FALSE(CheckGrantAllowed(RefreshTokenGrant{}, web).ok());
  EXPECT_FALSE(CheckGrantAllowed(ClientCredentialsGrant{}, web).ok());
}

AuthorizationCode Code() {
  AuthorizationCode code;
  code.client_id = "app";
  code.redirect_uri = "https://a/cb";
  code.code_challenge = kChallenge;
  code.code_challenge_method = "S256";
  code.expires_at = kNow + Seconds(60);
  return code;
}

AuthorizationCodeGrant Grant() { return {"c", "https://a/cb", kVerifier}; }

void ExpectInvalidGrant(const Result<void, OAuthError>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidGrant);
}

TEST(TokenRequest, CodeRedemptionRules) {
  EXPECT_TRUE(ValidateCodeRedemption(Code(), Grant(), "app", kNow).ok());
  ExpectInvalidGrant(ValidateCodeRedemption(Code(), Grant(), "app", kNow + Seconds(60)));
  ExpectInvalidGrant(ValidateCodeRedemption(Code(), Grant(), "other", kNow));
  auto other_uri = Grant();
  other_uri.redirect_uri = "https://a/cb/";
  ExpectInvalidGrant(ValidateCodeRedemption(Code(), other_uri, "app", kNow));
  auto wrong_verifier = Grant();
  wrong_verifier.code_verifier = std::string(43, 'x');
  ExpectInvalidGrant(ValidateCodeRedemption(Code(), wrong_verifier, "app", kNow));
  auto no_verifier = Grant();
  no_verifier.code_verifier.reset();
  ExpectInvalidGrant(ValidateCodeRedemption(Code(), no_verifier, "app", kNow));
}

store::TokenRecord RefreshToken() {
  store::TokenRecord token;
  token.kind = store::TokenKind::kRefresh;
  token.client_id = "app";
  token.scope = "openid profile offline_access";
  token.expires_at = kNow + Seconds(3600);
  return token;
}

TEST(TokenRequest, RefreshRules) {
  RefreshTokenGrant grant{"r", std::nullopt};
  EXPECT_EQ(*ValidateRefresh(RefreshToken(), grant, "app", kNow), "openid profile offline_access");
  auto access = RefreshToken();
  access.kind = store::TokenKind::kAccess;
  EXPECT_FALSE(ValidateRefresh(access, grant, "app", kNow).ok());
  EXPECT_FALSE(ValidateRefresh(RefreshToken(), grant, "other", kNow).ok());
  auto revoked = RefreshToken();
  revoked.revoked = true;
  EXPECT_EQ(ValidateRefresh(revoked, grant, "app", kNow).error().code,
            OAuthErrorCode::kInvalidGrant);
  EXPECT_EQ(ValidateRefresh(RefreshToken(), grant, "app", kNow + Seconds(3600)).error().code,
            OAuthErrorCode::kInvalidGrant);
}

TEST(TokenRequest, ScopeMayOnlyNarrow) {
  EXPECT_EQ(*NarrowScope("openid profile email", std::nullopt), "openid profile email");
  EXPECT_EQ(*NarrowScope("openid profile email", "email openid"), "email openid");
  auto wider = NarrowScope("openid profile", "openid email");
  ASSERT_FALSE(wider.ok());
  EXPECT_EQ(wider.error().code, OAuthErrorCode::kInvalidScope);
  RefreshTokenGrant grant{"r", "openid admin"};
  EXPECT_EQ(ValidateRefresh(RefreshToken(), grant, "app", kNow).error().code,
            OAuthErrorCode::kInvalidScope);
}

TEST(TokenResponse, RendersRfc6749Section51) {
  TokenResponse response{"at", Seconds(3600), "openid", "rt", "id"};
  EXPECT_EQ(nlohmann::json::parse(ToJson(response)), (nlohmann::json{{"access_token", "at"},
                                                                     {"token_type", "Bearer"},
                                                                     {"expires_in", 3600},
                                                                     {"scope", "openid"},
                                                                     {"refresh_token", "rt"},
                                                                     {"id_token", "id"}}));
  TokenResponse bare{"at", Seconds(60), "", std::nullopt, std::nullopt};
  EXPECT_EQ(nlohmann::json::parse(ToJson(bare)),
            (nlohmann::json{{"access_token", "at"}, {"token_type", "Bearer"}, {"expires_in", 60}}));
}

}  // namespace
}  // namespace gh::oidc
