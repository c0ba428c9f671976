// SqlStore, SAML: registered service providers, the replay cache of message IDs, and finding
// a SAML participant by its SessionIndex.
#include <string>

#include "store/sql/pool.h"
#include "store/sql/rows.h"
#include "store/sql/sql_store.h"
#include "store/sql/statement.h"

namespace gh::store::sql {

// SAML

Result<void> SqlStore::PutServiceProvider(const SamlServiceProviderRecord& sp) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(Execute(*db,
                             Cat("INSERT INTO saml_service_providers (", kServiceProviderColumns,
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             sp.entity_id, sp.name, sp.metadata_xml, sp.name_id_format,
                             JoinWords(sp.released_attributes), sp.require_signed_requests,
                             sp.allow_idp_initiated, sp.slo_binding, sp.created_at));
  return Ok();
}

Result<std::optional<SamlServiceProviderRecord>> SqlStore::FindServiceProvider(
    std::string_view entity_id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(
      *db,
      Cat("SELECT ", kServiceProviderColumns, " FROM saml_service_providers WHERE entity_id = ?"),
      ReadServiceProvider, entity_id);
}

Result<std::vector<SamlServiceProviderRecord>> SqlStore::ListServiceProviders() {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryAll(
      *db,
      Cat("SELECT ", kServiceProviderColumns, " FROM saml_service_providers ORDER BY entity_id"),
      ReadServiceProvider);
}

Result<bool> SqlStore::RemoveServiceProvider(std::string_view entity_id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(
      int removed,
      Execute(*db, "DELETE FROM saml_service_providers WHERE entity_id = ?", entity_id));
  return removed == 1;
}

Result<bool> SqlStore::RememberMessage(std::string_view issuer, std::string_view id,
                                       TimePoint expires_at) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_ASSIGN_OR_RETURN(int inserted,
                      Execute(*db,
                              "INSERT INTO saml_messages (issuer, id, expires_at) VALUES (?, ?, ?) "
                              "ON CONFLICT (issuer, id) DO NOTHING",
                              issuer, id, expires_at));
  return inserted == 1;
}

Result<void> SqlStore::ForgetMessage(std::string_view issuer, std::string_view id) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  GH_RETURN_IF_ERROR(
      Execute(*db, "DELETE FROM saml_messages WHERE issuer = ? AND id = ?", issuer, id));
  return Ok();
}

Result<int> SqlStore::PurgeMessages(TimePoint cutoff) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return Execute(*db, "DELETE FROM saml_messages WHERE expires_at < ?", cutoff);
}

Result<std::optional<ParticipantRecord>> SqlStore::FindSamlParticipant(
    std::string_view entity_id, std::string_view session_index) {
  GH_ASSIGN_OR_RETURN(Lease db, Borrow());
  return QueryOne(*db,
                  Cat("SELECT ", kParticipantColumns,
                      " FROM participants WHERE client_id = ? AND saml_session_index = ?"),
                  ReadParticipant, entity_id, session_index);
}

}  // namespace gh::store::sql
