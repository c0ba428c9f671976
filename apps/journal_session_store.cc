#include "apps/journal_session_store.h"

#include <nlohmann/json.hpp>

namespace gh::apps {
namespace {

nlohmann::json ToJson(const rp::AppSession& s) {
  nlohmann::json j = {{"op", "put"},
                      {"id", s.id},
                      {"sub", s.sub},
                      {"id_token", s.id_token},
                      {"claims", s.claims_json},
                      {"created_at", ToUnixSeconds(s.created_at)},
                      {"expires_at", ToUnixSeconds(s.expires_at)}};
  if (s.sid) j["sid"] = *s.sid;
  if (s.session_state) j["session_state"] = *s.session_state;
  return j;
}

std::optional<std::string> OptionalString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

rp::AppSession FromJson(const nlohmann::json& j) {
  rp::AppSession s;
  s.id = j.value("id", "");
  s.sub = j.value("sub", "");
  s.sid = OptionalString(j, "sid");
  s.session_state = OptionalString(j, "session_state");
  s.id_token = j.value("id_token", "");
  s.claims_json = j.value("claims", "{}");
  s.created_at = FromUnixSeconds(j.value("created_at", std::int64_t{0}));
  s.expires_at = FromUnixSeconds(j.value("expires_at", std::int64_t{0}));
  return s;
}

}  // namespace

Result<std::unique_ptr<JournalAppSessionStore>> JournalAppSessionStore::Open(
    const std::string& path, const Clock& clock) {
  std::unique_ptr<JournalAppSessionStore> store(new JournalAppSessionStore(clock));
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    // A line cut short by a crash is the last one and describes an unacknowledged change.
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) continue;
    const std::string op = j.value("op", "");
    const std::string key = j.value("key", "");
    if (op == "put") {
      GH_RETURN_IF_ERROR(store->memory_.Put(FromJson(j)));
    } else if (op == "remove") {
      GH_RETURN_IF_ERROR(store->memory_.Remove(key));
    } else if (op == "remove_sid") {
      GH_RETURN_IF_ERROR(store->memory_.RemoveBySid(key));
    } else if (op == "remove_sub") {
      GH_RETURN_IF_ERROR(store->memory_.RemoveBySub(key));
    }
  }
  store->file_.open(path, std::ios::app);
  if (!store->file_) return Error::Internal("cannot open the session journal " + path);
  return store;
}

Result<void> JournalAppSessionStore::Put(rp::AppSession session) {
  GH_RETURN_IF_ERROR(AppendLine(ToJson(session).dump()));
  return memory_.Put(std::move(session));
}

Result<std::optional<rp::AppSession>> JournalAppSessionStore::Get(std::string_view id) {
  return memory_.Get(id);
}

Result<std::optional<rp::AppSession>> JournalAppSessionStore::Remove(std::string_view id) {
  GH_RETURN_IF_ERROR(Append("remove", id));
  return memory_.Remove(id);
}

Result<std::size_t> JournalAppSessionStore::RemoveBySid(std::string_view sid) {
  GH_RETURN_IF_ERROR(Append("remove_sid", sid));
  return memory_.RemoveBySid(sid);
}

Result<std::size_t> JournalAppSessionStore::RemoveBySub(std::string_view sub) {
  GH_RETURN_IF_ERROR(Append("remove_sub", sub));
  return memory_.RemoveBySub(sub);
}

Result<void> JournalAppSessionStore::Append(std::string_view op, std::string_view key) {
  return AppendLine(nlohmann::json{{"op", op}, {"key", key}}.dump());
}

Result<void> JournalAppSessionStore::AppendLine(const std::string& line) {
  std::lock_guard lock(file_mutex_);
  file_ << line << '\n' << std::flush;
  if (!file_) return Error::Unavailable("cannot write the session journal");
  return Ok();
}

}  // namespace gh::apps
