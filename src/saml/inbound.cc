#include "saml/inbound.h"

#include "saml/vocabulary.h"
#include "xml/signature.h"

namespace gh::saml {

namespace {

using Lookup = std::function<Result<std::optional<ServiceProvider>>(const std::string& issuer)>;

Result<VerifiedMessage> Read(InboundMessage inbound, const Lookup& lookup) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(inbound.xml));
  GH_ASSIGN_OR_RETURN(auto* element, MessageElement(doc, inbound.binding == kBindingSoap));
  GH_ASSIGN_OR_RETURN(auto issuer, ReadIssuer(element));
  GH_ASSIGN_OR_RETURN(auto sp, lookup(issuer));
  if (!sp) return Error::Unauthenticated("the Issuer is not a registered service provider");
  const auto& certificates = sp->metadata->signing_certificates;
  bool is_signed = false;
  if (inbound.binding == kBindingRedirect) {
    // Bindings §3.4.4.1: a Redirect message is signed in the query. An XML signature left inside
    // (pysaml2 leaves one on its LogoutResponses) is never what authenticates it.
    if (inbound.redirect_signature) {
      if (!inbound.redirect_signature->VerifiedBy(certificates))
        return Error::Unauthenticated("the signature does not verify with the SP's keys");
      is_signed = true;
    }
  } else if (xml::HasSignature(element)) {
    std::vector<std::string> pems;
    for (const auto& c : certificates) pems.push_back(c.Pem());
    GH_RETURN_IF_ERROR(xml::VerifyEnveloped(doc, element, pems));
    is_signed = true;
  }
  if (!is_signed && sp->record.require_signed_requests)
    return Error::Unauthenticated("this service provider's messages must be signed");
  return VerifiedMessage{std::move(inbound), std::move(doc), element, std::move(*sp), is_signed};
}

}  // namespace

Result<VerifiedMessage> ReadInbound(InboundMessage inbound, ServiceProviders& sps) {
  return Read(std::move(inbound), [&](const std::string& issuer) { return sps.Find(issuer); });
}

Result<VerifiedMessage> ReadInboundFrom(InboundMessage inbound, const ServiceProvider& expected) {
  return Read(std::move(inbound),
              [&](const std::string& issuer) -> Result<std::optional<ServiceProvider>> {
                if (issuer != expected.record.entity_id) return std::optional<ServiceProvider>();
                return std::optional(expected);
              });
}

Result<void> CheckAddressedAndFresh(const RequestHeader& header, std::string_view endpoint,
                                    TimePoint now, Seconds skew, Seconds window,
                                    std::optional<TimePoint> not_on_or_after) {
  if (header.destination && *header.destination != endpoint)
    return Error::InvalidArgument("the message is not addressed to this endpoint (Destination)");
  if (header.issue_instant > now + skew)
    return Error::InvalidArgument("the message was issued in the future (IssueInstant)");
  if (header.issue_instant + window + skew < now)
    return Error::InvalidArgument("the message is too old (IssueInstant)");
  if (not_on_or_after && *not_on_or_after + skew <= now)
    return Error::InvalidArgument("the message has expired (NotOnOrAfter)");
  return Ok();
}

}  // namespace gh::saml
