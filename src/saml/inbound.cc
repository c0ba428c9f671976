#include "saml/inbound.h"

#include "saml/vocabulary.h"
#include "xml/signature.h"

namespace gh::saml {

namespace {

using Lookup = std::function<Result<std::optional<ServiceProvider>>(const std::string& issuer)>;

// Whether `element` is signed by one of `certificates`; an error when a signature is there but
// does not hold.
Result<bool> CheckSignature(const InboundMessage& inbound, xml::XmlDocument& doc,
                            xml::Node* element, std::span<const crypto::Certificate> certificates) {
  if (inbound.binding == kBindingRedirect) {
    // Bindings §3.4.4.1: a Redirect message is signed in the query. An XML signature left inside
    // (pysaml2 leaves one on its LogoutResponses) is never what authenticates it.
    if (!inbound.redirect_signature) return false;
    if (!inbound.redirect_signature->VerifiedBy(certificates))
      return Error::Unauthenticated("the signature does not verify with the sender's keys");
    return true;
  }
  if (!xml::HasSignature(element)) return false;
  std::vector<std::string> pems;
  for (const auto& c : certificates) pems.push_back(c.Pem());
  GH_RETURN_IF_ERROR(xml::VerifyEnveloped(doc, element, pems));
  return true;
}

Result<VerifiedMessage> Read(InboundMessage inbound, const Lookup& lookup) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(inbound.xml));
  GH_ASSIGN_OR_RETURN(auto* element, MessageElement(doc, inbound.binding == kBindingSoap));
  GH_ASSIGN_OR_RETURN(auto issuer, ReadIssuer(element));
  GH_ASSIGN_OR_RETURN(auto sp, lookup(issuer));
  if (!sp) return Error::Unauthenticated("the Issuer is not a registered service provider");
  GH_ASSIGN_OR_RETURN(bool is_signed,
                      CheckSignature(inbound, doc, element, sp->metadata->signing_certificates));
  if (!is_signed && sp->record.require_signed_requests)
    return Error::Unauthenticated("this service provider's messages must be signed");
  return VerifiedMessage{std::move(inbound), std::move(doc), element, std::move(*sp), is_signed};
}

}  // namespace

bool IsSoap(const http::Request& request) {
  return request.method == "POST" &&
         (request.HasMediaType("text/xml") || request.HasMediaType("application/soap+xml"));
}

Result<InboundMessage> DecodeBinding(const http::Request& request) {
  if (request.method == "GET") return DecodeRedirect(request.RawQuery());
  if (IsSoap(request)) return DecodeSoap(request.body);
  GH_ASSIGN_OR_RETURN(auto form, request.Form());
  return DecodePost(form);
}

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

Result<SignedMessage> ReadSignedBy(InboundMessage inbound, std::string_view issuer,
                                   std::span<const crypto::Certificate> certificates) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(inbound.xml));
  GH_ASSIGN_OR_RETURN(auto* element, MessageElement(doc, inbound.binding == kBindingSoap));
  GH_ASSIGN_OR_RETURN(auto sender, ReadIssuer(element));
  if (sender != issuer) return Error::Unauthenticated("the message comes from another Issuer");
  GH_ASSIGN_OR_RETURN(bool is_signed, CheckSignature(inbound, doc, element, certificates));
  if (!is_signed) return Error::Unauthenticated("the message must be signed");
  return SignedMessage{std::move(inbound), std::move(doc), element};
}

Result<void> AcceptLogoutRequest(const LogoutRequest& request, std::string_view endpoint,
                                 store::SamlStore& store, TimePoint now, Seconds skew,
                                 Seconds window) {
  GH_RETURN_IF_ERROR(
      CheckAddressedAndFresh(request.header, endpoint, now, skew, window, request.not_on_or_after));
  auto remember_until =
      std::max(request.header.issue_instant + window, request.not_on_or_after.value_or(now)) + skew;
  GH_ASSIGN_OR_RETURN(
      bool first, store.RememberMessage(request.header.issuer, request.header.id, remember_until));
  if (!first) return Error::InvalidArgument("its ID was already used (replay)");
  return Ok();
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
