// Lists of whitespace-free words (attribute names, grant types, amr values) kept as one
// space-separated string, as a database column or a line of output holds them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gh {

std::string JoinWords(const std::vector<std::string>& words);

// Empty words (repeated spaces) are dropped.
std::vector<std::string> SplitWords(std::string_view text);

}  // namespace gh
