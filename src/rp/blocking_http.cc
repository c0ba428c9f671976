#include "rp/blocking_http.h"

#include <chrono>
#include <future>
#include <memory>

namespace gh::rp {

Result<http::OutboundResponse> SendAndWait(http::HttpClient& client,
                                           http::OutboundRequest request) {
  // Shared with the callback, which may run after we gave up waiting.
  auto promise = std::make_shared<std::promise<Result<http::OutboundResponse>>>();
  auto reply = promise->get_future();
  const auto wait = request.total_timeout + std::chrono::seconds(1);
  client.Send(std::move(request), [promise](Result<http::OutboundResponse> response) {
    promise->set_value(std::move(response));
  });
  if (reply.wait_for(wait) != std::future_status::ready)
    return Error::Unavailable("the HTTP client did not answer in time");
  return reply.get();
}

}  // namespace gh::rp
