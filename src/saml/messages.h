// The SAML 2.0 protocol messages Gatehouse reads and writes, as plain values, with their codecs:
// Parse* turns a verified element into a value, checking its shape (SAML Core §3.2, §3.4, §3.7);
// Build* makes a document ready to sign. No I/O, no store, no clock: callers pass the time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/records.h"
#include "xml/document.h"

namespace gh::saml {

// The fields every request shares (RequestAbstractType, Core §3.2.1).
struct RequestHeader {
  std::string id;
  std::string issuer;
  std::optional<std::string> destination;
  TimePoint issue_instant;
};

struct AuthnRequest {
  RequestHeader header;
  std::optional<std::string> acs_url;  // AssertionConsumerServiceURL
  std::optional<int> acs_index;        // AssertionConsumerServiceIndex
  std::optional<std::string> protocol_binding;
  bool force_authn = false;
  bool is_passive = false;
  std::optional<std::string> name_id_format;  // NameIDPolicy/@Format
  // Scoping/IDPList/IDPEntry/@ProviderID (Core §3.4.1.2): the identity providers the SP would
  // have the person sign in with, most preferred first — for Gatehouse, upstreams.
  std::vector<std::string> requested_idps;
};

struct NameId {
  std::string value;
  std::string format;
  std::string name_qualifier;
  std::string sp_name_qualifier;
};

struct LogoutRequest {
  RequestHeader header;
  std::optional<TimePoint> not_on_or_after;
  NameId name_id;
  std::vector<std::string> session_indexes;
  std::optional<std::string> reason;
};

struct LogoutResponse {
  std::string id;
  std::string issuer;
  std::optional<std::string> destination;
  std::string in_response_to;
  TimePoint issue_instant;
  std::string status;         // top-level StatusCode
  std::string second_status;  // nested StatusCode, empty when none
};

// SAML's xs:dateTime: "2026-12-05T21:07:20Z", fractions and offsets accepted when reading.
std::string FormatInstant(TimePoint t);
std::optional<TimePoint> ParseInstant(std::string_view text);

// The protocol element inside a SOAP 1.1 envelope (Bindings §3.2.3), or the root itself when
// `soap` is false. kInvalidArgument when the envelope is not one SOAP body with one element.
Result<xml::Node*> MessageElement(const xml::XmlDocument& doc, bool soap);

// The Issuer of a request or response element: what chooses the keys that verify it.
Result<std::string> ReadIssuer(const xml::Node* message);
// A NameID's value, which must be plain text, with its Format and qualifiers.
Result<NameId> ReadNameId(const xml::Node* name_id);
// Whether a LogoutRequest's NameID names the subject an assertion carried.
bool NameIdMatches(const NameId& sent, const store::SamlSubject& issued);
// Version 2.0, ID, Issuer, Destination and IssueInstant of a request or response (Core §3.2).
Result<RequestHeader> ReadHeader(const xml::Node* message);
// The top-level and nested StatusCode of a response (Core §3.2.2.2).
struct Status {
  std::string code;
  std::string second;  // empty when none
};
Result<Status> ReadStatus(const xml::Node* response);

Result<AuthnRequest> ParseAuthnRequest(const xml::Node* element);
Result<LogoutRequest> ParseLogoutRequest(const xml::Node* element);
Result<LogoutResponse> ParseLogoutResponse(const xml::Node* element);

// What an assertion says about the user (Core §2): built once per Response.
struct AssertionContent {
  std::string issuer;
  std::string audience;   // the SP's entityID
  std::string recipient;  // the ACS URL
  std::optional<std::string> in_response_to;
  store::SamlSubject subject;
  TimePoint now;
  TimePoint auth_instant;
  Seconds lifetime{300};  // SubjectConfirmationData and Conditions NotOnOrAfter
  TimePoint session_not_on_or_after;
  std::string authn_context_class;
  std::vector<std::pair<std::string, std::string>> attributes;  // name, value
};

// A Response (Core §3.3.3) whose Assertion is to be signed; `assertion` receives the element to
// sign and `assertion_issuer` the element its signature follows.
struct BuiltResponse {
  xml::XmlDocument doc;
  xml::Node* assertion = nullptr;
  xml::Node* assertion_issuer = nullptr;
};
BuiltResponse BuildResponse(const std::string& response_id, const std::string& assertion_id,
                            const std::string& destination, const AssertionContent& content);
// A Response carrying only a failure status (e.g. NoPassive), nothing signed by the caller's key
// but the message itself.
struct BuiltMessage {
  xml::XmlDocument doc;
  xml::Node* root = nullptr;
  xml::Node* issuer = nullptr;
};
BuiltMessage BuildStatusResponse(const std::string& id, const std::string& issuer,
                                 const std::string& destination,
                                 const std::optional<std::string>& in_response_to, TimePoint now,
                                 std::string_view status, std::string_view second_status = {});
// Gatehouse as a service provider asking an upstream IdP to sign someone in (Core §3.4.1): the
// answer comes to `acs_url` over HTTP-POST.
BuiltMessage BuildAuthnRequest(const std::string& id, const std::string& issuer,
                               const std::string& destination, const std::string& acs_url,
                               TimePoint now, bool force_authn);
BuiltMessage BuildLogoutRequest(const std::string& id, const std::string& issuer,
                                const std::string& destination, TimePoint now,
                                TimePoint not_on_or_after, const store::SamlSubject& subject,
                                std::string_view reason);
BuiltMessage BuildLogoutResponse(const std::string& id, const std::string& issuer,
                                 const std::string& destination, const std::string& in_response_to,
                                 TimePoint now, std::string_view status,
                                 std::string_view second_status = {});
// The SOAP 1.1 envelope around a serialized message.
std::string WrapInSoapEnvelope(std::string_view message_xml);

}  // namespace gh::saml
