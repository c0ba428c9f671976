#include "rp/provider_metadata.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "crypto/jws.h"
#include "oidc/discovery.h"
#include "rp/blocking_http.h"

namespace gh::rp {
namespace {

Result<nlohmann::json> FetchJson(http::HttpClient& http, const std::string& url,
                                 std::chrono::milliseconds timeout) {
  http::OutboundRequest request;
  request.method = "GET";
  request.url = url;
  request.headers.Set("Accept", "application/json");
  request.connect_timeout = std::min(request.connect_timeout, timeout);
  request.total_timeout = timeout;
  GH_ASSIGN_OR_RETURN(http::OutboundResponse response, SendAndWait(http, std::move(request)));
  if (response.status != 200)
    return Error::Unavailable(url + " answered HTTP " + std::to_string(response.status));
  auto json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Error::InvalidArgument(url + " did not return a JSON object");
  return json;
}

Result<std::string> RequiredString(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return Error::InvalidArgument(std::string("discovery lacks ") + name);
  return it->get<std::string>();
}

std::optional<std::string> OptionalString(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<ProviderEndpoints> ParseDiscovery(const nlohmann::json& doc, const std::string& issuer) {
  ProviderEndpoints out;
  GH_ASSIGN_OR_RETURN(out.issuer, RequiredString(doc, "issuer"));
  if (out.issuer != issuer)
    return Error::InvalidArgument("discovery names issuer " + out.issuer + ", expected " + issuer);
  GH_ASSIGN_OR_RETURN(out.authorization_endpoint, RequiredString(doc, "authorization_endpoint"));
  GH_ASSIGN_OR_RETURN(out.token_endpoint, RequiredString(doc, "token_endpoint"));
  GH_ASSIGN_OR_RETURN(out.jwks_uri, RequiredString(doc, "jwks_uri"));
  out.end_session_endpoint = OptionalString(doc, "end_session_endpoint");
  out.check_session_iframe = OptionalString(doc, "check_session_iframe");
  out.authorization_response_iss_parameter_supported =
      doc.value("authorization_response_iss_parameter_supported", false);
  return out;
}

// RFC 7517 §5: the keys we can verify with. Encryption keys and key types we do not support are
// skipped rather than failing the whole set, since an OP may publish them alongside.
std::vector<crypto::VerificationKey> ParseJwks(const nlohmann::json& jwks) {
  std::vector<crypto::VerificationKey> out;
  auto keys = jwks.find("keys");
  if (keys == jwks.end() || !keys->is_array()) return out;
  for (const auto& jwk : *keys) {
    if (!jwk.is_object() || jwk.value("use", "sig") != "sig") continue;
    if (auto key = crypto::VerificationKey::FromJwk(jwk); key.ok()) out.push_back(*std::move(key));
  }
  return out;
}

// Whether some key could be the one the header names; if not, the OP has probably rotated.
bool HasCandidate(const std::vector<crypto::VerificationKey>& keys, const nlohmann::json& header) {
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string()) return !keys.empty();
  return std::any_of(keys.begin(), keys.end(), [&](const auto& key) {
    return key.kid() == kid->get_ref<const std::string&>();
  });
}

}  // namespace

ProviderMetadata::ProviderMetadata(std::string issuer, http::HttpClient& http, const Clock& clock,
                                   ProviderMetadataOptions options)
    : issuer_(std::move(issuer)), http_(http), clock_(clock), options_(options) {}

Result<ProviderEndpoints> ProviderMetadata::Endpoints() {
  {
    std::lock_guard lock(mutex_);
    if (endpoints_) return *endpoints_;
  }
  std::lock_guard fetch(fetch_mutex_);
  return EndpointsLocked();
}

Result<ProviderEndpoints> ProviderMetadata::EndpointsLocked() {
  {
    std::lock_guard lock(mutex_);
    if (endpoints_) return *endpoints_;  // fetched while we waited for fetch_mutex_
  }
  // Discovery §4: the issuer with any trailing slash removed, then the well-known path.
  std::string base = issuer_;
  if (!base.empty() && base.back() == '/') base.pop_back();
  GH_ASSIGN_OR_RETURN(nlohmann::json doc, FetchJson(http_, base + std::string(oidc::kDiscoveryPath),
                                                    options_.http_timeout));
  GH_ASSIGN_OR_RETURN(ProviderEndpoints endpoints, ParseDiscovery(doc, issuer_));
  std::lock_guard lock(mutex_);
  endpoints_ = endpoints;
  return endpoints;
}

Result<void> ProviderMetadata::VerifySignature(const crypto::DecodedJws& jws) {
  GH_ASSIGN_OR_RETURN(KeySet keys, CurrentKeys());
  if (!HasCandidate(*keys, jws.header)) {
    GH_ASSIGN_OR_RETURN(keys, RefreshKeys(keys));
  }
  return crypto::VerifyJws(jws, *keys);
}

Result<ProviderMetadata::KeySet> ProviderMetadata::CurrentKeys() {
  {
    std::lock_guard lock(mutex_);
    if (keys_) return keys_;
  }
  std::lock_guard fetch(fetch_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (keys_) return keys_;
  }
  return FetchKeys();
}

Result<ProviderMetadata::KeySet> ProviderMetadata::RefreshKeys(const KeySet& stale) {
  std::lock_guard fetch(fetch_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (keys_ != stale) return keys_;  // another request refreshed while we waited
    if (last_keys_fetch_ && clock_.Now() - *last_keys_fetch_ < options_.jwks_min_refresh_interval)
      return keys_;
  }
  return FetchKeys();
}

Result<ProviderMetadata::KeySet> ProviderMetadata::FetchKeys() {
  {
    std::lock_guard lock(mutex_);
    last_keys_fetch_ = clock_.Now();  // failed attempts count too, or an outage means a storm
  }
  GH_ASSIGN_OR_RETURN(ProviderEndpoints endpoints, EndpointsLocked());
  GH_ASSIGN_OR_RETURN(nlohmann::json jwks,
                      FetchJson(http_, endpoints.jwks_uri, options_.http_timeout));
  auto keys = std::make_shared<const std::vector<crypto::VerificationKey>>(ParseJwks(jwks));
  if (keys->empty()) return Error::Unavailable("the JWKS holds no usable signing key");
  std::lock_guard lock(mutex_);
  keys_ = keys;
  return keys;
}

}  // namespace gh::rp
