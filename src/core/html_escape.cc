#include "core/html_escape.h"

#include <algorithm>

namespace gh {
namespace {

bool NeedsEscaping(char c) { return c == '&' || c == '<' || c == '>' || c == '"' || c == '\''; }

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // Runs without special characters are copied whole: pages carry long base64 values (SAML
  // messages in auto-POST forms) that have none.
  std::size_t start = 0;
  while (true) {
    // Not find_first_of: libstdc++ runs it as one memchr over the set per character.
    auto found = std::find_if(text.begin() + start, text.end(), NeedsEscaping);
    std::size_t at =
        found == text.end() ? std::string_view::npos : std::size_t(found - text.begin());
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
