#include "saml/saml_provider.h"

#include "saml/metadata.h"
#include "saml/vocabulary.h"

namespace gh::saml {

void SamlProvider::Register(http::Router& router) {
  auto route = [&](const char* method, std::string_view path, http::Handler handler) {
    router.Add(method, std::string(path), std::move(handler));
  };
  route("GET", kMetadataPath, [this](const http::Request& r) { return Metadata(r); });
  for (const char* method : {"GET", "POST"}) {
    route(method, kSsoPath, [this](const http::Request& r) { return sso_.Handle(r); });
    route(method, kSloPath, [this](const http::Request& r) { return slo_.Handle(r); });
  }
  route("GET", kSsoContinuePath, [this](const http::Request& r) { return sso_.Continue(r); });
  route("GET", kIdpInitiatedPath, [this](const http::Request& r) { return sso_.IdpInitiated(r); });
  route("GET", kSloFinishPath, [this](const http::Request& r) { return slo_.Finish(r); });
  route("GET", kSloFramePath, [this](const http::Request& r) { return slo_.PostStep(r); });
}

http::Response SamlProvider::Metadata(const http::Request&) const {
  auto credentials = context_.signer.Announced();
  if (!credentials.ok()) return http::Response::Text(503, "unavailable");
  std::vector<std::string> certificates;
  for (const auto& credential : *credentials)
    certificates.push_back(credential->certificate_base64);
  const auto& s = context_.settings;
  auto xml = BuildIdpMetadata({s.entity_id(),
                               s.sso_url(),
                               s.slo_url(),
                               std::move(certificates),
                               {std::string(kNameIdPersistent), std::string(kNameIdTransient),
                                std::string(kNameIdEmail), std::string(kNameIdUnspecified)}});
  auto response = http::Response::Text(200, std::move(xml));
  response.headers.Set("Content-Type", "application/samlmetadata+xml");
  response.headers.Set("Cache-Control", "public, max-age=300");
  return response;
}

}  // namespace gh::saml
