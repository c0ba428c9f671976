#include "core/html_escape.h"

#include <gtest/gtest.h>

namespace gh {
namespace {

TEST(EscapeHtml, EscapesEverythingThatCouldBreakOut) {
  EXPECT_EQ(EscapeHtml(R"(<a href="x" onclick='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(EscapeHtml("plain text"), "plain text");
}

}  // namespace
}  // namespace gh
