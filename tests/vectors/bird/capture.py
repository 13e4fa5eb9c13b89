#!/usr/bin/env python3
"""Captures BIRD 2.0.12's unicast BGP messages (calico-node style) into the .hex vectors of this
directory. Run as root from anywhere:

    python3 tests/vectors/bird/capture.py [--raw-json FILE]

Layout (namespaces from tests/topo/lib, removed afterwards):
  node  BIRD 2 as calico-node (tests/topo/lib/bird.py calico_node()): 10.1.0.11 AS 64512,
        IPAM block 10.244.1.0/26 and Service IP 203.0.113.10/32 as blackholes, exported through
        the calico filters over eBGP multihop (IPv4 session, classic NLRI + NEXT_HOP); plus an IPv6
        session fd00:1::11 -> fd00:1::1 (directly connected: MP_REACH next hop = global +
        link-local, RFC 2545 §3) exporting 2001:db8:244:100::/64 and 2001:db8:ff::10/128.
  tor   BIRD 2 receiving (AS 65001, no ADD-PATH, import all, export none) and tcpdump.
After both sessions exchanged their routes and End-of-RIB, the node's static protocols are disabled
one after the other, so BIRD sends the IPv4 withdrawal (Withdrawn Routes field) and the IPv6 one
(MP_UNREACH_NLRI). Every OPEN and UPDATE the node sends is written as bird-<what>.hex in the
format of ../frr/README.md, with `# expect` lines from tshark's decode (not from our decoder).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../../.."))
sys.path.insert(0, os.path.join(ROOT, "tests", "topo"))
sys.path.insert(0, os.path.join(HERE, "..", "frr"))

from lib.bird import BirdNode, BirdPeer, calico_node  # noqa: E402
from lib.harness import wait_until  # noqa: E402
from lib.netns import Lab  # noqa: E402
import extract  # noqa: E402  (tshark expectations shared with the FRR vectors)

NODE4, TOR4, NODE6, TOR6 = "10.1.0.11", "10.1.0.1", "fd00:1::11", "fd00:1::1"
V6_ROUTES = ["2001:db8:244:100::/64 blackhole", "2001:db8:ff::10/128 blackhole"]


def unicast_expectations(msg) -> list[str]:
    """extract.expectations() plus the unicast fields: NLRI / withdrawn / MP prefixes, NEXT_HOP,
    the IPv6 next hops, the AS path."""
    e = extract.expectations(msg)
    flat = []
    extract.walk(msg, flat)
    names = {"bgp.update.path_attribute.next_hop": "next_hop",
             "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6": "next_hop6",
             "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local": "next_hop6_ll",
             "bgp.update.path_attribute.as_path_segment.as4": "as_path_as4",
             "bgp.update.path_attribute.as_path_segment.as2": "as_path_as2",
             "bgp.update.path_attribute.as_path_segment.type": "as_path_seg_type",
             "bgp.update.withdrawn_routes.length": "withdrawn_len",
             "bgp.update.total_path_attribute_length": "attrs_len"}
    for k, v in flat:
        if k in names:
            e.append(f"{names[k]}={v}")
    # each prefix is a (bgp.prefix_length, bgp.<kind>_prefix) pair in document order
    kinds = {"bgp.nlri_prefix": "nlri", "bgp.withdrawn_prefix": "withdrawn",
             "bgp.mp_reach_nlri_ipv6_prefix": "mp_reach", "bgp.mp_unreach_nlri_ipv6_prefix": "mp_unreach"}
    plen = None
    for k, v in flat:
        if k == "bgp.prefix_length":
            plen = v
        elif k in kinds:
            e.append(f"{kinds[k]}={v}/{plen}")
    return e


def what(exp: list[str], t: int) -> str:
    if t == 1:
        return "open"
    d = dict(x.split("=", 1) for x in exp if "=" in x and " " not in x.split("=", 1)[0])
    if any(x.startswith("nlri=") for x in exp):
        return "ipv4-reach"
    if any(x.startswith("withdrawn=") for x in exp):
        return "ipv4-withdraw"
    if any(x.startswith("mp_reach=") for x in exp):
        return "ipv6-reach"
    if any(x.startswith("mp_unreach=") for x in exp):
        return "ipv6-withdraw"
    if d.get("unreach_afi") == "2":
        return "ipv6-eor"
    return "ipv4-eor" if d.get("length") == "23" else "update"


def main() -> int:
    if os.geteuid() != 0:
        print("needs root")
        return 77
    raw_json = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--raw-json" else None
    with Lab() as lab:
        node_ns, tor_ns = lab.netns("bvn"), lab.netns("bvt")
        lab.veth(node_ns, "eth0", tor_ns, "eth0", f"{NODE4}/24", f"{TOR4}/24")
        # fixed MACs: the IPv6 next hop's link-local half (fe80::ff:fe01:b) is the same every run
        for ns, mac in ((node_ns, "02:00:00:01:00:0b"), (tor_ns, "02:00:00:01:00:01")):
            ns.sysctl("net.ipv6.conf.eth0.accept_dad", 0)
            ns.ip("link", "set", "eth0", "down")
            ns.ip("link", "set", "eth0", "address", mac)
            ns.ip("link", "set", "eth0", "up")
        node_ns.ip("-6", "addr", "add", f"{NODE6}/64", "dev", "eth0", "nodad")
        tor_ns.ip("-6", "addr", "add", f"{TOR6}/64", "dev", "eth0", "nodad")
        pcap = lab.path("bird.pcap")
        tcpdump = lab.spawn("tcpdump", tor_ns, ["tcpdump", "-i", "eth0", "-U", "-w", pcap, "tcp port 179"],
                            "tcpdump")
        time.sleep(1)
        node = calico_node(lab, node_ns, NODE4, 64512, TOR4, 65001)
        node.kernel_export = None  # nothing to install here; keeps the node's tables our own
        node.statics["calico_static6"] = V6_ROUTES
        node.peers.append(BirdPeer("Global6", TOR6, 65001, source=NODE6, channels=("ipv6",), multihop=None,
                                   export_filter="where proto = \"calico_static6\"", import_filter="none",
                                   gateway_recursive=False, add_paths=True))
        tor = BirdNode(lab, tor_ns, TOR4, 65001, [
            BirdPeer("node4", NODE4, 64512, source=TOR4, multihop=2, export_filter="none",
                     next_hop_self=False, gateway_recursive=False, graceful_restart=False),
            BirdPeer("node6", NODE6, 64512, source=TOR6, channels=("ipv6",), multihop=None,
                     export_filter="none", next_hop_self=False, gateway_recursive=False,
                     graceful_restart=False)], direct='"eth0"')
        tor.start()
        node.start()
        wait_until(lambda: tor.established("node4") and tor.established("node6"), 30, 0.5,
                   what="both BIRD sessions Established")
        wait_until(lambda: len(tor.routes("protocol", "node4")) == 2 and len(tor.routes("protocol", "node6")) == 2,
                   20, 0.5, what="ToR has the 2 IPv4 + 2 IPv6 routes")
        print(tor.birdc("show route all"))
        time.sleep(2)
        node.disable("calico_static")
        wait_until(lambda: not tor.routes("protocol", "node4"), 10, 0.3, what="IPv4 withdrawal")
        node.disable("calico_static6")
        wait_until(lambda: not tor.routes("protocol", "node6"), 10, 0.3, what="IPv6 withdrawal")
        time.sleep(1)
        tcpdump.stop()
        node.stop()
        tor.stop()
        js = subprocess.run(["tshark", "-r", pcap, "-Y", "bgp && (ip.src == %s || ipv6.src == %s)" % (NODE4, NODE6),
                             "-T", "json", "-x", "--no-duplicate-keys"],
                            check=True, capture_output=True, text=True).stdout
        if raw_json:
            with open(raw_json, "w") as f:
                f.write(js)
        for old in os.listdir(HERE):
            if old.endswith(".hex"):
                os.unlink(os.path.join(HERE, old))
        for fr in json.loads(js):
            layers = fr["_source"]["layers"]
            payload = bytes.fromhex(layers["tcp"]["tcp.payload"].replace(":", ""))
            src = layers.get("ip", {}).get("ip.src") or layers.get("ipv6", {}).get("ipv6.src")
            dst = layers.get("ip", {}).get("ip.dst") or layers.get("ipv6", {}).get("ipv6.dst")
            msgs = layers["bgp"] if isinstance(layers["bgp"], list) else [layers["bgp"]]
            off = 0
            for m in msgs:
                length = int(m["bgp.length"])
                raw, off = payload[off:off + length], off + length
                t = int(m["bgp.type"])
                if t not in (1, 2):
                    continue
                exp = unicast_expectations(m)
                # stable names (the two sessions' messages interleave differently each run)
                name = "bird-%s.hex" % (what(exp, t) + ("-ipv6" if t == 1 and ":" in src else
                                                        "-ipv4" if t == 1 else ""))
                if os.path.exists(os.path.join(HERE, name)):
                    sys.exit(f"second message named {name}: see what()")
                lines = ["# BIRD 2.0.12 BGP %s, calico-node %s (AS 64512) -> %s (AS 65001)"
                         % ("OPEN" if t == 1 else "UPDATE", src, dst),
                         "# made by tests/vectors/bird/capture.py; 'expect' lines come from tshark's decode"]
                lines += ["# expect " + x for x in exp]
                for j in range(0, len(raw), 16):
                    lines.append(" ".join("%02x" % b for b in raw[j:j + 16]))
                with open(os.path.join(HERE, name), "w") as f:
                    f.write("\n".join(lines) + "\n")
                print("wrote", name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
