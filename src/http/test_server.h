// RunningServer: a Server on an ephemeral loopback port, served on a background thread for the
// lifetime of a test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <utility>

#include "http/server.h"

namespace gh::http {

class RunningServer {
 public:
  RunningServer(ServerOptions options, const Router& router)
      : server_(WithEphemeralPort(std::move(options)), router) {
    auto listening = server_.Listen();
    EXPECT_TRUE(listening.ok()) << (listening.ok() ? "" : listening.error().message);
    thread_ = std::thread([this] { server_.Run(); });
  }
  ~RunningServer() {
    server_.Stop();
    if (thread_.joinable()) thread_.join();
  }

  Server& server() { return server_; }
  std::uint16_t port() const { return server_.port(); }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }
  // Joins the serving thread early, e.g. to time how long Run() takes to return after Stop().
  void Join() { thread_.join(); }

 private:
  static ServerOptions WithEphemeralPort(ServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }

  Server server_;
  std::thread thread_;
};

}  // namespace gh::http
