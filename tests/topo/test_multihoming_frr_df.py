#!/usr/bin/env python3
"""Interop (issue 9): FRR 8.4 and evpnd agree on the Designated Forwarder of a shared segment.

FRR 8.4 can be a PE of a segment on this kernel only through the "interface created after the
config" loophole (multihoming.md §2): zebra gets `evpn mh es-id/es-sys-mac/es-df-pref` for ports
that do not exist yet, and the ports are created once FRR runs. It then originates the type-4
(ES-Import, DF Election alg 2 = preference, bitmap 0, its preference; RFC 8584 §2.2, RFC 9785)
and elects; it sends no type-1 (VLAN-unaware bridge: `VNI Count: 0`). evpnd runs algorithm
preference without AC-DF (with AC-DF it would wait for a per-EVI A-D route FRR never sends, and
the differing capability bitmaps would send both to modulo, RFC 8584 §2.2).

    evpnd RR;  leaf1 evpnd 10.0.1.2 ── es1, es2, es4 ── leaf2 FRR 10.0.2.1 ── es3 ── leaf3 evpnd 10.0.2.3

Each segment is one case (VNI 100; evpnd's view GET /v1/evpn/es/<esi>, FRR's `show evpn es`):
  es1  evpnd 50000 > FRR 32767        -> both name 10.0.1.2 (highest preference wins, RFC 9785 alg 2)
  es2  evpnd 32767 < FRR 50000        -> both name 10.0.2.1
  es3  equal, 10.0.2.1 vs 10.0.2.3    -> both name 10.0.2.1 (lowest IP; the byte-reversed order
                                         1.2.0.10 < 3.2.0.10 agrees, so FRR 8.4 gets it right)
  es4  equal, 10.0.1.2 vs 10.0.2.1    -> RFC: 10.0.1.2 (0x0a000102 < 0x0a000201). FRR 8.4 compares
       `vtep_ip.s_addr < es_originator_ip.s_addr` (zebra_evpn_mh.c l.1658-1661, frr-8.4.4): the
       network-order words read on x86 as 0x0201000a (10.0.1.2) and 0x0102000a (10.0.2.1), so it
       ranks 10.0.2.1 lower and elects itself: both PEs are DF (duplicate BUM to the host).
       Recorded (logged with both views), not asserted as a pass: a fixed FRR (HEAD uses
       ipaddr_cmp) makes the record say so. evpnd's side is asserted (RFC 9785: ties go to the lowest IP).
Then evpnd's preference on es1 is lowered live (reload, 50000 -> 20000 < FRR's 32767): both move
the DF to 10.0.2.1 without a session flap (FRR's own preference cannot change live: zebra refuses
`es-df-pref` on the veth once it exists). ~10 s.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import Fabric  # noqa: E402
from lib.multihomed import es_port, frr_es_zebra_lines  # noqa: E402

E1, F, E3 = 1, 2, 3
VTEPS = {E1: "10.0.1.2", F: "10.0.2.1", E3: "10.0.2.3"}
SYS_MAC = "44:38:39:ff:ff:01"
VNI = 100

# es k: (evpnd leaf, evpnd preference, FRR preference, what, the DF RFC 9785 names)
CASES = {
    1: (E1, 50000, 32767, "evpnd's preference higher", VTEPS[E1]),
    2: (E1, 32767, 50000, "FRR's preference higher", VTEPS[F]),
    3: (E3, 32767, 32767, "equal preference, lowest IP 10.0.2.1 < 10.0.2.3", VTEPS[F]),
    4: (E1, 32767, 32767, "equal preference, 10.0.1.2 vs 10.0.2.1 (FRR 8.4 byte order)", VTEPS[E1]),
}
BYTE_ORDER_CASE = 4


def esi(k: int) -> str:
    return f"03:{SYS_MAC}:00:00:{k:02x}"


def evpnd_view(node, k: int) -> dict:
    return node.api.get(f"/v1/evpn/es/{esi(k)}")


def evpnd_df(node, k: int, peer_pref: int):
    """evpnd's DF of es k on VNI 100, once it holds FRR's type-4 with FRR's preference."""
    v = evpnd_view(node, k)
    if not any(p.get("vtep") == VTEPS[F] and p.get("es_route") and p.get("df_preference") == peer_pref
               for p in v.get("vteps", [])):
        return None
    for e in v.get("evis", []):
        if int(e.get("vni", -1)) == VNI:
            return e.get("df")
    return None


def frr_es_detail(frr) -> dict[str, dict]:
    """zebra's `show evpn es detail json`: ESI -> its entry."""
    j = frr.json("show evpn es detail json")
    items = j if isinstance(j, list) else list(j.values()) if isinstance(j, dict) else []
    return {e.get("esi"): e for e in items if isinstance(e, dict)}


def frr_df(frr, k: int, evpnd_vtep: str, evpnd_pref: int):
    """The DF as FRR sees it — itself, or (flag nonDF) the evpnd PE, the segment's only peer —
    once FRR holds evpnd's type-4 (alg preference, evpnd's preference)."""
    e = frr_es_detail(frr).get(esi(k)) or {}
    if not any(v.get("vtep") == evpnd_vtep and v.get("dfAlgorithm") == "preference"
               and v.get("dfPreference") == evpnd_pref for v in e.get("vteps", [])):
        return None
    return evpnd_vtep if "nondf" in [str(f).lower() for f in e.get("flags", [])] else VTEPS[F]


def run(t: harness.Test) -> None:
    lab = t.lab
    frr_ports = {f"es{k}-{VNI}": (k, c[2]) for k, c in CASES.items()}
    fab = Fabric(lab, leaves=3, spine_kind="evpnd", leaf_kinds=["evpnd", "frr", "evpnd"], vnis=(VNI,),
                 hosts_per_vni={VNI: 0}, vtep_ips=VTEPS)
    fab.build()
    stub = lab.netns("stub")
    for k, (leaf, pref, _, _, _) in CASES.items():
        es_port(lab, fab.tenant_ns[leaf - 1], f"es{k}-{VNI}", f"br{VNI}", stub, f"e{leaf}-{k}")
    fab.make_nodes()
    for leaf in (E1, E3):
        fab.leaf_nodes[leaf - 1].extra["ethernet-segments"] = [
            {"name": f"es{k}", "esi": esi(k), "redundancy": "all-active", "attachments": {VNI: f"es{k}-{VNI}"},
             "df": {"algorithm": "preference", "preference": c[1], "ac-df": False}}
            for k, c in CASES.items() if c[0] == leaf]
    frr = fab.leaf_nodes[F - 1]
    frr.extra_zebra = frr_es_zebra_lines(frr_ports, SYS_MAC)
    fab.spine.start()
    for n in fab.leaf_nodes:
        n.start()
    # The loophole: zebra has the ES config; now the ports appear.
    for port in frr_ports:
        es_port(lab, fab.tenant_ns[F - 1], port, f"br{VNI}", stub, f"f-{port}")
    t.check_wait("fabric sessions Established", lambda: (fab.wait_established(40) or True), 45)
    e1, e3 = fab.leaf_nodes[E1 - 1], fab.leaf_nodes[E3 - 1]
    t.check_wait("FRR lists the 4 segments as local ES on the late ports",
                 lambda: all(esi(k) in frr_es_detail(frr) for k in CASES), 20)

    def both(k: int, pe: int | None = None, pf: int | None = None):
        leaf, pe0, pf0 = CASES[k][:3]
        ev = fab.leaf_nodes[leaf - 1]
        return evpnd_df(ev, k, pf or pf0), frr_df(frr, k, VTEPS[leaf], pe or pe0)

    for k, (leaf, pe, pf, what, want) in CASES.items():
        if k == BYTE_ORDER_CASE:
            continue
        t.check_wait(f"es{k} ({what}: evpnd {pe}, FRR {pf}): evpnd and FRR both name {want} the DF",
                     lambda k=k, want=want: both(k) == (want, want), 25)
    t.log(frr.vtysh("show evpn es detail"))

    # The byte-order case: evpnd's side asserted, FRR's recorded.
    k = BYTE_ORDER_CASE
    t.check_wait(f"es{k} (equal preference): evpnd names 10.0.1.2 (lowest IP, 0x0a000102 < 0x0a000201)",
                 lambda: evpnd_df(e1, k, 32767) == VTEPS[E1], 25)
    got = harness.wait_until(lambda: frr_df(frr, k, VTEPS[E1], 32767), 15, what="FRR's DF status of es4")
    t.log(f"es{k} in FRR: {json.dumps(frr_es_detail(frr).get(esi(k)))}")
    t.log(f"es{k} in evpnd: ranking {[e.get('df_ranking') for e in evpnd_view(e1, k).get('evis', [])]}")
    if got == VTEPS[E1]:
        t.log(f"es{k}: FRR agrees (10.0.1.2): this FRR compares addresses numerically (fixed after 8.4)")
    else:
        t.log(f"es{k}: RECORDED FRR 8.4 defect: FRR names itself ({got}) the DF where RFC 9785 (ties: lowest IP) "
              "and evpnd name 10.0.1.2 — it compares s_addr words, byte-reversed on x86 "
              "(10.0.2.1 reads 0x0102000a < 0x0201000a); both PEs forward BUM to the segment")

    # A live preference change on evpnd's side of es1 (FRR's side cannot change: zebra refuses
    # `es-df-pref` on the veth once it exists, "% DF preference cannot be associated with this
    # interface type"): evpnd re-advertises its type-4, FRR re-elects; no session flap.
    flaps = e1.neighbor_info(fab.spine.router_id).get("established_transitions")
    e1.extra["ethernet-segments"][0]["df"]["preference"] = 20000
    e1.reload()
    if not t.check_wait("es1: evpnd's preference lowered live to 20000 (< FRR 32767): both name 10.0.2.1",
                        lambda: both(1, 20000, 32767) == (VTEPS[F], VTEPS[F]), 25):
        t.log(f"es1 now: (evpnd, FRR) = {both(1, 20000, 32767)}")
    t.check_eq("... without a session flap on evpnd's leaf",
               e1.neighbor_info(fab.spine.router_id).get("established_transitions"), flaps)


if __name__ == "__main__":
    harness.main(run, "multihoming_frr_df")
