#include "oidc/client_authentication.h"

#include <gtest/gtest.h>

#include "core/base64url.h"
#include "crypto/digest.h"

namespace gh::oidc {
namespace {

std::string Basic(std::string_view user_pass) { return "Basic " + Base64Encode(user_pass); }

store::ClientRecord Confidential(std::string secret) {
  store::ClientRecord client;
  client.id = "app";
  client.secret_hash = crypto::Sha256Base64Url(secret);
  return client;
}

store::ClientRecord Public() {
  store::ClientRecord client;
  client.id = "spa";
  return client;
}

TEST(ClientAuthentication, DecodesFormUrlEncodedBasicCredentials) {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64, so ':' '+' '%' survive.
  auto c = DecodeBasicCredentials(Basic("my%3Aapp:p%40ss+w%2Bo%25rd%3A"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->client_id, "my:app");
  EXPECT_EQ(c->secret, "p@ss w+o%rd:");
  EXPECT_EQ(c->method, ClientAuthMethod::kClientSecretBasic);
}

TEST(ClientAuthentication, SchemeIsCaseInsensitive) {
  auto c = DecodeBasicCredentials("bAsIc " + Base64Encode("app:s"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->client_id, "app");
}

TEST(ClientAuthentication, MalformedBasicIsInvalidClient) {
  for (std::string header :
       {Basic("no-colon"), std::string("Basic !!!"), Basic(":secret"), Basic("app%zz:s"),
        Basic("app:s%4"), std::string("Basic"), std::string("Bearer abc")}) {
    auto c = DecodeBasicCredentials(header);
    ASSERT_FALSE(c.ok()) << header;
    EXPECT_EQ(c.error().code, OAuthErrorCode::kInvalidClient) << header;
  }
}

TEST(ClientAuthentication, RecognisesBasicAttempts) {
  EXPECT_TRUE(IsBasicAuthorization("Basic abc"));
  EXPECT_TRUE(IsBasicAuthorization("basic abc"));
  EXPECT_FALSE(IsBasicAuthorization("Basically"));
  EXPECT_FALSE(IsBasicAuthorization("Bearer abc"));
  EXPECT_FALSE(IsBasicAuthorization(std::nullopt));
}

TEST(ClientAuthentication, ReadsClientSecretPost) {
  auto c = ExtractClientCredentials(std::nullopt, {{"client_id", "app"}, {"client_secret", "s"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->method, ClientAuthMethod::kClientSecretPost);
  EXPECT_EQ(c->secret, "s");
}

TEST(ClientAuthentication, PublicClientNamesItself) {
  auto c = ExtractClientCredentials(std::nullopt, {{"client_id", "spa"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->method, ClientAuthMethod::kNone);
  EXPECT_FALSE(c->secret.has_value());
}

TEST(ClientAuthentication, BasicAndBodySecretTogetherIsInvalidRequest) {
  auto c = ExtractClientCredentials(Basic("app:s"), {{"client_secret", "s"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, OAuthErrorCode::kInvalidRequest);
}

TEST(ClientAuthentication, BodyClientIdMustAgreeWithBasic) {
  EXPECT_TRUE(ExtractClientCredentials(Basic("app:s"), {{"client_id", "app"}}).ok());
  auto c = ExtractClientCredentials(Basic("app:s"), {{"client_id", "other"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, OAuthErrorCode::kInvalidRequest);
}

TEST(ClientAuthentication, NoCredentialsIsInvalidClient) {
  auto c = ExtractClientCredentials(std::nullopt, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, OAuthErrorCode::kInvalidClient);
}

TEST(ClientAuthentication, VerifiesTheSecretHash) {
  auto client = Confidential("right");
  EXPECT_TRUE(
      VerifyClientCredentials(client, {"app", "right", ClientAuthMethod::kClientSecretBasic}).ok());
  EXPECT_TRUE(
      VerifyClientCredentials(client, {"app", "right", ClientAuthMethod::kClientSecretPost}).ok());
  EXPECT_FALSE(
      VerifyClientCredentials(client, {"app", "wrong", ClientAuthMethod::kClientSecretBasic}).ok());
  EXPECT_FALSE(
      VerifyClientCredentials(client, {"other", "right", ClientAuthMethod::kClientSecretBasic})
          .ok());
}

TEST(ClientAuthentication, ConfidentialClientMustPresentItsSecret) {
  auto r = VerifyClientCredentials(Confidential("right"),
                                   {"app", std::nullopt, ClientAuthMethod::kNone});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidClient);
}

TEST(ClientAuthentication, PublicClientMustNotPresentASecret) {
  EXPECT_TRUE(
      VerifyClientCredentials(Public(), {"spa", std::nullopt, ClientAuthMethod::kNone}).ok());
  auto r = VerifyClientCredentials(Public(), {"spa", "x", ClientAuthMethod::kClientSecretPost});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, OAuthErrorCode::kInvalidClient);
}

}  // namespace
}  // namespace gh::oidc
