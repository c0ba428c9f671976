// FakeProvider: an OpenID Provider as the relying-party library sees it over HttpClient, whose
// discovery document and JWKS are whatever a fuzz target says, answered at once.
#pragma once

#include <string>

#include "http/client.h"

namespace gh::fuzz {

inline constexpr char kIssuer[] = "https://id.example";

class FakeProvider final : public http::HttpClient {
 public:
  std::string discovery;
  std::string jwks;

  void Send(http::OutboundRequest request, Callback done) override {
    http::OutboundResponse response;
    response.status = 200;
    response.body = request.url.ends_with("/jwks") ? jwks : discovery;
    done(std::move(response));
  }
};

}  // namespace gh::fuzz
