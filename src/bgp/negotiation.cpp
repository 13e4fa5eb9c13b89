#include "bgp/negotiation.hpp"

#include <algorithm>

#include "wire/error.hpp"

namespace evpnd::bgp {
namespace {
constexpr uint16_t kAsTrans = 23456;  // RFC 6793 §9
constexpr uint8_t kOpenCode = static_cast<uint8_t>(wire::NotifyCode::kOpenMessage);

OpenError open_error(uint8_t subcode, std::string reason, Bytes data = {}) {
  return OpenError{kOpenCode, subcode, std::move(data), std::move(reason)};
}

Bytes u16_bytes(uint16_t v) { return Bytes{uint8_t(v >> 8), uint8_t(v)}; }
Bytes u32_bytes(uint32_t v) { return Bytes{uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }
}  // namespace

bool Negotiated::has_family(AfiSafi f) const {
  return std::find(families.begin(), families.end(), f) != families.end();
}

wire::DecodeContext Negotiated::decode_context(bool ebgp) const {
  wire::DecodeContext c;
  c.four_octet_as = four_octet_as;
  c.extended_message = extended_message;
  c.ebgp = ebgp;
  return c;
}

wire::EncodeContext Negotiated::encode_context() const {
  wire::EncodeContext c;
  c.four_octet_as = four_octet_as;
  c.extended_message = extended_message;
  return c;
}

wire::Open build_open(const LocalSettings& local) {
  wire::Open o;
  o.version = 4;
  o.my_as = local.asn > 0xFFFF ? kAsTrans : static_cast<uint16_t>(local.asn);
  o.hold_time = local.hold_time;
  o.bgp_id = local.router_id;
  o.caps.multiprotocol = local.families;
  o.caps.route_refresh = true;
  o.caps.extended_message = local.extended_message;
  o.caps.four_octet_as = local.asn;
  if (local.graceful_restart) {
    wire::GracefulRestart gr;
    gr.restart_state = local.restarting;
    gr.restart_time = static_cast<uint16_t>(std::min<uint16_t>(local.restart_time, 4095));
    if (local.preserve_forwarding) {
      // RFC 4724 §3: every family we carry, with the F bit: the peer keeps our routes as stale
      // for restart_time while we restart, and until our End-of-RIB once we are back (§4.2).
      // (The unicast routes of a VRF instance come from its CEs, the EVPN ones from the fabric.)
      for (AfiSafi f : local.families) gr.families.push_back({f, true});
    }
    // Without families the capability says "helper only" (§3): a peer flushes our routes the
    // moment the session drops, and the restart time is irrelevant.
    o.caps.graceful_restart = gr;
  }
  return o;
}

tl::expected<Negotiated, OpenError> negotiate(const LocalSettings& local, const PeerExpectation& expect,
                                              const wire::Open& peer, std::optional<uint16_t> configured_keepalive) {
  if (peer.version != 4) return tl::unexpected(open_error(wire::subcode::kUnsupportedVersion, "version " + std::to_string(peer.version), u16_bytes(4)));

  // RFC 6793 §4.1: with capability 65 the real AS is in the capability and My AS should be
  // AS_TRANS when it does not fit; without it, My AS is the AS.
  const Asn peer_as = peer.caps.four_octet_as.value_or(peer.my_as);
  if (peer_as != expect.remote_as) {
    return tl::unexpected(open_error(wire::subcode::kBadPeerAs,
                                     "peer AS " + std::to_string(peer_as) + ", expected " + std::to_string(expect.remote_as),
                                     peer.caps.four_octet_as ? u32_bytes(peer_as) : u16_bytes(peer.my_as)));
  }
  if (!peer.bgp_id.is_v4() || peer.bgp_id.is_unspecified()) {
    return tl::unexpected(open_error(wire::subcode::kBadBgpIdentifier, "BGP identifier 0.0.0.0"));
  }
  // RFC 6286 §2.2: for iBGP the identifiers must differ; eBGP may share (AS differs).
  if (peer_as == local.asn && peer.bgp_id == expect.local_router_id) {
    return tl::unexpected(open_error(wire::subcode::kBadBgpIdentifier, "peer uses our BGP identifier " + peer.bgp_id.to_string()));
  }
  if (peer.hold_time == 1 || peer.hold_time == 2) {
    return tl::unexpected(open_error(wire::subcode::kUnacceptableHoldTime, "hold time " + std::to_string(peer.hold_time)));
  }

  Negotiated n;
  n.peer_as = peer_as;
  n.peer_router_id = peer.bgp_id;
  n.hold_time = std::min(local.hold_time, peer.hold_time);
  n.keepalive = n.hold_time / 3;
  // A configured 0 is not "no keepalives" while the hold time is non-zero (RFC 4271 §4.4: the
  // peer would drop the session); the configuration refuses it, and here it falls back to §10's
  // one third of the hold time for any other producer of a PeerConfig.
  if (configured_keepalive && *configured_keepalive != 0 && *configured_keepalive < n.keepalive)
    n.keepalive = *configured_keepalive;
  if (n.hold_time == 0) n.keepalive = 0;

  // RFC 4760 §8: a peer without capability 1 speaks IPv4 unicast only.
  std::vector<AfiSafi> theirs = peer.caps.multiprotocol;
  if (theirs.empty()) theirs.push_back(kIpv4Unicast);
  for (AfiSafi f : local.families) {
    if (std::find(theirs.begin(), theirs.end(), f) != theirs.end()) n.families.push_back(f);
  }
  if (n.families.empty()) {
    // RFC 5492 §3: we require a capability the peer did not advertise; the data is the
    // capability we wanted (code 1, length 4, AFI, reserved, SAFI).
    Bytes data;
    if (!local.families.empty()) {
      const AfiSafi f = local.families.front();
      data = {1, 4, uint8_t(uint16_t(f.afi) >> 8), uint8_t(uint16_t(f.afi)), 0, uint8_t(f.safi)};
    }
    return tl::unexpected(open_error(wire::subcode::kUnsupportedCapability, "no common address family", std::move(data)));
  }

  n.four_octet_as = peer.caps.four_octet_as.has_value();
  n.route_refresh = peer.caps.route_refresh || peer.caps.route_refresh_cisco;
  n.extended_message = local.extended_message && peer.caps.extended_message;
  if (local.graceful_restart && peer.caps.graceful_restart) {
    n.graceful_restart = true;
    n.peer_restarting = peer.caps.graceful_restart->restart_state;
    n.peer_restart_time = peer.caps.graceful_restart->restart_time;
    for (const auto& f : peer.caps.graceful_restart->families) {
      n.gr_families.push_back(f.afi_safi);
      if (f.forwarding_preserved) n.gr_preserved.push_back(f.afi_safi);
    }
  }
  return n;
}

}  // namespace evpnd::bgp
