#!/usr/bin/env python3
"""API endpoints of an evpnd leaf and the ports they name (issue 11; docs/API.md "Run-time
segments and endpoints", src/daemon/daemon_endpoints.cpp), on the Linux data plane:

  * POST /v1/evpn/endpoints puts the pod's MAC and MAC+IP type-2 routes in the Loc-RIB at once;
  * evpnd restarted: the endpoint whose veth still exists is announced again (state file), the one
    whose veth was deleted while evpnd was down is dropped (no stale route);
  * a veth deleted while evpnd runs (a runtime that never calls DEL) retracts its endpoint.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import EvpndNode  # noqa: E402
from lib.routes import find  # noqa: E402

DUT_IP = "10.0.9.0"
PODS = {"ep1": ("02:ee:00:00:01:05", "10.1.0.5"), "ep2": ("02:ee:00:00:01:06", "10.1.0.6")}


def run(t: harness.Test) -> None:
    lab = t.lab
    dut_ns, pod_ns = lab.netns("dut"), lab.netns("pod")
    dut = EvpndNode(lab, dut_ns, 65000, DUT_IP, [],
                    extra={"vtep": {"source-ip": DUT_IP, "dataplane": "linux"}, "l2vnis": [{"vni": 100}]}).start()
    t.check_wait("br100 created by evpnd", lambda: dut_ns.try_run("ip", "link", "show", "br100").returncode == 0, 10)
    for name, (mac, _) in PODS.items():
        # The pod's veth: host side on the VNI's bridge, the other end in the pod's namespace.
        dut_ns.ip("link", "add", f"{name}h", "type", "veth", "peer", "name", f"{name}c")
        dut_ns.ip("link", "set", f"{name}c", "netns", pod_ns.name)
        dut_ns.ip("link", "set", f"{name}h", "master", "br100", "up")
        pod_ns.ip("link", "set", f"{name}c", "address", mac, "up")

    def routes(mac: str) -> set:
        return {r.get("ip") or "mac" for r in find(dut.evpn_routes(), type=2, mac=mac)}

    def endpoints() -> set:
        return {e["interface"] for e in dut.api.get("/v1/evpn/endpoints")["endpoints"]}

    for name, (mac, ip) in PODS.items():
        r = dut.api.post("/v1/evpn/endpoints", {"vni": 100, "mac": mac, "ips": [ip], "interface": f"{name}h",
                                                "attachment": f"test/{name}/eth0"})
        t.check_eq(f"POST {name}: the endpoint echoed", r.get("interface"), f"{name}h")
        t.check_eq(f"{name}: MAC and MAC+IP type-2 in the Loc-RIB at once", routes(mac), {"mac", ip})

    dut.stop()
    dut_ns.ip("link", "del", "ep2h")  # the pod went while evpnd was down: no DEL reached it
    dut.start()
    t.check_wait("restart: ep1's routes announced again from the state file",
                 lambda: routes(PODS["ep1"][0]) == {"mac", PODS["ep1"][1]}, 10)
    t.check_eq("restart: ep2 (port gone) not announced", routes(PODS["ep2"][0]), set())
    t.check_eq("restart: only ep1 is an endpoint", endpoints(), {"ep1h"})
    with open(os.path.join(lab.path("evpnd", dut.name, "state"), "runtime.json")) as f:
        saved = [e["interface"] for e in json.load(f)["endpoints"]]
    t.check_eq("restart: the state file lists ep1 only", saved, ["ep1h"])

    dut_ns.ip("link", "del", "ep1h")  # deleted under a running evpnd, no DELETE
    t.check_wait("ep1's port deleted: the endpoint is retracted", lambda: endpoints() == set(), 10)
    t.check_eq("ep1's port deleted: its routes are withdrawn", routes(PODS["ep1"][0]), set())


if __name__ == "__main__":
    harness.main(run, "endpoint_backstop", duts=("evpnd",), needs=("bridge",))
