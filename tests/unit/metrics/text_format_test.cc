// The Prometheus text format 0.0.4 as TextWriter writes it: escapes of label values and HELP text,
// number spelling, and histograms (cumulative buckets, +Inf, _sum and _count).
#include "metrics/text_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace cairn::metrics {
namespace {

TEST(TextFormatTest, EscapesBackslashQuoteAndNewlineInLabelValues) {
  std::string out;
  TextWriter::AppendEscapedLabelValue(&out, "a\\b\"c\nd");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd");
}

TEST(TextFormatTest, LeavesOtherBytesOfLabelValuesAlone) {
  std::string out;
  TextWriter::AppendEscapedLabelValue(&out, "t.a-b_c {x}=1,\t\xc3\xa9");
  EXPECT_EQ(out, "t.a-b_c {x}=1,\t\xc3\xa9");
}

TEST(TextFormatTest, EscapesBackslashAndNewlineInHelpButNotQuotes) {
  std::string out;
  TextWriter::AppendEscapedHelp(&out, "say \"hi\"\\\nnow");
  EXPECT_EQ(out, "say \"hi\"\\\\\\nnow");
}

TEST(TextFormatTest, FamilyWritesHelpThenType) {
  std::string out;
  TextWriter w(&out);
  w.Family("cairn_x_total", "counter", "Things\ncounted");
  EXPECT_EQ(out, "# HELP cairn_x_total Things\\ncounted\n# TYPE cairn_x_total counter\n");
}

TEST(TextFormatTest, SampleWithoutLabelsHasNoBraces) {
  std::string out;
  TextWriter w(&out);
  w.Sample("up", {}, 1.0);
  EXPECT_EQ(out, "up 1\n");
}

TEST(TextFormatTest, SampleWithLabelsEscapesValuesInOrder) {
  std::string out;
  TextWriter w(&out);
  w.Sample("cairn_table_items", {{"namespace", "k\"1"}, {"table", "a\\b"}}, 42.0);
  EXPECT_EQ(out, "cairn_table_items{namespace=\"k\\\"1\",table=\"a\\\\b\"} 42\n");
}

TEST(TextFormatTest, IntegersAboveTwoToThe53AreExact) {
  std::string out;
  TextWriter w(&out);
  const Label labels[] = {{"operation", "PutItem"}};
  w.Sample("n", labels, uint64_t{18446744073709551615ull});
  EXPECT_EQ(out, "n{operation=\"PutItem\"} 18446744073709551615\n");
}

TEST(TextFormatTest, SpellsInfinitiesNaNAndFractions) {
  auto value = [](double v) {
    std::string out;
    TextWriter::AppendValue(&out, v);
    return out;
  };
  EXPECT_EQ(value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(value(std::nan("")), "NaN");
  EXPECT_EQ(value(0.25), "0.25");
  EXPECT_EQ(value(-3), "-3");
  EXPECT_EQ(value(0), "0");
  EXPECT_EQ(std::stod(value(0.1 + 0.2)), 0.1 + 0.2);  // round trip
}

TEST(TextFormatTest, HistogramBucketsAreCumulativeAndEndWithInf) {
  std::string out;
  TextWriter w(&out);
  const double bounds[] = {0.00005, 0.5, 10};
  const uint64_t counts[] = {2, 0, 3, 1};  // per bucket; the last is above 10
  const Label labels[] = {{"operation", "GetItem"}};
  w.Histogram("lat_seconds", labels, bounds, counts, 12.5);
  EXPECT_EQ(out,
            "lat_seconds_bucket{operation=\"GetItem\",le=\"0.00005\"} 2\n"
            "lat_seconds_bucket{operation=\"GetItem\",le=\"0.5\"} 2\n"
            "lat_seconds_bucket{operation=\"GetItem\",le=\"10\"} 5\n"
            "lat_seconds_bucket{operation=\"GetItem\",le=\"+Inf\"} 6\n"
            "lat_seconds_sum{operation=\"GetItem\"} 12.5\n"
            "lat_seconds_count{operation=\"GetItem\"} 6\n");
}

TEST(TextFormatTest, EmptyHistogramStillHasInfSumAndCount) {
  std::string out;
  TextWriter w(&out);
  const double bounds[] = {1};
  const uint64_t counts[] = {0, 0};
  w.Histogram("h", std::span<const Label>(), bounds, counts, 0);
  EXPECT_EQ(out,
            "h_bucket{le=\"1\"} 0\n"
            "h_bucket{le=\"+Inf\"} 0\n"
            "h_sum 0\n"
            "h_count 0\n");
}

}  // namespace
}  // namespace cairn::metrics
