"""A dual-homed host without a bond driver, and frame counters (../shared/research/multihoming.md §4).

The test kernel has no bonding, so a "LAG" namespace stands between the host and its two leaves:

    host ns: eth0 ──veth── lag ns: lag-h   ingress u32 mirred redirect -> lag-a (or lag-b)
                                   lag-a   ingress redirect -> lag-h ──veth── leaf A bridge port
                                   lag-b   ingress redirect -> lag-h ──veth── leaf B bridge port

Each tc filter counts what it redirected, so the per-leg counters are exact frame counts. A cut
leg is `ip link set lag-a down`: the leaf's port loses carrier, as when a cable is pulled.

BumProbe counts tagged frames received (never sent: PACKET_OUTGOING is skipped) on several
interfaces in several namespaces with AF_PACKET sockets, so a test asserts "exactly 20" instead
of eyeballing tcpdump output.
"""
from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass

from .netns import Netns

ETHERTYPE = 0x88B5  # IEEE local experimental: nothing else on the test links uses it


@dataclass
class Lag:
    """Host `host` (interface eth0) dual-homed through namespace `ns` to ports `port_a` (in
    namespace `tenant_a`, bridge `bridge_a`) and `port_b`."""
    ns: Netns
    host: Netns
    tenant_a: Netns
    tenant_b: Netns
    port_a: str
    port_b: str
    active: str = "a"  # the leg the host sends on ("a" or "b"); both legs deliver to the host

    def build(self, lab, bridge_a: str, bridge_b: str, mac: str, cidr: str, gateway: str | None) -> "Lag":
        lab.veth(self.host, "eth0", self.ns, "lag-h")
        lab.veth(self.ns, "lag-a", self.tenant_a, self.port_a)
        lab.veth(self.ns, "lag-b", self.tenant_b, self.port_b)
        self.tenant_a.ip("link", "set", self.port_a, "master", bridge_a, "up")
        self.tenant_b.ip("link", "set", self.port_b, "master", bridge_b, "up")
        for dev in ("lag-h", "lag-a", "lag-b"):
            self.ns.ip("link", "set", dev, "up")
            self.ns.run("tc", "qdisc", "add", "dev", dev, "clsact")
        self._redirect_host_to(self.active)
        for leg in ("a", "b"):
            # pref 5 counts the probes' frames alone (ethertype 0x88b5), pref 10 carries the rest.
            self.ns.run("tc", "filter", "add", "dev", f"lag-{leg}", "ingress", "pref", "5", "protocol",
                        hex(ETHERTYPE), "u32", "match", "u32", "0", "0", "action", "mirred", "egress",
                        "redirect", "dev", "lag-h")
            self.ns.run("tc", "filter", "add", "dev", f"lag-{leg}", "ingress", "pref", "10", "u32",
                        "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", "lag-h")
        self.host.ip("link", "set", "eth0", "address", mac)
        self.host.ip("link", "set", "eth0", "up")
        self.host.addr("eth0", cidr)
        if gateway:
            self.host.ip("route", "add", "default", "via", gateway)
        return self

    def _redirect_host_to(self, leg: str) -> None:
        self.ns.run("tc", "filter", "replace", "dev", "lag-h", "ingress", "pref", "10", "handle", "800::800",
                    "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", f"lag-{leg}")
        self.active = leg

    def send_via(self, leg: str) -> None:
        """The host hashes everything onto one leg (as a LAG with one flow would)."""
        self._redirect_host_to(leg)

    def split_flows(self) -> None:
        """Per-flow split: odd IPv4 destinations go on leg b, the rest on the active leg."""
        self.ns.run("tc", "filter", "replace", "dev", "lag-h", "ingress", "pref", "5", "protocol", "ip",
                    "u32", "match", "u32", "1", "1", "at", "16", "action", "mirred", "egress", "redirect",
                    "dev", "lag-b")

    def cut(self, leg: str) -> None:
        self.ns.ip("link", "set", f"lag-{leg}", "down")

    def restore(self, leg: str) -> None:
        self.ns.ip("link", "set", f"lag-{leg}", "up")

    def received(self, leg: str) -> int:
        """Probe frames (ethertype 0x88b5) the leaf on `leg` delivered towards the host."""
        out = self.ns.run("tc", "-s", "-j", "filter", "show", "dev", f"lag-{leg}", "ingress", "pref", "5")
        return _sent_packets(out)


def _sent_packets(tc_json: str) -> int:
    total = 0
    for f in json.loads(tc_json or "[]"):
        for a in f.get("options", {}).get("actions", []):
            total += int(a.get("stats", {}).get("packets", 0))
    return total


# One receiver per (namespace, interface): prints how many frames with the tag it received.
_RECEIVER = r"""
import socket, sys, time
ifname, tag, secs = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88B5))
s.bind((ifname, 0))
s.settimeout(0.1)
print("ready", flush=True)
n, end = 0, time.time() + secs
while time.time() < end:
    try:
        data, addr = s.recvfrom(2048)
    except socket.timeout:
        continue
    if addr[2] != socket.PACKET_OUTGOING and tag in data:
        n += 1
print(n, flush=True)
"""

_SENDER = r"""
import socket, sys
ifname, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
dst = bytes.fromhex(sys.argv[4].replace(":", "")) if len(sys.argv) > 4 else b"\xff" * 6
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
src = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
for i in range(n):
    s.send(dst + src + b"\x88\xb5" + f"{tag}-{i}".encode().ljust(46, b"\0"))
"""


class BumProbe:
    """Sends N tagged frames from one interface and counts them on others (received only)."""

    def __init__(self, listeners: dict[str, tuple[Netns, str]], listen_secs: float = 4.0):
        self.listeners = listeners
        self.listen_secs = listen_secs

    def send(self, sender: tuple[Netns, str], tag: str, n: int = 20, dst: str | None = None) -> dict[str, int]:
        procs = {}
        for name, (ns, ifname) in self.listeners.items():
            p = subprocess.Popen(ns.wrap(["python3", "-c", _RECEIVER, ifname, tag, str(self.listen_secs)]),
                                 stdout=subprocess.PIPE, text=True)
            procs[name] = p
        for p in procs.values():  # every socket is bound before the first frame leaves
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        ns, ifname = sender
        args = ["python3", "-c", _SENDER, ifname, tag, str(n)] + ([dst] if dst else [])
        ns.run(*args)
        counts = {}
        for name, p in procs.items():
            out, _ = p.communicate(timeout=self.listen_secs + 10)
            counts[name] = int(out.strip().splitlines()[-1])
        return counts


def udp_flows(ns: Netns, dst_ip: str, first_port: int, count: int) -> None:
    """One datagram to each of `count` UDP ports: `count` distinct flows for the kernel's hash."""
    code = ("import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "ip,p0,n=sys.argv[1],int(sys.argv[2]),int(sys.argv[3])\n"
            "[s.sendto(b'x',(ip,p)) for p in range(p0,p0+n)]")
    ns.run("python3", "-c", code, dst_ip, str(first_port), str(count))


def udp_noports(ns: Netns) -> int:
    """Datagrams that reached the host with no socket listening (each flow counts once)."""
    snmp = ns.run("cat", "/proc/net/snmp")
    rows = [ln.split() for ln in snmp.splitlines() if ln.startswith("Udp:")]
    return int(rows[1][rows[0].index("NoPorts")])


def wait_quiet(seconds: float) -> None:
    time.sleep(seconds)


def nexthop_group_members(ns: Netns, group_id: int | None = None) -> dict[int, list[str]]:
    """`ip nexthop` in `ns`: group id -> member VTEPs (resolved through the member nexthops)."""
    out = ns.ip("-j", "nexthop", "show")
    nhs = json.loads(out or "[]")
    via = {n["id"]: n.get("gateway") for n in nhs if "gateway" in n}
    groups = {}
    for n in nhs:
        if "group" in n and (group_id is None or n["id"] == group_id):
            groups[n["id"]] = sorted(via.get(m["id"], f"?{m['id']}") for m in n["group"])
    return groups


def fdb_nhid(ns: Netns, vxlan: str, mac: str) -> int | None:
    out = ns.bridge("fdb", "show", "dev", vxlan)
    m = re.search(rf"^{re.escape(mac.lower())} .*nhid (\d+)", out.lower(), re.M)
    return int(m.group(1)) if m else None
