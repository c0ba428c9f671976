#include "http/beast_client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <variant>
#include <vector>

namespace gh::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using TlsStream = ssl::stream<beast::tcp_stream>;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Where a request goes, taken apart once in Send().
struct Target {
  bool tls = false;
  std::string host;  // without IPv6 brackets, for resolving, SNI and certificate checks
  std::uint16_t port = 0;
  std::string host_header;
  std::string path_and_query;
  std::string origin;  // scheme://host:port, the key of the idle-connection pool
};

Result<Target> ParseTarget(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Error::InvalidArgument("malformed URL: " + std::string(url));
  Target t;
  const std::string scheme(parsed->scheme());
  if (scheme == "https") {
    t.tls = true;
  } else if (scheme != "http") {
    return Error::InvalidArgument("unsupported URL scheme: " + std::string(url));
  }
  t.host = parsed->host_address();
  if (t.host.empty()) return Error::InvalidArgument("URL without host: " + std::string(url));
  t.port = parsed->has_port() ? parsed->port_number() : (t.tls ? 443 : 80);
  if (parsed->has_port() && t.port == 0)
    return Error::InvalidArgument("bad port in URL: " + std::string(url));
  t.host_header = std::string(parsed->encoded_host_and_port());
  t.path_and_query = std::string(parsed->encoded_target());
  if (t.path_and_query.empty() || t.path_and_query.front() != '/') t.path_and_query.insert(0, "/");
  t.origin = scheme + "://" + std::string(parsed->encoded_host()) + ":" + std::to_string(t.port);
  return t;
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// One connection to an origin; lives in the pool between exchanges. Its strand is the strand of
// whichever exchange uses it, so its I/O objects are never touched from two threads at once.
struct Connection {
  using Stream = std::variant<beast::tcp_stream, TlsStream>;

  Connection(Strand s, ssl::context* tls) : strand(s), stream(MakeStream(s, tls)) {}

  static Stream MakeStream(Strand s, ssl::context* tls) {
    if (tls) return Stream(std::in_place_type<TlsStream>, s, *tls);
    return Stream(std::in_place_type<beast::tcp_stream>, s);
  }
  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream);
  }

  Strand strand;
  Stream stream;
  beast::flat_buffer buffer;
  SteadyTime idle_since;
};

// One Send() in flight.
struct Exchange {
  Exchange(OutboundRequest r, HttpClient::Callback d, Target t, Strand s)
      : request(std::move(r)), done(std::move(d)), target(std::move(t)), strand(s), timer(s) {}

  // Runs on `strand`: makes the pending step fail at once.
  void Abort() {
    aborted = true;
    timer.cancel();
    if (connection) {
      beast::error_code ignored;
      connection->tcp().socket().close(ignored);
    }
  }

  OutboundRequest request;
  HttpClient::Callback done;
  Target target;
  Strand strand;
  asio::steady_timer timer;  // bounds name resolution, which Asio cannot cancel
  std::unique_ptr<Connection> connection;
  bool reused = false;
  bool aborted = false;
};

}  // namespace

class BeastHttpClient::Impl {
 public:
  explicit Impl(BeastHttpClientOptions options);
  ~Impl();
  void Send(OutboundRequest request, Callback done);

 private:
  using ExchangePtr = std::shared_ptr<Exchange>;

  std::unique_ptr<Connection> TakeIdle(const std::string& origin);
  void ReturnIdle(const std::string& origin, std::unique_ptr<Connection> connection);
  Error StepError(const Exchange& x, std::string_view step, const beast::error_code& ec) const;

  asio::awaitable<void> Run(ExchangePtr x);
  asio::awaitable<Result<OutboundResponse>> Perform(ExchangePtr x);
  asio::awaitable<Result<void>> Connect(ExchangePtr x, SteadyTime deadline);
  template <class Stream>
  asio::awaitable<Result<OutboundResponse>> RoundTrip(Exchange& x, Stream& stream,
                                                      SteadyTime deadline, bool& retryable,
                                                      bool& reusable);

  BeastHttpClientOptions options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  ssl::context tls_{ssl::context::tls_client};
  std::vector<std::thread> threads_;

  std::mutex mutex_;
  bool closing_ = false;
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle_;
  std::set<ExchangePtr> in_flight_;
};

BeastHttpClient::Impl::Impl(BeastHttpClientOptions options)
    : options_(std::move(options)), work_(io_.get_executor()) {
  tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  tls_.set_default_verify_paths();
  tls_.set_verify_mode(ssl::verify_peer);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.io_threads); ++i)
    threads_.emplace_back([this] { io_.run(); });
}

BeastHttpClient::Impl::~Impl() {
  std::set<ExchangePtr> in_flight;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    in_flight = in_flight_;
    idle_.clear();
  }
  for (const auto& x : in_flight) asio::post(x->strand, [x] { x->Abort(); });
  work_.reset();
  for (auto& thread : threads_) thread.join();
}

void BeastHttpClient::Impl::Send(OutboundRequest request, Callback done) {
  auto target = ParseTarget(request.url);
  if (!target) {
    asio::post(io_, [done = std::move(done), error = std::move(target).error()]() mutable {
      done(std::move(error));
    });
    return;
  }
  auto connection = TakeIdle(target->origin);
  const Strand strand = connection ? connection->strand : asio::make_strand(io_);
  auto x =
      std::make_shared<Exchange>(std::move(request), std::move(done), std::move(*target), strand);
  x->reused = connection != nullptr;
  x->connection = std::move(connection);
  {
    std::lock_guard lock(mutex_);
    in_flight_.insert(x);
  }
  asio::co_spawn(strand, Run(std::move(x)), asio::detached);
}

std::unique_ptr<Connection> BeastHttpClient::Impl::TakeIdle(const std::string& origin) {
  std::lock_guard lock(mutex_);
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& idle = it->second;
  const auto oldest_usable = std::chrono::steady_clock::now() - options_.max_idle_age;
  // Newest first: it is the least likely to have been closed by the peer.
  while (!idle.empty()) {
    auto connection = std::move(idle.back());
    idle.pop_back();
    if (connection->idle_since >= oldest_usable) return connection;
  }
  idle_.erase(it);
  return nullptr;
}

void BeastHttpClient::Impl::ReturnIdle(const std::string& origin,
                                       std::unique_ptr<Connection> connection) {
  connection->tcp().expires_never();
  connection->idle_since = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (closing_) return;
  auto& idle = idle_[origin];
  if (idle.size() >= options_.max_idle_per_origin) idle.pop_front();
  if (options_.max_idle_per_origin > 0) idle.push_back(std::move(connection));
}

Error BeastHttpClient::Impl::StepError(const Exchange& x, std::string_view step,
                                       const beast::error_code& ec) const {
  std::string why = x.aborted                     ? "client shut down"
                    : ec == beast::error::timeout ? "timed out"
                                                  : ec.message();
  return Error::Unavailable(x.request.method + " " + x.request.url + ": " + std::string(step) +
                            ": " + why);
}

asio::awaitable<void> BeastHttpClient::Impl::Run(ExchangePtr x) {
  Result<OutboundResponse> result = Error::Internal("unreachable");
  try {
    result = co_await Perform(x);
  } catch (const std::exception& e) {
    result = Error::Unavailable(x->request.method + " " + x->request.url + ": " + e.what());
  }
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(x);
  }
  x->done(std::move(result));
}

asio::awaitable<Result<OutboundResponse>> BeastHttpClient::Impl::Perform(ExchangePtr x) {
  const SteadyTime deadline = std::chrono::steady_clock::now() + x->request.total_timeout;
  for (;;) {
    if (!x->connection) {
      x->connection = std::make_unique<Connection>(x->strand, x->target.tls ? &tls_ : nullptr);
      x->reused = false;
      auto connected = co_await Connect(x, deadline);
      if (!connected) co_return connected.error();
    }
    bool retryable = false;
    bool reusable = false;
    auto result = co_await std::visit(
        [&](auto& stream) { return RoundTrip(*x, stream, deadline, retryable, reusable); },
        x->connection->stream);
    // A pooled connection the peer has closed meanwhile fails before any reply; that says
    // nothing about the receiver, so the request goes once more on a fresh connection.
    if (!result && x->reused && retryable && !x->aborted) {
      x->connection.reset();
      continue;
    }
    if (result && reusable) ReturnIdle(x->target.origin, std::move(x->connection));
    co_return result;
  }
}

asio::awaitable<Result<void>> BeastHttpClient::Impl::Connect(ExchangePtr x, SteadyTime deadline) {
  const SteadyTime connect_deadline =
      std::min(deadline, std::chrono::steady_clock::now() + x->request.connect_timeout);

  // The resolver reports into `resolution` and wakes the timer; if the timer expires first the
  // late answer lands in a state nobody reads.
  struct Resolution {
    std::optional<beast::error_code> ec;
    tcp::resolver::results_type endpoints;
  };
  auto resolution = std::make_shared<Resolution>();
  auto resolver = std::make_shared<tcp::resolver>(x->strand);
  x->timer.expires_at(connect_deadline);
  resolver->async_resolve(
      x->target.host, std::to_string(x->target.port),
      [x, resolver, resolution](const beast::error_code& ec, tcp::resolver::results_type r) {
        resolution->ec = ec;
        resolution->endpoints = std::move(r);
        x->timer.cancel();
      });
  co_await x->timer.async_wait(kUseTuple);
  if (x->aborted) co_return StepError(*x, "resolve", asio::error::operation_aborted);
  if (!resolution->ec) co_return StepError(*x, "resolve", beast::error::timeout);
  if (*resolution->ec) co_return StepError(*x, "resolve", *resolution->ec);

  auto& tcp = x->connection->tcp();
  tcp.expires_at(connect_deadline);
  auto [ec, endpoint] = co_await tcp.async_connect(resolution->endpoints, kUseTuple);
  if (ec || x->aborted) co_return StepError(*x, "connect", ec);

  if (auto* tls = std::get_if<TlsStream>(&x->connection->stream)) {
    const std::string& host = x->target.host;
    if (!IsIpLiteral(host) && !SSL_set_tlsext_host_name(tls->native_handle(), host.c_str()))
      co_return StepError(*x, "tls", asio::error::invalid_argument);
    tls->set_verify_callback(ssl::host_name_verification(host));
    auto [hs_ec] = co_await tls->async_handshake(ssl::stream_base::client, kUseTuple);
    if (hs_ec || x->aborted) co_return StepError(*x, "tls handshake", hs_ec);
  }
  co_return Ok();
}

template <class Stream>
asio::awaitable<Result<OutboundResponse>> BeastHttpClient::Impl::RoundTrip(
    Exchange& x, Stream& stream, SteadyTime deadline, bool& retryable, bool& reusable) {
  const OutboundRequest& out = x.request;
  bhttp::request<bhttp::string_body> request;
  request.method_string(out.method);
  request.target(x.target.path_and_query);
  request.version(11);
  for (const auto& [name, value] : out.headers.items()) request.insert(name, value);
  if (request.count(bhttp::field::host) == 0) request.set(bhttp::field::host, x.target.host_header);
  if (request.count(bhttp::field::user_agent) == 0)
    request.set(bhttp::field::user_agent, "gatehouse");
  request.body() = out.body;
  request.prepare_payload();

  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_at(deadline);
  if (auto [ec, n] = co_await bhttp::async_write(stream, request, kUseTuple); ec || x.aborted) {
    retryable = true;
    co_return StepError(x, "send", ec);
  }

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options_.max_response_bytes);
  parser.skip(request.method() == bhttp::verb::head);
  auto& buffer = x.connection->buffer;
  if (auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
      ec || x.aborted) {
    retryable =
        !parser.got_some() && (ec == bhttp::error::end_of_stream ||
                               ec == asio::error::connection_reset || ec == asio::error::eof);
    co_return StepError(x, "receive", ec);
  }

  auto& message = parser.get();
  reusable = message.keep_alive() && buffer.size() == 0;
  OutboundResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message)
    response.headers.Add(std::string(field.name_string()), std::string(field.value()));
  response.body = std::move(message.body());
  co_return response;
}

BeastHttpClient::BeastHttpClient(BeastHttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
BeastHttpClient::~BeastHttpClient() = default;
void BeastHttpClient::Send(OutboundRequest request, Callback done) {
  impl_->Send(std::move(request), std::move(done));
}

}  // namespace gh::http
