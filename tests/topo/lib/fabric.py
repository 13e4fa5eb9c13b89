"""The spine + N leaves VXLAN-EVPN fabric of ../shared/FRR-INTEROP.md, with pluggable node kinds.

Underlay: spine loopback 10.255.0.254/32, leaf i loopback (VTEP) 10.255.0.i/32, point-to-point
veths 10.255.1.(2i-2)/31 (spine side) - .(2i-1) (leaf side), static routes, AS 65000 iBGP, the
spine is the route reflector. Overlay per leaf: tenant netns (VRF tenant1), one vlan-unaware
bridge per VNI (the bridge is the SVI; anycast gateway 192.168.<vni/100*100>.1), vxlan devices
created in the underlay netns and moved into the tenant netns, L3VNI 5000 with a per-leaf router
MAC. Hosts are namespaces with one veth into their leaf's bridge.

Node kinds: spine "frr" | "evpnd" | "gobgp"; leaf "frr" | "evpnd" (with data plane) or
"<kind>-bgp" (a BGP-only speaker in the leaf seat). Only the daemon differs; the kernel layout is
the same for every leaf kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .evpnd import EvpndNode
from .frr import FrrNode, Neighbor
from .harness import wait_until
from .netns import Lab, Netns

ASN = 65000
SPINE_IP = "10.255.0.254"
ANYCAST_MAC = "02:00:5e:00:01:01"
L3VNI = 5000
VRF = "tenant1"


def leaf_ip(i: int) -> str:
    return f"10.255.0.{i}"


def router_mac(i: int) -> str:
    return f"02:00:0a:ff:00:{i:02x}"


def vni_subnet(vni: int) -> str:
    """First three octets of the VNI's subnet: VNI 100 -> 192.168.100 (a /24)."""
    return f"192.168.{vni % 256}"


def gateway(vni: int) -> str:
    return f"{vni_subnet(vni)}.1"


@dataclass
class Host:
    name: str
    ns: Netns
    leaf: int
    vni: int
    ip: str
    mac: str


@dataclass
class Fabric:
    lab: Lab
    leaves: int = 2
    spine_kind: str = "frr"
    leaf_kinds: list[str] = field(default_factory=list)
    vnis: tuple[int, ...] = (100, 200)
    hosts_per_vni: dict[int, int] = field(default_factory=dict)  # per leaf; default 1 on each VNI
    l3vni: int | None = L3VNI
    extra_spine_neighbors: list = field(default_factory=list)   # more peers of the spine
    leaf_vnis: dict[int, tuple[int, ...]] = field(default_factory=dict)  # leaf i -> its L2VNIs (default all)
    # leaf i -> its VTEP/loopback address instead of 10.255.0.i (e.g. 10.0.1.2 vs 10.0.2.1, whose
    # order differs from the byte-reversed order FRR 8.4's DF tie-break compares, issue 9)
    vtep_ips: dict[int, str] = field(default_factory=dict)

    def __post_init__(self):
        if not self.leaf_kinds:
            self.leaf_kinds = ["frr"] * self.leaves
        self.leaf_kinds += [self.leaf_kinds[-1]] * (self.leaves - len(self.leaf_kinds))
        if not self.hosts_per_vni:
            self.hosts_per_vni = {v: 1 for v in self.vnis}
        self.spine = None
        self.spine_ns: Netns | None = None
        self.leaf_nodes: list = []
        self.leaf_ns: list[Netns] = []
        self.tenant_ns: list[Netns] = []
        self.hosts: list[Host] = []

    def vtep(self, i: int) -> str:
        """Leaf i's VTEP address (loopback, router-id, update source, VXLAN local)."""
        return self.vtep_ips.get(i, leaf_ip(i))

    # --- build ---------------------------------------------------------------------------
    def build(self, create: bool = True) -> "Fabric":
        """Create namespaces and kernel objects (create=False: attach to an existing lab)."""
        lab = self.lab
        self.spine_ns = lab.netns("spine", create)
        if create:
            self.spine_ns.loopback(f"{SPINE_IP}/32")
            self.spine_ns.sysctl("net.ipv4.ip_forward", 1)
        for i in range(1, self.leaves + 1):
            ns = lab.netns(f"leaf{i}", create)
            tenant = lab.netns(f"leaf{i}-{VRF}", create)
            self.leaf_ns.append(ns)
            self.tenant_ns.append(tenant)
            if create:
                s_ip, l_ip = f"10.255.1.{2 * i - 2}", f"10.255.1.{2 * i - 1}"
                lab.veth(self.spine_ns, f"to-leaf{i}", ns, "to-spine", f"{s_ip}/31", f"{l_ip}/31")
                ns.loopback(f"{self.vtep(i)}/32")
                ns.route("10.255.0.0/24", s_ip)
                for j, other in self.vtep_ips.items():  # loopbacks outside 10.255.0.0/24
                    if j != i:
                        ns.route(f"{other}/32", s_ip)
                self.spine_ns.route(f"{self.vtep(i)}/32", l_ip)
                self._leaf_overlay(i, ns, tenant)
            self._add_hosts(i, tenant, create)
        return self

    def vnis_of(self, i: int) -> tuple[int, ...]:
        """The L2VNIs leaf i carries (a VNI absent from a leaf tests BUM scoping, RFC 7432 §11)."""
        return tuple(self.leaf_vnis.get(i, self.vnis))

    def _leaf_overlay(self, i: int, ns: Netns, t: Netns) -> None:
        vtep = self.vtep(i)
        t.sysctl("net.ipv4.ip_forward", 1)
        segs = [(v, ANYCAST_MAC, f"{gateway(v)}/24") for v in self.vnis_of(i)]
        if self.l3vni:
            segs.append((self.l3vni, router_mac(i), None))
        for vni, mac, svi in segs:
            br, vx = f"br{vni}", f"vxlan{vni}"
            t.ip("link", "add", br, "address", mac, "type", "bridge", "stp_state", "0",
                 "mcast_snooping", "0", "ageing_time", "360000")
            ns.ip("link", "add", vx, "type", "vxlan", "id", str(vni), "local", vtep, "dstport", "4789",
                  "nolearning", "ttl", "64")
            ns.ip("link", "set", vx, "netns", t.name)
            t.ip("link", "set", vx, "mtu", "1500", "master", br, "addrgenmode", "none")
            t.bridge("link", "set", "dev", vx, "neigh_suppress", "on", "learning", "off")
            t.ip("link", "set", vx, "up")
            t.ip("link", "set", br, "up")
            if svi:
                t.addr(br, svi)

    def _add_hosts(self, i: int, tenant: Netns, create: bool) -> None:
        for vni in self.vnis_of(i):
            for k in range(1, self.hosts_per_vni.get(vni, 0) + 1):
                n = len(self.hosts) + 1
                name = f"h{n}"
                ip = f"{vni_subnet(vni)}.{i * 10 + k}"
                mac = f"02:00:00:{i:02x}:{vni % 256:02x}:{k:02x}"
                hns = self.lab.netns(name, create)
                if create:
                    self.lab.veth(tenant, f"l{i}-{name}", hns, "eth0")
                    tenant.ip("link", "set", f"l{i}-{name}", "master", f"br{vni}")
                    hns.ip("link", "set", "eth0", "address", mac)
                    hns.addr("eth0", f"{ip}/24")
                    hns.ip("route", "add", "default", "via", gateway(vni))
                self.hosts.append(Host(name, hns, i, vni, ip, mac))

    # --- daemons -------------------------------------------------------------------------
    def make_nodes(self) -> None:
        from .nodes import make_node
        leaves = [Neighbor(self.vtep(i), ASN, update_source=SPINE_IP, rr_client=True,
                           description=f"leaf{i}") for i in range(1, self.leaves + 1)]
        kw = {"role": "rr"} if self.spine_kind == "frr" else {}
        self.spine = make_node(self.spine_kind, self.lab, self.spine_ns, ASN, SPINE_IP,
                               leaves + list(self.extra_spine_neighbors), cluster_id=SPINE_IP, **kw)
        for i, kind in enumerate(self.leaf_kinds, start=1):
            up = [Neighbor(SPINE_IP, ASN, update_source=self.vtep(i), description="spine")]
            ns, t = self.leaf_ns[i - 1], self.tenant_ns[i - 1]
            if kind == "frr":
                node = FrrNode(self.lab, ns, ASN, self.vtep(i), up, role="leaf", tenant=t, l3vni=self.l3vni)
            elif kind == "evpnd":
                node = EvpndNode(self.lab, ns, ASN, self.vtep(i), up, extra=self._evpnd_leaf_yaml(i, t))
            elif kind.endswith("-bgp"):  # BGP-only speaker in a leaf seat (no data plane)
                node = make_node(kind[:-4], self.lab, ns, ASN, self.vtep(i), up)
            else:
                raise ValueError(f"unknown leaf kind {kind}")
            self.leaf_nodes.append(node)

    def _evpnd_leaf_yaml(self, i: int, t: Netns) -> dict:
        """Leaf role for evpnd (needs the evpnd data plane; schema: docs/examples/evpnd-leaf.yaml)."""
        y: dict = {"vtep": {"source-ip": self.vtep(i), "dataplane": "linux", "vxlan-port": 4789},
                   "vrf-backend": "netns",
                   "l2vnis": [{"vni": v, "bridge": f"br{v}", "vxlan-device": f"vxlan{v}",
                               "arp-suppression": True, "vrf": VRF, "gateway": f"{gateway(v)}/24"}
                              for v in self.vnis_of(i)]}
        if self.l3vni:
            y["vrfs"] = [{"name": VRF, "l3vni": self.l3vni, "router-mac": router_mac(i),
                          "anycast-gateway-mac": ANYCAST_MAC, "netns": t.name}]
        return y

    def start(self) -> "Fabric":
        self.make_nodes()
        self.spine.start()
        for n in self.leaf_nodes:
            n.start()
        return self

    def wait_established(self, timeout: float = 45) -> None:
        def all_up():
            bad = [n.name if hasattr(n, "name") else n.ns.name for n in self.leaf_nodes
                   if not n.established(SPINE_IP)]
            bad += [f"spine->{self.vtep(i)}" for i in range(1, self.leaves + 1)
                    if not self.spine.established(self.vtep(i))]
            return True if not bad else None
        wait_until(all_up, timeout, 0.5, what="all fabric sessions Established")

    def hosts_on(self, vni: int) -> list[Host]:
        return [h for h in self.hosts if h.vni == vni]

    def hosts_at(self, leaf: int, vni: int) -> list[Host]:
        return [h for h in self.hosts if h.leaf == leaf and h.vni == vni]

    def announce_hosts(self) -> None:
        """Every host ARPs for its anycast gateway once, so each leaf learns its MAC/IP (no check)."""
        for x in self.hosts:
            x.ns.try_run("ping", "-c", "1", "-W", "1", gateway(x.vni))
