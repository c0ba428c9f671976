// FederationTest: Federation behind a Router with its real collaborators (SQLite store, session
// authority, sign-out flow) and FakeOp as the upstream OpenID Provider; the SAML tests swap the
// upstream for a FakeIdp. Mail (back channel) and Docs (front channel) are the downstream apps.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "federation/federation.h"
#include "keys/key_ring.h"
#include "oidc/oidc_participants.h"
#include "oidc/pkce.h"
#include "rp/fake_op_test_support.h"
#include "store/sqlite/sqlite_store.h"
#include "support/browser_requests.h"
#include "support/temp_dir.h"

namespace gh::federation {

using gh::testing::Get;
using gh::testing::PostForm;
using gh::testing::QueryOf;
using gh::testing::SetCookie;
using nlohmann::json;
using rp::testing::FakeOp;
using rp::testing::IdTokenClaims;
using rp::testing::LogoutTokenClaims;
using rp::testing::Sign;
using rp::testing::SignLogout;

constexpr char kIssuer[] = "https://gatehouse.example";
constexpr char kUpstreamIssuer[] = "https://id.example";
constexpr char kContinue[] = "https://mail.example/bye?state=s1";

inline UpstreamSettings Corporate(SignOutMode sign_out = SignOutMode::kAlways) {
  UpstreamSettings u;
  u.id = "corp";
  u.display_name = "Corporate SSO";
  u.issuer = kUpstreamIssuer;
  u.client_id = rp::testing::kClientId;
  u.client_secret = "s3cret";
  u.link_by = UpstreamSettings::LinkBy::kEmail;
  u.sign_out = sign_out;
  return u;
}

class FederationTest : public ::testing::Test {
 protected:
  explicit FederationTest(UpstreamSettings upstream = Corporate())
      : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))),
        events_(clock_),
        sessions_(*store_, clock_, random_, events_, session::SessionPolicy{}),
        csrf_(random_, "csrf secret of the federation tests, 32+ bytes", /*secure=*/false),
        sign_out_(kIssuer, *store_, sessions_, clock_, random_, csrf_),
        keys_(*store_, clock_, Seconds(86400)),
        saml_signer_(keys_, "gatehouse.example"),
        federation_({kIssuer, *store_, sessions_, sign_out_, events_, csrf_, op_, saml_signer_,
                     clock_, random_},
                    {std::move(upstream)}) {
    EXPECT_TRUE(keys_.Reload().ok());
    sessions_.AddProtocol(oidc_participants_);
    sign_out_.SetUpstreamSignOut(&federation_);
    federation_.Register(router_);
    sign_out_.Register(router_);
  }

  void SetUp() override {
    store::UserRecord alice{"u-alice", "alice", "", "Alice", "alice@example.com", clock_.Now()};
    ASSERT_TRUE(store_->PutUser(alice).ok());
    // Two downstream apps: Mail signed out over the back channel, Docs in an iframe.
    store::ClientRecord mail;
    mail.id = "mail";
    mail.redirect_uris = {"https://mail.example/cb"};
    mail.backchannel_logout_uri = "https://mail.example/bc";
    ASSERT_TRUE(store_->PutClient(mail).ok());
    store::ClientRecord docs;
    docs.id = "docs";
    docs.redirect_uris = {"https://docs.example/cb"};
    docs.frontchannel_logout_uri = "https://docs.example/fc";
    ASSERT_TRUE(store_->PutClient(docs).ok());
  }

  http::Response Dispatch(const http::Request& request) { return router_.Dispatch(request); }

  struct Started {
    Params authorize;
    std::string binding;
  };
  Started Start(std::string return_to = "/authorize?client_id=mail") {
    auto response =
        Dispatch(Get("/upstream/corp/start?" + Params{{"return_to", return_to}}.Encode()));
    EXPECT_EQ(response.status, 302);
    auto location = response.headers.Get("Location").value_or("");
    EXPECT_TRUE(location.starts_with("https://id.example/authorize?")) << location;
    return {QueryOf(location), SetCookie(response, "gh_upstream").value_or("")};
  }

  void UpstreamIssues(json claims) {
    op_.token_response = {
        {"access_token", "at-1"}, {"token_type", "Bearer"}, {"id_token", Sign(claims)}};
  }

  http::Response Callback(const Started& started,
                          std::string extra = "&code=c1&iss=" +
                                              std::string("https%3A%2F%2Fid.example")) {
    return Dispatch(Get("/upstream/corp/callback?state=" + *started.authorize.Get("state") + extra,
                        "gh_upstream=" + started.binding));
  }

  // A complete sign-in through the upstream, in which Mail and Docs then took part. Returns the
  // IdP session cookie.
  std::string SignIn(std::string upstream_sid = "up-sid-1") {
    Started started = Start();
    json claims = IdTokenClaims(clock_.Now(), *started.authorize.Get("nonce"), "alice-upstream",
                                upstream_sid);
    claims["email"] = "alice@example.com";
    claims["email_verified"] = true;
    claims["amr"] = {"pwd", "otp"};
    claims["acr"] = "urn:example:loa:2";
    UpstreamIssues(claims);
    auto response = Callback(started);
    EXPECT_EQ(response.status, 303) << response.body;
    auto cookie = SetCookie(response, session::kSessionCookieName).value_or("");
    auto session = sessions_.Resolve(cookie);
    EXPECT_TRUE(session.ok() && *session);
    sid_ = (*session)->sid;
    for (const char* app : {"mail", "docs"})
      EXPECT_TRUE(sessions_.AddParticipant(*store_, sid_, app, "oidc").ok());
    return cookie;
  }

  // The person signs out at Gatehouse (as the home page's button does); where the browser goes.
  http::Response SignOutHere(const std::string& cookie) {
    auto ending = sessions_.End(sid_, session::EndCause::kUserLogout);
    EXPECT_TRUE(ending.ok());
    return sign_out_.SignedOut(Get("/logout/confirm", "gh_session=" + cookie), {*ending}, {},
                               std::string(kContinue), "", /*clear_cookies=*/true);
  }

  std::string Back(const std::string& logout_url) {
    auto state = QueryOf(logout_url).Get("state").value_or("");
    return "/upstream/corp/signed-out?state=" + state;
  }

  std::vector<std::string> EventTypes() {
    std::vector<std::string> types;
    for (const auto& e : *store_->ListEvents(0, 100)) types.push_back(e.type);
    return types;
  }

  bool Active(const std::string& sid) { return (*store_->FindSessionBySid(sid))->active(); }

  gh::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  SystemRandom random_;
  FakeOp op_;
  session::EventLog events_;
  session::SessionAuthority sessions_;
  oidc::OidcParticipants oidc_participants_{kIssuer};
  web::Csrf csrf_;
  signout::SignOutFlow sign_out_;
  keys::KeyRing keys_;
  saml::IdpSigner saml_signer_;
  Federation federation_;
  http::Router router_;
  std::string sid_;
};

}  // namespace gh::federation
