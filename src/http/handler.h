// Handler: what an endpoint is. Runs on the worker pool, so it may block on the store or hash a
// password; it must not touch the network.
#pragma once

#include <functional>

#include "http/message.h"

namespace gh::http {

using Handler = std::function<Response(const Request&)>;

}  // namespace gh::http
