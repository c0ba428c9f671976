#include "session/session_authority.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "core/clock.h"
#include "core/random.h"
#include "oidc/oidc_participants.h"
#include "store/sqlite/sqlite_store.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace gh::session {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class SessionAuthorityTest : public ::testing::Test {
 protected:
  SessionAuthorityTest()
      : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))),
        events_(clock_),
        authority_(*store_, clock_, random_, events_, SessionPolicy{minutes(30), hours(8)}) {
    authority_.AddProtocol(oidc_participants_);
    authority_.SetOutboxListener([this] { ++outbox_wakeups_; });
  }

  void AddClient(const std::string& id, bool backchannel) {
    store::ClientRecord c;
    c.id = id;
    c.name = id;
    c.redirect_uris = {"https://" + id + ".example/cb"};
    if (backchannel) c.backchannel_logout_uri = "https://" + id + ".example/bcl";
    c.frontchannel_logout_uri = "https://" + id + ".example/fcl";
    c.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(c).ok());
  }

  void AddToken(const std::string& hash, const std::string& sid, const std::string& scope,
                store::TokenKind kind) {
    store::TokenRecord t;
    t.token_hash = hash;
    t.kind = kind;
    t.grant_id = "g-" + hash;
    t.client_id = "mail";
    t.user_id = "user-1";
    t.sid = sid;
    t.scope = scope;
    t.issued_at = clock_.Now();
    t.expires_at = clock_.Now() + hours(1);
    ASSERT_TRUE(store_->PutToken(t).ok());
  }

  bool Revoked(const std::string& hash) { return (*store_->FindToken(hash))->revoked; }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  SystemRandom random_;
  EventLog events_;
  SessionAuthority authority_;
  oidc::OidcParticipants oidc_participants_{"https://id.example"};
  int outbox_wakeups_ = 0;
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

TEST_F(SessionAuthorityTest, EachSessionHasItsOwnBrowserState) {
  auto a = authority_.Start("user-1");
  auto b = authority_.Start("user-1");
  EXPECT_FALSE(a->session.browser_state.empty());
  EXPECT_NE(a->session.browser_state, b->session.browser_state);
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

TEST_F(SessionAuthorityTest, ResolveWritesLastSeenOnlyOnceItIsAMinuteOld) {
  auto started = authority_.Start("user-1");
  const auto& sid = started->session.sid;
  auto last_seen = [&] { return (*store_->FindSessionBySid(sid))->last_seen_at; };
  auto at_start = last_seen();
  clock_.Advance(seconds(17));  // under the granularity (idle 30 min / 100 = 18 s)
  ASSERT_TRUE(authority_.Resolve(started->cookie_value)->has_value());
  EXPECT_EQ(last_seen(), at_start);
  clock_.Advance(seconds(1));
  ASSERT_TRUE(authority_.Resolve(started->cookie_value)->has_value());
  EXPECT_EQ(last_seen(), clock_.Now());
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
  ASSERT_TRUE(authority_.AddParticipant(*store_, sid, "mail", "oidc").ok());
  ASSERT_TRUE(authority_.AddParticipant(*store_, sid, "docs", "oidc").ok());
  ASSERT_TRUE(authority_.AddParticipant(*store_, sid, "mail", "oidc").ok());
  auto participants = store_->ListParticipants(sid);
  ASSERT_TRUE(participants.ok());
  EXPECT_EQ(participants->size(), 2u);
}

TEST_F(SessionAuthorityTest, TheInitiatorOfASignOutIsNeitherNotifiedNorVisited) {
  AddClient("mail", /*backchannel=*/true);
  AddClient("docs", /*backchannel=*/true);
  auto started = authority_.Start("user-1");
  const auto& sid = started->session.sid;
  ASSERT_TRUE(authority_.AddParticipant(*store_, sid, "mail", "oidc").ok());
  ASSERT_TRUE(authority_.AddParticipant(*store_, sid, "docs", "oidc").ok());
  auto ending = authority_.End(sid, EndCause::kRpLogout, false, "mail");
  ASSERT_TRUE(ending.ok());
  ASSERT_EQ(ending->participants.size(), 2u);
  for (const auto& p : ending->participants) {
    bool other = p.participant.client_id == "docs";
    EXPECT_EQ(p.notification_id.has_value(), other);
    ASSERT_TRUE(p.logout.has_value());
    EXPECT_EQ(p.logout->frontchannel_url.has_value(), other);
    EXPECT_EQ(p.logout->display_name, p.participant.client_id);
  }
}

TEST_F(SessionAuthorityTest, AProtocolDescribesOnlyItsOwnParticipants) {
  AddClient("mail", /*backchannel=*/true);
  auto started = authority_.Start("user-1");
  const auto& sid = started->session.sid;
  ASSERT_TRUE(authority_.AddParticipant(*store_, sid, "mail", "oidc").ok());
  store::SamlSubject subject{"alice", "urn:x", "", "", "_i"};
  ASSERT_TRUE(authority_.AddParticipant(*store_, sid, "https://wiki", "saml", subject).ok());
  auto ending = authority_.End(sid, EndCause::kAdmin);
  ASSERT_TRUE(ending.ok());
  for (const auto& p : ending->participants) {
    // No SAML protocol is registered here: its participant is listed, undescribed, unnotified.
    EXPECT_EQ(p.logout.has_value(), p.participant.protocol == "oidc");
    EXPECT_EQ(p.notification_id.has_value(), p.participant.protocol == "oidc");
    if (p.participant.protocol == "saml") EXPECT_EQ(p.participant.saml, subject);
  }
}

TEST_F(SessionAuthorityTest, NoParticipantJoinsAnEndedOrExpiredSession) {
  auto ended = authority_.Start("user-1");
  ASSERT_TRUE(authority_.End(ended->session.sid, EndCause::kUserLogout).ok());
  auto late = authority_.AddParticipant(*store_, ended->session.sid, "mail", "oidc");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(store_->ListParticipants(ended->session.sid)->empty());

  auto idle = authority_.Start("user-1");
  clock_.Advance(minutes(30));  // past the idle timeout, not yet swept
  EXPECT_FALSE(authority_.AddParticipant(*store_, idle->session.sid, "mail", "oidc").ok());
  EXPECT_FALSE(authority_.AddParticipant(*store_, "no-such-sid", "mail", "oidc").ok());
}

TEST_F(SessionAuthorityTest, EndNotifiesEveryBackchannelParticipantInTheSameTransaction) {
  AddClient("mail", true);
  AddClient("docs", false);
  AddClient("wiki", true);
  auto started = authority_.Start("user-1");
  const auto& sid = started->session.sid;
  for (const char* c : {"mail", "docs", "wiki"})
    ASSERT_TRUE(authority_.AddParticipant(*store_, sid, c, "oidc").ok());

  auto ending = authority_.End(sid, EndCause::kRpLogout);
  ASSERT_TRUE(ending.ok()) << ending.error().message;
  EXPECT_TRUE(ending->ended_now);
  EXPECT_EQ(ending->session.end_cause, "rp_logout");
  ASSERT_EQ(ending->participants.size(), 3u);
  auto rows = *store_->ListNotifications(sid, 10);
  ASSERT_EQ(rows.size(), 2u);
  std::set<std::string> notified;
  for (const auto& r : rows) {
    notified.insert(r.client_id);
    EXPECT_EQ(r.status, store::NotificationStatus::kPending);
    EXPECT_EQ(r.user_id, "user-1");
  }
  EXPECT_EQ(notified, (std::set<std::string>{"mail", "wiki"}));
  // Each participant is told which outbox row is its own (the signed-out page reports on it).
  for (const auto& p : ending->participants) {
    if (p.participant.client_id == "docs") {
      EXPECT_FALSE(p.notification_id.has_value());
      continue;
    }
    ASSERT_TRUE(p.notification_id.has_value()) << p.participant.client_id;
    auto row = std::find_if(rows.begin(), rows.end(),
                            [&](const auto& r) { return r.id == *p.notification_id; });
    ASSERT_NE(row, rows.end());
    EXPECT_EQ(row->client_id, p.participant.client_id);
  }
  EXPECT_EQ(outbox_wakeups_, 1);
  EXPECT_FALSE(authority_.Resolve(started->cookie_value)->has_value());
  EXPECT_EQ((*store_->FindSessionBySid(sid))->end_cause, "rp_logout");
}

TEST_F(SessionAuthorityTest, EndingEverythingWithOfflineEndsOfflineGrantsOfEndedSessionsToo) {
  auto old = authority_.Start("user-1");
  ASSERT_TRUE(store_
                  ->PutToken(testing::OfflineRefreshToken(
                      "offline", "user-1", "mail", old->session.sid, clock_.Now() + hours(24)))
                  .ok());
  ASSERT_TRUE(authority_.End(old->session.sid, EndCause::kUserLogout).ok());
  EXPECT_FALSE((*store_->FindToken("offline"))->revoked) << "offline grants outlive sign-out";

  auto current = authority_.Start("user-1");
  ASSERT_TRUE(authority_.EndAllOfUser("user-1", EndCause::kAdmin).ok());
  EXPECT_FALSE((*store_->FindToken("offline"))->revoked);
  auto again = authority_.Start("user-1");
  ASSERT_TRUE(authority_.EndAllOfUser("user-1", EndCause::kAdmin, /*end_offline=*/true).ok());
  EXPECT_TRUE((*store_->FindToken("offline"))->revoked);
  EXPECT_FALSE((*store_->FindSessionBySid(again->session.sid))->active());
  (void)current;
}

TEST_F(SessionAuthorityTest, EndIsIdempotent) {
  AddClient("mail", true);
  auto started = authority_.Start("user-1");
  ASSERT_TRUE(authority_.AddParticipant(*store_, started->session.sid, "mail", "oidc").ok());
  ASSERT_TRUE(authority_.End(started->session.sid, EndCause::kUserLogout)->ended_now);
  auto again = authority_.End(started->session.sid, EndCause::kAdmin);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->ended_now);
  EXPECT_EQ(store_->ListNotifications(started->session.sid, 10)->size(), 1u);
  EXPECT_EQ((*store_->FindSessionBySid(started->session.sid))->end_cause, "user_logout");
}

TEST_F(SessionAuthorityTest, EndOfUnknownSessionIsNotFound) {
  auto r = authority_.End("nope", EndCause::kAdmin);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST_F(SessionAuthorityTest, EndRevokesSessionTokensButKeepsOfflineRefreshTokens) {
  auto started = authority_.Start("user-1");
  const auto& sid = started->session.sid;
  AddToken("access", sid, "openid", store::TokenKind::kAccess);
  AddToken("refresh", sid, "openid profile", store::TokenKind::kRefresh);
  AddToken("offline", sid, "openid offline_access", store::TokenKind::kRefresh);
  AddToken("other-session", "other", "openid", store::TokenKind::kRefresh);
  ASSERT_TRUE(authority_.End(sid, EndCause::kRpLogout).ok());
  EXPECT_TRUE(Revoked("access"));
  EXPECT_TRUE(Revoked("refresh"));
  EXPECT_FALSE(Revoked("offline"));
  EXPECT_FALSE(Revoked("other-session"));
}

TEST_F(SessionAuthorityTest, EndRecordsTheSessionEndedEventWithItsCause) {
  auto started = authority_.Start("user-1");
  ASSERT_TRUE(authority_.NoteLogoutStarted(started->session, "mail").ok());
  ASSERT_TRUE(authority_.End(started->session.sid, EndCause::kAdmin).ok());
  auto events = *store_->ListEvents(0, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, kEventLogoutStarted);
  EXPECT_EQ(events[0].client_id, "mail");
  EXPECT_EQ(events[1].type, kEventSessionEnded);
  EXPECT_EQ(events[1].sid, started->session.sid);
  EXPECT_NE(events[1].detail.find("\"cause\":\"admin\""), std::string::npos);
  EXPECT_EQ(events_.counters().sessions_ended.load(), 1);
  EXPECT_EQ(events_.counters().logouts_started.load(), 1);
}

TEST_F(SessionAuthorityTest, EndAllOfUserEndsOnlyThatUsersActiveSessions) {
  auto a = authority_.Start("user-1");
  auto b = authority_.Start("user-1");
  auto other = authority_.Start("user-2");
  auto endings = authority_.EndAllOfUser("user-1", EndCause::kUserLogoutAll);
  ASSERT_TRUE(endings.ok());
  EXPECT_EQ(endings->size(), 2u);
  EXPECT_FALSE(authority_.Resolve(a->cookie_value)->has_value());
  EXPECT_FALSE(authority_.Resolve(b->cookie_value)->has_value());
  EXPECT_TRUE(authority_.Resolve(other->cookie_value)->has_value());
}

TEST_F(SessionAuthorityTest, ExpiredSessionsAreEndedAndTheirParticipantsNotified) {
  AddClient("mail", true);
  auto idle = authority_.Start("user-1");
  ASSERT_TRUE(authority_.AddParticipant(*store_, idle->session.sid, "mail", "oidc").ok());
  clock_.Advance(minutes(20));
  auto fresh = authority_.Start("user-2");
  clock_.Advance(minutes(15));  // idle: 35 min, fresh: 15 min
  auto ended = authority_.EndExpired(100);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, 1);
  EXPECT_EQ((*store_->FindSessionBySid(idle->session.sid))->end_cause, "expired");
  EXPECT_TRUE((*store_->FindSessionBySid(fresh->session.sid))->active());
  EXPECT_EQ(store_->ListNotifications(idle->session.sid, 10)->size(), 1u);
}

// Every node runs the expiry sweep: two nodes sweeping one store at once end each session once
// and notify each participant once, because ending and enqueuing are one transaction that only
// the first ender gets to run.
TEST_F(SessionAuthorityTest, SweepsOnSeveralNodesEndAndNotifyEachSessionOnce) {
  AddClient("mail", true);
  constexpr int kSessions = 40;
  std::vector<std::string> sids;
  for (int i = 0; i < kSessions; ++i) {
    auto started = authority_.Start("user-" + std::to_string(i));
    ASSERT_TRUE(authority_.AddParticipant(*store_, started->session.sid, "mail", "oidc").ok());
    sids.push_back(started->session.sid);
  }
  clock_.Advance(minutes(31));
  auto node_b_store = store::OpenSqliteStore(dir_.File("db.sqlite"));
  ASSERT_TRUE(node_b_store.ok());
  EventLog node_b_events(clock_);
  SessionAuthority node_b(**node_b_store, clock_, random_, node_b_events,
                          SessionPolicy{minutes(30), hours(8)});
  node_b.AddProtocol(oidc_participants_);

  std::atomic<int> ended{0};
  std::vector<std::thread> nodes;
  for (SessionAuthority* node : {&authority_, &node_b})
    nodes.emplace_back([&ended, node] {
      // Small batches, so the two sweeps overlap on the same sessions.
      for (int round = 0; round < kSessions; ++round) {
        auto r = node->EndExpired(5);
        ASSERT_TRUE(r.ok()) << r.error().message;
        ended += *r;
      }
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(ended.load(), kSessions);
  for (const auto& sid : sids) {
    EXPECT_EQ((*store_->FindSessionBySid(sid))->end_cause, "expired");
    EXPECT_EQ(store_->ListNotifications(sid, 10)->size(), 1u) << sid;
  }
}

}  // namespace
}  // namespace gh::session
