// The vocabulary of the StoreConformance tests (store_conformance*.cc): record builders with
// fixed times, Must/ErrorOf for results, and Fields/AllFields that turn records into tuples so
// that one EXPECT_EQ compares and prints every field. Test-only.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "store/store.h"
#include "support/records.h"

namespace gh::store::conformance {

// Times are whole seconds: that is the precision the contract promises.
inline TimePoint At(std::int64_t offset) { return FromUnixSeconds(1'700'000'000 + offset); }

// The outbox lease holder the tests claim as, unless they play two dispatchers.
inline constexpr std::string_view kHolder = "dispatcher-a";

// Unwraps a result, failing the test (by exception, which GoogleTest reports) on an error.
template <class T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error("unexpected error: " + r.error().message);
  return std::move(r).value();
}
inline void Must(Result<void> r) {
  if (!r.ok()) throw std::runtime_error("unexpected error: " + r.error().message);
}

template <class T>
std::optional<ErrorCode> ErrorOf(const Result<T>& r) {
  if (r.ok()) return std::nullopt;
  return r.error().code;
}

inline std::optional<std::int64_t> Secs(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return ToUnixSeconds(*t);
}

// Every field of a record as a printable tuple, so one EXPECT_EQ compares (and shows) them all.
inline auto Fields(const ClientRecord& c) {
  return std::tuple(c.id, c.name, c.secret_hash, c.redirect_uris, c.post_logout_redirect_uris,
                    c.web_origins, c.resource_server_for, c.frontchannel_logout_uri,
                    c.frontchannel_logout_session_required, c.backchannel_logout_uri,
                    c.backchannel_logout_session_required, c.id_token_signed_response_alg,
                    c.access_token_audience, c.grant_types, ToUnixSeconds(c.created_at));
}
inline auto Fields(const UserRecord& u) {
  return std::tuple(u.id, u.username, u.password_hash, u.name, u.email,
                    ToUnixSeconds(u.created_at));
}
inline auto Fields(const SessionRecord& s) {
  return std::tuple(s.key_hash, s.sid, s.user_id, ToUnixSeconds(s.auth_time),
                    ToUnixSeconds(s.created_at), ToUnixSeconds(s.last_seen_at), Secs(s.ended_at),
                    s.end_cause, s.browser_state, s.method);
}
inline auto Fields(const ParticipantRecord& p) {
  return std::tuple(p.sid, p.client_id, p.protocol, ToUnixSeconds(p.first_seen_at),
                    ToUnixSeconds(p.last_seen_at), p.saml);
}
inline auto Fields(const SamlServiceProviderRecord& sp) {
  return std::tuple(sp.entity_id, sp.name, sp.metadata_xml, sp.name_id_format,
                    sp.released_attributes, sp.require_signed_requests, sp.allow_idp_initiated,
                    sp.slo_binding, ToUnixSeconds(sp.created_at));
}
inline auto Fields(const TokenRecord& t) {
  return std::tuple(t.token_hash, t.kind, t.grant_id, t.client_id, t.user_id, t.sid, t.scope,
                    ToUnixSeconds(t.issued_at), ToUnixSeconds(t.expires_at), t.revoked);
}
inline auto Fields(const SigningKeyRecord& k) {
  return std::tuple(k.kid, k.alg, k.private_key_pem, ToUnixSeconds(k.created_at),
                    Secs(k.retired_at), Secs(k.unpublish_at), Secs(k.activates_at));
}
inline auto Fields(const LogoutNotificationRecord& n) {
  return std::tuple(n.id, n.sid, n.user_id, n.client_id, n.channel, n.status, n.attempts,
                    n.last_error, ToUnixSeconds(n.created_at), ToUnixSeconds(n.next_attempt_at),
                    Secs(n.lease_until), Secs(n.delivered_at));
}

template <class Record>
inline auto AllFields(const std::vector<Record>& records) {
  std::vector<decltype(Fields(records.front()))> out;
  for (const Record& r : records) out.push_back(Fields(r));
  return out;
}

inline ClientRecord Client(std::string id) {
  ClientRecord c;
  c.id = id;
  c.name = "Client " + id;
  c.redirect_uris = {"https://" + id + ".example/cb"};
  c.created_at = At(0);
  return c;
}

inline UserRecord User(std::string id, std::string username) {
  UserRecord u;
  u.id = std::move(id);
  u.username = std::move(username);
  u.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
  u.name = "Name of " + u.username;
  u.email = u.username + "@example.com";
  u.created_at = At(1);
  return u;
}

inline SessionRecord Session(std::string sid, std::string user_id, std::int64_t created) {
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

inline TokenRecord Token(std::string hash, TokenKind kind, std::string grant_id,
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

inline SigningKeyRecord Key(std::string kid, std::int64_t created) {
  SigningKeyRecord k;
  k.kid = std::move(kid);
  k.alg = "RS256";
  k.private_key_pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
  k.created_at = At(created);
  return k;
}

inline LogoutNotificationRecord Notification(std::string sid, std::string client_id,
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
inline std::int64_t Enqueue(Store& store, const LogoutNotificationRecord& n) {
  return Must(store.EnqueueNotifications(n, std::span(&n.client_id, 1))).front();
}

inline std::vector<std::int64_t> Ids(const std::vector<LogoutNotificationRecord>& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& r : rows) ids.push_back(r.id);
  return ids;
}

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

}  // namespace gh::store::conformance
