#include "idp/cli.h"

#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "admin/operator_queries.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/params.h"
#include "core/random.h"
#include "core/words.h"
#include "crypto/digest.h"
#include "crypto/password.h"
#include "crypto/signing_key.h"
#include "idp/app.h"
#include "idp/config.h"
#include "idp/data_dir.h"
#include "keys/key_ring.h"
#include "oidc/grant_types.h"
#include "saml/metadata.h"
#include "saml/vocabulary.h"
#include "session/event_log.h"
#include "session/session_authority.h"
#include "store/sqlite/sqlite_store.h"

namespace gh::idp {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage = R"(Usage: gatehouse <command> [options]

Commands:
  serve                 run the identity provider
  client add|list|remove  manage OpenID Connect clients (relying parties)
  user add|list         manage users
  keys rotate           start signing with new keys; old keys stay published until their tokens expire
  session list|revoke   list IdP sessions; end them (every participant is notified)
  consent list|revoke   offline access users allowed applications; withdraw it
  saml sp add|list|remove  manage SAML 2.0 service providers (registered from their metadata)
  logout status         back-channel logout notifications and their delivery
  events                the sign-out event log

Every command takes --config FILE (or GATEHOUSE_CONFIG); GATEHOUSE_* variables override the file.
Run `gatehouse <command> --help` for a command's options.
)";

struct UsageError {
  std::string message;
};

// Parses `args` against `options`; throws UsageError on a bad flag, returns false after --help.
bool Parse(const std::vector<std::string>& args, const std::string& title,
           po::options_description options, po::variables_map& vm) {
  options.add_options()("config", po::value<std::string>(), "configuration file (TOML)")(
      "help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(options).run(), vm);
    // Before notify(), which would refuse `--help` for lacking the required options it lists.
    if (vm.count("help")) {
      std::cout << "Usage: gatehouse " << title << " [options]\n\n" << options;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  return true;
}

// The config for a command: --config, else GATEHOUSE_CONFIG, else defaults; then env overrides.
Result<Config> ConfigFor(const po::variables_map& vm) {
  auto env = GatehouseEnvironment();
  std::string path;
  if (vm.count("config"))
    path = vm["config"].as<std::string>();
  else if (auto it = env.find("GATEHOUSE_CONFIG"); it != env.end())
    path = it->second;
  auto config = LoadConfig(path, env);
  if (config.ok()) {
    SetLogFormat(config->log.format);
    SetLogLevel(config->log.level);
  }
  return config;
}

int ReportFailure(const Error& e) {
  std::cerr << "gatehouse: " << e.message << "\n";
  return 1;
}

// Registered URIs must be absolute and fragment-free (RFC 6749 §3.1.2), as exact matching needs.
Result<void> CheckUris(const std::string& flag, const std::vector<std::string>& uris) {
  for (const auto& uri : uris) {
    auto parsed = boost::urls::parse_absolute_uri(uri);
    if (!parsed || parsed->has_fragment() || !parsed->has_authority())
      return Error::InvalidArgument(flag + ": '" + uri +
                                    "' is not an absolute URI without a fragment");
  }
  return Ok();
}

template <class T>
std::vector<T> Many(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::vector<T>>() : std::vector<T>{};
}

int Serve(const std::vector<std::string>& args) {
  po::options_description o("serve options");
  o.add_options()("port-file", po::value<std::string>(),
                  "write the bound port to this file once listening (for ephemeral ports)");
  po::variables_map vm;
  if (!Parse(args, "serve", o, vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto app = App::Create(*config);
  if (!app.ok()) return ReportFailure(app.error());
  if (vm.count("port-file")) {
    auto path = vm["port-file"].as<std::string>();
    std::ofstream(path + ".tmp") << (*app)->port() << "\n";
    std::filesystem::rename(path + ".tmp", path);  // readers never see a half-written file
  }
  (*app)->Run(/*handle_signals=*/true);
  Log(LogLevel::kInfo, "idp.stopped");
  return 0;
}

int ClientCommand(const std::string& action, const std::vector<std::string>& args) {
  po::options_description o("client options");
  if (action == "add") {
    o.add_options()("id", po::value<std::string>()->required(), "client_id")(
        "name", po::value<std::string>(), "display name (default: the id)")(
        "secret", po::value<std::string>(), "client secret (confidential client)")(
        "public", "public client: no secret, PKCE required")(
        "redirect-uri", po::value<std::vector<std::string>>(), "allowed redirect_uri (repeat)")(
        "post-logout-redirect-uri", po::value<std::vector<std::string>>(),
        "allowed post_logout_redirect_uri (repeat)")(
        "web-origin", po::value<std::vector<std::string>>(),
        "origin whose pages may call /token, /userinfo, /jwks and discovery (CORS; repeat)")(
        "resource-server-for", po::value<std::vector<std::string>>(),
        "client_id whose tokens this client may introspect (repeat)")(
        "frontchannel-logout-uri", po::value<std::string>(), "front-channel logout URI")(
        "frontchannel-logout-session-required", po::value<bool>()->default_value(true),
        "send iss and sid to the front-channel logout URI")(
        "backchannel-logout-uri", po::value<std::string>(), "back-channel logout URI")(
        "backchannel-logout-session-required", po::value<bool>()->default_value(true),
        "include sid in logout tokens")(
        "id-token-alg", po::value<std::string>()->default_value("RS256"), "RS256 or ES256")(
        "access-token-audience", po::value<std::string>(),
        "resource server URI: access tokens become RFC 9068 JWTs (RS256) with this audience")(
        "grant-type", po::value<std::vector<std::string>>(),
        "authorization_code, refresh_token or client_credentials (repeat; default: every one the "
        "client's kind allows)");
  } else if (action == "remove") {
    o.add_options()("id", po::value<std::string>()->required(), "client_id");
  } else if (action != "list") {
    throw UsageError{"unknown client action '" + action + "' (add, list, remove)"};
  }
  po::variables_map vm;
  if (!Parse(args, "client " + action, o, vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());

  if (action == "list") {
    auto clients = (*store)->ListClients();
    if (!clients.ok()) return ReportFailure(clients.error());
    for (const auto& c : *clients) {
      std::cout << c.id << "\t" << (c.is_public() ? "public" : "confidential") << "\t"
                << c.id_token_signed_response_alg << "\t" << JoinWords(c.grant_types);
      for (const auto& u : c.redirect_uris) std::cout << "\t" << u;
      std::cout << "\n";
    }
    return 0;
  }
  std::string id = vm["id"].as<std::string>();
  if (action == "remove") {
    auto removed = (*store)->RemoveClient(id);
    if (!removed.ok()) return ReportFailure(removed.error());
    if (!*removed) return ReportFailure(Error::NotFound("no client '" + id + "'"));
    std::cout << "removed client " << id << "\n";
    return 0;
  }

  if (vm.count("secret") == vm.count("public"))
    throw UsageError{"give exactly one of --secret or --public"};
  store::ClientRecord client;
  client.id = id;
  client.name = vm.count("name") ? vm["name"].as<std::string>() : id;
  if (vm.count("secret")) {
    auto secret = vm["secret"].as<std::string>();
    if (secret.size() < 16) throw UsageError{"--secret must be at least 16 characters"};
    client.secret_hash = crypto::Sha256Base64Url(secret);
  }
  client.redirect_uris = Many<std::string>(vm, "redirect-uri");
  client.post_logout_redirect_uris = Many<std::string>(vm, "post-logout-redirect-uri");
  client.web_origins = Many<std::string>(vm, "web-origin");
  for (const auto& origin : client.web_origins)
    if (UriOrigin(origin) != origin)
      throw UsageError{"--web-origin: '" + origin +
                       "' is not an origin like https://app.example or http://127.0.0.1:8081"};
  client.resource_server_for = Many<std::string>(vm, "resource-server-for");
  if (vm.count("frontchannel-logout-uri"))
    client.frontchannel_logout_uri = vm["frontchannel-logout-uri"].as<std::string>();
  client.frontchannel_logout_session_required =
      vm["frontchannel-logout-session-required"].as<bool>();
  if (vm.count("backchannel-logout-uri"))
    client.backchannel_logout_uri = vm["backchannel-logout-uri"].as<std::string>();
  client.backchannel_logout_session_required = vm["backchannel-logout-session-required"].as<bool>();
  auto alg = crypto::ParseJwsAlg(vm["id-token-alg"].as<std::string>());
  if (!alg.ok()) throw UsageError{"--id-token-alg: expected RS256 or ES256"};
  client.id_token_signed_response_alg = crypto::ToString(*alg);
  if (vm.count("access-token-audience"))
    client.access_token_audience = vm["access-token-audience"].as<std::string>();
  client.grant_types = vm.count("grant-type") ? Many<std::string>(vm, "grant-type")
                                              : oidc::DefaultGrantTypes(client.is_public());
  if (auto r = oidc::CheckGrantTypes(client.grant_types, client.is_public()); !r.ok())
    throw UsageError{"--grant-type: " + r.error().message};
  for (auto r : {CheckUris("--redirect-uri", client.redirect_uris),
                 CheckUris("--post-logout-redirect-uri", client.post_logout_redirect_uris)})
    if (!r.ok()) throw UsageError{r.error().message};
  for (auto [flag, uri] : {std::pair{"--frontchannel-logout-uri", &client.frontchannel_logout_uri},
                           {"--backchannel-logout-uri", &client.backchannel_logout_uri},
                           {"--access-token-audience", &client.access_token_audience}})
    if (*uri)
      if (auto r = CheckUris(flag, {**uri}); !r.ok()) throw UsageError{r.error().message};
  SystemClock clock;
  client.created_at = clock.Now();
  if (auto r = (*store)->PutClient(client); !r.ok()) return ReportFailure(r.error());
  std::cout << "added client " << id << "\n";
  return 0;
}

Result<std::string> ReadPasswordFromStdin() {
  std::string password;
  if (!std::getline(std::cin, password) || password.empty())
    return Error::InvalidArgument("no password given (use --password or pipe it on stdin)");
  return password;
}

int UserCommand(const std::string& action, const std::vector<std::string>& args) {
  po::options_description o("user options");
  if (action == "add") {
    o.add_options()("username", po::value<std::string>()->required(), "unique sign-in name")(
        "password", po::value<std::string>(), "password (default: read one line from stdin)")(
        "name", po::value<std::string>(), "full name")("email", po::value<std::string>(),
                                                       "e-mail address");
  } else if (action != "list") {
    throw UsageError{"unknown user action '" + action + "' (add, list)"};
  }
  po::variables_map vm;
  if (!Parse(args, "user " + action, o, vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());

  if (action == "list") {
    auto users = (*store)->ListUsers();
    if (!users.ok()) return ReportFailure(users.error());
    for (const auto& u : *users)
      std::cout << u.username << "\t" << u.id << "\t" << u.name << "\t" << u.email << "\n";
    return 0;
  }
  auto password = vm.count("password") ? Result<std::string>(vm["password"].as<std::string>())
                                       : ReadPasswordFromStdin();
  if (!password.ok()) return ReportFailure(password.error());
  SystemRandom random;
  SystemClock clock;
  crypto::PasswordHasher hasher(random);
  auto hash = hasher.Hash(*password);
  if (!hash.ok()) return ReportFailure(hash.error());
  store::UserRecord user;
  user.id = random.Token(16);
  user.username = vm["username"].as<std::string>();
  user.password_hash = *hash;
  user.name = vm.count("name") ? vm["name"].as<std::string>() : user.username;
  user.email = vm.count("email") ? vm["email"].as<std::string>() : "";
  user.created_at = clock.Now();
  if (auto r = (*store)->PutUser(user); !r.ok()) return ReportFailure(r.error());
  std::cout << "added user " << user.username << " (sub " << user.id << ")\n";
  return 0;
}

int KeysCommand(const std::string& action, const std::vector<std::string>& args) {
  if (action != "rotate") throw UsageError{"unknown keys action '" + action + "' (rotate)"};
  po::variables_map vm;
  po::options_description o("keys rotate options");
  o.add_options()("announce-ahead", po::value<long>()->default_value(86400)->value_name("SECONDS"),
                  "publish the new keys (JWKS, SAML metadata) this long before they sign, so "
                  "relying parties and SPs that pin certificates learn them first")(
      "now", "sign with the new keys at once (a compromised key); same as --announce-ahead 0");
  if (!Parse(args, "keys rotate", o, vm)) return 0;
  long ahead = vm.count("now") ? 0 : vm["announce-ahead"].as<long>();
  if (ahead < 0) throw UsageError{"--announce-ahead must not be negative"};
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());
  auto sealer = KeySealerFor(*config);
  if (!sealer.ok()) return ReportFailure(sealer.error());
  SystemClock clock;
  keys::KeyRing ring(**store, clock, KeyPublishAfterRetire(*config), *sealer ? &**sealer : nullptr);
  if (auto r = ring.Reload(); !r.ok()) return ReportFailure(r.error());
  auto switch_at = ring.Rotate(Seconds(ahead));
  if (!switch_at.ok()) return ReportFailure(switch_at.error());
  for (auto alg : {crypto::JwsAlg::kRS256, crypto::JwsAlg::kES256})
    std::cout << crypto::ToString(alg) << " signs with kid " << ring.Announced(alg).back()->kid()
              << " from " << admin::FormatTime(*switch_at) << "\n";
  std::cout << "the new keys are published now; previous keys stay published for "
            << KeyPublishAfterRetire(*config).count()
            << " s after that; a running server picks up changes within 30 s\n";
  return 0;
}

// A listing cell: "-" for nothing, JSON text for numbers and objects.
std::string Cell(const nlohmann::json& value) {
  if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty()))
    return "-";
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Prints `rows` (JSON objects from admin::ToJson) as tab-separated `columns` under a header, or
// the whole `document` with --json. Both come from the same JSON, so they always agree.
void Print(const po::variables_map& vm, const nlohmann::json& document, const nlohmann::json& rows,
           std::initializer_list<const char*> columns) {
  if (vm.count("json")) {
    std::cout << document.dump(2) << "\n";
    return;
  }
  const char* separator = "";
  for (const char* c : columns) std::cout << std::exchange(separator, "\t") << c;
  std::cout << "\n";
  for (const auto& row : rows) {
    separator = "";
    for (const char* c : columns) std::cout << std::exchange(separator, "\t") << Cell(row.at(c));
    std::cout << "\n";
  }
}

// Participants as one cell: their client ids, comma-separated.
nlohmann::json ClientIds(const nlohmann::json& participants) {
  std::string ids;
  for (const auto& p : participants)
    ids += (ids.empty() ? "" : ",") + p["client_id"].get<std::string>();
  return ids;
}

// The value of string option `name`, if given.
std::optional<std::string> Optional(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? std::optional(vm[name].as<std::string>()) : std::nullopt;
}

// --limit as the admin API reads `limit`; a bad one is a usage error.
int LimitOption(const po::variables_map& vm) {
  auto limit = admin::ParseLimit(Optional(vm, "limit"));
  if (!limit.ok()) throw UsageError{"--" + limit.error().message};
  return *limit;
}

// The session authority the server builds, for commands that end sessions or grants: what they
// write to the shared store (outbox rows, revoked grants) the running server acts on — its
// dispatcher finds the new notifications on its next poll and delivers them.
struct CliAuthority {
  CliAuthority(store::Store& store, const Config& config)
      : events(clock), sessions(store, clock, random, events, SessionPolicyFor(config)) {}
  SystemClock clock;
  SystemRandom random;
  session::EventLog events;
  session::SessionAuthority sessions;
};

int SessionCommand(const std::string& action, const std::vector<std::string>& args) {
  po::options_description o("session options");
  if (action == "list") {
    o.add_options()("user", po::value<std::string>()->value_name("USERNAME"),
                    "only this user's sessions")("all", "include ended sessions")("json",
                                                                                  "print JSON");
  } else if (action == "revoke") {
    o.add_options()("sid", po::value<std::string>()->value_name("SID"),
                    "end this session; every participant is notified")(
        "user", po::value<std::string>()->value_name("USERNAME"),
        "end every active session of this user")(
        "include-offline",
        "also end offline_access grants (of the session, or every one the user gave)")(
        "json", "print JSON");
  } else {
    throw UsageError{"unknown session action '" + action + "' (list, revoke)"};
  }
  po::variables_map vm;
  if (!Parse(args, "session " + action, o, vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());

  if (action == "list") {
    auto views =
        admin::ListSessions(**store, Optional(vm, "user").value_or(""), vm.count("all") > 0);
    if (!views.ok()) return ReportFailure(views.error());
    auto sessions = nlohmann::json::array();
    for (const auto& v : *views) sessions.push_back(admin::ToJson(v));
    auto rows = sessions;
    for (auto& row : rows) row["participants"] = ClientIds(row["participants"]);
    Print(vm, {{"sessions", sessions}}, rows,
          {"sid", "username", "idp", "auth_time", "last_seen_at", "participants", "end_cause"});
    return 0;
  }

  if (vm.count("sid") == vm.count("user")) throw UsageError{"give exactly one of --sid or --user"};
  CliAuthority authority(**store, *config);
  auto sealer = KeySealerFor(*config);
  if (!sealer.ok()) return ReportFailure(sealer.error());
  keys::KeyRing ring(**store, authority.clock, KeyPublishAfterRetire(*config),
                     *sealer ? &**sealer : nullptr);
  if (auto r = ring.Reload(); !r.ok()) return ReportFailure(r.error());
  ParticipantProtocols protocols(config->issuer, **store, ring, authority.clock, authority.random);
  protocols.RegisterWith(authority.sessions);
  auto endings =
      admin::Revoke(**store, authority.sessions,
                    {Optional(vm, "sid"), Optional(vm, "user"), vm.count("include-offline") > 0});
  if (!endings.ok()) return ReportFailure(endings.error());
  auto ended = nlohmann::json::array();
  for (const auto& e : *endings) ended.push_back(admin::ToJson(e));
  auto rows = ended;
  for (auto& row : rows) {
    std::string notified;
    for (const auto& p : row["participants"])
      if (!p["notification_id"].is_null())
        notified += (notified.empty() ? "" : ",") + p["client_id"].get<std::string>() + "#" +
                    p["notification_id"].dump();
    row["participants"] = ClientIds(row["participants"]);
    row["notifications"] = notified;
  }
  Print(vm, {{"ended", ended}}, rows,
        {"sid", "ended_now", "end_cause", "participants", "notifications"});
  return 0;
}

int LogoutCommand(const std::string& action, const std::vector<std::string>& args) {
  if (action != "status") throw UsageError{"unknown logout action '" + action + "' (status)"};
  po::options_description o("logout status options");
  o.add_options()("sid", po::value<std::string>()->value_name("SID"),
                  "only the notifications of this session")(
      "limit", po::value<std::string>()->value_name("N"),
      "at most this many, newest first (default 100, max 1000)")("json", "print JSON");
  po::variables_map vm;
  if (!Parse(args, "logout status", o, vm)) return 0;
  int limit = LimitOption(vm);
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());
  auto report = admin::ListNotifications(**store, Optional(vm, "sid"), limit);
  if (!report.ok()) return ReportFailure(report.error());
  auto document = admin::ToJson(*report);
  Print(vm, document, document["notifications"],
        {"id", "sid", "client_id", "status", "attempts", "next_attempt_at", "last_error",
         "delivered_at"});
  if (!vm.count("json"))
    std::cout << "totals: pending " << report->totals.pending << ", delivered "
              << report->totals.delivered << ", failed " << report->totals.failed << "\n";
  return 0;
}

int EventsCommand(const std::vector<std::string>& args) {
  po::options_description o("events options");
  o.add_options()("after", po::value<std::string>()->value_name("ID"),
                  "only events with a larger id (default 0)")(
      "limit", po::value<std::string>()->value_name("N"),
      "at most this many, oldest first (default 100, max 1000)")("json", "print JSON");
  po::variables_map vm;
  if (!Parse(args, "events", o, vm)) return 0;
  int limit = LimitOption(vm);
  auto after = admin::ParseAfter(Optional(vm, "after"));
  if (!after.ok()) throw UsageError{"--" + after.error().message};
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());
  auto page = admin::ListEvents(**store, *after, limit);
  if (!page.ok()) return ReportFailure(page.error());
  auto document = admin::ToJson(*page);
  Print(vm, document, document["events"], {"id", "at", "type", "sid", "client_id", "detail"});
  return 0;
}

int ConsentCommand(const std::string& action, const std::vector<std::string>& args) {
  po::options_description o("consent options");
  o.add_options()("user", po::value<std::string>()->value_name("USERNAME")->required(),
                  "the user who gave the consent");
  if (action == "list") {
    o.add_options()("json", "print JSON");
  } else if (action == "revoke") {
    o.add_options()("client", po::value<std::string>()->value_name("CLIENT_ID")->required(),
                    "the application; its offline grants from this user end too");
  } else {
    throw UsageError{"unknown consent action '" + action + "' (list, revoke)"};
  }
  po::variables_map vm;
  if (!Parse(args, "consent " + action, o, vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());
  const auto& user = vm["user"].as<std::string>();
  if (action == "list") {
    auto consents = admin::ListConsents(**store, user);
    if (!consents.ok()) return ReportFailure(consents.error());
    auto rows = nlohmann::json::array();
    for (const auto& c : *consents) rows.push_back(admin::ToJson(c));
    Print(vm, {{"consents", rows}}, rows, {"client_id", "scope", "granted_at"});
    return 0;
  }
  const auto& client = vm["client"].as<std::string>();
  CliAuthority authority(**store, *config);
  auto removed = admin::RevokeConsent(**store, authority.sessions, user, client);
  if (!removed.ok()) return ReportFailure(removed.error());
  std::cout << (*removed ? "revoked the consent of " : "no consent of ") << user << " for "
            << client << "; its offline grants are ended\n";
  return 0;
}

// The NameID Format URI for a name people type.
std::string NameIdFormatUri(const std::string& name) {
  if (name == "persistent") return std::string(saml::kNameIdPersistent);
  if (name == "transient") return std::string(saml::kNameIdTransient);
  if (name == "email") return std::string(saml::kNameIdEmail);
  if (name == "unspecified") return std::string(saml::kNameIdUnspecified);
  throw UsageError{"--name-id-format must be persistent, transient, email or unspecified"};
}

std::string BindingUri(const std::string& name) {
  if (name == "redirect") return std::string(saml::kBindingRedirect);
  if (name == "post") return std::string(saml::kBindingPost);
  if (name == "soap") return std::string(saml::kBindingSoap);
  if (name.empty()) return "";
  throw UsageError{"--slo-binding must be redirect, post or soap"};
}

int SamlCommand(const std::string& what, const std::vector<std::string>& args) {
  if (what != "sp") throw UsageError{"unknown saml object '" + what + "' (sp)"};
  if (args.empty() || args[0].rfind("-", 0) == 0)
    throw UsageError{"saml sp needs an action (add, list, remove)"};
  const std::string& action = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  po::options_description o("saml sp options");
  if (action == "add") {
    o.add_options()("metadata", po::value<std::string>()->value_name("FILE")->required(),
                    "the SP's metadata (an EntityDescriptor with an SPSSODescriptor)")(
        "name", po::value<std::string>(), "shown to people; defaults to the entityID")(
        "name-id-format", po::value<std::string>()->default_value("persistent"),
        "persistent, transient, email or unspecified")(
        "attributes", po::value<std::string>()->default_value("email,name"),
        "user attributes released in assertions: any of username,email,name,sub")(
        "allow-unsigned-requests",
        "accept AuthnRequests and LogoutRequests without a signature (not for production)")(
        "idp-initiated", "allow sign-ins started from a Gatehouse link")(
        "slo-binding", po::value<std::string>()->default_value(""),
        "preferred Single Logout binding when the SP has several: redirect, post or soap");
  } else if (action == "list") {
    o.add_options()("json", "print JSON");
  } else if (action == "remove") {
    o.add_options()("entity-id", po::value<std::string>()->required(), "the SP's entityID");
  } else {
    throw UsageError{"unknown saml sp action '" + action + "' (add, list, remove)"};
  }
  po::variables_map vm;
  if (!Parse(rest, "saml sp " + action, o, vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenPrivateStore(*config);
  if (!store.ok()) return ReportFailure(store.error());

  if (action == "list") {
    auto sps = (*store)->ListServiceProviders();
    if (!sps.ok()) return ReportFailure(sps.error());
    auto rows = nlohmann::json::array();
    for (const auto& sp : *sps)
      rows.push_back({{"entity_id", sp.entity_id},
                      {"name", sp.name},
                      {"name_id_format", sp.name_id_format},
                      {"attributes", sp.released_attributes},
                      {"require_signed_requests", sp.require_signed_requests},
                      {"allow_idp_initiated", sp.allow_idp_initiated},
                      {"slo_binding", sp.slo_binding}});
    Print(vm, {{"service_providers", rows}}, rows,
          {"entity_id", "name", "name_id_format", "require_signed_requests"});
    return 0;
  }
  if (action == "remove") {
    const auto& entity_id = vm["entity-id"].as<std::string>();
    auto removed = (*store)->RemoveServiceProvider(entity_id);
    if (!removed.ok()) return ReportFailure(removed.error());
    std::cout << (*removed ? "removed " : "no service provider ") << entity_id << "\n";
    return *removed ? 0 : 1;
  }
  std::ifstream file(vm["metadata"].as<std::string>(), std::ios::binary);
  if (!file) return ReportFailure(Error::InvalidArgument("cannot read the metadata file"));
  std::string xml((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto metadata = saml::ParseSpMetadata(xml);
  if (!metadata.ok()) return ReportFailure(metadata.error());
  store::SamlServiceProviderRecord sp;
  sp.entity_id = metadata->entity_id;
  sp.name = vm.count("name") ? vm["name"].as<std::string>() : metadata->entity_id;
  sp.metadata_xml = xml;
  sp.name_id_format = NameIdFormatUri(vm["name-id-format"].as<std::string>());
  std::string attributes = vm["attributes"].as<std::string>();
  for (std::size_t start = 0; start < attributes.size();) {
    auto end = attributes.find(',', start);
    if (end == std::string::npos) end = attributes.size();
    std::string name = attributes.substr(start, end - start);
    if (name != "username" && name != "email" && name != "name" && name != "sub")
      throw UsageError{"unknown attribute '" + name + "' (username, email, name, sub)"};
    sp.released_attributes.push_back(name);
    start = end + 1;
  }
  // Signed requests are required when the SP can sign (its metadata has a key); accepting
  // unsigned ones is an explicit choice.
  if (vm.count("allow-unsigned-requests"))
    sp.require_signed_requests = false;
  else if (metadata->signing_certificates.empty())
    return ReportFailure(Error::InvalidArgument(
        "the metadata has no signing key, so its requests cannot be verified; register it with "
        "--allow-unsigned-requests to accept unsigned requests"));
  sp.allow_idp_initiated = vm.count("idp-initiated") > 0;
  sp.slo_binding = BindingUri(vm["slo-binding"].as<std::string>());
  sp.created_at = SystemClock().Now();
  if (auto put = (*store)->PutServiceProvider(sp); !put.ok()) return ReportFailure(put.error());
  std::cout << "registered SAML service provider " << sp.entity_id << " ("
            << metadata->assertion_consumer_services.size() << " ACS, "
            << metadata->single_logout_services.size() << " SLO endpoints)\n";
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  try {
    std::string command = args[0];
    auto rest = [&](std::size_t n) {
      return std::vector<std::string>(args.begin() + n, args.end());
    };
    if (command == "serve") return Serve(rest(1));
    if (command == "events") return EventsCommand(rest(1));
    if (command == "saml") {
      if (args.size() < 2) throw UsageError{"saml needs an object; see `gatehouse --help`"};
      return SamlCommand(args[1], rest(2));
    }
    if (command == "client" || command == "user" || command == "keys" || command == "session" ||
        command == "logout" || command == "consent") {
      if (args.size() < 2 || args[1].rfind("-", 0) == 0)
        throw UsageError{command + " needs an action; see `gatehouse --help`"};
      if (command == "client") return ClientCommand(args[1], rest(2));
      if (command == "user") return UserCommand(args[1], rest(2));
      if (command == "session") return SessionCommand(args[1], rest(2));
      if (command == "logout") return LogoutCommand(args[1], rest(2));
      if (command == "consent") return ConsentCommand(args[1], rest(2));
      return KeysCommand(args[1], rest(2));
    }
    throw UsageError{"unknown command '" + command + "'"};
  } catch (const UsageError& e) {
    std::cerr << "gatehouse: " << e.message << "\n\n" << kUsage;
    return 2;
  }
}

}  // namespace gh::idp
