"""What the VRF CE tests look at on FRR and evpnd leaves: type-5 routes in BGP, routes in the
tenant's kernel table, ping counts, the evpnd border leaf's per-neighbour policy counter."""
from __future__ import annotations

import ipaddress
import json
import re

from .evpnd import EvpndNode
from .netns import Netns
from .routes import find


def frr_type5_key(prefix: str) -> str:
    """FRR's display of a type-5 NLRI: [5]:[etag]:[len]:[address] (FRR-INTEROP.md §4)."""
    net = ipaddress.ip_network(prefix)
    return f"[5]:[0]:[{net.prefixlen}]:[{net.network_address}]"


def type5_present(node, prefix: str) -> bool:
    """The leaf's BGP EVPN table holds a type-5 route for `prefix` (any RD)."""
    if isinstance(node, EvpndNode):
        return bool(find(node.evpn_routes(), type=5, prefix=str(ipaddress.ip_network(prefix))))
    j = node.json("show bgp l2vpn evpn route type prefix json")
    return any(frr_type5_key(prefix) in rd_entry for rd_entry in j.values() if isinstance(rd_entry, dict))


def type5_routes(node, prefix: str) -> list[dict]:
    """Normalized type-5 routes for `prefix` (evpnd: API; FRR: detail JSON)."""
    return find(node.evpn_routes(), type=5, prefix=str(ipaddress.ip_network(prefix)))


def kernel_route(tenant: Netns, prefix: str) -> str:
    """The tenant table's line for exactly `prefix` ('' if absent)."""
    fam = "-6" if ":" in prefix else "-4"
    out = tenant.ip(fam, "route", "show", "exact", prefix, check=False)
    return out.strip()


def kernel_route_via(tenant: Netns, prefix: str, via: str) -> bool:
    """`prefix` is routed via `via`; an IPv6 prefix via an IPv4 VTEP shows as `via inet V` (RFC 5549
    style) or, as FRR's zebra installs it, via the IPv4-mapped `::ffff:V`."""
    line = kernel_route(tenant, prefix)
    return bool(line) and re.search(rf"\bvia (inet6? |::ffff:)?{re.escape(via)}\b", line) is not None


def ping_replies(ns: Netns, dst: str, count: int = 5) -> int:
    """Number of echo replies out of `count` (0.2 s apart, 1 s wait each)."""
    p = ns.try_run("ping", "-c", str(count), "-i", "0.2", "-W", "1", dst, timeout=count * 2 + 5)
    m = re.search(r"(\d+) received", p.stdout)
    return int(m.group(1)) if m else 0


def evpnd_vrf_neighbor(node: EvpndNode, vrf: str, addr: str) -> dict:
    """The VRF neighbour's object from GET /v1/bgp/vrfs/NAME/neighbors (docs/API.md), {} if absent."""
    j = node.api.get(f"/v1/bgp/vrfs/{vrf}/neighbors")
    return next((n for n in j.get("neighbors", []) if n.get("address") == addr), {})


def evpnd_vrf_bgp_route(node: EvpndNode, vrf: str, prefix: str) -> dict:
    """The border leaf's VRF route for `prefix` learnt over BGP (GET /v1/vrfs/NAME/routes, type
    "bgp": {prefix, peer, nexthops}), {} if absent."""
    want = str(ipaddress.ip_network(prefix))
    return next((r for r in node.api.get(f"/v1/vrfs/{vrf}/routes").get("routes", [])
                 if r.get("type") == "bgp" and r.get("prefix") == want), {})


def dump(x) -> str:
    return json.dumps(x, default=str)[:1500]
