#include "rp/rp_routes.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "http/beast_client.h"
#include "http/test_server.h"
#include "rp/fake_op_test_support.h"

namespace gh::rp {
namespace {

using namespace testing;  // NOLINT: the fake OP's names

RpConfig Config() {
  RpConfig config;
  config.issuer = kIssuer;
  config.client_id = kClientId;
  config.redirect_uri = "https://app.example/auth/callback?tenant=1";
  config.post_logout_redirect_uri = "https://app.example/auth/signed-out";
  return config;
}

http::Request Request(std::string method, std::string target) {
  http::Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

TEST(RpRoutesTest, MountsEveryHandler) {
  FakeClock clock;
  SystemRandom random;
  FakeOp op;
  InMemoryAppSessionStore sessions(clock);
  InMemoryOneTimeStore once(clock);
  RpClient client(Config(), op, sessions, once, clock, random);
  http::Router router;
  RegisterRpRoutes(router, client, {.login = "/auth/login"});

  EXPECT_EQ(router.Dispatch(Request("GET", "/auth/login")).status, 302);
  EXPECT_EQ(router.Dispatch(Request("GET", "/auth/callback?tenant=1&state=x")).status, 400);
  EXPECT_EQ(router.Dispatch(Request("GET", "/logout")).status, 200);
  EXPECT_EQ(router.Dispatch(Request("POST", "/logout")).status, 303);
  EXPECT_EQ(router.Dispatch(Request("GET", "/auth/signed-out")).status, 200);
  EXPECT_EQ(router.Dispatch(Request("GET", "/logout/frontchannel")).status, 400);
  EXPECT_EQ(router.Dispatch(Request("POST", "/logout/backchannel")).status, 400);
  EXPECT_EQ(router.Dispatch(Request("GET", "/logout/backchannel")).status, 405);
  EXPECT_EQ(router.Dispatch(Request("GET", "/session/iframe")).status, 200);
}

// The blocking wrapper over the real asynchronous client, against a real server standing in
// for the OP: discovery and JWKS come over loopback HTTP.
TEST(RpRoutesTest, ProviderMetadataWorksOverTheRealHttpClient) {
  http::Router op_router;
  std::promise<std::uint16_t> port_promise;
  auto port_future = port_promise.get_future().share();
  auto issuer = [port_future] { return "http://127.0.0.1:" + std::to_string(port_future.get()); };
  op_router.Add("GET", "/.well-known/openid-configuration", [issuer](const http::Request&) {
    nlohmann::json doc = {{"issuer", issuer()},
                          {"authorization_endpoint", issuer() + "/authorize"},
                          {"token_endpoint", issuer() + "/token"},
                          {"jwks_uri", issuer() + "/jwks"}};
    return http::Response::Json(200, doc.dump());
  });
  op_router.Add("GET", "/jwks", [](const http::Request&) {
    return http::Response::Json(200, nlohmann::json{{"keys", {Rs256Key().PublicJwk()}}}.dump());
  });
  http::RunningServer op_server({}, op_router);
  port_promise.set_value(op_server.port());

  FakeClock clock;
  http::BeastHttpClient client;
  ProviderMetadata provider(issuer(), client, clock);
  auto endpoints = provider.Endpoints();
  ASSERT_TRUE(endpoints.ok()) << endpoints.error().message;
  EXPECT_EQ(endpoints->jwks_uri, issuer() + "/jwks");
  auto jws = crypto::DecodeJws(Sign({{"iss", issuer()}}));
  ASSERT_TRUE(jws.ok());
  EXPECT_TRUE(provider.VerifySignature(*jws).ok());
}

}  // namespace
}  // namespace gh::rp
