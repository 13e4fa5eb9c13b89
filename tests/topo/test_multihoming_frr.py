#!/usr/bin/env python3
"""Interop (issue 9): FRR 8.4 as the remote leaf of an evpnd multihomed segment.

    evpnd RR;  leaf1 (A, evpnd) ─┐ es1 (type-3 ESI, VNI 100, all-active,   leaf3 (R, FRR 8.4 zebra+bgpd)
               leaf2 (B, evpnd) ─┘ preference A 50000 > B 32767) ── host mh100 through lib/lag.py

FRR is only the remote VTEP here (multihoming.md §2: as remote it is complete; as a PE it is not).
What FRR must do with evpnd's type-1/type-4/type-2-with-ESI routes (RFC 7432 §8.2, §8.4, §14.1.2):
1. `show bgp l2vpn evpn es` lists es1 with both evpnd VTEPs active `(A)` (per-ES and per-EVI A-D
   of each arrived; the `(A)` flag is bgpd's), and zebra's `show evpn es` holds both VTEPs;
2. in FRR's underlay namespace `ip nexthop` holds an `fdb` group of exactly {A, B}, and `bridge
   fdb` shows the dual-homed host's MAC on vxlan100 with that `nhid` (aliasing);
3. cutting leg a (A's only attachment: A withdraws its per-ES A-D, mass withdraw §8.2) shrinks
   FRR's group to {B}; restoring the leg grows it back to {A, B};
4. 20 broadcasts from r1 (FRR's host) reach the dual-homed host exactly 20 times — FRR's
   ingress replication sends one copy to each of A and B, evpnd's non-DF filter on B drops its
   copy (RFC 7432 §8.5) — and all on A's leg; after the cut, B (now sole PE, DF) delivers 20.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import leaf_ip  # noqa: E402
from lib.lag import BumProbe, fdb_nhid, nexthop_group_members  # noqa: E402
from lib.multihomed import ESI, MultihomedFabric  # noqa: E402

A, B, R = 1, 2, 3
VNI = 100


def frr_group(mf: MultihomedFabric, mac: str):
    """FRR's fdb nexthop group for `mac` on vxlan100: (nhid, sorted member VTEPs) or None."""
    nhid = fdb_nhid(mf.tenant(R), f"vxlan{VNI}", mac)
    if nhid is None:
        return None
    return nhid, nexthop_group_members(mf.underlay(R), nhid).get(nhid)


def frr_es_vteps(frr) -> dict[str, list[str]]:
    """bgpd's `show bgp l2vpn evpn es` for es1: VTEP -> its flags (FRR: 'active', 'esr', ...)."""
    j = frr.json("show bgp l2vpn evpn es json")
    for es in j if isinstance(j, list) else j.values() if isinstance(j, dict) else []:
        if isinstance(es, dict) and es.get("esi") == ESI:
            return {v.get("vtep_ip"): v.get("flags", []) for v in es.get("vteps", [])}
    return {}


def zebra_es_vteps(frr) -> list[str]:
    """zebra's `show evpn es detail json` for es1: its VTEPs (the nexthops zebra programs)."""
    j = frr.json("show evpn es detail json")
    for es in j if isinstance(j, list) else [j]:
        if isinstance(es, dict) and es.get("esi") == ESI:
            return sorted(v.get("vtep") for v in es.get("vteps", []))
    return []


def run(t: harness.Test) -> None:
    mf = MultihomedFabric(t.lab, remote_kind="frr", vnis=(VNI,),
                          df_per_leaf={A: {"preference": 50000}, B: {"preference": 32767}})
    mf.build().start()
    fab = mf.fab
    t.check_wait("fabric sessions Established", lambda: (fab.wait_established(40) or True), 45)
    frr = mf.leaf(R)
    host, lag = mf.mh_hosts[VNI], mf.lags[VNI]
    both = sorted([leaf_ip(A), leaf_ip(B)])
    fab.announce_hosts()
    host.ns.try_run("ping", "-c", "1", "-W", "1", "192.168.100.1")

    # 1. FRR's view of the segment -------------------------------------------------------------
    t.check_wait("FRR bgpd: es1 lists A and B as active VTEPs (A)",
                 lambda: sorted(v for v, f in frr_es_vteps(frr).items() if "active" in f) == both, 30)
    t.check_wait("FRR zebra: `show evpn es` holds es1 with VTEPs A and B", lambda: zebra_es_vteps(frr) == both, 10)
    t.log(frr.vtysh("show bgp l2vpn evpn es", "show evpn es"))

    # 2. aliasing through an fdb nexthop group -----------------------------------------------------
    g = t.check_wait(f"FRR: {host.mac} on vxlan{VNI} with an nhid whose fdb group is {{A, B}}",
                     lambda: (lambda x: x if x and x[1] == both else None)(frr_group(mf, host.mac)), 25)
    t.log(mf.underlay(R).ip("nexthop", "show"))

    # 4a. BUM from FRR's host reaches the dual-homed host exactly once --------------------------
    # Both PEs are non-DF until their DF Wait timer (3 s, RFC 8584 §2.1) has run out: wait for the
    # election on both, or a fast fabric probes before anybody forwards BUM (0 instead of 20).
    def df_everywhere():
        dfs = [e.get("df") for n in (mf.leaf(A), mf.leaf(B))
               for e in n.api.get("/v1/evpn/es-evi").get("es_evis", []) if e.get("vni") == VNI]
        return len(dfs) == 2 and dfs[0] is not None and dfs[0] == dfs[1] == leaf_ip(A)
    t.check_wait("A and B past the DF wait, both name A the DF of VNI 100", df_everywhere, 20)
    r1 = mf.single_homed(R, VNI)
    probe = BumProbe({"host": (host.ns, "eth0"), "a1": (mf.single_homed(A, VNI).ns, "eth0"),
                      "b1": (mf.single_homed(B, VNI).ns, "eth0")})
    time.sleep(1)
    legs0 = lag.received("a"), lag.received("b")
    c = probe.send((r1.ns, "eth0"), "r1")
    legs1 = lag.received("a"), lag.received("b")
    t.check_eq("20 broadcasts from r1 (FRR's host): the dual-homed host gets exactly 20", c["host"], 20)
    t.check_eq("... all on A's leg (DF), none on B's (non-DF filter)",
               (legs1[0] - legs0[0], legs1[1] - legs0[1]), (20, 0))
    t.check_eq("... a1 and b1 get 20 each", (c["a1"], c["b1"]), (20, 20))

    # 3. cut leg a: mass withdraw shrinks FRR's group ----------------------------------------------
    t0 = time.monotonic()
    lag.cut("a")
    lag.send_via("b")
    ok = t.check_wait("leg a cut: FRR's group for the host is {B}",
                      lambda: (lambda x: x and x[1] == [leaf_ip(B)])(frr_group(mf, host.mac)), 15)
    if ok:
        t.log(f"FRR's group lost A {time.monotonic() - t0:.2f} s after the cut (0.3 s polling)")
    c = probe.send((r1.ns, "eth0"), "r1cut")
    t.check_eq("leg a cut: 20 broadcasts from r1, the host gets exactly 20 (B is the DF left)", c["host"], 20)

    lag.restore("a")
    lag.send_via("a")
    t.check_wait("leg a restored: FRR's group for the host is {A, B} again",
                 lambda: (lambda x: x and x[1] == both)(frr_group(mf, host.mac)), 25)
    t.check_wait("leg a restored: FRR bgpd lists A and B active again",
                 lambda: sorted(v for v, f in frr_es_vteps(frr).items() if "active" in f) == both, 15)
    time.sleep(4)  # A's DF wait (3 s) before A forwards BUM again
    c = probe.send((r1.ns, "eth0"), "r1back")
    t.check_eq("leg a restored: 20 broadcasts from r1, the host gets exactly 20", c["host"], 20)


if __name__ == "__main__":
    harness.main(run, "multihoming_frr")
