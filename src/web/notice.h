// A page that tells a person the outcome of something they asked for (a sign-out done, a request
// refused), never cached: the OIDC and SAML endpoints answer people with it.
#pragma once

#include <string_view>

#include "http/message.h"

namespace gh::web {

http::Response NoticePage(int status, std::string_view title, std::string_view message);

}  // namespace gh::web
