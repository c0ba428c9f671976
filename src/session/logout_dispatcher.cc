#include "session/logout_dispatcher.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/log.h"

namespace gh::session {
namespace {

// Retries become due on their own schedule; this is how often the loop looks for them.
constexpr auto kPollInterval = std::chrono::milliseconds(500);
// Time a renewed lease keeps beyond a delivery attempt, for recording its outcome.
constexpr auto kLeaseMargin = std::chrono::seconds(1);
// Outcomes arrive one at a time, thousands a second under load. Recording them a batch per
// transaction rather than one each keeps the store's share of a delivery far below the
// signature's; a batch waits at most this long for more outcomes of deliveries in flight.
constexpr auto kOutcomeBatchWindow = std::chrono::milliseconds(10);
constexpr std::size_t kOutcomeBatchSize = 128;

// Signing makes delivery CPU-bound, and a large fan-out keeps every sender thread busy for a
// while. At a lower priority they use idle CPU without slowing the IdP's answers to browsers and
// RPs, including the signed-out page of the very sign-out that started them; with nothing else
// to run they still get every CPU.
constexpr int kSenderNicenessIncrement = 10;
constexpr int kLowestPriorityNiceness = 19;

// Makes the calling thread yield the CPU to the IdP's request handling.
void LowerThisThreadsPriority() {
  // On Linux a nice value belongs to the thread whose id is given. Best effort: if it fails,
  // deliveries merely compete with requests on equal terms.
  const auto tid = static_cast<id_t>(gettid());
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) return;
  setpriority(PRIO_PROCESS, tid,
              std::min(current + kSenderNicenessIncrement, kLowestPriorityNiceness));
}

double UniformUnit(Random& random) {
  std::array<std::uint8_t, 4> bytes{};
  random.Fill(bytes);
  std::uint32_t v = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                    (std::uint32_t{bytes[2]} << 8) | bytes[3];
  return v / 4294967296.0;
}

}  // namespace

Seconds BackoffDelay(const RetryPolicy& policy, int attempts) {
  double delay =
      static_cast<double>(policy.first_delay.count()) * std::pow(2.0, std::max(0, attempts - 1));
  return Seconds(
      static_cast<Seconds::rep>(std::min(delay, static_cast<double>(policy.max_delay.count()))));
}

LogoutDispatcher::LogoutDispatcher(store::Store& store, Clock& clock, Random& random,
                                   EventLog& events, RetryPolicy policy, int max_in_flight,
                                   int sender_threads)
    : store_(store),
      clock_(clock),
      random_(random),
      events_(events),
      policy_(policy),
      max_in_flight_(max_in_flight),
      sender_thread_count_(sender_threads),
      holder_("dispatcher-" + random.Token(12)) {}

LogoutDispatcher::~LogoutDispatcher() { Stop(); }

void LogoutDispatcher::AddSender(Channel channel, NotificationSender& sender) {
  senders_[std::string(ChannelName(channel))] = &sender;
}

void LogoutDispatcher::Start() {
  loop_ = std::thread([this] { Loop(); });
  for (int i = 0; i < sender_thread_count_; ++i)
    sender_threads_.emplace_back([this] { SenderLoop(); });
}

void LogoutDispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  to_send_ready_.notify_all();
  if (loop_.joinable()) loop_.join();
  for (auto& t : sender_threads_) t.join();
  sender_threads_.clear();
}

void LogoutDispatcher::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void LogoutDispatcher::Dispatch(const store::LogoutNotificationRecord& n) {
  auto finish = [this, n](DeliveryOutcome outcome) {
    bool starts_or_fills_batch;
    {
      std::lock_guard lock(mutex_);
      finished_.push_back({n, std::move(outcome)});
      starts_or_fills_batch = finished_.size() == 1 || finished_.size() >= kOutcomeBatchSize;
    }
    // The loop, once woken by a batch's first outcome, waits for the rest by itself.
    if (starts_or_fills_batch) wake_.notify_all();
    finished_ready_.notify_all();
  };
  auto it = senders_.find(n.channel);
  if (it == senders_.end()) {
    finish({DeliveryOutcome::Kind::kPermanent, "no sender for channel " + n.channel});
    return;
  }
  // In a large fan-out a row may wait in the queue for much of its lease; sent as it is, another
  // node could claim and send it meanwhile. Its lease is renewed first, and a row another node
  // has taken already is left to that node.
  auto now = clock_.Now();
  if (n.lease_until && *n.lease_until < now + policy_.attempt_time + kLeaseMargin) {
    auto renewed = store_.RenewLease(n.id, holder_, now + policy_.lease);
    if (!renewed.ok() || !*renewed) {
      finish({DeliveryOutcome::Kind::kRetry, "the lease ran out before the attempt"});
      return;
    }
  }
  it->second->Send(n, std::move(finish));
}

void LogoutDispatcher::SenderLoop() {
  LowerThisThreadsPriority();
  std::unique_lock lock(mutex_);
  while (true) {
    to_send_ready_.wait(lock, [this] { return stopping_ || !to_send_.empty(); });
    if (stopping_) return;
    auto n = std::move(to_send_.front());
    to_send_.pop_front();
    lock.unlock();
    Dispatch(n);
    lock.lock();
  }
}

Result<int> LogoutDispatcher::ClaimAndQueue(int limit) {
  auto now = clock_.Now();
  GH_ASSIGN_OR_RETURN(auto claimed,
                      store_.ClaimDueNotifications(now, now + policy_.lease, limit, holder_));
  {
    std::lock_guard lock(mutex_);
    for (auto& n : claimed) to_send_.push_back(std::move(n));
    in_flight_ += static_cast<int>(claimed.size());
  }
  to_send_ready_.notify_all();
  return static_cast<int>(claimed.size());
}

void LogoutDispatcher::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto done = std::move(finished_);
    finished_.clear();
    woken_ = false;
    int room = max_in_flight_ - in_flight_;
    lock.unlock();

    if (!done.empty()) {
      int n = static_cast<int>(done.size());
      // On failure the rows keep their lease and are delivered again once it runs out.
      if (auto r = RecordOutcomes(std::move(done)); !r.ok())
        Log(LogLevel::kError, "logout.outcome_not_recorded", {{"error", r.error().message}});
      room += n;
      std::lock_guard relock(mutex_);
      in_flight_ -= n;
    }
    if (room > 0) {
      if (auto r = ClaimAndQueue(room); !r.ok())
        Log(LogLevel::kError, "logout.claim_failed", {{"error", r.error().message}});
    }

    lock.lock();
    wake_.wait_for(lock, kPollInterval,
                   [this] { return stopping_ || woken_ || !finished_.empty(); });
    if (!finished_.empty()) {
      // Deliveries still in flight will finish soon; let their outcomes join this batch.
      const auto batch = std::min(kOutcomeBatchSize, static_cast<std::size_t>(in_flight_));
      wake_.wait_for(lock, kOutcomeBatchWindow,
                     [&] { return stopping_ || woken_ || finished_.size() >= batch; });
    }
  }
}

Result<int> LogoutDispatcher::DeliverDueNow() {
  auto now = clock_.Now();
  GH_ASSIGN_OR_RETURN(auto claimed, store_.ClaimDueNotifications(now, now + policy_.lease,
                                                                 max_in_flight_, holder_));
  for (const auto& n : claimed) Dispatch(n);
  std::vector<Attempt> done;
  {
    std::unique_lock lock(mutex_);
    finished_ready_.wait(lock, [&] { return finished_.size() >= claimed.size(); });
    done = std::move(finished_);
    finished_.clear();
  }
  int attempts = static_cast<int>(done.size());
  GH_RETURN_IF_ERROR(RecordOutcomes(std::move(done)));
  return attempts;
}

Result<void> LogoutDispatcher::RecordOutcomes(std::vector<Attempt> attempts) {
  auto now = clock_.Now();
  std::vector<Event> recorded;
  GH_RETURN_IF_ERROR(store_.InTransaction([&](store::Store& tx) -> Result<void> {
    recorded.clear();
    for (const auto& [n, outcome] : attempts) {
      const int attempt = n.attempts + 1;
      nlohmann::json detail = {
          {"notification_id", n.id}, {"channel", n.channel}, {"attempt", attempt}};
      Event event{"", n.sid, n.user_id, n.client_id, ""};
      bool held = true;
      if (outcome.kind == DeliveryOutcome::Kind::kDelivered) {
        GH_ASSIGN_OR_RETURN(held, tx.MarkDelivered(n.id, holder_, now, attempt));
        event.type = kEventNotificationDelivered;
      } else {
        detail["error"] = outcome.detail;
        double factor = 1.0 + policy_.jitter * (2.0 * UniformUnit(random_) - 1.0);
        auto delay = std::chrono::duration_cast<Seconds>(
            std::chrono::duration<double>(BackoffDelay(policy_, attempt).count() * factor));
        auto next = now + std::max(delay, Seconds(1));
        if (outcome.kind == DeliveryOutcome::Kind::kRetry &&
            next <= n.created_at + policy_.horizon) {
          GH_ASSIGN_OR_RETURN(held, tx.MarkRetry(n.id, holder_, next, attempt, outcome.detail));
          event.type = kEventNotificationRetried;
          detail["retry_in_seconds"] = std::chrono::duration_cast<Seconds>(next - now).count();
        } else {
          std::string reason =
              outcome.kind == DeliveryOutcome::Kind::kRetry
                  ? "gave up after " + std::to_string(attempt) + " attempts: " + outcome.detail
                  : outcome.detail;
          GH_ASSIGN_OR_RETURN(held, tx.MarkFailed(n.id, holder_, attempt, reason));
          event.type = kEventNotificationFailed;
        }
      }
      // The lease ran out and another dispatcher holds the row now: its outcome is the one that
      // counts (the participant may hear twice: delivery is at least once).
      if (!held) {
        Log(LogLevel::kWarn, "logout.lease_lost", {{"notification_id", n.id}, {"holder", holder_}});
        continue;
      }
      event.detail_json = detail.dump();
      GH_RETURN_IF_ERROR(events_.Append(tx, event));
      recorded.push_back(std::move(event));
    }
    return Ok();
  }));
  for (const auto& e : recorded) events_.Publish(e);
  return Ok();
}

}  // namespace gh::session
