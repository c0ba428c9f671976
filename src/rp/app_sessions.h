// App sessions: the relying party's own sign-in sessions, one per browser that completed a
// sign-in, held server-side and named by a random cookie. Indexed by the OP's `sid` and by `sub`
// so that a logout arriving without any cookie — a back-channel POST from the OP, or a
// front-channel iframe whose third-party cookies the browser blocks (Front-Channel Logout 1.0 §4)
// — can still find and end the right sessions.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"

namespace gh::rp {

// One signed-in browser at this app.
struct AppSession {
  // base64url SHA-256 of the cookie value: the cookie itself is never stored, so a leaked store
  // does not hand out live sessions.
  std::string id;
  std::string sub;                           // the OP's stable identifier for the person
  std::optional<std::string> sid;            // the OP session (Front-Channel Logout 1.0 §3)
  std::optional<std::string> session_state;  // Session Management 1.0 §2, for the RP iframe
  std::string id_token;     // sent back as id_token_hint (RP-Initiated Logout 1.0 §2)
  std::string claims_json;  // the ID token's claims, as a JSON object
  TimePoint created_at;
  TimePoint expires_at;
};

// The string claim `name` of the session's ID token (e.g. "email"), if it has one.
std::optional<std::string> StringClaim(const AppSession& session, std::string_view name);

// Where sessions live. One store serves one OP: `sid` is unique only per issuer.
class AppSessionStore {
 public:
  virtual ~AppSessionStore() = default;
  virtual Result<void> Put(AppSession session) = 0;
  // The live session `id`; nullopt when unknown or expired.
  virtual Result<std::optional<AppSession>> Get(std::string_view id) = 0;
  // Ends session `id`, returning it if it was live.
  virtual Result<std::optional<AppSession>> Remove(std::string_view id) = 0;
  // Ends every session of the OP session `sid` / of the person `sub`; returns how many.
  virtual Result<std::size_t> RemoveBySid(std::string_view sid) = 0;
  virtual Result<std::size_t> RemoveBySub(std::string_view sub) = 0;
};

// A process-local AppSessionStore for single-node apps and tests. Thread-safe.
class InMemoryAppSessionStore final : public AppSessionStore {
 public:
  explicit InMemoryAppSessionStore(const Clock& clock) : clock_(clock) {}

  Result<void> Put(AppSession session) override;
  Result<std::optional<AppSession>> Get(std::string_view id) override;
  Result<std::optional<AppSession>> Remove(std::string_view id) override;
  Result<std::size_t> RemoveBySid(std::string_view sid) override;
  Result<std::size_t> RemoveBySub(std::string_view sub) override;

  std::size_t size() const;

 private:
  using Index = std::multimap<std::string, std::string, std::less<>>;  // key → session id

  // REQUIRES: mutex_ held.
  std::optional<AppSession> EraseLocked(const std::string& id);
  std::size_t EraseAllLocked(Index& index, std::string_view key);
  void SweepExpiredLocked(TimePoint now);

  const Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, AppSession> sessions_;
  Index by_sid_;
  Index by_sub_;
  std::uint64_t puts_ = 0;
};

}  // namespace gh::rp
