"""Test-script plumbing: wait_until, checks with PASS/FAIL lines, skip (exit 77), binaries.

A test script is `def run(t: Test) -> None` plus `harness.main(run, ...)`. main() parses the common
options (--dut, --keep, -v), skips with 77 when not root or a needed binary is missing, gives the
test a Lab, and exits 0 when every check passed, 1 otherwise. A check failure does not stop the
test (so one run reports every broken behaviour); an exception does.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from typing import Any, Callable

from .netns import Lab, which_all

SKIP = 77
FRR_BINS = ("/usr/lib/frr/bgpd", "/usr/lib/frr/zebra", "vtysh")
GOBGP_BINS = ("gobgpd", "gobgp")


class Skip(Exception):
    pass


class WaitTimeout(AssertionError):
    pass


def wait_until(cond: Callable[[], Any], timeout: float = 30, interval: float = 0.3,
               what: str = "condition") -> Any:
    """Poll cond() until it returns a truthy value (returned) or raise WaitTimeout.

    Exceptions raised by cond() count as "not yet" (daemons may not be up); the last one is
    reported on timeout.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            v = cond()
            if v:
                return v
            last = v
        except Exception as e:  # noqa: BLE001 - reported on timeout
            last = f"{type(e).__name__}: {e}"
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {what}; last: {str(last)[:600]}")
        time.sleep(interval)


def holds_for(cond: Callable[[], Any], duration: float, interval: float = 0.3) -> bool:
    """True if cond() stays truthy for `duration` seconds."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        try:
            if not cond():
                return False
        except Exception:  # noqa: BLE001
            return False
        time.sleep(interval)
    return True


def find_bin(name: str) -> str | None:
    """evpnd/evpnctl: $EVPND_BIN_DIR (CTest passes the build dir), else build*/ under the tree."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    sub = {"evpnd": "src/daemon", "evpnctl": "tools/evpnctl", "bgpload": "tools/bgpload"}.get(name, "")
    dirs = []
    if os.environ.get("EVPND_BIN_DIR"):
        dirs.append(os.environ["EVPND_BIN_DIR"])
    dirs += [os.path.join(root, d) for d in ("build", "build-topo")]
    dirs += sorted(os.path.join(root, d) for d in os.listdir(root) if d.startswith("build"))
    for d in dirs:
        for cand in (os.path.join(d, sub, name), os.path.join(d, name)):
            if os.path.isfile(cand) and os.access(cand, os.X_OK):
                return cand
    return None


class Test:
    def __init__(self, name: str, lab: Lab, args: argparse.Namespace):
        self.name, self.lab, self.args = name, lab, args
        self.t0 = time.monotonic()
        self.passed: list[str] = []
        self.failed: list[str] = []

    @property
    def dut(self) -> str:
        return self.args.dut

    def log(self, msg: str) -> None:
        print(f"[{self.name}] {msg}", flush=True)

    def check(self, what: str, ok: bool, detail: Any = "") -> bool:
        if ok:
            self.passed.append(what)
            print(f"  PASS {what} [{time.monotonic() - self.t0:.1f}s]", flush=True)
        else:
            self.failed.append(what)
            d = detail if isinstance(detail, str) else json.dumps(detail, default=str)[:1500]
            print(f"  FAIL {what} [{time.monotonic() - self.t0:.1f}s]" + (f"\n       {d}" if d else ""), flush=True)
        return ok

    def check_eq(self, what: str, got: Any, want: Any) -> bool:
        return self.check(what, got == want, f"got {got!r}, want {want!r}")

    def check_wait(self, what: str, cond: Callable[[], Any], timeout: float = 20) -> Any:
        try:
            v = wait_until(cond, timeout, what=what)
            self.check(what, True)
            return v
        except WaitTimeout as e:
            self.check(what, False, str(e))
            return None


def main(run: Callable[[Test], None], name: str, duts: tuple[str, ...] = ("evpnd",),
         needs: tuple[str, ...] = FRR_BINS) -> None:
    ap = argparse.ArgumentParser(description=run.__doc__)
    ap.add_argument("--dut", choices=duts, default=duts[0],
                    help="device under test (the others are stand-ins that validate the harness)")
    ap.add_argument("--keep", action="store_true", help="keep the state dir (configs, logs)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.verbose:
        os.environ["EVT_VERBOSE"] = "1"
        from . import netns
        netns.VERBOSE = True
    if os.geteuid() != 0:
        print(f"SKIP {name}: needs root (network namespaces)")
        sys.exit(SKIP)
    missing = which_all(needs)  # (deduplicated below)
    if args.dut == "evpnd" and not find_bin("evpnd"):
        missing.append("evpnd (build it, or set EVPND_BIN_DIR)")
    if args.dut == "gobgp":
        missing += which_all(GOBGP_BINS)
    if args.dut == "frr":
        missing += which_all(FRR_BINS)
    missing = list(dict.fromkeys(missing))
    if missing:
        print(f"SKIP {name}: missing {', '.join(missing)}")
        sys.exit(SKIP)
    t0 = time.monotonic()
    rc = 1
    with Lab(keep=args.keep) as lab:
        t = Test(name, lab, args)
        t.log(f"dut={args.dut} state={lab.state_dir}")
        try:
            run(t)
        except Skip as e:
            print(f"SKIP {name}: {e}")
            rc = SKIP
        except Exception:  # noqa: BLE001 - the test failed; report and tear down
            traceback.print_exc()
            t.failed.append("exception")
        if rc != SKIP:
            rc = 0 if (t.passed and not t.failed) else 1
        lab.failed = rc == 1
        dt = time.monotonic() - t0
        print(f"[{name}] {'OK' if rc == 0 else 'SKIPPED' if rc == SKIP else 'FAILED'}: "
              f"{len(t.passed)} passed, {len(t.failed)} failed in {dt:.1f}s"
              + (f"; failed: {', '.join(t.failed)}" if t.failed else ""), flush=True)
        if rc == 1:
            for d in lab.daemons:
                tail = d.log_tail(15)
                if tail:
                    print(f"--- {d.name} log tail ({d.log}) ---\n{tail}", flush=True)
    sys.exit(rc)
