#include "saml/response_reader.h"

#include "saml/messages.h"
#include "saml/vocabulary.h"
#include "xml/document.h"
#include "xml/signature.h"

namespace gh::saml {
namespace {

using xml::Attribute;
using xml::Elements;
using xml::kSamlAssertionNs;
using xml::kSamlProtocolNs;
using xml::Node;

Error Invalid(std::string why) { return Error::InvalidArgument(std::move(why)); }

Result<std::optional<TimePoint>> OptionalInstant(const Node* node, std::string_view name) {
  auto text = Attribute(node, name);
  if (!text) return std::optional<TimePoint>();
  auto parsed = ParseInstant(*text);
  if (!parsed) return Invalid(std::string(name) + " is not a dateTime");
  return parsed;
}

// The signature that protects the Assertion (Profiles §4.1.4.5): the Response's, which covers
// it, or else its own.
Result<void> VerifySigned(xml::XmlDocument& doc, Node* response, Node* assertion,
                          std::span<const crypto::Certificate> certificates) {
  std::vector<std::string> pems;
  for (const auto& c : certificates) pems.push_back(c.Pem());
  if (xml::HasSignature(response)) return xml::VerifyEnveloped(doc, response, pems);
  if (xml::HasSignature(assertion)) return xml::VerifyEnveloped(doc, assertion, pems);
  return Error::Unauthenticated("neither the Response nor its Assertion is signed");
}

// Profiles §4.1.4.2: a bearer SubjectConfirmation for this request, at this ACS, still current.
Result<TimePoint> CheckBearer(const Node* subject, const ResponseExpectations& expect) {
  std::string last_error = "the Subject has no bearer SubjectConfirmation";
  for (const Node* confirmation : Elements(subject, kSamlAssertionNs, "SubjectConfirmation")) {
    if (Attribute(confirmation, "Method") != kSubjectConfirmationBearer) continue;
    auto data = Elements(confirmation, kSamlAssertionNs, "SubjectConfirmationData");
    if (data.size() != 1) {
      last_error = "a bearer SubjectConfirmation needs one SubjectConfirmationData";
      continue;
    }
    GH_ASSIGN_OR_RETURN(auto not_on_or_after, OptionalInstant(data[0], "NotOnOrAfter"));
    if (Attribute(data[0], "Recipient") != expect.acs_url)
      last_error = "the bearer Recipient is not this assertion consumer service";
    else if (Attribute(data[0], "InResponseTo") != expect.request_id)
      last_error = "the bearer InResponseTo does not name the request";
    else if (!not_on_or_after)
      last_error = "the bearer SubjectConfirmationData has no NotOnOrAfter";
    else if (*not_on_or_after + expect.skew <= expect.now)
      last_error = "the assertion has expired (bearer NotOnOrAfter)";
    else if (Attribute(data[0], "NotBefore"))
      last_error = "a bearer SubjectConfirmationData must not carry NotBefore";
    else
      return *not_on_or_after;
  }
  return Invalid(last_error);
}

Result<void> CheckConditions(const Node* assertion, const ResponseExpectations& expect) {
  auto conditions = Elements(assertion, kSamlAssertionNs, "Conditions");
  if (conditions.size() != 1) return Invalid("the assertion needs one Conditions");
  GH_ASSIGN_OR_RETURN(auto not_before, OptionalInstant(conditions[0], "NotBefore"));
  GH_ASSIGN_OR_RETURN(auto not_on_or_after, OptionalInstant(conditions[0], "NotOnOrAfter"));
  if (not_before && *not_before > expect.now + expect.skew)
    return Invalid("the assertion is not valid yet (Conditions NotBefore)");
  if (not_on_or_after && *not_on_or_after + expect.skew <= expect.now)
    return Invalid("the assertion has expired (Conditions NotOnOrAfter)");
  // Core §2.5.1.4: every restriction must be met, so each must name us.
  auto restrictions = Elements(conditions[0], kSamlAssertionNs, "AudienceRestriction");
  if (restrictions.empty()) return Invalid("the assertion has no AudienceRestriction");
  for (const Node* restriction : restrictions) {
    bool ours = false;
    for (const Node* audience : Elements(restriction, kSamlAssertionNs, "Audience"))
      ours |= xml::SoleText(audience) == expect.sp_entity_id;
    if (!ours) return Invalid("the assertion is meant for another audience");
  }
  return Ok();
}

Result<void> ReadAuthnStatement(const Node* assertion, const ResponseExpectations& expect,
                                AssertedSignIn& out) {
  auto statements = Elements(assertion, kSamlAssertionNs, "AuthnStatement");
  if (statements.empty()) return Invalid("the assertion has no AuthnStatement");
  const Node* statement = statements[0];
  GH_ASSIGN_OR_RETURN(auto instant, OptionalInstant(statement, "AuthnInstant"));
  if (!instant) return Invalid("the AuthnStatement has no AuthnInstant");
  if (*instant > expect.now + expect.skew) return Invalid("the AuthnInstant is in the future");
  out.authn_instant = *instant;
  GH_ASSIGN_OR_RETURN(auto session_end, OptionalInstant(statement, "SessionNotOnOrAfter"));
  if (session_end && *session_end <= expect.now)
    return Invalid("the upstream session has already ended (SessionNotOnOrAfter)");
  out.subject.session_index = Attribute(statement, "SessionIndex").value_or("");
  for (const Node* context : Elements(statement, kSamlAssertionNs, "AuthnContext"))
    for (const Node* ref : Elements(context, kSamlAssertionNs, "AuthnContextClassRef"))
      out.authn_context_class = xml::SoleText(ref).value_or("");
  return Ok();
}

void ReadAttributes(const Node* assertion, AssertedSignIn& out) {
  for (const Node* statement : Elements(assertion, kSamlAssertionNs, "AttributeStatement"))
    for (const Node* attribute : Elements(statement, kSamlAssertionNs, "Attribute")) {
      auto name = Attribute(attribute, "Name");
      auto friendly = Attribute(attribute, "FriendlyName");
      for (const Node* value : Elements(attribute, kSamlAssertionNs, "AttributeValue")) {
        auto text = xml::SoleText(value);
        if (!text) continue;  // structured values are not mapped to claims
        if (name) out.attributes.emplace_back(*name, *text);
        if (friendly && friendly != name) out.attributes.emplace_back(*friendly, *text);
      }
    }
}

}  // namespace

Result<AssertedSignIn> ReadResponse(std::string_view text,
                                    std::span<const crypto::Certificate> idp_certificates,
                                    const ResponseExpectations& expect) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(text));
  Node* response = doc.root();
  if (!xml::Is(response, kSamlProtocolNs, "Response")) return Invalid("not a Response");
  GH_ASSIGN_OR_RETURN(auto header, ReadHeader(response));
  if (header.issuer != expect.idp_entity_id)
    return Invalid("the Response comes from another identity provider");
  GH_ASSIGN_OR_RETURN(auto status, ReadStatus(response));
  if (status.code != kStatusSuccess)
    return Error::PermissionDenied(status.second.empty() ? status.code
                                                         : status.code + " / " + status.second);
  if (!Elements(response, kSamlAssertionNs, "EncryptedAssertion").empty())
    return Invalid("encrypted assertions are not accepted (Gatehouse publishes no encryption key)");
  auto assertions = Elements(response, kSamlAssertionNs, "Assertion");
  if (assertions.size() != 1) return Invalid("the Response must carry exactly one Assertion");
  Node* assertion = assertions[0];
  GH_RETURN_IF_ERROR(VerifySigned(doc, response, assertion, idp_certificates));

  // Bindings §3.5.5.2: a signed message names where it is going, so it cannot be sent elsewhere.
  if (xml::HasSignature(response) ? header.destination != expect.acs_url
                                  : header.destination && *header.destination != expect.acs_url)
    return Invalid("the Response is not addressed to this assertion consumer service");
  if (Attribute(response, "InResponseTo") != expect.request_id)
    return Invalid("the Response does not answer the request (InResponseTo)");
  if (header.issue_instant > expect.now + expect.skew ||
      header.issue_instant + expect.window + expect.skew < expect.now)
    return Invalid("the Response is not fresh (IssueInstant)");

  AssertedSignIn out;
  GH_ASSIGN_OR_RETURN(auto assertion_header, ReadHeader(assertion));
  if (assertion_header.issuer != expect.idp_entity_id)
    return Invalid("the Assertion comes from another identity provider");
  out.assertion_id = assertion_header.id;
  auto subjects = Elements(assertion, kSamlAssertionNs, "Subject");
  if (subjects.size() != 1) return Invalid("the assertion needs one Subject");
  auto name_ids = Elements(subjects[0], kSamlAssertionNs, "NameID");
  if (name_ids.size() != 1) return Invalid("the Subject needs exactly one NameID");
  GH_ASSIGN_OR_RETURN(auto name_id, ReadNameId(name_ids[0]));
  out.subject.name_id = name_id.value;
  out.subject.format = name_id.format;
  out.subject.name_qualifier = name_id.name_qualifier;
  out.subject.sp_name_qualifier = name_id.sp_name_qualifier;
  GH_ASSIGN_OR_RETURN(out.replayable_until, CheckBearer(subjects[0], expect));
  out.replayable_until += expect.skew;
  GH_RETURN_IF_ERROR(CheckConditions(assertion, expect));
  GH_RETURN_IF_ERROR(ReadAuthnStatement(assertion, expect, out));
  ReadAttributes(assertion, out);
  return out;
}

}  // namespace gh::saml
