#include "web/login_pages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <thread>

#include "core/clock.h"
#include "core/random.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::web {
namespace {

class LoginPagesTest : public ::testing::Test {
 protected:
  LoginPagesTest()
      : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))),
        hasher_(random_, crypto::Argon2Params{1, 1024, 1}),
        events_(clock_),
        sessions_(*store_, clock_, random_, events_, session::SessionPolicy{}),
        csrf_(random_, "csrf secret of the login page tests", false),
        throttle_(clock_),
        pages_(*store_, sessions_, hasher_, csrf_, throttle_, events_, LoginSettings{}) {
    store::UserRecord alice;
    alice.id = "sub-alice";
    alice.username = "alice";
    alice.password_hash = *hasher_.Hash("correct horse");
    alice.created_at = clock_.Now();
    EXPECT_TRUE(store_->PutUser(alice).ok());
  }

  // A sign-in form post; `session_cookie` ("gh_session=…") is a session the browser already has.
  http::Request Post(std::string body, bool with_csrf_cookie = true,
                     const std::string& session_cookie = "") {
    http::Request r;
    r.method = "POST";
    r.target = "/login";
    r.headers.Add("Content-Type", "application/x-www-form-urlencoded");
    if (with_csrf_cookie) r.headers.Add("Cookie", "gh_csrf=" + csrf_nonce_);
    if (!session_cookie.empty()) r.headers.Add("Cookie", session_cookie);
    r.body = std::move(body);
    return r;
  }
  std::string Form(std::string user, std::string password, std::string return_to = "/",
                   const std::string& session_cookie = "") {
    return Params{{"csrf_token", CsrfField(session_cookie)},
                  {"username", user},
                  {"password", password},
                  {"return_to", return_to}}
        .Encode();
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  SystemRandom random_;
  crypto::PasswordHasher hasher_;
  session::EventLog events_;
  session::SessionAuthority sessions_;
  Csrf csrf_;
  LoginThrottle throttle_;
  LoginPages pages_;
  std::string csrf_nonce_ = std::string(43, 'c');

  // The form field for the nonce cookie, in a browser with `session_cookie` (a "name=value").
  std::string CsrfField(const std::string& session_cookie = "") {
    http::Request page;
    page.headers.Add(
        "Cookie", "gh_csrf=" + csrf_nonce_ + (session_cookie.empty() ? "" : "; " + session_cookie));
    http::Response unused;
    return csrf_.Issue(page, unused);
  }
};

std::string SetCookie(const http::Response& r, std::string_view name) {
  for (const auto& v : r.headers.GetAll("Set-Cookie"))
    if (v.rfind(std::string(name) + "=", 0) == 0) return v;
  return "";
}

TEST(IsLocalPath, RefusesAnythingThatLeavesTheServer) {
  EXPECT_TRUE(IsLocalPath("/authorize?client_id=a"));
  EXPECT_TRUE(IsLocalPath("/"));
  EXPECT_FALSE(IsLocalPath("https://evil.example/"));
  EXPECT_FALSE(IsLocalPath("//evil.example/"));
  EXPECT_FALSE(IsLocalPath("/\\evil.example/"));
  EXPECT_FALSE(IsLocalPath("/x\r\nSet-Cookie: a=b"));
  EXPECT_FALSE(IsLocalPath(""));
}

TEST_F(LoginPagesTest, FormCarriesCsrfTokenAndSetsItsCookie) {
  http::Request r;
  r.method = "GET";
  r.target = "/login?return_to=%2Fauthorize%3Fclient_id%3Dmail";
  auto response = pages_.ShowLogin(r);
  EXPECT_EQ(response.status, 200);
  auto cookie = SetCookie(response, "gh_csrf");
  ASSERT_FALSE(cookie.empty());
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  csrf_nonce_ = cookie.substr(8, cookie.find(';') - 8);
  EXPECT_NE(response.body.find("value=\"" + CsrfField() + "\""), std::string::npos);
  EXPECT_NE(response.body.find("/authorize?client_id=mail"), std::string::npos);
}

TEST_F(LoginPagesTest, CorrectPasswordStartsSessionAndContinues) {
  auto response = pages_.SubmitLogin(Post(Form("alice", "correct horse", "/authorize?x=1")));
  EXPECT_EQ(response.status, 303);
  EXPECT_EQ(response.headers.Get("Location"), "/authorize?x=1");
  auto cookie = SetCookie(response, "gh_session");
  ASSERT_FALSE(cookie.empty());
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);
  auto value = cookie.substr(11, cookie.find(';') - 11);
  auto session = sessions_.Resolve(value);
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->user_id, "sub-alice");
}

TEST_F(LoginPagesTest, SessionCookieIsSecureUnderTls) {
  auto request = Post(Form("alice", "correct horse"));
  request.secure = true;
  auto response = pages_.SubmitLogin(request);
  EXPECT_NE(SetCookie(response, "gh_session").find("Secure"), std::string::npos);
  EXPECT_NE(SetCookie(response, "gh_opbs").find("Secure"), std::string::npos);
}

// Session Management 1.0 §3: the OP browser state is readable by scripts and belongs to the
// session.
TEST_F(LoginPagesTest, SignInSetsTheBrowserStateCookie) {
  auto response = pages_.SubmitLogin(Post(Form("alice", "correct horse")));
  auto opbs = SetCookie(response, "gh_opbs");
  ASSERT_FALSE(opbs.empty());
  EXPECT_EQ(opbs.find("HttpOnly"), std::string::npos);
  EXPECT_NE(opbs.find("SameSite=Lax"), std::string::npos);
  auto key = SetCookie(response, "gh_session");
  auto session = sessions_.Resolve(key.substr(11, key.find(';') - 11));
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ(opbs.substr(8, opbs.find(';') - 8), (*session)->browser_state);
}

TEST_F(LoginPagesTest, HomePageOffersSignOutWithCsrf) {
  auto key = SetCookie(pages_.SubmitLogin(Post(Form("alice", "correct horse"))), "gh_session");
  http::Request home;
  home.method = "GET";
  home.target = "/";
  home.headers.Add("Cookie", key.substr(0, key.find(';')) + "; gh_csrf=" + csrf_nonce_);
  auto page = pages_.ShowHome(home);
  EXPECT_NE(page.body.find("action=\"/logout/confirm\""), std::string::npos);
  EXPECT_NE(page.body.find("value=\"" + CsrfField(key.substr(0, key.find(';'))) + "\""),
            std::string::npos);
  EXPECT_NE(page.body.find("value=\"all\""), std::string::npos);
  EXPECT_NE(page.body.find("Sign out of all my sessions"), std::string::npos);
}

TEST_F(LoginPagesTest, WrongPasswordAndUnknownUserGetTheSameGenericError) {
  auto wrong = pages_.SubmitLogin(Post(Form("alice", "wrong")));
  auto unknown = pages_.SubmitLogin(Post(Form("mallory", "wrong")));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_NE(wrong.body.find("Invalid username or password."), std::string::npos);
  EXPECT_NE(unknown.body.find("Invalid username or password."), std::string::npos);
  EXPECT_TRUE(SetCookie(wrong, "gh_session").empty());
}

TEST_F(LoginPagesTest, PostWithoutMatchingCsrfIsRefused) {
  auto response = pages_.SubmitLogin(Post(Form("alice", "correct horse"), false));
  EXPECT_EQ(response.status, 403);
  EXPECT_TRUE(SetCookie(response, "gh_session").empty());
}

TEST_F(LoginPagesTest, ForeignReturnToFallsBackHome) {
  auto response = pages_.SubmitLogin(Post(Form("alice", "correct horse", "https://evil.example/")));
  EXPECT_EQ(response.headers.Get("Location"), "/");
}

TEST_F(LoginPagesTest, OffersUpstreamsAndGoesStraightToTheOneAHintNames) {
  LoginPages pages(*store_, sessions_, hasher_, csrf_, throttle_, events_,
                   LoginSettings{.upstreams = {{"corp", "https://sso.corp.example", "Corporate SSO",
                                                "/upstream/corp/start"}}});
  auto show = [&](std::string query) {
    http::Request r;
    r.method = "GET";
    r.target = "/login?" + query;
    return pages.ShowLogin(r);
  };
  const std::string back = "/authorize?client_id=app";
  auto form = show(Params{{"return_to", back}}.Encode());
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("Sign in with Corporate SSO"), std::string::npos);
  EXPECT_NE(form.body.find("/upstream/corp/start?return_to=%2Fauthorize%3Fclient_id%3Dapp"),
            std::string::npos);
  for (std::string hint : {"corp", "https://sso.corp.example"}) {
    auto jump = show(Params{{"return_to", back}, {"idp_hint", hint}}.Encode());
    EXPECT_EQ(jump.status, 302) << hint;
    const std::string start = "/upstream/corp/start?" + Params{{"return_to", back}}.Encode();
    EXPECT_EQ(jump.headers.Get("Location"), start);
  }
  // An unknown hint leaves the choice to the person.
  EXPECT_EQ(show(Params{{"return_to", back}, {"idp_hint", "elsewhere"}}.Encode()).status, 200);

  // prompt=login and max_age reach the upstream that will sign the person in, by the hint or by
  // the link (also after a failed password, through the form).
  auto fresh = show(Params{
      {"return_to", back},
      {"idp_hint", "corp"},
      {"prompt", "login consent"},
      {"max_age", "60"}}.Encode());
  const std::string demanded =
      Params{{"return_to", back}, {"prompt", "login"}, {"max_age", "60"}}.Encode();
  EXPECT_EQ(fresh.headers.Get("Location"), "/upstream/corp/start?" + demanded);
  auto page = show(Params{{"return_to", back}, {"prompt", "login"}}.Encode());
  EXPECT_NE(page.body.find("/upstream/corp/start?return_to=%2Fauthorize%3Fclient_id%3Dapp&amp;"
                           "prompt=login"),
            std::string::npos);
  EXPECT_NE(page.body.find("name=\"prompt\" value=\"login\""), std::string::npos);
  const std::string plain = "/upstream/corp/start?" + Params{{"return_to", back}}.Encode();
  EXPECT_EQ(show(Params{{"return_to", back}, {"idp_hint", "corp"}, {"max_age", "-1"}}.Encode())
                .headers.Get("Location"),
            plain);
}

TEST_F(LoginPagesTest, PasswordChecksBeyondTheLimitAreRefusedNotQueued) {
  // Deliberately slow hashing so the two attempts overlap.
  crypto::PasswordHasher slow(random_, crypto::Argon2Params{3, 32 * 1024, 1});
  store::UserRecord bob;
  bob.id = "sub-bob";
  bob.username = "bob";
  bob.password_hash = *slow.Hash("pw");
  ASSERT_TRUE(store_->PutUser(bob).ok());
  LoginPages one_at_a_time(*store_, sessions_, slow, csrf_, throttle_, events_,
                           LoginSettings{.max_password_checks = 1});

  std::latch start(2);
  std::vector<int> statuses(2);
  std::vector<std::thread> attempts;
  for (int i = 0; i < 2; ++i) {
    attempts.emplace_back([&, i] {
      auto request = Post(Form("bob", "wrong"));
      start.arrive_and_wait();
      statuses[i] = one_at_a_time.SubmitLogin(request).status;
    });
  }
  for (auto& t : attempts) t.join();
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{401, 503}));
}

TEST_F(LoginPagesTest, GuessingIsThrottledWithRetryAfterAndRecorded) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(pages_.SubmitLogin(Post(Form("alice", "guess"))).status, 401);
  auto refused = pages_.SubmitLogin(Post(Form("alice", "guess")));
  EXPECT_EQ(refused.status, 401);  // the sixth is checked, and starts the wait
  refused = pages_.SubmitLogin(Post(Form("alice", "correct horse")));
  EXPECT_EQ(refused.status, 429);  // even the right password waits: no free oracle
  EXPECT_EQ(refused.headers.Get("Retry-After"), "1");
  EXPECT_TRUE(SetCookie(refused, "gh_session").empty());
  EXPECT_EQ(events_.counters().logins_throttled.load(), 1);
  auto events = *store_->ListEvents(0, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "login.throttled");

  clock_.Advance(Seconds(1));
  EXPECT_EQ(pages_.SubmitLogin(Post(Form("alice", "correct horse"))).status, 303);
}

TEST_F(LoginPagesTest, ReauthenticationKeepsTheSessionAndAnotherUserEndsIt) {
  auto first = SetCookie(pages_.SubmitLogin(Post(Form("alice", "correct horse"))), "gh_session");
  auto first_value = first.substr(11, first.find(';') - 11);
  auto sid = (*sessions_.Resolve(first_value))->sid;
  clock_.Advance(Seconds(5));

  auto with_first = "gh_session=" + first_value;
  auto again = SetCookie(
      pages_.SubmitLogin(Post(Form("alice", "correct horse", "/", with_first), true, with_first)),
      "gh_session");
  auto again_value = again.substr(11, again.find(';') - 11);
  EXPECT_NE(again_value, first_value);
  auto same = *sessions_.Resolve(again_value);
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->sid, sid);
  EXPECT_EQ(same->auth_time, clock_.Now());

  store::UserRecord bob;
  bob.id = "sub-bob";
  bob.username = "bob";
  bob.password_hash = *hasher_.Hash("bob's password");
  ASSERT_TRUE(store_->PutUser(bob).ok());
  auto with_again = "gh_session=" + again_value;
  auto other = SetCookie(
      pages_.SubmitLogin(Post(Form("bob", "bob's password", "/", with_again), true, with_again)),
      "gh_session");
  auto bob_session = *sessions_.Resolve(other.substr(11, other.find(';') - 11));
  ASSERT_TRUE(bob_session.has_value());
  EXPECT_NE(bob_session->sid, sid);
  auto alice_session = *store_->FindSessionBySid(sid);
  EXPECT_FALSE(alice_session->active());
  EXPECT_EQ(alice_session->end_cause, "superseded");
}

TEST_F(LoginPagesTest, EscapesTheEchoedUsername) {
  auto response = pages_.SubmitLogin(Post(Form("<b>x</b>", "wrong")));
  EXPECT_EQ(response.body.find("<b>x</b>"), std::string::npos);
}

}  // namespace
}  // namespace gh::web
