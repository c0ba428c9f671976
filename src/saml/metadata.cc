#include "saml/metadata.h"

#include "saml/vocabulary.h"
#include "xml/document.h"

namespace gh::saml {
namespace {

using xml::Attribute;
using xml::Elements;
using xml::kDsigNs;
using xml::kSamlMetadataNs;

bool IsHttpUrl(std::string_view url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

Result<Endpoint> ReadEndpoint(const xml::Node* node) {
  Endpoint e;
  e.binding = Attribute(node, "Binding").value_or("");
  e.location = Attribute(node, "Location").value_or("");
  e.response_location = Attribute(node, "ResponseLocation").value_or("");
  if (e.binding.empty() || !IsHttpUrl(e.location) ||
      (!e.response_location.empty() && !IsHttpUrl(e.response_location)))
    return Error::InvalidArgument("an endpoint needs a Binding and an http(s) Location");
  if (auto index = Attribute(node, "index")) {
    if (index->empty() || index->size() > 5 ||
        index->find_first_not_of("0123456789") != std::string::npos)
      return Error::InvalidArgument("an endpoint index is not a number");
    e.index = std::stoi(*index);
  }
  e.is_default = Attribute(node, "isDefault") == "true";
  return e;
}

// The certificates of the descriptor's KeyDescriptors for signing (use="signing" or unset).
Result<std::vector<crypto::Certificate>> ReadSigningCertificates(const xml::Node* descriptor) {
  std::vector<crypto::Certificate> certificates;
  for (const auto* kd : Elements(descriptor, kSamlMetadataNs, "KeyDescriptor")) {
    auto use = Attribute(kd, "use");
    if (use && *use != "signing") continue;
    for (const auto* info : Elements(kd, kDsigNs, "KeyInfo"))
      for (const auto* data : Elements(info, kDsigNs, "X509Data"))
        for (const auto* cert : Elements(data, kDsigNs, "X509Certificate")) {
          auto text64 = xml::SoleText(cert);
          if (!text64) return Error::InvalidArgument("an X509Certificate is not plain text");
          GH_ASSIGN_OR_RETURN(auto parsed, crypto::Certificate::FromBase64Der(*text64));
          certificates.push_back(std::move(parsed));
        }
  }
  return certificates;
}

Result<std::vector<Endpoint>> ReadEndpoints(const xml::Node* descriptor, std::string_view name) {
  std::vector<Endpoint> endpoints;
  for (const auto* node : Elements(descriptor, kSamlMetadataNs, name)) {
    GH_ASSIGN_OR_RETURN(auto e, ReadEndpoint(node));
    endpoints.push_back(std::move(e));
  }
  return endpoints;
}

// The one role descriptor `name` of a SAML 2.0 EntityDescriptor, and its entityID.
Result<const xml::Node*> ReadDescriptor(const xml::XmlDocument& doc, std::string_view name,
                                        std::string& entity_id) {
  const xml::Node* entity = doc.root();
  if (!xml::Is(entity, kSamlMetadataNs, "EntityDescriptor"))
    return Error::InvalidArgument("the metadata is not an EntityDescriptor");
  entity_id = Attribute(entity, "entityID").value_or("");
  if (entity_id.empty()) return Error::InvalidArgument("the metadata has no entityID");
  auto descriptors = Elements(entity, kSamlMetadataNs, name);
  if (descriptors.size() != 1)
    return Error::InvalidArgument("the metadata needs one " + std::string(name));
  if (Attribute(descriptors[0], "protocolSupportEnumeration")
          .value_or("")
          .find(xml::kSamlProtocolNs) == std::string::npos)
    return Error::InvalidArgument("the entity does not support SAML 2.0");
  return descriptors[0];
}

const Endpoint* ByBinding(const std::vector<Endpoint>& endpoints, std::string_view binding) {
  for (const auto& e : endpoints)
    if (e.binding == binding) return &e;
  return nullptr;
}

// An EntityDescriptor for `entity_id` as the root of `doc`, with one SAML 2.0 role descriptor.
xml::Node* AddDescriptor(xml::XmlDocument& doc, const std::string& entity_id,
                         std::string_view name) {
  auto* entity = xml::AddElement(doc, nullptr, kSamlMetadataNs, "md", "EntityDescriptor");
  xml::SetAttribute(entity, "entityID", entity_id);
  auto* descriptor = xml::AddElement(doc, entity, kSamlMetadataNs, "md", name);
  xml::SetAttribute(descriptor, "protocolSupportEnumeration", xml::kSamlProtocolNs);
  return descriptor;
}

void AddSigningKeys(xml::XmlDocument& doc, xml::Node* descriptor,
                    const std::vector<std::string>& certificates_base64) {
  for (const auto& cert : certificates_base64) {
    auto* kd = xml::AddElement(doc, descriptor, kSamlMetadataNs, "md", "KeyDescriptor");
    xml::SetAttribute(kd, "use", "signing");
    auto* info = xml::AddElement(doc, kd, kDsigNs, "ds", "KeyInfo");
    auto* data = xml::AddElement(doc, info, kDsigNs, "ds", "X509Data");
    xml::AddElement(doc, data, kDsigNs, "ds", "X509Certificate", cert);
  }
}

void AddEndpoint(xml::XmlDocument& doc, xml::Node* descriptor, std::string_view name,
                 std::string_view binding, const std::string& location) {
  auto* endpoint = xml::AddElement(doc, descriptor, kSamlMetadataNs, "md", name);
  xml::SetAttribute(endpoint, "Binding", binding);
  xml::SetAttribute(endpoint, "Location", location);
}

}  // namespace

const Endpoint* SpMetadata::SingleLogout(std::string_view binding) const {
  return ByBinding(single_logout_services, binding);
}
const Endpoint* IdpMetadata::SingleSignOn(std::string_view binding) const {
  return ByBinding(single_sign_on_services, binding);
}
const Endpoint* IdpMetadata::SingleLogout(std::string_view binding) const {
  return ByBinding(single_logout_services, binding);
}

Result<SpMetadata> ParseSpMetadata(std::string_view text) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(text));
  SpMetadata md;
  GH_ASSIGN_OR_RETURN(const auto* sp, ReadDescriptor(doc, "SPSSODescriptor", md.entity_id));
  md.authn_requests_signed = Attribute(sp, "AuthnRequestsSigned") == "true";
  GH_ASSIGN_OR_RETURN(md.signing_certificates, ReadSigningCertificates(sp));
  GH_ASSIGN_OR_RETURN(md.assertion_consumer_services,
                      ReadEndpoints(sp, "AssertionConsumerService"));
  for (const auto& e : md.assertion_consumer_services)
    if (!e.index) return Error::InvalidArgument("an AssertionConsumerService needs an index");
  if (md.assertion_consumer_services.empty())
    return Error::InvalidArgument("the SP has no AssertionConsumerService");
  GH_ASSIGN_OR_RETURN(md.single_logout_services, ReadEndpoints(sp, "SingleLogoutService"));
  for (const auto* node : Elements(sp, kSamlMetadataNs, "NameIDFormat"))
    if (auto f = xml::SoleText(node)) md.name_id_formats.push_back(*f);
  return md;
}

Result<IdpMetadata> ParseIdpMetadata(std::string_view text) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(text));
  IdpMetadata md;
  GH_ASSIGN_OR_RETURN(const auto* idp, ReadDescriptor(doc, "IDPSSODescriptor", md.entity_id));
  md.want_authn_requests_signed = Attribute(idp, "WantAuthnRequestsSigned") == "true";
  GH_ASSIGN_OR_RETURN(md.signing_certificates, ReadSigningCertificates(idp));
  if (md.signing_certificates.empty())
    return Error::InvalidArgument("the IdP metadata has no signing certificate");
  GH_ASSIGN_OR_RETURN(md.single_sign_on_services, ReadEndpoints(idp, "SingleSignOnService"));
  if (!md.SingleSignOn(kBindingRedirect))
    return Error::InvalidArgument("the IdP has no HTTP-Redirect SingleSignOnService");
  GH_ASSIGN_OR_RETURN(md.single_logout_services, ReadEndpoints(idp, "SingleLogoutService"));
  return md;
}

std::string BuildIdpMetadata(const IdpMetadataInput& in) {
  auto doc = xml::XmlDocument::New();
  auto* idp = AddDescriptor(doc, in.entity_id, "IDPSSODescriptor");
  xml::SetAttribute(idp, "WantAuthnRequestsSigned", "false");
  AddSigningKeys(doc, idp, in.certificates_base64);
  for (auto binding : {kBindingRedirect, kBindingPost, kBindingSoap})
    AddEndpoint(doc, idp, "SingleLogoutService", binding, in.slo_url);
  for (const auto& format : in.name_id_formats)
    xml::AddElement(doc, idp, kSamlMetadataNs, "md", "NameIDFormat", format);
  for (auto binding : {kBindingRedirect, kBindingPost})
    AddEndpoint(doc, idp, "SingleSignOnService", binding, in.sso_url);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doc.Serialize();
}

std::string BuildSpMetadata(const SpMetadataInput& in) {
  auto doc = xml::XmlDocument::New();
  auto* sp = AddDescriptor(doc, in.entity_id, "SPSSODescriptor");
  xml::SetAttribute(sp, "AuthnRequestsSigned", "true");
  xml::SetAttribute(sp, "WantAssertionsSigned", "true");
  AddSigningKeys(doc, sp, in.certificates_base64);
  for (auto binding : {kBindingRedirect, kBindingPost, kBindingSoap})
    AddEndpoint(doc, sp, "SingleLogoutService", binding, in.slo_url);
  auto* acs = xml::AddElement(doc, sp, kSamlMetadataNs, "md", "AssertionConsumerService");
  xml::SetAttribute(acs, "Binding", kBindingPost);
  xml::SetAttribute(acs, "Location", in.acs_url);
  xml::SetAttribute(acs, "index", "0");
  xml::SetAttribute(acs, "isDefault", "true");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doc.Serialize();
}

}  // namespace gh::saml
