// FakeOp: an OpenID Provider as a relying party sees it through HttpClient — discovery, JWKS and
// the token endpoint answered synchronously from state the test edits — plus helpers to mint the
// tokens such a provider signs. Every request is recorded.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "crypto/jws.h"
#include "crypto/signing_key.h"
#include "http/client.h"
#include "oidc/logout_token.h"

namespace gh::rp::testing {

inline constexpr char kIssuer[] = "https://id.example";
inline constexpr char kClientId[] = "app";
inline constexpr char kDiscoveryUrl[] = "https://id.example/.well-known/openid-configuration";
inline constexpr char kJwksUrl[] = "https://id.example/jwks";
inline constexpr char kTokenUrl[] = "https://id.example/token";

// Keys are generated once per test binary: RSA generation is slow under the sanitizers.
inline const crypto::SigningKey& Rs256Key() {
  static const crypto::SigningKey key = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "k1");
  return key;
}
inline const crypto::SigningKey& RotatedKey() {
  static const crypto::SigningKey key = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "k2");
  return key;
}
inline const crypto::SigningKey& Es256Key() {
  static const crypto::SigningKey key = *crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "e1");
  return key;
}

class FakeOp final : public http::HttpClient {
 public:
  FakeOp() {
    discovery = {{"issuer", kIssuer},
                 {"authorization_endpoint", "https://id.example/authorize"},
                 {"token_endpoint", kTokenUrl},
                 {"jwks_uri", kJwksUrl},
                 {"end_session_endpoint", "https://id.example/logout"},
                 {"check_session_iframe", "https://id.example/session/check"},
                 {"authorization_response_iss_parameter_supported", true}};
    published = {&Rs256Key()};
  }

  void Send(http::OutboundRequest request, Callback done) override {
    requests.push_back(request);
    http::OutboundResponse response;
    response.status = 200;
    if (request.url == kDiscoveryUrl) {
      response.status = discovery_status;
      response.body = discovery.dump();
    } else if (request.url == kJwksUrl) {
      nlohmann::json keys = nlohmann::json::array();
      for (const auto* key : published) keys.push_back(key->PublicJwk());
      response.body = nlohmann::json{{"keys", keys}}.dump();
    } else if (request.url == kTokenUrl) {
      response.status = token_status;
      response.body = token_response.dump();
    } else {
      response.status = other_status;
    }
    done(std::move(response));
  }

  int Count(std::string_view url) const {
    int n = 0;
    for (const auto& r : requests) n += r.url == url;
    return n;
  }

  nlohmann::json discovery;
  int discovery_status = 200;  // e.g. 503: the OP is down
  int other_status = 404;      // any other URL (e.g. a SAML upstream's SLO endpoint)
  std::vector<const crypto::SigningKey*> published;
  int token_status = 200;
  nlohmann::json token_response = nlohmann::json::object();
  std::vector<http::OutboundRequest> requests;
};

inline std::string Sign(const nlohmann::json& claims, std::string_view typ = "JWT",
                        const crypto::SigningKey& key = Rs256Key()) {
  auto token = crypto::SignJwt(key, claims, typ);
  EXPECT_TRUE(token.ok());
  return *token;
}

// The claims of a valid ID token for `nonce`, issued at `now`.
inline nlohmann::json IdTokenClaims(TimePoint now, std::string nonce, std::string sub = "alice",
                                    std::string sid = "sid-1") {
  const auto iat = ToUnixSeconds(now);
  return {{"iss", kIssuer}, {"aud", kClientId}, {"sub", sub},     {"sid", sid},
          {"iat", iat},     {"exp", iat + 300}, {"nonce", nonce}, {"email", sub + "@example.com"}};
}

// The claims of a valid logout token, issued at `now`.
inline nlohmann::json LogoutTokenClaims(TimePoint now, std::string sid = "sid-1",
                                        std::string jti = "jti-1") {
  const auto iat = ToUnixSeconds(now);
  return {
      {"iss", kIssuer}, {"aud", kClientId},
      {"sub", "alice"}, {"sid", sid},
      {"iat", iat},     {"exp", iat + 120},
      {"jti", jti},     {"events", {{oidc::kBackchannelLogoutEvent, nlohmann::json::object()}}}};
}

inline std::string SignLogout(const nlohmann::json& claims) {
  return Sign(claims, oidc::kLogoutTokenType);
}

}  // namespace gh::rp::testing
