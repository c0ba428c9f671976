#include "xml/signature.h"

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace gh::xml {
namespace {

const xmlChar* X(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

// xmlsec's global state is set up once per process and never torn down: tear-down while another
// thread signs would be a crash, and the process exits anyway.
void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlSecInit();
    xmlSecCryptoAppInit(nullptr);
    xmlSecCryptoInit();
    // xmlsec prints errors to stderr by default; failures are reported as values instead.
    xmlSecErrorsDefaultCallbackEnableOutput(0);
  });
}

struct CtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};
using DSigCtx = std::unique_ptr<xmlSecDSigCtx, CtxFree>;

xmlSecKeyPtr LoadKey(std::string_view pem, xmlSecKeyDataFormat format) {
  return xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(pem.data()),
                                      static_cast<xmlSecSize>(pem.size()), format, nullptr, nullptr,
                                      nullptr);
}

// Declares `element`'s ID attribute as an XML ID so the reference `#id` resolves to it, and only
// to it: no other attribute of the document is declared one.
Result<std::string> RegisterId(XmlDocument& doc, Node* element) {
  xmlAttrPtr attr = xmlHasProp(element, reinterpret_cast<const xmlChar*>("ID"));
  auto id = Attribute(element, "ID");
  if (!attr || !id || id->empty()) return Error::InvalidArgument("the signed element has no ID");
  if (!xmlGetID(doc.get(), X(*id))) xmlAddID(nullptr, doc.get(), X(*id), attr);
  return *id;
}

bool SameIdElsewhere(const Node* node, const Node* signed_element, const std::string& id) {
  for (const Node* child : Elements(node)) {
    if (child != signed_element) {
      for (xmlAttrPtr a = child->properties; a; a = a->next) {
        auto value = Attribute(child, reinterpret_cast<const char*>(a->name));
        if (value == id) return true;
      }
    }
    if (SameIdElsewhere(child, signed_element, id)) return true;
  }
  return false;
}

int CountSignatures(const Node* node) {
  int count = 0;
  for (const Node* child : Elements(node))
    count += Is(child, kDsigNs, "Signature") + CountSignatures(child);
  return count;
}

// The base64 DER between a PEM certificate's armour lines, whitespace removed.
std::string PemBody(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  auto begin = pem.find(kBegin);
  auto end = pem.find("-----END CERTIFICATE-----");
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) return {};
  std::string body;
  for (char c : pem.substr(begin + kBegin.size(), end - begin - kBegin.size()))
    if (!std::isspace(static_cast<unsigned char>(c))) body += c;
  return body;
}

}  // namespace

struct SigningCredential::Key {
  ~Key() { xmlSecKeyDestroy(key); }
  xmlSecKeyPtr key = nullptr;
  std::string certificate_base64;
};

Result<SigningCredential> SigningCredential::Load(std::string_view private_key_pem,
                                                  std::string_view certificate_pem) {
  InitOnce();
  auto loaded = std::make_shared<Key>();
  loaded->key = LoadKey(private_key_pem, xmlSecKeyDataFormatPem);
  if (!loaded->key) return Error::InvalidArgument("xmlsec: cannot load the signing key");
  if (xmlSecCryptoAppKeyCertLoadMemory(
          loaded->key, reinterpret_cast<const xmlSecByte*>(certificate_pem.data()),
          static_cast<xmlSecSize>(certificate_pem.size()), xmlSecKeyDataFormatPem) < 0)
    return Error::InvalidArgument("xmlsec: cannot load the signing certificate");
  loaded->certificate_base64 = PemBody(certificate_pem);
  if (loaded->certificate_base64.empty())
    return Error::InvalidArgument("the signing certificate is not PEM");
  return SigningCredential(std::move(loaded));
}

Result<void> SigningCredential::SignEnveloped(XmlDocument& doc, Node* element,
                                              Node* insert_after) const {
  GH_ASSIGN_OR_RETURN(std::string id, RegisterId(doc, element));
  Node* signature = xmlSecTmplSignatureCreateNsPref(doc.get(), xmlSecTransformExclC14NId,
                                                    xmlSecTransformRsaSha256Id, nullptr,
                                                    reinterpret_cast<const xmlChar*>("ds"));
  if (!signature) return Error::Internal("xmlsec: cannot create a signature template");
  if (insert_after)
    xmlAddNextSibling(insert_after, signature);
  else if (element->children)
    xmlAddPrevSibling(element->children, signature);
  else
    xmlAddChild(element, signature);
  std::string uri = "#" + id;
  Node* reference =
      xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id, nullptr, X(uri), nullptr);
  if (!reference || !xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) ||
      !xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId))
    return Error::Internal("xmlsec: cannot build the signature reference");
  DSigCtx ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Error::Internal("xmlsec: cannot create a signature context");
  // Lent, not given: a context destroys its signKey, and copying the key (xmlSecKeyDuplicate)
  // copies the RSA key and its certificate, which costs as much as the signature. Signing only
  // reads the key (its OpenSSL key is shared by reference count), so threads may share it.
  ctx->signKey = key_->key;
  int signed_ok = xmlSecDSigCtxSign(ctx.get(), signature);
  ctx->signKey = nullptr;
  if (signed_ok < 0) return Error::Internal("xmlsec: signing failed");
  // KeyInfo lies outside SignedInfo, so it is added after signing, from the certificate encoded
  // once: xmlsec would encode it again for every signature.
  Node* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  Node* x509_data = key_info ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  if (!x509_data || !xmlNewTextChild(x509_data, signature->ns, BAD_CAST "X509Certificate",
                                     X(key_->certificate_base64)))
    return Error::Internal("xmlsec: cannot build KeyInfo");
  return Ok();
}

Result<void> SignEnveloped(XmlDocument& doc, Node* element, Node* insert_after,
                           std::string_view private_key_pem, std::string_view certificate_pem) {
  GH_ASSIGN_OR_RETURN(auto credential, SigningCredential::Load(private_key_pem, certificate_pem));
  return credential.SignEnveloped(doc, element, insert_after);
}

bool HasSignature(const Node* element) { return !Elements(element, kDsigNs, "Signature").empty(); }

Result<void> VerifyEnveloped(XmlDocument& doc, Node* element,
                             std::span<const std::string> certificates_pem) {
  InitOnce();
  auto refuse = [](std::string why) { return Error::Unauthenticated(std::move(why)); };
  auto signatures = Elements(element, kDsigNs, "Signature");
  // Signatures inside the element (an Assertion's, in a signed Response) are covered by its
  // digest; one anywhere else could be what another reader of the document trusts instead.
  if (signatures.size() != 1 || CountSignatures(doc.root()) != CountSignatures(element))
    return refuse("the message must carry exactly one signature, on the signed element");
  auto id = RegisterId(doc, element);
  if (!id.ok()) return refuse(id.error().message);
  if (SameIdElsewhere(doc.root(), element, *id) ||
      (doc.root() != element && Attribute(doc.root(), "ID") == *id))
    return refuse("another element carries the signed element's ID");

  for (const auto& pem : certificates_pem) {
    DSigCtx ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx) return Error::Internal("xmlsec: cannot create a signature context");
    // The key is the registered one; KeyInfo in the message is never consulted.
    ctx->signKey = LoadKey(pem, xmlSecKeyDataFormatCertPem);
    if (!ctx->signKey) return Error::InvalidArgument("a registered certificate cannot be read");
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    for (auto transform : {xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
                           xmlSecTransformEnvelopedId, xmlSecTransformSha256Id,
                           xmlSecTransformSha384Id, xmlSecTransformSha512Id})
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), transform);
    for (auto transform :
         {xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha384Id,
          xmlSecTransformRsaSha512Id, xmlSecTransformEcdsaSha256Id})
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), transform);
    if (xmlSecDSigCtxVerify(ctx.get(), signatures[0]) < 0)
      return refuse("the signature is malformed or uses an algorithm that is not accepted");
    if (ctx->status != xmlSecDSigStatusSucceeded) continue;
    // One reference, to this element: anything else signs something other than the message.
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) return refuse("not one reference");
    auto* reference =
        static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
    if (!reference || !reference->uri ||
        std::string_view(reinterpret_cast<const char*>(reference->uri)) != "#" + *id)
      return refuse("the signature does not cover the message");
    return Ok();
  }
  return refuse("the signature does not verify with the registered keys");
}

}  // namespace gh::xml
