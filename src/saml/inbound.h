// Reading a SAML message that arrived over a binding: which registered SP sent it and whether its
// signature holds (SAML Profiles §4.1.4.1, §4.4.4; the checklist of saml-slo.md §1.11), and
// whether it is fresh and addressed to us.
#pragma once

#include <functional>

#include "http/message.h"
#include "saml/bindings.h"
#include "saml/messages.h"
#include "saml/service_providers.h"
#include "xml/document.h"

namespace gh::saml {

// The message of an HTTP request to an SLO endpoint: HTTP-Redirect (GET), SOAP (POST of XML) or
// HTTP-POST (a form), decoded and bounded but not yet verified.
Result<InboundMessage> DecodeBinding(const http::Request& request);
// Whether the request is a SOAP one, to be answered in SOAP (a Fault when refused): a POST of
// text/xml, SOAP 1.1's type, which SAML's SOAP binding names (Bindings §3.2.2.1), or of
// application/soap+xml, SOAP 1.2's, which pysaml2 sends. Media types are case-insensitive.
bool IsSoap(const http::Request& request);

struct VerifiedMessage {
  InboundMessage inbound;
  xml::XmlDocument doc;
  xml::Node* element = nullptr;  // the protocol message, the very node that was verified
  ServiceProvider sp;
  bool signed_by_sp = false;
};

// Parses `inbound` and authenticates its Issuer. kInvalidArgument for malformed XML or a message
// of the wrong shape; kUnauthenticated for an unregistered Issuer, a signature that does not
// verify with the SP's registered keys, or no signature from an SP whose requests must be signed
// (an XML signature inside a Redirect message does not count: only the query's does).
Result<VerifiedMessage> ReadInbound(InboundMessage inbound, ServiceProviders& sps);
// The same for a message that must come from `expected` (an answer to a request we sent it).
Result<VerifiedMessage> ReadInboundFrom(InboundMessage inbound, const ServiceProvider& expected);

// A message from a peer that is not a registered SP (an upstream identity provider), which must
// be signed with one of its certificates under the same rules.
struct SignedMessage {
  InboundMessage inbound;
  xml::XmlDocument doc;
  xml::Node* element = nullptr;
};
Result<SignedMessage> ReadSignedBy(InboundMessage inbound, std::string_view issuer,
                                   std::span<const crypto::Certificate> certificates);

// Destination, when present, equals `endpoint`; IssueInstant within `skew` of now and not older
// than `window`; NotOnOrAfter not passed. kInvalidArgument otherwise. Bindings §3.4.5.2/§3.5.5.2
// ask senders of signed messages for a Destination, but Entra-style SPs sign LogoutRequests
// without one (seed 002): such a request is still bound to us by its Issuer (registered here),
// its NameID (issued by us, per SP) and its SessionIndex, and its ID cannot be replayed.
Result<void> CheckAddressedAndFresh(const RequestHeader& header, std::string_view endpoint,
                                    TimePoint now, Seconds skew, Seconds window,
                                    std::optional<TimePoint> not_on_or_after = std::nullopt);

// What Gatehouse accepts of a SAML peer's clock, and how old a request may be (and so how long
// its ID is remembered), by default.
inline constexpr Seconds kDefaultClockSkew{180};
inline constexpr Seconds kDefaultMessageWindow{600};

// A LogoutRequest to act on (Core §3.7.3, the checklist of saml-slo.md §1.11): addressed to
// `endpoint` and fresh (above), and its ID not seen before from its Issuer — remembered in
// `store` for as long as it could be replayed, so every node sharing the store refuses it.
// kInvalidArgument with a message for the sender otherwise; kUnavailable on a store error.
Result<void> AcceptLogoutRequest(const LogoutRequest& request, std::string_view endpoint,
                                 store::SamlStore& store, TimePoint now, Seconds skew,
                                 Seconds window);

}  // namespace gh::saml
