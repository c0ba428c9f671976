#include "web/login_pages.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/random.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::web {
namespace {

class LoginPagesTest : public ::testing::Test {
 protected:
  LoginPagesTest()
      : store_(*store::SqliteStore::Open(dir_.File("db.sqlite"))),
        hasher_(random_, crypto::Argon2Params{1, 1024, 1}),
        events_(clock_),
        sessions_(*store_, clock_, random_, events_, session::SessionPolicy{}),
        csrf_(random_),
        pages_(*store_, sessions_, hasher_, csrf_, false) {
    store::UserRecord alice;
    alice.id = "sub-alice";
    alice.username = "alice";
    alice.password_hash = *hasher_.Hash("correct horse");
    alice.created_at = clock_.Now();
    EXPECT_TRUE(store_->PutUser(alice).ok());
  }

  http::Request Post(std::string body, bool with_csrf_cookie = true) {
    http::Request r;
    r.method = "POST";
    r.target = "/login";
    r.headers.Add("Content-Type", "application/x-www-form-urlencoded");
    if (with_csrf_cookie) r.headers.Add("Cookie", "gh_csrf=" + csrf_token_);
    r.body = std::move(body);
    return r;
  }
  std::string Form(std::string user, std::string password, std::string return_to = "/") {
    return Params{{"csrf_token", csrf_token_},
                  {"username", user},
                  {"password", password},
                  {"return_to", return_to}}
        .Encode();
  }

  testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  FakeClock clock_;
  SystemRandom random_;
  crypto::PasswordHasher hasher_;
  session::EventLog events_;
  session::SessionAuthority sessions_;
  Csrf csrf_;
  LoginPages pages_;
  std::string csrf_token_ = std::string(43, 'c');
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
  auto token = cookie.substr(8, cookie.find(';') - 8);
  EXPECT_NE(response.body.find("value=\"" + token + "\""), std::string::npos);
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
  auto cookie = SetCookie(pages_.SubmitLogin(request), "gh_session");
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
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

TEST_F(LoginPagesTest, EscapesTheEchoedUsername) {
  auto response = pages_.SubmitLogin(Post(Form("<b>x</b>", "wrong")));
  EXPECT_EQ(response.body.find("<b>x</b>"), std::string::npos);
}

}  // namespace
}  // namespace gh::web
