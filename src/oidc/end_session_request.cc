#include "oidc/end_session_request.h"

#include <algorithm>

namespace gh::oidc {
namespace {

constexpr std::string_view kForeignHint =
    "The sign-out request carried an ID token that Gatehouse did not issue.";
constexpr std::string_view kClientMismatch =
    "The sign-out request named an application other than the one its ID token was issued to.";

}  // namespace

Result<EndSessionRequest> ParseEndSessionRequest(const Params& params, std::string_view issuer,
                                                 const std::vector<crypto::VerificationKey>& keys) {
  if (auto repeated = params.RepeatedName())
    return Error::InvalidArgument("the parameter " + *repeated + " was sent more than once");
  EndSessionRequest request;
  request.post_logout_redirect_uri = params.Get("post_logout_redirect_uri");
  request.state = params.Get("state");
  request.ui_locales = params.Get("ui_locales");
  request.logout_hint = params.Get("logout_hint");
  auto client_id = params.Get("client_id");
  auto hint_text = params.Get("id_token_hint");
  if (!hint_text) {
    request.client_id = client_id;
    return request;
  }
  auto hint = VerifyIdTokenHint(*hint_text, issuer, keys);
  if (!hint) {
    request.problem = kForeignHint;
    return request;
  }
  // §2: when both are present the OP MUST verify that client_id is the client the ID token was
  // issued to.
  if (client_id && *client_id != hint->client_id &&
      std::find(hint->audiences.begin(), hint->audiences.end(), *client_id) ==
          hint->audiences.end()) {
    request.problem = kClientMismatch;
    return request;
  }
  request.client_id = client_id ? *client_id : hint->client_id;
  request.hint = std::move(hint);
  return request;
}

PostLogoutRedirect DecidePostLogoutRedirect(const EndSessionRequest& request,
                                            const std::optional<store::ClientRecord>& client) {
  PostLogoutRedirect out;
  if (!request.post_logout_redirect_uri) return out;
  const auto& uri = *request.post_logout_redirect_uri;
  if (!request.problem.empty()) {
    out.refusal =
        "Because the request could not be verified, you will not be sent back to the "
        "application.";
  } else if (!request.client_id || !client || client->id != *request.client_id) {
    out.refusal =
        "The request did not say which application sent it, so you will not be sent "
        "back to the address it gave.";
  } else if (std::find(client->post_logout_redirect_uris.begin(),
                       client->post_logout_redirect_uris.end(),
                       uri) == client->post_logout_redirect_uris.end()) {
    out.refusal =
        "The application asked to send you to an address it has not registered, so "
        "you will not be sent there.";
  } else {
    out.uri = uri;
  }
  return out;
}

bool NeedsConfirmation(const EndSessionRequest& request, const store::SessionRecord& current) {
  return !request.hint || !request.hint->sid || *request.hint->sid != current.sid ||
         request.hint->sub != current.user_id;
}

}  // namespace gh::oidc
