#include "eventlog/sql_literal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/stmt_params.h"

namespace gw::eventlog {
namespace {

using protocol::DateTime;
using protocol::Time;
using protocol::Value;

TEST(RenderSqlLiteral, EveryTypeOfValue) {
  const std::vector<std::pair<Value, std::string>> cases = {
      {protocol::NullValue{}, "NULL"},
      {protocol::LongData{}, "<long data>"},
      {std::int64_t{42}, "42"},
      {std::int64_t{-9223372036854775807 - 1}, "-9223372036854775808"},
      {std::uint64_t{18446744073709551615u}, "18446744073709551615"},
      {-1.5, "-1.5"},
      {1e20, "1e+20"},
      {0.1f, "0.1"},  // a float's own shortest digits, not 0.10000000149011612
      {protocol::Decimal{"-12.50"}, "'-12.50'"},
      {protocol::String{"text"}, "'text'"},
      {protocol::String{""}, "''"},
      {DateTime{DateTime::Type::DateTime, 2024, 1, 31, 10, 0, 0, 0}, "'2024-01-31 10:00:00'"},
      {DateTime{DateTime::Type::Timestamp, 2024, 1, 31, 10, 0, 5, 123456},
       "'2024-01-31 10:00:05.123456'"},
      {DateTime{DateTime::Type::Date, 2024, 1, 31, 0, 0, 0, 0}, "'2024-01-31'"},
      {DateTime{}, "'0000-00-00 00:00:00'"},
      {Time{}, "'00:00:00'"},
      {Time{true, 1, 2, 3, 4, 0}, "'-26:03:04'"},
      {Time{false, 34, 22, 59, 59, 5}, "'838:59:59.000005'"},
  };
  for (const auto& [value, literal] : cases) {
    EXPECT_EQ(render_sql_literal(value), literal) << "variant index " << value.index();
  }
}

// The same escaping the audit records have always had: a backslash before a quote or a
// backslash, every other byte (newline, NUL, non-UTF-8) as it is.
TEST(RenderSqlLiteral, EscapesQuotesAndBackslashesWithABackslash) {
  EXPECT_EQ(render_sql_literal(protocol::String{"it's"}), "'it\\'s'");
  EXPECT_EQ(render_sql_literal(protocol::String{"a\\b"}), "'a\\\\b'");
  EXPECT_EQ(render_sql_literal(protocol::String{"\\'"}), "'\\\\\\''");
  EXPECT_EQ(render_sql_literal(protocol::String{std::string("a\0\n\xff", 4)}),
            std::string("'a\0\n\xff'", 6));
  EXPECT_EQ(render_sql_literal(protocol::Decimal{"1'"}), "'1\\''");
}

// The texts stmt_params rendered itself before values were typed, from the same bytes.
TEST(RenderSqlLiteral, DecodedParametersRenderAsBefore) {
  Bytes payload = {0x17, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
  const Bytes rest = {
      0x04, 0x01, 0x01, 0x00, 0x08, 0x80, 0x0f, 0x00, 0x05, 0x00, 0x0c, 0x00, 0x0b,
      0x00, 0xfd, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f, 0x0b, 0xe8, 0x07, 0x01, 0x1f, 0x0a,
      0x00, 0x05, 0x40, 0xe2, 0x01, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x02,
      0x03, 0x04, 0x06, 'i',  't',  '\'', 's',  ' ',  'x',
  };
  payload.insert(payload.end(), rest.begin(), rest.end());
  auto params = protocol::decode_execute_params(payload, 7, {}, {});
  ASSERT_TRUE(params) << params.error().message();
  std::vector<std::string> rendered;
  for (const auto& value : params->values) rendered.push_back(render_sql_literal(value));
  EXPECT_EQ(rendered, (std::vector<std::string>{"-1", "18446744073709551615", "NULL", "1.5",
                                                "'2024-01-31 10:00:05.123456'", "'-26:03:04'",
                                                "'it\\'s x'"}));
}

}  // namespace
}  // namespace gw::eventlog
