#include "oidc/end_session_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/jws.h"

namespace gh::oidc {
namespace {

using nlohmann::json;

constexpr char kIssuer[] = "https://id.example";

class EndSessionRequestTest : public ::testing::Test {
 protected:
  EndSessionRequestTest()
      : ours_(*crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k1")),
        // Same kid as ours: only the signature tells them apart.
        foreign_(*crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k1")) {
    keys_.push_back(*crypto::VerificationKey::FromJwk(ours_.PublicJwk()));
  }

  static json Claims() {
    // Expired an hour before it is used: RP-Initiated Logout §2 asks OPs to accept that.
    return {{"iss", kIssuer}, {"sub", "u-alice"}, {"aud", "app"},
            {"sid", "sid-1"}, {"iat", 1000},      {"exp", 1600}};
  }
  std::string Hint(const json& claims, bool foreign = false, std::string_view typ = "JWT") {
    return *crypto::SignJwt(foreign ? foreign_ : ours_, claims, typ);
  }
  EndSessionRequest Parse(const Params& params) {
    auto parsed = ParseEndSessionRequest(params, kIssuer, keys_);
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? *parsed : EndSessionRequest{};
  }

  crypto::SigningKey ours_;
  crypto::SigningKey foreign_;
  std::vector<crypto::VerificationKey> keys_;
};

store::ClientRecord App() {
  store::ClientRecord app;
  app.id = "app";
  app.post_logout_redirect_uris = {"https://app.example/bye"};
  return app;
}

store::SessionRecord Session(std::string sid = "sid-1", std::string user = "u-alice") {
  store::SessionRecord s;
  s.sid = std::move(sid);
  s.user_id = std::move(user);
  return s;
}

TEST_F(EndSessionRequestTest, ExpiredHintOfOursIdentifiesClientAndSession) {
  auto r = Parse({{"id_token_hint", Hint(Claims())}, {"state", "st"}, {"ui_locales", "de en"}});
  ASSERT_TRUE(r.hint.has_value());
  EXPECT_EQ(r.problem, "");
  EXPECT_EQ(r.client_id, "app");
  EXPECT_EQ(r.hint->sid, "sid-1");
  EXPECT_EQ(r.hint->sub, "u-alice");
  EXPECT_EQ(r.state, "st");
  EXPECT_EQ(r.ui_locales, "de en");
}

TEST_F(EndSessionRequestTest, HintSignedByAForeignKeyIsRejected) {
  auto r = Parse({{"id_token_hint", Hint(Claims(), /*foreign=*/true)}});
  EXPECT_FALSE(r.hint.has_value());
  EXPECT_FALSE(r.client_id.has_value());
  EXPECT_NE(r.problem, "");
}

TEST_F(EndSessionRequestTest, HintFromAnotherIssuerIsRejected) {
  auto claims = Claims();
  claims["iss"] = "https://evil.example";
  auto r = Parse({{"id_token_hint", Hint(claims)}});
  EXPECT_FALSE(r.hint.has_value());
  EXPECT_NE(r.problem, "");
}

TEST_F(EndSessionRequestTest, LogoutTokensAndGarbageAreNotIdTokens) {
  auto logout = Claims();
  logout["events"] = {{"http://schemas.openid.net/event/backchannel-logout", json::object()}};
  EXPECT_FALSE(Parse({{"id_token_hint", Hint(logout)}}).hint.has_value());
  EXPECT_FALSE(Parse({{"id_token_hint", Hint(Claims(), false, "logout+jwt")}}).hint.has_value());
  EXPECT_FALSE(Parse({{"id_token_hint", "not.a.jwt"}}).hint.has_value());
}

TEST_F(EndSessionRequestTest, ClientIdMustBeTheHintsAudience) {
  auto mismatch = Parse({{"id_token_hint", Hint(Claims())}, {"client_id", "other"}});
  EXPECT_FALSE(mismatch.hint.has_value());
  EXPECT_FALSE(mismatch.client_id.has_value());
  EXPECT_NE(mismatch.problem, "");

  auto same = Parse({{"id_token_hint", Hint(Claims())}, {"client_id", "app"}});
  EXPECT_EQ(same.problem, "");
  EXPECT_EQ(same.client_id, "app");

  auto claims = Claims();
  claims["aud"] = {"app", "api"};
  claims["azp"] = "app";
  auto array = Parse({{"id_token_hint", Hint(claims)}, {"client_id", "app"}});
  EXPECT_EQ(array.problem, "");
  EXPECT_EQ(array.client_id, "app");
  EXPECT_NE(Parse({{"id_token_hint", Hint(claims)}, {"client_id", "mail"}}).problem, "");
}

TEST_F(EndSessionRequestTest, SeveralAudiencesWithoutAzpIdentifyNoClient) {
  auto claims = Claims();
  claims["aud"] = {"app", "api"};
  EXPECT_FALSE(Parse({{"id_token_hint", Hint(claims)}}).hint.has_value());
}

TEST_F(EndSessionRequestTest, RepeatedParametersAreRefused) {
  EXPECT_FALSE(ParseEndSessionRequest({{"state", "a"}, {"state", "b"}}, kIssuer, keys_).ok());
}

TEST_F(EndSessionRequestTest, OnlyARegisteredUriOfTheIdentifiedClientIsARedirect) {
  auto with_uri = [&](std::string uri, bool hint = true) {
    Params p{{"post_logout_redirect_uri", uri}};
    p.Add(hint ? "id_token_hint" : "client_id", hint ? Hint(Claims()) : "app");
    return Parse(p);
  };
  EXPECT_EQ(DecidePostLogoutRedirect(with_uri("https://app.example/bye"), App()).uri,
            "https://app.example/bye");
  // client_id alone identifies the client well enough for a registered URI (§3).
  EXPECT_EQ(DecidePostLogoutRedirect(with_uri("https://app.example/bye", false), App()).uri,
            "https://app.example/bye");

  for (const char* other : {"https://evil.example/", "https://app.example/bye/",
                            "https://app.example/bye?x=1", "HTTPS://app.example/bye"}) {
    auto decision = DecidePostLogoutRedirect(with_uri(other), App());
    EXPECT_FALSE(decision.uri.has_value()) << other;
    EXPECT_NE(decision.refusal, "") << other;
  }
  // Without an identified client the URI is ignored.
  auto anonymous = Parse({{"post_logout_redirect_uri", "https://app.example/bye"}});
  EXPECT_FALSE(DecidePostLogoutRedirect(anonymous, std::nullopt).uri.has_value());
  // After a failed validation, never.
  auto foreign = Parse({{"id_token_hint", Hint(Claims(), true)},
                        {"client_id", "app"},
                        {"post_logout_redirect_uri", "https://app.example/bye"}});
  EXPECT_FALSE(DecidePostLogoutRedirect(foreign, App()).uri.has_value());
}

TEST_F(EndSessionRequestTest, ConfirmationUnlessTheHintIsOfThisSession) {
  EXPECT_FALSE(NeedsConfirmation(Parse({{"id_token_hint", Hint(Claims())}}), Session()));
  EXPECT_TRUE(NeedsConfirmation(Parse({{"client_id", "app"}}), Session()));
  EXPECT_TRUE(NeedsConfirmation(Parse({}), Session()));
  EXPECT_TRUE(NeedsConfirmation(Parse({{"id_token_hint", Hint(Claims())}}), Session("sid-2")));
  EXPECT_TRUE(
      NeedsConfirmation(Parse({{"id_token_hint", Hint(Claims())}}), Session("sid-1", "u-bob")));
  auto no_sid = Claims();
  no_sid.erase("sid");
  EXPECT_TRUE(NeedsConfirmation(Parse({{"id_token_hint", Hint(no_sid)}}), Session()));
  EXPECT_TRUE(NeedsConfirmation(Parse({{"id_token_hint", Hint(Claims(), true)}}), Session()));
}

}  // namespace
}  // namespace gh::oidc
