// SendAndWait: a blocking call over the asynchronous HttpClient, for relying-party handlers that
// need the OP's answer (discovery, JWKS, the token endpoint) before they can respond.
#pragma once

#include "core/result.h"
#include "http/client.h"

namespace gh::rp {

// Sends `request` and waits for the reply, at most request.total_timeout plus a short grace (the
// client enforces the timeout itself; the grace only guards against a client that never calls
// back). kUnavailable on timeout or transport failure.
// REQUIRES: not called on an I/O thread of `client` (it would wait for itself). Server handlers
// run on the worker pool, which is why this is safe there.
Result<http::OutboundResponse> SendAndWait(http::HttpClient& client, http::OutboundRequest request);

}  // namespace gh::rp
