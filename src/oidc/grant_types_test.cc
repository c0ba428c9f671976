#include "oidc/grant_types.h"

#include <gtest/gtest.h>

namespace gh::oidc {
namespace {

using Grants = std::vector<std::string>;

TEST(GrantTypes, AClientIsRegisteredForTheGrantsItNames) {
  store::ClientRecord client;
  client.grant_types = {"authorization_code"};
  EXPECT_TRUE(IsRegisteredFor(client, kGrantAuthorizationCode));
  EXPECT_FALSE(IsRegisteredFor(client, kGrantRefreshToken));
  EXPECT_FALSE(IsRegisteredFor(client, kGrantClientCredentials));
}

TEST(GrantTypes, ByDefaultAClientMayUseWhatItsKindAllows) {
  EXPECT_EQ(DefaultGrantTypes(/*is_public=*/true), (Grants{"authorization_code", "refresh_token"}));
  EXPECT_EQ(DefaultGrantTypes(/*is_public=*/false),
            (Grants{"authorization_code", "refresh_token", "client_credentials"}));
}

TEST(GrantTypes, ARegistrationNamesKnownGrantsOnceAndClientCredentialsOnlyWithASecret) {
  EXPECT_TRUE(CheckGrantTypes({"client_credentials"}, /*is_public=*/false).ok());
  EXPECT_TRUE(CheckGrantTypes({"refresh_token", "authorization_code"}, /*is_public=*/true).ok());
  EXPECT_TRUE(CheckGrantTypes(DefaultGrantTypes(false), false).ok());
  EXPECT_FALSE(CheckGrantTypes({}, false).ok());
  EXPECT_FALSE(CheckGrantTypes({"password"}, false).ok());
  EXPECT_FALSE(CheckGrantTypes({"implicit"}, false).ok());
  EXPECT_FALSE(CheckGrantTypes({"authorization_code", "authorization_code"}, false).ok());
  EXPECT_FALSE(CheckGrantTypes({"client_credentials"}, /*is_public=*/true).ok());
}

}  // namespace
}  // namespace gh::oidc
