// SqlStore, sign-out state: the logout outbox, logout contexts, the retention of settled
// history, and the event log.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "store/sql/pool.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"
#include "store/sql/statement.h"

namespace gh::store::sql {

namespace {

// Updates row `id` with `set` (its `values` bound first) only while `holder` holds its lease and
// it is pending: true when updated, false when the row is not the holder's (its lease is
// another's, or it settled), kNotFound for an unknown id. What Mark* and RenewLease share.
template <class... Values>
Result<bool> UpdateHeld(Connection& db, std::int64_t id, std::string_view holder,
                        std::string_view set, const Values&... values) {
  GH_ASSIGN_OR_RETURN(int rows,
                      Execute(db,
                              Cat("UPDATE logout_notifications SET ", set,
                                  " WHERE id = ? AND lease_holder = ? AND status = 'pending'"),
                              values..., id, holder));
  if (rows > 0) return true;
  GH_ASSIGN_OR_RETURN(auto exists, QueryOne(
                                       db, "SELECT id FROM logout_notifications WHERE id = ?",
                                       [](const Row& s) { return s.Int(0); }, id));
  if (!exists) return Error::NotFound(Cat("no logout notification ", std::to_string(id)));
  return false;
}

// A settled row is nobody's any more.
constexpr std::string_view kReleased = ", lease_until = NULL, lease_holder = NULL";

}  // namespace

// Logout outbox

std::unique_ptr<Subscription> SqlStore::WatchOutbox(std::function<void()> wake) {
  if (!watch_outbox_) return nullptr;
  return watch_outbox_(std::move(wake));
}

Result<std::vector<std::int64_t>> SqlStore::EnqueueNotifications(
    const LogoutNotificationRecord& each, std::span<const std::string> client_ids) {
  if (client_ids.empty()) return std::vector<std::int64_t>();
  // One statement for the whole batch, the client ids passed as one JSON array: per-row
  // statements cost several times the insert itself, and a sign-out may enqueue a thousand.
  const std::string ids_json = nlohmann::json(client_ids).dump();
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  const Dialect& dialect = db->dialect();
  return Transact(*db, TxMode::kWrite, [&]() -> Result<std::vector<std::int64_t>> {
    GH_ASSIGN_OR_RETURN(
        auto ids,
        QueryAll(
            *db,
            Cat("INSERT INTO logout_notifications (sid, user_id, client_id, channel, status, "
                "attempts, last_error, created_at, next_attempt_at, lease_until, delivered_at) "
                "SELECT ?, ?, value, ?, ?, ?, ?, ?, ?, ?, ? FROM ",
                dialect.json_array_elements, " ORDER BY key RETURNING id"),
            [](const Row& s) { return s.Int(0); }, each.sid, each.user_id, each.channel,
            std::string_view(ToString(each.status)), each.attempts, each.last_error,
            each.created_at, each.next_attempt_at, each.lease_until, each.delivered_at, ids_json));
    if (ids.size() != client_ids.size())
      return Error::Internal("store: the insert returned the wrong number of ids");
    if (*dialect.outbox_wakeup != '\0') GH_RETURN_IF_ERROR(db->Script(dialect.outbox_wakeup));
    // Rows are inserted in the array's order with increasing ids, but RETURNING promises no
    // order: sorted, the ids line up with `client_ids` again.
    std::sort(ids.begin(), ids.end());
    return ids;
  });
}

Result<std::vector<LogoutNotificationRecord>> SqlStore::ClaimDueNotifications(
    TimePoint now, TimePoint lease_until, int limit, std::string_view holder) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  // Every node's dispatcher polls twice a second: finding nothing due must not take the write
  // lock, which SQLite holds for the whole file — a node paused or slow in the middle of such an
  // empty claim would hold up every other node's sign-outs.
  GH_ASSIGN_OR_RETURN(auto due,
                      QueryOne(
                          *db,
                          "SELECT 1 FROM logout_notifications WHERE status = 'pending' AND "
                          "next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1) "
                          "LIMIT 1",
                          [](const Row&) { return true; }, now));
  if (!due) return std::vector<LogoutNotificationRecord>();
  return Transact(*db, TxMode::kWrite, [&]() -> Result<std::vector<LogoutNotificationRecord>> {
    GH_ASSIGN_OR_RETURN(
        auto claimed,
        QueryAll(*db,
                 Cat("UPDATE logout_notifications SET lease_until = ?1, lease_holder = ?4 "
                     "WHERE id IN (SELECT id FROM logout_notifications WHERE status = 'pending' "
                     "AND next_attempt_at <= ?2 AND (lease_until IS NULL OR lease_until <= ?2) "
                     "ORDER BY next_attempt_at, id LIMIT ?3",
                     db->dialect().skip_locked, ") RETURNING ", kNotificationColumns),
                 ReadNotification, lease_until, now, limit, holder));
    // RETURNING does not promise an order.
    std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
      return std::pair(a.next_attempt_at, a.id) < std::pair(b.next_attempt_at, b.id);
    });
    return claimed;
  });
}

Result<bool> SqlStore::MarkDelivered(std::int64_t id, std::string_view holder, TimePoint at,
                                     int attempts) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return UpdateHeld(*db, id, holder,
                    Cat("status = 'delivered', delivered_at = ?, attempts = ?", kReleased), at,
                    attempts);
}

Result<bool> SqlStore::MarkRetry(std::int64_t id, std::string_view holder,
                                 TimePoint next_attempt_at, int attempts, std::string_view error) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return UpdateHeld(*db, id, holder,
                    Cat("next_attempt_at = ?, attempts = ?, last_error = ?", kReleased),
                    next_attempt_at, attempts, error);
}

Result<bool> SqlStore::MarkFailed(std::int64_t id, std::string_view holder, int attempts,
                                  std::string_view error) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return UpdateHeld(*db, id, holder,
                    Cat("status = 'failed', attempts = ?, last_error = ?", kReleased), attempts,
                    error);
}

Result<bool> SqlStore::RenewLease(std::int64_t id, std::string_view holder, TimePoint lease_until) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return UpdateHeld(*db, id, holder, "lease_until = ?", lease_until);
}

Result<std::vector<LogoutNotificationRecord>> SqlStore::ListNotifications(
    std::optional<std::string> sid, int limit) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  const std::string select = Cat("SELECT ", kNotificationColumns, " FROM logout_notifications ");
  if (sid) {
    return QueryAll(*db, Cat(select, "WHERE sid = ? ORDER BY id DESC LIMIT ?"), ReadNotification,
                    *sid, limit);
  }
  return QueryAll(*db, Cat(select, "ORDER BY id DESC LIMIT ?"), ReadNotification, limit);
}

Result<NotificationCounts> SqlStore::CountNotifications() {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(
      auto rows,
      QueryAll(*db, "SELECT status, COUNT(*) FROM logout_notifications GROUP BY status",
               [](const Row& s) { return std::pair(ParseStatus(s.Text(0)), s.Int(1)); }));
  NotificationCounts counts;
  for (const auto& [status, n] : rows) {
    switch (status) {
      case NotificationStatus::kPending:
        counts.pending = n;
        break;
      case NotificationStatus::kDelivered:
        counts.delivered = n;
        break;
      case NotificationStatus::kFailed:
        counts.failed = n;
        break;
    }
  }
  return counts;
}

// Logout contexts

Result<void> SqlStore::PutLogoutContext(const LogoutContextRecord& c) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(*db,
                             Cat("INSERT INTO logout_contexts (", kLogoutContextColumns,
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             c.id_hash, c.sid, c.client_id, c.post_logout_redirect_uri, c.state,
                             c.ui_locales, c.created_at, c.expires_at, c.used_at,
                             SamlInitiatorText(c.saml_initiator)));
  return Ok();
}

Result<std::optional<LogoutContextRecord>> SqlStore::FindLogoutContext(std::string_view id_hash) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db,
                  Cat("SELECT ", kLogoutContextColumns, " FROM logout_contexts WHERE id_hash = ?"),
                  ReadLogoutContext, id_hash);
}

Result<bool> SqlStore::UseLogoutContext(std::string_view id_hash, TimePoint at) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(
      int changed,
      Execute(*db, "UPDATE logout_contexts SET used_at = ? WHERE id_hash = ? AND used_at IS NULL",
              at, id_hash));
  return changed == 1;
}

Result<int> SqlStore::PurgeSettledNotifications(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Execute(
      *db, "DELETE FROM logout_notifications WHERE status != 'pending' AND created_at < ?", cutoff);
}

Result<int> SqlStore::PurgeEvents(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Execute(*db, "DELETE FROM events WHERE at < ?", cutoff);
}

Result<int> SqlStore::PurgeLogoutContexts(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Execute(*db, "DELETE FROM logout_contexts WHERE expires_at < ?", cutoff);
}

// Events

Result<std::int64_t> SqlStore::AppendEvent(const EventRecord& e) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(auto id, QueryOne(
                                   *db,
                                   "INSERT INTO events (at, type, sid, user_id, client_id, detail) "
                                   "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                   [](const Row& s) { return s.Int(0); }, e.at, e.type, e.sid,
                                   e.user_id, e.client_id, e.detail));
  if (!id) return Error::Internal("store: insert returned no id");
  return *id;
}

Result<std::vector<EventRecord>> SqlStore::ListEvents(std::int64_t after_id, int limit) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(*db,
                  Cat("SELECT ", kEventColumns, " FROM events WHERE id > ? ORDER BY id LIMIT ?"),
                  ReadEvent, after_id, limit);
}

}  // namespace gh::store::sql
