#include "web/html.h"

#include <gtest/gtest.h>

namespace gh::web {
namespace {

TEST(Html, EscapesEverythingThatCouldBreakOut) {
  EXPECT_EQ(Escape(R"(<a href="x" onclick='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST(Html, ErrorPageEscapesItsText) {
  auto page = ErrorPage("Oops", "<script>alert(1)</script>");
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace gh::web
