// FuzzInput: turns a fuzzer's bytes into the pieces a target needs — a string, or several
// separated by a marker byte — so one input can drive a parser that takes more than one value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gh::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits at each 0xFF (a byte no valid UTF-8 or base64url text contains) into at most `parts`
// pieces, the last one taking the rest; missing pieces are empty.
inline std::vector<std::string> Split(const std::uint8_t* data, std::size_t size,
                                      std::size_t parts) {
  std::vector<std::string> out(parts);
  std::size_t part = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0xFF && part + 1 < parts) {
      ++part;
      continue;
    }
    out[part].push_back(static_cast<char>(data[i]));
  }
  return out;
}

}  // namespace gh::fuzz
