"""BirdNode: BIRD 2 (2.0.12) in a namespace, foreground (`bird -f`), stopped by PID; birdc parsed.

calico_node() renders what calico-node's confd templates render (projectcalico/calico
confd/etc/calico/confd/templates/bird.cfg.template, bird_aggr.cfg.template), translated to BIRD 2
syntax as in ../shared/research/calico-bird-recipe.sh: `protocol static` with each IPAM block as
a blackhole plus the Service IPs (/staticroutes), the calico_aggr() export filter (the block, never
the pod /32s beneath it), and one `protocol bgp` per BGPPeer from a template with multihop,
`gateway recursive`, `next hop self` and graceful restart. The same class runs a plain CE
(ce_node(): static routes exported to one eBGP neighbour) for the benchmark and the IPv6 cases.

birdc output (BIRD 2.0.12) is parsed into dicts: show_protocols() -> {name: {proto, table, state,
since, info}}, routes() -> [{prefix, kind, proto, primary, via, dev, attrs}].
"""
from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field

from .harness import wait_until
from .netns import Daemon, Lab, Netns, sh

BIRD = "bird"
BIRDC = "birdc"


@dataclass
class BirdPeer:
    """One `protocol bgp NAME` (a Calico BGPPeer, or a CE's session to its PE)."""
    name: str
    neighbor: str
    remote_as: int
    source: str | None = None              # `source address` (the node IP)
    channels: tuple[str, ...] = ("ipv4",)  # ipv4 / ipv6 channels on this session
    multihop: int | None = 0               # 0: `multihop;` (Calico), None: direct, n: `multihop n`
    import_filter: str = "all"             # `all`, `none` or `filter NAME`
    export_filter: str = "all"
    next_hop_self: bool = True
    gateway_recursive: bool = True
    graceful_restart: bool = True
    passive: bool = False
    add_paths: bool = False                # `add paths on` (Calico's template; only used if the peer agrees)
    hold: int = 9
    keepalive: int = 3


@dataclass
class BirdNode:
    lab: Lab
    ns: Netns
    router_id: str
    asn: int
    peers: list[BirdPeer] = field(default_factory=list)
    statics: dict[str, list[str]] = field(default_factory=dict)  # protocol name -> routes ("P blackhole")
    filters: str = ""                      # filter/function definitions, verbatim
    kernel_export: str | None = None       # `export where ...` into the kernel (None: no kernel protocol)
    direct: str | None = None              # `protocol direct` interface pattern list, verbatim
    extra: str = ""
    disabled: set[str] = field(default_factory=set)  # protocols that start `disabled;` (`birdc enable`)

    def __post_init__(self):
        self.kind = "bird"
        self.name = self.ns.name
        self.dir = os.path.dirname(self.lab.path("bird", self.name, "bird.conf"))
        self.conf_path = os.path.join(self.dir, "bird.conf")
        self.ctl = os.path.join(self.dir, "bird.ctl")
        self.log = os.path.join(self.dir, "bird.log")
        self.daemon: Daemon | None = None

    # --- configuration -------------------------------------------------------------------
    def config(self) -> str:
        lines = [f'log "{self.log}" all;', f"router id {self.router_id};", "",
                 "protocol device { scan time 2; }"]
        if self.direct:
            lines.append(f"protocol direct {{ ipv4; ipv6; interface {self.direct}; }}")
        if self.kernel_export:
            for fam in ("ipv4", "ipv6"):
                lines.append(f"protocol kernel {{ {fam} {{ import none; export {self.kernel_export}; }}; "
                             "learn; scan time 2; merge paths on; graceful restart; }")
        for name, routes in self.statics.items():
            fam = "ipv6" if any(":" in r.split()[0] for r in routes) else "ipv4"
            lines.append(f"protocol static {name} {{")
            lines.append(f"  {fam};")
            if name in self.disabled:
                lines.append("  disabled;")
            lines += [f"  route {r};" for r in routes]
            lines.append("}")
        if self.filters:
            lines += ["", self.filters.strip()]
        for p in self.peers:
            lines += ["", *self._peer(p)]
        if self.extra:
            lines += ["", self.extra.strip()]
        return "\n".join(lines) + "\n"

    def _peer(self, p: BirdPeer) -> list[str]:
        local = f"local {p.source} as {self.asn};" if p.source else f"local as {self.asn};"
        out = [f"protocol bgp {p.name} {{", f'  description "{p.name}";', f"  {local}",
               f"  neighbor {p.neighbor} as {p.remote_as};"]
        if p.multihop == 0:
            out.append("  multihop;")
        elif p.multihop:
            out.append(f"  multihop {p.multihop};")
        if p.passive:
            out.append("  passive on;")
        for fam in p.channels:
            opts = [f"import {p.import_filter};", f"export {p.export_filter};"]
            if p.gateway_recursive:
                opts.append("gateway recursive;")
            if p.next_hop_self:
                opts.append("next hop self;")
            if p.add_paths:
                opts.append("add paths on;")
            out.append(f"  {fam} {{ {' '.join(opts)} }};")
        if p.graceful_restart:
            out.append("  graceful restart;")
        out += [f"  hold time {p.hold};", f"  keepalive time {p.keepalive};",
                "  connect delay time 1;", "  connect retry time 2;", "  error wait time 1,5;", "}"]
        return out

    def write_config(self) -> None:
        os.makedirs(self.dir, exist_ok=True)
        with open(self.conf_path, "w") as f:
            f.write(self.config())
        sh([BIRD, "-p", "-c", self.conf_path])  # parse only: a config error names file:line

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> "BirdNode":
        self.write_config()
        self.daemon = self.lab.spawn(f"{self.name}-bird", self.ns,
                                     [BIRD, "-f", "-c", self.conf_path, "-s", self.ctl], expect=BIRD)
        wait_until(lambda: self.birdc("show status", check=False).find("Daemon is up") >= 0, 10,
                   0.1, what=f"{self.name} birdc")
        return self

    def stop(self) -> None:
        if self.daemon:
            self.daemon.stop()

    def reconfigure(self) -> str:
        """Rewrite bird.conf from config() and `birdc configure` (changes apply without a restart)."""
        self.write_config()
        out = self.birdc("configure")
        if "Reconfigured" not in out and "Reconfiguration in progress" not in out:
            raise RuntimeError(f"birdc configure: {out.strip()}")
        return out

    def log_tail(self, lines: int = 20) -> str:
        if not os.path.exists(self.log):
            return ""
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    # --- birdc -----------------------------------------------------------------------------
    def birdc(self, *cmd: str, check: bool = True, timeout: float = 20) -> str:
        p = sh([BIRDC, "-s", self.ctl, *cmd], check=False, timeout=timeout)
        if p.returncode != 0:
            if check:
                raise RuntimeError(f"birdc {' '.join(cmd)}: rc {p.returncode} {p.stderr.strip()} {p.stdout.strip()}")
            return ""
        return p.stdout

    def show_protocols(self) -> dict[str, dict]:
        """`show protocols`: {name: {proto, table, state, since, info}} (info: Established, Active, ...)."""
        res = {}
        for line in self.birdc("show protocols").splitlines():
            f = line.split(None, 5)
            if len(f) < 4 or f[0] in ("BIRD", "Name"):
                continue
            res[f[0]] = {"proto": f[1], "table": f[2], "state": f[3],
                         "since": f[4] if len(f) > 4 else "", "info": f[5].strip() if len(f) > 5 else ""}
        return res

    def established(self, peer: str) -> bool:
        p = self.show_protocols().get(peer, {})
        return p.get("state") == "up" and p.get("info", "").startswith("Established")

    def disable(self, proto: str) -> str:
        return self.birdc("disable", proto)

    def enable(self, proto: str) -> str:
        return self.birdc("enable", proto)

    def routes(self, *args: str) -> list[dict]:
        """`show route all [args]` parsed: one dict per route (not per table line)."""
        return parse_routes(self.birdc("show", "route", "all", *args, timeout=60))

    def route_count(self, *args: str) -> int:
        """`show route count [args]`: the number of routes BIRD reports."""
        out = self.birdc("show", "route", "count", *args, timeout=60)
        m = re.search(r"(\d+) of \d+ routes", out) or re.search(r"(\d+) routes", out)
        return int(m.group(1)) if m else 0


_ROUTE = re.compile(r"^(?P<prefix>[0-9a-fA-F:.]+/\d+)?\s+(?P<kind>\w+)\s+\[(?P<proto>\S+)\s[^\]]*\]"
                    r"\s*(?P<primary>\*)?")


def parse_routes(text: str) -> list[dict]:
    """Parse BIRD 2.0.12 `show route all`: a route line (`P  unicast [proto time] * (pref) ...`,
    the prefix omitted for further routes of the same net), then `\tvia A on DEV` / `\tdev DEV`
    and `\tBGP.attr: value` lines."""
    routes: list[dict] = []
    prefix = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("BIRD ") or line.startswith("Table "):
            continue
        m = _ROUTE.match(line)
        if m and not line.startswith("\t"):
            prefix = m.group("prefix") or prefix
            routes.append({"prefix": str(ipaddress.ip_network(prefix)), "kind": m.group("kind"),
                           "proto": m.group("proto"), "primary": bool(m.group("primary")),
                           "via": None, "dev": None, "attrs": {}})
            continue
        if not routes:
            continue
        s = line.strip()
        mv = re.match(r"via (\S+) on (\S+)", s)
        if mv:
            routes[-1]["via"], routes[-1]["dev"] = mv.group(1), mv.group(2)
        elif s.startswith("dev "):
            routes[-1]["dev"] = s.split()[1]
        elif ":" in s:
            k, v = s.split(":", 1)
            routes[-1]["attrs"][k.strip()] = v.strip()
    return routes


def calico_filters(block: str, pool: str, service_ips: list[str]) -> str:
    """calico-node's export/import filters (bird_aggr.cfg + bird.cfg templates), BIRD 2 syntax."""
    svc = "".join(f"  if ( net ~ {s} ) then {{ accept; }}\n" for s in service_ips)
    return f"""function calico_aggr() {{
  if ( net = {block} ) then {{ accept; }}
  if ( net ~ {block} ) then {{ reject; }}   # never the pods' /32s beneath the block
}}
filter calico_export_to_bgp_peers {{
  calico_aggr();
{svc}  if ( net ~ {pool} ) then {{ accept; }}
  reject;
}}
filter calico_import_from_bgp_peers {{
  if ( net ~ {pool} ) then {{ reject; }}   # pool routes come from Felix, not from peers
  accept;
}}
"""


def calico_node(lab: Lab, ns: Netns, node_ip: str, asn: int, tor_ip: str, tor_as: int,
                block: str = "10.244.1.0/26", pool: str = "10.244.0.0/16",
                service_ips: tuple[str, ...] = ("203.0.113.10/32",)) -> BirdNode:
    """A calico-node: block + Service IPs as blackholes in `protocol static`, the calico filters,
    one `Global_<tor>` BGPPeer (eBGP multihop, graceful restart), BGP routes into the kernel."""
    statics = {"calico_static": [f"{block} blackhole"] + [f"{s} blackhole" for s in service_ips]}
    peer = BirdPeer(f"Global_{tor_ip.replace('.', '_')}", tor_ip, tor_as, source=node_ip,
                    import_filter="filter calico_import_from_bgp_peers",
                    export_filter="filter calico_export_to_bgp_peers", add_paths=True)
    return BirdNode(lab, ns, node_ip, asn, [peer], statics=statics,
                    filters=calico_filters(block, pool, list(service_ips)), kernel_export="where source = RTS_BGP",
                    direct='-"cali*", -"kube-ipvs*", "*"')


def felix_pod(lab: Lab, node: Netns, pod: Netns, pod_ip: str, ifname: str = "cali1a2b3c4d5e6") -> None:
    """Felix's plumbing: the pod has a /32 and a default via 169.254.1.1 (proxy-ARP on the cali*
    veth answers it); the node routes the /32 to the veth. The node needs a default route or a
    route back for proxy-ARP to answer (calico-bird-recipe.sh, quirks)."""
    lab.veth(node, ifname, pod, "eth0")
    pod.addr("eth0", f"{pod_ip}/32")
    pod.ip("route", "add", "169.254.1.1", "dev", "eth0", "scope", "link")
    pod.ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0")
    node.sysctl(f"net.ipv4.conf.{ifname}.proxy_arp", 1)
    node.sysctl("net.ipv4.ip_forward", 1)
    node.ip("route", "add", f"{pod_ip}/32", "dev", ifname, "scope", "link")
