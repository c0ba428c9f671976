#include "oidc/request_params.h"

namespace gh::oidc {

Result<void, OAuthError> RejectRepeatedParameters(const Params& params) {
  if (auto repeated = params.RepeatedName())
    return OAuthError::InvalidRequest("parameter " + *repeated + " is repeated");
  return {};
}

}  // namespace gh::oidc
