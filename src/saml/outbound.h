// Delivering a message Gatehouse made to a SAML peer over the binding chosen for it: HTTP-Redirect
// (signed in the query, Bindings §3.4.4.1), HTTP-POST (signed enveloped, in a form the browser
// submits) or, for an answer to a SOAP request, the SOAP response itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"
#include "saml/idp_signer.h"
#include "saml/messages.h"

namespace gh::saml {

Result<http::Response> Deliver(BuiltMessage message, bool is_request, std::string_view binding,
                               const std::string& url,
                               const std::optional<std::string>& relay_state, IdpSigner& signer);

// A sign-out message refused: a SOAP 1.1 Fault (client error) to a SOAP request, which cannot be
// answered with a message, else a page that tells the person `why`.
http::Response RefuseSignOut(bool soap, int status, std::string_view why);

}  // namespace gh::saml
