#include "core/byte_reader.h"

#include <gtest/gtest.h>

#include "core/byte_writer.h"

namespace gw {
namespace {

TEST(ByteReader, ReadsLittleEndianIntegers) {
  const Bytes input = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
  ByteReader reader(input);
  EXPECT_EQ(reader.u8(), 0x01);
  EXPECT_EQ(reader.u16(), 0x0302);
  EXPECT_EQ(reader.u24(), 0x060504u);
  EXPECT_EQ(reader.u32(), 0x0a090807u);
  EXPECT_TRUE(reader.ok());
  EXPECT_TRUE(reader.empty());
}

struct LenencCase {
  const char* name;
  Bytes bytes;
  std::uint64_t value;
};

class LenencTest : public ::testing::TestWithParam<LenencCase> {};

TEST_P(LenencTest, DecodesEncodesAndNeedsMoreOnEveryPrefix) {
  const auto& c = GetParam();
  ByteReader reader(c.bytes);
  EXPECT_EQ(reader.lenenc(), c.value);
  EXPECT_TRUE(reader.ok());
  EXPECT_TRUE(reader.empty());

  Bytes encoded;
  ByteWriter(encoded).lenenc(c.value);
  EXPECT_EQ(encoded, c.bytes);

  for (std::size_t n = 0; n < c.bytes.size(); ++n) {
    ByteReader prefix(ByteView(c.bytes).first(n));
    (void)prefix.lenenc();
    EXPECT_EQ(prefix.error(), codec_errc::need_more) << "prefix of " << n << " bytes";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, LenencTest,
    ::testing::Values(LenencCase{"zero", {0x00}, 0}, LenencCase{"max_one_byte", {0xfa}, 250},
                      LenencCase{"two_bytes", {0xfc, 0xfb, 0x00}, 251},
                      LenencCase{"two_bytes_max", {0xfc, 0xff, 0xff}, 0xffff},
                      LenencCase{"three_bytes", {0xfd, 0x00, 0x00, 0x01}, 0x010000},
                      LenencCase{"eight_bytes",
                                 {0xfe, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00},
                                 0x01000000}),
    [](const ::testing::TestParamInfo<LenencCase>& p) { return std::string(p.param.name); });

TEST(ByteReader, NullMarkerIsNotAnInteger) {
  const Bytes input = {0xfb};
  ByteReader reader(input);
  (void)reader.lenenc();
  EXPECT_EQ(reader.error(), codec_errc::invalid_value);

  ByteReader row_reader(input);
  EXPECT_FALSE(row_reader.lenenc_or_null().has_value());
  EXPECT_TRUE(row_reader.ok());
}

TEST(ByteReader, ErrorMarkerIsInvalid) {
  const Bytes input = {0xff, 0x00};
  ByteReader reader(input);
  (void)reader.lenenc();
  EXPECT_EQ(reader.error(), codec_errc::invalid_value);
}

TEST(ByteReader, LenencStringLongerThanInputIsNeedMoreWithoutAllocating) {
  // Claims 16 MiB, holds 2 bytes.
  const Bytes input = {0xfd, 0x00, 0x00, 0x01, 'a', 'b'};
  ByteReader reader(input);
  EXPECT_TRUE(reader.lenenc_string().empty());
  EXPECT_EQ(reader.error(), codec_errc::need_more);
}

TEST(ByteReader, ErrorIsSticky) {
  const Bytes input = {0x01};
  ByteReader reader(input);
  EXPECT_EQ(reader.u16(), 0);
  EXPECT_EQ(reader.u8(), 0);  // a byte remains, but the reader already failed
  EXPECT_EQ(reader.error(), codec_errc::need_more);
}

TEST(ByteReader, NullTerminatedStringWithoutNulIsNeedMore) {
  const Bytes input = {'r', 'o', 'o', 't'};
  ByteReader reader(input);
  EXPECT_TRUE(reader.null_terminated().empty());
  EXPECT_EQ(reader.error(), codec_errc::need_more);

  const Bytes terminated = {'r', 'o', 'o', 't', 0, 'x'};
  ByteReader ok_reader(terminated);
  EXPECT_EQ(ok_reader.null_terminated(), "root");
  EXPECT_EQ(ok_reader.rest_string(), "x");
}

}  // namespace
}  // namespace gw
