#include "oidc/oauth_http.h"

#include "oidc/client_authentication.h"
#include "oidc/request_params.h"

namespace gh::oidc {

Result<Params, OAuthError> ReadOAuthForm(const http::Request& request) {
  auto form = request.Form();
  if (!form.ok()) return OAuthError::InvalidRequest(form.error().message);
  GH_RETURN_IF_ERROR(RejectRepeatedParameters(*form));
  return *std::move(form);
}

Result<store::ClientRecord, OAuthError> AuthenticateClient(store::ClientCache& clients,
                                                           const http::Request& request,
                                                           const Params& form) {
  GH_ASSIGN_OR_RETURN(auto credentials,
                      ExtractClientCredentials(request.headers.Get("Authorization"), form));
  GH_ASSIGN_OR_RETURN(auto client, clients.Find(credentials.client_id));
  if (!client) return OAuthError::InvalidClient("client authentication failed");
  GH_RETURN_IF_ERROR(VerifyClientCredentials(*client, credentials));
  return *std::move(client);
}

http::Response NoStoreJson(int status, std::string json) {
  auto response = http::Response::Json(status, std::move(json));
  response.NoStore();
  return response;
}

http::Response OAuthErrorResponse(const OAuthError& error, const http::Request& request) {
  auto response = NoStoreJson(HttpStatus(error), ToJson(error));
  if (error.code == OAuthErrorCode::kInvalidClient &&
      IsBasicAuthorization(request.headers.Get("Authorization")))
    response.headers.Set("WWW-Authenticate", "Basic realm=\"gatehouse\"");
  return response;
}

}  // namespace gh::oidc
