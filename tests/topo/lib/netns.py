"""Network namespaces, veth links and the daemons started in them.

A Lab owns everything a test or the evpn-lab tool creates: namespaces (`evt-<name>-<pid>` for
tests, `lab-<name>` for evpn-lab), a state directory (configs, logs, PID files) and the daemons.
Lab.teardown() runs from the caller's try/finally (`with Lab() as lab:`), from atexit and on
SIGTERM/SIGINT, and is idempotent. Daemons are stopped by the PID we recorded, and only after
/proc/PID/cmdline shows the binary we started (PIDs get reused). cleanup.py removes what a
crashed run left behind.

Why namespaces and not 127.0.0.0/8 only: FRR zebra, VXLAN devices and hosts need their own
network stacks; BGP sessions between namespaces use veth /31s and /32 loopbacks.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Iterable, Sequence

# Binaries we may start; a PID is only signalled if its cmdline names one of these.
DAEMON_NAMES = ("bgpd", "zebra", "gobgpd", "evpnd", "bird", "python3", "ping", "tcpdump")
VERBOSE = bool(os.environ.get("EVT_VERBOSE"))


class CommandError(RuntimeError):
    pass


def sh(argv: Sequence[str], check: bool = True, timeout: float = 30, input: str | None = None,
       env: dict | None = None) -> subprocess.CompletedProcess:
    """Run argv (no shell), capture text output; raise CommandError with stderr on failure."""
    argv = [str(a) for a in argv]
    if VERBOSE:
        print("+ " + " ".join(argv), file=sys.stderr)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input, env=env)
    if check and p.returncode != 0:
        raise CommandError(f"{' '.join(argv)} -> rc {p.returncode}: {p.stderr.strip() or p.stdout.strip()}")
    return p


def cmdline_of(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def stop_pid(pid: int, expect: str, grace: float = 3.0) -> bool:
    """SIGTERM then SIGKILL `pid`, but only if its cmdline contains `expect`. True if it was ours."""
    cmd = cmdline_of(pid)
    if not cmd or expect not in cmd:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid) or cmdline_of(pid) != cmd:
            return True
        try:  # reap if it is our child
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    return True


def netns_list() -> list[str]:
    out = sh(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def netns_pids(name: str) -> list[int]:
    out = sh(["ip", "netns", "pids", name], check=False).stdout
    return [int(x) for x in out.split() if x.isdigit()]


_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def socket_in_netns(netns: str, *args, **kwargs):
    """A socket created inside `netns` (setns in a helper thread; the socket keeps its netns)."""
    import socket
    result: dict = {}

    def worker():
        try:
            fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
            try:
                if _libc.setns(fd, _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns({netns})")
            finally:
                os.close(fd)
            result["sock"] = socket.socket(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            result["err"] = e

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    if "err" in result:
        raise result["err"]
    return result["sock"]


class Netns:
    """One network namespace. Created on construction, deleted by its Lab."""

    def __init__(self, lab: "Lab", name: str, create: bool = True):
        self.lab = lab
        self.name = name
        if not create:
            return
        if name in netns_list():
            raise CommandError(f"netns {name} already exists (run cleanup --stale?)")
        sh(["ip", "netns", "add", name])
        self.ip("link", "set", "lo", "up")

    def __repr__(self):
        return f"Netns({self.name})"

    def wrap(self, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *[str(a) for a in argv]]

    def run(self, *argv, check: bool = True, timeout: float = 30, input: str | None = None) -> str:
        return sh(self.wrap(argv), check=check, timeout=timeout, input=input).stdout

    def try_run(self, *argv, timeout: float = 30) -> subprocess.CompletedProcess:
        return sh(self.wrap(argv), check=False, timeout=timeout)

    def ip(self, *args, check: bool = True) -> str:
        return sh(["ip", "-n", self.name, *args], check=check).stdout

    def bridge(self, *args) -> str:
        return sh(["bridge", "-n", self.name, *args]).stdout

    def addr(self, dev: str, cidr: str) -> None:
        self.ip("addr", "add", cidr, "dev", dev)

    def loopback(self, cidr: str) -> None:
        self.addr("lo", cidr)

    def route(self, prefix: str, via: str) -> None:
        self.ip("route", "replace", prefix, "via", via)

    def sysctl(self, key: str, value) -> None:
        self.run("sysctl", "-qw", f"{key}={value}")

    def ping(self, dst: str, count: int = 1, timeout: float = 2) -> bool:
        p = self.try_run("ping", "-c", str(count), "-W", str(max(1, int(timeout))), "-i", "0.2", dst,
                         timeout=count * timeout + 5)
        return p.returncode == 0


class Daemon:
    """A process we started: its PID file (or Popen) and the binary name its cmdline must show."""

    def __init__(self, name: str, expect: str, pidfile: str | None = None,
                 popen: subprocess.Popen | None = None, log: str | None = None):
        self.name, self.expect, self.pidfile, self.popen, self.log = name, expect, pidfile, popen, log
        if popen is not None and pidfile:
            with open(pidfile, "w") as f:
                f.write(f"{popen.pid}\n")

    def pid(self) -> int | None:
        if self.popen is not None:
            return self.popen.pid
        try:
            with open(self.pidfile) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError, TypeError):
            return None

    def running(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        pid = self.pid()
        return bool(pid) and self.expect in cmdline_of(pid)

    def stop(self) -> None:
        pid = self.pid()
        if pid:
            stop_pid(pid, self.expect)
        if self.popen is not None:
            try:
                self.popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log or not os.path.exists(self.log):
            return ""
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-lines:])


_live_labs: list["Lab"] = []


def _teardown_all(*_):
    for lab in list(_live_labs):
        lab.teardown()


def _on_signal(signum, _frame):
    _teardown_all()
    sys.exit(128 + signum)


atexit.register(_teardown_all)


class Lab:
    """Owner of namespaces, daemons and the state dir. Use as a context manager.

    prefix "evt": namespaces `evt-<name>-<pid>`, state in a fresh /tmp/evt-<pid>-* dir, removed on
    success unless keep=True. prefix "lab": namespaces `lab-<name>`, persistent state_dir.
    """

    def __init__(self, prefix: str = "evt", state_dir: str | None = None, keep: bool = False,
                 persist: bool = False):
        self.prefix = prefix
        self.persist = persist  # evpn-lab up: leave the fabric running when the process exits
        self.tag = str(os.getpid())
        self.keep = keep
        self.failed = False
        if state_dir is None:
            state_dir = tempfile.mkdtemp(prefix=f"evt-{self.tag}-")
        os.makedirs(state_dir, exist_ok=True)
        os.chmod(state_dir, 0o755)  # FRR runs as user frr and must traverse it
        self.state_dir = os.path.abspath(state_dir)
        self.namespaces: list[Netns] = []
        self.daemons: list[Daemon] = []
        self._torn_down = False
        _live_labs.append(self)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, _on_signal)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.failed = True
        if exc_type is not None or not self.persist:
            self.teardown()
        else:
            self.detach()
        return False

    def ns_name(self, short: str) -> str:
        return f"lab-{short}" if self.prefix == "lab" else f"evt-{short}-{self.tag}"

    def netns(self, short: str, create: bool = True) -> Netns:
        ns = Netns(self, self.ns_name(short), create)
        self.namespaces.append(ns)
        return ns

    def path(self, *parts: str) -> str:
        p = os.path.join(self.state_dir, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def veth(self, a: Netns, if_a: str, b: Netns, if_b: str,
             cidr_a: str | None = None, cidr_b: str | None = None) -> None:
        sh(["ip", "link", "add", if_a, "netns", a.name, "type", "veth", "peer", "name", if_b,
            "netns", b.name])
        for ns, dev, cidr in ((a, if_a, cidr_a), (b, if_b, cidr_b)):
            if cidr:
                ns.addr(dev, cidr)
            ns.ip("link", "set", dev, "up")

    def add_daemon(self, d: Daemon) -> Daemon:
        self.daemons.append(d)
        return d

    def spawn(self, name: str, ns: Netns, argv: Sequence[str], expect: str,
              env: dict | None = None) -> Daemon:
        """Start a foreground daemon in `ns`, stdout+stderr to <state>/<name>.log."""
        log = self.path("logs", f"{name}.log")
        fh = open(log, "ab")
        popen = subprocess.Popen(ns.wrap(argv), stdout=fh, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        fh.close()
        return self.add_daemon(Daemon(name, expect, self.path("pids", f"{name}.pid"), popen, log))

    def detach(self) -> None:
        """Forget the fabric without stopping it (evpn-lab up); `evpn-lab down` removes it."""
        self._torn_down = True
        if self in _live_labs:
            _live_labs.remove(self)

    def teardown(self) -> None:
        if self._torn_down:
            return
        self._torn_down = True
        for d in reversed(self.daemons):
            try:
                d.stop()
            except Exception as e:  # noqa: BLE001 - keep tearing down
                print(f"teardown: stopping {d.name}: {e}", file=sys.stderr)
        # Anything still running inside our namespaces was started by us (pings, helpers).
        for ns in self.namespaces:
            for pid in netns_pids(ns.name):
                for name in DAEMON_NAMES:
                    if stop_pid(pid, name):
                        break
        for ns in reversed(self.namespaces):
            sh(["ip", "netns", "del", ns.name], check=False)
        for ns in self.namespaces:  # FRR mkdirs /var/run/frr/<pathspace> even when overridden
            shutil.rmtree(f"/var/run/frr/{ns.name}", ignore_errors=True)
        if self in _live_labs:
            _live_labs.remove(self)
        if self.prefix == "evt":
            if self.failed or self.keep:
                print(f"state kept in {self.state_dir}", file=sys.stderr)
            else:
                shutil.rmtree(self.state_dir, ignore_errors=True)


def chown_frr(path: str) -> None:
    shutil.chown(path, "frr", "frr")


def which_all(names: Iterable[str]) -> list[str]:
    """Names from `names` that are not executable on this machine."""
    missing = []
    for n in names:
        if os.path.isabs(n):
            if not os.access(n, os.X_OK):
                missing.append(n)
        elif shutil.which(n) is None:
            missing.append(n)
    return missing
