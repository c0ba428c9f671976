// Store: persistence behind narrow interfaces. Every implementation (SQLite now, PostgreSQL
// later) passes the same conformance suite (store/store_conformance.h).
//
// All calls are synchronous and may block: call them from the worker pool, never an I/O thread.
// Implementations are thread-safe. Errors: kAlreadyExists on a duplicate key, kUnavailable when
// the database fails.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace gh::store {

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  virtual Result<void> PutClient(const ClientRecord& client) = 0;  // kAlreadyExists if present
  virtual Result<std::optional<ClientRecord>> FindClient(std::string_view id) = 0;
  virtual Result<std::vector<ClientRecord>> ListClients() = 0;
  virtual Result<bool> RemoveClient(std::string_view id) = 0;  // false if there was none
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual Result<void> PutUser(const UserRecord& user) = 0;  // kAlreadyExists on id or username
  virtual Result<std::optional<UserRecord>> FindUserById(std::string_view id) = 0;
  virtual Result<std::optional<UserRecord>> FindUserByUsername(std::string_view username) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  // Every user with this email address (addresses are not unique), oldest first.
  virtual Result<std::vector<UserRecord>> FindUsersByEmail(std::string_view email) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Result<void> CreateSession(const SessionRecord& session) = 0;
  virtual Result<std::optional<SessionRecord>> FindSessionByKeyHash(std::string_view key_hash) = 0;
  virtual Result<std::optional<SessionRecord>> FindSessionBySid(std::string_view sid) = 0;
  virtual Result<void> TouchSession(std::string_view sid, TimePoint last_seen_at) = 0;
  // A re-authentication of an active session's user: a new key (the old cookie stops working)
  // and a new auth_time, last_seen_at with it. false if the session is not active.
  virtual Result<bool> ReauthenticateSession(std::string_view sid, std::string_view key_hash,
                                             TimePoint auth_time, const SignInMethod& method) = 0;
  // Marks an active session ended. false if it was already ended or does not exist.
  virtual Result<bool> EndSession(std::string_view sid, std::string_view cause, TimePoint at) = 0;
  // Sessions of `user_id` (all users when empty), newest first; ended ones only if asked.
  virtual Result<std::vector<SessionRecord>> ListSessions(std::string_view user_id,
                                                          bool include_ended) = 0;
  // Active sessions whose last_seen_at is before `idle_cutoff` or auth_time before
  // `absolute_cutoff`, at most `limit`.
  virtual Result<std::vector<SessionRecord>> FindExpiredSessions(TimePoint idle_cutoff,
                                                                 TimePoint absolute_cutoff,
                                                                 int limit) = 0;

  // Removes sessions that ended before `cutoff`, with their participants. How many sessions.
  virtual Result<int> PurgeEndedSessions(TimePoint cutoff) = 0;

  // Records that `client_id` received tokens in session `sid` (idempotent; refreshes last_seen).
  virtual Result<void> AddParticipant(const ParticipantRecord& participant) = 0;
  virtual Result<std::vector<ParticipantRecord>> ListParticipants(std::string_view sid) = 0;
  // `client_id`'s participation in `sid`, without reading the others': one SP's sign-out
  // message must not cost a read of every participant.
  virtual Result<std::optional<ParticipantRecord>> FindParticipant(std::string_view sid,
                                                                   std::string_view client_id) = 0;
  // The registrations of the clients that took part in `sid` (not those removed since), in one
  // round trip however many there are: a sign-out with 1000 participants must not make 1000.
  virtual Result<std::vector<ClientRecord>> ListParticipantClients(std::string_view sid) = 0;
};

class GrantStore {
 public:
  virtual ~GrantStore() = default;
  // Records that the authorization code hashed as `code_hash` (oidc/authorization_code.h) has been
  // redeemed: kAlreadyExists when it was before, so that of concurrent redemptions exactly one
  // succeeds. Nothing else of the code is stored: the code carries its content itself. The record
  // is kept until `expires_at`, the code's own expiry (sealed in it, so the same at every
  // redemption of it), after which no redemption would get past the expiry check anyway.
  virtual Result<void> RecordCodeUse(std::string_view code_hash, TimePoint expires_at) = 0;

  virtual Result<void> PutToken(const TokenRecord& token) = 0;
  virtual Result<std::optional<TokenRecord>> FindToken(std::string_view token_hash) = 0;
  virtual Result<bool> RevokeToken(std::string_view token_hash) = 0;  // false if none/already
  // Revokes every recorded token of grant `grant_id` and remembers the grant as revoked until
  // `until`, which must outlive the grant's unrecorded access tokens (oidc/sealed_access_token.h):
  // they are refused while it is remembered (IsGrantRevoked). How many tokens were newly revoked.
  virtual Result<int> RevokeGrant(std::string_view grant_id, TimePoint until) = 0;
  virtual Result<bool> IsGrantRevoked(std::string_view grant_id) = 0;
  // Revokes the tokens bound to session `sid`; refresh tokens whose scope has offline_access are
  // kept when `keep_offline`. Returns how many it revoked. (No code of the session can be
  // redeemed after it ends: a redemption joins the client to the session in its transaction.)
  virtual Result<int> RevokeSessionCredentials(std::string_view sid, bool keep_offline) = 0;
  // RevokeGrant for every offline_access grant of `user_id` (of `client_id` only, when given),
  // found by their refresh tokens. How many tokens were newly revoked.
  virtual Result<int> RevokeOfflineGrants(std::string_view user_id,
                                          std::optional<std::string_view> client_id,
                                          TimePoint until) = 0;
  // Removes used-code records, tokens and revoked-grant records that expired before `cutoff`.
  virtual Result<int> PurgeExpired(TimePoint cutoff) = 0;
};

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;
  // Records (replacing any earlier one) what `consent.user_id` granted `consent.client_id`.
  virtual Result<void> PutConsent(const ConsentRecord& consent) = 0;
  virtual Result<std::optional<ConsentRecord>> FindConsent(std::string_view user_id,
                                                           std::string_view client_id) = 0;
  virtual Result<std::vector<ConsentRecord>> ListConsents(std::string_view user_id) = 0;
  // false if there was none.
  virtual Result<bool> RemoveConsent(std::string_view user_id, std::string_view client_id) = 0;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual Result<void> PutKey(const SigningKeyRecord& key) = 0;
  // Stores `key` unless a key of its algorithm already signs at `now` (not retired, active), in
  // one atomic step: of several nodes starting together on an empty store, one key is kept and
  // the others find it. Whether `key` was stored.
  virtual Result<bool> PutFirstKey(const SigningKeyRecord& key, TimePoint now) = 0;
  virtual Result<std::vector<SigningKeyRecord>> ListKeys() = 0;     // oldest first
  virtual Result<void> UpdateKey(const SigningKeyRecord& key) = 0;  // by kid
};

// Keeps a registration (OutboxStore::WatchOutbox) alive; destroying it ends the calls.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Calls `wake`, from a thread of the store's, soon after any process sharing the store queues
  // notifications, so that this process's dispatcher need not wait for its next poll. nullptr
  // when the backend has no such signal (SQLite's processes only poll).
  virtual std::unique_ptr<Subscription> WatchOutbox(std::function<void()> wake) = 0;
  // Inserts a copy of `each` (its client_id aside) for every client in `client_ids`, in one round
  // trip however many — a sign-out may notify a thousand. Their ids, in the same order. `each` is
  // pending for the outbox to deliver, or an outcome already known (a confirmation the browser
  // brought back), which the outbox never claims.
  virtual Result<std::vector<std::int64_t>> EnqueueNotifications(
      const LogoutNotificationRecord& each, std::span<const std::string> client_ids) = 0;
  // Atomically claims up to `limit` pending rows due at `now` whose lease is absent or expired,
  // setting their lease to `lease_until`, held by `holder`. Two concurrent callers never claim
  // the same row.
  virtual Result<std::vector<LogoutNotificationRecord>> ClaimDueNotifications(
      TimePoint now, TimePoint lease_until, int limit, std::string_view holder) = 0;
  // The outcome of a delivery, recorded only while `holder` still holds the row's lease: a
  // dispatcher whose lease ran out and was claimed by another must not overwrite that one's
  // result. true when recorded, false when the lease is another's (or the row settled);
  // kNotFound for an unknown id.
  virtual Result<bool> MarkDelivered(std::int64_t id, std::string_view holder, TimePoint at,
                                     int attempts) = 0;
  virtual Result<bool> MarkRetry(std::int64_t id, std::string_view holder,
                                 TimePoint next_attempt_at, int attempts,
                                 std::string_view error) = 0;
  virtual Result<bool> MarkFailed(std::int64_t id, std::string_view holder, int attempts,
                                  std::string_view error) = 0;
  // Extends `holder`'s lease on a pending row to `lease_until`; false when the lease is no longer
  // `holder`'s (or the row settled), kNotFound for an unknown id.
  virtual Result<bool> RenewLease(std::int64_t id, std::string_view holder,
                                  TimePoint lease_until) = 0;
  virtual Result<NotificationCounts> CountNotifications() = 0;
  // Removes delivered and failed notifications created before `cutoff`; pending ones stay until
  // they settle. How many were removed.
  virtual Result<int> PurgeSettledNotifications(TimePoint cutoff) = 0;
  // By session when `sid` is set, else the newest `limit` rows.
  virtual Result<std::vector<LogoutNotificationRecord>> ListNotifications(
      std::optional<std::string> sid, int limit) = 0;
};

class LogoutContextStore {
 public:
  virtual ~LogoutContextStore() = default;
  virtual Result<void> PutLogoutContext(const LogoutContextRecord& context) = 0;
  virtual Result<std::optional<LogoutContextRecord>> FindLogoutContext(
      std::string_view id_hash) = 0;
  // Marks the context used at `at` unless it already was; true for exactly one caller.
  virtual Result<bool> UseLogoutContext(std::string_view id_hash, TimePoint at) = 0;
  // Removes contexts that expired before `cutoff`.
  virtual Result<int> PurgeLogoutContexts(TimePoint cutoff) = 0;
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  // Appends and returns the event's id.
  virtual Result<std::int64_t> AppendEvent(const EventRecord& event) = 0;
  // Events with id > `after_id`, oldest first, at most `limit`.
  virtual Result<std::vector<EventRecord>> ListEvents(std::int64_t after_id, int limit) = 0;
  // Removes events recorded before `cutoff`; how many.
  virtual Result<int> PurgeEvents(TimePoint cutoff) = 0;
};

// Secrets every node of one deployment must share (e.g. the CSRF MAC key), created once.
class ServerSecretStore {
 public:
  virtual ~ServerSecretStore() = default;
  // The secret called `name`: the stored one, or `candidate`, stored now, when there is none.
  // Concurrent first calls agree on one value.
  virtual Result<std::string> ServerSecret(std::string_view name, std::string_view candidate,
                                           TimePoint now) = 0;
};

// SAML 2.0 state: registered service providers and the message ids already accepted.
class SamlStore {
 public:
  virtual ~SamlStore() = default;
  virtual Result<void> PutServiceProvider(const SamlServiceProviderRecord& sp) = 0;  // or exists
  virtual Result<std::optional<SamlServiceProviderRecord>> FindServiceProvider(
      std::string_view entity_id) = 0;
  virtual Result<std::vector<SamlServiceProviderRecord>> ListServiceProviders() = 0;
  virtual Result<bool> RemoveServiceProvider(std::string_view entity_id) = 0;  // false if none
  // Records that message `id` from `issuer` was accepted, to be remembered until `expires_at`.
  // false when it already was: a replay.
  virtual Result<bool> RememberMessage(std::string_view issuer, std::string_view id,
                                       TimePoint expires_at) = 0;
  // Forgets message `id` of `issuer` at once, so that a sender retrying after an error of ours is
  // not taken for a replay. (The same cache keeps the jti of upstream logout tokens.)
  virtual Result<void> ForgetMessage(std::string_view issuer, std::string_view id) = 0;
  // Forgets messages remembered until before `cutoff`; how many.
  virtual Result<int> PurgeMessages(TimePoint cutoff) = 0;
  // The SAML participant that `entity_id` knows by `session_index`, in whatever session.
  virtual Result<std::optional<ParticipantRecord>> FindSamlParticipant(
      std::string_view entity_id, std::string_view session_index) = 0;
};

// Federation: the upstream identity providers sessions came from (federation/).
class FederationStore {
 public:
  virtual ~FederationStore() = default;
  // Records (replacing any earlier one) the upstream session behind IdP session `link.sid`.
  virtual Result<void> PutUpstreamLink(const UpstreamLinkRecord& link) = 0;
  virtual Result<std::optional<UpstreamLinkRecord>> FindUpstreamLink(std::string_view sid) = 0;
  // The sids of the active sessions that came from `upstream` with upstream session `session_id`
  // (when given) of `subject` (when given; at least one of the two is). An empty value matches
  // nothing: links from upstreams without session ids keep an empty session_id, and a forged
  // empty sid must not name them all.
  virtual Result<std::vector<std::string>> FindSessionsFromUpstream(
      std::string_view upstream, std::optional<std::string_view> subject,
      std::optional<std::string_view> session_id) = 0;

  virtual Result<void> PutUpstreamRequest(const UpstreamRequestRecord& request) = 0;
  // The live request, left in place (to ask the person a question before going on).
  virtual Result<std::optional<UpstreamRequestRecord>> FindUpstreamRequest(
      std::string_view state_hash, TimePoint now) = 0;
  // Removes and returns the live request: of two concurrent calls, one gets it. nullopt when
  // unknown, expired or already taken.
  virtual Result<std::optional<UpstreamRequestRecord>> TakeUpstreamRequest(
      std::string_view state_hash, TimePoint now) = 0;
  virtual Result<int> PurgeUpstreamRequests(TimePoint cutoff) = 0;

  virtual Result<void> PutFederatedIdentity(const FederatedIdentityRecord& identity) = 0;
  virtual Result<std::optional<FederatedIdentityRecord>> FindFederatedIdentity(
      std::string_view upstream, std::string_view subject) = 0;
};

class Store : public ClientStore,
              public UserStore,
              public SessionStore,
              public GrantStore,
              public ConsentStore,
              public KeyStore,
              public OutboxStore,
              public LogoutContextStore,
              public EventStore,
              public ServerSecretStore,
              public SamlStore,
              public FederationStore {
 public:
  // Runs `body` against a view of the store inside one transaction: committed when `body`
  // succeeds, rolled back when it fails. Do not call other store methods on `this` inside body.
  virtual Result<void> InTransaction(const std::function<Result<void>(Store& tx)>& body) = 0;
};

}  // namespace gh::store
