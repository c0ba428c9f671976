// HTML escaping shared by every server-rendered page: the IdP's, the RP library's and the apps'.
#pragma once

#include <string>
#include <string_view>

namespace gh {

// Escapes & < > " ' so text is safe in element content and in quoted attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace gh
