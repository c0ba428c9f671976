// SamlProvider: the SAML 2.0 identity provider's routes — metadata, Web Browser SSO and Single
// Logout — over one SamlContext.
#pragma once

#include "http/router.h"
#include "saml/slo_endpoint.h"
#include "saml/sso_endpoint.h"

namespace gh::saml {

class SamlProvider {
 public:
  explicit SamlProvider(const SamlContext& context)
      : context_(context), sso_(context_), slo_(context_) {}

  void Register(http::Router& router);
  // GET /saml/metadata: the IdP's EntityDescriptor.
  http::Response Metadata(const http::Request& request) const;

 private:
  SamlContext context_;
  SsoEndpoint sso_;
  SloEndpoint slo_;
};

}  // namespace gh::saml
