#include "rp/rp_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/base64url.h"
#include "oidc/id_token.h"
#include "oidc/pkce.h"
#include "rp/fake_op_test_support.h"
#include "support/browser_requests.h"

namespace gh::rp {
namespace {

using namespace testing;  // NOLINT: the fake OP's names
using gh::testing::Get;
using gh::testing::PostForm;
using gh::testing::QueryOf;
using gh::testing::SetCookie;
using nlohmann::json;

constexpr char kCallback[] = "https://app.example/callback";
constexpr char kSignedOut[] = "https://app.example/signed-out";

RpConfig Config() {
  RpConfig config;
  config.issuer = kIssuer;
  config.client_id = kClientId;
  config.client_secret = "s3cret";
  config.redirect_uri = kCallback;
  config.post_logout_redirect_uri = kSignedOut;
  return config;
}

// A sign-in the browser has started: what the authorization request carried.
struct Started {
  Params authorize;
  std::string binding;  // the browser-binding cookie's value
  std::string state() const { return *authorize.Get("state"); }
  std::string nonce() const { return *authorize.Get("nonce"); }
};

class RpClientTest : public ::testing::Test {
 protected:
  explicit RpClientTest(RpConfig config = Config())
      : rp_(std::move(config), op_, sessions_, once_, clock_, random_) {}

  Started StartLogin(std::string target = "/login?return_to=/inbox", std::string cookies = "") {
    http::Response response = rp_.Login(Get(std::move(target), std::move(cookies)));
    EXPECT_EQ(response.status, 302);
    auto location = response.headers.Get("Location").value_or("");
    EXPECT_TRUE(location.starts_with("https://id.example/authorize?")) << location;
    return {QueryOf(location), SetCookie(response, "gh_rp_session_login").value_or("")};
  }

  // Makes the OP's token endpoint answer with an ID token of `claims`.
  void TokenEndpointReturns(const json& claims, const std::string& access_token = "at-1") {
    op_.token_response = {
        {"access_token", access_token}, {"token_type", "Bearer"}, {"id_token", Sign(claims)}};
  }

  http::Response Callback(const Started& started,
                          std::string extra = "&code=c1&iss=" +
                                              std::string("https%3A%2F%2Fid.example")) {
    return rp_.Callback(Get("/callback?state=" + started.state() + extra,
                            "gh_rp_session_login=" + started.binding));
  }

  // A complete sign-in; returns the session cookie.
  std::string SignIn(std::string sub = "alice", std::string sid = "sid-1") {
    Started started = StartLogin();
    TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce(), sub, sid));
    http::Response response = Callback(started,
                                       "&code=c1&iss=https%3A%2F%2Fid.example"
                                       "&session_state=ss-" +
                                           sid);
    EXPECT_EQ(response.status, 302);
    return SetCookie(response, "gh_rp_session").value_or("");
  }

  bool Live(const std::string& cookie) {
    return rp_.CurrentSession(Get("/", "gh_rp_session=" + cookie)).has_value();
  }

  FakeClock clock_;
  SystemRandom random_;
  FakeOp op_;
  InMemoryAppSessionStore sessions_{clock_};
  InMemoryOneTimeStore once_{clock_};
  RpClient rp_;
};

// --- Sign-in ---------------------------------------------------------------------------------

TEST_F(RpClientTest, LoginSendsCodeFlowWithPkceStateAndNonce) {
  Started started = StartLogin();
  const Params& q = started.authorize;
  EXPECT_EQ(q.Get("response_type"), "code");
  EXPECT_EQ(q.Get("client_id"), kClientId);
  EXPECT_EQ(q.Get("redirect_uri"), kCallback);
  EXPECT_EQ(q.Get("scope"), "openid profile email");
  EXPECT_EQ(q.Get("code_challenge_method"), "S256");
  EXPECT_TRUE(oidc::IsWellFormedS256Challenge(q.Get("code_challenge").value_or("")));
  EXPECT_EQ(q.Get("state")->size(), 43u);
  EXPECT_EQ(q.Get("nonce")->size(), 43u);
  EXPECT_FALSE(q.Get("prompt"));
  EXPECT_EQ(started.binding.size(), 43u);
}

TEST_F(RpClientTest, CallbackSignsInAndExchangesTheCodeWithBasicAuthAndTheVerifier) {
  Started started = StartLogin();
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  http::Response response =
      Callback(started, "&code=c1&iss=https%3A%2F%2Fid.example&session_state=abc.salt");
  ASSERT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.Get("Location"), "/inbox");
  auto cookie = SetCookie(response, "gh_rp_session");
  ASSERT_TRUE(cookie);
  auto header = response.headers.GetAll("Set-Cookie");
  EXPECT_NE(header.front().find("HttpOnly"), std::string::npos);
  EXPECT_NE(header.front().find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(header.front().find("Secure"), std::string::npos);  // https redirect_uri

  auto session = rp_.CurrentSession(Get("/", "gh_rp_session=" + *cookie));
  ASSERT_TRUE(session);
  EXPECT_EQ(session->sub, "alice");
  EXPECT_EQ(session->sid, "sid-1");
  EXPECT_EQ(session->session_state, "abc.salt");
  EXPECT_EQ(StringClaim(*session, "email"), "alice@example.com");
  EXPECT_NE(session->id, *cookie);  // stored by hash

  ASSERT_EQ(op_.Count(kTokenUrl), 1);
  const auto& token_request = *std::find_if(op_.requests.begin(), op_.requests.end(),
                                            [](const auto& r) { return r.url == kTokenUrl; });
  EXPECT_EQ(token_request.method, "POST");
  EXPECT_EQ(token_request.headers.Get("Authorization"), "Basic YXBwOnMzY3JldA==");
  auto form = *Params::Parse(token_request.body);
  EXPECT_EQ(form.Get("grant_type"), "authorization_code");
  EXPECT_EQ(form.Get("code"), "c1");
  EXPECT_EQ(form.Get("redirect_uri"), kCallback);
  EXPECT_EQ(oidc::S256Challenge(form.Get("code_verifier").value_or("")),
            started.authorize.Get("code_challenge"));
}

TEST_F(RpClientTest, AStateWorksOnlyOnce) {
  Started started = StartLogin();
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  ASSERT_EQ(Callback(started).status, 302);
  http::Response replay = Callback(started);
  EXPECT_EQ(replay.status, 400);
  EXPECT_FALSE(SetCookie(replay, "gh_rp_session"));
  EXPECT_EQ(sessions_.size(), 1u);
}

TEST_F(RpClientTest, AnUnknownStateIsRefused) {
  Started started = StartLogin();
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  started.authorize = {{"state", "forged"}};
  EXPECT_EQ(Callback(started).status, 400);
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(RpClientTest, AnExpiredStateIsRefused) {
  Started started = StartLogin();
  clock_.Advance(Seconds(601));
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  EXPECT_EQ(Callback(started).status, 400);
}

TEST_F(RpClientTest, ASignInFinishedInAnotherBrowserIsRefused) {
  Started started = StartLogin();
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  started.binding = random_.Token(32);  // the victim's browser, not the attacker's
  EXPECT_EQ(Callback(started).status, 400);
  EXPECT_EQ(op_.Count(kTokenUrl), 0);
}

TEST_F(RpClientTest, TabsShareTheBindingSoParallelSignInsWork) {
  Started first = StartLogin();
  Started second = StartLogin("/login", "gh_rp_session_login=" + first.binding);
  EXPECT_EQ(second.binding, first.binding);
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), first.nonce()));
  EXPECT_EQ(Callback(first).status, 302);
}

TEST_F(RpClientTest, AResponseFromAnotherIssuerIsRefused) {  // RFC 9207
  Started started = StartLogin();
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  EXPECT_EQ(Callback(started, "&code=c1&iss=https%3A%2F%2Fevil.example").status, 400);
  EXPECT_EQ(op_.Count(kTokenUrl), 0);
}

TEST_F(RpClientTest, AResponseWithoutIssIsRefusedWhenTheOpAdvertisesIt) {
  Started started = StartLogin();
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  EXPECT_EQ(Callback(started, "&code=c1").status, 400);
  EXPECT_EQ(op_.Count(kTokenUrl), 0);
}

TEST_F(RpClientTest, AnErrorResponseSignsNobodyIn) {
  Started started = StartLogin();
  http::Response response = Callback(started, "&error=access_denied&iss=https%3A%2F%2Fid.example");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(op_.Count(kTokenUrl), 0);
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(RpClientTest, ARefusedCodeSignsNobodyIn) {
  Started started = StartLogin();
  op_.token_status = 400;
  op_.token_response = {{"error", "invalid_grant"}};
  EXPECT_EQ(Callback(started).status, 400);
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(RpClientTest, AnIdTokenForAnotherNonceSignsNobodyIn) {
  Started started = StartLogin();
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), "someone else's nonce"));
  EXPECT_EQ(Callback(started).status, 400);
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(RpClientTest, AnAtHashOfAnotherAccessTokenSignsNobodyIn) {
  Started started = StartLogin();
  auto claims = IdTokenClaims(clock_.Now(), started.nonce());
  claims["at_hash"] = oidc::AtHash("other");
  TokenEndpointReturns(claims, "at-1");
  EXPECT_EQ(Callback(started).status, 400);
}

TEST_F(RpClientTest, ReturnToStaysOnThisSite) {
  for (const char* target : {"/login?return_to=//evil.example", "/login?return_to=https://evil",
                             "/login?return_to=/%5Cevil.example"}) {
    Started started = StartLogin(target);
    TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
    EXPECT_EQ(Callback(started).headers.Get("Location"), "/") << target;
  }
}

TEST_F(RpClientTest, SigningInAgainEndsThePreviousSessionOfTheBrowser) {
  std::string first = SignIn();
  Started started = StartLogin("/login", "gh_rp_session=" + first);
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce()));
  http::Response response = rp_.Callback(
      Get("/callback?state=" + started.state() + "&code=c2&iss=https%3A%2F%2Fid.example",
          "gh_rp_session=" + first + "; gh_rp_session_login=" + started.binding));
  ASSERT_EQ(response.status, 302);
  EXPECT_FALSE(Live(first));
  EXPECT_NE(SetCookie(response, "gh_rp_session"), first);
}

// --- RP-initiated sign-out -------------------------------------------------------------------

TEST_F(RpClientTest, LogoutEndsTheSessionAndSendsTheBrowserToTheOp) {
  std::string cookie = SignIn();
  std::string id_token = rp_.CurrentSession(Get("/", "gh_rp_session=" + cookie))->id_token;
  http::Request request = PostForm("/logout", "", "gh_rp_session=" + cookie);
  request.headers.Set("Origin", "https://app.example");
  http::Response response = rp_.Logout(request);
  ASSERT_EQ(response.status, 303);
  EXPECT_FALSE(Live(cookie));
  EXPECT_EQ(SetCookie(response, "gh_rp_session"), "");
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");

  auto location = *response.headers.Get("Location");
  EXPECT_TRUE(location.starts_with("https://id.example/logout?")) << location;
  Params q = QueryOf(location);
  EXPECT_EQ(q.Get("id_token_hint"), id_token);
  EXPECT_EQ(q.Get("client_id"), kClientId);
  EXPECT_EQ(q.Get("post_logout_redirect_uri"), kSignedOut);
  auto state = q.Get("state");
  ASSERT_TRUE(state);
  // The state is kept until the OP sends the browser back, and then used up.
  rp_.SignedOut(Get("/signed-out?state=" + *state));
  EXPECT_TRUE(*once_.PutIfAbsent("logout:" + *state, "", clock_.Now() + Seconds(1)));
}

TEST_F(RpClientTest, TheSignedOutPageCountsAnUnknownStateButStillShowsSignedOut) {
  http::Response response = rp_.SignedOut(Get("/signed-out?state=never-issued"));
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("signed out"), std::string::npos);
}

TEST_F(RpClientTest, LogoutFromAnotherOriginIsRefused) {
  std::string cookie = SignIn();
  http::Request request = PostForm("/logout", "", "gh_rp_session=" + cookie);
  request.headers.Set("Origin", "https://evil.example");
  EXPECT_EQ(rp_.Logout(request).status, 403);
  EXPECT_TRUE(Live(cookie));
}

TEST_F(RpClientTest, TheLogoutPageOnlyOffersAButton) {
  std::string cookie = SignIn();
  http::Response response = rp_.LogoutPage(Get("/logout", "gh_rp_session=" + cookie));
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("method=\"post\""), std::string::npos);
  EXPECT_TRUE(Live(cookie));
}

TEST_F(RpClientTest, LogoutWithoutAnEndSessionEndpointStillSignsOutHere) {
  op_.discovery.erase("end_session_endpoint");
  std::string cookie = SignIn();
  http::Response response = rp_.Logout(PostForm("/logout", "", "gh_rp_session=" + cookie));
  EXPECT_FALSE(Live(cookie));
  EXPECT_TRUE(response.headers.Get("Location")->starts_with(std::string(kSignedOut) + "?state="));
}

// --- Front-channel logout --------------------------------------------------------------------

TEST_F(RpClientTest, FrontChannelEndsEverySessionOfTheSidWithoutACookie) {
  std::string a = SignIn("alice", "sid-1");
  std::string b = SignIn("alice", "sid-1");
  std::string c = SignIn("alice", "sid-2");
  http::Response response =
      rp_.FrontChannelLogout(Get("/logout/frontchannel?iss=https%3A%2F%2Fid.example&sid=sid-1"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  EXPECT_NE(
      response.headers.Get("Content-Security-Policy")->find("frame-ancestors https://id.example"),
      std::string::npos);
  EXPECT_FALSE(Live(a));
  EXPECT_FALSE(Live(b));
  EXPECT_TRUE(Live(c));
}

TEST_F(RpClientTest, FrontChannelRefusesAnotherIssuer) {
  std::string a = SignIn();
  EXPECT_EQ(
      rp_.FrontChannelLogout(Get("/logout/frontchannel?iss=https%3A%2F%2Fevil.example&sid=sid-1"))
          .status,
      400);
  EXPECT_TRUE(Live(a));
}

TEST_F(RpClientTest, FrontChannelRefusesAMissingIssuerOrSid) {
  std::string a = SignIn();
  for (const char* target : {"/logout/frontchannel", "/logout/frontchannel?sid=sid-1",
                             "/logout/frontchannel?iss=https%3A%2F%2Fid.example"}) {
    EXPECT_EQ(rp_.FrontChannelLogout(Get(target, "gh_rp_session=" + a)).status, 400) << target;
  }
  EXPECT_TRUE(Live(a));
}

class OptionalSidTest : public RpClientTest {
 protected:
  static RpConfig WithoutSessionRequired() {
    RpConfig config = Config();
    config.frontchannel_logout_session_required = false;
    return config;
  }
  OptionalSidTest() : RpClientTest(WithoutSessionRequired()) {}
};

TEST_F(OptionalSidTest, FrontChannelWithoutSidEndsTheCookiesSession) {
  std::string a = SignIn();
  std::string b = SignIn();
  EXPECT_EQ(rp_.FrontChannelLogout(Get("/logout/frontchannel", "gh_rp_session=" + a)).status, 200);
  EXPECT_FALSE(Live(a));
  EXPECT_TRUE(Live(b));
  // §2: if either parameter is sent, both must be.
  EXPECT_EQ(rp_.FrontChannelLogout(Get("/logout/frontchannel?sid=sid-1")).status, 400);
}

// --- Back-channel logout ---------------------------------------------------------------------

http::Request BackChannel(const std::string& token) {
  return PostForm("/logout/backchannel", "logout_token=" + token + "&ignored_parameter=1");
}

TEST_F(RpClientTest, BackChannelEndsTheSessionsOfTheSid) {
  std::string a = SignIn("alice", "sid-1");
  std::string b = SignIn("alice", "sid-2");
  auto claims = LogoutTokenClaims(clock_.Now(), "sid-1");
  claims["ignored_claim"] = "x";
  http::Response response = rp_.BackChannelLogout(BackChannel(SignLogout(claims)));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  EXPECT_FALSE(Live(a));
  EXPECT_TRUE(Live(b));
}

TEST_F(RpClientTest, BackChannelWithOnlySubEndsEverySessionOfThePerson) {
  std::string a = SignIn("alice", "sid-1");
  std::string b = SignIn("alice", "sid-2");
  std::string c = SignIn("bob", "sid-3");
  auto claims = LogoutTokenClaims(clock_.Now());
  claims.erase("sid");
  EXPECT_EQ(rp_.BackChannelLogout(BackChannel(SignLogout(claims))).status, 200);
  EXPECT_FALSE(Live(a));
  EXPECT_FALSE(Live(b));
  EXPECT_TRUE(Live(c));
}

TEST_F(RpClientTest, BackChannelRefusesAReplayedJti) {
  std::string token = SignLogout(LogoutTokenClaims(clock_.Now()));
  ASSERT_EQ(rp_.BackChannelLogout(BackChannel(token)).status, 200);
  std::string a = SignIn("alice", "sid-1");  // the same OP session signs in again
  http::Response replay = rp_.BackChannelLogout(BackChannel(token));
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find("replayed"), std::string::npos);
  EXPECT_TRUE(Live(a));
}

TEST_F(RpClientTest, BackChannelRefusesARepeatedLogoutToken) {
  std::string token = SignLogout(LogoutTokenClaims(clock_.Now()));
  EXPECT_EQ(rp_.BackChannelLogout(PostForm("/logout/backchannel",
                                           "logout_token=" + token + "&logout_token=" + token))
                .status,
            400);
}

TEST_F(RpClientTest, BackChannelRefusesABodyThatIsNotAForm) {
  http::Request request = BackChannel(SignLogout(LogoutTokenClaims(clock_.Now())));
  request.headers.Set("Content-Type", "application/json");
  EXPECT_EQ(rp_.BackChannelLogout(request).status, 400);
}

TEST_F(RpClientTest, BackChannelFetchesTheRotatedKey) {
  std::string a = SignIn();
  clock_.Advance(Seconds(31));  // past the refetch rate limit
  op_.published = {&RotatedKey()};
  auto token = Sign(LogoutTokenClaims(clock_.Now()), oidc::kLogoutTokenType, RotatedKey());
  EXPECT_EQ(rp_.BackChannelLogout(BackChannel(token)).status, 200);
  EXPECT_FALSE(Live(a));
}

// One Back-Channel Logout 1.0 §2.6 rule per case.
struct LogoutTokenCase {
  const char* name;
  std::function<std::string(json, TimePoint)> make;  // a token from valid claims
  const char* why;
};

class BackChannelRuleTest : public RpClientTest,
                            public ::testing::WithParamInterface<LogoutTokenCase> {};

TEST_P(BackChannelRuleTest, RefusesWith400) {
  std::string a = SignIn();
  http::Response response = rp_.BackChannelLogout(
      BackChannel(GetParam().make(LogoutTokenClaims(clock_.Now()), clock_.Now())));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  auto body = json::parse(response.body);
  EXPECT_EQ(body["error"], "invalid_request");
  EXPECT_NE(body["error_description"].get<std::string>().find(GetParam().why), std::string::npos)
      << body["error_description"];
  EXPECT_TRUE(Live(a));
}

std::function<std::string(json, TimePoint)> Mutated(std::function<void(json&, TimePoint)> f) {
  return [f](json claims, TimePoint now) {
    f(claims, now);
    return SignLogout(claims);
  };
}

INSTANTIATE_TEST_SUITE_P(
    Section26, BackChannelRuleTest,
    ::testing::Values(
        LogoutTokenCase{"MissingEvents", Mutated([](json& c, TimePoint) { c.erase("events"); }),
                        "no events"},
        LogoutTokenCase{"EventsNotAnObject",
                        Mutated([](json& c, TimePoint) { c["events"] = "logout"; }), "no events"},
        LogoutTokenCase{"WrongEventMember",
                        Mutated([](json& c, TimePoint) {
                          c["events"] = {{"http://schemas.openid.net/event/other", json::object()}};
                        }),
                        "back-channel logout event"},
        LogoutTokenCase{"EventValueNotAnObject",
                        Mutated([](json& c, TimePoint) {
                          c["events"] = {{oidc::kBackchannelLogoutEvent, "yes"}};
                        }),
                        "back-channel logout event"},
        LogoutTokenCase{"NoncePresent", Mutated([](json& c, TimePoint) { c["nonce"] = "n"; }),
                        "nonce"},
        LogoutTokenCase{"NeitherSidNorSub", Mutated([](json& c, TimePoint) {
                          c.erase("sid");
                          c.erase("sub");
                        }),
                        "neither sub nor sid"},
        LogoutTokenCase{"NoJti", Mutated([](json& c, TimePoint) { c.erase("jti"); }), "jti"},
        LogoutTokenCase{"WrongAudience", Mutated([](json& c, TimePoint) { c["aud"] = "other"; }),
                        "(aud)"},
        LogoutTokenCase{"WrongIssuer",
                        Mutated([](json& c, TimePoint) { c["iss"] = "https://evil.example"; }),
                        "(iss)"},
        LogoutTokenCase{"Expired", Mutated([](json& c, TimePoint now) {
                          c["exp"] = ToUnixSeconds(now) - 61;
                        }),
                        "expired"},
        LogoutTokenCase{"NoExp", Mutated([](json& c, TimePoint) { c.erase("exp"); }), "integer exp"},
        LogoutTokenCase{"IssuedTooLongAgo", Mutated([](json& c, TimePoint now) {
                          c["iat"] = ToUnixSeconds(now) - 361;
                          c["exp"] = ToUnixSeconds(now) + 60;
                        }),
                        "too long ago"},
        LogoutTokenCase{"IssuedInTheFuture", Mutated([](json& c, TimePoint now) {
                          c["iat"] = ToUnixSeconds(now) + 61;
                        }),
                        "future"},
        LogoutTokenCase{"TypMissing",
                        [](json c, TimePoint) { return Sign(c, ""); }, "typ"},
        LogoutTokenCase{"TypWrong", [](json c, TimePoint) { return Sign(c, "JWT"); }, "typ"},
        LogoutTokenCase{"AlgNone",
                        [](json c, TimePoint) {
                          return Base64UrlEncode(R"({"alg":"none","typ":"logout+jwt"})") + "." +
                                 Base64UrlEncode(c.dump()) + ".";
                        },
                        "alg"},
        LogoutTokenCase{"WrongAlg",
                        [](json c, TimePoint) {
                          return Sign(c, oidc::kLogoutTokenType, Es256Key());
                        },
                        "not signed with RS256"},
        LogoutTokenCase{"BadSignature",
                        [](json c, TimePoint) {
                          std::string token = SignLogout(c);
                          char& flipped = token[token.size() - 10];
                          flipped = flipped == 'A' ? 'B' : 'A';
                          return token;
                        },
                        "signature"},
        LogoutTokenCase{"UnknownKey",
                        [](json c, TimePoint) {
                          return Sign(c, oidc::kLogoutTokenType, RotatedKey());
                        },
                        "no key"}),
    [](const auto& info) { return std::string(info.param.name); });

// --- Session management ----------------------------------------------------------------------

TEST_F(RpClientTest, ARecheckWithPromptNoneSendsTheIdTokenHint) {
  std::string cookie = SignIn();
  Started started = StartLogin("/login?prompt=none&return_to=/inbox", "gh_rp_session=" + cookie);
  EXPECT_EQ(started.authorize.Get("prompt"), "none");
  EXPECT_EQ(started.authorize.Get("id_token_hint"),
            rp_.CurrentSession(Get("/", "gh_rp_session=" + cookie))->id_token);
}

TEST_F(RpClientTest, ARecheckOfAnEndedSessionReturnsWithoutAskingTheOp) {
  std::string cookie = SignIn();
  ASSERT_TRUE(sessions_.RemoveBySid("sid-1").ok());  // a front-channel logout came first
  http::Response response =
      rp_.Login(Get("/login?prompt=none&return_to=/inbox", "gh_rp_session=" + cookie));
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.Get("Location"), "/inbox");
}

TEST_F(RpClientTest, ARecheckAnsweredLoginRequiredEndsTheSession) {
  std::string cookie = SignIn();
  Started started = StartLogin("/login?prompt=none&return_to=/inbox", "gh_rp_session=" + cookie);
  http::Response response = Callback(started, "&error=login_required&iss=https%3A%2F%2Fid.example");
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.Get("Location"), "/inbox");
  EXPECT_EQ(SetCookie(response, "gh_rp_session"), "");
  EXPECT_FALSE(Live(cookie));
}

TEST_F(RpClientTest, ARecheckBySamePersonRenewsTheSession) {
  std::string cookie = SignIn();
  Started started = StartLogin("/login?prompt=none&return_to=/inbox", "gh_rp_session=" + cookie);
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce(), "alice", "sid-1"));
  http::Response response = Callback(started);
  auto renewed = SetCookie(response, "gh_rp_session");
  ASSERT_TRUE(renewed && !renewed->empty());
  EXPECT_FALSE(Live(cookie));
  EXPECT_TRUE(Live(*renewed));
}

TEST_F(RpClientTest, ARecheckFindingAnotherPersonSignsOut) {
  std::string cookie = SignIn("alice");
  Started started = StartLogin("/login?prompt=none&return_to=/inbox", "gh_rp_session=" + cookie);
  TokenEndpointReturns(IdTokenClaims(clock_.Now(), started.nonce(), "bob", "sid-9"));
  http::Response response = Callback(started);
  EXPECT_EQ(SetCookie(response, "gh_rp_session"), "");
  EXPECT_FALSE(Live(cookie));
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(RpClientTest, TheSessionIframeCarriesTheSessionState) {
  std::string cookie = SignIn("alice", "sid-1");
  http::Response response =
      rp_.SessionIframe(Get("/session/iframe", "gh_rp_session=" + cookie), "/login");
  EXPECT_NE(response.body.find("data-session-state=\"ss-sid-1\""), std::string::npos);
  EXPECT_NE(response.body.find("data-op-origin=\"https://id.example\""), std::string::npos);
  EXPECT_NE(response.body.find("data-op-iframe=\"https://id.example/session/check\""),
            std::string::npos);
  EXPECT_NE(response.body.find("data-recheck-url=\"/login?prompt=none&amp;return_to=\""),
            std::string::npos);
  EXPECT_NE(response.body.find("data-client-id=\"app\""), std::string::npos);
}

TEST_F(RpClientTest, TheSessionIframeIsInertWithoutASession) {
  http::Response response = rp_.SessionIframe(Get("/session/iframe"), "/login");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace gh::rp
