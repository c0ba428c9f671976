#include "web/csrf.h"

#include <gtest/gtest.h>

#include "core/random.h"

namespace gh::web {
namespace {

constexpr char kSecret[] = "a server secret of at least 32 bytes";
constexpr char kNonce[] = "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMDA";  // 43 base64url chars

http::Request Browser(const std::string& cookies) {
  http::Request r;
  r.method = "POST";
  r.target = "/login";
  if (!cookies.empty()) r.headers.Add("Cookie", cookies);
  return r;
}

std::string FieldFor(const Csrf& csrf, const std::string& cookies) {
  http::Response unused;
  return csrf.Issue(Browser(cookies), unused);
}

class CsrfTest : public ::testing::Test {
 protected:
  SystemRandom random_;
  Csrf csrf_{random_, kSecret, false};
};

TEST_F(CsrfTest, AcceptsTheTokenIssuedForTheCookie) {
  auto cookies = std::string("gh_csrf=") + kNonce;
  EXPECT_TRUE(csrf_.Verify(Browser(cookies), {{"csrf_token", FieldFor(csrf_, cookies)}}));
}

// The attack: a sibling site plants a cookie and submits a form with the same value.
TEST_F(CsrfTest, RefusesAPlantedEqualPair) {
  for (std::string planted : {std::string("x"), std::string(kNonce)}) {
    EXPECT_FALSE(csrf_.Verify(Browser("gh_csrf=" + planted), {{"csrf_token", planted}})) << planted;
  }
}

TEST_F(CsrfTest, RefusesATokenMintedUnderAnotherSecret) {
  Csrf elsewhere(random_, "another deployment's secret, 32 bytes", false);
  auto cookies = std::string("gh_csrf=") + kNonce;
  EXPECT_FALSE(csrf_.Verify(Browser(cookies), {{"csrf_token", FieldFor(elsewhere, cookies)}}));
}

TEST_F(CsrfTest, TokenIsBoundToTheBrowsersSession) {
  auto before = std::string("gh_csrf=") + kNonce + "; gh_session=first";
  auto field = FieldFor(csrf_, before);
  EXPECT_TRUE(csrf_.Verify(Browser(before), {{"csrf_token", field}}));
  auto after = std::string("gh_csrf=") + kNonce + "; gh_session=second";
  EXPECT_FALSE(csrf_.Verify(Browser(after), {{"csrf_token", field}}));
  EXPECT_FALSE(csrf_.Verify(Browser(std::string("gh_csrf=") + kNonce), {{"csrf_token", field}}));
}

TEST_F(CsrfTest, RefusesMissingOrMalformedParts) {
  auto cookies = std::string("gh_csrf=") + kNonce;
  auto field = FieldFor(csrf_, cookies);
  EXPECT_FALSE(csrf_.Verify(Browser(""), {{"csrf_token", field}}));
  EXPECT_FALSE(csrf_.Verify(Browser(cookies), {}));
  EXPECT_FALSE(
      csrf_.Verify(Browser("gh_csrf=short"), {{"csrf_token", FieldFor(csrf_, "gh_csrf=short")}}));
}

TEST_F(CsrfTest, IssuesANewNonceWhenTheBrowserHasNone) {
  http::Response response;
  csrf_.Issue(Browser("gh_csrf=planted"), response);
  auto cookie = response.headers.Get("Set-Cookie").value_or("");
  EXPECT_EQ(cookie.rfind("gh_csrf=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);
}

TEST_F(CsrfTest, HttpsIssuerUsesTheHostPrefixAndSecureEvenBehindAProxy) {
  Csrf secure(random_, kSecret, true);
  http::Response response;
  auto field = secure.Issue(Browser(""), response);  // plain HTTP from the proxy
  auto cookie = response.headers.Get("Set-Cookie").value_or("");
  ASSERT_EQ(cookie.rfind("__Host-gh_csrf=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Domain"), std::string::npos);
  auto nonce = cookie.substr(15, cookie.find(';') - 15);
  EXPECT_TRUE(secure.Verify(Browser("__Host-gh_csrf=" + nonce), {{"csrf_token", field}}));
  // The unprefixed cookie, which any sibling host could set, does not count.
  EXPECT_FALSE(secure.Verify(Browser("gh_csrf=" + nonce), {{"csrf_token", field}}));
}

}  // namespace
}  // namespace gh::web
