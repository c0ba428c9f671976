#include "oidc/cors.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::oidc {
namespace {

constexpr char kOrigin[] = "https://spa.example";

class CorsTest : public ::testing::Test {
 protected:
  CorsTest() : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))), cors_(*store_, clock_) {}

  void Register(const std::string& id, std::vector<std::string> origins) {
    store::ClientRecord client;
    client.id = id;
    client.name = id;
    client.redirect_uris = {"https://" + id + ".example/cb"};
    client.web_origins = std::move(origins);
    ASSERT_TRUE(store_->PutClient(client).ok());
  }

  static http::Request From(std::string origin, std::string method = "GET") {
    http::Request request;
    request.method = std::move(method);
    request.target = "/userinfo";
    if (!origin.empty()) request.headers.Add("Origin", std::move(origin));
    return request;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  Cors cors_;
  http::Handler ok_ = [](const http::Request&) { return http::Response::Json(200, "{}"); };
};

TEST_F(CorsTest, AnswersOnlyRegisteredOrigins) {
  Register("spa", {kOrigin});
  auto handler = cors_.Allow(ok_);
  auto allowed = handler(From(kOrigin));
  EXPECT_EQ(allowed.headers.Get("Access-Control-Allow-Origin"), kOrigin);
  EXPECT_EQ(allowed.headers.Get("Vary"), "Origin");
  EXPECT_FALSE(allowed.headers.Get("Access-Control-Allow-Credentials").has_value());

  for (const char* other : {"https://evil.example", "https://spa.example.evil", "null", ""}) {
    auto refused = handler(From(other));
    EXPECT_EQ(refused.status, 200);  // the request itself is served; the browser hides it
    EXPECT_FALSE(refused.headers.Get("Access-Control-Allow-Origin").has_value()) << other;
  }
}

TEST_F(CorsTest, PreflightNamesMethodsAndHeadersForRegisteredOriginsOnly) {
  Register("spa", {kOrigin});
  auto preflight = cors_.Preflight(From(kOrigin, "OPTIONS"), "GET, POST");
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers.Get("Access-Control-Allow-Origin"), kOrigin);
  EXPECT_EQ(preflight.headers.Get("Access-Control-Allow-Methods"), "GET, POST");
  EXPECT_EQ(preflight.headers.Get("Access-Control-Allow-Headers"), "Authorization, Content-Type");

  auto refused = cors_.Preflight(From("https://evil.example", "OPTIONS"), "GET, POST");
  EXPECT_FALSE(refused.headers.Get("Access-Control-Allow-Origin").has_value());
  EXPECT_FALSE(refused.headers.Get("Access-Control-Allow-Methods").has_value());
}

TEST_F(CorsTest, NewRegistrationsCountWithinSeconds) {
  EXPECT_FALSE(cors_.Allowed(kOrigin));
  Register("spa", {kOrigin});
  clock_.Advance(Seconds(5));
  EXPECT_TRUE(cors_.Allowed(kOrigin));
}

}  // namespace
}  // namespace gh::oidc
