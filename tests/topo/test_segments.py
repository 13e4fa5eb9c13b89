#!/usr/bin/env python3
"""Issue 11, daemon side of run-time segments: PUT/GET/DELETE /v1/evpn/vnis/N on a real leaf.

One evpnd leaf (Linux data plane, vrf-backend netns, VRF red in namespace evt-red-<pid>), no
fabric: the kernel objects are the subject. Checks: a PUT with `vrf` + `gateway` answers 201 with
`netns` = red's namespace, and the bridge, its anycast gateway address and the VXLAN device are
there (the CNI plugin puts the pod's veth where `netns` says); a VNI without `vrf` lives in the
leaf's namespace (`netns` ""); a second attachment is 200; evpnd restarts (stop, start): the VNI is
back with the same RD and attachments, its devices in place; releasing the last attachment deletes
the devices; a bad body is 400 naming the key and creates nothing.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import EvpndNode, UnixHTTPConnection  # noqa: E402


def call(node: EvpndNode, method: str, path: str, body=None) -> tuple[int, dict]:
    c = UnixHTTPConnection(node.socket)
    try:
        data = json.dumps(body).encode() if body is not None else None
        c.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        r = c.getresponse()
        text = r.read().decode()
    finally:
        c.close()
    return r.status, (json.loads(text) if text.strip() else {})


def link(ns, dev: str) -> str:
    """`ip -d addr show DEV` in `ns` ("" when absent)."""
    return ns.ip("-d", "addr", "show", dev, check=False)


def run(t: harness.Test) -> None:
    lab = t.lab
    leaf, red = lab.netns("leaf"), lab.netns("red")
    leaf.loopback("10.255.0.1/32")
    red.ip("link", "set", "lo", "up")
    vrf = {"name": "red", "l3vni": 5002, "router-mac": "02:00:0a:ff:00:02", "netns": red.name}
    node = EvpndNode(lab, leaf, 65000, "10.255.0.1",
                     extra={"vtep": {"source-ip": "10.255.0.1", "dataplane": "linux"}, "vrf-backend": "netns",
                            "vrfs": [vrf], "l2vnis": [{"vni": 100}]})
    node.start()

    st, body = call(node, "PUT", "/v1/evpn/vnis/300", {"attachment": "net/c1/eth0", "vrf": "red", "gateway": "10.30.0.1/24"})
    t.check_eq("PUT 300 (vrf red, gateway): 201", st, 201)
    t.check_eq("VNI-STATE netns is red's namespace", body.get("netns"), red.name)
    t.check_eq("VNI-STATE bridge", body.get("bridge"), "br300")
    rd = body.get("rd")
    t.check_wait("br300 is in red's namespace with the gateway 10.30.0.1/24",
                 lambda: "10.30.0.1/24" in link(red, "br300"), 10)
    t.check_wait("vxlan300 (VNI 300) is in red's namespace, on br300",
                 lambda: "id 300" in link(red, "vxlan300") and "master br300" in link(red, "vxlan300"), 10)
    t.check("nothing of VNI 300 in the leaf's namespace", not link(leaf, "br300"), link(leaf, "br300"))

    st, body = call(node, "PUT", "/v1/evpn/vnis/301", {})
    t.check_eq("PUT 301 (no vrf): 201, in evpnd's own namespace", (st, body.get("netns")), (201, ""))
    t.check_wait("br301 in the leaf's namespace", lambda: link(leaf, "br301"), 10)
    st, body = call(node, "PUT", "/v1/evpn/vnis/300", {"attachment": "net/c2/eth0", "gateway": "10.30.0.1/24"})
    t.check_eq("a second attachment: 200", st, 200)
    st, body = call(node, "PUT", "/v1/evpn/vnis/302", {"vrf": "blue"})
    t.check("unknown VRF: 400 naming the key", st == 400 and body.get("error", "").startswith("vrf:"), body)
    t.check("and nothing created", not link(leaf, "br302") and call(node, "GET", "/v1/evpn/vnis/302")[0] == 404)

    # Restart: the API VNIs are set up again from <state-dir>/runtime.json, same RD.
    t0 = time.monotonic()
    node.stop()
    node.start()
    st, body = call(node, "GET", "/v1/evpn/vnis/300")
    t.check_eq("after a restart VNI 300 is back (origin api)", (st, body.get("origin")), (200, "api"))
    t.check_eq("with the same RD", body.get("rd"), rd)
    t.check_eq("and its attachments", body.get("attachments"), ["net/c1/eth0", "net/c2/eth0"])
    t.check_wait("br300 with its gateway in red's namespace after the restart",
                 lambda: "10.30.0.1/24" in link(red, "br300"), 10)
    t.log(f"restart to VNI back: {time.monotonic() - t0:.2f}s")

    # Releases: the last one removes the VNI and its devices.
    st, body = call(node, "DELETE", "/v1/evpn/vnis/300?attachment=net/c1/eth0")
    t.check("first release: released, not removed", body.get("released") is True and body.get("removed") is False, body)
    st, body = call(node, "DELETE", "/v1/evpn/vnis/300?attachment=net/c2/eth0")
    t.check("last release: removed", body.get("removed") is True, body)
    t.check_wait("br300 and vxlan300 deleted", lambda: not link(red, "br300") and not link(red, "vxlan300"), 10)
    st, body = call(node, "DELETE", "/v1/evpn/vnis/301?attachment=api")
    t.check_wait("br301 deleted", lambda: not link(leaf, "br301"), 10)
    st, body = call(node, "DELETE", "/v1/evpn/vnis/100?attachment=api")
    t.check("the file's VNI 100 is not removed by a release", body.get("removed") is False and link(leaf, "br100"), body)
    t.log(f"done in {time.monotonic() - t.t0:.1f}s")


if __name__ == "__main__":
    harness.main(run, "segments", needs=())
