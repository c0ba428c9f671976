#include "oidc/session_state.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/params.h"
#include "oidc/frontchannel_logout.h"

namespace gh::oidc {
namespace {

store::SessionRecord Session(std::string sid, std::string browser_state) {
  store::SessionRecord s;
  s.sid = std::move(sid);
  s.browser_state = std::move(browser_state);
  return s;
}

store::ClientRecord Spa() {
  store::ClientRecord c;
  c.id = "spa";
  c.redirect_uris = {"https://spa.example/cb", "http://localhost:8080/cb"};
  return c;
}

TEST(SessionState, HasTheSpecifiedShape) {
  auto value = SessionState("spa", "https://spa.example", Session("sid1", "bs1"), "nonce1");
  EXPECT_TRUE(std::regex_match(value, std::regex("[0-9a-f]{64}\\.sid1\\.nonce1"))) << value;
  EXPECT_EQ(value.find(' '), std::string::npos);
  EXPECT_EQ(SessionStateSid(value), "sid1");
  // A fresh salt changes the value; the check still accepts both.
  auto other = SessionState("spa", "https://spa.example", Session("sid1", "bs1"), "nonce2");
  EXPECT_NE(value, other);
}

TEST(SessionState, ChangesWhenTheBrowserSignsInAgain) {
  auto before = Session("sid1", "bs1");
  auto after = Session("sid2", "bs2");  // a new sign-in is a new session with a new state
  auto value = SessionState("spa", "https://spa.example", before, "n");
  EXPECT_EQ(CheckSessionState(Spa(), "https://spa.example", value, before),
            SessionCheck::kUnchanged);
  EXPECT_EQ(CheckSessionState(Spa(), "https://spa.example", value, after), SessionCheck::kChanged);
  EXPECT_NE(SessionState("spa", "https://spa.example", after, "n"), value);
}

TEST(SessionState, EndedSessionIsChanged) {
  auto value = SessionState("spa", "https://spa.example", Session("sid1", "bs1"), "n");
  EXPECT_EQ(CheckSessionState(Spa(), "https://spa.example", value, std::nullopt),
            SessionCheck::kChanged);
  // Same sid, other browser state: a forged or stale value.
  EXPECT_EQ(CheckSessionState(Spa(), "https://spa.example", value, Session("sid1", "bs-other")),
            SessionCheck::kChanged);
}

TEST(SessionState, HashCoversClientAndOrigin) {
  auto s = Session("sid1", "bs1");
  auto value = SessionState("spa", "https://spa.example", s, "n");
  EXPECT_EQ(CheckSessionState(Spa(), "http://localhost:8080", value, s), SessionCheck::kChanged);
  auto other = Spa();
  other.id = "other";
  EXPECT_EQ(CheckSessionState(other, "https://spa.example", value, s), SessionCheck::kChanged);
}

TEST(SessionState, MalformedValueOrUnregisteredOriginIsError) {
  auto s = Session("sid1", "bs1");
  auto value = SessionState("spa", "https://spa.example", s, "n");
  EXPECT_EQ(CheckSessionState(Spa(), "https://evil.example", value, s), SessionCheck::kError);
  for (const char* bad : {"", "abc", "abc.sid1.n", "x.y", "0123.sid1", " . . "})
    EXPECT_EQ(CheckSessionState(Spa(), "https://spa.example", bad, s), SessionCheck::kError) << bad;
  EXPECT_FALSE(SessionStateSid("nohash.sid1.n").has_value());
}

TEST(FrontChannelLogoutUrl, AddsIssAndSidWhenTheClientRequiresThem) {
  store::ClientRecord c;
  EXPECT_FALSE(FrontChannelLogoutUrl(c, "https://id.example", "s1").has_value());
  c.frontchannel_logout_uri = "https://app.example/fc?tenant=a";
  c.frontchannel_logout_session_required = true;
  auto url = FrontChannelLogoutUrl(c, "https://id.example", "s1");
  ASSERT_TRUE(url.has_value());
  ASSERT_EQ(url->rfind("https://app.example/fc?", 0), 0u) << *url;
  auto query = Params::Parse(url->substr(url->find('?') + 1));
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->Get("tenant"), "a");  // §2: a registered query is kept
  EXPECT_EQ(query->Get("iss"), "https://id.example");
  EXPECT_EQ(query->Get("sid"), "s1");
  c.frontchannel_logout_session_required = false;
  EXPECT_EQ(FrontChannelLogoutUrl(c, "https://id.example", "s1"),
            "https://app.example/fc?tenant=a");
}

}  // namespace
}  // namespace gh::oidc
