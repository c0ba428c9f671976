// End-to-end tests of the provider's public documents and of signing in with it — authorization,
// code redemption, consent, refresh — through the Router, on a real SQLite store, key ring and
// session authority, with a fake clock. What clients do with tokens afterwards:
// provider_tokens_test.cc.
#include "oidc/provider.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/jws.h"
#include "oidc/id_token.h"
#include "oidc/provider_test_support.h"

namespace gh::oidc {
namespace {

TEST_F(ProviderTest, DiscoveryAndJwksArePublicAndCacheable) {
  auto discovery = Get("/.well-known/openid-configuration");
  EXPECT_EQ(discovery.status, 200);
  EXPECT_EQ(discovery.headers.Get("Cache-Control"), "public, max-age=3600");
  EXPECT_EQ(Body(discovery)["issuer"], kTestIssuer);
  EXPECT_EQ(Body(discovery)["jwks_uri"], std::string(kTestIssuer) + "/jwks");
  auto jwks = Get("/jwks");
  EXPECT_EQ(jwks.status, 200);
  EXPECT_EQ(jwks.headers.Get("Cache-Control"), "public, max-age=300");
  EXPECT_EQ(Body(jwks)["keys"].size(), 2u);
}

TEST_F(ProviderTest, BrowserClientEndpointsAnswerRegisteredWebOrigins) {
  store::ClientRecord web;
  web.id = "web";
  web.name = "web";
  web.redirect_uris = {"https://web.example/cb"};
  web.web_origins = {"https://web.example"};
  ASSERT_TRUE(store_->PutClient(web).ok());
  for (const char* path : {"/token", "/userinfo"}) {
    http::Request preflight;
    preflight.method = "OPTIONS";
    preflight.target = path;
    preflight.headers.Add("Origin", "https://web.example");
    preflight.headers.Add("Access-Control-Request-Method", "POST");
    auto answer = router_.Dispatch(preflight);
    EXPECT_EQ(answer.status, 204) << path;
    EXPECT_EQ(answer.headers.Get("Access-Control-Allow-Origin"), "https://web.example") << path;
  }
  http::Request token;
  token.method = "POST";
  token.target = "/token";
  token.headers.Add("Origin", "https://web.example");
  auto refused = router_.Dispatch(token);
  EXPECT_EQ(refused.status, 400);  // an OAuth error the page may read
  EXPECT_EQ(refused.headers.Get("Access-Control-Allow-Origin"), "https://web.example");
  http::Request elsewhere;
  elsewhere.method = "GET";
  elsewhere.target = "/userinfo";
  elsewhere.headers.Add("Origin", "https://evil.example");
  EXPECT_FALSE(router_.Dispatch(elsewhere).headers.Get("Access-Control-Allow-Origin"));
}

// Discovery and the JWKS are public and carry no credentials: any page may read them (as
// node-oidc-provider and Keycloak allow), and answering them needs no lookup of origins.
TEST_F(ProviderTest, DiscoveryAndJwksAreReadableFromAnyOriginAndServedInline) {
  for (const char* path : {"/.well-known/openid-configuration", "/jwks"}) {
    http::Request get;
    get.method = "GET";
    get.target = path;
    get.headers.Add("Origin", "https://any.example");
    auto answer = router_.Dispatch(get);
    EXPECT_EQ(answer.status, 200) << path;
    EXPECT_EQ(answer.headers.Get("Access-Control-Allow-Origin"), "*") << path;
    EXPECT_TRUE(router_.IsInline(get)) << path;
    http::Request preflight = get;
    preflight.method = "OPTIONS";
    preflight.headers.Add("Access-Control-Request-Method", "GET");
    EXPECT_EQ(router_.Dispatch(preflight).headers.Get("Access-Control-Allow-Origin"), "*") << path;
  }
  http::Request frame;
  frame.method = "GET";
  frame.target = "/session/check";
  EXPECT_TRUE(router_.IsInline(frame)) << "the check-session iframe is a fixed page";
  http::Request token;
  token.method = "POST";
  token.target = "/token";
  EXPECT_FALSE(router_.IsInline(token)) << "the token endpoint waits on the store";
}

TEST_F(ProviderTest, FullCodeFlowWithPkce) {
  auto token_response = Redeem(Code());
  ASSERT_EQ(token_response.status, 200) << token_response.body;
  EXPECT_EQ(token_response.headers.Get("Cache-Control"), "no-store");
  EXPECT_EQ(token_response.headers.Get("Pragma"), "no-cache");
  auto tokens = Body(token_response);
  EXPECT_EQ(tokens["token_type"], "Bearer");
  EXPECT_EQ(tokens["expires_in"], 3600);
  EXPECT_EQ(tokens["scope"], "openid profile email");
  ASSERT_TRUE(tokens["refresh_token"].is_string());
  std::string access_token = tokens["access_token"];

  // The ID token verifies against the published keys and states what was asked for.
  auto decoded = crypto::DecodeJws(tokens["id_token"].get<std::string>());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(crypto::VerifyJws(*decoded, keys_.VerificationKeys()).ok());
  EXPECT_EQ(decoded->header["alg"], "RS256");
  EXPECT_EQ(decoded->header["typ"], "JWT");
  auto& claims = decoded->payload;
  auto now = ToUnixSeconds(clock_.Now());
  EXPECT_EQ(claims["iss"], kTestIssuer);
  EXPECT_EQ(claims["sub"], "u-alice");
  EXPECT_EQ(claims["aud"], "app");
  EXPECT_EQ(claims["iat"], now);
  EXPECT_EQ(claims["exp"], now + 3600);
  EXPECT_EQ(claims["auth_time"], now);
  EXPECT_EQ(claims["nonce"], "n-1");
  EXPECT_EQ(claims["sid"], sid_);
  EXPECT_EQ(claims["at_hash"], AtHash(access_token));
  EXPECT_EQ(claims["name"], "Alice Liddell");
  EXPECT_EQ(claims["preferred_username"], "alice");
  EXPECT_EQ(claims["email"], "alice@example.com");

  // The client became a participant of the session.
  auto participants = store_->ListParticipants(sid_);
  ASSERT_TRUE(participants.ok());
  ASSERT_EQ(participants->size(), 1u);
  EXPECT_EQ((*participants)[0].client_id, "app");
  EXPECT_EQ((*participants)[0].protocol, "oidc");

  http::Request userinfo;
  userinfo.method = "GET";
  userinfo.target = "/userinfo";
  userinfo.headers.Add("Authorization", "Bearer " + access_token);
  auto info = router_.Dispatch(userinfo);
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.headers.Get("Cache-Control"), "no-store");
  EXPECT_EQ(Body(info), (json{{"sub", "u-alice"},
                              {"name", "Alice Liddell"},
                              {"preferred_username", "alice"},
                              {"email", "alice@example.com"}}));

  auto active = Introspect(access_token);
  EXPECT_EQ(active["active"], true);
  EXPECT_EQ(active["client_id"], "app");
  EXPECT_EQ(active["username"], "alice");
  EXPECT_EQ(active["sub"], "u-alice");
  EXPECT_EQ(active["sid"], sid_);
  EXPECT_EQ(active["token_type"], "Bearer");
  EXPECT_EQ(active["iss"], kTestIssuer);

  auto revoked =
      PostAsApp("/revoke", {{"token", access_token}, {"token_type_hint", "access_token"}});
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(Introspect(access_token), (json{{"active", false}}));
  EXPECT_EQ(router_.Dispatch(userinfo).status, 401);
}

TEST_F(ProviderTest, FormPostResponseMode) {
  auto params = AppAuthorize();
  params.Add("response_mode", "form_post");
  auto response = Get("/authorize?" + params.Encode(), Login());
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(response.headers.Get("Location").has_value());
  EXPECT_NE(response.body.find("action=\"https://app.example/cb\""), std::string::npos);
  EXPECT_NE(response.body.find("name=\"state\" value=\"st-1\""), std::string::npos);
  EXPECT_NE(response.body.find("name=\"code\""), std::string::npos);
  EXPECT_TRUE(response.headers.Get("Content-Security-Policy").has_value());
}

TEST_F(ProviderTest, PostAuthorizeIsAccepted) {
  auto cookie = Login();
  http::Request request;
  request.method = "POST";
  request.target = "/authorize";
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Add("Cookie", std::string(session::kSessionCookieName) + "=" + cookie);
  request.body = AppAuthorize().Encode();
  auto response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 302);
  EXPECT_TRUE(LocationParams(response).Get("code").has_value());
}

TEST_F(ProviderTest, UnregisteredRedirectUriIsNeverRedirected) {
  auto params = AppAuthorize();
  Params evil;
  for (const auto& [k, v] : params.items())
    evil.Add(k, k == "redirect_uri" ? "https://evil.example/cb" : v);
  auto response = Get("/authorize?" + evil.Encode(), Login());
  EXPECT_EQ(response.status, 400);
  EXPECT_FALSE(response.headers.Get("Location").has_value());
  EXPECT_NE(response.headers.Get("Content-Type")->find("text/html"), std::string::npos);
}

// Sign-in keeps the registrations it reads for ProviderSettings::client_cache_ttl, no longer.
TEST_F(ProviderTest, AClientRemovedElsewhereIsRefusedBySignInWithinTheCacheTtl) {
  Redeem(Code());  // /authorize and /token have read "app"
  ASSERT_TRUE(*store_->RemoveClient("app"));
  clock_.Advance(ProviderSettings{}.client_cache_ttl);
  EXPECT_EQ(Get("/authorize?" + AppAuthorize().Encode(), cookie_).status, 400);
  ExpectOAuthError(PostAsApp("/token", {{"grant_type", "client_credentials"}}), 401,
                   "invalid_client");
}

TEST_F(ProviderTest, UnknownClientAndMalformedQueryGetAnErrorPage) {
  auto unknown = Get("/authorize?client_id=nobody&redirect_uri=https%3A%2F%2Fapp.example%2Fcb");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_FALSE(unknown.headers.Get("Location").has_value());
  auto malformed = Get("/authorize?client_id=%zz");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_FALSE(malformed.headers.Get("Location").has_value());
}

TEST_F(ProviderTest, OtherAuthorizeErrorsAreRedirectedWithStateAndIss) {
  auto params = AppAuthorize();
  params.Add("response_type", "token");  // repeated
  auto response = Get("/authorize?" + params.Encode(), Login());
  EXPECT_EQ(response.status, 302);
  auto location = LocationParams(response);
  EXPECT_EQ(location.Get("error"), "invalid_request");
  EXPECT_EQ(location.Get("state"), "st-1");
  EXPECT_EQ(location.Get("iss"), kTestIssuer);
  EXPECT_EQ(response.headers.Get("Location")->rfind(kAppRedirect, 0), 0u);
}

TEST_F(ProviderTest, PromptNoneWithoutSessionIsLoginRequired) {
  auto params = AppAuthorize();
  params.Add("prompt", "none");
  auto response = Get("/authorize?" + params.Encode());
  EXPECT_EQ(response.status, 302);
  auto location = LocationParams(response);
  EXPECT_EQ(location.Get("error"), "login_required");
  EXPECT_EQ(location.Get("state"), "st-1");
  EXPECT_EQ(location.Get("iss"), kTestIssuer);
  EXPECT_FALSE(location.Get("code").has_value());
}

TEST_F(ProviderTest, NoSessionRedirectsToLogin) {
  auto params = AppAuthorize();
  params.Add("prompt", "login");
  auto response = Get("/authorize?" + params.Encode());
  EXPECT_EQ(response.status, 302);
  auto location = response.headers.Get("Location").value_or("");
  ASSERT_EQ(location.rfind("/login?", 0), 0u) << location;
  auto return_to = LocationParams(response).Get("return_to");
  EXPECT_EQ(return_to, "/authorize?" + AppAuthorize().Encode());

  // Following return_to with a fresh session completes without looping back to the login.
  auto resumed = Get(*return_to, Login());
  EXPECT_TRUE(LocationParams(resumed).Get("code").has_value());
}

TEST_F(ProviderTest, PromptLoginForcesLoginDespiteSession) {
  auto params = AppAuthorize();
  params.Add("prompt", "login");
  auto response = Get("/authorize?" + params.Encode(), Login());
  EXPECT_EQ(response.headers.Get("Location").value_or("").rfind("/login?", 0), 0u);
}

TEST_F(ProviderTest, MaxAgeForcesLogin) {
  auto cookie = Login();
  clock_.Advance(Seconds(120));
  auto params = AppAuthorize();
  params.Add("max_age", "60");
  auto response = Get("/authorize?" + params.Encode(), cookie);
  EXPECT_EQ(response.headers.Get("Location").value_or("").rfind("/login?", 0), 0u);

  Params generous = AppAuthorize();
  generous.Add("max_age", "600");
  auto allowed = Get("/authorize?" + generous.Encode(), cookie);
  EXPECT_TRUE(LocationParams(allowed).Get("code").has_value());
}

TEST_F(ProviderTest, ReplayedCodeIsRefusedAndRevokesItsTokens) {
  auto code = Code();
  auto first = Redeem(code);
  ASSERT_EQ(first.status, 200);
  std::string access_token = Body(first)["access_token"];
  std::string refresh_token = Body(first)["refresh_token"];
  EXPECT_EQ(Introspect(access_token)["active"], true);

  ExpectOAuthError(Redeem(code), 400, "invalid_grant");
  EXPECT_EQ(Introspect(access_token)["active"], false);
  EXPECT_EQ(Introspect(refresh_token)["active"], false);
}

TEST_F(ProviderTest, CodeIssuedBeforeSignOutIsNotRedeemedAfterIt) {
  auto code = Code();
  ASSERT_TRUE(sessions_.End(sid_, session::EndCause::kUserLogout).ok());
  ExpectOAuthError(Redeem(code), 400, "invalid_grant");
  EXPECT_TRUE(store_->ListParticipants(sid_)->empty());
}

TEST_F(ProviderTest, CodeOfASessionPastItsLifetimeIsNotRedeemed) {
  auto code = Code();
  // Not yet ended by the sweep, but no longer a session anyone may get tokens from.
  ASSERT_TRUE(store_->TouchSession(sid_, clock_.Now() - sessions_.policy().idle_timeout).ok());
  ExpectOAuthError(Redeem(code), 400, "invalid_grant");
}

TEST_F(ProviderTest, RefreshAfterSignOutIsRefusedButAnOfflineGrantLivesOn) {
  auto online = Body(Redeem(Code()));
  ASSERT_TRUE(store_->PutConsent({"u-alice", "app", "offline_access", clock_.Now()}).ok());
  auto offline = Body(Redeem(Code(OfflineAuthorize())));
  ASSERT_TRUE(sessions_.End(sid_, session::EndCause::kUserLogout).ok());

  ExpectOAuthError(PostAsApp("/token", {{"grant_type", "refresh_token"},
                                        {"refresh_token", online["refresh_token"]}}),
                   400, "invalid_grant");
  auto refreshed = PostAsApp(
      "/token", {{"grant_type", "refresh_token"}, {"refresh_token", offline["refresh_token"]}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  // The offline grant's new tokens claim no session: the ended one can never be revived.
  auto id_token = crypto::DecodeJws(Body(refreshed)["id_token"].get<std::string>());
  ASSERT_TRUE(id_token.ok());
  EXPECT_FALSE(id_token->payload.contains("sid"));
}

TEST_F(ProviderTest, RefreshOfASessionPastItsLifetimeIsRefused) {
  auto online = Body(Redeem(Code()));
  ASSERT_TRUE(store_->TouchSession(sid_, clock_.Now() - sessions_.policy().idle_timeout).ok());
  ExpectOAuthError(PostAsApp("/token", {{"grant_type", "refresh_token"},
                                        {"refresh_token", online["refresh_token"]}}),
                   400, "invalid_grant");
}

// OpenID Connect Core §11: offline_access is not granted without asking.
TEST_F(ProviderTest, OfflineAccessAsksForConsentRemembersItAndHonoursPromptConsent) {
  cookie_ = Login();
  const Params offline = OfflineAuthorize();
  auto asked = Get("/authorize?" + offline.Encode(), cookie_);
  ASSERT_EQ(asked.status, 302);
  auto to_consent = asked.headers.Get("Location").value_or("");
  ASSERT_EQ(to_consent.rfind("/consent?", 0), 0u) << to_consent;

  // prompt=none cannot ask: consent_required goes back to the client.
  Params silent = offline;
  silent.Add("prompt", "none");
  EXPECT_EQ(LocationParams(Get("/authorize?" + silent.Encode(), cookie_)).Get("error"),
            "consent_required");

  // The page asks; "Don't allow" continues without offline_access.
  http::Request page;
  page.method = "GET";
  page.target = to_consent;
  page.headers.Add("Cookie", std::string(session::kSessionCookieName) + "=" + cookie_ +
                                 "; gh_csrf=ccccccccccccccccccccccccccccccccccccccccccc");
  auto shown = router_.Dispatch(page);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_NE(shown.body.find("Allow offline access?"), std::string::npos);
  http::Response unused;
  auto answer = [&](const char* decision) {
    http::Request post = page;
    post.method = "POST";
    post.target = "/consent";
    post.headers.Add("Content-Type", "application/x-www-form-urlencoded");
    post.body = Params{
        {"csrf_token", csrf_.Issue(page, unused)},
        {"request", offline.Encode()},
        {"decision",
         decision}}.Encode();
    return router_.Dispatch(post);
  };
  auto denied = answer("deny");
  ASSERT_EQ(denied.status, 303);
  auto resumed = denied.headers.Get("Location").value_or("");
  EXPECT_EQ(resumed.find("offline_access"), std::string::npos) << resumed;
  EXPECT_FALSE(store_->FindConsent("u-alice", "app")->has_value());

  auto allowed = answer("allow");
  ASSERT_EQ(allowed.status, 303);
  EXPECT_TRUE(store_->FindConsent("u-alice", "app")->has_value());
  auto code = Get(allowed.headers.Get("Location").value_or(""), cookie_);
  ASSERT_EQ(code.status, 302);
  EXPECT_TRUE(LocationParams(code).Get("code").has_value());
  // Remembered: the next request goes straight through, unless prompt=consent asks again.
  EXPECT_TRUE(LocationParams(Get("/authorize?" + offline.Encode(), cookie_)).Get("code"));
  Params again = offline;
  again.Add("prompt", "consent");
  EXPECT_EQ(
      Get("/authorize?" + again.Encode(), cookie_).headers.Get("Location")->rfind("/consent?", 0),
      0u);
}

// Core §3.1.2.1: a relying party's prompt=none recheck with its user's ID token must not be
// answered for whoever else is signed in now.
TEST_F(ProviderTest, PromptNoneWithAHintOfAnotherUserIsLoginRequired) {
  cookie_ = Login();
  auto hint_for = [&](const char* sub) {
    nlohmann::json claims = {{"iss", kTestIssuer},
                             {"sub", sub},
                             {"aud", "app"},
                             {"iat", ToUnixSeconds(clock_.Now())},
                             {"exp", ToUnixSeconds(clock_.Now()) + 60}};
    return *crypto::SignJwt(*keys_.Active(crypto::JwsAlg::kRS256), claims);
  };
  auto recheck = [&](const std::string& hint) {
    Params params = AppAuthorize();
    params.Add("prompt", "none");
    params.Add("id_token_hint", hint);
    return LocationParams(Get("/authorize?" + params.Encode(), cookie_));
  };
  EXPECT_TRUE(recheck(hint_for("u-alice")).Get("code").has_value());
  EXPECT_EQ(recheck(hint_for("u-bob")).Get("error"), "login_required");
  EXPECT_EQ(recheck("not-a-token").Get("error"), "login_required");
}

TEST_F(ProviderTest, WrongVerifierIsInvalidGrant) {
  ExpectOAuthError(Redeem(Code(), std::string(43, 'x')), 400, "invalid_grant");
}

TEST_F(ProviderTest, ExpiredCodeIsInvalidGrant) {
  auto code = Code();
  clock_.Advance(Seconds(61));
  ExpectOAuthError(Redeem(code), 400, "invalid_grant");
}

TEST_F(ProviderTest, RedirectUriMustMatchAtTheTokenEndpoint) {
  auto response = PostAsApp("/token", {{"grant_type", "authorization_code"},
                                       {"code", Code()},
                                       {"redirect_uri", "https://app.example/cb/"},
                                       {"code_verifier", kVerifier}});
  ExpectOAuthError(response, 400, "invalid_grant");
}

TEST_F(ProviderTest, WrongClientSecretIsInvalidClient) {
  auto code = Code();
  Params form{{"grant_type", "authorization_code"},
              {"code", code},
              {"redirect_uri", kAppRedirect},
              {"code_verifier", kVerifier}};
  auto basic = Post("/token", form.Encode(), BasicAuth("app", "wrong"));
  ExpectOAuthError(basic, 401, "invalid_client");
  EXPECT_EQ(basic.headers.Get("WWW-Authenticate"), "Basic realm=\"gatehouse\"");

  Params post = form;
  post.Add("client_id", "app");
  post.Add("client_secret", "wrong");
  auto body = Post("/token", post.Encode());
  ExpectOAuthError(body, 401, "invalid_client");
  EXPECT_FALSE(body.headers.Get("WWW-Authenticate").has_value());

  // The failed attempts did not burn the code.
  EXPECT_EQ(Redeem(code).status, 200);
}

TEST_F(ProviderTest, ClientSecretPostWorks) {
  Params form{
      {"grant_type", "authorization_code"}, {"code", Code()},     {"redirect_uri", kAppRedirect},
      {"code_verifier", kVerifier},         {"client_id", "app"}, {"client_secret", kSecret}};
  EXPECT_EQ(Post("/token", form.Encode()).status, 200);
}

TEST_F(ProviderTest, BasicAndPostTogetherIsInvalidRequest) {
  Params form{{"grant_type", "client_credentials"}, {"client_secret", kSecret}};
  ExpectOAuthError(Post("/token", form.Encode(), BasicAuth("app", kSecret)), 400,
                   "invalid_request");
}

TEST_F(ProviderTest, MalformedTokenRequestsAreInvalidRequest) {
  ExpectOAuthError(Post("/token", "grant_type=client_credentials&x=%zz", BasicAuth("app", kSecret)),
                   400, "invalid_request");
  ExpectOAuthError(Post("/token", "{\"grant_type\":\"client_credentials\"}",
                        BasicAuth("app", kSecret), "application/json"),
                   400, "invalid_request");
  ExpectOAuthError(Post("/token", "grant_type=client_credentials&grant_type=refresh_token",
                        BasicAuth("app", kSecret)),
                   400, "invalid_request");
  ExpectOAuthError(PostAsApp("/token", {{"grant_type", "password"}}), 400,
                   "unsupported_grant_type");
  ExpectOAuthError(Post("/token", std::string(100000, '&'), BasicAuth("app", kSecret)), 400,
                   "invalid_request");
}

TEST_F(ProviderTest, RefreshRotatesAndDetectsReuse) {
  auto first = Body(Redeem(Code()));
  std::string refresh1 = first["refresh_token"];
  clock_.Advance(Seconds(10));

  auto second = PostAsApp("/token", {{"grant_type", "refresh_token"}, {"refresh_token", refresh1}});
  ASSERT_EQ(second.status, 200) << second.body;
  auto rotated = Body(second);
  std::string refresh2 = rotated["refresh_token"];
  EXPECT_NE(refresh2, refresh1);
  EXPECT_EQ(rotated["scope"], "openid profile email");
  auto id_token = crypto::DecodeJws(rotated["id_token"].get<std::string>());
  ASSERT_TRUE(id_token.ok());
  EXPECT_EQ(id_token->payload["auth_time"], ToUnixSeconds(clock_.Now()) - 10);
  EXPECT_FALSE(id_token->payload.contains("nonce"));
  EXPECT_EQ(Introspect(refresh1)["active"], false);
  EXPECT_EQ(Introspect(refresh2)["active"], true);

  // The old refresh token coming back revokes the whole grant.
  ExpectOAuthError(
      PostAsApp("/token", {{"grant_type", "refresh_token"}, {"refresh_token", refresh1}}), 400,
      "invalid_grant");
  EXPECT_EQ(Introspect(refresh2)["active"], false);
  EXPECT_EQ(Introspect(rotated["access_token"])["active"], false);
}

TEST_F(ProviderTest, RefreshScopeMayOnlyNarrow) {
  std::string refresh = Body(Redeem(Code()))["refresh_token"];
  auto narrowed = PostAsApp(
      "/token",
      {{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"scope", "openid email"}});
  ASSERT_EQ(narrowed.status, 200);
  EXPECT_EQ(Body(narrowed)["scope"], "openid email");
  // The new refresh token keeps the original grant (RFC 6749 §6).
  EXPECT_EQ(Introspect(Body(narrowed)["refresh_token"])["scope"], "openid profile email");

  std::string refresh2 = Body(narrowed)["refresh_token"];
  ExpectOAuthError(PostAsApp("/token", {{"grant_type", "refresh_token"},
                                        {"refresh_token", refresh2},
                                        {"scope", "openid offline_access"}}),
                   400, "invalid_scope");
}

TEST_F(ProviderTest, RefreshTokenOfAnotherClientIsInvalidGrant) {
  std::string refresh = Body(Redeem(Code()))["refresh_token"];
  auto response =
      Post("/token",
           Params{{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"client_id", "spa"}}
               .Encode());
  ExpectOAuthError(response, 400, "invalid_grant");
}

TEST_F(ProviderTest, PublicClientFlow) {
  Params params{{"response_type", "code"},      {"client_id", "spa"},
                {"redirect_uri", kSpaRedirect}, {"scope", "openid"},
                {"code_challenge", kChallenge}, {"code_challenge_method", "S256"}};
  auto code = Code(params);
  auto response = Post("/token", Params{{"grant_type", "authorization_code"},
                                        {"code", code},
                                        {"redirect_uri", kSpaRedirect},
                                        {"code_verifier", kVerifier},
                                        {"client_id", "spa"}}
                                     .Encode());
  ASSERT_EQ(response.status, 200) << response.body;
  auto id_token = crypto::DecodeJws(Body(response)["id_token"].get<std::string>());
  ASSERT_TRUE(id_token.ok());
  EXPECT_EQ(id_token->header["alg"], "ES256");
  EXPECT_TRUE(crypto::VerifyJws(*id_token, keys_.VerificationKeys()).ok());
  EXPECT_FALSE(id_token->payload.contains("nonce"));
}

TEST_F(ProviderTest, PublicClientWithoutPkceIsRefused) {
  Params params{{"response_type", "code"},
                {"client_id", "spa"},
                {"redirect_uri", kSpaRedirect},
                {"scope", "openid"},
                {"state", "s"}};
  auto response = Get("/authorize?" + params.Encode(), Login());
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(LocationParams(response).Get("error"), "invalid_request");
  EXPECT_EQ(LocationParams(response).Get("state"), "s");
}

}  // namespace
}  // namespace gh::oidc
