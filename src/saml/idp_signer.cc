#include "saml/idp_signer.h"

#include "crypto/certificate.h"
#include "xml/signature.h"

namespace gh::saml {
namespace {

// The certificate's dates carry no meaning (SPs pin it); a fixed start keeps it reproducible.
const TimePoint kCertificateStart = FromUnixSeconds(1'577'836'800);  // 2020-01-01

}  // namespace

Result<std::shared_ptr<const Credential>> IdpSigner::Current() {
  return For(keys_.Active(crypto::JwsAlg::kRS256));
}

Result<std::vector<std::shared_ptr<const Credential>>> IdpSigner::Announced() {
  std::vector<std::shared_ptr<const Credential>> credentials;
  for (auto& key : keys_.Announced(crypto::JwsAlg::kRS256)) {
    GH_ASSIGN_OR_RETURN(auto credential, For(std::move(key)));
    credentials.push_back(std::move(credential));
  }
  return credentials;
}

Result<std::shared_ptr<const Credential>> IdpSigner::For(
    std::shared_ptr<const crypto::SigningKey> key) {
  std::lock_guard lock(mutex_);
  if (auto it = by_kid_.find(key->kid()); it != by_kid_.end()) return it->second;
  GH_ASSIGN_OR_RETURN(auto certificate,
                      crypto::SelfSignedCertificate(*key, common_name_, kCertificateStart));
  GH_ASSIGN_OR_RETURN(auto xml, xml::SigningCredential::Load(key->PrivatePem(), certificate.Pem()));
  auto credential =
      std::make_shared<const Credential>(Credential{key, std::move(xml), certificate.Base64Der()});
  by_kid_[key->kid()] = credential;
  return credential;
}

Result<void> IdpSigner::Sign(xml::XmlDocument& doc, xml::Node* element, xml::Node* issuer) {
  GH_ASSIGN_OR_RETURN(auto credential, Current());
  return credential->xml.SignEnveloped(doc, element, issuer);
}

}  // namespace gh::saml
