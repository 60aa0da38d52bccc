// TextWriter: the Prometheus text exposition format, version 0.0.4 (what every Prometheus server
// and its client libraries read): for each metric family a "# HELP" and a "# TYPE" line, then its
// samples, one per line: `name{label="value",...} value`.
//
// Invariants of what it writes:
//   - HELP text escapes '\' and newline; label values escape '\', '"' and newline (the format's
//     only escapes), so any bytes a table name or a version string hold keep the output parseable;
//   - values are integers when they are whole, else shortest round-trip decimals; +Inf, -Inf and
//     NaN are spelled as the format spells them;
//   - a histogram's buckets are cumulative and end with le="+Inf", whose count equals _count;
//     Histogram() takes per-bucket (not cumulative) counts and does the summing itself.
// Names and label names are the caller's constants ([a-zA-Z_:][a-zA-Z0-9_:]*): not checked.
// Thread safety: one writer per scrape; not shared.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace cairn::metrics {

// The Content-Type of a scrape's answer.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

struct Label {
  std::string_view name;
  std::string_view value;
};

class TextWriter {
 public:
  explicit TextWriter(std::string* out) : out_(out) {}

  // Starts a family: its HELP and TYPE lines. `type` is "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // One sample of the current family (for a histogram, use Histogram()).
  void Sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void Sample(std::string_view name, std::span<const Label> labels, double value);
  // Integers are written exactly (a double would round counters above 2^53).
  void Sample(std::string_view name, std::span<const Label> labels, uint64_t value);
  // One histogram series of family `name`: `bounds` are the upper bounds (ascending, without
  // +Inf), `counts` the observations per bucket, one more than `bounds` (the last: above every
  // bound). Writes name_bucket{...,le="..."} cumulatively, le="+Inf", name_sum and name_count.
  void Histogram(std::string_view name, std::span<const Label> labels,
                 std::span<const double> bounds, std::span<const uint64_t> counts, double sum);

  // The format's escapes (exposed for the tests).
  static void AppendEscapedLabelValue(std::string* out, std::string_view value);
  static void AppendEscapedHelp(std::string* out, std::string_view help);
  static void AppendValue(std::string* out, double value);

 private:
  void AppendSeries(std::string_view name, std::string_view suffix, std::span<const Label> labels,
                    const Label* extra);

  std::string* out_;
};

}  // namespace cairn::metrics
