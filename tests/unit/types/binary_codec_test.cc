// Binary item codec: round trips of every type, nested; corrupt input is Status::Corruption and
// never a crash (this test runs under ASAN/UBSAN in the sanitizer build).
#include "types/binary_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace cairn {
namespace {

using AV = AttributeValue;

Item SampleItem() {
  Item item;
  item["pk"] = AV::String("user#1");
  item["empty"] = AV::String("");
  item["n"] = AV::Num("-123.45");
  item["b"] = AV::Binary(std::string("\0\xff\x80", 3));
  item["t"] = AV::Bool(true);
  item["f"] = AV::Bool(false);
  item["null"] = AV::Null();
  item["ss"] = AV::Set(AttributeType::kSS, {"z", "a", ""});
  item["ns"] = AV::Set(AttributeType::kNS, {"1", "0.5", "-7"});
  item["bs"] = AV::Set(AttributeType::kBS, {std::string("\0", 1), "xy"});
  item["l"] = AV::List({AV::Num("1"), AV::List({}), AV::Map({}),
                        AV::Map({{"deep", AV::List({AV::Set(AttributeType::kSS, {"q"})})}})});
  item["m"] = AV::Map({{"", AV::Null()},
                       {"s", AV::String(std::string(300, 'x'))},  // 2-byte varint length
                       {"m", AV::Map({{"b", AV::Binary("")}})}});
  item[std::string("\xc3\xa9\0k", 4)] = AV::Bool(false);
  return item;
}

// Exact member-wise equality (stronger than operator==: set order and number text too).
void ExpectIdentical(const AV& a, const AV& b) {
  ASSERT_EQ(a.type, b.type);
  EXPECT_EQ(a.s, b.s);
  if (a.type == AttributeType::kBOOL) {
    EXPECT_EQ(a.boolean, b.boolean);
  }
  EXPECT_EQ(a.set, b.set);
  ASSERT_EQ(a.list.size(), b.list.size());
  for (size_t i = 0; i < a.list.size(); ++i) ExpectIdentical(a.list[i], b.list[i]);
  ASSERT_EQ(a.map.size(), b.map.size());
  for (auto i = a.map.begin(), j = b.map.begin(); i != a.map.end(); ++i, ++j) {
    EXPECT_EQ(i->first, j->first);
    ExpectIdentical(i->second, j->second);
  }
}

TEST(BinaryCodecTest, RoundTripsAllTenTypesNested) {
  Item item = SampleItem();
  std::string bytes;
  EncodeItem(item, &bytes);
  EXPECT_EQ(bytes[0], '\x01');
  Result<Item> back = DecodeItem(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, item);
  ExpectIdentical(AV::Map(*back), AV::Map(item));
}

TEST(BinaryCodecTest, EncodeAppends) {
  std::string out = "prefix";
  EncodeItem(Item{}, &out);
  EXPECT_EQ(out, std::string("prefix\x01\x00", 8));
  Result<Item> back = DecodeItem(std::string_view(out).substr(6));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->empty());
}

TEST(BinaryCodecTest, KnownBytes) {
  Item item;
  item["a"] = AV::String("xy");
  item["b"] = AV::Bool(true);
  std::string bytes;
  EncodeItem(item, &bytes);
  // version, count 2, "a" S "xy", "b" BOOL 1
  EXPECT_EQ(bytes, std::string("\x01\x02\x01"
                               "a\x00\x02"
                               "xy\x01"
                               "b\x03\x01",
                               12));
}

TEST(BinaryCodecTest, RejectsCorruptInput) {
  auto code = [](std::string bytes) { return DecodeItem(bytes).status().code(); };
  const auto kCorrupt = Status::Code::kCorruption;
  EXPECT_EQ(code(""), kCorrupt);
  EXPECT_EQ(code(std::string("\x02\x00", 2)), kCorrupt);      // unknown version
  EXPECT_EQ(code("\x01"), kCorrupt);                          // no count
  EXPECT_EQ(code(std::string("\x01\x00\x00", 3)), kCorrupt);  // trailing byte
  EXPECT_EQ(code(std::string("\x01\x01\x01"
                             "a\x0a",
                             5)),
            kCorrupt);  // type 10
  EXPECT_EQ(code(std::string("\x01\x01\x01"
                             "a\x03\x02",
                             6)),
            kCorrupt);  // BOOL 2
  EXPECT_EQ(code(std::string("\x01\x01\x01"
                             "a\x00\x05"
                             "ab",
                             7)),
            kCorrupt);  // length > input
  EXPECT_EQ(code(std::string("\x01\x01\x01"
                             "a\x01\x00",
                             6)),
            kCorrupt);                                        // empty N
  EXPECT_EQ(code(std::string("\x01\x7f", 2)), kCorrupt);      // count > input
  EXPECT_EQ(code(std::string("\x01\x80\x00", 3)), kCorrupt);  // non-minimal varint
  EXPECT_EQ(code(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12)), kCorrupt);
  // Names out of order, and duplicate names.
  EXPECT_EQ(code(std::string("\x01\x02\x01"
                             "b\x04\x01"
                             "a\x04",
                             8)),
            kCorrupt);
  EXPECT_EQ(code(std::string("\x01\x02\x01"
                             "a\x04\x01"
                             "a\x04",
                             8)),
            kCorrupt);
  EXPECT_EQ(code(std::string("\x01\x02\x01"
                             "a\x04\x01"
                             "b\x04",
                             8)),
            Status::Code::kOk);
}

TEST(BinaryCodecTest, NestingIsBounded) {
  auto nested = [](int levels) {
    // item {"a": L[L[...L[]...]]} with `levels` lists.
    std::string bytes(
        "\x01\x01\x01"
        "a",
        4);
    for (int i = 0; i < levels; ++i)
      bytes.append(i + 1 < levels ? "\x06\x01" : "\x06", i + 1 < levels ? 2 : 1);
    bytes.push_back('\x00');
    return bytes;
  };
  EXPECT_TRUE(DecodeItem(nested(kMaxStoredNesting)).ok());
  EXPECT_EQ(DecodeItem(nested(kMaxStoredNesting + 1)).status().code(), Status::Code::kCorruption);
  // A deep chain is rejected without deep recursion.
  std::string deep(
      "\x01\x01\x01"
      "a",
      4);
  for (int i = 0; i < 100000; ++i) deep.append("\x06\x01", 2);
  EXPECT_EQ(DecodeItem(deep).status().code(), Status::Code::kCorruption);
}

TEST(BinaryCodecTest, FuzzedTruncationsAndBitFlipsNeverCrash) {
  std::string bytes;
  EncodeItem(SampleItem(), &bytes);
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(DecodeItem(std::string_view(bytes).substr(0, len)).ok()) << len;
  }
  std::mt19937 rng(42);
  int decoded = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string mutated = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      mutated[rng() % mutated.size()] ^= static_cast<char>(1u << (rng() % 8));
    }
    if (rng() % 4 == 0) mutated.resize(rng() % mutated.size());
    Result<Item> r = DecodeItem(mutated);
    if (r.ok()) {
      ++decoded;
      // Whatever decodes re-encodes to the same bytes (the format has one encoding per item).
      std::string again;
      EncodeItem(*r, &again);
      EXPECT_EQ(again, mutated);
    } else {
      EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
    }
  }
  EXPECT_LT(decoded, 5000);
}

// ItemFormatReader is the one reader of the format's rules; DecodeItem and the JSON transcoder
// (protocol/stored_item_json.cc) both go through it.
TEST(ItemFormatReaderTest, VarintsAreMinimalAndFitIn64Bits) {
  auto read = [](std::string_view bytes, uint64_t* v) {
    ItemFormatReader reader(bytes);
    return reader.ReadVarint(v) && reader.Finish();
  };
  uint64_t v = 0;
  EXPECT_TRUE(read(std::string_view("\x00", 1), &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(read("\x7f", &v));
  EXPECT_EQ(v, 127u);
  EXPECT_TRUE(read("\x80\x01", &v));
  EXPECT_EQ(v, 128u);
  EXPECT_TRUE(read("\xac\x02", &v));
  EXPECT_EQ(v, 300u);
  EXPECT_TRUE(read("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(read(std::string_view("\x80\x00", 2), &v));                 // 0 in two bytes
  EXPECT_FALSE(read(std::string_view("\x81\x80\x00", 3), &v));             // 1 in three bytes
  EXPECT_FALSE(read("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", &v));      // 2^64
  EXPECT_FALSE(read("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", &v));  // 11 bytes
  EXPECT_FALSE(read("\x80", &v));                                          // truncated
  EXPECT_FALSE(read("", &v));
}

TEST(ItemFormatReaderTest, CountsAreBoundedByTheBytesLeft) {
  auto count_ok = [](AttributeType container, std::string_view bytes) {
    ItemFormatReader reader(bytes);
    uint64_t count;
    return reader.ReadCount(container, &count);
  };
  // An attribute takes at least 2 bytes, a list element or set member at least 1.
  EXPECT_TRUE(count_ok(AttributeType::kM, "\x02xxxx"));
  EXPECT_FALSE(count_ok(AttributeType::kM, "\x02xxx"));
  for (AttributeType t :
       {AttributeType::kL, AttributeType::kSS, AttributeType::kNS, AttributeType::kBS}) {
    EXPECT_TRUE(count_ok(t, "\x02xx"));
    EXPECT_FALSE(count_ok(t, "\x02x"));
  }
}

TEST(ItemFormatReaderTest, NamesStrictlyIncreaseAsUnsignedBytes) {
  ItemFormatReader reader(std::string_view("\x00\x01\x7f\x01\x80\x01\x80", 7));
  std::string_view name;
  EXPECT_TRUE(reader.ReadName(0, &name));
  EXPECT_EQ(name, "");
  EXPECT_TRUE(reader.ReadName(1, &name));
  EXPECT_EQ(name, "\x7f");
  EXPECT_TRUE(reader.ReadName(2, &name));   // 0x80 sorts after 0x7f: unsigned
  EXPECT_FALSE(reader.ReadName(3, &name));  // equal to the previous name
  EXPECT_EQ(reader.status().ToString(),
            Status::Corruption("item value: attribute names not in increasing order").ToString());
}

TEST(ItemFormatReaderTest, ReportsTheVersionItDoesNotKnow) {
  ItemFormatReader reader(std::string_view("\x02\x00", 2));
  EXPECT_FALSE(reader.ReadVersion());
  EXPECT_EQ(reader.status().ToString(),
            Status::Corruption("item value: unknown format version 2").ToString());
  EXPECT_EQ(DecodeItem("").status().ToString(), Status::Corruption("item value: empty").ToString());
}

TEST(ItemFormatReaderTest, TypesBoolsNumbersAndNesting) {
  AttributeType type;
  EXPECT_TRUE(ItemFormatReader("\x09").ReadType(&type));
  EXPECT_EQ(type, AttributeType::kBS);
  EXPECT_FALSE(ItemFormatReader("\x0a").ReadType(&type));
  bool b = false;
  EXPECT_TRUE(ItemFormatReader("\x01").ReadBool(&b));
  EXPECT_TRUE(b);
  EXPECT_FALSE(ItemFormatReader("\x02").ReadBool(&b));
  std::string_view number;
  EXPECT_TRUE(ItemFormatReader("\x01\x37").ReadNumber(&number));  // "7"
  EXPECT_EQ(number, "7");
  EXPECT_FALSE(ItemFormatReader(std::string_view("\x00", 1)).ReadNumber(&number));
  ItemFormatReader reader("");
  EXPECT_TRUE(reader.CheckNesting(kMaxStoredNesting - 1));
  EXPECT_FALSE(reader.CheckNesting(kMaxStoredNesting));
}

}  // namespace
}  // namespace cairn
