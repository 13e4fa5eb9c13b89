#!/usr/bin/env python3
"""Mixed L3 fabric (issue #5): symmetric IRB between an evpnd leaf (leaf1, netns VRF backend) and
an FRR leaf (leaf2, `zebra -n`, FRR-INTEROP.md §2) over L3VNI 5000, under an evpnd RR (--dut evpnd)
or an FRR one (--dut frr).

Checks: each leaf holds the other's router MAC (vxlan5000 FDB + br5000 neighbour) and host routes
`via <vtep> dev br5000 proto bgp onlink`; routed pings VNI 100 (evpnd leaf) <-> VNI 200 (FRR leaf)
with reply TTL 62 both ways (two routed hops: no asymmetric fallback, which gives 63); a type-5
prefix announced with `evpnctl announce` on the evpnd leaf is reachable from a host behind the FRR
leaf and gone after `evpnctl withdraw`; the anycast gateway answers ARP (same MAC) and ping on every
leaf; hosts moved evpnd -> FRR and FRR -> evpnd keep being routed to (host route follows, TTL 62).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import ANYCAST_MAC, L3VNI, VRF, Fabric, gateway, leaf_ip, router_mac  # noqa: E402
from lib.mixed import Mover  # noqa: E402
from lib.netns import sh  # noqa: E402

PFX, PFX_ADDR = "10.99.0.0/24", "10.99.0.1"


def ttl_ping(ns, ip: str):
    r = ns.try_run("ping", "-c", "1", "-W", "1", ip)
    m = re.search(r"ttl=(\d+)", r.stdout)
    return int(m.group(1)) if r.returncode == 0 and m else None


def host_route(tenant, ip: str, vtep: str) -> bool:
    return bool(re.search(rf"^{re.escape(ip)} via {re.escape(vtep)} dev br{L3VNI} proto bgp .*onlink",
                          tenant.ip("route", "show"), re.M))


def run(t: harness.Test) -> None:
    evpnctl = harness.find_bin("evpnctl")
    if not harness.find_bin("evpnd") or not evpnctl:
        raise harness.Skip("evpnd/evpnctl not built (set EVPND_BIN_DIR)")
    fab = Fabric(t.lab, leaves=2, spine_kind=t.dut, leaf_kinds=["evpnd", "frr"]).build().start()
    ev, fr = fab.leaf_nodes
    t1, t2 = fab.tenant_ns
    t.log(f"spine={t.dut} leaf1=evpnd leaf2=frr")
    t.check_wait(f"leaf1 (evpnd) / leaf2 (FRR) <-> {t.dut} RR Established",
                 lambda: (fab.wait_established(40) or True), 45)
    on = lambda leaf, vni: fab.hosts_at(leaf, vni)[0]  # noqa: E731
    fab.announce_hosts()

    for tn, me, other in ((t1, "leaf1 (evpnd)", 2), (t2, "leaf2 (FRR)", 1)):
        vtep, rmac = leaf_ip(other), router_mac(other)
        t.check_wait(f"{me}: RMAC {rmac} of leaf{other} on vxlan{L3VNI} dst {vtep}",
                     lambda tn=tn, vtep=vtep, rmac=rmac: re.search(
                         rf"^{rmac} .*dst {re.escape(vtep)} .*self", tn.bridge("fdb", "show", "dev", f"vxlan{L3VNI}"),
                         re.M), 20)
        t.check_wait(f"{me}: neighbour {vtep} lladdr {rmac} on br{L3VNI}",
                     lambda tn=tn, vtep=vtep, rmac=rmac: re.search(
                         rf"^{re.escape(vtep)} .*lladdr {rmac}", tn.ip("neigh", "show", "dev", f"br{L3VNI}"), re.M), 20)
        for x in [h for h in fab.hosts if h.leaf == other]:
            t.check_wait(f"{me}: host route {x.ip} via {vtep} dev br{L3VNI} proto bgp onlink",
                         lambda tn=tn, x=x, vtep=vtep: host_route(tn, x.ip, vtep), 20)
    for tn, me in ((t1, "leaf1 (evpnd)"), (t2, "leaf2 (FRR)")):
        routes = tn.ip("route", "show")
        t.check(f"{me}: subnets 192.168.100/200.0/24 stay connected (a peer's type-5 does not replace them)",
                all(re.search(rf"^192\.168\.{v}\.0/24 dev br{v} proto kernel", routes, re.M) for v in (100, 200)),
                routes)

    a, d = on(1, 100), on(2, 200)
    for src, dst, what in ((a, d, "evpnd leaf VNI 100 -> FRR leaf VNI 200"), (d, a, "FRR leaf VNI 200 -> evpnd leaf VNI 100")):
        ttl = t.check_wait(f"routed ping {src.name} {src.ip} -> {dst.name} {dst.ip} ({what})",
                           lambda src=src, dst=dst: ttl_ping(src.ns, dst.ip), 20)
        t.check_eq(f"{src.name} -> {dst.name}: reply TTL 62 (symmetric IRB, two routed hops)", ttl, 62)

    # --- anycast gateway: same IP and MAC on every leaf --------------------------------------
    for x in fab.hosts:
        r = x.ns.try_run("arping", "-c", "1", "-w", "1", "-I", "eth0", gateway(x.vni))
        t.check(f"{x.name} (leaf{x.leaf}, VNI {x.vni}): ARP for gateway {gateway(x.vni)} answered by {ANYCAST_MAC}",
                ANYCAST_MAC in r.stdout.lower(), r.stdout)
        t.check(f"{x.name}: ping gateway {gateway(x.vni)}", x.ns.ping(gateway(x.vni), 1))

    # --- type-5 via evpnctl on the evpnd leaf, reached from behind the FRR leaf ------------------
    t1.ip("addr", "add", f"{PFX_ADDR}/24", "dev", "lo")  # a tenant-side address that answers
    ctl = [evpnctl, "--socket", ev.socket]
    t.check(f"FRR leaf has no route to {PFX} before the announce", PFX not in t2.ip("route", "show"))
    p = sh(ctl + ["announce", PFX, "--vrf", VRF], check=False)
    t.check(f"evpnctl announce {PFX} --vrf {VRF}", p.returncode == 0, p.stderr + p.stdout)
    t.check_wait(f"FRR leaf installs {PFX} via {leaf_ip(1)} dev br{L3VNI}",
                 lambda: re.search(rf"^{re.escape(PFX)} .*via {re.escape(leaf_ip(1))} dev br{L3VNI}",
                                   t2.ip("route", "show"), re.M), 15)
    t.check_wait(f"{d.name} (FRR leaf) pings {PFX_ADDR} behind the evpnd leaf", lambda: d.ns.ping(PFX_ADDR, 1), 10)
    p = sh(ctl + ["withdraw", PFX, "--vrf", VRF], check=False)
    t.check(f"evpnctl withdraw {PFX} --vrf {VRF}", p.returncode == 0, p.stderr + p.stdout)
    t.check_wait(f"FRR leaf removes {PFX} after the withdrawal", lambda: PFX not in t2.ip("route", "show"), 15)
    t.check(f"{d.name} can no longer reach {PFX_ADDR}", not d.ns.ping(PFX_ADDR, 1))

    # --- host moves: the host route follows -----------------------------------------------
    b, c = on(1, 200), on(2, 100)
    for host, dst, obs_t, obs, peer in ((a, 2, t1, "leaf1 (evpnd)", b), (d, 1, t2, "leaf2 (FRR)", c)):
        mv = Mover(fab, host, dst)
        mv.move_to(dst)
        t.check_wait(f"{host.name} moved to leaf{dst}: {obs} host route {host.ip} via {leaf_ip(dst)}",
                     lambda obs_t=obs_t, host=host, dst=dst: host_route(obs_t, host.ip, leaf_ip(dst)), 15)
        ttl = t.check_wait(f"{peer.name} (leaf{peer.leaf}) -> moved {host.name} {host.ip} (leaf{dst}) routed",
                           lambda peer=peer, host=host: ttl_ping(peer.ns, host.ip), 15)
        t.check_eq(f"after the move {peer.name} -> {host.name}: reply TTL 62", ttl, 62)


if __name__ == "__main__":
    harness.main(run, "mixed_l3", duts=("evpnd", "frr"), needs=harness.FRR_BINS + ("arping",))
