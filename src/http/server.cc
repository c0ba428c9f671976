#include "http/server.h"

#include <sys/resource.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <exception>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/log.h"

namespace gh::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// How long Stop() lets in-flight requests finish before it closes their connections.
constexpr std::chrono::seconds kShutdownGrace{10};
// accept() failing for lack of resources (out of file descriptors, buffers or memory) fails
// again at once: wait before the next try, doubling up to a second, instead of spinning.
constexpr std::chrono::milliseconds kAcceptFirstBackoff{10};
constexpr std::chrono::milliseconds kAcceptMaxBackoff{1000};
// How long an error response waits for the client to stop sending before the close, so that
// unread input does not turn the close into a reset that destroys the response.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::size_t kLingerMaxBytes = 256 * 1024;

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

// What Stop() needs of a connection, whatever its stream type: its strand, whether it is
// waiting for a next request, and a way to close it from that strand.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual asio::any_io_executor executor() = 0;
  virtual void Close() = 0;
  bool idle = false;  // touched only on executor()
};

template <class Stream>
class StreamConnection final : public Connection {
 public:
  template <class... Args>
  explicit StreamConnection(Args&&... args) : stream(std::forward<Args>(args)...) {}
  asio::any_io_executor executor() override {
    return beast::get_lowest_layer(stream).get_executor();
  }
  void Close() override {
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().close(ignored);
  }
  Stream stream;
};

// The status for a request that could not be read, or nullopt when the client just went away.
std::optional<int> StatusForReadError(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
    return 400;
  return std::nullopt;
}

Request ToRequest(BeastRequest&& in, std::string_view peer, const TrustedProxies& proxies,
                  bool secure) {
  Request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) out.headers.Add(std::string(field.name_string()), field.value());
  out.body = std::move(in.body());
  std::string forwarded_for;
  if (!proxies.empty()) {
    for (const std::string& value : out.headers.GetAll("X-Forwarded-For"))
      forwarded_for += (forwarded_for.empty() ? "" : ",") + value;
  }
  out.remote_address = proxies.ClientAddress(peer, forwarded_for);
  out.secure = secure;
  return out;
}

// Framing headers are the server's business; a handler's are dropped, except the length a HEAD
// response announces (the router computes it from the GET body).
BeastResponse ToBeastResponse(Response&& in, unsigned version, bool keep_alive, bool head) {
  BeastResponse out{static_cast<bhttp::status>(in.status), version};
  std::optional<std::uint64_t> head_length;
  bool has_frame_policy = false;
  bool has_nosniff = false;
  for (auto& [name, value] : in.headers.items()) {
    const auto field = bhttp::string_to_field(name);
    if (field == bhttp::field::content_length) {
      if (head) head_length = std::strtoull(value.c_str(), nullptr, 10);
      continue;
    }
    if (field == bhttp::field::transfer_encoding || field == bhttp::field::connection) continue;
    has_frame_policy |=
        field == bhttp::field::x_frame_options || beast::iequals(name, "Content-Security-Policy");
    has_nosniff |= beast::iequals(name, "X-Content-Type-Options");
    out.insert(name, value);
  }
  out.set(bhttp::field::server, "gatehouse");
  if (!has_nosniff) out.set("X-Content-Type-Options", "nosniff");
  // Pages that must be framed (OIDC session and front-channel iframes) set their own policy.
  if (!has_frame_policy) {
    out.set(bhttp::field::x_frame_options, "DENY");
    out.set("Content-Security-Policy", "frame-ancestors 'none'");
  }
  out.keep_alive(keep_alive);
  if (head) {
    out.content_length(head_length.value_or(in.body.size()));
  } else {
    out.body() = std::move(in.body);
    out.content_length(out.body().size());
  }
  return out;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        io_(static_cast<int>(std::max<std::size_t>(1, options_.io_threads))),
        workers_(std::max<std::size_t>(1, options_.worker_threads)),
        control_(asio::make_strand(io_)),
        acceptor_(control_),
        grace_timer_(control_),
        accept_timer_(control_) {}

  ~Impl() { workers_.join(); }

  Result<void> Listen();
  std::uint16_t port() const { return port_; }
  void Run(bool handle_signals);
  void Stop() {
    asio::post(control_, [this] { StopOnControl(); });
  }

 private:
  using ConnectionPtr = std::shared_ptr<Connection>;

  Result<void> LoadTls();
  void StopOnControl();
  void ForEachConnection(bool only_idle);
  void Unregister(const ConnectionPtr& connection);

  asio::awaitable<void> Accept();
  bool AtCapacity();
  // A connection's handlers must never run concurrently: with one I/O thread the io_context
  // guarantees that by itself, and a strand per connection would only add a dispatch per
  // completion (5 % of the CPU serving discovery).
  asio::any_io_executor ConnectionExecutor() {
    if (options_.io_threads <= 1) return io_.get_executor();
    return asio::make_strand(io_);
  }
  template <class Stream>
  asio::awaitable<void> Serve(std::shared_ptr<StreamConnection<Stream>> connection,
                              std::string remote_address);
  template <class Stream>
  asio::awaitable<bool> Write(Stream& stream, BeastResponse& response);
  template <class Stream>
  asio::awaitable<void> Linger(Stream& stream);
  Response SafeDispatch(const Request& request) const;

  ServerOptions options_;
  const Router& router_;
  asio::io_context io_;
  asio::thread_pool workers_;
  Strand control_;  // serializes the acceptor, the signal set and the shutdown timer
  tcp::acceptor acceptor_;
  asio::steady_timer grace_timer_;
  // Paces Accept() while it backs off or waits for a free connection slot.
  asio::steady_timer accept_timer_;
  bool waiting_for_slot_ = false;  // on control_: Accept() waits for a connection to close
  std::optional<asio::signal_set> signals_;
  std::optional<ssl::context> tls_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};

  std::mutex connections_mutex_;
  std::set<ConnectionPtr> connections_;
};

Result<void> Server::Impl::LoadTls() {
  const bool has_cert = options_.tls_certificate_file.has_value();
  if (has_cert != options_.tls_private_key_file.has_value())
    return Error::InvalidArgument("TLS needs both a certificate and a private key file");
  if (!has_cert) return Ok();
  tls_.emplace(ssl::context::tls_server);
  tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::single_dh_use);
  beast::error_code ec;
  tls_->use_certificate_chain_file(*options_.tls_certificate_file, ec);
  if (ec)
    return Error::InvalidArgument("TLS certificate " + *options_.tls_certificate_file + ": " +
                                  ec.message());
  tls_->use_private_key_file(*options_.tls_private_key_file, ssl::context::pem, ec);
  if (ec)
    return Error::InvalidArgument("TLS private key " + *options_.tls_private_key_file + ": " +
                                  ec.message());
  return Ok();
}

Result<void> Server::Impl::Listen() {
  GH_RETURN_IF_ERROR(LoadTls());
  if (rlimit limit{}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    // Never below a handful: a server that can take no connection at all is no use either.
    constexpr std::size_t kFewest = 16;
    const auto available = static_cast<std::size_t>(limit.rlim_cur);
    const std::size_t fits = available > options_.reserved_descriptors + kFewest
                                 ? available - options_.reserved_descriptors
                                 : kFewest;
    if (fits < options_.max_connections) {
      Log(LogLevel::kWarn, "http.connection_limit_lowered",
          {{"max_connections", static_cast<std::int64_t>(fits)},
           {"configured", static_cast<std::int64_t>(options_.max_connections)},
           {"nofile", static_cast<std::int64_t>(available)}});
      options_.max_connections = fits;
    }
  }
  std::string host = options_.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);

  beast::error_code ec;
  tcp::endpoint endpoint;
  if (auto address = asio::ip::make_address(host, ec); !ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(options_.port), ec);
    if (ec || results.empty())
      return Error::Unavailable("cannot resolve listen host " + host + ": " + ec.message());
    endpoint = results.begin()->endpoint();
  }

  const std::string where = host + ":" + std::to_string(options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec)
    return Error::Unavailable("open " + where + ": " + ec.message());
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec)
    return Error::Unavailable("bind " + where + ": " + ec.message());
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec)
    return Error::Unavailable("listen " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  Log(LogLevel::kInfo, "http.listening",
      {{"address", host}, {"port", static_cast<int>(port_)}, {"tls", tls_.has_value()}});
  return Ok();
}

void Server::Impl::Run(bool handle_signals) {
  if (handle_signals) {
    signals_.emplace(control_, SIGINT, SIGTERM);
    signals_->async_wait([this](const beast::error_code& ec, int signal) {
      if (ec) return;
      Log(LogLevel::kInfo, "http.signal", {{"signal", signal}});
      StopOnControl();
    });
  }
  asio::co_spawn(control_, Accept(), asio::detached);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : threads) thread.join();
  Log(LogLevel::kInfo, "http.stopped");
}

void Server::Impl::StopOnControl() {
  if (stopping_.exchange(true)) return;
  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_timer_.cancel();
  if (signals_) signals_->cancel(ignored);
  ForEachConnection(/*only_idle=*/true);
  std::lock_guard lock(connections_mutex_);
  if (connections_.empty()) return;
  grace_timer_.expires_after(kShutdownGrace);
  grace_timer_.async_wait([this](const beast::error_code& ec) {
    if (!ec) ForEachConnection(/*only_idle=*/false);
  });
}

void Server::Impl::ForEachConnection(bool only_idle) {
  std::lock_guard lock(connections_mutex_);
  for (const auto& connection : connections_) {
    asio::post(connection->executor(), [connection, only_idle] {
      if (!only_idle || connection->idle) connection->Close();
    });
  }
}

void Server::Impl::Unregister(const ConnectionPtr& connection) {
  std::lock_guard lock(connections_mutex_);
  connections_.erase(connection);
  // Run() returns once nothing is left, so the grace timer must not keep it waiting.
  if (connections_.empty() && stopping_) asio::post(control_, [this] { grace_timer_.cancel(); });
  asio::post(control_, [this] {
    if (waiting_for_slot_) accept_timer_.cancel();
  });
}

bool Server::Impl::AtCapacity() {
  std::lock_guard lock(connections_mutex_);
  return connections_.size() >= options_.max_connections;
}

asio::awaitable<void> Server::Impl::Accept() {
  auto backoff = kAcceptFirstBackoff;
  std::int64_t failures = 0;  // in the current run of resource failures, logged when it ends
  bool logged_capacity = false;
  while (!stopping_) {
    if (AtCapacity()) {
      if (!logged_capacity)
        Log(LogLevel::kWarn, "http.connection_limit",
            {{"max_connections", static_cast<std::int64_t>(options_.max_connections)}});
      logged_capacity = true;
      // Woken early by Unregister(); the timeout is only a safety net.
      waiting_for_slot_ = true;
      accept_timer_.expires_after(kAcceptMaxBackoff);
      co_await accept_timer_.async_wait(kUseTuple);
      waiting_for_slot_ = false;
      continue;
    }
    logged_capacity = false;
    auto [ec, socket] = co_await acceptor_.async_accept(ConnectionExecutor(), kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      // One line when a run of failures starts, one when it ends: a process out of file
      // descriptors must not also flood its log.
      if (failures++ == 0)
        Log(LogLevel::kWarn, "http.accept_failed",
            {{"error", ec.message()}, {"backoff_ms", static_cast<std::int64_t>(backoff.count())}});
      accept_timer_.expires_after(backoff);
      co_await accept_timer_.async_wait(kUseTuple);
      backoff = std::min(backoff * 2, kAcceptMaxBackoff);
      continue;
    }
    if (failures > 0) {
      Log(LogLevel::kInfo, "http.accept_resumed", {{"failed_attempts", failures}});
      failures = 0;
      backoff = kAcceptFirstBackoff;
    }
    beast::error_code endpoint_ec;
    std::string remote = socket.remote_endpoint(endpoint_ec).address().to_string();
    auto executor = socket.get_executor();
    // Registered here, before the next AtCapacity(), so a burst cannot overshoot the limit.
    auto serve = [&](auto connection) {
      {
        std::lock_guard lock(connections_mutex_);
        connections_.insert(connection);
      }
      asio::co_spawn(executor, Serve(std::move(connection), std::move(remote)), asio::detached);
    };
    if (tls_) {
      serve(std::make_shared<StreamConnection<ssl::stream<beast::tcp_stream>>>(std::move(socket),
                                                                               *tls_));
    } else {
      serve(std::make_shared<StreamConnection<beast::tcp_stream>>(std::move(socket)));
    }
  }
}

Response Server::Impl::SafeDispatch(const Request& request) const {
  try {
    return router_.Dispatch(request);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "http.handler_exception",
        {{"method", request.method}, {"path", request.Path()}, {"error", e.what()}});
  } catch (...) {
    Log(LogLevel::kError, "http.handler_exception",
        {{"method", request.method}, {"path", request.Path()}, {"error", "unknown"}});
  }
  return Response::Text(500, "Internal Server Error\n");
}

template <class Stream>
asio::awaitable<bool> Server::Impl::Write(Stream& stream, BeastResponse& response) {
  beast::get_lowest_layer(stream).expires_after(
      std::chrono::seconds(options_.write_timeout_seconds));
  auto [ec, bytes] = co_await bhttp::async_write(stream, response, kUseTuple);
  co_return !ec;
}

template <class Stream>
asio::awaitable<void> Server::Impl::Linger(Stream& stream) {
  auto& tcp = beast::get_lowest_layer(stream);
  beast::error_code ec;
  tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  tcp.expires_after(kLingerTimeout);
  std::array<char, 4096> sink;
  for (std::size_t total = 0; total < kLingerMaxBytes;) {
    auto [read_ec, n] = co_await tcp.async_read_some(asio::buffer(sink), kUseTuple);
    if (read_ec) break;
    total += n;
  }
}

template <class Stream>
asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<StreamConnection<Stream>> connection,
                                          std::string remote_address) {
  struct Unregisterer {
    Impl* impl;
    ConnectionPtr connection;
    ~Unregisterer() {
      connection->Close();
      impl->Unregister(connection);
    }
  } unregister{this, connection};

  Stream& stream = connection->stream;
  auto& tcp = beast::get_lowest_layer(stream);
  const auto read_timeout = std::chrono::seconds(options_.read_timeout_seconds);
  constexpr bool kSecure = !std::is_same_v<Stream, beast::tcp_stream>;
  if constexpr (kSecure) {
    tcp.expires_after(read_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
    if (ec) co_return;
  }

  beast::flat_buffer buffer;
  for (bool first = true;; first = false) {
    // Waiting for the first byte of a request is the only state in which Stop() may close the
    // connection without losing work.
    if (buffer.size() == 0) {
      connection->idle = true;
      if (stopping_) co_return;
      tcp.expires_after(first ? read_timeout : std::chrono::seconds(options_.idle_timeout_seconds));
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUseTuple);
      connection->idle = false;
      if (ec) co_return;
      buffer.commit(n);
      if (!first) tcp.expires_after(read_timeout);
    } else {
      tcp.expires_after(read_timeout);
    }

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser.body_limit(options_.max_body_bytes);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
    if (ec) {
      const auto status = StatusForReadError(ec);
      if (!status) co_return;
      Log(LogLevel::kInfo, "http.bad_request",
          {{"remote", remote_address}, {"status", *status}, {"error", ec.message()}});
      auto response = ToBeastResponse(Response::Text(*status, ec.message() + "\n"), 11,
                                      /*keep_alive=*/false, /*head=*/false);
      if (co_await Write(stream, response)) co_await Linger(stream);
      co_return;
    }

    BeastRequest beast_request = parser.release();
    const unsigned version = beast_request.version();
    const bool head = beast_request.method() == bhttp::verb::head;
    bool keep_alive = beast_request.keep_alive();
    Request request =
        ToRequest(std::move(beast_request), remote_address, options_.trusted_proxies, kSecure);
    Response handled;
    if (router_.IsInline(request)) {
      handled = SafeDispatch(request);
    } else {
      handled = co_await asio::co_spawn(
          workers_,
          [this, &request]() -> asio::awaitable<Response> { co_return SafeDispatch(request); },
          asio::use_awaitable);
    }
    keep_alive = keep_alive && !stopping_;
    auto response = ToBeastResponse(std::move(handled), version, keep_alive, head);
    if (!co_await Write(stream, response) || !keep_alive) {
      beast::error_code ignored;
      tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Result<void> Server::Listen() { return impl_->Listen(); }
std::uint16_t Server::port() const { return impl_->port(); }
void Server::Run(bool handle_signals) { impl_->Run(handle_signals); }
void Server::Stop() { impl_->Stop(); }

}  // namespace gh::http
