#!/usr/bin/env python3
"""evpnctl's run-time segment and endpoint commands against real evpnd leaves (issue 11).

evpnd RR + two evpnd leaves with no VNI configured. On leaf A, `evpnctl vni ensure 5001` creates
the segment (PUT), a second ensure with another gateway is refused with evpnd's 409 reason (exit
1), and `evpnctl endpoint add` announces a MAC+IP behind a veth in br5001. Leaf B, which holds
VNI 5001 too, gets the FDB entry towards leaf A without any traffic. `show evpn endpoints` and
`show evpn vni 5001` print the daemon's state. Then `endpoint del` withdraws it (leaf B's entry
goes), and `vni release` removes the VNI with its devices. Unit tests cover the argument checks
and the output format (evpnctl_cli_test: SegmentCli); this test checks them against the daemon's
real replies.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import Fabric, vni_subnet  # noqa: E402
from lib.harness import Test, find_bin  # noqa: E402

VNI = 5001
MAC = "02:00:00:00:50:01"
IP = f"{vni_subnet(VNI)}.50"
GW = f"{vni_subnet(VNI)}.1/24"


def run(t: Test) -> None:
    """evpnctl vni ensure/release, endpoint add/del, show evpn vni N / endpoints on real evpnd."""
    ctl = find_bin("evpnctl")
    if not ctl:
        raise harness.Skip("evpnctl not built")
    lab = t.lab
    fab = Fabric(lab, leaves=2, spine_kind="evpnd", leaf_kinds=["evpnd", "evpnd"], vnis=(VNI,),
                 hosts_per_vni={VNI: 0}, l3vni=None, leaf_vnis={1: (), 2: ()})
    fab.build()
    fab.make_nodes()
    fab.spine.start()
    for n in fab.leaf_nodes:
        n.start()
    fab.wait_established(45)
    a, b = fab.leaf_nodes
    a_ns, b_ns = fab.leaf_ns

    def ctl_on(node, *args):
        p = subprocess.run([ctl, "--socket", node.socket, *args], capture_output=True, text=True, timeout=20)
        return p.returncode, p.stdout + p.stderr

    rc, out = ctl_on(a, "vni", "ensure", str(VNI), "--gateway", GW, "--attachment", "ops1")
    st = json.loads(out) if rc == 0 else {}
    t.check("vni ensure creates the VNI (origin api, the gateway, held by ops1)",
            rc == 0 and st.get("origin") == "api" and st.get("gateways") == [GW]
            and st.get("attachments") == ["ops1"], out)
    t.check("the VNI's devices exist on leaf A",
            "br5001" in a_ns.ip("-o", "link", "show") and "vxlan5001" in a_ns.ip("-o", "link", "show"))
    rc, out = ctl_on(a, "vni", "ensure", str(VNI), "--gateway", f"{vni_subnet(VNI)}.2/24", "--attachment", "ops2")
    t.check("a second ensure with another gateway: evpnd's 409 reason, exit 1",
            rc == 1 and out.startswith("evpnctl: 409 ") and "gateway" in out, out)
    rc, out = ctl_on(b, "vni", "ensure", str(VNI), "--gateway", GW)
    t.check("leaf B holds VNI 5001 (default attachment)", rc == 0 and json.loads(out)["attachments"] == ["api"], out)

    pod = lab.netns("pod")
    lab.veth(a_ns, "vpod", pod, "eth0")
    a_ns.ip("link", "set", "vpod", "master", f"br{VNI}")
    rc, out = ctl_on(a, "endpoint", "add", "--vni", str(VNI), "--mac", MAC.upper(), "--ip", IP,
                     "--interface", "vpod", "--attachment", "ops1")
    t.check("endpoint add: the ENDPOINT, MAC normalised", rc == 0 and json.loads(out).get("mac") == MAC, out)
    t.check_wait("leaf B has the endpoint's FDB entry towards leaf A (no traffic sent)",
                 lambda: any(ln.startswith(MAC) and f"dst {fab.vtep(1)}" in ln
                             for ln in b_ns.bridge("fdb", "show", "dev", f"vxlan{VNI}").splitlines()), 10)
    rc, out = ctl_on(a, "endpoint", "add", "--vni", "5009", "--mac", MAC, "--interface", "vpod")
    t.check("endpoint add on a VNI that does not run: 404, exit 1", rc == 1 and out.startswith("evpnctl: 404 "), out)

    rc, out = ctl_on(a, "show", "evpn", "endpoints", "--vni", str(VNI))
    t.check("show evpn endpoints: the table row and the count",
            rc == 0 and f"{VNI}  {MAC}  {IP}  vpod       ops1" in out and out.endswith("1 endpoint\n"), out)
    rc, out = ctl_on(a, "show", "evpn", "endpoints", "--json")
    t.check("show evpn endpoints --json: the API reply",
            rc == 0 and json.loads(out)["endpoints"][0]["interface"] == "vpod", out)
    rc, out = ctl_on(a, "show", "evpn", "vni", str(VNI))
    t.check("show evpn vni 5001: origin, gateway, attachments, endpoint count",
            rc == 0 and " Origin: api\n" in out and f" Gateways: {GW}\n" in out
            and " Attachments: 1 (ops1)\n" in out and " Endpoints: 1\n" in out, out)
    rc, out = ctl_on(a, "show", "evpn", "vni")
    t.check("show evpn vni without N: still the list", rc == 0 and out.endswith("1 VNI\n"), out)

    rc, out = ctl_on(a, "endpoint", "del", "--vni", str(VNI), "--mac", MAC)
    t.check("endpoint del: removed", rc == 0 and json.loads(out) == {"removed": True}, out)
    t.check_wait("leaf B drops the FDB entry",
                 lambda: MAC not in b_ns.bridge("fdb", "show", "dev", f"vxlan{VNI}"), 10)
    rc, out = ctl_on(a, "vni", "release", str(VNI), "--attachment", "ops1")
    rel = json.loads(out) if rc == 0 else {}
    t.check("vni release of the last attachment removes the API VNI",
            rc == 0 and rel.get("released") is True and rel.get("removed") is True, out)
    t.check_wait("its devices are gone from leaf A", lambda: "vxlan5001" not in a_ns.ip("-o", "link", "show"), 10)
    rc, out = ctl_on(a, "show", "evpn", "vni", str(VNI))
    t.check("show evpn vni 5001 after the release: 404, exit 1", rc == 1 and "404" in out, out)
    p = subprocess.run([ctl, "--socket", lab.path("none", "evpnd.sock"), "vni", "ensure", str(VNI)],
                       capture_output=True, text=True, timeout=20)
    t.check("no daemon: exit 2", p.returncode == 2 and "is evpnd running?" in p.stderr, p.stderr)


if __name__ == "__main__":
    harness.main(run, "evpnctl_segments", needs=())
