"""RawSpeaker: a minimal BGP speaker on a plain socket for malformed-UPDATE (RFC 7606) tests.

It connects from inside a namespace, exchanges OPEN/KEEPALIVE, keeps the session alive with its
own KEEPALIVEs, and sends any bytes it is given. A reader thread records everything the peer
sends, so a test can ask "did a NOTIFICATION arrive (code/subcode)?" or "did KEEPALIVEs keep
coming after time T?" — the two observable outcomes of session-reset vs treat-as-withdraw.
"""
from __future__ import annotations

import socket
import struct
import threading
import time

from . import bgp_bytes as B
from .netns import Netns, socket_in_netns


class RawSpeaker:
    def __init__(self, ns: Netns, local_ip: str, peer_ip: str, asn: int, router_id: str,
                 hold: int = 9, port: int = 179):
        self.ns, self.local_ip, self.peer_ip, self.asn = ns, local_ip, peer_ip, asn
        self.router_id, self.hold, self.port = router_id, hold, port
        self.sock: socket.socket | None = None
        self.received: list[tuple[float, int, bytes]] = []  # (time, type, body)
        self.closed_at: float | None = None
        self.peer_open: bytes | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- session ---------------------------------------------------------------------------
    def connect(self, timeout: float = 10) -> None:
        s = socket_in_netns(self.ns.name, socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.bind((self.local_ip, 0))
        s.connect((self.peer_ip, self.port))
        self.sock = s
        s.sendall(B.open_msg(self.asn, self.hold, self.router_id))
        buf = bytearray()
        deadline = time.monotonic() + timeout
        got_open = got_ka = False
        while not (got_open and got_ka):
            if time.monotonic() > deadline:
                raise TimeoutError("no OPEN/KEEPALIVE from peer")
            data = s.recv(65536)
            if not data:
                raise ConnectionError("peer closed during OPEN exchange")
            buf += data
            for t, body in B.split_messages(buf):
                if t == B.OPEN:
                    self.peer_open = body
                    got_open = True
                    s.sendall(B.keepalive())
                elif t == B.KEEPALIVE:
                    got_ka = True
                elif t == B.NOTIFICATION:
                    raise ConnectionError(f"NOTIFICATION {body[0]}/{body[1]} during OPEN exchange")
        s.settimeout(None)
        self._stop.clear()
        self._threads = [threading.Thread(target=self._reader, args=(buf,), daemon=True),
                         threading.Thread(target=self._keepaliver, daemon=True)]
        for t in self._threads:
            t.start()

    def connect_retry(self, timeout: float = 30) -> None:
        """Connect, retrying while the peer refuses or resets (idle hold after a NOTIFICATION)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.reset_state()
                self.connect()
                return
            except (OSError, ConnectionError, TimeoutError) as e:
                self.close()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"could not establish raw session: {e}") from e
                time.sleep(1)

    def reset_state(self) -> None:
        with self._lock:
            self.received.clear()
        self.closed_at = None

    def _reader(self, buf: bytearray) -> None:
        s = self.sock
        while not self._stop.is_set():
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed_at = time.monotonic()
                return
            buf += data
            try:
                msgs = B.split_messages(buf)
            except ValueError:
                self.closed_at = time.monotonic()
                return
            with self._lock:
                for t, body in msgs:
                    self.received.append((time.monotonic(), t, body))

    def _keepaliver(self) -> None:
        while not self._stop.wait(max(1, self.hold // 3)):
            if self.closed_at is not None:
                return
            try:
                self.sock.sendall(B.keepalive())
            except OSError:
                return

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self._stop.set()
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    # --- observations ----------------------------------------------------------------------
    def notifications(self, since: float = 0) -> list[tuple[int, int, bytes]]:
        with self._lock:
            return [(b[0], b[1], b[2:]) for (ts, t, b) in self.received if t == B.NOTIFICATION and ts >= since]

    def keepalives(self, since: float = 0) -> int:
        with self._lock:
            return sum(1 for (ts, t, _b) in self.received if t == B.KEEPALIVE and ts >= since)

    def updates(self, since: float = 0) -> list[bytes]:
        with self._lock:
            return [b for (ts, t, b) in self.received if t == B.UPDATE and ts >= since]

    def wait_notification(self, since: float, timeout: float) -> tuple[int, int] | None:
        """The first NOTIFICATION after `since` as (code, subcode), or None (timeout / closed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            n = self.notifications(since)
            if n:
                return n[0][0], n[0][1]
            if self.closed_at is not None:
                time.sleep(0.2)  # a NOTIFICATION may still be in the buffer
                n = self.notifications(since)
                return (n[0][0], n[0][1]) if n else None
            time.sleep(0.05)
        return None

    def survived(self, since: float, duration: float) -> tuple[bool, str]:
        """Session alive `duration` s after `since`: no NOTIFICATION, not closed, KEEPALIVEs seen."""
        end = since + duration
        while time.monotonic() < end:
            if self.notifications(since):
                c, sc, _ = self.notifications(since)[0]
                return False, f"NOTIFICATION {c}/{sc}"
            if self.closed_at is not None:
                return False, "connection closed without NOTIFICATION"
            time.sleep(0.1)
        ka = self.keepalives(since)
        if ka == 0:
            return False, f"no KEEPALIVE from the peer in {duration:.0f}s"
        return True, f"{ka} KEEPALIVE(s), no NOTIFICATION"

    def peer_hold_time(self) -> int | None:
        return struct.unpack("!H", self.peer_open[3:5])[0] if self.peer_open else None
