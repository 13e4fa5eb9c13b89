#!/usr/bin/env python3
"""Mixed L2 fabric (issues #4/#5): leaf1 evpnd, leaf2 FRR (bgpd+zebra, FRR-INTEROP.md §1 kernel
layout), under an FRR route reflector (--dut frr) or an evpnd one (--dut evpnd).

VNIs 100 and 200 on both leaves, VNI 300 on leaf1 only. Checks:
  * bridged pings across leaves on VNI 100 and 200, both ways;
  * BUM scoping (RFC 7432 §11): a flooded ARP on VNI 200 leaves leaf1 (and leaf2) towards the other
    VTEP, while one on VNI 300 produces no VXLAN frame at all (leaf2 sent no type-3 for VNI 300);
  * ARP suppression on both leaves: a host's ARP for a remote host is answered by its own bridge,
    the leaf's underlay shows no VXLAN-encapsulated who-has for it (control: an unknown IP is flooded);
  * MAC move leaf1 -> leaf2 -> leaf1 (pitfalls 8, 9): every VTEP follows, sequence +1 per move,
    read from evpnd's API and FRR's `show evpn mac vni all json`;
  * duplicate address detection (5 moves / 180 s) trips on both kinds: evpnd's /v1/evpn/dup-addr
    and FRR's isDuplicate (FRR's state cleared first, pitfall 10).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import Fabric, leaf_ip, vni_subnet  # noqa: E402
from lib.mixed import (Capture, Mover, arp_requests_for, clear_dup, dup_flagged, mac_view,  # noqa: E402
                       vxlan_frames)


def run(t: harness.Test) -> None:
    if not harness.find_bin("evpnd"):
        raise harness.Skip("evpnd not built (set EVPND_BIN_DIR)")
    fab = Fabric(t.lab, leaves=2, spine_kind=t.dut, leaf_kinds=["evpnd", "frr"], vnis=(100, 200, 300),
                 hosts_per_vni={100: 2, 200: 1, 300: 1}, leaf_vnis={2: (100, 200)}).build().start()
    ev, fr = fab.leaf_nodes
    t1, t2 = fab.tenant_ns
    u1, u2 = fab.leaf_ns
    t.log(f"spine={t.dut} leaf1=evpnd leaf2=frr")
    t.check_wait(f"leaf1 (evpnd) / leaf2 (FRR) <-> {t.dut} RR Established",
                 lambda: (fab.wait_established(40) or True), 45)
    on = lambda leaf, vni: fab.hosts_at(leaf, vni)[0]  # noqa: E731
    fab.announce_hosts()
    nodes = {1: ev, 2: fr}
    for me, other in ((1, 2), (2, 1)):
        for vni in (100, 200):
            x = on(other, vni)
            t.check_wait(f"leaf{me} ({nodes[me].kind}): {x.mac} VNI {vni} remote via {leaf_ip(other)}",
                         lambda me=me, x=x, other=other: mac_view(nodes[me], x.vni, x.mac).get("vtep") == leaf_ip(other),
                         25)

    for vni in (100, 200):
        a, b = on(1, vni), on(2, vni)
        t.check_wait(f"ping {a.name} (evpnd leaf) -> {b.name} {b.ip} (FRR leaf), VNI {vni}",
                     lambda a=a, b=b: a.ns.ping(b.ip, 1), 15)
        t.check_wait(f"ping {b.name} (FRR leaf) -> {a.name} {a.ip} (evpnd leaf), VNI {vni}",
                     lambda a=a, b=b: b.ns.ping(a.ip, 1), 15)

    # --- BUM scoping: who-has for unknown IPs is flooded only where the VNI exists ------------
    h200, h300 = on(1, 200), on(1, 300)
    cap = Capture(t.lab, u1, name="bum")
    h200.ns.try_run("arping", "-c", "1", "-w", "1", "-I", "eth0", f"{vni_subnet(200)}.99")
    h300.ns.try_run("arping", "-c", "1", "-w", "1", "-I", "eth0", f"{vni_subnet(300)}.99")
    txt = cap.stop()
    f200 = [ln for ln in vxlan_frames(txt, 200) if f"> {leaf_ip(2)}.4789" in ln]
    t.check("leaf1 (evpnd) floods the VNI 200 broadcast to leaf2 (type-3 of leaf2)", bool(f200), txt[-1500:])
    t.check("leaf1 (evpnd) sends no VNI 300 frame (no VTEP advertised VNI 300)",
            not vxlan_frames(txt, 300), vxlan_frames(txt, 300))
    flood300 = t1.run("bridge", "fdb", "show", "dev", "vxlan300", check=False)
    t.check("leaf1: no head-end replication entry on vxlan300", "00:00:00:00:00:00" not in flood300, flood300)
    h5 = on(2, 200)
    cap = Capture(t.lab, u2, name="bum2")
    h5.ns.try_run("arping", "-c", "1", "-w", "1", "-I", "eth0", f"{vni_subnet(200)}.98")
    txt = cap.stop()
    t.check("leaf2 (FRR) floods the VNI 200 broadcast to leaf1 (type-3 of evpnd leaf1)",
            any(f"> {leaf_ip(1)}.4789" in ln for ln in vxlan_frames(txt, 200)), txt[-1500:])

    # --- ARP suppression: the local bridge answers for remote hosts ------------------------
    for me, other, u in ((1, 2, u1), (2, 1, u2)):
        a, b = on(me, 100), on(other, 100)
        a.ns.ip("neigh", "flush", "dev", "eth0")
        cap = Capture(t.lab, u, name=f"sup{me}")
        a.ns.try_run("arping", "-c", "1", "-w", "1", "-I", "eth0", b.ip)
        a.ns.try_run("arping", "-c", "1", "-w", "1", "-I", "eth0", f"{vni_subnet(100)}.97")  # control
        txt = cap.stop()
        t.check(f"leaf{me} ({nodes[me].kind}): control ARP for an unknown IP crosses the underlay",
                bool(arp_requests_for(txt, f"{vni_subnet(100)}.97")), txt[-1500:])
        t.check(f"leaf{me} ({nodes[me].kind}): no VXLAN who-has {b.ip} on the underlay (suppressed)",
                not arp_requests_for(txt, b.ip), arp_requests_for(txt, b.ip))
        r = a.ns.try_run("arping", "-c", "1", "-w", "1", "-I", "eth0", b.ip)
        t.check(f"leaf{me}: {a.name}'s ARP for {b.ip} answered with {b.mac}", b.mac.lower() in r.stdout.lower(),
                r.stdout)

    # --- MAC move both ways, sequence numbers on every VTEP ---------------------------------
    for n in (ev, fr):
        clear_dup(n)
    h1 = on(1, 100)
    mover = Mover(fab, h1, 2)
    seq0 = mac_view(ev, 100, h1.mac).get("seq", 0)
    t.check_eq("before the move: h1 local on leaf1 (evpnd)", mac_view(ev, 100, h1.mac).get("type"), "local")
    for step, (dst, src) in enumerate(((2, 1), (1, 2)), start=1):
        mover.move_to(dst)
        want = seq0 + step
        t.check_wait(f"move {step}: leaf{dst} ({nodes[dst].kind}) has {h1.mac} local with seq {want}",
                     lambda dst=dst, want=want: (lambda m: m.get("type") == "local" and m.get("seq") == want)(
                         mac_view(nodes[dst], 100, h1.mac)), 10)
        t.check_wait(f"move {step}: leaf{src} ({nodes[src].kind}) has {h1.mac} remote via {leaf_ip(dst)} seq {want}",
                     lambda src=src, dst=dst, want=want: (lambda m: m.get("vtep") == leaf_ip(dst) and m.get("seq") == want)(
                         mac_view(nodes[src], 100, h1.mac)), 10)
        peer = [h for h in fab.hosts if h.leaf == src and h.vni == 100 and h.name != h1.name]
        if peer:
            p = peer[0]
            t.check_wait(f"move {step}: moved h1 (leaf{dst}) pings {p.name} {p.ip} (leaf{src})",
                         lambda p=p: mover.ns().ping(p.ip, 1), 10)
        t.check(f"move {step}: no duplicate flagged yet ({step} moves < 5)",
                not dup_flagged(ev, 100, h1.mac) and not dup_flagged(fr, 100, h1.mac),
                [mac_view(ev, 100, h1.mac), mac_view(fr, 100, h1.mac)])

    # --- duplicate address detection: keep flapping until both kinds flag it ----------------
    moves = 2
    while moves < 10 and not (dup_flagged(ev, 100, h1.mac) and dup_flagged(fr, 100, h1.mac)):
        dst = 2 if mover.at == 1 else 1
        before = mac_view(nodes[3 - dst], 100, h1.mac).get("seq", 0)
        mover.move_to(dst, wait_withdraw=1.0)
        moves += 1
        try:
            harness.wait_until(lambda: mac_view(nodes[3 - dst], 100, h1.mac).get("seq", 0) > before, 5, 0.05)
        except AssertionError:
            pass
    t.log(f"flapped {moves} moves")
    t.check_wait(f"evpnd leaf1: GET /v1/evpn/dup-addr lists {h1.mac} VNI 100",
                 lambda: dup_flagged(ev, 100, h1.mac), 5)
    t.check_wait(f"FRR leaf2: {h1.mac} isDuplicate", lambda: dup_flagged(fr, 100, h1.mac), 5)
    t.check("DAD tripped within FRR's 5 moves (+1 for the race of the last move)", moves <= 7, moves)
    clear_dup(ev)
    t.check("evpnd: dup-addr/clear empties the list", not dup_flagged(ev, 100, h1.mac),
            ev.api.get("/v1/evpn/dup-addr"))


if __name__ == "__main__":
    harness.main(run, "mixed_l2", duts=("evpnd", "frr"), needs=harness.FRR_BINS + ("tcpdump", "arping"))
