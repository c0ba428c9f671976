// The cost of a SAML message Gatehouse signs, in-process, beside the RSA-2048 signature it cannot
// avoid: an SSO Response (build the assertion, sign it with xmlsec1, serialise, base64 for the
// HTTP-POST form) and a SOAP LogoutRequest (build, sign, serialise, wrap). What is above the bare
// signature is the XML work; bench/saml_load.mjs measures the same over HTTP.
#include <benchmark/benchmark.h>

#include <stdexcept>
#include <string>

#include "crypto/certificate.h"
#include "crypto/signing_key.h"
#include "saml/bindings.h"
#include "saml/messages.h"
#include "saml/vocabulary.h"
#include "xml/signature.h"

namespace gh::saml {
namespace {

template <class T>
T OrDie(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().message);
  return *std::move(result);
}

struct Credential {
  crypto::SigningKey key = OrDie(crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "idp"));
  xml::SigningCredential xml = OrDie(xml::SigningCredential::Load(
      key.PrivatePem(),
      OrDie(crypto::SelfSignedCertificate(key, "idp", FromUnixSeconds(1'577'836'800))).Pem()));
};

const Credential& Idp() {
  static const Credential credential;
  return credential;
}

const store::SamlSubject kSubject{
    "q8Xv0Jt3m1ZkH2fYpL6sNcRwE4uA9dBg", std::string(kNameIdPersistent),
    "https://id.example/saml/metadata", "https://wiki.example/saml/metadata",
    "_a1b2c3d4e5f6a7b8c9d0e1f2"};

// The ceiling: one RSA-2048 PKCS#1 v1.5 SHA-256 signature over a short input.
void BM_RsaSha256Sign(benchmark::State& state) {
  const std::string input(64, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(OrDie(Idp().key.Sign(input)));
}
BENCHMARK(BM_RsaSha256Sign);

// What /saml/sso pays per Response beyond the session lookup: build, sign, serialise, encode.
void BM_SsoResponse(benchmark::State& state) {
  const auto now = FromUnixSeconds(1'796'000'000);
  AssertionContent content{"https://id.example/saml/metadata",
                           "https://wiki.example/saml/metadata",
                           "https://wiki.example/saml/acs",
                           "_req0123456789",
                           kSubject,
                           now,
                           now,
                           Seconds(300),
                           now + Seconds(8 * 3600),
                           "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                           {{"email", "alice@example.com"}, {"name", "Alice Example"}}};
  for (auto _ : state) {
    auto built = BuildResponse("_resp", "_assertion", content.recipient, content);
    if (!Idp().xml.SignEnveloped(built.doc, built.assertion, built.assertion_issuer).ok())
      state.SkipWithError("signing failed");
    benchmark::DoNotOptimize(EncodePost(false, built.doc.Serialize(), "relay"));
  }
}
BENCHMARK(BM_SsoResponse);

// What each SOAP delivery from the outbox pays before it is sent: build, sign, wrap.
void BM_SoapLogoutRequest(benchmark::State& state) {
  const auto now = FromUnixSeconds(1'796'000'000);
  for (auto _ : state) {
    auto built = BuildLogoutRequest("_logout", "https://id.example/saml/metadata",
                                    "https://wiki.example/saml/soap", now, now + Seconds(600),
                                    kSubject, "urn:oasis:names:tc:SAML:2.0:logout:admin");
    if (!Idp().xml.SignEnveloped(built.doc, built.root, built.issuer).ok())
      state.SkipWithError("signing failed");
    benchmark::DoNotOptimize(WrapInSoapEnvelope(built.doc.Serialize()));
  }
}
BENCHMARK(BM_SoapLogoutRequest);

}  // namespace
}  // namespace gh::saml
