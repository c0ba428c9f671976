// SqlStore, federation: the upstream session behind each IdP session, the round trips to
// upstreams in progress, and the accounts at upstreams linked to local users.
#include <string>

#include "store/sql/pool.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"
#include "store/sql/statement.h"

namespace gh::store::sql {

Result<void> SqlStore::PutUpstreamLink(const UpstreamLinkRecord& link) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  const auto& saml = link.saml;
  GH_RETURN_IF_ERROR(
      Execute(*db,
              Cat("INSERT INTO upstream_links (", kUpstreamLinkColumns,
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sid) DO "
                  "UPDATE SET upstream = excluded.upstream, subject = "
                  "excluded.subject, session_id = excluded.session_id, id_token = "
                  "excluded.id_token, saml_name_id_format = "
                  "excluded.saml_name_id_format, saml_name_qualifier = "
                  "excluded.saml_name_qualifier, saml_sp_name_qualifier = "
                  "excluded.saml_sp_name_qualifier, created_at = excluded.created_at"),
              link.sid, link.upstream, link.subject, link.session_id, link.id_token,
              Field(saml, &SamlSubject::format), Field(saml, &SamlSubject::name_qualifier),
              Field(saml, &SamlSubject::sp_name_qualifier), link.created_at));
  return Ok();
}

Result<std::optional<UpstreamLinkRecord>> SqlStore::FindUpstreamLink(std::string_view sid) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db, Cat("SELECT ", kUpstreamLinkColumns, " FROM upstream_links WHERE sid = ?"),
                  ReadUpstreamLink, sid);
}

Result<std::vector<std::string>> SqlStore::FindSessionsFromUpstream(
    std::string_view upstream, std::optional<std::string_view> subject,
    std::optional<std::string_view> session_id) {
  if (!subject && !session_id)
    return Error::InvalidArgument("an upstream sign-out names a session or a subject");
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(
      *db,
      "SELECT l.sid FROM upstream_links l JOIN sessions s ON s.sid = l.sid "
      "WHERE l.upstream = ?1 AND (?2 IS NULL OR (l.subject = ?2 AND ?2 != '')) "
      "AND (?3 IS NULL OR (l.session_id = ?3 AND ?3 != '')) AND s.ended_at IS NULL "
      "ORDER BY l.sid",
      [](const Row& s) { return s.Text(0); }, upstream, subject, session_id);
}

Result<void> SqlStore::PutUpstreamRequest(const UpstreamRequestRecord& r) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(
      *db, Cat("INSERT INTO upstream_requests (", kUpstreamRequestColumns, ") VALUES (?, ?, ?, ?)"),
      r.state_hash, r.upstream, r.payload, r.expires_at));
  return Ok();
}

Result<std::optional<UpstreamRequestRecord>> SqlStore::FindUpstreamRequest(
    std::string_view state_hash, TimePoint now) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db,
                  Cat("SELECT ", kUpstreamRequestColumns,
                      " FROM upstream_requests WHERE state_hash = ? AND expires_at > ?"),
                  ReadUpstreamRequest, state_hash, now);
}

Result<std::optional<UpstreamRequestRecord>> SqlStore::TakeUpstreamRequest(
    std::string_view state_hash, TimePoint now) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  // One statement: the row is gone for whoever comes second.
  return QueryOne(*db,
                  Cat("DELETE FROM upstream_requests WHERE state_hash = ? AND expires_at > ? "
                      "RETURNING ",
                      kUpstreamRequestColumns),
                  ReadUpstreamRequest, state_hash, now);
}

Result<int> SqlStore::PurgeUpstreamRequests(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Execute(*db, "DELETE FROM upstream_requests WHERE expires_at <= ?", cutoff);
}

Result<void> SqlStore::PutFederatedIdentity(const FederatedIdentityRecord& r) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(
      *db,
      Cat("INSERT INTO federated_identities (", kFederatedIdentityColumns, ") VALUES (?, ?, ?, ?)"),
      r.upstream, r.subject, r.user_id, r.created_at));
  return Ok();
}

Result<std::optional<FederatedIdentityRecord>> SqlStore::FindFederatedIdentity(
    std::string_view upstream, std::string_view subject) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db,
                  Cat("SELECT ", kFederatedIdentityColumns,
                      " FROM federated_identities WHERE upstream = ? AND subject = ?"),
                  ReadFederatedIdentity, upstream, subject);
}

}  // namespace gh::store::sql
