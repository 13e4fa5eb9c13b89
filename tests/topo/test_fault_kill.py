#!/usr/bin/env python3
"""Fault injection (issue 12): kill -9 of the route reflector and of a leaf under ping streams.

All-evpnd fabric: evpnd RR (no data plane), evpnd leaves 1 and 2 (Linux data plane, on-stop keep),
VNIs 100/200 and L3VNI 5000. Two 100 pps pings run from h1 (leaf1, VNI 100) to a host behind
leaf2: bridged (VNI 100) and routed (VNI 200, symmetric IRB). Loss is counted by ICMP sequence
number. The leaves' kernel state the RR's routes produced (remote MACs and flood entries on the
vxlan devices, ARP-suppression neighbours, the RMAC, host routes `proto bgp`) is sampled every
~0.25 s through each outage and compared entry by entry with the state before it.

1. RR killed -9 for ~5 s (its restart time is 10 s), then started again. The RR lists l2vpn-evpn
   with the F bit in its GR capability (RFC 4724 §3; a reflector's forwarding state is the
   leaves'), so the leaves (helpers, §4.2) keep its routes as stale: no kernel entry moves and no
   ping is lost. While the RR is down leaf2 withdraws a type-5 prefix (API): the restarted RR
   defers its advertisement until both leaves sent End-of-RIB (§4.1), and at the RR's End-of-RIB
   leaf1 removes exactly that prefix's route (the one the RR did not refresh) and keeps the rest.
2. leaf1 killed -9 and started again: the RR keeps leaf1's routes as stale, leaf2 keeps its
   entries, leaf1's kernel entries stay (nobody removes them): bounded loss.
3. RR killed -9 and not started again: the leaves keep its routes for its restart time (10 s),
   then remove them all and say so in the log.

frr-leaf (EVT_FAULT_CASE=frr-leaf): the RR kill with leaf2 an FRR leaf (`bgp graceful-restart`).
   FRR must decode the RR's capability as l2vpn-evpn with the F bit, and evpnd leaf1 keeps every
   entry. FRR before 10.6 is no GR helper for l2vpn-evpn (see test_graceful_restart.py: EVPN
   NSF came with FRR commit 64160f1cff): it deletes the RR's routes at once whatever the RR
   advertises, so there the check is that it did, and the replies from leaf2 are lost during
   the outage; from 10.6 on it must keep them like an evpnd leaf. FRR sets the R bit in every
   OPEN for its first 120 s (bgp_create() arms t_startup with the default restart time, before
   the configuration applies), so the restarted RR does not wait for its End-of-RIB (RFC 4724
   §4.1 excludes restarting peers); leaf1 may then sweep FRR's routes at the RR's End-of-RIB and
   learn them again a moment later. Checked: leaf1 kept everything during the outage and is
   back to the same entries after it.

Without EVT_FAULT_CASE the all-evpnd case runs. CTest registers both (label `faults`).

Bound: 0 lost is expected; 2 packets (20 ms) per stream are allowed for the instant a refreshed
route rewrites an identical kernel entry (replace, not delete + add). Before the fix the leaves
flushed at the RR's loss: ~5 s (500+ packets) lost per stream.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.fabric import L3VNI, SPINE_IP, VRF, Fabric, leaf_ip  # noqa: E402
from lib.netns import cmdline_of  # noqa: E402

RR_RESTART_TIME = 10  # what the RR advertises; case 3 waits for it
OUTAGE = 5.0
MAX_LOST = 2
PREFIX = "10.77.0.0/24"  # type 5, announced by leaf2 and withdrawn while the RR is down


def kernel_state(tn, vnis) -> set[tuple]:
    """The entries the EVPN routes of the other leaf produce in a leaf's tenant namespace."""
    st: set[tuple] = set()
    for vni in vnis:
        for ln in tn.bridge("fdb", "show", "dev", f"vxlan{vni}").splitlines():
            m = re.match(r"^(\S+) (?:dev \S+ )?dst (\S+) .*self", ln)
            if m:
                kind = "flood" if m.group(1) == "00:00:00:00:00:00" else "mac"
                st.add((kind, vni, m.group(1).lower(), m.group(2)))
    for ln in tn.ip("neigh", "show").splitlines():
        m = re.match(r"^(\S+) dev (\S+) lladdr (\S+) .*extern_learn", ln)
        if m:
            st.add(("neigh", m.group(2), m.group(1), m.group(3).lower()))
    for ln in tn.ip("route", "show", "proto", "bgp").splitlines():
        st.add(("route", ln.split()[0]))
    return st


class PingStream:
    """`ping -i 0.01` in a host namespace; lost = sequence numbers sent but never answered."""

    def __init__(self, t: harness.Test, src, dst_ip: str, name: str):
        self.name = name
        self.log = t.lab.path("logs", f"ping-{name}.log")
        with open(self.log, "w") as fh:
            self.p = subprocess.Popen(src.ns.wrap(["ping", "-i", "0.01", "-W", "1", dst_ip]), stdout=fh,
                                      stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> tuple[int, list[int]]:
        self.p.send_signal(signal.SIGINT)
        self.p.wait(5)
        text = open(self.log).read()
        m = re.search(r"(\d+) packets transmitted", text)
        sent = int(m.group(1)) if m else 0
        got = {int(x) for x in re.findall(r"icmp_seq=(\d+) ttl=", text)}
        return sent, sorted(set(range(1, sent + 1)) - got)


def lost_summary(lost: list[int]) -> str:
    """Lost sequence numbers as runs: '120-640 (521)'."""
    runs, start = [], None
    for i, s in enumerate(lost):
        if start is None:
            start = s
        if i + 1 == len(lost) or lost[i + 1] != s + 1:
            runs.append(f"{start}-{s}" if s != start else f"{s}")
            start = None
    return ", ".join(runs[:8]) + (" ..." if len(runs) > 8 else "")


class StateWatch:
    """Samples both leaves' kernel state in a thread and remembers every entry found missing."""

    def __init__(self, tenants, vnis, baseline):
        self.tenants, self.vnis, self.baseline = tenants, vnis, baseline
        self.missing: list[tuple] = []
        self.samples = 0
        self.min_count = [len(b) for b in baseline]
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            for i, tn in enumerate(self.tenants):
                try:
                    now = kernel_state(tn, self.vnis)
                except Exception:  # noqa: BLE001 - a command hiccup, sample again
                    continue
                self.min_count[i] = min(self.min_count[i], len(now))
                gone = self.baseline[i] - now
                if gone:
                    self.missing.append((f"leaf{i + 1}", sorted(gone)[:6]))
            self.samples += 1
            time.sleep(0.25)

    def stop(self):
        self._stop.set()
        self._t.join()


def kill9(node) -> int:
    pid = node.daemon.pid()
    assert pid and "evpnd" in cmdline_of(pid), f"{node.name}: pid {pid} is not our evpnd"
    os.kill(pid, signal.SIGKILL)
    node.daemon.popen.wait(5)
    return pid


def stale_from(node, addr: str) -> int:
    return int(node.neighbor_info(addr).get("counters", {}).get("stale_routes") or 0)


def run_evpnd(t: harness.Test) -> None:
    vnis = (100, 200, L3VNI)
    fab = Fabric(t.lab, leaves=2, spine_kind="evpnd", leaf_kinds=["evpnd", "evpnd"],
                 hosts_per_vni={100: 1, 200: 1}).build()
    fab.make_nodes()
    rr, l1, l2 = fab.spine, *fab.leaf_nodes
    rr.extra["graceful-restart"] = {"enabled": True, "restart-time": RR_RESTART_TIME, "stale-time": 60}
    for n in (l1, l2):
        n.extra["graceful-restart"] = {"enabled": True, "restart-time": 20, "stale-time": 60}
    rr.start()
    l1.start()
    l2.start()
    t1, t2 = fab.tenant_ns
    t.check_wait("leaves <-> evpnd RR Established", lambda: fab.wait_established(40) or True, 45)
    fab.announce_hosts()
    h1 = fab.hosts_at(1, 100)[0]
    dst_l2 = fab.hosts_at(2, 100)[0]
    dst_l3 = fab.hosts_at(2, 200)[0]
    remote = {1: [h for h in fab.hosts if h.leaf == 2], 2: [h for h in fab.hosts if h.leaf == 1]}

    def converged(i, tn):
        st = kernel_state(tn, vnis)
        macs = {e[2] for e in st if e[0] == "mac"}
        routes = {e[1] for e in st if e[0] == "route"}
        return (all(h.mac in macs and f"{h.ip}" in routes for h in remote[i]) and
                sum(1 for e in st if e[0] == "flood") == 2 and st)
    for i, tn in ((1, t1), (2, t2)):
        t.check_wait(f"leaf{i}: remote MACs, flood entries and host routes of leaf{3 - i} installed",
                     lambda i=i, tn=tn: converged(i, tn), 30)
    t.check_wait(f"bridged ping {h1.name} -> {dst_l2.name}", lambda: h1.ns.ping(dst_l2.ip, 1), 15)
    t.check_wait(f"routed ping {h1.name} -> {dst_l3.name}", lambda: h1.ns.ping(dst_l3.ip, 1), 15)
    l2.api.post(f"/v1/vrfs/{VRF}/prefixes", {"prefix": PREFIX})
    t.check_wait(f"leaf1: type-5 {PREFIX} from leaf2 installed",
                 lambda: ("route", PREFIX) in kernel_state(t1, vnis), 15)
    base = [kernel_state(t1, vnis), kernel_state(t2, vnis)]
    t.log(f"kernel entries from EVPN routes: leaf1 {len(base[0])}, leaf2 {len(base[1])}")
    gr = l1.neighbor_info(SPINE_IP).get("negotiated", {})
    t.check("leaf1 negotiated graceful restart with the RR", gr.get("graceful_restart") is True, gr)

    # --- 1. RR killed -9, back after ~5 s ------------------------------------------------
    pings = [PingStream(t, h1, dst_l2.ip, "bridged"), PingStream(t, h1, dst_l3.ip, "routed")]
    time.sleep(1.0)
    watch = StateWatch([t1, t2], vnis, base)
    pid = kill9(rr)
    t0 = time.monotonic()
    t.log(f"RR evpnd (pid {pid}) killed -9")
    t.check_wait("leaf1 sees the RR session down", lambda: not l1.established(SPINE_IP), 10)
    t.check_wait("leaf1 keeps the RR's routes as stale (RFC 4724 §4.2)", lambda: stale_from(l1, SPINE_IP) > 0, 5)
    # leaf2 stops advertising a prefix while nobody can tell leaf1: its route must survive the
    # outage as stale and be swept at the RR's End-of-RIB, since the RR comes back without it.
    l2.api.delete(f"/v1/vrfs/{VRF}/prefixes", {"prefix": PREFIX})
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - t0)))
    watch.stop()
    t.check(f"RR down {OUTAGE:.0f}s: no kernel entry of either leaf went missing "
            f"({watch.samples} samples; entries {len(base[0])}/{len(base[1])}, min seen {watch.min_count})",
            watch.samples > 5 and not watch.missing, watch.missing[:3])
    rr.start()
    t.log(f"RR evpnd started again after {time.monotonic() - t0:.1f}s")
    for i, n in ((1, l1), (2, l2)):
        t.check_wait(f"leaf{i} <-> RR Established again", lambda n=n: n.established(SPINE_IP), 20)
    for i, n in ((1, l1), (2, l2)):
        t.check_wait(f"leaf{i}: no stale routes left after the RR's End-of-RIB",
                     lambda n=n: n.established(SPINE_IP) and stale_from(n, SPINE_IP) == 0, 20)
    want1 = base[0] - {("route", PREFIX)}
    t.check_wait(f"leaf1: exactly the withdrawn {PREFIX} removed at End-of-RIB, the rest kept",
                 lambda: kernel_state(t1, vnis) == want1, 10)
    t.check_eq("leaf2: kernel entries unchanged", kernel_state(t2, vnis), base[1])
    rrlog = open(rr.daemon.log, errors="replace").read()
    t.check("RR deferred its advertisement until both leaves sent End-of-RIB (RFC 4724 §4.1)",
            re.search(r"selection deferral over: End-of-RIB from every peer", rrlog) is not None,
            rrlog[-600:])
    l1log = open(l1.daemon.log, errors="replace").read()
    t.check("leaf1 logged the End-of-RIB sweep", re.search(r"End-of-RIB, sweeping [1-9]\d* stale", l1log) is not None)
    time.sleep(1.0)
    for p in pings:
        sent, lost = p.stop()
        t.log(f"RR kill: {p.name} ping: {sent} sent, {len(lost)} lost [{lost_summary(lost)}]")
        t.check(f"RR kill -9: {p.name} ping lost at most {MAX_LOST} of {sent}", sent > 200 and len(lost) <= MAX_LOST,
                lost_summary(lost))
    base = [want1, base[1]]

    # --- 2. leaf1 killed -9 and restarted --------------------------------------------------
    pings = [PingStream(t, h1, dst_l2.ip, "bridged-leaf"), PingStream(t, h1, dst_l3.ip, "routed-leaf")]
    time.sleep(1.0)
    watch = StateWatch([t1, t2], vnis, base)
    pid = kill9(l1)
    t.log(f"leaf1 evpnd (pid {pid}) killed -9")
    t.check_wait("RR keeps leaf1's routes as stale", lambda: stale_from(rr, leaf_ip(1)) > 0, 10)
    time.sleep(2.0)
    l1.start()
    t.check_wait("leaf1 <-> RR Established again", lambda: l1.established(SPINE_IP), 20)
    t.check_wait("RR: no stale leaf1 routes after leaf1's End-of-RIB", lambda: stale_from(rr, leaf_ip(1)) == 0, 20)
    time.sleep(1.0)
    watch.stop()
    t.check(f"leaf1 kill -9: no kernel entry of either leaf went missing ({watch.samples} samples)",
            watch.samples > 5 and not watch.missing, watch.missing[:3])
    for p in pings:
        sent, lost = p.stop()
        t.log(f"leaf kill: {p.name} ping: {sent} sent, {len(lost)} lost [{lost_summary(lost)}]")
        t.check(f"leaf1 kill -9: {p.name} ping lost at most {MAX_LOST} of {sent}", sent > 100 and len(lost) <= MAX_LOST,
                lost_summary(lost))

    # --- 3. RR killed -9 for good: stale routes kept for its restart time, then removed -----
    pid = kill9(rr)
    t0 = time.monotonic()
    t.log(f"RR evpnd (pid {pid}) killed -9, not restarted")
    held = harness.holds_for(lambda: kernel_state(t1, vnis) == base[0] and kernel_state(t2, vnis) == base[1],
                             RR_RESTART_TIME - 2)
    t.check(f"RR gone: the leaves keep every entry for (almost) its restart time ({RR_RESTART_TIME}s)", held)

    def flushed():
        return all(not kernel_state(tn, vnis) for tn in (t1, t2))
    t.check_wait("RR gone: after its restart time the leaves removed every entry from its routes", flushed,
                 RR_RESTART_TIME + 8 - (time.monotonic() - t0))
    t.log(f"entries removed {time.monotonic() - t0:.1f}s after the kill")
    for i, n in ((1, l1), (2, l2)):
        log = open(n.daemon.log, errors="replace").read()
        t.check(f"leaf{i} logged the restart-time expiry",
                re.search(r"restart time \(\d+ s\) expired.*removing \d+ stale routes", log) is not None, log[-400:])


def run_frr_leaf(t: harness.Test) -> None:
    from test_graceful_restart import frr_gr_families, frr_version  # noqa: E402
    vnis = (100, 200, L3VNI)
    fab = Fabric(t.lab, leaves=2, spine_kind="evpnd", leaf_kinds=["evpnd", "frr"],
                 hosts_per_vni={100: 1, 200: 1}).build()
    fab.make_nodes()
    rr, l1, l2 = fab.spine, *fab.leaf_nodes
    rr.extra["graceful-restart"] = {"enabled": True, "restart-time": RR_RESTART_TIME, "stale-time": 60}
    l1.extra["graceful-restart"] = {"enabled": True, "restart-time": 20, "stale-time": 60}
    l2.extra_global = ["bgp graceful-restart"]
    rr.start()
    l1.start()
    l2.start()
    t1, t2 = fab.tenant_ns
    t.check_wait("leaves <-> evpnd RR Established", lambda: fab.wait_established(40) or True, 45)
    fab.announce_hosts()
    h1, dst = fab.hosts_at(1, 100)[0], fab.hosts_at(2, 100)[0]
    t.check_wait(f"bridged ping {h1.name} (evpnd leaf1) -> {dst.name} (FRR leaf2)", lambda: h1.ns.ping(dst.ip, 1), 30)
    t.check_wait("leaf1: MAC and flood entries of FRR leaf2 installed",
                 lambda: {("mac", 100, dst.mac, leaf_ip(2)), ("flood", 100, "00:00:00:00:00:00", leaf_ip(2))}
                 <= kernel_state(t1, vnis), 20)
    info = l2.neighbor_info(SPINE_IP)
    fams = frr_gr_families(info)
    t.check("FRR leaf decodes the RR's GR capability: l2vpn-evpn with the F bit (RFC 4724 §3)",
            fams.get("l2VpnEvpn", {}).get("preserved") is True, info.get("neighborCapabilities", {}))
    ver = frr_version(l2)
    frr_keeps = ver >= (10, 6)
    base1 = kernel_state(t1, vnis)
    ping = PingStream(t, h1, dst.ip, "frr-leaf")
    time.sleep(1.0)
    watch = StateWatch([t1], vnis, [base1])
    pid = kill9(rr)
    t0 = time.monotonic()
    t.log(f"RR evpnd (pid {pid}) killed -9; FRR {ver}")
    t.check_wait("FRR leaf sees the RR session down", lambda: not l2.established(SPINE_IP), 10)
    time.sleep(1.0)
    at_l2 = fdb_macs(t2, 100)
    if frr_keeps:
        t.check("FRR >= 10.6 keeps h1's MAC from the killed RR", h1.mac in at_l2, at_l2)
    else:
        t.check(f"FRR {ver} (< 10.6, no EVPN GR helper) deleted the RR's MACs at once", h1.mac not in at_l2, at_l2)
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - t0)))
    watch.stop()
    t.check(f"evpnd leaf1 kept every entry while the RR was down ({watch.samples} samples, {len(base1)} entries)",
            watch.samples > 5 and not watch.missing, watch.missing[:3])
    rr.start()
    t.check_wait("leaves <-> RR Established again", lambda: fab.wait_established(30) or True, 35)
    t.check_wait("FRR leaf relearned h1's MAC", lambda: h1.mac in fdb_macs(t2, 100), 20)
    t.check_wait("evpnd leaf1: no stale routes after the RR's End-of-RIB", lambda: stale_from(l1, SPINE_IP) == 0, 20)
    t.check_wait("evpnd leaf1: the same kernel entries as before the kill", lambda: kernel_state(t1, vnis) == base1, 15)
    rrlog = open(rr.daemon.log, errors="replace").read().split("deferring route advertisement")[-1]
    m = re.search(r"selection deferral over: .*", rrlog)
    t.log(f"RR: {m.group(0) if m else 'no deferral line'}")
    t.check_wait(f"ping {h1.name} -> {dst.name} after the RR is back", lambda: h1.ns.ping(dst.ip, 1), 10)
    time.sleep(0.5)
    sent, lost = ping.stop()
    t.log(f"RR kill with an FRR leaf: {sent} sent, {len(lost)} lost [{lost_summary(lost)}]")
    if frr_keeps:
        t.check(f"RR kill -9 with FRR leaf: lost at most {MAX_LOST} of {sent}", len(lost) <= MAX_LOST, lost_summary(lost))


def fdb_macs(tn, vni: int) -> set[str]:
    """MACs of remote entries (`dst ... self`) on vxlan<vni>, flood entries excluded."""
    return {e[2] for e in kernel_state(tn, (vni,)) if e[0] == "mac"}


def run(t: harness.Test) -> None:
    {"evpnd": run_evpnd, "frr-leaf": run_frr_leaf}[os.environ.get("EVT_FAULT_CASE", "evpnd")](t)


if __name__ == "__main__":
    harness.main(run, "fault_kill", duts=("evpnd",))
