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

}  // namespace
}  // namespace gh::rp
