// Single sign-on load for bench/compare.mjs: the way an app's sign-in runs for a user who already
// has a session at the IdP. Each of N keep-alive connections repeats one flow: GET the
// authorization endpoint with the session cookie (code + PKCE S256), take the code from the
// redirect to the app, and redeem it at the token endpoint with the given client authentication
// (client_secret_basic) and the verifier. A flow counts when the token response is 200 and carries
// an ID token; its latency runs from the first request to the token response. One thread, so the
// driver takes as little of the machine as it can from the server it measures.
//
//   sso_flows --host=127.0.0.1 --port=P --authorize=/authorize --token=/token --client=ID
//             --authorization='Basic ...' --redirect-uri=URI --cookie='name=value; ...'
//             --verifier=V --challenge=C
//             [--connections=32] [--seconds=8]
//
// Prints one JSON object: {"flows", "seconds", "rate", "p50_ms", "p99_ms", "errors",
// "first_error"}. The S256 challenge and the Basic credentials come ready-made, so the driver
// needs no crypto or encoding library.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/params.h"

namespace {

using gh::Params;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string authorize_path;
  std::string token_path;
  std::string client_id;
  std::string authorization;  // the token request's Authorization header
  std::string redirect_uri;
  std::string cookie;
  std::string verifier;
  std::string challenge;
  int connections = 32;
  int seconds = 8;
};

struct Tally {
  std::vector<double> latencies_ms;
  long errors = 0;
  std::string first_error;

  void Fail(std::string why) {
    if (errors++ == 0) first_error = std::move(why);
  }
};

// The `code` parameter of the redirect to the app, if the redirect is one.
std::optional<std::string> CodeFrom(std::string_view location, std::string_view redirect_uri) {
  if (!location.starts_with(redirect_uri)) return std::nullopt;
  auto url = boost::urls::parse_uri_reference(location);
  if (!url) return std::nullopt;
  auto code = url->params().find("code");
  if (code == url->params().end()) return std::nullopt;
  return std::string((*code).value);
}

class Flows {
 public:
  explicit Flows(Options options) : options_(std::move(options)) {
    Params query{{"response_type", "code"},
                 {"scope", "openid"},
                 {"state", "bench"},
                 {"client_id", options_.client_id},
                 {"redirect_uri", options_.redirect_uri},
                 {"code_challenge", options_.challenge},
                 {"code_challenge_method", "S256"}};
    authorize_target_ = options_.authorize_path + "?" + query.Encode();
  }

  Tally Run() {
    asio::io_context io;
    deadline_ = Clock::now() + std::chrono::seconds(options_.seconds);
    for (int i = 0; i < options_.connections; ++i) asio::co_spawn(io, Connection(), asio::detached);
    auto started = Clock::now();
    io.run();
    elapsed_ = std::chrono::duration<double>(Clock::now() - started).count();
    return std::move(tally_);
  }

  double elapsed() const { return elapsed_; }

 private:
  // One connection's flows until the deadline; a connection the server closed is reopened.
  asio::awaitable<void> Connection() {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto endpoints =
        co_await resolver.async_resolve(options_.host, options_.port, asio::use_awaitable);
    while (Clock::now() < deadline_) {
      beast::tcp_stream stream(executor);
      auto [connected, _] = co_await asio::async_connect(stream.socket(), endpoints,
                                                         asio::as_tuple(asio::use_awaitable));
      if (connected) {
        tally_.Fail("connect: " + connected.message());
        co_return;
      }
      beast::flat_buffer buffer;
      while (Clock::now() < deadline_) {
        if (!co_await Flow(stream, buffer)) break;
      }
    }
  }

  // One flow on `stream`; false when the connection can no longer be used.
  asio::awaitable<bool> Flow(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
    auto started = Clock::now();
    http::request<http::empty_body> authorize(http::verb::get, authorize_target_, 11);
    authorize.set(http::field::host, options_.host);
    authorize.set(http::field::cookie, options_.cookie);
    http::response<http::string_body> redirect;
    if (!co_await Exchange(stream, buffer, authorize, redirect)) co_return false;
    auto code = CodeFrom(redirect[http::field::location], options_.redirect_uri);
    if (!code) {
      tally_.Fail("authorize: " + std::to_string(redirect.result_int()) + " " +
                  std::string(redirect[http::field::location]) + redirect.body().substr(0, 200));
      co_return redirect.keep_alive();
    }

    http::request<http::string_body> token(http::verb::post, options_.token_path, 11);
    token.set(http::field::host, options_.host);
    token.set(http::field::authorization, options_.authorization);
    token.set(http::field::content_type, "application/x-www-form-urlencoded");
    token.body() = Params{{"grant_type", "authorization_code"},
                          {"code", *code},
                          {"redirect_uri", options_.redirect_uri},
                          {"code_verifier", options_.verifier}}
                       .Encode();
    token.prepare_payload();
    http::response<http::string_body> tokens;
    if (!co_await Exchange(stream, buffer, token, tokens)) co_return false;
    if (tokens.result() != http::status::ok ||
        tokens.body().find("\"id_token\"") == std::string::npos) {
      tally_.Fail("token: " + std::to_string(tokens.result_int()) + " " +
                  tokens.body().substr(0, 200));
      co_return tokens.keep_alive();
    }
    tally_.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    co_return tokens.keep_alive();
  }

  template <class Body>
  asio::awaitable<bool> Exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                 http::request<Body>& request,
                                 http::response<http::string_body>& response) {
    stream.expires_after(std::chrono::seconds(10));
    auto [error, written] =
        co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
    if (!error) {
      auto [read_error, read] =
          co_await http::async_read(stream, buffer, response, asio::as_tuple(asio::use_awaitable));
      error = read_error;
    }
    if (!error) co_return true;
    if (Clock::now() < deadline_)
      tally_.Fail(std::string(request.target()) + ": " + error.message());
    co_return false;
  }

  Options options_;
  std::string authorize_target_;
  Clock::time_point deadline_;
  Tally tally_;
  double elapsed_ = 0;
};

std::optional<Options> Parse(int argc, char** argv) {
  std::map<std::string, std::string, std::less<>> flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto eq = arg.find('=');
    if (!arg.starts_with("--") || eq == std::string_view::npos) return std::nullopt;
    flags[std::string(arg.substr(2, eq - 2))] = std::string(arg.substr(eq + 1));
  }
  Options options;
  for (auto [name, field] : {std::pair{"host", &options.host},
                             {"port", &options.port},
                             {"authorize", &options.authorize_path},
                             {"token", &options.token_path},
                             {"client", &options.client_id},
                             {"authorization", &options.authorization},
                             {"redirect-uri", &options.redirect_uri},
                             {"cookie", &options.cookie},
                             {"verifier", &options.verifier},
                             {"challenge", &options.challenge}}) {
    if (auto it = flags.find(name); it != flags.end()) *field = it->second;
    if (field->empty()) return std::nullopt;
  }
  if (auto it = flags.find("connections"); it != flags.end())
    options.connections = std::stoi(it->second);
  if (auto it = flags.find("seconds"); it != flags.end()) options.seconds = std::stoi(it->second);
  if (options.connections < 1 || options.seconds < 1) return std::nullopt;
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = Parse(argc, argv);
  if (!options) {
    std::cerr << "usage: sso_flows --port=P --authorize=PATH --token=PATH --client=ID "
                 "--authorization=A "
                 "--redirect-uri=URI --cookie=C --verifier=V --challenge=C [--host=H] "
                 "[--connections=N] [--seconds=S]\n";
    return 2;
  }
  Flows flows(*options);
  Tally tally = flows.Run();
  auto& ms = tally.latencies_ms;
  std::sort(ms.begin(), ms.end());
  auto percentile = [&](double p) {
    return ms.empty() ? 0.0 : ms[static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1))];
  };
  nlohmann::json out{{"flows", ms.size()},
                     {"seconds", flows.elapsed()},
                     {"rate", static_cast<double>(ms.size()) / flows.elapsed()},
                     {"p50_ms", percentile(0.50)},
                     {"p99_ms", percentile(0.99)},
                     {"errors", tally.errors},
                     {"first_error", tally.first_error}};
  std::cout << out.dump() << "\n";
  return 0;
}
