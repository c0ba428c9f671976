// StoreConformance: federation — the upstream session behind each IdP session, the round trips
// to upstreams in progress, linked accounts, and users found by email.
#include <string>
#include <vector>

#include "store/store_conformance.h"
#include "store/store_conformance_support.h"

namespace gh::store {
namespace {

using namespace conformance;

UpstreamLinkRecord OidcLink(std::string sid, std::string upstream_sid, std::string subject) {
  return {.sid = std::move(sid),
          .upstream = "corporate",
          .subject = std::move(subject),
          .session_id = std::move(upstream_sid),
          .id_token = "eyJ.id.token",
          .saml = std::nullopt,
          .created_at = At(5)};
}

TEST_P(StoreConformance, UpstreamLinkRoundTripsForBothProtocols) {
  UpstreamLinkRecord oidc = OidcLink("s1", "up-sid-1", "alice@upstream");
  UpstreamLinkRecord saml{
      .sid = "s2",
      .upstream = "campus",
      .subject = "alice",
      .session_id = "_idx-9",
      .id_token = "",
      .saml = SamlSubject{"alice", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                          "https://idp.example", "https://gatehouse.example/sp", "_idx-9"},
      .created_at = At(6)};
  Must(store().PutUpstreamLink(oidc));
  Must(store().PutUpstreamLink(saml));
  EXPECT_EQ(Must(store().FindUpstreamLink("s1")), oidc);
  EXPECT_EQ(Must(store().FindUpstreamLink("s2")), saml);
  EXPECT_FALSE(Must(store().FindUpstreamLink("s3")).has_value());

  // A re-authentication through the upstream replaces the link.
  UpstreamLinkRecord again = OidcLink("s1", "up-sid-2", "alice@upstream");
  Must(store().PutUpstreamLink(again));
  EXPECT_EQ(Must(store().FindUpstreamLink("s1")), again);
}

TEST_P(StoreConformance, SessionsFromUpstreamAreFoundBySessionOrSubjectWhileActive) {
  for (const char* sid : {"s1", "s2", "s3", "s4"})
    Must(store().CreateSession(Session(sid, "u1", 0)));
  Must(store().PutUpstreamLink(OidcLink("s1", "up-A", "alice")));
  Must(store().PutUpstreamLink(
      OidcLink("s2", "up-A", "alice")));  // two browsers, one upstream session
  Must(store().PutUpstreamLink(OidcLink("s3", "up-B", "alice")));
  UpstreamLinkRecord elsewhere = OidcLink("s4", "up-A", "alice");
  elsewhere.upstream = "other";
  Must(store().PutUpstreamLink(elsewhere));

  using Sids = std::vector<std::string>;
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", std::nullopt, "up-A")),
            (Sids{"s1", "s2"}));
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", "alice", std::nullopt)),
            (Sids{"s1", "s2", "s3"}));
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", "alice", "up-B")), (Sids{"s3"}));
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", "bob", "up-B")), Sids{});
  // An upstream without session ids: its links have an empty one, which no request may name.
  Must(store().CreateSession(Session("s5", "u1", 0)));
  Must(store().PutUpstreamLink(OidcLink("s5", "", "carol")));
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", std::nullopt, "")), Sids{});
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", "", std::nullopt)), Sids{});
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", "carol", std::nullopt)),
            (Sids{"s5"}));

  Must(store().EndSession("s1", "user_logout", At(10)));
  EXPECT_EQ(Must(store().FindSessionsFromUpstream("corporate", std::nullopt, "up-A")),
            (Sids{"s2"}));
  EXPECT_EQ(ErrorOf(store().FindSessionsFromUpstream("corporate", std::nullopt, std::nullopt)),
            ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, UpstreamLinksArePurgedWithTheirSessions) {
  SessionRecord ended = Session("s1", "u1", 0);
  ended.ended_at = At(10);
  ended.end_cause = "admin";
  Must(store().CreateSession(ended));
  Must(store().PutUpstreamLink(OidcLink("s1", "up-A", "alice")));
  EXPECT_EQ(Must(store().PurgeEndedSessions(At(50))), 1);
  EXPECT_FALSE(Must(store().FindUpstreamLink("s1")).has_value());
}

TEST_P(StoreConformance, UpstreamRequestIsTakenOnceAndNotAfterExpiry) {
  UpstreamRequestRecord request{"hash-1", "corporate", R"({"kind":"signin"})", At(100)};
  Must(store().PutUpstreamRequest(request));
  EXPECT_EQ(ErrorOf(store().PutUpstreamRequest(request)), ErrorCode::kAlreadyExists);
  EXPECT_EQ(Must(store().FindUpstreamRequest("hash-1", At(50))), request);
  EXPECT_EQ(Must(store().TakeUpstreamRequest("hash-1", At(50))), request);
  EXPECT_FALSE(Must(store().TakeUpstreamRequest("hash-1", At(50))).has_value());
  EXPECT_FALSE(Must(store().FindUpstreamRequest("hash-1", At(50))).has_value());

  Must(store().PutUpstreamRequest({"hash-2", "corporate", "{}", At(100)}));
  EXPECT_FALSE(Must(store().FindUpstreamRequest("hash-2", At(100))).has_value());
  EXPECT_FALSE(Must(store().TakeUpstreamRequest("hash-2", At(100))).has_value());
  Must(store().PutUpstreamRequest({"hash-3", "corporate", "{}", At(200)}));
  EXPECT_EQ(Must(store().PurgeUpstreamRequests(At(150))), 1);
  EXPECT_TRUE(Must(store().TakeUpstreamRequest("hash-3", At(150))).has_value());
}

TEST_P(StoreConformance, FederatedIdentityIsLinkedOnce) {
  FederatedIdentityRecord identity{"corporate", "up-sub-1", "u1", At(3)};
  Must(store().PutFederatedIdentity(identity));
  EXPECT_EQ(Must(store().FindFederatedIdentity("corporate", "up-sub-1")), identity);
  EXPECT_FALSE(Must(store().FindFederatedIdentity("other", "up-sub-1")).has_value());
  EXPECT_EQ(ErrorOf(store().PutFederatedIdentity({"corporate", "up-sub-1", "u2", At(4)})),
            ErrorCode::kAlreadyExists);
}

TEST_P(StoreConformance, UsersAreFoundByEmail) {
  Must(store().PutUser(User("u1", "alice")));
  UserRecord twin = User("u2", "alice2");
  twin.email = "alice@example.com";
  twin.created_at = At(2);
  Must(store().PutUser(twin));
  auto found = Must(store().FindUsersByEmail("alice@example.com"));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "u1");
  EXPECT_EQ(found[1].id, "u2");
  EXPECT_TRUE(Must(store().FindUsersByEmail("nobody@example.com")).empty());
}

TEST_P(StoreConformance, ForgottenMessageMayComeAgain) {
  EXPECT_TRUE(Must(store().RememberMessage("https://op.example", "jti-1", At(100))));
  EXPECT_FALSE(Must(store().RememberMessage("https://op.example", "jti-1", At(100))));
  Must(store().ForgetMessage("https://op.example", "jti-1"));
  EXPECT_TRUE(Must(store().RememberMessage("https://op.example", "jti-1", At(100))));
}

}  // namespace
}  // namespace gh::store
