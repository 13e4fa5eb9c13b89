"""One shape for EVPN routes read from FRR, GoBGP and evpnd, so tests compare like with like.

A normalized route is a dict:
  type        1..5
  rd          "10.255.0.1:2"
  esi         "00:11:22:33:44:55:66:77:88:99" (10 octets; zero ESI as all zeros) or None if N/A
  etag        int or None
  mac, ip     type 2 (ip None for MAC-only); type 5: ip = prefix address
  prefix      type 5 "192.168.50.0/24"
  gateway     type 5 gateway IP
  originator  type 3/4 originating router's IP
  labels      [vni] / [l2vni, l3vni] or None when the source does not show them
  next_hop    "10.255.0.1"
  rts         sorted ["65000:100", ...]
  router_mac  Router's MAC ext-community or None
  pmsi        {"tunnel_type": 6, "label": 100} or None when not shown
  originator_id  ORIGINATOR_ID attribute (reflected routes) or None
"""
from __future__ import annotations

import re
from typing import Any, Iterable

ZERO_ESI = ":".join(["00"] * 10)


def _mac(s: str | None) -> str | None:
    return s.lower() if s else None


def _base(**kw) -> dict:
    r = dict(type=None, rd=None, esi=None, etag=None, mac=None, ip=None, prefix=None, gateway=None,
             originator=None, labels=None, next_hop=None, rts=[], router_mac=None, pmsi=None,
             originator_id=None)
    r.update(kw)
    r["rts"] = sorted(r["rts"] or [])
    return r


def find(routes: Iterable[dict], **want) -> list[dict]:
    """Routes whose fields equal every given value (e.g. type=2, mac="02:..", ip=None)."""
    out = []
    for r in routes:
        if all(r.get(k) == (v.lower() if isinstance(v, str) and k in ("mac", "esi", "router_mac") else v)
               for k, v in want.items()):
            out.append(r)
    return out


def summary(r: dict) -> str:
    keys = ("type", "rd", "esi", "etag", "mac", "ip", "prefix", "originator", "labels", "next_hop", "rts")
    return " ".join(f"{k}={r[k]}" for k in keys if r.get(k) not in (None, []))


# --- FRR: show bgp l2vpn evpn route detail json ----------------------------------------------
_FRR_BRACKETS = re.compile(r"\[([^\]]*)\]")


def normalize_frr_evpn(j: dict) -> list[dict]:
    out = []
    for rd, entry in j.items():
        if not isinstance(entry, dict):
            continue
        for pfx, node in entry.items():
            if not isinstance(node, dict) or "paths" not in node:
                continue
            fields = _FRR_BRACKETS.findall(node.get("prefix", pfx))
            paths = node["paths"]
            flat = [p for group in paths for p in (group if isinstance(group, list) else [group])]
            for p in flat:
                out.append(_frr_path(rd, node, fields, p))
    return out


def _frr_path(rd: str, node: dict, fields: list[str], p: dict) -> dict:
    t = node.get("routeType") or p.get("routeType") or int(fields[0])
    ec = (p.get("extendedCommunity") or {}).get("string", "")
    rts, rmac = [], None
    for tok in ec.split():
        if tok.startswith("RT:"):
            rts.append(tok[3:])
        elif tok.startswith("Rmac:"):
            rmac = tok[5:].lower()
    vni = p.get("vni") or p.get("VNI")
    labels = [int(x) for x in str(vni).split("/")] if vni not in (None, "") else None
    nhs = p.get("nexthops") or []
    pm = p.get("pmsi")
    pmsi = None
    if pm:
        pmsi = {"tunnel_type": 6 if "Ingress" in str(pm.get("tunnelType")) else pm.get("tunnelType"),
                "label": pm.get("label")}
    r = _base(type=t, rd=node.get("rd", rd), labels=labels, next_hop=nhs[0]["ip"] if nhs else None,
              rts=rts, router_mac=rmac, pmsi=pmsi, originator_id=p.get("originatorId"))
    ip = node.get("ip", p.get("ip"))
    if t == 1:  # [1]:[etag]:[esi]:[iplen]:[ip]:[frag]
        r.update(etag=int(fields[1]), esi=fields[2].lower())
    elif t == 2:
        r.update(etag=node.get("ethTag", 0), mac=_mac(node.get("mac", p.get("mac"))), ip=ip,
                 esi=(p.get("esi") or ZERO_ESI).lower())
    elif t == 3:
        r.update(etag=node.get("ethTag", 0), originator=ip)
    elif t == 4:  # [4]:[esi]:[iplen]:[ip]
        r.update(esi=fields[1].lower(), originator=fields[3])
    elif t == 5:
        plen = node.get("ipLen", p.get("ipLen"))
        r.update(etag=node.get("ethTag", 0), ip=ip, prefix=f"{ip}/{plen}",
                 gateway=p.get("gatewayIP") or p.get("gwip"))
    return r


# --- GoBGP: gobgp -j global rib -a evpn --------------------------------------------------------
def _gobgp_esi(s: str | None) -> str:
    if not s or s in ("single-homed", "0"):
        return ZERO_ESI
    m = re.match(r"ESI_(\w+) \| (.*)", s)
    if m and m.group(1) == "ARBITRARY":
        return ("00:" + m.group(2).strip()).lower()
    return s.lower()


def _gobgp_rd(rd: dict) -> str:
    return f"{rd.get('admin')}:{rd.get('assigned')}"


def normalize_gobgp_evpn(j: dict) -> list[dict]:
    out = []
    for _key, paths in (j or {}).items():
        for p in paths:
            out.append(_gobgp_path(p))
    return out


def _gobgp_path(p: dict) -> dict:
    nlri = p["nlri"]
    t, v = nlri["type"], nlri["value"]
    rts, rmac, nh, pmsi, oid = [], None, None, None, None
    for a in p.get("attrs", []):
        if a["type"] == 16:
            for ec in a["value"]:
                if ec.get("subtype") == 2 and ec.get("type") in (0, 1, 2):
                    rts.append(ec["value"])
                elif ec.get("type") == 6 and ec.get("subtype") == 3:
                    rmac = ec["mac"].lower()
        elif a["type"] == 14:
            nh = a.get("nexthop")
        elif a["type"] == 22:
            pmsi = {"tunnel_type": a.get("tunnel-type"), "label": a.get("label")}
        elif a["type"] == 9:
            oid = a.get("value")
    r = _base(type=t, rd=_gobgp_rd(v["rd"]), next_hop=nh, rts=rts, router_mac=rmac, pmsi=pmsi,
              originator_id=oid)
    ip = v.get("ip")
    ip = None if ip in (None, "<nil>", "") else ip
    if t == 1:
        r.update(esi=_gobgp_esi(v.get("esi")), etag=v.get("etag"), labels=[v["label"]] if "label" in v else None)
    elif t == 2:
        r.update(esi=_gobgp_esi(v.get("esi")), etag=v.get("etag"), mac=_mac(v.get("mac")), ip=ip,
                 labels=v.get("labels"))
    elif t == 3:
        r.update(etag=v.get("etag"), originator=ip)
    elif t == 4:
        r.update(esi=_gobgp_esi(v.get("esi")), originator=ip)
    elif t == 5:
        pfx = v.get("prefix")
        r.update(esi=_gobgp_esi(v.get("esi")), etag=v.get("etag"), prefix=pfx,
                 ip=pfx.split("/")[0] if pfx else None, gateway=v.get("gateway"),
                 labels=[v["label"]] if "label" in v else None)
    return r


# --- evpnd: GET /v1/bgp/evpn/routes ------------------------------------------------------------
def _first(d: dict, *keys: str, default: Any = None) -> Any:
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


def normalize_evpnd_route(e: dict) -> dict:
    """One route object from evpnd's API: src/wire/json_view.hpp ROUTE + ATTRS shapes, flat or
    nested under "route"/"attributes" (the POST /v1/evpn/routes body uses the flat form)."""
    flat = dict(e)
    for k in ("route", "nlri", "attributes", "attrs", "path"):
        if isinstance(e.get(k), dict):
            flat.update(e[k])
    e = flat
    t = int(_first(e, "route_type", "type"))
    ecs = _first(e, "extended_communities", "ext_communities", default=[]) or []
    rts, rmac = [], _first(e, "router_mac")
    for ec in ecs:
        s = str(ec)
        if s.lower().startswith("rt:"):
            rts.append(s[3:])
        elif s.lower().startswith(("rmac:", "router-mac:", "router_mac:")):
            rmac = s.split(":", 1)[1]
    if isinstance(e.get("route_targets"), list):
        rts = [str(x) for x in e["route_targets"]]
    labels = _first(e, "labels")
    if labels is None:
        vni, l3 = _first(e, "vni", "label"), _first(e, "l3vni", "label2")
        labels = [x for x in (vni, l3) if x is not None] or None
    pm = _first(e, "pmsi", "pmsi_tunnel")
    pmsi = None
    if isinstance(pm, dict):
        tt = _first(pm, "tunnel_type", "type")
        pmsi = {"tunnel_type": 6 if tt in ("ingress-replication", 6) else tt, "label": _first(pm, "label", "vni")}
    ip = _first(e, "ip", "ip_address")
    ip = None if ip in ("", "0.0.0.0", "::") and t == 2 else ip
    r = _base(type=t, rd=_first(e, "rd"), esi=(_first(e, "esi") or "").lower() or None,
              etag=_first(e, "ethernet_tag", "etag"), mac=_mac(_first(e, "mac")), ip=ip,
              labels=labels, next_hop=_first(e, "next_hop", "nexthop"), rts=rts,
              router_mac=_mac(rmac), pmsi=pmsi, originator_id=_first(e, "originator_id"))
    if t in (3, 4):
        r["originator"] = _first(e, "originator", "originator_ip", "ip")
        r["ip"] = None
    if t == 2 and r["esi"] is None:
        r["esi"] = ZERO_ESI
    if t == 5:
        pfx = _first(e, "prefix")
        r.update(prefix=pfx, ip=pfx.split("/")[0] if pfx else None, gateway=_first(e, "gateway", "gateway_ip"))
    return r
