// The item formats of DynamoDB's S3 exports and imports, one item per line:
//   DYNAMODB_JSON  {"Item":{"pk":{"S":"a"},"n":{"N":"1.5"}}}
//   ION            $ion_1_0 {Item:{pk:"a",n:1.5}}   (Amazon Ion text)
//   CSV            a,1.5   (imports only; every value a string but the keys, see CsvReader)
//
// Ion as DynamoDB writes it: S a string, N a decimal (`1.5`, `103.`, `1.5d3`), B a blob
// ({{base64}}), BOOL a bool, NULL `null`, M a struct, L a list, and the sets as annotated lists:
// $dynamodb_SS::["a"], $dynamodb_NS::[1.], $dynamodb_BS::[{{YQ==}}]. Field names are symbols,
// quoted ('...') unless they are identifiers. The reader takes that and what other Ion writers
// produce for these shapes: ints and floats as N, "..." or '''...''' strings, quoted symbols,
// `null.<type>` as NULL, comments, and a missing or repeated $ion_1_0 marker.
//
// Errors: a line that is not an item is Status::InvalidArgument with a message naming what is
// wrong (an import counts it in ErrorCount and goes on). The DynamoDB JSON reader uses
// protocol/attribute_json.h and turns its ApiException into that status (src/README.md, "Errors").
// Stateless functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "types/attribute_value.h"
#include "util/status.h"

namespace cairn::transfer {

enum class ItemFormat : uint8_t { kDynamoDbJson, kIon, kCsv };

// Appends one line (with its '\n') holding `item` in `format` (kDynamoDbJson or kIon).
void AppendItemLine(ItemFormat format, const Item& item, std::string* out);

// Appends one line of an INCREMENTAL_EXPORT: an item's net change in the export's period, as AWS
// writes it (images present only when given: a new item has no OldImage, a deleted one no
// NewImage, and the NEW_IMAGE view never has an OldImage):
//   DYNAMODB_JSON  {"Metadata":{"WriteTimestampMicros":{"N":"<us>"}},"Keys":{...},
//                   "OldImage":{...},"NewImage":{...}}
//   ION            $ion_1_0 {Metadata:{WriteTimestampMicros:<us>},Keys:{...},OldImage:{...},
//                   NewImage:{...}}
void AppendChangeLine(ItemFormat format, uint64_t write_timestamp_us, const Item& keys,
                      const Item* old_image, const Item* new_image, std::string* out);

// Reads one line of an export in DYNAMODB_JSON ({"Item":{...}}) or ION ([$ion_1_0] {Item:{...}}).
Result<Item> ParseDynamoDbJsonLine(std::string_view line);
Result<Item> ParseIonLine(std::string_view line);

// CSV as DynamoDB imports it: `delimiter` between fields, fields optionally in double quotes ("" a
// quote inside), a record per line (a quoted field may span lines). Without a header list, each
// file's first record is its header. Every value becomes an S, except the attributes named in
// `typed` (the key attributes of the table and its GSIs, with their AttributeDefinitions type),
// which are typed; an empty field is left out of the item.
class CsvReader {
 public:
  struct Typed {
    std::string name;
    AttributeType type;
  };
  CsvReader(char delimiter, std::vector<std::string> header, std::vector<Typed> typed)
      : delimiter_(delimiter), header_(std::move(header)), typed_(std::move(typed)) {}

  // Splits a file's bytes into records (each a vector of fields); a record ends at a newline
  // outside quotes. InvalidArgument for an unterminated quote (it ends the file).
  static std::vector<std::vector<std::string>> Records(std::string_view data, char delimiter,
                                                       Status* unterminated);

  // The item of one record, against `header` (a record with another field count is an error).
  Result<Item> ToItem(const std::vector<std::string>& record,
                      const std::vector<std::string>& header) const;

  char delimiter() const { return delimiter_; }
  const std::vector<std::string>& header() const { return header_; }

 private:
  char delimiter_;
  std::vector<std::string> header_;  // empty: each file's first record
  std::vector<Typed> typed_;
};

}  // namespace cairn::transfer
