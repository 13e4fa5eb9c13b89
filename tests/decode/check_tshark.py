#!/usr/bin/env python3
"""Cross-check `evpnctl decode --pcap` against tshark's BGP dissector.

usage: check_tshark.py EVPNCTL PCAP

Both tools decode the same capture; every BGP message must appear in both, in the same order,
in the same frame, with the same type, length, addresses, ports and timestamp. For every UPDATE the EVPN routes of MP_REACH
and MP_UNREACH are compared field by field (route type, RD, ESI, Ethernet tag, MAC, IP, prefix,
gateway, originator, VNIs), and so are the route targets (and all extended communities), the MP_REACH next hop, ORIGIN,
LOCAL_PREF, MED, ORIGINATOR_ID, CLUSTER_LIST and the PMSI tunnel.

VNIs are taken from the raw bytes of tshark's label fields (a 24-bit number, RFC 8365 §5.1.3):
tshark 4.0 shows some type-5 labels as MPLS labels (20 bits, shifted), which is not what FRR
puts there (../shared/FRR-INTEROP.md §5). RDs and RTs are formatted from their raw bytes.
Exit status 0 when everything matches, 1 on any mismatch (all are listed), 2 on usage errors,
77 (CTest: skipped) without tshark.
"""
import datetime
import ipaddress
import json
import shutil
import subprocess
import sys


def run(cmd):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {res.returncode}:\n{res.stderr}")
    return res.stdout


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def raw_entries(v):
    """tshark -x gives a field's raw bytes as [hex, offset, length, bitmask, type], or a list of
    those when the field repeats."""
    if v is None:
        return []
    if v and isinstance(v[0], str):
        return [v[0]]
    return [e[0] for e in v]


def fmt_rd(hexstr):
    b = bytes.fromhex(hexstr.replace(":", ""))
    t = int.from_bytes(b[0:2], "big")
    if t == 0:
        return f"{int.from_bytes(b[2:4], 'big')}:{int.from_bytes(b[4:8], 'big')}"
    if t == 1:
        return f"{ipaddress.IPv4Address(b[2:6])}:{int.from_bytes(b[6:8], 'big')}"
    if t == 2:
        return f"{int.from_bytes(b[2:6], 'big')}:{int.from_bytes(b[6:8], 'big')}"
    return f"type{t}:{b[2:].hex()}"


def fmt_rt(b):
    """RFC 4360 §4 / RFC 5668 route target (sub-type 0x02), else None."""
    if b[1] != 0x02:
        return None
    t = b[0] & 0x3F
    if t == 0x00:
        return f"rt:{int.from_bytes(b[2:4], 'big')}:{int.from_bytes(b[4:8], 'big')}"
    if t == 0x01:
        return f"rt:{ipaddress.IPv4Address(b[2:6])}:{int.from_bytes(b[6:8], 'big')}"
    if t == 0x02:
        return f"rt:{int.from_bytes(b[2:6], 'big')}:{int.from_bytes(b[6:8], 'big')}"
    return None


def fmt_ec(b):
    """The evpnctl text of the extended communities FRR sends (ext_community.hpp), else None."""
    rt = fmt_rt(b)
    if rt:
        return rt
    if b[0] == 0x03 and b[1] == 0x0C:  # RFC 9012 §4.1 encapsulation
        names = {8: "vxlan", 9: "nvgre", 10: "mpls", 11: "mpls-gre", 12: "vxlan-gpe", 19: "geneve"}
        t = int.from_bytes(b[6:8], "big")
        return f"encap:{names.get(t, t)}"
    if b[0] == 0x06 and b[1] == 0x03:  # RFC 9135 §8.1 router's MAC
        return "router-mac:" + ":".join(f"{x:02x}" for x in b[2:8])
    if b[0] == 0x06 and b[1] == 0x00:  # RFC 7432 §7.7 MAC mobility
        seq = int.from_bytes(b[4:8], "big")
        return f"mac-mobility:seq={seq}" + (",sticky" if b[2] & 1 else "")
    return None


def label_values(route):
    """Every 3-byte label field of a tshark EVPN NLRI (VNI or 'MPLS label'), as 24-bit numbers."""
    out = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k.endswith("_raw") and ("vni" in k or "mpls_label" in k) and "mpls_label_value" not in k:
                    out.extend(int(h, 16) for h in raw_entries(v))
                elif not k.endswith("_raw"):
                    walk(v)
        elif isinstance(o, list):
            for e in o:
                walk(e)

    walk(route)
    return out


def tshark_route(r):
    """One tshark EVPN NLRI -> the fields evpnctl prints for it."""
    rt = int(r["bgp.evpn.nlri.rt"])
    out = {"route_type": rt}
    if "bgp.evpn.nlri.rd" in r:
        out["rd"] = fmt_rd(r["bgp.evpn.nlri.rd"])
    if "bgp.evpn.nlri.esi" in r and rt in (1, 2, 4, 5):
        out["esi"] = r["bgp.evpn.nlri.esi"]
    if "bgp.evpn.nlri.etag" in r and rt in (1, 2, 3, 5):
        out["ethernet_tag"] = int(r["bgp.evpn.nlri.etag"])
    ip = r.get("bgp.evpn.nlri.ip.addr") or r.get("bgp.evpn.nlri.ipv6.addr")
    labels = label_values(r)
    if rt == 2:
        out["mac"] = r["bgp.evpn.nlri.mac_addr"]
        if ip is not None and int(r.get("bgp.evpn.nlri.iplen", "0")) > 0:
            out["ip"] = ip
        if labels:
            out["vni"] = labels[0]
        if len(labels) > 1:
            out["l3vni"] = labels[1]
    elif rt in (3, 4):
        out["originator"] = ip
    elif rt == 5:
        out["prefix"] = f"{ip}/{r['bgp.evpn.nlri.prefix_len']}"
        out["gateway"] = r.get("bgp.evpn.nlri.ipv4.gtw_addr") or r.get("bgp.evpn.nlri.ipv6.gtw_addr")
        if labels:
            out["vni"] = labels[0]
    elif rt == 1 and labels:
        out["vni"] = labels[0]
    return out


def ours_route(r):
    keys = ("route_type", "rd", "esi", "ethernet_tag", "mac", "ip", "vni", "l3vni", "originator", "prefix", "gateway")
    return {k: r[k] for k in keys if k in r}


def tshark_messages(frames):
    """Flatten tshark's frames into (frame, message-dict, where) in capture order; `where` holds
    the frame's src/dst ("ip:port", IPv6 in brackets) and its time as epoch nanoseconds."""
    out = []
    for fr in frames:
        layers = fr["_source"]["layers"]
        ip = layers.get("ip") or layers.get("ipv6")
        v6 = "ipv6" in layers and "ip" not in layers
        src = ip["ipv6.src" if v6 else "ip.src"]
        dst = ip["ipv6.dst" if v6 else "ip.dst"]
        if v6:
            src, dst = f"[{src}]", f"[{dst}]"
        sec, _, frac = layers["frame"]["frame.time_epoch"].partition(".")
        where = {"src": f"{src}:{layers['tcp']['tcp.srcport']}", "dst": f"{dst}:{layers['tcp']['tcp.dstport']}",
                 "ns": int(sec) * 10**9 + int((frac + "000000000")[:9])}
        for m in as_list(layers.get("bgp")):
            if "bgp.type" in m:
                out.append((int(layers["frame"]["frame.number"]), m, where))
    return out


def iso_to_ns(t):
    """'2026-11-25T09:05:17.860577505Z' -> epoch nanoseconds."""
    base, _, frac = t.rstrip("Z").partition(".")
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 10**9 + int((frac + "000000000")[:9])


def tshark_update(m):
    """The comparable content of one tshark UPDATE."""
    u = {"reach": [], "withdraw": [], "rts": [], "ecs": [], "attrs": {}}
    attrs = m.get("bgp.update.path_attributes", {}).get("bgp.update.path_attribute")
    for a in as_list(attrs):
        t = int(a["bgp.update.path_attribute.type_code"])
        if t == 14:
            nh = a.get("bgp.update.path_attribute.mp_reach_nlri.next_hop_tree", {})
            hop = nh.get("bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4") or nh.get(
                "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6")
            if hop is not None:
                u["attrs"]["next_hop"] = hop
            nlri = a.get("bgp.update.path_attribute.mp_reach_nlri", {})
            nlri = nlri if isinstance(nlri, dict) else {}
            u["reach"] += [tshark_route(r) for r in as_list(nlri.get("bgp.evpn.nlri"))]
        elif t == 15:
            nlri = a.get("bgp.update.path_attribute.mp_unreach_nlri", {})
            nlri = nlri if isinstance(nlri, dict) else {}  # End-of-RIB: no NLRI subtree
            u["withdraw"] += [tshark_route(r) for r in as_list(nlri.get("bgp.evpn.nlri"))]
        elif t == 16:
            for h in raw_entries(a.get("bgp.ext_communities", {}).get("bgp.ext_community_raw")):
                rt = fmt_rt(bytes.fromhex(h))
                if rt:
                    u["rts"].append(rt)
                u["ecs"].append(fmt_ec(bytes.fromhex(h)))
        elif t == 1:
            u["attrs"]["origin"] = ["igp", "egp", "incomplete"][int(a["bgp.update.path_attribute.origin"])]
        elif t == 4:
            u["attrs"]["med"] = int(a["bgp.update.path_attribute.multi_exit_disc"])
        elif t == 5:
            u["attrs"]["local_pref"] = int(a["bgp.update.path_attribute.local_pref"])
        elif t == 9:
            u["attrs"]["originator_id"] = a["bgp.update.path_attribute.originator_id"]
        elif t == 10:
            cl = a.get("bgp.path_attribute.cluster_list", {}).get("bgp.path_attribute.cluster_id")
            u["attrs"]["cluster_list"] = as_list(cl)
        elif t == 22:
            # The PMSI label is a VNI too (RFC 8365 §5.1.3): read its 3 raw bytes.
            label = next((h for k, v in a.items() if k.endswith("_raw") and ("vni" in k or "label" in k)
                          for h in raw_entries(v)), None)
            tid = a.get("bgp.update.path_attribute.pmsi.tunnel.id", {})
            u["attrs"]["pmsi_tunnel"] = {
                "tunnel_type": int(a["bgp.update.path_attribute.pmsi.tunnel.type"]),
                "label": int(label, 16) if label is not None else None,
                "endpoint": tid.get("bgp.update.path_attribute.pmsi.ingress_rep_ip")
                or tid.get("bgp.update.path_attribute.pmsi.ingress_rep_ipv6"),
            }
    return u


def ours_update(j):
    attrs = j.get("attributes", {})
    u = {"reach": [ours_route(r) for r in j.get("evpn_reach", [])],
         "withdraw": [ours_route(r) for r in j.get("evpn_withdraw", [])],
         "rts": [c for c in attrs.get("extended_communities", []) if c.startswith("rt:")],
         "ecs": attrs.get("extended_communities", []),
         "attrs": {}}
    for k in ("next_hop", "origin", "med", "local_pref", "originator_id", "cluster_list"):
        if k in attrs:
            u["attrs"][k] = attrs[k]
    if "pmsi_tunnel" in attrs:
        p = attrs["pmsi_tunnel"]
        u["attrs"]["pmsi_tunnel"] = {"tunnel_type": 6 if p["tunnel_type"] == "ingress-replication" else p["tunnel_type"],
                                     "label": p["label"], "endpoint": p.get("endpoint")}
    return u


TYPES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    evpnctl, pcap = sys.argv[1], sys.argv[2]
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed (scripts/install-deps installs it)")
        return 77
    ours = [json.loads(line) for line in run([evpnctl, "decode", "--pcap", pcap]).splitlines()]
    theirs = tshark_messages(json.loads(run(["tshark", "-r", pcap, "-T", "json", "-x", "--no-duplicate-keys"])))

    errors = []
    if len(ours) != len(theirs):
        errors.append(f"message count: evpnctl {len(ours)}, tshark {len(theirs)}")
    updates = routes = 0
    for i, (j, (frame, m, w)) in enumerate(zip(ours, theirs)):
        where = f"message {i + 1} (frame {frame})"
        ttype = TYPES.get(int(m["bgp.type"]), "UNKNOWN")
        if (j.get("frame"), j.get("type"), j.get("length")) != (frame, ttype, int(m["bgp.length"])):
            errors.append(f"{where}: evpnctl frame/type/length {j.get('frame')}/{j.get('type')}/{j.get('length')}, "
                          f"tshark {frame}/{ttype}/{m['bgp.length']}")
            continue
        if (j.get("src"), j.get("dst")) != (w["src"], w["dst"]) or iso_to_ns(j.get("time", "")) != w["ns"]:
            errors.append(f"{where}: evpnctl {j.get('src')} -> {j.get('dst')} at {j.get('time')}, "
                          f"tshark {w['src']} -> {w['dst']} at {w['ns']} ns")
        if ttype != "UPDATE":
            continue
        updates += 1
        if "errors" in j:
            errors.append(f"{where}: evpnctl reports decode errors on a clean FRR UPDATE: {j['errors']}")
        a, b = ours_update(j), tshark_update(m)
        for part in ("reach", "withdraw"):
            if len(a[part]) != len(b[part]):
                errors.append(f"{where}: {part} route count evpnctl {len(a[part])}, tshark {len(b[part])}")
                continue
            for k, (ra, rb) in enumerate(zip(a[part], b[part])):
                routes += 1
                if ra != rb:
                    errors.append(f"{where}: {part} route {k + 1}:\n  evpnctl {ra}\n  tshark  {rb}")
        if a["rts"] != b["rts"]:
            errors.append(f"{where}: route targets evpnctl {a['rts']}, tshark {b['rts']}")
        # All extended communities in wire order; None = a kind this script does not format.
        if len(a["ecs"]) != len(b["ecs"]) or any(y is not None and x != y for x, y in zip(a["ecs"], b["ecs"])):
            errors.append(f"{where}: extended communities evpnctl {a['ecs']}, tshark {b['ecs']}")
        if a["attrs"] != b["attrs"]:
            errors.append(f"{where}: attributes\n  evpnctl {a['attrs']}\n  tshark  {b['attrs']}")
    if updates == 0 or routes == 0:
        errors.append("no UPDATE with EVPN routes compared: wrong capture or broken decoding")
    for e in errors:
        print("MISMATCH:", e)
    print(f"{len(ours)} messages, {updates} UPDATEs, {routes} EVPN routes compared with tshark: "
          f"{'FAIL' if errors else 'OK'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
