#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <thread>

#include "http/test_server.h"

namespace gh::http {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct RawResponse {
  int status = 0;
  std::string head;  // status line and header fields
  std::string body;

  std::optional<std::string> Header(std::string_view name) const {
    Headers lookup;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      const std::size_t end = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, end - pos - 2);
      if (const auto colon = line.find(':'); colon != std::string::npos)
        lookup.Add(line.substr(0, colon), line.substr(line.find_first_not_of(' ', colon + 1)));
      pos = end;
    }
    return lookup.Get(name);
  }
};

// A blocking loopback client that writes exactly the bytes a test wants, malformed ones included.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(fd_); }

  bool connected() const { return connected_; }
  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Reads one response; nullopt if the server closed or stayed silent first.
  std::optional<RawResponse> Read(bool head_request = false) {
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!Fill()) return std::nullopt;
    RawResponse response;
    response.head = buffer_.substr(0, header_end);
    response.status = std::atoi(response.head.c_str() + 9);
    buffer_.erase(0, header_end + 4);
    const std::size_t length =
        head_request ? 0 : std::stoul(response.Header("Content-Length").value_or("0"));
    while (buffer_.size() < length)
      if (!Fill()) return std::nullopt;
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }
  // True when the server closes the connection (EOF or reset) before the receive timeout.
  bool ClosedByPeer() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add("GET", "/hello", [](const Request&) { return Response::Text(200, "hello"); });
    router_.Add("POST", "/echo", [](const Request& r) {
      return Response::Text(200, r.method + " " + r.body + " " + r.remote_address);
    });
    router_.Add("GET", "/throw",
                [](const Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Add("GET", "/framable", [](const Request&) {
      auto response = Response::Html(200, "<p>");
      response.headers.Set("Content-Security-Policy", "frame-ancestors https://rp.example");
      return response;
    });
    router_.Add("GET", "/slow", [](const Request&) {
      std::this_thread::sleep_for(milliseconds(500));
      return Response::Text(200, "slow");
    });
  }

  static ServerOptions Options() {
    ServerOptions options;
    options.max_header_bytes = 1024;
    options.max_body_bytes = 1024;
    options.read_timeout_seconds = 1;
    options.worker_threads = 2;
    return options;
  }

  Router router_;
};

TEST_F(ServerTest, ServesRouteAndKeepsConnectionAlive) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  client.Send(Get("/hello"));
  auto first = client.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello");
  EXPECT_EQ(first->Header("Server"), "gatehouse");
  EXPECT_EQ(first->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(first->Header("X-Frame-Options"), "DENY");
  EXPECT_EQ(first->Header("Content-Security-Policy"), "frame-ancestors 'none'");

  client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
  auto second = client.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "POST abc 127.0.0.1");
}

// An inline handler runs on the I/O thread: it answers while every worker is held up.
TEST_F(ServerTest, InlineHandlersAnswerWhileEveryWorkerIsBusy) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> blocking;
  router_.Add("GET", "/block", [&](const Request&) {
    blocking.set_value();
    released.wait();
    return Response::Text(200, "unblocked");
  });
  router_.AddInline("GET", "/inline", [](const Request&) { return Response::Text(200, "inline"); });
  ServerOptions options = Options();
  options.worker_threads = 1;
  RunningServer server(options, router_);
  RawClient blocked(server.port());
  blocked.Send(Get("/block"));
  blocking.get_future().wait();  // the only worker is now held

  RawClient client(server.port());
  client.Send(Get("/inline"));
  auto inline_response = client.Read();
  release.set_value();
  ASSERT_TRUE(inline_response);
  EXPECT_EQ(inline_response->body, "inline");
  auto blocked_response = blocked.Read();
  ASSERT_TRUE(blocked_response);
  EXPECT_EQ(blocked_response->body, "unblocked");
}

// Behind a trusted proxy the request's remote address is the client's, from X-Forwarded-For.
TEST_F(ServerTest, TrustedProxiesForwardTheClientsAddress) {
  ServerOptions options = Options();
  options.trusted_proxies = *TrustedProxies::Parse("127.0.0.1");
  RunningServer server(options, router_);
  RawClient client(server.port());
  client.Send(
      "POST /echo HTTP/1.1\r\nHost: test\r\nX-Forwarded-For: 1.2.3.4, 198.51.100.7\r\n"
      "Content-Length: 1\r\n\r\nx");
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "POST x 198.51.100.7");
}

TEST_F(ServerTest, HandlerFramePolicyWins) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  client.Send(Get("/framable"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Content-Security-Policy"), "frame-ancestors https://rp.example");
  EXPECT_FALSE(response->Header("X-Frame-Options"));
}

TEST_F(ServerTest, AnswersNotFoundMethodNotAllowedAndHead) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  client.Send(Get("/nope"));
  auto not_found = client.Read();
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);

  client.Send("DELETE /hello HTTP/1.1\r\nHost: test\r\n\r\n");
  auto not_allowed = client.Read();
  ASSERT_TRUE(not_allowed);
  EXPECT_EQ(not_allowed->status, 405);
  EXPECT_EQ(not_allowed->Header("Allow"), "GET, HEAD");

  client.Send("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n");
  auto head = client.Read(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "5");
  // Had the HEAD response carried a body, this would read it instead of the next response.
  client.Send(Get("/hello"));
  auto after = client.Read();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "hello");
}

TEST_F(ServerTest, OversizedHeaderIs431AndServerKeepsServing) {
  RunningServer server(Options(), router_);
  {
    RawClient client(server.port());
    client.Send(Get("/hello", "X-Big: " + std::string(4000, 'a') + "\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 431);
    EXPECT_EQ(response->Header("Connection"), "close");
  }
  RawClient next(server.port());
  next.Send(Get("/hello"));
  auto response = next.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, OversizedBodyIs413) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\n" +
              std::string(5000, 'x'));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, GarbageIs400) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  client.Send("\x01\x02 garbage \x7f\r\n\r\n");
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST_F(ServerTest, ThrowingHandlerIs500AndServerKeepsServing) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  client.Send(Get("/throw"));
  auto failed = client.Read();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  client.Send(Get("/hello"));
  auto ok = client.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, DropsSlowLorisAfterReadTimeout) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  const auto start = Clock::now();
  client.Send("GET /hello HTTP/1.1\r\nHost: te");
  EXPECT_TRUE(client.ClosedByPeer());
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(900));
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST_F(ServerTest, StopReturnsWhileKeepAliveConnectionIsIdle) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  client.Send(Get("/hello"));
  ASSERT_TRUE(client.Read());
  const auto start = Clock::now();
  server.server().Stop();
  server.Join();
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST_F(ServerTest, StopLetsInFlightRequestFinish) {
  RunningServer server(Options(), router_);
  RawClient client(server.port());
  client.Send(Get("/slow"));
  std::this_thread::sleep_for(milliseconds(100));
  server.server().Stop();
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "slow");
  EXPECT_EQ(response->Header("Connection"), "close");
  server.Join();
}

TEST_F(ServerTest, StopBeforeRunMakesRunReturn) {
  ServerOptions options = Options();
  options.port = 0;
  Server server(options, router_);
  ASSERT_TRUE(server.Listen().ok());
  server.Stop();
  auto run = std::async(std::launch::async, [&] { server.Run(); });
  EXPECT_EQ(run.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

TEST_F(ServerTest, SlowHandlersRunInParallel) {
  RunningServer server(Options(), router_);
  RawClient a(server.port());
  RawClient b(server.port());
  const auto start = Clock::now();
  a.Send(Get("/slow"));
  b.Send(Get("/slow"));
  auto ra = a.Read();
  auto rb = b.Read();
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->body, "slow");
  EXPECT_EQ(rb->body, "slow");
  EXPECT_LT(elapsed, milliseconds(900));  // 1.8x one handler; serial would be 2x
}

TEST_F(ServerTest, PastTheConnectionLimitNewClientsWaitAndOpenOnesAreServed) {
  auto options = Options();
  options.max_connections = 3;
  options.read_timeout_seconds = 30;  // the idle connections must outlive the test
  RunningServer server(options, router_);
  RawClient first(server.port());
  first.Send(Get("/hello"));
  ASSERT_TRUE(first.Read());
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 2; ++i) idle.push_back(std::make_unique<RawClient>(server.port()));
  std::this_thread::sleep_for(milliseconds(200));  // let the server take them

  // The kernel completes the handshake, but the server does not take the connection yet.
  RawClient waiting(server.port());
  ASSERT_TRUE(waiting.connected());
  waiting.Send(Get("/hello"));
  first.Send(Get("/hello"));
  auto served = first.Read();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);

  idle.pop_back();  // a slot frees: the waiting client is taken and answered
  auto answered = waiting.Read();
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200);
}

TEST_F(ServerTest, ListenFailsOnPortInUse) {
  RunningServer first(Options(), router_);
  ServerOptions options = Options();
  options.port = first.port();
  Server second(options, router_);
  auto listening = second.Listen();
  ASSERT_FALSE(listening.ok());
  EXPECT_EQ(listening.error().code, ErrorCode::kUnavailable);
}

TEST(ServerListenTest, AcceptsIpv6Literal) {
  Router router;
  ServerOptions options;
  options.host = "::1";
  options.port = 0;
  Server server(options, router);
  auto listening = server.Listen();
  if (!listening.ok()) GTEST_SKIP() << "no IPv6 loopback: " << listening.error().message;
  EXPECT_NE(server.port(), 0);
}

// A self-signed certificate for "localhost", made with the openssl CLI in a temporary folder.
class TlsFiles {
 public:
  TlsFiles() {
    char pattern[] = "/tmp/gh_http_tls_XXXXXX";
    dir_ = ::mkdtemp(pattern);
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
        "-nodes -days 1 -subj /CN=localhost -keyout " +
        key() + " -out " + cert() + " >/dev/null 2>&1";
    ok_ = std::system(command.c_str()) == 0;
  }
  ~TlsFiles() { std::filesystem::remove_all(dir_); }
  bool ok() const { return ok_; }
  std::string cert() const { return dir_ + "/cert.pem"; }
  std::string key() const { return dir_ + "/key.pem"; }

 private:
  std::string dir_;
  bool ok_ = false;
};

TEST_F(ServerTest, ServesOverTls) {
  TlsFiles files;
  ASSERT_TRUE(files.ok());
  ServerOptions options = Options();
  options.tls_certificate_file = files.cert();
  options.tls_private_key_file = files.key();
  router_.Add("GET", "/secure",
              [](const Request& r) { return Response::Text(200, r.secure ? "secure" : "plain"); });
  RunningServer server(options, router_);

  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  int fd = -1;
  {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  SSL_set_fd(ssl.get(), fd);
  ASSERT_EQ(SSL_connect(ssl.get()), 1);
  EXPECT_GE(SSL_version(ssl.get()), TLS1_2_VERSION);
  const std::string request =
      "GET /secure HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())),
            static_cast<int>(request.size()));
  std::string reply;
  char chunk[4096];
  for (int n; (n = SSL_read(ssl.get(), chunk, sizeof chunk)) > 0;) reply.append(chunk, n);
  ::close(fd);
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 200");
  EXPECT_TRUE(reply.ends_with("\r\n\r\nsecure")) << reply;
}

}  // namespace
}  // namespace gh::http
