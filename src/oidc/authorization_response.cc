#include "oidc/authorization_response.h"

#include <string>

#include "web/auto_post.h"

namespace gh::oidc {
http::Response DeliverAuthorizationResponse(const ResponseTarget& target, std::string_view issuer,
                                            Params params) {
  if (target.state) params.Add("state", *target.state);
  params.Add("iss", std::string(issuer));
  if (target.mode == ResponseMode::kFormPost) return web::AutoPostForm(target.redirect_uri, params);
  auto response = http::Response::Redirect(AppendQuery(target.redirect_uri, params), 302);
  response.NoStore();
  return response;
}

}  // namespace gh::oidc
