#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "http/beast_client.h"
#include "http/test_server.h"

namespace gh::http {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

Result<OutboundResponse> SendAndWait(HttpClient& client, OutboundRequest request) {
  std::promise<Result<OutboundResponse>> promise;
  auto future = promise.get_future();
  client.Send(std::move(request),
              [&promise](Result<OutboundResponse> r) { promise.set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return Error::Internal("test: no callback within 10 s");
  return future.get();
}

// A loopback listener that the kernel completes handshakes for but nobody ever answers.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t size = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    router_.Add("POST", "/echo", [](const Request& r) {
      auto response = Response::Text(200, r.body);
      response.headers.Set("X-Got", r.headers.Get("X-Test").value_or(""));
      return response;
    });
  }
  static ServerOptions Options() {
    ServerOptions options;
    options.worker_threads = 4;
    return options;
  }

  Router router_;
};

TEST_F(ClientTest, PostsAndReadsReply) {
  RunningServer server(Options(), router_);
  BeastHttpClient client;
  OutboundRequest request;
  request.url = server.Url("/echo");
  request.headers.Add("X-Test", "yes");
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  request.body = "logout_token=abc";
  auto response = SendAndWait(client, request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "logout_token=abc");
  EXPECT_EQ(response->headers.Get("x-got"), "yes");

  request.url = server.Url("/missing");
  auto missing = SendAndWait(client, request);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ClientTest, ConnectionRefusedIsUnavailable) {
  std::string url;
  {
    SilentListener listener;  // reserves a free port, then releases it
    url = listener.Url();
  }
  BeastHttpClient client;
  OutboundRequest request;
  request.url = url;
  auto response = SendAndWait(client, request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("connect"), std::string::npos)
      << response.error().message;
}

TEST_F(ClientTest, SilentPeerTimesOut) {
  SilentListener listener;
  BeastHttpClient client;
  OutboundRequest request;
  request.url = listener.Url();
  request.total_timeout = milliseconds(300);
  const auto start = Clock::now();
  auto response = SendAndWait(client, request);
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("timed out"), std::string::npos)
      << response.error().message;
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST_F(ClientTest, MalformedUrlFailsThroughCallback) {
  BeastHttpClient client;
  OutboundRequest request;
  request.url = "ftp://example.com/";
  auto response = SendAndWait(client, request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ClientTest, ManyConcurrentSendsComplete) {
  RunningServer server(Options(), router_);
  BeastHttpClientOptions options;
  options.io_threads = 2;
  BeastHttpClient client(options);
  constexpr int kCount = 50;
  std::mutex mutex;
  std::condition_variable all_done;
  int completed = 0;
  int succeeded = 0;
  for (int i = 0; i < kCount; ++i) {
    OutboundRequest request;
    request.url = server.Url("/echo");
    request.body = std::to_string(i);
    client.Send(request, [&, i](Result<OutboundResponse> r) {
      std::lock_guard lock(mutex);
      succeeded += r.ok() && r->status == 200 && r->body == std::to_string(i);
      if (++completed == kCount) all_done.notify_one();
    });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(
      all_done.wait_for(lock, std::chrono::seconds(20), [&] { return completed == kCount; }));
  EXPECT_EQ(succeeded, kCount);
}

TEST_F(ClientTest, RetriesWhenPooledConnectionWasClosedByServer) {
  ServerOptions options = Options();
  options.idle_timeout_seconds = 1;
  RunningServer server(options, router_);
  BeastHttpClient client;
  OutboundRequest request;
  request.url = server.Url("/echo");
  request.body = "first";
  ASSERT_TRUE(SendAndWait(client, request).ok());
  std::this_thread::sleep_for(milliseconds(1500));  // the server drops the idle connection
  request.body = "second";
  auto response = SendAndWait(client, request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "second");
}

TEST_F(ClientTest, DestructorCompletesPendingSends) {
  SilentListener listener;
  std::promise<Result<OutboundResponse>> promise;
  auto future = promise.get_future();
  {
    BeastHttpClient client;
    OutboundRequest request;
    request.url = listener.Url();
    request.total_timeout = std::chrono::seconds(30);
    client.Send(request,
                [&promise](Result<OutboundResponse> r) { promise.set_value(std::move(r)); });
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  auto response = future.get();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("shut down"), std::string::npos)
      << response.error().message;
}

}  // namespace
}  // namespace gh::http
