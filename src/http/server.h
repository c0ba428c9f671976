// Server: the HTTP/1.1 (optionally TLS) listener. Beast and Asio stay inside server.cc.
//
// Each connection is a coroutine on the I/O threads: it reads a request within the size and time
// limits, hands it to the Router on the worker pool (handlers may block), writes the response,
// and keeps the connection alive while the client asks. Stop() finishes in-flight requests and
// closes idle connections (graceful shutdown on SIGTERM is wired by the caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "http/router.h"
#include "http/trusted_proxies.h"

namespace gh::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks an ephemeral port; see Server::port()
  std::size_t io_threads = 1;
  std::size_t worker_threads = 4;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  int read_timeout_seconds = 30;  // per request, headers and body
  int write_timeout_seconds = 30;
  int idle_timeout_seconds = 60;  // keep-alive wait for the next request
  // Connections served at once. Past it the listener stops accepting (new clients wait in the
  // kernel's backlog) until one closes, so open connections keep being served.
  std::size_t max_connections = 1000;
  // File descriptors the rest of the process needs (database, outbound HTTP, logs). The limit
  // above is lowered, when needed, so that connections leave these free under RLIMIT_NOFILE:
  // running out of descriptors would fail the store and deliveries, not just new clients.
  std::size_t reserved_descriptors = 64;
  std::optional<std::string> tls_certificate_file;  // PEM; TLS is on when both are set
  std::optional<std::string> tls_private_key_file;
  // Proxies whose X-Forwarded-For names the client (Request::remote_address); none by default.
  TrustedProxies trusted_proxies;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. After success, port() is the bound port.
  Result<void> Listen();
  std::uint16_t port() const;
  // Serves until Stop() (or SIGINT/SIGTERM when `handle_signals`); returns when all work is done.
  void Run(bool handle_signals = false);
  // Thread-safe; may be called from any thread or a signal handler path.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gh::http
