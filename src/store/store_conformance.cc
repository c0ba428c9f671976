// StoreConformance: secrets, clients, users, sessions and participants, codes, tokens, consents and
// signing keys.
#include "store/store_conformance.h"

#include <algorithm>
#include <string>
#include <vector>

#include "store/store_conformance_support.h"

namespace gh::store {

void StoreConformance::SetUp() {
  store_ = GetParam()();
  ASSERT_NE(store_, nullptr);
}
namespace {

using namespace conformance;

// ---- Clients

TEST_P(StoreConformance, ServerSecretIsCreatedOnceAndThenKept) {
  EXPECT_EQ(Must(store().ServerSecret("csrf", "first", At(1))), "first");
  EXPECT_EQ(Must(store().ServerSecret("csrf", "second", At(2))), "first");
  EXPECT_EQ(Must(store().ServerSecret("other", "third", At(3))), "third");
}

TEST_P(StoreConformance, ClientRoundTripsEveryField) {
  ClientRecord c;
  c.id = "app";
  c.name = "The App";
  c.secret_hash = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";
  c.redirect_uris = {"https://b.example/cb", "https://a.example/cb?x=1", "http://127.0.0.1/cb"};
  c.post_logout_redirect_uris = {"https://b.example/bye", "https://a.example/bye"};
  c.web_origins = {"https://b.example", "http://127.0.0.1:8081"};
  c.resource_server_for = {"mail", "docs"};
  c.frontchannel_logout_uri = "https://a.example/fc";
  c.frontchannel_logout_session_required = false;
  c.backchannel_logout_uri = "https://a.example/bc";
  c.backchannel_logout_session_required = false;
  c.id_token_signed_response_alg = "ES256";
  c.access_token_audience = "https://api.example/";
  c.grant_types = {"client_credentials", "authorization_code"};
  c.created_at = At(42);
  Must(store().PutClient(c));

  auto found = Must(store().FindClient("app"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Fields(*found), Fields(c));
  EXPECT_FALSE(found->is_public());
}

TEST_P(StoreConformance, PublicClientRoundTripsWithoutOptionalFields) {
  ClientRecord c;
  c.id = "spa";
  c.name = "spa";
  c.created_at = At(0);
  Must(store().PutClient(c));

  auto found = Must(store().FindClient("spa"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Fields(*found), Fields(c));
  EXPECT_TRUE(found->is_public());
}

TEST_P(StoreConformance, PutClientTwiceIsAlreadyExists) {
  Must(store().PutClient(Client("app")));
  EXPECT_EQ(ErrorOf(store().PutClient(Client("app"))), ErrorCode::kAlreadyExists);
}

TEST_P(StoreConformance, UnknownClientIsNotFound) {
  EXPECT_FALSE(Must(store().FindClient("nobody")).has_value());
}

TEST_P(StoreConformance, ListClientsReturnsEveryClient) {
  ClientRecord b = Client("b");
  b.post_logout_redirect_uris = {"https://b.example/bye"};
  Must(store().PutClient(b));
  Must(store().PutClient(Client("a")));

  auto all = Must(store().ListClients());
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  EXPECT_EQ(AllFields(all), AllFields(std::vector{Client("a"), b}));
}

TEST_P(StoreConformance, RemoveClientReportsWhetherThereWasOne) {
  ClientRecord c = Client("app");
  c.post_logout_redirect_uris = {"https://app.example/bye"};
  Must(store().PutClient(c));

  EXPECT_TRUE(Must(store().RemoveClient("app")));
  EXPECT_FALSE(Must(store().FindClient("app")).has_value());
  EXPECT_FALSE(Must(store().RemoveClient("app")));

  // Nothing of the removed client lingers into one registered again under the same id.
  ClientRecord again = Client("app");
  again.redirect_uris = {"https://new.example/cb"};
  Must(store().PutClient(again));
  EXPECT_EQ(Fields(*Must(store().FindClient("app"))), Fields(again));
}

// ---- Users

TEST_P(StoreConformance, UserRoundTripsAndIsFoundByIdAndUsername) {
  UserRecord u = User("u1", "alice");
  Must(store().PutUser(u));

  auto by_id = Must(store().FindUserById("u1"));
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(Fields(*by_id), Fields(u));
  auto by_name = Must(store().FindUserByUsername("alice"));
  ASSERT_TRUE(by_name.has_value());
  EXPECT_EQ(Fields(*by_name), Fields(u));
}

TEST_P(StoreConformance, DuplicateUserIdOrUsernameIsAlreadyExists) {
  Must(store().PutUser(User("u1", "alice")));
  EXPECT_EQ(ErrorOf(store().PutUser(User("u1", "bob"))), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ErrorOf(store().PutUser(User("u2", "alice"))), ErrorCode::kAlreadyExists);
  EXPECT_FALSE(Must(store().FindUserById("u2")).has_value());
}

TEST_P(StoreConformance, UnknownUserIsNotFound) {
  EXPECT_FALSE(Must(store().FindUserById("u1")).has_value());
  EXPECT_FALSE(Must(store().FindUserByUsername("alice")).has_value());
}

TEST_P(StoreConformance, ListUsersReturnsEveryUser) {
  Must(store().PutUser(User("u2", "bob")));
  Must(store().PutUser(User("u1", "alice")));

  auto all = Must(store().ListUsers());
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  EXPECT_EQ(AllFields(all), AllFields(std::vector{User("u1", "alice"), User("u2", "bob")}));
}

// ---- Sessions

TEST_P(StoreConformance, SessionRoundTripsEveryField) {
  SessionRecord active = Session("s1", "u1", 0);
  active.auth_time = At(-5);
  active.last_seen_at = At(30);
  active.method = {.idp = "corporate", .amr = {"pwd", "otp"}, .acr = "urn:example:loa:2"};
  SessionRecord ended = Session("s2", "u1", 1);
  ended.ended_at = At(99);
  ended.end_cause = "admin";
  ended.method.amr = {"pwd"};
  Must(store().CreateSession(active));
  Must(store().CreateSession(ended));

  for (const SessionRecord& s : {active, ended}) {
    auto by_key = Must(store().FindSessionByKeyHash(s.key_hash));
    ASSERT_TRUE(by_key.has_value());
    EXPECT_EQ(Fields(*by_key), Fields(s));
    auto by_sid = Must(store().FindSessionBySid(s.sid));
    ASSERT_TRUE(by_sid.has_value());
    EXPECT_EQ(Fields(*by_sid), Fields(s));
  }
}

TEST_P(StoreConformance, DuplicateSessionKeyOrSidIsAlreadyExists) {
  Must(store().CreateSession(Session("s1", "u1", 0)));
  SessionRecord same_key = Session("s2", "u1", 0);
  same_key.key_hash = "key-s1";
  EXPECT_EQ(ErrorOf(store().CreateSession(same_key)), ErrorCode::kAlreadyExists);
  SessionRecord same_sid = Session("s1", "u1", 0);
  same_sid.key_hash = "other";
  EXPECT_EQ(ErrorOf(store().CreateSession(same_sid)), ErrorCode::kAlreadyExists);
}

TEST_P(StoreConformance, UnknownSessionIsNotFound) {
  EXPECT_FALSE(Must(store().FindSessionByKeyHash("key-s1")).has_value());
  EXPECT_FALSE(Must(store().FindSessionBySid("s1")).has_value());
}

TEST_P(StoreConformance, TouchSessionMovesLastSeen) {
  Must(store().CreateSession(Session("s1", "u1", 0)));
  Must(store().TouchSession("s1", At(500)));
  EXPECT_EQ(Must(store().FindSessionBySid("s1"))->last_seen_at, At(500));
}

TEST_P(StoreConformance, ReauthenticateSessionReplacesKeyAndAuthTime) {
  Must(store().CreateSession(Session("s1", "u1", 0)));
  const SignInMethod upstream{.idp = "corporate", .amr = {"mfa"}, .acr = "loa2"};
  EXPECT_TRUE(Must(store().ReauthenticateSession("s1", "new-key", At(900), upstream)));
  EXPECT_FALSE(Must(store().FindSessionByKeyHash("key-s1")).has_value());
  auto session = Must(store().FindSessionByKeyHash("new-key"));
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->sid, "s1");
  EXPECT_EQ(session->auth_time, At(900));
  EXPECT_EQ(session->last_seen_at, At(900));
  EXPECT_EQ(session->method, upstream);

  Must(store().EndSession("s1", "admin", At(950)));
  EXPECT_FALSE(Must(store().ReauthenticateSession("s1", "third-key", At(990), {})));
  EXPECT_FALSE(Must(store().ReauthenticateSession("unknown", "k", At(990), {})));
}

TEST_P(StoreConformance, EndSessionEndsOnlyOnce) {
  Must(store().CreateSession(Session("s1", "u1", 0)));

  EXPECT_TRUE(Must(store().EndSession("s1", "rp_logout", At(60))));
  auto ended = Must(store().FindSessionBySid("s1"));
  ASSERT_TRUE(ended.has_value());
  EXPECT_FALSE(ended->active());
  EXPECT_EQ(Secs(ended->ended_at), ToUnixSeconds(At(60)));
  EXPECT_EQ(ended->end_cause, "rp_logout");

  EXPECT_FALSE(Must(store().EndSession("s1", "admin", At(70))));
  EXPECT_EQ(Must(store().FindSessionBySid("s1"))->end_cause, "rp_logout");
  EXPECT_FALSE(Must(store().EndSession("unknown", "admin", At(70))));
}

TEST_P(StoreConformance, ListSessionsFiltersByUserAndEndedNewestFirst) {
  Must(store().CreateSession(Session("a-old", "alice", 10)));
  Must(store().CreateSession(Session("a-new", "alice", 30)));
  Must(store().CreateSession(Session("a-ended", "alice", 20)));
  Must(store().CreateSession(Session("b", "bob", 40)));
  Must(store().EndSession("a-ended", "admin", At(50)));

  auto sids = [](const std::vector<SessionRecord>& sessions) {
    std::vector<std::string> out;
    for (const auto& s : sessions) out.push_back(s.sid);
    return out;
  };
  using Sids = std::vector<std::string>;
  EXPECT_EQ(sids(Must(store().ListSessions("alice", false))), (Sids{"a-new", "a-old"}));
  EXPECT_EQ(sids(Must(store().ListSessions("alice", true))), (Sids{"a-new", "a-ended", "a-old"}));
  EXPECT_EQ(sids(Must(store().ListSessions("", false))), (Sids{"b", "a-new", "a-old"}));
  EXPECT_EQ(sids(Must(store().ListSessions("", true))), (Sids{"b", "a-new", "a-ended", "a-old"}));
  EXPECT_TRUE(Must(store().ListSessions("carol", true)).empty());
}

TEST_P(StoreConformance, FindExpiredSessionsByIdleOrAbsoluteCutoff) {
  SessionRecord idle = Session("idle", "u1", 100);
  idle.last_seen_at = At(100);
  SessionRecord too_old = Session("too-old", "u1", 0);
  too_old.last_seen_at = At(900);
  SessionRecord fresh = Session("fresh", "u1", 500);
  fresh.last_seen_at = At(900);
  SessionRecord at_cutoffs = Session("at-cutoffs", "u1", 200);  // a cutoff itself is not expired
  at_cutoffs.last_seen_at = At(600);
  SessionRecord ended = Session("ended", "u1", 0);
  for (const auto& s : {idle, too_old, fresh, at_cutoffs, ended}) Must(store().CreateSession(s));
  Must(store().EndSession("ended", "rp_logout", At(1)));

  auto expired = Must(store().FindExpiredSessions(At(600), At(200), 10));
  std::vector<std::string> sids;
  for (const auto& s : expired) sids.push_back(s.sid);
  std::sort(sids.begin(), sids.end());
  EXPECT_EQ(sids, (std::vector<std::string>{"idle", "too-old"}));

  EXPECT_EQ(Must(store().FindExpiredSessions(At(600), At(200), 1)).size(), 1u);
}

TEST_P(StoreConformance, AddParticipantIsIdempotentAndRefreshesLastSeen) {
  ParticipantRecord p{.sid = "s1",
                      .client_id = "app",
                      .protocol = "oidc",
                      .first_seen_at = At(10),
                      .last_seen_at = At(10)};
  Must(store().AddParticipant(p));
  ParticipantRecord again = p;
  again.first_seen_at = At(50);
  again.last_seen_at = At(50);
  Must(store().AddParticipant(again));
  ParticipantRecord late = p;  // an earlier request landing last moves nothing back
  late.last_seen_at = At(30);
  Must(store().AddParticipant(late));
  ParticipantRecord other{.sid = "s1",
                          .client_id = "https://wiki.example/sp",
                          .protocol = "saml",
                          .first_seen_at = At(20),
                          .last_seen_at = At(20),
                          .saml = SamlSubject{"alice@example.com",
                                              "urn:oasis:names:tc:SAML:1.1:nameid-format:"
                                              "emailAddress",
                                              "https://id.example", "", "_si1"}};
  Must(store().AddParticipant(other));
  Must(store().AddParticipant({.sid = "s2",
                               .client_id = "app",
                               .protocol = "oidc",
                               .first_seen_at = At(5),
                               .last_seen_at = At(5)}));

  auto listed = Must(store().ListParticipants("s1"));
  std::sort(listed.begin(), listed.end(),
            [](const auto& x, const auto& y) { return x.client_id < y.client_id; });
  ParticipantRecord merged = p;
  merged.last_seen_at = At(50);
  EXPECT_EQ(AllFields(listed), AllFields(std::vector{merged, other}));
  EXPECT_TRUE(Must(store().ListParticipants("s3")).empty());
}

TEST_P(StoreConformance, FindParticipantReadsOneParticipationOfOneSession) {
  ParticipantRecord sp{
      .sid = "s1",
      .client_id = "https://wiki.example/sp",
      .protocol = "saml",
      .first_seen_at = At(20),
      .last_seen_at = At(20),
      .saml = SamlSubject{"alice", "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
                          "https://id.example", "https://wiki.example/sp", "_si1"}};
  Must(store().AddParticipant(sp));
  Must(store().AddParticipant({.sid = "s1",
                               .client_id = "app",
                               .protocol = "oidc",
                               .first_seen_at = At(5),
                               .last_seen_at = At(5)}));
  Must(store().AddParticipant({.sid = "s2",
                               .client_id = sp.client_id,
                               .protocol = "saml",
                               .first_seen_at = At(30),
                               .last_seen_at = At(30)}));

  auto found = Must(store().FindParticipant("s1", sp.client_id));
  ASSERT_TRUE(found);
  EXPECT_EQ(Fields(*found), Fields(sp));
  EXPECT_FALSE(Must(store().FindParticipant("s1", "other")));
  EXPECT_FALSE(Must(store().FindParticipant("s3", sp.client_id)));
}

TEST_P(StoreConformance, ListParticipantClientsReturnsTheRegistrationsOfOneSession) {
  ClientRecord a = Client("a");
  a.post_logout_redirect_uris = {"https://a.example/bye", "https://a.example/later"};
  a.backchannel_logout_uri = "https://a.example/logout";
  Must(store().PutClient(a));
  Must(store().PutClient(Client("b")));
  Must(store().PutClient(Client("elsewhere")));
  for (const auto& [sid, client_id] : {std::pair("s1", "a"), std::pair("s1", "b"),
                                       std::pair("s1", "removed"), std::pair("s2", "elsewhere")}) {
    Must(store().AddParticipant({.sid = sid,
                                 .client_id = client_id,
                                 .protocol = "oidc",
                                 .first_seen_at = At(1),
                                 .last_seen_at = At(1)}));
  }

  auto clients = Must(store().ListParticipantClients("s1"));
  std::sort(clients.begin(), clients.end(),
            [](const auto& x, const auto& y) { return x.id < y.id; });
  EXPECT_EQ(AllFields(clients), AllFields(std::vector{a, Client("b")}));
  EXPECT_TRUE(Must(store().ListParticipantClients("s3")).empty());
}

// ---- Authorization codes

TEST_P(StoreConformance, ACodesUseIsRecordedOnce) {
  Must(store().RecordCodeUse("c1", At(80)));
  EXPECT_EQ(ErrorOf(store().RecordCodeUse("c1", At(80))), ErrorCode::kAlreadyExists);
  Must(store().RecordCodeUse("c2", At(80)));
  Must(store().RecordCodeUse("c3", At(81)));
  EXPECT_EQ(ErrorOf(store().RecordCodeUse("c3", At(81))), ErrorCode::kAlreadyExists);
}

// ---- Tokens

TEST_P(StoreConformance, TokenRoundTripsEveryField) {
  TokenRecord access = Token("t-access", TokenKind::kAccess, "g1", "s1", "openid email");
  TokenRecord machine = Token("t-machine", TokenKind::kRefresh, "g2", std::nullopt, "api");
  machine.user_id.reset();
  machine.revoked = true;
  Must(store().PutToken(access));
  Must(store().PutToken(machine));

  for (const TokenRecord& t : {access, machine}) {
    auto found = Must(store().FindToken(t.token_hash));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(Fields(*found), Fields(t));
  }
}

TEST_P(StoreConformance, DuplicateOrUnknownToken) {
  Must(store().PutToken(Token("t1", TokenKind::kAccess, "g1", "s1", "openid")));
  EXPECT_EQ(ErrorOf(store().PutToken(Token("t1", TokenKind::kRefresh, "g2", "s2", "openid"))),
            ErrorCode::kAlreadyExists);
  EXPECT_FALSE(Must(store().FindToken("t2")).has_value());
}

TEST_P(StoreConformance, RevokeTokenOnlyOnce) {
  Must(store().PutToken(Token("t1", TokenKind::kAccess, "g1", "s1", "openid")));
  EXPECT_TRUE(Must(store().RevokeToken("t1")));
  EXPECT_TRUE(Must(store().FindToken("t1"))->revoked);
  EXPECT_FALSE(Must(store().RevokeToken("t1")));
  EXPECT_FALSE(Must(store().RevokeToken("unknown")));
}

TEST_P(StoreConformance, RevokeGrantCountsNewlyRevokedTokens) {
  Must(store().PutToken(Token("a", TokenKind::kAccess, "g1", "s1", "openid")));
  Must(store().PutToken(Token("r", TokenKind::kRefresh, "g1", "s1", "openid")));
  Must(store().PutToken(Token("old", TokenKind::kAccess, "g1", "s1", "openid")));
  Must(store().PutToken(Token("other", TokenKind::kAccess, "g2", "s1", "openid")));
  Must(store().RevokeToken("old"));

  EXPECT_EQ(Must(store().RevokeGrant("g1", At(90))), 2);
  EXPECT_TRUE(Must(store().FindToken("a"))->revoked);
  EXPECT_TRUE(Must(store().FindToken("r"))->revoked);
  EXPECT_FALSE(Must(store().FindToken("other"))->revoked);
  EXPECT_EQ(Must(store().RevokeGrant("g1", At(90))), 0);
}

// A grant's unrecorded access tokens have no row to revoke: the grant itself is remembered.
TEST_P(StoreConformance, ARevokedGrantIsRememberedUntilItsLastTokenExpires) {
  EXPECT_EQ(Must(store().RevokeGrant("unrecorded", At(100))), 0);
  Must(store().RevokeGrant("again", At(100)));
  Must(store().RevokeGrant("again", At(50)));  // an earlier horizon does not shorten it
  EXPECT_TRUE(Must(store().IsGrantRevoked("unrecorded")));
  EXPECT_FALSE(Must(store().IsGrantRevoked("other")));

  Must(store().PurgeExpired(At(100)));
  EXPECT_TRUE(Must(store().IsGrantRevoked("unrecorded")));
  EXPECT_TRUE(Must(store().IsGrantRevoked("again")));
  EXPECT_EQ(Must(store().PurgeExpired(At(101))), 2);
  EXPECT_FALSE(Must(store().IsGrantRevoked("unrecorded")));
  EXPECT_FALSE(Must(store().IsGrantRevoked("again")));
}

TEST_P(StoreConformance, RevokeSessionCredentialsKeepsOfflineRefreshTokensWhenAsked) {
  Must(store().PutToken(Token("access", TokenKind::kAccess, "g1", "s1", "openid offline_access")));
  Must(
      store().PutToken(Token("offline", TokenKind::kRefresh, "g1", "s1", "offline_access openid")));
  Must(store().PutToken(Token("online", TokenKind::kRefresh, "g2", "s1", "openid")));
  // Only the exact scope word counts; `_` must not act as a wildcard.
  Must(store().PutToken(Token("lookalike", TokenKind::kRefresh, "g3", "s1", "offline_accessory")));
  Must(store().PutToken(Token("wildcard", TokenKind::kRefresh, "g3", "s1", "offlineXaccess")));
  Must(store().PutToken(Token("elsewhere", TokenKind::kAccess, "g4", "s2", "openid")));

  EXPECT_EQ(Must(store().RevokeSessionCredentials("s1", true)), 4);
  EXPECT_FALSE(Must(store().FindToken("offline"))->revoked);
  EXPECT_TRUE(Must(store().FindToken("access"))->revoked);
  EXPECT_TRUE(Must(store().FindToken("lookalike"))->revoked);
  EXPECT_FALSE(Must(store().FindToken("elsewhere"))->revoked);

  EXPECT_EQ(Must(store().RevokeSessionCredentials("s1", false)), 1);
  EXPECT_TRUE(Must(store().FindToken("offline"))->revoked);
}

TEST_P(StoreConformance, RevokeOfflineGrantsEndsEveryTokenOfTheUsersOfflineGrants) {
  auto mine = [](TokenRecord t, std::string user, std::string client) {
    t.user_id = std::move(user);
    t.client_id = std::move(client);
    return t;
  };
  Must(store().PutToken(
      mine(Token("off-r", TokenKind::kRefresh, "g1", "s1", "openid offline_access"), "u1", "app")));
  Must(store().PutToken(
      mine(Token("off-a", TokenKind::kAccess, "g1", "s1", "openid"), "u1", "app")));
  Must(store().PutToken(
      mine(Token("other-app", TokenKind::kRefresh, "g2", "s2", "offline_access"), "u1", "wiki")));
  Must(store().PutToken(
      mine(Token("online", TokenKind::kRefresh, "g3", "s1", "openid"), "u1", "app")));
  Must(store().PutToken(
      mine(Token("other-user", TokenKind::kRefresh, "g4", "s3", "offline_access"), "u2", "app")));

  EXPECT_EQ(Must(store().RevokeOfflineGrants("u1", std::string_view("app"), At(90))), 2);
  EXPECT_TRUE(Must(store().FindToken("off-a"))->revoked);
  EXPECT_TRUE(Must(store().IsGrantRevoked("g1")));
  EXPECT_FALSE(Must(store().FindToken("other-app"))->revoked);
  EXPECT_FALSE(Must(store().IsGrantRevoked("g2")));
  EXPECT_EQ(Must(store().RevokeOfflineGrants("u1", std::nullopt, At(90))), 1);
  EXPECT_TRUE(Must(store().FindToken("other-app"))->revoked);
  EXPECT_TRUE(Must(store().IsGrantRevoked("g2")));
  EXPECT_FALSE(Must(store().FindToken("online"))->revoked);
  EXPECT_FALSE(Must(store().IsGrantRevoked("g3")));
  EXPECT_FALSE(Must(store().FindToken("other-user"))->revoked);
  EXPECT_FALSE(Must(store().IsGrantRevoked("g4")));
}

TEST_P(StoreConformance, ConsentIsRememberedPerUserAndClientUntilRemoved) {
  Must(store().PutConsent({"u1", "app", "offline_access", At(10)}));
  Must(store().PutConsent({"u1", "wiki", "offline_access", At(11)}));
  Must(store().PutConsent({"u1", "app", "offline_access profile", At(12)}));
  auto found = Must(store().FindConsent("u1", "app"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->scope, "offline_access profile");
  EXPECT_EQ(found->granted_at, At(12));
  EXPECT_FALSE(Must(store().FindConsent("u2", "app")).has_value());
  EXPECT_EQ(Must(store().ListConsents("u1")).size(), 2u);
  EXPECT_TRUE(Must(store().RemoveConsent("u1", "app")));
  EXPECT_FALSE(Must(store().RemoveConsent("u1", "app")));
  EXPECT_FALSE(Must(store().FindConsent("u1", "app")).has_value());
}

TEST_P(StoreConformance, PurgeExpiredRemovesCodesAndTokensExpiredBeforeCutoff) {
  TokenRecord old_token = Token("old-token", TokenKind::kAccess, "g1", "s1", "openid");
  old_token.expires_at = At(50);
  TokenRecord live_token = Token("live-token", TokenKind::kRefresh, "g1", "s1", "openid");
  live_token.expires_at = At(100);
  Must(store().RecordCodeUse("old-code", At(99)));
  Must(store().RecordCodeUse("live-code", At(100)));
  Must(store().PutToken(old_token));
  Must(store().PutToken(live_token));

  EXPECT_EQ(Must(store().PurgeExpired(At(100))), 2);
  // A purged code's record is gone (it has expired, so nobody can redeem it again anyway).
  Must(store().RecordCodeUse("old-code", At(99)));
  EXPECT_EQ(ErrorOf(store().RecordCodeUse("live-code", At(100))), ErrorCode::kAlreadyExists);
  EXPECT_FALSE(Must(store().FindToken("old-token")).has_value());
  EXPECT_TRUE(Must(store().FindToken("live-token")).has_value());
}

// ---- Signing keys

TEST_P(StoreConformance, KeysListOldestFirstAndUpdateByKid) {
  SigningKeyRecord newer = Key("k2", 200);
  newer.alg = "ES256";
  newer.activates_at = At(250);
  SigningKeyRecord older = Key("k1", 100);
  Must(store().PutKey(newer));
  Must(store().PutKey(older));
  EXPECT_EQ(AllFields(Must(store().ListKeys())), AllFields(std::vector{older, newer}));

  older.retired_at = At(300);
  older.unpublish_at = At(400);
  Must(store().UpdateKey(older));
  EXPECT_EQ(AllFields(Must(store().ListKeys())), AllFields(std::vector{older, newer}));
}

TEST_P(StoreConformance, PutFirstKeyStoresOnlyWhileNoKeyOfTheAlgSigns) {
  EXPECT_TRUE(Must(store().PutFirstKey(Key("k1", 100), At(100))));
  EXPECT_FALSE(Must(store().PutFirstKey(Key("k2", 100), At(100))));
  SigningKeyRecord es = Key("e1", 100);
  es.alg = "ES256";
  EXPECT_TRUE(Must(store().PutFirstKey(es, At(100))));  // another algorithm
  // A key announced for later does not sign yet; a retired one no longer does.
  SigningKeyRecord k1 = Must(store().ListKeys()).at(0);
  k1.retired_at = At(150);
  Must(store().UpdateKey(k1));
  SigningKeyRecord next = Key("k3", 140);
  next.activates_at = At(200);
  Must(store().PutKey(next));
  EXPECT_TRUE(Must(store().PutFirstKey(Key("k4", 160), At(160))));
  EXPECT_EQ(Must(store().ListKeys()).size(), 4u);
}

TEST_P(StoreConformance, DuplicateKeyIsAlreadyExistsAndUnknownUpdateIsNotFound) {
  Must(store().PutKey(Key("k1", 100)));
  EXPECT_EQ(ErrorOf(store().PutKey(Key("k1", 200))), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ErrorOf(store().UpdateKey(Key("k9", 100))), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace gh::store
