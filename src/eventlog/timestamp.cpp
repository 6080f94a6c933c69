#include "eventlog/timestamp.h"

#include <algorithm>

namespace gw::eventlog {
namespace {

void append_digits(std::string& out, long long value, int width) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

}  // namespace

void append_rfc3339(std::string& out, std::chrono::system_clock::time_point ts) {
  using namespace std::chrono;
  const auto micros = floor<microseconds>(ts);
  const auto day = floor<days>(micros);
  const year_month_day date{day};
  const hh_mm_ss time{micros - day};
  // Years outside 0..9999 cannot be written in RFC 3339; clamp rather than emit a bad field.
  const int year = std::clamp(static_cast<int>(date.year()), 0, 9999);
  append_digits(out, year, 4);
  out += '-';
  append_digits(out, static_cast<unsigned>(date.month()), 2);
  out += '-';
  append_digits(out, static_cast<unsigned>(date.day()), 2);
  out += 'T';
  append_digits(out, time.hours().count(), 2);
  out += ':';
  append_digits(out, time.minutes().count(), 2);
  out += ':';
  append_digits(out, time.seconds().count(), 2);
  out += '.';
  append_digits(out, time.subseconds().count(), 6);
  out += 'Z';
}

std::string rfc3339(std::chrono::system_clock::time_point ts) {
  std::string out;
  append_rfc3339(out, ts);
  return out;
}

}  // namespace gw::eventlog
