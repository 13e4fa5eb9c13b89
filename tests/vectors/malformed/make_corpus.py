#!/usr/bin/env python3
"""Writes the malformed-message corpus: one BGP message per .hex file.

Header lines:
  # expect: <action> <code>/<subcode>   action: session-reset | treat-as-withdraw | attribute-discard
                                        (for UPDATEs that decode: the strongest action among the
                                        errors, and an error with that code/subcode exists)
  # ctx: two-octet-as ebgp extended-message add-path-evpn nlri-treat-as-withdraw
                                        (optional DecodeContext flags)
  # routes: N      (optional: NLRI + MP_REACH routes the decoder must still return, RFC 7606 §2)
  # data: HEX      (optional, session-reset only: the NOTIFICATION data, byte-exact, RFC 4271 §6)
  # why: ...
Checked by src/wire/test/malformed_test.cpp; also seeds for the fuzzers.
Run: python3 tests/vectors/malformed/make_corpus.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def attr(flags, type_, value):
    value = bytes(value)
    if flags & 0x10:
        return bytes([flags, type_, len(value) >> 8, len(value) & 255]) + value
    return bytes([flags, type_, len(value)]) + value


def message(type_, body, length=None):
    body = bytes(body)
    n = 19 + len(body) if length is None else length
    return b"\xff" * 16 + bytes([n >> 8, n & 255, type_]) + body


def update(attrs=b"", nlri=b"", withdrawn=b"", alen=None, wlen=None):
    wl = len(withdrawn) if wlen is None else wlen
    al = len(attrs) if alen is None else alen
    return message(2, bytes([wl >> 8, wl & 255]) + withdrawn + bytes([al >> 8, al & 255]) + attrs + nlri)


ORIGIN = attr(0x40, 1, [0])
ASPATH = attr(0x50, 2, [2, 1, 0, 0, 0xfd, 0xe9])  # SEQUENCE 65001 (4-octet)
NEXTHOP = attr(0x40, 3, [10, 0, 0, 1])
NLRI = bytes([16, 10, 1])  # 10.1.0.0/16
BASE = ORIGIN + ASPATH + NEXTHOP

RD = bytes([0, 1, 10, 255, 0, 1, 0, 3])
TYPE3 = bytes([3, 17]) + RD + bytes([0, 0, 0, 0, 32, 10, 255, 0, 1])


def mp_reach(nlri=TYPE3, nh=bytes([10, 255, 0, 1]), afi=25, safi=70, flags=0x90):
    return attr(flags, 14, bytes([afi >> 8, afi & 255, safi, len(nh)]) + nh + b"\x00" + nlri)


ESI = bytes(10)
MAC = bytes([2, 0, 0, 0, 1, 16])
LABEL = bytes([0, 0, 100])


def type2(mac_len=48, ip=b"", ip_len=None, length=None, mac=MAC):
    body = RD + ESI + bytes(4) + bytes([mac_len]) + mac + bytes([len(ip) * 8 if ip_len is None else ip_len]) + ip + LABEL
    return bytes([2, len(body) if length is None else length]) + body


def type5(plen, addr=bytes([10, 1, 0, 0]), gw=bytes(4)):
    body = RD + ESI + bytes(4) + bytes([plen]) + addr + gw + LABEL
    return bytes([5, len(body)]) + body


TYPE2 = type2()


def mp_unreach(nlri=TYPE2, flags=0x90, afi=25, safi=70):
    return attr(flags, 15, bytes([afi >> 8, afi & 255, safi]) + nlri)


EXT = attr(0xc0, 16, bytes([3, 0x0c, 0, 0, 0, 0, 0, 8, 0, 2, 0xfd, 0xe8, 0, 0, 0, 100]))
PMSI = attr(0xc0, 22, bytes([0, 6, 0, 0, 100, 10, 255, 0, 1]))
EVPN_ATTRS = ORIGIN + attr(0x50, 2, []) + attr(0x40, 5, [0, 0, 0, 100])


def evpn_update(extra=b"", reach=None, pmsi=PMSI, ext=EXT):
    return update((mp_reach() if reach is None else reach) + EVPN_ATTRS + ext + pmsi + extra)


OPEN_CAPS = bytes([2, 6, 1, 4, 0, 25, 0, 70, 2, 6, 65, 4, 0, 0, 0xfd, 0xe8])


def open_msg(version=4, asn=65000, hold=9, bgp_id=(10, 0, 0, 1), params=OPEN_CAPS, opt_len=None):
    ol = len(params) if opt_len is None else opt_len
    return message(1, bytes([version, asn >> 8, asn & 255, hold >> 8, hold & 255]) + bytes(bgp_id) +
                   bytes([ol]) + params)


KEEPALIVE = message(4, b"")

CASES = [
    # --- header (RFC 4271 §6.1) ---
    ("header-bad-marker", "session-reset 1/1", "", None, "marker not all ones",
     b"\xff" * 15 + b"\xfe" + b"\x00\x13\x04"),
    ("header-length-18", "session-reset 1/2", "", None, "length below 19", message(4, b"", 18)[:19], b"\x00\x12"),
    ("header-length-4097", "session-reset 1/2", "", None, "UPDATE longer than 4096 without RFC 8654",
     update(nlri=b"\x00" * 4074)),
    ("header-open-longer-than-4096-extended", "session-reset 1/2", "extended-message", None,
     "RFC 8654: OPEN stays <= 4096 even with extended messages", open_msg(params=b"\x02\x00" * 2036, opt_len=0)),
    ("header-bad-type", "session-reset 1/3", "", None, "message type 6", message(6, b""), b"\x06"),
    ("keepalive-length-20", "session-reset 1/2", "", None, "KEEPALIVE must be 19 octets", message(4, b"\x00"),
     b"\x00\x14"),
    ("update-truncated", "session-reset 1/2", "", None, "header says 101 octets, 100 present",
     evpn_update()[:100]),
    ("open-length-28", "session-reset 1/2", "", None, "OPEN shorter than 29",
     message(1, open_msg(params=b"")[19:28])),
    ("notification-length-20", "session-reset 1/2", "", None, "NOTIFICATION shorter than 21",
     message(3, b"\x06")),
    ("route-refresh-borr-length-24", "session-reset 7/1", "", None, "RFC 7313 §5: BoRR must be 23 octets",
     message(5, bytes([0, 25, 1, 70, 0]))),
    ("route-refresh-length-22", "session-reset 1/2", "", None, "ROUTE-REFRESH shorter than 23",
     message(5, bytes([0, 25, 0]))),
    # --- OPEN (RFC 4271 §6.2) ---
    ("open-version-3", "session-reset 2/1", "", None, "unsupported version; data: largest supported (4)",
     open_msg(version=3), b"\x00\x04"),
    ("open-hold-time-2", "session-reset 2/6", "", None, "hold time 1 or 2 is unacceptable", open_msg(hold=2)),
    ("open-bgp-id-zero", "session-reset 2/3", "", None, "BGP identifier 0.0.0.0", open_msg(bgp_id=(0, 0, 0, 0))),
    ("open-unsupported-param", "session-reset 2/4", "", None, "optional parameter type 1 (authentication)",
     open_msg(params=bytes([1, 2, 0, 0]))),
    ("open-opt-len-overrun", "session-reset 2/0", "", None, "optional parameters length beyond the message",
     open_msg(opt_len=40)),
    ("open-param-overrun", "session-reset 2/0", "", None, "a parameter runs past the parameters",
     open_msg(params=bytes([2, 9, 1, 4, 0, 25, 0, 70]))),
    ("open-cap-overrun", "session-reset 2/0", "", None, "a capability runs past its parameter",
     open_msg(params=bytes([2, 4, 1, 4, 0, 25]))),
    ("open-mp-cap-length-3", "session-reset 2/0", "", None, "multiprotocol capability of length 3",
     open_msg(params=bytes([2, 5, 1, 3, 0, 25, 70]))),
    ("open-as4-cap-length-2", "session-reset 2/0", "", None, "4-octet AS capability of length 2",
     open_msg(params=bytes([2, 4, 65, 2, 0xfd, 0xe8]))),
    # --- UPDATE framing (RFC 4271 §6.3, RFC 7606 §4, §5.3) ---
    ("update-withdrawn-length-overrun", "session-reset 3/1", "", None, "withdrawn routes length past the end",
     update(withdrawn=bytes([16, 10, 1]), wlen=50)),
    ("update-attr-length-overrun", "session-reset 3/1", "", None,
     "total path attribute length past the end (RFC 7606 §4: NLRI cannot be located)",
     update(BASE, NLRI, alen=len(BASE) + 10)),
    ("update-withdrawn-prefix-33", "session-reset 3/10", "", None, "withdrawn prefix length 33",
     update(withdrawn=bytes([33, 10, 1, 0, 0, 0]))),
    ("update-nlri-prefix-33", "session-reset 3/10", "", None, "NLRI prefix length 33 (RFC 7606 §5.3)",
     update(BASE, bytes([33, 10, 1, 0, 0, 0]))),
    ("update-nlri-truncated", "session-reset 3/10", "", None, "NLRI /24 with 2 address octets",
     update(BASE, bytes([24, 10, 1]))),
    # --- attribute framing (RFC 7606 §4) ---
    ("attr-header-truncated", "treat-as-withdraw 3/1", "", 1, "2 octets left: too few for an attribute header",
     update(BASE + b"\x40\x05", NLRI)),
    ("attr-length-overrun", "treat-as-withdraw 3/5", "", 1, "last attribute runs past the attribute field",
     update(BASE + bytes([0x40, 5, 8, 0, 0, 0, 100]), NLRI)),
    ("attr-duplicate-origin", "attribute-discard 3/1", "", 1, "RFC 7606 §3 g: duplicates but the first are discarded",
     update(BASE + attr(0x40, 1, [1]), NLRI)),
    ("attr-duplicate-mp-reach", "session-reset 3/1", "", None, "RFC 7606 §3 g: MP_REACH twice",
     evpn_update(extra=mp_reach())),
    ("attr-duplicate-mp-unreach", "session-reset 3/1", "", None, "RFC 7606 §3 g: MP_UNREACH twice",
     update(attr(0x90, 15, bytes([0, 25, 70]) + TYPE3) + attr(0x90, 15, bytes([0, 25, 70])))),
    ("attr-unknown-well-known", "session-reset 3/2", "", None, "RFC 4271 §6.3: unrecognized well-known type 99",
     update(BASE + attr(0x40, 99, [1, 2]), NLRI), attr(0x40, 99, [1, 2])),
    # --- flags (RFC 7606 §3 c) ---
    ("flags-origin-optional", "treat-as-withdraw 3/4", "", 1, "ORIGIN marked optional",
     update(attr(0xc0, 1, [0]) + ASPATH + NEXTHOP, NLRI)),
    ("flags-origin-partial", "treat-as-withdraw 3/4", "", 1, "Partial set on a well-known attribute",
     update(attr(0x60, 1, [0]) + ASPATH + NEXTHOP, NLRI)),
    ("flags-med-transitive", "treat-as-withdraw 3/4", "", 1, "MED marked transitive",
     update(BASE + attr(0xc0, 4, [0, 0, 0, 1]), NLRI)),
    # RFC 7606 §5.3: MP_REACH/MP_UNREACH flags inconsistent with RFC 4760 make the attribute
    # incorrect -> session reset (RFC 4760 §7); subcode and data per RFC 4271 §6.3. (Was
    # treat-as-withdraw before issue 12; that is now the opt-in `nlri-error: treat-as-withdraw`.)
    ("flags-mp-reach-transitive", "session-reset 3/4", "", None,
     "MP_REACH marked transitive: incorrect (RFC 7606 §5.3) -> session reset",
     evpn_update(reach=mp_reach(flags=0xd0)),
     mp_reach(flags=0xd0)),
    ("flags-mp-reach-transitive-lenient", "treat-as-withdraw 3/4", "nlri-treat-as-withdraw", 1,
     "nlri-error: treat-as-withdraw: the NLRI are still parsed for withdrawal",
     evpn_update(reach=mp_reach(flags=0xd0))),
    ("flags-mp-reach-partial", "session-reset 3/4", "", None,
     "Partial set on an optional non-transitive attribute (RFC 4271 §4.3): incorrect (RFC 7606 §5.3)",
     evpn_update(reach=mp_reach(flags=0xb0)), mp_reach(flags=0xb0)),
    ("flags-mp-unreach-well-known", "session-reset 3/4", "", None,
     "MP_UNREACH marked well-known: incorrect (RFC 7606 §5.3)",
     update(mp_unreach(flags=0x50)), mp_unreach(flags=0x50)),
    # --- per attribute (RFC 7606 §7) ---
    ("origin-length-2", "treat-as-withdraw 3/5", "", 1, "§7.1", update(attr(0x40, 1, [0, 0]) + ASPATH + NEXTHOP, NLRI)),
    ("origin-value-3", "treat-as-withdraw 3/6", "", 1, "§7.1 undefined ORIGIN", update(attr(0x40, 1, [3]) + ASPATH + NEXTHOP, NLRI)),
    ("as-path-zero-segment", "treat-as-withdraw 3/11", "", 1, "§7.2 zero-length segment",
     update(ORIGIN + attr(0x50, 2, [2, 0]) + NEXTHOP, NLRI)),
    ("as-path-segment-type-5", "treat-as-withdraw 3/11", "", 1, "§7.2 unknown segment type",
     update(ORIGIN + attr(0x50, 2, [5, 1, 0, 0, 0xfd, 0xe9]) + NEXTHOP, NLRI)),
    ("as-path-segment-overrun", "treat-as-withdraw 3/11", "", 1, "§7.2 segment longer than the attribute",
     update(ORIGIN + attr(0x50, 2, [2, 2, 0, 0, 0xfd, 0xe9]) + NEXTHOP, NLRI)),
    ("as-path-trailing-octet", "treat-as-withdraw 3/11", "", 1, "§7.2 one octet after the last segment",
     update(ORIGIN + attr(0x50, 2, [2, 1, 0, 0, 0xfd, 0xe9, 2]) + NEXTHOP, NLRI)),
    ("as-path-2octet-odd", "treat-as-withdraw 3/11", "two-octet-as", 1, "§7.2 2-octet session, 4-octet segment",
     update(ORIGIN + attr(0x40, 2, [2, 2, 0xfd, 0xe9]) + NEXTHOP, NLRI)),
    ("as-path-as-zero", "treat-as-withdraw 3/11", "", 1, "RFC 7607: AS 0 in AS_PATH",
     update(ORIGIN + attr(0x50, 2, [2, 1, 0, 0, 0, 0]) + NEXTHOP, NLRI)),
    ("next-hop-length-5", "treat-as-withdraw 3/5", "", 1, "§7.3", update(ORIGIN + ASPATH + attr(0x40, 3, [10, 0, 0, 1, 0]), NLRI)),
    ("med-length-3", "treat-as-withdraw 3/5", "", 1, "§7.4", update(BASE + attr(0x80, 4, [0, 0, 1]), NLRI)),
    ("local-pref-length-2", "treat-as-withdraw 3/5", "", 1, "§7.5", update(BASE + attr(0x40, 5, [0, 100]), NLRI)),
    ("local-pref-from-ebgp", "attribute-discard 3/0", "ebgp", 1, "§7.5 LOCAL_PREF from an external peer",
     update(BASE + attr(0x40, 5, [0, 0, 0, 100]), NLRI)),
    ("atomic-aggregate-length-1", "attribute-discard 3/5", "", 1, "§7.6", update(BASE + attr(0x40, 6, [0]), NLRI)),
    ("aggregator-length-7", "attribute-discard 3/5", "", 1, "§7.7 (4-octet session wants 8)",
     update(BASE + attr(0xc0, 7, [0, 0, 0xfd, 0xe9, 10, 0, 0]), NLRI)),
    ("aggregator-length-8-two-octet", "attribute-discard 3/5", "two-octet-as", 1, "§7.7 (2-octet session wants 6)",
     update(ORIGIN + attr(0x40, 2, []) + NEXTHOP + attr(0xc0, 7, [0, 0, 0xfd, 0xe9, 10, 0, 0, 1]), NLRI)),
    ("aggregator-as-zero", "attribute-discard 3/9", "", 1, "RFC 7607: AS 0 in AGGREGATOR",
     update(BASE + attr(0xc0, 7, [0, 0, 0, 0, 10, 0, 0, 1]), NLRI)),
    ("communities-length-5", "treat-as-withdraw 3/5", "", 1, "§7.8", update(BASE + attr(0xc0, 8, [0, 0, 0, 1, 2]), NLRI)),
    ("communities-length-0", "treat-as-withdraw 3/5", "", 1, "§7.8 non-zero multiple of 4", update(BASE + attr(0xc0, 8, []), NLRI)),
    ("originator-id-length-3", "treat-as-withdraw 3/5", "", 1, "§7.9", update(BASE + attr(0x80, 9, [10, 0, 0]), NLRI)),
    ("originator-id-from-ebgp", "attribute-discard 3/0", "ebgp", 1, "§7.9 from an external peer",
     update(BASE + attr(0x80, 9, [10, 0, 0, 9]), NLRI)),
    ("cluster-list-length-6", "treat-as-withdraw 3/5", "", 1, "§7.10", update(BASE + attr(0x80, 10, [10, 0, 0, 1, 0, 0]), NLRI)),
    ("ext-communities-length-12", "treat-as-withdraw 3/5", "", 1, "§7.14 not a multiple of 8",
     evpn_update(ext=attr(0xc0, 16, bytes(12)))),
    ("large-communities-length-13", "treat-as-withdraw 3/5", "", 1, "RFC 8092 §6", update(BASE + attr(0xc0, 32, bytes(13)), NLRI)),
    ("pmsi-length-4", "treat-as-withdraw 3/5", "", 1, "RFC 6514 §5: shorter than 5 octets",
     evpn_update(pmsi=attr(0xc0, 22, [0, 6, 0, 0]))),
    ("pmsi-ingress-replication-3-octet-endpoint", "treat-as-withdraw 3/9", "", 1, "tunnel type 6 needs an IPv4/IPv6 endpoint",
     evpn_update(pmsi=attr(0xc0, 22, [0, 6, 0, 0, 100, 10, 255, 0]))),
    ("as4-path-from-new-speaker", "attribute-discard 3/0", "", 1, "RFC 6793 §3: AS4_PATH between 4-octet speakers",
     update(BASE + attr(0xc0, 17, [2, 1, 0, 0, 0xfd, 0xe9]), NLRI)),
    ("as4-path-malformed", "attribute-discard 3/11", "two-octet-as", 1, "RFC 6793 §6: malformed AS4_PATH is discarded",
     update(ORIGIN + attr(0x40, 2, [2, 1, 0x5b, 0xa0]) + NEXTHOP + attr(0xc0, 17, [2, 2, 0, 1, 0, 0]), NLRI)),
    # --- missing well-known (RFC 7606 §3 d) ---
    ("missing-origin", "treat-as-withdraw 3/3", "", 1, "", update(ASPATH + NEXTHOP, NLRI)),
    ("missing-as-path", "treat-as-withdraw 3/3", "", 1, "", update(ORIGIN + NEXTHOP, NLRI)),
    ("missing-next-hop", "treat-as-withdraw 3/3", "", 1, "IPv4 NLRI without NEXT_HOP", update(ORIGIN + ASPATH, NLRI)),
    ("missing-origin-evpn", "treat-as-withdraw 3/3", "", 1, "EVPN needs ORIGIN/AS_PATH but no NEXT_HOP",
     update(mp_reach() + attr(0x50, 2, []) + EXT + PMSI)),
    # --- MP_REACH / MP_UNREACH (RFC 7606 §7.11, §5.3; RFC 4760 §7) ---
    ("mp-reach-next-hop-length-5", "session-reset 3/9", "", None, "§7.11 next-hop length 5 for EVPN",
     evpn_update(reach=mp_reach(nh=bytes([10, 255, 0, 1, 0])))),
    ("mp-reach-next-hop-overrun", "session-reset 3/9", "", None, "next hop longer than the attribute",
     update(attr(0x90, 14, bytes([0, 25, 70, 16, 10, 255, 0, 1])) + EVPN_ATTRS)),
    ("mp-reach-length-4", "session-reset 3/9", "", None, "MP_REACH shorter than 5 octets",
     update(attr(0x90, 14, bytes([0, 25, 70, 4])) + EVPN_ATTRS)),
    ("mp-reach-unsupported-afi-safi", "session-reset 3/9", "", None, "AFI 1 / SAFI 128 is not supported",
     evpn_update(reach=mp_reach(afi=1, safi=128, nlri=b""))),
    ("mp-reach-ipv6-next-hop-4", "session-reset 3/9", "", None, "IPv6 unicast with a 4-octet next hop",
     update(mp_reach(afi=2, safi=1, nlri=bytes([64]) + bytes(8)) + EVPN_ATTRS)),
    ("mp-reach-ipv6-prefix-129", "session-reset 3/9", "", None, "IPv6 prefix length 129",
     update(mp_reach(afi=2, safi=1, nh=bytes(16), nlri=bytes([129]) + bytes(17)) + EVPN_ATTRS)),
    ("mp-reach-evpn-route-overrun", "session-reset 3/9", "", None,
     "EVPN route length past the attribute: the NLRI field cannot be parsed (§5.3)",
     evpn_update(reach=mp_reach(nlri=TYPE3 + bytes([2, 40]) + bytes(10)))),
    # RFC 7606 §5.3 + RFC 4760 §7: an EVPN route whose lengths are illegal for its type makes the
    # attribute incorrect -> session reset, Optional Attribute Error, data = the attribute
    # (RFC 4271 §6.3). (Was treat-as-withdraw before issue 12; now opt-in, see the -lenient cases.)
    ("mp-reach-evpn-route-bad-length", "session-reset 3/9", "", None,
     "type-3 route of length 16: framed but incorrect (RFC 7606 §5.3)",
     evpn_update(reach=mp_reach(nlri=TYPE3 + bytes([3, 16]) + RD + bytes([0, 0, 0, 0, 24, 10, 255, 0]))),
     mp_reach(nlri=TYPE3 + bytes([3, 16]) + RD + bytes([0, 0, 0, 0, 24, 10, 255, 0]))),
    ("mp-reach-evpn-route-bad-length-lenient", "treat-as-withdraw 3/9", "nlri-treat-as-withdraw", 1,
     "nlri-error: treat-as-withdraw: the well-formed type-3 route is kept for withdrawal",
     evpn_update(reach=mp_reach(nlri=TYPE3 + bytes([3, 16]) + RD + bytes([0, 0, 0, 0, 24, 10, 255, 0])))),
    ("mp-reach-evpn-t1-length-24", "session-reset 3/9", "", None, "RFC 7432 §7.1: type 1 is 25 octets",
     evpn_update(reach=mp_reach(nlri=bytes([1, 24]) + RD + ESI + bytes(6))),
     mp_reach(nlri=bytes([1, 24]) + RD + ESI + bytes(6))),
    ("mp-reach-evpn-t2-mac-length-40", "session-reset 3/9", "", None, "RFC 7432 §7.2: MAC Address Length must be 48",
     evpn_update(reach=mp_reach(nlri=TYPE3 + type2(mac_len=40))), mp_reach(nlri=TYPE3 + type2(mac_len=40))),
    ("mp-reach-evpn-t2-mac-length-40-lenient", "treat-as-withdraw 3/9", "nlri-treat-as-withdraw", 1,
     "nlri-error: treat-as-withdraw: the type-3 route parsed and is withdrawn",
     evpn_update(reach=mp_reach(nlri=TYPE3 + type2(mac_len=40)))),
    ("mp-reach-evpn-t2-ip-length-24", "session-reset 3/9", "", None, "RFC 7432 §7.2: IP Address Length 0, 32 or 128",
     evpn_update(reach=mp_reach(nlri=type2(ip=bytes([192, 168, 1]), ip_len=24))),
     mp_reach(nlri=type2(ip=bytes([192, 168, 1]), ip_len=24))),
    ("mp-reach-evpn-t2-length-inconsistent", "session-reset 3/9", "", None,
     "IP Address Length 128 but a 4-octet address: route length inconsistent with the type",
     evpn_update(reach=mp_reach(nlri=type2(ip=bytes([192, 168, 1, 1]), ip_len=128))),
     mp_reach(nlri=type2(ip=bytes([192, 168, 1, 1]), ip_len=128))),
    ("mp-reach-evpn-t3-ip-length-64", "session-reset 3/9", "", None, "RFC 7432 §7.3: IP Address Length 32 or 128",
     evpn_update(reach=mp_reach(nlri=bytes([3, 17]) + RD + bytes([0, 0, 0, 0, 64, 10, 255, 0, 1]))),
     mp_reach(nlri=bytes([3, 17]) + RD + bytes([0, 0, 0, 0, 64, 10, 255, 0, 1]))),
    ("mp-reach-evpn-t4-ip-length-0", "session-reset 3/9", "", None, "RFC 7432 §7.4: IP Address Length 32 or 128",
     evpn_update(reach=mp_reach(nlri=bytes([4, 23]) + RD + ESI + bytes([0, 10, 255, 0, 1]))),
     mp_reach(nlri=bytes([4, 23]) + RD + ESI + bytes([0, 10, 255, 0, 1]))),
    ("mp-reach-evpn-t5-ipv4-prefix-33", "session-reset 3/9", "", None, "RFC 9136 §3.1: IPv4 prefix longer than 32",
     evpn_update(reach=mp_reach(nlri=type5(33))), mp_reach(nlri=type5(33))),
    ("mp-reach-evpn-t5-ipv6-prefix-129", "session-reset 3/9", "", None, "RFC 9136 §3.1: IPv6 prefix longer than 128",
     evpn_update(reach=mp_reach(nlri=type5(129, bytes(16), bytes(16)))), mp_reach(nlri=type5(129, bytes(16), bytes(16)))),
    ("mp-reach-evpn-add-path-t2-mac-length-40", "session-reset 3/9", "add-path-evpn", None,
     "RFC 7911 path id, then an incorrect type-2 route",
     evpn_update(reach=mp_reach(nlri=bytes([0, 0, 0, 1]) + type2(mac_len=40))),
     mp_reach(nlri=bytes([0, 0, 0, 1]) + type2(mac_len=40))),
    ("mp-unreach-evpn-t2-mac-length-40", "session-reset 3/9", "", None, "withdrawal of an incorrect type-2 route",
     update(mp_unreach(nlri=type2(mac_len=40))), mp_unreach(nlri=type2(mac_len=40))),
    ("mp-unreach-evpn-t2-mac-length-40-lenient", "treat-as-withdraw 3/9", "nlri-treat-as-withdraw", None,
     "nlri-error: treat-as-withdraw: the parsable routes are withdrawn",
     update(mp_unreach(nlri=TYPE2 + type2(mac_len=40)))),
    ("mp-reach-cut-short", "session-reset 3/5", "", None,
     "MP_REACH runs past the attribute field: its NLRI cannot be parsed (RFC 7606 §3 j), not §4 treat-as-withdraw",
     update(EVPN_ATTRS + bytes([0x90, 14, 0, 40]) + bytes([0, 25, 70, 4, 10, 255, 0, 1, 0])),
     bytes([0x90, 14, 0, 40]) + bytes([0, 25, 70, 4, 10, 255, 0, 1, 0])),
    ("mp-unreach-length-2", "session-reset 3/9", "", None, "MP_UNREACH shorter than 3 octets",
     update(attr(0x90, 15, bytes([0, 25])))),
    ("mp-unreach-evpn-route-overrun", "session-reset 3/9", "", None, "withdrawn EVPN route past the attribute",
     update(attr(0x90, 15, bytes([0, 25, 70]) + bytes([3, 17]) + RD))),
    ("mp-reach-add-path-truncated-id", "session-reset 3/9", "add-path-evpn", None, "RFC 7911: path id cut short",
     evpn_update(reach=mp_reach(nlri=bytes([0, 0, 1])))),
    # --- attribute errors without reachable NLRI (RFC 7606 §5.2): anything stronger than
    # attribute discard is a session reset, with that error's NOTIFICATION ---
    ("no-nlri-local-pref-length-3", "session-reset 3/5", "", None,
     "§5.2: iBGP LOCAL_PREF of 3 octets, attributes but no NLRI",
     update(ORIGIN + ASPATH + attr(0x40, 5, [0, 0, 100])), attr(0x40, 5, [0, 0, 100])),
    ("no-nlri-mp-unreach-origin-value-5", "session-reset 3/6", "", None,
     "§5.2: a pure MP_UNREACH withdrawal with an undefined ORIGIN",
     update(mp_unreach() + attr(0x40, 1, [5])), attr(0x40, 1, [5])),
    ("no-nlri-withdrawn-med-length-3", "session-reset 3/5", "", None,
     "§5.2: IPv4 withdrawals with a 3-octet MED",
     update(attr(0x80, 4, [0, 0, 1]), withdrawn=NLRI), attr(0x80, 4, [0, 0, 1])),
    ("no-nlri-empty-mp-reach-community-length-5", "session-reset 3/5", "", None,
     "§5.2: an MP_REACH without NLRI is no reachable NLRI",
     update(mp_reach(nlri=b"") + EVPN_ATTRS + attr(0xc0, 8, [0, 0, 0, 1, 2])), attr(0xc0, 8, [0, 0, 0, 1, 2])),
    ("no-nlri-attrs-only-missing-origin-flags", "session-reset 3/4", "", None,
     "§5.2: attributes only (no NLRI, no MP attribute), ORIGIN marked optional",
     update(attr(0xc0, 1, [0]) + ASPATH), attr(0xc0, 1, [0])),
    ("no-nlri-attribute-discard-kept", "attribute-discard 3/5", "", None,
     "§5.2 escalates only what is stronger than attribute discard: ATOMIC_AGGREGATE of length 1",
     update(mp_unreach() + attr(0x40, 6, [0]))),
    ("no-nlri-mp-unreach-flags-only-lenient", "treat-as-withdraw 3/4", "nlri-treat-as-withdraw", None,
     "§5.2 needs attributes other than MP_UNREACH: the lenient mode withdraws",
     update(mp_unreach(flags=0xd0))),
    # --- several problems: the strongest action wins (RFC 7606 §3 j) ---
    ("mixed-discard-and-withdraw", "treat-as-withdraw 3/5", "", 1, "ATOMIC_AGGREGATE discard + MED withdraw",
     update(BASE + attr(0x40, 6, [0]) + attr(0x80, 4, [0]), NLRI)),
]


def main():
    for old in os.listdir(HERE):
        if old.endswith(".hex"):
            os.remove(os.path.join(HERE, old))
    for name, expect, ctx, routes, why, raw, *data in CASES:
        lines = ["# expect: " + expect]
        if ctx:
            lines.append("# ctx: " + ctx)
        if routes is not None:
            lines.append("# routes: %d" % routes)
        if data:
            lines.append("# data: " + data[0].hex())
        if why:
            lines.append("# why: " + why)
        for j in range(0, len(raw), 16):
            lines.append(" ".join("%02x" % b for b in raw[j:j + 16]))
        with open(os.path.join(HERE, name + ".hex"), "w") as f:
            f.write("\n".join(lines) + "\n")
    print(len(CASES), "files")


if __name__ == "__main__":
    main()
