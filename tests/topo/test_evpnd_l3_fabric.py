#!/usr/bin/env python3
"""evpnd as a leaf VTEP (issue #5): symmetric IRB through L3VNI 5000 in VRF tenant1.

All-evpnd fabric (evpnd RR, two evpnd leaves). VRF tenant1 is a network namespace per leaf
(FRR-INTEROP.md §1, netns VRF backend): the L3VNI vxlan device is created in the underlay netns
and moved into the tenant netns, the SVIs live there, and the anycast gateway IP + MAC are the same
on both leaves. Checks: RMAC of the other leaf (FDB on vxlan5000 + neighbour on br5000), host
routes `via <vtep> dev br5000 onlink proto bgp`, a host on VNI 100 at leaf1 pings a host on VNI 200
at leaf2 with TTL 62 (two routed hops), type-5 announce/withdraw through the API (the route appears
in and vanishes from the other leaf's tenant table), and the /v1/vrfs/tenant1/routes and
/v1/evpn/rmacs views.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import ApiError  # noqa: E402
from lib.fabric import Fabric, L3VNI, VRF, leaf_ip, router_mac  # noqa: E402


def run(t: harness.Test) -> None:
    fab = Fabric(t.lab, leaves=2, spine_kind="evpnd", leaf_kinds=["evpnd", "evpnd"]).build().start()
    l1, l2 = fab.leaf_nodes
    t1, t2 = fab.tenant_ns
    t.check_wait("leaf1/leaf2 <-> evpnd RR Established", lambda: (fab.wait_established(40) or True), 45)
    a = fab.hosts_at(1, 100)[0]
    c = fab.hosts_at(2, 200)[0]
    fab.announce_hosts()

    for tn, other, name in ((t1, 2, "leaf1"), (t2, 1, "leaf2")):
        vtep, rmac = leaf_ip(other), router_mac(other)
        t.check_wait(f"{name}: RMAC {rmac} of leaf{other} on vxlan{L3VNI} dst {vtep}",
                     lambda tn=tn, vtep=vtep, rmac=rmac: re.search(
                         rf"^{rmac} .*dst {re.escape(vtep)} .*self", tn.bridge("fdb", "show", "dev", f"vxlan{L3VNI}"), re.M), 20)
        t.check_wait(f"{name}: neighbour {vtep} lladdr {rmac} on br{L3VNI}",
                     lambda tn=tn, vtep=vtep, rmac=rmac: re.search(
                         rf"^{re.escape(vtep)} .*lladdr {rmac}", tn.ip("neigh", "show", "dev", f"br{L3VNI}"), re.M), 20)
        for x in [h for h in fab.hosts if h.leaf == other]:
            t.check_wait(f"{name}: host route {x.ip} via {vtep} dev br{L3VNI} proto bgp",
                         lambda tn=tn, x=x, vtep=vtep: re.search(
                             rf"^{re.escape(x.ip)} via {re.escape(vtep)} dev br{L3VNI} proto bgp .*onlink",
                             tn.ip("route", "show"), re.M), 20)

    def ttl_ping(src, dst):
        r = src.ns.try_run("ping", "-c", "1", "-W", "1", dst.ip)
        m = re.search(r"ttl=(\d+)", r.stdout)
        return int(m.group(1)) if r.returncode == 0 and m else None

    ttl = t.check_wait(f"routed ping {a.name} {a.ip} (leaf1, VNI 100) -> {c.name} {c.ip} (leaf2, VNI 200)",
                       lambda: ttl_ping(a, c), 20)
    t.check_eq("reply TTL shows two routed hops (64 - 2)", ttl, 62)
    ttl = t.check_wait(f"routed ping {c.name} -> {a.name}", lambda: ttl_ping(c, a), 10)
    t.check_eq("reverse TTL 62", ttl, 62)

    # Views
    routes = l1.api.get(f"/v1/vrfs/{VRF}/routes")["routes"]
    r = [x for x in routes if x["prefix"] == f"{c.ip}/32"]
    t.check(f"API /v1/vrfs/{VRF}/routes: {c.ip}/32 host route via leaf2 with its RMAC",
            r and r[0]["type"] == "host" and r[0]["nexthops"] == [{"vtep": leaf_ip(2), "rmac": router_mac(2)}], routes)
    rm = l1.api.get("/v1/evpn/rmacs")["rmacs"]
    t.check("API /v1/evpn/rmacs: leaf2's router MAC", {"vrf": VRF, "l3vni": L3VNI, "vtep": leaf_ip(2),
                                                      "rmac": router_mac(2)} in rm, rm)
    vrfs = l1.api.get("/v1/evpn/vrfs")["vrfs"]
    t.check("API /v1/evpn/vrfs: tenant1 L3VNI 5000 with leaf1's router MAC",
            any(v["name"] == VRF and v["l3vni"] == L3VNI and v["router_mac"] == router_mac(1) for v in vrfs), vrfs)

    # Type-5 at run time
    pfx = "10.99.0.0/24"
    l2.api.post(f"/v1/vrfs/{VRF}/prefixes", {"prefix": pfx})
    t.check_wait(f"leaf1 installs type-5 {pfx} via leaf2",
                 lambda: re.search(rf"^{re.escape(pfx)} via {re.escape(leaf_ip(2))} dev br{L3VNI} proto bgp",
                                   t1.ip("route", "show"), re.M), 15)
    l2.api.delete(f"/v1/vrfs/{VRF}/prefixes", {"prefix": pfx})
    t.check_wait(f"leaf1 removes {pfx} after the withdrawal",
                 lambda: pfx not in t1.ip("route", "show"), 15)
    for body, status, what in (({"prefix": "10.99.0.1/24"}, 400, "host bits"), ({"prefix": "x"}, 400, "garbage"),
                               ({}, 400, "no prefix")):
        try:
            l2.api.post(f"/v1/vrfs/{VRF}/prefixes", body)
            t.check(f"announce with {what} -> {status}", False)
        except ApiError as e:
            t.check(f"announce with {what} -> {status}", e.status == status, e.body)
    try:
        l2.api.post("/v1/vrfs/nosuch/prefixes", {"prefix": pfx})
        t.check("announce in unknown VRF -> 404", False)
    except ApiError as e:
        t.check("announce in unknown VRF -> 404", e.status == 404, e.body)
    try:
        l2.api.delete(f"/v1/vrfs/{VRF}/prefixes", {"prefix": "10.98.0.0/24"})
        t.check("withdraw of a prefix never announced -> 400", False)
    except ApiError as e:
        t.check("withdraw of a prefix never announced -> 400", e.status == 400, e.body)


if __name__ == "__main__":
    harness.main(run, "evpnd_l3_fabric", duts=("evpnd",), needs=())
