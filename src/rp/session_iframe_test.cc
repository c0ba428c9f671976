#include "rp/session_iframe.h"

#include <gtest/gtest.h>

#include "core/base64url.h"
#include "crypto/digest.h"

namespace gh::rp {
namespace {

SessionIframeSettings Settings() {
  return {.check_session_iframe = "https://id.example/session/check",
          .op_origin = "https://id.example",
          .client_id = "app",
          .session_state = "abc.def",
          .recheck_url = "/login?prompt=none&return_to=",
          .interval = std::chrono::milliseconds(3000)};
}

std::string ScriptOf(const std::string& body) {
  const auto open = body.find('>', body.find("<script"));
  return body.substr(open + 1, body.find("</script>") - open - 1);
}

TEST(SessionIframeTest, ThePolicyRunsExactlyTheScriptAndFramesOnlyTheOp) {
  http::Response response = SessionIframePage(Settings());
  const std::string policy = *response.headers.Get("Content-Security-Policy");
  const std::string hash = "'sha256-" + Base64Encode(crypto::Sha256(ScriptOf(response.body))) + "'";
  EXPECT_NE(policy.find("script-src " + hash), std::string::npos) << policy;
  EXPECT_NE(policy.find("frame-src https://id.example"), std::string::npos);
  EXPECT_NE(policy.find("frame-ancestors 'self'"), std::string::npos);
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
}

TEST(SessionIframeTest, TheScriptPostsToTheOpOriginOnlyAndListensToItOnly) {
  const std::string script = ScriptOf(SessionIframePage(Settings()).body);
  EXPECT_NE(script.find("postMessage(cfg.clientId + ' ' + cfg.sessionState, cfg.opOrigin)"),
            std::string::npos);
  EXPECT_NE(script.find("e.origin !== cfg.opOrigin"), std::string::npos);
}

TEST(SessionIframeTest, SettingsAreEscapedIntoAttributes) {
  SessionIframeSettings settings = Settings();
  settings.client_id = "a\"><script>alert(1)</script>";
  const std::string body = SessionIframePage(settings).body;
  EXPECT_EQ(body.find("\"><script>alert"), std::string::npos);
  EXPECT_NE(body.find("a&quot;&gt;&lt;script&gt;"), std::string::npos);
  EXPECT_NE(body.find("data-interval=\"3000\""), std::string::npos);
}

TEST(SessionIframeTest, WithoutSettingsThePageRunsNothing) {
  http::Response response = SessionIframePage(std::nullopt);
  EXPECT_EQ(response.body.find("<script"), std::string::npos);
  EXPECT_EQ(response.headers.Get("Content-Security-Policy")->find("script-src"), std::string::npos);
}

}  // namespace
}  // namespace gh::rp
