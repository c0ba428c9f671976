#include "core/params.h"

#include <gtest/gtest.h>

namespace gh {
namespace {

TEST(Params, DecodesPercentAndPlus) {
  auto p = Params::Parse("a=x%20y&b=1+2&c=%2B");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Get("a"), "x y");
  EXPECT_EQ(p->Get("b"), "1 2");
  EXPECT_EQ(p->Get("c"), "+");
}

TEST(Params, EmptyValueCountsAsOmitted) {
  auto p = Params::Parse("state=&nonce");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->Get("state").has_value());
  EXPECT_FALSE(p->Get("nonce").has_value());
  EXPECT_EQ(p->Count("state"), 1u);
}

TEST(Params, ReportsRepeatedNames) {
  EXPECT_EQ(Params::Parse("a=1&b=2&a=3")->RepeatedName(), "a");
  EXPECT_FALSE(Params::Parse("a=1&b=2")->RepeatedName().has_value());
}

TEST(Params, RejectsMalformedEncoding) { EXPECT_FALSE(Params::Parse("a=%zz").ok()); }

// Regression (fuzz/params_fuzz.cc): a view inside a larger buffer is parsed up to its end only.
TEST(Params, ParsesOnlyTheViewItIsGiven) {
  const std::string buffer = "a=1&b=2";
  auto params = Params::Parse(std::string_view(buffer).substr(0, 3));
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->items(), (std::vector<Params::Item>{{"a", "1"}}));
}

TEST(Params, RejectsARawNul) {
  EXPECT_FALSE(Params::Parse(std::string("a=1\0&b=2", 8)).ok());
  EXPECT_EQ(*Params::Parse("a=%00")->Get("a"), std::string(1, '\0'));
}

TEST(Params, EncodesReservedCharacters) {
  Params p{{"redirect_uri", "https://a/b?c=d"}, {"s", "x y"}};
  EXPECT_EQ(p.Encode(), "redirect_uri=https%3A%2F%2Fa%2Fb%3Fc%3Dd&s=x%20y");
}

TEST(AppendQuery, KeepsExistingQuery) {
  EXPECT_EQ(AppendQuery("https://rp/cb?x=1", Params{{"code", "c"}, {"state", "s t"}}),
            "https://rp/cb?x=1&code=c&state=s%20t");
  EXPECT_EQ(AppendQuery("https://rp/cb", Params{{"code", "c"}}), "https://rp/cb?code=c");
}

TEST(UriOrigin, SchemeHostAndNonDefaultPort) {
  EXPECT_EQ(UriOrigin("https://SPA.example/cb?x=1#f"), "https://spa.example");
  EXPECT_EQ(UriOrigin("https://spa.example:443/cb"), "https://spa.example");
  EXPECT_EQ(UriOrigin("http://localhost:8080/cb"), "http://localhost:8080");
  EXPECT_EQ(UriOrigin("http://localhost:80/"), "http://localhost");
  EXPECT_FALSE(UriOrigin("com.example.app:/cb").has_value());
  EXPECT_FALSE(UriOrigin("/relative").has_value());
}

}  // namespace
}  // namespace gh
