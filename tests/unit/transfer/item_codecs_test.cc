// The export/import line formats and S3-as-files helpers: every attribute type survives a round
// trip through DYNAMODB_JSON and Ion text; the Ion reader takes AWS's own output style and other
// writers' forms; malformed lines are InvalidArgument, never a crash; CSV quoting; S3 names;
// gzip and zstd errors are Corruption.
#include "transfer/item_codecs.h"

#include <gtest/gtest.h>

#include "transfer/export_layout.h"
#include "transfer/s3_files.h"

namespace cairn::transfer {
namespace {

Item Sample() {
  AttributeMap m;
  m.emplace("x y", AttributeValue::List({AttributeValue::Num("1"), AttributeValue::Null()}));
  Item item;
  item.emplace("pk", AttributeValue::String("quote \" back \\ nl \n ctl \x01 é"));
  item.emplace("n", AttributeValue::Num("-1.5E+7"));
  item.emplace("i", AttributeValue::Num("42"));
  item.emplace("d", AttributeValue::Num("0.000123"));
  item.emplace("b", AttributeValue::Binary(std::string("\0\xff", 2)));
  item.emplace("t", AttributeValue::Bool(false));
  item.emplace("z", AttributeValue::Null());
  item.emplace("m", AttributeValue::Map(std::move(m)));
  item.emplace("ss", AttributeValue::Set(AttributeType::kSS, {"a", "b'c"}));
  item.emplace("ns", AttributeValue::Set(AttributeType::kNS, {"1", "2.5"}));
  item.emplace("bs", AttributeValue::Set(AttributeType::kBS, {"x"}));
  item.emplace("null", AttributeValue::String("a keyword as a field name"));
  item.emplace("9lives", AttributeValue::String("a name that is no identifier"));
  return item;
}

TEST(ItemCodecs, RoundTripsBothExportFormats) {
  for (ItemFormat f : {ItemFormat::kDynamoDbJson, ItemFormat::kIon}) {
    std::string line;
    AppendItemLine(f, Sample(), &line);
    ASSERT_EQ(line.back(), '\n');
    line.pop_back();
    ASSERT_EQ(line.find('\n'), std::string::npos) << "one item per line";
    auto back = f == ItemFormat::kIon ? ParseIonLine(line) : ParseDynamoDbJsonLine(line);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << line;
    EXPECT_EQ(*back, Sample()) << line;
  }
}

TEST(ItemCodecs, IonIsWrittenAsDynamoDbWritesIt) {
  Item item;
  item.emplace("Id", AttributeValue::Num("103"));
  item.emplace("Authors", AttributeValue::Set(AttributeType::kSS, {"A1", "A2"}));
  item.emplace("B", AttributeValue::Binary("hello"));
  std::string line;
  AppendItemLine(ItemFormat::kIon, item, &line);
  EXPECT_EQ(line, "$ion_1_0 {Item:{Authors:$dynamodb_SS::[\"A1\",\"A2\"],B:{{aGVsbG8=}},Id:103.}}\n");
}

// An incremental export's line (AWS's layout): Metadata, Keys, then the images that are given.
TEST(ItemCodecs, ChangeLinesAsIncrementalExportsWriteThem) {
  Item keys, old_image, new_image;
  keys.emplace("pk", AttributeValue::String("a"));
  old_image = keys;
  old_image.emplace("v", AttributeValue::Num("1"));
  new_image = keys;
  new_image.emplace("v", AttributeValue::Num("2"));
  std::string line;
  AppendChangeLine(ItemFormat::kDynamoDbJson, 1700000000123456, keys, &old_image, &new_image,
                   &line);
  EXPECT_EQ(line,
            "{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"1700000000123456\"}},"
            "\"Keys\":{\"pk\":{\"S\":\"a\"}},"
            "\"OldImage\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}},"
            "\"NewImage\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"2\"}}}\n");
  line.clear();
  AppendChangeLine(ItemFormat::kDynamoDbJson, 7, keys, nullptr, nullptr, &line);  // a deletion
  EXPECT_EQ(line,
            "{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"7\"}},"
            "\"Keys\":{\"pk\":{\"S\":\"a\"}}}\n");
  line.clear();
  AppendChangeLine(ItemFormat::kIon, 7, keys, nullptr, &new_image, &line);
  EXPECT_EQ(line,
            "$ion_1_0 {Metadata:{WriteTimestampMicros:7},Keys:{pk:\"a\"},"
            "NewImage:{pk:\"a\",v:2.}}\n");
}

TEST(ItemCodecs, IonReaderTakesOtherWritersForms) {
  auto r = ParseIonLine(
      "  {Item:{a:1.5d2, b:1e0, \"c\":'''x''' '''y''', 'd e':null.struct, f:[] /* c */, "
      "g:$dynamodb_NS::[1, 2.], h:{{ aGV sbG8= }} }} // trailing");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("a"), AttributeValue::Num("150"));
  EXPECT_EQ(r->at("b"), AttributeValue::Num("1"));
  EXPECT_EQ(r->at("c"), AttributeValue::String("xy"));
  EXPECT_EQ(r->at("d e"), AttributeValue::Null());
  EXPECT_EQ(r->at("f"), AttributeValue::List({}));
  EXPECT_EQ(r->at("g"), AttributeValue::Set(AttributeType::kNS, {"1", "2"}));
  EXPECT_EQ(r->at("h"), AttributeValue::Binary("hello"));
}

TEST(ItemCodecs, MalformedLinesAreInvalidArgument) {
  for (std::string_view bad :
       {"", "{", "$ion_1_0 {Item:{a:}}", "{Item:{a:\"unterminated}}", "{NotItem:{}}",
        "{Item:[1]}", "{Item:{a:$dynamodb_SS::[1]}}", "{Item:{a:$dynamodb_SS::[]}}",
        "{Item:{a:1}} extra", "{Item:{a:1e999999}}", "{Item:{a:{{!!}}}}", "{Item:{a:bogus}}"}) {
    auto r = ParseIonLine(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsInvalidArgument()) << bad;
    }
  }
  for (std::string_view bad : {"", "[]", "{\"Item\":1}", "{\"Item\":{\"a\":{\"Q\":1}}}",
                               "{\"Item\":{\"a\":{\"N\":\"x\"}}}", "{\"Item\":{\"a\":"}) {
    auto r = ParseDynamoDbJsonLine(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(Csv, QuotingDelimitersAndTypes) {
  Status st;
  auto records = CsvReader::Records("a;\"x;\"\"y\"\"\nz\";3\r\n\n b ;;\n", ';', &st);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"a", "x;\"y\"\nz", "3"}));
  EXPECT_EQ(records[1], (std::vector<std::string>{" b ", "", ""}));
  CsvReader csv(';', {}, {{"n", AttributeType::kN}});
  auto item = csv.ToItem(records[0], {"s", "t", "n"});
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->at("n"), AttributeValue::Num("3"));
  EXPECT_EQ(item->at("t"), AttributeValue::String("x;\"y\"\nz"));
  EXPECT_FALSE(csv.ToItem(records[0], {"s", "n"}).ok());          // field count
  EXPECT_FALSE(csv.ToItem({"a", "b", "nan"}, {"s", "t", "n"}).ok());  // not a number
  auto empty = csv.ToItem(records[1], {"s", "t", "n"});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 1u);  // empty fields are left out
  CsvReader::Records("a,\"open", ',', &st);
  EXPECT_TRUE(st.IsInvalidArgument());
}

TEST(S3Files, NamesAndKeys) {
  EXPECT_TRUE(CheckBucketName("my-bucket.1").ok());
  for (std::string_view bad : {"ab", "Upper", "a..b", "-ab", "ab-", "10.0.0.1", "a_b"})
    EXPECT_TRUE(CheckBucketName(bad).IsInvalidArgument()) << bad;
  EXPECT_TRUE(CheckKey("a/b/c.json").ok());
  EXPECT_TRUE(CheckKey("").ok());
  EXPECT_TRUE(CheckKey("a..b/c").ok());  // only whole segments leave the bucket
  for (std::string_view bad : {std::string_view(".."), std::string_view("a/../b"),
                               std::string_view("./a"), std::string_view("/a"),
                               std::string_view("a\0b", 3)})
    EXPECT_TRUE(CheckKey(bad).IsInvalidArgument()) << bad;
  EXPECT_EQ(ExportDirKey("", "01-ab"), "AWSDynamoDB/01-ab/");
  EXPECT_EQ(ExportDirKey("p/q/", "01-ab"), "p/q/AWSDynamoDB/01-ab/");
}

TEST(S3Files, CompressionAndChecksums) {
  std::string text(100000, 'x');
  auto back = Decompress(Compression::kGzip, GzipCompress(text));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, text);
  std::string gz = GzipCompress(text);
  EXPECT_TRUE(Decompress(Compression::kGzip, gz.substr(0, gz.size() / 2)).status().code() ==
              Status::Code::kCorruption);
  EXPECT_TRUE(Decompress(Compression::kGzip, "plain").status().code() == Status::Code::kCorruption);
  EXPECT_TRUE(Decompress(Compression::kZstd, "\x28\xb5\x2f\xfd junk").status().code() ==
              Status::Code::kCorruption);
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(IsoTime(1.5), "1970-01-01T00:00:01.500Z");
}

}  // namespace
}  // namespace cairn::transfer
