#include "session/session_authority.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/random.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::session {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class SessionAuthorityTest : public ::testing::Test {
 protected:
  SessionAuthorityTest()
      : store_(*store::SqliteStore::Open(dir_.File("db.sqlite"))),
        authority_(*store_, clock_, random_, SessionPolicy{minutes(30), hours(8)}) {}

  testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  FakeClock clock_;
  SystemRandom random_;
  SessionAuthority authority_;
};

TEST_F(SessionAuthorityTest, StartedSessionResolvesFromItsCookie) {
  auto started = authority_.Start("user-1");
  ASSERT_TRUE(started.ok());
  EXPECT_NE(started->cookie_value, started->session.sid);
  auto found = authority_.Resolve(started->cookie_value);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->sid, started->session.sid);
  EXPECT_EQ((*found)->user_id, "user-1");
}

TEST_F(SessionAuthorityTest, StoreNeverSeesTheCookieValue) {
  auto started = authority_.Start("user-1");
  auto by_raw = store_->FindSessionByKeyHash(started->cookie_value);
  ASSERT_TRUE(by_raw.ok());
  EXPECT_FALSE(by_raw->has_value());
}

TEST_F(SessionAuthorityTest, UnknownOrEmptyCookieResolvesToNothing) {
  EXPECT_FALSE(authority_.Resolve("no-such-session")->has_value());
  EXPECT_FALSE(authority_.Resolve("")->has_value());
}

TEST_F(SessionAuthorityTest, IdleSessionExpires) {
  auto started = authority_.Start("user-1");
  clock_.Advance(minutes(29));
  EXPECT_TRUE(authority_.Resolve(started->cookie_value)->has_value());  // refreshes last_seen
  clock_.Advance(minutes(29));
  EXPECT_TRUE(authority_.Resolve(started->cookie_value)->has_value());
  clock_.Advance(minutes(30));
  EXPECT_FALSE(authority_.Resolve(started->cookie_value)->has_value());
}

TEST_F(SessionAuthorityTest, SessionExpiresAtAbsoluteLifetimeEvenWhenActive) {
  auto started = authority_.Start("user-1");
  for (int i = 0; i < 16; ++i) {
    clock_.Advance(minutes(29));
    ASSERT_TRUE(authority_.Resolve(started->cookie_value)->has_value());
  }
  clock_.Advance(minutes(29));  // 8h05 after sign-in
  EXPECT_FALSE(authority_.Resolve(started->cookie_value)->has_value());
}

TEST_F(SessionAuthorityTest, EndedSessionDoesNotResolve) {
  auto started = authority_.Start("user-1");
  ASSERT_TRUE(*store_->EndSession(started->session.sid, "test", clock_.Now()));
  EXPECT_FALSE(authority_.Resolve(started->cookie_value)->has_value());
}

TEST_F(SessionAuthorityTest, RecordsEachParticipantOnce) {
  auto started = authority_.Start("user-1");
  const auto& sid = started->session.sid;
  ASSERT_TRUE(authority_.AddParticipant(sid, "mail", "oidc").ok());
  ASSERT_TRUE(authority_.AddParticipant(sid, "docs", "oidc").ok());
  ASSERT_TRUE(authority_.AddParticipant(sid, "mail", "oidc").ok());
  auto participants = store_->ListParticipants(sid);
  ASSERT_TRUE(participants.ok());
  EXPECT_EQ(participants->size(), 2u);
}

}  // namespace
}  // namespace gh::session
