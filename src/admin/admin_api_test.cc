#include "admin/admin_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "oidc/oidc_participants.h"
#include "store/sqlite/sqlite_store.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace gh::admin {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kToken[] = "admin-token-0123456789abcdef";

// An AdminApi over a real SQLite store and session authority, driven through a Router.
class AdminApiTest : public ::testing::Test {
 protected:
  explicit AdminApiTest(std::optional<std::string> token_sha256 = crypto::Sha256Base64Url(kToken))
      : store_(*store::OpenSqliteStore(dir_.File("db.sqlite"))),
        events_(clock_),
        sessions_(*store_, clock_, random_, events_, session::SessionPolicy{}),
        api_({std::move(token_sha256)}, *store_, sessions_, events_) {
    sessions_.AddProtocol(oidc_participants_);
    api_.Register(router_);
  }

  void AddClient(const std::string& id, bool backchannel) {
    store::ClientRecord c;
    c.id = id;
    c.name = id;
    c.redirect_uris = {"https://" + id + ".example/cb"};
    if (backchannel) c.backchannel_logout_uri = "https://" + id + ".example/logout";
    c.created_at = clock_.Now();
    ASSERT_TRUE(store_->PutClient(c).ok());
  }

  std::string AddUser(const std::string& username) {
    store::UserRecord u;
    u.id = "id-" + username;
    u.username = username;
    u.password_hash = "unused";
    u.created_at = clock_.Now();
    EXPECT_TRUE(store_->PutUser(u).ok());
    return u.id;
  }

  // Starts a session for `user_id` in which each of `clients` took part.
  std::string StartSession(const std::string& user_id, std::initializer_list<const char*> clients) {
    auto started = sessions_.Start(user_id);
    EXPECT_TRUE(started.ok());
    for (const char* c : clients)
      EXPECT_TRUE(sessions_.AddParticipant(*store_, started->session.sid, c, "oidc").ok());
    return started->session.sid;
  }

  http::Response Send(const std::string& method, const std::string& target,
                      const std::string& form = "", const char* token = kToken) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.remote_address = "127.0.0.1";
    if (token) request.headers.Add("Authorization", std::string("Bearer ") + token);
    if (method == "POST") {
      request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
      request.body = form;
    }
    return router_.Dispatch(request);
  }

  static nlohmann::json Body(const http::Response& response) {
    return nlohmann::json::parse(response.body);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
  SystemRandom random_;
  session::EventLog events_;
  session::SessionAuthority sessions_;
  oidc::OidcParticipants oidc_participants_{"https://id.example"};
  AdminApi api_;
  http::Router router_;
};

TEST_F(AdminApiTest, RefusesRequestsWithoutAToken) {
  for (auto [method, path] : {std::pair{"GET", "/admin/sessions"},
                              {"POST", "/admin/sessions/revoke"},
                              {"GET", "/admin/logout-notifications"},
                              {"GET", "/admin/events"},
                              {"GET", "/metrics"}}) {
    auto response = Send(method, path, "sid=x", nullptr);
    EXPECT_EQ(response.status, 401) << path;
    EXPECT_EQ(response.headers.Get("WWW-Authenticate"), R"(Bearer realm="gatehouse-admin")")
        << path;
  }
}

TEST_F(AdminApiTest, RefusesAWrongToken) {
  for (const char* token : {"admin-token-0123456789abcdeX", "", "admin-token-0123456789abcdef "}) {
    auto response = Send("GET", "/admin/sessions", "", token);
    EXPECT_EQ(response.status, 401) << token;
    EXPECT_THAT(response.headers.Get("WWW-Authenticate").value_or(""),
                StartsWith("Bearer realm=\"gatehouse-admin\", error=\"invalid_token\""));
    EXPECT_EQ(Body(response)["error"], "invalid_token");
  }
  http::Request basic;
  basic.method = "GET";
  basic.target = "/admin/sessions";
  basic.headers.Add("Authorization", "Basic YWRtaW46YWRtaW4=");
  EXPECT_EQ(router_.Dispatch(basic).status, 401);
}

TEST_F(AdminApiTest, AcceptsTheBearerSchemeInAnyCase) {
  http::Request request;
  request.method = "GET";
  request.target = "/admin/sessions";
  request.headers.Add("Authorization", std::string("bEaReR ") + kToken);
  EXPECT_EQ(router_.Dispatch(request).status, 200);
}

// The admin API without a configured token hash.
class DisabledAdminApiTest : public AdminApiTest {
 protected:
  DisabledAdminApiTest() : AdminApiTest(std::nullopt) {}
};

TEST_F(DisabledAdminApiTest, AdminRoutesDoNotExistAndMetricsAreOpen) {
  EXPECT_EQ(Send("GET", "/admin/sessions").status, 404);
  EXPECT_EQ(Send("POST", "/admin/sessions/revoke", "sid=x").status, 404);
  EXPECT_EQ(Send("GET", "/admin/logout-notifications").status, 404);
  EXPECT_EQ(Send("GET", "/admin/events").status, 404);
  EXPECT_EQ(Send("GET", "/metrics", "", nullptr).status, 200);
}

TEST_F(AdminApiTest, ListsActiveSessionsWithTheirParticipants) {
  AddClient("mail", true);
  AddClient("docs", false);
  auto alice = AddUser("alice");
  auto bob = AddUser("bob");
  auto alice_sid = StartSession(alice, {"mail", "docs"});
  auto ended_sid = StartSession(alice, {"mail"});
  ASSERT_TRUE(sessions_.End(ended_sid, session::EndCause::kUserLogout).ok());
  StartSession(bob, {});

  auto response = Send("GET", "/admin/sessions?user=alice");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  auto sessions = Body(response)["sessions"];
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]["sid"], alice_sid);
  EXPECT_EQ(sessions[0]["username"], "alice");
  EXPECT_TRUE(sessions[0]["end_cause"].is_null());
  std::set<std::string> clients;
  for (const auto& p : sessions[0]["participants"]) clients.insert(p["client_id"]);
  EXPECT_EQ(clients, (std::set<std::string>{"mail", "docs"}));

  auto all = Body(Send("GET", "/admin/sessions?user=alice&all=1"))["sessions"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["sid"], ended_sid);  // newest first
  EXPECT_EQ(all[0]["end_cause"], "user_logout");
  EXPECT_EQ(all[1]["sid"], alice_sid);

  EXPECT_EQ(Body(Send("GET", "/admin/sessions"))["sessions"].size(), 2u);  // alice's and bob's
  EXPECT_EQ(Send("GET", "/admin/sessions?user=nobody").status, 404);
  EXPECT_EQ(Send("GET", "/admin/sessions?all=yes").status, 400);
}

TEST_F(AdminApiTest, RevokeBySidNotifiesEveryBackchannelParticipant) {
  AddClient("mail", true);
  AddClient("wiki", true);
  AddClient("docs", false);
  auto sid = StartSession(AddUser("alice"), {"mail", "wiki", "docs"});

  auto response = Send("POST", "/admin/sessions/revoke", "sid=" + sid);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  auto ended = Body(response)["ended"];
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0]["sid"], sid);
  EXPECT_EQ(ended[0]["ended_now"], true);
  EXPECT_EQ(ended[0]["end_cause"], "admin");
  std::set<std::int64_t> reported;
  for (const auto& p : ended[0]["participants"]) {
    if (p["client_id"] == "docs")
      EXPECT_TRUE(p["notification_id"].is_null());  // no back-channel URI: nothing to send
    else
      reported.insert(p["notification_id"].get<std::int64_t>());
  }

  auto rows = *store_->ListNotifications(sid, 10);
  ASSERT_EQ(rows.size(), 2u);
  std::set<std::int64_t> written;
  std::set<std::string> notified;
  for (const auto& r : rows) {
    written.insert(r.id);
    notified.insert(r.client_id);
    EXPECT_EQ(r.status, store::NotificationStatus::kPending);
  }
  EXPECT_EQ(reported, written);
  EXPECT_EQ(notified, (std::set<std::string>{"mail", "wiki"}));
  EXPECT_EQ((*store_->FindSessionBySid(sid))->end_cause, "admin");

  auto events = *store_->ListEvents(0, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, session::kEventLogoutStarted);
  EXPECT_EQ(events[0].client_id, "");  // asked by an admin, not a client
  EXPECT_EQ(events[1].type, session::kEventSessionEnded);

  // Revoking again changes nothing and notifies nobody twice.
  auto again = Body(Send("POST", "/admin/sessions/revoke", "sid=" + sid))["ended"];
  EXPECT_EQ(again[0]["ended_now"], false);
  EXPECT_EQ(store_->ListNotifications(sid, 10)->size(), 2u);
}

TEST_F(AdminApiTest, RevokeByUserEndsEveryActiveSessionOfThatUser) {
  AddClient("mail", true);
  auto alice = AddUser("alice");
  auto first = StartSession(alice, {"mail"});
  auto second = StartSession(alice, {"mail"});
  auto bobs = StartSession(AddUser("bob"), {"mail"});

  auto response = Send("POST", "/admin/sessions/revoke", "user=alice");
  ASSERT_EQ(response.status, 200) << response.body;
  std::set<std::string> ended;
  auto body = Body(response);
  for (const auto& e : body["ended"]) ended.insert(e["sid"]);
  EXPECT_EQ(ended, (std::set<std::string>{first, second}));
  EXPECT_EQ(store_->ListNotifications(first, 10)->size(), 1u);
  EXPECT_EQ(store_->ListNotifications(second, 10)->size(), 1u);
  EXPECT_TRUE((*store_->FindSessionBySid(bobs))->active());
}

TEST_F(AdminApiTest, RevokeNeedsExactlyOneKnownTarget) {
  auto sid = StartSession(AddUser("alice"), {});
  EXPECT_EQ(Send("POST", "/admin/sessions/revoke", "").status, 400);
  EXPECT_EQ(Send("POST", "/admin/sessions/revoke", "sid=" + sid + "&user=alice").status, 400);
  EXPECT_EQ(Send("POST", "/admin/sessions/revoke", "sid=unknown").status, 404);
  EXPECT_EQ(Send("POST", "/admin/sessions/revoke", "user=nobody").status, 404);
  EXPECT_EQ(Send("GET", "/admin/sessions/revoke").status, 405);
  EXPECT_TRUE((*store_->FindSessionBySid(sid))->active());
}

TEST_F(AdminApiTest, InvalidUtf8IsABadRequestNotAServerError) {
  // An unknown user's name is echoed in the 404; JSON cannot carry these bytes.
  for (auto [method, target, form] : {std::tuple{"POST", "/admin/sessions/revoke", "user=%FF%FE"},
                                      {"GET", "/admin/sessions?user=%C0%AF", ""},
                                      {"GET", "/admin/logout-notifications?sid=%ED%A0%80", ""}}) {
    auto response = Send(method, target, form);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(Body(response)["error"], "invalid_request") << target;
  }
}

TEST_F(AdminApiTest, ListsAndRevokesConsentsEndingTheirOfflineGrants) {
  AddUser("alice");
  ASSERT_TRUE(store_->PutConsent({"id-alice", "mail", "offline_access", clock_.Now()}).ok());
  ASSERT_TRUE(store_
                  ->PutToken(testing::OfflineRefreshToken(
                      "offline", "id-alice", "mail", std::nullopt, clock_.Now() + Seconds(3600)))
                  .ok());

  auto listed = Send("GET", "/admin/consents?user=alice");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed)["consents"][0]["client_id"], "mail");
  EXPECT_EQ(Send("GET", "/admin/consents").status, 400);
  EXPECT_EQ(Send("GET", "/admin/consents?user=nobody").status, 404);

  auto revoked = Send("POST", "/admin/consents/revoke", "user=alice&client_id=mail");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(Body(revoked)["revoked"], true);
  EXPECT_TRUE(Body(Send("GET", "/admin/consents?user=alice"))["consents"].empty());
  EXPECT_TRUE((*store_->FindToken("offline"))->revoked);
}

TEST_F(AdminApiTest, ListsLogoutNotificationsWithTotals) {
  AddClient("mail", true);
  AddClient("wiki", true);
  auto alice = AddUser("alice");
  auto first = StartSession(alice, {"mail", "wiki"});
  auto second = StartSession(alice, {"mail"});
  ASSERT_EQ(Send("POST", "/admin/sessions/revoke", "sid=" + first).status, 200);
  ASSERT_EQ(Send("POST", "/admin/sessions/revoke", "sid=" + second).status, 200);
  auto rows = *store_->ListNotifications(first, 10);
  ASSERT_TRUE(
      store_->ClaimDueNotifications(clock_.Now(), clock_.Now() + Seconds(3600), 10, "test").ok());
  ASSERT_TRUE(*store_->MarkDelivered(rows[0].id, "test", clock_.Now(), 1));

  auto body = Body(Send("GET", "/admin/logout-notifications?sid=" + first));
  ASSERT_EQ(body["notifications"].size(), 2u);
  EXPECT_EQ(body["notifications"][0]["sid"], first);
  EXPECT_EQ(body["notifications"][0]["status"], "delivered");
  EXPECT_EQ(body["notifications"][0]["attempts"], 1);
  EXPECT_FALSE(body["notifications"][0]["delivered_at"].is_null());
  EXPECT_EQ(body["notifications"][1]["status"], "pending");
  EXPECT_EQ(body["totals"], (nlohmann::json{{"pending", 2}, {"delivered", 1}, {"failed", 0}}));

  auto newest = Body(Send("GET", "/admin/logout-notifications?limit=1"))["notifications"];
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0]["sid"], second);
  EXPECT_EQ(Send("GET", "/admin/logout-notifications?limit=0").status, 400);
  EXPECT_EQ(Send("GET", "/admin/logout-notifications?limit=ten").status, 400);
}

TEST_F(AdminApiTest, PagesThroughEventsWithACursor) {
  auto alice = AddUser("alice");
  for (int i = 0; i < 3; ++i) StartSession(alice, {});
  ASSERT_EQ(Send("POST", "/admin/sessions/revoke", "user=alice").status, 200);  // 6 events

  auto first = Body(Send("GET", "/admin/events?limit=4"));
  ASSERT_EQ(first["events"].size(), 4u);
  EXPECT_EQ(first["events"][0]["type"], "logout.started");
  EXPECT_EQ(first["events"][1]["type"], "session.ended");
  EXPECT_EQ(first["events"][1]["detail"]["cause"], "admin");
  auto cursor = first["next_after"].get<std::int64_t>();
  auto rest = Body(Send("GET", "/admin/events?after=" + std::to_string(cursor)));
  ASSERT_EQ(rest["events"].size(), 2u);
  EXPECT_GT(rest["events"][0]["id"].get<std::int64_t>(), cursor);
  auto none = Body(
      Send("GET", "/admin/events?after=" + std::to_string(rest["next_after"].get<std::int64_t>())));
  EXPECT_TRUE(none["events"].empty());
  EXPECT_EQ(none["next_after"], rest["next_after"]);
  EXPECT_EQ(Send("GET", "/admin/events?after=-1").status, 400);
}

TEST_F(AdminApiTest, MetricsCountSignOutsAndTheOutbox) {
  AddClient("mail", true);
  StartSession(AddUser("alice"), {"mail"});
  ASSERT_EQ(Send("POST", "/admin/sessions/revoke", "user=alice").status, 200);

  auto response = Send("GET", "/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_THAT(response.headers.Get("Content-Type").value_or(""),
              StartsWith("text/plain; version=0.0.4"));
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");
  EXPECT_THAT(response.body, HasSubstr("\ngatehouse_logouts_started_total 1\n"));
  EXPECT_THAT(response.body, HasSubstr("\ngatehouse_sessions_ended_total 1\n"));
  EXPECT_THAT(response.body, HasSubstr("\ngatehouse_logout_notifications_delivered_total 0\n"));
  EXPECT_THAT(response.body, HasSubstr("\ngatehouse_logout_notifications{status=\"pending\"} 1\n"));
}

}  // namespace
}  // namespace gh::admin
