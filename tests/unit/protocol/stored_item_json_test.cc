// WriteStoredItem must write exactly what decoding and re-encoding writes, and measure the same
// DynamoDB size, for every attribute type; corrupt bytes are an error, never a crash.
#include "protocol/stored_item_json.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "protocol/attribute_json.h"
#include "types/binary_codec.h"

namespace cairn::protocol {
namespace {

Item Sample() {
  Item item;
  item["s"] = AttributeValue::String("a \"quoted\"\n\x01 string");
  item["n"] = AttributeValue::Num("-12.5");
  item["b"] = AttributeValue::Binary(std::string("\x00\xff\x10", 3));
  item["t"] = AttributeValue::Bool(true);
  item["f"] = AttributeValue::Bool(false);
  item["z"] = AttributeValue::Null();
  item["ss"] = AttributeValue::Set(AttributeType::kSS, {"x", "y"});
  item["ns"] = AttributeValue::Set(AttributeType::kNS, {"1", "100000", "0.001"});
  item["bs"] = AttributeValue::Set(AttributeType::kBS, {"\x01", std::string("\x00", 1)});
  AttributeMap inner;
  inner["deep"] = AttributeValue::List({AttributeValue::Num("7"), AttributeValue::String("")});
  inner["e"] = AttributeValue::Map({});
  item["m"] = AttributeValue::Map(inner);
  item["l"] = AttributeValue::List({AttributeValue::Map(inner), AttributeValue::Null()});
  return item;
}

TEST(StoredJsonTest, MatchesDecodeThenEncode) {
  Item item = Sample();
  std::string stored;
  cairn::EncodeItem(item, &stored);

  std::string expected;
  JsonWriter we(&expected);
  WriteItemJson(we, item);

  std::string direct;
  JsonWriter wd(&direct);
  auto size = WriteStoredItem(stored, wd);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(direct, expected);
  EXPECT_EQ(*size, ItemSize(item));
  // Both writers share JsonWriter's base64 and scalar code, so the comparison alone would not see
  // a fault in it: the binary values, and a scalar in a list, as DynamoDB writes them.
  EXPECT_NE(direct.find(R"("b":{"B":"AP8Q"})"), std::string::npos) << direct;
  EXPECT_NE(direct.find(R"("bs":{"BS":["AQ==","AA=="]})"), std::string::npos) << direct;
  EXPECT_NE(direct.find(R"({"deep":{"L":[{"N":"7"},{"S":""}]})"), std::string::npos) << direct;
}

// Items written one after another into a response, as Query and Scan write them: the separators
// and the text around them are the writer's, the items' JSON is the transcoder's.
TEST(StoredJsonTest, SeveralItemsInOneResponse) {
  std::vector<Item> items = {Sample(), Item{}, Sample()};
  items[1]["k"] = AttributeValue::String("v");
  std::string direct, expected;
  JsonWriter wd(&direct), we(&expected);
  for (JsonWriter* w : {&wd, &we}) {
    w->BeginObject();
    w->Key("Items");
    w->BeginArray();
  }
  for (const Item& item : items) {
    std::string stored;
    EncodeItem(item, &stored);
    ASSERT_TRUE(WriteStoredItem(stored, wd).ok());
    WriteItemJson(we, item);
  }
  for (JsonWriter* w : {&wd, &we}) {
    w->EndArray();
    w->Key("Count");
    w->Int(3);
    w->EndObject();
  }
  EXPECT_EQ(direct, expected);
  EXPECT_NE(direct.find(R"(},{"k":{"S":"v"}},{)"), std::string::npos) << direct;
}

// Output far larger than the stored bytes suggest (every byte escaped to \u00XX, 1,000 NULLs of
// one stored byte each): the output grows as often as it must and loses nothing.
TEST(StoredJsonTest, GrowsPastItsEstimate) {
  Item item;
  item["ctl"] = AttributeValue::String(std::string(100000, '\x01'));
  item["nulls"] = AttributeValue::List(std::vector<AttributeValue>(1000, AttributeValue::Null()));
  std::string stored;
  EncodeItem(item, &stored);
  std::string direct = "prefix";
  JsonWriter wd(&direct);
  Result<size_t> size = WriteStoredItem(stored, wd);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, ItemSize(item));
  std::string expected = "prefix";
  JsonWriter we(&expected);
  WriteItemJson(we, item);
  EXPECT_EQ(direct, expected);
  EXPECT_GT(direct.size(), 6 * 100000u);
}

TEST(StoredJsonTest, EmptyItem) {
  std::string stored;
  cairn::EncodeItem(Item(), &stored);
  std::string out;
  JsonWriter w(&out);
  auto size = WriteStoredItem(stored, w);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(out, "{}");
  EXPECT_EQ(*size, 0u);
}

TEST(StoredJsonTest, CorruptBytesAreAnError) {
  std::string stored;
  cairn::EncodeItem(Sample(), &stored);
  for (size_t cut = 0; cut < stored.size(); ++cut) {
    std::string out;
    JsonWriter w(&out);
    EXPECT_FALSE(WriteStoredItem(std::string_view(stored).substr(0, cut), w).ok()) << cut;
  }
  std::string bad = stored;
  bad[0] = 9;  // unknown version
  std::string out;
  JsonWriter w(&out);
  EXPECT_FALSE(WriteStoredItem(bad, w).ok());
}

// The property: on any bytes, WriteStoredItem fails exactly when DecodeItem fails, with the same
// Status; when both succeed, the JSON is WriteItemJson of the decoded item and the size is its
// ItemSize. Returns whether the bytes were accepted.
bool ExpectSameAsDecode(std::string_view bytes, const std::string& what) {
  Result<Item> decoded = DecodeItem(bytes);
  std::string direct;
  JsonWriter wd(&direct);
  Result<size_t> size = WriteStoredItem(bytes, wd);
  EXPECT_EQ(size.ok(), decoded.ok()) << what << ": DecodeItem says " << decoded.status().ToString()
                                     << ", WriteStoredItem says " << size.status().ToString();
  if (!decoded.ok() || !size.ok()) {
    EXPECT_EQ(size.status().code(), Status::Code::kCorruption) << what;
    EXPECT_EQ(size.status().ToString(), decoded.status().ToString()) << what;
    return false;
  }
  std::string expected;
  JsonWriter we(&expected);
  WriteItemJson(we, *decoded);
  EXPECT_EQ(direct, expected) << what;
  EXPECT_EQ(*size, ItemSize(*decoded)) << what;
  return true;
}

// Random items of every type, nested a few levels; names and strings include bytes that need JSON
// escaping, 0x00, invalid UTF-8, and lengths that take two varint bytes.
class RandomItems {
 public:
  explicit RandomItems(uint32_t seed) : rng_(seed) {}

  Item Next() { return RandomMap(0); }

 private:
  size_t Below(size_t n) { return static_cast<size_t>(rng_() % n); }

  std::string RandomBytes() {
    static constexpr std::string_view kAlphabet("ab\"\\\n\x00\x01\x1f\x7f\x80\xc3\xa9\xff", 13);
    const size_t len = Below(8) == 0 ? 120 + Below(200) : Below(6);
    std::string out;
    for (size_t i = 0; i < len; ++i) {
      out.push_back(Below(3) == 0 ? static_cast<char>(rng_()) : kAlphabet[Below(kAlphabet.size())]);
    }
    return out;
  }

  std::string RandomNumber() {
    // Canonical texts, and a few that are not (NumberSize must still agree on them).
    static constexpr std::string_view kNumbers[] = {
        "0",
        "7",
        "-12.5",
        "0.001",
        "100000",
        "-0.000000001",
        "3.14159",
        "-1",
        "99999999999999999999999999999999999999",  // 38 digits
        "1E+2",
        "12e-3",
        "0.10000000",
        "1.5E-130",
    };
    return std::string(kNumbers[Below(std::size(kNumbers))]);
  }

  AttributeMap RandomMap(int depth) {
    AttributeMap m;
    const size_t n = Below(depth == 0 ? 7 : 4);
    for (size_t i = 0; i < n; ++i) m[RandomBytes()] = RandomValue(depth);
    return m;
  }

  AttributeValue RandomValue(int depth) {
    const size_t kinds = depth < 3 ? 10 : 8;  // no L or M below three levels
    switch (Below(kinds)) {
      case 0:
        return AttributeValue::String(RandomBytes());
      case 1:
        return AttributeValue::Num(RandomNumber());
      case 2:
        return AttributeValue::Binary(RandomBytes());
      case 3:
        return AttributeValue::Bool(Below(2) == 0);
      case 4:
        return AttributeValue::Null();
      case 5:
      case 6:
      case 7: {
        const AttributeType type = Below(3) == 0   ? AttributeType::kSS
                                   : Below(2) == 0 ? AttributeType::kNS
                                                   : AttributeType::kBS;
        std::vector<std::string> members;
        for (size_t i = 0, n = 1 + Below(3); i < n; ++i) {
          members.push_back(type == AttributeType::kNS ? RandomNumber() : RandomBytes());
        }
        return AttributeValue::Set(type, std::move(members));
      }
      case 8: {
        std::vector<AttributeValue> list;
        for (size_t i = 0, n = Below(4); i < n; ++i) list.push_back(RandomValue(depth + 1));
        return AttributeValue::List(std::move(list));
      }
      default:
        return AttributeValue::Map(RandomMap(depth + 1));
    }
  }

  std::mt19937 rng_;
};

TEST(StoredJsonTest, AcceptsAndRejectsExactlyWhatDecodeItemDoes) {
  RandomItems items(13);
  std::mt19937 rng(7);
  int accepted = 0;
  int rejected = 0;
  auto check = [&](std::string_view bytes, const std::string& what) {
    (ExpectSameAsDecode(bytes, what) ? accepted : rejected)++;
  };
  for (int n = 0; n < 100 && !::testing::Test::HasFailure(); ++n) {
    const Item item = items.Next();
    std::string stored;
    EncodeItem(item, &stored);
    const std::string id = "item " + std::to_string(n);
    ASSERT_TRUE(ExpectSameAsDecode(stored, id));

    for (size_t cut = 0; cut < stored.size(); ++cut) {
      check(std::string_view(stored).substr(0, cut), id + " cut at " + std::to_string(cut));
    }
    check(stored + '\0', id + " with a trailing byte");
    for (size_t i = 0; i < stored.size(); ++i) {
      const std::string at = id + " at " + std::to_string(i);
      std::string bad = stored;
      // A type byte out of range (or, elsewhere, some other corruption).
      for (int b : {10, 0x7f, 0xff}) {
        bad[i] = static_cast<char>(b);
        check(bad, at + " set to " + std::to_string(b));
      }
      // The one-byte varint that may start here, written non-minimally (b | 0x80, 0x00).
      const auto byte = static_cast<unsigned char>(stored[i]);
      if (byte < 0x80) {
        bad = stored;
        bad[i] = static_cast<char>(byte | 0x80);
        bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(i) + 1, '\0');
        check(bad, at + " non-minimal");
      }
      // Varints of 10 and 11 bytes spliced in: too large for 64 bits, or too long.
      for (std::string_view splice :
           {std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"),
            std::string_view("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01")}) {
        bad = stored;
        bad.replace(i, 1, splice);
        check(bad, at + " long varint");
      }
    }
    for (int flip = 0; flip < 200; ++flip) {
      std::string bad = stored;
      for (int f = 0, flips = 1 + static_cast<int>(rng() % 3); f < flips; ++f) {
        bad[rng() % bad.size()] ^= static_cast<char>(1u << (rng() % 8));
      }
      check(bad, id + " flipped bits, round " + std::to_string(flip));
    }
  }
  // Both outcomes occurred often: the property was not checked on one side only.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(rejected, 10000);
}

TEST(StoredJsonTest, NestingBoundIsDecodeItemsBound) {
  // {"a": ...} with `levels` L and M values nested, alternating, the innermost of type `innermost`
  // and either empty or holding a string.
  auto nested = [](int levels, AttributeType innermost, bool empty) {
    AttributeValue v = AttributeValue::String("x");
    for (int i = 0; i < levels; ++i) {
      const bool is_list = (i % 2 == 0) == (innermost == AttributeType::kL);
      if (i == 0 && empty) {
        v = is_list ? AttributeValue::List({}) : AttributeValue::Map({});
      } else if (is_list) {
        v = AttributeValue::List({std::move(v)});
      } else {
        v = AttributeValue::Map({{"k", std::move(v)}});
      }
    }
    Item item;
    item["a"] = std::move(v);
    std::string bytes;
    EncodeItem(item, &bytes);
    return bytes;
  };
  for (int levels : {1, 2, kMaxStoredNesting - 1, kMaxStoredNesting, kMaxStoredNesting + 1, 200}) {
    for (AttributeType innermost : {AttributeType::kL, AttributeType::kM}) {
      for (bool empty : {false, true}) {
        const std::string what = std::to_string(levels) + " levels, innermost " +
                                 std::string(TypeName(innermost)) + (empty ? ", empty" : "");
        EXPECT_EQ(ExpectSameAsDecode(nested(levels, innermost, empty), what),
                  levels <= kMaxStoredNesting)
            << what;
      }
    }
  }
}

TEST(StoredJsonTest, HandWrittenCorruptions) {
  // 0x61 is "a", 0x62 "b".
  const std::string_view cases[] = {
      std::string_view("", 0),
      std::string_view("\x02\x00", 2),                              // unknown version
      std::string_view("\x01", 1),                                  // no count
      std::string_view("\x01\x00\x00", 3),                          // trailing byte
      std::string_view("\x01\x01\x01\x61\x0a", 5),                  // type 10
      std::string_view("\x01\x01\x01\x61\x03\x02", 6),              // BOOL 2
      std::string_view("\x01\x01\x01\x61\x00\x05\x61\x62", 7),      // length > input
      std::string_view("\x01\x01\x01\x61\x01\x00", 6),              // empty N
      std::string_view("\x01\x7f", 2),                              // count > input
      std::string_view("\x01\x02\x01\x61\x04", 5),                  // count > input / 2
      std::string_view("\x01\x80\x00", 3),                          // non-minimal varint
      std::string_view("\x01\x02\x01\x62\x04\x01\x61\x04", 8),      // names out of order
      std::string_view("\x01\x02\x01\x61\x04\x01\x61\x04", 8),      // duplicate names
      std::string_view("\x01\x01\x01\x61\x06\x02\x04", 7),          // L count > elements
      std::string_view("\x01\x01\x01\x61\x07\x01\x05\x61\x62", 8),  // SS member too long
  };
  for (std::string_view bytes : cases) {
    EXPECT_FALSE(ExpectSameAsDecode(bytes, "case of " + std::to_string(bytes.size()) + " bytes"));
  }
  // Accepted by both: an empty name, an empty set, a NULL.
  EXPECT_TRUE(ExpectSameAsDecode(std::string_view("\x01\x02\x00\x04\x01\x62\x07\x00", 8), "ok"));
}

}  // namespace
}  // namespace cairn::protocol

namespace cairn::protocol {
namespace {

// The escaping fast path skips 8 clean bytes at a time: every position of a special character,
// and UTF-8 bytes above 0x7f, must still come out right.
TEST(JsonWriterTest, EscapesAtEveryPosition) {
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (size_t pos = 0; pos < 20; ++pos) {
      std::string s(20, 'a');
      s[pos] = special;
      s += "\xc3\xa9";  // é
      std::string out;
      JsonWriter::AppendQuoted(&out, s);
      std::string expected = "\"";
      expected.append(pos, 'a');
      switch (special) {
        case '"': expected += "\\\""; break;
        case '\\': expected += "\\\\"; break;
        case '\n': expected += "\\n"; break;
        case '\x01': expected += "\\u0001"; break;
        default: expected += "\\u001f"; break;
      }
      expected.append(19 - pos, 'a');
      expected.append("\xc3\xa9\"");
      EXPECT_EQ(out, expected) << int(special) << " at " << pos;
    }
  }
  std::string in(64, ' ');
  in.append("\x7f~");
  std::string out;
  JsonWriter::AppendQuoted(&out, in);
  EXPECT_EQ(out, "\"" + in + "\"");
}

// The scan goes 16 bytes at a time (SSE2), then 8 (SWAR), then byte by byte: strings of every
// length up to 40 with up to two special characters at every pair of positions, bytes above 0x7f
// (signed chars to a byte compare) and 0x20 and 0x7f beside them, appended after what `out`
// already holds, against a byte-by-byte reference.
TEST(JsonWriterTest, ScanAgreesWithByteByByteEscaping) {
  auto reference = [](std::string_view s) {
    std::string r = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"': r += "\\\""; break;
        case '\\': r += "\\\\"; break;
        case '\n': r += "\\n"; break;
        case '\r': r += "\\r"; break;
        case '\t': r += "\\t"; break;
        case '\b': r += "\\b"; break;
        case '\f': r += "\\f"; break;
        default:
          if (c < 0x20) {
            char esc[7];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            r += esc;
          } else {
            r.push_back(static_cast<char>(c));
          }
      }
    }
    return r + "\"";
  };
  const std::string fill = "ab \x7f\x80\xff\xc3\xa9~ ";  // none of them is escaped
  size_t checked = 0;
  for (size_t len = 0; len <= 40; ++len) {
    std::string base;
    for (size_t k = 0; k < len; ++k) base.push_back(fill[k % fill.size()]);
    EXPECT_EQ([&] { std::string o = "x"; JsonWriter::AppendQuoted(&o, base); return o; }(),
              "x" + reference(base)) << "clean, length " << len;
    for (char special : {'"', '\\', '\x00', '\x1f', '\t'}) {
      for (size_t a = 0; a < len; ++a) {
        for (size_t b = a; b < len; b += 7) {
          std::string s = base;
          s[a] = special;
          s[b] = '\n';
          std::string out = "prefix";
          JsonWriter::AppendQuoted(&out, s);
          ASSERT_EQ(out, "prefix" + reference(s)) << "length " << len << ", at " << a << ", " << b;
          // The same literal written at a pointer, within its bound.
          std::string raw(JsonWriter::QuotedBound(s.size()), '?');
          raw.resize(static_cast<size_t>(JsonWriter::WriteQuoted(raw.data(), s) - raw.data()));
          ASSERT_EQ(raw, reference(s)) << "WriteQuoted, length " << len << ", at " << a;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 1000u);
}

}  // namespace
}  // namespace cairn::protocol
