// Run-time state created through the API (issue 11), as kept on disk so it survives a restart:
// L2VNIs ensured with PUT /v1/evpn/vnis/N (their request body and the attachments holding them)
// and local endpoints announced with POST /v1/evpn/endpoints. A pod must not drop off the fabric
// because evpnd restarted: at start-up the daemon re-creates both from <state-dir>/runtime.json
// before it starts EVPN, so the same routes are advertised again.
//
// NOTE format: JSON, {"version":1,"vnis":[{"vni":N,"spec":{PUT body},"attachments":[..]}],
// "endpoints":[{"vni","mac","ips","interface","attachment"}]}. A VNI of the configuration file
// may appear with attachments and an empty spec (the attachments still count; the file owns it).
// NOTE durability: save() writes a temporary file in the same directory and renames it over the
// old one, so a crash of evpnd (or a kill) leaves either the old or the new state, never a torn
// file — what "survives an evpnd restart" needs. It does not fsync: the save runs on the event
// loop once per PUT/POST, and an fsync there costs 4-12 ms on the test VMs (two per pod attach,
// BGP waiting meanwhile). What an fsync would add is the last change surviving a power loss or
// kernel crash — after which the node's pods and their veths are gone too, the runtime attaches
// them again, and endpoints whose port no longer exists are dropped (at start-up for bridges in
// evpnd's namespace; by the port-deletion events otherwise).
// NOTE errors: a state file that does not parse is reported (file: reason) and not used; the
// daemon logs it, keeps the bad file aside as runtime.json.bad and starts without it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "core/ip.hpp"
#include "core/mac.hpp"
#include "core/types.hpp"

namespace evpnd::daemon {

struct RuntimeVni {
  Vni vni = 0;
  nlohmann::json spec = nlohmann::json::object();  // the PUT body that created it ({} = from the file)
  std::set<std::string> attachments;              // who holds it ("api" when the body named none)
  bool operator==(const RuntimeVni&) const = default;
};

struct RuntimeEndpoint {
  Vni vni = 0;
  Mac mac;
  std::vector<IpAddress> ips;
  std::string interface;   // the local bridge port (the pod's host-side veth)
  std::string attachment;  // e.g. the CNI "<network>/<container id>/<ifname>"
  bool operator==(const RuntimeEndpoint&) const = default;
};

struct RuntimeState {
  std::map<Vni, RuntimeVni> vnis;
  std::map<std::pair<Vni, Mac>, RuntimeEndpoint> endpoints;
  bool empty() const { return vnis.empty() && endpoints.empty(); }
  bool operator==(const RuntimeState&) const = default;
};

nlohmann::json runtime_state_json(const RuntimeState& s);
tl::expected<RuntimeState, std::string> runtime_state_from_json(const nlohmann::json& j);
std::string runtime_state_path(const std::string& state_dir);  // <state_dir>/runtime.json
// An absent file is an empty state; a file that cannot be read or parsed is an error.
tl::expected<RuntimeState, std::string> load_runtime_state(const std::string& path);
// Atomic replace (see NOTE durability); creates the directory (0755) when missing.
tl::expected<void, std::string> save_runtime_state(const std::string& path, const RuntimeState& s);

}  // namespace evpnd::daemon
