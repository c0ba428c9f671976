#include "saml/bindings.h"

#include <gtest/gtest.h>

#include "core/base64url.h"
#include "saml/vocabulary.h"

namespace gh::saml {
namespace {

struct Keys {
  crypto::SigningKey key;
  crypto::Certificate certificate;
};

const Keys& SpKeys() {
  static const Keys k = [] {
    auto key = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "sp");
    auto cert = *crypto::SelfSignedCertificate(key, "sp", FromUnixSeconds(1'700'000'000));
    return Keys{key, cert};
  }();
  return k;
}

std::string QueryOf(const std::string& url) { return url.substr(url.find('?') + 1); }

// Base64 as a query value: '+', '/' and '=' percent-encoded.
std::string QueryValue(const std::string& base64) {
  std::string out;
  for (char c : base64)
    out += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
  return out;
}

TEST(RedirectBindingTest, SignedMessageRoundTripsAndVerifies) {
  auto url = EncodeRedirect("https://idp.example/saml/slo", true, "<x>message</x>",
                            std::string("state 1/2"), SpKeys().key);
  ASSERT_TRUE(url.ok());
  auto m = DecodeRedirect(QueryOf(*url));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_TRUE(m->is_request);
  EXPECT_EQ(m->xml, "<x>message</x>");
  EXPECT_EQ(m->relay_state, "state 1/2");
  ASSERT_TRUE(m->redirect_signature.has_value());
  EXPECT_TRUE(m->redirect_signature->VerifiedBy(std::span(&SpKeys().certificate, 1)));
}

TEST(RedirectBindingTest, SignatureIsCheckedOverTheOctetsAsReceived) {
  // Entra ID percent-encodes with lower-case hex; re-encoding before verifying would change the
  // signed octets and fail (pysaml2#957).
  auto lower = [](std::string s) {
    for (std::size_t i = 0; i + 2 < s.size(); ++i)
      if (s[i] == '%')
        s[i + 1] = static_cast<char>(std::tolower(s[i + 1])),
              s[i + 2] = static_cast<char>(std::tolower(s[i + 2]));
    return s;
  };
  std::string payload = "SAMLRequest=" + lower(QueryValue(Base64Encode(Deflate("<x/>")))) +
                        "&RelayState=a%2fb&SigAlg=http%3a%2f%2fwww.w3.org%2f2001%2f04%2fxmldsig-"
                        "more%23rsa-sha256";
  auto signature = *SpKeys().key.Sign(payload);
  auto m = DecodeRedirect(payload + "&Signature=" + lower(QueryValue(Base64Encode(signature))));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->relay_state, "a/b");
  EXPECT_EQ(m->xml, "<x/>");
  EXPECT_TRUE(m->redirect_signature->VerifiedBy(std::span(&SpKeys().certificate, 1)));
}

TEST(RedirectBindingTest, TamperedRelayStateFailsVerification) {
  auto url =
      *EncodeRedirect("https://idp.example/slo", true, "<x/>", std::string("abc"), SpKeys().key);
  auto query = QueryOf(url);
  query.replace(query.find("RelayState=abc"), 14, "RelayState=abd");
  auto m = DecodeRedirect(query);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->redirect_signature->VerifiedBy(std::span(&SpKeys().certificate, 1)));
}

TEST(RedirectBindingTest, RefusesMalformedQueries) {
  std::string msg = "SAMLRequest=" + QueryValue(Base64Encode(Deflate("<x/>")));
  EXPECT_FALSE(DecodeRedirect("").ok());
  EXPECT_FALSE(DecodeRedirect(msg + "&" + msg).ok());            // repeated
  EXPECT_FALSE(DecodeRedirect(msg + "&SAMLResponse=abc").ok());  // both
  EXPECT_FALSE(DecodeRedirect(msg + "&Signature=abc").ok());     // no SigAlg
  EXPECT_FALSE(DecodeRedirect(msg + "&SAMLEncoding=urn:other").ok());
  EXPECT_FALSE(DecodeRedirect(msg + "&RelayState=a%0Ab").ok());                     // control char
  EXPECT_FALSE(DecodeRedirect(msg + "&RelayState=" + std::string(600, 'a')).ok());  // too long
  EXPECT_FALSE(DecodeRedirect("SAMLRequest=%%%").ok());
  EXPECT_FALSE(DecodeRedirect("SAMLRequest=" + Base64Encode("not deflate")).ok());
}

TEST(RedirectBindingTest, RefusesADeflateBomb) {
  std::string bomb = Deflate(std::string(50 * 1024 * 1024, 'a'));
  EXPECT_LT(bomb.size(), 100 * 1024u);
  auto m = DecodeRedirect("SAMLRequest=" + QueryValue(Base64Encode(bomb)));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("size limit"), std::string::npos);
}

TEST(PostBindingTest, DecodesAndKeepsRelayStateExactly) {
  Params form{{"SAMLResponse", Base64Encode("<r/>")}, {"RelayState", " keep me "}};
  auto m = DecodePost(form);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->is_request);
  EXPECT_EQ(m->xml, "<r/>");
  EXPECT_EQ(m->relay_state, " keep me ");
  EXPECT_FALSE(DecodePost(Params{{"SAMLRequest", "!!"}}).ok());
  EXPECT_FALSE(DecodePost(Params{{"SAMLRequest", "YQ=="}, {"SAMLRequest", "YQ=="}}).ok());
  EXPECT_FALSE(DecodePost(Params{{"RelayState", "x"}}).ok());
}

TEST(PostBindingTest, EncodesBase64WithoutDeflate) {
  auto fields = EncodePost(true, "<q/>", std::string("rs"));
  EXPECT_EQ(fields.Get("SAMLRequest"), Base64Encode("<q/>"));
  EXPECT_EQ(fields.Get("RelayState"), "rs");
}

}  // namespace
}  // namespace gh::saml
