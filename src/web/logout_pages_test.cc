#include "web/logout_pages.h"

#include <gtest/gtest.h>

namespace gh::web {
namespace {

TEST(ConfirmationPage, AsksWithACsrfProtectedForm) {
  auto r = ConfirmationPage({"tok<en", "lid\"1", "Mail <&> Co", "Not sent back."});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("action=\"/logout/confirm\""), std::string::npos);
  EXPECT_NE(r.body.find("name=\"csrf_token\" value=\"tok&lt;en\""), std::string::npos);
  EXPECT_NE(r.body.find("name=\"logoutId\" value=\"lid&quot;1\""), std::string::npos);
  EXPECT_NE(r.body.find("Mail &lt;&amp;&gt; Co"), std::string::npos);
  EXPECT_NE(r.body.find("Stay signed in"), std::string::npos);
  EXPECT_NE(r.body.find("Not sent back."), std::string::npos);
  auto csp = r.headers.Get("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("style-src 'sha256-"), std::string::npos);
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
}

TEST(SignedOutPage, ListsAppsWithEscapedNamesAndStatuses) {
  SignedOut view;
  view.apps.push_back({"mail",
                       "<Mail>",
                       {"https://mail.example/fc?iss=x&sid=1"},
                       SignedOutApp::BackChannel::kNone});
  view.apps.push_back({"api", "Reports", {}, SignedOutApp::BackChannel::kPending});
  view.apps.push_back({"old", "Legacy", {}, SignedOutApp::BackChannel::kNone});
  view.frame_origins = {"https://mail.example"};
  view.logout_ids = {"L1"};
  view.continue_to = "https://mail.example/bye?state=a&b";
  auto r = SignedOutPage(view);
  EXPECT_NE(r.body.find("You are signed out"), std::string::npos);
  EXPECT_EQ(r.body.find("<Mail>"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;Mail&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("data-frame=\"https://mail.example/fc?iss=x&amp;sid=1\""),
            std::string::npos);
  EXPECT_NE(r.body.find("<noscript><iframe hidden"), std::string::npos);
  EXPECT_NE(r.body.find("will be notified when it is reachable"), std::string::npos);
  EXPECT_NE(r.body.find("registered no sign-out address"), std::string::npos);
  EXPECT_NE(r.body.find("data-poll=\"/logout/status?logoutId=L1\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"https://mail.example/bye?state=a&amp;b\""), std::string::npos);
  auto csp = r.headers.Get("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-src https://mail.example;"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'sha256-"), std::string::npos) << csp;
}

TEST(SignedOutPage, FramesNothingWithoutFrontChannelApps) {
  auto r = SignedOutPage({});
  auto csp = r.headers.Get("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-src 'none'"), std::string::npos) << csp;
  EXPECT_EQ(r.body.find("id=\"continue\""), std::string::npos);
}

}  // namespace
}  // namespace gh::web
