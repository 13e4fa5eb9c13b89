// EsFilter: the non-DF and split-horizon (local bias) filters of local Ethernet segments, which a
// Linux bridge cannot express, programmed with tc/eBPF from EsAttachment intents (issue 9 part C;
// ../shared/research/multihoming.md §3).
//
//   tagger      ingress of every underlay link in the underlay namespace: VXLAN datagrams get
//               skb->priority = tag(outer source VTEP) (priority survives decapsulation into
//               the tenant namespace; mark does not).
//   port        egress (and ingress) of each ES attachment port: clears the tag; drops tagged BUM
//               from a VTEP in the port's peer set (RFC 8365 §8.3.1 local bias), then tagged BUM
//               when non-DF (RFC 7432 §8.5); everything in both directions while `blocked`
//               (single-active non-DF, RFC 7432 §14.1.1). Per-port, per-reason drop counters.
//   vxlan       egress of the VNI's VXLAN device while the VNI has an ES attachment: tagged BUM
//               never goes back into the overlay, so `hairpin on` for fast failover (the
//               attachment's backup_port) cannot make this PE a BUM transit node.
//
// NOTE updates: an intent change rewrites map entries (es_ports, es_vteps) in place; programs are
// attached once per port (cls_bpf, replace = no gap) and only re-attached when the port was
// re-created or what is attached is not ours.
// NOTE restart (`on-stop: keep`): the tc filters keep the programs and maps alive after evpnd
// exits. On first use, EsFilter finds its tagger on an underlay link, adopts the maps it uses
// (prog id -> map ids) and rebuilds its records from es_ports, so counters continue and nothing is
// re-attached. Nothing is pinned (bpffs is not needed).
// NOTE threading: data-plane thread only (setns, see es_filter_bpf.hpp).
#pragma once

#include <map>
#include <set>
#include <tuple>

#include "dataplane/linux/es_filter_bpf.hpp"
#include "dataplane/linux/es_port_filter.hpp"

namespace evpnd::dataplane {

class EsFilter final : public EsPortFilter {
 public:
  // `underlay`: the namespace whose links get the tagger (LinuxDataplaneOptions::underlay_netns).
  explicit EsFilter(NetnsName underlay) : underlay_(std::move(underlay)) {}

  // 0 or an errno with `why`. kDelete of an unknown attachment succeeds. BPF is loaded (or
  // adopted) on the first call, so a system without multihoming never needs it.
  int apply(const EsAttachment& a, Action act, const EsPortContext& ctx, std::string& why) override;
  // The tagger goes on a new underlay link; an ES port or VXLAN device re-created under the same
  // name gets its filter back.
  void link_changed(const NetnsName& ns, int32_t ifindex, const std::string& name, bool removed) override;
  std::vector<EsDropCounter> counters() const override;
  // Adopts what a previous evpnd left, if anything, without loading BPF otherwise.
  std::vector<EsAttachment> programmed() override;

  // Kernel id of the program on an attachment's egress, 0 = none (tests: "not re-attached").
  uint32_t egress_prog_id(Vni vni, const std::string& port) const;

 private:
  struct Port {                        // one slot: an ES attachment port or a VXLAN device
    uint32_t slot = 0;
    NetnsName netns;
    std::string name;
    int32_t ifindex = 0;
    bool vxlan = false;
    bool netns_known = false;          // adopted records learn it from the next apply()
    EsAttachment intent;               // ES ports
    uint16_t dstport = 4789;           // VXLAN slots
  };

  int load(std::string& why);                         // first use: adopt or load
  void adopt_records();
  int program(Port& p, std::string& why);             // entry + programs on the port
  int write_entry(const Port& p, std::string& why);
  int ensure_programs(Port& p, std::string& why);
  void remove(Port& p);
  std::optional<uint32_t> alloc_slot();
  int peers_of(const std::vector<IpAddress>& vteps, uint64_t& bits, std::string& why);
  void collect_vtep_indexes();
  // Links of the underlay namespace that carry the tagger: all but loopback and VXLAN, bridge
  // and VRF devices (an underlay bridge's ports are tagged; a VXLAN device's ingress carries
  // inner frames).
  std::vector<int32_t> underlay_links() const;
  void ensure_taggers();
  void ensure_tagger(int32_t ifindex);
  void sync_udp_ports();
  void release_all_if_idle();
  uint64_t read_counter(uint32_t index) const;

  NetnsName underlay_;
  bool loaded_ = false;
  bpf::Maps maps_;
  bpf::Fd tagger_;
  std::set<int32_t> tagged_;                          // underlay ifindexes with our tagger
  std::map<std::tuple<Vni, std::string>, Port> ports_;
  std::map<Vni, Port> vxlans_;
  std::map<IpAddress, uint32_t> vtep_index_;          // peer VTEP -> tag index 1..63
  std::vector<bool> slot_used_;
};

}  // namespace evpnd::dataplane
