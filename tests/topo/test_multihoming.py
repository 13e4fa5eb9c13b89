#!/usr/bin/env python3
"""EVPN multihoming on Linux (issue 9), counted in frames: a host dual-homed to leaves 1 (A) and 2 (B)
through an emulated LAG (lib/lag.py), a remote evpnd leaf 3 (R), an evpnd route reflector.

ES es1 (type 3 ESI) is attached on VNIs 100 and 200 (one bridge port `es1-<vni>` per VNI per leaf),
all-active, DF algorithm preference: A 50000, B 32767, so A is the DF of both VNIs.

1. discovery: each of A and B lists the other as a peer of es1; A is elected only after the DF Wait
   timer (RFC 8584 §2.1, 3 s, state df-wait seen before) and is the DF of both VNIs on both PEs; R
   installs each dual-homed host's MAC through one `fdb` nexthop group {A, B} in its underlay
   namespace (aliasing, RFC 7432 §8.4).
2. BUM exactly once (RFC 7432 §8.5 non-DF filter, RFC 8365 §8.3.1 local bias), 20 broadcasts each:
   from r1 (on R) the host gets 20, all on A's leg (DF) and none on B's (non-DF); from a1 (on A)
   and b1 (on B) 20 each; the host's own broadcasts, sent on leg a and then on leg b, never come
   back (0) and reach r1/a1/b1 exactly once each.
3. known unicast r1 -> host: 20 frames delivered exactly 20 times.
4. aliasing: 200 UDP flows r1 -> host all delivered, each PE carrying >= 25 % (tc counters per leg).
5. AC-DF (RFC 8584 §4): cutting es1-200 on A moves VNI 200's DF to B and withdraws A's A-D per EVI
   route of VNI 200 at R (its per-ES and VNI 100 routes stay); VNI 100 stays on A; back again.
6. mass withdraw (RFC 7432 §8.2) + fast failover: A loses the segment (leg a cut on both LAGs)
   under a stream of 20-flow bursts from r1: R's groups shrink to {B} with the MACs keeping their
   nhid (one group change, not one per MAC), and every datagram arrives (0 lost).
7. recovery: leg a back, R's groups are {A, B} again, A is DF again once past its DF wait, BUM once.
8. preference change by reload (B 60000 > A) moves the DF to B without a session flap; BUM once.
9. restart with on-stop: keep (B stopped with SIGTERM): the ES filter stays attached and the BUM
   count from r1 stays exactly 20 while B is down and after it is back.
"""
import os
import re
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import leaf_ip  # noqa: E402
from lib.lag import BumProbe, fdb_nhid, nexthop_group_members, udp_flows, udp_noports  # noqa: E402
from lib.multihomed import ESI, MultihomedFabric  # noqa: E402

A, B, R = 1, 2, 3
VNIS = (100, 200)


def es_view(node) -> dict:
    """The leaf's view of es1 (GET /v1/evpn/es/<esi>)."""
    try:
        return node.api.get(f"/v1/evpn/es/{ESI}")
    except Exception:  # noqa: BLE001 - not there yet
        return {}


def df_of(node, vni: int) -> str | None:
    v = es_view(node)
    for e in v.get("evis", v.get("vnis", [])):
        if int(e.get("vni", -1)) == vni:
            return e.get("df")
    return None


def group_of(mf: MultihomedFabric, leaf: int, vni: int, mac: str) -> list[str] | None:
    nhid = fdb_nhid(mf.tenant(leaf), f"vxlan{vni}", mac)
    if nhid is None:
        return None
    return nexthop_group_members(mf.underlay(leaf), nhid).get(nhid)


def ad_routes(node, vtep: str) -> set:
    """The A-D routes of es1 from `vtep` in `node`'s table: "per-es" and/or the VNIs (label)."""
    out = set()
    for r in node.evpn_routes():
        if r["type"] == 1 and r.get("esi") == ESI and r.get("next_hop") == vtep:
            out.add("per-es" if int(r.get("etag") or 0) == 0xFFFFFFFF else (r.get("labels") or [0])[0])
    return out


def metric_sum(node, name: str) -> int:
    text = node.api.get_text("/metrics") if hasattr(node.api, "get_text") else node.api.get("/metrics")
    total = 0
    for ln in str(text).splitlines():
        if ln.startswith(name):
            total += int(float(ln.rsplit(" ", 1)[1]))
    return total


def run(t: harness.Test) -> None:
    mf = MultihomedFabric(t.lab, vnis=VNIS, df_per_leaf={A: {"preference": 50000}, B: {"preference": 32767}},
                          extra_leaf_yaml={i: {"es-timers": {"df-wait-ms": 3000}} for i in (A, B)})
    mf.build()
    t_start = time.monotonic()
    mf.start()
    fab = mf.fab
    t.check_wait("fabric sessions Established", lambda: (fab.wait_established(40) or True), 45)
    a, b, r = mf.leaf(A), mf.leaf(B), mf.leaf(R)
    host = mf.mh_hosts[100]
    lag = mf.lags[100]
    fab.announce_hosts()
    host.ns.try_run("ping", "-c", "1", "-W", "1", "192.168.100.1")

    # 1. discovery and DF --------------------------------------------------------------------
    for me, other in ((a, B), (b, A)):
        t.check_wait(f"{me.name}: es1 lists {leaf_ip(other)} as a peer PE",
                     lambda me=me, other=other: leaf_ip(other) in str(es_view(me)), 20)
    seen_wait = es_view(a).get("state") in ("df-wait", "startup-delay")
    harness.wait_until(lambda: df_of(a, 100) is not None, 20, 0.05, what="A has elected a DF")
    t_df = time.monotonic() - t_start
    t.log(f"A elected the DF of VNI 100 {t_df:.2f} s after evpnd was started (DF wait 3 s)")
    t.check("DF elected only after the 3 s DF wait timer (state df-wait seen before)", t_df >= 3.0 and seen_wait,
            f"{t_df:.2f} s, df-wait seen: {seen_wait}")
    for vni in VNIS:
        for me in (a, b):
            t.check_wait(f"{me.name}: DF of VNI {vni} is leaf1 {leaf_ip(A)} (preference 50000 > 32767)",
                         lambda me=me, vni=vni: df_of(me, vni) == leaf_ip(A), 20)
    for vni in VNIS:
        mh = mf.mh_hosts[vni]
        t.check_wait(f"R: {mh.mac} (VNI {vni}) via fdb nexthop group {{A, B}} (aliasing)",
                     lambda vni=vni, mh=mh: group_of(mf, R, vni, mh.mac) == sorted([leaf_ip(A), leaf_ip(B)]), 25)

    rv = es_view(r)
    t.check("R: `show evpn es` lists es1 as a remote segment with A and B active on both VNIs",
            rv.get("local") is False and sorted((v["vtep"], tuple(v["active"])) for v in rv.get("vteps", [])) ==
            [(leaf_ip(A), VNIS), (leaf_ip(B), VNIS)], rv)

    # 2. BUM exactly once ------------------------------------------------------------------------
    r1, a1, b1 = mf.single_homed(R, 100), mf.single_homed(A, 100), mf.single_homed(B, 100)
    probe = BumProbe({"host": (host.ns, "eth0"), "r1": (r1.ns, "eth0"), "a1": (a1.ns, "eth0"),
                      "b1": (b1.ns, "eth0")})
    time.sleep(1)
    legs0 = lag.received("a"), lag.received("b")
    c = probe.send((r1.ns, "eth0"), "r1")
    legs1 = lag.received("a"), lag.received("b")
    t.check_eq("20 broadcasts from r1 (remote): host gets exactly 20", c["host"], 20)
    t.check_eq("... all 20 on A's leg (DF), none on B's (non-DF filter)", (legs1[0] - legs0[0], legs1[1] - legs0[1]), (20, 0))
    t.check_eq("... a1 and b1 get 20 each", (c["a1"], c["b1"]), (20, 20))
    c = probe.send((a1.ns, "eth0"), "a1")
    t.check_eq("20 broadcasts from a1 (on A): host 20, r1 20, b1 20", (c["host"], c["r1"], c["b1"]), (20, 20, 20))
    c = probe.send((b1.ns, "eth0"), "b1")
    t.check_eq("20 broadcasts from b1 (on B, non-DF, local bias): host 20, r1 20, a1 20",
               (c["host"], c["r1"], c["a1"]), (20, 20, 20))
    for leg in ("a", "b"):
        lag.send_via(leg)
        c = probe.send((host.ns, "eth0"), f"h{leg}")
        t.check_eq(f"20 broadcasts from the host on leg {leg}: none come back (local bias), r1/a1/b1 20 each",
                   (c["host"], c["r1"], c["a1"], c["b1"]), (0, 20, 20, 20))
    lag.send_via("a")

    # Routed from B's other subnet: B resolves the host through the neighbour synced from A's
    # MAC+IP route (the host's ARP replies to B would go up leg a, to A).
    b200 = mf.single_homed(B, 200)
    t.check_wait(f"routed: {b200.name} (leaf2, VNI 200) -> dual-homed host {host.ip} (VNI 100), host on leg a",
                 lambda: b200.ns.ping(host.ip, 1), 15)
    t.check("... leaf2 has the host's IP as a neighbour on br100 (MAC+IP sync)",
            host.mac in mf.tenant(B).ip("neigh", "show", host.ip, "dev", "br100"))

    # 3. known unicast -----------------------------------------------------------------------------
    c = probe.send((r1.ns, "eth0"), "u", dst=host.mac)
    t.check_eq("20 unicast frames r1 -> host MAC: delivered exactly 20 times", c["host"], 20)

    # 4. aliasing: flows from R spread over both PEs ------------------------------------------------------
    for leg in ("a", "b"):
        lag.ns.run("tc", "filter", "add", "dev", f"lag-{leg}", "ingress", "pref", "6", "protocol", "ip", "u32",
                   "match", "ip", "protocol", "17", "0xff", "action", "mirred", "egress", "redirect", "dev", "lag-h")

    def udp_leg(leg: str) -> int:
        import json
        out = lag.ns.run("tc", "-s", "-j", "filter", "show", "dev", f"lag-{leg}", "ingress", "pref", "6")
        return sum(int(x.get("stats", {}).get("packets", 0)) for f in json.loads(out or "[]")
                   for x in f.get("options", {}).get("actions", []))
    r1.ns.try_run("ping", "-c", "1", "-W", "1", host.ip)
    u0 = udp_leg("a"), udp_leg("b")
    udp_flows(r1.ns, host.ip, 3000, 200)
    time.sleep(1)
    ua, ub = udp_leg("a") - u0[0], udp_leg("b") - u0[1]
    t.log(f"aliasing: 200 flows r1 -> host: via A {ua}, via B {ub}")
    t.check("aliasing: 200 flows from R all delivered, each PE carries >= 25 %",
            ua + ub == 200 and min(ua, ub) >= 50, f"A {ua} B {ub}")

    # 5. AC-DF: cut A's attachment of VNI 200 only -----------------------------------------------------
    mf.tenant(A).ip("link", "set", "es1-200", "down")
    t.check_wait("AC-DF: A's es1-200 down -> DF of VNI 200 is B", lambda: df_of(b, 200) == leaf_ip(B), 15)
    t.check("AC-DF: DF of VNI 100 stays A", df_of(b, 100) == leaf_ip(A), df_of(b, 100))
    t.check_wait("R: A's A-D per EVI route of VNI 200 withdrawn (per-ES and VNI 100's stay)",
                 lambda: ad_routes(r, leaf_ip(A)) == {"per-es", 100}, 15)
    mf.tenant(A).ip("link", "set", "es1-200", "up")
    t.check_wait("AC-DF: es1-200 back -> DF of VNI 200 is A again", lambda: df_of(b, 200) == leaf_ip(A), 20)

    # 6. mass withdraw + fast failover under a flow stream ------------------------------------------------
    stop = threading.Event()
    sent = [0]

    def stream():
        port = 10000
        while not stop.is_set():
            udp_flows(r1.ns, host.ip, port, 20)  # 20 flows per burst
            sent[0] += 20
            port = 10000 + (port - 10000 + 20) % 2000
            time.sleep(0.02)
    n0 = udp_noports(host.ns)
    nhid0 = {v: fdb_nhid(mf.tenant(R), f"vxlan{v}", mf.mh_hosts[v].mac) for v in VNIS}
    th = threading.Thread(target=stream, daemon=True)
    th.start()
    time.sleep(1)
    t_cut = time.monotonic()
    for v in VNIS:  # A loses the whole segment (every attachment): the ES fails on A
        mf.lags[v].cut("a")
        mf.lags[v].send_via("b")
    for v in VNIS:
        ok = t.check_wait(f"mass withdraw: R's VNI {v} group shrinks to {{B}} after A lost the segment",
                          lambda v=v: group_of(mf, R, v, mf.mh_hosts[v].mac) == [leaf_ip(B)], 15)
        if ok:
            t.log(f"R's VNI {v} group without A {time.monotonic() - t_cut:.3f} s after the cut (0.3 s polls)")
    t.check_eq("mass withdraw: one group change per VNI, the MACs keep their nhid",
               {v: fdb_nhid(mf.tenant(R), f"vxlan{v}", mf.mh_hosts[v].mac) for v in VNIS}, nhid0)
    time.sleep(1)
    stop.set()
    th.join()
    time.sleep(0.5)
    got = udp_noports(host.ns) - n0
    t.log(f"fast failover: {sent[0]} datagrams sent across the cut, {got} received")
    t.check("fast failover: no datagram lost across the cut of leg a", got == sent[0], f"{got}/{sent[0]}")

    # 7. recovery ----------------------------------------------------------------------------------
    for v in VNIS:
        mf.lags[v].restore("a")
        mf.lags[v].send_via("a")
    t.check_wait("recovery: R's VNI 100 group is {A, B} again",
                 lambda: group_of(mf, R, 100, host.mac) == sorted([leaf_ip(A), leaf_ip(B)]), 25)
    # A waits out its DF Wait timer (RFC 8584 §2.1) before it forwards BUM again; B, on A's type-4,
    # recalculates at once and stops: BUM is not delivered for up to 3 s, as the RFC's procedure has it.
    t.check_wait("recovery: A is DF of VNI 100 again (both PEs agree, A past its DF wait)",
                 lambda: df_of(a, 100) == leaf_ip(A) and df_of(b, 100) == leaf_ip(A), 20)
    c = probe.send((r1.ns, "eth0"), "r1rec")
    t.check_eq("recovery: 20 broadcasts from r1, host gets exactly 20", c["host"], 20)

    # 8. preference change by reload: no session flap ---------------------------------------------------
    flaps0 = b.neighbor_info(fab.spine.router_id).get("established_transitions")
    b.extra["ethernet-segments"][0]["df"]["preference"] = 60000
    b.reload()
    t.check_wait("reload B with preference 60000: B becomes DF of VNI 100 (seen by A)",
                 lambda: df_of(a, 100) == leaf_ip(B), 20)
    t.check_eq("... without a session flap on B", b.neighbor_info(fab.spine.router_id).get("established_transitions"), flaps0)
    c = probe.send((r1.ns, "eth0"), "r1pref")
    t.check_eq("20 broadcasts from r1 after the DF move: host gets exactly 20", c["host"], 20)

    # 9. restart with on-stop: keep ------------------------------------------------------------------------
    os.kill(b.daemon.pid(), signal.SIGTERM)
    harness.wait_until(lambda: not b.daemon.running(), 10, what="B stopped")
    filters = mf.tenant(B).run("tc", "filter", "show", "dev", "es1-100", "egress", check=False)
    t.check("B stopped (on-stop: keep): its ES filter is still attached to es1-100", "bpf" in filters, filters)
    c = probe.send((r1.ns, "eth0"), "r1down")
    t.check_eq("B stopped: 20 broadcasts from r1, host gets exactly 20", c["host"], 20)
    b.start()
    t.check_wait("B restarted: sessions Established", lambda: b.established(fab.spine.router_id), 30)
    time.sleep(4)
    c = probe.send((r1.ns, "eth0"), "r1up")
    t.check_eq("B restarted: 20 broadcasts from r1, host gets exactly 20", c["host"], 20)


if __name__ == "__main__":
    harness.main(run, "multihoming")
