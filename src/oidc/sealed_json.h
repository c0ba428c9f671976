// Self-contained secrets Gatehouse hands out and takes back (authorization codes, clients' own
// opaque access tokens): a JSON object sealed with AES-256-GCM under the deployment's sealing key
// (keys/sealing_key.h), as base64url — an RFC 6750 b64token that no URL or form needs to escape.
// `purpose` is bound in, so that one kind can never pass for another.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace gh::oidc {

std::string SealJson(std::string_view key, std::string_view purpose, const nlohmann::json& object);

// The object, or null unless `sealed` was sealed under `key` for `purpose`.
std::optional<nlohmann::json> OpenSealedJson(std::string_view key, std::string_view purpose,
                                             std::string_view sealed);

}  // namespace gh::oidc
