// HttpClient: outbound HTTP (back-channel logout, federation), behind an interface so tests can
// script replies and inject faults.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace gh::http {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;  // http:// or https://
  Headers headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{5000};
};

struct OutboundResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

class HttpClient {
 public:
  using Callback = std::function<void(Result<OutboundResponse>)>;
  virtual ~HttpClient() = default;
  // Sends asynchronously; `done` runs exactly once, on an I/O thread, with the response or an
  // kUnavailable error (connect failure, timeout, reset).
  virtual void Send(OutboundRequest request, Callback done) = 0;
};

}  // namespace gh::http
