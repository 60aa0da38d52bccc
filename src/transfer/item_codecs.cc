// The export/import line formats: see item_codecs.h.
#include "transfer/item_codecs.h"

#include <simdjson.h>

#include <cctype>
#include <cstdio>

#include "protocol/attribute_json.h"
#include "protocol/errors.h"
#include "protocol/json_writer.h"
#include "types/base64.h"
#include "types/number.h"

namespace cairn::transfer {
using protocol::JsonWriter;
namespace {

// ---- Ion text writer ----

void AppendIonString(std::string_view s, char quote, std::string* out) {
  out->push_back(quote);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));  // UTF-8 passes as is
    }
  }
  out->push_back(quote);
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s == "true" || s == "false" || s == "null" || s == "nan") return false;
  if (std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c == '$')) return false;
  return true;
}

void AppendIonSymbol(std::string_view s, std::string* out) {
  if (IsIdentifier(s))
    out->append(s);
  else
    AppendIonString(s, '\'', out);
}

// A Number's canonical text as an Ion decimal: "1.5" stays, "103" becomes "103.", "1.5E+7"
// becomes "1.5d+7" (an 'e' would make it an Ion float).
void AppendIonDecimal(std::string_view n, std::string* out) {
  size_t e = n.find_first_of("eE");
  if (e != std::string_view::npos) {
    out->append(n.substr(0, e));
    out->push_back('d');
    out->append(n.substr(e + 1));
  } else {
    out->append(n);
    if (n.find('.') == std::string_view::npos) out->push_back('.');
  }
}

void AppendIonBlob(std::string_view raw, std::string* out) {
  out->append("{{");
  Base64Encode(raw, out);
  out->append("}}");
}

void AppendIonValue(const AttributeValue& v, std::string* out) {
  switch (v.type) {
    case AttributeType::kS: AppendIonString(v.s, '"', out); return;
    case AttributeType::kN: AppendIonDecimal(v.s, out); return;
    case AttributeType::kB: AppendIonBlob(v.s, out); return;
    case AttributeType::kBOOL: out->append(v.boolean ? "true" : "false"); return;
    case AttributeType::kNULL: out->append("null"); return;
    case AttributeType::kM: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, x] : v.map) {
        if (!first) out->push_back(',');
        first = false;
        AppendIonSymbol(k, out);
        out->push_back(':');
        AppendIonValue(x, out);
      }
      out->push_back('}');
      return;
    }
    case AttributeType::kL: {
      out->push_back('[');
      for (size_t i = 0; i < v.list.size(); ++i) {
        if (i) out->push_back(',');
        AppendIonValue(v.list[i], out);
      }
      out->push_back(']');
      return;
    }
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS: {
      out->append(v.type == AttributeType::kSS   ? "$dynamodb_SS::["
                  : v.type == AttributeType::kNS ? "$dynamodb_NS::["
                                                 : "$dynamodb_BS::[");
      for (size_t i = 0; i < v.set.size(); ++i) {
        if (i) out->push_back(',');
        if (v.type == AttributeType::kSS) AppendIonString(v.set[i], '"', out);
        if (v.type == AttributeType::kNS) AppendIonDecimal(v.set[i], out);
        if (v.type == AttributeType::kBS) AppendIonBlob(v.set[i], out);
      }
      out->push_back(']');
      return;
    }
  }
}

// ---- Ion text reader (the subset that holds items) ----

class IonReader {
 public:
  explicit IonReader(std::string_view in) : in_(in) {}

  Result<Item> Line() {
    SkipSpace();
    // Version markers may precede the value (and repeat).
    while (in_.substr(pos_, 8) == "$ion_1_0") {
      pos_ += 8;
      SkipSpace();
    }
    if (!Peek('{')) return Fail("expected a struct {Item:{...}}");
    ++pos_;
    std::optional<Item> item;
    for (;;) {
      SkipSpace();
      if (Peek('}')) {
        ++pos_;
        break;
      }
      std::string name;
      if (!FieldName(&name)) return Fail("expected a field name");
      SkipSpace();
      if (!Peek(':')) return Fail("expected ':'");
      ++pos_;
      AttributeValue v;
      if (!Value(&v, 0)) return Fail(error_.empty() ? "bad value" : error_);
      if (name == "Item") {
        if (v.type != AttributeType::kM) return Fail("Item is not a struct");
        item = std::move(v.map);
      }
      SkipSpace();
      if (Peek(',')) ++pos_;
    }
    SkipSpace();
    if (pos_ != in_.size()) return Fail("text after the item");
    if (!item) return Fail("no Item field");
    return std::move(*item);
  }

 private:
  Status Fail(std::string what) const {
    return Status::InvalidArgument("Ion: " + what + " at column " + std::to_string(pos_ + 1));
  }
  bool Peek(char c) const { return pos_ < in_.size() && in_[pos_] == c; }
  void SkipSpace() {
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (in_.substr(pos_, 2) == "//") {
        while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
      } else if (in_.substr(pos_, 2) == "/*") {
        size_t end = in_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? in_.size() : end + 2;
      } else {
        return;
      }
    }
  }
  bool Identifier(std::string* out) {
    size_t start = pos_;
    while (pos_ < in_.size() && (std::isalnum(static_cast<unsigned char>(in_[pos_])) ||
                                 in_[pos_] == '_' || in_[pos_] == '$'))
      ++pos_;
    if (pos_ == start) return false;
    out->assign(in_.substr(start, pos_ - start));
    return true;
  }
  // A "..." or '...' string body (pos_ at the quote); escapes as Ion has them.
  bool Quoted(char quote, std::string* out) {
    ++pos_;
    while (pos_ < in_.size() && in_[pos_] != quote) {
      char c = in_[pos_++];
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= in_.size()) return false;
      char e = in_[pos_++];
      switch (e) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case '0': out->push_back('\0'); break;
        case 'a': out->push_back('\a'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'v': out->push_back('\v'); break;
        case '\n': break;  // an escaped newline continues the string
        case 'x': case 'u': case 'U': {
          size_t len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (pos_ + len > in_.size()) return false;
          uint32_t cp = 0;
          for (size_t i = 0; i < len; ++i) {
            char h = in_[pos_++];
            if (!std::isxdigit(static_cast<unsigned char>(h))) return false;
            cp = cp * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h))
                                                     ? h - '0'
                                                     : (std::tolower(h) - 'a' + 10));
          }
          AppendUtf8(cp, out);
          break;
        }
        default: out->push_back(e);  // \" \' \\ \/ \?
      }
    }
    if (pos_ >= in_.size()) return false;
    ++pos_;
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  // A string: "..." or one or more adjacent '''...''' parts.
  bool String(std::string* out) {
    if (Peek('"')) return Quoted('"', out);
    bool any = false;
    while (in_.substr(pos_, 3) == "'''") {
      pos_ += 3;
      size_t end = pos_;
      // Find the closing ''' that is not escaped.
      std::string part;
      while (end < in_.size() && in_.substr(end, 3) != "'''") {
        if (in_[end] == '\\') ++end;
        ++end;
      }
      if (end >= in_.size()) return false;
      std::string body = "'" + std::string(in_.substr(pos_, end - pos_)) + "'";
      IonReader sub(body);
      if (!sub.Quoted('\'', &part)) return false;
      out->append(part);
      pos_ = end + 3;
      any = true;
      SkipSpace();
    }
    return any;
  }
  bool FieldName(std::string* out) {
    if (Peek('"')) return Quoted('"', out);
    if (in_.substr(pos_, 3) == "'''") return String(out);
    if (Peek('\'')) return Quoted('\'', out);
    return Identifier(out);
  }
  bool Blob(std::string* out) {
    pos_ += 2;
    size_t end = in_.find("}}", pos_);
    if (end == std::string_view::npos) return false;
    std::string text;
    for (char c : in_.substr(pos_, end - pos_))
      if (!std::isspace(static_cast<unsigned char>(c))) text.push_back(c);
    pos_ = end + 2;
    auto raw = Base64Decode(text);
    if (!raw.ok()) return false;
    *out = std::move(*raw);
    return true;
  }
  // An Ion int, decimal or float as a DynamoDB number's canonical text.
  bool NumberText(std::string* out) {
    size_t start = pos_;
    while (pos_ < in_.size() && (std::isalnum(static_cast<unsigned char>(in_[pos_])) ||
                                 in_[pos_] == '.' || in_[pos_] == '-' || in_[pos_] == '+' ||
                                 in_[pos_] == '_'))
      ++pos_;
    std::string t;
    for (char c : in_.substr(start, pos_ - start))
      if (c != '_') t.push_back(c == 'd' || c == 'D' ? 'E' : c);
    // "103." and "1.E5": a trailing point is Ion's decimal mark.
    size_t e = t.find_first_of("eE");
    std::string mantissa = t.substr(0, e);
    if (!mantissa.empty() && mantissa.back() == '.') mantissa.pop_back();
    if (e != std::string::npos) mantissa += t.substr(e);
    auto n = Number::Parse(mantissa);
    if (!n.ok()) {
      error_ = "bad number " + t;
      return false;
    }
    *out = n->ToString();
    return true;
  }
  bool Value(AttributeValue* v, int depth) {
    if (depth > 40) return false;
    SkipSpace();
    // Annotations: name::value (only the set markers mean something here).
    std::string annotation;
    for (;;) {
      size_t save = pos_;
      std::string sym;
      bool ok = Peek('\'') ? Quoted('\'', &sym) : Identifier(&sym);
      SkipSpace();
      if (ok && in_.substr(pos_, 2) == "::") {
        pos_ += 2;
        SkipSpace();
        annotation = sym;
        continue;
      }
      pos_ = save;
      break;
    }
    if (pos_ >= in_.size()) return false;
    char c = in_[pos_];
    if (in_.substr(pos_, 2) == "{{") {
      std::string raw;
      if (!Blob(&raw)) return false;
      *v = AttributeValue::Binary(std::move(raw));
      return true;
    }
    if (c == '{') {
      ++pos_;
      AttributeMap m;
      for (;;) {
        SkipSpace();
        if (Peek('}')) {
          ++pos_;
          break;
        }
        std::string name;
        if (!FieldName(&name)) return false;
        SkipSpace();
        if (!Peek(':')) return false;
        ++pos_;
        AttributeValue x;
        if (!Value(&x, depth + 1)) return false;
        m.insert_or_assign(std::move(name), std::move(x));
        SkipSpace();
        if (Peek(',')) ++pos_;
      }
      *v = AttributeValue::Map(std::move(m));
      return true;
    }
    if (c == '[') {
      ++pos_;
      std::vector<AttributeValue> items;
      for (;;) {
        SkipSpace();
        if (Peek(']')) {
          ++pos_;
          break;
        }
        AttributeValue x;
        if (!Value(&x, depth + 1)) return false;
        items.push_back(std::move(x));
        SkipSpace();
        if (Peek(',')) ++pos_;
      }
      AttributeType set_type;
      if (annotation == "$dynamodb_SS" || annotation == "$dynamodb_NS" ||
          annotation == "$dynamodb_BS") {
        set_type = annotation == "$dynamodb_SS"   ? AttributeType::kSS
                   : annotation == "$dynamodb_NS" ? AttributeType::kNS
                                                  : AttributeType::kBS;
        AttributeType member = set_type == AttributeType::kSS   ? AttributeType::kS
                               : set_type == AttributeType::kNS ? AttributeType::kN
                                                                : AttributeType::kB;
        std::vector<std::string> members;
        for (auto& x : items) {
          if (x.type != member) {
            error_ = "a member of " + annotation + " of another type";
            return false;
          }
          members.push_back(std::move(x.s));
        }
        if (members.empty()) {
          error_ = "an empty set";
          return false;
        }
        *v = AttributeValue::Set(set_type, std::move(members));
      } else {
        *v = AttributeValue::List(std::move(items));
      }
      return true;
    }
    if (c == '"' || in_.substr(pos_, 3) == "'''") {
      std::string s;
      if (!String(&s)) return false;
      *v = AttributeValue::String(std::move(s));
      return true;
    }
    if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) {
      std::string n;
      if (!NumberText(&n)) return false;
      *v = AttributeValue::Num(std::move(n));
      return true;
    }
    std::string word;
    if (!Identifier(&word)) return false;
    if (word == "true" || word == "false") {
      *v = AttributeValue::Bool(word == "true");
      return true;
    }
    if (word == "null") {
      if (Peek('.')) {  // null.string, null.struct ...: typed nulls are DynamoDB's NULL too
        ++pos_;
        std::string type;
        Identifier(&type);
      }
      *v = AttributeValue::Null();
      return true;
    }
    error_ = "unexpected '" + word + "'";
    return false;
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

void AppendItemLine(ItemFormat format, const Item& item, std::string* out) {
  if (format == ItemFormat::kIon) {
    out->append("$ion_1_0 {Item:");
    AppendIonValue(AttributeValue::Map(item), out);
    out->append("}\n");
    return;
  }
  JsonWriter w(out);
  w.BeginObject();
  w.Key("Item");
  protocol::WriteItemJson(w, item);
  w.EndObject();
  out->push_back('\n');
}

void AppendChangeLine(ItemFormat format, uint64_t write_timestamp_us, const Item& keys,
                      const Item* old_image, const Item* new_image, std::string* out) {
  const std::string micros = std::to_string(write_timestamp_us);
  if (format == ItemFormat::kIon) {
    out->append("$ion_1_0 {Metadata:{WriteTimestampMicros:" + micros + "},Keys:");
    AppendIonValue(AttributeValue::Map(keys), out);
    if (old_image) {
      out->append(",OldImage:");
      AppendIonValue(AttributeValue::Map(*old_image), out);
    }
    if (new_image) {
      out->append(",NewImage:");
      AppendIonValue(AttributeValue::Map(*new_image), out);
    }
    out->append("}\n");
    return;
  }
  JsonWriter w(out);
  w.BeginObject();
  w.Key("Metadata");
  w.BeginObject();
  w.Key("WriteTimestampMicros");
  w.BeginObject();
  w.KV("N", micros);
  w.EndObject();
  w.EndObject();
  w.Key("Keys");
  protocol::WriteItemJson(w, keys);
  if (old_image) {
    w.Key("OldImage");
    protocol::WriteItemJson(w, *old_image);
  }
  if (new_image) {
    w.Key("NewImage");
    protocol::WriteItemJson(w, *new_image);
  }
  w.EndObject();
  out->push_back('\n');
}

Result<Item> ParseDynamoDbJsonLine(std::string_view line) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(line.data(), line.size(), true).get(doc) != simdjson::SUCCESS)
    return Status::InvalidArgument("not JSON");
  simdjson::dom::object o;
  simdjson::dom::element item;
  if (doc.get(o) != simdjson::SUCCESS || o["Item"].get(item) != simdjson::SUCCESS ||
      !item.is_object())
    return Status::InvalidArgument("not an object {\"Item\":{...}}");
  try {
    return protocol::ItemFromJson(item);
  } catch (const protocol::ApiException& e) {  // re-routed: a line error, counted by the import
    return Status::InvalidArgument(e.error.message);
  }
}

Result<Item> ParseIonLine(std::string_view line) { return IonReader(line).Line(); }

std::vector<std::vector<std::string>> CsvReader::Records(std::string_view data, char delimiter,
                                                         Status* unterminated) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, in_quotes = false, any = false;
  size_t i = 0;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    quoted = false;
  };
  for (; i < data.size(); ++i) {
    char c = data[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < data.size() && data[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = any = true;
    } else if (c == delimiter) {
      end_field();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        end_field();
        records.push_back(std::move(record));
      }
      record.clear();
      any = false;
    } else {
      field.push_back(c);
      any = true;
    }
  }
  if (in_quotes) {
    *unterminated = Status::InvalidArgument("CSV: a quoted field is not terminated");
    return records;
  }
  if (any || !field.empty()) {
    end_field();
    records.push_back(std::move(record));
  }
  return records;
}

Result<Item> CsvReader::ToItem(const std::vector<std::string>& record,
                               const std::vector<std::string>& header) const {
  if (record.size() != header.size())
    return Status::InvalidArgument("CSV: " + std::to_string(record.size()) + " fields for " +
                                   std::to_string(header.size()) + " headers");
  Item item;
  for (size_t i = 0; i < record.size(); ++i) {
    if (record[i].empty()) continue;
    AttributeType type = AttributeType::kS;
    for (const auto& t : typed_)
      if (t.name == header[i]) type = t.type;
    if (type == AttributeType::kN) {
      auto n = Number::Parse(record[i]);
      if (!n.ok())
        return Status::InvalidArgument("CSV: " + header[i] + " is not a number: " + record[i]);
      item.insert_or_assign(header[i], AttributeValue::Num(n->ToString()));
    } else if (type == AttributeType::kB) {
      auto raw = Base64Decode(record[i]);
      if (!raw.ok()) return Status::InvalidArgument("CSV: " + header[i] + " is not base64");
      item.insert_or_assign(header[i], AttributeValue::Binary(std::move(*raw)));
    } else {
      item.insert_or_assign(header[i], AttributeValue::String(record[i]));
    }
  }
  return item;
}

}  // namespace cairn::transfer
