#include "store/client_cache.h"

namespace gh::store {

ClientCache::ClientCache(ClientStore& clients, Clock& clock, Seconds ttl, std::size_t capacity)
    : clients_(clients), clock_(clock), ttl_(ttl), capacity_(capacity) {}

Result<std::shared_ptr<const ClientRecord>> ClientCache::Find(std::string_view id) {
  const auto now = clock_.Now();
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it != entries_.end() && now - it->second.fetched_at < ttl_) return it->second.client;
  }
  // Looked up outside the lock: two threads may both miss and both read, which is harmless,
  // while holding the lock across the store would serialise every sender behind one query.
  GH_ASSIGN_OR_RETURN(auto found, clients_.FindClient(id));
  std::shared_ptr<const ClientRecord> client;
  if (found) client = std::make_shared<const ClientRecord>(std::move(*found));
  std::lock_guard lock(mutex_);
  // Registrations are few; a flood of unknown ids must still not grow the map without bound.
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.insert_or_assign(std::string(id), Entry{client, now});
  return client;
}

}  // namespace gh::store
