#include "keys/sealing_key.h"

#include <gtest/gtest.h>

#include <map>

#include "crypto/aead.h"

namespace gh::keys {
namespace {

// ServerSecretStore in memory: the first candidate for a name wins, as in the real stores.
class MemorySecrets final : public store::ServerSecretStore {
 public:
  Result<std::string> ServerSecret(std::string_view name, std::string_view candidate,
                                   TimePoint) override {
    return secrets.try_emplace(std::string(name), candidate).first->second;
  }
  std::map<std::string, std::string, std::less<>> secrets;
};

class SealingKeyTest : public ::testing::Test {
 protected:
  Result<std::string> Load(const crypto::KeySealer* sealer = nullptr) {
    return LoadSealingKey(secrets_, sealer, random_, clock_);
  }

  MemorySecrets secrets_;
  SystemRandom random_;
  FakeClock clock_;
  crypto::KeySealer sealer_ = *crypto::KeySealer::FromKey(std::string(32, 's'));
};

TEST_F(SealingKeyTest, MadeOnceThenTheSameForEveryNodeAndRestart) {
  auto first = Load();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->size(), crypto::kAeadKeyBytes);
  EXPECT_EQ(*Load(), *first);
  EXPECT_FALSE(crypto::KeySealer::IsSealed(secrets_.secrets.at("sealing")));
}

TEST_F(SealingKeyTest, StoredSealedWhenTheOperatorHasAKeyEncryptionKey) {
  auto key = Load(&sealer_);
  ASSERT_TRUE(key.ok()) << key.error().message;
  const auto& stored = secrets_.secrets.at("sealing");
  EXPECT_TRUE(crypto::KeySealer::IsSealed(stored));
  EXPECT_EQ(*crypto::ParseAeadKey(*sealer_.Open(stored, "sealing")), *key);
  EXPECT_EQ(*Load(&sealer_), *key);

  auto without = Load();
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().code, ErrorCode::kFailedPrecondition);
  auto other = *crypto::KeySealer::FromKey(std::string(32, 'o'));
  auto wrong = Load(&other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(SealingKeyTest, AKeyStoredBeforeSealingWasConfiguredStillLoads) {
  auto plain = *Load();
  EXPECT_EQ(*Load(&sealer_), plain);
}

}  // namespace
}  // namespace gh::keys
