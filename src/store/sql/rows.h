// The record <-> row mapping of the SQLite store: each table's column list, in the order its
// Read* function reads a row, and the encodings of values stored as text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/words.h"
#include "store/records.h"
#include "store/sql/statement.h"

namespace gh::store::sql {

const char* TokenKindName(TokenKind kind);

NotificationStatus ParseStatus(std::string_view name);

// Each k...Columns list goes with the Read... function that reads its columns by position.
inline constexpr char kClientColumns[] =
    "id, name, secret_hash, frontchannel_logout_uri, frontchannel_logout_session_required, "
    "backchannel_logout_uri, backchannel_logout_session_required, id_token_signed_response_alg, "
    "created_at, access_token_audience, grant_types";

// Without the lists, which LoadClientValues adds.
ClientRecord ReadClient(const Row& s);

inline constexpr char kUserColumns[] = "id, username, password_hash, name, email, created_at";

UserRecord ReadUser(const Row& s);

inline constexpr char kSessionColumns[] =
    "key_hash, sid, user_id, auth_time, created_at, last_seen_at, ended_at, end_cause, "
    "browser_state, idp, amr, acr";

SessionRecord ReadSession(const Row& s);

inline constexpr char kLogoutContextColumns[] =
    "id_hash, sid, client_id, post_logout_redirect_uri, state, ui_locales, created_at, "
    "expires_at, used_at, saml_initiator";

// The SAML initiator is one value of the context, kept as a JSON object in one column.
std::optional<std::string> SamlInitiatorText(
    const std::optional<LogoutContextRecord::SamlInitiator>& i);

std::optional<LogoutContextRecord::SamlInitiator> ReadSamlInitiator(
    const std::optional<std::string>& text);

LogoutContextRecord ReadLogoutContext(const Row& s);

inline constexpr char kServiceProviderColumns[] =
    "entity_id, name, metadata_xml, name_id_format, released_attributes, "
    "require_signed_requests, allow_idp_initiated, slo_binding, created_at";

SamlServiceProviderRecord ReadServiceProvider(const Row& s);

inline constexpr char kUpstreamLinkColumns[] =
    "sid, upstream, subject, session_id, id_token, saml_name_id_format, saml_name_qualifier, "
    "saml_sp_name_qualifier, created_at";

UpstreamLinkRecord ReadUpstreamLink(const Row& s);

inline constexpr char kUpstreamRequestColumns[] = "state_hash, upstream, payload, expires_at";

UpstreamRequestRecord ReadUpstreamRequest(const Row& s);

inline constexpr char kFederatedIdentityColumns[] = "upstream, subject, user_id, created_at";

FederatedIdentityRecord ReadFederatedIdentity(const Row& s);

inline constexpr char kEventColumns[] = "id, at, type, sid, user_id, client_id, detail";

EventRecord ReadEvent(const Row& s);

// One member of an optional value, as an optional column.
template <class T>
std::optional<std::string> Field(const std::optional<T>& value, std::string T::*member) {
  if (!value) return std::nullopt;
  return (*value).*member;
}

inline constexpr char kParticipantColumns[] =
    "sid, client_id, protocol, first_seen_at, last_seen_at, saml_name_id, saml_name_id_format, "
    "saml_name_qualifier, saml_sp_name_qualifier, saml_session_index";

ParticipantRecord ReadParticipant(const Row& s);

inline constexpr char kTokenColumns[] =
    "token_hash, kind, grant_id, client_id, user_id, sid, scope, issued_at, expires_at, revoked";

TokenRecord ReadToken(const Row& s);

inline constexpr char kKeyColumns[] =
    "kid, alg, private_key_pem, created_at, retired_at, unpublish_at, activates_at";

SigningKeyRecord ReadKey(const Row& s);

inline constexpr char kNotificationColumns[] =
    "id, sid, user_id, client_id, channel, status, attempts, last_error, created_at, "
    "next_attempt_at, lease_until, delivered_at, lease_holder";

LogoutNotificationRecord ReadNotification(const Row& s);

}  // namespace gh::store::sql
