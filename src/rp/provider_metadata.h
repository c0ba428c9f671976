// ProviderMetadata: what a relying party knows about its OpenID Provider — the endpoints of the
// discovery document and the signing keys of its JWKS — fetched over HttpClient and cached.
//
//   rp::ProviderMetadata provider("https://id.example", http_client, clock);
//   auto endpoints = provider.Endpoints();          // fetched once, then cached
//   auto verified = provider.VerifySignature(jws);  // refetches the JWKS on an unknown kid
//
// Thread-safe. The methods that may fetch block on the network, so they must not run on an I/O
// thread of the HttpClient (see SendAndWait).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "http/client.h"

namespace gh::crypto {
struct DecodedJws;
}

namespace gh::rp {

// The parts of the discovery document (OpenID Connect Discovery 1.0 §3) the RP acts on.
struct ProviderEndpoints {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::optional<std::string> end_session_endpoint;  // RP-Initiated Logout 1.0 §2.1
  std::optional<std::string> check_session_iframe;  // Session Management 1.0 §3.3
  // RFC 9207 §3: when true, every authorization response must carry `iss`.
  bool authorization_response_iss_parameter_supported = false;
};

struct ProviderMetadataOptions {
  std::chrono::milliseconds http_timeout{5000};
  // A token whose kid we do not know makes us refetch the JWKS (the OP rotated its keys), but
  // no more often than this, so a stream of forged kids cannot turn us against the OP.
  Seconds jwks_min_refresh_interval{30};
};

class ProviderMetadata {
 public:
  // `issuer` is the configured Issuer Identifier; discovery must state exactly this value.
  ProviderMetadata(std::string issuer, http::HttpClient& http, const Clock& clock,
                   ProviderMetadataOptions options = {});

  const std::string& issuer() const { return issuer_; }

  // The discovery document at issuer + /.well-known/openid-configuration, fetched on first use
  // and cached. kUnavailable when it cannot be fetched; kInvalidArgument when it is malformed or
  // names another issuer (Discovery §4.3: the issuer MUST be identical, or an attacker's
  // metadata could stand in for the OP's).
  Result<ProviderEndpoints> Endpoints();

  // Verifies the signature of `jws` with the OP's keys (the caller checks `alg` first). When no
  // cached key has the header's kid, the JWKS is refetched (rate-limited) before giving up.
  // kUnauthenticated when no key fits or the signature is wrong.
  Result<void> VerifySignature(const crypto::DecodedJws& jws);

 private:
  using KeySet = std::shared_ptr<const std::vector<crypto::VerificationKey>>;

  Result<ProviderEndpoints> EndpointsLocked();  // REQUIRES: fetch_mutex_ held
  Result<KeySet> CurrentKeys();
  // Refetches unless `stale` has been replaced meanwhile or the last fetch was too recent.
  Result<KeySet> RefreshKeys(const KeySet& stale);
  Result<KeySet> FetchKeys();  // REQUIRES: fetch_mutex_ held

  const std::string issuer_;
  http::HttpClient& http_;
  const Clock& clock_;
  const ProviderMetadataOptions options_;

  std::mutex fetch_mutex_;  // one fetch at a time; held across the network call
  std::mutex mutex_;        // guards the members below; never held across the network
  std::optional<ProviderEndpoints> endpoints_;
  KeySet keys_;
  std::optional<TimePoint> last_keys_fetch_;
};

}  // namespace gh::rp
