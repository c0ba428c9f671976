#include "oidc/end_session_request.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "crypto/jws.h"

namespace gh::oidc {
namespace {

constexpr std::string_view kForeignHint =
    "The sign-out request carried an ID token that Gatehouse did not issue.";
constexpr std::string_view kClientMismatch =
    "The sign-out request named an application other than the one its ID token was issued to.";

const std::string* StringClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

std::vector<std::string> Audiences(const nlohmann::json& claims) {
  std::vector<std::string> out;
  auto it = claims.find("aud");
  if (it == claims.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array())
    for (const auto& a : *it)
      if (a.is_string()) out.push_back(a.get<std::string>());
  return out;
}

// The hint's claims when it is an ID token we issued; nullopt for anything else. Logout tokens
// are signed with the same keys, so they are told apart by `typ` and the `events` claim.
std::optional<IdTokenHint> VerifyHint(std::string_view compact, std::string_view issuer,
                                      const std::vector<crypto::VerificationKey>& keys) {
  auto jws = crypto::DecodeJws(compact);
  if (!jws.ok() || !crypto::VerifyJws(*jws, keys).ok()) return std::nullopt;
  const auto& claims = jws->payload;
  auto typ = jws->header.find("typ");
  if (typ != jws->header.end() && *typ != "JWT") return std::nullopt;
  const auto* iss = StringClaim(claims, "iss");
  const auto* sub = StringClaim(claims, "sub");
  if (!iss || *iss != issuer || !sub || claims.contains("events")) return std::nullopt;
  IdTokenHint hint;
  hint.sub = *sub;
  hint.audiences = Audiences(claims);
  if (const auto* sid = StringClaim(claims, "sid")) hint.sid = *sid;
  if (const auto* azp = StringClaim(claims, "azp"))
    hint.client_id = *azp;
  else if (hint.audiences.size() == 1)
    hint.client_id = hint.audiences.front();
  else
    return std::nullopt;  // several audiences and no azp: no single client to act for
  return hint;
}

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
  auto hint = VerifyHint(*hint_text, issuer, keys);
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
