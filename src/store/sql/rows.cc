#include "store/sql/rows.h"

#include <nlohmann/json.hpp>

namespace gh::store::sql {

const char* TokenKindName(TokenKind kind) {
  return kind == TokenKind::kRefresh ? "refresh" : "access";
}

NotificationStatus ParseStatus(std::string_view name) {
  if (name == "delivered") return NotificationStatus::kDelivered;
  if (name == "failed") return NotificationStatus::kFailed;
  return NotificationStatus::kPending;
}

ClientRecord ReadClient(const Row& s) {
  ClientRecord c;
  c.id = s.Text(0);
  c.name = s.Text(1);
  c.secret_hash = s.OptionalText(2);
  c.frontchannel_logout_uri = s.OptionalText(3);
  c.frontchannel_logout_session_required = s.Bool(4);
  c.backchannel_logout_uri = s.OptionalText(5);
  c.backchannel_logout_session_required = s.Bool(6);
  c.id_token_signed_response_alg = s.Text(7);
  c.created_at = s.Time(8);
  c.access_token_audience = s.OptionalText(9);
  c.grant_types = SplitWords(s.Text(10));
  return c;
}

UserRecord ReadUser(const Row& s) {
  UserRecord u;
  u.id = s.Text(0);
  u.username = s.Text(1);
  u.password_hash = s.Text(2);
  u.name = s.Text(3);
  u.email = s.Text(4);
  u.created_at = s.Time(5);
  return u;
}

SessionRecord ReadSession(const Row& s) {
  SessionRecord r;
  r.key_hash = s.Text(0);
  r.sid = s.Text(1);
  r.user_id = s.Text(2);
  r.auth_time = s.Time(3);
  r.created_at = s.Time(4);
  r.last_seen_at = s.Time(5);
  r.ended_at = s.OptionalTime(6);
  r.end_cause = s.Text(7);
  r.browser_state = s.Text(8);
  r.method.idp = s.Text(9);
  r.method.amr = SplitWords(s.Text(10));
  r.method.acr = s.Text(11);
  return r;
}

UpstreamLinkRecord ReadUpstreamLink(const Row& s) {
  UpstreamLinkRecord r;
  r.sid = s.Text(0);
  r.upstream = s.Text(1);
  r.subject = s.Text(2);
  r.session_id = s.Text(3);
  r.id_token = s.Text(4);
  if (auto format = s.OptionalText(5)) {
    r.saml = SamlSubject{.name_id = r.subject,
                         .format = *format,
                         .name_qualifier = s.OptionalText(6).value_or(""),
                         .sp_name_qualifier = s.OptionalText(7).value_or(""),
                         .session_index = r.session_id};
  }
  r.created_at = s.Time(8);
  return r;
}

UpstreamRequestRecord ReadUpstreamRequest(const Row& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Time(3)};
}

FederatedIdentityRecord ReadFederatedIdentity(const Row& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Time(3)};
}

std::optional<std::string> SamlInitiatorText(
    const std::optional<LogoutContextRecord::SamlInitiator>& i) {
  if (!i) return std::nullopt;
  nlohmann::json j = {{"entity_id", i->entity_id},
                      {"request_id", i->request_id},
                      {"binding", i->binding},
                      {"response_url", i->response_url}};
  if (i->relay_state) j["relay_state"] = *i->relay_state;
  return j.dump();
}

std::optional<LogoutContextRecord::SamlInitiator> ReadSamlInitiator(
    const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  LogoutContextRecord::SamlInitiator i;
  i.entity_id = j.value("entity_id", "");
  i.request_id = j.value("request_id", "");
  i.binding = j.value("binding", "");
  i.response_url = j.value("response_url", "");
  if (j.contains("relay_state")) i.relay_state = j.value("relay_state", "");
  return i;
}

LogoutContextRecord ReadLogoutContext(const Row& s) {
  LogoutContextRecord r;
  r.id_hash = s.Text(0);
  r.sid = s.Text(1);
  r.client_id = s.OptionalText(2);
  r.post_logout_redirect_uri = s.OptionalText(3);
  r.state = s.OptionalText(4);
  r.ui_locales = s.OptionalText(5);
  r.created_at = s.Time(6);
  r.expires_at = s.Time(7);
  r.used_at = s.OptionalTime(8);
  r.saml_initiator = ReadSamlInitiator(s.OptionalText(9));
  return r;
}

SamlServiceProviderRecord ReadServiceProvider(const Row& s) {
  SamlServiceProviderRecord sp;
  sp.entity_id = s.Text(0);
  sp.name = s.Text(1);
  sp.metadata_xml = s.Text(2);
  sp.name_id_format = s.Text(3);
  sp.released_attributes = SplitWords(s.Text(4));
  sp.require_signed_requests = s.Bool(5);
  sp.allow_idp_initiated = s.Bool(6);
  sp.slo_binding = s.Text(7);
  sp.created_at = s.Time(8);
  return sp;
}

EventRecord ReadEvent(const Row& s) {
  EventRecord e;
  e.id = s.Int(0);
  e.at = s.Time(1);
  e.type = s.Text(2);
  e.sid = s.Text(3);
  e.user_id = s.Text(4);
  e.client_id = s.Text(5);
  e.detail = s.Text(6);
  return e;
}

ParticipantRecord ReadParticipant(const Row& s) {
  ParticipantRecord p;
  p.sid = s.Text(0);
  p.client_id = s.Text(1);
  p.protocol = s.Text(2);
  p.first_seen_at = s.Time(3);
  p.last_seen_at = s.Time(4);
  if (auto name_id = s.OptionalText(5))
    p.saml = SamlSubject{*name_id, s.Text(6), s.Text(7), s.Text(8), s.Text(9)};
  return p;
}

TokenRecord ReadToken(const Row& s) {
  TokenRecord t;
  t.token_hash = s.Text(0);
  t.kind =
      s.Text(1) == TokenKindName(TokenKind::kRefresh) ? TokenKind::kRefresh : TokenKind::kAccess;
  t.grant_id = s.Text(2);
  t.client_id = s.Text(3);
  t.user_id = s.OptionalText(4);
  t.sid = s.OptionalText(5);
  t.scope = s.Text(6);
  t.issued_at = s.Time(7);
  t.expires_at = s.Time(8);
  t.revoked = s.Bool(9);
  return t;
}

SigningKeyRecord ReadKey(const Row& s) {
  SigningKeyRecord k;
  k.kid = s.Text(0);
  k.alg = s.Text(1);
  k.private_key_pem = s.Text(2);
  k.created_at = s.Time(3);
  k.retired_at = s.OptionalTime(4);
  k.unpublish_at = s.OptionalTime(5);
  k.activates_at = s.OptionalTime(6);
  return k;
}

LogoutNotificationRecord ReadNotification(const Row& s) {
  LogoutNotificationRecord n;
  n.id = s.Int(0);
  n.sid = s.Text(1);
  n.user_id = s.Text(2);
  n.client_id = s.Text(3);
  n.channel = s.Text(4);
  n.status = ParseStatus(s.Text(5));
  n.attempts = static_cast<int>(s.Int(6));
  n.last_error = s.Text(7);
  n.created_at = s.Time(8);
  n.next_attempt_at = s.Time(9);
  n.lease_until = s.OptionalTime(10);
  n.delivered_at = s.OptionalTime(11);
  n.lease_holder = s.Text(12);
  return n;
}

}  // namespace gh::store::sql
