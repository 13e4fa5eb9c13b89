// Capability negotiation for offline decoding; see session_context.hpp.
#include "evpnctl/session_context.hpp"

#include <algorithm>

namespace evpnctl {
namespace {

using evpnd::AfiSafi;
using evpnd::wire::Capabilities;
using evpnd::wire::Open;

// Both seen and both have it -> true; one seen without it -> false; otherwise the default.
bool negotiate(const Open* a, const Open* b, bool (*has)(const Capabilities&), bool fallback) {
  if ((a && !has(a->caps)) || (b && !has(b->caps))) return false;
  if (a && b) return true;
  return fallback;
}

uint8_t add_path_mode(const Capabilities& c, AfiSafi as) {
  auto it = std::find_if(c.add_path.begin(), c.add_path.end(), [&](const auto& e) { return e.afi_safi == as; });
  return it == c.add_path.end() ? 0 : it->send_receive;
}

// RFC 7911 §5: path identifiers flow from a "send" sender to a "receive" receiver.
bool add_path_rx(const Open* sender, const Open* receiver, AfiSafi as, bool fallback) {
  if (!sender || !receiver) return fallback;
  return (add_path_mode(sender->caps, as) & 2) != 0 && (add_path_mode(receiver->caps, as) & 1) != 0;
}

}  // namespace

evpnd::wire::DecodeContext SessionContexts::for_flow(const FlowKey& flow) const {
  const auto s = opens_.find(flow);
  const auto r = opens_.find(flow.reversed());
  const Open* sender = s == opens_.end() ? nullptr : &s->second;
  const Open* receiver = r == opens_.end() ? nullptr : &r->second;
  evpnd::wire::DecodeContext ctx = defaults_;
  ctx.four_octet_as = negotiate(sender, receiver, [](const Capabilities& c) { return c.four_octet_as.has_value(); },
                                defaults_.four_octet_as);
  ctx.extended_message = negotiate(sender, receiver, [](const Capabilities& c) { return c.extended_message; },
                                   defaults_.extended_message);
  ctx.add_path_rx_evpn = add_path_rx(sender, receiver, evpnd::kL2vpnEvpn, defaults_.add_path_rx_evpn);
  ctx.add_path_rx_ipv4 = add_path_rx(sender, receiver, evpnd::kIpv4Unicast, defaults_.add_path_rx_ipv4);
  ctx.add_path_rx_ipv6 = add_path_rx(sender, receiver, evpnd::kIpv6Unicast, defaults_.add_path_rx_ipv6);
  if (sender && receiver) ctx.ebgp = sender->asn() != receiver->asn();
  return ctx;
}

void SessionContexts::on_open(const FlowKey& flow, const evpnd::wire::Open& open) { opens_[flow] = open; }

}  // namespace evpnctl
