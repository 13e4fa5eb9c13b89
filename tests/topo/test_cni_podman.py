#!/usr/bin/env python3
"""Issue 11, real runtime: podman 4.3 (CNI backend) drives the evpn CNI plugin on two evpnd nodes.

Fabric (lib/cni_fabric.py): evpnd route reflector, evpnd leaves "node a" and "node b" whose
configurations have no VNI 5001 (the plugin creates it through PUT /v1/evpn/vnis/5001), an FRR
leaf with host h5001 (192.168.137.250) on VNI 5001. One podman per node (lib/podman.py); the
conflists use the evpn plugin with host-local IPAM (a: .10-.99, b: .100-.199). Checks, counted:

 1. the container's MAC+IP type-2 is on the reflector (evpnctl --json) right after `podman run -d
    ... sleep 3600`: the container only sleeps, so the route came from the plugin's announce
    (POST /v1/evpn/endpoints), not from learning its traffic;
 2. containers on both nodes ping each other and the FRR host (replies counted);
 3. `podman rm` withdraws the route (RR, node b's and the FRR leaf's kernel FDB) and leaves no veth,
    lease, result-cache file, FDB entry, evpnd endpoint or attachment record; the VNI is released
    (404 and its devices gone: node a is back to its links before the first container);
 4. the plugin as `vxlan` with the mission's 0.3.1 config {"type":"vxlan","vni":5001} (+ the
    conflist's name; no IPAM: the address comes from `podman run --ip`, CNI_ARGS IP=) attaches a
    container podman accepts, reachable from node b and the FRR host;
 5. evpnd on node a stopped with SIGTERM (on-stop keep) and started again with the same state-dir
    under running containers: a ping stream from node b loses (almost) nothing, pings during the
    outage and after answer, the endpoints are restored and the route is back at the reflector;
 6. 10 create/delete cycles on node a leak nothing (test_cni_podman_cycles.py: 50, label long);
 7. with the plugin's fault injection (EVPN_CNI_FAULT: exit right after a step), a container
    whose ADD crashed part-way is started again and converges, and its removal leaks nothing.

`--dut bridge` is the harness stand-in: the stock bridge plugin on configured VNIs; only the data
path (2) and the leak checks that apply to it run.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.cni_fabric import HOST_IP, SUBNET, VNI, CniFabric, plugin_dir  # noqa: E402
from lib.podman import PODMAN_BINS, received  # noqa: E402

CYCLES = int(os.environ.get("EVT_CNI_CYCLES", "10"))


def clean(cf, t, short, macs, links0, what):
    """Check (counting) that node `short` is back to no container state for `macs`."""
    left = cf.leftovers(short, macs)
    for k in ("veths", "leases", "results", "records", "fdb", "endpoints", "vni_attachments"):
        t.check(f"{what}: node {short} has 0 {k} (got {len(left[k])})", not left[k], left[k][:3])
    if cf.plugin != "bridge":
        t.check(f"{what}: node {short} released VNI {VNI} (GET /v1/evpn/vnis/{VNI} is 404)", not left["vni"],
                left["vni_attachments"][:3])
        t.check_eq(f"{what}: node {short}'s links are those before the first container", cf.links(short), links0)


def cycle(cf, t, short, name, check_each: bool) -> tuple[str, bool]:
    """One create/delete on node `short`: run, route at the RR, rm, route gone. (mac, ok)."""
    pm, net = cf.pm[short], cf.net[short]
    pm.run(name, net)
    n = pm.net_info(name, net)
    mac, ip = n["MacAddress"], n["IPAddress"]
    ok = cf.wait_rr(mac, ip, True, 10) if check_each else True
    pm.rm(name)
    ok = (cf.wait_rr(mac, None, False, 10) and cf.wait_rr(mac, ip, False, 10)) if check_each else ok
    return mac, ok


# EVPN_CNI_FAULT steps of ADD (tools/evpn-cni/cni_plugin.hpp), in the order ADD runs them.
ADD_STEPS = ("vni", "record", "veth", "ipam", "configure", "endpoint", "announce", "ready")


def has_fault_injection(pdir: str) -> bool:
    with open(os.path.join(pdir, "evpn"), "rb") as f:
        return b"EVPN_CNI_FAULT" in f.read()


def run(t: harness.Test) -> None:
    plugin = "bridge" if t.dut == "bridge" else "evpn"
    if plugin == "evpn" and not plugin_dir():
        raise harness.Skip("evpn CNI plugin not built (<build>/tools/evpn-cni/bin/evpn)")
    cf = CniFabric(t, plugin).start()
    pa, pb = cf.pm["a"], cf.pm["b"]
    evpn = plugin == "evpn"
    links0 = {s: cf.links(s) for s in "ab"}
    t.log(f"plugin={plugin} dir={cf.pdir} networks={cf.net}")

    # --- 1. the type-2 is on the reflector before the container sends a packet --------------
    t0 = time.monotonic()
    pa.run("ca1", cf.net["a"])
    t_run = time.monotonic() - t0
    na = pa.net_info("ca1", cf.net["a"])
    mac_a, ip_a = na["MacAddress"], na["IPAddress"]
    lo, hi = 10, 99
    t.check(f"ca1 got {ip_a} from node a's range .{lo}-.{hi}",
            ip_a.startswith(SUBNET + ".") and lo <= int(ip_a.rsplit(".", 1)[1]) <= hi, na)
    if evpn:
        t0 = time.monotonic()
        got = cf.wait_rr(mac_a, ip_a, True, 5)
        t.check(f"(1) RR has ca1's MAC+IP type-2 {mac_a} {ip_a} {time.monotonic() - t0:.2f}s after "
                f"`podman run` returned ({t_run:.2f}s), the container only sleeps", got, cf.rr_type2(mac_a))
        r2 = cf.rr_type2(mac_a)
        t.check_eq("(1) RR: ca1's type-2 routes are MAC and MAC+IP, once each",
                   sorted(str(r.get("ip")) for r in r2), sorted([ip_a, "None"]))
        eps = [e for e in cf.endpoints("a") if e.get("mac", "").lower() == mac_a.lower()]
        t.check_eq("(1) node a's evpnd holds ca1 as 1 endpoint with its IP", [e.get("ips") for e in eps], [[ip_a]])

    pb.run("cb1", cf.net["b"])
    nb = pb.net_info("cb1", cf.net["b"])
    mac_b, ip_b = nb["MacAddress"], nb["IPAddress"]
    t.check(f"cb1 got {ip_b} from node b's range .100-.199",
            ip_b.startswith(SUBNET + ".") and 100 <= int(ip_b.rsplit(".", 1)[1]) <= 199, nb)

    # --- 2. pings across nodes and to the host behind FRR ------------------------------------
    for pm, src, dst, what in ((pa, "ca1", ip_b, "cb1 (node b)"), (pb, "cb1", ip_a, "ca1 (node a)"),
                               (pa, "ca1", HOST_IP, "h5001 (FRR leaf)"), (pb, "cb1", HOST_IP, "h5001 (FRR leaf)")):
        harness.wait_until(lambda: pm.ping(src, dst, 1, 1), 15, 0.2, what=f"{src} -> {dst}")
        t.check_eq(f"(2) {src} -> {what} {dst}: 5 of 5 replies", pm.ping(src, dst, 5, 2), 5)
    h = cf.host.try_run("ping", "-c", "3", "-W", "2", "-i", "0.2", ip_a)
    t.check_eq(f"(2) h5001 (FRR leaf) -> ca1 {ip_a}: 3 of 3 replies", received(h.stdout), 3)
    if not evpn:
        t.check_wait("(harness) RR learned ca1's MAC from its traffic", lambda: cf.rr_type2(mac_a), 10)

    # --- 3. podman rm withdraws and leaves nothing ---------------------------------------------
    tenant3 = cf.fab.tenant_ns[2]
    t.check_wait("(3) before rm: node b and the FRR leaf have ca1's MAC in their FDB",
                 lambda: cf.fdb(cf.fab.leaf_ns[1], mac_a) and cf.fdb(tenant3, mac_a), 10)
    pa.rm("ca1")
    if evpn:
        t.check("(3) podman rm: RR withdrew ca1's type-2 routes (0 left)", cf.wait_rr(mac_a, ip_a, False, 10)
                and cf.wait_rr(mac_a, None, False, 10), cf.rr_type2(mac_a))
        t.check_wait("(3) node b's kernel FDB has 0 entries for ca1's MAC",
                     lambda: not cf.fdb(cf.fab.leaf_ns[1], mac_a), 10)
        t.check_wait("(3) the FRR leaf's kernel FDB has 0 entries for ca1's MAC",
                     lambda: not cf.fdb(tenant3, mac_a), 10)
    clean(cf, t, "a", [mac_a], links0["a"], "(3) after podman rm ca1")

    if evpn:
        vxlan_case(cf, t, ip_b)
        # --- 6. create/delete cycles leak nothing -------------------------------------------
        macs, ok = [], 0
        t0 = time.monotonic()
        for i in range(CYCLES):
            mac, good = cycle(cf, t, "a", f"cy{i}", True)
            macs.append(mac)
            ok += good
        t.check_eq(f"(6) {CYCLES} cycles on node a, each route announced and withdrawn at the RR "
                   f"({time.monotonic() - t0:.1f}s)", ok, CYCLES)
        clean(cf, t, "a", macs, links0["a"], f"(6) after {CYCLES} cycles")
        restart_case(cf, t, mac_b, ip_b)
        fault_case(cf, t, links0)

    # --- everything removed ----------------------------------------------------------------------
    for short, pm in (("a", pa), ("b", pb)):
        for name in pm.ps_names():
            pm.rm(name)
    clean(cf, t, "b", [mac_b], links0["b"], "end")
    clean(cf, t, "a", [], links0["a"], "end")


def vxlan_case(cf, t, ip_b):
    """4. The mission's NAD config, verbatim, under the plugin's `vxlan` name."""
    pa = cf.pm["a"]
    net = pa.add_network({"cniVersion": "0.3.1", "name": f"evt-vx{VNI}-{cf.tag}",
                          "plugins": [{"type": "vxlan", "vni": VNI}]})
    cf.net_vx = net
    ip = f"{SUBNET}.60"
    # NET_ADMIN: with no gateway on the VNI the plugin gives --ip a /32 (docs/CNI.md); the test
    # then adds the on-link subnet route itself, the L2 path is the plugin's.
    p = pa.run("cx1", net, "--ip", ip, "--cap-add", "NET_ADMIN", check=False)
    t.check("(4) podman run on {\"cniVersion\":\"0.3.1\",\"type\":\"vxlan\",\"vni\":5001} succeeds", p.returncode == 0,
            p.stderr[-800:])
    if p.returncode != 0:
        return
    n = pa.net_info("cx1", net)
    t.check_eq("(4) podman accepted the 0.3.1 result: the container's IP is the --ip one", n.get("IPAddress"), ip)
    t.check("(4) RR has cx1's MAC+IP type-2", cf.wait_rr(n["MacAddress"], ip, True, 5), cf.rr_type2(n["MacAddress"]))
    t.log(f"(4) cx1: {pa.exec('cx1', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0').stdout.strip()}")
    pa.exec("cx1", "ip", "route", "replace", f"{SUBNET}.0/24", "dev", "eth0", check=True)
    t.check_eq(f"(4) cx1 -> cb1 {ip_b}: 3 of 3 replies", pa.ping("cx1", ip_b, 3, 2), 3)
    t.check_eq(f"(4) cx1 -> h5001 {HOST_IP}: 3 of 3 replies", pa.ping("cx1", HOST_IP, 3, 2), 3)
    pa.rm("cx1")
    t.check("(4) podman rm cx1: RR withdrew it", cf.wait_rr(n["MacAddress"], ip, False, 10),
            cf.rr_type2(n["MacAddress"]))
    t.check_eq("(4) no result-cache file of the vxlan network left",
               [f for f in pa.result_files() if f"/{net}-" in f], [])


def restart_case(cf, t, mac_b, ip_b):
    """5. evpnd on node a restarted (SIGTERM, on-stop keep, same state-dir) under containers."""
    pa, pb = cf.pm["a"], cf.pm["b"]
    pa.run("ca2", cf.net["a"])
    n = pa.net_info("ca2", cf.net["a"])
    mac, ip = n["MacAddress"], n["IPAddress"]
    t.check("(5) RR has ca2 before the restart", cf.wait_rr(mac, ip, True, 5), cf.rr_type2(mac))
    eps0 = sorted(e["mac"].lower() for e in cf.endpoints("a"))
    count, interval = 60, 0.2
    stream = subprocess.Popen(
        ["nsenter", "-t", str(pb.holder.pid), "-m", "-n", "podman", "exec", "cb1", "ping", "-c", str(count),
         "-i", str(interval), "-W", "1", ip], env=pb.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1.5)
    d = cf.a.daemon
    os.kill(d.pid(), signal.SIGTERM)
    try:
        rc = d.popen.wait(timeout=15)
    except subprocess.TimeoutExpired:
        rc = None
    t.check_eq("(5) node a's evpnd stopped on SIGTERM (exit 0)", rc, 0)
    t.check_eq(f"(5) evpnd down: ca2 -> cb1 {ip_b}: 3 of 3 replies (kernel state kept)", pa.ping("ca2", ip_b, 3, 2), 3)
    t.check_wait("(5) evpnd down: the RR keeps ca2's MAC+IP as stale (graceful restart)",
                 lambda: any(r.get("ip") == ip and r["stale"] for r in cf.rr_type2(mac)), 10)
    cf.lab.daemons.remove(d)
    cf.a.start()
    for pm in (pa, pb):
        pm.cleanup_first()  # tear down containers before the restarted evpnd stops
    harness.wait_until(lambda: cf.a.established("10.255.0.254"), 30, 0.3, what="node a back up")
    out, _ = stream.communicate(timeout=count * interval + 30)
    got = received(out)
    t.check(f"(5) ping stream cb1 -> ca2 across the restart: {got} of {count} replies (>= {count - 5})",
            got >= count - 5, out[-400:])
    t.check_eq("(5) before the restart: node a's evpnd has 1 endpoint, ca2", eps0, [mac.lower()])
    t.check_eq("(5) after the restart: node a's endpoints are restored (ca2, advertised)",
               [(e["mac"].lower(), e.get("state")) for e in cf.endpoints("a")], [(mac.lower(), "advertised")])
    t.check_wait("(5) after the restart: the RR has ca2's MAC+IP fresh (re-advertised by node a, not stale)",
                 lambda: cf.rr_has(mac, ip, fresh=True), 15)
    t.check_eq(f"(5) after the restart: ca2 -> cb1 {ip_b}: 3 of 3 replies", pa.ping("ca2", ip_b, 3, 2), 3)
    t.check_eq(f"(5) after the restart: ca2 -> h5001: 3 of 3 replies", pa.ping("ca2", HOST_IP, 3, 2), 3)
    pa.rm("ca2")
    t.check("(5) rm after the restart withdraws ca2", cf.wait_rr(mac, ip, False, 10), cf.rr_type2(mac))


def fault_case(cf, t, links0):
    """7. ADD crashed part-way (EVPN_CNI_FAULT=<step>): start again, converge, remove, no leak."""
    if not has_fault_injection(cf.pdir):
        t.log("(7) skipped: this plugin build has no EVPN_CNI_FAULT")
        return
    steps = [s for s in os.environ.get("EVT_CNI_FAULT_STEPS", ",".join(ADD_STEPS)).split(",") if s]
    pa, pb = cf.pm["a"], cf.pm["b"]
    ip_b = pb.net_info("cb1", cf.net["b"])["IPAddress"]
    for i, step in enumerate(steps):
        name = f"cf{i}"
        p = pa.run(name, cf.net["a"], check=False, env={"EVPN_CNI_FAULT": step})
        t.check(f"(7) ADD crashing after '{step}': podman run fails", p.returncode != 0, p.stdout[-300:])
        p = pa.podman("start", name, check=False)
        t.check(f"(7) after '{step}': podman start succeeds", p.returncode == 0, p.stderr[-600:])
        if p.returncode != 0:
            pa.rm(name, check=False)
            continue
        n = pa.net_info(name, cf.net["a"])
        t.check(f"(7) after '{step}': RR has its MAC+IP", cf.wait_rr(n["MacAddress"], n["IPAddress"], True, 5),
                cf.rr_type2(n["MacAddress"]))
        t.check_eq(f"(7) after '{step}': {name} -> cb1: 3 of 3 replies", pa.ping(name, ip_b, 3, 2), 3)
        pa.rm(name)
        clean(cf, t, "a", [n["MacAddress"]], links0["a"], f"(7) after '{step}' and rm")


if __name__ == "__main__":
    harness.main(run, "cni_podman", duts=("evpnd", "bridge"), needs=harness.FRR_BINS + PODMAN_BINS)
