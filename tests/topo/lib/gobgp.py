"""GobgpNode: gobgpd (TOML config) in a namespace, driven with the gobgp CLI (-j for JSON).

gRPC listens on 127.0.0.1:50051 inside the node's own namespace, so every node can use the same
port. Routes are injected with `gobgp global rib add -a evpn {a-d|macadv|multicast|esi|prefix}`
(syntax from gobgp 3.x's usage text, see inject_*).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .frr import Neighbor
from .harness import wait_until
from .netns import Lab, Netns, sh
from .routes import normalize_gobgp_evpn

GRPC = "127.0.0.1:50051"


@dataclass
class GobgpNode:
    lab: Lab
    ns: Netns
    asn: int
    router_id: str
    neighbors: list[Neighbor] = field(default_factory=list)
    listen_address: str | None = None
    timers: tuple[int, int] = (3, 9)
    cluster_id: str | None = None

    def __post_init__(self):
        self.kind = "gobgp"
        self.name = self.ns.name
        self.daemon = None

    def toml(self) -> str:
        keep, hold = self.timers
        g = ["[global.config]", f"  as = {self.asn}", f'  router-id = "{self.router_id}"', "  port = 179"]
        if self.listen_address:
            g.append(f'  local-address-list = ["{self.listen_address}"]')
        for n in self.neighbors:
            g += ["", "[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{n.address}"',
                  f"    peer-as = {n.remote_as}"]
            if n.description:
                g.append(f'    description = "{n.description}"')
            g += ["  [neighbors.timers.config]", "    connect-retry = 2", f"    hold-time = {hold}",
                  f"    keepalive-interval = {keep}", "    idle-hold-time-after-reset = 1",
                  "  [neighbors.transport.config]",
                  f"    passive-mode = {'true' if n.passive else 'false'}"]
            if n.update_source:
                g.append(f'    local-address = "{n.update_source}"')
            if n.port:
                g.append(f"    remote-port = {n.port}")
            if n.ebgp_multihop:
                g += ["  [neighbors.ebgp-multihop.config]", "    enabled = true",
                      f"    multihop-ttl = {n.ebgp_multihop}"]
            if n.rr_client:
                g += ["  [neighbors.route-reflector.config]", "    route-reflector-client = true",
                      f'    route-reflector-cluster-id = "{self.cluster_id or self.router_id}"']
            g += ["  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]",
                  '      afi-safi-name = "l2vpn-evpn"']
        return "\n".join(g) + "\n"

    def start(self) -> "GobgpNode":
        conf = self.lab.path("conf", self.name, "gobgpd.toml")
        with open(conf, "w") as f:
            f.write(self.toml())
        self.daemon = self.lab.spawn(f"{self.name}-gobgpd", self.ns,
                                     ["gobgpd", "-f", conf, "--api-hosts", GRPC, "-p", "-l", "debug",
                                      "--pprof-disable"], expect="gobgpd")
        wait_until(lambda: self.cli("global", check=False), 10, what=f"{self.name} gobgp API")
        return self

    def stop(self) -> None:
        if self.daemon:
            self.daemon.stop()

    def cli(self, *args: str, check: bool = True) -> str:
        p = sh(self.ns.wrap(["gobgp", "-u", "127.0.0.1", "-p", "50051", *args]), check=False, timeout=20)
        if p.returncode != 0:
            if check:
                raise RuntimeError(f"gobgp {' '.join(args)}: {p.stderr.strip()} {p.stdout.strip()}")
            return ""
        return p.stdout or "ok"

    def json(self, *args: str):
        out = self.cli("-j", *args)
        return json.loads(out) if out.strip() else None

    def neighbor_info(self, addr: str) -> dict:
        return self.json("neighbor", addr) or {}

    def established(self, addr: str) -> bool:
        st = self.neighbor_info(addr).get("state", {})
        return st.get("session_state") in (6, "ESTABLISHED", "established")

    def evpn_rib(self):
        return self.json("global", "rib", "-a", "evpn") or {}

    def evpn_routes(self) -> list[dict]:
        return normalize_gobgp_evpn(self.evpn_rib())

    def adj_in(self, addr: str):
        return self.json("neighbor", addr, "adj-in", "-a", "evpn") or {}

    # --- route injection (gobgp global rib add -a evpn ...) --------------------------------
    def add(self, *words: str) -> None:
        self.cli("global", "rib", "add", "-a", "evpn", *words)

    def delete(self, *words: str) -> None:
        self.cli("global", "rib", "del", "-a", "evpn", *words)

    @staticmethod
    def _tail(rd: str, rts: list[str], next_hop: str | None) -> list[str]:
        w = ["rd", rd]
        if rts:
            w += ["rt", *rts]
        w += ["encap", "vxlan"]
        if next_hop:
            w += ["nexthop", next_hop]
        return w
