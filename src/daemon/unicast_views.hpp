// Views of the unicast side of a BGP instance (issue 10): the per-VRF instances (FRR's
// `router bgp ASN vrf NAME`) and the global instance's ipv4/ipv6-unicast table. JSON shapes are
// docs/API.md's; every function here reads a Speaker and its unicast table and nothing else, so
// they are tested on a real Speaker with a table built in the test.
//
//   summary    {"name","asn","router_id","peers_configured","peers_established","dynamic_peers",
//               "listen_ranges":[{"range","remote_as","max_peers","peers"}],
//               "unicast_routes":{"ipv4-unicast":n,"ipv6-unicast":m}}
//   neighbour  {"address","remote_as","local_as","description","state","uptime_seconds","dynamic",
//               "listen_range","families","negotiated_families","prefixes_received",
//               "prefixes_accepted":{"ipv4-unicast":n,"ipv6-unicast":m},"prefixes_sent",
//               "stale_routes","policy_rejected","unnegotiated_nlri","no_next_hop","messages_in",
//               "messages_out","last_error"}
//   path       {"prefix","family","peer","next_hop","best","stale","attributes":ATTRS}
//
// NOTE performance: the counts (accepted prefixes per peer, Loc-RIB per family) walk the unicast
// table once per call: O(routes), fine for the tens of thousands a VRF's CEs send. The route list
// itself is a paged, streamed walk (paged_view.hpp).
// NOTE threading: the io_context thread (the engine's), like every API view.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bgp/speaker.hpp"
#include "daemon/paged_view.hpp"

namespace evpnd::daemon {

// Prefixes per unicast family.
struct UnicastCounts {
  size_t ipv4 = 0;
  size_t ipv6 = 0;
  size_t total() const { return ipv4 + ipv6; }
  nlohmann::json to_json() const;  // {"ipv4-unicast":n,"ipv6-unicast":m}
};

// Accepted prefixes per peer: the live, not stale paths each peer has in the table (what the
// import policy let in). One walk of the table.
std::map<bgp::PeerId, UnicastCounts> accepted_by_peer(const bgp::UnicastTable& t);
// Destinations with a best path (the Loc-RIB), per family.
UnicastCounts loc_rib_by_family(const bgp::UnicastTable& t);

// The listen range a dynamic peer was created from (the first range containing its address, as
// the speaker matches them), nullptr for a configured one.
const bgp::ListenRange* listen_range_of(const bgp::Speaker& s, const bgp::Peer& p);

nlohmann::json unicast_path_json(const bgp::Speaker& s, const bgp::UnicastPath& p, bool best);
nlohmann::json vrf_summary_json(const std::string& vrf, const bgp::Speaker& s, const bgp::UnicastTable& t);
nlohmann::json vrf_neighbor_json(const bgp::Speaker& s, const bgp::Peer& p, const UnicastCounts& accepted,
                                 bgp::TimePoint now);
// {"vrf","asn","router_id","neighbors":[neighbour...]}
nlohmann::json vrf_neighbors_json(const std::string& vrf, const bgp::Speaker& s, const bgp::UnicastTable& t,
                                  bgp::TimePoint now);

// The Dest holding `p` exactly, or with an address and no length the longest prefix of the
// table containing it (FRR's `show bgp ipv4 A.B.C.D`); kNoDest when none.
bgp::DestId exact_dest(const bgp::UnicastTable& t, const IpPrefix& p);
bgp::DestId longest_match(const bgp::UnicastTable& t, const IpAddress& a);

// Where a walk reads from, looked up again on every call of the walk: a speaker that is gone (the
// VRF's instance removed, the engine rebuilt by a reload) or replaced ends the walk.
struct UnicastSource {
  const bgp::Speaker* speaker = nullptr;
  const bgp::UnicastTable* table = nullptr;
};
using UnicastSourceFn = std::function<UnicastSource()>;

// The paths of a unicast table in DestId order (as the EVPN walk: an id names a destination for
// its life, so resuming at "last id + 1" lists every destination that lived through the walk
// once). `family`: only that one; `only`: just that destination (a prefix query).
class UnicastWalker : public ViewWalker {
 public:
  UnicastWalker(UnicastSourceFn source, std::optional<IpFamily> family, bgp::DestId from,
                std::optional<bgp::DestId> only = std::nullopt);
  bool walk(ItemSink& sink) override;
  std::string cursor() const override { return std::to_string(next_); }
  bool invalidated() const override;

 private:
  UnicastSourceFn source_;
  const bgp::Speaker* first_;
  std::optional<IpFamily> family_;
  bgp::DestId next_;
  std::optional<bgp::DestId> only_;
};

// GET ...routes?family=ipv4|ipv6&prefix=P&limit=&cursor=: validates the query (400 with the
// reason: bad family, prefix, prefix of the other family, cursor, limit) and returns the paged
// reply {"routes":[path...],"count":n[,"next_cursor":C]}. `fixed_family`: the family the path
// names (/v1/bgp/ipv4/routes), which the query may not contradict.
api::ApiResponse unicast_routes_reply(const api::ApiRequest& req, UnicastSourceFn source,
                                      std::optional<IpFamily> fixed_family = std::nullopt);

}  // namespace evpnd::daemon
