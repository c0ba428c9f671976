#include "idp/config.h"

#include <toml++/toml.h>

#include <boost/url/parse.hpp>
#include <charconv>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <vector>

#include "core/base64url.h"
#include "saml/metadata.h"

extern char** environ;

namespace gh::idp {
namespace {

enum class Kind { kString, kInt, kBool };

// One configurable field: its dotted TOML name (env: GATEHOUSE_ + upper-cased, '.' → '_') and how
// to apply a textual value to the Config.
struct Field {
  std::string name;
  Kind kind;
  std::function<Result<void>(Config&, const std::string&)> apply;
};

Result<int> ParsePositive(const std::string& text, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return Error::InvalidArgument("expected an integer from " + std::to_string(min) + " to " +
                                  std::to_string(max) + ", got '" + text + "'");
  return value;
}

template <class Member>
Field Int(std::string name, Member member, int min, int max) {
  return {std::move(name), Kind::kInt,
          [member, min, max](Config& c, const std::string& v) -> Result<void> {
            GH_ASSIGN_OR_RETURN(int parsed, ParsePositive(v, min, max));
            member(c) = parsed;
            return Ok();
          }};
}

// A boolean: a TOML bool, or "true"/"false" in the environment.
template <class Member>
Field Bool(std::string name, Member member) {
  return {std::move(name), Kind::kBool, [member](Config& c, const std::string& v) -> Result<void> {
            if (v != "true" && v != "false")
              return Error::InvalidArgument("expected true or false, got '" + v + "'");
            member(c) = v == "true";
            return Ok();
          }};
}

// An optional string, set by giving it.
template <class Member>
Field OptionalString(std::string name, Member member) {
  return {std::move(name), Kind::kString,
          [member](Config& c, const std::string& v) -> Result<void> {
            member(c) = v;
            return Ok();
          }};
}

Result<void> ApplyListen(Config& c, const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Error::InvalidArgument("expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got '" +
                                  v + "'");
  std::string host = v.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  GH_ASSIGN_OR_RETURN(int port, ParsePositive(v.substr(colon + 1), 0, 65535));
  c.server.host = host;
  c.server.port = static_cast<std::uint16_t>(port);
  return Ok();
}

Result<void> ApplyIssuer(Config& c, const std::string& v) {
  auto url = boost::urls::parse_absolute_uri(v);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || !url->has_authority() ||
      url->host().empty() || url->has_query() || url->has_fragment() ||
      (!v.empty() && v.back() == '/'))
    return Error::InvalidArgument(
        "expected an absolute http(s) URL without query, fragment or trailing slash, got '" + v +
        "'");
  c.issuer = v;
  return Ok();
}

// Only the token's hash is configured, so a leaked config file does not grant admin access.
Result<void> ApplyAdminTokenSha256(Config& c, const std::string& v) {
  auto digest = Base64UrlDecode(v);
  if (!digest || digest->size() != 32)
    return Error::InvalidArgument(
        "expected the base64url SHA-256 of the admin token (43 characters, e.g. from `printf %s "
        "TOKEN | openssl dgst -sha256 -binary | basenc --base64url | tr -d =`)");
  c.admin.token_sha256 = v;
  return Ok();
}

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      {"issuer", Kind::kString, ApplyIssuer},
      {"data_dir", Kind::kString,
       [](Config& c, const std::string& v) -> Result<void> {
         if (v.empty()) return Error::InvalidArgument("must not be empty");
         c.data_dir = v;
         return Ok();
       }},
      {"server.listen", Kind::kString, ApplyListen},
      Int(
          "server.io_threads", [](Config& c) -> int& { return c.server.io_threads; }, 1, 64),
      Int(
          "server.worker_threads", [](Config& c) -> int& { return c.server.worker_threads; }, 1,
          256),
      Int(
          "server.max_header_bytes", [](Config& c) -> int& { return c.server.max_header_bytes; },
          1024, 1 << 20),
      Int(
          "server.max_body_bytes", [](Config& c) -> int& { return c.server.max_body_bytes; }, 1024,
          16 << 20),
      Int(
          "server.max_connections", [](Config& c) -> int& { return c.server.max_connections; }, 1,
          1'000'000),
      Int(
          "server.read_timeout_seconds",
          [](Config& c) -> int& { return c.server.read_timeout_seconds; }, 1, 3600),
      Int(
          "server.maintenance_interval_seconds",
          [](Config& c) -> int& { return c.server.maintenance_interval_seconds; }, 1, 3600),
      {"store.backend", Kind::kString,
       [](Config& c, const std::string& v) -> Result<void> {
         if (v != "sqlite" && v != "postgres")
           return Error::InvalidArgument("expected \"sqlite\" or \"postgres\", got '" + v + "'");
         c.store.backend =
             v == "postgres" ? Config::Store::Backend::kPostgres : Config::Store::Backend::kSqlite;
         return Ok();
       }},
      OptionalString(
          "store.url", [](Config & c) -> auto& { return c.store.url; }),
      OptionalString(
          "store.password_file", [](Config & c) -> auto& { return c.store.password_file; }),
      Int(
          "store.pool_size", [](Config& c) -> int& { return c.store.pool_size; }, 1, 256),
      Int(
          "store.acquire_timeout_ms", [](Config& c) -> int& { return c.store.acquire_timeout_ms; },
          1, 60'000),
      {"server.trusted_proxies", Kind::kString,
       [](Config& c, const std::string& v) -> Result<void> {
         GH_ASSIGN_OR_RETURN(c.server.trusted_proxies, http::TrustedProxies::Parse(v));
         return Ok();
       }},
      OptionalString(
          "server.tls_certificate", [](Config & c) -> auto& { return c.server.tls_certificate; }),
      OptionalString(
          "server.tls_private_key", [](Config & c) -> auto& { return c.server.tls_private_key; }),
      Int(
          "session.idle_timeout_seconds",
          [](Config& c) -> int& { return c.session.idle_timeout_seconds; }, 60, 365 * 86400),
      Int(
          "session.absolute_timeout_seconds",
          [](Config& c) -> int& { return c.session.absolute_timeout_seconds; }, 60, 365 * 86400),
      Int(
          "tokens.code_ttl_seconds", [](Config& c) -> int& { return c.tokens.code_ttl_seconds; }, 5,
          600),
      Int(
          "tokens.access_token_ttl_seconds",
          [](Config& c) -> int& { return c.tokens.access_token_ttl_seconds; }, 30, 86400),
      Int(
          "tokens.id_token_ttl_seconds",
          [](Config& c) -> int& { return c.tokens.id_token_ttl_seconds; }, 30, 86400),
      Int(
          "tokens.refresh_token_ttl_seconds",
          [](Config& c) -> int& { return c.tokens.refresh_token_ttl_seconds; }, 60, 365 * 86400),
      Bool("logout.keep_offline_tokens",
           [](Config& c) -> bool& { return c.logout.keep_offline_tokens; }),
      Int(
          "logout.delivery_connect_timeout_ms",
          [](Config& c) -> int& { return c.logout.delivery_connect_timeout_ms; }, 100, 60'000),
      Int(
          "logout.delivery_timeout_ms",
          [](Config& c) -> int& { return c.logout.delivery_timeout_ms; }, 100, 300'000),
      Int(
          "logout.retry_first_delay_seconds",
          [](Config& c) -> int& { return c.logout.retry_first_delay_seconds; }, 1, 3600),
      Int(
          "logout.retry_max_delay_seconds",
          [](Config& c) -> int& { return c.logout.retry_max_delay_seconds; }, 1, 86400),
      Int(
          "logout.retry_horizon_seconds",
          [](Config& c) -> int& { return c.logout.retry_horizon_seconds; }, 1, 30 * 86400),
      Int(
          "logout.delivery_lease_seconds",
          [](Config& c) -> int& { return c.logout.delivery_lease_seconds; }, 1, 3600),
      Int(
          "retention.history_seconds",
          [](Config& c) -> int& { return c.retention.history_seconds; }, 1, 3650 * 86400),
      OptionalString(
          "keys.encryption_key", [](Config & c) -> auto& { return c.keys.encryption_key; }),
      OptionalString(
          "keys.encryption_key_file",
          [](Config & c) -> auto& { return c.keys.encryption_key_file; }),
      {"admin.token_sha256", Kind::kString, ApplyAdminTokenSha256},
      {"log.format", Kind::kString,
       [](Config& c, const std::string& v) -> Result<void> {
         if (v == "json" || v == "text") {
           c.log.format = v == "json" ? LogFormat::kJson : LogFormat::kText;
           return Ok();
         }
         return Error::InvalidArgument("expected \"text\" or \"json\", got '" + v + "'");
       }},
      {"log.level", Kind::kString,
       [](Config& c, const std::string& v) -> Result<void> {
         if (ParseLogLevel(v, c.log.level)) return Ok();
         return Error::InvalidArgument("expected debug, info, warn or error, got '" + v + "'");
       }},
  };
  return fields;
}

std::string EnvName(const std::string& field) {
  std::string out = "GATEHOUSE_";
  for (char c : field) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(c)));
  return out;
}

Result<void> Named(const std::string& name, Result<void> r) {
  if (r.ok()) return r;
  return Error::InvalidArgument(name + ": " + r.error().message);
}

// ---- [[upstream]] tables

Result<std::string> UpstreamString(const toml::node& value, const std::string& name) {
  if (!value.is_string()) return Error::InvalidArgument(name + ": expected a string");
  return *value.value<std::string>();
}

// One keyword of a fixed set, e.g. sign_out = "ask".
template <class Enum>
Result<Enum> Keyword(const std::string& text, const std::string& name,
                     std::initializer_list<std::pair<const char*, Enum>> words) {
  std::string expected;
  for (const auto& [word, value] : words) {
    if (text == word) return value;
    expected += (expected.empty() ? "" : ", ") + std::string(word);
  }
  return Error::InvalidArgument(name + ": expected one of " + expected + ", got '" + text + "'");
}

std::string ReadFileTrimmed(const std::string& path, bool& ok) {
  std::ifstream in(path);
  ok = static_cast<bool>(in);
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

Result<federation::UpstreamSettings> ParseUpstream(const toml::table& table,
                                                   const std::string& at) {
  using federation::UpstreamSettings;
  UpstreamSettings u;
  std::string protocol = "oidc", metadata_file;
  std::set<std::string_view> claims_set;
  for (const auto& [key, value] : table) {
    std::string name = at + "." + std::string(key.str());
    GH_ASSIGN_OR_RETURN(std::string text, UpstreamString(value, name));
    std::string_view k = key.str();
    if (k == "id") {
      u.id = text;
    } else if (k == "name") {
      u.display_name = text;
    } else if (k == "protocol") {
      protocol = text;
    } else if (k == "metadata_file") {
      metadata_file = text;
    } else if (k == "issuer") {
      Config scratch;
      GH_RETURN_IF_ERROR(Named(name, ApplyIssuer(scratch, text)));
      u.issuer = text;
    } else if (k == "client_id") {
      u.client_id = text;
    } else if (k == "client_secret") {
      u.client_secret = text;
    } else if (k == "client_secret_file") {
      bool ok = false;
      u.client_secret = ReadFileTrimmed(text, ok);
      if (!ok) return Error::InvalidArgument(name + ": cannot read '" + text + "'");
    } else if (k == "scope") {
      u.scope = text;
    } else if (k == "username_claim") {
      u.username_claim = text;
      claims_set.insert(k);
    } else if (k == "name_claim") {
      u.name_claim = text;
      claims_set.insert(k);
    } else if (k == "email_claim") {
      u.email_claim = text;
      claims_set.insert(k);
    } else if (k == "link_by") {
      using LinkBy = UpstreamSettings::LinkBy;
      GH_ASSIGN_OR_RETURN(u.link_by, Keyword<LinkBy>(text, name,
                                                     {{"none", LinkBy::kNone},
                                                      {"email", LinkBy::kEmail},
                                                      {"username", LinkBy::kUsername}}));
    } else if (k == "unknown_users") {
      using federation::UnknownUsers;
      GH_ASSIGN_OR_RETURN(u.unknown_users,
                          Keyword<UnknownUsers>(text, name,
                                                {{"refuse", UnknownUsers::kRefuse},
                                                 {"provision", UnknownUsers::kProvision}}));
    } else if (k == "sign_out") {
      using federation::SignOutMode;
      GH_ASSIGN_OR_RETURN(u.sign_out, Keyword<SignOutMode>(text, name,
                                                           {{"always", SignOutMode::kAlways},
                                                            {"ask", SignOutMode::kAsk},
                                                            {"never", SignOutMode::kNever}}));
    } else {
      return Error::InvalidArgument(name + ": unknown setting");
    }
  }
  if (u.id.empty() || u.id.size() > 64 ||
      u.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return Error::InvalidArgument(at + ".id: expected 1 to 64 lower-case letters, digits or '-'");
  GH_ASSIGN_OR_RETURN(u.protocol,
                      Keyword<federation::Protocol>(protocol, at + ".protocol",
                                                    {{"oidc", federation::Protocol::kOidc},
                                                     {"saml", federation::Protocol::kSaml}}));
  if (u.display_name.empty()) u.display_name = u.id;
  if (u.protocol == federation::Protocol::kOidc) {
    if (!metadata_file.empty())
      return Error::InvalidArgument(at + ".metadata_file: only for protocol = \"saml\"");
    if (u.issuer.empty()) return Error::InvalidArgument(at + ".issuer: required");
    if (u.client_id.empty()) return Error::InvalidArgument(at + ".client_id: required");
    return u;
  }
  if (!u.issuer.empty() || !u.client_id.empty() || u.client_secret)
    return Error::InvalidArgument(at +
                                  ": a SAML upstream is named by its metadata_file, not by "
                                  "issuer or client_id");
  if (metadata_file.empty()) return Error::InvalidArgument(at + ".metadata_file: required");
  bool ok = false;
  std::string metadata_xml = ReadFileTrimmed(metadata_file, ok);
  if (!ok)
    return Error::InvalidArgument(at + ".metadata_file: cannot read '" + metadata_file + "'");
  auto metadata = saml::ParseIdpMetadata(metadata_xml);
  if (!metadata.ok())
    return Error::InvalidArgument(at + ".metadata_file: " + metadata.error().message);
  u.issuer = metadata->entity_id;
  u.saml_idp = std::move(*metadata);
  // The attribute names directory-backed IdPs release (eduPerson / LDAP friendly names).
  if (!claims_set.contains("username_claim")) u.username_claim = "uid";
  if (!claims_set.contains("name_claim")) u.name_claim = "displayName";
  if (!claims_set.contains("email_claim")) u.email_claim = "mail";
  return u;
}

Result<void> ApplyUpstreams(Config& config, const toml::node& node) {
  const auto* tables = node.as_array();
  if (!tables) return Error::InvalidArgument("upstream: expected [[upstream]] tables");
  for (std::size_t i = 0; i < tables->size(); ++i) {
    std::string at = "upstream[" + std::to_string(i) + "]";
    const auto* table = tables->get(i)->as_table();
    if (!table) return Error::InvalidArgument(at + ": expected a table");
    GH_ASSIGN_OR_RETURN(auto upstream, ParseUpstream(*table, at));
    for (const auto& other : config.upstreams)
      if (other.id == upstream.id)
        return Error::InvalidArgument(at + ".id: '" + upstream.id + "' is used twice");
    config.upstreams.push_back(std::move(upstream));
  }
  return Ok();
}

// GATEHOUSE_UPSTREAM_<ID>_CLIENT_SECRET: secrets belong in the environment, not the file.
Result<bool> ApplyUpstreamEnvironment(Config& config, const std::string& name,
                                      const std::string& value) {
  constexpr std::string_view kPrefix = "GATEHOUSE_UPSTREAM_";
  constexpr std::string_view kSuffix = "_CLIENT_SECRET";
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return false;
  for (auto& upstream : config.upstreams) {
    std::string id;
    for (char c : upstream.id) id.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
    if (name == std::string(kPrefix) + id + std::string(kSuffix)) {
      upstream.client_secret = value;
      return true;
    }
  }
  return Error::InvalidArgument(name + ": no [[upstream]] has this id");
}

Result<void> ApplyToml(Config& config, const toml::table& root) {
  // Unknown keys are errors: a typo must not silently fall back to a default.
  for (const auto& [key, node] : root) {
    std::string top(key.str());
    if (top == "upstream") {
      GH_RETURN_IF_ERROR(ApplyUpstreams(config, node));
      continue;
    }
    if (auto* section = node.as_table()) {
      for (const auto& [sub, value] : *section) {
        std::string name = top + "." + std::string(sub.str());
        bool known = false;
        for (const auto& f : Fields()) {
          if (f.name != name) continue;
          known = true;
          if (f.kind == Kind::kInt && !value.is_integer())
            return Error::InvalidArgument(name + ": expected an integer");
          if (f.kind == Kind::kString && !value.is_string())
            return Error::InvalidArgument(name + ": expected a string");
          if (f.kind == Kind::kBool && !value.is_boolean())
            return Error::InvalidArgument(name + ": expected true or false");
          std::string text = value.is_integer()   ? std::to_string(*value.value<std::int64_t>())
                             : value.is_boolean() ? (*value.value<bool>() ? "true" : "false")
                                                  : *value.value<std::string>();
          GH_RETURN_IF_ERROR(Named(name, f.apply(config, text)));
        }
        if (!known) return Error::InvalidArgument(name + ": unknown setting");
      }
      continue;
    }
    bool known = false;
    for (const auto& f : Fields()) {
      if (f.name != top) continue;
      known = true;
      if (!node.is_string()) return Error::InvalidArgument(top + ": expected a string");
      GH_RETURN_IF_ERROR(Named(top, f.apply(config, *node.value<std::string>())));
    }
    if (!known) return Error::InvalidArgument(top + ": unknown setting");
  }
  return Ok();
}

Result<void> ApplyEnvironment(Config& config, const Environment& env) {
  for (const auto& [name, value] : env) {
    if (name == "GATEHOUSE_CONFIG") continue;  // names the file; read by the CLI
    GH_ASSIGN_OR_RETURN(bool secret, ApplyUpstreamEnvironment(config, name, value));
    if (secret) continue;
    bool known = false;
    for (const auto& f : Fields()) {
      if (EnvName(f.name) != name) continue;
      known = true;
      GH_RETURN_IF_ERROR(Named(name, f.apply(config, value)));
    }
    if (!known) return Error::InvalidArgument(name + ": unknown environment setting");
  }
  return Ok();
}

Result<void> Validate(const Config& c) {
  if (c.server.tls_certificate.has_value() != c.server.tls_private_key.has_value())
    return Error::InvalidArgument(
        "server.tls_certificate and server.tls_private_key must be set together");
  if (c.session.idle_timeout_seconds > c.session.absolute_timeout_seconds)
    return Error::InvalidArgument(
        "session.idle_timeout_seconds must not exceed session.absolute_timeout_seconds");
  if (c.logout.delivery_connect_timeout_ms > c.logout.delivery_timeout_ms)
    return Error::InvalidArgument(
        "logout.delivery_connect_timeout_ms must not exceed logout.delivery_timeout_ms");
  // A lease that ran out while its attempt was still in flight would let a second worker send
  // the same notification concurrently.
  if (c.logout.delivery_lease_seconds * 1000 <= c.logout.delivery_timeout_ms)
    return Error::InvalidArgument(
        "logout.delivery_lease_seconds must exceed logout.delivery_timeout_ms");
  const bool postgres = c.store.backend == Config::Store::Backend::kPostgres;
  if (postgres && !c.store.url)
    return Error::InvalidArgument("store.url is required with store.backend = \"postgres\"");
  if (!postgres && (c.store.url || c.store.password_file))
    return Error::InvalidArgument(
        "store.url and store.password_file are for store.backend = \"postgres\"");
  if (c.logout.retry_first_delay_seconds > c.logout.retry_max_delay_seconds)
    return Error::InvalidArgument(
        "logout.retry_first_delay_seconds must not exceed logout.retry_max_delay_seconds");
  return Ok();
}

}  // namespace

Environment GatehouseEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.rfind("GATEHOUSE_", 0) != 0) continue;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Result<Config> ParseConfig(std::string_view toml_text, const Environment& env) {
  Config config;
  try {
    toml::table root = toml::parse(toml_text);
    GH_RETURN_IF_ERROR(ApplyToml(config, root));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Error::InvalidArgument("line " + std::to_string(where.line) + ", column " +
                                  std::to_string(where.column) + ": " +
                                  std::string(e.description()));
  }
  GH_RETURN_IF_ERROR(ApplyEnvironment(config, env));
  GH_RETURN_IF_ERROR(Validate(config));
  return config;
}

Result<Config> LoadConfig(const std::string& path, const Environment& env) {
  if (path.empty()) return ParseConfig("", env);
  std::ifstream in(path);
  if (!in) return Error::NotFound(path + ": cannot read the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  auto config = ParseConfig(text.str(), env);
  if (!config.ok()) return Error::InvalidArgument(path + ": " + config.error().message);
  return config;
}

}  // namespace gh::idp
