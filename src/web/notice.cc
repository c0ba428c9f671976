#include "web/notice.h"

#include "web/html.h"

namespace gh::web {

http::Response NoticePage(int status, std::string_view title, std::string_view message) {
  auto response = http::Response::Html(status, ErrorPage(title, message));
  response.NoStore();
  return response;
}

}  // namespace gh::web
