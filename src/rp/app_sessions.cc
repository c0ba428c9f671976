#include "rp/app_sessions.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace gh::rp {
namespace {

// Expired sessions are dropped on every this many puts (see InMemoryOneTimeStore).
constexpr std::uint64_t kSweepEvery = 64;

void EraseEntry(std::multimap<std::string, std::string, std::less<>>& index, const std::string& key,
                const std::string& id) {
  auto [first, last] = index.equal_range(key);
  for (auto it = first; it != last; ++it) {
    if (it->second == id) {
      index.erase(it);
      return;
    }
  }
}

}  // namespace

std::optional<std::string> StringClaim(const AppSession& session, std::string_view name) {
  auto claims = nlohmann::json::parse(session.claims_json, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return std::nullopt;
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<void> InMemoryAppSessionStore::Put(AppSession session) {
  std::lock_guard lock(mutex_);
  if (++puts_ % kSweepEvery == 0) SweepExpiredLocked(clock_.Now());
  EraseLocked(session.id);
  if (session.sid) by_sid_.emplace(*session.sid, session.id);
  by_sub_.emplace(session.sub, session.id);
  std::string id = session.id;
  sessions_.insert_or_assign(std::move(id), std::move(session));
  return Ok();
}

Result<std::optional<AppSession>> InMemoryAppSessionStore::Get(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return std::optional<AppSession>();
  if (it->second.expires_at <= clock_.Now()) {
    EraseLocked(it->first);
    return std::optional<AppSession>();
  }
  return std::optional<AppSession>(it->second);
}

Result<std::optional<AppSession>> InMemoryAppSessionStore::Remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto removed = EraseLocked(std::string(id));
  if (removed && removed->expires_at <= clock_.Now()) removed.reset();
  return removed;
}

Result<std::size_t> InMemoryAppSessionStore::RemoveBySid(std::string_view sid) {
  std::lock_guard lock(mutex_);
  return EraseAllLocked(by_sid_, sid);
}

Result<std::size_t> InMemoryAppSessionStore::RemoveBySub(std::string_view sub) {
  std::lock_guard lock(mutex_);
  return EraseAllLocked(by_sub_, sub);
}

std::size_t InMemoryAppSessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::optional<AppSession> InMemoryAppSessionStore::EraseLocked(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  AppSession session = std::move(it->second);
  sessions_.erase(it);
  if (session.sid) EraseEntry(by_sid_, *session.sid, session.id);
  EraseEntry(by_sub_, session.sub, session.id);
  return session;
}

std::size_t InMemoryAppSessionStore::EraseAllLocked(Index& index, std::string_view key) {
  std::vector<std::string> ids;
  auto [first, last] = index.equal_range(key);
  for (auto it = first; it != last; ++it) ids.push_back(it->second);
  for (const auto& id : ids) EraseLocked(id);
  return ids.size();
}

void InMemoryAppSessionStore::SweepExpiredLocked(TimePoint now) {
  std::vector<std::string> expired;
  for (const auto& [id, session] : sessions_)
    if (session.expires_at <= now) expired.push_back(id);
  for (const auto& id : expired) EraseLocked(id);
}

}  // namespace gh::rp
