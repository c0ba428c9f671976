#include "session/session_authority.h"

#include <map>
#include <nlohmann/json.hpp>

#include "crypto/digest.h"

namespace gh::session {

const char* ToString(EndCause cause) {
  switch (cause) {
    case EndCause::kRpLogout:
      return "rp_logout";
    case EndCause::kUserLogout:
      return "user_logout";
    case EndCause::kUserLogoutAll:
      return "user_logout_all";
    case EndCause::kAdmin:
      return "admin";
    case EndCause::kExpired:
      return "expired";
    case EndCause::kSuperseded:
      return "superseded";
    case EndCause::kUpstreamLogout:
      return "upstream_logout";
  }
  return "unknown";
}

SessionAuthority::SessionAuthority(store::Store& store, Clock& clock, Random& random,
                                   EventLog& events, SessionPolicy policy)
    : store_(store), clock_(clock), random_(random), events_(events), policy_(policy) {}

std::string_view ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kOidcBackChannel:
      return "backchannel";
    case Channel::kSamlSoap:
      return "saml_soap";
    case Channel::kSamlBrowser:
      return "saml_browser";
  }
  return "";
}

std::optional<Channel> ParseChannel(std::string_view name) {
  for (auto channel : {Channel::kOidcBackChannel, Channel::kSamlSoap, Channel::kSamlBrowser})
    if (ChannelName(channel) == name) return channel;
  return std::nullopt;
}

void SessionAuthority::AddProtocol(ParticipantProtocol& protocol) {
  protocols_.push_back(&protocol);
}

Result<SessionAuthority::Started> SessionAuthority::Start(std::string_view user_id,
                                                          const store::SignInMethod& method) {
  Started started;
  started.cookie_value = random_.Token(32);
  auto now = clock_.Now();
  auto& s = started.session;
  s.key_hash = crypto::Sha256Base64Url(started.cookie_value);
  s.sid = random_.Token(16);
  s.user_id = std::string(user_id);
  s.auth_time = now;
  s.created_at = now;
  s.last_seen_at = now;
  s.browser_state = random_.Token(16);
  s.method = method;
  GH_RETURN_IF_ERROR(store_.CreateSession(s));
  return started;
}

Result<SessionAuthority::Started> SessionAuthority::SignIn(
    std::string_view user_id, std::string_view current_cookie, const store::SignInMethod& method,
    std::optional<store::UpstreamLinkRecord> upstream) {
  GH_ASSIGN_OR_RETURN(auto started, StartOrReauthenticate(user_id, current_cookie, method));
  if (upstream) {
    // Before the browser gets its cookie: a session that is used was always findable by the
    // upstream's own sign-out.
    upstream->sid = started.session.sid;
    upstream->created_at = clock_.Now();
    GH_RETURN_IF_ERROR(store_.PutUpstreamLink(*upstream));
  }
  return started;
}

Result<SessionAuthority::Started> SessionAuthority::StartOrReauthenticate(
    std::string_view user_id, std::string_view current_cookie, const store::SignInMethod& method) {
  GH_ASSIGN_OR_RETURN(auto current, Resolve(current_cookie));
  if (current && current->user_id == user_id) {
    Started again{random_.Token(32), *current};
    auto now = clock_.Now();
    again.session.key_hash = crypto::Sha256Base64Url(again.cookie_value);
    again.session.auth_time = now;
    again.session.last_seen_at = now;
    again.session.method = method;
    GH_ASSIGN_OR_RETURN(bool still_active, store_.ReauthenticateSession(
                                               current->sid, again.session.key_hash, now, method));
    if (still_active) return again;
    // Ended between the two calls (a sign-out elsewhere): what follows is a fresh sign-in.
  } else if (current) {
    GH_RETURN_IF_ERROR(End(current->sid, EndCause::kSuperseded));
  }
  return Start(user_id, method);
}

bool SessionAuthority::Expired(const store::SessionRecord& s) const {
  auto now = clock_.Now();
  return now - s.last_seen_at >= policy_.idle_timeout ||
         now - s.auth_time >= policy_.absolute_timeout;
}

Result<std::optional<store::SessionRecord>> SessionAuthority::Resolve(
    std::string_view cookie_value) {
  if (cookie_value.empty()) return std::optional<store::SessionRecord>();
  GH_ASSIGN_OR_RETURN(auto found,
                      store_.FindSessionByKeyHash(crypto::Sha256Base64Url(cookie_value)));
  // An expired session is treated as absent here; ending it (and notifying its participants) is
  // the expiry sweeper's job, so it happens even when the browser never comes back.
  if (!found || !found->active() || Expired(*found)) return std::optional<store::SessionRecord>();
  // last_seen_at only feeds the idle timeout, which needs it to the minute, not a write
  // transaction on every request (every SSO Response, every authorization): it is written when it
  // is a minute old — or a hundredth of the idle timeout, so a short timeout stays exact.
  auto now = clock_.Now();
  auto granularity = std::min<Seconds>(Seconds(60), policy_.idle_timeout / 100);
  if (now - found->last_seen_at >= granularity) {
    found->last_seen_at = now;
    GH_RETURN_IF_ERROR(store_.TouchSession(found->sid, found->last_seen_at));
  }
  return found;
}

Result<void> SessionAuthority::AddParticipant(store::Store& tx, std::string_view sid,
                                              std::string_view client_id, std::string_view protocol,
                                              std::optional<store::SamlSubject> saml) {
  GH_ASSIGN_OR_RETURN(auto session, tx.FindSessionBySid(sid));
  if (!session || !session->active() || Expired(*session))
    return Error::FailedPrecondition("the session has ended");
  auto now = clock_.Now();
  store::ParticipantRecord p;
  p.sid = std::string(sid);
  p.client_id = std::string(client_id);
  p.protocol = std::string(protocol);
  p.first_seen_at = now;
  p.last_seen_at = now;
  p.saml = std::move(saml);
  return tx.AddParticipant(p);
}

Result<SessionEnding> SessionAuthority::End(std::string_view sid, EndCause cause, bool end_offline,
                                            std::string_view initiator) {
  SessionEnding ending;
  std::vector<Event> committed_events;
  auto now = clock_.Now();
  GH_RETURN_IF_ERROR(store_.InTransaction([&](store::Store& tx) -> Result<void> {
    GH_ASSIGN_OR_RETURN(auto session, tx.FindSessionBySid(sid));
    if (!session) return Error::NotFound("no session with sid " + std::string(sid));
    ending.session = *session;
    GH_ASSIGN_OR_RETURN(ending.ended_now, tx.EndSession(sid, ToString(cause), now));
    if (!ending.ended_now) return Ok();
    ending.session.ended_at = now;
    ending.session.end_cause = ToString(cause);
    GH_ASSIGN_OR_RETURN(
        int revoked, tx.RevokeSessionCredentials(sid, policy_.keep_offline_tokens && !end_offline));

    GH_ASSIGN_OR_RETURN(auto participants, tx.ListParticipants(sid));
    ending.participants.reserve(participants.size());
    for (auto& p : participants)
      ending.participants.push_back({std::move(p), std::nullopt, std::nullopt});
    GH_RETURN_IF_ERROR(DescribeParticipants(tx, ending));
    // The initiator is answered by its own protocol: no notification, no front-channel step.
    for (auto& p : ending.participants)
      if (!initiator.empty() && p.participant.client_id == initiator && p.logout) {
        ParticipantLogout answered_by_its_protocol;
        answered_by_its_protocol.display_name = std::move(p.logout->display_name);
        p.logout = std::move(answered_by_its_protocol);
      }
    GH_RETURN_IF_ERROR(EnqueueNotifications(tx, ending, now));

    nlohmann::json detail = {{"cause", ToString(cause)},
                             {"participants", ending.participants.size()},
                             {"credentials_revoked", revoked}};
    Event event{std::string(kEventSessionEnded), std::string(sid), session->user_id, "",
                detail.dump()};
    GH_RETURN_IF_ERROR(events_.Append(tx, event));
    committed_events.push_back(std::move(event));
    return Ok();
  }));

  for (const auto& e : committed_events) events_.Publish(e);
  bool enqueued = std::any_of(ending.participants.begin(), ending.participants.end(),
                              [](const auto& p) { return p.notification_id.has_value(); });
  if (enqueued && outbox_listener_) outbox_listener_();
  return ending;
}

Result<void> SessionAuthority::DescribeParticipants(store::Store& tx, SessionEnding& ending) {
  for (auto* protocol : protocols_) {
    std::vector<store::ParticipantRecord> mine;
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < ending.participants.size(); ++i) {
      if (ending.participants[i].participant.protocol != protocol->name()) continue;
      mine.push_back(ending.participants[i].participant);
      positions.push_back(i);
    }
    if (mine.empty()) continue;
    GH_ASSIGN_OR_RETURN(auto described, protocol->Describe(tx, ending.session, mine));
    if (described.size() != mine.size())
      return Error::Internal("a protocol described the wrong number of participants");
    for (std::size_t i = 0; i < positions.size(); ++i)
      ending.participants[positions[i]].logout = std::move(described[i]);
  }
  return Ok();
}

Result<void> SessionAuthority::EnqueueNotifications(store::Store& tx, SessionEnding& ending,
                                                    TimePoint now) {
  // One round trip per channel, however many participants use it.
  std::map<Channel, std::pair<std::vector<std::string>, std::vector<std::size_t>>> by_channel;
  for (std::size_t i = 0; i < ending.participants.size(); ++i) {
    const auto& p = ending.participants[i];
    if (!p.logout || !p.logout->back_channel) continue;
    auto& [client_ids, positions] = by_channel[*p.logout->back_channel];
    client_ids.push_back(p.participant.client_id);
    positions.push_back(i);
  }
  for (const auto& [channel, targets] : by_channel) {
    store::LogoutNotificationRecord each;
    each.sid = ending.session.sid;
    each.user_id = ending.session.user_id;
    each.channel = std::string(ChannelName(channel));
    each.created_at = now;
    each.next_attempt_at = now;
    GH_ASSIGN_OR_RETURN(auto ids, tx.EnqueueNotifications(each, targets.first));
    for (std::size_t i = 0; i < ids.size(); ++i)
      ending.participants[targets.second[i]].notification_id = ids[i];
  }
  return Ok();
}

Result<std::vector<SessionEnding>> SessionAuthority::EndAllOfUser(std::string_view user_id,
                                                                  EndCause cause,
                                                                  bool end_offline) {
  GH_ASSIGN_OR_RETURN(auto sessions, store_.ListSessions(user_id, /*include_ended=*/false));
  std::vector<SessionEnding> endings;
  for (const auto& s : sessions) {
    GH_ASSIGN_OR_RETURN(auto ending, End(s.sid, cause, end_offline));
    endings.push_back(std::move(ending));
  }
  if (end_offline) GH_RETURN_IF_ERROR(EndOfflineGrants(user_id));
  return endings;
}

Result<int> SessionAuthority::EndGrant(std::string_view grant_id) {
  return store_.RevokeGrant(grant_id, RevokedGrantHorizon());
}

Result<int> SessionAuthority::EndOfflineGrants(std::string_view user_id,
                                               std::optional<std::string_view> client_id) {
  return store_.RevokeOfflineGrants(user_id, client_id, RevokedGrantHorizon());
}

Result<int> SessionAuthority::EndExpired(int limit) {
  auto now = clock_.Now();
  GH_ASSIGN_OR_RETURN(auto expired,
                      store_.FindExpiredSessions(now - policy_.idle_timeout,
                                                 now - policy_.absolute_timeout, limit));
  int ended = 0;
  for (const auto& s : expired) {
    GH_ASSIGN_OR_RETURN(auto ending, End(s.sid, EndCause::kExpired));
    ended += ending.ended_now;
  }
  return ended;
}

Result<void> SessionAuthority::NoteLogoutStarted(const store::SessionRecord& session,
                                                 std::string_view client_id) {
  Event event{std::string(kEventLogoutStarted), session.sid, session.user_id,
              std::string(client_id), "{}"};
  GH_RETURN_IF_ERROR(events_.Append(store_, event));
  events_.Publish(event);
  return Ok();
}

}  // namespace gh::session
