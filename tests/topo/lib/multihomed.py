"""A fabric with a dual-homed host (issue 9; ../shared/research/multihoming.md §7 T2).

    spine (evpnd RR)
    leaf1 (A) ─┐                      leaf3 (R, remote: evpnd or FRR; remote_kinds: leaves 3, 4, ...)
    leaf2 (B) ─┤ share Ethernet segment es1 on every L2VNI: bridge port es1-<vni> on each
               └── lag<vni> ns ── host mh<vni> (one dual-homed host per VNI, lib/lag.py)

Every leaf also has one single-homed host per VNI (Fabric's own hosts: a1 on leaf1, b1 on leaf2,
r1 on leaf3 for VNI 100). The segment's ESI is type 3 (system MAC 44:38:39:ff:ff:01, local
discriminator 1), the DF algorithm and preferences are per test.
"""
from __future__ import annotations

from .fabric import Fabric, Host, gateway, vni_subnet
from .lag import Lag

ESI = "03:44:38:39:ff:ff:01:00:00:01"


def mh_mac(vni: int) -> str:
    return f"02:00:00:ee:{vni % 256:02x}:01"


def mh_ip(vni: int) -> str:
    return f"{vni_subnet(vni)}.200"


class MultihomedFabric:
    def __init__(self, lab, remote_kind: str = "evpnd", vnis: tuple[int, ...] = (100,),
                 redundancy: str = "all-active", df: dict | None = None,
                 df_per_leaf: dict[int, dict] | None = None, es_leaves: tuple[int, int] = (1, 2),
                 extra_leaf_yaml: dict[int, dict] | None = None,
                 remote_kinds: tuple[str, ...] | None = None, fast_failover: bool | None = None):
        # remote_kinds: one remote leaf (3, 4, ...) per kind, e.g. ("evpnd", "frr") for the
        # failover benchmark's two remotes in the same run; default (remote_kind,).
        remotes = list(remote_kinds or (remote_kind,))
        self.fab = Fabric(lab, leaves=2 + len(remotes), spine_kind="evpnd",
                          leaf_kinds=["evpnd", "evpnd", *remotes], vnis=vnis, hosts_per_vni={v: 1 for v in vnis})
        self.fast_failover = fast_failover  # the segment's fast-failover (None: evpnd's default)
        self.lab = lab
        self.vnis = vnis
        self.redundancy = redundancy
        self.df = df or {"algorithm": "preference", "preference": 32767}
        self.df_per_leaf = df_per_leaf or {}
        self.es_leaves = es_leaves
        self.extra_leaf_yaml = extra_leaf_yaml or {}
        self.lags: dict[int, Lag] = {}
        self.mh_hosts: dict[int, Host] = {}

    def build(self, create: bool = True) -> "MultihomedFabric":
        """Create namespaces and links (create=False: attach to an existing lab, e.g. evpn-lab status)."""
        self.fab.build(create)
        a, b = self.es_leaves
        ta, tb = self.fab.tenant_ns[a - 1], self.fab.tenant_ns[b - 1]
        for vni in self.vnis:
            lag_ns = self.lab.netns(f"lag{vni}", create)
            host_ns = self.lab.netns(f"mh{vni}", create)
            lag = Lag(lag_ns, host_ns, ta, tb, f"es1-{vni}", f"es1-{vni}")
            if create:
                lag.build(self.lab, f"br{vni}", f"br{vni}", mh_mac(vni), f"{mh_ip(vni)}/24", gateway(vni))
            self.lags[vni] = lag
            self.mh_hosts[vni] = Host(f"mh{vni}", host_ns, 0, vni, mh_ip(vni), mh_mac(vni))
        return self

    def es_yaml(self, leaf: int) -> dict:
        df = dict(self.df)
        df.update(self.df_per_leaf.get(leaf, {}))
        y = {"name": "es1", "esi": ESI, "redundancy": self.redundancy,
             "attachments": {v: f"es1-{v}" for v in self.vnis}, "df": df}
        if self.fast_failover is not None:
            y["fast-failover"] = self.fast_failover
        return y

    def make_nodes(self) -> None:
        self.fab.make_nodes()
        for leaf in self.es_leaves:
            node = self.fab.leaf_nodes[leaf - 1]
            node.extra["ethernet-segments"] = [self.es_yaml(leaf)]
        for leaf, y in self.extra_leaf_yaml.items():
            self.fab.leaf_nodes[leaf - 1].extra.update(y)

    def start(self) -> "MultihomedFabric":
        self.make_nodes()
        self.fab.spine.start()
        for n in self.fab.leaf_nodes:
            n.start()
        return self

    # --- convenience ------------------------------------------------------------------------
    def leaf(self, i: int):
        return self.fab.leaf_nodes[i - 1]

    def tenant(self, i: int):
        return self.fab.tenant_ns[i - 1]

    def underlay(self, i: int):
        return self.fab.leaf_ns[i - 1]

    def single_homed(self, leaf: int, vni: int) -> Host:
        return self.fab.hosts_at(leaf, vni)[0]


# --- FRR 8.4 as a PE of a segment (multihoming.md §2) ------------------------------------------------
def frr_es_zebra_lines(ports: dict[str, tuple[int, int]], sys_mac: str, vrf: str = "tenant1") -> list[str]:
    """zebra.conf lines that make FRR 8.4 a PE of type-3 segments: port -> (es-id, es-df-pref).

    zebra takes `evpn mh es-id` only on a bond or on an interface the kernel does not have yet
    (zebra_evpn_is_if_es_capable, frr-8.4.4 zebra_evpn_mh.c): start FRR first, create the port
    afterwards (es_port). `startup-delay 0`: the default 180 s holds ES ports down after start.
    The ESI is 03:<sys_mac>:<es-id, 3 octets>; FRR's DF algorithm is always preference (2)."""
    lines = ["evpn mh startup-delay 0", "!"]
    for port, (es_id, pref) in ports.items():
        lines += [f"interface {port} vrf {vrf}", f" evpn mh es-id {es_id}", f" evpn mh es-sys-mac {sys_mac}",
                  f" evpn mh es-df-pref {pref}", "exit", "!"]
    return lines


def es_port(lab, tenant, port: str, bridge: str, stub, stub_if: str) -> None:
    """A segment port with carrier: a veth from bridge `bridge` in `tenant` to namespace `stub`
    (control-plane tests need no host behind it)."""
    lab.veth(tenant, port, stub, stub_if)
    tenant.ip("link", "set", port, "master", bridge, "up")
