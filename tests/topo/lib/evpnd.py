"""EvpndNode: evpnd in a namespace (`evpnd -c config.yaml`) and its JSON API over a unix socket.

The YAML follows src/api/config.hpp / docs/CONFIG.md; yaml() is the one place that knows the
schema. The API is HTTP/1.1 on a unix socket (ApiClient, http.client with an AF_UNIX connection);
unix sockets with a path are not tied to a network namespace, so the client runs in the test
process.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
from dataclasses import dataclass, field

from .frr import Neighbor
from .harness import find_bin, wait_until
from .netns import Lab, Netns
from .routes import normalize_evpnd_route


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float = 5):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class ApiError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, body: str):
        super().__init__(f"{method} {path} -> HTTP {status}: {body[:400]}")
        self.status, self.body = status, body


class ApiClient:
    def __init__(self, socket_path: str):
        self.socket_path = socket_path

    def request(self, method: str, path: str, body=None):
        conn = UnixHTTPConnection(self.socket_path)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode(errors="replace")
        finally:
            conn.close()
        if resp.status >= 300:
            raise ApiError(method, path, resp.status, text)
        return json.loads(text) if text.strip() else None

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, body):
        return self.request("POST", path, body)

    def delete(self, path: str, body=None):
        return self.request("DELETE", path, body)


def _yaml_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(str(v))  # JSON strings are valid YAML double-quoted scalars


def to_yaml(obj, indent: int = 0) -> str:
    """Minimal YAML emitter for dict/list/scalar trees (stdlib has none)."""
    pad = "  " * indent
    lines = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            elif isinstance(v, (dict, list)):
                lines.append(f"{pad}{k}: {'{}' if isinstance(v, dict) else '[]'}")
            else:
                lines.append(f"{pad}{k}: {_yaml_scalar(v)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, (dict, list)) and item:
                sub = to_yaml(item, indent + 1).splitlines()
                lines.append(f"{pad}- {sub[0].strip()}")
                lines += sub[1:]
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    return "\n".join(lines)


@dataclass
class EvpndNode:
    lab: Lab
    ns: Netns
    asn: int
    router_id: str
    neighbors: list[Neighbor] = field(default_factory=list)
    listen_address: str | None = None
    listen_port: int = 179
    cluster_id: str | None = None
    timers: tuple[int, int] = (3, 9)
    extra: dict = field(default_factory=dict)   # merged into the top level of the YAML
    neighbor_extra: dict = field(default_factory=dict)  # address -> keys merged into that neighbour

    def __post_init__(self):
        self.kind = "evpnd"
        self.name = self.ns.name
        self.bin = find_bin("evpnd")
        self.socket = self.lab.path("evpnd", self.name, "evpnd.sock")
        self.api = ApiClient(self.socket)
        self.daemon = None

    def config(self) -> dict:
        """The YAML tree (schema: src/api/config*.cpp, docs/examples/evpnd-*.yaml)."""
        keep, hold = self.timers
        c: dict = {"router-id": self.router_id, "asn": self.asn}
        if self.cluster_id:
            c["cluster-id"] = self.cluster_id
        c["listen"] = {"address": self.listen_address or "0.0.0.0", "port": self.listen_port}
        c["api"] = {"socket": self.socket}
        # Run-time segments/endpoints (runtime.json) in the node's own directory: parallel daemons
        # never share /var/lib/evpnd, and a restarted node finds its own state again.
        c["state-dir"] = self.lab.path("evpnd", self.name, "state")
        c["log-level"] = "debug"
        nbs = []
        for n in self.neighbors:
            e = {"address": n.address, "remote-as": n.remote_as, "families": ["l2vpn-evpn"],
                 "timers": {"hold": hold, "keepalive": keep, "connect-retry": 2}}
            if n.description:
                e["description"] = n.description
            if n.update_source:
                e["update-source"] = n.update_source
            if n.rr_client:
                e["route-reflector-client"] = True
            if n.passive:
                e["passive"] = True
            if n.port:
                e["port"] = n.port
            if n.password:
                e["password"] = n.password
            if n.ttl_security:
                e["ttl-security"] = {"hops": n.ttl_security}
            e.update(self.neighbor_extra.get(n.address, {}))
            nbs.append(e)
        c["neighbors"] = nbs
        c.update(self.extra)
        return c

    def start(self) -> "EvpndNode":
        if not self.bin:
            raise RuntimeError("evpnd binary not found (set EVPND_BIN_DIR)")
        conf = self.lab.path("conf", self.name, "evpnd.yaml")
        with open(conf, "w") as f:
            f.write(to_yaml(self.config()) + "\n")
        self.conf_path = conf
        self.daemon = self.lab.spawn(f"{self.name}-evpnd", self.ns, [self.bin, "-c", conf], expect="evpnd")

        def api_up():
            if not self.daemon.running():
                raise RuntimeError(f"evpnd exited rc={self.daemon.popen.poll()}: {self.daemon.log_tail(10)}")
            return os.path.exists(self.socket) and self.api.get("/v1/bgp/summary") is not None
        wait_until(api_up, 15, what=f"{self.name} evpnd API")
        return self

    def reload(self) -> dict:
        """Rewrites the configuration file from config() and asks the daemon to reload it."""
        with open(self.conf_path, "w") as f:
            f.write(to_yaml(self.config()) + "\n")
        return self.api.post("/v1/config/reload", {}).get("applied", {})

    def stop(self) -> None:
        if self.daemon:
            self.daemon.stop()

    def log_tail(self, lines: int = 20) -> str:
        return self.daemon.log_tail(lines) if self.daemon else ""

    # --- API views -------------------------------------------------------------------------
    def summary(self):
        return self.api.get("/v1/bgp/summary")

    def neighbors_json(self):
        return self.api.get("/v1/bgp/neighbors")

    def neighbor_info(self, addr: str) -> dict:
        j = self.neighbors_json()
        items = j.get("neighbors", j) if isinstance(j, dict) else j
        if isinstance(items, dict):
            return items.get(addr, {})
        for n in items or []:
            if n.get("address") == addr or n.get("peer") == addr or n.get("neighbor") == addr:
                return n
        return {}

    def established(self, addr: str) -> bool:
        st = str(self.neighbor_info(addr).get("state", "")).lower()
        return st == "established"

    def evpn_routes_json(self):
        return self.api.get("/v1/bgp/evpn/routes")

    def evpn_routes(self) -> list[dict]:
        j = self.evpn_routes_json()
        items = j.get("routes", []) if isinstance(j, dict) else (j or [])
        return [normalize_evpnd_route(e) for e in items]

    def originate(self, routes: list[dict]):
        return self.api.post("/v1/evpn/routes", {"routes": routes})

    def withdraw(self, routes: list[dict]):
        return self.api.delete("/v1/evpn/routes", {"routes": routes})
