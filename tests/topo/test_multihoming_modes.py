#!/usr/bin/env python3
"""Multihoming (issue 9): every DF algorithm in a running fabric, then single-active.

Same fabric as test_multihoming.py (lib/multihomed.py: leaves 1 = A and 2 = B share es1 on VNIs
100 and 200, remote evpnd leaf 3 = R, evpnd RR), with per-L2VNI `df-id`s 100 and 201 so that the
two VNIs elect differently.

1. algorithms, switched by reload on both PEs (no session flap), the DF of each VNI checked on
   both PEs against an independent computation here (not evpnd's own ranking):
   modulo (RFC 7432 §8.5: PEs by IP ascending, DF = V mod N), HRW (RFC 8584 §3.2, weights from
   tests/vectors/df_election/hrw_vectors.py), preference-lowest (RFC 9785: lowest wins), and a
   mismatch (A hrw, B modulo) that falls back to modulo (RFC 8584 §2.2).
2. single-active (RFC 7432 §14.1.1): the non-DF's attachment is blocked (bridge port disabled, no
   frame in either direction), R installs the host's MAC through a group of the primary only
   (the advertiser), BUM from r1 reaches the host exactly once; cutting A's legs swaps the backup
   into R's group with the MAC keeping its nhid (one replace), B becomes DF and unblocks, and the
   host, now on leg b, gets r1's broadcasts exactly once.
"""
import ipaddress
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "df_election"))
from hrw_vectors import wrand  # noqa: E402
from lib import harness  # noqa: E402
from lib.fabric import leaf_ip  # noqa: E402
from lib.lag import BumProbe, fdb_nhid, nexthop_group_members  # noqa: E402
from lib.multihomed import ESI, MultihomedFabric  # noqa: E402

A, B, R = 1, 2, 3
VNIS = (100, 200)
DF_ID = {100: 100, 200: 201}
PES = (leaf_ip(A), leaf_ip(B))


def df_of(node, vni: int):
    for e in node.api.get("/v1/evpn/es-evi").get("es_evis", []):
        if e["vni"] == vni:
            return e.get("df")
    return None


def modulo_df(v: int) -> str:
    pes = sorted(PES, key=lambda a: int(ipaddress.ip_address(a)))
    return pes[v % len(pes)]


def hrw_df(v: int) -> str:
    esi = bytes.fromhex(ESI.replace(":", ""))
    return max(PES, key=lambda a: (wrand(v, esi, int(ipaddress.ip_address(a))), -int(ipaddress.ip_address(a))))


def set_df(mf: MultihomedFabric, leaf: int, df: dict) -> None:
    node = mf.leaf(leaf)
    node.extra["ethernet-segments"][0]["df"] = df
    node.reload()


def transitions(node) -> int:
    return node.neighbor_info("10.255.0.254").get("established_transitions")


def run(t: harness.Test) -> None:
    mf = MultihomedFabric(t.lab, vnis=VNIS, df={"algorithm": "modulo"})
    mf.build()
    mf.make_nodes()
    for i in (A, B):  # df-id per L2VNI: V of the election (RFC 8584 §3 "V")
        for l in mf.leaf(i).extra["l2vnis"]:
            l["df-id"] = DF_ID[l["vni"]]
    mf.fab.spine.start()
    for n in mf.fab.leaf_nodes:
        n.start()
    fab = mf.fab
    t.check_wait("fabric sessions Established", lambda: (fab.wait_established(40) or True), 45)
    a, b, r = mf.leaf(A), mf.leaf(B), mf.leaf(R)
    flaps = transitions(a), transitions(b)

    def expect(name: str, want: dict) -> None:
        for vni in VNIS:
            t.check_wait(f"{name}: DF of VNI {vni} (df-id {DF_ID[vni]}) is {want[vni]} on A and B",
                         lambda vni=vni: df_of(a, vni) == want[vni] and df_of(b, vni) == want[vni], 20)

    # 1. algorithms --------------------------------------------------------------------------------
    want = {v: modulo_df(DF_ID[v]) for v in VNIS}
    t.check("the two VNIs elect different DFs with modulo (df-ids 100, 201)", want[100] != want[200], want)
    expect("modulo (RFC 7432 §8.5)", want)
    for i in (A, B):
        set_df(mf, i, {"algorithm": "hrw"})
    expect("HRW (RFC 8584 §3.2, independent weights)", {v: hrw_df(DF_ID[v]) for v in VNIS})
    set_df(mf, A, {"algorithm": "preference-lowest", "preference": 100})
    set_df(mf, B, {"algorithm": "preference-lowest", "preference": 200})
    expect("preference-lowest (RFC 9785): A 100 < B 200", {v: leaf_ip(A) for v in VNIS})
    set_df(mf, A, {"algorithm": "hrw"})
    set_df(mf, B, {"algorithm": "modulo"})
    expect("mismatch A hrw / B modulo: both fall back to modulo (RFC 8584 §2.2)",
           {v: modulo_df(DF_ID[v]) for v in VNIS})
    t.check_eq("algorithm changes by reload: no session flap on A or B", (transitions(a), transitions(b)), flaps)

    # 2. single-active ---------------------------------------------------------------------------------
    for i, pref in ((A, 50000), (B, 32767)):
        node = mf.leaf(i)
        node.extra["ethernet-segments"][0]["redundancy"] = "single-active"
        node.extra["ethernet-segments"][0]["df"] = {"algorithm": "preference", "preference": pref}
        node.reload()
    expect("single-active, preference A 50000 > B 32767", {v: leaf_ip(A) for v in VNIS})
    host, lag = mf.mh_hosts[100], mf.lags[100]
    t.check_wait("single-active: B's es1-100 is blocked (bridge port state disabled)",
                 lambda: "state disabled" in mf.tenant(B).run("bridge", "link", "show", "dev", "es1-100"), 15)
    t.check("single-active: A's es1-100 forwards",
            "state forwarding" in mf.tenant(A).run("bridge", "link", "show", "dev", "es1-100"))
    host.ns.try_run("ping", "-c", "1", "-W", "1", "192.168.100.1")
    t.check_wait("single-active: R reaches the host's MAC through a group of the primary A only (backup kept)",
                 lambda: group(mf, host.mac) == [leaf_ip(A)], 20)
    r1 = mf.single_homed(R, 100)
    probe = BumProbe({"host": (host.ns, "eth0")})
    legs0 = lag.received("a"), lag.received("b")
    c = probe.send((r1.ns, "eth0"), "sa")
    legs = lag.received("a") - legs0[0], lag.received("b") - legs0[1]
    t.check_eq("single-active: 20 broadcasts from r1, host gets 20, all via A", (c["host"], legs), (20, (20, 0)))
    nhid0 = fdb_nhid(mf.tenant(R), "vxlan100", host.mac)
    for v in VNIS:
        mf.lags[v].cut("a")
        mf.lags[v].send_via("b")
    t.check_wait("single-active: A lost the segment -> R swaps in the backup B (same nhid: one replace)",
                 lambda: group(mf, host.mac) == [leaf_ip(B)] and fdb_nhid(mf.tenant(R), "vxlan100", host.mac) == nhid0, 15)
    t.check_wait("single-active: B is DF and its es1-100 forwards",
                 lambda: df_of(b, 100) == leaf_ip(B) and
                 "state forwarding" in mf.tenant(B).run("bridge", "link", "show", "dev", "es1-100"), 15)
    time.sleep(0.5)
    legs0 = lag.received("a"), lag.received("b")
    c = probe.send((r1.ns, "eth0"), "sa2")
    legs = lag.received("a") - legs0[0], lag.received("b") - legs0[1]
    t.check_eq("single-active after the cut: 20 broadcasts from r1, host gets 20, all via B", (c["host"], legs),
               (20, (0, 20)))


def group(mf: MultihomedFabric, mac: str):
    nhid = fdb_nhid(mf.tenant(R), "vxlan100", mac)
    return None if nhid is None else nexthop_group_members(mf.underlay(R), nhid).get(nhid)


if __name__ == "__main__":
    harness.main(run, "multihoming_modes")
