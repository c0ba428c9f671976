#include "web/notice.h"

#include "core/html_escape.h"
#include "web/html.h"

namespace gh::web {

http::Response NoticePage(int status, std::string_view title, std::string_view message,
                          const std::optional<NoticeLink>& next) {
  std::string body = "<h1>" + EscapeHtml(title) + "</h1><p>" + EscapeHtml(message) + "</p>";
  if (next)
    body += "<p><a id=\"continue\" href=\"" + EscapeHtml(next->url) + "\">" +
            EscapeHtml(next->text) + "</a></p>";
  auto response = http::Response::Html(status, Page(title, body));
  response.NoStore();
  return response;
}

}  // namespace gh::web
