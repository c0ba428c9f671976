#include "store/sql/sql_store.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/sql/pool.h"
#include "store/sql/rows.h"
#include "store/sql/statement.h"

namespace gh::store::sql {

namespace {

// The lists a client registration holds, each in its own `kind` of client_values rows.
struct ClientList {
  const char* kind;
  std::vector<std::string> ClientRecord::*member;
};
constexpr ClientList kClientLists[] = {
    {"redirect", &ClientRecord::redirect_uris},
    {"post_logout_redirect", &ClientRecord::post_logout_redirect_uris},
    {"web_origin", &ClientRecord::web_origins},
    {"resource_server_for", &ClientRecord::resource_server_for},
};

Result<void> InsertClientValues(Connection& db, const ClientRecord& client) {
  for (const ClientList& list : kClientLists) {
    const auto& values = client.*list.member;
    for (int position = 0; position < static_cast<int>(values.size()); ++position) {
      GH_RETURN_IF_ERROR(Execute(
          db, "INSERT INTO client_values (client_id, kind, position, value) VALUES (?, ?, ?, ?)",
          client.id, list.kind, position, values[position]));
    }
  }
  return Ok();
}

// Fills in the lists of `clients` with one query, whatever their number. `client_ids` is a
// subquery (with `args`) selecting the ids of the same clients.
template <class... Args>
Result<void> LoadClientValues(Connection& db, std::vector<ClientRecord>& clients,
                              std::string_view client_ids, const Args&... args) {
  if (clients.empty()) return Ok();
  std::unordered_map<std::string_view, ClientRecord*> by_id;
  for (ClientRecord& client : clients) by_id.emplace(client.id, &client);
  GH_ASSIGN_OR_RETURN(
      auto rows,
      QueryAll(
          db,
          Cat("SELECT client_id, kind, value FROM client_values WHERE client_id IN (", client_ids,
              ") ORDER BY client_id, kind, position"),
          [](const Row& s) { return std::tuple(s.Text(0), s.Text(1), s.Text(2)); }, args...));
  for (auto& [client_id, kind, value] : rows) {
    auto it = by_id.find(client_id);
    if (it == by_id.end()) continue;
    for (const ClientList& list : kClientLists)
      if (kind == list.kind) ((*it->second).*list.member).push_back(std::move(value));
  }
  return Ok();
}

// Whether a token's scope holds offline_access. Padding with spaces matches the whole scope word
// only; LIKE would treat the underscore in offline_access as a wildcard.
std::string HasOfflineScope(const Connection& db) {
  return Cat(db.dialect().find_in_text, "(' ' || scope || ' ', ' offline_access ') > 0");
}

}  // namespace

SqlStore::SqlStore(std::shared_ptr<ConnectionPool> pool, OutboxWatcher watch_outbox)
    : SqlStore(std::move(pool), std::move(watch_outbox), nullptr) {}

SqlStore::SqlStore(std::shared_ptr<ConnectionPool> pool, OutboxWatcher watch_outbox, Connection* tx)
    : pool_(std::move(pool)), watch_outbox_(std::move(watch_outbox)), tx_(tx) {}

SqlStore::~SqlStore() = default;

Result<Lease> SqlStore::Borrow() {
  if (tx_ != nullptr) return Lease(nullptr, tx_);
  GH_ASSIGN_OR_RETURN(Connection * c, pool_->Acquire());
  return Lease(pool_.get(), c);
}

Result<void> SqlStore::InTransaction(const std::function<Result<void>(Store& tx)>& body) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  SqlStore view(pool_, watch_outbox_, &*db);
  return Transact(*db, TxMode::kWrite, [&] { return body(view); });
}

// Server secrets

Result<std::string> SqlStore::ServerSecret(std::string_view name, std::string_view candidate,
                                           TimePoint now) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kWrite, [&]() -> Result<std::string> {
    GH_RETURN_IF_ERROR(Execute(*db,
                               "INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, "
                               "?) ON CONFLICT (name) DO NOTHING",
                               name, candidate, now));
    GH_ASSIGN_OR_RETURN(auto value, QueryOne(
                                        *db, "SELECT value FROM server_secrets WHERE name = ?",
                                        [](const Row& s) { return s.Text(0); }, name));
    return value.value_or("");
  });
}

// Clients

Result<void> SqlStore::PutClient(const ClientRecord& c) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kWrite, [&]() -> Result<void> {
    GH_RETURN_IF_ERROR(Execute(
        *db,
        Cat("INSERT INTO clients (", kClientColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        c.id, c.name, c.secret_hash, c.frontchannel_logout_uri,
        c.frontchannel_logout_session_required, c.backchannel_logout_uri,
        c.backchannel_logout_session_required, c.id_token_signed_response_alg, c.created_at,
        c.access_token_audience, JoinWords(c.grant_types)));
    return InsertClientValues(*db, c);
  });
}

Result<std::optional<ClientRecord>> SqlStore::FindClient(std::string_view id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kRead, [&]() -> Result<std::optional<ClientRecord>> {
    GH_ASSIGN_OR_RETURN(auto clients,
                        QueryAll(*db, Cat("SELECT ", kClientColumns, " FROM clients WHERE id = ?"),
                                 ReadClient, id));
    GH_RETURN_IF_ERROR(LoadClientValues(*db, clients, "?", id));
    if (clients.empty()) return std::optional<ClientRecord>();
    return std::optional(std::move(clients.front()));
  });
}

Result<std::vector<ClientRecord>> SqlStore::ListClients() {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kRead, [&]() -> Result<std::vector<ClientRecord>> {
    GH_ASSIGN_OR_RETURN(
        auto clients,
        QueryAll(*db, Cat("SELECT ", kClientColumns, " FROM clients ORDER BY id"), ReadClient));
    GH_RETURN_IF_ERROR(LoadClientValues(*db, clients, "SELECT id FROM clients"));
    return clients;
  });
}

Result<bool> SqlStore::RemoveClient(std::string_view id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(int removed, Execute(*db, "DELETE FROM clients WHERE id = ?", id));
  return removed > 0;
}

// Users

Result<void> SqlStore::PutUser(const UserRecord& u) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(
      Execute(*db, Cat("INSERT INTO users (", kUserColumns, ") VALUES (?, ?, ?, ?, ?, ?)"), u.id,
              u.username, u.password_hash, u.name, u.email, u.created_at));
  return Ok();
}

Result<std::optional<UserRecord>> SqlStore::FindUserById(std::string_view id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db, Cat("SELECT ", kUserColumns, " FROM users WHERE id = ?"), ReadUser, id);
}

Result<std::optional<UserRecord>> SqlStore::FindUserByUsername(std::string_view username) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db, Cat("SELECT ", kUserColumns, " FROM users WHERE username = ?"), ReadUser,
                  username);
}

Result<std::vector<UserRecord>> SqlStore::FindUsersByEmail(std::string_view email) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(
      *db, Cat("SELECT ", kUserColumns, " FROM users WHERE email = ? ORDER BY created_at, id"),
      ReadUser, email);
}

Result<std::vector<UserRecord>> SqlStore::ListUsers() {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(*db, Cat("SELECT ", kUserColumns, " FROM users ORDER BY username"), ReadUser);
}

// Sessions

Result<void> SqlStore::CreateSession(const SessionRecord& s) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(*db,
                             Cat("INSERT INTO sessions (", kSessionColumns,
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             s.key_hash, s.sid, s.user_id, s.auth_time, s.created_at,
                             s.last_seen_at, s.ended_at, s.end_cause, s.browser_state, s.method.idp,
                             JoinWords(s.method.amr), s.method.acr));
  return Ok();
}

Result<std::optional<SessionRecord>> SqlStore::FindSessionByKeyHash(std::string_view key_hash) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db, Cat("SELECT ", kSessionColumns, " FROM sessions WHERE key_hash = ?"),
                  ReadSession, key_hash);
}

Result<std::optional<SessionRecord>> SqlStore::FindSessionBySid(std::string_view sid) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db, Cat("SELECT ", kSessionColumns, " FROM sessions WHERE sid = ?"), ReadSession,
                  sid);
}

Result<void> SqlStore::TouchSession(std::string_view sid, TimePoint last_seen_at) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(
      Execute(*db, "UPDATE sessions SET last_seen_at = ? WHERE sid = ? AND ended_at IS NULL",
              last_seen_at, sid));
  return Ok();
}

Result<int> SqlStore::PurgeEndedSessions(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kWrite, [&]() -> Result<int> {
    for (const char* table : {"participants", "upstream_links"}) {
      GH_RETURN_IF_ERROR(Execute(*db,
                                 Cat("DELETE FROM ", table,
                                     " WHERE sid IN (SELECT sid FROM sessions "
                                     "WHERE ended_at IS NOT NULL AND ended_at < ?)"),
                                 cutoff));
    }
    return Execute(*db, "DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?", cutoff);
  });
}

Result<bool> SqlStore::ReauthenticateSession(std::string_view sid, std::string_view key_hash,
                                             TimePoint auth_time, const SignInMethod& method) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(
      int changed,
      Execute(*db,
              "UPDATE sessions SET key_hash = ?1, auth_time = ?2, last_seen_at = ?2, idp = ?4, "
              "amr = ?5, acr = ?6 WHERE sid = ?3 AND ended_at IS NULL",
              key_hash, auth_time, sid, method.idp, JoinWords(method.amr), method.acr));
  return changed > 0;
}

Result<bool> SqlStore::EndSession(std::string_view sid, std::string_view cause, TimePoint at) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(
      int ended,
      Execute(*db,
              "UPDATE sessions SET ended_at = ?, end_cause = ? WHERE sid = ? AND ended_at IS NULL",
              at, cause, sid));
  return ended > 0;
}

Result<std::vector<SessionRecord>> SqlStore::ListSessions(std::string_view user_id,
                                                          bool include_ended) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  const std::string select = Cat("SELECT ", kSessionColumns, " FROM sessions WHERE ");
  constexpr char kFilterAndOrder[] =
      "(?1 OR ended_at IS NULL) ORDER BY created_at DESC, rowid DESC";
  if (user_id.empty()) {
    return QueryAll(*db, Cat(select, kFilterAndOrder), ReadSession, include_ended);
  }
  return QueryAll(*db, Cat(select, "user_id = ?2 AND ", kFilterAndOrder), ReadSession,
                  include_ended, user_id);
}

Result<std::vector<SessionRecord>> SqlStore::FindExpiredSessions(TimePoint idle_cutoff,
                                                                 TimePoint absolute_cutoff,
                                                                 int limit) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(
      *db,
      Cat("SELECT ", kSessionColumns,
          " FROM sessions WHERE ended_at IS NULL AND (last_seen_at < ? OR auth_time < ?)"
          " ORDER BY last_seen_at, sid LIMIT ?"),
      ReadSession, idle_cutoff, absolute_cutoff, limit);
}

Result<void> SqlStore::AddParticipant(const ParticipantRecord& p) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  // The CASE keeps last_seen_at from moving backwards when concurrent requests land out of order.
  GH_RETURN_IF_ERROR(Execute(
      *db,
      Cat("INSERT INTO participants (", kParticipantColumns,
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sid, client_id) DO UPDATE "
          "SET last_seen_at = CASE WHEN excluded.last_seen_at > participants.last_seen_at "
          "THEN excluded.last_seen_at ELSE participants.last_seen_at END"),
      p.sid, p.client_id, p.protocol, p.first_seen_at, p.last_seen_at,
      Field(p.saml, &SamlSubject::name_id), Field(p.saml, &SamlSubject::format),
      Field(p.saml, &SamlSubject::name_qualifier), Field(p.saml, &SamlSubject::sp_name_qualifier),
      Field(p.saml, &SamlSubject::session_index)));
  return Ok();
}

Result<std::vector<ParticipantRecord>> SqlStore::ListParticipants(std::string_view sid) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(*db,
                  Cat("SELECT ", kParticipantColumns,
                      " FROM participants WHERE sid = ? ORDER BY first_seen_at, client_id"),
                  ReadParticipant, sid);
}

Result<std::optional<ParticipantRecord>> SqlStore::FindParticipant(std::string_view sid,
                                                                   std::string_view client_id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(
      *db,
      Cat("SELECT ", kParticipantColumns, " FROM participants WHERE sid = ? AND client_id = ?"),
      ReadParticipant, sid, client_id);
}

Result<std::vector<ClientRecord>> SqlStore::ListParticipantClients(std::string_view sid) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kRead, [&]() -> Result<std::vector<ClientRecord>> {
    constexpr char kParticipantIds[] = "SELECT client_id FROM participants WHERE sid = ?";
    GH_ASSIGN_OR_RETURN(auto clients,
                        QueryAll(*db,
                                 Cat("SELECT ", kClientColumns, " FROM clients WHERE id IN (",
                                     kParticipantIds, ") ORDER BY id"),
                                 ReadClient, sid));
    GH_RETURN_IF_ERROR(LoadClientValues(*db, clients, kParticipantIds, sid));
    return clients;
  });
}

// Codes and tokens

Result<void> SqlStore::RecordCodeUse(std::string_view code_hash, TimePoint expires_at) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(*db, "INSERT INTO used_codes (expires_at, code_hash) VALUES (?, ?)",
                             expires_at, code_hash));
  return Ok();
}

Result<void> SqlStore::PutToken(const TokenRecord& t) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(
      *db, Cat("INSERT INTO tokens (", kTokenColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      t.token_hash, TokenKindName(t.kind), t.grant_id, t.client_id, t.user_id, t.sid, t.scope,
      t.issued_at, t.expires_at, t.revoked));
  return Ok();
}

Result<std::optional<TokenRecord>> SqlStore::FindToken(std::string_view token_hash) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db, Cat("SELECT ", kTokenColumns, " FROM tokens WHERE token_hash = ?"),
                  ReadToken, token_hash);
}

Result<bool> SqlStore::RevokeToken(std::string_view token_hash) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(
      int revoked,
      Execute(*db, "UPDATE tokens SET revoked = TRUE WHERE token_hash = ? AND revoked = FALSE",
              token_hash));
  return revoked > 0;
}

namespace {

// Remembers the grants `grants_sql` selects (with `params`, from ?2) as revoked until `until`; a
// grant remembered already is kept at least as long as it was. (SQLite reads the ON of an upsert
// after a bare SELECT as a join's: hence WHERE TRUE.)
template <class... Params>
Result<int> RememberRevokedGrants(Connection& db, std::string_view grants_sql, TimePoint until,
                                  const Params&... params) {
  return Execute(db,
                 Cat("INSERT INTO revoked_grants (grant_id, expires_at) SELECT grant_id, ?1 FROM (",
                     grants_sql,
                     ") AS revoked WHERE TRUE ON CONFLICT (grant_id) DO UPDATE SET expires_at = "
                     "excluded.expires_at WHERE excluded.expires_at > revoked_grants.expires_at"),
                 until, params...);
}

}  // namespace

Result<int> SqlStore::RevokeGrant(std::string_view grant_id, TimePoint until) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kWrite, [&]() -> Result<int> {
    GH_RETURN_IF_ERROR(RememberRevokedGrants(*db, "SELECT ?2 AS grant_id", until, grant_id));
    return Execute(*db, "UPDATE tokens SET revoked = TRUE WHERE grant_id = ? AND revoked = FALSE",
                   grant_id);
  });
}

Result<bool> SqlStore::IsGrantRevoked(std::string_view grant_id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(auto found, QueryOne(
                                      *db, "SELECT 1 FROM revoked_grants WHERE grant_id = ?",
                                      [](const Row&) { return true; }, grant_id));
  return found.has_value();
}

Result<int> SqlStore::RevokeSessionCredentials(std::string_view sid, bool keep_offline) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Execute(*db,
                 Cat("UPDATE tokens SET revoked = TRUE WHERE sid = ?1 AND revoked = FALSE AND NOT "
                     "(?2 AND kind = 'refresh' AND ",
                     HasOfflineScope(*db), ")"),
                 sid, keep_offline);
}

Result<int> SqlStore::RevokeOfflineGrants(std::string_view user_id,
                                          std::optional<std::string_view> client_id,
                                          TimePoint until) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  // The grants are found by their offline refresh tokens; every token of such a grant goes.
  // `user` and `client` are the query's placeholders, numbered for the statement it is part of.
  auto offline_grants = [&](std::string_view user, std::string_view client) {
    return Cat("SELECT DISTINCT grant_id FROM tokens WHERE user_id = ", user,
               " AND kind = 'refresh' AND (", client, " IS NULL OR client_id = ", client, ") AND ",
               HasOfflineScope(*db));
  };
  return Transact(*db, TxMode::kWrite, [&]() -> Result<int> {
    GH_RETURN_IF_ERROR(
        RememberRevokedGrants(*db, offline_grants("?2", "?3"), until, user_id, client_id));
    return Execute(*db,
                   Cat("UPDATE tokens SET revoked = TRUE WHERE revoked = FALSE AND grant_id IN (",
                       offline_grants("?1", "?2"), ")"),
                   user_id, client_id);
  });
}

// Consents

namespace {

constexpr char kConsentColumns[] = "user_id, client_id, scope, granted_at";

ConsentRecord ReadConsent(const Row& s) {
  return ConsentRecord{s.Text(0), s.Text(1), s.Text(2), s.Time(3)};
}

}  // namespace

Result<void> SqlStore::PutConsent(const ConsentRecord& c) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(*db,
                             Cat("INSERT INTO consents (", kConsentColumns,
                                 ") VALUES (?, ?, ?, ?) ON CONFLICT (user_id, client_id) DO "
                                 "UPDATE SET scope = excluded.scope, granted_at = "
                                 "excluded.granted_at"),
                             c.user_id, c.client_id, c.scope, c.granted_at));
  return Ok();
}

Result<std::optional<ConsentRecord>> SqlStore::FindConsent(std::string_view user_id,
                                                           std::string_view client_id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(
      *db, Cat("SELECT ", kConsentColumns, " FROM consents WHERE user_id = ? AND client_id = ?"),
      ReadConsent, user_id, client_id);
}

Result<std::vector<ConsentRecord>> SqlStore::ListConsents(std::string_view user_id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(
      *db, Cat("SELECT ", kConsentColumns, " FROM consents WHERE user_id = ? ORDER BY client_id"),
      ReadConsent, user_id);
}

Result<bool> SqlStore::RemoveConsent(std::string_view user_id, std::string_view client_id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(
      int removed,
      Execute(*db, "DELETE FROM consents WHERE user_id = ? AND client_id = ?", user_id, client_id));
  return removed > 0;
}

Result<int> SqlStore::PurgeExpired(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Transact(*db, TxMode::kWrite, [&]() -> Result<int> {
    GH_ASSIGN_OR_RETURN(int codes,
                        Execute(*db, "DELETE FROM used_codes WHERE expires_at < ?", cutoff));
    GH_ASSIGN_OR_RETURN(int tokens,
                        Execute(*db, "DELETE FROM tokens WHERE expires_at < ?", cutoff));
    GH_ASSIGN_OR_RETURN(int grants,
                        Execute(*db, "DELETE FROM revoked_grants WHERE expires_at < ?", cutoff));
    return codes + tokens + grants;
  });
}

// Signing keys

Result<void> SqlStore::PutKey(const SigningKeyRecord& k) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(
      *db, Cat("INSERT INTO signing_keys (", kKeyColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?)"), k.kid,
      k.alg, k.private_key_pem, k.created_at, k.retired_at, k.unpublish_at, k.activates_at));
  return Ok();
}

Result<bool> SqlStore::PutFirstKey(const SigningKeyRecord& k, TimePoint now) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  // The check and the insert must not interleave with another node's: SQLite's write
  // transaction excludes every other writer, PostgreSQL's needs the lock.
  return Transact(*db, TxMode::kWrite, [&]() -> Result<bool> {
    GH_RETURN_IF_ERROR(LockExclusively(*db, Lock::kFirstKey));
    GH_ASSIGN_OR_RETURN(
        int inserted,
        Execute(*db,
                Cat("INSERT INTO signing_keys (", kKeyColumns,
                    ") SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS (SELECT 1 FROM "
                    "signing_keys WHERE alg = ?2 AND (retired_at IS NULL OR retired_at > ?8) AND "
                    "(activates_at IS NULL OR activates_at <= ?8))"),
                k.kid, k.alg, k.private_key_pem, k.created_at, k.retired_at, k.unpublish_at,
                k.activates_at, now));
    return inserted > 0;
  });
}

Result<std::vector<SigningKeyRecord>> SqlStore::ListKeys() {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(*db, Cat("SELECT ", kKeyColumns, " FROM signing_keys ORDER BY created_at, rowid"),
                  ReadKey);
}

Result<void> SqlStore::UpdateKey(const SigningKeyRecord& k) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return RequireChanged(
      Execute(*db,
              "UPDATE signing_keys SET alg = ?2, private_key_pem = ?3, created_at = ?4, "
              "retired_at = ?5, unpublish_at = ?6, activates_at = ?7 WHERE kid = ?1",
              k.kid, k.alg, k.private_key_pem, k.created_at, k.retired_at, k.unpublish_at,
              k.activates_at),
      Cat("no signing key ", k.kid));
}

}  // namespace gh::store::sql
