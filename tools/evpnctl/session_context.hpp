// Decode contexts of the BGP sessions seen in a capture, learnt from their OPEN messages.
//
// NOTE negotiation: a capability changes the wire format only when both sides advertised it
// (RFC 6793 §3 four-octet AS, RFC 8654 §3 extended message); ADD-PATH path identifiers appear
// in one direction when its sender advertised "send" and its receiver "receive" for the family
// (RFC 7911 §5). Until both OPENs of a connection were seen, a capability that one seen OPEN
// lacks is off and everything else keeps the user's default (--context).
#pragma once

#include <map>

#include "evpnctl/tcp_reassembly.hpp"
#include "wire/message.hpp"

namespace evpnctl {

class SessionContexts {
 public:
  explicit SessionContexts(const evpnd::wire::DecodeContext& defaults) : defaults_(defaults) {}

  // The context for messages sent on `flow` (src -> dst).
  evpnd::wire::DecodeContext for_flow(const FlowKey& flow) const;
  // An OPEN sent on `flow`; replaces an earlier one of the same direction (a new connection).
  void on_open(const FlowKey& flow, const evpnd::wire::Open& open);

 private:
  evpnd::wire::DecodeContext defaults_;
  std::map<FlowKey, evpnd::wire::Open> opens_;  // by sending direction
};

}  // namespace evpnctl
