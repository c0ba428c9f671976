#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace gh {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_write_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Log timestamps are for people reading logs, not logic, so they read the system clock directly.
std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms.count()));
  return out;
}

}  // namespace

void SetLogFormat(LogFormat format) { g_format = format; }
void SetLogLevel(LogLevel level) { g_level = level; }

bool ParseLogLevel(std::string_view name, LogLevel& out) {
  for (auto l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError})
    if (name == LevelName(l)) return out = l, true;
  return false;
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (level < g_level.load()) return;
  std::string line;
  if (g_format == LogFormat::kJson) {
    nlohmann::json j = {{"ts", Timestamp()}, {"level", LevelName(level)}, {"event", event}};
    for (const auto& f : fields) {
      auto& slot = j[std::string(f.key)];
      switch (f.kind) {
        case LogField::Kind::kString:
          slot = f.text;
          break;
        case LogField::Kind::kInt:
          slot = f.number;
          break;
        case LogField::Kind::kBool:
          slot = f.number != 0;
          break;
      }
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = Timestamp() + " " + LevelName(level) + " " + std::string(event);
    for (const auto& f : fields) {
      line += " " + std::string(f.key) + "=";
      switch (f.kind) {
        case LogField::Kind::kString:
          line +=
              nlohmann::json(f.text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          break;
        case LogField::Kind::kInt:
          line += std::to_string(f.number);
          break;
        case LogField::Kind::kBool:
          line += f.number ? "true" : "false";
          break;
      }
    }
  }
  line.push_back('\n');
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace gh
