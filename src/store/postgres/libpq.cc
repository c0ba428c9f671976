#include "store/postgres/libpq.h"

#include <dlfcn.h>

#include <string>

namespace gh::store::postgres {
namespace {

Result<LibPq> Load() {
  // Never closed: connections may live until the process exits.
  void* library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr)
    return Error::Unavailable(std::string("postgres: cannot load libpq.so.5: ") + dlerror());
  LibPq pq;
  std::string missing;
#define GH_LIBPQ_RESOLVE(name)                                               \
  pq.name = reinterpret_cast<decltype(pq.name)>(dlsym(library, "PQ" #name)); \
  if (pq.name == nullptr) missing += " PQ" #name;
  GH_LIBPQ_FUNCTIONS(GH_LIBPQ_RESOLVE)
#undef GH_LIBPQ_RESOLVE
  if (!missing.empty()) return Error::Unavailable("postgres: libpq.so.5 lacks" + missing);
  return pq;
}

const Result<LibPq>& Loaded() {
  static const Result<LibPq> loaded = Load();
  return loaded;
}

}  // namespace

Result<const LibPq*> LoadLibPq() {
  const auto& loaded = Loaded();
  if (!loaded.ok()) return loaded.error();
  return &*loaded;
}

const LibPq& Pq() { return *Loaded(); }

}  // namespace gh::store::postgres
