// Router: maps method + exact path to a Handler. Answers 404/405 itself.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "http/handler.h"

namespace gh::http {

class Router {
 public:
  // Registers `handler` for `method` ("GET", "POST", ...) on the exact `path`.
  void Add(std::string method, std::string path, Handler handler);
  // The same for a handler that never blocks — no store, no network, no lock held for long, only
  // prepared bytes: the server runs it on the I/O thread that read the request, sparing the hop
  // to a worker thread and back.
  void AddInline(std::string method, std::string path, Handler handler);
  // Whether `request` goes to an inline handler (HEAD to an inline GET).
  bool IsInline(const Request& request) const;
  // Runs the matching handler; 404 for an unknown path, 405 (with Allow) for a known path and a
  // method it does not take. HEAD is served by the GET handler without a body.
  Response Dispatch(const Request& request) const;

 private:
  struct Route {
    Handler handler;
    bool inline_ = false;
  };
  const Route* Find(const Request& request) const;

  std::map<std::string, std::map<std::string, Route>> routes_;  // path → method → route
};

}  // namespace gh::http
