#include "oidc/token_management.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gh::oidc {
namespace {

const TimePoint kNow = FromUnixSeconds(2'000'000);

TEST(Revocation, TokenIsRequired) {
  EXPECT_EQ(ParseRevocationRequest({}).error().code, OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(*ParseRevocationRequest({{"token", "t"}}), "t");
}

TEST(Revocation, HintMustBeKnown) {
  EXPECT_TRUE(ParseRevocationRequest({{"token", "t"}, {"token_type_hint", "access_token"}}).ok());
  EXPECT_TRUE(ParseRevocationRequest({{"token", "t"}, {"token_type_hint", "refresh_token"}}).ok());
  EXPECT_EQ(ParseRevocationRequest({{"token", "t"}, {"token_type_hint", "id_token"}}).error().code,
            OAuthErrorCode::kUnsupportedTokenType);
}

TEST(Introspection, TokenIsRequiredAndHintIgnored) {
  EXPECT_EQ(ParseIntrospectionRequest({}).error().code, OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(*ParseIntrospectionRequest({{"token", "t"}, {"token_type_hint", "whatever"}}), "t");
}

store::TokenRecord Access() {
  store::TokenRecord token;
  token.client_id = "app";
  token.user_id = "u1";
  token.sid = "s1";
  token.scope = "openid";
  token.issued_at = kNow - Seconds(10);
  token.expires_at = kNow + Seconds(10);
  return token;
}

TEST(Introspection, OnlyTheTokensClientAndItsResourceServersMayIntrospect) {
  store::ClientRecord owner;
  owner.id = "app";
  store::ClientRecord stranger;
  stranger.id = "other";
  store::ClientRecord api;
  api.id = "api";
  api.resource_server_for = {"wiki", "app"};
  EXPECT_TRUE(MayIntrospect(owner, Access()));
  EXPECT_FALSE(MayIntrospect(stranger, Access()));
  EXPECT_TRUE(MayIntrospect(api, Access()));
  api.resource_server_for = {"apps"};  // a list entry is an exact client id
  EXPECT_FALSE(MayIntrospect(api, Access()));
}

TEST(Introspection, InactiveRevealsNothing) {
  const nlohmann::json inactive = {{"active", false}};
  EXPECT_EQ(IntrospectionResponse(std::nullopt, std::nullopt, "https://id", kNow), inactive);
  auto revoked = Access();
  revoked.revoked = true;
  EXPECT_EQ(IntrospectionResponse(revoked, std::nullopt, "https://id", kNow), inactive);
  EXPECT_EQ(IntrospectionResponse(Access(), std::nullopt, "https://id", kNow + Seconds(10)),
            inactive);
}

TEST(Introspection, ActiveDescribesTheToken) {
  store::UserRecord user;
  user.id = "u1";
  user.username = "alice";
  auto body = IntrospectionResponse(Access(), user, "https://id", kNow);
  EXPECT_EQ(body, (nlohmann::json{{"active", true},
                                  {"scope", "openid"},
                                  {"client_id", "app"},
                                  {"username", "alice"},
                                  {"token_type", "Bearer"},
                                  {"exp", ToUnixSeconds(kNow) + 10},
                                  {"iat", ToUnixSeconds(kNow) - 10},
                                  {"sub", "u1"},
                                  {"aud", "app"},
                                  {"iss", "https://id"},
                                  {"sid", "s1"}}));
}

TEST(Introspection, AnAccessTokensAudienceIsTheRegisteredOneWhenThereIsOne) {
  const std::optional<std::string> api = "https://api.example/";
  EXPECT_EQ(IntrospectionResponse(Access(), std::nullopt, "https://id", kNow, api)["aud"],
            "https://api.example/");
  EXPECT_EQ(IntrospectionResponse(Access(), std::nullopt, "https://id", kNow)["aud"], "app");
  auto refresh = Access();
  refresh.kind = store::TokenKind::kRefresh;  // for the authorization server, not the API
  EXPECT_EQ(IntrospectionResponse(refresh, std::nullopt, "https://id", kNow, api)["aud"], "app");
}

TEST(Introspection, ClientCredentialsTokenHasNoUser) {
  auto token = Access();
  token.user_id.reset();
  token.sid.reset();
  token.scope.clear();
  auto body = IntrospectionResponse(token, std::nullopt, "https://id", kNow);
  EXPECT_TRUE(body["active"]);
  EXPECT_FALSE(body.contains("sub"));
  EXPECT_FALSE(body.contains("sid"));
  EXPECT_FALSE(body.contains("scope"));
}

}  // namespace
}  // namespace gh::oidc
