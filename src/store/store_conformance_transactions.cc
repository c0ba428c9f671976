// StoreConformance: transactions, and the operations that must stay exact under concurrency.
#include <algorithm>
#include <string>
#include <vector>

#include "store/store_conformance.h"
#include "store/store_conformance_support.h"

namespace gh::store {
namespace {

using namespace conformance;

// ---- Transactions

TEST_P(StoreConformance, InTransactionCommitsWhenBodySucceeds) {
  Must(store().InTransaction([](Store& tx) -> Result<void> {
    GH_RETURN_IF_ERROR(tx.PutUser(User("u1", "alice")));
    GH_ASSIGN_OR_RETURN(auto seen, tx.FindUserById("u1"));  // the body sees its own writes
    if (!seen) return Error::Internal("own write not visible");
    return tx.CreateSession(Session("s1", "u1", 0));
  }));
  EXPECT_TRUE(Must(store().FindUserById("u1")).has_value());
  EXPECT_TRUE(Must(store().FindSessionBySid("s1")).has_value());
}

TEST_P(StoreConformance, InTransactionLeavesNoTraceWhenBodyFails) {
  Must(store().PutKey(Key("k1", 0)));
  auto result = store().InTransaction([](Store& tx) -> Result<void> {
    GH_RETURN_IF_ERROR(tx.PutUser(User("u1", "alice")));
    GH_RETURN_IF_ERROR(tx.CreateSession(Session("s1", "u1", 0)));
    SigningKeyRecord retired = Key("k1", 0);
    retired.retired_at = At(9);
    GH_RETURN_IF_ERROR(tx.UpdateKey(retired));
    return Error::FailedPrecondition("changed my mind");
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(result.error().message, "changed my mind");
  EXPECT_FALSE(Must(store().FindUserById("u1")).has_value());
  EXPECT_FALSE(Must(store().FindSessionBySid("s1")).has_value());
  EXPECT_FALSE(Must(store().ListKeys()).front().retired_at.has_value());
}

TEST_P(StoreConformance, InTransactionRollsBackAndRethrowsWhenBodyThrows) {
  EXPECT_THROW(Must(store().InTransaction([](Store& tx) -> Result<void> {
                 Must(tx.PutUser(User("u1", "alice")));
                 throw std::logic_error("bug");
               })),
               std::logic_error);
  EXPECT_FALSE(Must(store().FindUserById("u1")).has_value());
  // The store is still usable afterwards.
  Must(store().PutUser(User("u1", "alice")));
}

TEST_P(StoreConformance, NestedInTransactionRollsBackOnlyItself) {
  Must(store().InTransaction([](Store& tx) -> Result<void> {
    GH_RETURN_IF_ERROR(tx.PutUser(User("u1", "alice")));
    auto inner = tx.InTransaction([](Store& inner_tx) -> Result<void> {
      GH_RETURN_IF_ERROR(inner_tx.PutUser(User("u2", "bob")));
      return Error::InvalidArgument("inner fails");
    });
    if (inner.ok()) return Error::Internal("inner failure was lost");
    return Ok();
  }));
  EXPECT_TRUE(Must(store().FindUserById("u1")).has_value());
  EXPECT_FALSE(Must(store().FindUserById("u2")).has_value());
}

// ---- Concurrency

TEST_P(StoreConformance, ConcurrentPutFirstKeyKeepsExactlyOne) {
  constexpr int kThreads = 8;
  std::atomic<int> stored{0};
  std::atomic<int> errors{0};
  RunTogether(kThreads, [&](int i) {
    auto r = store().PutFirstKey(Key("k" + std::to_string(i), 0), At(0));
    if (!r.ok()) {
      ++errors;
    } else if (*r) {
      ++stored;
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(Must(store().ListKeys()).size(), 1u);
}

// Concurrent redemptions of one code: exactly one records its use, the others learn it was used.
TEST_P(StoreConformance, ConcurrentRecordCodeUseHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> winners{0};
  std::atomic<int> replays{0};
  std::atomic<int> errors{0};
  RunTogether(kThreads, [&](int) {
    auto r = store().RecordCodeUse("c1", At(80));
    if (r.ok()) {
      ++winners;
    } else if (r.error().code == ErrorCode::kAlreadyExists) {
      ++replays;
    } else {
      ++errors;
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(replays.load(), kThreads - 1);
}

// Tokens written at once (which a backend may commit together) are each stored, and a duplicate
// among them fails for its own caller only.
TEST_P(StoreConformance, ConcurrentPutTokenGivesEachCallerItsOwnOutcome) {
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  Must(store().PutToken(Token("taken", TokenKind::kAccess, "g", std::nullopt, "openid")));
  std::atomic<int> errors{0};
  std::atomic<int> duplicates{0};
  RunTogether(kThreads, [&](int thread) {
    for (int i = 0; i < kEach; ++i) {
      const bool duplicate = i == kEach / 2 && thread % 2 == 0;
      const std::string hash =
          duplicate ? "taken" : "t" + std::to_string(thread) + "-" + std::to_string(i);
      auto put = store().PutToken(Token(hash, TokenKind::kAccess, "g", std::nullopt, "openid"));
      if (duplicate && ErrorOf(put) == ErrorCode::kAlreadyExists) {
        ++duplicates;
      } else if (!put.ok() || duplicate) {
        ++errors;
      }
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(duplicates.load(), kThreads / 2);
  for (int thread = 0; thread < kThreads; ++thread) {
    for (int i = 0; i < kEach; ++i) {
      if (i == kEach / 2 && thread % 2 == 0) continue;
      const std::string hash = "t" + std::to_string(thread) + "-" + std::to_string(i);
      EXPECT_TRUE(Must(store().FindToken(hash)).has_value()) << hash;
    }
  }
}

TEST_P(StoreConformance, ConcurrentClaimsClaimEveryRowExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr int kRows = 120;
  std::vector<std::int64_t> enqueued;
  for (int i = 0; i < kRows; ++i) {
    enqueued.push_back(Enqueue(store(), Notification("s1", "c", i % 7)));
  }
  std::vector<std::vector<std::int64_t>> claimed(kThreads);
  std::atomic<int> errors{0};
  RunTogether(kThreads, [&](int i) {
    // Bounded, so a store that hands rows out twice fails instead of spinning forever.
    for (int round = 0; round < kRows; ++round) {
      auto batch =
          store().ClaimDueNotifications(At(10), At(1000), 5, "dispatcher-" + std::to_string(i));
      if (!batch.ok()) {
        ++errors;
        return;
      }
      if (batch->empty()) return;
      for (const auto& n : *batch) claimed[i].push_back(n.id);
    }
  });
  EXPECT_EQ(errors.load(), 0);
  std::vector<std::int64_t> all;
  for (const auto& ids : claimed) all.insert(all.end(), ids.begin(), ids.end());
  std::sort(all.begin(), all.end());
  std::sort(enqueued.begin(), enqueued.end());
  EXPECT_EQ(all, enqueued);
}

}  // namespace
}  // namespace gh::store
