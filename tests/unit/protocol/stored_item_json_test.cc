// WriteStoredItem must write exactly what decoding and re-encoding writes, and measure the same
// DynamoDB size, for every attribute type; corrupt bytes are an error, never a crash.
#include "protocol/stored_item_json.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cairn::protocol
