#include "keys/key_ring.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/base64url.h"
#include "crypto/digest.h"

namespace gh::keys {
namespace {

using crypto::JwsAlg;
using store::SigningKeyRecord;

constexpr std::array kAlgs = {JwsAlg::kRS256, JwsAlg::kES256};

bool IsRetired(const SigningKeyRecord& record, TimePoint now) {
  return record.retired_at.has_value() && *record.retired_at <= now;
}

// Signing now: not retired, and past its activation when a rotation announced it ahead.
bool IsSigning(const SigningKeyRecord& record, TimePoint now) {
  return !IsRetired(record, now) && (!record.activates_at || *record.activates_at <= now);
}

// A retired key stays published until its unpublish time so that tokens it signed still verify.
bool IsPublished(const SigningKeyRecord& record, TimePoint now) {
  return !IsRetired(record, now) || (record.unpublish_at.has_value() && *record.unpublish_at > now);
}

// RFC 7638: SHA-256 over the required members only, in lexicographic order without white space,
// which is how nlohmann::json (ordered keys) dumps by default.
std::string JwkThumbprint(const nlohmann::json& jwk) {
  nlohmann::json required;
  for (const char* name : {"crv", "e", "kty", "n", "x", "y"}) {
    if (auto it = jwk.find(name); it != jwk.end()) required[name] = *it;
  }
  return Base64UrlEncode(crypto::Sha256(required.dump()));
}

// Generates a key for `alg`, named by its thumbprint, and persists it (sealed, with a sealer).
// A new key of `alg`, not stored yet.
Result<SigningKeyRecord> NewKey(JwsAlg alg, TimePoint now, const crypto::KeySealer* sealer,
                                std::optional<TimePoint> activates_at = std::nullopt) {
  // The kid depends on the key, so the key is generated unnamed and named through its PEM.
  GH_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::SigningKey::Generate(alg, ""));
  SigningKeyRecord record;
  record.kid = JwkThumbprint(key.PublicJwk());
  record.alg = crypto::ToString(alg);
  record.private_key_pem = sealer ? sealer->Seal(key.PrivatePem(), record.kid) : key.PrivatePem();
  record.created_at = now;
  record.activates_at = activates_at;
  return record;
}

Error KeyError(const SigningKeyRecord& record, const Error& error) {
  return Error::Internal("signing key " + record.kid + ": " + error.message);
}

}  // namespace

struct KeyRing::Snapshot {
  std::map<JwsAlg, std::shared_ptr<const crypto::SigningKey>> active;
  // Per algorithm: the active key, then the keys announced to succeed it.
  std::map<JwsAlg, std::vector<std::shared_ptr<const crypto::SigningKey>>> announced;
  nlohmann::json jwks = {{"keys", nlohmann::json::array()}};
  // `jwks` serialized once per reload: every GET /jwks serves these bytes.
  std::string jwks_text = R"({"keys":[]})";
  std::vector<crypto::VerificationKey> verification_keys;
};

KeyRing::KeyRing(store::KeyStore& store, Clock& clock, Seconds publish_after_retire,
                 const crypto::KeySealer* sealer)
    : store_(store), clock_(clock), publish_after_retire_(publish_after_retire), sealer_(sealer) {}

Result<std::string> KeyRing::PrivatePem(const SigningKeyRecord& record) const {
  if (!crypto::KeySealer::IsSealed(record.private_key_pem)) return record.private_key_pem;
  if (!sealer_)
    return Error::FailedPrecondition(
        "signing keys are encrypted: set keys.encryption_key_file or keys.encryption_key");
  auto pem = sealer_->Open(record.private_key_pem, record.kid);
  if (!pem.ok())
    return Error::FailedPrecondition("signing key " + record.kid +
                                     " does not decrypt with the configured encryption key");
  return pem;
}

Result<void> KeyRing::Reload() {
  std::lock_guard update(update_mutex_);
  return ReloadLocked();
}

Result<void> KeyRing::ReloadLocked() {
  GH_ASSIGN_OR_RETURN(std::vector<SigningKeyRecord> records, store_.ListKeys());
  TimePoint now = clock_.Now();

  if (sealer_) {
    for (SigningKeyRecord& record : records) {
      if (crypto::KeySealer::IsSealed(record.private_key_pem)) continue;
      record.private_key_pem = sealer_->Seal(record.private_key_pem, record.kid);
      GH_RETURN_IF_ERROR(store_.UpdateKey(record));
    }
  }

  bool lost_a_race = false;
  for (JwsAlg alg : kAlgs) {
    bool has_active = std::any_of(records.begin(), records.end(), [&](const auto& record) {
      return record.alg == crypto::ToString(alg) && IsSigning(record, now);
    });
    if (has_active) continue;
    GH_ASSIGN_OR_RETURN(SigningKeyRecord created, NewKey(alg, now, sealer_));
    GH_ASSIGN_OR_RETURN(bool stored, store_.PutFirstKey(created, now));
    if (stored) records.push_back(std::move(created));
    lost_a_race |= !stored;
  }
  // Another node stored a key first (several starting together on an empty store): use its.
  if (lost_a_race) {
    GH_ASSIGN_OR_RETURN(records, store_.ListKeys());
  }

  // Newest first: the first unretired key of an algorithm is the active one, and the JWKS lists
  // current keys ahead of retiring ones. Among equal creation times the later-stored key wins.
  std::reverse(records.begin(), records.end());
  std::stable_sort(records.begin(), records.end(),
                   [](const auto& a, const auto& b) { return a.created_at > b.created_at; });

  auto snapshot = std::make_shared<Snapshot>();
  for (const SigningKeyRecord& record : records) {
    if (!IsPublished(record, now)) continue;
    Result<JwsAlg> alg = crypto::ParseJwsAlg(record.alg);
    if (!alg.ok()) return KeyError(record, alg.error());
    GH_ASSIGN_OR_RETURN(std::string pem, PrivatePem(record));
    Result<crypto::SigningKey> key = crypto::SigningKey::FromPrivatePem(*alg, record.kid, pem);
    if (!key.ok()) return KeyError(record, key.error());
    nlohmann::json jwk = key->PublicJwk();
    Result<crypto::VerificationKey> verification_key = crypto::VerificationKey::FromJwk(jwk);
    if (!verification_key.ok()) return KeyError(record, verification_key.error());

    snapshot->jwks["keys"].push_back(std::move(jwk));
    snapshot->verification_keys.push_back(*std::move(verification_key));
    if (IsRetired(record, now)) continue;
    auto shared = std::make_shared<const crypto::SigningKey>(*std::move(key));
    if (IsSigning(record, now)) snapshot->active.try_emplace(*alg, shared);
    snapshot->announced[*alg].push_back(std::move(shared));
  }
  for (auto& [alg, keys] : snapshot->announced) {
    // Active first: listed newest first, an announced key comes ahead of the one that signs.
    auto active = snapshot->active.find(alg);
    if (active == snapshot->active.end()) continue;
    std::stable_partition(keys.begin(), keys.end(),
                          [&](const auto& key) { return key == active->second; });
  }

  snapshot->jwks_text = snapshot->jwks.dump();
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snapshot);
  return Ok();
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::shared_ptr<const crypto::SigningKey> KeyRing::Active(JwsAlg alg) const {
  std::shared_ptr<const Snapshot> current = snapshot();
  assert(current != nullptr && "KeyRing::Active() before a successful Reload()");
  return current->active.at(alg);
}

std::string KeyRing::Jwks() const {
  std::shared_ptr<const Snapshot> current = snapshot();
  return current ? current->jwks_text : Snapshot().jwks_text;
}

std::vector<std::shared_ptr<const crypto::SigningKey>> KeyRing::Announced(JwsAlg alg) const {
  std::shared_ptr<const Snapshot> current = snapshot();
  assert(current != nullptr && "KeyRing::Announced() before a successful Reload()");
  auto it = current->announced.find(alg);
  return it == current->announced.end() ? std::vector<std::shared_ptr<const crypto::SigningKey>>()
                                        : it->second;
}

std::vector<crypto::VerificationKey> KeyRing::VerificationKeys() const {
  std::shared_ptr<const Snapshot> current = snapshot();
  return current ? current->verification_keys : std::vector<crypto::VerificationKey>();
}

Result<TimePoint> KeyRing::Rotate(Seconds announce_ahead) {
  std::lock_guard update(update_mutex_);
  GH_ASSIGN_OR_RETURN(std::vector<SigningKeyRecord> records, store_.ListKeys());
  TimePoint now = clock_.Now();
  TimePoint switch_at = now + announce_ahead;
  // New keys are stored before the old ones retire, so another process reloading in between
  // never sees an algorithm without an active key and generates one of its own. The old keys
  // sign until the new ones take over, at the same instant.
  std::optional<TimePoint> activates_at;
  if (announce_ahead > Seconds(0)) activates_at = switch_at;
  for (JwsAlg alg : kAlgs) {
    GH_ASSIGN_OR_RETURN(SigningKeyRecord created, NewKey(alg, now, sealer_, activates_at));
    GH_RETURN_IF_ERROR(store_.PutKey(created));
  }
  for (SigningKeyRecord& record : records) {
    if (IsRetired(record, now)) continue;
    // A key announced by an earlier rotation that has not started signing is superseded now.
    bool never_signed = record.activates_at && *record.activates_at > now;
    record.retired_at = never_signed ? now : switch_at;
    record.unpublish_at = *record.retired_at + (never_signed ? Seconds(0) : publish_after_retire_);
    GH_RETURN_IF_ERROR(store_.UpdateKey(record));
  }
  GH_RETURN_IF_ERROR(ReloadLocked());
  return switch_at;
}

}  // namespace gh::keys
