"""The fabric of the CNI plugin's real-runtime tests (issue 11): podman on two evpnd "nodes".

An evpnd route reflector, two evpnd leaves ("node a" = leaf1, "node b" = leaf2; Linux data plane,
on-stop keep, a state-dir (lib/evpnd.py), no VNI 5001 in their configuration: the plugin creates
it through the API), and an FRR leaf (leaf3) with host h5001 on VNI 5001 at 192.168.137.250, outside both nodes'
IPAM ranges (.10-.99 on a, .100-.199 on b). Each evpnd node runs a PodmanNode (lib/podman.py) in
its namespace whose networks use the evpn plugin from <build>/tools/evpn-cni/bin; podman's
environment (and conmon's, for the DELs of `podman container cleanup`) carries EVPND_SOCKET and
EVPN_CNI_DATA_DIR (libcni passes them to plugins); the `evpn` conflists also name them in their
"socket" and "dataDir" keys, the `vxlan` one (the mission's config) cannot.

plugin="bridge" is the harness stand-in (like `--dut frr` elsewhere): the nodes get VNI 5001 in
their configuration and the stock `bridge` plugin plugs containers into br5001; MAC/IPs are then
learned from traffic, so only the data-path checks apply.
"""
from __future__ import annotations

import json
import os
import re
import subprocess

from .evpnd import ApiError, EvpndNode
from .fabric import SPINE_IP, Fabric, vni_subnet
from .harness import find_bin, wait_until
from .netns import Netns
from .podman import PodmanNode
from .routes import normalize_evpnd_route

VNI = 5001
SUBNET = vni_subnet(VNI)                  # 192.168.137 (/24)
HOST_IP = f"{SUBNET}.250"
HOST_MAC = "02:00:00:03:89:fa"
RANGES = {"a": (10, 99), "b": (100, 199)}


def plugin_dir() -> str | None:
    """<build>/tools/evpn-cni/bin (evpn + the vxlan alias), next to the evpnd that is used."""
    evpnd = find_bin("evpnd")
    if not evpnd:
        return None
    build = os.path.dirname(os.path.dirname(os.path.dirname(evpnd)))  # <build>/src/daemon/evpnd
    for d in (os.path.join(build, "tools", "evpn-cni", "bin"),
              os.path.join(os.environ.get("EVPND_BIN_DIR", build), "tools", "evpn-cni", "bin")):
        if os.access(os.path.join(d, "evpn"), os.X_OK):
            return d
    return None


class CniFabric:
    def __init__(self, t, plugin: str = "evpn", gr: bool = True):
        self.t, self.lab, self.plugin = t, t.lab, plugin
        self.tag = str(os.getpid())
        self.fab = Fabric(self.lab, leaves=3, spine_kind="evpnd", leaf_kinds=["evpnd", "evpnd", "frr"],
                          vnis=(VNI,), hosts_per_vni={VNI: 0}, l3vni=None,
                          leaf_vnis={1: (), 2: ()})
        self.gr = gr
        self.pdir = plugin_dir() if plugin != "bridge" else None

    # --- build -----------------------------------------------------------------------------
    def start(self) -> "CniFabric":
        fab, lab = self.fab, self.lab
        fab.build()
        fab.make_nodes()
        self.rr: EvpndNode = fab.spine
        self.a: EvpndNode = fab.leaf_nodes[0]
        self.b: EvpndNode = fab.leaf_nodes[1]
        self.frr = fab.leaf_nodes[2]
        self.rr.extra["graceful-restart"] = {"enabled": self.gr, "restart-time": 30, "stale-time": 60}
        for n in (self.a, self.b):  # (lib/evpnd.py gives each a state-dir: runtime.json)
            n.extra["vtep"]["on-stop"] = "keep"
            n.extra["graceful-restart"] = {"enabled": self.gr, "restart-time": 30, "stale-time": 60,
                                           "select-defer-time": 5}
            if self.plugin == "bridge":  # stand-in: the segment is configured, not made by a plugin
                n.extra["l2vnis"] = [{"vni": VNI, "bridge": f"br{VNI}", "vxlan-device": f"vxlan{VNI}",
                                      "arp-suppression": True}]
        self.rr.start()
        for n in fab.leaf_nodes:
            n.start()
        fab.wait_established(45)
        self.host = self._host()
        self.nodes = {"a": self.a, "b": self.b}
        env = {}
        self.pm: dict[str, PodmanNode] = {}
        for short, n, ns in (("a", self.a, fab.leaf_ns[0]), ("b", self.b, fab.leaf_ns[1])):
            env = {"EVPND_SOCKET": n.socket,  # for conflists without "socket" (the mission's)
                   "EVPN_CNI_DATA_DIR": os.path.dirname(lab.path("podman", short, "records", "x"))}
            self.pm[short] = PodmanNode(lab, ns, short, [self.pdir] if self.pdir else [], env=env)
        self.net = {s: self.pm[s].add_network(self.conflist(s)) for s in ("a", "b")}
        return self

    def _host(self) -> Netns:
        """h5001 behind the FRR leaf (leaf3), outside both IPAM ranges."""
        tenant = self.fab.tenant_ns[2]
        h = self.lab.netns("h5001")
        self.lab.veth(tenant, "l3-h5001", h, "eth0")
        tenant.ip("link", "set", "l3-h5001", "master", f"br{VNI}")
        h.ip("link", "set", "eth0", "address", HOST_MAC)
        h.addr("eth0", f"{HOST_IP}/24")
        return h

    def conflist(self, short: str) -> dict:
        pm, (lo, hi) = self.pm[short], RANGES[short]
        ipam = {"type": "host-local", "dataDir": pm.ipam_dir,
                "ranges": [[{"subnet": f"{SUBNET}.0/24", "rangeStart": f"{SUBNET}.{lo}",
                             "rangeEnd": f"{SUBNET}.{hi}"}]]}
        name = f"evt-{short}{VNI}-{self.tag}"   # per node and per run: libcni's cache is shared
        if self.plugin == "bridge":
            return {"cniVersion": "1.0.0", "name": name,
                    "plugins": [{"type": "bridge", "bridge": f"br{VNI}", "isGateway": False, "ipam": ipam}]}
        return {"cniVersion": "1.0.0", "name": name,
                "plugins": [{"type": "evpn", "vni": VNI, "socket": self.nodes[short].socket,
                             "dataDir": pm.records_dir, "ipam": ipam}]}

    # --- views -----------------------------------------------------------------------------
    def rr_type2_all(self) -> list[dict]:
        """VNI 5001's type-2 routes in the RR's table, read with `evpnctl --json` (normalized)."""
        p = subprocess.run([find_bin("evpnctl"), "--socket", self.rr.socket, "show", "bgp", "evpn",
                            "routes", "--type", "2", "--json"], capture_output=True, text=True, timeout=20)
        if p.returncode != 0:
            raise RuntimeError(f"evpnctl: {p.stderr.strip()}")
        j = json.loads(p.stdout)
        items = j.get("routes", []) if isinstance(j, dict) else j
        out = []
        for e in items:
            r = normalize_evpnd_route(e)
            r["stale"] = bool(e.get("stale"))  # kept as stale by graceful restart (RFC 4724 §4.2)
            if VNI in (r.get("labels") or []):
                out.append(r)
        return out

    def rr_type2(self, mac: str) -> list[dict]:
        """The RR's type-2 routes for `mac`."""
        return [r for r in self.rr_type2_all() if (r.get("mac") or "") == mac.lower()]

    def rr_has(self, mac: str, ip: str | None, fresh: bool = False) -> bool:
        """The RR has `mac`'s type-2 with `ip` (None: MAC only); `fresh`: and it is not stale."""
        return any(r.get("ip") == ip and not (fresh and r["stale"]) for r in self.rr_type2(mac))

    def fdb(self, ns: Netns, mac: str) -> list[str]:
        """Kernel FDB lines for `mac` in namespace `ns` (every bridge and vxlan device)."""
        out = ns.run("bridge", "fdb", "show", check=False)
        return [ln for ln in out.splitlines() if ln.lower().startswith(mac.lower() + " ")]

    def endpoints(self, short: str) -> list[dict]:
        try:
            return self.nodes[short].api.get(f"/v1/evpn/endpoints?vni={VNI}").get("endpoints", [])
        except ApiError as e:
            if e.status == 404:
                return []
            raise

    def vni_state(self, short: str) -> dict | None:
        """GET /v1/evpn/vnis/5001 on a node, None when the VNI does not run there."""
        try:
            return self.nodes[short].api.get(f"/v1/evpn/vnis/{VNI}")
        except ApiError as e:
            if e.status == 404:
                return None
            raise

    def links(self, short: str) -> list[str]:
        ns = self.fab.leaf_ns[0 if short == "a" else 1]
        out = ns.ip("-o", "link", "show")
        return sorted(m.group(1) for m in re.finditer(r"^\d+: ([^:@]+)[@:]", out, re.M))

    def leftovers(self, short: str, macs: list[str]) -> dict:
        """Everything a removed container may leave on its node, as counts-worthy lists."""
        pm, net = self.pm[short], self.net[short]
        ns = self.fab.leaf_ns[0 if short == "a" else 1]
        st = self.vni_state(short) if self.plugin != "bridge" else None
        return {"veths": pm.veths(), "leases": pm.leases(net), "results": pm.result_files(),
                "records": pm.records(), "fdb": [x for m in macs for x in self.fdb(ns, m)],
                "endpoints": self.endpoints(short) if self.plugin != "bridge" else [],
                "vni_attachments": (st or {}).get("attachments", []), "vni": bool(st)}

    def wait_rr(self, mac: str, ip: str | None, present: bool, timeout: float = 10) -> bool:
        try:
            wait_until(lambda: self.rr_has(mac, ip) == present, timeout, 0.1,
                       what=f"RR {'has' if present else 'lost'} {mac} {ip}")
            return True
        except AssertionError:
            return False


__all__ = ["CniFabric", "VNI", "SUBNET", "HOST_IP", "HOST_MAC", "RANGES", "SPINE_IP", "plugin_dir"]
