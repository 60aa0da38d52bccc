// RequestMetrics: counts per operation and error type, histogram placement at bucket edges, and
// the sum over threads (each thread records into its own shard).
#include "metrics/request_metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace cairn::metrics {
namespace {

std::string Scrape(const RequestMetrics& m) {
  std::string out;
  TextWriter w(&out);
  m.WriteTo(w);
  return out;
}

bool Has(const std::string& out, const std::string& line) {
  return out.find(line + "\n") != std::string::npos;
}

TEST(RequestMetricsTest, CountsRequestsAndErrorsPerOperation) {
  RequestMetrics m({"PutItem", "GetItem", "Unknown"}, {"ValidationException", "Other"});
  m.Record(0, RequestMetrics::kNoError, 1000);
  m.Record(0, 0, 1000);
  m.Record(0, 0, 1000);
  m.Record(2, 1, 1000);
  const std::string out = Scrape(m);
  EXPECT_TRUE(Has(out, "cairn_requests_total{operation=\"PutItem\"} 3")) << out;
  EXPECT_TRUE(Has(out, "cairn_requests_total{operation=\"GetItem\"} 0")) << out;
  EXPECT_TRUE(Has(out, "cairn_requests_total{operation=\"Unknown\"} 1")) << out;
  EXPECT_TRUE(
      Has(out, "cairn_errors_total{operation=\"PutItem\",error_type=\"ValidationException\"} 2"));
  EXPECT_TRUE(Has(out, "cairn_errors_total{operation=\"Unknown\",error_type=\"Other\"} 1"));
  // Pairs never seen are not listed; operations without requests have no histogram.
  EXPECT_EQ(out.find("error_type=\"Other\"} 0"), std::string::npos);
  EXPECT_EQ(out.find("cairn_request_duration_seconds_count{operation=\"GetItem\"}"),
            std::string::npos);
}

TEST(RequestMetricsTest, BucketsIncludeTheirUpperBound) {
  RequestMetrics m({"Scan"}, {"Other"});
  m.Record(0, RequestMetrics::kNoError, 50'000);          // exactly 50 us: in le="0.00005"
  m.Record(0, RequestMetrics::kNoError, 50'001);          // just above: in le="0.0001"
  m.Record(0, RequestMetrics::kNoError, 10'000'000'000);  // exactly 10 s: in le="10"
  m.Record(0, RequestMetrics::kNoError, 20'000'000'000);  // above every bound: only +Inf
  const std::string out = Scrape(m);
  const std::string b = "cairn_request_duration_seconds_bucket{operation=\"Scan\",le=";
  EXPECT_TRUE(Has(out, b + "\"0.00005\"} 1")) << out;
  EXPECT_TRUE(Has(out, b + "\"0.0001\"} 2")) << out;
  EXPECT_TRUE(Has(out, b + "\"5\"} 2")) << out;
  EXPECT_TRUE(Has(out, b + "\"10\"} 3")) << out;
  EXPECT_TRUE(Has(out, b + "\"+Inf\"} 4")) << out;
  EXPECT_TRUE(Has(out, "cairn_request_duration_seconds_count{operation=\"Scan\"} 4")) << out;
  EXPECT_TRUE(Has(out, "cairn_request_duration_seconds_sum{operation=\"Scan\"} 30.000100001"))
      << out;
}

TEST(RequestMetricsTest, SumsTheShardsOfEveryThread) {
  RequestMetrics m({"GetItem"}, {"Other"});
  constexpr int kThreads = 4, kPerThread = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&m] {
      for (int i = 0; i < kPerThread; ++i)
        m.Record(0, i % 10 == 0 ? 0 : RequestMetrics::kNoError, 1);
    });
  for (auto& t : threads) t.join();
  const std::string out = Scrape(m);
  EXPECT_TRUE(Has(out, "cairn_requests_total{operation=\"GetItem\"} 4000")) << out;
  EXPECT_TRUE(Has(out, "cairn_errors_total{operation=\"GetItem\",error_type=\"Other\"} 400"));
  EXPECT_TRUE(Has(out, "cairn_request_duration_seconds_count{operation=\"GetItem\"} 4000"));
}

TEST(RequestMetricsTest, TwoRegistriesOnOneThreadKeepTheirOwnCounts) {
  RequestMetrics a({"PutItem"}, {"Other"});
  RequestMetrics b({"PutItem"}, {"Other"});
  for (int i = 0; i < 3; ++i) {
    a.Record(0, RequestMetrics::kNoError, 1);
    b.Record(0, RequestMetrics::kNoError, 1);
    b.Record(0, RequestMetrics::kNoError, 1);
  }
  EXPECT_TRUE(Has(Scrape(a), "cairn_requests_total{operation=\"PutItem\"} 3"));
  EXPECT_TRUE(Has(Scrape(b), "cairn_requests_total{operation=\"PutItem\"} 6"));
}

// What recording costs a request (run with --gtest_also_run_disabled_tests): Record() alone, and
// with the two steady_clock reads the dispatcher adds around a request.
TEST(RequestMetricsBenchmark, DISABLED_Record) {
  std::vector<std::string_view> ops(32, "Op"), errors(27, "Error");
  RequestMetrics m(ops, errors);
  constexpr int kRounds = 10'000'000;
  auto measure = [&](auto&& fn) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) fn(i);
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
               .count() /
           kRounds;
  };
  const double record = measure([&](int i) {
    m.Record(static_cast<size_t>(i) & 31, RequestMetrics::kNoError,
             static_cast<uint64_t>(i) * 997 % 20'000'000);
  });
  const double timed = measure([&](int i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    m.Record(static_cast<size_t>(i) & 31, RequestMetrics::kNoError, static_cast<uint64_t>(nanos));
  });
  std::printf("Record %.1f ns; with two clock reads %.1f ns\n", record, timed);
}

}  // namespace
}  // namespace cairn::metrics
