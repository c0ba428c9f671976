// Operator queries and actions on sign-out — list sessions, revoke them, inspect logout delivery
// and the event log — and their JSON form. The `gatehouse` admin commands and the admin HTTP API
// both call these, so the two can never disagree about what a revoke does or what a row means.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "session/session_authority.h"
#include "store/store.h"

namespace gh::admin {

// Page sizes for listings: enough to be useful by default, bounded so one request stays cheap.
inline constexpr int kDefaultLimit = 100;
inline constexpr int kMaxLimit = 1000;

// A session as an operator sees it: whose it is and which clients took part in it.
struct SessionView {
  store::SessionRecord session;
  std::string username;  // empty when the user has been removed since
  std::vector<store::ParticipantRecord> participants;
  std::optional<store::UpstreamLinkRecord> upstream;  // when it came from an upstream IdP
};

// Sessions of `username` (every user's when empty), newest first, ended ones only when
// `include_ended`. kNotFound for an unknown username.
Result<std::vector<SessionView>> ListSessions(store::Store& store, std::string_view username,
                                              bool include_ended);

// What an operator revokes: one session, or every active session of one user.
struct RevokeTarget {
  std::optional<std::string> sid;
  std::optional<std::string> username;
  // Also end the offline_access grants: of the session, or every one the user gave.
  bool include_offline = false;
};

// Ends the target's sessions with cause "admin" through the session authority, so every
// participant is notified exactly as for any other sign-out, and records that an admin asked.
// kInvalidArgument unless exactly one of sid and username is set; kNotFound when it names nothing.
Result<std::vector<session::SessionEnding>> Revoke(store::Store& store,
                                                   session::SessionAuthority& sessions,
                                                   const RevokeTarget& target);

// The consents (offline_access) `username` gave, by client. kNotFound for an unknown username.
Result<std::vector<store::ConsentRecord>> ListConsents(store::Store& store,
                                                       std::string_view username);
// Withdraws `username`'s consent for `client_id` and ends the offline grants it allowed; false
// when there was no consent (the grants are ended all the same).
Result<bool> RevokeConsent(store::Store& store, session::SessionAuthority& sessions,
                           std::string_view username, std::string_view client_id);

// Logout notifications and how the whole outbox stands: what `logout status` shows.
struct NotificationReport {
  std::vector<store::LogoutNotificationRecord> notifications;
  store::NotificationCounts totals;
};
// The notifications of `sid` when set, else the newest, at most `limit`; and the outbox totals.
Result<NotificationReport> ListNotifications(store::Store& store, std::optional<std::string> sid,
                                             int limit);

// One page of the event log: events after a cursor, oldest first, and the cursor for the next
// page (unchanged when there was nothing new, so a poller can keep asking with it).
struct EventPage {
  std::vector<store::EventRecord> events;
  std::int64_t next_after = 0;
};
Result<EventPage> ListEvents(store::Store& store, std::int64_t after, int limit);

// Parses a listing's `limit`: 1 to kMaxLimit, kDefaultLimit when absent.
Result<int> ParseLimit(const std::optional<std::string>& text);
// Parses an events cursor: an event id >= 0, 0 when absent.
Result<std::int64_t> ParseAfter(const std::optional<std::string>& text);

// RFC 3339 in UTC with second precision, e.g. "2024-05-01T12:00:00Z".
std::string FormatTime(TimePoint t);
const char* ToString(store::NotificationStatus status);

nlohmann::json ToJson(const SessionView& view);
nlohmann::json ToJson(const session::SessionEnding& ending);
nlohmann::json ToJson(const store::LogoutNotificationRecord& notification);
nlohmann::json ToJson(const store::NotificationCounts& counts);
nlohmann::json ToJson(const store::EventRecord& event);
nlohmann::json ToJson(const store::ConsentRecord& consent);
nlohmann::json ToJson(const NotificationReport& report);
nlohmann::json ToJson(const EventPage& page);

}  // namespace gh::admin
