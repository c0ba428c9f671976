#include "admin/operator_queries.h"

#include <charconv>
#include <ctime>
#include <map>

namespace gh::admin {
namespace {

Result<store::UserRecord> FindUser(store::Store& store, std::string_view username) {
  GH_ASSIGN_OR_RETURN(auto user, store.FindUserByUsername(username));
  if (!user) return Error::NotFound("no user '" + std::string(username) + "'");
  return *std::move(user);
}

template <class Int>
Result<Int> ParseInteger(const std::string& text, Int min, Int max, std::string_view name) {
  Int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return Error::InvalidArgument(std::string(name) + ": expected an integer from " +
                                  std::to_string(min) + " to " + std::to_string(max));
  return value;
}

nlohmann::json OptionalTime(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(FormatTime(*t)) : nlohmann::json(nullptr);
}

// The upstream session, without its ID token: the listing is not where secrets go. A SAML
// upstream's NameID comes with its format and qualifiers, as its LogoutRequests must name it.
nlohmann::json UpstreamJson(const std::optional<store::UpstreamLinkRecord>& link) {
  if (!link) return nullptr;
  nlohmann::json json{
      {"id", link->upstream}, {"subject", link->subject}, {"session_id", link->session_id}};
  if (link->saml)
    json["saml"] = {{"name_id_format", link->saml->format},
                    {"name_qualifier", link->saml->name_qualifier},
                    {"sp_name_qualifier", link->saml->sp_name_qualifier}};
  return json;
}

}  // namespace

Result<std::vector<SessionView>> ListSessions(store::Store& store, std::string_view username,
                                              bool include_ended) {
  std::string user_id;
  if (!username.empty()) {
    GH_ASSIGN_OR_RETURN(auto user, FindUser(store, username));
    user_id = user.id;
  }
  GH_ASSIGN_OR_RETURN(auto sessions, store.ListSessions(user_id, include_ended));
  std::map<std::string, std::string> usernames;  // user id → username, looked up once each
  if (!username.empty()) usernames[user_id] = std::string(username);
  std::vector<SessionView> views;
  views.reserve(sessions.size());
  for (auto& s : sessions) {
    SessionView view;
    auto known = usernames.find(s.user_id);
    if (known == usernames.end()) {
      GH_ASSIGN_OR_RETURN(auto user, store.FindUserById(s.user_id));
      known = usernames.emplace(s.user_id, user ? user->username : "").first;
    }
    view.username = known->second;
    GH_ASSIGN_OR_RETURN(view.participants, store.ListParticipants(s.sid));
    GH_ASSIGN_OR_RETURN(view.upstream, store.FindUpstreamLink(s.sid));
    view.session = std::move(s);
    views.push_back(std::move(view));
  }
  return views;
}

Result<std::vector<session::SessionEnding>> Revoke(store::Store& store,
                                                   session::SessionAuthority& sessions,
                                                   const RevokeTarget& target) {
  if (target.sid.has_value() == target.username.has_value())
    return Error::InvalidArgument("give exactly one of sid and user");
  std::vector<store::SessionRecord> to_end;
  std::optional<std::string> user_id;
  if (target.sid) {
    GH_ASSIGN_OR_RETURN(auto session, store.FindSessionBySid(*target.sid));
    if (!session) return Error::NotFound("no session with sid '" + *target.sid + "'");
    to_end.push_back(*std::move(session));
  } else {
    GH_ASSIGN_OR_RETURN(auto user, FindUser(store, *target.username));
    GH_ASSIGN_OR_RETURN(to_end, store.ListSessions(user.id, /*include_ended=*/false));
    user_id = user.id;
  }
  std::vector<session::SessionEnding> endings;
  for (const auto& s : to_end) {
    if (s.active()) GH_RETURN_IF_ERROR(sessions.NoteLogoutStarted(s, /*client_id=*/""));
    GH_ASSIGN_OR_RETURN(auto ending,
                        sessions.End(s.sid, session::EndCause::kAdmin, target.include_offline));
    endings.push_back(std::move(ending));
  }
  // Offline grants outlive their sessions: a user's may come from sessions ended long ago.
  if (user_id && target.include_offline) GH_RETURN_IF_ERROR(sessions.EndOfflineGrants(*user_id));
  return endings;
}

Result<std::vector<store::ConsentRecord>> ListConsents(store::Store& store,
                                                       std::string_view username) {
  GH_ASSIGN_OR_RETURN(auto user, FindUser(store, username));
  return store.ListConsents(user.id);
}

Result<bool> RevokeConsent(store::Store& store, session::SessionAuthority& sessions,
                           std::string_view username, std::string_view client_id) {
  GH_ASSIGN_OR_RETURN(auto user, FindUser(store, username));
  GH_ASSIGN_OR_RETURN(bool removed, store.RemoveConsent(user.id, client_id));
  GH_RETURN_IF_ERROR(sessions.EndOfflineGrants(user.id, client_id));
  return removed;
}

Result<NotificationReport> ListNotifications(store::Store& store, std::optional<std::string> sid,
                                             int limit) {
  NotificationReport report;
  GH_ASSIGN_OR_RETURN(report.notifications, store.ListNotifications(std::move(sid), limit));
  GH_ASSIGN_OR_RETURN(report.totals, store.CountNotifications());
  return report;
}

Result<EventPage> ListEvents(store::Store& store, std::int64_t after, int limit) {
  EventPage page;
  GH_ASSIGN_OR_RETURN(page.events, store.ListEvents(after, limit));
  page.next_after = page.events.empty() ? after : page.events.back().id;
  return page;
}

Result<int> ParseLimit(const std::optional<std::string>& text) {
  if (!text) return kDefaultLimit;
  return ParseInteger<int>(*text, 1, kMaxLimit, "limit");
}

Result<std::int64_t> ParseAfter(const std::optional<std::string>& text) {
  if (!text) return std::int64_t{0};
  return ParseInteger<std::int64_t>(*text, 0, INT64_MAX, "after");
}

std::string FormatTime(TimePoint t) {
  std::time_t seconds = ToUnixSeconds(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json ToJson(const SessionView& view) {
  const auto& s = view.session;
  auto participants = nlohmann::json::array();
  for (const auto& p : view.participants)
    participants.push_back({{"client_id", p.client_id},
                            {"protocol", p.protocol},
                            {"first_seen_at", FormatTime(p.first_seen_at)},
                            {"last_seen_at", FormatTime(p.last_seen_at)}});
  return {{"sid", s.sid},
          {"user_id", s.user_id},
          {"username", view.username},
          {"auth_time", FormatTime(s.auth_time)},
          {"last_seen_at", FormatTime(s.last_seen_at)},
          {"ended_at", OptionalTime(s.ended_at)},
          {"end_cause", s.active() ? nlohmann::json(nullptr) : nlohmann::json(s.end_cause)},
          {"idp", s.method.idp},
          {"amr", s.method.amr},
          {"upstream", UpstreamJson(view.upstream)},
          {"participants", std::move(participants)}};
}

nlohmann::json ToJson(const session::SessionEnding& ending) {
  auto participants = nlohmann::json::array();
  for (const auto& p : ending.participants)
    participants.push_back(
        {{"client_id", p.participant.client_id},
         {"protocol", p.participant.protocol},
         {"notification_id", p.notification_id ? nlohmann::json(*p.notification_id) : nullptr}});
  return {{"sid", ending.session.sid},
          {"user_id", ending.session.user_id},
          {"ended_now", ending.ended_now},
          {"end_cause", ending.session.end_cause},
          {"ended_at", OptionalTime(ending.session.ended_at)},
          {"participants", std::move(participants)}};
}

nlohmann::json ToJson(const store::LogoutNotificationRecord& n) {
  bool pending = n.status == store::NotificationStatus::kPending;
  return {
      {"id", n.id},
      {"sid", n.sid},
      {"user_id", n.user_id},
      {"client_id", n.client_id},
      {"channel", n.channel},
      {"status", store::ToString(n.status)},
      {"attempts", n.attempts},
      {"next_attempt_at", pending ? nlohmann::json(FormatTime(n.next_attempt_at)) : nullptr},
      {"last_error", n.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.last_error)},
      {"created_at", FormatTime(n.created_at)},
      {"delivered_at", OptionalTime(n.delivered_at)}};
}

nlohmann::json ToJson(const store::NotificationCounts& counts) {
  return {{"pending", counts.pending}, {"delivered", counts.delivered}, {"failed", counts.failed}};
}

nlohmann::json ToJson(const store::EventRecord& event) {
  // The detail is stored as JSON text; embed it as an object so consumers need not parse twice.
  auto detail = nlohmann::json::parse(event.detail, nullptr, /*allow_exceptions=*/false);
  if (detail.is_discarded()) detail = event.detail;
  return {{"id", event.id},
          {"at", FormatTime(event.at)},
          {"type", event.type},
          {"sid", event.sid},
          {"user_id", event.user_id},
          {"client_id", event.client_id},
          {"detail", std::move(detail)}};
}

nlohmann::json ToJson(const store::ConsentRecord& consent) {
  return {{"user_id", consent.user_id},
          {"client_id", consent.client_id},
          {"scope", consent.scope},
          {"granted_at", FormatTime(consent.granted_at)}};
}

nlohmann::json ToJson(const NotificationReport& report) {
  auto notifications = nlohmann::json::array();
  for (const auto& n : report.notifications) notifications.push_back(ToJson(n));
  return {{"notifications", std::move(notifications)}, {"totals", ToJson(report.totals)}};
}

nlohmann::json ToJson(const EventPage& page) {
  auto events = nlohmann::json::array();
  for (const auto& e : page.events) events.push_back(ToJson(e));
  return {{"events", std::move(events)}, {"next_after", page.next_after}};
}

}  // namespace gh::admin
