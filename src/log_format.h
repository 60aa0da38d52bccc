// The server's log: level and format from the flags (--log-level, --log-format).
//   text: spdlog's default line, "[2026-11-30 18:00:00.123] [info] message".
//   json: one object per line, {"time":"2026-11-30T18:00:00.123456Z","level":"info",
//         "message":"..."}, the message JSON-escaped, for log collectors.
// Call once at start, before other threads log.
#pragma once

#include <string>

namespace cairn {

void ConfigureLogging(const std::string& level, const std::string& format);

}  // namespace cairn
