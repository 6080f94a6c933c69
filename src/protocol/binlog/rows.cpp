#include "protocol/binlog/rows.h"

#include "core/byte_reader.h"
#include "core/errors.h"
#include "protocol/binlog/column_value.h"

namespace gw::protocol::binlog {

namespace {

struct KindOf {
  RowsKind kind;
  bool v2;
};

std::optional<KindOf> kind_of(EventType type) {
  switch (type) {
    case EventType::WriteRowsV1:
      return KindOf{RowsKind::Write, false};
    case EventType::UpdateRowsV1:
      return KindOf{RowsKind::Update, false};
    case EventType::DeleteRowsV1:
      return KindOf{RowsKind::Delete, false};
    case EventType::WriteRows:
      return KindOf{RowsKind::Write, true};
    case EventType::UpdateRows:
      return KindOf{RowsKind::Update, true};
    case EventType::DeleteRows:
      return KindOf{RowsKind::Delete, true};
    default:
      return std::nullopt;
  }
}

void read_bitmap(ByteView bits, std::size_t count, std::vector<bool>& out) {
  out.assign(count, false);
  for (std::size_t i = 0; i < count; ++i) out[i] = (bits[i / 8] >> (i % 8) & 1) != 0;
}

std::size_t count_set(const std::vector<bool>& bits) {
  std::size_t n = 0;
  for (const bool b : bits) n += b ? 1 : 0;
  return n;
}

}  // namespace

Result<RowsEvent> decode_rows_event(EventType type, ByteView body,
                                    std::uint8_t post_header_length) {
  const auto kind = kind_of(type);
  if (!kind) return fail(codec_errc::unexpected_message);
  const std::uint8_t fixed = kind->v2 ? 10 : 8;
  if (post_header_length < fixed) return fail(codec_errc::unsupported);
  ByteReader in(body);
  RowsEvent event;
  event.kind = kind->kind;
  event.table_id = in.u48();
  event.flags = in.u16();
  if (kind->v2) {
    // The extra-data length counts its own two bytes.
    const std::uint16_t extra = in.u16();
    if (in.ok() && extra < 2) return fail(codec_errc::invalid_length);
    in.skip(post_header_length - fixed);
    if (in.ok() && extra - 2u > in.remaining()) return fail(codec_errc::invalid_length);
    in.skip(extra - 2u);
  } else {
    in.skip(post_header_length - fixed);
  }
  event.column_count = in.lenenc();
  if (!in.ok()) return fail(in.error());
  // A bitmap bit per column: the count cannot pass eight times the bytes left.
  if (event.column_count > in.remaining() * 8) return fail(codec_errc::need_more);
  const auto count = static_cast<std::size_t>(event.column_count);
  read_bitmap(in.bytes((count + 7) / 8), count, event.present);
  if (event.kind == RowsKind::Update) {
    const ByteView after = in.bytes((count + 7) / 8);
    if (!in.ok()) return fail(in.error());
    read_bitmap(after, count, event.present_after);
  }
  if (!in.ok()) return fail(in.error());
  event.rows = in.rest();
  return event;
}

RowCursor::RowCursor(const RowsEvent& event, const TableMap& table)
    : event_(&event), table_(&table), rest_(event.rows) {}

bool RowCursor::at_end() const { return rest_.empty(); }

Result<void> RowCursor::read_image(const std::vector<bool>& present, RowImage& image) {
  const std::size_t count = present.size();
  image.resize(count);
  // The NULL bitmap has a bit per present column only.
  const std::size_t null_bytes = (count_set(present) + 7) / 8;
  if (rest_.size() < null_bytes) return fail(codec_errc::need_more);
  const ByteView nulls = rest_.first(null_bytes);
  ByteView values = rest_.subspan(null_bytes);
  std::size_t bit = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::optional<Value>& slot = image[i];
    if (!present[i]) {
      slot.reset();
      continue;
    }
    const bool is_null = (nulls[bit / 8] >> (bit % 8) & 1) != 0;
    ++bit;
    if (!slot) slot.emplace();
    if (is_null) {
      slot->emplace<NullValue>();
      continue;
    }
    const auto used = detail::decode_value_into(table_->columns[i], values, *slot);
    if (!used) return fail(used.error());
    values = values.subspan(*used);
  }
  rest_ = values;
  return {};
}

Result<void> RowCursor::next(RowImage& before, RowImage& after) {
  if (event_->column_count != table_->columns.size()) return fail(codec_errc::invalid_value);
  if (at_end()) return fail(codec_errc::need_more);
  const ByteView start = rest_;
  Result<void> read;
  switch (event_->kind) {
    case RowsKind::Write:
      before.clear();
      read = read_image(event_->present, after);
      break;
    case RowsKind::Delete:
      after.clear();
      read = read_image(event_->present, before);
      break;
    case RowsKind::Update:
      read = read_image(event_->present, before);
      if (read) read = read_image(event_->present_after, after);
      break;
  }
  // A failed row leaves the cursor where it was: the caller stops, nothing half-consumed.
  if (!read) {
    rest_ = start;
    return read;
  }
  // A row of no bytes (no column present) would never reach the end of the event: the server
  // writes none, so the event is malformed.
  if (rest_.size() == start.size()) return fail(codec_errc::invalid_value);
  return read;
}

}  // namespace gw::protocol::binlog
