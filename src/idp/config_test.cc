#include "idp/config.h"

#include <gtest/gtest.h>

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

void ExpectErrorNaming(const Result<Config>& c, const std::string& field) {
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(field), std::string::npos) << c.error().message;
}

TEST(Config, ErrorsNameTheField) {
  ExpectErrorNaming(ParseConfig("[server]\nlisten = \"nowhere\"\n", {}), "server.listen");
  ExpectErrorNaming(ParseConfig("[server]\nworker_threads = \"4\"\n", {}), "server.worker_threads");
  ExpectErrorNaming(ParseConfig("[server]\nworker_threads = 0\n", {}), "server.worker_threads");
  ExpectErrorNaming(ParseConfig("[server]\nlisen = \"x:1\"\n", {}), "server.lisen");
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

TEST(Config, TlsFilesComeInPairs) {
  ExpectErrorNaming(ParseConfig("[server]\ntls_certificate = \"c.pem\"\n", {}), "tls_private_key");
}

}  // namespace
}  // namespace gh::idp
