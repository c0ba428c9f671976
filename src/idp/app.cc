#include "idp/app.h"

#include <sys/resource.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "admin/admin_api.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/key_sealer.h"
#include "crypto/password.h"
#include "federation/federation.h"
#include "http/beast_client.h"
#include "http/router.h"
#include "http/server.h"
#include "idp/data_dir.h"
#include "keys/key_ring.h"
#include "keys/sealing_key.h"
#include "oidc/backchannel_sender.h"
#include "oidc/oidc_participants.h"
#include "oidc/provider.h"
#include "saml/saml_participants.h"
#include "saml/saml_provider.h"
#include "saml/soap_logout_sender.h"
#include "session/logout_dispatcher.h"
#include "session/session_authority.h"
#include "signout/sign_out_flow.h"
#include "web/csrf.h"
#include "web/login_pages.h"

namespace gh::idp {
namespace {

// Expired codes and tokens are kept a day for forensics before they are purged.
constexpr auto kPurgeGrace = std::chrono::hours(24);
// Sessions past their lifetime ended per maintenance round, a batch at a time.
constexpr int kExpiryBatch = 500;
// Back-channel deliveries in flight at once, and threads that sign their logout tokens.
constexpr int kMaxDeliveriesInFlight = 512;
constexpr int kDeliveryThreads = 2;

std::string DeriveIssuer(const std::string& host, std::uint16_t port) {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "http://" + h + ":" + std::to_string(port);
}

}  // namespace

session::SessionPolicy SessionPolicyFor(const Config& config) {
  return {Seconds(config.session.idle_timeout_seconds),
          Seconds(config.session.absolute_timeout_seconds), config.logout.keep_offline_tokens,
          Seconds(config.tokens.access_token_ttl_seconds)};
}

Seconds KeyPublishAfterRetire(const Config& config) {
  return Seconds(
      2 * std::max(config.tokens.id_token_ttl_seconds, config.tokens.access_token_ttl_seconds));
}

// Descriptors for everything but connections and deliveries: the database's files, logs, the
// event loop's own.
constexpr std::size_t kReservedDescriptors = 64;

// Like Go's runtime and nginx's worker_rlimit_nofile: the soft limit is often far below the hard
// one that the administrator set, and a server that holds many connections wants all of it.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
    Log(LogLevel::kWarn, "idp.nofile_not_raised", {{"error", std::strerror(errno)}});
}

struct ParticipantProtocols::Saml {
  Saml(const std::string& issuer, store::Store& store, keys::KeyRing& keys)
      : settings{issuer}, service_providers(store), signer(keys, HostOf(issuer)) {}
  static std::string HostOf(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    return url.substr(start, url.find_first_of(":/", start) - start);
  }
  saml::SamlSettings settings;
  saml::ServiceProviders service_providers;
  saml::IdpSigner signer;
};

ParticipantProtocols::ParticipantProtocols(const std::string& issuer, store::Store& store,
                                           keys::KeyRing& keys, Clock& clock, Random& random)
    : saml_(std::make_unique<Saml>(issuer, store, keys)) {
  protocols_.push_back(std::make_unique<oidc::OidcParticipants>(issuer));
  protocols_.push_back(std::make_unique<saml::SamlParticipants>(
      saml_->settings, saml_->service_providers, saml_->signer, clock, random));
}

ParticipantProtocols::~ParticipantProtocols() = default;

void ParticipantProtocols::RegisterWith(session::SessionAuthority& sessions) {
  for (auto& protocol : protocols_) sessions.AddProtocol(*protocol);
}

struct App::Parts {
  SystemClock clock;
  SystemRandom random;
  std::unique_ptr<store::Store> store;
  std::optional<crypto::KeySealer> sealer;
  std::unique_ptr<keys::KeyRing> keys;
  std::unique_ptr<crypto::PasswordHasher> hasher;
  std::unique_ptr<session::EventLog> events;
  std::unique_ptr<session::SessionAuthority> sessions;
  std::unique_ptr<ParticipantProtocols> protocols;
  std::unique_ptr<session::LogoutDispatcher> dispatcher;
  // Wakes the dispatcher when another node queues a sign-out; gone before the dispatcher is.
  std::unique_ptr<store::Subscription> outbox_watch;
  // Declared after the dispatcher so it is destroyed first: its destructor completes the
  // deliveries still in flight, and their callbacks report into the (stopped) dispatcher.
  std::unique_ptr<http::BeastHttpClient> http_client;
  std::unique_ptr<oidc::BackchannelSender> backchannel;
  std::unique_ptr<saml::SoapLogoutSender> saml_soap;
  std::unique_ptr<web::Csrf> csrf;
  std::unique_ptr<web::LoginThrottle> throttle;
  std::unique_ptr<web::LoginPages> login;
  std::unique_ptr<signout::SignOutFlow> sign_out;
  std::unique_ptr<federation::Federation> federation;
  std::unique_ptr<oidc::Provider> provider;
  std::unique_ptr<saml::SamlProvider> saml_provider;
  std::unique_ptr<admin::AdminApi> admin;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::string issuer;

  // Periodic upkeep off the I/O threads: picks up keys rotated by the CLI, ends sessions past
  // their lifetime (which notifies their participants), purges old grants and logout contexts.
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  Seconds maintenance_interval{30};
  Seconds history_retention{30 * 86400};
  std::thread maintenance;

  // Keeps the database from growing forever: settled history past its retention goes.
  void PurgeHistory(TimePoint cutoff) {
    for (auto [what, purged] : {std::pair{"sessions", store->PurgeEndedSessions(cutoff)},
                                {"notifications", store->PurgeSettledNotifications(cutoff)},
                                {"events", store->PurgeEvents(cutoff)}}) {
      if (!purged.ok())
        Log(LogLevel::kWarn, "store.purge_failed", {{"error", purged.error().message}});
      else if (*purged > 0)
        Log(LogLevel::kInfo, "store.history_purged", {{"what", what}, {"count", *purged}});
    }
  }

  void Maintain() {
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, maintenance_interval, [this] { return stopping; })) {
      lock.unlock();
      if (auto r = keys->Reload(); !r.ok())
        Log(LogLevel::kWarn, "keys.reload_failed", {{"error", r.error().message}});
      for (Result<int> r = kExpiryBatch; r.ok() && *r == kExpiryBatch;) {
        r = sessions->EndExpired(kExpiryBatch);
        if (!r.ok()) Log(LogLevel::kWarn, "sessions.expiry_failed", {{"error", r.error().message}});
      }
      if (auto r = store->PurgeExpired(clock.Now() - kPurgeGrace); !r.ok())
        Log(LogLevel::kWarn, "store.purge_failed", {{"error", r.error().message}});
      for (auto r : {store->PurgeLogoutContexts(clock.Now()), store->PurgeMessages(clock.Now()),
                     store->PurgeUpstreamRequests(clock.Now())})
        if (!r.ok()) Log(LogLevel::kWarn, "store.purge_failed", {{"error", r.error().message}});
      PurgeHistory(clock.Now() - history_retention);
      lock.lock();
    }
  }
};

Result<std::unique_ptr<App>> App::Create(const Config& config) {
  auto parts = std::make_unique<Parts>();
  parts->maintenance_interval = Seconds(config.server.maintenance_interval_seconds);
  parts->history_retention = Seconds(config.retention.history_seconds);
  GH_ASSIGN_OR_RETURN(parts->store, OpenPrivateStore(config));
  GH_ASSIGN_OR_RETURN(parts->sealer, KeySealerFor(config));
  parts->keys =
      std::make_unique<keys::KeyRing>(*parts->store, parts->clock, KeyPublishAfterRetire(config),
                                      parts->sealer ? &*parts->sealer : nullptr);
  GH_RETURN_IF_ERROR(parts->keys->Reload());

  parts->hasher = std::make_unique<crypto::PasswordHasher>(parts->random);
  parts->events = std::make_unique<session::EventLog>(parts->clock);
  parts->sessions = std::make_unique<session::SessionAuthority>(
      *parts->store, parts->clock, parts->random, *parts->events, SessionPolicyFor(config));

  http::ServerOptions options;
  options.host = config.server.host;
  options.port = config.server.port;
  options.io_threads = static_cast<std::size_t>(config.server.io_threads);
  options.worker_threads = static_cast<std::size_t>(config.server.worker_threads);
  options.max_header_bytes = static_cast<std::size_t>(config.server.max_header_bytes);
  options.max_body_bytes = static_cast<std::size_t>(config.server.max_body_bytes);
  options.read_timeout_seconds = config.server.read_timeout_seconds;
  options.max_connections = static_cast<std::size_t>(config.server.max_connections);
  // Each delivery in flight holds a connection of its own.
  options.reserved_descriptors = kReservedDescriptors + kMaxDeliveriesInFlight;
  RaiseDescriptorLimit();
  options.tls_certificate_file = config.server.tls_certificate;
  options.tls_private_key_file = config.server.tls_private_key;
  options.trusted_proxies = config.server.trusted_proxies;
  parts->server = std::make_unique<http::Server>(options, parts->router);
  GH_RETURN_IF_ERROR(parts->server->Listen());

  parts->issuer = config.issuer.empty() ? DeriveIssuer(config.server.host, parts->server->port())
                                        : config.issuer;
  bool secure_cookies = parts->issuer.rfind("https://", 0) == 0;
  parts->protocols = std::make_unique<ParticipantProtocols>(
      parts->issuer, *parts->store, *parts->keys, parts->clock, parts->random);
  parts->protocols->RegisterWith(*parts->sessions);
  // Shared by every node through the store, so a form rendered by one is accepted by another.
  GH_ASSIGN_OR_RETURN(auto csrf_secret, parts->store->ServerSecret("csrf", parts->random.Token(32),
                                                                   parts->clock.Now()));
  parts->csrf = std::make_unique<web::Csrf>(parts->random, csrf_secret, secure_cookies);

  parts->sign_out = std::make_unique<signout::SignOutFlow>(
      parts->issuer, *parts->store, *parts->sessions, parts->clock, parts->random, *parts->csrf);

  oidc::ProviderSettings settings;
  settings.issuer = parts->issuer;
  settings.code_ttl = Seconds(config.tokens.code_ttl_seconds);
  settings.access_token_ttl = Seconds(config.tokens.access_token_ttl_seconds);
  settings.id_token_ttl = Seconds(config.tokens.id_token_ttl_seconds);
  settings.refresh_token_ttl = Seconds(config.tokens.refresh_token_ttl_seconds);
  GH_ASSIGN_OR_RETURN(settings.sealing_key,
                      keys::LoadSealingKey(*parts->store, parts->sealer ? &*parts->sealer : nullptr,
                                           parts->random, parts->clock));
  parts->provider =
      std::make_unique<oidc::Provider>(settings, *parts->store, *parts->keys, *parts->sessions,
                                       parts->clock, parts->random, *parts->csrf, *parts->sign_out);
  parts->http_client = std::make_unique<http::BeastHttpClient>();
  parts->federation = std::make_unique<federation::Federation>(
      federation::FederationContext{parts->issuer, *parts->store, *parts->sessions,
                                    *parts->sign_out, *parts->events, *parts->csrf,
                                    *parts->http_client, parts->protocols->saml().signer,
                                    parts->clock, parts->random},
      config.upstreams);
  parts->sign_out->SetUpstreamSignOut(parts->federation.get());
  // Half the workers may hash passwords; the rest keep serving tokens, discovery and health.
  parts->throttle = std::make_unique<web::LoginThrottle>(parts->clock);
  parts->login = std::make_unique<web::LoginPages>(
      *parts->store, *parts->sessions, *parts->hasher, *parts->csrf, *parts->throttle,
      *parts->events,
      web::LoginSettings{.secure_cookies = secure_cookies,
                         .max_password_checks = config.server.worker_threads / 2,
                         .upstreams = parts->federation->Choices()});

  parts->backchannel = std::make_unique<oidc::BackchannelSender>(
      *parts->store, *parts->keys, parts->clock, parts->random, *parts->http_client,
      oidc::BackchannelSenderOptions{
          .issuer = parts->issuer,
          .connect_timeout = std::chrono::milliseconds(config.logout.delivery_connect_timeout_ms),
          .total_timeout = std::chrono::milliseconds(config.logout.delivery_timeout_ms)});
  session::RetryPolicy retry;
  retry.first_delay = Seconds(config.logout.retry_first_delay_seconds);
  retry.max_delay = Seconds(config.logout.retry_max_delay_seconds);
  retry.horizon = Seconds(config.logout.retry_horizon_seconds);
  retry.lease = Seconds(config.logout.delivery_lease_seconds);
  retry.attempt_time = std::chrono::milliseconds(config.logout.delivery_timeout_ms);
  parts->dispatcher = std::make_unique<session::LogoutDispatcher>(
      *parts->store, parts->clock, parts->random, *parts->events, retry, kMaxDeliveriesInFlight,
      kDeliveryThreads);
  parts->dispatcher->AddSender(session::Channel::kOidcBackChannel, *parts->backchannel);
  auto& saml = parts->protocols->saml();
  parts->saml_soap = std::make_unique<saml::SoapLogoutSender>(
      saml.settings, *parts->store, saml.service_providers, saml.signer, parts->clock,
      parts->random, *parts->http_client);
  parts->dispatcher->AddSender(session::Channel::kSamlSoap, *parts->saml_soap);
  parts->sessions->SetOutboxListener(
      [dispatcher = parts->dispatcher.get()] { dispatcher->Wake(); });

  parts->provider->Register(parts->router);
  GH_ASSIGN_OR_RETURN(auto saml_secret,
                      parts->store->ServerSecret(saml::kSamlSecretName, parts->random.Token(32),
                                                 parts->clock.Now()));
  parts->saml_provider = std::make_unique<saml::SamlProvider>(
      saml::SamlContext{saml.settings, *parts->store, *parts->sessions, saml.service_providers,
                        saml.signer, *parts->sign_out, parts->clock, parts->random, saml_secret});
  parts->saml_provider->Register(parts->router);
  parts->sign_out->Register(parts->router);
  parts->federation->Register(parts->router);
  parts->login->Register(parts->router);
  parts->admin = std::make_unique<admin::AdminApi>(admin::AdminSettings{config.admin.token_sha256},
                                                   *parts->store, *parts->sessions, *parts->events);
  parts->admin->Register(parts->router);
  parts->router.Add("GET", "/healthz", [store = parts->store.get()](const http::Request&) {
    // Healthy means the store answers, not merely that the process is up.
    if (!store->ListKeys().ok()) return http::Response::Json(503, R"({"status":"unavailable"})");
    return http::Response::Json(200, R"({"status":"ok"})");
  });

  Log(LogLevel::kInfo, "idp.ready",
      {{"issuer", parts->issuer},
       {"store",
        config.store.backend == Config::Store::Backend::kPostgres ? "postgres" : config.data_dir}});
  return std::unique_ptr<App>(new App(std::move(parts)));
}

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {
  parts_->dispatcher->Start();
  parts_->outbox_watch =
      parts_->store->WatchOutbox([dispatcher = parts_->dispatcher.get()] { dispatcher->Wake(); });
  parts_->maintenance = std::thread([p = parts_.get()] { p->Maintain(); });
}

App::~App() {
  {
    std::lock_guard lock(parts_->mutex);
    parts_->stopping = true;
  }
  parts_->wake.notify_all();
  parts_->maintenance.join();
  parts_->outbox_watch.reset();
  // Outcomes still in flight are not recorded; their leases run out and they are sent again.
  parts_->dispatcher->Stop();
}

std::uint16_t App::port() const { return parts_->server->port(); }
const std::string& App::issuer() const { return parts_->issuer; }
void App::Run(bool handle_signals) { parts_->server->Run(handle_signals); }
void App::Stop() { parts_->server->Stop(); }

}  // namespace gh::idp
