// IdpSigner: the IdP's SAML signing credential — the key ring's active RS256 key with a
// reproducible self-signed certificate (what SPs pin from metadata) — and signing with it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "keys/key_ring.h"
#include "xml/document.h"
#include "xml/signature.h"

namespace gh::saml {

struct Credential {
  std::shared_ptr<const crypto::SigningKey> key;  // signs HTTP-Redirect query strings
  xml::SigningCredential xml;                     // signs enveloped, parsed once
  std::string certificate_base64;                 // DER, as metadata carries it
};

class IdpSigner {
 public:
  IdpSigner(keys::KeyRing& keys, std::string common_name)
      : keys_(keys), common_name_(std::move(common_name)) {}

  // The credential that signs now; certificates are made once per key.
  Result<std::shared_ptr<const Credential>> Current();
  // The signing credential first, then those a `keys rotate` announced to succeed it: the
  // certificates metadata lists, so that SPs that pin them trust the next one ahead of its use.
  Result<std::vector<std::shared_ptr<const Credential>>> Announced();
  // Signs `element` enveloped, the signature after `issuer`.
  Result<void> Sign(xml::XmlDocument& doc, xml::Node* element, xml::Node* issuer);

 private:
  Result<std::shared_ptr<const Credential>> For(std::shared_ptr<const crypto::SigningKey> key);

  keys::KeyRing& keys_;
  std::string common_name_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Credential>> by_kid_;
};

}  // namespace gh::saml
