// The consent page: asks the signed-in person whether an application may keep access while they
// are away (offline_access, OpenID Connect Core §11). Rendering only; ConsentEndpoint decides.
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace gh::web {

inline constexpr std::string_view kConsentRequestField = "request";
inline constexpr std::string_view kConsentDecisionField = "decision";

struct ConsentQuestion {
  std::string csrf_token;
  std::string client_name;
  std::string username;
  std::string request;  // the authorization request's parameters, form-encoded, posted back
  std::string action;   // where the form posts
};
http::Response ConsentPage(const ConsentQuestion& question);

}  // namespace gh::web
