// The SAML 2.0 URIs Gatehouse speaks: bindings, NameID formats, status codes, algorithms.
#pragma once

#include <string_view>

namespace gh::saml {

inline constexpr std::string_view kBindingRedirect =
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
inline constexpr std::string_view kBindingPost = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
inline constexpr std::string_view kBindingSoap = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP";

inline constexpr std::string_view kNameIdPersistent =
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
inline constexpr std::string_view kNameIdTransient =
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
inline constexpr std::string_view kNameIdEmail =
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
inline constexpr std::string_view kNameIdUnspecified =
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
inline constexpr std::string_view kNameIdEntity =
    "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

inline constexpr std::string_view kStatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr std::string_view kStatusRequester = "urn:oasis:names:tc:SAML:2.0:status:Requester";
inline constexpr std::string_view kStatusResponder = "urn:oasis:names:tc:SAML:2.0:status:Responder";
inline constexpr std::string_view kStatusRequestDenied =
    "urn:oasis:names:tc:SAML:2.0:status:RequestDenied";
inline constexpr std::string_view kStatusPartialLogout =
    "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";
// LogoutRequest Reason (Core §3.7.3): the person signed out, or an administrator (or the server).
inline constexpr std::string_view kReasonUser = "urn:oasis:names:tc:SAML:2.0:logout:user";
inline constexpr std::string_view kReasonAdmin = "urn:oasis:names:tc:SAML:2.0:logout:admin";
inline constexpr std::string_view kStatusUnknownPrincipal =
    "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal";
inline constexpr std::string_view kStatusNoPassive = "urn:oasis:names:tc:SAML:2.0:status:NoPassive";
inline constexpr std::string_view kStatusInvalidNameIdPolicy =
    "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy";
inline constexpr std::string_view kStatusVersionMismatch =
    "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch";

inline constexpr std::string_view kSigAlgRsaSha256 =
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr std::string_view kAuthnContextPassword =
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
inline constexpr std::string_view kSubjectConfirmationBearer =
    "urn:oasis:names:tc:SAML:2.0:cm:bearer";
inline constexpr std::string_view kAttrNameFormatBasic =
    "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
inline constexpr std::string_view kSoapAction = "http://www.oasis-open.org/committees/security";

}  // namespace gh::saml
