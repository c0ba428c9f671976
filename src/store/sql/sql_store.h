// SqlStore: the Store written once in SQL, for every database backend.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace gh::store::sql {

class Connection;
class ConnectionPool;
class Lease;

// The Store in SQL, over whichever database a driver connects to (store/sqlite/ for one node,
// store/postgres/ for many): each call borrows one of a few pooled connections, so calls on
// different worker threads run in parallel as far as the database lets them. The backends' open
// functions create the schema; this class only reads and writes it.
class SqlStore final : public Store {
 public:
  // How a backend watches for notifications queued by other processes (WatchOutbox); empty
  // when it cannot.
  using OutboxWatcher = std::function<std::unique_ptr<Subscription>(std::function<void()> wake)>;

  SqlStore(std::shared_ptr<ConnectionPool> pool, OutboxWatcher watch_outbox);
  ~SqlStore() override;
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  Result<void> PutClient(const ClientRecord& client) override;
  Result<std::optional<ClientRecord>> FindClient(std::string_view id) override;
  Result<std::vector<ClientRecord>> ListClients() override;
  Result<bool> RemoveClient(std::string_view id) override;

  Result<void> PutUser(const UserRecord& user) override;
  Result<std::optional<UserRecord>> FindUserById(std::string_view id) override;
  Result<std::optional<UserRecord>> FindUserByUsername(std::string_view username) override;
  Result<std::vector<UserRecord>> ListUsers() override;
  Result<std::vector<UserRecord>> FindUsersByEmail(std::string_view email) override;

  Result<void> CreateSession(const SessionRecord& session) override;
  Result<std::optional<SessionRecord>> FindSessionByKeyHash(std::string_view key_hash) override;
  Result<std::optional<SessionRecord>> FindSessionBySid(std::string_view sid) override;
  Result<void> TouchSession(std::string_view sid, TimePoint last_seen_at) override;
  Result<int> PurgeEndedSessions(TimePoint cutoff) override;
  Result<bool> ReauthenticateSession(std::string_view sid, std::string_view key_hash,
                                     TimePoint auth_time, const SignInMethod& method) override;
  Result<bool> EndSession(std::string_view sid, std::string_view cause, TimePoint at) override;
  Result<std::vector<SessionRecord>> ListSessions(std::string_view user_id,
                                                  bool include_ended) override;
  Result<std::vector<SessionRecord>> FindExpiredSessions(TimePoint idle_cutoff,
                                                         TimePoint absolute_cutoff,
                                                         int limit) override;
  Result<void> AddParticipant(const ParticipantRecord& participant) override;
  Result<std::vector<ParticipantRecord>> ListParticipants(std::string_view sid) override;
  Result<std::optional<ParticipantRecord>> FindParticipant(std::string_view sid,
                                                           std::string_view client_id) override;
  Result<std::vector<ClientRecord>> ListParticipantClients(std::string_view sid) override;

  Result<void> RecordCodeUse(std::string_view code_hash, TimePoint expires_at) override;
  Result<void> PutToken(const TokenRecord& token) override;
  Result<std::optional<TokenRecord>> FindToken(std::string_view token_hash) override;
  Result<bool> RevokeToken(std::string_view token_hash) override;
  Result<int> RevokeGrant(std::string_view grant_id, TimePoint until) override;
  Result<bool> IsGrantRevoked(std::string_view grant_id) override;
  Result<int> RevokeSessionCredentials(std::string_view sid, bool keep_offline) override;
  Result<int> RevokeOfflineGrants(std::string_view user_id,
                                  std::optional<std::string_view> client_id,
                                  TimePoint until) override;
  Result<int> PurgeExpired(TimePoint cutoff) override;

  Result<void> PutConsent(const ConsentRecord& consent) override;
  Result<std::optional<ConsentRecord>> FindConsent(std::string_view user_id,
                                                   std::string_view client_id) override;
  Result<std::vector<ConsentRecord>> ListConsents(std::string_view user_id) override;
  Result<bool> RemoveConsent(std::string_view user_id, std::string_view client_id) override;

  Result<void> PutKey(const SigningKeyRecord& key) override;
  Result<bool> PutFirstKey(const SigningKeyRecord& key, TimePoint now) override;
  Result<std::vector<SigningKeyRecord>> ListKeys() override;
  Result<void> UpdateKey(const SigningKeyRecord& key) override;

  std::unique_ptr<Subscription> WatchOutbox(std::function<void()> wake) override;
  Result<std::vector<std::int64_t>> EnqueueNotifications(
      const LogoutNotificationRecord& each, std::span<const std::string> client_ids) override;
  Result<std::vector<LogoutNotificationRecord>> ClaimDueNotifications(
      TimePoint now, TimePoint lease_until, int limit, std::string_view holder) override;
  Result<bool> MarkDelivered(std::int64_t id, std::string_view holder, TimePoint at,
                             int attempts) override;
  Result<bool> MarkRetry(std::int64_t id, std::string_view holder, TimePoint next_attempt_at,
                         int attempts, std::string_view error) override;
  Result<bool> MarkFailed(std::int64_t id, std::string_view holder, int attempts,
                          std::string_view error) override;
  Result<bool> RenewLease(std::int64_t id, std::string_view holder, TimePoint lease_until) override;
  Result<std::vector<LogoutNotificationRecord>> ListNotifications(std::optional<std::string> sid,
                                                                  int limit) override;
  Result<NotificationCounts> CountNotifications() override;

  Result<void> PutLogoutContext(const LogoutContextRecord& context) override;
  Result<std::optional<LogoutContextRecord>> FindLogoutContext(std::string_view id_hash) override;
  Result<bool> UseLogoutContext(std::string_view id_hash, TimePoint at) override;
  Result<int> PurgeLogoutContexts(TimePoint cutoff) override;
  Result<int> PurgeSettledNotifications(TimePoint cutoff) override;
  Result<int> PurgeEvents(TimePoint cutoff) override;

  Result<std::int64_t> AppendEvent(const EventRecord& event) override;
  Result<std::vector<EventRecord>> ListEvents(std::int64_t after_id, int limit) override;

  Result<void> PutServiceProvider(const SamlServiceProviderRecord& sp) override;
  Result<std::optional<SamlServiceProviderRecord>> FindServiceProvider(
      std::string_view entity_id) override;
  Result<std::vector<SamlServiceProviderRecord>> ListServiceProviders() override;
  Result<bool> RemoveServiceProvider(std::string_view entity_id) override;
  Result<bool> RememberMessage(std::string_view issuer, std::string_view id,
                               TimePoint expires_at) override;
  Result<int> PurgeMessages(TimePoint cutoff) override;
  Result<std::optional<ParticipantRecord>> FindSamlParticipant(
      std::string_view entity_id, std::string_view session_index) override;

  Result<void> ForgetMessage(std::string_view issuer, std::string_view id) override;

  Result<void> PutUpstreamLink(const UpstreamLinkRecord& link) override;
  Result<std::optional<UpstreamLinkRecord>> FindUpstreamLink(std::string_view sid) override;
  Result<std::vector<std::string>> FindSessionsFromUpstream(
      std::string_view upstream, std::optional<std::string_view> subject,
      std::optional<std::string_view> session_id) override;
  Result<void> PutUpstreamRequest(const UpstreamRequestRecord& request) override;
  Result<std::optional<UpstreamRequestRecord>> FindUpstreamRequest(std::string_view state_hash,
                                                                   TimePoint now) override;
  Result<std::optional<UpstreamRequestRecord>> TakeUpstreamRequest(std::string_view state_hash,
                                                                   TimePoint now) override;
  Result<int> PurgeUpstreamRequests(TimePoint cutoff) override;
  Result<void> PutFederatedIdentity(const FederatedIdentityRecord& identity) override;
  Result<std::optional<FederatedIdentityRecord>> FindFederatedIdentity(
      std::string_view upstream, std::string_view subject) override;

  // Inside a transaction view, nests as a savepoint.
  Result<std::string> ServerSecret(std::string_view name, std::string_view candidate,
                                   TimePoint now) override;

  Result<void> InTransaction(const std::function<Result<void>(Store& tx)>& body) override;

 private:
  // `tx` is set for the view InTransaction hands to its body: every call then runs on that
  // connection, inside its open transaction, instead of borrowing from the pool.
  SqlStore(std::shared_ptr<ConnectionPool> pool, OutboxWatcher watch_outbox, Connection* tx);

  Result<Lease> Borrow();

  std::shared_ptr<ConnectionPool> pool_;
  OutboxWatcher watch_outbox_;
  Connection* tx_ = nullptr;
};

}  // namespace gh::store::sql
