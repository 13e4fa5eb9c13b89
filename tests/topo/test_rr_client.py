#!/usr/bin/env python3
"""Interop (d): the DUT as a client of an FRR route reflector.

Fabric: FRR spine (RR), leaf1 = FRR leaf with zebra/VXLAN/hosts, leaf2 seat = the DUT as a
BGP-only speaker with VTEP address 10.255.0.2.
  - The DUT originates a type-2 (VNI 100) and a type-3 via the API; leaf1 learns them through the
    RR, imports them into VNI 100 (zebra installs the MAC -> 10.255.0.2, lists the VTEP).
  - The DUT learns leaf1's type-2/3/5 routes through the RR (ORIGINATOR_ID = leaf1).
  - The RR reflects the DUT's own routes back to it (FRR does, FRR-INTEROP.md §5); the DUT must
    drop them (RFC 4456 §8: ORIGINATOR_ID equals our router ID): exactly one path per own route.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness, nodes  # noqa: E402
from lib.fabric import SPINE_IP, Fabric, leaf_ip  # noqa: E402
from lib.routes import find, summary  # noqa: E402

DUT_IP = leaf_ip(2)


def run(t: harness.Test) -> None:
    fab = Fabric(t.lab, leaves=2, spine_kind="frr", leaf_kinds=["frr", f"{t.dut}-bgp"]).build().start()
    rr, leaf1, dut = fab.spine, fab.leaf_nodes[0], fab.leaf_nodes[1]
    t.check_wait("DUT <-> FRR RR Established (RR view)", lambda: rr.established(DUT_IP), 30)
    t.check_wait("DUT <-> FRR RR Established (DUT view)", lambda: dut.established(SPINE_IP), 10)
    t.check_wait("leaf1 <-> FRR RR Established", lambda: leaf1.established(SPINE_IP), 30)

    mine = [r for r in nodes.test_routes(DUT_IP, mac_base="02:dd:00:00:00") if r["route_type"] in (2, 3)]
    if nodes.can_originate(dut):
        nodes.originate(dut, mine)
        for r in mine:
            want = nodes.expected(r)
            got = t.check_wait(f"leaf1 learns DUT {nodes.describe(want)} via RR",
                               lambda want=want: nodes.lookup(leaf1.evpn_routes(), want), 20)
            if got:
                bad = nodes.mismatches(got[0], want)
                t.check(f"leaf1 DUT {nodes.describe(want)} fields", not bad, "; ".join(bad))
                t.check_eq(f"leaf1 DUT {nodes.describe(want)} ORIGINATOR_ID", got[0]["originator_id"], DUT_IP)
        mac = mine[0]["mac"]

        def mac_installed():
            m = leaf1.evpn_macs().get("100", {}).get("macs", {}).get(mac)
            return m and m.get("type") == "remote" and m.get("remoteVtep") == DUT_IP
        t.check_wait(f"leaf1 zebra installs DUT MAC {mac} -> {DUT_IP}", mac_installed, 15)

        def vtep_known():
            l2 = [v for v in leaf1.evpn_vnis() if v.get("type") == "L2" and v.get("vni") == 100]
            return l2 and DUT_IP in (l2[0].get("numRemoteVteps") or [])
        t.check_wait(f"leaf1 VNI 100 lists the DUT {DUT_IP} as remote VTEP (type-3)", vtep_known, 15)
    else:
        t.log(f"DUT {t.dut} cannot originate; origination part skipped")

    # DUT learns leaf1's routes.
    for x in fab.hosts:
        x.ns.try_run("ping", "-c", "1", "-W", "1", f"{x.ip.rsplit('.', 1)[0]}.1")
    h = [x for x in fab.hosts if x.leaf == 1][0]
    got = t.check_wait(f"DUT learns leaf1 type-2 {h.mac} {h.ip} via RR",
                       lambda: find(dut.evpn_routes(), type=2, mac=h.mac, ip=h.ip), 25)
    if got:
        r = got[0]
        t.check(f"DUT leaf1 type-2: next hop {leaf_ip(1)}, labels [{h.vni}, 5000]",
                r["next_hop"] == leaf_ip(1) and r["labels"] == [h.vni, 5000], summary(r))
    t.check_wait("DUT learns leaf1 type-3 routes (VNIs 100, 200)",
                 lambda: len(find(dut.evpn_routes(), type=3, originator=leaf_ip(1))) >= 2, 20)
    t.check_wait("DUT learns leaf1 type-5 192.168.100.0/24",
                 lambda: find(dut.evpn_routes(), type=5, prefix="192.168.100.0/24"), 20)

    # Own routes reflected back must be dropped.
    if nodes.can_originate(dut):
        rd = f"{DUT_IP}:2"
        # The RR does reflect them (precondition, so the check below can fail):
        adv = rr.json(f"show bgp l2vpn evpn neighbors {DUT_IP} advertised-routes json")
        t.check(f"FRR RR reflects the DUT's own routes back to it (RD {rd})", rd in str(adv), str(adv)[:400])
        harness.holds_for(lambda: True, 2)
        for r in mine:
            want = nodes.expected(r)
            paths = nodes.lookup(dut.evpn_routes(), want)
            t.check(f"DUT keeps exactly one path for own {nodes.describe(want)} (reflected copy dropped)",
                    len(paths) == 1 and paths[0]["originator_id"] in (None, ""),
                    [summary(p) + f" originator_id={p['originator_id']}" for p in paths])


if __name__ == "__main__":
    harness.main(run, "interop_rr_client", duts=("evpnd", "frr", "gobgp"))
