"""Helpers for mixed fabrics (evpnd and FRR leaves side by side): one MAC/neighbour view for both
leaf kinds, underlay captures (tcpdump) and host moves done the FRR-INTEROP.md way (pitfalls 8, 9).
"""
from __future__ import annotations

import re
import time

from .fabric import Fabric, Host, gateway
from .harness import wait_until
from .netns import Netns


def mac_view(node, vni: int, mac: str) -> dict:
    """{type: local|remote, vtep, seq, dup} of `mac` in `vni` as the leaf's EVPN layer sees it.

    evpnd: GET /v1/evpn/macs; FRR: `show evpn mac vni all json` (FRR-INTEROP.md §4): a local MAC's
    sequence is localSequence, a remote one's remoteSequence.
    """
    if node.kind == "evpnd":
        for m in node.api.get(f"/v1/evpn/macs?vni={vni}")["macs"]:
            if m["mac"].lower() == mac.lower():
                return {"type": m.get("type"), "vtep": m.get("vtep"), "seq": m.get("sequence", 0),
                        "dup": "duplicate" in (m.get("flags") or [])}
        return {}
    m = node.evpn_macs().get(str(vni), {}).get("macs", {}).get(mac.lower())
    if not m:
        return {}
    local = m.get("type") == "local"
    return {"type": m.get("type"), "vtep": m.get("remoteVtep"),
            "seq": int(m.get("localSequence" if local else "remoteSequence", 0)),
            "dup": bool(m.get("isDuplicate"))}


def dup_flagged(node, vni: int, mac: str) -> bool:
    """evpnd: GET /v1/evpn/dup-addr lists the MAC; FRR: isDuplicate in the MAC table."""
    if node.kind == "evpnd":
        return any(e["mac"].lower() == mac.lower() and e["vni"] == vni
                   for e in node.api.get("/v1/evpn/dup-addr")["entries"])
    return mac_view(node, vni, mac).get("dup", False)


def clear_dup(node) -> None:
    if node.kind == "evpnd":
        node.api.post("/v1/evpn/dup-addr/clear", {})
    else:
        node.vtysh("clear evpn dup-addr vni all")  # pitfall 10


class Capture:
    """tcpdump of VXLAN (udp 4789) on a leaf's underlay port; text() after stop()."""

    def __init__(self, lab, ns: Netns, dev: str = "to-spine", name: str = "cap"):
        self.lab = lab
        self.d = lab.spawn(f"{ns.name}-{name}-{time.monotonic_ns()}", ns,
                           ["tcpdump", "-nn", "-l", "-U", "-i", dev, "udp", "port", "4789"], expect="tcpdump")
        wait_until(lambda: "listening on" in self._read(), 5, 0.05, what="tcpdump listening")

    def _read(self) -> str:
        with open(self.d.log, errors="replace") as f:
            return f.read()

    def stop(self, settle: float = 0.3) -> str:
        time.sleep(settle)
        self.d.stop()
        self.lab.daemons.remove(self.d)  # stopped: keep it out of failure log dumps
        return self._read()


def arp_requests_for(text: str, ip: str) -> list[str]:
    return re.findall(rf"^.*who-has {re.escape(ip)} .*$", text, re.M)


def vxlan_frames(text: str, vni: int) -> list[str]:
    return re.findall(rf"^.*VXLAN.*vni {vni}\b.*$", text, re.M)


def neigh_remote(tenant: Netns, vni: int, ip: str) -> bool:
    """The leaf holds `ip` as a remote (BGP-installed) neighbour on the SVI."""
    out = tenant.ip("neigh", "show", "dev", f"br{vni}")
    return bool(re.search(rf"^{re.escape(ip)} .*extern_learn", out, re.M))


class Mover:
    """A host that can sit on either of two leaves: its original port and a twin port on the other
    leaf (same MAC/IP in a second namespace). Only one port forwards at a time; the other is
    `disabled` via bridge port state (pitfall 8: keeps the FDB entry, stops the flip-flop)."""

    def __init__(self, fab: Fabric, host: Host, other_leaf: int):
        self.fab, self.h = fab, host
        self.ports = {host.leaf: (fab.tenant_ns[host.leaf - 1], f"l{host.leaf}-{host.name}", host.ns)}
        t = fab.tenant_ns[other_leaf - 1]
        ns = fab.lab.netns(f"{host.name}m")
        port = f"l{other_leaf}-{host.name}m"
        fab.lab.veth(t, port, ns, "eth0")
        ns.ip("link", "set", "eth0", "down")  # silent until its bridge port is disabled
        t.ip("link", "set", port, "master", f"br{host.vni}")
        t.bridge("link", "set", "dev", port, "state", "0")
        ns.ip("link", "set", "eth0", "address", host.mac)
        ns.ip("link", "set", "eth0", "up")
        ns.addr("eth0", f"{host.ip}/24")
        ns.ip("route", "add", "default", "via", gateway(host.vni))
        self.ports[other_leaf] = (t, port, ns)
        self.at = host.leaf

    def ns(self) -> Netns:
        return self.ports[self.at][2]

    def move_to(self, leaf: int, wait_withdraw: float = 5.0) -> None:
        """Disable the old port, enable the new one, let the host talk; after the old leaf's
        withdrawal (the new leaf drops its remote neighbour) ARP for the gateway again (pitfall 9)."""
        old_t, old_port, _ = self.ports[self.at]
        new_t, new_port, ns = self.ports[leaf]
        old_t.bridge("link", "set", "dev", old_port, "state", "0")
        new_t.bridge("link", "set", "dev", new_port, "state", "3")
        self.at = leaf
        gw = gateway(self.h.vni)
        ns.try_run("ping", "-c", "1", "-W", "1", gw)
        try:
            wait_until(lambda: not neigh_remote(new_t, self.h.vni, self.h.ip), wait_withdraw, 0.05,
                       what="old leaf's MAC/IP withdrawal")
        except AssertionError:
            pass  # reported by the caller's checks
        ns.ip("neigh", "flush", "dev", "eth0")
        ns.try_run("ping", "-c", "1", "-W", "1", gw)
