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

}  // namespace

const Endpoint* SpMetadata::SingleLogout(std::string_view binding) const {
  for (const auto& e : single_logout_services)
    if (e.binding == binding) return &e;
  return nullptr;
}

Result<SpMetadata> ParseSpMetadata(std::string_view text) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(text));
  const xml::Node* entity = doc.root();
  if (!xml::Is(entity, kSamlMetadataNs, "EntityDescriptor"))
    return Error::InvalidArgument("the metadata is not an EntityDescriptor");
  SpMetadata md;
  md.entity_id = Attribute(entity, "entityID").value_or("");
  if (md.entity_id.empty()) return Error::InvalidArgument("the metadata has no entityID");
  auto sps = Elements(entity, kSamlMetadataNs, "SPSSODescriptor");
  if (sps.size() != 1) return Error::InvalidArgument("the metadata needs one SPSSODescriptor");
  const xml::Node* sp = sps[0];
  if (Attribute(sp, "protocolSupportEnumeration").value_or("").find(xml::kSamlProtocolNs) ==
      std::string::npos)
    return Error::InvalidArgument("the SP does not support SAML 2.0");
  md.authn_requests_signed = Attribute(sp, "AuthnRequestsSigned") == "true";
  for (const auto* kd : Elements(sp, kSamlMetadataNs, "KeyDescriptor")) {
    auto use = Attribute(kd, "use");
    if (use && *use != "signing") continue;
    for (const auto* info : Elements(kd, kDsigNs, "KeyInfo"))
      for (const auto* data : Elements(info, kDsigNs, "X509Data"))
        for (const auto* cert : Elements(data, kDsigNs, "X509Certificate")) {
          auto text64 = xml::SoleText(cert);
          if (!text64) return Error::InvalidArgument("an X509Certificate is not plain text");
          GH_ASSIGN_OR_RETURN(auto parsed, crypto::Certificate::FromBase64Der(*text64));
          md.signing_certificates.push_back(std::move(parsed));
        }
  }
  for (const auto* node : Elements(sp, kSamlMetadataNs, "AssertionConsumerService")) {
    GH_ASSIGN_OR_RETURN(auto e, ReadEndpoint(node));
    if (!e.index) return Error::InvalidArgument("an AssertionConsumerService needs an index");
    md.assertion_consumer_services.push_back(std::move(e));
  }
  if (md.assertion_consumer_services.empty())
    return Error::InvalidArgument("the SP has no AssertionConsumerService");
  for (const auto* node : Elements(sp, kSamlMetadataNs, "SingleLogoutService")) {
    GH_ASSIGN_OR_RETURN(auto e, ReadEndpoint(node));
    md.single_logout_services.push_back(std::move(e));
  }
  for (const auto* node : Elements(sp, kSamlMetadataNs, "NameIDFormat"))
    if (auto f = xml::SoleText(node)) md.name_id_formats.push_back(*f);
  return md;
}

std::string BuildIdpMetadata(const IdpMetadataInput& in) {
  auto doc = xml::XmlDocument::New();
  auto* entity = xml::AddElement(doc, nullptr, kSamlMetadataNs, "md", "EntityDescriptor");
  xml::SetAttribute(entity, "entityID", in.entity_id);
  auto* idp = xml::AddElement(doc, entity, kSamlMetadataNs, "md", "IDPSSODescriptor");
  xml::SetAttribute(idp, "protocolSupportEnumeration", xml::kSamlProtocolNs);
  xml::SetAttribute(idp, "WantAuthnRequestsSigned", "false");
  for (const auto& cert : in.certificates_base64) {
    auto* kd = xml::AddElement(doc, idp, kSamlMetadataNs, "md", "KeyDescriptor");
    xml::SetAttribute(kd, "use", "signing");
    auto* info = xml::AddElement(doc, kd, kDsigNs, "ds", "KeyInfo");
    auto* data = xml::AddElement(doc, info, kDsigNs, "ds", "X509Data");
    xml::AddElement(doc, data, kDsigNs, "ds", "X509Certificate", cert);
  }
  for (auto binding : {kBindingRedirect, kBindingPost, kBindingSoap}) {
    auto* slo = xml::AddElement(doc, idp, kSamlMetadataNs, "md", "SingleLogoutService");
    xml::SetAttribute(slo, "Binding", binding);
    xml::SetAttribute(slo, "Location", in.slo_url);
  }
  for (const auto& format : in.name_id_formats)
    xml::AddElement(doc, idp, kSamlMetadataNs, "md", "NameIDFormat", format);
  for (auto binding : {kBindingRedirect, kBindingPost}) {
    auto* sso = xml::AddElement(doc, idp, kSamlMetadataNs, "md", "SingleSignOnService");
    xml::SetAttribute(sso, "Binding", binding);
    xml::SetAttribute(sso, "Location", in.sso_url);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doc.Serialize();
}

}  // namespace gh::saml
