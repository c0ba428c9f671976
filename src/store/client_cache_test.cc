#include "store/client_cache.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::store {
namespace {

// The real store, with every FindClient counted and the next one made to fail on request.
class CountingClients final : public ClientStore {
 public:
  explicit CountingClients(ClientStore& inner) : inner_(inner) {}
  Result<void> PutClient(const ClientRecord& client) override { return inner_.PutClient(client); }
  Result<std::optional<ClientRecord>> FindClient(std::string_view id) override {
    ++lookups;
    if (fail_next) {
      fail_next = false;
      return Error::Unavailable("store down");
    }
    return inner_.FindClient(id);
  }
  Result<std::vector<ClientRecord>> ListClients() override { return inner_.ListClients(); }
  Result<bool> RemoveClient(std::string_view id) override { return inner_.RemoveClient(id); }

  int lookups = 0;
  bool fail_next = false;

 private:
  ClientStore& inner_;
};

class ClientCacheTest : public ::testing::Test {
 protected:
  ClientCacheTest() {
    ClientRecord app;
    app.id = "app";
    app.name = "App";
    app.backchannel_logout_uri = "https://app.example/logout";
    app.created_at = clock_.Now();
    EXPECT_TRUE(store_->PutClient(app).ok());
  }

  gh::testing::TempDir dir_;
  std::unique_ptr<Store> store_ = std::move(OpenSqliteStore(dir_.File("cache.db"))).value();
  FakeClock clock_;
  CountingClients counting_{*store_};
  ClientCache cache_{counting_, clock_, Seconds(2)};
};

TEST_F(ClientCacheTest, ServesRepeatedLookupsFromMemoryUntilTheTtlRunsOut) {
  ASSERT_EQ((*cache_.Find("app"))->backchannel_logout_uri, "https://app.example/logout");
  ASSERT_TRUE(store_->RemoveClient("app").ok());
  clock_.Advance(Seconds(1));
  EXPECT_NE(*cache_.Find("app"), nullptr);
  EXPECT_EQ(counting_.lookups, 1);

  clock_.Advance(Seconds(1));
  EXPECT_EQ(*cache_.Find("app"), nullptr);  // the removal is seen once the entry is too old
  EXPECT_EQ(counting_.lookups, 2);
}

TEST_F(ClientCacheTest, RemembersThatAClientDoesNotExist) {
  EXPECT_EQ(*cache_.Find("ghost"), nullptr);
  EXPECT_EQ(*cache_.Find("ghost"), nullptr);
  EXPECT_EQ(counting_.lookups, 1);
}

TEST_F(ClientCacheTest, DoesNotCacheStoreErrors) {
  counting_.fail_next = true;
  auto failed = cache_.Find("app");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(*cache_.Find("app"), nullptr);
  EXPECT_EQ(counting_.lookups, 2);
}

TEST(ClientCacheCapacityTest, StaysWithinItsCapacity) {
  gh::testing::TempDir dir;
  auto store = std::move(OpenSqliteStore(dir.File("cache.db"))).value();
  FakeClock clock;
  CountingClients counting(*store);
  ClientCache cache(counting, clock, Seconds(60), /*capacity=*/2);
  for (const char* id : {"a", "b", "c", "a"}) ASSERT_TRUE(cache.Find(id).ok());
  // "a" was dropped when "c" did not fit, so it is read again.
  EXPECT_EQ(counting.lookups, 4);
}

}  // namespace
}  // namespace gh::store
