#!/usr/bin/env python3
"""Fault injection (issue 12, defects 2, 7, 8): the API must never stall BGP nor lock the operator
out, and strangers on port 179 must not flood the log.

One namespace holds an evpnd route reflector (127.0.0.1), bgpload's feeder (127.0.0.2, loads
EVPN_FAULT_ROUTES routes, default 200000; 1000000 reproduces the issue's figures) and a raw BGP
speaker with hold time 9 (127.0.0.4).
  1. dump: curl reads the whole RIB (GET /v1/bgp/evpn/routes, one streamed reply) while evpnctl
     pages through it (--limit); meanwhile the hold-9 peer must keep receiving KEEPALIVEs (no gap
     of two keepalive intervals, 6 s; before the fix one request held the loop ~10 s per 200k
     routes), the session stays up, the daemon's longest event-loop stall stays under 2 s, and
     its RSS stays under 2x the pre-dump RSS (before: +1 GiB per 200k routes, kept afterwards).
  2. slowloris: 64 connections each holding an incomplete request (the issue's attacker sends a
     byte every 20 s) take every API slot; `evpnctl show bgp summary` still answers (before:
     refused), and after the request timeout (10 s) the daemon has closed them all.
  3. log flood: 3000 connections from a stranger to port 179 give at most a few log lines and an
     exact evpnd_bgp_connections_refused_total{reason="not_configured"} (before: 3000 lines).
"""
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import harness  # noqa: E402
from lib.evpnd import EvpndNode, UnixHTTPConnection  # noqa: E402
from lib.frr import Neighbor  # noqa: E402
from lib.netns import socket_in_netns  # noqa: E402
from lib import bgp_bytes as B  # noqa: E402
from lib import raw_speaker as raw_speaker_mod  # noqa: E402
from lib.raw_speaker import RawSpeaker  # noqa: E402

RR, FEEDER, RAW, STRANGER = "127.0.0.1", "127.0.0.2", "127.0.0.4", "127.0.0.9"
ASN = 65000
ROUTES = int(os.environ.get("EVPN_FAULT_ROUTES", "200000"))


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def metric(text: str, name: str, labels: str = "") -> float | None:
    m = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def metrics(rr: EvpndNode) -> str:
    conn = UnixHTTPConnection(rr.socket)
    try:
        conn.request("GET", "/metrics")
        return conn.getresponse().read().decode(errors="replace")
    finally:
        conn.close()


def run(t: harness.Test) -> None:
    bgpload, evpnctl = harness.find_bin("bgpload"), harness.find_bin("evpnctl")
    curl = subprocess.run(["sh", "-c", "command -v curl"], capture_output=True, text=True).stdout.strip()
    if not bgpload or not evpnctl or not curl:
        raise harness.Skip("needs bgpload, evpnctl and curl")
    ns = t.lab.netns("api")
    rr = EvpndNode(t.lab, ns, ASN, "10.0.0.254", listen_address=RR,
                   neighbors=[Neighbor(FEEDER, ASN, rr_client=True, passive=True),
                              Neighbor(RAW, ASN, rr_client=True, passive=True)],
                   # bgpload keeps hold 180 (its keepalives come every 60 s); the raw peer has 9.
                   neighbor_extra={FEEDER: {"timers": {"hold": 180, "keepalive": 60, "connect-retry": 2}},
                                   RAW: {"families": ["l2vpn-evpn", "ipv4-unicast"]}},
                   timers=(3, 9))
    rr.extra["log-level"] = "info"  # debug logs every session event; info is what operators run
    rr.start()
    pid = rr.daemon.pid()

    # The hold-9 peer offers IPv4 unicast only: it gets no EVPN route (RFC 4760 §8, families per
    # session), so what it receives during the dump is the RR's KEEPALIVEs, not a backlog of
    # 1M routes that python would parse more slowly than the RR sends them.
    open_evpn = raw_speaker_mod.B.open_msg
    raw_speaker_mod.B.open_msg = lambda asn, hold, rid: open_evpn(
        asn, hold, rid, caps=[B.capability(1, struct.pack("!HBB", 1, 0, 1)), B.capability(2, b""),
                              B.capability(65, struct.pack("!I", asn))])
    raw = RawSpeaker(ns, RAW, RR, ASN, "10.0.0.4", hold=9)
    try:
        raw.connect_retry(30)
    finally:
        raw_speaker_mod.B.open_msg = open_evpn
    t.check_wait("hold-9 peer Established", lambda: rr.established(RAW), 30)

    feeder = subprocess.Popen(ns.wrap([bgpload, "feed", "--peer", f"{RR}:179", "--routes", ROUTES,
                                       "--feeder-address", FEEDER, "--groups", 100]),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = feeder.stdout.readline()
        t.check("bgpload established", '"established"' in line, line)
        feeder.stdin.write("announce\n")
        feeder.stdin.flush()
        t.check_wait(f"RR holds {ROUTES} routes",
                     lambda: rr.summary().get("loc_rib_routes", 0) >= ROUTES, 120)
        dump_phase(t, rr, raw, pid, curl, evpnctl)
    finally:
        try:
            feeder.stdin.write("quit\n")
            feeder.stdin.flush()
            feeder.wait(timeout=10)
        except Exception:  # noqa: BLE001 - stop it by pid below
            pass
        if feeder.poll() is None:
            feeder.kill()
            feeder.wait()
    slowloris_phase(t, rr, evpnctl)
    flood_phase(t, rr, ns)
    raw.close()


def dump_phase(t, rr, raw, pid, curl, evpnctl) -> None:
    time.sleep(1)  # let the RSS settle after the load
    before = rss_kib(pid)
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.05)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    since = time.monotonic()  # RawSpeaker stamps what it receives with time.monotonic()
    out = rr.socket + ".dump"
    t0 = time.monotonic()
    dump = subprocess.Popen([curl, "-sS", "--max-time", "300", "--unix-socket", rr.socket,
                             "http://localhost/v1/bgp/evpn/routes", "-o", out])
    paged = subprocess.run([evpnctl, "--socket", rr.socket, "show", "bgp", "evpn", "routes", "--limit", "20000"],
                           capture_output=True, text=True, timeout=120)
    t.check("evpnctl --limit: one page of 20000 and a cursor",
            paged.returncode == 0 and "Displayed 20000 routes" in paged.stdout and "More: --cursor" in paged.stdout,
            paged.stderr[-300:] or paged.stdout[-300:])
    dump.wait(timeout=310)
    took = time.monotonic() - t0
    stop.set()
    sampler.join()
    t.check("curl dump exit 0", dump.returncode == 0, dump.returncode)
    with open(out, "rb") as f:
        f.seek(max(0, os.path.getsize(out) - 200))
        tail = f.read().decode(errors="replace")
    m = re.search(r'"count":(\d+)\}\s*$', tail)
    t.check_eq("dump lists every route", int(m.group(1)) if m else None, ROUTES)
    t.log(f"dump: {os.path.getsize(out) / 1e6:.0f} MB in {took:.1f} s; RSS {before / 1024:.0f} MiB before, "
          f"peak {peak[0] / 1024:.0f} MiB, after {rss_kib(pid) / 1024:.0f} MiB")
    os.unlink(out)
    # Every message the RR sent the hold-9 peer since the dump started: no gap of 2 keepalive
    # intervals (the peer's hold timer would have 9 s; a real peer drops at 9).
    times = [since] + [ts for ts, _, _ in raw.received if ts >= since] + [time.monotonic()]
    gap = max(b - a for a, b in zip(times, times[1:]))
    t.log(f"longest silence towards the hold-9 peer during the dump: {gap:.1f} s "
          f"({len(times) - 2} messages in {times[-1] - since:.1f} s)")
    t.check("hold-9 peer got a message at least every 6 s", gap < 6, f"{gap:.1f} s")
    t.check("no NOTIFICATION to the hold-9 peer", not raw.notifications(since), raw.notifications(since))
    t.check("hold-9 peer still Established", rr.established(RAW))
    text = metrics(rr)
    lag = metric(text, "evpnd_event_loop_lag_max_seconds")
    t.log(f"evpnd_event_loop_lag_max_seconds after the dump: {lag}")
    t.check("longest event-loop stall < 2 s", lag is not None and lag < 2, lag)
    t.check("RSS peak < 2x pre-dump RSS", peak[0] < 2 * before, f"{peak[0]} KiB vs {before} KiB")


def slowloris_phase(t, rr, evpnctl) -> None:
    conns = []
    for _ in range(64):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(rr.socket)
        s.sendall(b"GET /v1/bgp/summary HTTP/1.1\r\nX-Slow: ")  # one more byte every 20 s
        conns.append(s)
    time.sleep(0.5)
    t0 = time.monotonic()
    r = subprocess.run([evpnctl, "--socket", rr.socket, "show", "bgp", "summary"],
                       capture_output=True, text=True, timeout=30)
    t.check("operator gets in past 64 slowloris connections", r.returncode == 0 and "10.0.0.254" in r.stdout,
            r.stderr.strip())
    t.log(f"operator answered in {time.monotonic() - t0:.2f} s")
    for s in conns:
        try:
            s.send(b"x")  # the attacker's next byte
        except OSError:
            pass
    deadline = time.monotonic() + 15

    def closed(s):
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            while True:
                data = s.recv(4096)
                if not data:
                    return True
        except OSError:
            return False
    n_closed = sum(closed(s) for s in conns)
    for s in conns:
        s.close()
    t.check_eq("every slowloris connection closed by the request deadline", n_closed, 64)
    text = metrics(rr)
    ev, to = metric(text, "evpnd_api_evictions_total"), metric(text, "evpnd_api_request_timeouts_total")
    t.log(f"evpnd_api_evictions_total {ev}, evpnd_api_request_timeouts_total {to}")
    t.check("evictions and request timeouts counted", (ev or 0) >= 1 and (ev or 0) + (to or 0) >= 64, (ev, to))


def flood_phase(t, rr, ns) -> None:
    n = 3000
    for _ in range(n):
        s = socket_in_netns(ns.name, socket.AF_INET, socket.SOCK_STREAM)
        s.bind((STRANGER, 0))
        try:
            s.connect((RR, 179))
        except OSError:
            pass
        s.close()
    label = '{reason="not_configured"}'
    t.check_wait(f"{n} refusals counted",
                 lambda: metric(metrics(rr), "evpnd_bgp_connections_refused_total", label) == n, 20)
    log = rr.log_tail(100000)
    lines = len(re.findall(rf"refusing connection from {re.escape(STRANGER)}", log))
    t.log(f"log lines for {n} refused connections: {lines}")
    t.check("refused connections logged at a bounded rate (<= 10 lines)", lines <= 10, lines)


if __name__ == "__main__":
    harness.main(run, "fault_api", needs=())
