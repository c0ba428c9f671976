#include "oidc/frontchannel_logout.h"

#include "core/params.h"

namespace gh::oidc {

std::optional<std::string> FrontChannelLogoutUrl(const store::ClientRecord& client,
                                                 std::string_view issuer, std::string_view sid) {
  if (!client.frontchannel_logout_uri) return std::nullopt;
  if (!client.frontchannel_logout_session_required) return client.frontchannel_logout_uri;
  return AppendQuery(*client.frontchannel_logout_uri,
                     Params{{"iss", std::string(issuer)}, {"sid", std::string(sid)}});
}

}  // namespace gh::oidc
