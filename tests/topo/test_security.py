#!/usr/bin/env python3
"""Session security against FRR 8.4 bgpd: TCP MD5 (RFC 2385) and GTSM (RFC 5082), evpnd active
and passive.

Topology (iBGP AS 65000, no zebra):
    evpnd  e 10.0.0.0/31 ---- 10.0.0.1 f1 (FRR, one hop)
           e 10.0.1.0/31 ---- 10.0.1.1 r 10.0.2.0/31 ---- 10.0.2.1 f2 (FRR, two routed hops)
Each case configures one evpnd neighbour and one FRR neighbour, then checks the session state
from both sides and, for refusals, the kernel counter that proves who dropped the segments (the
connection's receiver: FRR's netns when evpnd connects, evpnd's when FRR does):
TcpExtTCPMD5Failure (wrong key), TCPMD5NotFound/TCPMD5Unexpected (one side unsigned) and
TCPMinTTLDrop (GTSM, always evpnd's: it is the side with hops 1). "active" = evpnd connects (FRR passive), "passive" = evpnd is passive.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import EvpndNode  # noqa: E402
from lib.frr import FrrNode, Neighbor  # noqa: E402

ASN = 65000
E1, F1 = "10.0.0.0", "10.0.0.1"   # one hop
E2, R2, F2 = "10.0.1.0", "10.0.2.0", "10.0.2.1"  # evpnd - router - FRR
REFUSE_HOLD = 5  # seconds a refused session must stay down (connect-retry is 2 s on both sides)


def tcp_ext(ns) -> dict:
    """TcpExt counters of a namespace (/proc/net/netstat is per network namespace)."""
    lines = ns.run("cat", "/proc/net/netstat").splitlines()
    for head, vals in zip(lines[::2], lines[1::2]):
        if head.startswith("TcpExt:"):
            return dict(zip(head.split()[1:], (int(v) for v in vals.split()[1:])))
    return {}


def build(t: harness.Test):
    lab = t.lab
    e, f1, r, f2 = lab.netns("e"), lab.netns("f1"), lab.netns("r"), lab.netns("f2")
    lab.veth(e, "to-f1", f1, "to-e", f"{E1}/31", f"{F1}/31")
    lab.veth(e, "to-r", r, "to-e", f"{E2}/31", "10.0.1.1/31")
    lab.veth(r, "to-f2", f2, "to-r", f"{R2}/31", f"{F2}/31")
    r.sysctl("net.ipv4.ip_forward", 1)
    e.route(f"{F2}/32", "10.0.1.1")
    f2.route(f"{E2}/32", R2)
    return e, f1, f2


def case(t: harness.Test, name: str, e_ns, f_ns, e_nb: Neighbor, f_nb: Neighbor, expect_up: bool,
         counter: dict | None = None, log_re: str | None = None):
    """Start FRR and evpnd with one session each; check Established (or refused + counter)."""
    lab = t.lab
    frr = FrrNode(lab, f_ns, ASN, f_nb.update_source or "10.9.9.9", [f_nb], role="speaker",
                  timers=(3, 9))
    frr.start()
    ev = EvpndNode(lab, e_ns, ASN, "10.9.9.1", [e_nb], listen_address="0.0.0.0")
    before = {n: tcp_ext(n) for n in (e_ns, f_ns)}
    ev.start()
    try:
        if expect_up:
            t.check_wait(f"{name}: evpnd Established", lambda: ev.established(e_nb.address), 25)
            t.check_wait(f"{name}: FRR Established", lambda: frr.established(f_nb.address), 10)
        else:
            t.check(f"{name}: evpnd never Established ({REFUSE_HOLD}s)",
                    harness.holds_for(lambda: not ev.established(e_nb.address), REFUSE_HOLD),
                    ev.neighbor_info(e_nb.address))
            t.check(f"{name}: FRR never Established", not frr.established(f_nb.address),
                    frr.neighbor_info(f_nb.address).get("bgpState"))
            if counter:
                # The refusing kernel counts: counter = {netns: TcpExt counter}.
                for ns, cname in counter.items():
                    n = e_ns if ns == "evpnd" else f_ns
                    after = tcp_ext(n)
                    d = after.get(cname, 0) - before[n].get(cname, 0)
                    t.check(f"{name}: {ns}'s kernel dropped segments (TcpExt{cname} +{d})", d > 0,
                            {k: after.get(k, 0) - before[n].get(k, 0) for k in after if "MD5" in k or "TTL" in k})
            if log_re:
                import re
                t.check(f"{name}: evpnd log shows /{log_re}/", re.search(log_re, ev.daemon.log_tail(400)) is not None,
                        ev.log_tail(5))
    finally:
        ev.stop()
        frr.stop()
        time.sleep(0.3)  # the TIME_WAIT/FIN exchange must not bleed into the next case's counters


def run(t: harness.Test) -> None:
    e, f1, f2 = build(t)
    pw = "evt-s3cret!"
    for mode in ("active", "passive"):
        ep = mode == "passive"   # evpnd passive -> FRR connects
        fp = not ep
        # --- TCP MD5 (RFC 2385) ------------------------------------------------------------
        case(t, f"MD5 match, evpnd {mode}", e, f1,
             Neighbor(F1, ASN, password=pw, passive=ep),
             Neighbor(E1, ASN, update_source=F1, password=pw, passive=fp), True)
        case(t, f"MD5 mismatch, evpnd {mode}", e, f1,
             Neighbor(F1, ASN, password="not-" + pw, passive=ep),
             Neighbor(E1, ASN, update_source=F1, password=pw, passive=fp), False,
             {"FRR" if fp else "evpnd": "TCPMD5Failure"})
        # evpnd without a key: its unsigned SYN is dropped by FRR's kernel (TCPMD5NotFound), or
        # FRR's signed SYN by evpnd's (TCPMD5Unexpected).
        case(t, f"MD5 only on FRR, evpnd {mode}", e, f1,
             Neighbor(F1, ASN, passive=ep),
             Neighbor(E1, ASN, update_source=F1, password=pw, passive=fp), False,
             {"FRR": "TCPMD5NotFound"} if fp else {"evpnd": "TCPMD5Unexpected"})
        # --- GTSM (RFC 5082) -------------------------------------------------------------
        case(t, f"GTSM hops 1 over one veth, evpnd {mode}", e, f1,
             Neighbor(F1, ASN, ttl_security=1, passive=ep),
             Neighbor(E1, ASN, update_source=F1, ttl_security=1, passive=fp), True)
        # FRR two routed hops away sends TTL 255 (its own GTSM, hops 2, accepts 254): segments
        # reach evpnd with TTL 254 and evpnd's hops 1 (min TTL 255) refuses them.
        case(t, f"GTSM hops 1, peer two hops away refused by evpnd, evpnd {mode}", e, f2,
             Neighbor(F2, ASN, ttl_security=1, passive=ep),
             Neighbor(E2, ASN, update_source=F2, ttl_security=2, passive=fp), False,
             # evpnd connects: FRR's SYN-ACK (TTL 254) hits evpnd's IP_MINTTL. FRR connects: evpnd
             # closes the accepted connection on its SYN's TTL (TCP_SAVED_SYN), before any OPEN.
             None if ep else {"evpnd": "TCPMinTTLDrop"},
             rf"GTSM: connection from {F2} arrived with TTL 254 \(needs >= 255\), closed" if ep else None)
        # Control: the same path with hops 2 on evpnd comes up (the refusal above is GTSM).
        case(t, f"GTSM hops 2, peer two hops away, evpnd {mode}", e, f2,
             Neighbor(F2, ASN, ttl_security=2, passive=ep),
             Neighbor(E2, ASN, update_source=F2, ttl_security=2, passive=fp), True)
    # Both MD5 and GTSM on one session.
    case(t, "MD5 + GTSM together, evpnd active", e, f1,
         Neighbor(F1, ASN, password=pw, ttl_security=1),
         Neighbor(E1, ASN, update_source=F1, password=pw, ttl_security=1, passive=True), True)


if __name__ == "__main__":
    harness.main(run, "security", duts=("evpnd",))
