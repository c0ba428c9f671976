// BeastHttpClient: the production HttpClient, on its own I/O threads. Beast stays in the .cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "http/client.h"

namespace gh::http {

struct BeastHttpClientOptions {
  std::size_t io_threads = 1;
  // Idle keep-alive connections kept per scheme://host:port, so a fan-out to the same receivers
  // does not pay a TCP (and TLS) handshake per message.
  std::size_t max_idle_per_origin = 8;
  std::chrono::seconds max_idle_age{30};
  std::size_t max_response_bytes = 1024 * 1024;
};

class BeastHttpClient final : public HttpClient {
 public:
  explicit BeastHttpClient(BeastHttpClientOptions options = {});
  // Aborts what is in flight (each `done` gets kUnavailable) and joins the I/O threads.
  ~BeastHttpClient() override;
  BeastHttpClient(const BeastHttpClient&) = delete;
  BeastHttpClient& operator=(const BeastHttpClient&) = delete;

  void Send(OutboundRequest request, Callback done) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gh::http
