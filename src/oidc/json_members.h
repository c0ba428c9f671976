// Typed members of the JSON objects Gatehouse reads (token claims, a sealed token's contents):
// a member that is missing and one of another type are both absent, never an exception.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "core/clock.h"

namespace gh::oidc {

std::optional<std::string> StringMember(const nlohmann::json& object, const char* name);

// Whole seconds since the epoch (an RFC 7519 §2 NumericDate without a fraction).
std::optional<TimePoint> TimeMember(const nlohmann::json& object, const char* name);

}  // namespace gh::oidc
