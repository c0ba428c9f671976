// SessionAuthority: the one place that starts, finds and (with the sign-out issue) ends IdP
// sessions, and records which clients take part in each. Protocol-agnostic.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "store/store.h"

namespace gh::session {

// The browser cookie that carries the IdP session key.
inline constexpr std::string_view kSessionCookieName = "gh_session";

struct SessionPolicy {
  Seconds idle_timeout{8 * 3600};
  Seconds absolute_timeout{24 * 3600};
};

class SessionAuthority {
 public:
  SessionAuthority(store::Store& store, Clock& clock, Random& random, SessionPolicy policy);

  struct Started {
    std::string cookie_value;  // the secret the browser keeps; the store has only its hash
    store::SessionRecord session;
  };
  // Starts a session for `user_id`, authenticated now.
  Result<Started> Start(std::string_view user_id);

  // The live session behind a cookie value: nullopt when unknown, ended, idle too long or past
  // its absolute lifetime. Refreshes last_seen_at.
  Result<std::optional<store::SessionRecord>> Resolve(std::string_view cookie_value);

  // Records that `client_id` received tokens in session `sid`.
  Result<void> AddParticipant(std::string_view sid, std::string_view client_id,
                              std::string_view protocol);

  const SessionPolicy& policy() const { return policy_; }

 private:
  bool Expired(const store::SessionRecord& s) const;

  store::Store& store_;
  Clock& clock_;
  Random& random_;
  SessionPolicy policy_;
};

}  // namespace gh::session
