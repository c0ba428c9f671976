// SqliteStore, federation: the upstream session behind each IdP session, the round trips to
// upstreams in progress, and the accounts at upstreams linked to local users.
#include <string>

#include "store/sqlite/connection_pool.h"
#include "store/sqlite/rows.h"

namespace gh::store {

using namespace sqlite;  // the statement layer is this file's vocabulary

Result<void> SqliteStore::PutUpstreamLink(const UpstreamLinkRecord& link) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  const auto& saml = link.saml;
  GH_RETURN_IF_ERROR(Execute(db.get(),
                             Cat("INSERT OR REPLACE INTO upstream_links (", kUpstreamLinkColumns,
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             link.sid, link.upstream, link.subject, link.session_id, link.id_token,
                             Field(saml, &SamlSubject::format),
                             Field(saml, &SamlSubject::name_qualifier),
                             Field(saml, &SamlSubject::sp_name_qualifier), link.created_at));
  return Ok();
}

Result<std::optional<UpstreamLinkRecord>> SqliteStore::FindUpstreamLink(std::string_view sid) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(db.get(),
                  Cat("SELECT ", kUpstreamLinkColumns, " FROM upstream_links WHERE sid = ?"),
                  ReadUpstreamLink, sid);
}

Result<std::vector<std::string>> SqliteStore::FindSessionsFromUpstream(
    std::string_view upstream, std::optional<std::string_view> subject,
    std::optional<std::string_view> session_id) {
  if (!subject && !session_id)
    return Error::InvalidArgument("an upstream sign-out names a session or a subject");
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(
      db.get(),
      "SELECT l.sid FROM upstream_links l JOIN sessions s ON s.sid = l.sid "
      "WHERE l.upstream = ?1 AND (?2 IS NULL OR (l.subject = ?2 AND ?2 != '')) "
      "AND (?3 IS NULL OR (l.session_id = ?3 AND ?3 != '')) AND s.ended_at IS NULL "
      "ORDER BY l.sid",
      [](const Statement& s) { return s.Text(0); }, upstream, subject, session_id);
}

Result<void> SqliteStore::PutUpstreamRequest(const UpstreamRequestRecord& r) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(
      db.get(),
      Cat("INSERT INTO upstream_requests (", kUpstreamRequestColumns, ") VALUES (?, ?, ?, ?)"),
      r.state_hash, r.upstream, r.payload, r.expires_at));
  return Ok();
}

Result<std::optional<UpstreamRequestRecord>> SqliteStore::FindUpstreamRequest(
    std::string_view state_hash, TimePoint now) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(db.get(),
                  Cat("SELECT ", kUpstreamRequestColumns,
                      " FROM upstream_requests WHERE state_hash = ? AND expires_at > ?"),
                  ReadUpstreamRequest, state_hash, now);
}

Result<std::optional<UpstreamRequestRecord>> SqliteStore::TakeUpstreamRequest(
    std::string_view state_hash, TimePoint now) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  // One statement: the row is gone for whoever comes second.
  return QueryOne(db.get(),
                  Cat("DELETE FROM upstream_requests WHERE state_hash = ? AND expires_at > ? "
                      "RETURNING ",
                      kUpstreamRequestColumns),
                  ReadUpstreamRequest, state_hash, now);
}

Result<int> SqliteStore::PurgeUpstreamRequests(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Execute(db.get(), "DELETE FROM upstream_requests WHERE expires_at <= ?", cutoff);
}

Result<void> SqliteStore::PutFederatedIdentity(const FederatedIdentityRecord& r) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(
      db.get(),
      Cat("INSERT INTO federated_identities (", kFederatedIdentityColumns, ") VALUES (?, ?, ?, ?)"),
      r.upstream, r.subject, r.user_id, r.created_at));
  return Ok();
}

Result<std::optional<FederatedIdentityRecord>> SqliteStore::FindFederatedIdentity(
    std::string_view upstream, std::string_view subject) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(db.get(),
                  Cat("SELECT ", kFederatedIdentityColumns,
                      " FROM federated_identities WHERE upstream = ? AND subject = ?"),
                  ReadFederatedIdentity, upstream, subject);
}

}  // namespace gh::store
