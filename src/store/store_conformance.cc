#include "store/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace gh::store {

void StoreConformance::SetUp() {
  store_ = GetParam()();
  ASSERT_NE(store_, nullptr);
}

namespace {

// Times are whole seconds: that is the precision the contract promises.
TimePoint At(std::int64_t offset) { return FromUnixSeconds(1'700'000'000 + offset); }

// Unwraps a result, failing the test (by exception, which GoogleTest reports) on an error.
template <class T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error("unexpected error: " + r.error().message);
  return std::move(r).value();
}
void Must(Result<void> r) {
  if (!r.ok()) throw std::runtime_error("unexpected error: " + r.error().message);
}

template <class T>
std::optional<ErrorCode> ErrorOf(const Result<T>& r) {
  if (r.ok()) return std::nullopt;
  return r.error().code;
}

std::optional<std::int64_t> Secs(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return ToUnixSeconds(*t);
}

// Every field of a record as a printable tuple, so one EXPECT_EQ compares (and shows) them all.
auto Fields(const ClientRecord& c) {
  return std::tuple(c.id, c.name, c.secret_hash, c.redirect_uris, c.post_logout_redirect_uris,
                    c.web_origins, c.resource_server_for, c.frontchannel_logout_uri,
                    c.frontchannel_logout_session_required, c.backchannel_logout_uri,
                    c.backchannel_logout_session_required, c.id_token_signed_response_alg,
                    ToUnixSeconds(c.created_at));
}
auto Fields(const UserRecord& u) {
  return std::tuple(u.id, u.username, u.password_hash, u.name, u.email,
                    ToUnixSeconds(u.created_at));
}
auto Fields(const SessionRecord& s) {
  return std::tuple(s.key_hash, s.sid, s.user_id, ToUnixSeconds(s.auth_time),
                    ToUnixSeconds(s.created_at), ToUnixSeconds(s.last_seen_at), Secs(s.ended_at),
                    s.end_cause, s.browser_state);
}
auto Fields(const ParticipantRecord& p) {
  return std::tuple(p.sid, p.client_id, p.protocol, ToUnixSeconds(p.first_seen_at),
                    ToUnixSeconds(p.last_seen_at), p.saml);
}
auto Fields(const SamlServiceProviderRecord& sp) {
  return std::tuple(sp.entity_id, sp.name, sp.metadata_xml, sp.name_id_format,
                    sp.released_attributes, sp.require_signed_requests, sp.allow_idp_initiated,
                    sp.slo_binding, ToUnixSeconds(sp.created_at));
}
auto Fields(const AuthorizationCodeRecord& c) {
  return std::tuple(c.code_hash, c.grant_id, c.client_id, c.redirect_uri, c.user_id, c.sid, c.scope,
                    c.nonce, c.code_challenge, c.code_challenge_method, ToUnixSeconds(c.auth_time),
                    ToUnixSeconds(c.issued_at), ToUnixSeconds(c.expires_at), c.consumed);
}
auto Fields(const TokenRecord& t) {
  return std::tuple(t.token_hash, t.kind, t.grant_id, t.client_id, t.user_id, t.sid, t.scope,
                    ToUnixSeconds(t.issued_at), ToUnixSeconds(t.expires_at), t.revoked);
}
auto Fields(const SigningKeyRecord& k) {
  return std::tuple(k.kid, k.alg, k.private_key_pem, ToUnixSeconds(k.created_at),
                    Secs(k.retired_at), Secs(k.unpublish_at), Secs(k.activates_at));
}
auto Fields(const LogoutNotificationRecord& n) {
  return std::tuple(n.id, n.sid, n.user_id, n.client_id, n.channel, n.status, n.attempts,
                    n.last_error, ToUnixSeconds(n.created_at), ToUnixSeconds(n.next_attempt_at),
                    Secs(n.lease_until), Secs(n.delivered_at));
}

template <class Record>
auto AllFields(const std::vector<Record>& records) {
  std::vector<decltype(Fields(records.front()))> out;
  for (const Record& r : records) out.push_back(Fields(r));
  return out;
}

ClientRecord Client(std::string id) {
  ClientRecord c;
  c.id = id;
  c.name = "Client " + id;
  c.redirect_uris = {"https://" + id + ".example/cb"};
  c.created_at = At(0);
  return c;
}

UserRecord User(std::string id, std::string username) {
  UserRecord u;
  u.id = std::move(id);
  u.username = std::move(username);
  u.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
  u.name = "Name of " + u.username;
  u.email = u.username + "@example.com";
  u.created_at = At(1);
  return u;
}

SessionRecord Session(std::string sid, std::string user_id, std::int64_t created) {
  SessionRecord s;
  s.key_hash = "key-" + sid;
  s.sid = std::move(sid);
  s.user_id = std::move(user_id);
  s.auth_time = At(created);
  s.created_at = At(created);
  s.last_seen_at = At(created);
  s.browser_state = "opbs-" + s.sid;
  return s;
}

AuthorizationCodeRecord Code(std::string code_hash) {
  AuthorizationCodeRecord c;
  c.code_hash = std::move(code_hash);
  c.grant_id = "grant-1";
  c.client_id = "app";
  c.redirect_uri = "https://app.example/cb";
  c.user_id = "u1";
  c.sid = "s1";
  c.scope = "openid profile";
  c.nonce = "n-0S6_WzA2Mj";
  c.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  c.code_challenge_method = "S256";
  c.auth_time = At(10);
  c.issued_at = At(20);
  c.expires_at = At(80);
  return c;
}

TokenRecord Token(std::string hash, TokenKind kind, std::string grant_id,
                  std::optional<std::string> sid, std::string scope) {
  TokenRecord t;
  t.token_hash = std::move(hash);
  t.kind = kind;
  t.grant_id = std::move(grant_id);
  t.client_id = "app";
  t.user_id = "u1";
  t.sid = std::move(sid);
  t.scope = std::move(scope);
  t.issued_at = At(0);
  t.expires_at = At(3600);
  return t;
}

SigningKeyRecord Key(std::string kid, std::int64_t created) {
  SigningKeyRecord k;
  k.kid = std::move(kid);
  k.alg = "RS256";
  k.private_key_pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
  k.created_at = At(created);
  return k;
}

LogoutNotificationRecord Notification(std::string sid, std::string client_id,
                                      std::int64_t next_attempt) {
  LogoutNotificationRecord n;
  n.sid = std::move(sid);
  n.user_id = "u1";
  n.client_id = std::move(client_id);
  n.created_at = At(0);
  n.next_attempt_at = At(next_attempt);
  return n;
}

// Enqueues `n` alone; its id.
std::int64_t Enqueue(Store& store, const LogoutNotificationRecord& n) {
  return Must(store.EnqueueNotifications(n, std::span(&n.client_id, 1))).front();
}

std::vector<std::int64_t> Ids(const std::vector<LogoutNotificationRecord>& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& r : rows) ids.push_back(r.id);
  return ids;
}

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
  SessionRecord ended = Session("s2", "u1", 1);
  ended.ended_at = At(99);
  ended.end_cause = "admin";
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
  EXPECT_TRUE(Must(store().ReauthenticateSession("s1", "new-key", At(900))));
  EXPECT_FALSE(Must(store().FindSessionByKeyHash("key-s1")).has_value());
  auto session = Must(store().FindSessionByKeyHash("new-key"));
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->sid, "s1");
  EXPECT_EQ(session->auth_time, At(900));
  EXPECT_EQ(session->last_seen_at, At(900));

  Must(store().EndSession("s1", "admin", At(950)));
  EXPECT_FALSE(Must(store().ReauthenticateSession("s1", "third-key", At(990))));
  EXPECT_FALSE(Must(store().ReauthenticateSession("unknown", "k", At(990))));
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

TEST_P(StoreConformance, SamlParticipantIsFoundByItsSessionIndexAtItsServiceProvider) {
  SamlSubject subject{"alice", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                      "https://id.example", "https://sp.example", "_idx-1"};
  Must(store().AddParticipant({.sid = "s1",
                               .client_id = "https://sp.example",
                               .protocol = "saml",
                               .first_seen_at = At(1),
                               .last_seen_at = At(1),
                               .saml = subject}));
  auto found = Must(store().FindSamlParticipant("https://sp.example", "_idx-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->sid, "s1");
  EXPECT_EQ(found->saml, subject);
  EXPECT_FALSE(Must(store().FindSamlParticipant("https://other.example", "_idx-1")).has_value());
  EXPECT_FALSE(Must(store().FindSamlParticipant("https://sp.example", "_idx-2")).has_value());
}

TEST_P(StoreConformance, ServiceProvidersRoundTripAndAreRemoved) {
  SamlServiceProviderRecord sp;
  sp.entity_id = "https://sp.example/metadata";
  sp.name = "Wiki";
  sp.metadata_xml = "<md:EntityDescriptor entityID=\"https://sp.example/metadata\"/>";
  sp.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
  sp.released_attributes = {"email", "name"};
  sp.require_signed_requests = false;
  sp.allow_idp_initiated = true;
  sp.slo_binding = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP";
  sp.created_at = At(3);
  Must(store().PutServiceProvider(sp));
  EXPECT_EQ(ErrorOf(store().PutServiceProvider(sp)), ErrorCode::kAlreadyExists);
  auto found = Must(store().FindServiceProvider(sp.entity_id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Fields(*found), Fields(sp));
  EXPECT_EQ(AllFields(Must(store().ListServiceProviders())), AllFields(std::vector{sp}));
  EXPECT_TRUE(Must(store().RemoveServiceProvider(sp.entity_id)));
  EXPECT_FALSE(Must(store().RemoveServiceProvider(sp.entity_id)));
  EXPECT_FALSE(Must(store().FindServiceProvider(sp.entity_id)).has_value());
}

TEST_P(StoreConformance, RememberedMessagesAreReplaysUntilPurged) {
  EXPECT_TRUE(Must(store().RememberMessage("https://sp.example", "_m1", At(100))));
  EXPECT_FALSE(Must(store().RememberMessage("https://sp.example", "_m1", At(200))));
  EXPECT_TRUE(Must(store().RememberMessage("https://other.example", "_m1", At(100))));
  EXPECT_EQ(Must(store().PurgeMessages(At(50))), 0);
  EXPECT_EQ(Must(store().PurgeMessages(At(150))), 2);
  EXPECT_TRUE(Must(store().RememberMessage("https://sp.example", "_m1", At(300))));
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

TEST_P(StoreConformance, ConsumeCodeReturnsItOnceThenReportsReplay) {
  AuthorizationCodeRecord code = Code("c1");
  Must(store().PutCode(code));

  auto first = Must(store().ConsumeCode("c1"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Fields(*first), Fields(code));

  auto replay = Must(store().ConsumeCode("c1"));
  ASSERT_TRUE(replay.has_value());
  code.consumed = true;
  EXPECT_EQ(Fields(*replay), Fields(code));
}

TEST_P(StoreConformance, CodeWithoutNonceOrChallengeRoundTrips) {
  AuthorizationCodeRecord code = Code("c1");
  code.nonce.reset();
  code.code_challenge.reset();
  code.code_challenge_method = "";
  Must(store().PutCode(code));
  EXPECT_EQ(Fields(*Must(store().ConsumeCode("c1"))), Fields(code));
}

TEST_P(StoreConformance, DuplicateOrUnknownCode) {
  Must(store().PutCode(Code("c1")));
  EXPECT_EQ(ErrorOf(store().PutCode(Code("c1"))), ErrorCode::kAlreadyExists);
  EXPECT_FALSE(Must(store().ConsumeCode("c2")).has_value());
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

  EXPECT_EQ(Must(store().RevokeGrant("g1")), 2);
  EXPECT_TRUE(Must(store().FindToken("a"))->revoked);
  EXPECT_TRUE(Must(store().FindToken("r"))->revoked);
  EXPECT_FALSE(Must(store().FindToken("other"))->revoked);
  EXPECT_EQ(Must(store().RevokeGrant("g1")), 0);
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

TEST_P(StoreConformance, RevokeSessionCredentialsDeletesTheSessionsCodes) {
  Must(store().PutCode(Code("outstanding")));
  AuthorizationCodeRecord other = Code("other-session");
  other.sid = "s2";
  Must(store().PutCode(other));

  EXPECT_EQ(Must(store().RevokeSessionCredentials("s1", true)), 1);
  EXPECT_FALSE(Must(store().ConsumeCode("outstanding")).has_value());
  EXPECT_TRUE(Must(store().ConsumeCode("other-session")).has_value());
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

  EXPECT_EQ(Must(store().RevokeOfflineGrants("u1", std::string_view("app"))), 2);
  EXPECT_TRUE(Must(store().FindToken("off-a"))->revoked);
  EXPECT_FALSE(Must(store().FindToken("other-app"))->revoked);
  EXPECT_EQ(Must(store().RevokeOfflineGrants("u1", std::nullopt)), 1);
  EXPECT_TRUE(Must(store().FindToken("other-app"))->revoked);
  EXPECT_FALSE(Must(store().FindToken("online"))->revoked);
  EXPECT_FALSE(Must(store().FindToken("other-user"))->revoked);
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
  AuthorizationCodeRecord old_code = Code("old-code");
  old_code.expires_at = At(99);
  AuthorizationCodeRecord live_code = Code("live-code");
  live_code.expires_at = At(100);
  TokenRecord old_token = Token("old-token", TokenKind::kAccess, "g1", "s1", "openid");
  old_token.expires_at = At(50);
  TokenRecord live_token = Token("live-token", TokenKind::kRefresh, "g1", "s1", "openid");
  live_token.expires_at = At(100);
  Must(store().PutCode(old_code));
  Must(store().PutCode(live_code));
  Must(store().PutToken(old_token));
  Must(store().PutToken(live_token));

  EXPECT_EQ(Must(store().PurgeExpired(At(100))), 2);
  EXPECT_FALSE(Must(store().ConsumeCode("old-code")).has_value());
  EXPECT_TRUE(Must(store().ConsumeCode("live-code")).has_value());
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

TEST_P(StoreConformance, DuplicateKeyIsAlreadyExistsAndUnknownUpdateIsNotFound) {
  Must(store().PutKey(Key("k1", 100)));
  EXPECT_EQ(ErrorOf(store().PutKey(Key("k1", 200))), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ErrorOf(store().UpdateKey(Key("k9", 100))), ErrorCode::kNotFound);
}

// ---- Logout outbox

TEST_P(StoreConformance, EnqueueNotificationsReturnsTheIdsInTheBatchOrder) {
  LogoutNotificationRecord each = Notification("s1", "", 5);
  each.attempts = 2;
  each.last_error = "HTTP 503";
  each.lease_until = At(40);
  each.delivered_at = At(41);
  const std::vector<std::string> clients = {"zeta", "alpha", "mid"};
  Enqueue(store(), Notification("s2", "other", 7));

  const auto ids = Must(store().EnqueueNotifications(each, clients));
  ASSERT_EQ(ids.size(), clients.size());
  std::vector<LogoutNotificationRecord> expected;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    expected.push_back(each);
    expected.back().id = ids[i];
    expected.back().client_id = clients[i];
  }
  auto listed = Must(store().ListNotifications("s1", 10));
  std::sort(listed.begin(), listed.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  std::sort(expected.begin(), expected.end(),
            [](const auto& x, const auto& y) { return x.id < y.id; });
  EXPECT_EQ(AllFields(listed), AllFields(expected));
  EXPECT_TRUE(Must(store().EnqueueNotifications(each, {})).empty());
}

TEST_P(StoreConformance, EnqueueAssignsIdsAndListRoundTrips) {
  LogoutNotificationRecord n = Notification("s1", "app", 5);
  n.channel = "frontchannel";
  const std::int64_t first = Enqueue(store(), n);
  const std::int64_t second = Enqueue(store(), Notification("s1", "wiki", 5));
  EXPECT_NE(first, second);

  n.id = first;
  auto listed = Must(store().ListNotifications("s1", 10));
  ASSERT_EQ(listed.size(), 2u);
  auto it =
      std::find_if(listed.begin(), listed.end(), [&](const auto& r) { return r.id == first; });
  ASSERT_NE(it, listed.end());
  EXPECT_EQ(Fields(*it), Fields(n));
}

TEST_P(StoreConformance, ClaimTakesDueUnleasedRowsUpToLimitEarliestFirst) {
  const auto late = Enqueue(store(), Notification("s1", "c", 30));
  const auto early = Enqueue(store(), Notification("s1", "a", 10));
  const auto middle = Enqueue(store(), Notification("s1", "b", 20));
  Enqueue(store(), Notification("s1", "future", 1000));

  auto claimed = Must(store().ClaimDueNotifications(At(100), At(200), 2));
  EXPECT_EQ(Ids(claimed), (std::vector{early, middle}));
  for (const auto& n : claimed) EXPECT_EQ(Secs(n.lease_until), ToUnixSeconds(At(200)));

  EXPECT_EQ(Ids(Must(store().ClaimDueNotifications(At(100), At(200), 10))), (std::vector{late}));
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(100), At(200), 10)).empty());
}

TEST_P(StoreConformance, ExpiredLeaseIsClaimedAgain) {
  const auto id = Enqueue(store(), Notification("s1", "app", 0));
  ASSERT_EQ(Ids(Must(store().ClaimDueNotifications(At(0), At(30), 10))), (std::vector{id}));
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(29), At(60), 10)).empty());
  EXPECT_EQ(Ids(Must(store().ClaimDueNotifications(At(30), At(60), 10))), (std::vector{id}));
}

TEST_P(StoreConformance, MarkDeliveredRetryAndFailed) {
  const auto delivered = Enqueue(store(), Notification("s1", "a", 0));
  const auto retried = Enqueue(store(), Notification("s1", "b", 0));
  const auto failed = Enqueue(store(), Notification("s1", "c", 0));
  ASSERT_EQ(Must(store().ClaimDueNotifications(At(0), At(30), 10)).size(), 3u);

  Must(store().MarkDelivered(delivered, At(5), 1));
  Must(store().MarkRetry(retried, At(100), 2, "HTTP 503"));
  Must(store().MarkFailed(failed, 5, "HTTP 400"));

  auto rows = Must(store().ListNotifications("s1", 10));
  auto row = [&](std::int64_t id) {
    return *std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.id == id; });
  };
  LogoutNotificationRecord d = row(delivered);
  EXPECT_EQ(d.status, NotificationStatus::kDelivered);
  EXPECT_EQ(Secs(d.delivered_at), ToUnixSeconds(At(5)));
  EXPECT_EQ(d.attempts, 1);
  EXPECT_FALSE(d.lease_until.has_value());
  LogoutNotificationRecord r = row(retried);
  EXPECT_EQ(r.status, NotificationStatus::kPending);
  EXPECT_EQ(r.next_attempt_at, At(100));
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.last_error, "HTTP 503");
  EXPECT_FALSE(r.lease_until.has_value());
  LogoutNotificationRecord f = row(failed);
  EXPECT_EQ(f.status, NotificationStatus::kFailed);
  EXPECT_EQ(f.attempts, 5);
  EXPECT_EQ(f.last_error, "HTTP 400");
  EXPECT_FALSE(f.lease_until.has_value());

  // Only the retried row comes back, and only once it is due.
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(99), At(130), 10)).empty());
  EXPECT_EQ(Ids(Must(store().ClaimDueNotifications(At(100), At(130), 10))), (std::vector{retried}));
}

TEST_P(StoreConformance, MarkingAnUnknownNotificationIsNotFound) {
  EXPECT_EQ(ErrorOf(store().MarkDelivered(404, At(0), 1)), ErrorCode::kNotFound);
  EXPECT_EQ(ErrorOf(store().MarkRetry(404, At(0), 1, "x")), ErrorCode::kNotFound);
  EXPECT_EQ(ErrorOf(store().MarkFailed(404, 1, "x")), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ListNotificationsBySessionOrNewest) {
  const auto a1 = Enqueue(store(), Notification("s1", "a", 0));
  const auto b1 = Enqueue(store(), Notification("s2", "a", 0));
  const auto a2 = Enqueue(store(), Notification("s1", "b", 0));

  auto sorted_ids = [](std::vector<LogoutNotificationRecord> rows) {
    auto ids = Ids(rows);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(sorted_ids(Must(store().ListNotifications("s1", 10))), (std::vector{a1, a2}));
  EXPECT_EQ(sorted_ids(Must(store().ListNotifications(std::nullopt, 2))), (std::vector{b1, a2}));
  EXPECT_EQ(Must(store().ListNotifications(std::nullopt, 10)).size(), 3u);
  EXPECT_TRUE(Must(store().ListNotifications("s3", 10)).empty());
}

// ---- Transactions

TEST_P(StoreConformance, InTransactionCommitsWhenBodySucceeds) {
  Must(store().InTransaction([](Store& tx) -> Result<void> {
    GH_RETURN_IF_ERROR(tx.PutUser(User("u1", "alice")));
    GH_ASSIGN_OR_RETURN(auto seen, tx.FindUserById("u1"));  // the body sees its own writes
    if (!seen) return Error::Internal("own write not visible");
    return tx.CreateSession(Session("s1", "u1", 0));
  }));
  EXPECT_TRUE(Must(store().FindUserById("u1")).has_value());
  EXPECT_TRUE(Must(store().FindSessionBySid("s1")).has_value());
}

TEST_P(StoreConformance, InTransactionLeavesNoTraceWhenBodyFails) {
  Must(store().PutKey(Key("k1", 0)));
  auto result = store().InTransaction([](Store& tx) -> Result<void> {
    GH_RETURN_IF_ERROR(tx.PutUser(User("u1", "alice")));
    GH_RETURN_IF_ERROR(tx.CreateSession(Session("s1", "u1", 0)));
    SigningKeyRecord retired = Key("k1", 0);
    retired.retired_at = At(9);
    GH_RETURN_IF_ERROR(tx.UpdateKey(retired));
    return Error::FailedPrecondition("changed my mind");
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(result.error().message, "changed my mind");
  EXPECT_FALSE(Must(store().FindUserById("u1")).has_value());
  EXPECT_FALSE(Must(store().FindSessionBySid("s1")).has_value());
  EXPECT_FALSE(Must(store().ListKeys()).front().retired_at.has_value());
}

TEST_P(StoreConformance, InTransactionRollsBackAndRethrowsWhenBodyThrows) {
  EXPECT_THROW(Must(store().InTransaction([](Store& tx) -> Result<void> {
                 Must(tx.PutUser(User("u1", "alice")));
                 throw std::logic_error("bug");
               })),
               std::logic_error);
  EXPECT_FALSE(Must(store().FindUserById("u1")).has_value());
  // The store is still usable afterwards.
  Must(store().PutUser(User("u1", "alice")));
}

TEST_P(StoreConformance, NestedInTransactionRollsBackOnlyItself) {
  Must(store().InTransaction([](Store& tx) -> Result<void> {
    GH_RETURN_IF_ERROR(tx.PutUser(User("u1", "alice")));
    auto inner = tx.InTransaction([](Store& inner_tx) -> Result<void> {
      GH_RETURN_IF_ERROR(inner_tx.PutUser(User("u2", "bob")));
      return Error::InvalidArgument("inner fails");
    });
    if (inner.ok()) return Error::Internal("inner failure was lost");
    return Ok();
  }));
  EXPECT_TRUE(Must(store().FindUserById("u1")).has_value());
  EXPECT_FALSE(Must(store().FindUserById("u2")).has_value());
}

// ---- Concurrency

// Starts `n` threads running `body(i)` as close to together as possible, and waits for them.
template <class Body>
void RunTogether(int n, const Body& body) {
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < n) std::this_thread::yield();
      body(i);
    });
  }
  for (auto& t : threads) t.join();
}

TEST_P(StoreConformance, ConcurrentConsumeCodeHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  Must(store().PutCode(Code("c1")));
  std::atomic<int> winners{0};
  std::atomic<int> replays{0};
  std::atomic<int> errors{0};
  RunTogether(kThreads, [&](int) {
    auto r = store().ConsumeCode("c1");
    if (!r.ok() || !r->has_value()) {
      ++errors;
    } else if ((*r)->consumed) {
      ++replays;
    } else {
      ++winners;
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(replays.load(), kThreads - 1);
}

TEST_P(StoreConformance, ConcurrentClaimsClaimEveryRowExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr int kRows = 120;
  std::vector<std::int64_t> enqueued;
  for (int i = 0; i < kRows; ++i) {
    enqueued.push_back(Enqueue(store(), Notification("s1", "c", i % 7)));
  }
  std::vector<std::vector<std::int64_t>> claimed(kThreads);
  std::atomic<int> errors{0};
  RunTogether(kThreads, [&](int i) {
    // Bounded, so a store that hands rows out twice fails instead of spinning forever.
    for (int round = 0; round < kRows; ++round) {
      auto batch = store().ClaimDueNotifications(At(10), At(1000), 5);
      if (!batch.ok()) {
        ++errors;
        return;
      }
      if (batch->empty()) return;
      for (const auto& n : *batch) claimed[i].push_back(n.id);
    }
  });
  EXPECT_EQ(errors.load(), 0);
  std::vector<std::int64_t> all;
  for (const auto& ids : claimed) all.insert(all.end(), ids.begin(), ids.end());
  std::sort(all.begin(), all.end());
  std::sort(enqueued.begin(), enqueued.end());
  EXPECT_EQ(all, enqueued);
}

TEST_P(StoreConformance, CountsNotificationsByStatus) {
  const auto a = Enqueue(store(), Notification("s1", "a", 0));
  const auto b = Enqueue(store(), Notification("s1", "b", 0));
  Enqueue(store(), Notification("s1", "c", 0));
  Must(store().MarkDelivered(a, At(1), 1));
  Must(store().MarkFailed(b, 3, "gone"));
  auto counts = Must(store().CountNotifications());
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.delivered, 1);
  EXPECT_EQ(counts.failed, 1);
}

LogoutContextRecord Context(std::string id_hash) {
  LogoutContextRecord c;
  c.id_hash = std::move(id_hash);
  c.sid = "s1";
  c.client_id = "mail";
  c.post_logout_redirect_uri = "https://mail.example/bye?x=1";
  c.state = "st";
  c.ui_locales = "de en";
  c.saml_initiator = LogoutContextRecord::SamlInitiator{
      "https://sp.example", "_req1", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
      "https://sp.example/slo", " a&b=c "};
  c.created_at = At(0);
  c.expires_at = At(600);
  return c;
}

TEST_P(StoreConformance, LogoutContextRoundTripsAndIsUsedOnce) {
  Must(store().PutLogoutContext(Context("ctx")));
  LogoutContextRecord bare;
  bare.id_hash = "bare";
  bare.created_at = At(0);
  bare.expires_at = At(10);
  Must(store().PutLogoutContext(bare));
  EXPECT_EQ(ErrorOf(store().PutLogoutContext(bare)), ErrorCode::kAlreadyExists);

  auto found = Must(store().FindLogoutContext("ctx"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->client_id, "mail");
  EXPECT_EQ(found->post_logout_redirect_uri, "https://mail.example/bye?x=1");
  EXPECT_EQ(found->state, "st");
  EXPECT_EQ(found->ui_locales, "de en");
  EXPECT_EQ(found->saml_initiator, Context("ctx").saml_initiator);
  EXPECT_EQ(ToUnixSeconds(found->expires_at), ToUnixSeconds(At(600)));
  EXPECT_FALSE(found->used_at.has_value());
  auto found_bare = Must(store().FindLogoutContext("bare"));
  ASSERT_TRUE(found_bare.has_value());
  EXPECT_FALSE(found_bare->client_id.has_value());
  EXPECT_FALSE(found_bare->state.has_value());
  EXPECT_FALSE(found_bare->saml_initiator.has_value());

  EXPECT_TRUE(Must(store().UseLogoutContext("ctx", At(5))));
  EXPECT_FALSE(Must(store().UseLogoutContext("ctx", At(6))));
  EXPECT_FALSE(Must(store().UseLogoutContext("missing", At(6))));
  EXPECT_EQ(Secs(Must(store().FindLogoutContext("ctx"))->used_at), ToUnixSeconds(At(5)));
  EXPECT_FALSE(Must(store().FindLogoutContext("missing")).has_value());

  EXPECT_EQ(Must(store().PurgeLogoutContexts(At(100))), 1);
  EXPECT_FALSE(Must(store().FindLogoutContext("bare")).has_value());
  EXPECT_TRUE(Must(store().FindLogoutContext("ctx")).has_value());
}

TEST_P(StoreConformance, RetentionPurgesOnlySettledHistoryOlderThanTheCutoff) {
  Must(store().CreateSession(Session("old", "u1", 0)));
  Must(store().CreateSession(Session("recent", "u1", 0)));
  Must(store().CreateSession(Session("active", "u1", 0)));
  Must(store().AddParticipant({.sid = "old", .client_id = "mail", .protocol = "oidc"}));
  Must(store().EndSession("old", "admin", At(10)));
  Must(store().EndSession("recent", "admin", At(100)));
  EXPECT_EQ(Must(store().PurgeEndedSessions(At(50))), 1);
  EXPECT_FALSE(Must(store().FindSessionBySid("old")).has_value());
  EXPECT_TRUE(Must(store().ListParticipants("old")).empty());
  EXPECT_TRUE(Must(store().FindSessionBySid("recent")).has_value());
  EXPECT_TRUE(Must(store().FindSessionBySid("active")).has_value());

  LogoutNotificationRecord each;
  each.sid = "old";
  each.user_id = "u1";
  each.created_at = At(10);
  each.next_attempt_at = At(10);
  std::vector<std::string> clients = {"delivered", "failed", "pending"};
  auto ids = Must(store().EnqueueNotifications(each, clients));
  Must(store().MarkDelivered(ids[0], At(11), 1));
  Must(store().MarkFailed(ids[1], 3, "gone"));
  EXPECT_EQ(Must(store().PurgeSettledNotifications(At(50))), 2);
  auto left = Must(store().ListNotifications(std::string("old"), 10));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].client_id, "pending");

  EventRecord e;
  e.type = "session.ended";
  e.detail = "{}";
  e.at = At(10);
  Must(store().AppendEvent(e));
  e.at = At(100);
  Must(store().AppendEvent(e));
  EXPECT_EQ(Must(store().PurgeEvents(At(50))), 1);
  EXPECT_EQ(Must(store().ListEvents(0, 10)).size(), 1u);
}

TEST_P(StoreConformance, LogoutContextIsUsedByExactlyOneConcurrentCaller) {
  Must(store().PutLogoutContext(Context("ctx")));
  std::atomic<int> winners{0};
  RunTogether(8, [&](int) {
    auto used = store().UseLogoutContext("ctx", At(1));
    if (used.ok() && *used) ++winners;
  });
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(StoreConformance, EventsAreListedInOrderAfterAnId) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    EventRecord e;
    e.at = At(i);
    e.type = "session.ended";
    e.sid = "s" + std::to_string(i);
    e.user_id = "u1";
    e.client_id = i % 2 ? "mail" : "";
    e.detail = R"({"cause":"rp_logout"})";
    ids.push_back(Must(store().AppendEvent(e)));
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  auto all = Must(store().ListEvents(0, 100));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[1].sid, "s1");
  EXPECT_EQ(all[1].client_id, "mail");
  EXPECT_EQ(all[1].detail, R"({"cause":"rp_logout"})");
  EXPECT_EQ(ToUnixSeconds(all[1].at), ToUnixSeconds(At(1)));
  auto tail = Must(store().ListEvents(ids[2], 2));
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].id, ids[3]);
  EXPECT_EQ(tail[1].id, ids[4]);
}

}  // namespace
}  // namespace gh::store
