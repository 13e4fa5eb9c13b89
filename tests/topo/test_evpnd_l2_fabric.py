#!/usr/bin/env python3
"""evpnd as a leaf VTEP (issue #4): an all-evpnd fabric, bridged traffic over VXLAN.

Spine: evpnd route reflector. Leaves: evpnd with `vtep: {dataplane: linux}` (FRR-INTEROP.md §1 kernel
layout: vxlan + bridge per VNI 100/200 in the tenant netns). Checks: type-3 -> head-end replication
entries (`00:00:00:00:00:00 dst <vtep> self permanent`), type-2 -> remote MACs in `bridge fdb`
(`dst <vtep> self extern_learn` + `master` entry), ARP suppression (remote neighbours on the SVI,
`extern_learn NOARP`), pings across leaves both ways, the API views (/v1/evpn/*), /metrics, and a
MAC move between leaves with the RFC 7432 §15 sequence number incremented.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import SPINE_IP, Fabric, gateway, leaf_ip  # noqa: E402


def fdb(ns, dev: str) -> str:
    return ns.run("bridge", "fdb", "show", "dev", dev, check=False)


def remote_mac_installed(tenant, vni: int, mac: str, vtep: str) -> bool:
    """Both halves (pitfall 7): the vxlan `self` entry with dst and the bridge `master` entry."""
    out = fdb(tenant, f"vxlan{vni}")
    self_ok = re.search(rf"^{mac} (dev \S+ )?dst {re.escape(vtep)} .*self.*extern_learn", out, re.M | re.I)
    master_ok = [ln for ln in out.splitlines() if ln.lower().startswith(mac.lower() + " ")
                 and f"master br{vni}" in ln and "extern_learn" in ln and "self" not in ln.split()]
    return bool(self_ok and master_ok)


def flood_installed(tenant, vni: int, vtep: str) -> bool:
    return bool(re.search(rf"^00:00:00:00:00:00 (dev \S+ )?dst {re.escape(vtep)} .*self permanent",
                          fdb(tenant, f"vxlan{vni}"), re.M))


def api_mac(node, vni: int, mac: str) -> dict:
    for m in node.api.get(f"/v1/evpn/macs?vni={vni}")["macs"]:
        if m["mac"] == mac:
            return m
    return {}


def run(t: harness.Test) -> None:
    fab = Fabric(t.lab, leaves=2, spine_kind="evpnd", leaf_kinds=["evpnd", "evpnd"],
                 hosts_per_vni={100: 2, 200: 1}).build()
    fab.make_nodes()
    l1, l2 = fab.leaf_nodes
    l2.extra["vtep"]["on-stop"] = "remove"  # leaf1 keeps the default (keep); checked at the end
    fab.spine.start()
    l1.start()
    l2.start()
    t1, t2 = fab.tenant_ns
    t.check_wait("leaf1/leaf2 <-> evpnd RR Established", lambda: (fab.wait_established(40) or True), 45)
    on = fab.hosts_at
    h1, h2 = on(1, 100)
    h4, h5 = on(2, 100)
    fab.announce_hosts()

    for me, tn, other in ((l1, t1, 2), (l2, t2, 1)):
        vtep = leaf_ip(other)
        for vni in (100, 200):
            t.check_wait(f"leaf{3 - other}: flood entry VNI {vni} -> {vtep} (type 3)",
                         lambda tn=tn, vni=vni, vtep=vtep: flood_installed(tn, vni, vtep), 20)
        for x in [h for h in fab.hosts if h.leaf == other]:
            t.check_wait(f"leaf{3 - other}: bridge fdb {x.mac} dev vxlan{x.vni} dst {vtep} (type 2)",
                         lambda tn=tn, x=x, vtep=vtep: remote_mac_installed(tn, x.vni, x.mac, vtep), 20)
            t.check_wait(f"leaf{3 - other}: ARP suppression entry {x.ip} lladdr {x.mac} on br{x.vni}",
                         lambda tn=tn, x=x: re.search(rf"^{re.escape(x.ip)} .*lladdr {x.mac}.*extern_learn",
                                                      tn.ip("neigh", "show", "dev", f"br{x.vni}"), re.M), 20)

    t.check_wait(f"ping {h1.name} (leaf1) -> {h4.name} {h4.ip} (leaf2), VNI 100", lambda: h1.ns.ping(h4.ip, 1), 15)
    t.check_wait(f"ping {h5.name} (leaf2) -> {h2.name} {h2.ip} (leaf1), VNI 100", lambda: h5.ns.ping(h2.ip, 1), 15)
    hh = on(1, 200)[0], on(2, 200)[0]
    t.check_wait(f"ping {hh[1].name} (leaf2) -> {hh[0].name} {hh[0].ip} (leaf1), VNI 200",
                 lambda: hh[1].ns.ping(hh[0].ip, 1), 15)

    # API views
    m = api_mac(l1, 100, h4.mac)
    t.check("API /v1/evpn/macs: leaf1 sees h4 remote via leaf2", m.get("type") == "remote" and
            m.get("vtep") == leaf_ip(2), m)
    vteps = l1.api.get("/v1/evpn/vteps")["vteps"]
    t.check("API /v1/evpn/vteps: leaf2 with VNIs 100 and 200",
            any(v["vtep"] == leaf_ip(2) and {100, 200} <= set(v["vnis"]) for v in vteps), vteps)
    vnis = l1.api.get("/v1/evpn/vnis")["vnis"]
    t.check("API /v1/evpn/vnis: VNI 100 lists leaf2 as remote VTEP",
            any(v["vni"] == 100 and leaf_ip(2) in v["remote_vteps"] for v in vnis), vnis)
    arp = l1.api.get("/v1/evpn/arp-cache?vni=100")["entries"]
    t.check("API /v1/evpn/arp-cache: h4's IP remote", any(e["ip"] == h4.ip and e["type"] == "remote" for e in arp), arp)
    try:
        l1.api.get("/v1/evpn/macs?vni=abc")
        t.check("API: bad vni -> 400", False)
    except Exception as e:  # noqa: BLE001
        t.check("API: bad vni -> 400", getattr(e, "status", 0) == 400, str(e))
    from lib.evpnd import UnixHTTPConnection  # noqa: E402  (/metrics is text, not JSON)
    c = UnixHTTPConnection(l1.socket)
    c.request("GET", "/metrics")
    metrics = c.getresponse().read().decode()
    c.close()
    for name in ("evpnd_bgp_session_up", "evpnd_dataplane_intents_applied_total", "evpnd_evpn_dad_detections_total",
                 "evpnd_bgp_rfc7606_treat_as_withdraw_total"):
        t.check(f"/metrics has {name}", name in metrics, metrics[:400])
    errs = re.search(r"^evpnd_dataplane_errors_total (\d+)", metrics, re.M)
    t.check("/metrics: no data-plane errors", errs and errs.group(1) == "0", errs.group(0) if errs else metrics[:400])

    # MAC move: h1 leaves leaf1 (port disabled, pitfall 8) and shows up on leaf2 with the same MAC/IP.
    seq0 = api_mac(l2, 100, h1.mac).get("sequence", 0)
    t1.bridge("link", "set", "dev", f"l1-{h1.name}", "state", "0")
    mv = t.lab.netns("h1moved")
    t.lab.veth(t2, "l2-h1m", mv, "eth0")
    t2.ip("link", "set", "l2-h1m", "master", "br100")
    mv.ip("link", "set", "eth0", "address", h1.mac)
    mv.addr("eth0", f"{h1.ip}/24")
    mv.ip("route", "add", "default", "via", gateway(100))
    mv.try_run("ping", "-c", "1", "-W", "1", gateway(100))
    t.check_wait(f"after the move leaf1 fdb {h1.mac} -> dst {leaf_ip(2)}",
                 lambda: remote_mac_installed(t1, 100, h1.mac, leaf_ip(2)), 15)
    m2 = api_mac(l2, 100, h1.mac)
    t.check("leaf2: moved MAC is local with sequence incremented",
            m2.get("type") == "local" and m2.get("sequence", 0) == seq0 + 1, m2)
    m1 = api_mac(l1, 100, h1.mac)
    t.check("leaf1: moved MAC is remote via leaf2 with the new sequence",
            m1.get("type") == "remote" and m1.get("vtep") == leaf_ip(2) and m1.get("sequence") == seq0 + 1, m1)
    t.check_wait(f"ping moved h1 (leaf2) -> {h2.name} {h2.ip} (leaf1)", lambda: mv.ping(h2.ip, 1), 15)

    # Live reload: VNI 300 (bridged only) added on both leaves, then removed from leaf2. The
    # other VNIs and the sessions are not touched.
    s1, s2 = fab.leaf_ns
    uptime = lambda: l1.neighbor_info(SPINE_IP).get("uptime_seconds", -1)  # noqa: E731
    up_before = uptime()
    for n in (l1, l2):
        n.extra["l2vnis"].append({"vni": 300, "bridge": "br300", "vxlan-device": "vxlan300"})
        rep = n.reload()
        t.check(f"{n.name}: reload applies VNI 300 live", rep.get("l2vnis_added") == [300] and
                rep.get("restart_required") == [], rep)
    for me, other in ((s1, 2), (s2, 1)):
        t.check_wait(f"{me.name}: vxlan300/br300 created, flood entry -> {leaf_ip(other)} (type 3 over BGP)",
                     lambda me=me, other=other: flood_installed(me, 300, leaf_ip(other)), 15)
    t.check_wait("VNI 100 still forwards (moved h1 on leaf2 -> h2 on leaf1)", lambda: mv.ping(h2.ip, 1), 10)
    l2.extra["l2vnis"] = [v for v in l2.extra["l2vnis"] if v["vni"] != 300]
    rep = l2.reload()
    t.check("leaf2: reload removes VNI 300 live", rep.get("l2vnis_removed") == [300], rep)
    t.check_wait("leaf2: vxlan300 and br300 deleted",
                 lambda: "vxlan300" not in s2.ip("link", "show") and "br300" not in s2.ip("link", "show"), 10)
    t.check_wait(f"leaf1: flood entry VNI 300 -> {leaf_ip(2)} withdrawn",
                 lambda: not flood_installed(s1, 300, leaf_ip(2)), 10)
    t.check("leaf1: session to the RR not reset by the reloads", up_before >= 0 and uptime() >= up_before,
            l1.neighbor_info(SPINE_IP))

    # Clean stops: `on-stop: remove` (leaf2) deletes every entry evpnd installed and keeps the
    # devices; `on-stop: keep` (leaf1, the default) leaves them for forwarding across a restart.
    remote_on = {1: [x for x in fab.hosts if x.leaf == 2], 2: [x for x in fab.hosts if x.leaf == 1]}
    l2.stop()
    for vni in (100, 200):
        t.check(f"leaf2 stopped (on-stop remove): no flood entry left on vxlan{vni}",
                not flood_installed(t2, vni, leaf_ip(1)), fdb(t2, f"vxlan{vni}"))
    for x in remote_on[2]:
        out = fdb(t2, f"vxlan{x.vni}")
        t.check(f"leaf2 stopped (on-stop remove): {x.mac} gone from vxlan{x.vni}",
                x.mac.lower() not in out.lower(), out)
    neigh = t2.ip("neigh", "show", "nud", "noarp")
    t.check("leaf2 stopped (on-stop remove): no ARP suppression entry left", "extern_learn" not in neigh, neigh)
    t.check("leaf2 stopped: its bridge and vxlan devices stay",
            all(f"vxlan{v}" in t2.ip("link", "show") and f"br{v}" in t2.ip("link", "show") for v in (100, 200)))
    # leaf2 back (its routes return to leaf1), then leaf1 stops while they are still wanted.
    l2.start()
    x = next(h for h in remote_on[1] if h.vni == 200)
    x.ns.try_run("ping", "-c", "1", "-W", "1", gateway(x.vni))
    t.check_wait(f"leaf2 restarted: leaf1 fdb {x.mac} -> dst {leaf_ip(2)} again",
                 lambda: remote_mac_installed(t1, 200, x.mac, leaf_ip(2)), 30)
    l1.stop()
    t.check(f"leaf1 stopped (on-stop keep): {x.mac} still -> {leaf_ip(2)}",
            remote_mac_installed(t1, 200, x.mac, leaf_ip(2)), fdb(t1, "vxlan200"))
    t.check(f"leaf1 stopped (on-stop keep): flood entry to {leaf_ip(2)} still there",
            flood_installed(t1, 200, leaf_ip(2)), fdb(t1, "vxlan200"))


if __name__ == "__main__":
    harness.main(run, "evpnd_l2_fabric", duts=("evpnd",), needs=())
