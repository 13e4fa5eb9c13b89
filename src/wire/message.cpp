// The BGP message header (RFC 4271 §4.1, §6.1; RFC 8654 extended messages) and the small
// messages: NOTIFICATION (§4.5, RFC 8203/9003 shutdown communication, RFC 8538 Hard Reset),
// KEEPALIVE (§4.4) and ROUTE-REFRESH (RFC 2918, RFC 7313). OPEN and UPDATE bodies are in
// open.cpp and update.cpp.
#include <algorithm>

#include "wire/attribute_codec.hpp"
#include "wire/message_codec.hpp"

namespace evpnd::wire {

namespace {

using detail::make_error;

tl::unexpected<DecodeError> header_error(uint8_t subcode, std::string reason, Bytes data = {}) {
  return tl::unexpected(make_error(ErrorAction::kSessionReset, 1, subcode, std::move(reason), data));
}

// RFC 4271 §6.1 minimum lengths per type; KEEPALIVE is exactly 19.
size_t min_length(MessageType t) {
  switch (t) {
    case MessageType::kOpen: return 29;
    case MessageType::kUpdate: return 23;
    case MessageType::kNotification: return 21;
    case MessageType::kKeepalive: return 19;
    case MessageType::kRouteRefresh: return 23;
  }
  return kHeaderSize;
}

std::string printable(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void write_header(ByteWriter& w, MessageType t) {
  for (int i = 0; i < 16; ++i) w.u8(0xFF);
  w.u16(0);  // patched by encode_message
  w.u8(static_cast<uint8_t>(t));
}

}  // namespace

const char* message_type_name(MessageType t) {
  switch (t) {
    case MessageType::kOpen: return "OPEN";
    case MessageType::kUpdate: return "UPDATE";
    case MessageType::kNotification: return "NOTIFICATION";
    case MessageType::kKeepalive: return "KEEPALIVE";
    case MessageType::kRouteRefresh: return "ROUTE-REFRESH";
  }
  return "UNKNOWN";
}

tl::expected<uint16_t, DecodeError> peek_header(ByteView bytes, const DecodeContext& ctx) {
  if (bytes.size() < kHeaderSize) {
    return header_error(subcode::kBadMessageLength, "message shorter than the 19-octet header");
  }
  if (!std::all_of(bytes.begin(), bytes.begin() + 16, [](uint8_t b) { return b == 0xFF; })) {
    return header_error(subcode::kConnectionNotSynchronized, "marker is not all ones");
  }
  const uint16_t len = static_cast<uint16_t>(bytes[16] << 8 | bytes[17]);
  const uint8_t type = bytes[18];
  Bytes len_data{bytes[16], bytes[17]};  // RFC 4271 §6.1: data is the erroneous Length field
  if (type < 1 || type > 5) {
    return header_error(subcode::kBadMessageType, "unknown message type " + std::to_string(type),
                        Bytes{type});
  }
  const auto t = static_cast<MessageType>(type);
  // RFC 8654 §4: OPEN and KEEPALIVE never exceed 4096 octets, whatever was negotiated.
  size_t max = ctx.extended_message ? kMaxExtendedMessageSize : kMaxMessageSize;
  if (t == MessageType::kOpen || t == MessageType::kKeepalive) max = kMaxMessageSize;
  if (len < min_length(t) || len > max || (t == MessageType::kKeepalive && len != kHeaderSize)) {
    return header_error(subcode::kBadMessageLength,
                        std::string(message_type_name(t)) + " length " + std::to_string(len),
                        len_data);
  }
  return len;
}

std::optional<std::string> Notification::shutdown_communication() const {
  if (code != uint8_t(NotifyCode::kCease) ||
      (subcode != subcode::kCeaseAdminShutdown && subcode != subcode::kCeaseAdminReset)) {
    return std::nullopt;
  }
  if (data.empty() || data[0] == 0 || size_t{data[0]} + 1 > data.size()) return std::nullopt;
  return std::string(data.begin() + 1, data.begin() + 1 + data[0]);
}

std::string Notification::to_string() const {
  std::string s = std::string(notify_code_name(code)) + "/" + notify_subcode_name(code, subcode);
  if (auto text = shutdown_communication()) return s + ": \"" + printable(*text) + "\"";
  if (code == uint8_t(NotifyCode::kCease) && subcode == subcode::kCeaseHardReset &&
      data.size() >= 2) {
    // RFC 8538 §3.1: the data holds the code, subcode and data of the underlying cause.
    Notification inner{data[0], data[1], Bytes(data.begin() + 2, data.end())};
    return s + " (" + inner.to_string() + ")";
  }
  if (!data.empty() && !(code == uint8_t(NotifyCode::kCease) &&
                         (subcode == subcode::kCeaseAdminShutdown ||
                          subcode == subcode::kCeaseAdminReset))) {
    s += " [data " + to_hex(data) + "]";
  }
  return s;
}

tl::expected<Message, DecodeError> decode_message(ByteView bytes, const DecodeContext& ctx) {
  auto len = peek_header(bytes, ctx);
  if (!len) return tl::unexpected(std::move(len.error()));
  if (bytes.size() != *len) {
    return header_error(subcode::kBadMessageLength,
                        "message length " + std::to_string(*len) + " but " +
                            std::to_string(bytes.size()) + " octets given",
                        Bytes{bytes[16], bytes[17]});
  }
  ByteView body = bytes.subspan(kHeaderSize);
  switch (static_cast<MessageType>(bytes[18])) {
    case MessageType::kOpen: {
      auto o = detail::decode_open(body);
      if (!o) return tl::unexpected(std::move(o.error()));
      return Message(std::move(*o));
    }
    case MessageType::kUpdate: {
      auto u = detail::decode_update(body, ctx);
      if (!u) return tl::unexpected(std::move(u.error()));
      return Message(std::move(*u));
    }
    case MessageType::kNotification:
      return Message(Notification{body[0], body[1], Bytes(body.begin() + 2, body.end())});
    case MessageType::kKeepalive: return Message(Keepalive{});
    case MessageType::kRouteRefresh: {
      RouteRefresh rr;
      rr.afi_safi = AfiSafi{static_cast<Afi>(body[0] << 8 | body[1]), static_cast<Safi>(body[3])};
      rr.subtype = body[2];
      // RFC 7313 §5: BoRR/EoRR must be exactly 23 octets; the data is the whole message. A
      // normal request may carry ORFs (RFC 5291), which we do not support and skip. Unknown
      // subtypes are returned for the FSM to ignore (RFC 7313 §5).
      if ((rr.subtype == 1 || rr.subtype == 2) && bytes.size() != 23) {
        return tl::unexpected(make_error(ErrorAction::kSessionReset, 7,
                                         subcode::kInvalidMessageLength,
                                         "ROUTE-REFRESH subtype " + std::to_string(rr.subtype) +
                                             " of length " + std::to_string(bytes.size()),
                                         bytes));
      }
      return Message(rr);
    }
  }
  return header_error(subcode::kBadMessageType, "unknown message type");  // not reached
}

void encode_message(const Message& m, const EncodeContext& ctx, Bytes& out) {
  const size_t start = out.size();
  ByteWriter w(out);
  struct Visitor {
    ByteWriter& w;
    const EncodeContext& ctx;
    void operator()(const Open& o) {
      write_header(w, MessageType::kOpen);
      detail::encode_open(w, o);
    }
    void operator()(const Update& u) {
      write_header(w, MessageType::kUpdate);
      detail::encode_update(w, u, ctx);
    }
    void operator()(const Notification& n) {
      write_header(w, MessageType::kNotification);
      w.u8(n.code);
      w.u8(n.subcode);
      w.bytes(n.data);
    }
    void operator()(const Keepalive&) { write_header(w, MessageType::kKeepalive); }
    void operator()(const RouteRefresh& r) {
      write_header(w, MessageType::kRouteRefresh);
      w.u16(static_cast<uint16_t>(r.afi_safi.afi));
      w.u8(r.subtype);
      w.u8(static_cast<uint8_t>(r.afi_safi.safi));
    }
  };
  detail::reserve_more(out, 256);
  std::visit(Visitor{w, ctx}, m);
  w.patch_u16(start + 16, static_cast<uint16_t>(out.size() - start));
}

Bytes encode_message(const Message& m, const EncodeContext& ctx) {
  Bytes out;
  encode_message(m, ctx, out);
  return out;
}

}  // namespace evpnd::wire
