#!/usr/bin/env python3
"""Issue 11, real runtime, long: 50 podman create/delete cycles through the evpn plugin leak nothing.

Same fabric as test_cni_podman.py (lib/cni_fabric.py). Container cb1 stays on node b the whole
time; on node a, EVT_CNI_CYCLES (default 50) times: `podman run` (the plugin creates VNI 5001,
its veth, lease, endpoint, record), the RR has the container's MAC+IP, the container pings cb1,
`podman rm` (the VNI is released again: node a has no other container), the RR lost the route.
Afterwards, counted against the state before the first cycle: node a's veths, links (bridge,
vxlan), host-local leases, libcni result-cache files, plugin attachment records, evpnd endpoints
and VNI attachments; the type-2 routes at the RR (only cb1's two); FDB entries of any cycle MAC
on node a, node b and the FRR leaf. CTest label `long` (~2 min).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.cni_fabric import CniFabric, plugin_dir  # noqa: E402
from lib.podman import PODMAN_BINS  # noqa: E402
from test_cni_podman import clean  # noqa: E402

CYCLES = int(os.environ.get("EVT_CNI_CYCLES", "50"))


def run(t: harness.Test) -> None:
    if not plugin_dir():
        raise harness.Skip("evpn CNI plugin not built (<build>/tools/evpn-cni/bin/evpn)")
    cf = CniFabric(t).start()
    pa, pb = cf.pm["a"], cf.pm["b"]
    links0 = cf.links("a")
    pb.run("cb1", cf.net["b"])
    nb = pb.net_info("cb1", cf.net["b"])
    t.check("cb1 (node b) is on the RR", cf.wait_rr(nb["MacAddress"], nb["IPAddress"], True, 10))
    rr0 = sorted((r["mac"], str(r.get("ip"))) for r in cf.rr_type2_all())
    t.log(f"RR type-2 before the cycles: {rr0}")
    macs, announced, pinged, withdrawn = [], 0, 0, 0
    t0 = time.monotonic()
    for i in range(CYCLES):
        name = f"cy{i}"
        pa.run(name, cf.net["a"])
        n = pa.net_info(name, cf.net["a"])
        mac, ip = n["MacAddress"], n["IPAddress"]
        macs.append(mac)
        announced += cf.wait_rr(mac, ip, True, 10)
        pinged += pa.ping(name, nb["IPAddress"], 1, 2) == 1
        pa.rm(name)
        withdrawn += cf.wait_rr(mac, ip, False, 10) and cf.wait_rr(mac, None, False, 10)
    dt = time.monotonic() - t0
    t.log(f"{CYCLES} cycles in {dt:.1f}s ({dt / CYCLES:.2f}s each)")
    t.check_eq(f"{CYCLES} cycles: MAC+IP announced at the RR every time", announced, CYCLES)
    t.check_eq(f"{CYCLES} cycles: the container reached cb1 every time", pinged, CYCLES)
    t.check_eq(f"{CYCLES} cycles: withdrawn at the RR every time", withdrawn, CYCLES)
    t.check_eq("RR: the same type-2 routes as before the cycles (cb1's)",
               sorted((r["mac"], str(r.get("ip"))) for r in cf.rr_type2_all()), rr0)
    for what, ns in (("node b", cf.fab.leaf_ns[1]), ("the FRR leaf", cf.fab.tenant_ns[2])):
        left = [x for m in macs for x in cf.fdb(ns, m)]
        t.check(f"{what}: 0 FDB entries of the {CYCLES} cycle MACs (got {len(left)})", not left, left)
    clean(cf, t, "a", macs, links0, f"after {CYCLES} cycles")


if __name__ == "__main__":
    harness.main(run, "cni_podman_cycles", needs=harness.FRR_BINS + PODMAN_BINS)
