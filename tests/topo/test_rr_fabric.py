#!/usr/bin/env python3
"""Interop (c): the DUT as route reflector between two FRR leaves (FRR-INTEROP.md fabric).

Both FRR leaves must learn each other's MAC/IP (type 2) and type-3 routes through the DUT spine,
with next hop = the originating VTEP and the originator's RTs, install the remote MACs (zebra,
`show evpn mac vni all json`), list the other leaf as a remote VTEP, and hosts on VNI 100 must
ping across leaves (bridged over VXLAN) and across VNIs (symmetric IRB over L3VNI 5000).
--dut frr runs the same with an FRR spine, which proves the fabric and the checks.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import Fabric, leaf_ip  # noqa: E402
from lib.routes import find  # noqa: E402


def run(t: harness.Test) -> None:
    fab = Fabric(t.lab, leaves=2, spine_kind=t.dut, leaf_kinds=["frr", "frr"]).build().start()
    l1, l2 = fab.leaf_nodes
    t.check_wait("sessions leaf1/leaf2 <-> spine Established", lambda: (fab.wait_established(40) or True), 45)
    h = {x.name: x for x in fab.hosts}
    h100 = fab.hosts_on(100)
    h200 = fab.hosts_on(200)
    a, b = h100[0], h100[1]                 # VNI 100 on leaf1 and leaf2
    c = h200[1]                             # VNI 200 on leaf2
    # Hosts announce themselves (gratuitous pings to the anycast gateway) so leaves learn them.
    for x in h.values():
        x.ns.try_run("ping", "-c", "1", "-W", "1", f"{x.ip.rsplit('.', 1)[0]}.1")

    for me, other, oi in ((l1, l2, 2), (l2, l1, 1)):
        me_name = f"leaf{3 - oi}"
        remote_hosts = [x for x in fab.hosts if x.leaf == oi]
        for x in remote_hosts:
            def has_mac_ip(x=x):
                rs = find(me.evpn_routes(), type=2, mac=x.mac, ip=x.ip)
                return rs
            rs = t.check_wait(f"{me_name} learns type-2 {x.mac}/{x.ip} of leaf{oi} via RR",
                              has_mac_ip, 25)
            if rs:
                r = rs[0]
                t.check_eq(f"{me_name} type-2 {x.ip} next hop is leaf{oi} VTEP", r["next_hop"], leaf_ip(oi))
                t.check(f"{me_name} type-2 {x.ip} carries RT 65000:{x.vni} and 65000:5000",
                        {f"65000:{x.vni}", "65000:5000"} <= set(r["rts"]), r)
                t.check_eq(f"{me_name} type-2 {x.ip} labels L2VNI/L3VNI", r["labels"], [x.vni, 5000])
                t.check_eq(f"{me_name} type-2 {x.ip} ORIGINATOR_ID is leaf{oi}", r["originator_id"],
                           leaf_ip(oi))
        t.check_wait(f"{me_name} learns type-3 of leaf{oi} for VNIs 100 and 200",
                     lambda oi=oi, me=me: len(find(me.evpn_routes(), type=3, originator=leaf_ip(oi))) >= 2, 20)
        rs = find(me.evpn_routes(), type=3, originator=leaf_ip(oi))
        t.check(f"{me_name} type-3 of leaf{oi} have PMSI ingress replication",
                rs and all(r["pmsi"] and r["pmsi"]["tunnel_type"] == 6 for r in rs), rs)
        # zebra view: remote MACs installed, remote VTEP known
        for x in remote_hosts:
            def mac_installed(x=x):
                m = me.evpn_macs().get(str(x.vni), {}).get("macs", {}).get(x.mac)
                return m if m and m.get("type") == "remote" and m.get("remoteVtep") == leaf_ip(oi) else None
            t.check_wait(f"{me_name} zebra installs remote MAC {x.mac} -> {leaf_ip(oi)}", mac_installed, 15)

        def vtep_known(me=me, oi=oi):
            vnis = me.evpn_vnis()
            l2 = [v for v in vnis if v.get("type") == "L2" and v.get("vni") == 100]
            return l2 and leaf_ip(oi) in (l2[0].get("numRemoteVteps") or [])
        t.check_wait(f"{me_name} VNI 100 lists leaf{oi} as remote VTEP", vtep_known, 15)

    t.check_wait(f"ping {a.name} {a.ip} (leaf1) -> {b.name} {b.ip} (leaf2), VNI 100 bridged",
                 lambda: a.ns.ping(b.ip, 1), 20)
    t.check_wait(f"ping {b.name} -> {a.name}, VNI 100 bridged", lambda: b.ns.ping(a.ip, 1), 10)
    t.check_wait(f"ping {a.name} {a.ip} (leaf1, VNI 100) -> {c.name} {c.ip} (leaf2, VNI 200), routed",
                 lambda: a.ns.ping(c.ip, 1), 20)
    # the spine must not keep reflecting after a leaf withdraws: take leaf2's host down
    fab.tenant_ns[1].ip("link", "set", f"l2-{b.name}", "down")  # flushes the port's FDB entries
    t.check_wait(f"leaf1 loses {b.mac} after leaf2 withdraws it",
                 lambda: not find(l1.evpn_routes(), type=2, mac=b.mac), 20)


if __name__ == "__main__":
    harness.main(run, "interop_rr_fabric", duts=("evpnd", "frr", "gobgp"))
