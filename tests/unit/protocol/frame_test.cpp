#include "protocol/frame.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol {
namespace {

TEST(FrameHeader, DecodesComQuitHeader) {
  // COM_QUIT as every client sends it: length 1, sequence 0, payload 0x01.
  const Bytes com_quit = {0x01, 0x00, 0x00, 0x00, 0x01};
  auto header = decode_frame_header(com_quit);
  ASSERT_TRUE(header);
  EXPECT_EQ(*header, (FrameHeader{1, 0}));
}

TEST(FrameHeader, EveryStrictPrefixNeedsMore) {
  const Bytes bytes = {0xff, 0xff, 0xff, 0x07};
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto header = decode_frame_header(ByteView(bytes).first(n));
    ASSERT_FALSE(header);
    EXPECT_EQ(header.error(), codec_errc::need_more);
  }
  EXPECT_EQ(*decode_frame_header(bytes), (FrameHeader{0xffffff, 7}));
}

TEST(FrameHeader, EncodesBackToTheSameBytes) {
  Bytes out;
  encode_frame_header({0x123456, 9}, out);
  EXPECT_EQ(out, (Bytes{0x56, 0x34, 0x12, 0x09}));
}

TEST(AppendMessage, SmallMessageIsOnePacket) {
  Bytes out;
  const Bytes payload = {0x03, 'S', 'E', 'L'};
  EXPECT_EQ(append_message(payload, 0, out), 1);
  EXPECT_EQ(out, (Bytes{0x04, 0x00, 0x00, 0x00, 0x03, 'S', 'E', 'L'}));
}

TEST(AppendMessage, ExactlyMaxPayloadIsFollowedByAnEmptyPacket) {
  const Bytes payload(kMaxPacketPayload, 0xab);
  Bytes out;
  EXPECT_EQ(append_message(payload, 3, out), 5);
  ASSERT_EQ(out.size(), kFrameHeaderSize + kMaxPacketPayload + kFrameHeaderSize);
  EXPECT_EQ(*decode_frame_header(out), (FrameHeader{kMaxPacketPayload, 3}));
  EXPECT_EQ(*decode_frame_header(ByteView(out).subspan(kFrameHeaderSize + kMaxPacketPayload)),
            (FrameHeader{0, 4}));
}

TEST(AppendMessage, LargerThanMaxIsSplit) {
  const Bytes payload(kMaxPacketPayload + 10, 0x01);
  Bytes out;
  EXPECT_EQ(append_message(payload, 255, out), 1);  // 255, then 0: the sequence id wraps
  EXPECT_EQ(*decode_frame_header(ByteView(out).subspan(kFrameHeaderSize + kMaxPacketPayload)),
            (FrameHeader{10, 0}));
}

}  // namespace
}  // namespace gw::protocol
