// ClientCache: client registrations read through from a ClientStore and kept for a short time,
// for hot paths that look up the same few clients thousands of times a second — every sign-in
// reads its client at /authorize and again at /token, and logout delivery signs and sends one
// token per participant, 1000 participants sharing a handful of clients per sign-out. A change
// made elsewhere (the CLI is another process) is seen within `ttl`.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace gh::store {

class ClientCache {
 public:
  ClientCache(ClientStore& clients, Clock& clock, Seconds ttl, std::size_t capacity = 10'000);

  // The registration of `id`, or null when there is no such client. Store errors are passed on
  // and never cached. Thread-safe.
  Result<std::shared_ptr<const ClientRecord>> Find(std::string_view id);

 private:
  struct Entry {
    std::shared_ptr<const ClientRecord> client;  // null: known not to exist
    TimePoint fetched_at;
  };

  ClientStore& clients_;
  Clock& clock_;
  Seconds ttl_;
  std::size_t capacity_;
  std::mutex mutex_;
  // Transparent, so a lookup by string_view needs no std::string: Find is on the hot path.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace gh::store
