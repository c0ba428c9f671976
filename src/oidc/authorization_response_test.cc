#include "oidc/authorization_response.h"

#include <gtest/gtest.h>

#include "core/base64url.h"
#include "crypto/digest.h"

namespace gh::oidc {
namespace {

TEST(AuthorizationResponse, QueryModeRedirectsWithStateAndIss) {
  ResponseTarget target{"https://app.example/cb?tenant=1", ResponseMode::kQuery, "s t"};
  auto response = DeliverAuthorizationResponse(target, "https://id.example", {{"code", "abc"}});
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.Get("Location"),
            "https://app.example/cb?tenant=1&code=abc&state=s%20t&iss=https://id.example");
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
}

TEST(AuthorizationResponse, StateIsOmittedWhenNotSent) {
  ResponseTarget target{"https://app.example/cb", ResponseMode::kQuery, std::nullopt};
  auto response = DeliverAuthorizationResponse(target, "https://id", {{"code", "abc"}});
  EXPECT_EQ(response.headers.Get("Location")->find("state="), std::string::npos);
}

TEST(AuthorizationResponse, FormPostEscapesAndAllowsOnlyItsScript) {
  ResponseTarget target{"https://app.example/cb?a=1&b=\"2\"", ResponseMode::kFormPost,
                        "<script>alert(1)</script>"};
  auto response = DeliverAuthorizationResponse(target, "https://id", {{"code", "abc"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(response.headers.Get("Location").has_value());
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  const auto& body = response.body;
  EXPECT_NE(body.find("action=\"https://app.example/cb?a=1&amp;b=&quot;2&quot;\""),
            std::string::npos);
  EXPECT_NE(body.find("name=\"state\" value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""),
            std::string::npos);
  EXPECT_EQ(body.find("<script>alert"), std::string::npos);
  EXPECT_NE(body.find("name=\"code\" value=\"abc\""), std::string::npos);
  EXPECT_NE(body.find("name=\"iss\" value=\"https://id\""), std::string::npos);
  EXPECT_NE(body.find("<button type=\"submit\">"), std::string::npos);

  // The CSP hash must be that of the one inline script on the page.
  auto open = body.find("<script>");
  auto close = body.find("</script>", open);
  ASSERT_NE(open, std::string::npos);
  std::string script = body.substr(open + 8, close - open - 8);
  auto csp = response.headers.Get("Content-Security-Policy");
  ASSERT_TRUE(csp.has_value());
  EXPECT_NE(csp->find("script-src 'sha256-" + Base64Encode(crypto::Sha256(script)) + "'"),
            std::string::npos);
  EXPECT_NE(csp->find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(csp->find("unsafe-inline"), std::string::npos);
}

}  // namespace
}  // namespace gh::oidc
