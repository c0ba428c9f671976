// gatehouse-sample-app: a small web app that signs people in with Gatehouse through gatehouse-rp.
// One binary serves every demo app ("Mail", "Docs", ...); flags choose its name, address and
// client registration.
//
//   gatehouse-sample-app --name Mail --section Inbox --listen 127.0.0.1:8081
//       --base-url http://127.0.0.1:8081 --issuer http://127.0.0.1:8080
//       --client-id mail --client-secret S [--session-file mail.sessions] [--port-file F]
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "apps/journal_session_store.h"
#include "apps/pages.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "http/beast_client.h"
#include "http/router.h"
#include "http/server.h"
#include "rp/app_sessions.h"
#include "rp/one_time_store.h"
#include "rp/rp_client.h"
#include "rp/rp_routes.h"

namespace gh::apps {
namespace {

namespace po = boost::program_options;

struct Flags {
  AppIdentity app;
  std::string host;
  std::uint16_t port = 0;
  std::string base_url;  // how browsers reach the app; the host may differ from `host`
  std::string issuer;
  std::string client_id;
  std::string client_secret;
  std::string session_file;  // empty: sessions live in memory only
  std::string port_file;
  std::chrono::milliseconds check_interval{5000};
  std::size_t max_pending = rp::InMemoryOneTimeStore::kDefaultMaxEntries;
};

// Splits "host:port"; false when it is not one.
bool ParseListen(const std::string& listen, std::string& host, std::uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    const unsigned long n = std::stoul(listen.substr(colon + 1));
    if (n > 65535) return false;
    port = static_cast<std::uint16_t>(n);
  } catch (const std::exception&) {
    return false;
  }
  host = listen.substr(0, colon);
  return true;
}

// nullopt after --help or a usage error (already reported).
std::optional<Flags> ParseFlags(int argc, char** argv, int& exit_code) {
  Flags f;
  std::string listen;
  int check_interval_ms = 0;
  po::options_description o("gatehouse-sample-app options");
  o.add_options()("help,h", "show this help")("name", po::value(&f.app.name)->default_value("Mail"),
                                              "the app's name")(
      "section", po::value(&f.app.section)->default_value("Inbox"),
      "title of the page only signed-in people see")(
      "accent", po::value(&f.app.accent)->default_value("#2f5bd3"), "CSS colour of the nav bar")(
      "listen", po::value(&listen)->default_value("127.0.0.1:8081"), "host:port; port 0 = any")(
      "base-url", po::value(&f.base_url),
      "the app's URL as browsers see it (default http://<listen>); redirect URIs derive from it")(
      "issuer", po::value(&f.issuer)->required(), "Gatehouse's issuer URL")(
      "client-id", po::value(&f.client_id)->required(), "client_id registered at Gatehouse")(
      "client-secret", po::value(&f.client_secret)->required(), "its client secret")(
      "session-file", po::value(&f.session_file), "keep sessions in this file across restarts")(
      "port-file", po::value(&f.port_file), "write the bound port here once listening")(
      "check-interval-ms", po::value(&check_interval_ms)->default_value(5000),
      "how often pages ask Gatehouse whether the session changed")(
      "max-pending", po::value(&f.max_pending)->default_value(f.max_pending),
      "sign-ins and sign-outs in progress kept at most (each GET /login starts one)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, o), vm);
    if (vm.count("help")) {
      std::cout << o;
      exit_code = 0;
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gatehouse-sample-app: " << e.what() << "\n\n" << o;
    exit_code = 2;
    return std::nullopt;
  }
  if (!ParseListen(listen, f.host, f.port)) {
    std::cerr << "gatehouse-sample-app: --listen must be host:port, got '" << listen << "'\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (f.base_url.empty()) f.base_url = "http://" + listen;
  while (f.base_url.ends_with('/')) f.base_url.pop_back();
  f.check_interval = std::chrono::milliseconds(check_interval_ms);
  return f;
}

int Run(const Flags& flags) {
  SystemClock clock;
  SystemRandom random;
  http::BeastHttpClient http_client;

  std::unique_ptr<rp::AppSessionStore> sessions;
  if (flags.session_file.empty()) {
    sessions = std::make_unique<rp::InMemoryAppSessionStore>(clock);
  } else {
    auto journal = JournalAppSessionStore::Open(flags.session_file, clock);
    if (!journal.ok()) {
      std::cerr << "gatehouse-sample-app: " << journal.error().message << "\n";
      return 1;
    }
    sessions = *std::move(journal);
  }
  rp::InMemoryOneTimeStore once(clock, flags.max_pending);

  rp::RpConfig config;
  config.issuer = flags.issuer;
  config.client_id = flags.client_id;
  config.client_secret = flags.client_secret;
  config.redirect_uri = flags.base_url + "/callback";
  config.post_logout_redirect_uri = flags.base_url + "/signed-out";
  config.session_check_interval = flags.check_interval;
  rp::RpClient rp(std::move(config), http_client, *sessions, once, clock, random);

  const rp::RpPaths paths;
  const Pages pages(flags.app, paths.session_iframe, paths.logout);
  http::Router router;
  rp::RegisterRpRoutes(router, rp, paths);
  // The library's signed-out page is bare; this one keeps its state check and adds the app's look.
  router.Add("GET", "/signed-out", [&](const http::Request& r) {
    (void)rp.SignedOut(r);
    return pages.SignedOut();
  });
  router.Add("GET", "/", [&](const http::Request& r) { return pages.Home(rp.CurrentSession(r)); });
  const std::string section_path = flags.app.SectionPath();
  router.Add("GET", section_path, [&](const http::Request& r) {
    auto session = rp.CurrentSession(r);
    if (!session) return http::Response::Redirect("/login?return_to=" + section_path).NoStore();
    return pages.Section(*session);
  });

  http::ServerOptions options;
  options.host = flags.host;
  options.port = flags.port;
  http::Server server(options, router);
  if (auto listening = server.Listen(); !listening.ok()) {
    std::cerr << "gatehouse-sample-app: " << listening.error().message << "\n";
    return 1;
  }
  if (!flags.port_file.empty()) {
    std::ofstream(flags.port_file + ".tmp") << server.port() << "\n";
    std::filesystem::rename(flags.port_file + ".tmp", flags.port_file);  // never half-written
  }
  Log(LogLevel::kInfo, "app.started",
      {{"name", flags.app.name}, {"port", static_cast<int>(server.port())}});
  server.Run(/*handle_signals=*/true);
  Log(LogLevel::kInfo, "app.stopped", {{"name", flags.app.name}});
  return 0;
}

}  // namespace
}  // namespace gh::apps

int main(int argc, char** argv) {
  int exit_code = 0;
  auto flags = gh::apps::ParseFlags(argc, argv, exit_code);
  if (!flags) return exit_code;
  return gh::apps::Run(*flags);
}
