// OPEN (RFC 4271 §4.2) with Capabilities optional parameters (RFC 5492) and the RFC 9072
// extended optional parameters length.
//
// NOTE errors (RFC 4271 §6.2, checked in its order): version -> Unsupported Version Number (data:
// the version we support); Hold Time 1 or 2 -> Unacceptable Hold Time; BGP Identifier 0 ->
// Bad BGP Identifier (RFC 6286: any other value is valid); a parameter other than Capabilities
// -> Unsupported Optional Parameter; malformed parameters or known capabilities -> OPEN Message
// Error / Unspecific (what FRR sends). The peer AS is checked by the FSM, which knows the config.
// NOTE byte-exactness: every OPEN this decoder accepts re-encodes to the same bytes.
// `order`/`param_breaks`/`extended_params` record the layout, `add_path_sizes` how repeated
// add-path capabilities split the merged list, `mp_reserved` and the graceful restart
// `reserved_flags` the reserved bits; repeated single-valued capabilities are kept raw in
// caps.unknown: for graceful restart the earlier instances (RFC 4724 §3: the receiver "MUST
// ignore all but the last instance"), for the others the later ones (their RFCs say nothing, and
// RFC 5492 §4 leaves repeats to each capability's document: the first is used).
#include <bitset>

#include "wire/attribute_codec.hpp"
#include "wire/message_codec.hpp"

namespace evpnd::wire::detail {

namespace {

enum CapCode : uint8_t {
  kCapMultiprotocol = 1,
  kCapRouteRefresh = 2,
  kCapExtendedMessage = 6,
  kCapGracefulRestart = 64,
  kCapFourOctetAs = 65,
  kCapAddPath = 69,
  kCapEnhancedRouteRefresh = 70,
  kCapFqdn = 73,
  kCapRouteRefreshCisco = 128,
};

tl::unexpected<DecodeError> open_error(uint8_t subcode, std::string reason, Bytes data = {}) {
  return tl::unexpected(make_error(ErrorAction::kSessionReset, 2, subcode, std::move(reason), data));
}

uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// One capability's value holds at most 255 octets: 63 four-octet tuples.
constexpr size_t kMaxTuples = 63;

// RFC 4724 §3 value: Restart Flags (R, N, 2 reserved) and Restart Time, then <AFI, SAFI, Flags>.
void write_graceful_restart(ByteWriter& w, const GracefulRestart& gr) {
  const size_t n = std::min(gr.families.size(), kMaxTuples);
  w.u16(static_cast<uint16_t>((gr.restart_state ? 0x8000 : 0) | (gr.notification ? 0x4000 : 0) |
                              (gr.reserved_flags & 0x30) << 8 | (gr.restart_time & 0x0FFF)));
  for (size_t i = 0; i < n; ++i) {
    const auto& f = gr.families[i];
    w.u16(static_cast<uint16_t>(f.afi_safi.afi));
    w.u8(static_cast<uint8_t>(f.afi_safi.safi));
    w.u8(static_cast<uint8_t>((f.forwarding_preserved ? 0x80 : 0) | (f.reserved_flags & 0x7F)));
  }
}

// Decodes one capability into `o.caps` (and the layout sidecars of `o`); returns a reason when
// its length does not fit its code.
std::optional<std::string> decode_capability(uint8_t code, ByteView v, Open& o) {
  Capabilities& c = o.caps;
  auto need = [&](bool ok) -> std::optional<std::string> {
    if (ok) return std::nullopt;
    return "capability " + std::to_string(code) + ": bad length " + std::to_string(v.size());
  };
  // RFC 4724 §3: "If more than one instance of the Graceful Restart Capability is carried in
  // the capability advertisement, the receiver of the advertisement MUST ignore all but the last
  // instance". Each new instance replaces the one in the field, which moves to the raw list
  // (re-encoded before the field, so the wire order is kept).
  if (code == kCapGracefulRestart && c.graceful_restart) {
    Open scratch;
    if (auto why = decode_capability(code, v, scratch)) return why;
    Bytes earlier;
    ByteWriter ew(earlier);
    write_graceful_restart(ew, *c.graceful_restart);
    c.unknown.push_back(RawCapability{code, std::move(earlier)});
    c.graceful_restart = std::move(scratch.caps.graceful_restart);
    return std::nullopt;
  }
  // Another repeated single-valued capability is checked like the first, then kept raw
  // (message.hpp): route refresh, enhanced route refresh and extended message have no value, so
  // a repeat changes nothing (RFC 5492 §4); RFC 6793 and the FQDN draft define no repeats.
  const bool repeated = (code == kCapRouteRefresh && c.route_refresh) ||
                        (code == kCapRouteRefreshCisco && c.route_refresh_cisco) ||
                        (code == kCapEnhancedRouteRefresh && c.enhanced_route_refresh) ||
                        (code == kCapExtendedMessage && c.extended_message) ||
                        (code == kCapFourOctetAs && c.four_octet_as) ||
                        (code == kCapFqdn && c.fqdn_hostname);
  if (repeated) {
    Open scratch;
    if (auto why = decode_capability(code, v, scratch)) return why;
    c.unknown.push_back(RawCapability{code, Bytes(v.begin(), v.end())});
    return std::nullopt;
  }
  switch (code) {
    case kCapMultiprotocol:  // RFC 4760 §8: AFI (2), reserved (1), SAFI (1)
      if (v.size() != 4) return need(false);
      if (v[2] != 0) o.mp_reserved.resize(c.multiprotocol.size(), 0);
      if (v[2] != 0 || !o.mp_reserved.empty()) o.mp_reserved.push_back(v[2]);
      c.multiprotocol.push_back(AfiSafi{static_cast<Afi>(load16(v.data())), static_cast<Safi>(v[3])});
      return std::nullopt;
    case kCapRouteRefresh: c.route_refresh = true; return need(v.empty());
    case kCapRouteRefreshCisco: c.route_refresh_cisco = true; return need(v.empty());
    case kCapEnhancedRouteRefresh: c.enhanced_route_refresh = true; return need(v.empty());
    case kCapExtendedMessage: c.extended_message = true; return need(v.empty());
    case kCapGracefulRestart: {  // RFC 4724 §3, RFC 8538 (N bit)
      if (v.size() < 2 || (v.size() - 2) % 4) return need(false);
      GracefulRestart gr;
      gr.restart_state = v[0] & 0x80;
      gr.notification = v[0] & 0x40;
      gr.reserved_flags = v[0] & 0x30;
      gr.restart_time = load16(v.data()) & 0x0FFF;
      for (size_t i = 2; i < v.size(); i += 4) {
        gr.families.push_back(GracefulRestart::Family{
            AfiSafi{static_cast<Afi>(load16(v.data() + i)), static_cast<Safi>(v[i + 2])},
            (v[i + 3] & 0x80) != 0, static_cast<uint8_t>(v[i + 3] & 0x7F)});
      }
      c.graceful_restart = std::move(gr);
      return std::nullopt;
    }
    case kCapFourOctetAs:  // RFC 6793 §9
      if (v.size() != 4) return need(false);
      c.four_octet_as = Asn{uint32_t(load16(v.data())) << 16 | load16(v.data() + 2)};
      return std::nullopt;
    case kCapAddPath: {  // RFC 7911 §4
      if (v.empty() || v.size() % 4) return need(false);
      const size_t before = c.add_path.size();
      for (size_t i = 0; i < v.size(); i += 4) {
        c.add_path.push_back(AddPathEntry{
            AfiSafi{static_cast<Afi>(load16(v.data() + i)), static_cast<Safi>(v[i + 2])},
            v[i + 3]});
      }
      // Instance sizes are recorded from the second instance on (message.hpp).
      if (before != 0 && o.add_path_sizes.empty()) o.add_path_sizes.push_back(static_cast<uint8_t>(before));
      if (before != 0) o.add_path_sizes.push_back(static_cast<uint8_t>(v.size() / 4));
      return std::nullopt;
    }
    case kCapFqdn: {  // draft-walton-bgp-hostname-capability: len, hostname, len, domain
      if (v.empty() || v.size() < 1u + v[0]) return need(false);
      const size_t hl = v[0];
      c.fqdn_hostname = std::string(v.begin() + 1, v.begin() + 1 + static_cast<std::ptrdiff_t>(hl));
      ByteView rest = v.subspan(1 + hl);
      if (rest.empty()) return std::nullopt;  // no domain part at all
      if (rest.size() != 1u + rest[0]) return need(false);
      c.fqdn_domain = std::string(rest.begin() + 1, rest.end());
      return std::nullopt;
    }
    default:
      c.unknown.push_back(RawCapability{code, Bytes(v.begin(), v.end())});
      return std::nullopt;
  }
}

}  // namespace

tl::expected<Open, DecodeError> decode_open(ByteView body) {
  ByteReader r(body);
  Open o;
  if (body.size() < 10) return open_error(subcode::kUnspecific, "OPEN shorter than 29 octets");
  o.version = *r.u8();
  o.my_as = *r.u16();
  o.hold_time = *r.u16();
  uint8_t id[4];
  r.copy(id, 4);
  o.bgp_id = IpAddress::v4(id);
  size_t opt_len = *r.u8();
  if (o.version != 4) {
    return open_error(subcode::kUnsupportedVersion,
                      "unsupported version " + std::to_string(o.version), Bytes{0, 4});
  }
  if (o.hold_time == 1 || o.hold_time == 2) {
    return open_error(subcode::kUnacceptableHoldTime,
                      "hold time " + std::to_string(o.hold_time) + " (must be 0 or >= 3)");
  }
  if (o.bgp_id.is_unspecified()) return open_error(subcode::kBadBgpIdentifier, "BGP identifier 0.0.0.0");

  // RFC 9072 §2: a Non-Ext OP Len and Non-Ext OP Type of 255 announce 2-octet lengths.
  if (opt_len == 255 && r.remaining() >= 1 && r.rest()[0] == 255) {
    r.skip(1);
    auto ext_len = r.u16();
    if (!ext_len) return open_error(subcode::kUnspecific, "truncated extended parameters length");
    opt_len = *ext_len;
    o.extended_params = true;
  }
  if (opt_len != r.remaining()) {
    return open_error(subcode::kUnspecific,
                      "optional parameters length " + std::to_string(opt_len) + ", but " +
                          std::to_string(r.remaining()) + " octets follow");
  }
  while (!r.empty()) {
    const uint8_t ptype = *r.u8();
    std::optional<uint16_t> plen;
    if (o.extended_params) plen = r.u16();
    else if (auto b = r.u8()) plen = *b;
    if (!plen) return open_error(subcode::kUnspecific, "truncated optional parameter header");
    auto pval = r.sub(*plen);
    if (!pval) return open_error(subcode::kUnspecific, "optional parameter overruns the OPEN");
    if (ptype != 2) {
      return open_error(subcode::kUnsupportedOptionalParameter,
                        "unsupported optional parameter " + std::to_string(ptype));
    }
    o.param_breaks.push_back(static_cast<uint16_t>(o.order.size()));
    while (!pval->empty()) {
      if (pval->remaining() < 2) return open_error(subcode::kUnspecific, "truncated capability");
      const uint8_t code = *pval->u8();
      const uint8_t clen = *pval->u8();
      auto cval = pval->view(clen);
      if (!cval) return open_error(subcode::kUnspecific, "capability overruns its parameter");
      if (auto why = decode_capability(code, *cval, o)) {
        return open_error(subcode::kUnspecific, *why);
      }
      o.order.push_back(code);
    }
  }
  return o;
}

namespace {

// Writes capabilities for encode_open, tracking what has been written so that `order` can ask
// for each instance in turn and the rest can be appended.
class CapWriter {
 public:
  explicit CapWriter(const Open& o)
      : o_(o), c_(o.caps), unknown_used_(o.caps.unknown.size(), false) {}

  // Appends the next instance of capability `code` to `w`: from its field while the field has
  // one to give, else a raw one from `unknown`. False when there is none.
  // Graceful restart is the exception: its field holds the LAST instance (RFC 4724 §3), the
  // earlier ones are raw, so the raw ones go first.
  bool write(ByteWriter& w, uint8_t code) {
    if (code == kCapGracefulRestart) return raw(w, code) || field(w, code);
    return field(w, code) || raw(w, code);
  }

  // The capabilities not written yet, one blob each, in the fields' order.
  std::vector<Bytes> rest() {
    std::vector<Bytes> out;
    auto take = [&](uint8_t code) {
      for (;;) {
        Bytes b;
        ByteWriter w(b);
        if (!(code == kCapGracefulRestart ? write(w, code) : field(w, code))) return;
        out.push_back(std::move(b));
      }
    };
    for (uint8_t code : {kCapMultiprotocol, kCapRouteRefresh, kCapRouteRefreshCisco,
                         kCapEnhancedRouteRefresh, kCapExtendedMessage, kCapGracefulRestart,
                         kCapFourOctetAs, kCapAddPath, kCapFqdn}) {
      take(code);
    }
    for (size_t i = 0; i < c_.unknown.size(); ++i) {
      if (unknown_used_[i]) continue;
      Bytes b;
      ByteWriter w(b);
      raw(w, c_.unknown[i].code);
      out.push_back(std::move(b));
    }
    return out;
  }

 private:
  // The next instance held by the model's fields: single-valued capabilities give one,
  // multiprotocol one per entry, add-path one per recorded instance size (up to 63 tuples).
  bool field(ByteWriter& w, uint8_t code) {
    switch (code) {
      case kCapMultiprotocol: {
        if (mp_ >= c_.multiprotocol.size()) return false;
        header(w, code, 4);
        w.u16(static_cast<uint16_t>(c_.multiprotocol[mp_].afi));
        w.u8(mp_ < o_.mp_reserved.size() ? o_.mp_reserved[mp_] : 0);
        w.u8(static_cast<uint8_t>(c_.multiprotocol[mp_++].safi));
        return true;
      }
      case kCapRouteRefresh: return flag(w, code, c_.route_refresh);
      case kCapRouteRefreshCisco: return flag(w, code, c_.route_refresh_cisco);
      case kCapEnhancedRouteRefresh: return flag(w, code, c_.enhanced_route_refresh);
      case kCapExtendedMessage: return flag(w, code, c_.extended_message);
      case kCapGracefulRestart: {
        if (!c_.graceful_restart || done_[code]) return false;
        const GracefulRestart& gr = *c_.graceful_restart;
        header(w, code, 2 + 4 * std::min(gr.families.size(), kMaxTuples));
        write_graceful_restart(w, gr);
        done_.set(code);
        return true;
      }
      case kCapFourOctetAs:
        if (!c_.four_octet_as || done_[code]) return false;
        header(w, code, 4);
        w.u32(*c_.four_octet_as);
        done_.set(code);
        return true;
      case kCapAddPath: {
        if (ap_ >= c_.add_path.size()) return false;
        size_t n = std::min(c_.add_path.size() - ap_, kMaxTuples);
        if (ap_instance_ < o_.add_path_sizes.size()) {
          n = std::min<size_t>(n, std::max<uint8_t>(o_.add_path_sizes[ap_instance_], 1));
        }
        ++ap_instance_;
        header(w, code, 4 * n);
        for (size_t end = ap_ + n; ap_ < end; ++ap_) {
          const auto& e = c_.add_path[ap_];
          w.u16(static_cast<uint16_t>(e.afi_safi.afi));
          w.u8(static_cast<uint8_t>(e.afi_safi.safi));
          w.u8(e.send_receive);
        }
        return true;
      }
      case kCapFqdn: {
        if (!c_.fqdn_hostname || done_[code]) return false;
        // Both strings must fit the 1-octet capability length (hostname, then domain, cut).
        const std::string& h = *c_.fqdn_hostname;
        const size_t hl = std::min<size_t>(h.size(), c_.fqdn_domain ? 253 : 254);
        const size_t dl = c_.fqdn_domain ? std::min<size_t>(c_.fqdn_domain->size(), 253 - hl) : 0;
        header(w, code, 1 + hl + (c_.fqdn_domain ? 1 + dl : 0));
        w.u8(static_cast<uint8_t>(hl));
        w.bytes(reinterpret_cast<const uint8_t*>(h.data()), hl);
        if (c_.fqdn_domain) {
          w.u8(static_cast<uint8_t>(dl));
          w.bytes(reinterpret_cast<const uint8_t*>(c_.fqdn_domain->data()), dl);
        }
        done_.set(code);
        return true;
      }
      default:
        return false;
    }
  }

  // The next unused `unknown` entry with this code.
  bool raw(ByteWriter& w, uint8_t code) {
    for (size_t i = 0; i < c_.unknown.size(); ++i) {
      if (!unknown_used_[i] && c_.unknown[i].code == code) {
        unknown_used_[i] = true;
        const Bytes& v = c_.unknown[i].value;
        header(w, code, v.size());
        w.bytes(v.data(), std::min<size_t>(v.size(), 255));
        return true;
      }
    }
    return false;
  }

  static void header(ByteWriter& w, uint8_t code, size_t len) {
    w.u8(code);
    w.u8(static_cast<uint8_t>(std::min<size_t>(len, 255)));
  }
  bool flag(ByteWriter& w, uint8_t code, bool set) {
    if (!set || done_[code]) return false;
    header(w, code, 0);
    done_.set(code);
    return true;
  }

  const Open& o_;
  const Capabilities& c_;
  size_t mp_ = 0;
  size_t ap_ = 0;           // add-path entries written
  size_t ap_instance_ = 0;  // add-path capabilities written
  std::vector<bool> unknown_used_;
  std::bitset<256> done_;
};

}  // namespace

void encode_open(ByteWriter& w, const Open& o) {
  w.u8(o.version);
  w.u16(o.my_as);
  w.u16(o.hold_time);
  if (o.bgp_id.is_v4()) w.bytes(o.bgp_id.data(), 4);
  else w.zeros(4);

  // One blob per optional parameter: the recorded layout first, then what it does not cover.
  CapWriter caps(o);
  std::vector<Bytes> params;
  if (!o.order.empty()) {
    std::vector<uint16_t> breaks = o.param_breaks;
    if (breaks.empty()) {  // one parameter per capability
      for (size_t i = 0; i < o.order.size(); ++i) breaks.push_back(static_cast<uint16_t>(i));
    }
    for (size_t k = 0; k < breaks.size(); ++k) {
      const size_t from = breaks[k];
      const size_t to = k + 1 < breaks.size() ? breaks[k + 1] : o.order.size();
      Bytes b;
      ByteWriter pw(b);
      for (size_t i = from; i < to && i < o.order.size(); ++i) caps.write(pw, o.order[i]);
      if (!b.empty() || from == to) params.push_back(std::move(b));
    }
  }
  for (auto& b : caps.rest()) params.push_back(std::move(b));

  size_t total = 0;
  bool ext = o.extended_params;
  for (const auto& p : params) {
    total += p.size() + 2;
    ext = ext || p.size() > 255;
  }
  ext = ext || total > 255;
  if (ext) {  // RFC 9072 §2
    w.u8(255);
    w.u8(255);
    w.u16(static_cast<uint16_t>(total + params.size()));
  } else {
    w.u8(static_cast<uint8_t>(total));
  }
  for (const auto& p : params) {
    w.u8(2);  // Capabilities (RFC 5492 §4)
    if (ext) w.u16(static_cast<uint16_t>(p.size()));
    else w.u8(static_cast<uint8_t>(p.size()));
    w.bytes(p);
  }
}

}  // namespace evpnd::wire::detail
