#include "protocol/text_result.h"

#include <utility>

#include "core/byte_reader.h"
#include "core/errors.h"
#include "protocol/constants.h"
#include "protocol/response.h"
#include "protocol/resultset.h"

namespace gw::protocol {

TextResultDecoder::TextResultDecoder(std::uint64_t capabilities, TextResultLimits limits)
    : capabilities_(capabilities), limits_(limits) {}

Result<bool> TextResultDecoder::on_message(ByteView payload) {
  Result<bool> handled = [&]() -> Result<bool> {
    if (payload.empty()) return fail(codec_errc::need_more);
    if (expect_ != Expect::Rows && expect_ != Expect::Nothing && payload[0] == kErrHeader) {
      return on_err(payload);
    }
    switch (expect_) {
      case Expect::First:
        return on_first(payload);
      case Expect::Columns:
        if (auto column = on_column(payload); !column) return fail(column.error());
        return false;
      case Expect::ColumnsEof: {
        auto eof = decode_eof(payload);
        if (!eof) return fail(eof.error());
        expect_ = Expect::Rows;
        return false;
      }
      case Expect::Rows:
        return on_rows(payload);
      case Expect::Nothing:
        break;
    }
    return fail(codec_errc::unexpected_message);
  }();
  // Every handler changes state only once its message decoded, so a cut message (need_more)
  // leaves the decoder as it was.
  if (!handled && handled.error() != codec_errc::need_more) {
    expect_ = Expect::Nothing;
    result_ = {};
  }
  return handled;
}

Result<bool> TextResultDecoder::on_err(ByteView payload) {
  auto err = decode_err(payload, capabilities_);
  if (!err) return fail(err.error());
  result_ = {};
  result_.error_code = err->code;
  result_.sql_state = std::move(err->sql_state);
  result_.error_message = std::move(err->message);
  expect_ = Expect::Nothing;
  return true;
}

Result<bool> TextResultDecoder::on_first(ByteView payload) {
  if (payload[0] == kOkHeader) {
    auto ok = decode_ok(payload, capabilities_);
    if (!ok) return fail(ok.error());
    if ((ok->status & status::kMoreResultsExist) != 0) return fail(codec_errc::unsupported);
    result_.ok = true;
    expect_ = Expect::Nothing;
    return true;
  }
  auto count = decode_column_count_packet(payload, capabilities_);
  if (!count) return fail(count.error());
  if (!count->metadata_follows) return fail(codec_errc::unsupported);
  columns_ = columns_left_ = count->count;
  expect_ = Expect::Columns;
  return false;
}

// Only the catalog is read: every server sends "def" there, and a packet that is not a column
// definition (an EOF too early, a row) fails here rather than shifting the count.
Result<void> TextResultDecoder::on_column(ByteView payload) {
  if (is_eof_packet(payload[0], payload.size())) return fail(codec_errc::unexpected_message);
  ByteReader reader(payload);
  const std::string_view catalog = reader.lenenc_string();
  if (!reader.ok()) return fail(reader.error());
  if (catalog != "def") return fail(codec_errc::invalid_value);
  if (--columns_left_ == 0) {
    expect_ = (capabilities_ & cap::kDeprecateEof) != 0 ? Expect::Rows : Expect::ColumnsEof;
  }
  return {};
}

Result<bool> TextResultDecoder::on_rows(ByteView payload) {
  const std::uint8_t first = payload[0];
  if (first == kErrHeader) return on_err(payload);
  const bool deprecate_eof = (capabilities_ & cap::kDeprecateEof) != 0;
  if (deprecate_eof ? is_ok_terminator(first, payload.size())
                    : is_eof_packet(first, payload.size())) {
    return on_terminator(payload);
  }
  if (auto row = on_row(payload); !row) return fail(row.error());
  return false;
}

Result<bool> TextResultDecoder::on_terminator(ByteView payload) {
  std::uint16_t status = 0;
  if ((capabilities_ & cap::kDeprecateEof) != 0) {
    auto ok = decode_ok(payload, capabilities_);
    if (!ok) return fail(ok.error());
    status = ok->status;
  } else {
    auto eof = decode_eof(payload);
    if (!eof) return fail(eof.error());
    status = eof->status;
  }
  if ((status & status::kMoreResultsExist) != 0) return fail(codec_errc::unsupported);
  result_.ok = true;
  expect_ = Expect::Nothing;
  return true;
}

Result<void> TextResultDecoder::on_row(ByteView payload) {
  if (result_.rows.size() >= limits_.max_rows || payload.size() > limits_.max_bytes - bytes_) {
    return fail(session_errc::message_too_large);
  }
  ByteReader reader(payload);
  TextRow row;
  while (reader.ok() && !reader.empty()) {
    if (row.size() == columns_) return fail(codec_errc::trailing_bytes);
    if (reader.peek() == 0xfb) {
      reader.skip(1);
      row.emplace_back(std::nullopt);
    } else {
      // lenenc_string checks its length against what remains before taking it.
      row.emplace_back(std::string(reader.lenenc_string()));
    }
  }
  if (!reader.ok()) return fail(reader.error());
  if (row.size() != columns_) return fail(codec_errc::need_more);
  bytes_ += payload.size();
  result_.rows.push_back(std::move(row));
  return {};
}

}  // namespace gw::protocol
