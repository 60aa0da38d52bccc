// JsonWriter: appends JSON text to a std::string, with full string escaping.
// simdjson has no writer and DynamoDB's response shapes are few, so responses are written directly.
// Invariant: the caller nests Begin/End calls correctly; Key() is followed by exactly one value.
// Commas are inserted automatically. Not thread-safe; one writer per response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::protocol {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Sep(); out_->push_back('{'); first_.push_back(true); }
  void EndObject() { out_->push_back('}'); first_.pop_back(); }
  void BeginArray() { Sep(); out_->push_back('['); first_.push_back(true); }
  void EndArray() { out_->push_back(']'); first_.pop_back(); }

  void Key(std::string_view k) {
    Sep();
    AppendQuoted(k);
    out_->push_back(':');
    after_key_ = true;
  }
  void String(std::string_view s) { Sep(); AppendQuoted(s); }
  // A binary value as DynamoDB writes it: its base64 text as a JSON string.
  void Base64(std::string_view raw) { Sep(); AppendBase64(out_, raw); }
  void Int(int64_t v) { Sep(); out_->append(std::to_string(v)); }
  void UInt(uint64_t v) { Sep(); out_->append(std::to_string(v)); }
  void Double(double v);
  void Bool(bool v) { Sep(); out_->append(v ? "true" : "false"); }
  void Null() { Sep(); out_->append("null"); }
  // Appends already-encoded JSON as one value.
  void Raw(std::string_view json) { Sep(); out_->append(json); }
  // For a value the caller encodes itself, in place: writes the separator and returns the string,
  // to which the caller appends exactly one complete JSON value.
  std::string* RawValue() { Sep(); return out_; }

  // Convenience: "k": "v"
  void KV(std::string_view k, std::string_view v) { Key(k); String(v); }

  std::string* out() { return out_; }

  // Appends s as a JSON string literal (with quotes) to out.
  static void AppendQuoted(std::string* out, std::string_view s);
  // The same literal written at p, which has room for QuotedBound(s.size()) bytes (every byte may
  // become a 6-byte \u00XX escape); returns the end of what it wrote.
  static char* WriteQuoted(char* p, std::string_view s);
  static constexpr size_t QuotedBound(size_t n) { return 6 * n + 2; }
  // Appends the base64 text of raw, quoted, to out (the base64 alphabet needs no escaping).
  static void AppendBase64(std::string* out, std::string_view raw);

 private:
  void AppendQuoted(std::string_view s) { AppendQuoted(out_, s); }
  void Sep() {
    if (after_key_) { after_key_ = false; return; }
    if (first_.empty()) return;
    if (first_.back()) first_.back() = false;
    else out_->push_back(',');
  }

  std::string* out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace cairn::protocol
