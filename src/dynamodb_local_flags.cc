// DynamoDB Local's flags -> Cairn's; see dynamodb_local_flags.h.
#include "dynamodb_local_flags.h"

#include <string_view>

namespace cairn {
namespace {

struct Flag {
  std::string_view local;  // DynamoDB Local's spelling
  std::string_view cairn;  // Cairn's flag; empty: accepted, nothing to do
  bool takes_value;
  std::string_view note;   // logged when cairn is empty
};

constexpr Flag kFlags[] = {
    {"-port", "--port", true, ""},
    {"-inMemory", "--in-memory", false, ""},
    {"-dbPath", "--data-dir", true, ""},
    {"-sharedDb", "--shared-db", false, ""},
    {"-help", "--help", false, ""},
    {"-h", "--help", false, ""},
    {"-version", "--version", false, ""},
    {"-cors", "--cors", true, ""},
    // DynamoDB takes seconds to create a table; 2 s makes waiters poll without slowing suites.
    {"-delayTransientStatuses", "--delay-transient-statuses=2000", false, ""},
    {"-optimizeDbBeforeStartup", "", false,
     "-optimizeDbBeforeStartup: accepted; nothing to do, the storage compacts as it goes"},
    {"-disableTelemetry", "", false, "-disableTelemetry: accepted; Cairn sends no telemetry"},
};

}  // namespace

TranslatedFlags TranslateDynamoDbLocalFlags(const std::vector<std::string>& args) {
  TranslatedFlags out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const Flag* flag = nullptr;
    for (const Flag& f : kFlags)
      if (a == f.local) flag = &f;
    if (flag == nullptr) {
      out.args.push_back(a);
      continue;
    }
    std::string value;
    if (flag->takes_value) {
      if (i + 1 >= args.size()) {
        out.error = "Missing argument for option: " + std::string(flag->local.substr(1));
        return out;
      }
      value = args[++i];
    }
    if (flag->cairn.empty()) {
      out.notes.emplace_back(flag->note);
      continue;
    }
    out.args.emplace_back(flag->cairn);
    if (flag->takes_value) out.args.push_back(std::move(value));
  }
  return out;
}

const std::vector<std::string>& DynamoDbLocalFlagNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Flag& f : kFlags) n.emplace_back(f.local);
    return n;
  }();
  return names;
}

}  // namespace cairn
