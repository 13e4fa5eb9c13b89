"""FrrNode: FRR 8.4 bgpd (+ zebra for leaves) in a namespace, laid out as ../shared/FRR-INTEROP.md.

Roles:
  "rr"      bgpd -Z (no zebra): route reflector; every next hop counts as valid without a RIB.
  "speaker" bgpd -Z: a plain EVPN peer (stand-in for a DUT in session/route tests).
  "leaf"    zebra -n (netns VRF backend) + bgpd sharing a private /run/netns that holds only the
            tenant namespace, bind-mounted as VRF "tenant1" (FRR-INTEROP.md §2, pitfall 2).
Daemons run as user frr (`-u root` is refused), so run dirs are chowned to frr. vtysh appends
`/<pathspace>` to --vty_socket, the daemons do not (pitfall 4).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from .harness import wait_until
from .netns import Daemon, Lab, Netns, chown_frr, sh
from .routes import normalize_frr_evpn

BGPD = "/usr/lib/frr/bgpd"
ZEBRA = "/usr/lib/frr/zebra"


@dataclass
class Neighbor:
    address: str
    remote_as: int
    update_source: str | None = None
    rr_client: bool = False
    description: str = ""
    ebgp_multihop: int | None = None
    port: int | None = None
    passive: bool = False
    password: str | None = None           # TCP MD5 (RFC 2385)
    ttl_security: int | None = None       # GTSM hops (RFC 5082)


@dataclass
class FrrNode:
    lab: Lab
    ns: Netns
    asn: int
    router_id: str
    neighbors: list[Neighbor] = field(default_factory=list)
    role: str = "speaker"                 # rr | speaker | leaf
    cluster_id: str | None = None
    listen_range: str | None = None       # "bgp listen range" for dynamic RR clients
    tenant: Netns | None = None           # leaf: the tenant1 VRF namespace
    vrf: str = "tenant1"
    l3vni: int | None = 5000
    advertise_all_vni: bool = True        # leaf
    timers: tuple[int, int] = (3, 9)
    extra_evpn: list[str] = field(default_factory=list)
    extra_global: list[str] = field(default_factory=list)  # more `router bgp` lines (graceful-restart)
    extra_zebra: list[str] = field(default_factory=list)   # more zebra.conf lines (`evpn mh ...`, interfaces)
    # Border leaf (issue 10): CE sessions inside `router bgp ASN vrf tenant1`, FRR's reference for
    # evpnd's vrfs[].neighbors. A neighbour is activated in the family of its address; vrf_af
    # holds more per-family lines ("ipv4": ["neighbor X prefix-list K8S in"]), prelude top-level
    # ones (`ip prefix-list ...`); vrf_advertise lists the families turned into type-5 routes.
    vrf_asn: int | None = None
    vrf_neighbors: list[Neighbor] = field(default_factory=list)
    vrf_af: dict[str, list[str]] = field(default_factory=dict)
    vrf_advertise: tuple[str, ...] = ("ipv4",)
    prelude: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.kind = "frr"
        self.pathspace = self.ns.name     # unique per run, no '.' or '/'
        self.run_parent = self.lab.path("run", ".keep").rsplit("/", 1)[0]
        self.run_dir = os.path.join(self.run_parent, self.pathspace)
        self.conf_dir = os.path.join(self.lab.state_dir, "conf", self.pathspace)
        self.daemons: list[Daemon] = []

    # --- configuration -------------------------------------------------------------------
    def bgpd_conf(self) -> str:
        keep, hold = self.timers
        lines = [f"hostname {self.ns.name}", "!", f"router bgp {self.asn}",
                 f" bgp router-id {self.router_id}"]
        if self.cluster_id:
            lines.append(f" bgp cluster-id {self.cluster_id}")
        lines += [" bgp log-neighbor-changes", " no bgp default ipv4-unicast",
                  " no bgp ebgp-requires-policy", " no bgp network import-check",
                  f" timers bgp {keep} {hold}"]
        lines += [f" {x}" for x in self.extra_global]
        for n in self.neighbors:
            lines.append(f" neighbor {n.address} remote-as {n.remote_as}")
            if n.description:
                lines.append(f" neighbor {n.address} description {n.description}")
            if n.update_source:
                lines.append(f" neighbor {n.address} update-source {n.update_source}")
            if n.ebgp_multihop:
                lines.append(f" neighbor {n.address} ebgp-multihop {n.ebgp_multihop}")
            if n.port:
                lines.append(f" neighbor {n.address} port {n.port}")
            if n.passive:
                lines.append(f" neighbor {n.address} passive")
            if n.password:
                lines.append(f" neighbor {n.address} password {n.password}")
            if n.ttl_security:
                lines.append(f" neighbor {n.address} ttl-security hops {n.ttl_security}")
            lines.append(f" neighbor {n.address} timers connect 2")
        if self.listen_range:
            lines += [" neighbor DYN peer-group", f" neighbor DYN remote-as {self.asn}",
                      f" bgp listen range {self.listen_range} peer-group DYN"]
        lines += [" !", " address-family l2vpn evpn"]
        for n in self.neighbors:
            lines.append(f"  neighbor {n.address} activate")
            if n.rr_client:
                lines.append(f"  neighbor {n.address} route-reflector-client")
        if self.listen_range:
            lines += ["  neighbor DYN activate", "  neighbor DYN route-reflector-client"]
        if self.role == "leaf" and self.advertise_all_vni:
            lines.append("  advertise-all-vni")
        lines += [f"  {x}" for x in self.extra_evpn]
        lines += [" exit-address-family", "!"]
        if self.role == "leaf" and self.l3vni:
            lines += self._vrf_conf()
        if self.prelude:
            lines = [lines[0], "!", *self.prelude, "!", *lines[2:]]
        return "\n".join(lines) + "\n"

    def _vrf_conf(self) -> list[str]:
        """`router bgp ASN vrf tenant1`: connected subnets and CE routes -> type-5 (FRR-INTEROP.md §3)."""
        keep, hold = self.timers
        lines = [f"router bgp {self.vrf_asn or self.asn} vrf {self.vrf}", f" bgp router-id {self.router_id}",
                 " no bgp ebgp-requires-policy", " no bgp default ipv4-unicast", f" timers bgp {keep} {hold}"]
        for n in self.vrf_neighbors:
            lines.append(f" neighbor {n.address} remote-as {n.remote_as}")
            if n.description:
                lines.append(f" neighbor {n.address} description {n.description}")
            if n.ebgp_multihop:
                lines.append(f" neighbor {n.address} ebgp-multihop {n.ebgp_multihop}")
            if n.passive:
                lines.append(f" neighbor {n.address} passive")
            lines.append(f" neighbor {n.address} timers connect 2")
        fams = sorted(set(self.vrf_advertise) | {"ipv6" if ":" in n.address else "ipv4" for n in self.vrf_neighbors}
                      | {"ipv4"})
        for fam in fams:
            lines += [" !", f" address-family {fam} unicast", "  redistribute connected"]
            lines += [f"  neighbor {n.address} activate" for n in self.vrf_neighbors
                      if ("ipv6" if ":" in n.address else "ipv4") == fam]
            lines += [f"  {x}" for x in self.vrf_af.get(fam, [])]
            lines.append(" exit-address-family")
        lines += [" !", " address-family l2vpn evpn"]
        lines += [f"  advertise {fam} unicast" for fam in self.vrf_advertise]
        if self.vrf_asn and self.vrf_asn != self.asn:
            # FRR derives the VRF's auto RT from the VRF instance's AS (65001:5000) and matches
            # auto RTs on the VNI alone; evpnd (RFC 8365 §5.1.2.1) imports exactly <fabric AS>:<VNI>
            lines += [f"  route-target import {self.asn}:{self.l3vni}", f"  route-target export {self.asn}:{self.l3vni}"]
        lines += [" exit-address-family", "!"]
        return lines

    def zebra_conf(self) -> str:
        lines = [f"hostname {self.ns.name}", "!"]
        if self.l3vni:
            lines += [f"vrf {self.vrf}", f" vni {self.l3vni}", "exit-vrf", "!"]
        lines += self.extra_zebra
        return "\n".join(lines) + "\n"

    def _write(self, name: str, text: str) -> str:
        os.makedirs(self.conf_dir, exist_ok=True)
        p = os.path.join(self.conf_dir, name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o644)
        return p

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> "FrrNode":
        os.makedirs(self.run_dir, exist_ok=True)
        chown_frr(self.run_dir)
        os.makedirs(self.conf_dir, exist_ok=True)
        bgpd_conf = self._write("bgpd.conf", self.bgpd_conf())
        rd = self.run_dir
        common = ["-d", "-N", self.pathspace, "--vty_socket", rd, "-P", "0",
                  "--log-level", "informational"]
        bgpd = [BGPD, *common, "-f", bgpd_conf, "-i", f"{rd}/bgpd.pid",
                "--log", f"file:{rd}/bgpd.log"]
        if self.role == "leaf":
            zebra_conf = self._write("zebra.conf", self.zebra_conf())
            zebra = [ZEBRA, *common, "-f", zebra_conf, "-i", f"{rd}/zebra.pid", "-z", f"{rd}/zserv.api",
                     "-n", "-s", "16777216", "--log", f"file:{rd}/zebra.log"]
            bgpd += ["-z", f"{rd}/zserv.api"]
            tenant = self.tenant.name if self.tenant else ""
            mount = ""
            if tenant:
                # Private /run/netns holding only the tenant netns, named after the VRF (pitfall 2).
                mount = (f"exec 9</run/netns/{tenant}; "
                         f"mount -t tmpfs -o size=64k,mode=0755 evt-netns /run/netns; "
                         f"touch /run/netns/{self.vrf}; mount --bind /proc/self/fd/9 /run/netns/{self.vrf}; "
                         f"exec 9<&-; ")
            script = (mount + " ".join(zebra) + f" 2>{rd}/zebra.stderr && "
                      + " ".join(bgpd) + f" 2>{rd}/bgpd.stderr")
            self._bgpd_script = mount + " ".join(bgpd) + f" 2>>{rd}/bgpd.stderr"
            sh(self.ns.wrap(["bash", "-c", script]))
            self._track("zebra", f"{rd}/zebra.pid", "zebra")
        else:
            bgpd.append("-Z")
            self._bgpd_script = " ".join(bgpd)
            sh(self.ns.wrap(bgpd))
        self._track("bgpd", f"{rd}/bgpd.pid", "bgpd")
        wait_until(lambda: self.vtysh("show version", check=False), 10, what=f"{self.pathspace} vtysh")
        return self

    def _track(self, daemon: str, pidfile: str, expect: str) -> None:
        wait_until(lambda: os.path.exists(pidfile), 10, 0.1, what=pidfile)
        d = Daemon(f"{self.pathspace}-{daemon}", expect, pidfile, log=f"{self.run_dir}/{daemon}.log")
        self.daemons.append(d)
        self.lab.add_daemon(d)

    def stop(self) -> None:
        for d in reversed(self.daemons):
            d.stop()

    def bgpd_pid(self) -> int | None:
        d = next((d for d in reversed(self.daemons) if d.name.endswith("-bgpd")), None)
        return d.pid() if d and d.running() else None

    def restart_bgpd(self) -> None:
        """Start bgpd again (after it was killed), zebra untouched. With `bgp graceful-restart`
        in extra_global it comes up as the RFC 4724 restarting speaker (FRR 8.4 has no -K)."""
        pidfile = f"{self.run_dir}/bgpd.pid"
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        sh(self.ns.wrap(["bash", "-c", self._bgpd_script]))
        self._track("bgpd", pidfile, "bgpd")
        wait_until(lambda: self.vtysh("show bgp summary", check=False), 10, what=f"{self.pathspace} bgpd vtysh")

    # --- vtysh -----------------------------------------------------------------------------
    def vtysh(self, *cmds: str, check: bool = True) -> str:
        argv = ["vtysh", "--vty_socket", self.run_parent, "-N", self.pathspace]
        for c in cmds:
            argv += ["-c", c]
        p = sh(self.ns.wrap(argv), check=False, timeout=20)
        if p.returncode != 0:
            if check:
                raise RuntimeError(f"vtysh {cmds}: rc {p.returncode} {p.stderr.strip()} {p.stdout.strip()}")
            return ""
        return p.stdout

    def json(self, cmd: str):
        out = self.vtysh(cmd)
        return json.loads(out) if out.strip() else {}

    def bgp_summary(self) -> dict:
        return self.json("show bgp l2vpn evpn summary json")

    def neighbor_info(self, addr: str) -> dict:
        return self.json(f"show bgp neighbors {addr} json").get(addr, {})

    def established(self, addr: str) -> bool:
        return self.neighbor_info(addr).get("bgpState") == "Established"

    def evpn_json(self) -> dict:
        return self.json("show bgp l2vpn evpn route detail json")

    def evpn_routes(self) -> list[dict]:
        return normalize_frr_evpn(self.evpn_json())

    def evpn_macs(self) -> dict:
        return self.json("show evpn mac vni all json")

    def evpn_vnis(self):
        return self.json("show evpn vni detail json")

    def log_tail(self, lines: int = 20) -> str:
        return "".join(d.log_tail(lines) for d in self.daemons)
