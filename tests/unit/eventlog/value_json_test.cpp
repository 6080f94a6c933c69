// Column values as JSON (value_json.h): each alternative of protocol::Value, with the edges a
// binlog row can carry.

#include "eventlog/value_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace gw::eventlog {
namespace {

using protocol::DateTime;
using protocol::kFspUnknown;
using protocol::Time;
using protocol::Value;

DateTime date_time(std::uint32_t microsecond, std::int8_t fsp,
                   DateTime::Type type = DateTime::Type::DateTime) {
  return {.type = type,
          .year = 2024,
          .month = 1,
          .day = 31,
          .hour = 10,
          .minute = 5,
          .second = 9,
          .microsecond = microsecond,
          .fsp = fsp};
}

TEST(ValueJson, NullAndLongDataAreNull) {
  EXPECT_EQ(value_json(protocol::NullValue{}), "null");
  EXPECT_EQ(value_json(protocol::LongData{}), "null");
}

TEST(ValueJson, IntegersAreExactNumbersAtTheirLimits) {
  EXPECT_EQ(value_json(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(value_json(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(value_json(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(value_json(std::int64_t{0}), "0");
  EXPECT_EQ(value_json(std::uint64_t{255}), "255");
}

TEST(ValueJson, FloatingPointHasTheShortestExactDigitsAndNeverNanOrInfinity) {
  EXPECT_EQ(value_json(0.1f), "0.1");  // a float's digits, not 0.10000000149011612
  EXPECT_EQ(value_json(0.1), "0.1");
  EXPECT_EQ(value_json(-1.5), "-1.5");
  EXPECT_EQ(value_json(1e20), "1e+20");
  EXPECT_EQ(value_json(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(value_json(3.4028235e38f), "3.4028235e+38");
  EXPECT_EQ(value_json(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(value_json(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(value_json(-std::numeric_limits<float>::infinity()), "null");
}

TEST(ValueJson, DecimalIsItsExactTextAsAString) {
  EXPECT_EQ(value_json(protocol::Decimal{"-12.500"}), R"("-12.500")");
  const std::string wide = "12345678901234567890123456789012345.123456789012345678901234567890";
  EXPECT_EQ(value_json(protocol::Decimal{wide}), "\"" + wide + "\"");
}

TEST(ValueJson, TextIsAJsonString) {
  EXPECT_EQ(value_json(protocol::String{"a \"q\" \\ \n é"}), R"("a \"q\" \\ \n é")");
  EXPECT_EQ(value_json(protocol::String{""}), R"("")");
}

TEST(ValueJson, TextThatIsNotUtf8IsReplacedAndReportedForItsBase64) {
  const Value latin1 = protocol::String{"caf\xe9"};  // 'café' in latin1
  std::string out;
  EXPECT_FALSE(append_value_json(out, latin1));
  EXPECT_EQ(out, "\"caf\xef\xbf\xbd\"");  // U+FFFD
  std::string exact;
  append_exact_base64(exact, latin1);
  EXPECT_EQ(exact, R"("Y2Fm6Q==")");
  std::string utf8;
  EXPECT_TRUE(append_value_json(utf8, protocol::String{"caf\xc3\xa9"}));
}

TEST(ValueJson, BinaryIsBase64) {
  EXPECT_EQ(value_json(protocol::Binary{std::string("\x00\xff\x10", 3)}), R"("AP8Q")");
  EXPECT_EQ(value_json(protocol::Binary{""}), R"("")");
  // Binary bytes are never "not UTF-8": base64 is always exact.
  std::string out;
  EXPECT_TRUE(append_value_json(out, protocol::Binary{"\xe9"}));
}

TEST(ValueJson, GeometryIsSridAndLowerCaseHexWkb) {
  // POINT(1 2), SRID 4326.
  const std::string wkb(
      "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00"
      "\x00\x00\x00\x40",
      21);
  EXPECT_EQ(value_json(protocol::Geometry{.srid = 4326, .wkb = wkb}),
            R"({"srid":4326,"wkb":"0101000000000000000000f03f0000000000000040"})");
}

TEST(ValueJson, DateHasNoTime) {
  EXPECT_EQ(value_json(date_time(0, kFspUnknown, DateTime::Type::Date)), R"("2024-01-31")");
  EXPECT_EQ(value_json(DateTime{.type = DateTime::Type::Date}), R"("0000-00-00")");
}

TEST(ValueJson, DateTimeFractionHasExactlyFspDigits) {
  EXPECT_EQ(value_json(date_time(0, 0)), R"("2024-01-31 10:05:09")");
  EXPECT_EQ(value_json(date_time(120000, 3)), R"("2024-01-31 10:05:09.120")");
  EXPECT_EQ(value_json(date_time(0, 3)), R"("2024-01-31 10:05:09.000")");
  EXPECT_EQ(value_json(date_time(999999, 6)), R"("2024-01-31 10:05:09.999999")");
  EXPECT_EQ(value_json(date_time(5, 6)), R"("2024-01-31 10:05:09.000005")");
  EXPECT_EQ(value_json(date_time(0, 6, DateTime::Type::Timestamp)),
            R"("2024-01-31 10:05:09.000000")");
}

TEST(ValueJson, DateTimeWithUnknownFspShowsMicrosecondsOnlyWhenNotZero) {
  EXPECT_EQ(value_json(date_time(0, kFspUnknown)), R"("2024-01-31 10:05:09")");
  EXPECT_EQ(value_json(date_time(120000, kFspUnknown)), R"("2024-01-31 10:05:09.120000")");
}

TEST(ValueJson, ZeroDatesStayAsStored) {
  EXPECT_EQ(value_json(DateTime{.fsp = 0}), R"("0000-00-00 00:00:00")");
  EXPECT_EQ(value_json(DateTime{.type = DateTime::Type::Timestamp, .fsp = 6}),
            R"("0000-00-00 00:00:00.000000")");
  EXPECT_EQ(value_json(DateTime{.year = 2024, .fsp = 0}), R"("2024-00-00 00:00:00")");
}

TEST(ValueJson, TimeCountsDaysAsHoursWithASignAndTheFractionRule) {
  EXPECT_EQ(value_json(Time{.negative = true,
                            .days = 34,
                            .hour = 22,
                            .minute = 59,
                            .second = 59,
                            .microsecond = 500000,
                            .fsp = 1}),
            R"("-838:59:59.5")");
  EXPECT_EQ(value_json(Time{.negative = true, .second = 1, .microsecond = 123456, .fsp = 6}),
            R"("-00:00:01.123456")");
  EXPECT_EQ(value_json(Time{.hour = 1, .fsp = 0}), R"("01:00:00")");
  EXPECT_EQ(value_json(Time{.hour = 1, .microsecond = 250, .fsp = kFspUnknown}),
            R"("01:00:00.000250")");
  EXPECT_EQ(value_json(Time{.fsp = kFspUnknown}), R"("00:00:00")");
  // A nonsense day count from the wire neither wraps nor traps.
  EXPECT_EQ(value_json(Time{.days = 0xFFFFFFFF, .fsp = 0}), R"("103079215080:00:00")");
}

}  // namespace
}  // namespace gw::eventlog
