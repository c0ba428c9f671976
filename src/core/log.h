// Structured logging: one event per line, as JSON or as readable text. Thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace gh {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

// One key=value field of a log event; numbers and booleans keep their JSON type.
struct LogField {
  enum class Kind { kString, kInt, kBool };
  LogField(std::string_view k, std::string_view v) : key(k), text(v) {}
  LogField(std::string_view k, const char* v) : key(k), text(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), text(v) {}
  LogField(std::string_view k, std::int64_t v) : key(k), number(v), kind(Kind::kInt) {}
  LogField(std::string_view k, int v) : key(k), number(v), kind(Kind::kInt) {}
  LogField(std::string_view k, bool v) : key(k), number(v), kind(Kind::kBool) {}

  std::string_view key;
  std::string text;
  std::int64_t number = 0;
  Kind kind = Kind::kString;
};

void SetLogFormat(LogFormat format);
void SetLogLevel(LogLevel level);
bool ParseLogLevel(std::string_view name, LogLevel& out);

// Writes `event` with `fields` to stderr, e.g. {"ts":"…","level":"info","event":"login",…}.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace gh
