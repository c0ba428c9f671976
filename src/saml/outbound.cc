#include "saml/outbound.h"

#include "saml/bindings.h"
#include "saml/vocabulary.h"
#include "web/auto_post.h"
#include "web/notice.h"

namespace gh::saml {

Result<http::Response> Deliver(BuiltMessage message, bool is_request, std::string_view binding,
                               const std::string& url,
                               const std::optional<std::string>& relay_state, IdpSigner& signer) {
  if (binding == kBindingRedirect) {
    GH_ASSIGN_OR_RETURN(auto credential, signer.Current());
    GH_ASSIGN_OR_RETURN(auto location, EncodeRedirect(url, is_request, message.doc.Serialize(),
                                                      relay_state, *credential->key));
    auto response = http::Response::Redirect(location, 302);
    response.NoStore();
    return response;
  }
  GH_RETURN_IF_ERROR(signer.Sign(message.doc, message.root, message.issuer));
  if (binding == kBindingSoap) {
    auto response = http::Response::Text(200, WrapInSoapEnvelope(message.doc.Serialize()));
    response.headers.Set("Content-Type", "text/xml; charset=utf-8");
    return response;
  }
  return web::AutoPostForm(url, EncodePost(is_request, message.doc.Serialize(), relay_state));
}

http::Response RefuseSignOut(bool soap, int status, std::string_view why) {
  if (!soap) return web::NoticePage(status, "Cannot sign out", std::string(why));
  std::string body =
      R"(<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>)";
  for (char c : why) body += (c == '<' || c == '>' || c == '&') ? '?' : c;
  body += "</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>";
  auto response = http::Response::Text(status, std::move(body));
  response.headers.Set("Content-Type", "text/xml; charset=utf-8");
  return response;
}

}  // namespace gh::saml
