// SAML 2.0 metadata (SAML Metadata §2): reading a service provider's EntityDescriptor when it is
// registered and an upstream identity provider's when one is configured, and writing Gatehouse's
// own as an IdP and, towards its upstreams, as an SP.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "crypto/certificate.h"

namespace gh::saml {

struct Endpoint {
  std::string binding;
  std::string location;
  std::string response_location;  // empty when absent
  std::optional<int> index;       // indexed endpoints (AssertionConsumerService)
  bool is_default = false;
  // Where responses to this endpoint go (Metadata §2.2.2): ResponseLocation, else Location.
  const std::string& ResponseUrl() const {
    return response_location.empty() ? location : response_location;
  }
};

// What Gatehouse needs from an SP's SPSSODescriptor.
struct SpMetadata {
  std::string entity_id;
  std::vector<Endpoint> assertion_consumer_services;
  std::vector<Endpoint> single_logout_services;
  std::vector<crypto::Certificate> signing_certificates;  // KeyDescriptor use="signing" or unset
  std::vector<std::string> name_id_formats;
  bool authn_requests_signed = false;
  // The SLO endpoint for `binding`, if the SP has one.
  const Endpoint* SingleLogout(std::string_view binding) const;
};

// kInvalidArgument when `xml` is not an EntityDescriptor with an SPSSODescriptor for SAML 2.0, or
// an endpoint's Location is not an http(s) URL.
Result<SpMetadata> ParseSpMetadata(std::string_view xml);

// What Gatehouse needs from an upstream identity provider's IDPSSODescriptor.
struct IdpMetadata {
  std::string entity_id;
  std::vector<Endpoint> single_sign_on_services;
  std::vector<Endpoint> single_logout_services;
  std::vector<crypto::Certificate> signing_certificates;
  bool want_authn_requests_signed = false;
  const Endpoint* SingleSignOn(std::string_view binding) const;
  const Endpoint* SingleLogout(std::string_view binding) const;
};

// kInvalidArgument when `xml` is not an EntityDescriptor with an IDPSSODescriptor for SAML 2.0
// with a signing certificate (nothing it sends could be trusted without one) and an HTTP-Redirect
// SingleSignOnService, or an endpoint's Location is not an http(s) URL.
Result<IdpMetadata> ParseIdpMetadata(std::string_view xml);

struct IdpMetadataInput {
  std::string entity_id;
  std::string sso_url;                           // HTTP-Redirect and HTTP-POST
  std::string slo_url;                           // HTTP-Redirect, HTTP-POST and SOAP
  std::vector<std::string> certificates_base64;  // signing certificates, the signing one first
  std::vector<std::string> name_id_formats;
};
std::string BuildIdpMetadata(const IdpMetadataInput& input);

struct SpMetadataInput {
  std::string entity_id;
  std::string acs_url;                           // HTTP-POST
  std::string slo_url;                           // HTTP-Redirect, HTTP-POST and SOAP
  std::vector<std::string> certificates_base64;  // signing certificates, the signing one first
};
// AuthnRequestsSigned and WantAssertionsSigned: Gatehouse signs what it asks and accepts only
// signed assertions.
std::string BuildSpMetadata(const SpMetadataInput& input);

}  // namespace gh::saml
