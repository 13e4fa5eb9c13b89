#!/usr/bin/env python3
"""Issue 10: an FRR CE over IPv6 and a GoBGP CE over IPv4 peer with the border leaf's tenant VRF;
their prefixes become EVPN type-5 routes that reach the other leaves.

Fabric (lib/vrf_ce.py): FRR route reflector; leaf1 = the border leaf (--dut evpnd: evpnd with
`vrfs[].neighbors`; --dut frr: FRR 8.4 `router bgp 65001 vrf tenant1` + `advertise ipv4|ipv6
unicast`, the harness reference), leaf2 = FRR 8.4 leaf, leaf3 = evpnd leaf, L3VNI 5000.
CEs on routed veths of leaf1's tenant VRF:
  gw6  FRR 8.4 bgpd (`router bgp 64600`, ipv6 unicast only) over IPv6 fd00:1:0::11 -> fd00:1:0::1,
       `network 2001:db8:600::/48` (import policy 2001:db8:600::/48 le 64) and 2001:db8:666::/48
       (outside the policy)
  gw4  GoBGP 3.10 (AS 64700, ipv4-unicast) over IPv4 10.1.1.11 -> 10.1.1.1, 198.18.0.0/24 added with
       `gobgp global rib add` (policy 198.18.0.0/15 le 24), 198.18.0.1 on its loopback

Checks: both CE sessions Established (seen from the CEs); type-5 [5]:[0]:[48]:[2001:db8:600::] and
[5]:[0]:[24]:[198.18.0.0] on the FRR leaf and the evpnd leaf (with evpnd as the border: both VRF
neighbours Established with 1 prefix accepted each and 2001:db8:666::/48 in policy_rejected, API); both installed in their tenant tables
via the border VTEP; 2001:db8:666::/48 on neither; hosts behind the FRR and the evpnd leaf ping
198.18.0.1 (5/5); the CEs learn the tenant subnets; `gobgp global rib del` withdraws the type-5.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import leaf_ip  # noqa: E402
from lib.vrf_ce import VRF_ASN, BorderFabric, FrrCe, GobgpCe  # noqa: E402
from lib.vrf_checks import (dump, evpnd_vrf_neighbor, kernel_route, kernel_route_via, ping_replies,  # noqa: E402
                            type5_present)

V6_IN, V6_OUT, V4_IN, V4_ADDR = "2001:db8:600::/48", "2001:db8:666::/48", "198.18.0.0/24", "198.18.0.1"


def run(t: harness.Test) -> None:
    if not harness.find_bin("evpnd"):  # leaf3 runs evpnd whatever the border leaf is
        raise harness.Skip("evpnd not built (set EVPND_BIN_DIR)")
    bf = BorderFabric(t.lab, border=t.dut).build()
    gw6 = bf.add_ce("gw6", 64600)
    gw4 = bf.add_ce("gw4", 64700)
    gw4.ns.addr("lo", f"{V4_ADDR}/32")
    bf.configure_border({"gw6": [{"prefix": V6_IN, "le": 64}], "gw4": [{"prefix": "198.18.0.0/15", "le": 24}]},
                        v6_ces=("gw6",))
    bf.start()
    fab = bf.fab
    frr_ce = FrrCe(t.lab, gw6, gw6.border6, VRF_ASN, [V6_IN, V6_OUT]).start()
    gobgp_ce = GobgpCe(t.lab, gw4, gw4.border4, VRF_ASN).start()
    border, frr_leaf, ev_leaf = fab.leaf_nodes
    leaves = (("leaf2 (FRR)", frr_leaf, fab.tenant_ns[1], 2), ("leaf3 (evpnd)", ev_leaf, fab.tenant_ns[2], 3))
    t.log(f"border leaf1={t.dut}, leaf2=frr, leaf3=evpnd; CEs: FRR {gw6.ip6} (IPv6), GoBGP {gw4.ip4} (IPv4)")
    t.check_wait("fabric sessions Established", lambda: (fab.wait_established(40) or True), 45)
    up6 = t.check_wait(f"FRR CE {gw6.ip6} <-> border VRF {gw6.border6} Established (IPv6 session)",
                       lambda: frr_ce.established(gw6.border6), 30)
    up4 = t.check_wait(f"GoBGP CE {gw4.ip4} <-> border VRF {gw4.border4} Established",
                       lambda: gobgp_ce.established(gw4.border4), 30)
    if not (up6 and up4):
        return  # everything below needs the sessions: one failure, not a minute of timeouts
    gobgp_ce.add_prefix(V4_IN)
    fab.announce_hosts()

    for pfx in (V6_IN, V4_IN):
        for what, leaf, tenant, _n in leaves:
            t.check_wait(f"{what}: type-5 {pfx} in BGP", lambda leaf=leaf, pfx=pfx: type5_present(leaf, pfx), 20)
            if not t.check_wait(f"{what}: {pfx} installed in the tenant table via the border VTEP {leaf_ip(1)}",
                                lambda tenant=tenant, pfx=pfx: kernel_route_via(tenant, pfx, leaf_ip(1)), 15):
                t.log(f"{what} table: {tenant.ip('-6' if ':' in pfx else '-4', 'route', 'show')}")
    t.check_wait(f"border leaf: {V6_IN} installed via the FRR CE",
                 lambda: kernel_route(bf.border_tenant, V6_IN), 15)
    t.check_wait(f"border leaf: {V4_IN} installed via the GoBGP CE {gw4.ip4}",
                 lambda: kernel_route_via(bf.border_tenant, V4_IN, gw4.ip4), 15)
    if t.dut == "evpnd":
        for ce, addr in ((gw6, gw6.ip6), (gw4, gw4.ip4)):
            nb = evpnd_vrf_neighbor(border, bf.vrf, addr)
            t.check(f"evpnd border API: VRF neighbour {addr} ({ce.name}) established, 1 prefix accepted",
                    str(nb.get("state", "")).lower() == "established" and sum((nb.get("prefixes_accepted") or {}).values()) == 1,
                    dump(nb))
        t.check_wait(f"evpnd border API: {V6_OUT} counted in {gw6.name}'s policy_rejected",
                     lambda: evpnd_vrf_neighbor(border, bf.vrf, gw6.ip6).get("policy_rejected", 0) >= 1, 10)
    for what, leaf, tenant, _n in leaves:
        t.check(f"{what}: no type-5 for {V6_OUT} (outside the import policy)",
                harness.holds_for(lambda leaf=leaf: not type5_present(leaf, V6_OUT), 2))

    for what, _leaf, _tenant, n in leaves:
        host = fab.hosts_at(n, 100 * n)[0]
        t.check_wait(f"{host.name} behind {what} reaches {V4_ADDR} (GoBGP CE)",
                     lambda host=host: ping_replies(host.ns, V4_ADDR, 1), 15)
        t.check_eq(f"{host.name} behind {what} -> {V4_ADDR}: echo replies", f"{ping_replies(host.ns, V4_ADDR, 5)}/5", "5/5")

    # the CEs learn the tenant's subnets (export towards the CEs, next-hop-self)
    subnet = f"{fab.hosts_at(2, 200)[0].ip.rsplit('.', 1)[0]}.0/24"
    t.check_wait(f"GoBGP CE learns leaf2's subnet {subnet} from the border leaf",
                 lambda: subnet in (gobgp_ce.cli("global", "rib", "-a", "ipv4", check=False) or ""), 20)

    gobgp_ce.del_prefix(V4_IN)
    for what, leaf, tenant, _n in leaves:
        t.check_wait(f"after `gobgp global rib del {V4_IN}`: {what} withdraws the type-5",
                     lambda leaf=leaf: not type5_present(leaf, V4_IN), 20)
        t.check_wait(f"{what}: {V4_IN} gone from the tenant table", lambda tenant=tenant: not kernel_route(tenant, V4_IN), 15)


if __name__ == "__main__":
    harness.main(run, "vrf_ce", duts=("evpnd", "frr"), needs=harness.FRR_BINS + ("gobgpd", "gobgp"))
