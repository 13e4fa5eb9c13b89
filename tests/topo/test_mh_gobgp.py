#!/usr/bin/env python3
"""Interop (issue 9): GoBGP 3.x decodes evpnd's multihoming routes field by field.

An evpnd speaker (no data plane) peers over iBGP with gobgpd. Routes are injected with
POST /v1/evpn/routes in the shape evpnd's own segment code originates them (multihoming.md §1):
  - per-ES Ethernet A-D (type 1): Ethernet tag MAX-ET, label 0, ESI Label community (all-active,
    and a second segment single-active), the EVIs' route targets (RFC 7432 §7.1, §7.5, §8.2);
  - per-EVI Ethernet A-D (type 1): tag 0, label = VNI 100 (RFC 8365 §5.1.3, RFC 7432 §8.4);
  - Ethernet Segment (type 4): originator IP, ES-Import RT and the DF Election community with
    the RFC 9785 preference (RFC 7432 §7.4, §7.6; RFC 8584 §2.2).
`gobgp global rib -a evpn -j` must show the ESI (GoBGP's own decode of the type-3 system MAC and
discriminator, and of a type-0 value), Ethernet tag, label, originator, next hop, route targets,
ESI Label (flag and label) and ES-Import as evpnd sent them. Withdrawal removes them all. ~25 s.

GoBGP 3.10 defect (pre-registered, like osrg/gobgp#2574 for sub-type 4): it does not know EVPN
extended community sub-type 6 (DF Election, RFC 8584 §2.2) and treats any UPDATE carrying it as
withdrawn ("unknown evpn subtype: 6"), where RFC 7606 §7.14 / RFC 4360 would have it kept. So the
type-4 with the DF Election community is checked to reach GoBGP byte-exactly (tcpdump on GoBGP's
side, decoded with tshark) and to be dropped by GoBGP for exactly that logged reason; the check
fails if GoBGP drops it silently or, once fixed, shows it with other bytes.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import EvpndNode  # noqa: E402
from lib.frr import Neighbor  # noqa: E402
from lib.gobgp import GobgpNode  # noqa: E402
from lib.netns import sh  # noqa: E402

ASN = 65000
EVPND_IP, GOBGP_IP = "10.0.9.0", "10.0.9.1"
ESI_A = "03:44:38:39:ff:ff:01:00:00:01"   # type 3: system MAC 44:38:39:ff:ff:01, discriminator 1
ESI_B = "00:11:22:33:44:55:66:77:88:99"   # type 0 (operator)
MAX_ET = 4294967295


def mh_routes() -> list[dict]:
    nh = EVPND_IP
    return [
        {"route_type": 1, "rd": "10.255.0.1:5", "esi": ESI_A, "ethernet_tag": MAX_ET, "vni": 0, "next_hop": nh,
         "extended_communities": ["rt:65000:100", "rt:65000:200", "encap:vxlan", "esi-label:label=0"]},
        {"route_type": 1, "rd": "10.255.0.1:6", "esi": ESI_B, "ethernet_tag": MAX_ET, "vni": 0, "next_hop": nh,
         "extended_communities": ["rt:65000:100", "encap:vxlan", "esi-label:label=0,single-active"]},
        {"route_type": 1, "rd": "10.255.0.1:3", "esi": ESI_A, "ethernet_tag": 0, "vni": 100, "next_hop": nh,
         "extended_communities": ["rt:65000:100", "encap:vxlan"]},
        {"route_type": 4, "rd": "10.255.0.1:5", "esi": ESI_A, "originator": "10.255.0.1", "next_hop": nh,
         "extended_communities": ["es-import:44:38:39:ff:ff:01"]},
    ]


# A type-4 as evpnd's segments originate it: ES-Import + DF Election (alg 2, AC-DF, pref 50000).
DF_ROUTE = {"route_type": 4, "rd": "10.255.0.1:6", "esi": ESI_B, "originator": "10.255.0.2", "next_hop": EVPND_IP,
            "extended_communities": ["es-import:00:11:22:33:44:55",
                                     "df-election:alg=2,bitmap=0x4000,pref=50000,ac-df"]}
DF_BYTES = "0606024000" "00" "c350"  # 06 06 | alg 2 | bitmap 4000 (AC-DF) | reserved | pref 50000

# GoBGP's text for the two ESIs (its decoder: type 3 = ESI_MAC system MAC + discriminator).
GOBGP_ESI = {ESI_A: "ESI_MAC | system mac 44:38:39:ff:ff:01, local discriminator 1",
             ESI_B: "ESI_ARBITRARY | 11:22:33:44:55:66:77:88:99"}


def gobgp_paths(rib) -> list[dict]:
    """Every path of `gobgp global rib -a evpn -j` (a map prefix -> [path])."""
    out = []
    for paths in (rib or {}).values():
        out.extend(paths if isinstance(paths, list) else [paths])
    return out


def attr(path: dict, code: int) -> dict:
    return next((a for a in path.get("attrs", []) if a.get("type") == code), {})


def find_path(paths, rtype: int, rd: str, esi: str, tag=None):
    admin, assigned = rd.split(":")
    for p in paths:
        n = p.get("nlri", {})
        v = n.get("value", {})
        r = v.get("rd", {})
        if n.get("type") != rtype or (r.get("admin"), str(r.get("assigned"))) != (admin, assigned):
            continue
        if v.get("esi") != GOBGP_ESI[esi] or (tag is not None and v.get("etag") != tag):
            continue
        return p, v
    return None, None


def ecs_of(path: dict) -> list[dict]:
    return attr(path, 16).get("value", [])


def rts_of(path: dict) -> list[str]:
    return sorted(e.get("value") for e in ecs_of(path) if e.get("type") == 0 and e.get("subtype") == 2)


def esi_label_of(path: dict):
    e = next((e for e in ecs_of(path) if e.get("type") == 6 and e.get("subtype") == 1), None)
    return None if e is None else (e.get("label"), e.get("is_single_active"))


def run(t: harness.Test) -> None:
    lab = t.lab
    ens, gns = lab.netns("mhe"), lab.netns("mhg")
    lab.veth(ens, "eth0", gns, "eth0", f"{EVPND_IP}/31", f"{GOBGP_IP}/31")
    pcap = lab.path("gobgp-side.pcap")
    tcpdump = lab.spawn("tcpdump-mhg", gns, ["tcpdump", "-i", "eth0", "-U", "-w", pcap, "tcp port 179"], "tcpdump")
    evpnd = EvpndNode(lab, ens, ASN, "10.255.0.1", [Neighbor(GOBGP_IP, ASN)]).start()
    gob = GobgpNode(lab, gns, ASN, GOBGP_IP, [Neighbor(EVPND_IP, ASN)]).start()
    t.check_wait("GoBGP <-> evpnd Established", lambda: gob.established(EVPND_IP), 30)

    routes = mh_routes()
    evpnd.originate(routes)
    t.check_wait("GoBGP has the 4 routes", lambda: len(gobgp_paths(gob.evpn_rib())) == 4, 20)
    paths = gobgp_paths(gob.evpn_rib())

    p, v = find_path(paths, 1, "10.255.0.1:5", ESI_A, MAX_ET)
    if t.check("type-1 per-ES: RD, type-3 ESI (system MAC, discriminator), MAX-ET decoded", p is not None, paths):
        t.check_eq("per-ES label", v.get("label"), 0)
        t.check_eq("per-ES next hop", attr(p, 14).get("nexthop"), EVPND_IP)
        t.check_eq("per-ES ESI Label community (label, single-active)", esi_label_of(p), (0, False))
        t.check_eq("per-ES route targets", rts_of(p), ["65000:100", "65000:200"])
    p, v = find_path(paths, 1, "10.255.0.1:6", ESI_B, MAX_ET)
    if t.check("type-1 per-ES with a type-0 ESI decoded", p is not None, paths):
        t.check_eq("single-active ESI Label community", esi_label_of(p), (0, True))
    p, v = find_path(paths, 1, "10.255.0.1:3", ESI_A, 0)
    if t.check("type-1 per-EVI (Ethernet tag 0) decoded", p is not None, paths):
        t.check_eq("per-EVI label = VNI", v.get("label"), 100)
        t.check_eq("per-EVI route target", rts_of(p), ["65000:100"])
        t.check_eq("per-EVI has no ESI Label community", esi_label_of(p), None)
    p, v = find_path(paths, 4, "10.255.0.1:5", ESI_A)
    if t.check("type-4 decoded", p is not None, paths):
        t.check_eq("type-4 originator", v.get("ip"), "10.255.0.1")
        t.check_eq("type-4 next hop", attr(p, 14).get("nexthop"), EVPND_IP)
        t.check("ES-Import 44:38:39:ff:ff:01",
                any(e.get("type") == 6 and e.get("subtype") == 2 and e.get("value") == "44:38:39:ff:ff:01"
                    for e in ecs_of(p)), ecs_of(p))

    # The type-4 with the DF Election community (see the header: GoBGP 3.10 defect).
    evpnd.originate([DF_ROUTE])

    def df_on_wire():
        r = sh(["tshark", "-r", pcap, "-Y", "bgp.type == 2 && ip.src == " + EVPND_IP, "-T", "fields",
                "-e", "tcp.payload"], check=False)
        return DF_BYTES in r.stdout.replace(":", "")
    t.check_wait("the DF Election community reaches GoBGP as 06 06 02 40 00 00 c3 50", df_on_wire, 15)

    def gobgp_verdict():
        got, _ = find_path(gobgp_paths(gob.evpn_rib()), 4, "10.255.0.1:6", ESI_B)
        if got is not None:
            df = [e for e in ecs_of(got) if e.get("type") == 6 and e.get("subtype") == 6]
            return ("shown", df)
        with open(gob.daemon.log, errors="replace") as f:
            if "unknown evpn subtype: 6" in f.read():
                return ("treat-as-withdraw", None)
        return None
    verdict = t.check_wait("GoBGP decides on the DF Election type-4", gobgp_verdict, 15)
    if verdict and verdict[0] == "treat-as-withdraw":
        t.log("GoBGP 3.10 defect confirmed: 'unknown evpn subtype: 6' -> UPDATE treated as withdraw")
        t.check("GoBGP keeps the other 4 routes", len(gobgp_paths(gob.evpn_rib())) == 4)
    elif verdict:
        t.check("GoBGP (fixed) shows the DF Election community", bool(verdict[1]), verdict[1])

    evpnd.withdraw(routes + [DF_ROUTE])
    t.check_wait("GoBGP drops all after the withdrawal", lambda: not gobgp_paths(gob.evpn_rib()), 20)
    tcpdump.stop()


if __name__ == "__main__":
    harness.main(run, "mh_gobgp", needs=("gobgpd", "gobgp", "tcpdump", "tshark"))
