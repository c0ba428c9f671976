// Reading an upstream identity provider's answer to Gatehouse's AuthnRequest, with Gatehouse as
// the service provider (SAML Profiles §4.1.4.2–3, §4.1.4.5): the Response and its one Assertion
// held to every rule the Web Browser SSO profile gives a relying party, so that an upstream is
// trusted no more loosely than Gatehouse's own service providers are.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/certificate.h"
#include "store/records.h"

namespace gh::saml {

// What the Response must match: the request it answers and where it had to arrive.
struct ResponseExpectations {
  std::string idp_entity_id;  // Issuer of the Response and the Assertion
  std::string sp_entity_id;   // an Audience of every AudienceRestriction
  std::string acs_url;        // Destination and bearer Recipient
  std::string request_id;     // InResponseTo: unsolicited responses are refused
  TimePoint now;
  Seconds skew{180};
  Seconds window{600};  // how old the Response's IssueInstant may be
};

struct AssertedSignIn {
  std::string assertion_id;
  TimePoint replayable_until;  // the bearer NotOnOrAfter: remember the ID until then
  store::SamlSubject subject;  // the NameID exactly as asserted, and the SessionIndex
  TimePoint authn_instant;
  std::string authn_context_class;                              // empty when the IdP named none
  std::vector<std::pair<std::string, std::string>> attributes;  // Name (and FriendlyName), value
};

// kPermissionDenied when the IdP answered with a failure status (named in the message);
// kUnauthenticated when neither the Response nor its Assertion carries a signature that verifies
// with `idp_certificates`; kInvalidArgument for any other broken rule.
Result<AssertedSignIn> ReadResponse(std::string_view xml,
                                    std::span<const crypto::Certificate> idp_certificates,
                                    const ResponseExpectations& expect);

}  // namespace gh::saml
