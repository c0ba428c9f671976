#include "session/logout_dispatcher.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <span>
#include <thread>

#include "core/clock.h"
#include "core/random.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::session {
namespace {

using Kind = DeliveryOutcome::Kind;
using std::chrono::hours;
using std::chrono::seconds;

// Answers each notification from a script, one outcome per attempt, asynchronously.
class ScriptedSender : public NotificationSender {
 public:
  void Script(const std::string& client_id, std::vector<Kind> outcomes) {
    std::lock_guard lock(mutex_);
    script_[client_id] = std::move(outcomes);
  }
  void Send(const store::LogoutNotificationRecord& n,
            std::function<void(DeliveryOutcome)> done) override {
    Kind kind = Kind::kDelivered;
    {
      std::lock_guard lock(mutex_);
      auto& s = script_[n.client_id];
      if (!s.empty()) {
        kind = s.front();
        s.erase(s.begin());
      }
      ++sent_[n.client_id];
    }
    std::thread([done = std::move(done), kind] {
      done({kind, kind == Kind::kDelivered ? "" : "HTTP 503"});
    }).detach();
  }
  int Sent(const std::string& client_id) {
    std::lock_guard lock(mutex_);
    return sent_[client_id];
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<Kind>> script_;
  std::map<std::string, int> sent_;
};

class LogoutDispatcherTest : public ::testing::Test {
 protected:
  LogoutDispatcherTest()
      : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))),
        events_(clock_),
        dispatcher_(*store_, clock_, random_, events_, Policy()) {
    dispatcher_.AddSender(Channel::kOidcBackChannel, sender_);
  }

  static RetryPolicy Policy() {
    RetryPolicy p;
    p.first_delay = seconds(2);
    p.max_delay = seconds(60);
    p.jitter = 0.25;
    p.horizon = seconds(600);
    p.lease = seconds(30);
    return p;
  }

  std::int64_t Enqueue(const std::string& client_id,
                       std::string_view channel = ChannelName(Channel::kOidcBackChannel)) {
    store::LogoutNotificationRecord n;
    n.sid = "sid-1";
    n.user_id = "user-1";
    n.client_id = client_id;
    n.channel = channel;
    n.created_at = clock_.Now();
    n.next_attempt_at = clock_.Now();
    return store_->EnqueueNotifications(n, std::span(&n.client_id, 1))->front();
  }

  store::LogoutNotificationRecord Row(std::int64_t id) {
    for (auto& n : *store_->ListNotifications(std::nullopt, 1000))
      if (n.id == id) return n;
    ADD_FAILURE() << "no row " << id;
    return {};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  SystemRandom random_;
  EventLog events_;
  ScriptedSender sender_;
  LogoutDispatcher dispatcher_;
};

TEST(BackoffDelay, DoublesFromTheFirstDelayUpToTheCap) {
  RetryPolicy p;
  p.first_delay = seconds(2);
  p.max_delay = seconds(60);
  EXPECT_EQ(BackoffDelay(p, 1), seconds(2));
  EXPECT_EQ(BackoffDelay(p, 2), seconds(4));
  EXPECT_EQ(BackoffDelay(p, 3), seconds(8));
  EXPECT_EQ(BackoffDelay(p, 5), seconds(32));
  EXPECT_EQ(BackoffDelay(p, 6), seconds(60));
  EXPECT_EQ(BackoffDelay(p, 40), seconds(60));
}

TEST_F(LogoutDispatcherTest, DeliversAndRecordsTheOutcome) {
  auto id = Enqueue("mail");
  ASSERT_EQ(*dispatcher_.DeliverDueNow(), 1);
  auto row = Row(id);
  EXPECT_EQ(row.status, store::NotificationStatus::kDelivered);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_TRUE(row.delivered_at.has_value());
  EXPECT_EQ(events_.counters().notifications_delivered.load(), 1);
  auto events = *store_->ListEvents(0, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, kEventNotificationDelivered);
  EXPECT_EQ(events[0].client_id, "mail");
}

TEST_F(LogoutDispatcherTest, RetriesWithBackoffUntilDelivered) {
  sender_.Script("mail", {Kind::kRetry, Kind::kRetry, Kind::kDelivered});
  auto id = Enqueue("mail");
  ASSERT_EQ(*dispatcher_.DeliverDueNow(), 1);
  auto row = Row(id);
  EXPECT_EQ(row.status, store::NotificationStatus::kPending);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.last_error, "HTTP 503");
  auto wait = row.next_attempt_at - clock_.Now();
  EXPECT_GE(wait, seconds(1));  // 2 s ± 25 %
  EXPECT_LE(wait, seconds(3));

  EXPECT_EQ(*dispatcher_.DeliverDueNow(), 0) << "not due yet";
  clock_.Advance(seconds(3));
  ASSERT_EQ(*dispatcher_.DeliverDueNow(), 1);
  row = Row(id);
  EXPECT_EQ(row.attempts, 2);
  wait = row.next_attempt_at - clock_.Now();
  EXPECT_GE(wait, seconds(3));  // 4 s ± 25 %
  EXPECT_LE(wait, seconds(5));

  clock_.Advance(seconds(5));
  ASSERT_EQ(*dispatcher_.DeliverDueNow(), 1);
  row = Row(id);
  EXPECT_EQ(row.status, store::NotificationStatus::kDelivered);
  EXPECT_EQ(row.attempts, 3);
  EXPECT_EQ(sender_.Sent("mail"), 3);
  EXPECT_EQ(events_.counters().notifications_retried.load(), 2);
}

TEST_F(LogoutDispatcherTest, GivesUpAtTheHorizon) {
  sender_.Script("mail", std::vector<Kind>(50, Kind::kRetry));
  auto id = Enqueue("mail");
  for (int i = 0; i < 50 && Row(id).status == store::NotificationStatus::kPending; ++i) {
    ASSERT_TRUE(dispatcher_.DeliverDueNow().ok());
    clock_.Advance(seconds(80));
  }
  auto row = Row(id);
  EXPECT_EQ(row.status, store::NotificationStatus::kFailed);
  EXPECT_NE(row.last_error.find("gave up after"), std::string::npos) << row.last_error;
  EXPECT_LE(row.next_attempt_at, row.created_at + seconds(600));
  EXPECT_EQ(events_.counters().notifications_failed.load(), 1);
}

TEST_F(LogoutDispatcherTest, PermanentRejectionIsNotRetried) {
  sender_.Script("mail", {Kind::kPermanent});
  auto id = Enqueue("mail");
  ASSERT_EQ(*dispatcher_.DeliverDueNow(), 1);
  EXPECT_EQ(Row(id).status, store::NotificationStatus::kFailed);
  clock_.Advance(hours(1));
  EXPECT_EQ(*dispatcher_.DeliverDueNow(), 0);
}

TEST_F(LogoutDispatcherTest, UnknownChannelFailsInsteadOfLooping) {
  auto id = Enqueue("mail", "carrier-pigeon");
  ASSERT_EQ(*dispatcher_.DeliverDueNow(), 1);
  EXPECT_EQ(Row(id).status, store::NotificationStatus::kFailed);
}

TEST_F(LogoutDispatcherTest, AbandonedClaimIsDeliveredAfterItsLease) {
  auto id = Enqueue("mail");
  // A previous IdP process claimed the row and died before recording anything.
  ASSERT_EQ(store_
                ->ClaimDueNotifications(clock_.Now(), clock_.Now() + seconds(30), 10,
                                        "dispatcher-of-the-dead-process")
                ->size(),
            1u);
  EXPECT_EQ(*dispatcher_.DeliverDueNow(), 0);
  clock_.Advance(seconds(31));
  EXPECT_EQ(*dispatcher_.DeliverDueNow(), 1);
  EXPECT_EQ(Row(id).status, store::NotificationStatus::kDelivered);
}

// While this dispatcher's attempt hangs past its lease, another node's dispatcher claims the row
// and delivers it; the late outcome must not overwrite that.
TEST_F(LogoutDispatcherTest, AnOutcomeAfterTheLeaseWasTakenOverIsNotRecorded) {
  auto id = Enqueue("mail");
  class LateSender : public NotificationSender {
   public:
    explicit LateSender(std::function<void()> meanwhile) : meanwhile_(std::move(meanwhile)) {}
    void Send(const store::LogoutNotificationRecord&,
              std::function<void(DeliveryOutcome)> done) override {
      meanwhile_();
      done({Kind::kRetry, "timed out"});
    }

   private:
    std::function<void()> meanwhile_;
  };
  LogoutDispatcher other(*store_, clock_, random_, events_, Policy());
  other.AddSender(Channel::kOidcBackChannel, sender_);
  ASSERT_NE(other.holder(), dispatcher_.holder());
  LateSender late([&] {
    clock_.Advance(seconds(31));
    ASSERT_EQ(*other.DeliverDueNow(), 1);
  });
  LogoutDispatcher slow(*store_, clock_, random_, events_, Policy());
  slow.AddSender(Channel::kOidcBackChannel, late);
  ASSERT_EQ(*slow.DeliverDueNow(), 1);

  auto row = Row(id);
  EXPECT_EQ(row.status, store::NotificationStatus::kDelivered);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_TRUE(row.last_error.empty());
  int retried = 0;
  for (const auto& e : *store_->ListEvents(0, 100)) retried += e.type == kEventNotificationRetried;
  EXPECT_EQ(retried, 0);
}

// A sender that delivers at once, after `before_each` ran (a test's way of letting time pass or
// another node act while a batch is being sent).
class SynchronousSender : public NotificationSender {
 public:
  explicit SynchronousSender(std::function<void(std::int64_t id)> before_each)
      : before_each_(std::move(before_each)) {}
  void Send(const store::LogoutNotificationRecord& n,
            std::function<void(DeliveryOutcome)> done) override {
    before_each_(n.id);
    sent.push_back(n.id);
    done({Kind::kDelivered, ""});
  }
  std::vector<std::int64_t> sent;

 private:
  std::function<void(std::int64_t id)> before_each_;
};

// The second row of a batch waits while the first is sent: its lease, nearly spent by its turn,
// is renewed before it is sent, so no other node takes it meanwhile.
TEST_F(LogoutDispatcherTest, ARowThatWaitedInTheQueueIsSentUnderARenewedLease) {
  auto first = Enqueue("mail");
  auto second = Enqueue("docs");
  SynchronousSender sender([&](std::int64_t id) {
    // Held for the whole attempt: renewed when less than an attempt (5 s) and a margin was left.
    EXPECT_GE(*Row(id).lease_until, clock_.Now() + seconds(6)) << id;
    clock_.Advance(seconds(27));  // of a 30 s lease
  });
  LogoutDispatcher dispatcher(*store_, clock_, random_, events_, Policy());
  dispatcher.AddSender(Channel::kOidcBackChannel, sender);
  ASSERT_EQ(*dispatcher.DeliverDueNow(), 2);
  EXPECT_EQ(sender.sent, (std::vector{first, second}));
  EXPECT_EQ(Row(second).status, store::NotificationStatus::kDelivered);
}

// ... and when another node took it already (the queue outlasted the lease), it is left to that
// node: sent once, not twice.
TEST_F(LogoutDispatcherTest, ARowAnotherNodeTookWhileItWaitedIsNotSent) {
  Enqueue("mail");
  auto second = Enqueue("docs");
  bool once = true;
  SynchronousSender sender([&](std::int64_t) {
    if (!std::exchange(once, false)) return;
    clock_.Advance(seconds(31));
    // Both leases ran out: the other node takes both, the one being sent included.
    ASSERT_EQ(store_
                  ->ClaimDueNotifications(clock_.Now(), clock_.Now() + seconds(30), 10,
                                          "dispatcher-of-another-node")
                  ->size(),
              2u);
  });
  LogoutDispatcher dispatcher(*store_, clock_, random_, events_, Policy());
  dispatcher.AddSender(Channel::kOidcBackChannel, sender);
  ASSERT_EQ(*dispatcher.DeliverDueNow(), 2);
  EXPECT_EQ(sender.sent.size(), 1u);
  auto row = Row(second);
  EXPECT_EQ(row.status, store::NotificationStatus::kPending);
  EXPECT_EQ(row.lease_holder, "dispatcher-of-another-node");
}

// A sender that completes nothing until every notification of the batch is in flight: the
// dispatcher can only pass if it sends them all at once rather than one after another.
class BarrierSender : public NotificationSender {
 public:
  explicit BarrierSender(int expected) : expected_(expected) {}
  void Send(const store::LogoutNotificationRecord&,
            std::function<void(DeliveryOutcome)> done) override {
    std::lock_guard lock(mutex_);
    waiting_.push_back(std::move(done));
    if (static_cast<int>(waiting_.size()) == expected_) {
      for (auto& d : waiting_) std::thread([d] { d({Kind::kDelivered, ""}); }).detach();
    }
  }

 private:
  std::mutex mutex_;
  int expected_;
  std::vector<std::function<void(DeliveryOutcome)>> waiting_;
};

TEST_F(LogoutDispatcherTest, FansOutConcurrently) {
  BarrierSender barrier(100);
  LogoutDispatcher dispatcher(*store_, clock_, random_, events_, Policy());
  dispatcher.AddSender(Channel::kOidcBackChannel, barrier);
  for (int i = 0; i < 100; ++i) Enqueue("client-" + std::to_string(i));
  EXPECT_EQ(*dispatcher.DeliverDueNow(), 100);
  EXPECT_EQ(store_->CountNotifications()->delivered, 100);
}

TEST_F(LogoutDispatcherTest, BackgroundLoopDeliversWhenWoken) {
  SystemClock real_clock;
  EventLog events(real_clock);
  LogoutDispatcher dispatcher(*store_, real_clock, random_, events, Policy());
  dispatcher.AddSender(Channel::kOidcBackChannel, sender_);
  dispatcher.Start();
  store::LogoutNotificationRecord n;
  n.sid = "sid-1";
  n.user_id = "user-1";
  n.client_id = "mail";
  n.channel = ChannelName(Channel::kOidcBackChannel);
  n.created_at = real_clock.Now();
  n.next_attempt_at = real_clock.Now();
  auto id = store_->EnqueueNotifications(n, std::span(&n.client_id, 1))->front();
  dispatcher.Wake();
  for (int i = 0; i < 100 && Row(id).status != store::NotificationStatus::kDelivered; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  dispatcher.Stop();
  EXPECT_EQ(Row(id).status, store::NotificationStatus::kDelivered);
}

// Records the nice value of the thread each notification is sent from.
class PriorityRecordingSender : public NotificationSender {
 public:
  void Send(const store::LogoutNotificationRecord&,
            std::function<void(DeliveryOutcome)> done) override {
    niceness = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    done({Kind::kDelivered, ""});
  }
  std::atomic<int> niceness{-100};
};

TEST_F(LogoutDispatcherTest, SendsFromThreadsThatYieldToRequestHandling) {
  const int own = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  PriorityRecordingSender recorder;
  SystemClock real_clock;
  EventLog events(real_clock);
  LogoutDispatcher dispatcher(*store_, real_clock, random_, events, Policy());
  dispatcher.AddSender(Channel::kOidcBackChannel, recorder);
  dispatcher.Start();
  Enqueue("mail");
  dispatcher.Wake();
  for (int i = 0; i < 100 && recorder.niceness == -100; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  dispatcher.Stop();
  EXPECT_EQ(recorder.niceness, std::min(own + 10, 19));
  // The caller's own priority is untouched.
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), own);
}

}  // namespace
}  // namespace gh::session
