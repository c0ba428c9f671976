#include "oidc/json_members.h"

#include <nlohmann/json.hpp>

namespace gh::oidc {

std::optional<std::string> StringMember(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<TimePoint> TimeMember(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return FromUnixSeconds(it->get<std::int64_t>());
}

}  // namespace gh::oidc
