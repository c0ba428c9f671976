// Federation with a SAML 2.0 upstream (FakeIdp), Gatehouse as its service provider: the signed
// AuthnRequest and the Response it answers, the sign-out round trip with a signed LogoutRequest
// and the LogoutResponse that comes back, and the LogoutRequests the upstream starts.
#include <regex>

#include "federation/federation_test_fixture.h"
#include "saml/bindings.h"
#include "saml/fake_idp_test_support.h"

namespace gh::federation {
namespace {

using saml::testing::FakeIdp;
using saml::testing::SignWhat;

constexpr char kSpEntity[] = "https://gatehouse.example/upstream/corp/saml";
constexpr char kAcs[] = "https://gatehouse.example/upstream/corp/saml/acs";
constexpr char kSlo[] = "https://gatehouse.example/upstream/corp/saml/slo";

const FakeIdp& Idp() {
  static const FakeIdp idp(FromUnixSeconds(1'700'000'000));
  return idp;
}

UpstreamSettings SamlCorporate() {
  UpstreamSettings u;
  u.id = "corp";
  u.display_name = "Corporate SSO";
  u.protocol = Protocol::kSaml;
  u.saml_idp = *saml::ParseIdpMetadata(Idp().Metadata());
  u.issuer = Idp().entity_id;
  u.username_claim = "uid";
  u.email_claim = "mail";
  u.link_by = UpstreamSettings::LinkBy::kEmail;
  return u;
}

store::SamlSubject Alice(std::string session_index = "_idp-session-1") {
  return {"alice-at-corp", std::string(saml::kNameIdPersistent), Idp().entity_id, kSpEntity,
          std::move(session_index)};
}

class SamlFederationTest : public FederationTest {
 protected:
  SamlFederationTest() : FederationTest(SamlCorporate()) {}

  // A message Gatehouse sent the browser off with, read back as the IdP reads it.
  saml::InboundMessage Sent(const http::Response& response, std::string_view endpoint) {
    auto location = response.headers.Get("Location").value_or("");
    EXPECT_TRUE(location.starts_with(std::string(endpoint) + "?")) << location;
    auto message = saml::DecodeRedirect(location.substr(location.find('?') + 1));
    EXPECT_TRUE(message.ok());
    // Signed in the query with the key ring's SAML key, as our metadata announces.
    auto credential = saml_signer_.Current();
    auto certificate = crypto::Certificate::FromBase64Der((*credential)->certificate_base64);
    std::vector<crypto::Certificate> certificates{*certificate};
    EXPECT_TRUE(message->redirect_signature &&
                message->redirect_signature->VerifiedBy(certificates));
    return *message;
  }

  static std::string RequestId(const saml::InboundMessage& message) {
    std::smatch id;
    EXPECT_TRUE(std::regex_search(message.xml, id, std::regex(" ID=\"([^\"]+)\"")));
    return id[1];
  }

  struct StartedSignIn {
    std::string request_id;
    std::string relay_state;
    std::string binding;
  };
  StartedSignIn StartSignIn() {
    auto response = Dispatch(Get("/upstream/corp/start?return_to=%2Fauthorize%3Fclient_id%3Dmail"));
    EXPECT_EQ(response.status, 302);
    auto request = Sent(response, Idp().sso_url);
    return {RequestId(request), request.relay_state.value_or(""),
            SetCookie(response, "gh_upstream").value_or("")};
  }

  std::string ResponseFor(const StartedSignIn& started, store::SamlSubject subject = Alice(),
                          SignWhat sign = SignWhat::kAssertion) {
    auto content =
        Idp().Content(started.request_id, kSpEntity, kAcs, std::move(subject), clock_.Now());
    content.attributes = {{"mail", "alice@example.com"}, {"uid", "alice"}};
    return Idp().Response(content, sign);
  }

  http::Response PostToAcs(const StartedSignIn& started, const std::string& response_xml,
                           bool with_cookie = true) {
    return Dispatch(PostForm("/upstream/corp/saml/acs",
                             saml::EncodePost(false, response_xml, started.relay_state).Encode(),
                             with_cookie ? "gh_upstream=" + started.binding : ""));
  }

  // A complete sign-in through the IdP, in which Mail and Docs then took part; the IdP session
  // cookie.
  std::string SignInSaml(store::SamlSubject subject = Alice()) {
    auto started = StartSignIn();
    auto response = PostToAcs(started, ResponseFor(started, std::move(subject)));
    EXPECT_EQ(response.status, 303) << response.body;
    auto cookie = SetCookie(response, session::kSessionCookieName).value_or("");
    auto session = sessions_.Resolve(cookie);
    EXPECT_TRUE(session.ok() && *session);
    if (!session.ok() || !*session) return cookie;
    sid_ = (*session)->sid;
    for (const char* app : {"mail", "docs"})
      EXPECT_TRUE(sessions_.AddParticipant(*store_, sid_, app, "oidc").ok());
    return cookie;
  }

  // Our sign-out, through to the step towards the upstream.
  http::Request SignOutStep(const std::string& cookie) {
    auto first = SignOutHere(cookie);
    std::smatch step;
    EXPECT_TRUE(
        std::regex_search(first.body, step, std::regex("/upstream/sign-out\\?state=[^\"]+")));
    return Get(std::regex_replace(step.str(), std::regex("&amp;"), "&"));
  }

  // ... and the browser's arrival at the IdP with our LogoutRequest.
  saml::InboundMessage SignOutToIdp(const std::string& cookie) {
    auto go = Dispatch(SignOutStep(cookie));
    EXPECT_EQ(go.status, 302) << go.body;
    return Sent(go, Idp().slo_url);
  }

  std::string LogoutResponse(const saml::InboundMessage& request, std::string_view status,
                             bool sign = true) {
    return Idp().Signed(saml::BuildLogoutResponse("_lr-" + RequestId(request), Idp().entity_id,
                                                  kSlo, RequestId(request), clock_.Now(), status),
                        sign);
  }

  http::Response BackAtSlo(const std::string& xml, const std::optional<std::string>& relay_state) {
    return Dispatch(
        PostForm("/upstream/corp/saml/slo", saml::EncodePost(false, xml, relay_state).Encode()));
  }

  std::string LogoutRequestFromIdp(const std::string& id, store::SamlSubject subject,
                                   bool sign = true) {
    return Idp().Signed(saml::BuildLogoutRequest(id, Idp().entity_id, kSlo, clock_.Now(),
                                                 clock_.Now() + Seconds(300), subject,
                                                 "urn:oasis:names:tc:SAML:2.0:logout:user"),
                        sign);
  }

  http::Response Soap(const std::string& message_xml) {
    auto request = PostForm("/upstream/corp/saml/slo", saml::WrapInSoapEnvelope(message_xml));
    request.headers.Set("Content-Type", "text/xml; charset=utf-8");
    return Dispatch(request);
  }
};

// ---- Sign-in

TEST_F(SamlFederationTest, PublishesItsServiceProviderMetadata) {
  auto metadata = Dispatch(Get("/upstream/corp/saml"));
  ASSERT_EQ(metadata.status, 200);
  auto parsed = saml::ParseSpMetadata(metadata.body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->entity_id, kSpEntity);
  EXPECT_TRUE(parsed->authn_requests_signed);
  EXPECT_EQ(parsed->assertion_consumer_services.at(0).location, kAcs);
  EXPECT_EQ(parsed->assertion_consumer_services.at(0).binding, saml::kBindingPost);
  for (auto binding : {saml::kBindingRedirect, saml::kBindingPost, saml::kBindingSoap})
    EXPECT_EQ(parsed->SingleLogout(binding)->location, kSlo);
  EXPECT_EQ(parsed->signing_certificates.size(), 1u);
}

TEST_F(SamlFederationTest, SignsInWithASignedAuthnRequestAndRecordsTheExactNameId) {
  auto started = StartSignIn();
  auto response = PostToAcs(started, ResponseFor(started));
  ASSERT_EQ(response.status, 303) << response.body;
  EXPECT_EQ(response.headers.Get("Location"), "/authorize?client_id=mail");
  auto session = sessions_.Resolve(SetCookie(response, session::kSessionCookieName).value_or(""));
  ASSERT_TRUE(session.ok() && *session);
  EXPECT_EQ((*session)->user_id, "u-alice");  // linked by the email attribute
  EXPECT_EQ((*session)->method.idp, "corp");
  EXPECT_EQ((*session)->method.acr, saml::kAuthnContextPassword);
  EXPECT_EQ((*session)->method.amr, std::vector<std::string>{"pwd"});
  auto link = *store_->FindUpstreamLink((*session)->sid);
  ASSERT_TRUE(link && link->saml);
  EXPECT_EQ(*link->saml, Alice());
  EXPECT_EQ(link->session_id, "_idp-session-1");
}

TEST_F(SamlFederationTest, AFreshSignInDemandBecomesForceAuthn) {
  auto response = Dispatch(Get("/upstream/corp/start?return_to=%2F&prompt=login"));
  EXPECT_NE(Sent(response, Idp().sso_url).xml.find("ForceAuthn=\"true\""), std::string::npos);
}

TEST_F(SamlFederationTest, TheCrossSitePostIsBouncedOnceToBringTheBindingCookie) {
  auto started = StartSignIn();
  std::string xml = ResponseFor(started);
  auto bounce = PostToAcs(started, xml, /*with_cookie=*/false);
  ASSERT_EQ(bounce.status, 200);
  EXPECT_NE(bounce.body.find("action=\"" + std::string(kAcs) + "\""), std::string::npos);
  EXPECT_NE(bounce.body.find("gh_bounced"), std::string::npos);
  // A bounced post still without the cookie came from another browser: login CSRF.
  auto form = saml::EncodePost(false, xml, started.relay_state);
  form.Add("gh_bounced", "1");
  auto refused = Dispatch(PostForm("/upstream/corp/saml/acs", form.Encode()));
  EXPECT_EQ(refused.status, 400);
  EXPECT_FALSE(SetCookie(refused, session::kSessionCookieName));
}

TEST_F(SamlFederationTest, RefusesReplayedUnsolicitedAndForgedResponses) {
  auto started = StartSignIn();
  std::string xml = ResponseFor(started);
  ASSERT_EQ(PostToAcs(started, xml).status, 303);
  EXPECT_EQ(PostToAcs(started, xml).status, 400);  // the round trip is single-use

  auto unsolicited = StartSignIn();
  unsolicited.relay_state.clear();
  EXPECT_EQ(
      Dispatch(PostForm("/upstream/corp/saml/acs",
                        saml::EncodePost(false, ResponseFor(unsolicited), std::nullopt).Encode(),
                        "gh_upstream=" + unsolicited.binding))
          .status,
      400);

  auto unsigned_one = StartSignIn();
  EXPECT_EQ(PostToAcs(unsigned_one, ResponseFor(unsigned_one, Alice(), SignWhat::kNothing)).status,
            400);

  // An answer to another request of ours (InResponseTo) is not this round trip's.
  auto first = StartSignIn();
  auto second = StartSignIn();
  EXPECT_EQ(PostToAcs(second, ResponseFor(first)).status, 400);
}

TEST_F(SamlFederationTest, AFailureStatusIsShownAndSignsNobodyIn) {
  auto started = StartSignIn();
  auto failed = Idp().Signed(saml::BuildStatusResponse(
      "_f1", Idp().entity_id, kAcs, started.request_id, clock_.Now(), saml::kStatusResponder,
      "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"));
  auto page = PostToAcs(started, failed);
  EXPECT_EQ(page.status, 403);
  EXPECT_NE(page.body.find("Corporate SSO did not sign you in"), std::string::npos);
}

// ---- Sign-out, downstream first, then upstream, then back

TEST_F(SamlFederationTest, SignOutSendsASignedLogoutRequestAndFinishesOnTheResponse) {
  std::string cookie = SignInSaml();
  auto request = SignOutToIdp(cookie);
  // Our sign-out is complete before the browser leaves.
  EXPECT_FALSE(Active(sid_));
  ASSERT_EQ(store_->ListNotifications(sid_, 10)->size(), 1u);
  auto xml = xml::XmlDocument::Parse(request.xml);
  auto logout = saml::ParseLogoutRequest(xml->root());
  ASSERT_TRUE(logout.ok()) << logout.error().message;
  EXPECT_EQ(logout->header.issuer, kSpEntity);
  EXPECT_EQ(logout->header.destination, Idp().slo_url);
  EXPECT_EQ(logout->name_id.value, "alice-at-corp");
  EXPECT_EQ(logout->name_id.format, saml::kNameIdPersistent);
  EXPECT_EQ(logout->name_id.name_qualifier, Idp().entity_id);
  EXPECT_EQ(logout->name_id.sp_name_qualifier, kSpEntity);
  EXPECT_EQ(logout->session_indexes, std::vector<std::string>{"_idp-session-1"});

  auto back = BackAtSlo(LogoutResponse(request, saml::kStatusSuccess), request.relay_state);
  EXPECT_EQ(back.status, 303) << back.body;
  EXPECT_EQ(back.headers.Get("Location"), kContinue);
  // Single use: the same answer again confirms nothing.
  auto replay = BackAtSlo(LogoutResponse(request, saml::kStatusSuccess), request.relay_state);
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find("could not be confirmed"), std::string::npos);
  auto types = EventTypes();
  EXPECT_NE(std::find(types.begin(), types.end(), "upstream.logout_confirmed"), types.end());
}

// Each broken answer ends on a page that says the upstream sign-out is unconfirmed, still offers
// the application's post-logout address, and leaves our own sign-out done.
TEST_F(SamlFederationTest, AnUnsignedFailedOrMisdirectedLogoutResponseIsNotAConfirmation) {
  struct Case {
    const char* what;  // also the upstream SessionIndex, so an XML ID
    std::function<std::string(const saml::InboundMessage&)> answer;
  };
  std::vector<Case> cases = {
      {"unsigned",
       [&](const auto& r) { return LogoutResponse(r, saml::kStatusSuccess, /*sign=*/false); }},
      {"failure-status", [&](const auto& r) { return LogoutResponse(r, saml::kStatusResponder); }},
      {"another-request",
       [&](const auto&) {
         return Idp().Signed(saml::BuildLogoutResponse("_x", Idp().entity_id, kSlo, "_other",
                                                       clock_.Now(), saml::kStatusSuccess));
       }},
      {"another-destination",
       [&](const auto& r) {
         return Idp().Signed(
             saml::BuildLogoutResponse("_y", Idp().entity_id, "https://elsewhere.example/slo",
                                       RequestId(r), clock_.Now(), saml::kStatusSuccess));
       }},
  };
  for (const auto& c : cases) {
    std::string cookie = SignInSaml(Alice(std::string("_s-") + c.what));
    auto request = SignOutToIdp(cookie);
    auto page = BackAtSlo(c.answer(request), request.relay_state);
    EXPECT_EQ(page.status, 200) << c.what;
    EXPECT_NE(page.body.find("could not be confirmed"), std::string::npos) << c.what;
    EXPECT_NE(page.body.find("https://mail.example/bye?state=s1"), std::string::npos) << c.what;
    EXPECT_FALSE(Active(sid_)) << c.what;
  }
}

TEST_F(SamlFederationTest, AWrongOrMissingRelayStateIsNotAConfirmation) {
  std::string cookie = SignInSaml();
  auto request = SignOutToIdp(cookie);
  auto answer = LogoutResponse(request, saml::kStatusSuccess);
  for (const std::optional<std::string>& relay :
       {std::optional<std::string>("forged"), std::optional<std::string>()}) {
    auto page = BackAtSlo(answer, relay);
    EXPECT_EQ(page.status, 400);
    EXPECT_NE(page.body.find("could not be confirmed"), std::string::npos);
  }
  EXPECT_FALSE(Active(sid_));
}

TEST_F(SamlFederationTest, AnUpstreamThatIsDownGetsAClearPageAndOurSignOutStands) {
  std::string cookie = SignInSaml();
  op_.other_status = 503;  // the IdP's SLO endpoint, probed before the browser is sent there
  auto page = Dispatch(SignOutStep(cookie));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("could not be confirmed"), std::string::npos);
  EXPECT_NE(page.body.find("cannot be reached"), std::string::npos);
  EXPECT_NE(page.body.find("https://mail.example/bye?state=s1"), std::string::npos);
  EXPECT_FALSE(Active(sid_));
}

// ---- Sign-outs the upstream starts

TEST_F(SamlFederationTest, ASoapLogoutRequestEndsThatSessionAndNotifiesOurApps) {
  SignInSaml();
  auto answer = Soap(LogoutRequestFromIdp("_idp-lr-1", Alice()));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_NE(answer.body.find(saml::kStatusSuccess), std::string::npos);
  EXPECT_NE(answer.body.find("InResponseTo=\"_idp-lr-1\""), std::string::npos);
  EXPECT_NE(answer.body.find("<ds:Signature"), std::string::npos);
  EXPECT_FALSE(Active(sid_));
  EXPECT_EQ((*store_->FindSessionBySid(sid_))->end_cause, "upstream_logout");
  ASSERT_EQ(store_->ListNotifications(sid_, 10)->size(), 1u);  // Mail, over the back channel
  // Replayed: refused, whatever it names.
  EXPECT_EQ(Soap(LogoutRequestFromIdp("_idp-lr-1", Alice())).status, 400);
}

TEST_F(SamlFederationTest, AnUnsignedOrMismatchedLogoutRequestEndsNothing) {
  SignInSaml();
  EXPECT_EQ(Soap(LogoutRequestFromIdp("_u1", Alice(), /*sign=*/false)).status, 403);
  EXPECT_TRUE(Active(sid_));
  auto other_format = Alice();
  other_format.format = std::string(saml::kNameIdEmail);
  auto answer = Soap(LogoutRequestFromIdp("_u2", other_format));
  EXPECT_NE(answer.body.find(saml::kStatusUnknownPrincipal), std::string::npos);
  EXPECT_NE(Soap(LogoutRequestFromIdp("_u3", Alice("_another-session")))
                .body.find(saml::kStatusUnknownPrincipal),
            std::string::npos);
  EXPECT_TRUE(Active(sid_));
  clock_.Advance(Seconds(3600));  // too old to be taken for a current request
  EXPECT_EQ(Soap(Idp().Signed(saml::BuildLogoutRequest(
                     "_u4", Idp().entity_id, kSlo, clock_.Now() - Seconds(3600),
                     clock_.Now() + Seconds(60), Alice(), "user")))
                .status,
            400);
}

TEST_F(SamlFederationTest, ABrowserLogoutRequestRunsOurFrontChannelAndAnswersWithoutComingBack) {
  std::string cookie = SignInSaml();
  auto page = Dispatch(PostForm(
      "/upstream/corp/saml/slo",
      saml::EncodePost(true, LogoutRequestFromIdp("_idp-lr-9", Alice()), "idp-relay").Encode(),
      "gh_session=" + cookie));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_FALSE(Active(sid_));
  EXPECT_NE(page.body.find("https://docs.example/fc"), std::string::npos);  // Docs' iframe
  // Then on to the IdP with its answer — and never a LogoutRequest of ours back to it.
  EXPECT_NE(page.body.find(Idp().slo_url + "?SAMLResponse="), std::string::npos);
  EXPECT_EQ(page.body.find("/upstream/sign-out"), std::string::npos);
  EXPECT_EQ(SetCookie(page, session::kSessionCookieName), "");
}

TEST_F(SamlFederationTest, InTheIdpsFrameItRunsOurFrontChannelThereAndNothingElse) {
  SignInSaml();
  auto form = PostForm(
      "/upstream/corp/saml/slo",
      saml::EncodePost(true, LogoutRequestFromIdp("_idp-lr-f", Alice()), std::nullopt).Encode());
  form.headers.Set("Sec-Fetch-Dest", "iframe");
  auto page = Dispatch(form);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_FALSE(Active(sid_));
  EXPECT_NE(page.body.find("https://docs.example/fc"), std::string::npos);
  EXPECT_NE(page.headers.Get("Content-Security-Policy")
                .value_or("")
                .find("frame-ancestors https://upstream.example"),
            std::string::npos);
  EXPECT_EQ(page.body.find("SAMLResponse"), std::string::npos);
}

}  // namespace
}  // namespace gh::federation
