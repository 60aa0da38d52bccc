// Admin API: Cairn's own HTTP endpoints for test suites, under /cairn/admin/ on the main port, a
// path no DynamoDB client sends to. Served only when the server runs with --admin or --faults;
// otherwise the path is answered as DynamoDB answers any unknown path (404,
// UnknownOperationException), by the dispatcher.
//
//   GET    /cairn/admin/faults                  the rules with their counters (faults/injector.h)
//   POST   /cairn/admin/faults                  add a rule, or {"seed":n,"rules":[...]}: {"ids":[...]}
//   PUT    /cairn/admin/faults                  replace every rule by {"seed":n,"rules":[...]}
//   DELETE /cairn/admin/faults                  remove every rule
//   DELETE /cairn/admin/faults/<id>             remove one rule
//   POST   /cairn/admin/reset                   drop every table and stream of a namespace, or of
//                                               all: body {} (all), {"namespace":"..."}, or
//                                               {"access_key_id":"...","region":"..."}
//                                               -> {"tables_dropped":n,"microseconds":t}
//   GET    /cairn/admin/snapshots               the saved snapshots (name, keys, bytes)
//   POST   /cairn/admin/snapshots/<name>        save the whole database under <name>
//   POST   /cairn/admin/snapshots/<name>/restore   replace the whole database by it
//   DELETE /cairn/admin/snapshots/<name>
// Answers are JSON; errors {"message":"..."} with 400 (bad request), 404 (no such rule, snapshot
// or endpoint) or 405 (method).
// With --credentials the dispatcher first requires a SigV4 signature by one of the configured keys
// (Dispatcher::Authenticated, the protocol's own check): an unsigned or badly signed request gets
// DynamoDB's error for it and never reaches these endpoints. Without --credentials they are open,
// as the DynamoDB API then is.
// Thread safety: as the dispatcher's (any event-loop thread).
#pragma once

#include <string_view>

#include "api/context.h"
#include "http/message.h"

namespace cairn::api {

inline constexpr std::string_view kAdminPathPrefix = "/cairn/admin/";

// Answers one admin request; `path` is the request's path without its query.
void HandleAdmin(ServerContext& server, const http::Request& request, std::string_view path,
                 http::Response& response);

}  // namespace cairn::api
