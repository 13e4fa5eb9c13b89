#!/usr/bin/env python3
"""Issue 10 plumbing: BGP sessions inside VRFs (netns backend) — sockets in the VRF's namespace,
one listener per VRF instance, the same CE address in two VRFs, a listen-range peer, a reload.

Topology (one evpnd leaf, no fabric: the sessions are the subject, not the routes):
    leaf   evpnd (dataplane linux, vrf-backend netns), AS 65000; VRF blue (L3VNI 5001, namespace
           evt-blue-<pid>, instance AS 65001) and VRF red (L3VNI 5002, evt-red-<pid>, AS 65001)
    cb     GoBGP CE (AS 65101) on a veth into blue:  10.1.0.11/24 -> 10.1.0.1 (blue's side), TCP MD5
           (RFC 2385) on both ends: the key sits on blue's sockets only
    cr     GoBGP CE (AS 65102) on a veth into red:   10.1.0.11/24 -> 10.1.0.1 (red's side) — the
           same addresses as cb: only the namespaces tell the two sessions apart
    dyn    GoBGP CE (AS 65103) on a second veth into blue: 10.2.0.11 -> 10.2.0.1, accepted through
           blue's `listen-ranges: [10.2.0.0/24]` (no neighbour entry)

Checks: both CE sessions Established (blue's with MD5, red's without, same address), seen by the
CEs and by evpnd per VRF (GET /v1/bgp/vrfs/NAME/neighbors, with each CE's own AS);
neither address is a global neighbour; evpnd's sockets are in the tenant namespaces (ss there),
none in the underlay; the dynamic peer appears (dynamic) and goes when its CE stops; a reload that
removes red's neighbour ends that session and leaves blue's up.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import EvpndNode  # noqa: E402
from lib.vrf_ce import Ce, GobgpCe  # noqa: E402

LEAF_AS, VRF_AS = 65000, 65001
CE_IP, BORDER_IP = "10.1.0.11", "10.1.0.1"
DYN_IP, DYN_BORDER = "10.2.0.11", "10.2.0.1"
TIMERS = {"hold": 9, "keepalive": 3, "connect-retry": 2}
MD5 = "vrf-blue-key"


class Md5GobgpCe(GobgpCe):
    """The GoBGP CE with a TCP MD5 password (GoBGP's neighbors.config auth-password)."""

    def toml(self) -> str:
        return super().toml().replace("    peer-as =", f'    auth-password = "{MD5}"\n    peer-as =', 1)


def vrf_neighbors(leaf: EvpndNode, vrf: str) -> list:
    """The VRF instance's neighbours (GET /v1/bgp/vrfs/NAME/neighbors, docs/API.md)."""
    return leaf.api.get(f"/v1/bgp/vrfs/{vrf}/neighbors").get("neighbors", [])


def vrf_neighbor(leaf: EvpndNode, vrf: str, addr: str) -> dict:
    return next((n for n in vrf_neighbors(leaf, vrf) if n.get("address") == addr), {})


def vrf_established(leaf: EvpndNode, vrf: str, addr: str, ce_as: int) -> bool:
    n = vrf_neighbor(leaf, vrf, addr)
    return str(n.get("state", "")).lower() == "established" and n.get("remote_as") == ce_as


def sockets(ns, port: int = 179) -> str:
    """TCP sockets on the BGP port in a namespace (ss -tan), one per line."""
    return "\n".join(l for l in ns.run("ss", "-tanH").splitlines() if f":{port} " in l + " ")


def run(t: harness.Test) -> None:
    lab = t.lab
    leaf = lab.netns("leaf")
    blue, red = lab.netns("blue"), lab.netns("red")
    cb_ns, cr_ns, dyn_ns = lab.netns("cb"), lab.netns("cr"), lab.netns("dyn")
    leaf.loopback("10.255.0.1/32")
    for tenant, ce_ns in ((blue, cb_ns), (red, cr_ns)):
        tenant.ip("link", "set", "lo", "up")
        lab.veth(tenant, "ce0", ce_ns, "eth0", f"{BORDER_IP}/24", f"{CE_IP}/24")
    lab.veth(blue, "ce1", dyn_ns, "eth0", f"{DYN_BORDER}/24", f"{DYN_IP}/24")

    def vrf(name, l3vni, mac, ns, ces):
        v = {"name": name, "l3vni": l3vni, "router-mac": mac, "netns": ns.name, "asn": VRF_AS,
             "neighbors": [{"address": CE_IP, "remote-as": asn, "timers": TIMERS} for asn in ces]}
        return v

    blue_vrf = vrf("blue", 5001, "02:00:0a:ff:00:01", blue, [65101])
    blue_vrf["neighbors"][0]["password"] = MD5
    blue_vrf["listen-ranges"] = [{"range": "10.2.0.0/24", "remote-as": 65103, "timers": TIMERS}]
    red_vrf = vrf("red", 5002, "02:00:0a:ff:00:02", red, [65102])
    node = EvpndNode(lab, leaf, LEAF_AS, "10.255.0.1",
                     extra={"vtep": {"source-ip": "10.255.0.1", "dataplane": "linux"}, "vrf-backend": "netns",
                            "vrfs": [blue_vrf, red_vrf]})
    node.start()
    cb = Md5GobgpCe(lab, Ce("cb", cb_ns, CE_IP, BORDER_IP, "", "", 65101), BORDER_IP, VRF_AS).start()
    cr = GobgpCe(lab, Ce("cr", cr_ns, CE_IP, BORDER_IP, "", "", 65102), BORDER_IP, VRF_AS).start()

    t.check_wait("blue CE (AS 65101, TCP MD5) Established, seen by the CE", lambda: cb.established(BORDER_IP), 20)
    t.check_wait("red CE (AS 65102, same address) Established, seen by the CE", lambda: cr.established(BORDER_IP), 20)
    t.check_wait("evpnd: 10.1.0.11 Established in VRF blue", lambda: vrf_established(node, "blue", CE_IP, 65101), 10)
    t.check_wait("evpnd: 10.1.0.11 Established in VRF red", lambda: vrf_established(node, "red", CE_IP, 65102), 10)
    t.check("10.1.0.11 is not a global neighbour", not node.neighbor_info(CE_IP), node.neighbor_info(CE_IP))
    t.check("evpnd listens on :179 in blue's namespace", "LISTEN" in sockets(blue), sockets(blue))
    t.check("evpnd listens on :179 in red's namespace", "LISTEN" in sockets(red), sockets(red))
    t.check("the CE sessions' sockets are in the tenant namespaces, none in the underlay",
            "ESTAB" in sockets(blue) and "ESTAB" in sockets(red) and "ESTAB" not in sockets(leaf),
            {"blue": sockets(blue), "red": sockets(red), "leaf": sockets(leaf)})

    # A listen-range peer: accepted by blue's listener, a dynamic peer while its session lasts.
    dyn = GobgpCe(lab, Ce("dyn", dyn_ns, DYN_IP, DYN_BORDER, "", "", 65103), DYN_BORDER, VRF_AS).start()
    t.check_wait("listen-range CE Established, seen by the CE", lambda: dyn.established(DYN_BORDER), 20)
    t.check_wait("evpnd: dynamic peer 10.2.0.11 Established in VRF blue",
                 lambda: vrf_established(node, "blue", DYN_IP, 65103), 10)
    d = vrf_neighbor(node, "blue", DYN_IP)
    t.check("the dynamic peer is marked dynamic", d.get("dynamic") is True, d)
    dyn.stop()
    t.check_wait("the dynamic peer disappears when its CE stops", lambda: not vrf_neighbor(node, "blue", DYN_IP), 15)

    # Reload: red loses its neighbour (Cease 6/3); blue's session is not touched.
    red_vrf["neighbors"] = []
    red_vrf["listen-ranges"] = [{"range": "10.9.0.0/24", "remote-as": 65109}]  # red keeps an instance
    applied = node.reload()
    t.check("reload reports red's neighbour removed", CE_IP in str(applied.get("vrf_bgp", {}).get("red", {})), applied)
    t.check_wait("red CE's session goes down", lambda: not cr.established(BORDER_IP), 10)
    t.check("blue CE's session stays up through the reload", harness.holds_for(lambda: cb.established(BORDER_IP), 3))
    t.check("blue's neighbour still Established (API)", vrf_established(node, "blue", CE_IP, 65101),
            vrf_neighbors(node, "blue"))
    t.check("red has no neighbour left", not vrf_neighbor(node, "red", CE_IP), vrf_neighbors(node, "red"))
    t.log(f"done in {time.monotonic() - t.t0:.1f}s")


if __name__ == "__main__":
    harness.main(run, "vrf_sessions", needs=harness.GOBGP_BINS)
