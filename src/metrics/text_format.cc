// The Prometheus text format 0.0.4 (text_format.h).
#include "metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <vector>

namespace cairn::metrics {

void TextWriter::AppendEscapedLabelValue(std::string* out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

void TextWriter::AppendEscapedHelp(std::string* out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

void TextWriter::AppendValue(std::string* out, double value) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest round trip
    out->append(buf, ec == std::errc() ? end : buf);
  }
}

void TextWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_->append("# HELP ").append(name).push_back(' ');
  AppendEscapedHelp(out_, help);
  out_->append("\n# TYPE ").append(name).push_back(' ');
  out_->append(type).push_back('\n');
}

void TextWriter::AppendSeries(std::string_view name, std::string_view suffix,
                              std::span<const Label> labels, const Label* extra) {
  out_->append(name).append(suffix);
  if (labels.empty() && extra == nullptr) return;
  out_->push_back('{');
  bool first = true;
  auto add = [&](const Label& l) {
    if (!first) out_->push_back(',');
    first = false;
    out_->append(l.name).append("=\"");
    AppendEscapedLabelValue(out_, l.value);
    out_->push_back('"');
  };
  for (const Label& l : labels) add(l);
  if (extra != nullptr) add(*extra);
  out_->push_back('}');
}

void TextWriter::Sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  Sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
}

void TextWriter::Sample(std::string_view name, std::span<const Label> labels, double value) {
  AppendSeries(name, "", labels, nullptr);
  out_->push_back(' ');
  AppendValue(out_, value);
  out_->push_back('\n');
}

void TextWriter::Sample(std::string_view name, std::span<const Label> labels, uint64_t value) {
  AppendSeries(name, "", labels, nullptr);
  out_->push_back(' ');
  out_->append(std::to_string(value));
  out_->push_back('\n');
}

void TextWriter::Histogram(std::string_view name, std::span<const Label> labels,
                           std::span<const double> bounds, std::span<const uint64_t> counts,
                           double sum) {
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i <= bounds.size() && i < counts.size(); ++i) {
    cumulative += counts[i];
    le.clear();
    if (i < bounds.size()) {
      char buf[32];  // fixed notation, as Prometheus's own clients print bounds ("0.00005")
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, bounds[i], std::chars_format::fixed);
      le.assign(buf, ec == std::errc() ? end : buf);
    } else {
      le = "+Inf";
    }
    const Label le_label{"le", le};
    AppendSeries(name, "_bucket", labels, &le_label);
    out_->push_back(' ');
    out_->append(std::to_string(cumulative)).push_back('\n');
  }
  AppendSeries(name, "_sum", labels, nullptr);
  out_->push_back(' ');
  AppendValue(out_, sum);
  out_->push_back('\n');
  AppendSeries(name, "_count", labels, nullptr);
  out_->push_back(' ');
  out_->append(std::to_string(cumulative)).push_back('\n');
}

}  // namespace cairn::metrics
