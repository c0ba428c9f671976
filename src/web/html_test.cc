#include "web/html.h"

#include <gtest/gtest.h>


namespace gh::web {
namespace {

TEST(Html, ErrorPageEscapesItsText) {
  auto page = ErrorPage("Oops", "<script>alert(1)</script>");
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace gh::web
