#!/usr/bin/env python3
"""Issue 10: a Kubernetes node (BIRD 2 as calico-node) peers with the border leaf's tenant VRF;
its pod block and Service IP become EVPN type-5 routes that an FRR leaf and an evpnd leaf route to.

Fabric (lib/vrf_ce.py): FRR route reflector; leaf1 = the border leaf (--dut evpnd: evpnd with
`vrfs[].neighbors`; --dut frr: FRR 8.4 `router bgp 65001 vrf tenant1`, the harness reference),
leaf2 = FRR 8.4 leaf (VNI 200), leaf3 = evpnd leaf (VNI 300), L3VNI 5000. The node k8n1
(10.1.0.11, AS 64512) sits on a routed veth of leaf1's tenant VRF (10.1.0.1, AS 65001, eBGP) and
runs BIRD 2 with calico-node's config (lib/bird.py calico_node(): block 10.244.1.0/26 and Service
IP 203.0.113.10/32 as blackholes, the calico_aggr export filter, multihop, graceful restart); a pod
10.244.1.2 is plumbed Felix-style, the Service IP sits on kube-ipvs0 (kube-proxy IPVS). The border
leaf imports through a prefix-list: 10.244.0.0/16 le 26, 203.0.113.0/24 ge 32; evpnd accepts
the node through `listen-ranges: [{range: 10.1.0.0/24, remote-as: 64512, ...}]` (a dynamic peer, as
for a rack of Calico nodes), FRR through a `neighbor` line.

Checks: [5]:[0]:[26]:[10.244.1.0] and [5]:[0]:[32]:[203.0.113.10] on the FRR leaf (`show bgp
l2vpn evpn route type prefix json`) and the evpnd leaf (API), installed in both leaves' tenant
tables via the border VTEP; a host behind each leaf gets 5/5 replies from 10.244.1.2 and
203.0.113.10; BIRD learns the leaves' SVI subnets (192.168.200.0/24, 192.168.44.0/24) from the
border leaf; 198.51.100.0/24 exported by BIRD is not advertised into EVPN (and, with evpnd, counted
as policy_rejected); `birdc disable calico_static` withdraws both type-5 routes on both leaves.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.bird import calico_filters, calico_node, felix_pod  # noqa: E402
from lib.fabric import leaf_ip  # noqa: E402
from lib.vrf_ce import VRF_ASN, BorderFabric  # noqa: E402
from lib.vrf_checks import (dump, evpnd_vrf_bgp_route, evpnd_vrf_neighbor, kernel_route,  # noqa: E402
                            kernel_route_via, ping_replies, type5_present)

BLOCK, POOL, POD, SVC, OUTSIDE = "10.244.1.0/26", "10.244.0.0/16", "10.244.1.2", "203.0.113.10/32", "198.51.100.0/24"
POLICY = [{"prefix": "10.244.0.0/16", "le": 26}, {"prefix": "203.0.113.0/24", "ge": 32}]


def run(t: harness.Test) -> None:
    if not harness.find_bin("evpnd"):  # leaf3 runs evpnd whatever the border leaf is
        raise harness.Skip("evpnd not built (set EVPND_BIN_DIR)")
    bf = BorderFabric(t.lab, border=t.dut).build()
    node = bf.add_ce("k8n1", 64512)
    pod = t.lab.netns("pod1")
    felix_pod(t.lab, node.ns, pod, POD)
    node.ns.ip("link", "add", "kube-ipvs0", "type", "bridge")  # no dummy on this kernel
    node.ns.ip("link", "set", "kube-ipvs0", "up")
    node.ns.addr("kube-ipvs0", SVC)
    bf.configure_border({"k8n1": POLICY}, listen_ces=("k8n1",))  # evpnd: a listen range, as for a rack of nodes
    bf.start()
    bird = calico_node(t.lab, node.ns, node.ip4, node.asn, node.border4, VRF_ASN).start()
    fab = bf.fab
    border, frr_leaf, ev_leaf = fab.leaf_nodes
    leaves = (("leaf2 (FRR)", frr_leaf, fab.tenant_ns[1]), ("leaf3 (evpnd)", ev_leaf, fab.tenant_ns[2]))
    t.log(f"border leaf1={t.dut}, leaf2=frr, leaf3=evpnd, spine=frr; BIRD calico-node {node.ip4}")
    t.check_wait("fabric sessions Established", lambda: (fab.wait_established(40) or True), 45)
    peer = bird.peers[0].name
    if not t.check_wait(f"BIRD {peer} (AS 64512) <-> border leaf VRF {bf.vrf} (AS {VRF_ASN}) Established",
                        lambda: bird.established(peer), 30):
        return  # everything below needs the session: one failure, not a minute of timeouts
    if t.dut == "evpnd":
        nb = evpnd_vrf_neighbor(border, bf.vrf, node.ip4)
        t.check("evpnd border: the node is a dynamic peer of listen range 10.1.0.0/24 (API)",
                nb.get("dynamic") is True and nb.get("listen_range") == "10.1.0.0/24", dump(nb))
    fab.announce_hosts()

    # --- the node's routes become type-5 routes everywhere --------------------------------
    for pfx in (BLOCK, SVC):
        for what, leaf, tenant in leaves:
            t.check_wait(f"{what}: type-5 {pfx} in BGP", lambda leaf=leaf, pfx=pfx: type5_present(leaf, pfx), 20)
            t.check_wait(f"{what}: {pfx} installed in the tenant table via the border VTEP {leaf_ip(1)}",
                         lambda tenant=tenant, pfx=pfx: kernel_route_via(tenant, pfx, leaf_ip(1)), 15)
        t.check_wait(f"border leaf: {pfx} installed via the node {node.ip4}",
                     lambda pfx=pfx: kernel_route_via(bf.border_tenant, pfx, node.ip4), 15)
        if t.dut == "evpnd":
            t.check_wait(f"evpnd border: {pfx} is a VRF route of type bgp from peer {node.ip4} (API)",
                         lambda pfx=pfx: evpnd_vrf_bgp_route(border, bf.vrf, pfx).get("peer") == node.ip4, 10)
    t.check(f"the pod's /32 {POD} stays hidden beneath the block (calico_aggr)",
            not kernel_route(fab.tenant_ns[1], f"{POD}/32"), kernel_route(fab.tenant_ns[1], f"{POD}/32"))

    # --- data path: hosts behind both leaves reach the pod and the Service IP ------------------
    for what, leaf, _tenant in leaves:
        host = next(h for h in fab.hosts if h.leaf == (2 if leaf is frr_leaf else 3))
        for dst in (POD, SVC.split("/")[0]):
            t.check_wait(f"{host.name} behind {what} reaches {dst}", lambda host=host, dst=dst: ping_replies(host.ns, dst, 1), 15)
            n = ping_replies(host.ns, dst, 5)
            t.check_eq(f"{host.name} behind {what} -> {dst}: echo replies", f"{n}/5", "5/5")

    # --- the other way: the node learns the tenant's subnets from the border leaf ---------------
    for what, leaf_no in (("leaf2 (FRR)", 2), ("leaf3 (evpnd)", 3)):
        subnet = f"{fab.hosts_at(leaf_no, 100 * leaf_no)[0].ip.rsplit('.', 1)[0]}.0/24"
        t.check_wait(f"BIRD learns {what}'s SVI subnet {subnet} from the border leaf (next hop {node.border4})",
                     lambda subnet=subnet: any(r["prefix"] == subnet and r["via"] == node.border4
                                               for r in bird.routes("protocol", peer)), 20)

    # --- a prefix outside the import policy is dropped (and counted by evpnd) -------------------
    # as if the cluster admin added 198.51.100.0/24 to serviceExternalIPs: BIRD exports it
    bird.statics["calico_static"].append(f"{OUTSIDE} blackhole")
    bird.filters = calico_filters(BLOCK, POOL, [SVC, OUTSIDE])
    bird.reconfigure()
    t.check_wait(f"BIRD exports {OUTSIDE} to the border leaf",
                 lambda: any(r["prefix"] == OUTSIDE for r in bird.routes("export", peer)), 15)
    if t.dut == "evpnd":
        t.check_wait(f"evpnd border leaf counts {OUTSIDE} as policy_rejected (API)",
                     lambda: evpnd_vrf_neighbor(border, bf.vrf, node.ip4).get("policy_rejected", 0) >= 1, 15)
    for what, leaf, tenant in leaves:
        t.check(f"{what}: no type-5 for {OUTSIDE} for 3 s (import policy)",
                harness.holds_for(lambda leaf=leaf: not type5_present(leaf, OUTSIDE), 3))
        t.check(f"{what}: {OUTSIDE} not in the tenant table", not kernel_route(tenant, OUTSIDE),
                kernel_route(tenant, OUTSIDE))

    # --- withdrawal: disabling the static protocol withdraws both type-5 routes ------------------
    bird.disable("calico_static")
    for pfx in (BLOCK, SVC):
        for what, leaf, tenant in leaves:
            t.check_wait(f"after `birdc disable calico_static`: {what} withdraws type-5 {pfx}",
                         lambda leaf=leaf, pfx=pfx: not type5_present(leaf, pfx), 20)
            t.check_wait(f"{what}: {pfx} gone from the tenant table",
                         lambda tenant=tenant, pfx=pfx: not kernel_route(tenant, pfx), 15)
    host = fab.hosts_at(2, 200)[0]
    t.check_eq(f"{host.name} behind leaf2 -> {POD} after the withdrawal: echo replies",
               ping_replies(host.ns, POD, 2), 0)
    if t.failed:
        t.log(dump(border.log_tail(30)))
        t.log(bird.log_tail(20))


if __name__ == "__main__":
    harness.main(run, "vrf_calico", duts=("evpnd", "frr"), needs=harness.FRR_BINS + ("bird", "birdc"))
