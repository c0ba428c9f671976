// Federation through the Router, with FakeOp as the upstream OpenID Provider: signing in through
// it, the sign-out round trip to it and back, and the sign-outs it starts.
#include <regex>

#include "federation/federation_test_fixture.h"

namespace gh::federation {
namespace {

// ---- Sign-in

TEST_F(FederationTest, SignsInWithCodePkceStateAndNonceAndRecordsTheUpstreamSession) {
  Started started = Start();
  const auto& a = started.authorize;
  EXPECT_EQ(a.Get("redirect_uri"), "https://gatehouse.example/upstream/corp/callback");
  EXPECT_EQ(a.Get("code_challenge_method"), "S256");
  EXPECT_EQ(a.Get("response_type"), "code");
  ASSERT_TRUE(a.Get("state") && a.Get("nonce") && a.Get("code_challenge"));

  json claims = IdTokenClaims(clock_.Now(), *a.Get("nonce"), "alice-upstream", "up-sid-1");
  claims["email"] = "alice@example.com";
  claims["email_verified"] = true;
  claims["amr"] = {"hwk"};
  UpstreamIssues(claims);
  auto response = Callback(started);
  ASSERT_EQ(response.status, 303) << response.body;
  EXPECT_EQ(response.headers.Get("Location"), "/authorize?client_id=mail");

  // The code went back with the verifier of the challenge sent.
  auto token_call = std::find_if(op_.requests.begin(), op_.requests.end(),
                                 [](const auto& r) { return r.url == rp::testing::kTokenUrl; });
  ASSERT_NE(token_call, op_.requests.end());
  auto verifier = Params::Parse(token_call->body)->Get("code_verifier");
  ASSERT_TRUE(verifier);
  EXPECT_EQ(oidc::S256Challenge(*verifier), a.Get("code_challenge"));

  auto session = *sessions_.Resolve(*SetCookie(response, session::kSessionCookieName));
  ASSERT_TRUE(session);
  EXPECT_EQ(session->user_id, "u-alice");  // linked by the verified email
  EXPECT_EQ(session->method, (store::SignInMethod{.idp = "corp", .amr = {"hwk"}, .acr = ""}));
  auto link = *store_->FindUpstreamLink(session->sid);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->upstream, "corp");
  EXPECT_EQ(link->subject, "alice-upstream");
  EXPECT_EQ(link->session_id, "up-sid-1");
  EXPECT_EQ(link->id_token, op_.token_response["id_token"]);
  // Linked once: the next sign-in finds alice by the upstream subject, whatever the email says.
  EXPECT_EQ((*store_->FindFederatedIdentity("corp", "alice-upstream"))->user_id, "u-alice");
}

TEST_F(FederationTest, PassesTheApplicationsDemandsOnToTheUpstream) {
  auto response = Dispatch(Get("/upstream/corp/start?return_to=%2F&prompt=login&max_age=30"));
  auto authorize = QueryOf(response.headers.Get("Location").value_or(""));
  EXPECT_EQ(authorize.Get("prompt"), "login");
  EXPECT_EQ(authorize.Get("max_age"), "30");
  auto plain = QueryOf(Dispatch(Get("/upstream/corp/start?return_to=%2F&max_age=x"))
                           .headers.Get("Location")
                           .value_or(""));
  EXPECT_FALSE(plain.Get("prompt") || plain.Get("max_age"));
}

TEST_F(FederationTest, ReturnToIsALocalPathOnly) {
  Started started = Start("https://evil.example/");
  UpstreamIssues(IdTokenClaims(clock_.Now(), *started.authorize.Get("nonce")));
  store::UserRecord linked{"u-bob", "bob", "", "Bob", "", clock_.Now()};
  ASSERT_TRUE(store_->PutUser(linked).ok());
  ASSERT_TRUE(store_->PutFederatedIdentity({"corp", "alice", "u-bob", clock_.Now()}).ok());
  EXPECT_EQ(Callback(started).headers.Get("Location"), "/");
}

TEST_F(FederationTest, RefusesAReplayedStateAnotherBrowserAndAnotherIssuer) {
  Started started = Start();
  json claims = IdTokenClaims(clock_.Now(), *started.authorize.Get("nonce"));
  ASSERT_TRUE(store_->PutFederatedIdentity({"corp", "alice", "u-alice", clock_.Now()}).ok());
  UpstreamIssues(claims);
  // Another browser: no binding cookie (login CSRF).
  Started stolen = started;
  stolen.binding = "x";
  EXPECT_EQ(Callback(stolen).status, 400);
  // The state was spent by that attempt: even the right browser cannot use it again.
  EXPECT_EQ(Callback(started).status, 400);

  Started again = Start();
  UpstreamIssues(IdTokenClaims(clock_.Now(), *again.authorize.Get("nonce")));
  EXPECT_EQ(Callback(again, "&code=c1&iss=https%3A%2F%2Fevil.example").status, 400);  // RFC 9207
  Started fine = Start();
  UpstreamIssues(IdTokenClaims(clock_.Now(), *fine.authorize.Get("nonce")));
  EXPECT_EQ(Callback(fine).status, 303);
  EXPECT_EQ(Callback(fine).status, 400);  // replayed
}

TEST_F(FederationTest, RefusesAnIdTokenForAnotherNonce) {
  Started started = Start();
  ASSERT_TRUE(store_->PutFederatedIdentity({"corp", "alice", "u-alice", clock_.Now()}).ok());
  UpstreamIssues(IdTokenClaims(clock_.Now(), "another nonce"));
  EXPECT_EQ(Callback(started).status, 400);
}

TEST_F(FederationTest, AnUpstreamErrorIsShownAndSignsNobodyIn) {
  Started started = Start();
  auto response = Callback(started, "&error=access_denied&iss=https%3A%2F%2Fid.example");
  EXPECT_EQ(response.status, 403);
  EXPECT_FALSE(SetCookie(response, session::kSessionCookieName));
}

TEST_F(FederationTest, UnknownPeopleAreRefusedUnlessProvisioned) {
  Started started = Start();
  json claims = IdTokenClaims(clock_.Now(), *started.authorize.Get("nonce"), "carol");
  claims["email"] = "carol@example.com";
  claims["email_verified"] = true;
  UpstreamIssues(claims);
  auto response = Callback(started);
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(response.body.find("no account here"), std::string::npos);
}

// ---- Sign-out: downstream, then upstream, then back

TEST_F(FederationTest, SignOutGoesUpstreamAndBackToTheApplication) {
  std::string cookie = SignIn();
  auto first = SignOutHere(cookie);
  // Docs' front-channel iframe runs first; the page then continues to the upstream step.
  ASSERT_EQ(first.status, 200);
  std::smatch step;
  ASSERT_TRUE(std::regex_search(first.body, step, std::regex("/upstream/sign-out\\?state=[^\"]+")));
  EXPECT_EQ(SetCookie(first, session::kSessionCookieName), "");  // our own sign-out is done

  auto go = Dispatch(Get(std::regex_replace(step.str(), std::regex("&amp;"), "&")));
  ASSERT_EQ(go.status, 303) << go.body;
  auto logout_url = go.headers.Get("Location").value_or("");
  ASSERT_TRUE(logout_url.starts_with("https://id.example/logout?")) << logout_url;
  auto q = QueryOf(logout_url);
  EXPECT_EQ(q.Get("post_logout_redirect_uri"),
            "https://gatehouse.example/upstream/corp/signed-out");
  EXPECT_EQ(q.Get("id_token_hint"), (*store_->FindUpstreamLink(sid_))->id_token);
  // Everything of ours is done before the browser leaves: were the upstream never to send it
  // back, the session is ended and Mail's notification is in the outbox.
  EXPECT_FALSE(Active(sid_));
  auto outbox = *store_->ListNotifications(sid_, 10);
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].client_id, "mail");

  auto back = Dispatch(Get(Back(logout_url)));
  EXPECT_EQ(back.status, 303);
  EXPECT_EQ(back.headers.Get("Location"), kContinue);
  // Single use: a replayed return confirms nothing.
  auto replay = Dispatch(Get(Back(logout_url)));
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find("could not be confirmed"), std::string::npos);
  auto types = EventTypes();
  EXPECT_NE(std::find(types.begin(), types.end(), "upstream.logout_redirected"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "upstream.logout_confirmed"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "upstream.logout_failed"), types.end());
}

TEST_F(FederationTest, OnlyThisBrowsersOwnSessionIsTakenUpstream) {
  std::string cookie = SignIn();
  auto ending = sessions_.End(sid_, session::EndCause::kUserLogoutAll);
  ASSERT_TRUE(ending.ok());
  // Signed out everywhere from another browser: this session's upstream is not that browser's.
  auto elsewhere = sign_out_.SignedOut(Get("/logout/confirm", "gh_session=another-browser"),
                                       {*ending}, {}, std::string(kContinue), "", true);
  EXPECT_EQ(elsewhere.body.find("/upstream/sign-out"), std::string::npos);
  auto here = sign_out_.SignedOut(Get("/logout/confirm", "gh_session=" + cookie), {*ending}, {},
                                  std::string(kContinue), "", true);
  EXPECT_NE(here.body.find("/upstream/sign-out"), std::string::npos);
}

TEST_F(FederationTest, AReturnWithoutOrWithAForgedStateIsNotAConfirmation) {
  EXPECT_EQ(Dispatch(Get("/upstream/corp/signed-out")).status, 400);
  auto forged = Dispatch(Get("/upstream/corp/signed-out?state=forged"));
  EXPECT_EQ(forged.status, 400);
  EXPECT_NE(forged.body.find("could not be confirmed"), std::string::npos);
}

TEST_F(FederationTest, AnUpstreamThatIsDownGetsAClearPageAndOurSignOutStands) {
  std::string cookie = SignIn();
  op_.discovery_status = 503;  // discovery was cached at sign-in; the probe finds it down
  auto first = SignOutHere(cookie);
  std::smatch step;
  ASSERT_TRUE(std::regex_search(first.body, step, std::regex("/upstream/sign-out\\?state=[^\"]+")));
  auto page = Dispatch(Get(std::regex_replace(step.str(), std::regex("&amp;"), "&")));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("could not be confirmed"), std::string::npos);
  EXPECT_NE(page.body.find("cannot be reached"), std::string::npos);
  EXPECT_NE(page.body.find("https://mail.example/bye?state=s1"), std::string::npos);
  EXPECT_FALSE(Active(sid_));
}

TEST_F(FederationTest, AnUpstreamWithoutSignOutGetsAClearPage) {
  std::string cookie = SignIn();
  op_.discovery.erase("end_session_endpoint");
  // Discovery is cached: a fresh upstream object would read the changed document.
  Federation fresh(
      {kIssuer, *store_, sessions_, sign_out_, events_, csrf_, op_, saml_signer_, clock_, random_},
      {Corporate()});
  auto detour = fresh.Detour(**store_->FindSessionBySid(sid_), std::string(kContinue));
  ASSERT_TRUE(detour);
  http::Router router;
  fresh.Register(router);
  auto page = router.Dispatch(Get(*detour));
  EXPECT_NE(page.body.find("does not offer signing out"), std::string::npos);
}

class FederationNeverTest : public FederationTest {
 protected:
  FederationNeverTest() : FederationTest(Corporate(SignOutMode::kNever)) {}
};

TEST_F(FederationNeverTest, SignOutStaysHereWhenConfiguredSo) {
  std::string cookie = SignIn();
  auto page = SignOutHere(cookie);
  EXPECT_EQ(page.body.find("/upstream/sign-out"), std::string::npos);
}

class FederationAskTest : public FederationTest {
 protected:
  FederationAskTest() : FederationTest(Corporate(SignOutMode::kAsk)) {}
};

TEST_F(FederationAskTest, AsksAndRespectsTheAnswer) {
  std::string cookie = SignIn();
  auto first = SignOutHere(cookie);
  std::smatch step;
  ASSERT_TRUE(
      std::regex_search(first.body, step, std::regex("/upstream/sign-out\\?state=([^\"]+)")));
  auto question = Dispatch(Get(std::regex_replace(step.str(), std::regex("&amp;"), "&")));
  EXPECT_EQ(question.status, 200);
  EXPECT_NE(question.body.find("Sign out of Corporate SSO"), std::string::npos);
  std::string csrf_cookie = "gh_csrf=" + SetCookie(question, "gh_csrf").value_or("");
  std::smatch token;
  ASSERT_TRUE(
      std::regex_search(question.body, token, std::regex("name=\"csrf_token\" value=\"([^\"]+)")));
  std::string state = std::regex_replace(step[1].str(), std::regex("&amp;"), "&");
  state = *QueryOf("?state=" + state).Get("state");

  // Without the CSRF token nothing happens.
  auto forged = Dispatch(
      PostForm("/upstream/sign-out", Params{{"state", state}, {"action", "upstream"}}.Encode()));
  EXPECT_EQ(forged.status, 403);
  auto stay = Dispatch(PostForm(
      "/upstream/sign-out",
      Params{{"state", state}, {"action", "stay"}, {"csrf_token", token[1].str()}}.Encode(),
      csrf_cookie));
  EXPECT_EQ(stay.status, 303);
  EXPECT_EQ(stay.headers.Get("Location"), kContinue);
}

// ---- Sign-outs the upstream starts

TEST_F(FederationTest, BackChannelLogoutEndsTheSessionsOfThatUpstreamSessionAndNotifiesApps) {
  SignIn("up-sid-1");
  std::string first = sid_;
  SignIn("up-sid-2");  // another browser, another upstream session
  auto post = [&](json claims) {
    if (claims.contains("sub")) claims["sub"] = "alice-upstream";
    return Dispatch(PostForm("/upstream/corp/backchannel-logout",
                             Params{{"logout_token", SignLogout(claims)}}.Encode()));
  };
  auto response = post(LogoutTokenClaims(clock_.Now(), "up-sid-1", "jti-1"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_FALSE(Active(first));
  EXPECT_TRUE(Active(sid_));
  EXPECT_EQ((*store_->FindSessionBySid(first))->end_cause, "upstream_logout");
  // Mail hears of it over its back channel; nothing goes back to the upstream.
  auto sent = *store_->ListNotifications(first, 10);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].client_id, "mail");

  EXPECT_EQ(post(LogoutTokenClaims(clock_.Now(), "up-sid-2", "jti-1")).status, 400);  // replay
  EXPECT_TRUE(Active(sid_));
  json wrong_audience = LogoutTokenClaims(clock_.Now(), "up-sid-2", "jti-2");
  wrong_audience["aud"] = "someone-else";
  EXPECT_EQ(post(wrong_audience).status, 400);  // the rp/ validator's §2.6 rules apply
  EXPECT_TRUE(Active(sid_));
  json by_subject = LogoutTokenClaims(clock_.Now(), "", "jti-3");
  by_subject.erase("sid");
  by_subject["sub"] = "alice-upstream";
  EXPECT_EQ(post(by_subject).status, 200);  // §2.7: sub alone ends every session of the person
  EXPECT_FALSE(Active(sid_));
}

// Back-Channel Logout 1.0 §2.6, each rule broken in turn: the token is refused with 400 and the
// session lives on.
TEST_F(FederationTest, AnInvalidUpstreamLogoutTokenEndsNothing) {
  SignIn("up-sid-1");
  const auto now = ToUnixSeconds(clock_.Now());
  auto valid = [&] {
    json claims = LogoutTokenClaims(clock_.Now(), "up-sid-1", "jti-x");
    claims["sub"] = "alice-upstream";
    return claims;
  };
  struct Broken {
    const char* rule;
    std::string token;
  };
  std::vector<Broken> broken;
  auto with = [&](const char* rule, auto edit) {
    json claims = valid();
    edit(claims);
    broken.push_back({rule, SignLogout(claims)});
  };
  with("iss", [](json& c) { c["iss"] = "https://evil.example"; });
  with("aud", [](json& c) { c["aud"] = "another-client"; });
  with("iat in the future", [&](json& c) { c["iat"] = now + 3600; });
  with("exp passed", [&](json& c) { c["exp"] = now - 3600; });
  with("events missing", [](json& c) { c.erase("events"); });
  with("events without the logout event", [](json& c) { c["events"] = json::object(); });
  with("nonce present", [](json& c) { c["nonce"] = "n"; });
  with("neither sub nor sid", [](json& c) {
    c.erase("sub");
    c.erase("sid");
  });
  with("jti missing", [](json& c) { c.erase("jti"); });
  broken.push_back({"typ not logout+jwt", Sign(valid(), "JWT")});
  broken.push_back(
      {"signed by another key", Sign(valid(), oidc::kLogoutTokenType, rp::testing::RotatedKey())});
  std::string unsigned_token = SignLogout(valid());
  unsigned_token = "eyJhbGciOiJub25lIn0" + unsigned_token.substr(unsigned_token.find('.'));
  broken.push_back({"alg none", unsigned_token});
  broken.push_back({"not a JWT", "garbage"});
  for (const auto& b : broken) {
    auto response = Dispatch(
        PostForm("/upstream/corp/backchannel-logout", Params{{"logout_token", b.token}}.Encode()));
    EXPECT_EQ(response.status, 400) << b.rule;
    EXPECT_NE(response.body.find("invalid_request"), std::string::npos) << b.rule;
    EXPECT_TRUE(Active(sid_)) << b.rule;
  }
}

TEST_F(FederationTest, FrontChannelLogoutNeedsIssAndSidAndFramesOurAppsIframes) {
  SignIn("up-sid-1");
  EXPECT_EQ(Dispatch(Get("/upstream/corp/frontchannel-logout?sid=up-sid-1")).status, 400);
  // An empty sid would otherwise name every session whose upstream gave none.
  EXPECT_EQ(
      Dispatch(Get("/upstream/corp/frontchannel-logout?iss=https%3A%2F%2Fid.example&sid=")).status,
      400);
  EXPECT_EQ(Dispatch(Get("/upstream/corp/frontchannel-logout?iss=https%3A%2F%2Fevil.example&sid="
                         "up-sid-1"))
                .status,
            400);
  EXPECT_TRUE(Active(sid_));
  auto page =
      Dispatch(Get("/upstream/corp/frontchannel-logout?iss=https%3A%2F%2Fid.example&sid=up-sid-1"));
  EXPECT_EQ(page.status, 200);
  EXPECT_FALSE(Active(sid_));
  EXPECT_NE(page.headers.Get("Content-Security-Policy")->find("frame-ancestors https://id.example"),
            std::string::npos);
  EXPECT_NE(page.body.find("https://docs.example/fc"), std::string::npos);
  // An upstream-started sign-out never detours back to the upstream.
  EXPECT_EQ(page.body.find("/upstream/sign-out"), std::string::npos);
}

}  // namespace
}  // namespace gh::federation
