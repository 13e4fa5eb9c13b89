"""Remove what crashed runs left: `evt-*` namespaces whose owner PID is gone, `lab-*` namespaces,
our daemons (found by PID file or by running inside those namespaces, always after checking
/proc/PID/cmdline), FRR's /var/run/frr/<pathspace> dirs and stale /tmp/evt-* state dirs.
Usage: python3 -m lib.cleanup --stale [--lab-only | --tests-only] (from tests/topo).
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import shutil

from .netns import DAEMON_NAMES, netns_list, netns_pids, pid_alive, sh, stop_pid
from .podman import cleanup_stale as podman_cleanup_stale

_EVT = re.compile(r"^evt-.*-(\d+)$")


def _owner_alive(name: str) -> bool:
    m = _EVT.match(name)
    return bool(m) and pid_alive(int(m.group(1))) and "python" in open(f"/proc/{m.group(1)}/cmdline", "rb").read().decode(errors="replace")


def _kill_pidfiles(paths: list[str]) -> int:
    n = 0
    for p in paths:
        try:
            pid = int(open(p).read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        for name in ("bgpd", "zebra", "gobgpd", "evpnd", "bird"):
            if stop_pid(pid, name):
                print(f"stopped {name} pid {pid} ({p})")
                n += 1
                break
    return n


def remove_namespace(name: str) -> None:
    for pid in netns_pids(name):
        for d in DAEMON_NAMES:
            if stop_pid(pid, d):
                print(f"stopped pid {pid} ({d}) in {name}")
                break
    sh(["ip", "netns", "del", name], check=False)
    shutil.rmtree(f"/var/run/frr/{name}", ignore_errors=True)
    print(f"removed netns {name}")


def cleanup_lab(state_dir: str) -> None:
    _kill_pidfiles(glob.glob(os.path.join(state_dir, "**", "*.pid"), recursive=True))
    names = [n for n in netns_list() if n.startswith("lab-")]
    for n in sorted(names, key=lambda x: ("tenant" in x, x)):  # underlay (zebra holds tenant) first
        remove_namespace(n)


def cleanup_stale(tests: bool = True, lab: bool = True, lab_state: str = "lab-state") -> None:
    if tests:
        dead = [n for n in netns_list() if n.startswith("evt-") and not _owner_alive(n)]
        for d in glob.glob("/tmp/evt-*"):
            m = re.match(r"/tmp/evt-(\d+)-", d)
            if m and not pid_alive(int(m.group(1))):
                podman_cleanup_stale(d, m.group(1))  # before the daemons: podman rm sends CNI DELs
                _kill_pidfiles(glob.glob(os.path.join(d, "**", "*.pid"), recursive=True))
                shutil.rmtree(d, ignore_errors=True)
                print(f"removed {d}")
        for n in dead:
            remove_namespace(n)
        for d in glob.glob("/var/run/frr/evt-*"):
            if not _owner_alive(os.path.basename(d)):
                shutil.rmtree(d, ignore_errors=True)
    if lab:
        cleanup_lab(lab_state)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stale", action="store_true", required=True)
    ap.add_argument("--tests-only", action="store_true")
    ap.add_argument("--lab-only", action="store_true")
    ap.add_argument("--lab-state", default="lab-state")
    a = ap.parse_args()
    cleanup_stale(tests=not a.lab_only, lab=not a.tests_only, lab_state=a.lab_state)


if __name__ == "__main__":
    main()
