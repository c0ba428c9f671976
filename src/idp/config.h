// Config: everything an operator sets, read from a TOML file with GATEHOUSE_* environment
// overrides, validated once at start-up so a mistake is reported by field name, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/result.h"
#include "federation/upstream_settings.h"
#include "http/trusted_proxies.h"

namespace gh::idp {

struct Config {
  // Public base URL of the IdP, e.g. https://id.example.com. When empty, `serve` derives it from
  // the bound address (http://host:port), which is what tests on ephemeral ports need.
  std::string issuer;
  std::string data_dir = "./var";

  struct Server {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int io_threads = 1;
    int worker_threads = 4;
    int max_header_bytes = 8 * 1024;
    int max_body_bytes = 64 * 1024;
    int max_connections = 1000;
    int read_timeout_seconds = 30;
    // How often the IdP does its upkeep: ends sessions past their lifetime (notifying their
    // participants), picks up keys rotated with the CLI, purges expired grants.
    int maintenance_interval_seconds = 30;
    std::optional<std::string> tls_certificate;
    std::optional<std::string> tls_private_key;
    // Load balancers in front (addresses or networks): their X-Forwarded-For names the client.
    http::TrustedProxies trusted_proxies;
  } server;

  struct Session {
    int idle_timeout_seconds = 8 * 3600;
    int absolute_timeout_seconds = 24 * 3600;
  } session;

  struct Tokens {
    int code_ttl_seconds = 60;
    int access_token_ttl_seconds = 3600;
    int id_token_ttl_seconds = 3600;
    int refresh_token_ttl_seconds = 30 * 24 * 3600;
  } tokens;

  // Sign-out: what ending a session revokes, and how back-channel notifications are delivered.
  struct Logout {
    // Back-Channel Logout 1.0 §2.7: refresh tokens granted offline_access outlive the session.
    bool keep_offline_tokens = true;
    int delivery_connect_timeout_ms = 2000;
    int delivery_timeout_ms = 5000;  // one attempt, connect included
    int retry_first_delay_seconds = 2;
    int retry_max_delay_seconds = 300;
    int retry_horizon_seconds = 24 * 3600;  // a notification still failing after this is given up
    // A claimed notification whose outcome was not recorded by then (the IdP died) is sent again.
    int delivery_lease_seconds = 30;
  } logout;

  // Where sessions, tokens, keys and the outbox live: the embedded SQLite database in data_dir
  // (one node), or a PostgreSQL database that several nodes share.
  struct Store {
    enum class Backend { kSqlite, kPostgres };
    Backend backend = Backend::kSqlite;
    // postgres: a libpq connection URL (postgresql://user@host:5432/db?sslmode=verify-full).
    std::optional<std::string> url;
    // postgres: a file holding the database password, so that it need not be in the URL.
    std::optional<std::string> password_file;
    // Connections: every worker thread, the outbox dispatcher and the upkeep may each hold one.
    int pool_size = 8;
    // How long a call waits for a free connection before it fails with 503.
    int acquire_timeout_ms = 5000;
  } store;

  // How long history is kept: ended sessions with their participants, delivered or failed
  // notifications and events older than this are purged by the upkeep. Pending notifications
  // are never purged; they settle within logout.retry_horizon_seconds.
  struct Retention {
    int history_seconds = 30 * 86400;
  } retention;

  // Private signing keys at rest: encrypted with this 32-byte key (raw or base64url), given
  // inline (best from the environment: GATEHOUSE_KEYS_ENCRYPTION_KEY) or in a file.
  struct Keys {
    std::optional<std::string> encryption_key;
    std::optional<std::string> encryption_key_file;
  } keys;

  // The operator's HTTP API and /metrics (src/admin/admin_api.h).
  struct Admin {
    // base64url SHA-256 of the admin bearer token; the admin API is disabled while unset.
    std::optional<std::string> token_sha256;
  } admin;

  struct Logging {
    LogFormat format = LogFormat::kText;
    LogLevel level = LogLevel::kInfo;
  } log;

  // [[upstream]] tables: identity providers people may sign in through (docs/FEDERATION.md).
  // A secret may come from GATEHOUSE_UPSTREAM_<ID>_CLIENT_SECRET (id upper-cased, '-' → '_').
  std::vector<federation::UpstreamSettings> upstreams;

  std::string database_path() const { return data_dir + "/gatehouse.db"; }
};

using Environment = std::map<std::string, std::string>;

// The process environment's GATEHOUSE_* variables.
Environment GatehouseEnvironment();

// Reads `path` (empty: defaults only), applies `env`, validates. Errors name the field, e.g.
// "server.listen: expected host:port".
Result<Config> LoadConfig(const std::string& path, const Environment& env);
// Same, from TOML text (for tests).
Result<Config> ParseConfig(std::string_view toml_text, const Environment& env);

}  // namespace gh::idp
