#!/usr/bin/env python3
"""Interop (a): the DUT establishes iBGP and eBGP EVPN sessions with FRR bgpd and gobgpd.

Four peers on their own /31 links: FRR iBGP (AS 65000), GoBGP iBGP, FRR eBGP (AS 65101) and GoBGP
eBGP with a 4-octet AS (4200000001, RFC 6793). Checked from each peer's side (vtysh / gobgp -j):
Established, L2VPN/EVPN multiprotocol capability received from the DUT (RFC 4760), 4-octet AS
capability received, hold time negotiated to min(9, 9) = 9 s, keepalive 3 s; from the DUT's side:
every neighbor Established. Then a session reset from FRR's side re-establishes.
"""
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness, nodes  # noqa: E402
from lib.frr import FrrNode, Neighbor  # noqa: E402
from lib.gobgp import GobgpNode  # noqa: E402

DUT_AS = 65000
PEERS = [  # (name, kind, asn, link index)
    ("frr-ibgp", "frr", 65000, 1),
    ("gobgp-ibgp", "gobgp", 65000, 2),
    ("frr-ebgp", "frr", 65101, 3),
    ("gobgp-ebgp", "gobgp", 4200000001, 4),
]


def gobgp_caps(info: dict) -> dict:
    """remote_cap of `gobgp -j neighbor X`: {name: value bytes}."""
    out = {}
    for c in info.get("state", {}).get("remote_cap", []):
        name = c.get("type_url", "").rsplit(".", 1)[-1]
        out[name] = base64.b64decode(c.get("value", "")) if c.get("value") else b""
    return out


def run(t: harness.Test) -> None:
    lab = t.lab
    dut_ns = lab.netns("dut")
    peers = []
    for name, kind, asn, i in PEERS:
        ns = lab.netns(name)
        lab.veth(dut_ns, f"to-{name}"[:15], ns, "eth0", f"10.0.{i}.0/31", f"10.0.{i}.1/31")
        peers.append((name, kind, asn, f"10.0.{i}.1", f"10.0.{i}.0", ns))
    dut = nodes.make_node(t.dut, lab, dut_ns, DUT_AS, "10.0.0.254",
                          [Neighbor(p[3], p[2], description=p[0]) for p in peers]).start()
    objs = {}
    for name, kind, asn, ip, dut_ip, ns in peers:
        cls = FrrNode if kind == "frr" else GobgpNode
        objs[name] = cls(lab, ns, asn, ip, [Neighbor(dut_ip, DUT_AS)]).start()

    for name, kind, asn, ip, dut_ip, ns in peers:
        p = objs[name]
        t.check_wait(f"{name}: session Established (peer view)", lambda p=p, d=dut_ip: p.established(d), 30)
        t.check_wait(f"{name}: session Established (DUT view)", lambda ip=ip: dut.established(ip), 10)
        info = p.neighbor_info(dut_ip)
        if kind == "frr":
            caps = info.get("neighborCapabilities", {})
            mp = caps.get("multiprotocolExtensions", {}).get("l2VpnEvpn", {})
            t.check(f"{name}: MP-BGP l2vpn/evpn advertised and received", mp.get("advertisedAndReceived") is True, caps)
            t.check(f"{name}: 4-octet AS capability received", "Received" in str(caps.get("4byteAs", "")), caps)
            t.check_eq(f"{name}: hold time 9 s", info.get("bgpTimerHoldTimeMsecs"), 9000)
            t.check_eq(f"{name}: keepalive 3 s", info.get("bgpTimerKeepAliveIntervalMsecs"), 3000)
            t.check_eq(f"{name}: remote AS", info.get("remoteAs"), DUT_AS)
        else:
            caps = gobgp_caps(info)
            mp = caps.get("MultiProtocolCapability", b"")
            t.check(f"{name}: MP-BGP l2vpn/evpn received (afi 25 safi 70)", b"\x08\x19\x10\x46" in mp,
                    {k: v.hex() for k, v in caps.items()})
            t.check(f"{name}: 4-octet AS capability received", "FourOctetASNCapability" in caps, list(caps))
            tm = info.get("timers", {}).get("state", {})
            t.check_eq(f"{name}: hold time 9 s", tm.get("negotiated_hold_time"), 9)
            t.check_eq(f"{name}: remote AS", info.get("state", {}).get("peer_asn"), DUT_AS)

    # Reset from the peer side: the DUT must accept the new connection.
    frr = objs["frr-ibgp"]
    frr.vtysh("clear bgp 10.0.1.0")
    t.check_wait("frr-ibgp: re-established after 'clear bgp'", lambda: frr.established("10.0.1.0"), 30)
    # (A GoBGP-side reset is not repeated here: gobgpd idles ~30 s after a reset, too slow for CI.)
    t.check_wait("DUT view: all four Established again",
                 lambda: all(dut.established(p[3]) for p in peers), 15)


if __name__ == "__main__":
    harness.main(run, "interop_sessions", duts=("evpnd", "frr", "gobgp"), needs=harness.FRR_BINS + harness.GOBGP_BINS)
