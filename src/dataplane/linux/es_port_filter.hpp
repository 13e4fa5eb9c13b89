// The hook between the netlink half of an EsAttachment (bridge port state, backup port, hairpin,
// fast-failover FDB entries) and its tc/eBPF half (the non-DF filter, RFC 7432 §8.5, and local
// bias, RFC 8365 §8.3.1: `non_df` and `peer_vteps`; `blocked` is also enforced there), which the
// Linux bridge cannot express (multihoming.md §3).
//
// NOTE ownership: LinuxDataplane calls the hook; the tc/eBPF provider (EsFilter, es_filter.hpp)
// implements it and is the default; LinuxDataplaneOptions::es_filter can hand in another one.
// NoEsPortFilter programs nothing, so `non_df` and `peer_vteps` have NO effect on forwarding
// (BUM is duplicated/echoed as on a plain bridge); it exists so that the netlink half is usable
// and testable on its own.
// NOTE order: kAdd is called after the netlink half succeeded; kDelete before it is undone. An
// errno returned fails the intent (reported and retried like any other failure).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/dataplane.hpp"

namespace evpnd::dataplane {

// Where the attachment lives, resolved by the provider.
struct EsPortContext {
  NetnsName netns;                    // namespace of the L2VNI bridge and the port ("" = own)
  NetnsName underlay_netns;           // where the vxlan devices were created (the tagger's side)
  int32_t port_ifindex = 0;           // the attachment port, in `netns`
  int32_t vxlan_ifindex = 0;          // the L2VNI's vxlan device, in `netns`
  uint16_t dstport = 4789;            // the L2VNI's VXLAN UDP port (what the tagger matches)
};

class EsPortFilter {
 public:
  virtual ~EsPortFilter() = default;
  // 0 or an errno (with `why` filled in).
  virtual int apply(const EsAttachment& a, Action action, const EsPortContext& ctx, std::string& why) = 0;
  // A link appeared, changed or vanished in `netns` (the monitor's RTM_NEWLINK/RTM_DELLINK).
  virtual void link_changed(const NetnsName& /*netns*/, int32_t /*ifindex*/, const std::string& /*name*/,
                            bool /*removed*/) {}
  // The attachments whose filters are in place, including those a previous evpnd left
  // (`on-stop: keep`) and this one adopted: dump() reports them so reconcile removes the ones
  // no longer configured. backup_nhid is not the filter's business and reads 0.
  virtual std::vector<EsAttachment> programmed() { return {}; }
  // Per-port, per-reason drop counters (Dataplane::es_drop_counters()).
  virtual std::vector<EsDropCounter> counters() const { return {}; }
};

// Programs nothing (see the NOTE above).
class NoEsPortFilter final : public EsPortFilter {
 public:
  int apply(const EsAttachment&, Action, const EsPortContext&, std::string&) override { return 0; }
};

}  // namespace evpnd::dataplane
