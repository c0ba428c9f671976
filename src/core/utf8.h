// UTF-8 validation (RFC 3629): text that reaches JSON or HTML must be well-formed, and bytes
// from the network need not be.
#pragma once

#include <string_view>

namespace gh {

// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or code points past
// U+10FFFF.
bool IsValidUtf8(std::string_view text);

}  // namespace gh
