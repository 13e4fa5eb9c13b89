"""A fabric with a border leaf whose tenant VRF peers with CEs (issue 10): Kubernetes nodes (BIRD
as calico-node), an FRR CE, a GoBGP CE. Used by test_vrf_*.py and bench/vrf-ce-bench.

Layout (lib/fabric.py underlay and overlay; FRR route reflector on the spine):
  leaf1  the border leaf: "frr" (FRR 8.4 `router bgp 65001 vrf tenant1` with `neighbor` lines and
         `advertise ipv4|ipv6 unicast` under l2vpn evpn, FRR's reference) or "evpnd"
         (`vrfs[].neighbors`, `vrfs[].asn`, per-neighbour `prefix-list: {import, export}`)
  leaf2+ the other leaves (FRR and/or evpnd), each with its own L2VNI (leaf i: VNI 100*i,
         subnet 192.168.<(100*i) % 256>.0/24, one host) in the same L3VNI 5000
  CEs    namespaces with one routed veth into leaf1's tenant namespace: the border side is
         10.1.<k>.1/24 (+ fd00:1:<k>::1/64), the CE side 10.1.<k>.11/24 (+ fd00:1:<k>::11/64), and
         the CE's default route points at the border leaf (the node's way out, as on a real node).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .evpnd import EvpndNode
from .fabric import Fabric, VRF
from .frr import FrrNode, Neighbor
from .gobgp import GobgpNode
from .netns import Lab, Netns

VRF_ASN = 65001   # the tenant VRF's AS on the border leaf (FRR `router bgp 65001 vrf tenant1`)


@dataclass
class Ce:
    name: str
    ns: Netns
    ip4: str          # the CE's address (10.1.k.11)
    border4: str      # the border leaf's address on the link (10.1.k.1)
    ip6: str
    border6: str
    asn: int


class BorderFabric:
    def __init__(self, lab: Lab, border: str, others: tuple[str, ...] = ("frr", "evpnd")):
        n = 1 + len(others)
        self.border_kind = border
        self.fab = Fabric(lab, leaves=n, spine_kind="frr", leaf_kinds=[border, *others],
                          vnis=tuple(100 * i for i in range(1, n + 1)),
                          leaf_vnis={i: (100 * i,) for i in range(1, n + 1)})
        self.lab = lab
        self.ces: list[Ce] = []

    def build(self) -> "BorderFabric":
        self.fab.build()
        self.border_tenant = self.fab.tenant_ns[0]
        return self

    def add_ce(self, name: str, asn: int) -> Ce:
        k = len(self.ces)
        ns = self.lab.netns(name)
        ip4, b4 = f"10.1.{k}.11", f"10.1.{k}.1"
        ip6, b6 = (str(ipaddress.ip_address(f"fd00:1:{k}::{x}")) for x in (11, 1))  # canonical, as FRR shows it
        port = f"ce-{name}"[:15]
        self.lab.veth(self.border_tenant, port, ns, "eth0", f"{b4}/24", f"{ip4}/24")
        for side, dev in ((self.border_tenant, port), (ns, "eth0")):
            side.sysctl(f"net.ipv6.conf.{dev}.accept_dad", 0)
        self.border_tenant.ip("-6", "addr", "add", f"{b6}/64", "dev", port, "nodad")
        ns.ip("-6", "addr", "add", f"{ip6}/64", "dev", "eth0", "nodad")
        self.border_tenant.sysctl("net.ipv6.conf.all.forwarding", 1)
        ns.ip("route", "add", "default", "via", b4)
        ns.ip("-6", "route", "add", "default", "via", b6)
        ce = Ce(name, ns, ip4, b4, ip6, b6, asn)
        self.ces.append(ce)
        return ce

    # --- border-leaf configuration ---------------------------------------------------------
    def configure_border(self, policy: dict[str, list[dict]], v6_ces: tuple[str, ...] = (),
                         listen_ces: tuple[str, ...] = ()) -> None:
        """Give the border leaf one eBGP session per CE (the CE's address family picks the session
        address: CEs named in v6_ces peer over IPv6) with `policy` as import prefix-list (FRR `ip prefix-list
        ... in`; evpnd `prefix-list: {import: ..., export: [0.0.0.0/0 le 32, ::/0 le 128]}`).
        policy: CE name -> [{prefix, ge?, le?}]. CEs in listen_ces are accepted by an evpnd border
        through a `listen-ranges` entry for their link's /24 (dynamic peers: Calico nodes come and
        go) instead of a neighbour; FRR's border keeps a `neighbor` line for them."""
        self.fab.make_nodes()
        node = self.fab.leaf_nodes[0]
        self.border = node
        if isinstance(node, FrrNode):
            node.vrf_asn = VRF_ASN
            node.vrf_advertise = ("ipv4", "ipv6")
            for ce in self.ces:
                addr = ce.ip6 if ce.name in v6_ces else ce.ip4
                node.vrf_neighbors.append(Neighbor(addr, ce.asn, description=ce.name))
                fam = "ipv6" if ":" in addr else "ipv4"
                plist = f"PL-{ce.name}"
                for i, e in enumerate(policy.get(ce.name, []), start=1):
                    kw = "ipv6" if ":" in e["prefix"] else "ip"
                    extra = "".join(f" {k} {e[k]}" for k in ("ge", "le") if k in e)
                    node.prelude.append(f"{kw} prefix-list {plist} seq {i * 5} permit {e['prefix']}{extra}")
                node.vrf_af.setdefault(fam, []).append(f"neighbor {addr} prefix-list {plist} in")
        elif isinstance(node, EvpndNode):
            vrf = node.extra["vrfs"][0]
            vrf["asn"] = VRF_ASN
            nbs = []
            for ce in self.ces:
                addr = ce.ip6 if ce.name in v6_ces else ce.ip4
                fam = "ipv6-unicast" if ":" in addr else "ipv4-unicast"
                nbs.append({"address": addr, "remote-as": ce.asn, "families": [fam], "description": ce.name,
                            "timers": {"hold": 9, "keepalive": 3, "connect-retry": 2},
                            "prefix-list": {"import": policy.get(ce.name, []),
                                            "export": [{"prefix": "0.0.0.0/0", "le": 32},
                                                       {"prefix": "::/0", "le": 128}]}})
            ranges = []
            for ce, nb in zip(self.ces, list(nbs)):
                if ce.name in listen_ces:
                    nbs.remove(nb)
                    nb = {k: v for k, v in nb.items() if k != "address"}
                    ranges.append({"range": str(ipaddress.ip_network(f"{ce.ip4}/24", strict=False)), **nb})
            vrf["neighbors"] = nbs
            if ranges:
                vrf["listen-ranges"] = ranges
        else:
            raise ValueError(f"border leaf kind {self.border_kind}")

    def start(self) -> "BorderFabric":
        self.fab.spine.start()
        for n in self.fab.leaf_nodes:
            n.start()
        return self

    @property
    def vrf(self) -> str:
        return VRF


# --- CE speakers other than BIRD ----------------------------------------------------------------
class FrrCe(FrrNode):
    """FRR 8.4 bgpd -Z as a customer edge router: `router bgp ASN`, one eBGP neighbour (the border
    leaf) activated in the family of its address, `network` statements for its prefixes
    (`no bgp network import-check`: no zebra, the prefixes need not be in a RIB)."""

    def __init__(self, lab: Lab, ce: Ce, neighbor: str, remote_as: int, networks: list[str]):
        super().__init__(lab, ce.ns, ce.asn, ce.ip4, role="speaker")
        self.ce_neighbor, self.ce_remote_as, self.networks = neighbor, remote_as, networks

    def bgpd_conf(self) -> str:
        fam = "ipv6" if ":" in self.ce_neighbor else "ipv4"
        n = self.ce_neighbor
        lines = [f"hostname {self.ns.name}", "!", f"router bgp {self.asn}", f" bgp router-id {self.router_id}",
                 " no bgp ebgp-requires-policy", " no bgp default ipv4-unicast", " no bgp network import-check",
                 " timers bgp 3 9", f" neighbor {n} remote-as {self.ce_remote_as}", f" neighbor {n} timers connect 2",
                 " !", f" address-family {fam} unicast", f"  neighbor {n} activate"]
        lines += [f"  network {p}" for p in self.networks]
        lines += [" exit-address-family", "!"]
        return "\n".join(lines) + "\n"

    def unicast_routes(self, fam: str) -> dict:
        return self.json(f"show bgp {fam} unicast json").get("routes", {})


class GobgpCe(GobgpNode):
    """GoBGP 3.10 as an IPv4 CE: one eBGP neighbour with afi-safi ipv4-unicast, no listener;
    prefixes added with `gobgp global rib add -a ipv4 P` (GoBGP sets its own address as the next
    hop towards an eBGP peer)."""

    def __init__(self, lab: Lab, ce: Ce, neighbor: str, remote_as: int):
        super().__init__(lab, ce.ns, ce.asn, ce.ip4)
        self.ce_neighbor, self.ce_remote_as = neighbor, remote_as

    def toml(self) -> str:
        return "\n".join([
            "[global.config]", f"  as = {self.asn}", f'  router-id = "{self.router_id}"', "  port = -1",
            "", "[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{self.ce_neighbor}"',
            f"    peer-as = {self.ce_remote_as}", "  [neighbors.timers.config]", "    connect-retry = 2",
            "    hold-time = 9", "    keepalive-interval = 3", "    idle-hold-time-after-reset = 1",
            "  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]",
            '      afi-safi-name = "ipv4-unicast"']) + "\n"

    def add_prefix(self, prefix: str) -> None:
        self.cli("global", "rib", "add", "-a", "ipv4", prefix)

    def del_prefix(self, prefix: str) -> None:
        self.cli("global", "rib", "del", "-a", "ipv4", prefix)
