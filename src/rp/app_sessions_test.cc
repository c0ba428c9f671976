#include "rp/app_sessions.h"

#include <gtest/gtest.h>

#include "rp/one_time_store.h"

namespace gh::rp {
namespace {

AppSession Session(std::string id, std::string sub, std::optional<std::string> sid, TimePoint now) {
  AppSession s;
  s.id = std::move(id);
  s.sub = std::move(sub);
  s.sid = std::move(sid);
  s.claims_json = R"({"email":"a@example.com","n":1})";
  s.created_at = now;
  s.expires_at = now + Seconds(3600);
  return s;
}

class AppSessionsTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  InMemoryAppSessionStore store_{clock_};
};

TEST_F(AppSessionsTest, RemovesEverySessionOfASidAndOnlyThose) {
  ASSERT_TRUE(store_.Put(Session("a", "alice", "sid-1", clock_.Now())).ok());
  ASSERT_TRUE(store_.Put(Session("b", "alice", "sid-1", clock_.Now())).ok());
  ASSERT_TRUE(store_.Put(Session("c", "alice", "sid-2", clock_.Now())).ok());
  EXPECT_EQ(*store_.RemoveBySid("sid-1"), 2u);
  EXPECT_FALSE(store_.Get("a")->has_value());
  EXPECT_TRUE(store_.Get("c")->has_value());
  EXPECT_EQ(*store_.RemoveBySid("sid-1"), 0u);  // idempotent
}

TEST_F(AppSessionsTest, RemovesEverySessionOfASub) {
  ASSERT_TRUE(store_.Put(Session("a", "alice", "sid-1", clock_.Now())).ok());
  ASSERT_TRUE(store_.Put(Session("b", "alice", std::nullopt, clock_.Now())).ok());
  ASSERT_TRUE(store_.Put(Session("c", "bob", "sid-3", clock_.Now())).ok());
  EXPECT_EQ(*store_.RemoveBySub("alice"), 2u);
  EXPECT_EQ(store_.size(), 1u);
  EXPECT_EQ(*store_.RemoveBySid("sid-1"), 0u);  // the index entries went with the sessions
}

TEST_F(AppSessionsTest, ExpiredSessionsAreNotReturned) {
  ASSERT_TRUE(store_.Put(Session("a", "alice", "sid-1", clock_.Now())).ok());
  clock_.Advance(Seconds(3601));
  EXPECT_FALSE(store_.Get("a")->has_value());
  EXPECT_FALSE(store_.Remove("a")->has_value());
}

TEST_F(AppSessionsTest, StringClaimReadsStringsOnly) {
  auto s = Session("a", "alice", "sid-1", clock_.Now());
  EXPECT_EQ(StringClaim(s, "email"), "a@example.com");
  EXPECT_EQ(StringClaim(s, "n"), std::nullopt);
  EXPECT_EQ(StringClaim(s, "missing"), std::nullopt);
}

TEST(OneTimeStoreTest, TakeReturnsAValueOnce) {
  FakeClock clock;
  InMemoryOneTimeStore store(clock);
  ASSERT_TRUE(*store.PutIfAbsent("k", "v", clock.Now() + Seconds(10)));
  EXPECT_EQ(**store.Take("k"), "v");
  EXPECT_FALSE(store.Take("k")->has_value());
}

TEST(OneTimeStoreTest, PutIfAbsentRefusesALiveKeyButReusesAnExpiredOne) {
  FakeClock clock;
  InMemoryOneTimeStore store(clock);
  ASSERT_TRUE(*store.PutIfAbsent("k", "1", clock.Now() + Seconds(10)));
  EXPECT_FALSE(*store.PutIfAbsent("k", "2", clock.Now() + Seconds(10)));
  clock.Advance(Seconds(11));
  EXPECT_FALSE(store.Take("k")->has_value());
  EXPECT_TRUE(*store.PutIfAbsent("k", "3", clock.Now() + Seconds(10)));
}

TEST(OneTimeStoreTest, HoldsAtMostItsCapacityDroppingTheSoonestToExpire) {
  FakeClock clock;
  InMemoryOneTimeStore store(clock, /*max_entries=*/3);
  ASSERT_TRUE(*store.PutIfAbsent("late", "1", clock.Now() + Seconds(600)));
  ASSERT_TRUE(*store.PutIfAbsent("soon", "2", clock.Now() + Seconds(60)));
  ASSERT_TRUE(*store.PutIfAbsent("later", "3", clock.Now() + Seconds(900)));
  // A flood of new entries pushes out the older ones, never past the capacity.
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(*store.PutIfAbsent("flood-" + std::to_string(i), "x", clock.Now() + Seconds(700)));
  EXPECT_FALSE(store.Take("soon")->has_value());
  EXPECT_FALSE(store.Take("late")->has_value());
  EXPECT_TRUE(store.Take("later")->has_value());
  int left = 0;
  for (int i = 0; i < 1000; ++i) left += store.Take("flood-" + std::to_string(i))->has_value();
  EXPECT_EQ(left, 2);
}

TEST(OneTimeStoreTest, ExpiredEntriesMakeRoomBeforeLiveOnes) {
  FakeClock clock;
  InMemoryOneTimeStore store(clock, /*max_entries=*/2);
  ASSERT_TRUE(*store.PutIfAbsent("short", "1", clock.Now() + Seconds(5)));
  ASSERT_TRUE(*store.PutIfAbsent("long", "2", clock.Now() + Seconds(600)));
  clock.Advance(Seconds(10));
  ASSERT_TRUE(*store.PutIfAbsent("new", "3", clock.Now() + Seconds(60)));
  EXPECT_TRUE(store.Take("long")->has_value());
  EXPECT_TRUE(store.Take("new")->has_value());
}

}  // namespace
}  // namespace gh::rp
