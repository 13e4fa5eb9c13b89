// Internal to src/wire (not part of the public API): per-message body codecs that message.cpp
// dispatches to. `body` is the message without its 19-octet header; the header (marker, length,
// type) has been checked already, including the per-type minimum lengths of RFC 4271 §6.1.
#pragma once

#include <tl/expected.hpp>

#include "core/bytes.hpp"
#include "wire/error.hpp"
#include "wire/message.hpp"

namespace evpnd::wire::detail {

tl::expected<Open, DecodeError> decode_open(ByteView body);
void encode_open(ByteWriter& w, const Open& o);

tl::expected<Update, DecodeError> decode_update(ByteView body, const DecodeContext& ctx);
void encode_update(ByteWriter& w, const Update& u, const EncodeContext& ctx);

}  // namespace evpnd::wire::detail
