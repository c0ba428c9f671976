// SessionAuthority: the one place that starts, finds and ends IdP sessions, and records which
// clients take part in each. Every way a session ends — RP-initiated logout, the user's sign-out,
// an admin, expiry — goes through End(), which notifies every participant. Protocol-neutral: each
// sign-in protocol describes its own participants through a ParticipantProtocol.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "session/event_log.h"
#include "session/participant_protocol.h"
#include "store/store.h"

namespace gh::session {

// The browser cookie that carries the IdP session key.
inline constexpr std::string_view kSessionCookieName = "gh_session";

struct SessionPolicy {
  Seconds idle_timeout{8 * 3600};
  Seconds absolute_timeout{24 * 3600};
  // Back-Channel Logout 1.0 §2.7: refresh tokens granted offline_access normally outlive the
  // session; others are revoked with it.
  bool keep_offline_tokens = true;
  // How long an access token lives: a grant ended here (EndGrant, EndOfflineGrants) is remembered
  // as revoked that long, for its access tokens that are sealed rather than recorded.
  Seconds access_token_ttl{3600};
};

enum class EndCause {
  kRpLogout,
  kUserLogout,
  kUserLogoutAll,
  kAdmin,
  kExpired,
  kSuperseded,      // another user signed in on the same browser
  kUpstreamLogout,  // the upstream identity provider the session came from signed the user out
};
const char* ToString(EndCause cause);

// One participant of an ended session and what was arranged to tell it.
struct EndedParticipant {
  store::ParticipantRecord participant;
  // How its protocol signs it out; nullopt when its registration was removed since, or its
  // protocol is not served here.
  std::optional<ParticipantLogout> logout;
  std::optional<std::int64_t> notification_id;  // the outbox row, for server-to-server channels
  std::string display_name() const { return logout ? logout->display_name : participant.client_id; }
};

// What End() did.
struct SessionEnding {
  store::SessionRecord session;
  bool ended_now = false;  // false when the session had already ended (End is idempotent)
  std::vector<EndedParticipant> participants;
};

class SessionAuthority {
 public:
  SessionAuthority(store::Store& store, Clock& clock, Random& random, EventLog& events,
                   SessionPolicy policy);

  // Lets End() notify the participants of `protocol` (which must outlive this). Call at start-up.
  void AddProtocol(ParticipantProtocol& protocol);

  // Called after End() commits new outbox rows, so delivery can start at once.
  void SetOutboxListener(std::function<void()> listener) { outbox_listener_ = std::move(listener); }

  struct Started {
    std::string cookie_value;  // the secret the browser keeps; the store has only its hash
    store::SessionRecord session;
  };
  // Starts a session for `user_id`, authenticated now by `method`.
  Result<Started> Start(std::string_view user_id, const store::SignInMethod& method = {});

  // `user_id` has just proved who they are, by `method`, in a browser that presents
  // `current_cookie` (empty when none). Each browser holds at most one session: the same user's
  // live session is re-authenticated (same sid and participants, new auth_time and method, new
  // cookie value so a fixed or stolen one stops working); another user's is ended first with
  // kSuperseded, notifying its participants, and a new session starts. With `upstream` (its sid
  // is filled in here), the session records the upstream session it came from.
  Result<Started> SignIn(std::string_view user_id, std::string_view current_cookie,
                         const store::SignInMethod& method,
                         std::optional<store::UpstreamLinkRecord> upstream = std::nullopt);

  // The live session behind a cookie value: nullopt when unknown, ended, idle too long or past
  // its absolute lifetime. Refreshes last_seen_at once it is a minute old (see the .cc).
  Result<std::optional<store::SessionRecord>> Resolve(std::string_view cookie_value);

  // Records that `client_id` is receiving tokens (or an assertion, naming `saml`) in session
  // `sid`, through `tx`: the transaction that also stores them. kFailedPrecondition when the
  // session has ended or expired. Inside one transaction with the issuance, a sign-out either
  // comes first and nothing is issued, or comes after and finds both the participant and what it
  // was issued — never neither.
  Result<void> AddParticipant(store::Store& tx, std::string_view sid, std::string_view client_id,
                              std::string_view protocol,
                              std::optional<store::SamlSubject> saml = std::nullopt);

  // Ends session `sid` in one store transaction: marks it ended with `cause`, revokes its tokens
  // (see SessionPolicy::keep_offline_tokens) and its unredeemed authorization codes, writes one
  // outbox row per participant its protocol gives a back channel, and records the event. Ending an
  // ended session changes nothing and returns ended_now=false. kNotFound for an unknown sid.
  // With `end_offline`, the session's offline_access refresh tokens are revoked too, whatever
  // the policy says. `initiator`, when given, is the participant that asked for the sign-out and
  // is answered by its own protocol: it gets no notification and no front-channel step.
  Result<SessionEnding> End(std::string_view sid, EndCause cause, bool end_offline = false,
                            std::string_view initiator = {});
  // Ends every active session of `user_id`; with `end_offline`, also every offline_access grant
  // the user gave (from sessions ended long ago too), the explicit "everything, everywhere".
  Result<std::vector<SessionEnding>> EndAllOfUser(std::string_view user_id, EndCause cause,
                                                  bool end_offline = false);
  // Ends grant `grant_id` (a replayed code, a revoked or reused refresh token): every token of it,
  // recorded or sealed; how many recorded tokens were revoked.
  Result<int> EndGrant(std::string_view grant_id);
  // Ends every offline_access grant `user_id` gave (to `client_id` only, when given; they outlive
  // sessions, so also those of sessions that ended long ago); how many tokens were revoked.
  Result<int> EndOfflineGrants(std::string_view user_id,
                               std::optional<std::string_view> client_id = std::nullopt);
  // Ends up to `limit` sessions past their idle or absolute lifetime; returns how many.
  Result<int> EndExpired(int limit);

  // Records that a sign-out was asked for (by `client_id`, empty for the user or an admin).
  Result<void> NoteLogoutStarted(const store::SessionRecord& session, std::string_view client_id);

  // Past its idle or absolute lifetime now. Lets readers that must not extend a session (the
  // session-management check) tell whether it still counts, without Resolve().
  bool Expired(const store::SessionRecord& s) const;

  const SessionPolicy& policy() const { return policy_; }

 private:
  Result<Started> StartOrReauthenticate(std::string_view user_id, std::string_view current_cookie,
                                        const store::SignInMethod& method);
  // Asks each participant's protocol how to sign it out (SessionEnding::participants[].logout).
  Result<void> DescribeParticipants(store::Store& tx, SessionEnding& ending);
  // Writes an outbox row for each participant with a back channel.
  Result<void> EnqueueNotifications(store::Store& tx, SessionEnding& ending, TimePoint now);
  // Until when a grant ended now is remembered: the latest one of its access tokens can expire.
  TimePoint RevokedGrantHorizon() const { return clock_.Now() + policy_.access_token_ttl; }

  store::Store& store_;
  Clock& clock_;
  Random& random_;
  EventLog& events_;
  SessionPolicy policy_;
  std::vector<ParticipantProtocol*> protocols_;
  std::function<void()> outbox_listener_;
};

}  // namespace gh::session
