#include "eventlog/timestamp.h"

#include <algorithm>

namespace gw::eventlog {
namespace {

constexpr std::size_t kDateTimeSize = 19;  // "2026-11-24T09:02:08"

void put_digits(char* at, long long value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DDTHH:MM:SS" of the second `second` (since the epoch).
void format_second(char* out, std::chrono::sys_seconds second) {
  using namespace std::chrono;
  const auto day = floor<days>(second);
  const year_month_day date{day};
  const hh_mm_ss time{second - day};
  // Years outside 0..9999 cannot be written in RFC 3339; clamp rather than emit a bad field.
  put_digits(out, std::clamp(static_cast<int>(date.year()), 0, 9999), 4);
  out[4] = '-';
  put_digits(out + 5, static_cast<unsigned>(date.month()), 2);
  out[7] = '-';
  put_digits(out + 8, static_cast<unsigned>(date.day()), 2);
  out[10] = 'T';
  put_digits(out + 11, time.hours().count(), 2);
  out[13] = ':';
  put_digits(out + 14, time.minutes().count(), 2);
  out[16] = ':';
  put_digits(out + 17, time.seconds().count(), 2);
}

}  // namespace

void append_rfc3339(std::string& out, std::chrono::system_clock::time_point ts) {
  using namespace std::chrono;
  const auto micros = floor<microseconds>(ts);
  // Records come in bursts: a transaction's rows share their commit_ts, an event's rows their
  // ts, and all of them one second. The last text is kept, and the calendar part of the last
  // second, per thread.
  thread_local sys_time<microseconds> last_micros = sys_time<microseconds>::min();
  thread_local char text[kDateTimeSize + 8];
  if (micros != last_micros) {
    const auto second = floor<seconds>(micros);
    thread_local sys_seconds cached_second = sys_seconds::min();
    if (second != cached_second) {
      format_second(text, second);
      cached_second = second;
    }
    text[kDateTimeSize] = '.';
    put_digits(text + kDateTimeSize + 1, (micros - second).count(), 6);
    text[kDateTimeSize + 7] = 'Z';
    last_micros = micros;
  }
  out.append(text, sizeof text);
}

std::string rfc3339(std::chrono::system_clock::time_point ts) {
  std::string out;
  append_rfc3339(out, ts);
  return out;
}

}  // namespace gw::eventlog
