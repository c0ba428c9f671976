#include "keys/key_ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "core/base64url.h"
#include "crypto/digest.h"
#include "crypto/jws.h"

namespace gh::keys {
namespace {

using crypto::JwsAlg;
using store::SigningKeyRecord;

constexpr Seconds kPublishAfterRetire{3600};

// KeyStore in memory, in insertion order, as ListKeys() promises (oldest first). Thread-safe, as
// a store shared by several nodes is.
class FakeKeyStore final : public store::KeyStore {
 public:
  Result<void> PutKey(const SigningKeyRecord& key) override {
    std::lock_guard lock(mutex_);
    if (fail_) return Error::Unavailable("store down");
    if (Find(key.kid) != keys_.end()) return Error::AlreadyExists(key.kid);
    keys_.push_back(key);
    return Ok();
  }
  Result<bool> PutFirstKey(const SigningKeyRecord& key, TimePoint now) override {
    std::lock_guard lock(mutex_);
    if (fail_) return Error::Unavailable("store down");
    for (const auto& k : keys_)
      if (k.alg == key.alg && (!k.retired_at || *k.retired_at > now) &&
          (!k.activates_at || *k.activates_at <= now))
        return false;
    keys_.push_back(key);
    return true;
  }
  Result<std::vector<SigningKeyRecord>> ListKeys() override {
    std::lock_guard lock(mutex_);
    if (fail_) return Error::Unavailable("store down");
    return keys_;
  }
  Result<void> UpdateKey(const SigningKeyRecord& key) override {
    std::lock_guard lock(mutex_);
    if (fail_) return Error::Unavailable("store down");
    auto it = Find(key.kid);
    if (it == keys_.end()) return Error::NotFound(key.kid);
    *it = key;
    return Ok();
  }

  const std::vector<SigningKeyRecord>& keys() const { return keys_; }
  const SigningKeyRecord& Get(const std::string& kid) const { return *Find(kid); }
  void set_fail(bool fail) { fail_ = fail; }

 private:
  std::vector<SigningKeyRecord>::iterator Find(const std::string& kid) {
    return std::find_if(keys_.begin(), keys_.end(), [&](const auto& k) { return k.kid == kid; });
  }
  std::vector<SigningKeyRecord>::const_iterator Find(const std::string& kid) const {
    return std::find_if(keys_.begin(), keys_.end(), [&](const auto& k) { return k.kid == kid; });
  }

  std::mutex mutex_;
  std::vector<SigningKeyRecord> keys_;
  bool fail_ = false;
};

std::set<std::string> JwksKids(const KeyRing& ring) {
  std::set<std::string> kids;
  nlohmann::json jwks = nlohmann::json::parse(ring.Jwks());
  for (const auto& jwk : jwks["keys"]) kids.insert(jwk["kid"].get<std::string>());
  return kids;
}

std::string ActiveKid(const KeyRing& ring, JwsAlg alg) { return ring.Active(alg)->kid(); }

// A record for a key made outside the ring, e.g. by an older release or another process.
SigningKeyRecord ExternalRecord(JwsAlg alg, std::string kid, TimePoint created_at) {
  crypto::SigningKey key = crypto::SigningKey::Generate(alg, kid).value();
  SigningKeyRecord record;
  record.kid = std::move(kid);
  record.alg = crypto::ToString(alg);
  record.private_key_pem = key.PrivatePem();
  record.created_at = created_at;
  return record;
}

Result<void> VerifyWith(const KeyRing& ring, const std::string& compact) {
  GH_ASSIGN_OR_RETURN(crypto::DecodedJws jws, crypto::DecodeJws(compact));
  return crypto::VerifyJws(jws, ring.VerificationKeys());
}

class KeyRingTest : public ::testing::Test {
 protected:
  KeyRing MakeRing() { return KeyRing(store_, clock_, kPublishAfterRetire); }

  FakeKeyStore store_;
  FakeClock clock_;
};

TEST_F(KeyRingTest, FirstReloadGeneratesAndPersistsOneKeyPerAlg) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());

  ASSERT_EQ(store_.keys().size(), 2u);
  for (JwsAlg alg : {JwsAlg::kRS256, JwsAlg::kES256}) {
    std::shared_ptr<const crypto::SigningKey> active = ring.Active(alg);
    ASSERT_NE(active, nullptr);
    EXPECT_EQ(active->alg(), alg);
    const SigningKeyRecord& record = store_.Get(active->kid());
    EXPECT_EQ(record.alg, crypto::ToString(alg));
    EXPECT_EQ(record.created_at, clock_.Now());
    EXPECT_FALSE(record.retired_at.has_value());
    EXPECT_FALSE(record.unpublish_at.has_value());
    // The stored PEM is this very key.
    crypto::SigningKey stored =
        crypto::SigningKey::FromPrivatePem(alg, record.kid, record.private_key_pem).value();
    EXPECT_EQ(stored.PublicJwk(), active->PublicJwk());
  }
  EXPECT_EQ(JwksKids(ring),
            (std::set{ActiveKid(ring, JwsAlg::kRS256), ActiveKid(ring, JwsAlg::kES256)}));
}

TEST_F(KeyRingTest, KidIsTheRfc7638Thumbprint) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  // RFC 7638 §3: the required members, in lexicographic order, no white space.
  nlohmann::json rsa = ring.Active(JwsAlg::kRS256)->PublicJwk();
  std::string rsa_canonical = R"({"e":")" + rsa["e"].get<std::string>() + R"(","kty":"RSA","n":")" +
                              rsa["n"].get<std::string>() + R"("})";
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kRS256), crypto::Sha256Base64Url(rsa_canonical));
  nlohmann::json ec = ring.Active(JwsAlg::kES256)->PublicJwk();
  std::string ec_canonical = R"({"crv":"P-256","kty":"EC","x":")" + ec["x"].get<std::string>() +
                             R"(","y":")" + ec["y"].get<std::string>() + R"("})";
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kES256), crypto::Sha256Base64Url(ec_canonical));
}

TEST_F(KeyRingTest, WithASealerPrivateKeysAreStoredEncrypted) {
  auto sealer = *crypto::KeySealer::FromKey(std::string(32, 'k'));
  KeyRing sealed(store_, clock_, kPublishAfterRetire, &sealer);
  ASSERT_TRUE(sealed.Reload().ok());
  for (const auto& record : store_.keys()) {
    EXPECT_TRUE(crypto::KeySealer::IsSealed(record.private_key_pem));
    EXPECT_EQ(record.private_key_pem.find("PRIVATE KEY"), std::string::npos);
  }
  auto kids = JwksKids(sealed);
  KeyRing again(store_, clock_, kPublishAfterRetire, &sealer);
  ASSERT_TRUE(again.Reload().ok());
  EXPECT_EQ(JwksKids(again), kids);

  // Without the key — or with another — the ring refuses rather than minting new keys.
  KeyRing keyless = MakeRing();
  auto refused = keyless.Reload();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("encryption_key"), std::string::npos);
  auto other = *crypto::KeySealer::FromKey(std::string(32, 'o'));
  KeyRing wrong(store_, clock_, kPublishAfterRetire, &other);
  EXPECT_FALSE(wrong.Reload().ok());
  EXPECT_EQ(store_.keys().size(), 2u);
}

TEST_F(KeyRingTest, PlaintextKeysAreSealedInPlaceOnceASealerIsConfigured) {
  KeyRing plain = MakeRing();
  ASSERT_TRUE(plain.Reload().ok());
  auto kids = JwksKids(plain);
  auto sealer = *crypto::KeySealer::FromKey(std::string(32, 'k'));
  KeyRing sealed(store_, clock_, kPublishAfterRetire, &sealer);
  ASSERT_TRUE(sealed.Reload().ok());
  EXPECT_EQ(JwksKids(sealed), kids);
  for (const auto& record : store_.keys())
    EXPECT_TRUE(crypto::KeySealer::IsSealed(record.private_key_pem));
}

TEST_F(KeyRingTest, ASecondRingLoadsTheSameKeysWithoutGenerating) {
  KeyRing first = MakeRing();
  ASSERT_TRUE(first.Reload().ok());
  KeyRing second = MakeRing();
  ASSERT_TRUE(second.Reload().ok());
  EXPECT_EQ(store_.keys().size(), 2u);
  for (JwsAlg alg : {JwsAlg::kRS256, JwsAlg::kES256})
    EXPECT_EQ(ActiveKid(second, alg), ActiveKid(first, alg));
  EXPECT_EQ(second.Jwks(), first.Jwks());
}

// Several nodes starting together on an empty store: each generates, one key per algorithm is
// kept, and every ring signs and publishes that one.
TEST_F(KeyRingTest, RingsStartingTogetherOnAnEmptyStoreAgreeOnOneKeyPerAlg) {
  constexpr int kNodes = 4;
  std::deque<KeyRing> rings;
  for (int i = 0; i < kNodes; ++i) rings.emplace_back(store_, clock_, kPublishAfterRetire);
  std::vector<std::thread> threads;
  for (auto& ring : rings) threads.emplace_back([&ring] { EXPECT_TRUE(ring.Reload().ok()); });
  for (auto& t : threads) t.join();

  EXPECT_EQ(store_.keys().size(), 2u);  // RS256 and ES256
  for (JwsAlg alg : {JwsAlg::kRS256, JwsAlg::kES256})
    for (const auto& ring : rings) EXPECT_EQ(ActiveKid(ring, alg), ActiveKid(rings[0], alg));
  for (const auto& ring : rings) EXPECT_EQ(JwksKids(ring), JwksKids(rings[0]));
}

TEST_F(KeyRingTest, GeneratesOnlyTheMissingAlg) {
  ASSERT_TRUE(store_.PutKey(ExternalRecord(JwsAlg::kES256, "existing-es", clock_.Now())).ok());
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(store_.keys().size(), 2u);
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kES256), "existing-es");
  EXPECT_EQ(ring.Active(JwsAlg::kRS256)->alg(), JwsAlg::kRS256);
}

TEST_F(KeyRingTest, TheNewestUnretiredKeyIsActiveAndOlderOnesStayPublished) {
  // Two servers starting together may each have generated a key; both can have signed tokens.
  TimePoint t0 = clock_.Now();
  ASSERT_TRUE(store_.PutKey(ExternalRecord(JwsAlg::kRS256, "older", t0)).ok());
  ASSERT_TRUE(store_.PutKey(ExternalRecord(JwsAlg::kRS256, "newer", t0 + Seconds(5))).ok());
  ASSERT_TRUE(store_.PutKey(ExternalRecord(JwsAlg::kES256, "es", t0)).ok());
  clock_.Advance(Seconds(10));
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kRS256), "newer");
  EXPECT_EQ(JwksKids(ring), (std::set<std::string>{"older", "newer", "es"}));
  // The JWKS lists the newest keys first.
  EXPECT_EQ(nlohmann::json::parse(ring.Jwks())["keys"][0]["kid"], "newer");
}

TEST_F(KeyRingTest, AKeyRetiringInTheFutureStillSigns) {
  SigningKeyRecord record = ExternalRecord(JwsAlg::kES256, "es", clock_.Now());
  record.retired_at = clock_.Now() + Seconds(60);
  record.unpublish_at = clock_.Now() + Seconds(120);
  ASSERT_TRUE(store_.PutKey(record).ok());
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kES256), "es");

  clock_.Advance(Seconds(60));
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_NE(ActiveKid(ring, JwsAlg::kES256), "es");
  EXPECT_TRUE(JwksKids(ring).contains("es"));
}

TEST_F(KeyRingTest, RotateReplacesActiveKeysAndUnpublishesOldOnesLater) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  std::string old_rs = ActiveKid(ring, JwsAlg::kRS256);
  std::string old_es = ActiveKid(ring, JwsAlg::kES256);

  clock_.Advance(Seconds(100));
  TimePoint rotated_at = clock_.Now();
  ASSERT_TRUE(ring.Rotate().ok());

  std::string new_rs = ActiveKid(ring, JwsAlg::kRS256);
  std::string new_es = ActiveKid(ring, JwsAlg::kES256);
  EXPECT_NE(new_rs, old_rs);
  EXPECT_NE(new_es, old_es);
  EXPECT_EQ(store_.keys().size(), 4u);
  for (const std::string& kid : {old_rs, old_es}) {
    const SigningKeyRecord& record = store_.Get(kid);
    EXPECT_EQ(record.retired_at, rotated_at);
    EXPECT_EQ(record.unpublish_at, rotated_at + kPublishAfterRetire);
  }
  EXPECT_EQ(JwksKids(ring), (std::set{old_rs, old_es, new_rs, new_es}));

  // Still published up to the last second of the window...
  clock_.Advance(kPublishAfterRetire - Seconds(1));
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(JwksKids(ring).size(), 4u);
  // ...and gone after it, without any new key being made.
  clock_.Advance(Seconds(2));
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(JwksKids(ring), (std::set{new_rs, new_es}));
  EXPECT_EQ(store_.keys().size(), 4u);
}

TEST_F(KeyRingTest, RotateAnnouncesTheNextKeysBeforeTheySign) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  std::string old_rs = ActiveKid(ring, JwsAlg::kRS256);
  const Seconds ahead(3600);
  auto switch_at = ring.Rotate(ahead);
  ASSERT_TRUE(switch_at.ok());
  EXPECT_EQ(*switch_at, clock_.Now() + ahead);

  // Published at once (JWKS, and SAML metadata through Announced), but the old key still signs.
  EXPECT_EQ(JwksKids(ring).size(), 4u);
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kRS256), old_rs);
  auto announced = ring.Announced(JwsAlg::kRS256);
  ASSERT_EQ(announced.size(), 2u);
  EXPECT_EQ(announced[0]->kid(), old_rs);
  std::string new_rs = announced[1]->kid();
  EXPECT_NE(new_rs, old_rs);

  clock_.Advance(ahead - Seconds(1));
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kRS256), old_rs);
  clock_.Advance(Seconds(1));
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kRS256), new_rs);
  EXPECT_EQ(ring.Announced(JwsAlg::kRS256).size(), 1u);
  // The old key stays published for tokens it signed, counted from when it stopped signing.
  EXPECT_TRUE(JwksKids(ring).contains(old_rs));
  EXPECT_EQ(store_.Get(old_rs).unpublish_at, *switch_at + kPublishAfterRetire);
  EXPECT_EQ(store_.keys().size(), 4u);
}

TEST_F(KeyRingTest, ASecondRotationWithdrawsAKeyThatNeverSigned) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  std::string old_rs = ActiveKid(ring, JwsAlg::kRS256);
  ASSERT_TRUE(ring.Rotate(Seconds(3600)).ok());
  std::string announced = ring.Announced(JwsAlg::kRS256)[1]->kid();
  ASSERT_TRUE(ring.Rotate(Seconds(0)).ok());
  EXPECT_FALSE(JwksKids(ring).contains(announced));
  EXPECT_NE(ActiveKid(ring, JwsAlg::kRS256), old_rs);
  EXPECT_NE(ActiveKid(ring, JwsAlg::kRS256), announced);
}

TEST_F(KeyRingTest, TokensFromARetiredKeyVerifyOnlyWhileItIsPublished) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  std::string old_token = crypto::SignJwt(*ring.Active(JwsAlg::kES256), {{"sub", "u1"}}).value();
  ASSERT_TRUE(ring.Rotate().ok());
  EXPECT_TRUE(VerifyWith(ring, old_token).ok());

  clock_.Advance(kPublishAfterRetire + Seconds(1));
  ASSERT_TRUE(ring.Reload().ok());
  Result<void> verified = VerifyWith(ring, old_token);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(KeyRingTest, ARotationByAnotherProcessReachesThisRingOnReload) {
  KeyRing server = MakeRing();
  ASSERT_TRUE(server.Reload().ok());
  KeyRing cli = MakeRing();  // `keys rotate` runs without loading first
  ASSERT_TRUE(cli.Rotate().ok());
  EXPECT_EQ(store_.keys().size(), 4u);
  ASSERT_TRUE(server.Reload().ok());
  for (JwsAlg alg : {JwsAlg::kRS256, JwsAlg::kES256})
    EXPECT_EQ(ActiveKid(server, alg), ActiveKid(cli, alg));
}

TEST_F(KeyRingTest, VerificationKeysVerifyTokensSignedByTheActiveKeys) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  for (JwsAlg alg : {JwsAlg::kRS256, JwsAlg::kES256}) {
    std::string token = crypto::SignJwt(*ring.Active(alg), {{"sub", "u1"}}).value();
    Result<void> verified = VerifyWith(ring, token);
    EXPECT_TRUE(verified.ok()) << crypto::ToString(alg) << ": " << verified.error().message;
  }
}

TEST_F(KeyRingTest, JwksHoldsOnlyPublicMembers) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  nlohmann::json jwks = nlohmann::json::parse(ring.Jwks());
  for (const auto& jwk : jwks["keys"]) {
    for (const char* secret : {"d", "p", "q", "dp", "dq", "qi"})
      EXPECT_FALSE(jwk.contains(secret)) << jwk.dump();
    EXPECT_EQ(jwk["use"], "sig");
  }
}

TEST_F(KeyRingTest, StoreFailureIsReportedAndKeepsThePreviousKeys) {
  KeyRing ring = MakeRing();
  ASSERT_TRUE(ring.Reload().ok());
  std::string active = ActiveKid(ring, JwsAlg::kES256);
  store_.set_fail(true);
  Result<void> reloaded = ring.Reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(ring.Rotate().ok());
  EXPECT_EQ(ActiveKid(ring, JwsAlg::kES256), active);
}

TEST_F(KeyRingTest, ACorruptStoredKeyFailsReload) {
  SigningKeyRecord record = ExternalRecord(JwsAlg::kES256, "broken", clock_.Now());
  record.private_key_pem = "garbage";
  ASSERT_TRUE(store_.PutKey(record).ok());
  Result<void> reloaded = MakeRing().Reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().message.find("broken"), std::string::npos);
}

}  // namespace
}  // namespace gh::keys
