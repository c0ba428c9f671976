// A page that makes the browser POST fields to another site at once: OAuth's form_post response
// mode and SAML's HTTP-POST binding (Bindings §3.5.4) both deliver messages this way.
#pragma once

#include <string>

#include "core/params.h"
#include "http/message.h"

namespace gh::web {

// Who may show the page in a frame: nobody, or Gatehouse's own pages (the signed-out page's
// sign-out steps).
enum class Framing { kNone, kSameOrigin };

// An HTML form POSTing `fields` to `action`, submitted by one inline script the page's CSP
// allows by hash, with a Continue button when JavaScript is off. Never cached.
http::Response AutoPostForm(const std::string& action, const Params& fields,
                            Framing framing = Framing::kNone);

}  // namespace gh::web
