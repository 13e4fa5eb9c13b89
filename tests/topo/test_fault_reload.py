#!/usr/bin/env python3
"""Fault injection (issue 12, defect 1): a reload whose `listen` cannot be bound, under a running fabric.

evpnd route reflector between an FRR leaf and an evpnd leaf (Linux data plane). With sessions up,
routes reflected and hosts pinging across leaves, the RR's file gets a `listen` it cannot bind —
an address that is not local (192.0.2.1, with a neighbour added in the same file), then a port
another socket in its namespace listens on. Each reload must be refused whole (HTTP 400 with the
reason, `evpnd_config_reloads_refused_total` +1, the added neighbour absent) and leave every
session Established without a reset, the reflected routes and kernel entries in place, pings
flowing, and the running listener accepting connections. Before the fix the first reload tore
down every session, removed every neighbour and answered 500 with nothing listening.
"""
import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import ApiError, UnixHTTPConnection  # noqa: E402
from lib.fabric import SPINE_IP, Fabric, leaf_ip  # noqa: E402
from lib.frr import Neighbor  # noqa: E402
from lib.netns import socket_in_netns  # noqa: E402
from lib.routes import find  # noqa: E402

BUSY_PORT = 1790


def metric(node, name: str) -> int:
    c = UnixHTTPConnection(node.socket)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    m = re.search(rf"^{name} (\d+)", text, re.M)
    return int(m.group(1)) if m else -1


def refused_reload(t: harness.Test, spine, what: str, reason: str) -> None:
    try:
        rep = spine.reload()
        t.check(f"{what}: reload refused", False, rep)
    except ApiError as e:
        t.check(f"{what}: reload refused with 400 and the reason", e.status == 400 and reason in e.body, str(e))


def run(t: harness.Test) -> None:
    fab = Fabric(t.lab, leaves=2, spine_kind="evpnd", leaf_kinds=["frr", "evpnd"]).build().start()
    spine = fab.spine
    t.check_wait("leaf1 (FRR) / leaf2 (evpnd) <-> evpnd RR Established", lambda: (fab.wait_established(40) or True), 45)
    fab.announce_hosts()
    a, b = fab.hosts_at(1, 100)[0], fab.hosts_at(2, 100)[0]
    t.check_wait(f"leaf2 learns {a.mac} of leaf1 via the RR", lambda: find(fab.leaf_nodes[1].evpn_routes(), type=2,
                                                                             mac=a.mac), 25)
    t.check_wait(f"ping {a.name} (leaf1) -> {b.name} {b.ip} (leaf2)", lambda: a.ns.ping(b.ip, 1), 20)

    def uptimes():
        return {ip: spine.neighbor_info(ip).get("uptime_seconds", -1) for ip in (leaf_ip(1), leaf_ip(2))}

    def resets():
        return {ip: spine.neighbor_info(ip).get("counters", {}).get("session_resets", -1) for ip in (leaf_ip(1), leaf_ip(2))}

    up0, resets0 = uptimes(), resets()
    routes0 = spine.summary()["loc_rib_routes"]
    refused0 = metric(spine, "evpnd_config_reloads_refused_total")
    applied0 = metric(spine, "evpnd_config_reloads_total")

    # 1. An address that is not local, and a neighbour added in the same file.
    spine.listen_address = "192.0.2.1"
    spine.neighbors.append(Neighbor("10.255.0.77", 65000, description="not-applied"))
    refused_reload(t, spine, "listen 192.0.2.1 (not local)", "cannot listen on 192.0.2.1:179")
    t.check("the neighbour added with it was not applied", spine.neighbor_info("10.255.0.77") == {},
            spine.neighbor_info("10.255.0.77"))
    spine.neighbors.pop()
    spine.listen_address = None

    # 2. A port another socket in the RR's namespace listens on.
    busy = socket_in_netns(spine.ns.name, socket.AF_INET, socket.SOCK_STREAM)
    try:
        busy.bind((SPINE_IP, BUSY_PORT))
        busy.listen(1)
        spine.listen_port = BUSY_PORT
        refused_reload(t, spine, f"listen port {BUSY_PORT} in use", "Address already in use")
    finally:
        busy.close()
        spine.listen_port = 179

    t.check_eq("evpnd_config_reloads_refused_total counts both", metric(spine, "evpnd_config_reloads_refused_total"),
               refused0 + 2)
    t.check_eq("evpnd_config_reloads_total unchanged", metric(spine, "evpnd_config_reloads_total"), applied0)
    # Everything still running: sessions never reset, routes and forwarding in place.
    for ip in (leaf_ip(1), leaf_ip(2)):
        t.check(f"RR -> {ip} still Established", spine.established(ip), spine.neighbor_info(ip))
    t.check("no session reset on the RR", resets() == resets0, (resets0, resets()))
    up1 = uptimes()
    t.check("session uptimes kept growing (no restart)", all(up1[k] >= up0[k] >= 0 for k in up0), (up0, up1))
    t.check("leaf1 (FRR) still Established", fab.leaf_nodes[0].established(SPINE_IP))
    t.check("leaf2 (evpnd) still Established", fab.leaf_nodes[1].established(SPINE_IP))
    t.check_eq("RR Loc-RIB route count unchanged", spine.summary()["loc_rib_routes"], routes0)
    t.check("leaf2 still has leaf1's type-2", bool(find(fab.leaf_nodes[1].evpn_routes(), type=2, mac=a.mac)))
    t.check_wait(f"ping {a.name} -> {b.name} still works", lambda: a.ns.ping(b.ip, 1), 10)

    # The running listener (0.0.0.0:179) still accepts connections.
    probe = socket_in_netns(fab.leaf_ns[0].name, socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.settimeout(5)
        probe.connect((SPINE_IP, 179))
        t.check("RR still accepts TCP connections on :179", True)
    except OSError as e:
        t.check("RR still accepts TCP connections on :179", False, str(e))
    finally:
        probe.close()


if __name__ == "__main__":
    harness.main(run, "fault_reload_listen")
