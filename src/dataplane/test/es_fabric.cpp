#include "es_fabric.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <thread>

#include "dataplane/linux/es_filter_bpf.hpp"
#include "test_values.hpp"

namespace evpnd::dataplane::test {
namespace {

// An AF_PACKET socket for ethertype 0x88b5 on one interface of one namespace.
class PacketSocket {
 public:
  PacketSocket(const std::string& ns, const std::string& ifname) {
    auto scope = bpf::NetnsScope::enter(ns);
    if (!scope) return;
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(EsFabric::kEtherType));
    ifindex_ = static_cast<int>(if_nametoindex(ifname.c_str()));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(EsFabric::kEtherType);
    sll.sll_ifindex = ifindex_;
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) close(std::exchange(fd_, -1));
    // Our own MAC, the source of what we send.
    std::string out;
    sh("ip netns exec " + ns + " cat /sys/class/net/" + ifname + "/address", &out);
    if (auto m = Mac::parse(out.substr(0, 17))) src_ = *m;
  }
  ~PacketSocket() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  void send_broadcast(const std::string& tag, int n) {
    for (int i = 0; i < n; ++i) {
      uint8_t f[64] = {};
      std::memset(f, 0xFF, 6);
      std::memcpy(f + 6, src_.data(), 6);
      f[12] = EsFabric::kEtherType >> 8;
      f[13] = EsFabric::kEtherType & 0xFF;
      std::string p = tag + "-" + std::to_string(i);
      std::memcpy(f + 14, p.data(), std::min<size_t>(p.size(), 40));
      (void)::send(fd_, f, sizeof f, 0);
    }
  }
  // Frames received (not our own outgoing ones) carrying `tag`, read without blocking.
  int count(const std::string& tag) {
    uint8_t buf[2048];
    sockaddr_ll from{};
    socklen_t len = sizeof from;
    ssize_t r;
    while ((r = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len)) > 0) {
      len = sizeof from;
      if (from.sll_pkttype == PACKET_OUTGOING) continue;
      std::string body(reinterpret_cast<char*>(buf) + 14, static_cast<size_t>(r) - 14);
      if (body.rfind(tag + "-", 0) == 0) ++seen_;
    }
    return seen_;
  }

 private:
  int fd_ = -1;
  int ifindex_ = 0;
  int seen_ = 0;
  Mac src_;
};

}  // namespace

EsFabric::EsFabric() { ok_ = build(); }

bool EsFabric::run(const std::string& cmd) {
  if (sh(cmd) == 0) return true;
  if (why_.empty()) why_ = "failed: " + cmd;
  return false;
}

std::unique_ptr<LinuxDataplane> EsFabric::open_leaf(const TestNetns& ul, const TestNetns& tenant, const char* vtep,
                                                    const char* p1, const char* p2) {
  LinuxDataplaneOptions o;
  o.underlay_netns = ul.name();
  auto dp = LinuxDataplane::open(o);
  if (!dp) return why_ = dp.error().message, nullptr;
  L2Vni v = l2vni(kVni, tenant.name());
  v.local_vtep = ip(vtep);
  v.arp_suppression = false;
  auto r = (*dp)->apply(std::vector{Intent::add(v), Intent::add(FloodEntry{kVni, ip(p1)}),
                                    Intent::add(FloodEntry{kVni, ip(p2)})});
  if (!r.ok()) return why_ = r.errors[0].message, nullptr;
  return std::move(*dp);
}

bool EsFabric::build() {
  for (const TestNetns* n : {&ul_, &a_, &b_, &r_, &at_, &bt_, &rt_, &lag_, &h_, &a1_, &r1_})
    if (!n->ok()) return why_ = "netns " + n->name(), false;
  // No IPv6 on any link: its ND/MLD multicasts would be BUM the filters count and drop too, so
  // the drop counters could not be compared with the probes.
  for (const TestNetns* n : {&ul_, &a_, &b_, &r_, &at_, &bt_, &rt_, &lag_, &h_, &a1_, &r1_})
    if (!run("ip netns exec " + n->name() +
             " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"))
      return false;
  const std::string ul = ul_.name();
  bool ok = run("ip -n " + ul + " link add ulbr type bridge") && run("ip -n " + ul + " link set ulbr up");
  const std::pair<const TestNetns*, const char*> vteps[] = {{&a_, "1"}, {&b_, "2"}, {&r_, "3"}};
  for (auto [n, o] : vteps) {
    const std::string x = n == &a_ ? "a" : n == &b_ ? "b" : "r";
    ok = ok && run("ip -n " + n->name() + " link add " + x + "-up type veth peer name ul-" + x + " netns " + ul) &&
         run("ip -n " + ul + " link set ul-" + x + " master ulbr up") &&
         run("ip -n " + n->name() + " addr add 10.0.0." + o + "/24 dev " + x + "-up") &&
         run("ip -n " + n->name() + " link set " + x + "-up up");
  }
  if (!ok) return false;
  dp_a_ = open_leaf(a_, at_, "10.0.0.1", "10.0.0.2", "10.0.0.3");
  dp_b_ = open_leaf(b_, bt_, "10.0.0.2", "10.0.0.1", "10.0.0.3");
  dp_r_ = open_leaf(r_, rt_, "10.0.0.3", "10.0.0.1", "10.0.0.2");
  if (!dp_a_ || !dp_b_ || !dp_r_) return false;
  auto veth = [&](const TestNetns& n1, const std::string& d1, const TestNetns& n2, const std::string& d2) {
    return run("ip -n " + n1.name() + " link add " + d1 + " type veth peer name " + d2 + " netns " + n2.name());
  };
  const std::string lag = lag_.name();
  ok = veth(h_, "h-eth0", lag_, "lag-h") && veth(lag_, "lag-a", at_, "a-es") && veth(lag_, "lag-b", bt_, "b-es") &&
       veth(a1_, "a1-eth0", at_, "a-l") && veth(r1_, "r1-eth0", rt_, "r-l") &&
       run("ip -n " + at_.name() + " link set a-es master br100 up") &&
       run("ip -n " + at_.name() + " link set a-l master br100 up") &&
       run("ip -n " + bt_.name() + " link set b-es master br100 up") &&
       run("ip -n " + rt_.name() + " link set r-l master br100 up");
  for (const char* d : {"lag-h", "lag-a", "lag-b"})
    ok = ok && run("ip -n " + lag + " link set " + d + " up") && run("tc -n " + lag + " qdisc add dev " + d + " clsact");
  for (const char* leg : {"lag-a", "lag-b"}) {
    // pref 5 counts the probe frames alone, pref 10 carries everything else.
    ok = ok &&
         run(std::string("tc -n ") + lag + " filter add dev " + leg +
             " ingress pref 5 protocol 0x88b5 u32 match u32 0 0 action mirred egress redirect dev lag-h") &&
         run(std::string("tc -n ") + lag + " filter add dev " + leg +
             " ingress pref 10 u32 match u32 0 0 action mirred egress redirect dev lag-h");
  }
  host_uses('a');
  ok = ok && run("ip -n " + h_.name() + " link set h-eth0 address 02:00:00:00:00:20 up") &&
       run("ip -n " + a1_.name() + " link set a1-eth0 address 02:00:00:00:00:a1 up") &&
       run("ip -n " + r1_.name() + " link set r1-eth0 address 02:00:00:00:00:e1 up");
  return ok;
}

bool EsFabric::restart_a() {
  dp_a_.reset();
  dp_a_ = open_leaf(a_, at_, "10.0.0.1", "10.0.0.2", "10.0.0.3");
  return dp_a_ != nullptr;
}

EsAttachment EsFabric::attachment(char leaf, bool non_df, bool blocked) const {
  EsAttachment a;
  a.vni = kVni;
  a.port = leaf == 'a' ? "a-es" : "b-es";
  a.esi = *Esi::parse("03:44:38:39:ff:ff:01:00:00:01");
  a.non_df = non_df;
  a.blocked = blocked;
  a.peer_vteps = {ip(leaf == 'a' ? "10.0.0.2" : "10.0.0.1")};
  return a;
}

void EsFabric::host_uses(char leg) {
  sh("tc -n " + lag_.name() + " filter replace dev lag-h ingress pref 10 handle 800::800 u32 match u32 0 0 " +
     "action mirred egress redirect dev lag-" + std::string(1, leg));
}

uint64_t EsFabric::leg_count(char leg) const {
  std::string out;
  sh("tc -s -j -n " + lag_.name() + " filter show dev lag-" + std::string(1, leg) + " ingress pref 5", &out);
  uint64_t total = 0;
  auto j = nlohmann::json::parse(out.empty() ? "[]" : out, nullptr, false);
  if (j.is_discarded()) return 0;
  for (const auto& f : j)
    if (f.contains("options"))
      for (const auto& a : f["options"].value("actions", nlohmann::json::array()))
        total += a.contains("stats") ? a["stats"].value("packets", uint64_t{0}) : 0;
  return total;
}

EsFabric::Counts EsFabric::broadcast(const std::string& sender, int n) {
  const std::string tag = "es-" + sender + "-" + std::to_string(++seq_);
  PacketSocket a1(a1_.name(), "a1-eth0"), r1(r1_.name(), "r1-eth0");
  const uint64_t la = leg_count('a'), lb = leg_count('b');
  {
    const TestNetns& ns = sender == "h" ? h_ : sender == "a1" ? a1_ : r1_;
    PacketSocket tx(ns.name(), sender + "-eth0");
    tx.send_broadcast(tag, n);
  }
  // Until nothing changes for 300 ms (at most 3 s): every copy has arrived.
  Counts c, last{~0ull, 0, -1, -1};
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    c = Counts{leg_count('a') - la, leg_count('b') - lb, a1.count(tag), r1.count(tag)};
    if (i >= 3 && c.leg_a == last.leg_a && c.leg_b == last.leg_b && c.a1 == last.a1 && c.r1 == last.r1) break;
    last = c;
  }
  return c;
}

}  // namespace evpnd::dataplane::test
