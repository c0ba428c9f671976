#include "oidc/discovery.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gh::oidc {
namespace {

TEST(Discovery, AdvertisesEndpointsUnderTheIssuer) {
  auto doc = DiscoveryDocument("https://id.example");
  EXPECT_EQ(doc["issuer"], "https://id.example");
  EXPECT_EQ(doc["authorization_endpoint"], "https://id.example/authorize");
  EXPECT_EQ(doc["token_endpoint"], "https://id.example/token");
  EXPECT_EQ(doc["userinfo_endpoint"], "https://id.example/userinfo");
  EXPECT_EQ(doc["jwks_uri"], "https://id.example/jwks");
  EXPECT_EQ(doc["revocation_endpoint"], "https://id.example/revoke");
  EXPECT_EQ(doc["introspection_endpoint"], "https://id.example/introspect");
}

TEST(Discovery, AdvertisesCapabilities) {
  auto doc = DiscoveryDocument("https://id.example");
  using J = nlohmann::json;
  EXPECT_EQ(doc["response_types_supported"], J({"code"}));
  EXPECT_EQ(doc["response_modes_supported"], J({"query", "form_post"}));
  EXPECT_EQ(doc["grant_types_supported"],
            J({"authorization_code", "refresh_token", "client_credentials"}));
  EXPECT_EQ(doc["subject_types_supported"], J({"public"}));
  EXPECT_EQ(doc["id_token_signing_alg_values_supported"], J({"RS256", "ES256"}));
  EXPECT_EQ(doc["token_endpoint_auth_methods_supported"],
            J({"client_secret_basic", "client_secret_post", "none"}));
  EXPECT_EQ(doc["revocation_endpoint_auth_methods_supported"],
            J({"client_secret_basic", "client_secret_post", "none"}));
  EXPECT_EQ(doc["introspection_endpoint_auth_methods_supported"],
            J({"client_secret_basic", "client_secret_post"}));
  EXPECT_EQ(doc["code_challenge_methods_supported"], J({"S256"}));
  EXPECT_EQ(doc["scopes_supported"], J({"openid", "profile", "email", "offline_access"}));
  EXPECT_TRUE(doc["claims_supported"].is_array());
  EXPECT_NE(std::find(doc["claims_supported"].begin(), doc["claims_supported"].end(), "sid"),
            doc["claims_supported"].end());
  EXPECT_EQ(doc["authorization_response_iss_parameter_supported"], true);
  EXPECT_EQ(doc["request_parameter_supported"], false);
  EXPECT_EQ(doc["claims_parameter_supported"], false);
}

TEST(Discovery, AdvertisesLogoutAndSessionManagement) {
  auto doc = DiscoveryDocument("https://id.example");
  EXPECT_EQ(doc["end_session_endpoint"], "https://id.example/logout");
  EXPECT_EQ(doc["check_session_iframe"], "https://id.example/session/check");
  EXPECT_EQ(doc["frontchannel_logout_supported"], true);
  EXPECT_EQ(doc["frontchannel_logout_session_supported"], true);
  EXPECT_EQ(doc["backchannel_logout_supported"], true);
  EXPECT_EQ(doc["backchannel_logout_session_supported"], true);
}

}  // namespace
}  // namespace gh::oidc
