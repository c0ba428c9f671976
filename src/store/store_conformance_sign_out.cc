// StoreConformance: sign-out state — SAML registrations and participants, the replay cache, the
// logout outbox, logout contexts, retention and the event log.
#include <algorithm>
#include <string>
#include <vector>

#include "store/store_conformance.h"
#include "store/store_conformance_support.h"

namespace gh::store {
namespace {

using namespace conformance;

// ---- SAML

TEST_P(StoreConformance, SamlParticipantIsFoundByItsSessionIndexAtItsServiceProvider) {
  SamlSubject subject{"alice", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                      "https://id.example", "https://sp.example", "_idx-1"};
  Must(store().AddParticipant({.sid = "s1",
                               .client_id = "https://sp.example",
                               .protocol = "saml",
                               .first_seen_at = At(1),
                               .last_seen_at = At(1),
                               .saml = subject}));
  auto found = Must(store().FindSamlParticipant("https://sp.example", "_idx-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->sid, "s1");
  EXPECT_EQ(found->saml, subject);
  EXPECT_FALSE(Must(store().FindSamlParticipant("https://other.example", "_idx-1")).has_value());
  EXPECT_FALSE(Must(store().FindSamlParticipant("https://sp.example", "_idx-2")).has_value());
}

TEST_P(StoreConformance, ServiceProvidersRoundTripAndAreRemoved) {
  SamlServiceProviderRecord sp;
  sp.entity_id = "https://sp.example/metadata";
  sp.name = "Wiki";
  sp.metadata_xml = "<md:EntityDescriptor entityID=\"https://sp.example/metadata\"/>";
  sp.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
  sp.released_attributes = {"email", "name"};
  sp.require_signed_requests = false;
  sp.allow_idp_initiated = true;
  sp.slo_binding = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP";
  sp.created_at = At(3);
  Must(store().PutServiceProvider(sp));
  EXPECT_EQ(ErrorOf(store().PutServiceProvider(sp)), ErrorCode::kAlreadyExists);
  auto found = Must(store().FindServiceProvider(sp.entity_id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Fields(*found), Fields(sp));
  EXPECT_EQ(AllFields(Must(store().ListServiceProviders())), AllFields(std::vector{sp}));
  EXPECT_TRUE(Must(store().RemoveServiceProvider(sp.entity_id)));
  EXPECT_FALSE(Must(store().RemoveServiceProvider(sp.entity_id)));
  EXPECT_FALSE(Must(store().FindServiceProvider(sp.entity_id)).has_value());
}

TEST_P(StoreConformance, RememberedMessagesAreReplaysUntilPurged) {
  EXPECT_TRUE(Must(store().RememberMessage("https://sp.example", "_m1", At(100))));
  EXPECT_FALSE(Must(store().RememberMessage("https://sp.example", "_m1", At(200))));
  EXPECT_TRUE(Must(store().RememberMessage("https://other.example", "_m1", At(100))));
  EXPECT_EQ(Must(store().PurgeMessages(At(50))), 0);
  EXPECT_EQ(Must(store().PurgeMessages(At(150))), 2);
  EXPECT_TRUE(Must(store().RememberMessage("https://sp.example", "_m1", At(300))));
}

// ---- Logout outbox

TEST_P(StoreConformance, EnqueueNotificationsReturnsTheIdsInTheBatchOrder) {
  LogoutNotificationRecord each = Notification("s1", "", 5);
  each.attempts = 2;
  each.last_error = "HTTP 503";
  each.lease_until = At(40);
  each.delivered_at = At(41);
  const std::vector<std::string> clients = {"zeta", "alpha", "mid"};
  Enqueue(store(), Notification("s2", "other", 7));

  const auto ids = Must(store().EnqueueNotifications(each, clients));
  ASSERT_EQ(ids.size(), clients.size());
  std::vector<LogoutNotificationRecord> expected;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    expected.push_back(each);
    expected.back().id = ids[i];
    expected.back().client_id = clients[i];
  }
  auto listed = Must(store().ListNotifications("s1", 10));
  std::sort(listed.begin(), listed.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  std::sort(expected.begin(), expected.end(),
            [](const auto& x, const auto& y) { return x.id < y.id; });
  EXPECT_EQ(AllFields(listed), AllFields(expected));
  EXPECT_TRUE(Must(store().EnqueueNotifications(each, {})).empty());
}

TEST_P(StoreConformance, EnqueueAssignsIdsAndListRoundTrips) {
  LogoutNotificationRecord n = Notification("s1", "app", 5);
  n.channel = "frontchannel";
  const std::int64_t first = Enqueue(store(), n);
  const std::int64_t second = Enqueue(store(), Notification("s1", "wiki", 5));
  EXPECT_NE(first, second);

  n.id = first;
  auto listed = Must(store().ListNotifications("s1", 10));
  ASSERT_EQ(listed.size(), 2u);
  auto it =
      std::find_if(listed.begin(), listed.end(), [&](const auto& r) { return r.id == first; });
  ASSERT_NE(it, listed.end());
  EXPECT_EQ(Fields(*it), Fields(n));
}

TEST_P(StoreConformance, AnOutcomeAlreadyKnownIsRecordedAsSuchAndNeverClaimed) {
  LogoutNotificationRecord confirmed = Notification("s1", "sp", 5);
  confirmed.channel = "saml_browser";
  confirmed.status = NotificationStatus::kDelivered;
  confirmed.attempts = 1;
  confirmed.delivered_at = At(5);
  LogoutNotificationRecord refused = confirmed;
  refused.client_id = "other-sp";
  refused.status = NotificationStatus::kFailed;
  refused.delivered_at.reset();
  refused.last_error = "status Responder";
  confirmed.id = Enqueue(store(), confirmed);
  refused.id = Enqueue(store(), refused);

  auto listed = Must(store().ListNotifications("s1", 10));
  std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  EXPECT_EQ(AllFields(listed), AllFields(std::vector{confirmed, refused}));
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(100), At(200), 10, kHolder)).empty());
}

TEST_P(StoreConformance, ClaimTakesDueUnleasedRowsUpToLimitEarliestFirst) {
  const auto late = Enqueue(store(), Notification("s1", "c", 30));
  const auto early = Enqueue(store(), Notification("s1", "a", 10));
  const auto middle = Enqueue(store(), Notification("s1", "b", 20));
  Enqueue(store(), Notification("s1", "future", 1000));

  auto claimed = Must(store().ClaimDueNotifications(At(100), At(200), 2, kHolder));
  EXPECT_EQ(Ids(claimed), (std::vector{early, middle}));
  for (const auto& n : claimed) EXPECT_EQ(Secs(n.lease_until), ToUnixSeconds(At(200)));

  EXPECT_EQ(Ids(Must(store().ClaimDueNotifications(At(100), At(200), 10, kHolder))),
            (std::vector{late}));
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(100), At(200), 10, kHolder)).empty());
}

TEST_P(StoreConformance, ExpiredLeaseIsClaimedAgain) {
  const auto id = Enqueue(store(), Notification("s1", "app", 0));
  ASSERT_EQ(Ids(Must(store().ClaimDueNotifications(At(0), At(30), 10, kHolder))),
            (std::vector{id}));
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(29), At(60), 10, kHolder)).empty());
  EXPECT_EQ(Ids(Must(store().ClaimDueNotifications(At(30), At(60), 10, kHolder))),
            (std::vector{id}));
}

TEST_P(StoreConformance, MarkDeliveredRetryAndFailed) {
  const auto delivered = Enqueue(store(), Notification("s1", "a", 0));
  const auto retried = Enqueue(store(), Notification("s1", "b", 0));
  const auto failed = Enqueue(store(), Notification("s1", "c", 0));
  ASSERT_EQ(Must(store().ClaimDueNotifications(At(0), At(30), 10, kHolder)).size(), 3u);

  Must(store().MarkDelivered(delivered, kHolder, At(5), 1));
  Must(store().MarkRetry(retried, kHolder, At(100), 2, "HTTP 503"));
  Must(store().MarkFailed(failed, kHolder, 5, "HTTP 400"));

  auto rows = Must(store().ListNotifications("s1", 10));
  auto row = [&](std::int64_t id) {
    return *std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.id == id; });
  };
  LogoutNotificationRecord d = row(delivered);
  EXPECT_EQ(d.status, NotificationStatus::kDelivered);
  EXPECT_EQ(Secs(d.delivered_at), ToUnixSeconds(At(5)));
  EXPECT_EQ(d.attempts, 1);
  EXPECT_FALSE(d.lease_until.has_value());
  LogoutNotificationRecord r = row(retried);
  EXPECT_EQ(r.status, NotificationStatus::kPending);
  EXPECT_EQ(r.next_attempt_at, At(100));
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.last_error, "HTTP 503");
  EXPECT_FALSE(r.lease_until.has_value());
  LogoutNotificationRecord f = row(failed);
  EXPECT_EQ(f.status, NotificationStatus::kFailed);
  EXPECT_EQ(f.attempts, 5);
  EXPECT_EQ(f.last_error, "HTTP 400");
  EXPECT_FALSE(f.lease_until.has_value());

  // Only the retried row comes back, and only once it is due.
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(99), At(130), 10, kHolder)).empty());
  EXPECT_EQ(Ids(Must(store().ClaimDueNotifications(At(100), At(130), 10, kHolder))),
            (std::vector{retried}));
}

// A dispatcher whose lease ran out while it delivered (a slow endpoint, a paused node) must not
// overwrite the outcome of the dispatcher that claimed the row after it.
TEST_P(StoreConformance, OnlyTheLeaseHolderRecordsAnOutcome) {
  const auto id = Enqueue(store(), Notification("s1", "app", 0));
  ASSERT_EQ(Must(store().ClaimDueNotifications(At(0), At(30), 10, "dispatcher-a")).size(), 1u);
  auto reclaimed = Must(store().ClaimDueNotifications(At(30), At(60), 10, "dispatcher-b"));
  ASSERT_EQ(Ids(reclaimed), (std::vector{id}));
  EXPECT_EQ(reclaimed[0].lease_holder, "dispatcher-b");

  EXPECT_FALSE(Must(store().MarkFailed(id, "dispatcher-a", 1, "timed out")));
  EXPECT_FALSE(Must(store().MarkRetry(id, "dispatcher-a", At(99), 1, "timed out")));
  EXPECT_TRUE(Must(store().MarkDelivered(id, "dispatcher-b", At(31), 2)));
  // Settled: not even its holder records another outcome.
  EXPECT_FALSE(Must(store().MarkFailed(id, "dispatcher-b", 3, "late")));
  auto row = Must(store().ListNotifications("s1", 10)).at(0);
  EXPECT_EQ(row.status, NotificationStatus::kDelivered);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_TRUE(row.lease_holder.empty());
  // A row nobody claimed is nobody's to settle.
  const auto unclaimed = Enqueue(store(), Notification("s1", "other", 1000));
  EXPECT_FALSE(Must(store().MarkDelivered(unclaimed, "dispatcher-a", At(1), 1)));
}

TEST_P(StoreConformance, OnlyTheLeaseHolderRenewsTheLease) {
  const auto id = Enqueue(store(), Notification("s1", "app", 0));
  ASSERT_EQ(Must(store().ClaimDueNotifications(At(0), At(30), 10, "dispatcher-a")).size(), 1u);
  EXPECT_TRUE(Must(store().RenewLease(id, "dispatcher-a", At(60))));
  // Renewed: not claimable before the new end, whoever asks.
  EXPECT_TRUE(Must(store().ClaimDueNotifications(At(45), At(90), 10, "dispatcher-b")).empty());
  EXPECT_FALSE(Must(store().RenewLease(id, "dispatcher-b", At(90))));
  ASSERT_EQ(Must(store().ClaimDueNotifications(At(60), At(90), 10, "dispatcher-b")).size(), 1u);
  EXPECT_FALSE(Must(store().RenewLease(id, "dispatcher-a", At(120))));
  EXPECT_EQ(ErrorOf(store().RenewLease(404, "dispatcher-a", At(120))), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, MarkingAnUnknownNotificationIsNotFound) {
  EXPECT_EQ(ErrorOf(store().MarkDelivered(404, kHolder, At(0), 1)), ErrorCode::kNotFound);
  EXPECT_EQ(ErrorOf(store().MarkRetry(404, kHolder, At(0), 1, "x")), ErrorCode::kNotFound);
  EXPECT_EQ(ErrorOf(store().MarkFailed(404, kHolder, 1, "x")), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ListNotificationsBySessionOrNewest) {
  const auto a1 = Enqueue(store(), Notification("s1", "a", 0));
  const auto b1 = Enqueue(store(), Notification("s2", "a", 0));
  const auto a2 = Enqueue(store(), Notification("s1", "b", 0));

  auto sorted_ids = [](std::vector<LogoutNotificationRecord> rows) {
    auto ids = Ids(rows);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(sorted_ids(Must(store().ListNotifications("s1", 10))), (std::vector{a1, a2}));
  EXPECT_EQ(sorted_ids(Must(store().ListNotifications(std::nullopt, 2))), (std::vector{b1, a2}));
  EXPECT_EQ(Must(store().ListNotifications(std::nullopt, 10)).size(), 3u);
  EXPECT_TRUE(Must(store().ListNotifications("s3", 10)).empty());
}

// ---- Logout contexts, retention, events

TEST_P(StoreConformance, CountsNotificationsByStatus) {
  const auto a = Enqueue(store(), Notification("s1", "a", 0));
  const auto b = Enqueue(store(), Notification("s1", "b", 0));
  Enqueue(store(), Notification("s1", "c", 0));
  Must(store().ClaimDueNotifications(At(0), At(30), 10, kHolder));
  Must(store().MarkDelivered(a, kHolder, At(1), 1));
  Must(store().MarkFailed(b, kHolder, 3, "gone"));
  auto counts = Must(store().CountNotifications());
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.delivered, 1);
  EXPECT_EQ(counts.failed, 1);
}

LogoutContextRecord Context(std::string id_hash) {
  LogoutContextRecord c;
  c.id_hash = std::move(id_hash);
  c.sid = "s1";
  c.client_id = "mail";
  c.post_logout_redirect_uri = "https://mail.example/bye?x=1";
  c.state = "st";
  c.ui_locales = "de en";
  c.saml_initiator = LogoutContextRecord::SamlInitiator{
      "https://sp.example", "_req1", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
      "https://sp.example/slo", " a&b=c "};
  c.created_at = At(0);
  c.expires_at = At(600);
  return c;
}

TEST_P(StoreConformance, LogoutContextRoundTripsAndIsUsedOnce) {
  Must(store().PutLogoutContext(Context("ctx")));
  LogoutContextRecord bare;
  bare.id_hash = "bare";
  bare.created_at = At(0);
  bare.expires_at = At(10);
  Must(store().PutLogoutContext(bare));
  EXPECT_EQ(ErrorOf(store().PutLogoutContext(bare)), ErrorCode::kAlreadyExists);

  auto found = Must(store().FindLogoutContext("ctx"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->client_id, "mail");
  EXPECT_EQ(found->post_logout_redirect_uri, "https://mail.example/bye?x=1");
  EXPECT_EQ(found->state, "st");
  EXPECT_EQ(found->ui_locales, "de en");
  EXPECT_EQ(found->saml_initiator, Context("ctx").saml_initiator);
  EXPECT_EQ(ToUnixSeconds(found->expires_at), ToUnixSeconds(At(600)));
  EXPECT_FALSE(found->used_at.has_value());
  auto found_bare = Must(store().FindLogoutContext("bare"));
  ASSERT_TRUE(found_bare.has_value());
  EXPECT_FALSE(found_bare->client_id.has_value());
  EXPECT_FALSE(found_bare->state.has_value());
  EXPECT_FALSE(found_bare->saml_initiator.has_value());

  EXPECT_TRUE(Must(store().UseLogoutContext("ctx", At(5))));
  EXPECT_FALSE(Must(store().UseLogoutContext("ctx", At(6))));
  EXPECT_FALSE(Must(store().UseLogoutContext("missing", At(6))));
  EXPECT_EQ(Secs(Must(store().FindLogoutContext("ctx"))->used_at), ToUnixSeconds(At(5)));
  EXPECT_FALSE(Must(store().FindLogoutContext("missing")).has_value());

  EXPECT_EQ(Must(store().PurgeLogoutContexts(At(100))), 1);
  EXPECT_FALSE(Must(store().FindLogoutContext("bare")).has_value());
  EXPECT_TRUE(Must(store().FindLogoutContext("ctx")).has_value());
}

TEST_P(StoreConformance, RetentionPurgesOnlySettledHistoryOlderThanTheCutoff) {
  Must(store().CreateSession(Session("old", "u1", 0)));
  Must(store().CreateSession(Session("recent", "u1", 0)));
  Must(store().CreateSession(Session("active", "u1", 0)));
  Must(store().AddParticipant({.sid = "old", .client_id = "mail", .protocol = "oidc"}));
  Must(store().EndSession("old", "admin", At(10)));
  Must(store().EndSession("recent", "admin", At(100)));
  EXPECT_EQ(Must(store().PurgeEndedSessions(At(50))), 1);
  EXPECT_FALSE(Must(store().FindSessionBySid("old")).has_value());
  EXPECT_TRUE(Must(store().ListParticipants("old")).empty());
  EXPECT_TRUE(Must(store().FindSessionBySid("recent")).has_value());
  EXPECT_TRUE(Must(store().FindSessionBySid("active")).has_value());

  LogoutNotificationRecord each;
  each.sid = "old";
  each.user_id = "u1";
  each.created_at = At(10);
  each.next_attempt_at = At(10);
  std::vector<std::string> clients = {"delivered", "failed", "pending"};
  auto ids = Must(store().EnqueueNotifications(each, clients));
  Must(store().ClaimDueNotifications(At(10), At(40), 10, kHolder));
  Must(store().MarkDelivered(ids[0], kHolder, At(11), 1));
  Must(store().MarkFailed(ids[1], kHolder, 3, "gone"));
  EXPECT_EQ(Must(store().PurgeSettledNotifications(At(50))), 2);
  auto left = Must(store().ListNotifications(std::string("old"), 10));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].client_id, "pending");

  EventRecord e;
  e.type = "session.ended";
  e.detail = "{}";
  e.at = At(10);
  Must(store().AppendEvent(e));
  e.at = At(100);
  Must(store().AppendEvent(e));
  EXPECT_EQ(Must(store().PurgeEvents(At(50))), 1);
  EXPECT_EQ(Must(store().ListEvents(0, 10)).size(), 1u);
}

TEST_P(StoreConformance, LogoutContextIsUsedByExactlyOneConcurrentCaller) {
  Must(store().PutLogoutContext(Context("ctx")));
  std::atomic<int> winners{0};
  RunTogether(8, [&](int) {
    auto used = store().UseLogoutContext("ctx", At(1));
    if (used.ok() && *used) ++winners;
  });
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(StoreConformance, EventsAreListedInOrderAfterAnId) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    EventRecord e;
    e.at = At(i);
    e.type = "session.ended";
    e.sid = "s" + std::to_string(i);
    e.user_id = "u1";
    e.client_id = i % 2 ? "mail" : "";
    e.detail = R"({"cause":"rp_logout"})";
    ids.push_back(Must(store().AppendEvent(e)));
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  auto all = Must(store().ListEvents(0, 100));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[1].sid, "s1");
  EXPECT_EQ(all[1].client_id, "mail");
  EXPECT_EQ(all[1].detail, R"({"cause":"rp_logout"})");
  EXPECT_EQ(ToUnixSeconds(all[1].at), ToUnixSeconds(At(1)));
  auto tail = Must(store().ListEvents(ids[2], 2));
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].id, ids[3]);
  EXPECT_EQ(tail[1].id, ids[4]);
}

}  // namespace
}  // namespace gh::store
