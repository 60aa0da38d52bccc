// DateCache: the `Date:` response header line (RFC 7231 IMF-fixdate), formatted once per second.
// Invariant: header_line() is "Date: <IMF-fixdate of the last Update()>\r\n"; it is formatted by
// hand (English day and month names), so it does not depend on the C locale. Not thread-safe: each
// event loop owns one and updates it from its own thread.
#pragma once

#include <cstddef>
#include <ctime>
#include <string_view>

namespace cairn::http {

class DateCache {
 public:
  DateCache() { Update(std::time(nullptr)); }

  // Re-formats the line if `now` is in another second than the cached one.
  void Update(std::time_t now) {
    if (now == second_) return;
    second_ = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    static constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char* p = buf_;
    p = Append(p, "Date: ");
    p = Append(p, kDays[tm.tm_wday % 7]);
    p = Append(p, ", ");
    p = Digits(p, tm.tm_mday, 2);
    *p++ = ' ';
    p = Append(p, kMonths[tm.tm_mon % 12]);
    *p++ = ' ';
    p = Digits(p, tm.tm_year + 1900, 4);
    *p++ = ' ';
    p = Digits(p, tm.tm_hour, 2);
    *p++ = ':';
    p = Digits(p, tm.tm_min, 2);
    *p++ = ':';
    p = Digits(p, tm.tm_sec, 2);
    p = Append(p, " GMT\r\n");
    len_ = static_cast<size_t>(p - buf_);
  }

  // "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
  std::string_view header_line() const { return {buf_, len_}; }

 private:
  static char* Append(char* p, std::string_view s) {
    for (char c : s) *p++ = c;
    return p;
  }
  // Writes `value` in exactly `width` decimal digits (years past 9999 are not a concern).
  static char* Digits(char* p, int value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    return p + width;
  }

  std::time_t second_ = -1;
  char buf_[64] = {};
  size_t len_ = 0;
};

}  // namespace cairn::http
