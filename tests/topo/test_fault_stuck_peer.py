#!/usr/bin/env python3
"""Fault: BGP clients that stop reading (TCP window closed) must not grow the reflector, must
not slow the others, and are dropped by the RFC 9687 send hold timer.

One namespace, everything on its loopback (127.0.0.0/8): evpnd reflects for four iBGP clients:
  127.0.0.2  feeder: `bgpload feed`, announces then withdraws N routes per cycle
  127.0.0.3  monitor: a healthy reader that must see every cycle converge (N routes, then 0)
  127.0.0.4  stuck: completes OPEN, keeps sending KEEPALIVEs, never reads (default send hold
             time, 8 min: it stays up for the whole test); evpnd's RSS must stay flat across
             cycles once its output queue reached the limit, and the neighbour API shows it
             catching up with a bounded queue
  127.0.0.5  stuck too, with `send-hold-time: 8` (hold 6): dropped with NOTIFICATION 8 (Send
             Hold Timer Expired, sent best effort), counted and shown as its last error

Before the fix, evpnd queued every UPDATE for the stuck reader (+76 MiB per 1M-route cycle)
and had no send hold timer. Defaults: 200k routes, 6 cycles (~30 s); EVT_STUCK_ROUTES and
EVT_STUCK_CYCLES change them.
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import bgp_bytes as B  # noqa: E402
from lib import harness  # noqa: E402
from lib.evpnd import ApiClient, UnixHTTPConnection  # noqa: E402
from lib.harness import find_bin, wait_until  # noqa: E402
from lib.netns import socket_in_netns  # noqa: E402

RR, FEEDER, MONITOR, STUCK, STUCK_SH = "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"
ASN = 65000
ROUTES = int(os.environ.get("EVT_STUCK_ROUTES", "200000"))
CYCLES = int(os.environ.get("EVT_STUCK_CYCLES", "6"))
MIB = 1 << 20
QUEUE_LIMIT = 16 * MIB       # SpeakerConfig::output_queue_limit (default)
RSS_GROWTH_LIMIT = 20 * MIB  # growth allowed from cycle 2 to the last (before the fix: ~15 MiB per cycle)


def bgpload_bin():
    d = os.environ.get("EVPND_BIN_DIR")
    evpnd = find_bin("evpnd")
    roots = ([d] if d else []) + ([os.path.dirname(os.path.dirname(os.path.dirname(evpnd)))] if evpnd else [])
    for r in roots:
        p = os.path.join(r, "tools", "bgpload", "bgpload")
        if os.access(p, os.X_OK):
            return p
    return None


def evpn_keys(body: bytes):
    """(announced, withdrawn) route keys of one UPDATE body: RD + MAC + IP of each type-2 NLRI
    (labels excluded, as a withdrawal may carry other labels)."""
    ann, wd = [], []
    wlen = struct.unpack_from("!H", body, 0)[0]
    alen = struct.unpack_from("!H", body, 2 + wlen)[0]
    pos, end = 4 + wlen, 4 + wlen + alen
    while pos < end:
        flags, code = body[pos], body[pos + 1]
        if flags & 0x10:
            ln, hdr = struct.unpack_from("!H", body, pos + 2)[0], 4
        else:
            ln, hdr = body[pos + 2], 3
        v = body[pos + hdr:pos + hdr + ln]
        pos += hdr + ln
        if code == 14:  # MP_REACH_NLRI: AFI, SAFI, next hop, reserved, NLRI
            nlri, out = v[5 + v[3]:], ann
        elif code == 15:  # MP_UNREACH_NLRI: AFI, SAFI, NLRI
            nlri, out = v[3:], wd
        else:
            continue
        i = 0
        while i + 2 <= len(nlri):
            rtype, rlen = nlri[i], nlri[i + 1]
            r = nlri[i + 2:i + 2 + rlen]
            i += 2 + rlen
            if rtype == 2 and len(r) >= 30:
                out.append(bytes(r[:8]) + bytes(r[22:30 + r[29] // 8]))
    return ann, wd


class Client:
    """A raw iBGP client in the namespace: OPEN, KEEPALIVEs every hold/3 s, and (unless stuck)
    a reader that keeps the set of routes it was sent."""

    def __init__(self, ns, local_ip: str, hold: int, stuck: bool):
        self.ns, self.local_ip, self.hold, self.stuck = ns, local_ip, hold, stuck
        self.routes: set[bytes] = set()
        self.lock = threading.Lock()
        self.closed = False
        self.send_error = None
        self.stop = threading.Event()

    def connect(self):
        s = socket_in_netns(self.ns.name, socket.AF_INET, socket.SOCK_STREAM)
        if self.stuck:  # a small window fills at once: the reflector's own queue is what grows
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        s.bind((self.local_ip, 0))
        s.settimeout(10)
        s.connect((RR, 179))
        s.sendall(B.open_msg(ASN, self.hold, self.local_ip))
        buf = bytearray()
        got_open = got_ka = False
        while not (got_open and got_ka):
            data = s.recv(65536)
            if not data:
                raise ConnectionError(f"{self.local_ip}: closed during the OPEN exchange")
            buf += data
            for t, _body in B.split_messages(buf):
                if t == B.OPEN:
                    got_open = True
                    s.sendall(B.keepalive())
                elif t == B.KEEPALIVE:
                    got_ka = True
                elif t == B.NOTIFICATION:
                    raise ConnectionError(f"{self.local_ip}: NOTIFICATION during the OPEN exchange")
        s.settimeout(None)
        self.sock = s
        threading.Thread(target=self._keepalives, daemon=True).start()
        if not self.stuck:
            threading.Thread(target=self._reader, args=(buf,), daemon=True).start()

    def _keepalives(self):
        while not self.stop.wait(max(1, self.hold // 3)):
            try:
                self.sock.sendall(B.keepalive())
            except OSError as e:  # the reflector reset the connection
                self.send_error = e
                return

    def _reader(self, buf: bytearray):
        while not self.stop.is_set():
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            buf += data
            for t, body in B.split_messages(buf):
                if t != B.UPDATE:
                    continue
                ann, wd = evpn_keys(body)
                with self.lock:
                    self.routes.difference_update(wd)
                    self.routes.update(ann)

    def count(self) -> int:
        with self.lock:
            return len(self.routes)

    def close(self):
        self.stop.set()
        try:
            self.sock.close()
        except OSError:
            pass


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def run(t: harness.Test) -> None:
    """Stuck readers: bounded output queue, healthy peers unaffected, send hold timer (RFC 9687)."""
    loader = bgpload_bin()
    if not loader:
        raise harness.Skip("bgpload not built (tools/bgpload)")
    ns = t.lab.netns("stuck")
    sock = t.lab.path("evpnd", "evpnd.sock")
    conf = t.lab.path("evpnd", "evpnd.yaml")
    rrc = "route-reflector-client: true, passive: true, max-prefixes: 50000000"
    with open(conf, "w") as f:
        f.write(f"""router-id: 10.0.0.254
asn: {ASN}
listen: {{ address: {RR}, port: 179 }}
api: {{ socket: {sock} }}
log-level: info
neighbors:
  - {{ address: {FEEDER}, remote-as: {ASN}, {rrc} }}
  - {{ address: {MONITOR}, remote-as: {ASN}, {rrc} }}
  - {{ address: {STUCK}, remote-as: {ASN}, {rrc}, timers: {{ hold: 9, keepalive: 3 }} }}
  - {{ address: {STUCK_SH}, remote-as: {ASN}, {rrc}, timers: {{ hold: 6, keepalive: 2, send-hold-time: 8 }} }}
""")
    d = t.lab.spawn("evpnd", ns, [find_bin("evpnd"), "-c", conf], expect="evpnd")
    api = ApiClient(sock)
    wait_until(lambda: os.path.exists(sock) and api.get("/v1/bgp/summary"), 15, what="evpnd API")
    pid = d.pid()

    def nbr(addr):
        return api.get(f"/v1/bgp/neighbors/{addr}")["neighbors"][0]

    def metrics() -> str:
        c = UnixHTTPConnection(sock)
        try:
            c.request("GET", "/metrics")
            return c.getresponse().read().decode(errors="replace")
        finally:
            c.close()

    monitor = Client(ns, MONITOR, 30, stuck=False)
    stuck = Client(ns, STUCK, 9, stuck=True)
    stuck_sh = Client(ns, STUCK_SH, 6, stuck=True)
    for c in (monitor, stuck, stuck_sh):
        c.connect()
    feeder = subprocess.Popen(
        ns.wrap([loader, "feed", "--peer", f"{RR}:179", "--routes", str(ROUTES), "--type", "2",
                 "--feeder-address", FEEDER]),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        line = feeder.stdout.readline()
        t.check("feeder established", '"established"' in line, line)
        for a in (FEEDER, MONITOR, STUCK, STUCK_SH):
            t.check_wait(f"{a} Established", lambda a=a: nbr(a).get("state") == "Established", 15)

        samples = []
        converged = True
        for cycle in range(1, CYCLES + 1):
            for phase, want in (("announce", ROUTES), ("withdraw", 0)):
                feeder.stdin.write(phase + "\n")
                feeder.stdin.flush()
                feeder.stdout.readline()
                try:
                    wait_until(lambda want=want: monitor.count() == want, 60, interval=0.1,
                               what=f"monitor {phase} cycle {cycle}")
                except harness.WaitTimeout as e:
                    converged = False
                    t.check(f"monitor converges ({phase}, cycle {cycle})", False, str(e))
            samples.append(rss(pid))
            t.log(f"cycle {cycle}: evpnd RSS {samples[-1] / MIB:.0f} MiB, stuck queue "
                  f"{nbr(STUCK).get('output_queued_bytes', 0) / MIB:.1f} MiB")
        t.check(f"healthy monitor converged in every cycle ({CYCLES} x {ROUTES} routes)", converged)
        growth = samples[-1] - samples[1]
        t.check(f"evpnd RSS flat from cycle 2 to {CYCLES} (+{growth / MIB:.1f} MiB, limit "
                f"{RSS_GROWTH_LIMIT // MIB} MiB)", growth < RSS_GROWTH_LIMIT,
                [f"{s / MIB:.0f}" for s in samples])
        n = nbr(STUCK)
        t.check("stuck reader still up (default send hold time 480 s)", n.get("state") == "Established", n)
        t.check("stuck reader catching up outside its update group", n.get("catching_up") is True, n)
        t.check(f"stuck reader's queue bounded ({n.get('output_queued_bytes', 0) / MIB:.1f} MiB)",
                n.get("output_queued_bytes", 1 << 40) < QUEUE_LIMIT + 4 * MIB, n)
        t.check("neighbour API shows the default send hold time", n.get("send_hold_time") == 480, n)

        # The stuck reader with send-hold-time 8 s: dropped, NOTIFICATION 8 attempted, counted.
        t.check_wait("send hold timer dropped 127.0.0.5",
                     lambda: nbr(STUCK_SH).get("counters", {}).get("send_hold_expired", 0) >= 1, 30)
        n = nbr(STUCK_SH)
        t.check("its last error names Send Hold Timer Expired (RFC 9687 §5, code 8)",
                "Send Hold Timer Expired" in n.get("last_error", ""), n)
        t.check("not Established any more", n.get("state") != "Established", n)
        t.check_wait("its connection was reset (not left lingering)", lambda: stuck_sh.send_error is not None, 10)
        with open(d.log, errors="replace") as f:
            log = f.read()
        t.check("error logged with the code's name",
                "send hold timer expired" in log and "Send Hold Timer Expired" in log)
        m = [ln for ln in metrics().splitlines() if ln.startswith("evpnd_bgp_send_hold_expired_total") and STUCK_SH in ln]
        t.check("metrics count it (evpnd_bgp_send_hold_expired_total)", bool(m) and m[0].endswith(" 1"), m)
    finally:
        try:
            feeder.stdin.write("quit\n")
            feeder.stdin.flush()
            feeder.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            feeder.kill()
            feeder.wait()
        for c in (monitor, stuck, stuck_sh):
            c.close()


if __name__ == "__main__":
    harness.main(run, "fault_stuck_peer", needs=())
