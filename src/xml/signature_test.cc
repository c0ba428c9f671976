#include "xml/signature.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "crypto/certificate.h"

namespace gh::xml {
namespace {

struct KeyPair {
  std::string private_pem;
  std::string certificate_pem;
};

KeyPair NewKey(const std::string& kid) {
  auto key = crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, kid);
  auto cert = crypto::SelfSignedCertificate(*key, "test", FromUnixSeconds(1'700'000'000));
  return {key->PrivatePem(), cert->Pem()};
}

const KeyPair& Idp() {
  static const KeyPair k = NewKey("idp");
  return k;
}

constexpr char kMessage[] =
    R"(<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" )"
    R"(xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_m1" Version="2.0" )"
    R"(IssueInstant="2026-12-05T10:00:00Z"><saml:Issuer>https://sp.example</saml:Issuer>)"
    R"(<saml:NameID>alice</saml:NameID></samlp:LogoutRequest>)";

std::string Signed(const KeyPair& key = Idp()) {
  auto doc = XmlDocument::Parse(kMessage);
  auto* root = doc->root();
  auto* issuer = Elements(root, kSamlAssertionNs, "Issuer").at(0);
  EXPECT_TRUE(SignEnveloped(*doc, root, issuer, key.private_pem, key.certificate_pem).ok());
  return doc->Serialize();
}

Result<void> Verify(const std::string& xml, const KeyPair& key = Idp()) {
  GH_ASSIGN_OR_RETURN(auto doc, XmlDocument::Parse(xml));
  std::vector<std::string> certs{key.certificate_pem};
  // The element a caller consumes: the root.
  return VerifyEnveloped(doc, doc.root(), certs);
}

void Replace(std::string& s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
}

TEST(XmlSignatureTest, SignedMessageVerifiesWithItsKeyOnly) {
  std::string xml = Signed();
  EXPECT_NE(xml.find("<ds:Signature"), std::string::npos);
  // Placed right after Issuer, as the schema orders it.
  EXPECT_LT(xml.find("</saml:Issuer><ds:Signature"), xml.find("<saml:NameID"));
  EXPECT_TRUE(Verify(xml).ok());
  EXPECT_EQ(Verify(xml, NewKey("other")).error().code, ErrorCode::kUnauthenticated);
}

TEST(XmlSignatureTest, KeyInfoCarriesTheCertificateAfterTheSignatureValue) {
  auto doc = XmlDocument::Parse(Signed());
  auto* signature = Elements(doc->root(), kDsigNs, "Signature").at(0);
  auto parts = Elements(signature);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(Is(parts[1], kDsigNs, "SignatureValue"));
  ASSERT_TRUE(Is(parts[2], kDsigNs, "KeyInfo"));
  auto data = Elements(parts[2], kDsigNs, "X509Data");
  ASSERT_EQ(data.size(), 1u);
  auto certificate = Elements(data[0], kDsigNs, "X509Certificate");
  ASSERT_EQ(certificate.size(), 1u);
  EXPECT_EQ(SoleText(certificate[0]),
            crypto::Certificate::FromPem(Idp().certificate_pem)->Base64Der());
}

TEST(XmlSignatureTest, OneLoadedCredentialSignsFromManyThreadsAndStaysUsable) {
  auto credential = SigningCredential::Load(Idp().private_pem, Idp().certificate_pem);
  ASSERT_TRUE(credential.ok());
  std::vector<std::string> signed_xml(4);
  std::vector<std::thread> threads;
  for (auto& out : signed_xml)
    threads.emplace_back([&credential, &out] {
      for (int i = 0; i < 5; ++i) {
        auto doc = XmlDocument::Parse(kMessage);
        auto* issuer = Elements(doc->root(), kSamlAssertionNs, "Issuer").at(0);
        if (credential->SignEnveloped(*doc, doc->root(), issuer).ok()) out = doc->Serialize();
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& xml : signed_xml) EXPECT_TRUE(Verify(xml).ok()) << xml;
}

TEST(XmlSignatureTest, AlteredContentFails) {
  std::string xml = Signed();
  Replace(xml, ">alice<", ">mallory<");
  EXPECT_FALSE(Verify(xml).ok());
}

TEST(XmlSignatureTest, UnsignedMessageFails) { EXPECT_FALSE(Verify(kMessage).ok()); }

// XML Signature Wrapping (Somorovsky et al. 2012): the verifier must check the element the
// application consumes, and nothing else.
// A forged LogoutRequest for bob with root ID `id`, hiding the signed original in Extensions.
std::string ForgedAround(const std::string& original, const std::string& id) {
  return R"(<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" )"
         R"(xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID=")" +
         id +
         R"(" Version="2.0" IssueInstant="2026-12-05T10:00:00Z">)"
         R"(<saml:Issuer>https://sp.example</saml:Issuer><samlp:Extensions>)" +
         original + R"(</samlp:Extensions><saml:NameID>bob</saml:NameID></samlp:LogoutRequest>)";
}

TEST(XmlSignatureTest, WrappedOriginalInsideForgedRootFails) {
  // XSW1-like: a forged root with a new ID wraps the signed original.
  EXPECT_FALSE(Verify(ForgedAround(Signed(), "_evil")).ok());
}

TEST(XmlSignatureTest, ForgedRootReusingTheSignedIdFails) {
  // XSW2-like: the forged root takes the original's ID; the original hides in Extensions.
  EXPECT_FALSE(Verify(ForgedAround(Signed(), "_m1")).ok());
}

TEST(XmlSignatureTest, SignatureMovedIntoAChildFails) {
  // XSW3-like: the signature is moved away from the root into a child element.
  std::string xml = Signed();
  auto start = xml.find("<ds:Signature");
  auto end = xml.find("</ds:Signature>") + std::string("</ds:Signature>").size();
  std::string signature = xml.substr(start, end - start);
  xml.erase(start, end - start);
  Replace(xml, "<saml:NameID>alice</saml:NameID>",
          "<saml:NameID>alice</saml:NameID><samlp:Extensions>" + signature + "</samlp:Extensions>");
  EXPECT_FALSE(Verify(xml).ok());
}

TEST(XmlSignatureTest, SecondUnsignedCopyWithTheSameIdFails) {
  // XSW4-like: an extra element declares the signed ID, hoping the verifier resolves it instead.
  std::string xml = Signed();
  Replace(xml, "<saml:NameID>alice</saml:NameID>",
          "<saml:NameID>alice</saml:NameID><samlp:Extensions><x ID=\"_m1\"/></samlp:Extensions>");
  EXPECT_FALSE(Verify(xml).ok());
}

// A signed Response around a signed Assertion (as many IdPs send): the outer signature covers the
// inner one, and the inner element alone is not what may be trusted while another signature
// sits outside it.
TEST(XmlSignatureTest, NestedSignatureIsCoveredButOneOutsideTheElementIsRefused) {
  std::string inner = Signed();
  auto doc = XmlDocument::Parse(
      R"(<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" )"
      R"(xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" )"
      R"(IssueInstant="2026-12-05T10:00:00Z"><saml:Issuer>https://idp.example</saml:Issuer>)" +
      inner + "</samlp:Response>");
  ASSERT_TRUE(doc.ok());
  auto* root = doc->root();
  ASSERT_TRUE(SignEnveloped(*doc, root, Elements(root, kSamlAssertionNs, "Issuer").at(0),
                            Idp().private_pem, Idp().certificate_pem)
                  .ok());
  auto reparsed = XmlDocument::Parse(doc->Serialize());
  ASSERT_TRUE(reparsed.ok());
  std::vector<std::string> certs{Idp().certificate_pem};
  EXPECT_TRUE(VerifyEnveloped(*reparsed, reparsed->root(), certs).ok());
  auto* nested = Elements(reparsed->root(), kSamlProtocolNs, "LogoutRequest").at(0);
  EXPECT_FALSE(VerifyEnveloped(*reparsed, nested, certs).ok());
}

TEST(XmlSignatureTest, ReferenceToAnotherElementFails) {
  std::string xml = Signed();
  Replace(xml, "URI=\"#_m1\"", "URI=\"\"");
  EXPECT_FALSE(Verify(xml).ok());
}

TEST(XmlSignatureTest, CommentInsideSignedTextStillVerifiesSoTextMustBeReadStrictly) {
  // Exclusive c14n drops comments: the signature holds, which is why NameID is read with SoleText.
  std::string xml = Signed();
  Replace(xml, ">alice<", ">ali<!---->ce<");
  EXPECT_TRUE(Verify(xml).ok());
  auto doc = XmlDocument::Parse(xml);
  EXPECT_EQ(SoleText(Elements(doc->root(), kSamlAssertionNs, "NameID").at(0)), std::nullopt);
}

}  // namespace
}  // namespace gh::xml
