#!/usr/bin/env python3
"""Captures FRR 8.4's multihoming UPDATEs (a type-4 Ethernet Segment route and a type-2 with the
segment's ESI) into the .hex vectors of this directory. Run as root from anywhere:

    python3 tests/vectors/frr/multihoming/capture.py

How FRR 8.4 is made to originate them here (../shared/research/multihoming.md §2): zebra accepts
`evpn mh es-id`/`es-sys-mac` only on a bond or on an interface the kernel does not know yet, so
the ES interface `es2` is configured in zebra.conf first and created as a veth afterwards. With a
VLAN-unaware bridge the ES has no ES-EVIs, so FRR sends the type-4 and the host MAC's type-2 with
the ESI but no type-1 (as the study found).

Layout (namespaces from tests/topo/lib, removed afterwards):
  frr   FRR 8.4 zebra + bgpd, router-id/VTEP 10.255.0.21, vxlan100 + br100 + ES port es2
        (es-sys-mac 44:38:39:ff:ff:02, es-id 2, es-df-pref 32767 by default)
  spk   a raw BGP speaker (tests/topo/lib/raw_speaker.py) iBGP AS 65000 from 10.0.0.1, and
        tcpdump writing the session to a pcap that tshark decodes (the '# expect' lines)
  host  h-eth0 (02:00:00:00:0a:21), the other end of es2, sends frames so the MAC is learned
Every UPDATE FRR sends is written as mh-<n>-<what>.hex in the format of ../README.md.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../../../.."))
sys.path.insert(0, os.path.join(ROOT, "tests", "topo"))
sys.path.insert(0, os.path.dirname(HERE))

from lib.frr import FrrNode, Neighbor  # noqa: E402
from lib.harness import wait_until  # noqa: E402
from lib.netns import Lab  # noqa: E402
from lib.raw_speaker import RawSpeaker  # noqa: E402
import extract  # noqa: E402  (tshark expectations, shared with the pcap vectors)

ESI = "03:44:38:39:ff:ff:02:00:00:02"
HOST_MAC = "02:00:00:00:0a:21"


class MhFrrNode(FrrNode):
    """An FRR leaf whose zebra.conf also declares the ES interface before it exists."""

    def zebra_conf(self) -> str:
        return (f"hostname {self.ns.name}\n!\nevpn mh startup-delay 0\n!\ninterface es2\n"
                f" evpn mh es-id 2\n evpn mh es-sys-mac 44:38:39:ff:ff:02\nexit\n!\n")


def mh_expectations(msg) -> list[str]:
    """The generic UPDATE expectations plus the multihoming fields, all from tshark's decode."""
    e = extract.expectations(msg)
    flat = []
    extract.walk(msg, flat)
    for k, v in flat:
        if k == "bgp.evpn.nlri.esi.type":
            e.append("esi_type=" + v)
        elif k == "bgp.evpn.nlri.esi.system_mac":
            e.append("esi_system_mac=" + v)
        elif k == "bgp.evpn.nlri.esi":
            e.append("esi=" + v)  # (tshark 4.0 shows the type-3 discriminator as 2 octets: not used)
        elif k == "bgp.ext_com_evpn.esi.rt":
            e.append("es_import=" + v)
        elif k == "bgp.ext_com.stype_tr_evpn":
            # tshark 4.0 names EVPN sub-types but does not decode DF Election (sub-type 6)
            e.append("evpn_ec_subtype=" + v)
    return e


def main() -> int:
    if os.geteuid() != 0:
        print("needs root")
        return 77
    with Lab() as lab:
        frr_ns, spk_ns, host_ns = lab.netns("mhf"), lab.netns("mhs"), lab.netns("mhh")
        lab.veth(frr_ns, "eth0", spk_ns, "eth0", "10.0.0.0/31", "10.0.0.1/31")
        frr_ns.loopback("10.255.0.21/32")
        pcap = lab.path("mh.pcap")
        tcpdump = lab.spawn("tcpdump", spk_ns, ["tcpdump", "-i", "eth0", "-U", "-w", pcap, "tcp port 179"],
                            "tcpdump")
        time.sleep(1)
        frr = MhFrrNode(lab, frr_ns, 65000, "10.255.0.21", role="leaf", l3vni=None,
                        neighbors=[Neighbor("10.0.0.1", 65000, passive=True)])
        frr.start()
        spk = RawSpeaker(spk_ns, "10.0.0.1", "10.0.0.0", 65000, "10.0.0.1", hold=90)
        spk.connect_retry(30)
        # The ES port appears only now (FRR's loophole), then the VXLAN/bridge it belongs to.
        frr_ns.ip("link", "add", "vxlan100", "type", "vxlan", "id", "100", "local", "10.255.0.21",
                  "dstport", "4789", "nolearning")
        frr_ns.ip("link", "add", "br100", "type", "bridge")
        frr_ns.ip("link", "set", "vxlan100", "master", "br100")
        # No IPv6 on the host: its first frame is then our ping, from HOST_MAC (one MAC to learn).
        host_ns.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
        host_ns.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
        lab.veth(frr_ns, "es2", host_ns, "h-eth0")
        frr_ns.ip("link", "set", "es2", "master", "br100")
        for dev in ("vxlan100", "br100"):
            frr_ns.ip("link", "set", dev, "up")
        host_ns.ip("link", "set", "h-eth0", "address", HOST_MAC)
        host_ns.addr("h-eth0", "192.168.100.21/24")

        def have(kind: str) -> bool:
            host_ns.try_run("ping", "-c", "1", "-W", "0.2", "192.168.100.99")  # frames to learn from
            return ESI in json.dumps(frr.json(f"show bgp l2vpn evpn route type {kind} json"))

        wait_until(lambda: have("es") and have("macip"), 40, 1, what="FRR type-4 and type-2 with ESI")
        print(frr.vtysh("show evpn es detail"))
        time.sleep(3)  # let the UPDATEs reach the speaker and tcpdump
        spk.close()
        time.sleep(1)
        tcpdump.stop()
        frr.stop()
        js = subprocess.run(["tshark", "-r", pcap, "-Y", "bgp.type == 2 && ip.src == 10.0.0.0", "-T", "json",
                             "-x", "--no-duplicate-keys"], check=True, capture_output=True, text=True).stdout
        for old in os.listdir(HERE):
            if old.endswith(".hex"):
                os.unlink(os.path.join(HERE, old))
        n = 0
        for fr in json.loads(js):
            layers = fr["_source"]["layers"]
            payload = bytes.fromhex(layers["tcp"]["tcp.payload"].replace(":", ""))
            msgs = layers["bgp"] if isinstance(layers["bgp"], list) else [layers["bgp"]]
            off = 0
            for m in msgs:
                length = int(m["bgp.length"])
                raw, off = payload[off:off + length], off + length
                if int(m["bgp.type"]) != 2:
                    continue
                exp = mh_expectations(m)
                kinds = sorted({x.split()[1] for x in exp if x.startswith("route ")})
                what = "-".join(k.replace("=", "") for k in kinds) or "eor"
                name = "mh-%02d-%s.hex" % (n, what)
                n += 1
                lines = ["# FRR 8.4.4 BGP UPDATE, 10.255.0.21 (via 10.0.0.0) -> raw speaker 10.0.0.1, ES %s" % ESI,
                         "# made by tests/vectors/frr/multihoming/capture.py; 'expect' lines come from tshark's decode"]
                lines += ["# expect " + x for x in exp]
                for j in range(0, len(raw), 16):
                    lines.append(" ".join("%02x" % b for b in raw[j:j + 16]))
                with open(os.path.join(HERE, name), "w") as f:
                    f.write("\n".join(lines) + "\n")
                print("wrote", name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
