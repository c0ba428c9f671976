#include "rp/code_exchange.h"

#include <nlohmann/json.hpp>

#include "core/base64url.h"
#include "core/params.h"
#include "rp/blocking_http.h"

namespace gh::rp {
namespace {

// RFC 6749 §2.3.1: client_id and secret are form-urlencoded before Basic encoding.
std::string FormEncode(std::string_view value) {
  return Params{{"", std::string(value)}}.Encode().substr(1);
}

}  // namespace

Result<TokenReply> ExchangeCode(http::HttpClient& http, const ClientCredentials& client,
                                const ProviderEndpoints& endpoints, const std::string& redirect_uri,
                                const std::string& code, const std::string& verifier,
                                std::chrono::milliseconds timeout) {
  Params form{{"grant_type", "authorization_code"},
              {"code", code},
              {"redirect_uri", redirect_uri},
              {"code_verifier", verifier}};
  http::OutboundRequest request;
  request.method = "POST";
  request.url = endpoints.token_endpoint;
  request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Set("Accept", "application/json");
  if (client.client_secret) {
    request.headers.Set("Authorization",
                        "Basic " + Base64Encode(FormEncode(client.client_id) + ":" +
                                                FormEncode(*client.client_secret)));
  } else {
    form.Add("client_id", client.client_id);
  }
  request.body = form.Encode();
  request.total_timeout = timeout;
  GH_ASSIGN_OR_RETURN(http::OutboundResponse response, SendAndWait(http, std::move(request)));
  auto json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status != 200) {
    std::string error = json.is_object() ? json.value("error", "") : "";
    return Error::PermissionDenied("the token endpoint refused the code (HTTP " +
                                   std::to_string(response.status) + " " + error + ")");
  }
  if (!json.is_object() || !json.contains("id_token") || !json["id_token"].is_string())
    return Error::InvalidArgument("the token response has no id_token");
  TokenReply reply{json["id_token"].get<std::string>(), std::nullopt};
  if (auto it = json.find("access_token"); it != json.end() && it->is_string())
    reply.access_token = it->get<std::string>();
  return reply;
}

}  // namespace gh::rp
