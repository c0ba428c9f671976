#include "http/message.h"

#include <gtest/gtest.h>

namespace gh::http {
namespace {

TEST(HeadersTest, NamesCompareCaseInsensitively) {
  Headers h;
  h.Add("Content-Type", "text/plain");
  h.Add("X-A", "1");
  h.Add("x-a", "2");
  EXPECT_EQ(h.Get("content-type"), "text/plain");
  EXPECT_EQ(h.GetAll("X-a"), (std::vector<std::string>{"1", "2"}));
  h.Set("X-A", "3");
  EXPECT_EQ(h.GetAll("x-a"), std::vector<std::string>{"3"});
  EXPECT_FALSE(h.Get("missing"));
}

TEST(RequestTest, SplitsPathAndQuery) {
  Request r;
  r.target = "/authorize?client_id=a%20b&x=1";
  EXPECT_EQ(r.Path(), "/authorize");
  EXPECT_EQ(r.RawQuery(), "client_id=a%20b&x=1");
  auto q = r.Query();
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Get("client_id"), "a b");
  r.target = "/plain";
  EXPECT_EQ(r.Path(), "/plain");
  EXPECT_EQ(r.RawQuery(), "");
}

TEST(RequestTest, FormRequiresFormContentType) {
  Request r;
  r.body = "grant_type=authorization_code&code=x+y";
  EXPECT_FALSE(r.Form().ok());
  r.headers.Set("Content-Type", "application/json");
  EXPECT_FALSE(r.Form().ok());
  r.headers.Set("Content-Type", "Application/X-WWW-Form-Urlencoded ; charset=UTF-8");
  auto form = r.Form();
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->Get("code"), "x y");
}

TEST(RequestTest, ReadsCookies) {
  Request r;
  r.headers.Add("Cookie", "a=1; sid=abc");
  r.headers.Add("Cookie", "b=\"quoted\"");
  EXPECT_EQ(r.Cookie("sid"), "abc");
  EXPECT_EQ(r.Cookie("a"), "1");
  EXPECT_EQ(r.Cookie("b"), "quoted");
  EXPECT_FALSE(r.Cookie("si"));
}

TEST(ResponseTest, FactoriesSetContentType) {
  EXPECT_EQ(Response::Text(200, "x").headers.Get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Response::Html(200, "x").headers.Get("Content-Type"), "text/html; charset=utf-8");
  auto json = Response::Json(400, "{}");
  EXPECT_EQ(json.status, 400);
  EXPECT_EQ(json.headers.Get("Content-Type"), "application/json");
  auto redirect = Response::Redirect("https://rp/cb", 303);
  EXPECT_EQ(redirect.status, 303);
  EXPECT_EQ(redirect.headers.Get("Location"), "https://rp/cb");
  auto no_store = Response::Json(200, "{}").NoStore();
  EXPECT_EQ(no_store.headers.Get("Cache-Control"), "no-store");
  EXPECT_EQ(no_store.headers.Get("Pragma"), "no-cache");
}

TEST(SetCookieHeaderTest, BuildsAttributes) {
  CookieOptions options;
  EXPECT_EQ(SetCookieHeader("sid", "v", options), "sid=v; Path=/; HttpOnly; SameSite=Lax");
  options.secure = true;
  options.max_age_seconds = 3600;
  EXPECT_EQ(SetCookieHeader("sid", "v", options),
            "sid=v; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");
  options.max_age_seconds = 0;
  EXPECT_EQ(SetCookieHeader("sid", "", options),
            "sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; "
            "SameSite=Lax");
}

}  // namespace
}  // namespace gh::http
