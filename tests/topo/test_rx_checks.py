#!/usr/bin/env python3
"""Receive-side RFC checks of an evpnd leaf (src/evpn/route_checks.hpp), live: a raw python
speaker (iBGP) sends hand-built type-2/type-3 routes to an evpnd leaf with VNI 100 on the Linux
data plane, and the kernel's `bridge fdb` shows what was installed.

  * RFC 8365 §6: a route whose BGP Encapsulation communities name VXLAN (tunnel type 8) is
    installed; one that names MPLS only (type 10) is not.
  * RFC 8365 §5.1.3: a route without the community is MPLS by default (not installed).
  * RFC 8365 §5.1.3: Label1 carries the VNI; a route for VNI 300 imported by RT 65000:100 would
    send frames into another segment (the kernel uses vxlan100's VNI): not installed.
  * Routes not installed stay in BGP (GET /v1/bgp/evpn/routes) and are counted in
    evpnd_evpn_routes_not_installed_total{reason}.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import bgp_bytes as B  # noqa: E402
from lib import harness  # noqa: E402
from lib.evpnd import EvpndNode, UnixHTTPConnection  # noqa: E402
from lib.frr import Neighbor  # noqa: E402
from lib.raw_speaker import RawSpeaker  # noqa: E402
from lib.routes import find  # noqa: E402

DUT_IP, RAW_IP, ASN = "10.0.9.0", "10.0.9.1", 65000
RD = B.rd_ip(RAW_IP, 7)
RT100 = B.rt(65000, 100)
ENCAP_MPLS = bytes([0x03, 0x0C, 0, 0, 0, 0, 0x00, 0x0A])  # RFC 9012 / RFC 8365 §5.1.3: type 10


def announce(mac: str, ecs: list[bytes], vni: int = 100) -> bytes:
    nlri = B.evpn_type2(RD, mac, None, [vni])
    return B.update(attrs=b"".join([B.origin(0), B.as_path([]), B.local_pref(100), B.ext_communities(ecs),
                                    B.mp_reach_evpn(RAW_IP, nlri)]))


def metrics(node) -> str:
    c = UnixHTTPConnection(node.socket)
    c.request("GET", "/metrics")
    body = c.getresponse().read().decode()
    c.close()
    return body


def not_installed(node, reason: str) -> int:
    m = re.search(rf'^evpnd_evpn_routes_not_installed_total{{reason="{reason}"}} (\d+)', metrics(node), re.M)
    return int(m.group(1)) if m else -1


def run(t: harness.Test) -> None:
    lab = t.lab
    dut_ns, raw_ns = lab.netns("dut"), lab.netns("raw")
    lab.veth(dut_ns, "to-raw", raw_ns, "eth0", f"{DUT_IP}/31", f"{RAW_IP}/31")
    dut = EvpndNode(lab, dut_ns, ASN, DUT_IP, [Neighbor(RAW_IP, ASN, passive=True)],
                    extra={"vtep": {"source-ip": DUT_IP, "dataplane": "linux"}, "l2vnis": [{"vni": 100}]}).start()
    sp = RawSpeaker(raw_ns, RAW_IP, DUT_IP, ASN, RAW_IP, hold=9)
    sp.connect_retry(20)
    t.check("raw speaker: iBGP session established", True)

    def fdb_dst(mac: str) -> bool:
        out = dut_ns.run("bridge", "fdb", "show", "dev", "vxlan100", check=False)
        return re.search(rf"^{mac} .*dst {re.escape(RAW_IP)} ", out, re.M | re.I) is not None

    def in_bgp(mac: str) -> bool:
        return bool(find(dut.evpn_routes(), type=2, mac=mac))

    good, mpls, none, vni300 = "02:ee:00:00:00:01", "02:ee:00:00:00:02", "02:ee:00:00:00:03", "02:ee:00:00:00:04"
    sp.send(announce(good, [RT100, B.encap_vxlan()]))
    sp.send(announce(mpls, [RT100, ENCAP_MPLS]))
    sp.send(announce(none, [RT100]))
    sp.send(announce(vni300, [RT100, B.encap_vxlan()], vni=300))

    t.check_wait(f"(8365 §6) VXLAN route: bridge fdb {good} dev vxlan100 dst {RAW_IP}", lambda: fdb_dst(good), 10)
    for mac, what in ((mpls, "MPLS-only encapsulation"), (none, "no encapsulation community"),
                      (vni300, "Label1 VNI 300 != local VNI 100")):
        t.check_wait(f"{what}: route {mac} kept in BGP", lambda mac=mac: in_bgp(mac), 10)
        t.check(f"{what}: no FDB entry for {mac}", harness.holds_for(lambda mac=mac: not fdb_dst(mac), 1.5),
                dut_ns.run("bridge", "fdb", "show", "dev", "vxlan100", check=False))
    t.check_eq('/metrics: not_installed{reason="encapsulation"}', not_installed(dut, "encapsulation"), 2)
    t.check_eq('/metrics: not_installed{reason="vni_mismatch"}', not_installed(dut, "vni_mismatch"), 1)

    # The MPLS route re-advertised with VXLAN is installed; the VXLAN one re-advertised as MPLS-only
    # loses its entry.
    sp.send(announce(mpls, [RT100, B.encap_vxlan()]))
    sp.send(announce(good, [RT100, ENCAP_MPLS]))
    t.check_wait(f"{mpls} re-advertised with VXLAN: FDB entry added", lambda: fdb_dst(mpls), 10)
    t.check_wait(f"{good} re-advertised MPLS-only: FDB entry removed", lambda: not fdb_dst(good), 10)
    sp.close()


if __name__ == "__main__":
    harness.main(run, "rx_checks", duts=("evpnd",), needs=("bridge",))
