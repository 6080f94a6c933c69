#include "protocol/stmt_params.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace gw::protocol {
namespace {

// Captured from libmariadb 3.3 against MariaDB 10.11 (commands_test.cpp): two parameters, types
// LONG and STRING; the LONG is 0, the STRING came before with COM_STMT_SEND_LONG_DATA.
const Bytes kCapturedExecute = {0x17, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00,
                                0x00, 0x01, 0x03, 0x00, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00};

Bytes header() { return {0x17, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}; }

TEST(StmtParams, DecodesACapturedExecute) {
  auto params = decode_execute_params(kCapturedExecute, 2, {}, {false, true});
  ASSERT_TRUE(params);
  EXPECT_EQ(params->values, (std::vector<Value>{std::int64_t{0}, LongData{}}));
  EXPECT_EQ(params->types, (std::vector<ParamType>{{0x03, false}, {0xfe, false}}));
}

TEST(StmtParams, DecodesEveryKindOfValueIntoItsType) {
  Bytes payload = header();
  // 7 parameters; the third is NULL. Types: TINY signed, LONGLONG unsigned, VARCHAR (NULL),
  // DOUBLE, DATETIME, TIME, VAR_STRING.
  const Bytes rest = {
      0x04,  // null bitmap: parameter 2
      0x01,  // types follow
      0x01, 0x00, 0x08, 0x80, 0x0f, 0x00, 0x05, 0x00, 0x0c, 0x00, 0x0b, 0x00, 0xfd, 0x00,
      0xff,                                            // TINY -1
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // LONGLONG 18446744073709551615
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f,  // DOUBLE 1.5
      0x0b, 0xe8, 0x07, 0x01, 0x1f, 0x0a, 0x00, 0x05, 0x40, 0xe2, 0x01, 0x00,  // DATETIME(6)
      0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x02, 0x03, 0x04,                    // TIME -26:03:04
      0x06, 'i',  't',  '\'', 's',  ' ',  'x',                                 // VAR_STRING it's x
  };
  payload.insert(payload.end(), rest.begin(), rest.end());
  auto params = decode_execute_params(payload, 7, {}, {});
  ASSERT_TRUE(params) << params.error().message();
  const DateTime datetime{DateTime::Type::DateTime, 2024, 1, 31, 10, 0, 5, 123456};
  const Time time{true, 1, 2, 3, 4, 0};
  EXPECT_EQ(params->values,
            (std::vector<Value>{std::int64_t{-1}, std::uint64_t{18446744073709551615u}, NullValue{},
                                1.5, datetime, time, String{"it's x"}}));
}

TEST(StmtParams, ReusesTheTypesOfThePreviousExecution) {
  Bytes payload = header();
  const Bytes rest = {0x00, 0x00, 0x2a, 0x00, 0x00, 0x00};  // no types; LONG 42
  payload.insert(payload.end(), rest.begin(), rest.end());
  auto params = decode_execute_params(payload, 1, {{0x03, false}}, {});
  ASSERT_TRUE(params);
  EXPECT_EQ(params->values, std::vector<Value>{std::int64_t{42}});
  EXPECT_FALSE(decode_execute_params(payload, 1, {}, {}));  // nothing to reuse
}

TEST(StmtParams, LongDataParametersHaveNoValueInTheExecute) {
  Bytes payload = header();
  const Bytes rest = {0x00, 0x01, 0xfc, 0x00, 0x03, 0x00, 0x07, 0x00, 0x00, 0x00};
  payload.insert(payload.end(), rest.begin(), rest.end());
  auto params = decode_execute_params(payload, 2, {}, {true, false});
  ASSERT_TRUE(params);
  EXPECT_EQ(params->values, (std::vector<Value>{LongData{}, std::int64_t{7}}));
}

TEST(StmtParams, TruncatedValuesAreNeedMoreNotACrash) {
  for (std::size_t n = 0; n < kCapturedExecute.size(); ++n) {
    auto params = decode_execute_params(ByteView(kCapturedExecute).first(n), 2, {}, {false, true});
    EXPECT_FALSE(params) << "prefix of " << n << " bytes";
  }
}

// Found by tests/fuzz (stmt_params): a payload cut right after the header read as "no types
// sent, none remembered" (invalid_value) instead of need_more.
TEST(StmtParams, EveryStrictPrefixIsNeedMore) {
  for (std::size_t n = 0; n < kCapturedExecute.size(); ++n) {
    auto params = decode_execute_params(ByteView(kCapturedExecute).first(n), 2, {}, {false, true});
    ASSERT_FALSE(params) << "prefix of " << n << " bytes";
    EXPECT_EQ(params.error(), codec_errc::need_more) << "prefix of " << n << " bytes";
  }
}

// The rest of the types: FLOAT stays a float, DECIMAL keeps its digits as text, DATE and
// TIMESTAMP keep their type, short temporal encodings leave the unsent fields zero, an unsigned
// SHORT and a signed INT24 take their flag, and a wrong temporal length is invalid.
TEST(StmtParams, DecodesFloatsDecimalsAndShortTemporals) {
  Bytes payload = header();
  const Bytes rest = {
      0x00,  // no NULLs
      0x01,  // types follow
      0x04, 0x00, 0xf6, 0x00, 0x0a, 0x00, 0x07, 0x00, 0x0c,
      0x00, 0x0b, 0x00, 0x02, 0x80, 0x00, 0x00, 0xc0, 0xbf,  // FLOAT -1.5
      0x05, '-',  '1',  '2',  '.',  '5',                     // NEWDECIMAL -12.5
      0x04, 0xe8, 0x07, 0x01, 0x1f,                          // DATE 2024-01-31
      0x07, 0xe8, 0x07, 0x02, 0x01, 0x17, 0x3b, 0x3a,        // TIMESTAMP 2024-02-01 23:59:58
      0x00,                                                  // DATETIME, length 0: all zero
      0x00,                                                  // TIME, length 0
      0xfe, 0xff,                                            // SHORT unsigned 65534
  };
  payload.insert(payload.end(), rest.begin(), rest.end());
  auto params = decode_execute_params(payload, 7, {}, {});
  ASSERT_TRUE(params) << params.error().message();
  EXPECT_EQ(params->values,
            (std::vector<Value>{-1.5f, Decimal{"-12.5"},
                                DateTime{DateTime::Type::Date, 2024, 1, 31, 0, 0, 0, 0},
                                DateTime{DateTime::Type::Timestamp, 2024, 2, 1, 23, 59, 58, 0},
                                DateTime{}, Time{}, std::uint64_t{65534}}));

  Bytes bad = header();
  const Bytes bad_rest = {0x00, 0x01, 0x0a, 0x00, 0x05, 0xe8, 0x07, 0x01, 0x1f, 0x00};
  bad.insert(bad.end(), bad_rest.begin(), bad_rest.end());
  auto invalid = decode_execute_params(bad, 1, {}, {});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error(), codec_errc::invalid_length);
}

TEST(StmtParams, SignExtendsEachIntegerWidth) {
  Bytes payload = header();
  const Bytes rest = {0x00, 0x01, 0x02, 0x00, 0x09, 0x00, 0x03, 0x80, 0x00, 0x80,  // SHORT -32768
                      0xff, 0xff, 0xff, 0xff,   // INT24 -1 (sent in 4 bytes)
                      0xff, 0xff, 0xff, 0xff};  // LONG unsigned 4294967295
  payload.insert(payload.end(), rest.begin(), rest.end());
  auto params = decode_execute_params(payload, 3, {}, {});
  ASSERT_TRUE(params) << params.error().message();
  EXPECT_EQ(params->values, (std::vector<Value>{std::int64_t{-32768}, std::int64_t{-1},
                                                std::uint64_t{4294967295u}}));
}

}  // namespace
}  // namespace gw::protocol
