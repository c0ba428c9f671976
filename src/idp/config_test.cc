#include "idp/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "crypto/certificate.h"
#include "crypto/signing_key.h"
#include "saml/metadata.h"
#include "saml/vocabulary.h"

namespace gh::idp {
namespace {

TEST(Config, DefaultsWithoutFile) {
  auto c = ParseConfig("", {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->data_dir, "./var");
  EXPECT_TRUE(c->issuer.empty());
}

TEST(Config, ReadsEverySection) {
  auto c = ParseConfig(R"(
issuer = "https://id.example.com"
data_dir = "/srv/gatehouse"
[server]
listen = "[::1]:9443"
worker_threads = 8
maintenance_interval_seconds = 5
[session]
idle_timeout_seconds = 600
[tokens]
code_ttl_seconds = 30
[log]
format = "json"
level = "debug"
)",
                       {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->issuer, "https://id.example.com");
  EXPECT_EQ(c->data_dir, "/srv/gatehouse");
  EXPECT_EQ(c->server.host, "::1");
  EXPECT_EQ(c->server.port, 9443);
  EXPECT_EQ(c->server.worker_threads, 8);
  EXPECT_EQ(c->server.maintenance_interval_seconds, 5);
  EXPECT_EQ(c->session.idle_timeout_seconds, 600);
  EXPECT_EQ(c->tokens.code_ttl_seconds, 30);
  EXPECT_EQ(c->log.format, LogFormat::kJson);
  EXPECT_EQ(c->log.level, LogLevel::kDebug);
}

TEST(Config, EnvironmentOverridesFile) {
  auto c =
      ParseConfig("[server]\nlisten = \"127.0.0.1:8080\"\n",
                  {{"GATEHOUSE_SERVER_LISTEN", "127.0.0.1:0"}, {"GATEHOUSE_DATA_DIR", "/tmp/x"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.port, 0);
  EXPECT_EQ(c->data_dir, "/tmp/x");
}

TEST(Config, ReadsTheHardeningSettings) {
  auto c = ParseConfig(
      "[server]\nmax_connections = 64\n[retention]\nhistory_seconds = 3600\n"
      "[keys]\nencryption_key_file = \"/etc/gatehouse/keys.key\"\n",
      {{"GATEHOUSE_KEYS_ENCRYPTION_KEY", "k"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.max_connections, 64);
  EXPECT_EQ(c->retention.history_seconds, 3600);
  EXPECT_EQ(c->keys.encryption_key_file, "/etc/gatehouse/keys.key");
  EXPECT_EQ(c->keys.encryption_key, "k");
  auto defaults = ParseConfig("", {});
  EXPECT_EQ(defaults->server.max_connections, 1000);
  EXPECT_EQ(defaults->retention.history_seconds, 30 * 86400);
  EXPECT_FALSE(defaults->keys.encryption_key.has_value());
}

void ExpectErrorNaming(const Result<Config>& c, const std::string& field) {
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(field), std::string::npos) << c.error().message;
}

TEST(Config, ErrorsNameTheField) {
  ExpectErrorNaming(ParseConfig("[server]\nlisten = \"nowhere\"\n", {}), "server.listen");
  ExpectErrorNaming(ParseConfig("[server]\nworker_threads = \"4\"\n", {}), "server.worker_threads");
  ExpectErrorNaming(ParseConfig("[server]\nworker_threads = 0\n", {}), "server.worker_threads");
  ExpectErrorNaming(ParseConfig("[server]\nlisen = \"x:1\"\n", {}), "server.lisen");
  ExpectErrorNaming(ParseConfig("[server]\nmaintenance_interval_seconds = 0\n", {}),
                    "server.maintenance_interval_seconds");
  ExpectErrorNaming(ParseConfig("issuer = \"https://id.example.com/\"\n", {}), "issuer");
  ExpectErrorNaming(ParseConfig("issuer = \"ftp://id.example.com\"\n", {}), "issuer");
  ExpectErrorNaming(ParseConfig("[log]\nformat = \"xml\"\n", {}), "log.format");
  ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_SERVER_PORT", "1"}}), "GATEHOUSE_SERVER_PORT");
  ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_SERVER_WORKER_THREADS", "many"}}),
                    "GATEHOUSE_SERVER_WORKER_THREADS");
}

TEST(Config, SyntaxErrorsGiveTheLine) {
  auto c = ParseConfig("issuer = \n", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("line 1"), std::string::npos) << c.error().message;
}

TEST(Config, ReadsTheLogoutSection) {
  auto defaults = ParseConfig("", {});
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_TRUE(defaults->logout.keep_offline_tokens);
  EXPECT_EQ(defaults->logout.delivery_lease_seconds, 30);

  auto c = ParseConfig(R"(
[logout]
keep_offline_tokens = false
delivery_connect_timeout_ms = 500
delivery_timeout_ms = 1500
retry_first_delay_seconds = 1
retry_max_delay_seconds = 60
retry_horizon_seconds = 3600
delivery_lease_seconds = 5
)",
                       {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->logout.keep_offline_tokens);
  EXPECT_EQ(c->logout.delivery_connect_timeout_ms, 500);
  EXPECT_EQ(c->logout.delivery_timeout_ms, 1500);
  EXPECT_EQ(c->logout.retry_first_delay_seconds, 1);
  EXPECT_EQ(c->logout.retry_max_delay_seconds, 60);
  EXPECT_EQ(c->logout.retry_horizon_seconds, 3600);
  EXPECT_EQ(c->logout.delivery_lease_seconds, 5);
}

TEST(Config, BooleansFromTomlAndEnvironment) {
  auto env = ParseConfig("[logout]\nkeep_offline_tokens = true\n",
                         {{"GATEHOUSE_LOGOUT_KEEP_OFFLINE_TOKENS", "false"}});
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_FALSE(env->logout.keep_offline_tokens);
  ExpectErrorNaming(ParseConfig("[logout]\nkeep_offline_tokens = \"false\"\n", {}),
                    "logout.keep_offline_tokens");
  ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_LOGOUT_KEEP_OFFLINE_TOKENS", "yes"}}),
                    "GATEHOUSE_LOGOUT_KEEP_OFFLINE_TOKENS");
}

TEST(Config, DeliveryLeaseMustOutlastAnAttempt) {
  ExpectErrorNaming(
      ParseConfig("[logout]\ndelivery_lease_seconds = 5\ndelivery_timeout_ms = 5000\n", {}),
      "logout.delivery_lease_seconds");
  EXPECT_TRUE(
      ParseConfig("[logout]\ndelivery_lease_seconds = 3\ndelivery_timeout_ms = 2999\n", {}).ok());
}

TEST(Config, LogoutTimingsAreConsistent) {
  ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_LOGOUT_DELIVERY_CONNECT_TIMEOUT_MS", "6000"}}),
                    "logout.delivery_connect_timeout_ms");
  ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_LOGOUT_RETRY_FIRST_DELAY_SECONDS", "600"}}),
                    "logout.retry_first_delay_seconds");
  ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_LOGOUT_RETRY_HORIZON_SECONDS", "0"}}),
                    "GATEHOUSE_LOGOUT_RETRY_HORIZON_SECONDS");
}

TEST(Config, AdminTokenIsConfiguredAsItsSha256) {
  const std::string hash = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";  // SHA-256 of "test"
  EXPECT_FALSE(ParseConfig("", {})->admin.token_sha256.has_value());
  auto file = ParseConfig("[admin]\ntoken_sha256 = \"" + hash + "\"\n", {});
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->admin.token_sha256, hash);
  auto env = ParseConfig("", {{"GATEHOUSE_ADMIN_TOKEN_SHA256", hash}});
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_EQ(env->admin.token_sha256, hash);
  // The token itself, a hex digest or a padded one are mistakes, not hashes.
  for (std::string wrong : {std::string("test"), std::string(64, 'a'), hash + "="})
    ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_ADMIN_TOKEN_SHA256", wrong}}),
                      "GATEHOUSE_ADMIN_TOKEN_SHA256");
}

TEST(Config, UpstreamTablesDescribeEachIdentityProvider) {
  constexpr char kToml[] = R"toml(
[[upstream]]
id = "corp-sso"
name = "Corporate SSO"
issuer = "https://sso.corp.example"
client_id = "gatehouse"
link_by = "email"
unknown_users = "provision"
sign_out = "ask"

[[upstream]]
id = "partner"
issuer = "https://partner.example"
client_id = "gh"
)toml";
  auto config = ParseConfig(kToml, {{"GATEHOUSE_UPSTREAM_CORP_SSO_CLIENT_SECRET", "s3cret"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->upstreams.size(), 2u);
  const auto& corp = config->upstreams[0];
  EXPECT_EQ(corp.display_name, "Corporate SSO");
  EXPECT_EQ(corp.client_secret, "s3cret");
  EXPECT_EQ(corp.link_by, federation::UpstreamSettings::LinkBy::kEmail);
  EXPECT_EQ(corp.unknown_users, federation::UnknownUsers::kProvision);
  EXPECT_EQ(corp.sign_out, federation::SignOutMode::kAsk);
  const auto& partner = config->upstreams[1];
  EXPECT_EQ(partner.display_name, "partner");
  EXPECT_FALSE(partner.client_secret.has_value());
  EXPECT_EQ(partner.sign_out, federation::SignOutMode::kAlways);
  EXPECT_EQ(partner.unknown_users, federation::UnknownUsers::kRefuse);
}

TEST(Config, UpstreamMistakesAreNamed) {
  const std::string ok = "issuer = \"https://a.example\"\nclient_id = \"c\"\n";
  ExpectErrorNaming(ParseConfig("[[upstream]]\nid = \"Bad Id\"\n" + ok, {}), "upstream[0].id");
  ExpectErrorNaming(ParseConfig("[[upstream]]\nid = \"a\"\nclient_id = \"c\"\n", {}),
                    "upstream[0].issuer");
  ExpectErrorNaming(ParseConfig("[[upstream]]\nid = \"a\"\nsign_out = \"maybe\"\n" + ok, {}),
                    "upstream[0].sign_out");
  ExpectErrorNaming(ParseConfig("[[upstream]]\nid = \"a\"\ncolour = \"red\"\n" + ok, {}),
                    "upstream[0].colour");
  ExpectErrorNaming(
      ParseConfig("[[upstream]]\nid = \"a\"\n" + ok + "[[upstream]]\nid = \"a\"\n" + ok, {}),
      "used twice");
  ExpectErrorNaming(ParseConfig("", {{"GATEHOUSE_UPSTREAM_NOPE_CLIENT_SECRET", "x"}}),
                    "GATEHOUSE_UPSTREAM_NOPE_CLIENT_SECRET");
}

TEST(Config, SamlUpstreamsAreReadFromTheirMetadata) {
  auto key = crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "k");
  auto cert = crypto::SelfSignedCertificate(*key, "idp", FromUnixSeconds(1'700'000'000));
  std::string path = ::testing::TempDir() + "/upstream-idp.xml";
  std::ofstream(path) << saml::BuildIdpMetadata({"https://idp.corp.example/metadata",
                                                 "https://idp.corp.example/sso",
                                                 "https://idp.corp.example/slo",
                                                 {cert->Base64Der()},
                                                 {}});
  auto config = ParseConfig("[[upstream]]\nid = \"corp\"\nprotocol = \"saml\"\nmetadata_file = \"" +
                                path + "\"\nemail_claim = \"email\"\n",
                            {});
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& corp = config->upstreams.at(0);
  EXPECT_EQ(corp.protocol, federation::Protocol::kSaml);
  EXPECT_EQ(corp.issuer, "https://idp.corp.example/metadata");
  ASSERT_TRUE(corp.saml_idp.has_value());  // the IDPSSODescriptor, parsed once, here
  EXPECT_EQ(corp.saml_idp->entity_id, "https://idp.corp.example/metadata");
  EXPECT_EQ(corp.saml_idp->SingleSignOn(saml::kBindingRedirect)->location,
            "https://idp.corp.example/sso");
  EXPECT_EQ(corp.username_claim, "uid");  // directory attribute names unless configured
  EXPECT_EQ(corp.email_claim, "email");

  const std::string saml = "[[upstream]]\nid = \"a\"\nprotocol = \"saml\"\n";
  ExpectErrorNaming(ParseConfig(saml, {}), "upstream[0].metadata_file");
  ExpectErrorNaming(ParseConfig(saml + "metadata_file = \"/nonexistent.xml\"\n", {}),
                    "upstream[0].metadata_file");
  std::string sp_path = ::testing::TempDir() + "/not-an-idp.xml";
  std::ofstream(sp_path)
      << "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
         "entityID=\"x\"/>";
  ExpectErrorNaming(ParseConfig(saml + "metadata_file = \"" + sp_path + "\"\n", {}),
                    "IDPSSODescriptor");
  ExpectErrorNaming(ParseConfig(saml + "metadata_file = \"" + path + "\"\nclient_id = \"c\"\n", {}),
                    "not by issuer or client_id");
  ExpectErrorNaming(ParseConfig("[[upstream]]\nid = \"a\"\nprotocol = \"ws-fed\"\n", {}),
                    "upstream[0].protocol");
}

TEST(Config, StorePoolIsSizedAndBounded) {
  auto defaults = ParseConfig("", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->store.pool_size, 8);
  EXPECT_EQ(defaults->store.acquire_timeout_ms, 5000);
  auto c = ParseConfig("[store]\npool_size = 16\nacquire_timeout_ms = 250\n",
                       {{"GATEHOUSE_STORE_POOL_SIZE", "12"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.pool_size, 12);  // the environment wins
  EXPECT_EQ(c->store.acquire_timeout_ms, 250);
  ExpectErrorNaming(ParseConfig("[store]\npool_size = 0\n", {}), "store.pool_size");
}

TEST(Config, StoreBackendIsSqliteUnlessPostgresIsChosenWithAUrl) {
  auto defaults = ParseConfig("", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->store.backend, Config::Store::Backend::kSqlite);

  auto pg = ParseConfig("[store]\nbackend = \"postgres\"\nurl = \"postgresql://db/a\"\n",
                        {{"GATEHOUSE_STORE_URL", "postgresql://db/b"},
                         {"GATEHOUSE_STORE_PASSWORD_FILE", "/run/secrets/db"}});
  ASSERT_TRUE(pg.ok()) << pg.error().message;
  EXPECT_EQ(pg->store.backend, Config::Store::Backend::kPostgres);
  EXPECT_EQ(pg->store.url, "postgresql://db/b");  // the environment wins
  EXPECT_EQ(pg->store.password_file, "/run/secrets/db");

  ExpectErrorNaming(ParseConfig("[store]\nbackend = \"postgres\"\n", {}), "store.url");
  ExpectErrorNaming(ParseConfig("[store]\nurl = \"postgresql://db/a\"\n", {}), "store.url");
  ExpectErrorNaming(ParseConfig("[store]\nbackend = \"mysql\"\n", {}), "store.backend");
}

TEST(Config, TrustedProxiesAreAddressesOrNetworks) {
  auto c = ParseConfig("[server]\ntrusted_proxies = \"10.0.0.0/8, ::1\"\n", {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.trusted_proxies.ClientAddress("10.1.2.3", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(ParseConfig("", {})->server.trusted_proxies.ClientAddress("10.1.2.3", "198.51.100.7"),
            "10.1.2.3");
  ExpectErrorNaming(ParseConfig("[server]\ntrusted_proxies = \"nginx\"\n", {}),
                    "server.trusted_proxies");
}

TEST(Config, TlsFilesComeInPairs) {
  ExpectErrorNaming(ParseConfig("[server]\ntls_certificate = \"c.pem\"\n", {}), "tls_private_key");
}

}  // namespace
}  // namespace gh::idp
