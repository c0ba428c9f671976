#include "http/router.h"

#include <gtest/gtest.h>

namespace gh::http {
namespace {

Request Make(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add("GET", "/hello", [](const Request&) { return Response::Text(200, "hello"); });
    router_.Add("POST", "/hello", [](const Request& r) { return Response::Text(201, r.body); });
  }
  Router router_;
};

TEST_F(RouterTest, DispatchesByMethodAndExactPath) {
  EXPECT_EQ(router_.Dispatch(Make("GET", "/hello?x=1")).body, "hello");
  auto post = Make("POST", "/hello");
  post.body = "b";
  EXPECT_EQ(router_.Dispatch(post).status, 201);
  EXPECT_EQ(router_.Dispatch(Make("GET", "/hello/")).status, 404);
}

TEST_F(RouterTest, InlineRoutesAreKnownAsSuchHeadIncluded) {
  router_.AddInline("GET", "/static", [](const Request&) { return Response::Text(200, "s"); });
  EXPECT_TRUE(router_.IsInline(Make("GET", "/static")));
  EXPECT_TRUE(router_.IsInline(Make("HEAD", "/static?x=1")));
  EXPECT_EQ(router_.Dispatch(Make("GET", "/static")).body, "s");
  EXPECT_FALSE(router_.IsInline(Make("GET", "/hello")));
  EXPECT_FALSE(router_.IsInline(Make("POST", "/static")));
  EXPECT_FALSE(router_.IsInline(Make("GET", "/nope")));
}

TEST_F(RouterTest, UnknownPathIs404InTheAskedFormat) {
  auto text = router_.Dispatch(Make("GET", "/nope"));
  EXPECT_EQ(text.status, 404);
  EXPECT_EQ(text.headers.Get("Content-Type"), "text/plain; charset=utf-8");
  auto request = Make("GET", "/nope");
  request.headers.Add("Accept", "application/json");
  auto json = router_.Dispatch(request);
  EXPECT_EQ(json.status, 404);
  EXPECT_EQ(json.body, R"({"error":"not_found"})");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  auto response = router_.Dispatch(Make("DELETE", "/hello"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.Get("Allow"), "GET, HEAD, POST");
}

TEST_F(RouterTest, HeadUsesGetWithoutBody) {
  auto response = router_.Dispatch(Make("HEAD", "/hello"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.headers.Get("Content-Length"), "5");
}

}  // namespace
}  // namespace gh::http
