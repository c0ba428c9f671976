// Sign-out receivers for bench/logout_fanout.sh and bench/saml_load.mjs: N relying parties'
// back-channel logout endpoints — or SAML SPs' SOAP SingleLogoutServices — one keep-alive HTTP
// listener each on an ephemeral loopback port. They share the machine with the IdP being
// measured, so they are as cheap as a receiver can be: one thread; a logout token is counted, not
// verified (the interop tests verify tokens with jose); a SAML LogoutRequest is answered with an
// unsigned Success LogoutResponse naming the SP http://<Host>/metadata (the benchmark registers
// its SPs with --allow-unsigned-requests; lasso checks Gatehouse's signatures in the interop
// tests).
//
//   logout_receivers N READY_FILE
//
// Writes {"control": port, "receivers": [port, ...]} to READY_FILE once every listener is up.
// The control port answers:
//   GET /stats                      {"total", "malformed", "per_receiver": [...]}
//   GET /wait?total=X&timeout_ms=T  once X tokens have arrived (or T ms passed):
//                                   {"total", "reached_at"}: epoch ms (sub-ms) of the X-th token
//   GET /timeline?from=MS&bucket_ms=B  tokens that arrived in each B ms from epoch ms MS on
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

double EpochMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Back-Channel Logout 1.0 §2.5: the body is logout_token=<JWS compact serialisation>.
bool IsLogoutTokenForm(std::string_view body) {
  constexpr std::string_view kPrefix = "logout_token=";
  if (!body.starts_with(kPrefix)) return false;
  body.remove_prefix(kPrefix.size());
  int dots = 0;
  std::size_t part = 0;
  for (char c : body) {
    if (c == '.') {
      if (part == 0) return false;
      ++dots;
      part = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      ++part;
    } else {
      return false;
    }
  }
  return dots == 2 && part > 0;
}

// SAML Bindings §3.2: the ID of the LogoutRequest in a SOAP body, or "" for anything else.
std::string SoapLogoutRequestId(std::string_view body) {
  auto element = body.find(":LogoutRequest ");
  if (element == std::string_view::npos) return "";
  auto id = body.find(" ID=\"", element);
  if (id == std::string_view::npos) return "";
  id += 5;
  auto end = body.find('"', id);
  return end == std::string_view::npos ? "" : std::string(body.substr(id, end - id));
}

std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

std::string SoapLogoutResponse(std::string_view issuer, std::string_view in_response_to) {
  static std::uint64_t serial = 0;
  return std::string(
             R"(<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>)"
             R"(<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r)") +
         std::to_string(++serial) + R"(" Version="2.0" IssueInstant=")" + UtcNow() +
         R"(" InResponseTo=")" + std::string(in_response_to) + R"("><saml:Issuer>)" +
         std::string(issuer) +
         R"(</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>)";
}

// A /wait request: answered by the token that reaches its target, or by its timer.
struct Waiter {
  std::uint64_t target;
  std::function<void(nlohmann::json)> reply;
  asio::steady_timer timer;
  bool answered = false;
};

class Receivers {
 public:
  explicit Receivers(std::size_t count) : per_receiver_(count, 0) {}

  // §2.8: 200 with Cache-Control: no-store means received.
  Response Receive(std::size_t index, const Request& request) {
    Response response{http::status::ok, request.version()};
    response.set(http::field::cache_control, "no-store");
    const std::string saml_request = SoapLogoutRequestId(request.body());
    if (request.method() != http::verb::post ||
        (saml_request.empty() && !IsLogoutTokenForm(request.body()))) {
      ++malformed_;
      response.result(http::status::bad_request);
    } else {
      if (!saml_request.empty()) {
        response.set(http::field::content_type, "text/xml");
        std::string issuer = "http://" + std::string(request[http::field::host]) + "/metadata";
        response.body() = SoapLogoutResponse(issuer, saml_request);
      }
      arrivals_.push_back(EpochMs());
      ++per_receiver_[index];
      if (!waiters_.empty()) Settle();
    }
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    return response;
  }

  void Control(const Request& request, std::function<void(Response)> send) {
    auto url = boost::urls::parse_origin_form(request.target());
    auto reply = [send, version = request.version()](int status, const nlohmann::json& body) {
      Response response{static_cast<http::status>(status), version};
      response.set(http::field::content_type, "application/json");
      response.body() = body.dump();
      response.prepare_payload();
      send(std::move(response));
    };
    if (!url) return reply(400, {{"error", "bad target"}});
    auto param = [&](std::string_view name, double fallback) {
      auto it = url->params().find(name);
      return it == url->params().end() ? fallback : std::stod((*it).value);
    };
    if (url->path() == "/stats") {
      reply(200, {{"total", arrivals_.size()},
                  {"malformed", malformed_},
                  {"per_receiver", per_receiver_}});
    } else if (url->path() == "/timeline") {
      const double from = param("from", 0);
      const double bucket = param("bucket_ms", 100);
      std::vector<std::uint64_t> counts;
      for (double at : arrivals_) {
        if (at < from) continue;
        auto i = static_cast<std::size_t>((at - from) / bucket);
        if (counts.size() <= i) counts.resize(i + 1, 0);
        ++counts[i];
      }
      reply(200, counts);
    } else if (url->path() == "/wait") {
      auto waiter = std::make_shared<Waiter>(Waiter{
          static_cast<std::uint64_t>(param("total", 0)),
          [reply](nlohmann::json body) { reply(200, body); },
          asio::steady_timer(*executor_, std::chrono::milliseconds(
                                             static_cast<long>(param("timeout_ms", 60000))))});
      waiters_.push_back(waiter);
      waiter->timer.async_wait([this, waiter](beast::error_code) {
        // Also runs when cancelled, or after Settle answered it while this was queued.
        if (waiter->answered) return;
        waiters_.remove(waiter);
        Answer(*waiter, nullptr);
      });
      Settle();
    } else {
      reply(404, {{"error", "not found"}});
    }
  }

  void SetExecutor(asio::any_io_executor executor) { executor_ = executor; }

 private:
  void Answer(Waiter& waiter, nlohmann::json reached_at) {
    waiter.answered = true;
    waiter.timer.cancel();
    waiter.reply({{"total", arrivals_.size()}, {"reached_at", std::move(reached_at)}});
  }

  void Settle() {
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      auto waiter = *it;
      if (arrivals_.size() < waiter->target) {
        ++it;
        continue;
      }
      it = waiters_.erase(it);
      Answer(*waiter, waiter->target ? arrivals_[waiter->target - 1] : EpochMs());
    }
  }

  std::vector<std::uint64_t> per_receiver_;
  std::uint64_t malformed_ = 0;
  std::vector<double> arrivals_;  // arrival time of every token, in order
  std::list<std::shared_ptr<Waiter>> waiters_;
  std::optional<asio::any_io_executor> executor_;
};

// Serves one keep-alive connection; `index` is the receiver, or nullopt for the control port.
asio::awaitable<void> Serve(tcp::socket socket, Receivers& receivers,
                            std::optional<std::size_t> index) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (true) {
    Request request;
    co_await http::async_read(socket, buffer, request,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    Response response;
    if (index) {
      response = receivers.Receive(*index, request);
    } else {
      auto channel = std::make_shared<std::optional<Response>>();
      asio::steady_timer ready(socket.get_executor(), asio::steady_timer::time_point::max());
      receivers.Control(request, [channel, &ready](Response r) {
        *channel = std::move(r);
        ready.cancel();
      });
      if (!*channel) co_await ready.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      response = std::move(**channel);
    }
    const bool keep_alive = response.keep_alive();
    co_await http::async_write(socket, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) co_return;
  }
}

asio::awaitable<void> Accept(tcp::acceptor acceptor, Receivers& receivers,
                             std::optional<std::size_t> index) {
  while (true) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), receivers, index),
                   asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long count = argc == 3 ? std::strtol(argv[1], nullptr, 10) : 0;
  if (count <= 0) {
    std::cerr << "usage: logout_receivers N READY_FILE\n";
    return 2;
  }
  const std::filesystem::path ready_file = argv[2];
  asio::io_context io(1);
  Receivers receivers(static_cast<std::size_t>(count));
  receivers.SetExecutor(io.get_executor());

  const tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
  nlohmann::json ready = {{"receivers", nlohmann::json::array()}};
  for (long i = 0; i <= count; ++i) {
    tcp::acceptor acceptor(io, loopback);
    const auto port = acceptor.local_endpoint().port();
    std::optional<std::size_t> index;
    if (i < count) {
      index = static_cast<std::size_t>(i);
      ready["receivers"].push_back(port);
    } else {
      ready["control"] = port;
    }
    asio::co_spawn(io, Accept(std::move(acceptor), receivers, index), asio::detached);
  }
  asio::signal_set stop(io, SIGTERM, SIGINT);
  stop.async_wait([&](beast::error_code, int) { io.stop(); });

  const auto temporary = ready_file.string() + ".tmp";
  std::ofstream(temporary) << ready.dump();
  std::filesystem::rename(temporary, ready_file);
  io.run();
  return 0;
}
