"""Hand-built BGP message bytes (RFC 4271, 4760, 7432, 8365) for the raw speaker.

Deliberately independent of evpnd's codec: malformed-message tests must be able to build what a
correct encoder never would. Every builder returns bytes; `msg()` adds the 19-octet header and
takes overrides for the marker, length and type so header errors can be made too.
"""
from __future__ import annotations

import ipaddress
import struct

OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
AFI_L2VPN, SAFI_EVPN = 25, 70

# Path attribute flags (RFC 4271 §4.3)
OPTIONAL, TRANSITIVE, PARTIAL, EXTENDED = 0x80, 0x40, 0x20, 0x10
WELL_KNOWN = TRANSITIVE

# Attribute type codes
ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR = 1, 2, 3, 4, 5, 6, 7
ORIGINATOR_ID, CLUSTER_LIST, MP_REACH, MP_UNREACH, EXT_COMMUNITIES, PMSI_TUNNEL = 9, 10, 14, 15, 16, 22


def msg(mtype: int, body: bytes, marker: bytes = b"\xff" * 16, length: int | None = None) -> bytes:
    ln = 19 + len(body) if length is None else length
    return marker + struct.pack("!HB", ln, mtype) + body


def ip4(s: str) -> bytes:
    return ipaddress.IPv4Address(s).packed


def keepalive() -> bytes:
    return msg(KEEPALIVE, b"")


def capability(code: int, value: bytes) -> bytes:
    return struct.pack("!BB", code, len(value)) + value


def open_msg(asn: int, hold: int, router_id: str, caps: list[bytes] | None = None) -> bytes:
    if caps is None:
        caps = [capability(1, struct.pack("!HBB", AFI_L2VPN, 0, SAFI_EVPN)),  # MP (RFC 4760)
                capability(2, b""),                                            # route refresh
                capability(65, struct.pack("!I", asn))]                        # 4-octet AS
    opt = b"".join(struct.pack("!BB", 2, len(c)) + c for c in caps)  # each cap in its own param
    my_as = asn if asn < 65536 else 23456
    return msg(OPEN, struct.pack("!BHH", 4, my_as, hold) + ip4(router_id) + bytes([len(opt)]) + opt)


def notification(code: int, subcode: int, data: bytes = b"") -> bytes:
    return msg(NOTIFICATION, bytes([code, subcode]) + data)


def attr(flags: int, code: int, value: bytes, force_len: int | None = None) -> bytes:
    ln = len(value) if force_len is None else force_len
    if ln > 255 or flags & EXTENDED:
        return struct.pack("!BBH", flags | EXTENDED, code, ln) + value
    return struct.pack("!BBB", flags, code, ln) + value


def update(withdrawn: bytes = b"", attrs: bytes = b"", nlri: bytes = b"",
           withdrawn_len: int | None = None, attrs_len: int | None = None) -> bytes:
    wl = len(withdrawn) if withdrawn_len is None else withdrawn_len
    al = len(attrs) if attrs_len is None else attrs_len
    return msg(UPDATE, struct.pack("!H", wl) + withdrawn + struct.pack("!H", al) + attrs + nlri)


# --- attribute values ----------------------------------------------------------------------
def origin(v: int = 0, flags: int = WELL_KNOWN) -> bytes:
    return attr(flags, ORIGIN, bytes([v]))


def as_path(asns: list[int] = (), seg_type: int = 2, seg_len: int | None = None) -> bytes:
    if not asns and seg_len is None:
        return attr(WELL_KNOWN, AS_PATH, b"")
    n = len(asns) if seg_len is None else seg_len
    return attr(WELL_KNOWN, AS_PATH, bytes([seg_type, n]) + b"".join(struct.pack("!I", a) for a in asns))


def local_pref(v: int = 100, raw: bytes | None = None) -> bytes:
    return attr(WELL_KNOWN, LOCAL_PREF, raw if raw is not None else struct.pack("!I", v))


def rt(asn: int, val: int) -> bytes:
    """Route Target, 2-octet-AS specific (type 0x00, sub-type 0x02)."""
    return struct.pack("!BBHI", 0x00, 0x02, asn, val)


def encap_vxlan() -> bytes:
    """BGP Encapsulation ext community (RFC 9012 §4.1), tunnel type 8 = VXLAN."""
    return bytes([0x03, 0x0C, 0, 0, 0, 0, 0x00, 0x08])


def router_mac(mac: str) -> bytes:
    return bytes([0x06, 0x03]) + bytes.fromhex(mac.replace(":", ""))


def ext_communities(ecs: list[bytes], truncate: int = 0) -> bytes:
    v = b"".join(ecs)
    if truncate:
        v = v[:-truncate]
    return attr(OPTIONAL | TRANSITIVE, EXT_COMMUNITIES, v)


def pmsi_ingress_replication(vni: int, endpoint: str) -> bytes:
    return attr(OPTIONAL | TRANSITIVE, PMSI_TUNNEL, bytes([0, 6]) + vni.to_bytes(3, "big") + ip4(endpoint))


# --- EVPN NLRI (RFC 7432 §7) ---------------------------------------------------------------
def rd_ip(ip: str, n: int) -> bytes:
    return struct.pack("!H", 1) + ip4(ip) + struct.pack("!H", n)


def label(vni: int) -> bytes:
    return vni.to_bytes(3, "big")  # RFC 8365 §5.1.3: the VNI in the 24-bit field, unshifted


def evpn_route(rtype: int, body: bytes, length: int | None = None) -> bytes:
    return bytes([rtype, len(body) if length is None else length]) + body


def evpn_type2(rd: bytes, mac: str, ip: str | None, vnis: list[int], esi: bytes = bytes(10),
               etag: int = 0) -> bytes:
    body = rd + esi + struct.pack("!I", etag) + bytes([48]) + bytes.fromhex(mac.replace(":", ""))
    body += bytes([32]) + ip4(ip) if ip else bytes([0])
    body += b"".join(label(v) for v in vnis)
    return evpn_route(2, body)


def evpn_type3(rd: bytes, originator: str, etag: int = 0) -> bytes:
    return evpn_route(3, rd + struct.pack("!I", etag) + bytes([32]) + ip4(originator))


def mp_reach_evpn(next_hop: str, nlri: bytes, flags: int = OPTIONAL) -> bytes:
    nh = ip4(next_hop)
    return attr(flags, MP_REACH, struct.pack("!HBB", AFI_L2VPN, SAFI_EVPN, len(nh)) + nh + b"\x00" + nlri)


def mp_unreach_evpn(nlri: bytes) -> bytes:
    return attr(OPTIONAL, MP_UNREACH, struct.pack("!HB", AFI_L2VPN, SAFI_EVPN) + nlri)


# --- parsing what the peer sends -----------------------------------------------------------
def split_messages(buf: bytearray) -> list[tuple[int, bytes]]:
    """Remove complete messages from buf; return (type, body) pairs."""
    out = []
    while len(buf) >= 19:
        ln = struct.unpack("!H", buf[16:18])[0]
        if ln < 19 or len(buf) < ln:
            if ln < 19:
                raise ValueError(f"peer sent bad length {ln}")
            break
        out.append((buf[18], bytes(buf[19:ln])))
        del buf[:ln]
    return out
