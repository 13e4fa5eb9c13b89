"""Node kinds behind one interface, and the canonical EVPN test routes.

make_node(kind) gives an FrrNode ("frr": bgpd-only speaker), GobgpNode or EvpndNode; all have
start(), established(addr), neighbor_info(addr), evpn_routes() (normalized, see routes.py).
originate()/withdraw() take routes in the evpnd API body format (POST /v1/evpn/routes) and use
the API for evpnd, the gobgp CLI for GoBGP (FRR cannot inject arbitrary routes).
"""
from __future__ import annotations

from .evpnd import EvpndNode
from .frr import FrrNode, Neighbor
from .gobgp import GobgpNode
from .netns import Lab, Netns
from .routes import ZERO_ESI, find

ESI = "00:11:22:33:44:55:66:77:88:99"  # type 0 (arbitrary), value 11..99


def make_node(kind: str, lab: Lab, ns: Netns, asn: int, router_id: str, neighbors: list[Neighbor], **kw):
    if kind == "frr":
        return FrrNode(lab, ns, asn, router_id, neighbors, role=kw.pop("role", "speaker"), **kw)
    if kind == "gobgp":
        return GobgpNode(lab, ns, asn, router_id, neighbors, **kw)
    if kind == "evpnd":
        return EvpndNode(lab, ns, asn, router_id, neighbors, **kw)
    raise ValueError(kind)


def test_routes(rid: str, vni: int = 100, l3vni: int = 5000, rmac: str = "02:aa:0a:ff:00:01",
                mac_base: str = "02:aa:00:00:00", prefix: str = "10.77.0.0/24") -> list[dict]:
    """Six routes of all five types (two type-2: MAC+IP with two labels, MAC only) from `rid`."""
    ecs = [f"rt:65000:{vni}", "encap:vxlan"]
    return [
        {"route_type": 1, "rd": f"{rid}:1", "esi": ESI, "ethernet_tag": 0, "vni": vni,
         "next_hop": rid, "extended_communities": ecs},
        {"route_type": 2, "rd": f"{rid}:2", "esi": ZERO_ESI, "ethernet_tag": 0, "mac": f"{mac_base}:01",
         "ip": "192.168.100.201", "vni": vni, "l3vni": l3vni, "next_hop": rid,
         "extended_communities": ecs + [f"rt:65000:{l3vni}", f"router-mac:{rmac}"]},
        {"route_type": 2, "rd": f"{rid}:2", "esi": ZERO_ESI, "ethernet_tag": 0, "mac": f"{mac_base}:02",
         "vni": vni, "next_hop": rid, "extended_communities": ecs},
        {"route_type": 3, "rd": f"{rid}:2", "ethernet_tag": 0, "originator": rid, "vni": vni,
         "next_hop": rid, "extended_communities": ecs},
        {"route_type": 4, "rd": f"{rid}:1", "esi": ESI, "originator": rid, "next_hop": rid,
         "extended_communities": ecs},
        {"route_type": 5, "rd": f"{rid}:3", "esi": ZERO_ESI, "ethernet_tag": 0, "prefix": prefix,
         "gateway": "0.0.0.0", "vni": l3vni, "next_hop": rid,
         "extended_communities": [f"rt:65000:{l3vni}", "encap:vxlan", f"router-mac:{rmac}"]},
    ]


def expected(r: dict) -> dict:
    """What a viewer should show for API route `r` (normalized fields)."""
    t = r["route_type"]
    rts = sorted(x[3:] for x in r["extended_communities"] if x.startswith("rt:"))
    rmac = next((x.split(":", 1)[1] for x in r["extended_communities"] if x.startswith("router-mac:")), None)
    e = {"type": t, "rd": r["rd"], "next_hop": r["next_hop"], "rts": rts}
    if t == 1:
        e.update(esi=r["esi"], etag=r["ethernet_tag"], labels=[r["vni"]])
    elif t == 2:
        e.update(esi=r["esi"], etag=0, mac=r["mac"], ip=r.get("ip"), router_mac=rmac,
                 labels=[r["vni"]] + ([r["l3vni"]] if r.get("l3vni") else []))
    elif t == 3:
        e.update(etag=0, originator=r["originator"], pmsi={"tunnel_type": 6, "label": r["vni"]})
    elif t == 4:
        e.update(esi=r["esi"], originator=r["originator"])
    elif t == 5:
        e.update(esi=r["esi"], etag=0, prefix=r["prefix"], gateway=r["gateway"], labels=[r["vni"]],
                 router_mac=rmac)
    return e


def key_of(e: dict) -> dict:
    """The NLRI identity fields of an expected route (to find it in a table)."""
    keys = {1: ("type", "rd", "esi", "etag"), 2: ("type", "rd", "mac", "ip"), 3: ("type", "rd", "originator"),
            4: ("type", "rd", "esi", "originator"), 5: ("type", "rd", "prefix")}[e["type"]]
    return {k: e[k] for k in keys}


def describe(e: dict) -> str:
    k = key_of(e)
    return f"type-{e['type']} " + " ".join(str(v) for kk, v in k.items() if kk != "type")


def mismatches(got: dict, want: dict) -> list[str]:
    """Fields of `want` that `got` differs in; fields the viewer does not show (None) are skipped."""
    out = []
    for k, v in want.items():
        g = got.get(k)
        if g is None and k in ("labels", "gateway", "pmsi", "router_mac", "esi") and v is not None:
            continue  # FRR's JSON omits labels of types 1/3/4, the type-5 gateway, ...
        if k == "esi" and g == ZERO_ESI and v is None:
            continue
        if g != v:
            out.append(f"{k}: got {g!r}, want {v!r}")
    return out


def lookup(routes: list[dict], want: dict) -> list[dict]:
    return find(routes, **key_of(want))


# --- origination -----------------------------------------------------------------------------
def _gobgp_words(r: dict) -> list[str]:
    t = r["route_type"]
    ecs = r["extended_communities"]
    rts = [x[3:] for x in ecs if x.startswith("rt:")]
    rmac = next((x.split(":", 1)[1] for x in ecs if x.startswith("router-mac:")), None)
    esi = ["esi", "ARBITRARY", r["esi"].split(":", 1)[1]] if r.get("esi") and r["esi"] != ZERO_ESI else []
    tail = ["rd", r["rd"]] + (["rt", *rts] if rts else []) + ["encap", "vxlan"]
    if t == 1:
        w = ["a-d", *esi, "etag", str(r["ethernet_tag"]), "label", str(r["vni"]), *tail]
    elif t == 2:
        labels = ",".join(str(x) for x in (r["vni"], r.get("l3vni")) if x)
        w = ["macadv", r["mac"], r.get("ip") or "0.0.0.0", *esi, "etag", str(r["ethernet_tag"]),
             "label", labels, *tail] + (["router-mac", rmac] if rmac else [])
    elif t == 3:
        w = ["multicast", r["originator"], "etag", str(r["ethernet_tag"]), *tail,
             "pmsi", "ingress-repl", str(r["vni"]), r["originator"]]
    elif t == 4:
        w = ["esi", r["originator"], *esi, *tail]
    else:
        w = ["prefix", r["prefix"], "gw", r["gateway"], *esi, "etag", str(r["ethernet_tag"]),
             "label", str(r["vni"]), *tail] + (["router-mac", rmac] if rmac else [])
    return w + ["nexthop", r["next_hop"]]


def can_originate(node) -> bool:
    return node.kind in ("evpnd", "gobgp")


def originate(node, routes: list[dict]) -> None:
    if node.kind == "evpnd":
        node.originate(routes)
    elif node.kind == "gobgp":
        for r in routes:
            node.add(*_gobgp_words(r))
    else:
        raise NotImplementedError(f"{node.kind} cannot originate arbitrary EVPN routes")


def withdraw(node, routes: list[dict]) -> None:
    if node.kind == "evpnd":
        node.withdraw(routes)
    elif node.kind == "gobgp":
        for r in routes:
            node.delete(*_gobgp_words(r))
    else:
        raise NotImplementedError(node.kind)
