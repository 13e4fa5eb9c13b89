#!/usr/bin/env python3
"""Interop (b): EVPN routes of all five types flow both ways between the DUT and FRR / GoBGP.

Topology: the DUT in the spine seat of a one-leaf fabric (FRR leaf with zebra, VXLAN devices,
hosts; FRR-INTEROP.md), plus an FRR bgpd speaker and a GoBGP speaker on their own links (iBGP).
  1. DUT originates types 1-5 (API; GoBGP stand-in: CLI) -> FRR and GoBGP show RD, ESI, MAC, IP,
     labels (VNIs), RTs, Router MAC, PMSI and next hop as sent; withdrawal removes them.
  2. GoBGP originates types 1-5 -> the DUT shows them the same way; withdrawal removes them.
  3. The FRR leaf originates types 2 (host MAC/IP, two labels, Router MAC), 3 (PMSI) and 5
     (connected subnet) -> the DUT shows them.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness, nodes  # noqa: E402
from lib.fabric import ASN, Fabric, leaf_ip, router_mac  # noqa: E402
from lib.frr import FrrNode, Neighbor  # noqa: E402
from lib.gobgp import GobgpNode  # noqa: E402
from lib.routes import find, summary  # noqa: E402

FRR_PEER, GOBGP_PEER = "10.0.2.1", "10.0.3.1"
DUT_FRR_SIDE, DUT_GOBGP_SIDE = "10.0.2.0", "10.0.3.0"


def check_routes_shown(t, viewer_name, viewer, sent, timeout=20):
    for r in sent:
        want = nodes.expected(r)
        got = t.check_wait(f"{viewer_name} shows {nodes.describe(want)}",
                           lambda want=want: nodes.lookup(viewer.evpn_routes(), want), timeout)
        if got:
            bad = nodes.mismatches(got[0], want)
            t.check(f"{viewer_name} {nodes.describe(want)} fields match", not bad,
                    "; ".join(bad) + f" | got {summary(got[0])}")


def check_routes_gone(t, viewer_name, viewer, sent, timeout=15):
    wants = [nodes.expected(r) for r in sent]
    t.check_wait(f"{viewer_name} drops all {len(sent)} withdrawn routes",
                 lambda: not any(nodes.lookup(viewer.evpn_routes(), w) for w in wants), timeout)


def run(t: harness.Test) -> None:
    lab = t.lab
    fab = Fabric(lab, leaves=1, spine_kind=t.dut, leaf_kinds=["frr"],
                 extra_spine_neighbors=[Neighbor(FRR_PEER, ASN, description="frr-peer"),
                                        Neighbor(GOBGP_PEER, ASN, description="gobgp-peer")]).build()
    fns, gns = lab.netns("frrpeer"), lab.netns("gobgp")
    lab.veth(fab.spine_ns, "to-frr", fns, "eth0", f"{DUT_FRR_SIDE}/31", f"{FRR_PEER}/31")
    lab.veth(fab.spine_ns, "to-gobgp", gns, "eth0", f"{DUT_GOBGP_SIDE}/31", f"{GOBGP_PEER}/31")
    fab.start()
    dut = fab.spine
    leaf = fab.leaf_nodes[0]
    frr = FrrNode(lab, fns, ASN, FRR_PEER, [Neighbor(DUT_FRR_SIDE, ASN)]).start()
    gob = GobgpNode(lab, gns, ASN, GOBGP_PEER, [Neighbor(DUT_GOBGP_SIDE, ASN)]).start()
    t.check_wait("FRR peer Established", lambda: frr.established(DUT_FRR_SIDE), 30)
    t.check_wait("GoBGP peer Established", lambda: gob.established(DUT_GOBGP_SIDE), 30)
    t.check_wait("FRR leaf Established", lambda: leaf.established("10.255.0.254"), 30)

    # 1. DUT -> FRR, GoBGP
    if nodes.can_originate(dut):
        sent = nodes.test_routes("10.255.0.254")
        nodes.originate(dut, sent)
        check_routes_shown(t, "FRR peer", frr, sent)
        check_routes_shown(t, "GoBGP peer", gob, sent)
        nodes.withdraw(dut, sent)
        check_routes_gone(t, "FRR peer", frr, sent)
        check_routes_gone(t, "GoBGP peer", gob, sent)
    else:
        t.log(f"part 1 (DUT originates) not applicable to {t.dut}")

    # 2. GoBGP -> DUT
    sent = nodes.test_routes(GOBGP_PEER, mac_base="02:bb:00:00:00", prefix="10.88.0.0/24")
    nodes.originate(gob, sent)
    check_routes_shown(t, f"DUT ({t.dut})", dut, sent)
    nodes.withdraw(gob, sent)
    check_routes_gone(t, f"DUT ({t.dut})", dut, sent)

    # 3. FRR leaf (zebra-learned host, VNIs, L3VNI) -> DUT
    for x in fab.hosts:
        x.ns.try_run("ping", "-c", "1", "-W", "1", f"{x.ip.rsplit('.', 1)[0]}.1")
    for x in fab.hosts:
        got = t.check_wait(f"DUT shows FRR leaf type-2 {x.mac} {x.ip}",
                           lambda x=x: find(dut.evpn_routes(), type=2, mac=x.mac, ip=x.ip), 25)
        if got:
            r = got[0]
            want = {"next_hop": leaf_ip(1), "labels": [x.vni, 5000], "router_mac": router_mac(1)}
            bad = [f"{k}: got {r.get(k)!r}, want {v!r}" for k, v in want.items() if r.get(k) != v]
            bad += [] if {f"65000:{x.vni}", "65000:5000"} <= set(r["rts"]) else [f"rts {r['rts']}"]
            t.check(f"DUT FRR-leaf type-2 {x.ip} next hop, labels, Router MAC, RTs", not bad, "; ".join(bad))
    for vni in fab.vnis:
        got = t.check_wait(f"DUT shows FRR leaf type-3 for VNI {vni}",
                           lambda vni=vni: [r for r in find(dut.evpn_routes(), type=3, originator=leaf_ip(1))
                                            if f"65000:{vni}" in r["rts"]], 20)
        if got:
            r = got[0]
            t.check(f"DUT FRR-leaf type-3 VNI {vni} PMSI ingress-replication label {vni}",
                    r["pmsi"] in ((None,) if dut.kind == "frr" else ()) + ({"tunnel_type": 6, "label": vni},) and r["next_hop"] == leaf_ip(1),
                    summary(r) + f" pmsi={r['pmsi']}")
    for vni in fab.vnis:
        pfx = f"192.168.{vni}.0/24"
        got = t.check_wait(f"DUT shows FRR leaf type-5 {pfx}",
                           lambda pfx=pfx: find(dut.evpn_routes(), type=5, prefix=pfx), 20)
        if got:
            r = got[0]
            t.check(f"DUT FRR-leaf type-5 {pfx} label 5000, RT 65000:5000, Router MAC",
                    r["labels"] in ((None,) if dut.kind == "frr" else ()) + ([5000],) and "65000:5000" in r["rts"]
                    and r["router_mac"] == router_mac(1) and r["next_hop"] == leaf_ip(1), summary(r))


if __name__ == "__main__":
    harness.main(run, "interop_routes", duts=("evpnd", "frr", "gobgp"), needs=harness.FRR_BINS + harness.GOBGP_BINS)
