// Console: the web console served by the cairn binary at GET /console (src/README.md, "console/";
// README.md, "Web console"). It serves the console's files from memory (assets.h) and one
// extension outside DynamoDB's API, the list of namespaces; everything else the console does goes
// through the DynamoDB JSON API like any client, signing its requests (SigV4) in the browser.
//
// - GET or HEAD /console, /console/ and /console/<file>: the file, with its ETag (If-None-Match
//   that matches: 304), Cache-Control: no-cache (revalidate, so a new binary's console is seen at
//   once), and headers that keep it in its own origin (a Content-Security-Policy allowing only
//   itself, X-Frame-Options: DENY, X-Content-Type-Options: nosniff).
// - GET /console/api/namespaces: {"SharedDb": bool, "Namespaces": [{"Namespace", "AccessKeyId",
//   "Region", "TableCount"}]}: every access key / region that has tables (with --shared-db, the
//   one shared namespace, without key or region), most tables first. It reveals other callers'
//   tables, so it is offered only while signatures are not checked: with
//   Options::list_namespaces false it is 403 {"message": ...}, and the console asks for a key.
// - Another method on a console path: 405 with Allow; an unknown console path: 404.
// Console answers carry no CORS headers: only the console's own origin reads them.
// Thread safety: Handle() is const and reads only the catalog (itself thread-safe) and static data.
#pragma once

#include <string_view>

#include "http/message.h"
#include "storage/catalog.h"

namespace cairn::console {

struct Options {
  bool enabled = true;           // --no-console: false, and no path is the console's
  bool list_namespaces = true;   // GET /console/api/namespaces; false when --credentials checks signatures
  bool shared_db = false;        // --shared-db: one namespace
};

class Console {
 public:
  Console(const Options& options, const storage::Catalog* catalog)
      : options_(options), catalog_(catalog) {}

  // True when `path` (the request target without its query) is the console's: "/console" or
  // under "/console/", and the console is enabled. Then Handle() answers it.
  bool Owns(std::string_view path) const;

  // Fills `response` for a path Owns() accepted.
  void Handle(const http::Request& request, std::string_view path,
              http::Response& response) const;

 private:
  void Namespaces(http::Response& response) const;

  Options options_;
  const storage::Catalog* catalog_;
};

}  // namespace cairn::console
