// Plan: a parsed PartiQL statement mapped onto the DynamoDB operation that runs it, as DynamoDB
// decides: a SELECT whose WHERE is exactly equality on the table's whole primary key is a GetItem;
// one with equality on the (table's or index's) partition key is a Query, a sort-key condition
// (=, <, <=, >, >=, BETWEEN, begins_with) becoming part of the key condition and the rest a filter;
// one that names several partition keys (`pk IN [a, b]`, `pk = a OR pk = b`), or several sort keys
// of its partitions (`sk IN [...]`, without ORDER BY), is one such Query per key, in the order
// written, duplicates dropped (Plan::key_reads): it reads those keys and never scans the table;
// anything else is a Scan with the whole WHERE as its filter. A set of one key (`pk IN [a]`) is an
// equality. INSERT is a PutItem conditioned on the
// key not existing; UPDATE an UpdateItem conditioned on the item existing; DELETE a DeleteItem;
// [NOT] EXISTS(SELECT ...) a transaction's ConditionCheck. UPDATE, DELETE and EXISTS need equality
// on every key attribute; the rest of their WHERE becomes the condition.
// The plan carries the operation's request members as DynamoDB expressions, with every attribute
// name as a #placeholder and every value (literal or bound parameter) as a :placeholder, so the
// operation validates and evaluates them exactly as it does for the JSON API.
// Errors: Status::InvalidArgument with DynamoDB's ValidationException message (parameter count,
// missing key equality, constructs DynamoDB refuses). Stateless functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "partiql/ast.h"
#include "protocol/json_writer.h"
#include "util/status.h"

namespace cairn::partiql {

// The key attribute names of a table or an index (a GSI may have several of each).
struct KeyNames {
  std::vector<std::string> hash;
  std::vector<std::string> range;
};

// A bound parameter: its type ("S", "N", "L", ...) and the whole AttributeValue as compact JSON,
// {"<type>":<value>} with no whitespace.
struct Parameter {
  std::string type;
  std::string json;
};

enum class Operation : uint8_t {
  kGetItem, kQuery, kScan, kPutItem, kUpdateItem, kDeleteItem, kConditionCheck
};

struct Plan {
  Operation operation = Operation::kScan;
  std::string table;
  std::optional<std::string> index;
  std::string key;            // GetItem, UpdateItem, DeleteItem, ConditionCheck: JSON object
  std::string item;           // PutItem: JSON object
  std::string key_condition;  // Query
  std::string condition;      // Query, Scan: the filter; writes: the condition
  std::string update;         // UpdateItem
  std::string projection;
  std::vector<std::pair<std::string, std::string>> names;   // #placeholder -> name
  std::vector<std::pair<std::string, std::string>> values;  // :placeholder -> AttributeValue JSON
  bool scan_index_forward = true;
  std::string return_values;  // "ALL_OLD", "UPDATED_NEW", ... or empty
  bool insert = false;        // an INSERT: its failed condition is DuplicateItemException
  // A Query per key (with two reads or more): the key condition's values `key_placeholders`
  // (the partition key's, then the sort key's when it has several; in `values`, bound to the
  // first read's) take each read's values in turn. Each key_reads entry has one value per
  // placeholder.
  std::vector<std::string> key_placeholders;
  std::vector<std::vector<std::string>> key_reads;

  bool multi_key() const { return key_reads.size() > 1; }
  // The Query of the i-th read. REQUIRES: i < key_reads.size().
  Plan ForKeyRead(size_t i) const;

  bool is_read() const {
    return operation == Operation::kGetItem || operation == Operation::kQuery ||
           operation == Operation::kScan;
  }
};

// `index_key` is the key of the index a SELECT names (nullptr otherwise).
Result<Plan> PlanStatement(const Statement& statement, const std::vector<Parameter>& parameters,
                           const KeyNames& table_key, const KeyNames* index_key);

// Writes the plan's members of its operation's request (TableName, IndexName, Key, Item,
// KeyConditionExpression, FilterExpression or ConditionExpression, UpdateExpression,
// ProjectionExpression, ExpressionAttributeNames and -Values when not empty, ScanIndexForward,
// ReturnValues) into an object the caller has opened.
void WriteRequestMembers(const Plan& plan, protocol::JsonWriter& w);

// DynamoDB's message when the parameters do not match the statement's placeholders.
inline constexpr char kParameterCountMessage[] =
    "Number of parameters in request and statement don't match.";
// DynamoDB's message for an UPDATE, DELETE or EXISTS without equality on the whole key.
inline constexpr char kKeyEqualityMessage[] =
    "Where clause does not contain a mandatory equality on all key attributes";
// A SET value with more than one + or - (an UpdateItem's value has at most one).
inline constexpr char kArithmeticMessage[] = "A SET value may hold only one + or - operation";
// ORDER BY needs a WHERE with the partition key's equality (a Query).
inline constexpr char kOrderByMessage[] =
    "Must have WHERE clause in the statement when using ORDER BY clause.";

}  // namespace cairn::partiql
