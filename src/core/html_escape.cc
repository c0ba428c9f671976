#include "core/html_escape.h"

namespace gh {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // Runs without special characters are copied whole: pages carry long base64 values (SAML
  // messages in auto-POST forms) that have none.
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find_first_of("&<>\"'", start);
    out.append(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    switch (text[at]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += "&#39;";
    }
    start = at + 1;
  }
}

}  // namespace gh
