// LinuxDataplane: the Dataplane provider over rtnetlink (libmnl), laid out like FRR 8.4's zebra
// with the traditional Linux model (FRR-INTEROP.md §1): one vlan-unaware bridge per VNI, the
// bridge is the SVI, vxlan devices `nolearning` with `learning off neigh_suppress on` ports.
//
// NOTE namespaces: `underlay_netns` is where vxlan devices are created (their UDP socket lives
// there); "" = the namespace the process runs in. Intents naming another netns get their
// devices moved there after creation; one request socket and one monitor socket per namespace.
// NOTE threading: called from one thread (see NlSocket about setns()); with async_writes each
// namespace also has an NlWriter thread that only sends entry batches. Free of asio: the daemon watches
// event_fds() (re-read them after apply()/reconcile(): registering a VNI in a new namespace adds a
// monitor socket) and calls poll_events() when one is readable.
// NOTE performance: entry intents (MACs, flood entries, neighbours, routes) are encoded into one
// buffer per namespace and sent in 64 KiB sendmsg chunks with one ACK per chunk; VNI intents are
// synchronous (a few requests each, they need ifindexes).
// NOTE async_writes: entry batches are handed to a writer thread per namespace (NlWriter) and
// apply() returns before the kernel has them; their failures come back later through
// take_late_errors() (the writer's eventfd is among event_fds()). dump(), reconcile() and device
// changes first wait for the writers, so the kernel always sees requests in submission order.
// NOTE errors: per intent (IntentError). Deleting something absent (ENOENT/ESRCH/ENODEV) is success.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "dataplane/dataplane.hpp"
#include "dataplane/linux/es_port_filter.hpp"
#include "dataplane/linux/nl_socket.hpp"
#include "dataplane/linux/nl_types.hpp"
#include "dataplane/linux/nl_writer.hpp"

namespace evpnd::dataplane {

struct LinuxDataplaneOptions {
  NetnsName underlay_netns;            // "" = own namespace
  bool async_writes = false;           // entry batches via a writer thread (see NOTE async_writes)
  int monitor_rcvbuf = 0;              // bytes; 0 = NlSocket::kMonitorRcvBuf (tests force overruns)
  // The tc/eBPF half of EsAttachment (es_port_filter.hpp); null = EsFilter (es_filter.hpp).
  std::shared_ptr<EsPortFilter> es_filter;
};

class LinuxDataplane final : public Dataplane {
 public:
  static tl::expected<std::unique_ptr<LinuxDataplane>, DataplaneError> open(LinuxDataplaneOptions opts);

  ApplyResult apply(std::span<const Intent> batch) override;
  std::vector<int> event_fds() const override;
  size_t poll_events(std::vector<DataplaneEvent>& out) override;
  tl::expected<DataplaneState, DataplaneError> dump() override;
  ReconcileReport reconcile(std::span<const Intent> desired) override;
  std::vector<IntentError> take_late_errors() override;
  std::vector<EsDropCounter> es_drop_counters() const override { return opts_.es_filter->counters(); }
  // Waits until every queued entry batch is in the kernel (no-op without async_writes).
  void sync();

  // Netns actually used for an intent's netns name ("" -> underlay).
  const NetnsName& resolve_netns(const NetnsName& ns) const { return ns.empty() ? opts_.underlay_netns : ns; }

 private:
  struct Ns {                          // per namespace: sockets and a link cache
    std::unique_ptr<nl::NlSocket> req;
    std::unique_ptr<nl::NlSocket> mon;
    std::unique_ptr<nl::NlWriter> writer;  // async_writes only
    std::map<int32_t, nl::LinkMsg> links;  // ifindex -> last seen
    Bytes pending;                     // queued entry requests
    std::vector<size_t> offsets;       // start of each queued request
    std::vector<size_t> owners;        // batch index of each queued request
    std::vector<bool> delete_ok;       // request is a delete: ENOENT counts as success
  };
  struct Vni2 {                        // registered L2VNI with resolved ifindexes
    L2Vni cfg;
    int32_t bridge_ifindex = 0;
    int32_t vxlan_ifindex = 0;
  };
  struct Vni3 {
    L3Vni cfg;
    int32_t bridge_ifindex = 0;
    int32_t vxlan_ifindex = 0;
    int32_t vrf_ifindex = 0;           // kVrfDevice only
  };

  explicit LinuxDataplane(LinuxDataplaneOptions opts) : opts_(std::move(opts)) {}
  tl::expected<Ns*, DataplaneError> ns(const NetnsName& name);  // opens on first use
  tl::expected<void, DataplaneError> refresh_links(Ns& n);
  std::optional<nl::LinkMsg> find_link(Ns& n, const std::string& name);

  // VNI objects (synchronous).
  int ensure_l2(const L2Vni& v, std::string& why);
  int remove_l2(const L2Vni& v, std::string& why);
  int ensure_l3(const L3Vni& v, std::string& why);
  int remove_l3(const L3Vni& v, std::string& why);
  int ensure_bridge(Ns& n, const std::string& name, const std::optional<Mac>& mac, uint32_t ageing,
                    int32_t& ifindex, std::string& why);
  int ensure_vxlan(Ns& target, const NetnsName& target_ns, const std::string& name, const nl::VxlanInfo& info,
                   uint32_t mtu, int32_t bridge_ifindex, bool neigh_suppress, int32_t& ifindex, std::string& why);
  int delete_link(Ns& n, const std::string& name);
  int set_master_up(Ns& n, int32_t ifindex, std::optional<uint32_t> master, std::string& why);

  // Entry objects (queued). Returns 0 or an errno detected before sending.
  int queue_entry(const Intent& i, size_t index);
  void queue(Ns& n, size_t owner, bool is_delete, const std::function<void(Bytes&, uint32_t)>& enc);
  void flush(ApplyResult& res, std::span<const Intent> batch);

  // Multihoming (linux_nexthops.cpp): fdb nexthops and groups live in the underlay namespace
  // and are written synchronously, so requests of other namespaces never overtake them.
  int apply_nexthop(const Intent& i, std::string& why);
  tl::expected<void, DataplaneError> dump_nexthops(DataplaneState& st);
  void handle_nexthop_event(ByteView msg, std::vector<DataplaneEvent>& out);
  // RemoteMac (both forms) and SyncedMac (linux_entries.cpp, es_ports.cpp).
  int queue_remote_mac(const RemoteMac& m, bool add, size_t index);
  void note_failed(const Intent& i, int error);
  // Ethernet-segment ports (es_ports.cpp).
  int apply_es_attachment(const Intent& i, std::string& why);
  int queue_synced_mac(const Intent& i, size_t index);
  std::optional<int32_t> port_ifindex(Ns& n, const std::string& port);
  // Local learning seen by the monitor or a dump: queued, then (un)pinned by run_es_pins() when
  // no request is in flight (the monitor is also read between the chunks of a batch).
  void es_local_mac(Vni vni, const Mac& mac, std::optional<std::string> port) {
    es_learn_.emplace_back(vni, mac, std::move(port));
  }
  void run_es_pins();
  int send_now(Ns& n, Bytes& batch, const std::vector<size_t>& offsets, std::string& why);
  int pin_macs(const EsAttachment& a, const std::vector<Mac>& macs, bool pin, std::string& why);
  // A bridge port changed: a port we block that the kernel re-enabled (carrier up) is blocked
  // again. Called from run_es_pins() for the links the monitor saw change.
  void es_port_changed(const NetnsName& ns, int32_t ifindex);
  // dump(): the ES part of one L2VNI's bridge FDB, and the attachments as programmed.
  void dump_es_entries(Vni vni, const Vni2& v, const std::vector<nl::NeighMsg>& fdb, DataplaneState& st);
  void dump_es_attachments(DataplaneState& st);

  // Monitor.
  void handle_monitor(const NetnsName& ns, ByteView msg, std::vector<DataplaneEvent>& out);
  void resync_local(const NetnsName& ns, std::vector<DataplaneEvent>& out);
  // Reads the monitor socket of one namespace without blocking (ENOBUFS -> resync_local).
  void drain_monitor(const NetnsName& ns, Ns& n, std::vector<DataplaneEvent>& out);
  // Start-up and resync: make the local-learning caches equal to the kernel's local entries in
  // `st`, queueing the differences as the monitor would have reported them.
  void sync_local(const DataplaneState& st);

  // Our objects in kernel messages (linux_owned.cpp).
  std::optional<IntentObject> owned_neigh(const NetnsName& ns, const nl::NeighMsg& m) const;
  std::optional<IntentObject> owned_route(const NetnsName& ns, const nl::RouteMsg& r) const;
  std::optional<IntentObject> owned_addr(const NetnsName& ns, const nl::AddrMsg& a) const;
  std::optional<IntentObject> owned_device(const NetnsName& ns, int32_t ifindex) const;
  void report_owned_removal(const NetnsName& ns, ByteView msg, std::vector<DataplaneEvent>& out);
  std::optional<Intent> intent_of_request(const NetnsName& ns, ByteView msg) const;
  void collect_writer_errors(const NetnsName& ns, Ns& n);

  std::optional<Vni> vni_of_bridge(const NetnsName& ns, int32_t bridge_ifindex) const;
  std::optional<Vni> vni_of_svi(const NetnsName& ns, int32_t ifindex) const { return vni_of_bridge(ns, ifindex); }
  bool is_vxlan_port(const NetnsName& ns, int32_t ifindex) const;

  const Vni2* l2(Vni v) const {
    auto it = l2_.find(v);
    return it == l2_.end() ? nullptr : &it->second;
  }
  const Vni3* l3(Vni v) const {
    auto it = l3_.find(v);
    return it == l3_.end() ? nullptr : &it->second;
  }
  uint32_t route_table(const Vni3& v) const { return v.cfg.backend == VrfBackend::kVrfDevice ? v.cfg.table : 254; }
  NetnsName vrf_netns(const Vni3& v) const {
    return v.cfg.backend == VrfBackend::kVrfDevice ? opts_.underlay_netns : resolve_netns(v.cfg.netns);
  }

  LinuxDataplaneOptions opts_;
  std::map<NetnsName, Ns> ns_;
  std::vector<DataplaneEvent> early_events_;  // monitor events read during apply(), for poll_events()
  std::vector<IntentError> late_errors_;      // failures of asynchronous writes, for take_late_errors()
  bool force_sync_ = false;                   // reconcile(): errors must map to its plan's indexes
  std::map<Vni, Vni2> l2_;
  std::map<Vni, Vni3> l3_;
  // Local learning we reported, to suppress duplicates and to report ages/take-overs.
  std::map<std::tuple<Vni, Mac>, std::string> local_macs_;
  std::map<std::tuple<Vni, IpAddress>, Mac> local_neighs_;
  // Multihoming records. Groups as last written or dumped (a deleted member is reported with
  // the groups it shrank); the form of each remote MAC we installed (nhid, 0 = `dst` form: the
  // kernel cannot switch an entry between the two forms by replace, see queue_remote_mac); our
  // own `self` deletes of such a switch, whose echoes are not drift.
  std::map<uint32_t, std::vector<uint32_t>> nh_groups_;
  std::map<std::tuple<Vni, Mac>, uint32_t> mac_form_;
  std::set<std::tuple<Vni, Mac>> switch_dels_;
  // EsAttachments as programmed (the tc/eBPF half keeps its own state), by (VNI, port), and the
  // local MACs pinned on their ports for fast failover, by (VNI, MAC) -> port.
  std::map<std::tuple<Vni, std::string>, EsAttachment> es_;
  std::map<std::tuple<Vni, Mac>, std::string> pinned_;
  std::vector<std::tuple<Vni, Mac, std::optional<std::string>>> es_learn_;
  std::vector<std::pair<NetnsName, int32_t>> es_ports_changed_;
};

}  // namespace evpnd::dataplane
