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
  // Runs the matching handler; 404 for an unknown path, 405 (with Allow) for a known path and a
  // method it does not take. HEAD is served by the GET handler without a body.
  Response Dispatch(const Request& request) const;

 private:
  std::map<std::string, std::map<std::string, Handler>> routes_;  // path → method → handler
};

}  // namespace gh::http
