#!/usr/bin/env python3
"""Extracts every BGP message of tests/vectors/captures/bgp-evpn.pcap into one .hex file each.

Each file: '#' comment lines, then the message bytes (marker .. end) in hex. The comments include
'# expect key=value ...' lines taken from tshark's own decode (tshark -T json), which
src/wire/test/golden_test.cpp checks against our decoder, so the expected values do not come
from the code under test. Run from anywhere:  python3 tests/vectors/frr/extract.py
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAP = os.path.normpath(os.path.join(HERE, "../captures/bgp-evpn.pcap"))
TYPES = {1: "open", 2: "update", 3: "notification", 4: "keepalive", 5: "route-refresh"}


def walk(o, out, key=""):
    """Flattens tshark JSON into (key, value) pairs in document order."""
    if isinstance(o, dict):
        for k, v in o.items():
            walk(v, out, k)
    elif isinstance(o, list):
        for v in o:
            walk(v, out, key)
    else:
        out.append((key, o))


def find(o, key):
    """All values of `key` anywhere under o, in order (lists and dicts kept)."""
    res = []
    if isinstance(o, dict):
        for k, v in o.items():
            if k == key:
                res.extend(v if isinstance(v, list) else [v])
            else:
                res.extend(find(v, key))
    elif isinstance(o, list):
        for v in o:
            res.extend(find(v, key))
    return res


def route_line(n):
    f = []
    walk(n, f)
    d = {}
    for k, v in f:
        d.setdefault(k, []).append(v)
    g = lambda k: d.get(k, [None])[0]
    parts = ["route", "type=" + g("bgp.evpn.nlri.rt"), "rd=" + g("bgp.evpn.nlri.rd").replace(":", "")]
    if g("bgp.evpn.nlri.etag") is not None:
        parts.append("etag=" + g("bgp.evpn.nlri.etag"))
    if g("bgp.evpn.nlri.mac_addr"):
        parts.append("mac=" + g("bgp.evpn.nlri.mac_addr"))
    ip = g("bgp.evpn.nlri.ip.addr") or g("bgp.evpn.nlri.ipv6.addr")
    if g("bgp.evpn.nlri.prefix_len"):
        parts.append("prefix=%s/%s" % (ip, g("bgp.evpn.nlri.prefix_len")))
        parts.append("gw=" + (g("bgp.evpn.nlri.ipv4.gtw_addr") or g("bgp.evpn.nlri.ipv6.gtw_addr")))
    elif ip:
        parts.append("ip=" + ip)
    labels = d.get("bgp.evpn.nlri.vni", []) + d.get("bgp.update.path_attribute.mpls_label_value", [])
    if labels:
        parts.append("labels=" + ",".join(labels))
    return " ".join(parts)


def expectations(msg):
    t = int(msg["bgp.type"])
    e = ["type=%d" % t, "length=" + msg["bgp.length"]]
    flat = []
    walk(msg, flat)
    vals = lambda k: [v for kk, v in flat if kk == k]
    if t == 1:
        e += ["version=" + msg["bgp.open.version"], "my_as=" + msg["bgp.open.myas"],
              "hold_time=" + msg["bgp.open.holdtime"], "bgp_id=" + msg["bgp.open.identifier"],
              "caps=" + ",".join(vals("bgp.cap.type"))]
        for k, name in (("bgp.cap.4as", "as4"), ("bgp.cap.gr.timers.restart_time", "gr_time"),
                        ("bgp.cap.gr.timers.restart_flag", "gr_r"),
                        ("bgp.cap.gr.timers.notification_flag", "gr_n"),
                        ("bgp.cap.orf.fqdn.hostname", "fqdn_hostname")):
            for v in vals(k):
                e.append("%s=%s" % (name, v))
        mp = list(zip(vals("bgp.cap.mp.afi"), vals("bgp.cap.mp.safi")))
        e += ["mp=%s/%s" % x for x in mp]
        ap = list(zip(vals("bgp.cap.ap.afi"), vals("bgp.cap.ap.safi"), vals("bgp.cap.ap.sendreceive")))
        e += ["add_path=%s/%s/%s" % x for x in ap]
    elif t == 3:
        e.append("code=" + msg["bgp.notify.major_error"])
        minor = [v for k, v in flat if k.startswith("bgp.notify.minor_error")]
        e.append("subcode=" + minor[0])
        data = vals("bgp.notify.minor_data")
        if data:
            e.append("data=" + data[0].replace(":", ""))
    elif t == 2:
        e.append("attrs=" + ",".join(vals("bgp.update.path_attribute.type_code")))
        e.append("attr_flags=" + ",".join(vals("bgp.update.path_attribute.flags")))
        for k, name in (("bgp.update.path_attribute.origin", "origin"),
                        ("bgp.update.path_attribute.local_pref", "local_pref"),
                        ("bgp.update.path_attribute.multi_exit_disc", "med"),
                        ("bgp.update.path_attribute.originator_id", "originator_id"),
                        ("bgp.path_attribute.cluster_id", "cluster_id"),
                        ("bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4", "next_hop"),
                        ("bgp.update.path_attribute.mp_reach_nlri.afi", "reach_afi"),
                        ("bgp.update.path_attribute.mp_reach_nlri.safi", "reach_safi"),
                        ("bgp.update.path_attribute.mp_unreach_nlri.afi", "unreach_afi"),
                        ("bgp.update.path_attribute.mp_unreach_nlri.safi", "unreach_safi"),
                        ("bgp.ext_com.tunnel_type", "encap"),
                        ("bgp.ext_com_evpn.esi.router_mac", "router_mac"),
                        ("bgp.ext_com_evpn.mmac.seq", "mac_mobility_seq"),
                        ("bgp.update.path_attribute.pmsi.tunnel.type", "pmsi_type"),
                        ("bgp.update.path_attribute.pmsi.ingress_rep_ip", "pmsi_endpoint")):
            for v in vals(k):
                e.append("%s=%s" % (name, v))
        for a, n in zip(vals("bgp.ext_com.value_as2"), vals("bgp.ext_com.value_an4")):
            e.append("rt=%s:%s" % (a, n))
        for attr in find(msg, "bgp.update.path_attribute"):
            if isinstance(attr, dict) and attr.get("bgp.update.path_attribute.type_code") == "22":
                e += ["pmsi_label=" + v for v in find(attr, "bgp.evpn.nlri.vni")]
        for n in find(msg, "bgp.evpn.nlri"):
            if isinstance(n, dict):
                e.append(route_line(n))
    return e


def main():
    js = subprocess.run(["tshark", "-r", PCAP, "-Y", "bgp", "-T", "json", "-x", "--no-duplicate-keys"],
                        check=True, capture_output=True, text=True).stdout
    frames = json.loads(js)
    for fr in frames:
        layers = fr["_source"]["layers"]
        num = int(layers["frame"]["frame.number"])
        src, dst = layers["ip"]["ip.src"], layers["ip"]["ip.dst"]
        payload = bytes.fromhex(layers["tcp"]["tcp.payload"].replace(":", ""))
        msgs = layers["bgp"] if isinstance(layers["bgp"], list) else [layers["bgp"]]
        off = 0
        for i, m in enumerate(msgs):
            length = int(m["bgp.length"])
            raw = payload[off:off + length]
            off += length
            t = int(m["bgp.type"])
            name = "f%02d-m%d-%s.hex" % (num, i, TYPES[t])
            lines = ["# FRR 8.4 BGP %s from tests/vectors/captures/bgp-evpn.pcap frame %d, message %d "
                     "of the frame (%s -> %s)" % (TYPES[t].upper(), num, i, src, dst),
                     "# made by tests/vectors/frr/extract.py; 'expect' lines come from tshark's decode"]
            lines += ["# expect " + x for x in expectations(m)]
            for j in range(0, len(raw), 16):
                lines.append(" ".join("%02x" % b for b in raw[j:j + 16]))
            with open(os.path.join(HERE, name), "w") as f:
                f.write("\n".join(lines) + "\n")
        if off != len(payload):
            sys.exit("frame %d: %d payload bytes, BGP messages cover %d" % (num, len(payload), off))


if __name__ == "__main__":
    main()
