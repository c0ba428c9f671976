// ProviderTest: the provider of ProviderFixture with two registered clients — "app"
// (confidential, client_secret_basic) and "spa" (public, ES256 ID tokens) — and the requests the
// end-to-end tests of its endpoints make (authorize with a session, redeem, introspect).
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/base64url.h"
#include "crypto/digest.h"
#include "oidc/provider_fixture.h"

namespace gh::oidc {

using nlohmann::json;

inline constexpr char kAppRedirect[] = "https://app.example/cb";
inline constexpr char kSpaRedirect[] = "https://spa.example/cb";
inline constexpr char kSecret[] = "s3cret:&+%";
inline constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

// Query parameters of a redirect's Location.
inline Params LocationParams(const http::Response& response) {
  auto location = response.headers.Get("Location").value_or("");
  auto q = location.find('?');
  return q == std::string::npos ? Params() : *Params::Parse(location.substr(q + 1));
}

inline json Body(const http::Response& response) { return json::parse(response.body); }

// GET /userinfo, with `access_token` as its Bearer token when given.
inline http::Request UserInfoRequest(const std::optional<std::string>& access_token = {}) {
  http::Request request;
  request.method = "GET";
  request.target = "/userinfo";
  if (access_token) request.headers.Add("Authorization", "Bearer " + *access_token);
  return request;
}

// RFC 6750 §3.1: a request with a token that is not (or no longer) valid.
inline void ExpectInvalidTokenChallenge(const http::Response& response) {
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.headers.Get("WWW-Authenticate")
                .value_or("")
                .rfind("Bearer error=\"invalid_token\"", 0),
            0u);
}

inline std::string BasicAuth(std::string_view id, std::string_view secret) {
  Params encoded{{"a", std::string(id)}, {"b", std::string(secret)}};
  auto e = encoded.Encode();  // a=<id>&b=<secret>, each form-urlencoded
  auto amp = e.find('&');
  return "Basic " + Base64Encode(e.substr(2, amp - 2) + ":" + e.substr(amp + 3));
}

class ProviderTest : public ProviderFixture {
 protected:
  void SetUp() override {
    ProviderFixture::SetUp();
    store::ClientRecord app;
    app.id = "app";
    app.name = "App";
    app.secret_hash = crypto::Sha256Base64Url(kSecret);
    app.redirect_uris = {kAppRedirect};
    app.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(app).ok());
    store::ClientRecord spa;
    spa.id = "spa";
    spa.name = "SPA";
    spa.redirect_uris = {kSpaRedirect};
    spa.id_token_signed_response_alg = "ES256";
    spa.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(spa).ok());
  }

  http::Response Get(const std::string& target, const std::string& cookie = "") {
    http::Request request;
    request.method = "GET";
    request.target = target;
    if (!cookie.empty())
      request.headers.Add("Cookie", std::string(session::kSessionCookieName) + "=" + cookie);
    return router_.Dispatch(request);
  }

  http::Response Post(const std::string& path, const std::string& body,
                      std::optional<std::string> authorization = std::nullopt,
                      std::string content_type = "application/x-www-form-urlencoded") {
    http::Request request;
    request.method = "POST";
    request.target = path;
    request.headers.Add("Content-Type", content_type);
    if (authorization) request.headers.Add("Authorization", *authorization);
    request.body = body;
    return router_.Dispatch(request);
  }

  http::Response PostAsApp(const std::string& path, const Params& form) {
    return Post(path, form.Encode(), BasicAuth("app", kSecret));
  }

  // Signs alice in and returns the session cookie.
  std::string Login() {
    auto started = sessions_.Start("u-alice");
    EXPECT_TRUE(started.ok());
    sid_ = started->session.sid;
    return started->cookie_value;
  }

  static Params AppAuthorize() {
    return {{"response_type", "code"},
            {"client_id", "app"},
            {"redirect_uri", kAppRedirect},
            {"scope", "openid profile email"},
            {"state", "st-1"},
            {"nonce", "n-1"},
            {"code_challenge", kChallenge},
            {"code_challenge_method", "S256"}};
  }

  // AppAuthorize asking for openid and offline_access.
  static Params OfflineAuthorize() {
    Params offline;
    const Params online = AppAuthorize();
    for (const auto& [name, value] : online.items())
      offline.Add(name, name == "scope" ? "openid offline_access" : value);
    return offline;
  }

  // Runs /authorize with a signed-in session and returns the code.
  std::string Code(const Params& params = AppAuthorize()) {
    if (cookie_.empty()) cookie_ = Login();
    auto response = Get("/authorize?" + params.Encode(), cookie_);
    EXPECT_EQ(response.status, 302);
    auto code = LocationParams(response).Get("code");
    EXPECT_TRUE(code.has_value()) << response.headers.Get("Location").value_or("");
    return code.value_or("");
  }

  http::Response Redeem(const std::string& code, std::string verifier = kVerifier) {
    return PostAsApp("/token", {{"grant_type", "authorization_code"},
                                {"code", code},
                                {"redirect_uri", kAppRedirect},
                                {"code_verifier", verifier}});
  }

  json Introspect(const std::string& token) {
    auto response = PostAsApp("/introspect", {{"token", token}});
    EXPECT_EQ(response.status, 200) << response.body;
    return Body(response);
  }

  void ExpectOAuthError(const http::Response& response, int status, const char* error) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(Body(response)["error"], error) << response.body;
    EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  }
};

}  // namespace gh::oidc
