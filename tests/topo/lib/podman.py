"""Podman 4.3 (Debian, CNI backend, crun) as the real CNI client of a test: one podman per "node".

A PodmanNode is a podman whose whole world is inside the test: it runs in a node's network
namespace (so the CNI plugins it calls run there: the "host" side of every container), and its
configuration, store, locks, events, IPAM leases and logs live in <state>/podman/<node>/. It is the
shape of ../shared/research/cni-client.md §6, with that study's three workarounds for this machine:

  * `ip netns exec` remounts /sys, which drops the cgroup mounts crun needs ("invalid file system
    type on '/sys/fs/cgroup'"): the holder re-mounts the cgroup v1 hierarchies inside the private
    mount namespace `ip netns exec` made (the root mount namespace is never touched);
  * crun 1.8.1 refuses a hybrid layout whose cgroup2 has controllers ("cgroups in hybrid mode not
    supported"): the cgroup2 mount at /sys/fs/cgroup/unified is left out there;
  * no CAP_SYS_RESOURCE: podman (root) asks for nofile=1048576, crun's setrlimit fails with EPERM,
    so default_ulimits are set low (lowering is always allowed).

Podman bind-mounts each container's netns (/run/netns/netns-<uuid>) in the mount namespace it ran
in, so every podman call for a node must run in the same one (else `podman rm` sends no CNI DEL
and leaks the lease): a holder process (`sleep infinity`) keeps that mount + net namespace pair and
each call is `nsenter -t HOLDER -m -n podman ...` (study §3.4 b).

Traps (study §3.5) handled here: podman never gets a default network it could silently replace
with a stock bridge (a conflist that does not validate is dropped with only a warning), so
add_network() checks `podman network exists`; libcni's result cache /var/lib/cni/results is shared
by every podman on the machine (not configurable in 4.3), so network names carry the test's PID and
cleanup removes only the cache files of those names. The CNI DEL of a stopping container is often
sent by conmon's exit command (`podman container cleanup`), which has conmon's environment, not
podman's: the node's variables (EVPND_SOCKET, EVPN_CNI_DATA_DIR, CONTAINERS_CONF) are also put in
conmon_env_vars, else that DEL acts on the plugin's defaults (seen: records left in
/var/lib/cni/evpn, a VNI attachment held in evpnd).

Cleanup (run first at Lab teardown, before the daemons the plugin talks to stop): `podman rm -f`
of every container (CNI DEL), then by PID only: containers' conmon and init processes, the holder;
the cgroup directories under /sys/fs/cgroup/*/<cgroup parent>, /var/lib/cni/results files of our
networks, leftover /run/netns/netns-* files of our containers, /run/crun/<id> and the plugin's
attachment records of our containers (/var/lib/cni/evpn).
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import time

from .harness import wait_until
from .netns import Daemon, Lab, Netns, pid_alive, sh, stop_pid

RESULTS_DIR = "/var/lib/cni/results"         # libcni's cache (cniCacheV1), fixed in podman 4.3
PLUGIN_RECORDS_DIR = "/var/lib/cni/evpn"      # the evpn plugin's records without EVPN_CNI_DATA_DIR
STOCK_PLUGINS = "/usr/lib/cni"
PODMAN_BINS = ("podman", "crun", "conmon", "nsenter", "/usr/lib/cni/host-local", "/usr/lib/cni/bridge",
               "/bin/busybox")

# Runs as `ip netns exec NS bash -c HOLDER_SCRIPT`: re-create the cgroup mounts listed in
# $CG_MOUNTS ("dir type opts" lines from the root namespace's /proc/self/mounts) in the private
# mount namespace, without the cgroup2 mount of a hybrid layout, then hold the namespaces.
HOLDER_SCRIPT = r'''
set -e
hybrid=0
while read -r dir type opts; do
  [ -n "$dir" ] || continue
  if [ "$dir" = /sys/fs/cgroup ] && [ "$type" = tmpfs ]; then hybrid=1; fi
  if [ "$type" = cgroup2 ] && [ "$hybrid" = 1 ]; then continue; fi
  mkdir -p "$dir"
  mount -t "$type" -o "$opts" "$type" "$dir"
done <<< "$CG_MOUNTS"
unset CG_MOUNTS
exec sleep infinity
'''


def cgroup_mounts() -> str:
    with open("/proc/self/mounts") as f:
        rows = [ln.split() for ln in f]
    return "\n".join(f"{r[1]} {r[2]} {r[3]}" for r in rows
                     if r[1] == "/sys/fs/cgroup" or r[1].startswith("/sys/fs/cgroup/"))


def build_rootfs(path: str) -> str:
    """A busybox root filesystem for `podman run --rootfs` (no image, no registry)."""
    if os.path.exists(os.path.join(path, "bin", "busybox")):
        return path
    for d in ("bin", "etc", "proc", "sys", "dev", "tmp", "run", "root"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    bb = os.path.join(path, "bin", "busybox")
    shutil.copy2("/bin/busybox", bb)
    for applet in sh([bb, "--list"]).stdout.split():
        if applet != "busybox":  # `busybox --list` names itself: linking it would loop
            os.symlink("busybox", os.path.join(path, "bin", applet))
    with open(os.path.join(path, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(os.path.join(path, "etc", "group"), "w") as f:
        f.write("root:x:0:\n")
    return path


def received(ping_output: str) -> int:
    """Replies counted by busybox/iputils ping ("N packets received")."""
    m = re.search(r"(\d+) (?:packets )?received", ping_output)
    return int(m.group(1)) if m else 0


class _Cleanup(Daemon):
    """Puts PodmanNode.cleanup() into Lab.teardown, which stops daemons in reverse order: a node
    made after the fabric is cleaned up before evpnd stops, so the plugin's DELs reach it."""

    def __init__(self, node: "PodmanNode"):
        super().__init__(f"podman-{node.short}", "sleep", log=node.log)
        self.node = node

    def pid(self):
        return self.node.holder.pid if self.node.holder else None

    def running(self) -> bool:
        return self.node.holder is not None and self.node.holder.poll() is None

    def stop(self) -> None:
        self.node.cleanup()


class PodmanNode:
    """podman for one node (namespace `ns`); plugin_dirs are searched before /usr/lib/cni."""

    def __init__(self, lab: Lab, ns: Netns, short: str, plugin_dirs: list[str] | None = None,
                 env: dict | None = None, rootfs: str | None = None):
        self.lab, self.ns, self.short = lab, ns, short
        self.dir = os.path.dirname(lab.path("podman", short, "x"))
        self.log = os.path.join(self.dir, "podman.log")
        self.net_dir = os.path.join(self.dir, "net.d")
        self.ipam_dir = os.path.join(self.dir, "ipam")
        for d in ("net.d", "ipam", "store/root", "store/runroot", "store/tmp", "logs"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        self.rootfs = rootfs or build_rootfs(os.path.dirname(lab.path("podman", "rootfs", "x")))
        self.cgroup_parent = ns.name           # /sys/fs/cgroup/<ctrl>/evt-...-PID: ours alone
        self.plugin_dirs = [os.path.abspath(d) for d in (plugin_dirs or [])] + [STOCK_PLUGINS]
        self.networks: list[str] = []
        self.containers: dict[str, dict] = {}  # id -> {name, pids, sandbox}
        self.holder: subprocess.Popen | None = None
        self.node_env = {"CONTAINERS_CONF": os.path.join(self.dir, "containers.conf"),
                         "CONTAINERS_STORAGE_CONF": os.path.join(self.dir, "storage.conf"), **(env or {})}
        self.env = dict(os.environ, **self.node_env)
        self._write_conf()
        # the evpn plugin's attachment records: <dataDir>/<network>/<container id>:<ifname>.json
        self.records_dir = self.env.get("EVPN_CNI_DATA_DIR", PLUGIN_RECORDS_DIR)
        self._start_holder()
        self.base_veths = set(self.veths())   # the node's own (underlay) veths
        self._cleanup = lab.add_daemon(_Cleanup(self))

    def cleanup_first(self) -> None:
        """Lab teardown stops daemons newest first: after a daemon the plugin needs was started
        again (evpnd restart), put this node's cleanup back in front of it."""
        self.lab.daemons.remove(self._cleanup)
        self.lab.daemons.append(self._cleanup)

    # --- set-up ----------------------------------------------------------------------------
    def _write_conf(self) -> None:
        q = json.dumps
        dirs = ", ".join(q(d) for d in self.plugin_dirs)
        # The CNI DEL of a container that stops is often sent by `podman container cleanup`, the
        # exit command conmon runs; it has conmon's environment, not podman's: without this the
        # plugin there would miss EVPND_SOCKET / EVPN_CNI_DATA_DIR (and act on the defaults).
        conmon_env = ", ".join(q(f"{k}={v}") for k, v in
                               [("PATH", os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"))]
                               + list(self.node_env.items()))
        # default_network stays "podman" and is never used (--network is always given): were the
        # tested network the default and failed to load, podman would make a stock bridge of it.
        conf = f"""[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]

[network]
network_backend = "cni"
cni_plugin_dirs = [{dirs}]
network_config_dir = {q(self.net_dir)}

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = {q(os.path.join(self.dir, "logs", "events.log"))}
runtime = "crun"
tmp_dir = {q(os.path.join(self.dir, "store", "tmp"))}
lock_type = "file"
conmon_env_vars = [{conmon_env}]
"""
        with open(os.path.join(self.dir, "containers.conf"), "w") as f:
            f.write(conf)
        with open(os.path.join(self.dir, "storage.conf"), "w") as f:
            f.write(f"""[storage]
driver = "vfs"
graphroot = {q(os.path.join(self.dir, "store", "root"))}
runroot = {q(os.path.join(self.dir, "store", "runroot"))}
""")

    def _start_holder(self) -> None:
        env = dict(os.environ, CG_MOUNTS=cgroup_mounts())
        with open(os.path.join(self.dir, "logs", "holder.log"), "wb") as fh:
            self.holder = subprocess.Popen(self.ns.wrap(["bash", "-c", HOLDER_SCRIPT]), stdout=fh,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                           start_new_session=True)
        with open(os.path.join(self.dir, "holder.pid"), "w") as f:
            f.write(f"{self.holder.pid}\n")
        sleep_bin = os.path.realpath(shutil.which("sleep") or "/usr/bin/sleep")

        def holding():
            if self.holder.poll() is not None:
                with open(os.path.join(self.dir, "logs", "holder.log")) as f:
                    raise RuntimeError(f"holder exited rc={self.holder.returncode}: {f.read()[-500:]}")
            return os.path.realpath(f"/proc/{self.holder.pid}/exe") == sleep_bin
        wait_until(holding, 10, 0.05, what=f"{self.short}: podman holder in {self.ns.name}")

    # --- podman ----------------------------------------------------------------------------
    def podman(self, *args, check: bool = True, timeout: float = 90, env: dict | None = None,
               quiet: bool = False) -> subprocess.CompletedProcess:
        """`podman ARGS` inside the holder's mount + net namespaces; logged to <node>/podman.log.
        `env` adds variables for this call (libcni hands podman's environment to the plugins);
        `quiet` leaves stdout out of the log (inspect)."""
        argv = ["nsenter", "-t", str(self.holder.pid), "-m", "-n", "podman", *[str(a) for a in args]]
        t0 = time.monotonic()
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           env=dict(self.env, **(env or {})))
        with open(self.log, "a") as f:
            f.write(f"+ podman {' '.join(argv[6:])} -> rc {p.returncode} ({time.monotonic() - t0:.2f}s)\n")
            for stream in ((p.stderr,) if quiet else (p.stdout, p.stderr)):
                if stream.strip():
                    f.write(stream if stream.endswith("\n") else stream + "\n")
        if check and p.returncode != 0:
            raise RuntimeError(f"podman {' '.join(map(str, args))} -> rc {p.returncode}: "
                               f"{p.stderr.strip()[-800:] or p.stdout.strip()[-800:]}")
        return p

    def add_network(self, conflist: dict) -> str:
        """Writes the conflist into this node's network_config_dir; podman must load it."""
        name = conflist["name"]
        with open(os.path.join(self.net_dir, f"{name}.conflist"), "w") as f:
            json.dump(conflist, f, indent=2)
        if name not in self.networks:
            self.networks.append(name)
        p = self.podman("network", "exists", name, check=False)
        if p.returncode != 0:  # dropped with a warning: VERSION failed, plugin missing, ...
            w = self.podman("network", "ls", check=False).stderr
            raise RuntimeError(f"{self.short}: podman did not load network {name}: {w.strip()[-800:]}")
        return name

    def run(self, name: str, network: str, *opts: str, cmd: tuple[str, ...] = ("sleep", "3600"),
            check: bool = True, timeout: float = 90, env: dict | None = None) -> subprocess.CompletedProcess:
        """`podman run -d` of the busybox rootfs (default: it only sleeps, sends nothing)."""
        p = self.podman("run", "-d", "--name", name, "--network", network, "--cgroup-parent",
                        f"/{self.cgroup_parent}", *opts, "--rootfs", self.rootfs, *cmd,
                        check=False, timeout=timeout, env=env)
        cid = p.stdout.strip().splitlines()[-1] if p.returncode == 0 and p.stdout.strip() else None
        self._track(name, cid)
        if check and p.returncode != 0:
            raise RuntimeError(f"podman run {name} -> rc {p.returncode}: {p.stderr.strip()[-800:]}")
        return p

    def _track(self, name: str, cid: str | None) -> None:
        """Remember a container's ID, PIDs and netns path (cleanup by PID, leftovers by name)."""
        try:
            j = self.inspect(name)
        except RuntimeError:
            j = None
        if j:
            cid = j["Id"]
            st = j.get("State", {})
            self.containers[cid] = {"name": name, "pids": [p for p in (st.get("Pid"), st.get("ConmonPid")) if p],
                                    "sandbox": j.get("NetworkSettings", {}).get("SandboxKey", "")}
        elif cid:
            self.containers.setdefault(cid, {"name": name, "pids": [], "sandbox": ""})

    def inspect(self, name: str) -> dict:
        p = self.podman("inspect", "--type", "container", name, check=False, quiet=True)
        if p.returncode != 0:
            raise RuntimeError(f"podman inspect {name}: {p.stderr.strip()[-300:]}")
        return json.loads(p.stdout)[0]

    def net_info(self, name: str, network: str) -> dict:
        """{IPAddress, IPPrefixLen, MacAddress, ...} of the container on `network`."""
        return self.inspect(name)["NetworkSettings"]["Networks"][network]

    def exec(self, name: str, *argv, check: bool = False, timeout: float = 60) -> subprocess.CompletedProcess:
        return self.podman("exec", name, *argv, check=check, timeout=timeout)

    def ping(self, name: str, dst: str, count: int = 3, wait: int = 2, interval: float = 0.2) -> int:
        """Replies the container got from `dst` out of `count` echo requests (busybox ping)."""
        p = self.exec(name, "ping", "-c", count, "-i", interval, "-W", wait, dst, timeout=count * wait + 30)
        return received(p.stdout)

    def rm(self, name: str, check: bool = True) -> subprocess.CompletedProcess:
        """`podman rm -f -t 0` (CNI DEL)."""
        return self.podman("rm", "-f", "-t", "0", name, check=check)

    def ps_names(self) -> list[str]:
        out = self.podman("ps", "-a", "--format", "{{.Names}}").stdout
        return [x for x in out.split() if x]

    # --- what a container left behind (leak checks) -----------------------------------------
    def leases(self, network: str) -> list[str]:
        """host-local lease files (one per address) of `network` in this node's dataDir."""
        d = os.path.join(self.ipam_dir, network)
        if not os.path.isdir(d):
            return []
        return sorted(f for f in os.listdir(d) if f != "lock" and not f.startswith("last_reserved_ip"))

    def result_files(self) -> list[str]:
        """libcni result-cache files of this node's networks."""
        out = []
        for n in self.networks:
            out += glob.glob(os.path.join(RESULTS_DIR, f"{glob.escape(n)}-*"))
        return sorted(out)

    def veths(self) -> list[str]:
        """veth interfaces in the node's namespace but those it had before podman (the host ends
        of containers' links)."""
        out = self.ns.ip("-o", "link", "show", "type", "veth")
        return sorted(m.group(1) for m in re.finditer(r"^\d+: ([^:@]+)[@:]", out, re.M)
                      if m.group(1) not in getattr(self, "base_veths", ()))

    def records(self) -> list[str]:
        """The plugin's attachment records (and their temp files) of this node's containers or
        networks, in its dataDir and in the default one (shared by every run: only ours)."""
        out = []
        for d in dict.fromkeys((self.records_dir, PLUGIN_RECORDS_DIR)):
            out += [p for p in glob.glob(os.path.join(d, "**", "*"), recursive=True)
                    if os.path.isfile(p) and os.path.basename(p) != "lock" and self._ours(p, d)]
        return sorted(out)

    def _ours(self, path: str, top: str) -> bool:
        rel = os.path.relpath(path, top)
        if any(cid in rel for cid in self.containers) or any(n in rel.split(os.sep) for n in self.networks):
            return True
        try:
            with open(path, errors="replace") as f:
                text = f.read(65536)
        except OSError:
            return False
        return any(cid in text for cid in self.containers)

    # --- teardown ----------------------------------------------------------------------------
    def cleanup(self) -> None:
        if self.holder is None:
            return
        if self.holder.poll() is None:
            try:
                ids = self.podman("ps", "-aq", "--no-trunc", check=False, timeout=60).stdout.split()
                for cid in ids:
                    self._track(cid, cid)
                if ids:
                    self.podman("rm", "-f", "-t", "0", *ids, check=False, timeout=120)  # -> CNI DEL
            except (subprocess.TimeoutExpired, OSError) as e:
                with open(self.log, "a") as f:
                    f.write(f"cleanup: podman rm: {e}\n")
        for c in self.containers.values():  # what rm did not end: by PID, cmdline checked
            for pid in c["pids"]:
                if pid_alive(pid):
                    stop_pid(pid, "conmon") or stop_pid(pid, "sleep")
        stop_pid(self.holder.pid, "sleep")
        try:
            self.holder.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.holder_pid, self.holder = self.holder.pid, None
        for top in glob.glob(f"/sys/fs/cgroup/*/{glob.escape(self.cgroup_parent)}"):
            for root, _dirs, _files in os.walk(top, topdown=False):  # children first
                try:
                    os.rmdir(root)
                except OSError:
                    pass
        for f in self.result_files():
            os.remove(f)
        for cid, c in self.containers.items():
            sb = c.get("sandbox") or ""
            if sb.startswith("/run/netns/netns-") and os.path.isfile(sb) and not os.path.ismount(sb):
                os.remove(sb)  # an unmounted leftover breaks `ip netns list` for every test
            shutil.rmtree(f"/run/crun/{cid}", ignore_errors=True)
        for p in self.records():
            os.remove(p)


def cleanup_stale(state_dir: str, tag: str) -> None:
    """What a crashed run (PID `tag`, state in `state_dir`) left of its podman nodes: containers
    (through the holder, if it still runs), the holders (by PID, cmdline checked), cgroup
    directories of its namespaces and libcni cache files of its networks (names end in -<tag>)."""
    for node_dir in glob.glob(os.path.join(state_dir, "podman", "*", "")):
        try:
            with open(os.path.join(node_dir, "holder.pid")) as f:
                holder = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if pid_alive(holder) and "sleep" in (open(f"/proc/{holder}/cmdline", "rb").read().decode(errors="replace")):
            env = dict(os.environ, CONTAINERS_CONF=os.path.join(node_dir, "containers.conf"),
                       CONTAINERS_STORAGE_CONF=os.path.join(node_dir, "storage.conf"))
            subprocess.run(["nsenter", "-t", str(holder), "-m", "-n", "podman", "rm", "-f", "-t", "0", "-a"],
                           capture_output=True, timeout=120, env=env)
            stop_pid(holder, "sleep")
            print(f"stopped podman holder {holder} ({node_dir})")
    for top in glob.glob(f"/sys/fs/cgroup/*/evt-*-{tag}"):
        for root, _dirs, _files in os.walk(top, topdown=False):
            try:
                os.rmdir(root)
            except OSError:
                pass
    for f in glob.glob(os.path.join(RESULTS_DIR, f"evt-*-{tag}-*")):
        os.remove(f)
