#!/usr/bin/env python3
"""Interop (e): RFC 7606 error handling, live. A raw python speaker peers with the DUT (eBGP)
and sends hand-built malformed UPDATEs.

Session-keeping cases (one session): first a valid type-2 route for a fresh MAC is announced and
must appear at the DUT; then the malformed UPDATE for the same route is sent.
  treat-as-withdraw: the route disappears, no NOTIFICATION, KEEPALIVEs continue.
  attribute-discard / accept: the route stays, no NOTIFICATION.
Session-reset cases (a fresh session each): the DUT must send NOTIFICATION code/subcode as listed;
for evpnd also the data field byte for byte (RFC 4271 §6.1-6.3 MUSTs; the stand-ins are not held
to it), and the neighbour's counters.malformed_session_reset must count every reset. These
include RFC 7606 §5.2 (attribute errors in an UPDATE without reachable NLRI) and §5.3 / RFC 4760
§7 (an MP_REACH/MP_UNREACH with wrong flags or an EVPN route whose lengths are illegal for its
type), and an OPEN of version 3 (Unsupported Version Number, data 4).
Lenient neighbour (evpnd only): a second raw speaker whose neighbour entry says `nlri-error:
treat-as-withdraw` sends the §5.3 case; its parsable route is withdrawn and the session survives.

Reference runs (harness validation, 2026-11, this machine): FRR 8.4 (--dut frr) passes every
session-survival and session-reset check except "unrecognized well-known" (sends 3/1, not 3/2) but
keeps EVPN routes after "treating as withdrawal" (its log says it withdraws; the route stays);
GoBGP 3.10 (--dut gobgp) withdraws correctly but resets on the ORIGIN flags case and crashes
(nil pointer in fsm handlingError) on the header-error cases.
"""
import os
import re
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


def type2_bad(mac: str, mac_len: int = 48, ip: bytes = b"", ip_len: int | None = None) -> bytes:
    """A type-2 route with chosen MAC / IP Address Length fields (RFC 7432 §7.2)."""
    body = RD + bytes(10) + bytes(4) + bytes([mac_len]) + bytes.fromhex(mac.replace(":", ""))
    body += bytes([len(ip) * 8 if ip_len is None else ip_len]) + ip + B.label(100)
    return B.evpn_route(2, body)


def type5_v4(plen: int) -> bytes:
    return B.evpn_route(5, RD + bytes(10) + bytes(4) + bytes([plen]) + B.ip4("10.1.0.0") + bytes(4) + B.label(5000))


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

BAD_MED = B.attr(B.OPTIONAL, B.MED, b"\x00\x00\x64")
BAD_ORIGIN = B.origin(5)


def reach(m: str, nlri_bytes: bytes, flags: int = B.OPTIONAL) -> bytes:
    return B.mp_reach_evpn(RAW_IP, nlri(m) + nlri_bytes, flags=flags)


# (name, RFC, expected (code, allowed subcodes), builder(mac), expected data(mac) or None)
RESET_CASES = [
    ("bad marker", "4271 §6.1", (1, {1}),
     lambda m: B.msg(B.UPDATE, upd(good_attrs(m))[19:], marker=b"\xff" * 15 + b"\x00"), None),
    ("bad message length 5000", "4271 §6.1", (1, {2}),
     lambda m: B.msg(B.UPDATE, upd(good_attrs(m))[19:], length=5000) + b"\x00" * (5000 - len(upd(good_attrs(m)))),
     lambda m: b"\x13\x88"),  # the erroneous Length field
    ("bad message type 9", "4271 §6.1", (1, {3}),
     lambda m: B.msg(9, b""), lambda m: b"\x09"),  # the erroneous Type field
    ("withdrawn routes length overruns the message", "4271 §6.3 / 7606 §4", (3, {1}),
     lambda m: B.update(withdrawn=b"", attrs=b"".join(good_attrs(m)), withdrawn_len=200), None),
    ("MP_REACH_NLRI twice", "7606 §3(g)", (3, {1}),
     lambda m: upd(good_attrs(m) + [B.mp_reach_evpn(RAW_IP, nlri("02:ee:00:00:00:99"))]), None),
    ("EVPN NLRI length overruns MP_REACH_NLRI", "7606 §7.11, 4760 §7", (3, {1, 9, 10}),
     lambda m: upd(replace(good_attrs(m), 4, B.mp_reach_evpn(RAW_IP, nlri(m)[:-3]))), None),
    ("unrecognized well-known attribute 200", "4271 §6.3", (3, {2}),
     lambda m: upd(good_attrs(m) + [B.attr(B.WELL_KNOWN, 200, b"\x00")]),
     lambda m: B.attr(B.WELL_KNOWN, 200, b"\x00")),
    # RFC 7606 §5.2: path attributes but no reachable NLRI -> anything above attribute discard resets.
    ("withdrawal with MULTI_EXIT_DISC length 3 (no reachable NLRI)", "7606 §5.2", (3, {5}),
     lambda m: upd([B.mp_unreach_evpn(nlri(m)), BAD_MED]), lambda m: BAD_MED),
    ("attributes only, ORIGIN value 5 (no NLRI at all)", "7606 §5.2", (3, {6}),
     lambda m: upd([BAD_ORIGIN, B.as_path([RAW_AS]), B.ext_communities(ECS)]), lambda m: BAD_ORIGIN),
    # RFC 7606 §5.3 + RFC 4760 §7: an incorrect MP_REACH/MP_UNREACH -> session reset.
    ("type-2 MAC Address Length 40", "7606 §5.3, 4760 §7", (3, {9}),
     lambda m: upd(replace(good_attrs(m), 4, reach(m, type2_bad("02:ee:00:00:02:01", mac_len=40)))),
     lambda m: reach(m, type2_bad("02:ee:00:00:02:01", mac_len=40))),
    ("type-2 IP Address Length 24", "7606 §5.3, 4760 §7", (3, {9}),
     lambda m: upd(replace(good_attrs(m), 4, reach(m, type2_bad("02:ee:00:00:02:02", ip=b"\x0a\x01\x02", ip_len=24)))),
     lambda m: reach(m, type2_bad("02:ee:00:00:02:02", ip=b"\x0a\x01\x02", ip_len=24))),
    ("type-3 IP Address Length 64", "7606 §5.3, 4760 §7", (3, {9}),
     lambda m: upd(replace(good_attrs(m), 4, reach(m, B.evpn_route(3, RD + bytes(4) + bytes([64]) + B.ip4(RAW_IP))))),
     lambda m: reach(m, B.evpn_route(3, RD + bytes(4) + bytes([64]) + B.ip4(RAW_IP)))),
    ("type-5 IPv4 prefix length 33", "7606 §5.3, 9136 §3.1", (3, {9}),
     lambda m: upd(replace(good_attrs(m), 4, reach(m, type5_v4(33)))), lambda m: reach(m, type5_v4(33))),
    ("MP_REACH_NLRI marked transitive", "7606 §5.3, 4271 §6.3", (3, {4}),
     lambda m: upd(replace(good_attrs(m), 4, reach(m, b"", flags=B.OPTIONAL | B.TRANSITIVE))),
     lambda m: reach(m, b"", flags=B.OPTIONAL | B.TRANSITIVE)),
    ("MP_UNREACH_NLRI withdrawing a type-2 of MAC Address Length 40", "7606 §5.3, 4760 §7", (3, {9}),
     lambda m: upd([B.mp_unreach_evpn(type2_bad(m, mac_len=40))]),
     lambda m: B.mp_unreach_evpn(type2_bad(m, mac_len=40))),
]

LENIENT_DUT_IP, LENIENT_IP = "10.0.9.2", "10.0.9.3"


def open_with_version(ns, version: int, timeout: float = 6) -> tuple[int, int, bytes] | None:
    """Connects from `ns`, sends an OPEN of `version`, returns the NOTIFICATION (code, subcode, data)."""
    import socket
    from lib.netns import socket_in_netns
    s = socket_in_netns(ns.name, socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.bind((RAW_IP, 0))
        s.connect((DUT_IP, 179))
        o = bytearray(B.open_msg(RAW_AS, 9, RAW_IP))
        o[19] = version
        s.sendall(bytes(o))
        buf = bytearray()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = s.recv(65536)
            if not data:
                break
            buf += data
            for t, body in B.split_messages(buf):
                if t == B.NOTIFICATION:
                    return body[0], body[1], bytes(body[2:])
    except OSError:
        return None
    finally:
        s.close()
    return None


def run(t: harness.Test) -> None:
    lab = t.lab
    dut_ns, raw_ns = lab.netns("dut"), lab.netns("raw")
    lab.veth(dut_ns, "to-raw", raw_ns, "eth0", f"{DUT_IP}/31", f"{RAW_IP}/31")
    neighbors, kw = [Neighbor(RAW_IP, RAW_AS, passive=True)], {}
    evpnd = t.dut == "evpnd"
    if evpnd:  # the lenient neighbour: `nlri-error: treat-as-withdraw` (docs/CONFIG.md)
        lab.veth(dut_ns, "to-raw2", raw_ns, "eth1", f"{LENIENT_DUT_IP}/31", f"{LENIENT_IP}/31")
        neighbors.append(Neighbor(LENIENT_IP, RAW_AS, passive=True))
        kw["neighbor_extra"] = {LENIENT_IP: {"nlri-error": "treat-as-withdraw"}}
    dut = nodes.make_node(t.dut, lab, dut_ns, ASN, DUT_IP, neighbors, **kw).start()
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

    def malformed_resets() -> int | None:
        return (dut.neighbor_info(RAW_IP).get("counters") or {}).get("malformed_session_reset") if evpnd else None

    resets_before = malformed_resets()
    for name, ref, (code, subcodes), build, data in RESET_CASES:
        sp = RawSpeaker(raw_ns, RAW_IP, DUT_IP, RAW_AS, RAW_IP, hold=9)
        try:
            sp.connect_retry(30)
        except TimeoutError as e:
            t.check(f"[{name}] fresh session", False, str(e))
            continue
        mac = "02:ee:00:00:01:01"
        sp.send(upd(good_attrs(mac)))  # a route the reset must take with it
        t.check_wait(f"[{name}] precondition: route {mac} present", lambda: has(mac), 10)
        since = time.monotonic()
        sp.send(build(mac))
        got = sp.wait_notification(since, 6)
        t.check(f"[{name}] ({ref}) session reset with NOTIFICATION {code}/{sorted(subcodes)}",
                got is not None and got[0] == code and got[1] in subcodes,
                f"got {got if got else 'no NOTIFICATION' + (' (closed)' if sp.closed_at else ' (session up)')}")
        if evpnd and data is not None and got is not None:
            sent = [n for n in sp.notifications(since)][0][2]
            t.check_eq(f"[{name}] NOTIFICATION data byte for byte (RFC 4271 §6)", sent.hex(), data(mac).hex())
        t.check_wait(f"[{name}] route {mac} removed with the session", lambda: not has(mac), 10)
        sp.close()

    got = open_with_version(raw_ns, 3)
    t.check("[OPEN version 3] (4271 §6.2) NOTIFICATION 2/1", got is not None and got[:2] == (2, 1), f"got {got}")
    if evpnd and got is not None:
        t.check_eq("[OPEN version 3] data: largest supported version, 2 octets", got[2].hex(), "0004")
    if evpnd:
        resets = len(RESET_CASES) + 1
        t.check_wait(f"counters.malformed_session_reset counts the {resets} resets",
                     lambda: malformed_resets() == (resets_before or 0) + resets, 5)
        t.log(f"malformed_session_reset {resets_before} -> {malformed_resets()}")
        run_lenient(t, dut, raw_ns)
        metrics = metrics_text(dut)
        for name, peer, want in (("evpnd_bgp_rfc7606_session_reset_total", RAW_IP, (resets_before or 0) + resets),
                                 ("evpnd_bgp_rfc7606_treat_as_withdraw_total", LENIENT_IP, 1),
                                 ("evpnd_bgp_rfc7606_session_reset_total", LENIENT_IP, 0)):
            m = re.search(rf'^{name}{{peer="{re.escape(peer)}"}} (\S+)$', metrics, re.M)
            t.check(f"/metrics {name}{{peer={peer}}} = {want}", m is not None and float(m.group(1)) == want,
                    m.group(0) if m else metrics[:300])


def metrics_text(dut) -> str:
    from lib.evpnd import UnixHTTPConnection  # /metrics is text, not JSON
    c = UnixHTTPConnection(dut.socket)
    try:
        c.request("GET", "/metrics")
        return c.getresponse().read().decode()
    finally:
        c.close()


def run_lenient(t: harness.Test, dut, raw_ns) -> None:
    """`nlri-error: treat-as-withdraw`: the §5.3 case withdraws the parsable route, no reset."""
    sp = RawSpeaker(raw_ns, LENIENT_IP, LENIENT_DUT_IP, RAW_AS, LENIENT_IP, hold=9)
    sp.connect_retry(20)
    t.check_eq("[lenient] neighbour shows nlri_error", dut.neighbor_info(LENIENT_IP).get("nlri_error"),
               "treat-as-withdraw")
    mac = "02:ee:00:00:03:01"
    sp.send(upd(good_attrs(mac)))
    if t.check_wait(f"[lenient] precondition: route {mac} present", lambda: find(dut.evpn_routes(), type=2, mac=mac), 10):
        since = time.monotonic()
        sp.send(upd(replace(good_attrs(mac), 4, reach(mac, type2_bad("02:ee:00:00:03:02", mac_len=40)))))
        t.check_wait(f"[lenient] (draft-decraene) treat-as-withdraw: route {mac} withdrawn",
                     lambda: not find(dut.evpn_routes(), type=2, mac=mac), 6)
        ok, why = sp.survived(since, 4)
        t.check("[lenient] session survives (no NOTIFICATION, KEEPALIVEs continue)", ok, why)
        c = dut.neighbor_info(LENIENT_IP).get("counters") or {}
        t.check("[lenient] counters: treat_as_withdraw 1, malformed_session_reset 0",
                c.get("treat_as_withdraw") == 1 and c.get("malformed_session_reset") == 0, str(c))
    sp.close()


if __name__ == "__main__":
    harness.main(run, "interop_rfc7606", duts=("evpnd", "frr", "gobgp"), needs=())
