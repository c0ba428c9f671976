#include "oidc/authorize_request.h"

#include <gtest/gtest.h>

namespace gh::oidc {
namespace {

constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
constexpr char kRedirect[] = "https://app.example/cb";

store::ClientRecord Client(bool is_public = false) {
  store::ClientRecord client;
  client.id = "app";
  if (!is_public) client.secret_hash = "hash";
  client.redirect_uris = {kRedirect, "https://app.example/other"};
  return client;
}

Params Valid() {
  return {{"response_type", "code"},        {"client_id", "app"}, {"redirect_uri", kRedirect},
          {"scope", "openid profile"},      {"state", "xyz"},     {"code_challenge", kChallenge},
          {"code_challenge_method", "S256"}};
}

Params With(std::string name, std::string value) {
  Params out;
  bool replaced = false;
  const Params valid = Valid();
  for (const auto& [k, v] : valid.items()) {
    if (k == name) {
      out.Add(k, value);
      replaced = true;
    } else {
      out.Add(k, v);
    }
  }
  if (!replaced) out.Add(name, value);
  return out;
}

Params Without(std::string_view name) {
  Params out;
  const Params valid = Valid();
  for (const auto& [k, v] : valid.items())
    if (k != name) out.Add(k, v);
  return out;
}

OAuthErrorCode ErrorOf(const Params& params, bool is_public = false) {
  auto r = ParseAuthorizeRequest(params, Client(is_public));
  EXPECT_FALSE(r.ok());
  return r.ok() ? OAuthErrorCode::kServerError : r.error().code;
}

TEST(AuthorizeRequest, AcceptsAValidRequest) {
  auto r = ParseAuthorizeRequest(With("nonce", "n-1"), Client());
  ASSERT_TRUE(r.ok()) << r.error().description;
  EXPECT_EQ(r->client_id, "app");
  EXPECT_EQ(r->target.redirect_uri, kRedirect);
  EXPECT_EQ(r->target.state, "xyz");
  EXPECT_EQ(r->target.mode, ResponseMode::kQuery);
  EXPECT_EQ(r->scope, "openid profile");
  EXPECT_EQ(r->nonce, "n-1");
  EXPECT_EQ(r->code_challenge, kChallenge);
  EXPECT_FALSE(r->max_age.has_value());
}

TEST(AuthorizeRequest, ClientAndRedirectAreRequiredAndSingle) {
  EXPECT_FALSE(ParseClientRedirect(Without("client_id")).ok());
  EXPECT_FALSE(ParseClientRedirect(Without("redirect_uri")).ok());
  auto repeated = Valid();
  repeated.Add("redirect_uri", "https://evil.example/cb");
  EXPECT_FALSE(ParseClientRedirect(repeated).ok());
  auto ok = ParseClientRedirect(Valid());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->client_id, "app");
  EXPECT_EQ(ok->redirect_uri, kRedirect);
}

TEST(AuthorizeRequest, RedirectUriMatchesExactly) {
  EXPECT_TRUE(IsRegisteredRedirectUri(Client(), kRedirect));
  EXPECT_FALSE(IsRegisteredRedirectUri(Client(), "https://app.example/cb/"));
  EXPECT_FALSE(IsRegisteredRedirectUri(Client(), "https://app.example/cb?x=1"));
  EXPECT_FALSE(IsRegisteredRedirectUri(Client(), "https://APP.example/cb"));
  EXPECT_FALSE(IsRegisteredRedirectUri(Client(), "https://app.example/c"));
}

TEST(AuthorizeRequest, ErrorTargetCarriesStateAndResponseMode) {
  auto target = ErrorResponseTarget(With("response_mode", "form_post"), kRedirect);
  EXPECT_EQ(target.mode, ResponseMode::kFormPost);
  EXPECT_EQ(target.state, "xyz");
  EXPECT_EQ(ErrorResponseTarget(With("response_mode", "fragment"), kRedirect).mode,
            ResponseMode::kQuery);
  EXPECT_FALSE(ErrorResponseTarget(Without("state"), kRedirect).state.has_value());
}

TEST(AuthorizeRequest, RepeatedParameterIsInvalidRequest) {
  auto params = Valid();
  params.Add("state", "again");
  EXPECT_EQ(ErrorOf(params), OAuthErrorCode::kInvalidRequest);
}

TEST(AuthorizeRequest, ResponseTypeMustBeCode) {
  EXPECT_EQ(ErrorOf(With("response_type", "token")), OAuthErrorCode::kUnsupportedResponseType);
  EXPECT_EQ(ErrorOf(With("response_type", "code id_token")),
            OAuthErrorCode::kUnsupportedResponseType);
  EXPECT_EQ(ErrorOf(Without("response_type")), OAuthErrorCode::kInvalidRequest);
}

TEST(AuthorizeRequest, OnlyAClientRegisteredForTheCodeGrantMayAskForACode) {
  store::ClientRecord service = Client();
  service.grant_types = {"client_credentials", "refresh_token"};
  auto r = ParseAuthorizeRequest(Valid(), service);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kUnauthorizedClient);
  service.grant_types = {"authorization_code"};
  EXPECT_TRUE(ParseAuthorizeRequest(Valid(), service).ok());
}

TEST(AuthorizeRequest, ResponseModeIsQueryOrFormPost) {
  EXPECT_EQ(ParseAuthorizeRequest(With("response_mode", "form_post"), Client())->target.mode,
            ResponseMode::kFormPost);
  EXPECT_EQ(ParseAuthorizeRequest(With("response_mode", "query"), Client())->target.mode,
            ResponseMode::kQuery);
  EXPECT_EQ(ErrorOf(With("response_mode", "fragment")), OAuthErrorCode::kInvalidRequest);
}

TEST(AuthorizeRequest, ScopeMustIncludeOpenId) {
  EXPECT_EQ(ErrorOf(With("scope", "profile email")), OAuthErrorCode::kInvalidScope);
  EXPECT_EQ(ErrorOf(Without("scope")), OAuthErrorCode::kInvalidScope);
  EXPECT_EQ(ErrorOf(With("scope", "openidx")), OAuthErrorCode::kInvalidScope);
}

TEST(AuthorizeRequest, UnknownScopesAreDropped) {
  auto r =
      ParseAuthorizeRequest(With("scope", "admin openid  email offline_access openid x"), Client());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scope, "openid email offline_access");
}

TEST(AuthorizeRequest, OfflineAccessIsDroppedForAClientNeverGivenARefreshToken) {
  store::ClientRecord web = Client();
  web.grant_types = {"authorization_code"};
  auto r = ParseAuthorizeRequest(With("scope", "openid offline_access email"), web);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scope, "openid email");
}

TEST(AuthorizeRequest, PkceRules) {
  EXPECT_EQ(ErrorOf(With("code_challenge_method", "plain")), OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ErrorOf(Without("code_challenge_method")), OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ErrorOf(With("code_challenge", "tooshort")), OAuthErrorCode::kInvalidRequest);
  Params no_pkce;
  const Params without_challenge = Without("code_challenge");
  for (const auto& [k, v] : without_challenge.items())
    if (k != "code_challenge_method") no_pkce.Add(k, v);
  EXPECT_TRUE(ParseAuthorizeRequest(no_pkce, Client()).ok());
  EXPECT_EQ(ErrorOf(no_pkce, /*is_public=*/true), OAuthErrorCode::kInvalidRequest);
  EXPECT_TRUE(ParseAuthorizeRequest(Valid(), Client(true)).ok());
}

TEST(AuthorizeRequest, PromptValues) {
  auto r = ParseAuthorizeRequest(With("prompt", "login consent select_account"), Client());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->prompt.login);
  EXPECT_TRUE(r->prompt.consent);
  EXPECT_TRUE(r->prompt.select_account);
  EXPECT_FALSE(r->prompt.none);
  EXPECT_TRUE(ParseAuthorizeRequest(With("prompt", "none"), Client())->prompt.none);
  EXPECT_EQ(ErrorOf(With("prompt", "none login")), OAuthErrorCode::kInvalidRequest);
  EXPECT_EQ(ErrorOf(With("prompt", "create")), OAuthErrorCode::kInvalidRequest);
}

TEST(AuthorizeRequest, MaxAgeIsANonNegativeInteger) {
  EXPECT_EQ(ParseAuthorizeRequest(With("max_age", "0"), Client())->max_age, Seconds(0));
  EXPECT_EQ(ParseAuthorizeRequest(With("max_age", "300"), Client())->max_age, Seconds(300));
  EXPECT_TRUE(ParseAuthorizeRequest(With("max_age", "99999999999999999"), Client()).ok());
  for (auto bad : {"-1", "+5", "1.5", "abc", "5s", " 5", "99999999999999999999999"})
    EXPECT_EQ(ErrorOf(With("max_age", bad)), OAuthErrorCode::kInvalidRequest) << bad;
}

TEST(AuthorizeRequest, UnsupportedRequestObjectsAreNamed) {
  EXPECT_EQ(ErrorOf(With("request", "eyJ...")), OAuthErrorCode::kRequestNotSupported);
  EXPECT_EQ(ErrorOf(With("request_uri", "urn:x")), OAuthErrorCode::kRequestUriNotSupported);
  EXPECT_EQ(ErrorOf(With("registration", "{}")), OAuthErrorCode::kRegistrationNotSupported);
}

TEST(AuthorizeRequest, NonceIsOptional) {
  EXPECT_FALSE(ParseAuthorizeRequest(Valid(), Client())->nonce.has_value());
}

AuthorizeRequest Request(std::string prompt = "", std::optional<Seconds> max_age = {}) {
  auto params = prompt.empty() ? Valid() : With("prompt", prompt);
  auto r = ParseAuthorizeRequest(params, Client());
  EXPECT_TRUE(r.ok());
  r->max_age = max_age;
  return *r;
}

TEST(AuthorizeRequest, LoginDecision) {
  auto now = FromUnixSeconds(1'000'000);
  auto recent = now - Seconds(10);
  EXPECT_EQ(DecideLogin(Request(), recent, now), LoginDecision::kProceed);
  EXPECT_EQ(DecideLogin(Request(), std::nullopt, now), LoginDecision::kShowLogin);
  EXPECT_EQ(DecideLogin(Request("none"), std::nullopt, now), LoginDecision::kLoginRequired);
  EXPECT_EQ(DecideLogin(Request("none"), recent, now), LoginDecision::kProceed);
  EXPECT_EQ(DecideLogin(Request("login"), recent, now), LoginDecision::kShowLogin);
  EXPECT_EQ(DecideLogin(Request("consent"), recent, now), LoginDecision::kProceed);
  EXPECT_EQ(DecideLogin(Request("", Seconds(10)), recent, now), LoginDecision::kProceed);
  EXPECT_EQ(DecideLogin(Request("", Seconds(9)), recent, now), LoginDecision::kShowLogin);
  EXPECT_EQ(DecideLogin(Request("none", Seconds(9)), recent, now), LoginDecision::kLoginRequired);
}

TEST(AuthorizeRequest, ResumePathDropsOnlyPromptLogin) {
  Params params{{"client_id", "app"}, {"prompt", "login consent"}, {"state", "a b&c"}};
  EXPECT_EQ(ResumeAfterLoginPath(params),
            "/authorize?client_id=app&prompt=consent&state=a%20b%26c");
  Params only_login{{"client_id", "app"}, {"prompt", "login"}};
  EXPECT_EQ(ResumeAfterLoginPath(only_login), "/authorize?client_id=app");
}

TEST(AuthorizeRequest, ResumePathDropsMaxAgeSoAFreshLoginSatisfiesIt) {
  Params params{{"client_id", "app"}, {"max_age", "0"}, {"state", "s"}, {"id_token_hint", "h"}};
  EXPECT_EQ(ResumeAfterLoginPath(params), "/authorize?client_id=app&state=s");
}

TEST(AuthorizeRequest, AHintNamingAnotherUserNeedsALogin) {
  auto now = FromUnixSeconds(1'000'000);
  auto recent = now - Seconds(10);
  EXPECT_EQ(DecideLogin(Request(), recent, now, /*hint_names_another_user=*/true),
            LoginDecision::kShowLogin);
  EXPECT_EQ(DecideLogin(Request("none"), recent, now, true), LoginDecision::kLoginRequired);
}

// OpenID Connect Core §11: offline_access only with the end-user's consent.
TEST(AuthorizeRequest, ConsentDecision) {
  auto offline = [](std::string prompt) {
    auto r = Request(prompt);
    r.scope = "openid offline_access";
    return r;
  };
  EXPECT_EQ(DecideConsent(Request(), false), ConsentDecision::kProceed);
  EXPECT_EQ(DecideConsent(offline(""), false), ConsentDecision::kAsk);
  EXPECT_EQ(DecideConsent(offline(""), true), ConsentDecision::kProceed);
  EXPECT_EQ(DecideConsent(offline("consent"), true), ConsentDecision::kAsk);
  EXPECT_EQ(DecideConsent(offline("none"), false), ConsentDecision::kConsentRequired);
  EXPECT_EQ(DecideConsent(offline("none"), true), ConsentDecision::kProceed);
}

TEST(AuthorizeRequest, ResumeAfterConsentDropsPromptConsentAndOfflineWhenRefused) {
  Params params{{"client_id", "app"},
                {"scope", "openid offline_access email"},
                {"prompt", "consent"},
                {"max_age", "0"}};
  EXPECT_EQ(ResumeAfterConsentPath(params, true),
            "/authorize?client_id=app&scope=openid%20offline_access%20email");
  EXPECT_EQ(ResumeAfterConsentPath(params, false), "/authorize?client_id=app&scope=openid%20email");
}

}  // namespace
}  // namespace gh::oidc
