#include "session/session_authority.h"

#include "crypto/digest.h"

namespace gh::session {

SessionAuthority::SessionAuthority(store::Store& store, Clock& clock, Random& random,
                                   SessionPolicy policy)
    : store_(store), clock_(clock), random_(random), policy_(policy) {}

Result<SessionAuthority::Started> SessionAuthority::Start(std::string_view user_id) {
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
  GH_RETURN_IF_ERROR(store_.CreateSession(s));
  return started;
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
  found->last_seen_at = clock_.Now();
  GH_RETURN_IF_ERROR(store_.TouchSession(found->sid, found->last_seen_at));
  return found;
}

Result<void> SessionAuthority::AddParticipant(std::string_view sid, std::string_view client_id,
                                              std::string_view protocol) {
  auto now = clock_.Now();
  store::ParticipantRecord p;
  p.sid = std::string(sid);
  p.client_id = std::string(client_id);
  p.protocol = std::string(protocol);
  p.first_seen_at = now;
  p.last_seen_at = now;
  return store_.AddParticipant(p);
}

}  // namespace gh::session
