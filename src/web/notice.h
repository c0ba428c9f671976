// A page that tells a person the outcome of something they asked for (a sign-out done, a request
// refused), never cached: the OIDC and SAML endpoints answer people with it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace gh::web {

// Where the person may go next, e.g. back to the application a sign-out came from.
struct NoticeLink {
  std::string url;
  std::string text;
};

http::Response NoticePage(int status, std::string_view title, std::string_view message,
                          const std::optional<NoticeLink>& next = std::nullopt);

}  // namespace gh::web
