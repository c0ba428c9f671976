// The browser-facing sign-out through the Router: RP-Initiated Logout, the confirmation, the
// home page's buttons, the signed-out page's front-channel iframes and back-channel status, and
// Session Management (session_state and the check_session endpoint).
#include "oidc/logout_endpoint.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "crypto/jws.h"
#include "oidc/provider_fixture.h"
#include "oidc/session_state.h"
#include "support/records.h"

namespace gh::oidc {
namespace {

using nlohmann::json;

constexpr char kRedirect[] = "https://app.example/cb";
constexpr char kPostLogout[] = "https://app.example/bye";
constexpr char kCsrfNonce[] = "ccccccccccccccccccccccccccccccccccccccccccc";

std::string SetCookie(const http::Response& r, std::string_view name) {
  for (const auto& v : r.headers.GetAll("Set-Cookie"))
    if (v.rfind(std::string(name) + "=", 0) == 0) return v;
  return "";
}

// The first capture of `pattern` in `text`, HTML entities for '&' decoded.
std::string Capture(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return "";
  return std::regex_replace(m[1].str(), std::regex("&amp;"), "&");
}

class LogoutEndpointTest : public ProviderFixture {
 protected:
  void SetUp() override {
    ProviderFixture::SetUp();
    store::ClientRecord app;
    app.id = "app";
    app.name = "Mail & Calendar";
    app.redirect_uris = {kRedirect};
    app.post_logout_redirect_uris = {kPostLogout};
    app.frontchannel_logout_uri = "https://app.example/fc";
    app.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(app).ok());
    store::ClientRecord api;
    api.id = "api";
    api.name = "Reports";
    api.redirect_uris = {"https://api.example/cb"};
    api.backchannel_logout_uri = "https://api.example/bc";
    api.post_logout_redirect_uris = {"https://api.example/bye"};
    api.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(api).ok());
    cookie_ = SignIn();
  }

  // Starts a session for alice in which both clients took part; returns its cookie.
  std::string SignIn() {
    auto started = sessions_.Start("u-alice");
    EXPECT_TRUE(started.ok());
    sid_ = started->session.sid;
    EXPECT_TRUE(sessions_.AddParticipant(*store_, sid_, "app", "oidc").ok());
    EXPECT_TRUE(sessions_.AddParticipant(*store_, sid_, "api", "oidc").ok());
    return started->cookie_value;
  }

  std::string IdToken(std::string sid, std::string aud = "app") {
    json claims = {{"iss", kTestIssuer},
                   {"sub", "u-alice"},
                   {"aud", aud},
                   {"sid", sid},
                   {"iat", ToUnixSeconds(clock_.Now())},
                   {"exp", ToUnixSeconds(clock_.Now()) + 60}};
    return *crypto::SignJwt(*keys_.Active(crypto::JwsAlg::kRS256), claims);
  }

  // The form field that goes with the nonce cookie of this browser's session.
  std::string CsrfField() {
    http::Request page;
    page.headers.Add("Cookie", "gh_session=" + cookie_ + "; gh_csrf=" + kCsrfNonce);
    http::Response unused;
    return csrf_.Issue(page, unused);
  }

  http::Response Send(std::string method, std::string target, std::string body = "",
                      bool with_session = true, bool with_csrf = true) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    std::string cookies;
    if (with_session) cookies = "gh_session=" + cookie_;
    if (with_csrf) cookies += std::string(cookies.empty() ? "" : "; ") + "gh_csrf=" + kCsrfNonce;
    if (!cookies.empty()) r.headers.Add("Cookie", cookies);
    if (r.method == "POST") r.headers.Add("Content-Type", "application/x-www-form-urlencoded");
    r.body = std::move(body);
    return router_.Dispatch(r);
  }
  http::Response Logout(const Params& params, bool with_session = true) {
    return Send("GET", "/logout?" + params.Encode(), "", with_session);
  }
  http::Response Confirm(const std::string& logout_id, std::string action = "signout",
                         bool with_csrf = true) {
    return Send(
        "POST", "/logout/confirm",
        Params{{"csrf_token", CsrfField()}, {"logoutId", logout_id}, {"action", action}}.Encode(),
        true, with_csrf);
  }

  bool Active(const std::string& sid) {
    auto s = store_->FindSessionBySid(sid);
    return s.ok() && s->has_value() && (*s)->active();
  }
  std::string EndCause(const std::string& sid) {
    return (*store_->FindSessionBySid(sid))->end_cause;
  }
};

TEST_F(LogoutEndpointTest, HintOfThisSessionSignsOutAtOnceAndContinuesWithState) {
  auto r = Logout({{"id_token_hint", IdToken(sid_)},
                   {"post_logout_redirect_uri", kPostLogout},
                   {"state", "st&1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(Active(sid_));
  EXPECT_EQ(EndCause(sid_), "rp_logout");
  auto next = Capture(r.body, "id=\"continue\" href=\"([^\"]*)\"");
  ASSERT_EQ(next.rfind(std::string(kPostLogout) + "?", 0), 0u) << next;
  EXPECT_EQ(Params::Parse(next.substr(next.find('?') + 1))->Get("state"), "st&1");
  // Both cookies are deleted; the browser state cookie is readable by scripts.
  EXPECT_NE(SetCookie(r, "gh_session").find("Max-Age=0"), std::string::npos);
  auto opbs = SetCookie(r, "gh_opbs");
  EXPECT_NE(opbs.find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(opbs.find("HttpOnly"), std::string::npos);
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
}

TEST_F(LogoutEndpointTest, SignedOutPageRunsFrontChannelAndReportsBackChannel) {
  auto r = Logout({{"id_token_hint", IdToken(sid_)}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Mail &amp; Calendar"), std::string::npos);
  auto frame = Capture(r.body, "data-frame=\"([^\"]*)\"");
  ASSERT_EQ(frame.rfind("https://app.example/fc?", 0), 0u) << frame;
  auto q = *Params::Parse(frame.substr(frame.find('?') + 1));
  EXPECT_EQ(q.Get("iss"), kTestIssuer);
  EXPECT_EQ(q.Get("sid"), sid_);
  EXPECT_NE(r.body.find("data-bc=\"pending\""), std::string::npos);
  EXPECT_NE(r.body.find("will be notified when it is reachable"), std::string::npos);
  auto csp = r.headers.Get("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-src https://app.example;"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'sha256-"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(r.headers.Get("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r.body.find("id=\"continue\""), std::string::npos);  // nothing to continue to

  auto status_path = Capture(r.body, "data-poll=\"([^\"]*)\"");
  auto status = Send("GET", status_path, "", false, false);
  ASSERT_EQ(status.status, 200) << status_path;
  EXPECT_EQ(json::parse(status.body), (json{{"clients", {{"api", "pending"}}}}));
  auto notifications = store_->ListNotifications(sid_, 10);
  ASSERT_EQ(notifications->size(), 1u);
  ASSERT_TRUE(
      store_->ClaimDueNotifications(clock_.Now(), clock_.Now() + Seconds(30), 1, "test").ok());
  ASSERT_TRUE(*store_->MarkDelivered((*notifications)[0].id, "test", clock_.Now(), 1));
  EXPECT_EQ(json::parse(Send("GET", status_path, "", false, false).body)["clients"]["api"],
            "delivered");
  clock_.Advance(Seconds(601));
  EXPECT_EQ(Send("GET", status_path, "", false, false).status, 404);
}

TEST_F(LogoutEndpointTest, StatusReportsEveryParticipantOfALargeSignOut) {
  constexpr int kMany = 300;
  for (int i = 0; i < kMany; ++i) {
    store::ClientRecord rp;
    rp.id = "rp" + std::to_string(i);
    rp.name = rp.id;
    rp.redirect_uris = {"https://" + rp.id + ".example/cb"};
    rp.backchannel_logout_uri = "https://" + rp.id + ".example/bc";
    rp.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(rp).ok());
    ASSERT_TRUE(sessions_.AddParticipant(*store_, sid_, rp.id, "oidc").ok());
  }
  auto r = Logout({{"id_token_hint", IdToken(sid_)}});
  ASSERT_EQ(r.status, 200);
  auto status = Send("GET", Capture(r.body, "data-poll=\"([^\"]*)\""), "", false, false);
  ASSERT_EQ(status.status, 200);
  auto clients = json::parse(status.body)["clients"];
  EXPECT_EQ(clients.size(), kMany + 1u);  // and "api"
  EXPECT_EQ(clients["rp0"], "pending");
  EXPECT_EQ(clients["rp" + std::to_string(kMany - 1)], "pending");
}

TEST_F(LogoutEndpointTest, FrontChannelUrlHasNoSidWhenTheClientDoesNotRequireIt) {
  auto app = *store_->FindClient("app");
  ASSERT_TRUE(store_->RemoveClient("app").ok());
  app->frontchannel_logout_session_required = false;
  ASSERT_TRUE(store_->PutClient(*app).ok());
  auto r = Logout({{"id_token_hint", IdToken(sid_)}});
  EXPECT_EQ(Capture(r.body, "data-frame=\"([^\"]*)\""), "https://app.example/fc");
}

TEST_F(LogoutEndpointTest, UnregisteredRedirectIsNeverFollowed) {
  auto r = Logout({{"id_token_hint", IdToken(sid_)},
                   {"post_logout_redirect_uri", "https://evil.example/"},
                   {"state", "s"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(Active(sid_));
  EXPECT_EQ(r.headers.Get("Location"), std::nullopt);
  EXPECT_EQ(r.body.find("evil.example"), std::string::npos);
  EXPECT_NE(r.body.find("has not registered"), std::string::npos);

  // Without a session either.
  auto anonymous =
      Logout({{"client_id", "app"}, {"post_logout_redirect_uri", "https://evil.example/"}},
             /*with_session=*/false);
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.headers.Get("Location"), std::nullopt);
}

TEST_F(LogoutEndpointTest, WithoutASessionARegisteredRedirectIsFollowedWithState) {
  auto r = Logout({{"client_id", "app"}, {"post_logout_redirect_uri", kPostLogout}, {"state", "x"}},
                  /*with_session=*/false);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers.Get("Location"), std::string(kPostLogout) + "?state=x");
}

TEST_F(LogoutEndpointTest, NothingToWaitForRedirectsAtOnce) {
  auto started = sessions_.Start("u-alice");  // no application took part
  cookie_ = started->cookie_value;
  auto r = Logout({{"id_token_hint", IdToken(started->session.sid)},
                   {"post_logout_redirect_uri", kPostLogout},
                   {"state", "x"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers.Get("Location"), std::string(kPostLogout) + "?state=x");
  EXPECT_FALSE(Active(started->session.sid));
  EXPECT_NE(SetCookie(r, "gh_session").find("Max-Age=0"), std::string::npos);
}

// Back-channel delivery needs no browser: an application whose only sign-out channel is the
// back channel gets its user back at once, and the receipt is still there to ask for.
TEST_F(LogoutEndpointTest, BackChannelOnlyParticipantsDoNotHoldTheBrowser) {
  auto started = sessions_.Start("u-alice");
  cookie_ = started->cookie_value;
  ASSERT_TRUE(sessions_.AddParticipant(*store_, started->session.sid, "api", "oidc").ok());
  auto r = Logout({{"id_token_hint", IdToken(started->session.sid, "api")},
                   {"client_id", "api"},
                   {"post_logout_redirect_uri", "https://api.example/bye"},
                   {"state", "x"}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.headers.Get("Location"), "https://api.example/bye?state=x");
  auto pending = store_->ListNotifications(started->session.sid, 10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].client_id, "api");
}

TEST_F(LogoutEndpointTest, SignedOutPageNamesAFewAppsAndSummarisesTheRest) {
  for (int i = 0; i < 200; ++i) {
    store::ClientRecord rp;
    rp.id = "bc-" + std::to_string(i);
    rp.name = "Back-channel app " + std::to_string(i);
    rp.redirect_uris = {"https://bc.example/cb"};
    rp.backchannel_logout_uri = "https://bc.example/logout";
    ASSERT_TRUE(store_->PutClient(rp).ok());
    ASSERT_TRUE(sessions_.AddParticipant(*store_, sid_, rp.id, "oidc").ok());
  }
  auto r = Logout({{"id_token_hint", IdToken(sid_)}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("data-frame=\"https://app.example/fc?"), std::string::npos);
  EXPECT_EQ(r.body.find("Back-channel app 150"), std::string::npos);
  EXPECT_NE(r.body.find("and 172 more applications"), std::string::npos);
  EXPECT_LT(r.body.size(), 16u * 1024);
}

TEST_F(LogoutEndpointTest, RepeatedParametersGetAnErrorPage) {
  auto r = Send("GET", "/logout?state=a&state=b");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Active(sid_));
}

TEST_F(LogoutEndpointTest, PostFormIsAccepted) {
  auto r = Send("POST", "/logout", Params{{"id_token_hint", IdToken(sid_)}}.Encode());
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(Active(sid_));
}

// A cross-site POST carries no SameSite=Lax cookie; the same request as a GET does.
TEST_F(LogoutEndpointTest, PostWithoutTheSessionCookieIsAskedAgainAsGet) {
  Params params{{"id_token_hint", IdToken(sid_)}, {"state", "a b"}};
  auto r = Send("POST", "/logout", params.Encode(), /*with_session=*/false);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers.Get("Location"), "/logout?" + params.Encode());
  EXPECT_TRUE(Active(sid_));
}

class ConfirmationTest : public LogoutEndpointTest,
                         public ::testing::WithParamInterface<const char*> {};

// No hint, a hint of another session, a foreign hint, a client_id that is not the hint's.
TEST_P(ConfirmationTest, UnverifiedRequestsAskFirst) {
  std::string kind = GetParam();
  Params params{{"post_logout_redirect_uri", kPostLogout}};
  if (kind == "client_id") params.Add("client_id", "app");
  if (kind == "other_sid") params.Add("id_token_hint", IdToken("another-sid"));
  if (kind == "garbage") params.Add("id_token_hint", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
  if (kind == "mismatch") {
    params.Add("id_token_hint", IdToken(sid_));
    params.Add("client_id", "api");
  }
  auto r = Logout(params);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Active(sid_));
  EXPECT_NE(r.body.find("action=\"/logout/confirm\""), std::string::npos);
  EXPECT_NE(Capture(r.body, "name=\"logoutId\" value=\"([^\"]+)\""), "");
  EXPECT_EQ(SetCookie(r, "gh_session"), "");
}

INSTANTIATE_TEST_SUITE_P(Requests, ConfirmationTest,
                         ::testing::Values("none", "client_id", "other_sid", "garbage",
                                           "mismatch"));

TEST_F(LogoutEndpointTest, ConfirmationNeedsCsrfAndWorksOnce) {
  auto page =
      Logout({{"client_id", "app"}, {"post_logout_redirect_uri", kPostLogout}, {"state", "s1"}});
  auto logout_id = Capture(page.body, "name=\"logoutId\" value=\"([^\"]+)\"");
  ASSERT_NE(logout_id, "");
  EXPECT_NE(page.body.find("Mail &amp; Calendar"), std::string::npos);

  EXPECT_EQ(Confirm(logout_id, "signout", /*with_csrf=*/false).status, 403);
  EXPECT_TRUE(Active(sid_));

  auto done = Confirm(logout_id);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_FALSE(Active(sid_));
  EXPECT_EQ(EndCause(sid_), "rp_logout");
  EXPECT_EQ(Capture(done.body, "id=\"continue\" href=\"([^\"]*)\""),
            std::string(kPostLogout) + "?state=s1");
  EXPECT_NE(SetCookie(done, "gh_session").find("Max-Age=0"), std::string::npos);

  auto replay = Confirm(logout_id);
  EXPECT_EQ(replay.status, 200);
  EXPECT_NE(replay.body.find("already"), std::string::npos);
  EXPECT_EQ(replay.body.find("id=\"continue\""), std::string::npos);
}

TEST_F(LogoutEndpointTest, ConfirmationCanEndOfflineGrantsToo) {
  ASSERT_TRUE(
      store_
          ->PutToken(testing::OfflineRefreshToken("offline-hash", "u-alice", "app",
                                                  "an-old-session", clock_.Now() + Seconds(3600)))
          .ok());

  auto page = Logout({{"client_id", "app"}});
  EXPECT_NE(page.body.find("name=\"offline\" value=\"1\""), std::string::npos);
  auto logout_id = Capture(page.body, "name=\"logoutId\" value=\"([^\"]+)\"");
  auto done = Send("POST", "/logout/confirm",
                   Params{{"csrf_token", CsrfField()},
                          {"logoutId", logout_id},
                          {"action", "signout"},
                          {"offline", "1"}}
                       .Encode());
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_FALSE(Active(sid_));
  EXPECT_TRUE((*store_->FindToken("offline-hash"))->revoked);
}

TEST_F(LogoutEndpointTest, ExpiredConfirmationChangesNothing) {
  auto page = Logout({});
  auto logout_id = Capture(page.body, "name=\"logoutId\" value=\"([^\"]+)\"");
  clock_.Advance(Seconds(601));
  EXPECT_EQ(Confirm(logout_id).status, 400);
  EXPECT_TRUE(Active(sid_));
}

TEST_F(LogoutEndpointTest, StayingSignedInUsesUpTheConfirmation) {
  auto page = Logout({});
  auto logout_id = Capture(page.body, "name=\"logoutId\" value=\"([^\"]+)\"");
  EXPECT_EQ(Confirm(logout_id, "stay").status, 200);
  EXPECT_TRUE(Active(sid_));
  Confirm(logout_id);
  EXPECT_TRUE(Active(sid_));
}

TEST_F(LogoutEndpointTest, ConfirmingAnOldQuestionKeepsANewerSessionsCookies) {
  std::string asked_about = sid_;
  auto logout_id = Capture(Logout({}).body, "name=\"logoutId\" value=\"([^\"]+)\"");
  cookie_ = SignIn();  // the browser signed in again meanwhile
  auto r = Confirm(logout_id);
  EXPECT_FALSE(Active(asked_about));
  EXPECT_TRUE(Active(sid_));
  EXPECT_EQ(SetCookie(r, "gh_session"), "");
}

TEST_F(LogoutEndpointTest, ConfirmedWithoutAClientIsTheUsersOwnSignOut) {
  auto logout_id = Capture(Logout({}).body, "name=\"logoutId\" value=\"([^\"]+)\"");
  Confirm(logout_id);
  EXPECT_EQ(EndCause(sid_), "user_logout");
}

TEST_F(LogoutEndpointTest, HomePageButtonsSignOutThisOrEverySession) {
  std::string first = sid_;
  cookie_ = SignIn();
  std::string second = sid_;
  auto one = Send("POST", "/logout/confirm",
                  Params{{"csrf_token", CsrfField()}, {"scope", "session"}}.Encode());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_TRUE(Active(first));
  EXPECT_FALSE(Active(second));
  EXPECT_EQ(EndCause(second), "user_logout");

  cookie_ = SignIn();
  std::string third = sid_;
  auto all = Send("POST", "/logout/confirm",
                  Params{{"csrf_token", CsrfField()}, {"scope", "all"}}.Encode());
  ASSERT_EQ(all.status, 200);
  EXPECT_FALSE(Active(first));
  EXPECT_FALSE(Active(third));
  EXPECT_EQ(EndCause(first), "user_logout_all");
  // One row per application, one iframe per ended session.
  EXPECT_EQ(std::regex_search(all.body, std::regex("data-client=\"app\"[^]*data-client=\"app\"")),
            false);
  EXPECT_NE(all.body.find("sid=" + first), std::string::npos);
  EXPECT_NE(all.body.find("sid=" + third), std::string::npos);

  EXPECT_EQ(Send("POST", "/logout/confirm", Params{{"scope", "all"}}.Encode()).status, 403);
}

// Session Management 1.0.
TEST_F(LogoutEndpointTest, AuthorizationResponsesCarrySessionState) {
  Params authorize{{"response_type", "code"},
                   {"client_id", "app"},
                   {"redirect_uri", kRedirect},
                   {"scope", "openid"},
                   {"state", "s"},
                   {"code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
                   {"code_challenge_method", "S256"}};
  auto location = [](const http::Response& r) {
    auto l = r.headers.Get("Location").value_or("");
    return *Params::Parse(l.substr(l.find('?') + 1));
  };
  auto ok = location(Send("GET", "/authorize?" + authorize.Encode()));
  ASSERT_TRUE(ok.Get("code"));
  auto state = ok.Get("session_state").value_or("");
  EXPECT_TRUE(std::regex_match(state, std::regex("[0-9a-f]{64}\\." + sid_ + "\\.[A-Za-z0-9_-]+")))
      << state;

  Params bad = authorize;
  bad.Add("prompt", "bogus");
  auto error = location(Send("GET", "/authorize?" + bad.Encode()));
  EXPECT_TRUE(error.Get("error"));
  EXPECT_TRUE(error.Get("session_state"));

  auto check = [&](std::string origin, std::string value) {
    return Send("POST", "/session/check/state",
                Params{{"client_id", "app"}, {"origin", origin}, {"session_state", value}}.Encode(),
                false, false)
        .body;
  };
  EXPECT_EQ(check("https://app.example", state), "unchanged");
  EXPECT_EQ(check("https://evil.example", state), "error");
  EXPECT_EQ(check("https://app.example", "garbage"), "error");

  // A new sign-in in this browser is a new state.
  auto old_state = state;
  cookie_ = SignIn();
  auto renewed = location(Send("GET", "/authorize?" + authorize.Encode())).Get("session_state");
  ASSERT_TRUE(renewed);
  EXPECT_NE(*renewed, old_state);
  EXPECT_EQ(check("https://app.example", *renewed), "unchanged");

  ASSERT_TRUE(sessions_.End(sid_, session::EndCause::kUserLogout).ok());
  EXPECT_EQ(check("https://app.example", *renewed), "changed");
}

TEST_F(LogoutEndpointTest, SessionCheckSeesExpiryAndDoesNotExtendTheSession) {
  auto session = *store_->FindSessionBySid(sid_);
  auto value = SessionState("app", "https://app.example", *session, "n");
  auto check = [&] {
    return Send("POST", "/session/check/state",
                Params{{"client_id", "app"},
                       {"origin", "https://app.example"},
                       {"session_state", value}}
                    .Encode(),
                false, false)
        .body;
  };
  clock_.Advance(Seconds(3600));
  EXPECT_EQ(check(), "unchanged");
  EXPECT_EQ((*store_->FindSessionBySid(sid_))->last_seen_at, session->last_seen_at);
  clock_.Advance(sessions_.policy().idle_timeout);
  EXPECT_EQ(check(), "changed");
  EXPECT_EQ(Send("POST", "/session/check/state", "client_id=nobody&origin=x&session_state=" + value,
                 false, false)
                .body,
            "error");
}

TEST_F(LogoutEndpointTest, CheckSessionIframeIsFramableAndScriptOnly) {
  auto r = Send("GET", "/session/check", "", false, false);
  ASSERT_EQ(r.status, 200);
  auto csp = r.headers.Get("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-ancestors *"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'sha256-"), std::string::npos) << csp;
  EXPECT_NE(r.body.find("postMessage"), std::string::npos);
}

}  // namespace
}  // namespace gh::oidc
