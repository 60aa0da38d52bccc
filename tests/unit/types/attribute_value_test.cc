// AttributeValue: type names, DynamoDB's size rule (as measured against DynamoDB by dynalite),
// and equality (numbers by value, sets as sets).
#include "types/attribute_value.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

using AV = AttributeValue;

TEST(AttributeValueTest, TypeNamesRoundTrip) {
  const char* names[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
  for (int i = 0; i < 10; ++i) {
    AttributeType t;
    ASSERT_TRUE(ParseTypeName(names[i], &t)) << names[i];
    EXPECT_EQ(static_cast<int>(t), i);
    EXPECT_EQ(TypeName(t), names[i]);
  }
  AttributeType t = AttributeType::kS;
  EXPECT_FALSE(ParseTypeName("s", &t));
  EXPECT_FALSE(ParseTypeName("", &t));
  EXPECT_FALSE(ParseTypeName("BOOLEAN", &t));
  EXPECT_EQ(t, AttributeType::kS);
}

TEST(AttributeValueTest, FactoriesSetTypeAndValue) {
  EXPECT_EQ(AV::String("x").type, AttributeType::kS);
  EXPECT_EQ(AV::Num("1").s, "1");
  EXPECT_EQ(AV::Binary(std::string("\0\1", 2)).s.size(), 2u);
  EXPECT_FALSE(AV::Bool(false).boolean);
  EXPECT_EQ(AV::Null().type, AttributeType::kNULL);
  EXPECT_TRUE(AV::Null().boolean);
  EXPECT_EQ(AV::List({AV::Null()}).list.size(), 1u);
  EXPECT_EQ(AV::Map({{"a", AV::Null()}}).map.count("a"), 1u);
  AV ss = AV::Set(AttributeType::kSS, {"a", "b"});
  EXPECT_TRUE(ss.is_set());
  EXPECT_FALSE(ss.is_scalar_key_type());
  EXPECT_TRUE(AV::Binary("").is_scalar_key_type());
}

TEST(AttributeValueTest, ScalarSizes) {
  EXPECT_EQ(AV::String("").Size(), 0u);
  EXPECT_EQ(AV::String("abc").Size(), 3u);
  EXPECT_EQ(AV::String("\xc3\xa9").Size(), 2u);  // "é": UTF-8 bytes
  EXPECT_EQ(AV::Binary(std::string("\0\1\2\3\4", 5)).Size(), 5u);
  EXPECT_EQ(AV::Bool(false).Size(), 1u);
  EXPECT_EQ(AV::Null().Size(), 1u);
}

TEST(AttributeValueTest, NumberSizes) {
  // 1 + ceil(digits/2), +1 when digits and leading power are both even, +1 if negative; 0 is 1.
  EXPECT_EQ(AV::Num("0").Size(), 1u);
  EXPECT_EQ(AV::Num("1").Size(), 2u);
  EXPECT_EQ(AV::Num("12").Size(), 2u);
  EXPECT_EQ(AV::Num("123").Size(), 3u);
  EXPECT_EQ(AV::Num("1234").Size(), 3u);
  EXPECT_EQ(AV::Num("100").Size(), 2u);
  EXPECT_EQ(AV::Num("1.2").Size(), 3u);   // 2 digits, leading power 0
  EXPECT_EQ(AV::Num("0.15").Size(), 2u);  // leading power -1
  EXPECT_EQ(AV::Num("0.001").Size(), 2u);
  EXPECT_EQ(AV::Num("10.5").Size(), 3u);
  EXPECT_EQ(AV::Num("-1").Size(), 3u);
  EXPECT_EQ(AV::Num("-12.5").Size(), 4u);
  EXPECT_EQ(AV::Num("12345678901234567890123456789012345678").Size(), 20u);
  EXPECT_EQ(AV::Num("1.2345678901234567890123456789012345678").Size(), 21u);
  // Non-canonical text is sized by its value.
  EXPECT_EQ(AV::Num("1e3").Size(), AV::Num("1000").Size());
  EXPECT_EQ(AV::Num("001.50").Size(), AV::Num("1.5").Size());
}

TEST(AttributeValueTest, CollectionSizes) {
  EXPECT_EQ(AV::Set(AttributeType::kSS, {"ab", "c"}).Size(), 3u);
  EXPECT_EQ(AV::Set(AttributeType::kNS, {"1", "12", "-1"}).Size(), 7u);
  EXPECT_EQ(AV::Set(AttributeType::kBS, {"abc", std::string(1, '\0')}).Size(), 4u);
  EXPECT_EQ(AV::List({}).Size(), 3u);
  EXPECT_EQ(AV::List({AV::String("ab"), AV::Num("1")}).Size(), 3u + 2 + 2 + 2);
  EXPECT_EQ(AV::Map({}).Size(), 3u);
  EXPECT_EQ(AV::Map({{"k", AV::String("ab")}, {"xy", AV::Bool(true)}}).Size(),
            3u + 2 + (1 + 2) + (2 + 1));
  // Nested: L [M {"a": NULL}] = 3 + 1 + (3 + 1 + 1 + 1).
  EXPECT_EQ(AV::List({AV::Map({{"a", AV::Null()}})}).Size(), 10u);
}

TEST(AttributeValueTest, ItemSize) {
  Item item;
  EXPECT_EQ(ItemSize(item), 0u);
  item["id"] = AV::String("abc");
  item["n"] = AV::Num("12");
  item["\xc3\xa9"] = AV::Bool(true);
  EXPECT_EQ(ItemSize(item), (2u + 3) + (1 + 2) + (2 + 1));
}

TEST(AttributeValueTest, Equality) {
  EXPECT_EQ(AV::String("a"), AV::String("a"));
  EXPECT_NE(AV::String("a"), AV::String("b"));
  EXPECT_NE(AV::String("1"), AV::Num("1"));
  EXPECT_NE(AV::String("a"), AV::Binary("a"));
  EXPECT_EQ(AV::Num("1"), AV::Num("1.0"));  // by value even if a caller stored raw text
  EXPECT_NE(AV::Num("1"), AV::Num("2"));
  EXPECT_EQ(AV::Bool(true), AV::Bool(true));
  EXPECT_NE(AV::Bool(true), AV::Bool(false));
  EXPECT_EQ(AV::Null(), AV::Null());
  EXPECT_NE(AV::Null(), AV::Bool(true));
}

TEST(AttributeValueTest, SetsCompareAsSets) {
  EXPECT_EQ(AV::Set(AttributeType::kSS, {"a", "b"}), AV::Set(AttributeType::kSS, {"b", "a"}));
  EXPECT_NE(AV::Set(AttributeType::kSS, {"a", "b"}), AV::Set(AttributeType::kSS, {"a"}));
  EXPECT_NE(AV::Set(AttributeType::kSS, {"a", "b"}), AV::Set(AttributeType::kSS, {"a", "c"}));
  EXPECT_NE(AV::Set(AttributeType::kSS, {"a"}), AV::Set(AttributeType::kBS, {"a"}));
  EXPECT_EQ(AV::Set(AttributeType::kNS, {"1", "2"}), AV::Set(AttributeType::kNS, {"2.0", "1"}));
  EXPECT_NE(AV::Set(AttributeType::kNS, {"1", "2"}), AV::Set(AttributeType::kNS, {"1", "3"}));
  EXPECT_EQ(AV::Set(AttributeType::kBS, {std::string("\0", 1), "x"}),
            AV::Set(AttributeType::kBS, {"x", std::string("\0", 1)}));
}

TEST(AttributeValueTest, ListsAndMapsCompareDeeply) {
  AV l1 = AV::List({AV::Num("1"), AV::String("x")});
  AV l2 = AV::List({AV::Num("1.00"), AV::String("x")});
  AV l3 = AV::List({AV::String("x"), AV::Num("1")});
  EXPECT_EQ(l1, l2);
  EXPECT_NE(l1, l3);  // lists are ordered
  EXPECT_NE(l1, AV::List({AV::Num("1")}));
  AV m1 = AV::Map({{"a", l1}, {"b", AV::Null()}});
  AV m2 = AV::Map({{"b", AV::Null()}, {"a", l2}});
  EXPECT_EQ(m1, m2);
  EXPECT_NE(m1, AV::Map({{"a", l1}}));
  EXPECT_NE(m1, AV::Map({{"a", l1}, {"c", AV::Null()}}));
  EXPECT_NE(AV::Map({}), AV::List({}));
}

}  // namespace
}  // namespace cairn
