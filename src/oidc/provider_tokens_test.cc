// End-to-end tests of what clients do with tokens once issued — client_credentials, userinfo,
// revocation and introspection — through the Router, on a real SQLite store and a fake clock.
#include <gtest/gtest.h>

#include "crypto/digest.h"
#include "oidc/provider_test_support.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

TEST_F(ProviderTest, ClientCredentials) {
  auto response = PostAsApp("/token", {{"grant_type", "client_credentials"}, {"scope", "openid"}});
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = Body(response);
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_FALSE(body.contains("id_token"));
  auto info = Introspect(body["access_token"]);
  EXPECT_EQ(info["active"], true);
  EXPECT_FALSE(info.contains("sub"));
  EXPECT_FALSE(info.contains("sid"));

  ExpectInvalidTokenChallenge(
      router_.Dispatch(UserInfoRequest(body["access_token"].get<std::string>())));

  ExpectOAuthError(Post("/token", "grant_type=client_credentials&client_id=spa"), 400,
                   "unauthorized_client");
}

TEST_F(ProviderTest, AClientGetsOnlyTheGrantsItIsRegisteredFor) {
  store::ClientRecord web;
  web.id = "web";
  web.name = "Web";
  web.secret_hash = crypto::Sha256Base64Url(kSecret);
  web.redirect_uris = {kAppRedirect};
  web.grant_types = {"authorization_code"};
  web.created_at = clock_.Now();
  ASSERT_TRUE(store_->PutClient(web).ok());
  auto authorize_as = [](const std::string& client_id) {
    const Params app = AppAuthorize();
    Params params;
    for (const auto& [name, value] : app.items())
      params.Add(name, name == "client_id" ? client_id : value);
    return params;
  };
  auto tokens = Post("/token",
                     Params{{"grant_type", "authorization_code"},
                            {"code", Code(authorize_as("web"))},
                            {"redirect_uri", kAppRedirect},
                            {"code_verifier", kVerifier}}
                         .Encode(),
                     BasicAuth("web", kSecret));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_TRUE(Body(tokens)["access_token"].is_string());
  EXPECT_TRUE(Body(tokens)["id_token"].is_string());
  EXPECT_FALSE(Body(tokens).contains("refresh_token"));
  ExpectOAuthError(Post("/token", "grant_type=client_credentials", BasicAuth("web", kSecret)), 400,
                   "unauthorized_client");

  web.id = "service";
  web.grant_types = {"client_credentials"};
  ASSERT_TRUE(store_->PutClient(web).ok());
  auto refused = Get("/authorize?" + authorize_as("service").Encode(), cookie_);
  ASSERT_EQ(refused.status, 302);
  EXPECT_EQ(LocationParams(refused).Get("error"), "unauthorized_client");
  EXPECT_EQ(Post("/token", "grant_type=client_credentials", BasicAuth("service", kSecret)).status,
            200);
}

TEST_F(ProviderTest, AClientsOwnAccessTokenIsSealedNotStoredYetEndsAsAStoredOneWould) {
  store::ClientRecord api;
  api.id = "api";
  api.name = "API";
  api.secret_hash = crypto::Sha256Base64Url(kSecret);
  api.resource_server_for = {"app"};
  api.created_at = clock_.Now();
  ASSERT_TRUE(store_->PutClient(api).ok());
  auto introspect_as_api = [&](const std::string& token) {
    return Body(Post("/introspect", Params{{"token", token}}.Encode(), BasicAuth("api", kSecret)));
  };
  auto issue = [&] {
    auto response =
        PostAsApp("/token", {{"grant_type", "client_credentials"}, {"scope", "openid"}});
    EXPECT_EQ(response.status, 200) << response.body;
    return Body(response)["access_token"].get<std::string>();
  };

  auto token = issue();
  EXPECT_FALSE(*store_->FindToken(SecretHash(token))) << "issuing it wrote nothing";
  auto info = introspect_as_api(token);
  EXPECT_EQ(info["active"], true);
  EXPECT_EQ(info["client_id"], "app");
  EXPECT_FALSE(info.contains("sub")) << "about the client, no end-user";
  EXPECT_EQ(info["exp"], ToUnixSeconds(clock_.Now()) + 3600);

  ASSERT_EQ(PostAsApp("/revoke", {{"token", token}}).status, 200);
  EXPECT_EQ(introspect_as_api(token), (json{{"active", false}}));
  EXPECT_EQ(PostAsApp("/revoke", {{"token", token}}).status, 200) << "revoking twice is fine";
  EXPECT_EQ(introspect_as_api(token), (json{{"active", false}}));

  auto expiring = issue();
  clock_.Advance(Seconds(3600));
  EXPECT_EQ(introspect_as_api(expiring), (json{{"active", false}}));

  auto of_removed_client = issue();
  ASSERT_TRUE(*store_->RemoveClient("app"));
  EXPECT_EQ(introspect_as_api(of_removed_client), (json{{"active", false}}));
}

TEST_F(ProviderTest, AnEndUsersAccessTokenIsSealedNotStoredYetEndsWithItsSession) {
  std::string token = Body(Redeem(Code()))["access_token"];
  EXPECT_FALSE(*store_->FindToken(SecretHash(token))) << "issuing it wrote no token row";
  auto info = Introspect(token);
  EXPECT_EQ(info["active"], true);
  EXPECT_EQ(info["sub"], "u-alice");
  EXPECT_EQ(router_.Dispatch(UserInfoRequest(token)).status, 200);

  ASSERT_TRUE(sessions_.End(sid_, session::EndCause::kUserLogout).ok());
  EXPECT_EQ(Introspect(token), (json{{"active", false}}));
  ExpectInvalidTokenChallenge(router_.Dispatch(UserInfoRequest(token)));
}

TEST_F(ProviderTest, ARevokedGrantIsRememberedAsLongAsItsAccessTokensLive) {
  auto code = Code();
  std::string token = Body(Redeem(code))["access_token"];
  ExpectOAuthError(Redeem(code), 400, "invalid_grant");  // the replay revokes the grant
  clock_.Advance(Seconds(3599));
  ASSERT_TRUE(store_->PurgeExpired(clock_.Now()).ok());
  EXPECT_EQ(Introspect(token), (json{{"active", false}}));
  ExpectInvalidTokenChallenge(router_.Dispatch(UserInfoRequest(token)));
}

TEST_F(ProviderTest, AnOfflineGrantsAccessTokenOutlivesTheSessionUntilTheGrantEnds) {
  ASSERT_TRUE(store_->PutConsent({"u-alice", "app", "offline_access", clock_.Now()}).ok());
  auto offline = Body(Redeem(Code(OfflineAuthorize())));
  ASSERT_TRUE(sessions_.End(sid_, session::EndCause::kUserLogout).ok());
  EXPECT_EQ(Introspect(offline["access_token"])["active"], false) << "bound to the session";

  auto refreshed = Body(PostAsApp(
      "/token", {{"grant_type", "refresh_token"}, {"refresh_token", offline["refresh_token"]}}));
  std::string token = refreshed["access_token"];
  EXPECT_EQ(Introspect(token)["active"], true) << "claims no session";
  EXPECT_EQ(router_.Dispatch(UserInfoRequest(token)).status, 200);

  ASSERT_TRUE(sessions_.EndOfflineGrants("u-alice").ok());
  EXPECT_EQ(Introspect(token), (json{{"active", false}}));
  EXPECT_EQ(Introspect(refreshed["refresh_token"]), (json{{"active", false}}));
}

TEST_F(ProviderTest, AnotherDeploymentsSealedTokenIsUnknown) {
  auto token = Body(PostAsApp("/token", {{"grant_type", "client_credentials"}}))["access_token"]
                   .get<std::string>();
  ProviderSettings elsewhere{.issuer = kTestIssuer,
                             .sealing_key = "another deployment's key, 32 B.."};
  Provider other(elsewhere, *store_, keys_, sessions_, clock_, random_, csrf_, sign_out_);
  http::Router other_router;
  other.Register(other_router);
  http::Request request;
  request.method = "POST";
  request.target = "/introspect";
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Add("Authorization", BasicAuth("app", kSecret));
  request.body = Params{{"token", token}}.Encode();
  EXPECT_EQ(Body(other_router.Dispatch(request)), (json{{"active", false}}));
  EXPECT_EQ(Introspect(token)["active"], true);
}

TEST_F(ProviderTest, UserInfoChallenges) {
  auto missing = router_.Dispatch(UserInfoRequest());
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.headers.Get("WWW-Authenticate"), "Bearer");

  ExpectInvalidTokenChallenge(router_.Dispatch(UserInfoRequest("unknown-token")));

  std::string access_token = Body(Redeem(Code()))["access_token"];
  clock_.Advance(Seconds(3601));
  http::Request expired;
  expired.method = "POST";
  expired.target = "/userinfo";
  expired.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  expired.body = "access_token=" + access_token;
  EXPECT_EQ(router_.Dispatch(expired).status, 401);
}

TEST_F(ProviderTest, UserInfoAcceptsTheFormBody) {
  std::string access_token = Body(Redeem(Code()))["access_token"];
  http::Request request;
  request.method = "POST";
  request.target = "/userinfo";
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  request.body = "access_token=" + access_token;
  auto response = router_.Dispatch(request);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(Body(response)["sub"], "u-alice");

  request.headers.Add("Authorization", "Bearer " + access_token);
  EXPECT_EQ(router_.Dispatch(request).status, 400);
}

TEST_F(ProviderTest, RevokingARefreshTokenRevokesItsGrant) {
  auto tokens = Body(Redeem(Code()));
  EXPECT_EQ(PostAsApp("/revoke", {{"token", tokens["refresh_token"]}}).status, 200);
  EXPECT_EQ(Introspect(tokens["access_token"])["active"], false);
  EXPECT_EQ(Introspect(tokens["refresh_token"])["active"], false);
}

TEST_F(ProviderTest, RevocationRules) {
  EXPECT_EQ(PostAsApp("/revoke", {{"token", "unknown"}}).status, 200);
  ExpectOAuthError(PostAsApp("/revoke", {}), 400, "invalid_request");
  ExpectOAuthError(PostAsApp("/revoke", {{"token", "t"}, {"token_type_hint", "id_token"}}), 400,
                   "unsupported_token_type");
  ExpectOAuthError(Post("/revoke", "token=t"), 401, "invalid_client");

  // Another client's token is refused and stays active.
  std::string access_token = Body(Redeem(Code()))["access_token"];
  ExpectOAuthError(Post("/revoke", Params{{"token", access_token}, {"client_id", "spa"}}.Encode()),
                   400, "unauthorized_client");
  EXPECT_EQ(Introspect(access_token)["active"], true);
}

TEST_F(ProviderTest, IntrospectionAnswersOnlyTheTokensClientOrItsResourceServer) {
  for (const auto& [id, resource_server_for] :
       {std::pair<std::string, std::vector<std::string>>{"other", {}}, {"api", {"app"}}}) {
    store::ClientRecord client;
    client.id = id;
    client.name = id;
    client.secret_hash = crypto::Sha256Base64Url(kSecret);
    client.redirect_uris = {"https://" + id + ".example/cb"};
    client.resource_server_for = resource_server_for;
    ASSERT_TRUE(store_->PutClient(client).ok());
  }
  std::string access_token = Body(Redeem(Code()))["access_token"];
  auto ask = [&](const char* client_id) {
    auto response = Post("/introspect", Params{{"token", access_token}}.Encode(),
                         BasicAuth(client_id, kSecret));
    EXPECT_EQ(response.status, 200) << response.body;
    return Body(response);
  };
  EXPECT_EQ(ask("other"), (json{{"active", false}}));
  EXPECT_EQ(ask("api")["sub"], "u-alice");
  EXPECT_EQ(ask("app")["active"], true);
}

TEST_F(ProviderTest, IntrospectionNeedsAConfidentialClient) {
  ExpectOAuthError(Post("/introspect", "token=t&client_id=spa"), 401, "invalid_client");
  ExpectOAuthError(Post("/introspect", "token=t", BasicAuth("app", "wrong")), 401,
                   "invalid_client");
  EXPECT_EQ(Introspect("unknown"), (json{{"active", false}}));
}

}  // namespace
}  // namespace gh::oidc
