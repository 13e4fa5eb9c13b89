#!/usr/bin/env python3
"""Interop (e): RFC 7606 error handling, live. A raw python speaker peers with the DUT (eBGP)
and sends hand-built malformed UPDATEs.

Session-keeping cases (one session): first a valid type-2 route for a fresh MAC is announced and
must appear at the DUT; then the malformed UPDATE for the same route is sent.
  treat-as-withdraw: the route disappears, no NOTIFICATION, KEEPALIVEs continue.
  attribute-discard / accept: the route stays, no NOTIFICATION.
Session-reset cases (a fresh session each): the DUT must send NOTIFICATION code/subcode as listed.

Reference runs (harness validation, 2026-11, this machine): FRR 8.4 (--dut frr) passes every
session-survival and session-reset check except "unrecognized well-known" (sends 3/1, not 3/2) but
keeps EVPN routes after "treating as withdrawal" (its log says it withdraws; the route stays);
GoBGP 3.10 (--dut gobgp) withdraws correctly but resets on the ORIGIN flags case and crashes
(nil pointer in fsm handlingError) on the header-error cases.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import bgp_bytes as B  # noqa: E402
from lib import harness, nodes  # noqa: E402
from lib.frr import Neighbor  # noqa: E402
from lib.raw_speaker import RawSpeaker  # noqa: E402
from lib.routes import find  # noqa: E402

# eBGP: RFC 7606 applies to iBGP too, but FRR 8.4 (the harness's reference) only relaxes error
# handling for eBGP peers (bgp_attr_malformed()), so eBGP lets FRR validate every expectation.
DUT_IP, RAW_IP, ASN, RAW_AS = "10.0.9.0", "10.0.9.1", 65000, 65009
RD = B.rd_ip(RAW_IP, 7)
ECS = [B.rt(65000, 100), B.encap_vxlan()]


def nlri(mac: str) -> bytes:
    return B.evpn_type2(RD, mac, None, [100])


def good_attrs(mac: str) -> list[bytes]:
    return [B.origin(0), B.as_path([RAW_AS]), B.attr(B.OPTIONAL, B.MED, b"\x00\x00\x00\x00"),
            B.ext_communities(ECS), B.mp_reach_evpn(RAW_IP, nlri(mac))]


def upd(parts: list[bytes]) -> bytes:
    return B.update(attrs=b"".join(parts))


def replace(parts: list[bytes], idx: int, new: bytes | None) -> list[bytes]:
    out = list(parts)
    if new is None:
        del out[idx]
    else:
        out[idx] = new
    return out


# (name, RFC section, expected outcome, builder(mac) -> UPDATE bytes)
KEEP_CASES = [
    ("ORIGIN value 5", "7606 §7.1", "withdraw",
     lambda m: upd(replace(good_attrs(m), 0, B.origin(5)))),
    ("ORIGIN with the optional flag set", "7606 §3(c)", "withdraw",
     lambda m: upd(replace(good_attrs(m), 0, B.origin(0, flags=B.OPTIONAL | B.TRANSITIVE)))),
    ("ORIGIN missing (well-known mandatory)", "7606 §3(d)", "withdraw",
     lambda m: upd(replace(good_attrs(m), 0, None))),
    ("AS_PATH segment overruns attribute", "7606 §7.2", "withdraw",
     lambda m: upd(replace(good_attrs(m), 1, B.as_path([RAW_AS], seg_len=3)))),
    ("MULTI_EXIT_DISC length 3", "7606 §7.4", "withdraw",
     lambda m: upd(replace(good_attrs(m), 2, B.attr(B.OPTIONAL, B.MED, b"\x00\x00\x64")))),
    ("EXTENDED_COMMUNITIES length not a multiple of 8", "7606 §7.14", "withdraw",
     lambda m: upd(replace(good_attrs(m), 3, B.ext_communities(ECS, truncate=1)))),
    ("ATOMIC_AGGREGATE length 1", "7606 §7.6", "discard",
     lambda m: upd(good_attrs(m) + [B.attr(B.WELL_KNOWN, B.ATOMIC_AGGREGATE, b"\x01")])),
    ("unknown optional transitive attribute 240", "4271 §5", "accept",
     lambda m: upd(good_attrs(m) + [B.attr(B.OPTIONAL | B.TRANSITIVE, 240, b"\xde\xad")])),
]

RESET_CASES = [  # expected (code, allowed subcodes)
    ("bad marker", "4271 §6.1", (1, {1}),
     lambda m: B.msg(B.UPDATE, upd(good_attrs(m))[19:], marker=b"\xff" * 15 + b"\x00")),
    ("bad message length 5000", "4271 §6.1", (1, {2}),
     lambda m: B.msg(B.UPDATE, upd(good_attrs(m))[19:], length=5000) + b"\x00" * (5000 - len(upd(good_attrs(m))))),
    ("bad message type 9", "4271 §6.1", (1, {3}),
     lambda m: B.msg(9, b"")),
    ("withdrawn routes length overruns the message", "4271 §6.3 / 7606 §4", (3, {1}),
     lambda m: B.update(withdrawn=b"", attrs=b"".join(good_attrs(m)), withdrawn_len=200)),
    ("MP_REACH_NLRI twice", "7606 §3(g)", (3, {1}),
     lambda m: upd(good_attrs(m) + [B.mp_reach_evpn(RAW_IP, nlri("02:ee:00:00:00:99"))])),
    ("EVPN NLRI length overruns MP_REACH_NLRI", "7606 §7.11, 4760 §7", (3, {1, 9, 10}),
     lambda m: upd(replace(good_attrs(m), 4, B.mp_reach_evpn(RAW_IP, nlri(m)[:-3])))),
    ("unrecognized well-known attribute 200", "4271 §6.3", (3, {2}),
     lambda m: upd(good_attrs(m) + [B.attr(B.WELL_KNOWN, 200, b"\x00")])),
]


def run(t: harness.Test) -> None:
    lab = t.lab
    dut_ns, raw_ns = lab.netns("dut"), lab.netns("raw")
    lab.veth(dut_ns, "to-raw", raw_ns, "eth0", f"{DUT_IP}/31", f"{RAW_IP}/31")
    dut = nodes.make_node(t.dut, lab, dut_ns, ASN, DUT_IP, [Neighbor(RAW_IP, RAW_AS, passive=True)]).start()
    sp = RawSpeaker(raw_ns, RAW_IP, DUT_IP, RAW_AS, RAW_IP, hold=9)
    sp.connect_retry(20)
    t.check("raw speaker: session established", True)
    t.check_eq("DUT offers hold time 9", sp.peer_hold_time(), 9)

    def has(mac):
        return find(dut.evpn_routes(), type=2, mac=mac)

    for i, (name, ref, outcome, build) in enumerate(KEEP_CASES, start=1):
        mac = f"02:ee:00:00:00:{i:02x}"
        sp.send(upd(good_attrs(mac)))
        if not t.check_wait(f"[{name}] precondition: valid route {mac} present", lambda: has(mac), 10):
            continue
        since = time.monotonic()
        sp.send(build(mac))
        if outcome == "withdraw":
            t.check_wait(f"[{name}] ({ref}) treat-as-withdraw: route {mac} withdrawn", lambda: not has(mac), 6)
        else:
            t.check(f"[{name}] ({ref}) {outcome}: route {mac} kept", harness.holds_for(lambda: has(mac), 2))
        ok, why = sp.survived(since, 4)
        t.check(f"[{name}] session survives (no NOTIFICATION, KEEPALIVEs continue)", ok, why)
        if not ok:
            sp.close()
            sp.connect_retry(30)
    sp.close()

    for name, ref, (code, subcodes), build in RESET_CASES:
        sp = RawSpeaker(raw_ns, RAW_IP, DUT_IP, RAW_AS, RAW_IP, hold=9)
        try:
            sp.connect_retry(30)
        except TimeoutError as e:
            t.check(f"[{name}] fresh session", False, str(e))
            continue
        since = time.monotonic()
        sp.send(build("02:ee:00:00:01:01"))
        got = sp.wait_notification(since, 6)
        t.check(f"[{name}] ({ref}) session reset with NOTIFICATION {code}/{sorted(subcodes)}",
                got is not None and got[0] == code and got[1] in subcodes,
                f"got {got if got else 'no NOTIFICATION' + (' (closed)' if sp.closed_at else ' (session up)')}")
        sp.close()


if __name__ == "__main__":
    harness.main(run, "interop_rfc7606", duts=("evpnd", "frr", "gobgp"), needs=())
