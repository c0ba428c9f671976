// LogoutDispatcher: delivers the logout outbox. It claims due notifications (with a lease, so a
// crashed IdP's claims come back), hands each to the sender for its channel — all at once, never
// one after another — records each outcome, and reschedules failures with exponential backoff
// and jitter until the retry horizon, when it gives up. At-least-once: a notification is marked
// delivered only after its receiver confirmed it. Sender threads run at a lower priority than
// request handling (nice +10), so signing a large fan-out only uses CPU the IdP leaves idle.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "session/event_log.h"
#include "session/participant_protocol.h"
#include "store/store.h"

namespace gh::session {

// How one delivery attempt ended.
struct DeliveryOutcome {
  enum class Kind {
    kDelivered,
    kRetry,      // the receiver may accept later: down, timeout, 5xx, 429
    kPermanent,  // retrying cannot help: the receiver rejected the notification, client removed
  };
  Kind kind = Kind::kDelivered;
  std::string detail;  // e.g. "HTTP 503" or "connect: refused"
};

// Sends one notification over one channel (e.g. OIDC back-channel, SAML SOAP). Implementations may
// do CPU work (signing) in Send but must not block on the network: `done` is called later, from any
// thread, exactly once.
class NotificationSender {
 public:
  virtual ~NotificationSender() = default;
  virtual void Send(const store::LogoutNotificationRecord& notification,
                    std::function<void(DeliveryOutcome)> done) = 0;
};

struct RetryPolicy {
  Seconds first_delay{2};
  Seconds max_delay{300};
  double jitter = 0.3;         // each delay is scaled by a random factor in [1-jitter, 1+jitter]
  Seconds horizon{24 * 3600};  // after created_at + horizon, a failing notification is given up
  Seconds lease{30};           // a claim older than this is considered abandoned
  // The longest one delivery attempt takes (the senders' timeout): a row is sent only while its
  // lease outlasts that, renewed first if it waited in the queue.
  std::chrono::milliseconds attempt_time{5000};
};

// The delay before attempt `attempts + 1`, without jitter: first_delay · 2^(attempts-1), capped.
Seconds BackoffDelay(const RetryPolicy& policy, int attempts);

class LogoutDispatcher {
 public:
  LogoutDispatcher(store::Store& store, Clock& clock, Random& random, EventLog& events,
                   RetryPolicy policy, int max_in_flight = 512, int sender_threads = 2);
  ~LogoutDispatcher();

  // Routes notifications of `channel` to `sender`. Call before Start().
  void AddSender(Channel channel, NotificationSender& sender);

  // Runs delivery on background threads until Stop().
  void Start();
  void Stop();
  // Asks the loop to look for due notifications now (e.g. right after a sign-out).
  void Wake();

  // Test driver for a stopped dispatcher: claims every due notification, sends them all, waits
  // for their outcomes and records them. Returns how many attempts were made.
  Result<int> DeliverDueNow();

  // This dispatcher's name on the leases it takes: random per process, so that nodes sharing a
  // store never mistake another's lease for their own.
  const std::string& holder() const { return holder_; }

 private:
  struct Attempt {
    store::LogoutNotificationRecord notification;
    DeliveryOutcome outcome;
  };

  void Loop();
  void SenderLoop();
  Result<int> ClaimAndQueue(int limit);
  Result<void> RecordOutcomes(std::vector<Attempt> attempts);
  void Dispatch(const store::LogoutNotificationRecord& n);

  store::Store& store_;
  Clock& clock_;
  Random& random_;
  EventLog& events_;
  RetryPolicy policy_;
  int max_in_flight_;
  int sender_thread_count_;
  const std::string holder_;
  std::map<std::string, NotificationSender*> senders_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  int in_flight_ = 0;
  std::deque<store::LogoutNotificationRecord> to_send_;
  std::condition_variable to_send_ready_;
  std::vector<Attempt> finished_;
  std::condition_variable finished_ready_;

  std::thread loop_;
  std::vector<std::thread> sender_threads_;
};

}  // namespace gh::session
