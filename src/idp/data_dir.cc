#include "idp/data_dir.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace gh::idp {
namespace {

namespace fs = std::filesystem;

// kFailedPrecondition when `path` exists and others than its owner (and group, for the
// directory's search bit) have any access to it.
Result<void> RequirePrivate(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Ok();  // not there (yet): nothing to expose
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) == 0) return Ok();
  char mode[8];
  std::snprintf(mode, sizeof mode, "%03o", st.st_mode & 0777);
  bool directory = S_ISDIR(st.st_mode);
  return Error::FailedPrecondition(path.string() + " is accessible to other users (mode " + mode +
                                   "); it holds the signing keys. Run: chmod " +
                                   (directory ? "700 " : "600 ") + path.string());
}

// The whole content of the secret file `path`, named by the setting `setting`, which must be
// private like the data directory.
Result<std::string> ReadPrivateFile(const std::string& setting, const std::string& path) {
  GH_RETURN_IF_ERROR(RequirePrivate(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::InvalidArgument(setting + ": cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

Result<std::unique_ptr<store::Store>> OpenPrivateStore(const Config& config) {
  const auto acquire_wait = std::chrono::milliseconds(config.store.acquire_timeout_ms);
  if (config.store.backend == Config::Store::Backend::kPostgres) {
    std::string password;
    if (config.store.password_file) {
      GH_ASSIGN_OR_RETURN(password,
                          ReadPrivateFile("store.password_file", *config.store.password_file));
      while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
        password.pop_back();
    }
    return store::OpenPostgresStore({*config.store.url, password}, config.store.pool_size,
                                    acquire_wait);
  }
  // Every file this process creates from here on (the database, its WAL and shared-memory
  // files, key files) is the owner's alone, whatever umask it was started with.
  ::umask(077);
  fs::path dir(config.data_dir);
  std::error_code ec;
  if (fs::create_directories(dir, ec)) fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec) return Error::Unavailable("data_dir " + config.data_dir + ": " + ec.message());
  GH_RETURN_IF_ERROR(RequirePrivate(dir));
  const std::string database = config.database_path();
  for (const char* suffix : {"", "-wal", "-shm"})
    GH_RETURN_IF_ERROR(RequirePrivate(database + suffix));
  return store::OpenSqliteStore(database, config.store.pool_size, acquire_wait);
}

Result<std::optional<crypto::KeySealer>> KeySealerFor(const Config& config) {
  if (config.keys.encryption_key) {
    GH_ASSIGN_OR_RETURN(auto sealer, crypto::KeySealer::FromKey(*config.keys.encryption_key));
    return std::optional(std::move(sealer));
  }
  if (!config.keys.encryption_key_file) return std::optional<crypto::KeySealer>();
  const auto& path = *config.keys.encryption_key_file;
  GH_ASSIGN_OR_RETURN(std::string content, ReadPrivateFile("keys.encryption_key_file", path));
  auto sealer = crypto::KeySealer::FromKey(content);
  if (!sealer.ok())
    return Error::InvalidArgument("keys.encryption_key_file " + path + ": " +
                                  sealer.error().message);
  return std::optional(*std::move(sealer));
}

}  // namespace gh::idp
