// A multihoming data-plane fabric in namespaces for the ES filter kernel tests: the study's
// recipe (../shared/research/multihoming-recipe.sh, multihoming.md §3-§4) with the leaves built and
// filtered by LinuxDataplane instead of by hand.
//
//   underlay bridge ulbr (ns ul) -- a-up 10.0.0.1 (ns a) | b-up 10.0.0.2 (ns b) | r-up 10.0.0.3 (ns r)
//   leaf X: LinuxDataplane(underlay = ns X), L2VNI 100 moved to tenant ns Xt (vxlan100 + br100),
//           flood entries to the two other VTEPs.
//   host h (ns h, 02:00:00:00:00:20) -- lag ns -- leg a: lag-a <-> a-es (at, br100)
//                                             -- leg b: lag-b <-> b-es (bt, br100)
//   a1 on A (a-l in at), r1 on R (r-l in rt).
// Per-leg counts come from the LAG namespace's tc filters (pref 5 matches ethertype 0x88b5 only);
// a1/r1 counts from AF_PACKET sockets (received frames only).
#pragma once

#include <memory>
#include <string>

#include "dataplane/linux/linux_dataplane.hpp"
#include "netns_fixture.hpp"

namespace evpnd::dataplane::test {

class EsFabric {
 public:
  static constexpr Vni kVni = 100;
  static constexpr uint16_t kEtherType = 0x88B5;

  // Builds everything but the ES filters; ok() tells whether it worked (why() otherwise).
  EsFabric();
  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }

  LinuxDataplane& dp(char leaf) { return *(leaf == 'a' ? dp_a_ : leaf == 'b' ? dp_b_ : dp_r_); }
  // Drops leaf A's provider and opens a new one (a restart with `on-stop: keep`: nothing is
  // removed, the new provider starts from the kernel) and re-applies its L2VNI.
  bool restart_a();
  // The attachment each leaf programs: A peers with B and B with A.
  EsAttachment attachment(char leaf, bool non_df, bool blocked = false) const;

  // The host sends on this leg ('a' or 'b').
  void host_uses(char leg);
  // Probe frames leaf A ('a') / B ('b') delivered towards the host so far.
  uint64_t leg_count(char leg) const;

  struct Counts {
    uint64_t leg_a = 0, leg_b = 0;  // towards h, per leg
    int a1 = 0, r1 = 0;             // received by a1 and r1
  };
  // `n` broadcast frames of ethertype 0x88b5 from `sender` ("h", "a1" or "r1"); waits until the
  // counts are stable.
  Counts broadcast(const std::string& sender, int n);

  const TestNetns& tenant(char leaf) const { return leaf == 'a' ? at_ : leaf == 'b' ? bt_ : rt_; }
  const TestNetns& underlay(char leaf) const { return leaf == 'a' ? a_ : leaf == 'b' ? b_ : r_; }

 private:
  bool build();
  bool run(const std::string& cmd);
  std::unique_ptr<LinuxDataplane> open_leaf(const TestNetns& ul, const TestNetns& tenant, const char* vtep,
                                            const char* p1, const char* p2);

  TestNetns ul_{"ul"}, a_{"a"}, b_{"b"}, r_{"r"}, at_{"at"}, bt_{"bt"}, rt_{"rt"}, lag_{"lag"}, h_{"h"},
      a1_{"a1"}, r1_{"r1"};
  std::unique_ptr<LinuxDataplane> dp_a_, dp_b_, dp_r_;
  bool ok_ = false;
  std::string why_;
  int seq_ = 0;
};

}  // namespace evpnd::dataplane::test
