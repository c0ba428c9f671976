#include "web/html.h"

#include <gtest/gtest.h>

namespace gh::web {
namespace {

TEST(Html, ErrorPageEscapesItsTextAndIsNeverStored) {
  auto response = ErrorPage(400, "Oops", "<script>alert(1)</script>");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(response.body.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
}

}  // namespace
}  // namespace gh::web
