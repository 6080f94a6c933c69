#include "protocol/auth.h"

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol {

Result<AuthSwitchRequest> decode_auth_switch_request(ByteView payload) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  if (reader.u8() != kAuthSwitchHeader) return fail(codec_errc::unexpected_message);
  if (reader.empty()) return fail(codec_errc::unsupported);  // old-password switch
  AuthSwitchRequest request;
  request.plugin = reader.null_terminated();
  request.data = reader.rest_string();
  if (!reader.ok()) return fail(reader.error());
  return request;
}

void encode_auth_switch_request(const AuthSwitchRequest& request, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(kAuthSwitchHeader);
  writer.null_terminated(request.plugin);
  writer.string(request.data);
}

Result<AuthMoreData> decode_auth_more_data(ByteView payload) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  if (reader.u8() != kAuthMoreDataHeader) return fail(codec_errc::unexpected_message);
  return AuthMoreData{std::string(reader.rest_string())};
}

void encode_auth_more_data(const AuthMoreData& more, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(kAuthMoreDataHeader);
  writer.string(more.data);
}

}  // namespace gw::protocol
