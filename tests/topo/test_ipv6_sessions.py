#!/usr/bin/env python3
"""Interop (issue #3): BGP sessions over IPv6 transport between evpnd and FRR bgpd / gobgpd.

Four peers of the DUT (evpnd, AS 65000, router-id 10.255.0.254), each in its own namespace on
its own veth link (IPv6 addresses with `nodad`: no duplicate address detection delay):
  frr-active   2001:db8:1::/64  evpnd connects (FRR passive) from its update-source
                                2001:db8:1::a (a second address on the link), TCP MD5 (RFC 2385)
                                with a sockaddr_in6 key on the connecting socket, GTSM
                                (RFC 5082: hop limit 255, IPV6_MINHOPCOUNT 255)
  frr-passive  2001:db8:2::/64  FRR connects (evpnd passive): the listener must be dual-stack,
                                match the IPv6 peer, hold its MD5 key (RFC 2385), answer
                                with hop limit 255 and check the SYN's hop limit (GTSM)
  frr-v4       10.0.3.0/31      IPv4 peer, FRR connects to the same dual-stack listener: the
                                ::ffff:10.0.3.1 source is matched as 10.0.3.1, MD5 key as IPv4
  gobgp        2001:db8:4::/64  both sides connect (collision or not, one session survives)
Checked: every session Established from both sides with the BGP identifier 10.255.0.254 (the
router-id, IPv4, whatever the transport); an EVPN type-2 route originated through evpnd's API
reaches FRR over IPv6 with its IPv4 VTEP next hop (MP_REACH next hop length 4, RFC 7432 §7 /
RFC 8365 §5.1.3), and a type-2 route originated in GoBGP reaches evpnd over IPv6; a withdrawal
removes it. Finally a `clear bgp` from the passive FRR side re-establishes through the listener.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness, nodes  # noqa: E402
from lib.evpnd import EvpndNode  # noqa: E402
from lib.frr import FrrNode, Neighbor  # noqa: E402
from lib.gobgp import GobgpNode  # noqa: E402

ASN = 65000
DUT_RID = "10.255.0.254"
PASSWORD = "v6secret"


def v6_link(lab, a, if_a, b, if_b, addrs_a, addrs_b):
    lab.veth(a, if_a, b, if_b)
    for ns, dev, addrs in ((a, if_a, addrs_a), (b, if_b, addrs_b)):
        for cidr in addrs:
            ns.ip("-6", "addr", "add", cidr, "dev", dev, "nodad")


def route(rid: str, mac: str, ip: str) -> dict:
    return {"route_type": 2, "rd": f"{rid}:2", "esi": nodes.ZERO_ESI, "ethernet_tag": 0, "mac": mac, "ip": ip, "vni": 100,
            "next_hop": rid, "extended_communities": ["rt:65000:100", "encap:vxlan"]}


def run(t: harness.Test) -> None:
    lab = t.lab
    dut_ns = lab.netns("dut")
    fa, fp, f4, gb = (lab.netns(n) for n in ("frr-active", "frr-passive", "frr-v4", "gobgp"))
    v6_link(lab, dut_ns, "to-fa", fa, "eth0", ["2001:db8:1::1/64", "2001:db8:1::a/64"], ["2001:db8:1::2/64"])
    v6_link(lab, dut_ns, "to-fp", fp, "eth0", ["2001:db8:2::1/64"], ["2001:db8:2::2/64"])
    lab.veth(dut_ns, "to-f4", f4, "eth0", "10.0.3.0/31", "10.0.3.1/31")
    v6_link(lab, dut_ns, "to-gb", gb, "eth0", ["2001:db8:4::1/64"], ["2001:db8:4::2/64"])

    dut = EvpndNode(lab, dut_ns, ASN, DUT_RID, [
        Neighbor("2001:db8:1::2", ASN, update_source="2001:db8:1::a", password=PASSWORD, ttl_security=1,
                 description="frr-active"),
        Neighbor("2001:db8:2::2", ASN, passive=True, password=PASSWORD, ttl_security=1, description="frr-passive"),
        Neighbor("10.0.3.1", ASN, passive=True, password=PASSWORD, description="frr-v4"),
        Neighbor("2001:db8:4::2", ASN, description="gobgp"),
    ]).start()  # listen.address 0.0.0.0 (the default): dual-stack because of the IPv6 neighbors
    frr_a = FrrNode(lab, fa, ASN, "10.255.0.1", [Neighbor("2001:db8:1::a", ASN, passive=True, password=PASSWORD,
                                                                   ttl_security=1)]).start()
    frr_p = FrrNode(lab, fp, ASN, "10.255.0.2", [Neighbor("2001:db8:2::1", ASN, password=PASSWORD, ttl_security=1)]).start()
    frr_4 = FrrNode(lab, f4, ASN, "10.255.0.3", [Neighbor("10.0.3.0", ASN, password=PASSWORD)]).start()
    gob = GobgpNode(lab, gb, ASN, "10.255.0.4", [Neighbor("2001:db8:4::1", ASN)]).start()

    peers = [("frr-active", frr_a, "2001:db8:1::a", "2001:db8:1::2"),
             ("frr-passive", frr_p, "2001:db8:2::1", "2001:db8:2::2"),
             ("frr-v4", frr_4, "10.0.3.0", "10.0.3.1"),
             ("gobgp", gob, "2001:db8:4::1", "2001:db8:4::2")]
    for name, node, dut_addr, peer_addr in peers:
        t.check_wait(f"{name}: Established (peer view of {dut_addr})", lambda n=node, a=dut_addr: n.established(a), 40)
        t.check_wait(f"{name}: Established (DUT view of {peer_addr})", lambda a=peer_addr: dut.established(a), 10)
    for name, node in (("frr-active", frr_a), ("frr-passive", frr_p), ("frr-v4", frr_4)):
        dut_addr = next(p[2] for p in peers if p[0] == name)
        info = node.neighbor_info(dut_addr)
        t.check_eq(f"{name}: DUT BGP identifier is the IPv4 router-id", info.get("remoteRouterId"), DUT_RID)
        mp = info.get("neighborCapabilities", {}).get("multiprotocolExtensions", {}).get("l2VpnEvpn", {})
        t.check(f"{name}: l2vpn/evpn negotiated", mp.get("advertisedAndReceived") is True, mp)
        # FRR reports which end opened the TCP connection: the active/passive roles really held.
        if name == "frr-active":
            t.check_eq(f"{name}: the DUT connected (FRR's local port is 179)", info.get("portLocal"), 179)
            t.check_eq(f"{name}: from the update-source", info.get("hostLocal"), "2001:db8:1::2")
            t.check_eq(f"{name}: remote host is the update-source", info.get("hostForeign"), "2001:db8:1::a")
        else:
            t.check_eq(f"{name}: FRR connected (the DUT's port is 179)", info.get("portForeign"), 179)

    # evpnd -> FRR over IPv6: the VTEP next hop stays IPv4.
    sent = route(DUT_RID, "02:aa:00:00:06:01", "192.168.100.61")
    dut.originate([sent])
    want = nodes.expected(sent)
    for name, node in (("frr-active", frr_a), ("frr-passive", frr_p)):
        got = t.check_wait(f"{name} shows the DUT's {nodes.describe(want)}",
                           lambda n=node: nodes.lookup(n.evpn_routes(), want), 20)
        if got:
            bad = nodes.mismatches(got[0], want)
            t.check(f"{name}: fields match (next hop {DUT_RID})", not bad, "; ".join(bad))

    # GoBGP -> evpnd over IPv6.
    g_route = route("10.255.0.4", "02:bb:00:00:06:01", "192.168.100.62")
    nodes.originate(gob, [g_route])
    g_want = nodes.expected(g_route)
    got = t.check_wait(f"DUT shows GoBGP's {nodes.describe(g_want)}", lambda: nodes.lookup(dut.evpn_routes(), g_want), 20)
    if got:
        bad = nodes.mismatches(got[0], g_want)
        t.check("DUT: GoBGP route fields match (next hop 10.255.0.4)", not bad, "; ".join(bad))
    nodes.withdraw(gob, [g_route])
    t.check_wait("DUT drops GoBGP's withdrawn route", lambda: not nodes.lookup(dut.evpn_routes(), g_want), 15)

    # Reset from the passive FRR side: the DUT's listener accepts the IPv6 reconnect.
    frr_p.vtysh("clear bgp 2001:db8:2::1")
    t.check_wait("frr-passive: re-established after 'clear bgp'", lambda: frr_p.established("2001:db8:2::1"), 30)
    t.check_wait("DUT view: all four Established again", lambda: all(dut.established(p[3]) for p in peers), 15)


if __name__ == "__main__":
    harness.main(run, "interop_ipv6_sessions", needs=harness.FRR_BINS + harness.GOBGP_BINS)
