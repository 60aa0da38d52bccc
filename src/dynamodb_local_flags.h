// DynamoDB Local's command line, accepted as it is: its single-dash flags are rewritten into
// Cairn's own before the command line is parsed (config.h), so scripts, docker-compose files and
// test harnesses switch from DynamoDB Local by changing only the binary.
//
//   DynamoDB Local               Cairn
//   -port N                      --port N
//   -inMemory                    --in-memory
//   -dbPath DIR                  --data-dir DIR
//   -sharedDb                    --shared-db
//   -help, -h                    --help
//   -version                     --version
//   -cors LIST                   --cors LIST
//   -delayTransientStatuses      --delay-transient-statuses 2000
//   -optimizeDbBeforeStartup     accepted; noted: nothing to do (RocksDB compacts as it goes)
//   -disableTelemetry            accepted; noted: Cairn sends no telemetry
//
// DynamoDB Local's flags are case-sensitive (Apache Commons CLI); so are these. Anything else is
// passed on unchanged. Stateless.
#pragma once

#include <string>
#include <vector>

namespace cairn {

struct TranslatedFlags {
  std::vector<std::string> args;   // the command line in Cairn's flags (without argv[0])
  std::vector<std::string> notes;  // one line per accepted flag that changes nothing, to log
  std::string error;               // non-empty: a DynamoDB Local flag without its value
};

TranslatedFlags TranslateDynamoDbLocalFlags(const std::vector<std::string>& args);

// The DynamoDB Local flags TranslateDynamoDbLocalFlags accepts, as written ("-port", ...).
const std::vector<std::string>& DynamoDbLocalFlagNames();

}  // namespace cairn
