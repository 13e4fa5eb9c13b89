#!/usr/bin/env python3
"""Fault injection: kernel drift repaired, and hosts present at start withdrawn (issue 12, defects 4, 6).

An all-evpnd fabric (evpnd RR, two evpnd leaves, VNI 100, Linux data plane). Behind leaf1's back,
with `bridge`/`ip`: a remote-MAC FDB entry (both halves), a flood entry and the whole vxlan100
device are deleted. Each must be back within REPAIR_S with a ping across proving forwarding, and
/metrics and /v1/evpn/vnis must have reported the drift (then be healthy again).

Defect 4: leaf1 starts with a static MAC already in br100 (learned before evpnd ran). leaf2 must see
its type-2 route; once the MAC is deleted from the bridge after the start, leaf2's route must go.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import UnixHTTPConnection  # noqa: E402
from lib.fabric import Fabric, leaf_ip  # noqa: E402

REPAIR_S = 5
EARLY_MAC = "02:00:00:01:99:01"  # in leaf1's bridge before evpnd starts


def fdb(ns, dev: str) -> str:
    return ns.run("bridge", "fdb", "show", "dev", dev, check=False)


def remote_mac_installed(tenant, vni: int, mac: str, vtep: str) -> bool:
    out = fdb(tenant, f"vxlan{vni}")
    self_ok = re.search(rf"^{mac} (dev \S+ )?dst {re.escape(vtep)} .*self.*extern_learn", out, re.M | re.I)
    master_ok = any(ln.lower().startswith(mac.lower() + " ") and f"master br{vni}" in ln and "extern_learn" in ln
                    for ln in out.splitlines())
    return bool(self_ok and master_ok)


def flood_installed(tenant, vni: int, vtep: str) -> bool:
    return bool(re.search(rf"^00:00:00:00:00:00 (dev \S+ )?dst {re.escape(vtep)} .*self permanent",
                          fdb(tenant, f"vxlan{vni}"), re.M))


def metrics(node) -> str:
    c = UnixHTTPConnection(node.socket)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    return text


def metric(text: str, name: str, labels: str) -> float:
    m = re.search(rf"^{name}\{{{re.escape(labels)}\}} (\S+)$", text, re.M)
    return float(m.group(1)) if m else -1


def vni_dataplane(node, vni: int) -> dict:
    for v in node.api.get("/v1/evpn/vnis")["vnis"]:
        if v["vni"] == vni:
            return v.get("dataplane", {})
    return {}


def remote_macs(node, vni: int) -> set[str]:
    return {m["mac"] for m in node.api.get(f"/v1/evpn/macs?vni={vni}")["macs"] if m["type"] == "remote"}


def run(t: harness.Test) -> None:
    fab = Fabric(t.lab, leaves=2, spine_kind="evpnd", leaf_kinds=["evpnd", "evpnd"], vnis=(100,),
                 hosts_per_vni={100: 1}).build()
    fab.make_nodes()
    l1, l2 = fab.leaf_nodes
    t1, _ = fab.tenant_ns
    h1, h2 = fab.hosts_at(1, 100)[0], fab.hosts_at(2, 100)[0]
    # Defect 4 set-up: a MAC in the bridge before evpnd runs (a restart finds hosts already there).
    t1.bridge("fdb", "add", EARLY_MAC, "dev", f"l1-{h1.name}", "master", "static")
    fab.spine.start()
    l1.start()
    l2.start()
    t.check_wait("leaves <-> evpnd RR Established", lambda: (fab.wait_established(40) or True), 45)
    fab.announce_hosts()
    t.check_wait(f"leaf1: remote MAC {h2.mac} and flood entry -> leaf2 installed",
                 lambda: remote_mac_installed(t1, 100, h2.mac, leaf_ip(2)) and flood_installed(t1, 100, leaf_ip(2)), 20)
    t.check_wait(f"ping {h1.name} (leaf1) -> {h2.name} {h2.ip} (leaf2)", lambda: h1.ns.ping(h2.ip, 1), 15)

    # Defect 4: the MAC that was in the bridge at start is advertised, then withdrawn once deleted.
    t.check_wait(f"leaf2 has the type-2 route of {EARLY_MAC} (in leaf1's bridge before evpnd started)",
                 lambda: EARLY_MAC in remote_macs(l2, 100), 15)
    t1.bridge("fdb", "del", EARLY_MAC, "dev", f"l1-{h1.name}", "master")
    t.check_wait(f"{EARLY_MAC} deleted on leaf1 after the start: leaf2's type-2 route withdrawn",
                 lambda: EARLY_MAC not in remote_macs(l2, 100), REPAIR_S)

    # Drift 1: a remote MAC's FDB entries (vxlan `self` and bridge `master`) deleted.
    t1.bridge("fdb", "del", h2.mac, "dev", "vxlan100", "self")
    t1.bridge("fdb", "del", h2.mac, "dev", "vxlan100", "master")
    t.check_wait(f"remote MAC {h2.mac} deleted behind evpnd's back: re-installed within {REPAIR_S} s",
                 lambda: remote_mac_installed(t1, 100, h2.mac, leaf_ip(2)), REPAIR_S)
    t.check_wait(f"ping {h1.name} -> {h2.name} after the MAC repair", lambda: h1.ns.ping(h2.ip, 1), 5)

    # Drift 2: the flood entry to leaf2 deleted.
    t1.bridge("fdb", "del", "00:00:00:00:00:00", "dev", "vxlan100", "dst", leaf_ip(2), "self")
    t.check_wait(f"flood entry -> {leaf_ip(2)} deleted behind evpnd's back: re-installed within {REPAIR_S} s",
                 lambda: flood_installed(t1, 100, leaf_ip(2)), REPAIR_S)

    # Drift 3: the vxlan device deleted: recreated, enslaved and re-populated.
    t1.ip("link", "del", "vxlan100")
    t.check_wait(f"vxlan100 deleted behind evpnd's back: recreated with its entries within {REPAIR_S} s",
                 lambda: "master br100" in t1.ip("link", "show", "vxlan100", check=False)
                 and remote_mac_installed(t1, 100, h2.mac, leaf_ip(2)) and flood_installed(t1, 100, leaf_ip(2)),
                 REPAIR_S)
    t.check_wait(f"ping {h1.name} -> {h2.name} across the recreated vxlan100", lambda: h1.ns.ping(h2.ip, 1), 5)

    # Reported: per kind in /metrics, per VNI in the API (healthy again, drift counted, last error).
    text = metrics(l1)
    for kind in ("remote-mac", "flood-entry", "l2vni"):
        t.check(f"/metrics: evpnd_dataplane_drift_total{{kind=\"{kind}\"}} >= 1",
                metric(text, "evpnd_dataplane_drift_total", f'kind="{kind}"') >= 1,
                [ln for ln in text.splitlines() if "drift" in ln])
    t.check("/metrics: nothing pending any more",
            all(float(v) == 0 for v in re.findall(r"^evpnd_dataplane_retries_pending\{[^}]*\} (\S+)$", text, re.M)),
            [ln for ln in text.splitlines() if "pending" in ln])
    dp = t.check_wait("API /v1/evpn/vnis: VNI 100 healthy again, the drifts counted",
                      lambda: (lambda d: d if d.get("state") == "ok" and d.get("drifts", 0) >= 3 else None)(
                          vni_dataplane(l1, 100)), 5)
    t.check("API /v1/evpn/vnis: VNI 100's last error names what was removed",
            "removed behind our back" in (dp or {}).get("last_error", ""), dp)
    errs = l1.daemon.log_tail(400)
    t.check("leaf1 log: the drift was logged", "removed behind our back" in errs, errs[-800:])


if __name__ == "__main__":
    harness.main(run, "fault_drift", duts=("evpnd",), needs=())
