#include "saml/messages.h"

#include <cstdio>
#include <ctime>

#include "saml/vocabulary.h"

namespace gh::saml {
namespace {

using xml::Attribute;
using xml::Elements;
using xml::Is;
using xml::kSamlAssertionNs;
using xml::kSamlProtocolNs;
using xml::Node;
using xml::SoleText;

Result<bool> ReadBool(const Node* node, std::string_view name) {
  auto v = Attribute(node, name);
  if (!v || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1") return true;
  return Error::InvalidArgument(std::string(name) + " is not a boolean");
}

Node* Add(xml::XmlDocument& doc, Node* parent, std::string_view name,
          std::optional<std::string_view> text = std::nullopt) {
  return xml::AddElement(doc, parent, kSamlAssertionNs, "saml", name, text);
}
Node* AddP(xml::XmlDocument& doc, Node* parent, std::string_view name) {
  return xml::AddElement(doc, parent, kSamlProtocolNs, "samlp", name);
}

// The root of a protocol message with its common attributes and Issuer.
BuiltMessage StartMessage(std::string_view name, const std::string& id, const std::string& issuer,
                          const std::string& destination, TimePoint now) {
  BuiltMessage m{xml::XmlDocument::New()};
  m.root = AddP(m.doc, nullptr, name);
  xml::DeclareNamespace(m.root, kSamlAssertionNs, "saml");
  xml::SetAttribute(m.root, "ID", id);
  xml::SetAttribute(m.root, "Version", "2.0");
  xml::SetAttribute(m.root, "IssueInstant", FormatInstant(now));
  // A SOAP answer goes back on the request's connection: no Destination to name.
  if (!destination.empty()) xml::SetAttribute(m.root, "Destination", destination);
  m.issuer = Add(m.doc, m.root, "Issuer", issuer);
  return m;
}

void AddStatus(xml::XmlDocument& doc, Node* root, std::string_view status,
               std::string_view second_status) {
  Node* st = AddP(doc, root, "Status");
  Node* code = AddP(doc, st, "StatusCode");
  xml::SetAttribute(code, "Value", status);
  if (!second_status.empty())
    xml::SetAttribute(AddP(doc, code, "StatusCode"), "Value", second_status);
}

void AddNameId(xml::XmlDocument& doc, Node* parent, const store::SamlSubject& subject) {
  Node* name_id = Add(doc, parent, "NameID", subject.name_id);
  if (!subject.name_qualifier.empty())
    xml::SetAttribute(name_id, "NameQualifier", subject.name_qualifier);
  if (!subject.sp_name_qualifier.empty())
    xml::SetAttribute(name_id, "SPNameQualifier", subject.sp_name_qualifier);
  xml::SetAttribute(name_id, "Format", subject.format);
}

}  // namespace

std::string FormatInstant(TimePoint t) {
  std::time_t secs = ToUnixSeconds(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<TimePoint> ParseInstant(std::string_view text) {
  // YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm); SAML Core §1.3.3 asks for UTC without offset, but
  // peers vary, and an offset is unambiguous.
  int y, mo, d, h, mi, s, consumed = 0;
  std::string str(text);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) !=
          6 ||
      consumed != 19)
    return std::nullopt;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    rest.remove_prefix(i);
  }
  long offset = 0;
  if (rest == "Z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2)
      return std::nullopt;
    offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
  } else {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1970 || y > 9999)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return FromUnixSeconds(timegm(&tm) - offset);
}

Result<Node*> MessageElement(const xml::XmlDocument& doc, bool soap) {
  Node* root = doc.root();
  if (!soap) return root;
  if (!Is(root, xml::kSoapEnvelopeNs, "Envelope"))
    return Error::InvalidArgument("not a SOAP 1.1 envelope");
  auto bodies = Elements(root, xml::kSoapEnvelopeNs, "Body");
  if (bodies.size() != 1) return Error::InvalidArgument("a SOAP envelope needs one Body");
  auto children = Elements(bodies[0]);
  if (children.size() != 1) return Error::InvalidArgument("a SOAP Body must carry one message");
  return children[0];
}

Result<std::string> ReadIssuer(const Node* message) {
  auto issuers = Elements(message, kSamlAssertionNs, "Issuer");
  if (issuers.size() != 1) return Error::InvalidArgument("the message needs exactly one Issuer");
  // Profiles §4.4.4.1: Format omitted or entity.
  auto format = Attribute(issuers[0], "Format");
  if (format && *format != kNameIdEntity)
    return Error::InvalidArgument("the Issuer must be an entity identifier");
  auto issuer = SoleText(issuers[0]);
  if (!issuer || issuer->empty()) return Error::InvalidArgument("the Issuer must be plain text");
  return *issuer;
}

Result<NameId> ReadNameId(const Node* node) {
  auto value = SoleText(node);
  if (!value || value->empty())
    return Error::InvalidArgument("NameID must be plain text, without comments or markup");
  return NameId{*value, Attribute(node, "Format").value_or(std::string(kNameIdUnspecified)),
                Attribute(node, "NameQualifier").value_or(""),
                Attribute(node, "SPNameQualifier").value_or("")};
}

bool NameIdMatches(const NameId& sent, const store::SamlSubject& issued) {
  // The value exactly; format and qualifiers where the sender gave them (Entra sends the bare
  // value).
  return sent.value == issued.name_id &&
         (sent.format == kNameIdUnspecified || sent.format == issued.format) &&
         (sent.name_qualifier.empty() || sent.name_qualifier == issued.name_qualifier) &&
         (sent.sp_name_qualifier.empty() || sent.sp_name_qualifier == issued.sp_name_qualifier);
}

Result<RequestHeader> ReadHeader(const Node* element) {
  if (Attribute(element, "Version") != "2.0")
    return Error::InvalidArgument("the message is not SAML 2.0");
  RequestHeader header;
  auto id = Attribute(element, "ID");
  if (!id || id->empty()) return Error::InvalidArgument("the message has no ID");
  header.id = *id;
  GH_ASSIGN_OR_RETURN(header.issuer, ReadIssuer(element));
  header.destination = Attribute(element, "Destination");
  auto instant = Attribute(element, "IssueInstant");
  auto parsed = instant ? ParseInstant(*instant) : std::nullopt;
  if (!parsed) return Error::InvalidArgument("the message has no valid IssueInstant");
  header.issue_instant = *parsed;
  return header;
}

Result<Status> ReadStatus(const Node* response) {
  auto statuses = Elements(response, kSamlProtocolNs, "Status");
  if (statuses.size() != 1) return Error::InvalidArgument("a response needs one Status");
  auto codes = Elements(statuses[0], kSamlProtocolNs, "StatusCode");
  if (codes.size() != 1) return Error::InvalidArgument("a Status needs one StatusCode");
  Status status{Attribute(codes[0], "Value").value_or(""), ""};
  auto nested = Elements(codes[0], kSamlProtocolNs, "StatusCode");
  if (!nested.empty()) status.second = Attribute(nested[0], "Value").value_or("");
  if (status.code.empty()) return Error::InvalidArgument("the StatusCode has no Value");
  return status;
}

Result<AuthnRequest> ParseAuthnRequest(const Node* element) {
  if (!Is(element, kSamlProtocolNs, "AuthnRequest"))
    return Error::InvalidArgument("not an AuthnRequest");
  AuthnRequest r;
  GH_ASSIGN_OR_RETURN(r.header, ReadHeader(element));
  r.acs_url = Attribute(element, "AssertionConsumerServiceURL");
  if (auto index = Attribute(element, "AssertionConsumerServiceIndex")) {
    if (index->empty() || index->size() > 5 ||
        index->find_first_not_of("0123456789") != std::string::npos)
      return Error::InvalidArgument("AssertionConsumerServiceIndex is not an index");
    r.acs_index = std::stoi(*index);
  }
  if (r.acs_url && r.acs_index)
    return Error::InvalidArgument("AssertionConsumerServiceURL and Index are mutually exclusive");
  r.protocol_binding = Attribute(element, "ProtocolBinding");
  GH_ASSIGN_OR_RETURN(r.force_authn, ReadBool(element, "ForceAuthn"));
  GH_ASSIGN_OR_RETURN(r.is_passive, ReadBool(element, "IsPassive"));
  auto policies = Elements(element, kSamlProtocolNs, "NameIDPolicy");
  if (policies.size() > 1) return Error::InvalidArgument("more than one NameIDPolicy");
  if (!policies.empty()) r.name_id_format = Attribute(policies[0], "Format");
  for (const Node* scoping : Elements(element, kSamlProtocolNs, "Scoping"))
    for (const Node* list : Elements(scoping, kSamlProtocolNs, "IDPList"))
      for (const Node* entry : Elements(list, kSamlProtocolNs, "IDPEntry"))
        if (auto id = Attribute(entry, "ProviderID")) r.requested_idps.push_back(*id);
  return r;
}

Result<LogoutRequest> ParseLogoutRequest(const Node* element) {
  if (!Is(element, kSamlProtocolNs, "LogoutRequest"))
    return Error::InvalidArgument("not a LogoutRequest");
  LogoutRequest r;
  GH_ASSIGN_OR_RETURN(r.header, ReadHeader(element));
  if (auto n = Attribute(element, "NotOnOrAfter")) {
    r.not_on_or_after = ParseInstant(*n);
    if (!r.not_on_or_after) return Error::InvalidArgument("NotOnOrAfter is not a dateTime");
  }
  r.reason = Attribute(element, "Reason");
  // Core §3.7.1: exactly one of BaseID, NameID, EncryptedID. Encrypted identifiers are not
  // issued by Gatehouse, so one cannot name a session it made.
  auto ids = Elements(element, kSamlAssertionNs, "NameID");
  if (ids.size() != 1 || !Elements(element, kSamlAssertionNs, "BaseID").empty() ||
      !Elements(element, kSamlAssertionNs, "EncryptedID").empty())
    return Error::InvalidArgument("a LogoutRequest names its subject with exactly one NameID");
  GH_ASSIGN_OR_RETURN(r.name_id, ReadNameId(ids[0]));
  for (Node* index : Elements(element, kSamlProtocolNs, "SessionIndex")) {
    auto text = SoleText(index);
    if (!text || text->empty()) return Error::InvalidArgument("SessionIndex must be plain text");
    r.session_indexes.push_back(*text);
  }
  return r;
}

Result<LogoutResponse> ParseLogoutResponse(const Node* element) {
  if (!Is(element, kSamlProtocolNs, "LogoutResponse"))
    return Error::InvalidArgument("not a LogoutResponse");
  GH_ASSIGN_OR_RETURN(auto header, ReadHeader(element));
  LogoutResponse r;
  r.id = header.id;
  r.issuer = header.issuer;
  r.destination = header.destination;
  r.issue_instant = header.issue_instant;
  r.in_response_to = Attribute(element, "InResponseTo").value_or("");
  GH_ASSIGN_OR_RETURN(auto status, ReadStatus(element));
  r.status = std::move(status.code);
  r.second_status = std::move(status.second);
  return r;
}

BuiltResponse BuildResponse(const std::string& response_id, const std::string& assertion_id,
                            const std::string& destination, const AssertionContent& c) {
  BuiltMessage m = StartMessage("Response", response_id, c.issuer, destination, c.now);
  if (c.in_response_to) xml::SetAttribute(m.root, "InResponseTo", *c.in_response_to);
  AddStatus(m.doc, m.root, kStatusSuccess, {});

  Node* assertion = Add(m.doc, m.root, "Assertion");
  xml::SetAttribute(assertion, "ID", assertion_id);
  xml::SetAttribute(assertion, "Version", "2.0");
  xml::SetAttribute(assertion, "IssueInstant", FormatInstant(c.now));
  Node* issuer = Add(m.doc, assertion, "Issuer", c.issuer);

  Node* subject = Add(m.doc, assertion, "Subject");
  AddNameId(m.doc, subject, c.subject);
  Node* confirmation = Add(m.doc, subject, "SubjectConfirmation");
  xml::SetAttribute(confirmation, "Method", kSubjectConfirmationBearer);
  Node* data = Add(m.doc, confirmation, "SubjectConfirmationData");
  xml::SetAttribute(data, "NotOnOrAfter", FormatInstant(c.now + c.lifetime));
  xml::SetAttribute(data, "Recipient", c.recipient);
  if (c.in_response_to) xml::SetAttribute(data, "InResponseTo", *c.in_response_to);

  Node* conditions = Add(m.doc, assertion, "Conditions");
  xml::SetAttribute(conditions, "NotBefore", FormatInstant(c.now - Seconds(30)));
  xml::SetAttribute(conditions, "NotOnOrAfter", FormatInstant(c.now + c.lifetime));
  Add(m.doc, Add(m.doc, conditions, "AudienceRestriction"), "Audience", c.audience);

  Node* statement = Add(m.doc, assertion, "AuthnStatement");
  xml::SetAttribute(statement, "AuthnInstant", FormatInstant(c.auth_instant));
  xml::SetAttribute(statement, "SessionIndex", c.subject.session_index);
  xml::SetAttribute(statement, "SessionNotOnOrAfter", FormatInstant(c.session_not_on_or_after));
  Add(m.doc, Add(m.doc, statement, "AuthnContext"), "AuthnContextClassRef", c.authn_context_class);

  if (!c.attributes.empty()) {
    Node* attributes = Add(m.doc, assertion, "AttributeStatement");
    for (const auto& [name, value] : c.attributes) {
      Node* attribute = Add(m.doc, attributes, "Attribute");
      xml::SetAttribute(attribute, "Name", name);
      xml::SetAttribute(attribute, "NameFormat", kAttrNameFormatBasic);
      Add(m.doc, attribute, "AttributeValue", value);
    }
  }
  return BuiltResponse{std::move(m.doc), assertion, issuer};
}

BuiltMessage BuildStatusResponse(const std::string& id, const std::string& issuer,
                                 const std::string& destination,
                                 const std::optional<std::string>& in_response_to, TimePoint now,
                                 std::string_view status, std::string_view second_status) {
  BuiltMessage m = StartMessage("Response", id, issuer, destination, now);
  if (in_response_to) xml::SetAttribute(m.root, "InResponseTo", *in_response_to);
  AddStatus(m.doc, m.root, status, second_status);
  return m;
}

BuiltMessage BuildAuthnRequest(const std::string& id, const std::string& issuer,
                               const std::string& destination, const std::string& acs_url,
                               TimePoint now, bool force_authn) {
  BuiltMessage m = StartMessage("AuthnRequest", id, issuer, destination, now);
  xml::SetAttribute(m.root, "AssertionConsumerServiceURL", acs_url);
  xml::SetAttribute(m.root, "ProtocolBinding", kBindingPost);
  if (force_authn) xml::SetAttribute(m.root, "ForceAuthn", "true");
  xml::SetAttribute(AddP(m.doc, m.root, "NameIDPolicy"), "AllowCreate", "true");
  return m;
}

BuiltMessage BuildLogoutRequest(const std::string& id, const std::string& issuer,
                                const std::string& destination, TimePoint now,
                                TimePoint not_on_or_after, const store::SamlSubject& subject,
                                std::string_view reason) {
  BuiltMessage m = StartMessage("LogoutRequest", id, issuer, destination, now);
  // Core §3.7.3.2: a session authority MUST set NotOnOrAfter.
  xml::SetAttribute(m.root, "NotOnOrAfter", FormatInstant(not_on_or_after));
  xml::SetAttribute(m.root, "Reason", reason);
  AddNameId(m.doc, m.root, subject);
  xml::AddElement(m.doc, m.root, kSamlProtocolNs, "samlp", "SessionIndex", subject.session_index);
  return m;
}

BuiltMessage BuildLogoutResponse(const std::string& id, const std::string& issuer,
                                 const std::string& destination, const std::string& in_response_to,
                                 TimePoint now, std::string_view status,
                                 std::string_view second_status) {
  BuiltMessage m = StartMessage("LogoutResponse", id, issuer, destination, now);
  xml::SetAttribute(m.root, "InResponseTo", in_response_to);
  AddStatus(m.doc, m.root, status, second_status);
  return m;
}

std::string WrapInSoapEnvelope(std::string_view message_xml) {
  std::string out =
      R"(<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>)";
  out += message_xml;
  out += "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
  return out;
}

}  // namespace gh::saml
