#include "idp/cli.h"

#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "crypto/password.h"
#include "crypto/signing_key.h"
#include "idp/app.h"
#include "idp/config.h"
#include "keys/key_ring.h"
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
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError{e.what()};
  }
  if (vm.count("help")) {
    std::cout << "Usage: gatehouse " << title << " [options]\n\n" << options;
    return false;
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

Result<std::unique_ptr<store::SqliteStore>> OpenStore(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error::Unavailable("data_dir " + config.data_dir + ": " + ec.message());
  return store::SqliteStore::Open(config.database_path());
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
        "frontchannel-logout-uri", po::value<std::string>(), "front-channel logout URI")(
        "frontchannel-logout-session-required", po::value<bool>()->default_value(true),
        "send iss and sid to the front-channel logout URI")(
        "backchannel-logout-uri", po::value<std::string>(), "back-channel logout URI")(
        "backchannel-logout-session-required", po::value<bool>()->default_value(true),
        "include sid in logout tokens")(
        "id-token-alg", po::value<std::string>()->default_value("RS256"), "RS256 or ES256");
  } else if (action == "remove") {
    o.add_options()("id", po::value<std::string>()->required(), "client_id");
  } else if (action != "list") {
    throw UsageError{"unknown client action '" + action + "' (add, list, remove)"};
  }
  po::variables_map vm;
  if (!Parse(args, "client " + action, o, vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenStore(*config);
  if (!store.ok()) return ReportFailure(store.error());

  if (action == "list") {
    auto clients = (*store)->ListClients();
    if (!clients.ok()) return ReportFailure(clients.error());
    for (const auto& c : *clients) {
      std::cout << c.id << "\t" << (c.is_public() ? "public" : "confidential") << "\t"
                << c.id_token_signed_response_alg;
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
  for (auto r : {CheckUris("--redirect-uri", client.redirect_uris),
                 CheckUris("--post-logout-redirect-uri", client.post_logout_redirect_uris)})
    if (!r.ok()) throw UsageError{r.error().message};
  for (const auto* uri : {&client.frontchannel_logout_uri, &client.backchannel_logout_uri})
    if (*uri)
      if (auto r = CheckUris("logout URI", {**uri}); !r.ok()) throw UsageError{r.error().message};
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
  auto store = OpenStore(*config);
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
  if (!Parse(args, "keys rotate", po::options_description("keys options"), vm)) return 0;
  auto config = ConfigFor(vm);
  if (!config.ok()) return ReportFailure(config.error());
  auto store = OpenStore(*config);
  if (!store.ok()) return ReportFailure(store.error());
  SystemClock clock;
  SystemRandom random;
  auto longest =
      std::max(config->tokens.id_token_ttl_seconds, config->tokens.access_token_ttl_seconds);
  keys::KeyRing ring(**store, clock, random, Seconds(2 * longest));
  if (auto r = ring.Reload(); !r.ok()) return ReportFailure(r.error());
  if (auto r = ring.Rotate(); !r.ok()) return ReportFailure(r.error());
  for (auto alg : {crypto::JwsAlg::kRS256, crypto::JwsAlg::kES256})
    std::cout << crypto::ToString(alg) << " now signs with kid " << ring.Active(alg)->kid() << "\n";
  std::cout << "previous keys stay published for " << 2 * longest
            << " s; a running server picks up the new keys within 30 s\n";
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
    if (command == "client" || command == "user" || command == "keys") {
      if (args.size() < 2 || args[1].rfind("-", 0) == 0)
        throw UsageError{command + " needs an action; see `gatehouse --help`"};
      if (command == "client") return ClientCommand(args[1], rest(2));
      if (command == "user") return UserCommand(args[1], rest(2));
      return KeysCommand(args[1], rest(2));
    }
    throw UsageError{"unknown command '" + command + "'"};
  } catch (const UsageError& e) {
    std::cerr << "gatehouse: " << e.message << "\n\n" << kUsage;
    return 2;
  }
}

}  // namespace gh::idp
