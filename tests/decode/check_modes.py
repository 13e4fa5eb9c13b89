#!/usr/bin/env python3
"""End-to-end checks of `evpnctl decode` beyond the FRR capture.

usage: check_modes.py EVPNCTL CAPTURES_DIR GOLDEN.jsonl

  * --hex (with and without separators) and --raw on whole FRR messages taken from the tshark
    dumps in CAPTURES_DIR/*.txt: same JSON as the reviewed golden pcap decode (GOLDEN.jsonl);
  * --context two-octet-as on a hand-made UPDATE with a 2-octet AS_PATH;
  * malformed input: an RFC 7606 treat-as-withdraw UPDATE, a bad marker, a truncated message;
  * synthetic pcaps written here: IPv6 with an extension header over Linux cooked v2 on ports
    other than 179, with reordering, a retransmission and messages split over segments; raw
    IPv4 with microsecond timestamps; a capture cut short;
  * random bodies and random TCP payloads (never crash);
  * exit codes: 0 for any readable input, 1 for unreadable input, non-zero for bad usage.
Exit status 0 when all checks pass, 1 otherwise (every failure is listed).
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

FAILURES = []
LOCATION_KEYS = ("frame", "time", "src", "dst")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run(evpnctl, *args):
    res = subprocess.run([evpnctl, "decode", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        records = [json.loads(line) for line in res.stdout.splitlines()]
    except json.JSONDecodeError as e:
        records = [{"invalid-json": str(e)}]
    return res.returncode, records, res.stderr


def content(record):
    return {k: v for k, v in record.items() if k not in LOCATION_KEYS}


def capture_message(captures, name):
    """(bytes, frame, index) of the one BGP message dumped in CAPTURES_DIR/name."""
    frame = index = None
    data = bytearray()
    in_raw = False
    with open(os.path.join(captures, name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# source:"):
                # "# source: bgp-evpn.pcap frame 10, BGP message #1 of that frame"
                words = line.replace(",", " ").split()
                frame = int(words[words.index("frame") + 1])
                index = int(next(w for w in words if w.startswith("#") and w[1:].isdigit())[1:])
            if line.startswith("# raw bytes"):
                in_raw = True
                continue
            if in_raw and len(line) > 10 and line[8] == ":":
                data += bytes.fromhex(line[10:58])
    return bytes(data), frame, index


def golden_record(golden, frame, index):
    in_frame = [r for r in golden if r["frame"] == frame]
    return content(in_frame[index - 1])


KEEPALIVE = b"\xff" * 16 + b"\x00\x13\x04"


def update(attrs, nlri=b""):
    body = struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body


def set_origin(msg, value):
    """The UPDATE with its ORIGIN attribute value replaced (walks the attribute list)."""
    m = bytearray(msg)
    wlen = struct.unpack("!H", m[19:21])[0]
    pos = 21 + wlen + 2
    end = pos + struct.unpack("!H", m[21 + wlen:23 + wlen])[0]
    while pos < end:
        flags, typ = m[pos], m[pos + 1]
        ext = flags & 0x10
        alen = struct.unpack("!H", m[pos + 2:pos + 4])[0] if ext else m[pos + 2]
        vpos = pos + (4 if ext else 3)
        if typ == 1:
            m[vpos] = value
            return bytes(m)
        pos = vpos + alen
    raise ValueError("no ORIGIN")


# ---- pcap writing -------------------------------------------------------------------------------

def pcap_file(path, linktype, packets, nano):
    """Classic pcap; packets are (seconds, fraction, bytes) with the fraction in ns or us."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for sec, frac, data in packets:
            f.write(struct.pack("<IIII", sec, frac, len(data), len(data)) + data)


def tcp(sport, dport, seq, payload, flags=0x18):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def ipv6_hbh(src, dst, segment):
    """IPv6 with a hop-by-hop options header (8 bytes of PadN) in front of TCP."""
    hbh = bytes([6, 0, 1, 4, 0, 0, 0, 0])
    payload = hbh + segment
    return struct.pack("!IHBB", 6 << 28, len(payload), 0, 64) + src + dst + payload


def ipv4(src, dst, segment, proto=6):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), 1, 0x4000, 64, proto, 0, src, dst) + segment


def sll2(packet, ethertype=0x86DD):
    return struct.pack("!HHIHBB8s", ethertype, 0, 2, 1, 0, 6, b"\x02" * 8) + packet


# ---- checks -------------------------------------------------------------------------------------

def check_hex_and_raw(evpnctl, captures, golden, tmp):
    rc, recs, _ = run(evpnctl, "--hex", KEEPALIVE.hex())
    check(rc == 0 and recs == [{"type": "KEEPALIVE", "length": 19}], "--hex KEEPALIVE -> one KEEPALIVE record")

    msgs = [capture_message(captures, n) for n in
            ("bgp-update-type5.txt", "bgp-update-type2-macip.txt", "bgp-update-type3.txt", "bgp-open.txt")]
    stream = msgs[0][0] + KEEPALIVE + msgs[1][0] + msgs[2][0] + msgs[3][0]
    expected = [golden_record(golden, msgs[0][1], msgs[0][2]), {"type": "KEEPALIVE", "length": 19}] + \
               [golden_record(golden, f, i) for _, f, i in msgs[1:]]
    spaced = " ".join(f"{b:02x}" for b in stream)
    rc, recs, err = run(evpnctl, "--hex", spaced)
    check(rc == 0 and recs == expected, "--hex with spaces, 5 concatenated FRR messages == golden pcap decode")
    if recs != expected:
        print(f"  got {recs}\n  expected {expected}\n  stderr {err}")
    rc, recs2, _ = run(evpnctl, "--hex", ":".join(f"{b:02X}" for b in stream))
    check(rc == 0 and recs2 == expected, "--hex with ':' and upper case == same records")

    raw = os.path.join(tmp, "stream.bin")
    with open(raw, "wb") as f:
        f.write(stream)
    rc, recs3, _ = run(evpnctl, "--raw", raw)
    check(rc == 0 and recs3 == expected, "--raw file of the same bytes == same records")

    out = subprocess.run([evpnctl, "decode", "--raw", raw, "--pretty"], stdout=subprocess.PIPE, text=True).stdout
    check(out.count('\n  "type"') == 5, "--pretty indents every record")


def check_context(evpnctl):
    attrs = bytes([0x40, 1, 1, 0])                                   # ORIGIN igp
    attrs += bytes([0x40, 2, 6, 2, 2]) + struct.pack("!HH", 65001, 65002)  # AS_PATH, 2-octet ASNs
    attrs += bytes([0x40, 3, 4, 10, 0, 0, 1])                        # NEXT_HOP
    msg = update(attrs, bytes([8, 10]))                              # 10.0.0.0/8
    rc, recs, _ = run(evpnctl, "--hex", msg.hex(), "--context", "two-octet-as")
    ok = rc == 0 and len(recs) == 1 and recs[0].get("attributes", {}).get("as_path") == [65001, 65002] \
        and recs[0].get("nlri") == ["10.0.0.0/8"] and "errors" not in recs[0]
    check(ok, "--context two-octet-as: 2-octet AS_PATH decodes to [65001, 65002]")
    if not ok:
        print(f"  got {recs}")
    rc, recs, _ = run(evpnctl, "--hex", msg.hex())
    check(rc == 0 and len(recs) == 1 and "errors" in recs[0] and recs[0].get("attributes", {}).get("as_path") != [65001, 65002],
          "default four-octet context: the same bytes are a malformed AS_PATH, reported in errors")


def check_malformed(evpnctl, captures):
    msg, _, _ = capture_message(captures, "bgp-update-type2-mac.txt")
    rc, recs, _ = run(evpnctl, "--hex", set_origin(msg, 5).hex())
    r = recs[0] if recs else {}
    errs = r.get("errors", [])
    ok = rc == 0 and len(recs) == 1 and r.get("type") == "UPDATE" and r.get("treat_as_withdraw") is True \
        and errs and errs[0].get("action") == "treat-as-withdraw" and errs[0].get("code") == 3 \
        and errs[0].get("subcode") == 6 and len(r.get("evpn_reach", [])) == 1
    check(ok, "ORIGIN 5: UPDATE still decoded, errors = treat-as-withdraw 3/6, route listed")
    if not ok:
        print(f"  got {recs}")

    bad = b"\xfe" + KEEPALIVE[1:]
    rc, recs, _ = run(evpnctl, "--hex", (bad + KEEPALIVE).hex())
    r = recs[0] if recs else {}
    e = (r.get("errors") or [{}])[0]
    check(rc == 0 and len(recs) == 1 and r.get("hex") == (bad + KEEPALIVE).hex() and e.get("action") == "session-reset"
          and (e.get("code"), e.get("subcode")) == (1, 1),
          "bad marker: one record with hex and a session-reset 1/1 error, framing stops")

    rc, recs, _ = run(evpnctl, "--hex", (KEEPALIVE + msg[:-5]).hex())
    e = (recs[-1].get("errors") or [{}])[0] if recs else {}
    check(rc == 0 and len(recs) == 2 and recs[0]["type"] == "KEEPALIVE" and recs[1].get("type") == "UPDATE"
          and recs[1].get("hex") == msg[:-5].hex() and (e.get("code"), e.get("subcode")) == (1, 2),
          "truncated UPDATE after a KEEPALIVE: KEEPALIVE, then an error record 1/2 (Bad Message Length)")

    long_ka = b"\xff" * 16 + b"\x00\x14\x04\x00"  # a KEEPALIVE of 20 bytes (RFC 4271 §4.4: exactly 19)
    rc, recs, _ = run(evpnctl, "--hex", (long_ka + KEEPALIVE).hex())
    check(rc == 0 and len(recs) == 2 and recs[0].get("errors", [{}])[0].get("subcode") == 2
          and recs[0].get("length") == 20 and recs[1] == {"type": "KEEPALIVE", "length": 19},
          "20-byte KEEPALIVE: error record (Bad Message Length), framing goes on to the next message")

    short = b"\xff" * 16 + b"\x00\x10\x04"
    rc, recs, _ = run(evpnctl, "--hex", short.hex())
    check(rc == 0 and len(recs) == 1 and recs[0].get("errors", [{}])[0].get("code") == 1,
          "header length 16 < 19: error record, exit 0")

    rc, recs, _ = run(evpnctl, "--hex", "ffff")
    check(rc == 0 and len(recs) == 1 and recs[0].get("errors", [{}])[0].get("code") == 1,
          "2 bytes (less than a header): error record, exit 0")


def check_pcaps(evpnctl, captures, golden, tmp):
    t5, f5, i5 = capture_message(captures, "bgp-update-type5.txt")
    t2, f2, i2 = capture_message(captures, "bgp-update-type2-macip.txt")
    stream = t5 + KEEPALIVE + t2
    a, b = bytes.fromhex("20010db8" + "0" * 23 + "1"), bytes.fromhex("20010db8" + "0" * 23 + "2")
    isn = 0xFFFFFF00  # the stream wraps past sequence number 0
    s1, s2, s3 = stream[0:50], stream[50:130], stream[130:]

    def seg_ab(seq, payload, flags=0x18):
        return sll2(ipv6_hbh(a, b, tcp(50179, 40000, seq, payload, flags)))

    packets = [
        (100, 1, seg_ab(isn, b"", 0x02)),                                            # 1 SYN
        (100, 2, seg_ab(isn + 1, s1)),                                               # 2 first 50 bytes
        (100, 3, seg_ab((isn + 1 + 130) & 0xFFFFFFFF, s3)),                          # 3 out of order
        (100, 4, seg_ab(isn + 1, s1)),                                               # 4 retransmission
        (100, 5, sll2(ipv4(b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x02", b"\x00" * 8, 17), 0x0800)),  # 5 UDP
        (100, 6, sll2(ipv6_hbh(b, a, tcp(40000, 50179, 777, KEEPALIVE)))),           # 6 other direction
        (100, 7, seg_ab((isn + 1 + 50) & 0xFFFFFFFF, s2)),                           # 7 fills the hole
    ]
    path = os.path.join(tmp, "sll2-v6.pcap")
    pcap_file(path, 276, packets, nano=True)
    rc, recs, err = run(evpnctl, "--pcap", path)
    ka = {"type": "KEEPALIVE", "length": 19}
    want = [(6, "[2001:db8::2]:40000", ka), (7, "[2001:db8::1]:50179", golden_record(golden, f5, i5)),
            (3, "[2001:db8::1]:50179", ka), (3, "[2001:db8::1]:50179", golden_record(golden, f2, i2))]
    got = [(r.get("frame"), r.get("src"), content(r)) for r in recs]
    ok = rc == 0 and got == want
    check(ok, "SLL2/IPv6 pcap, ports 50179/40000, wrap-around, reordering, retransmission: 4 messages, "
              "frames of the completing segments")
    if not ok:
        print(f"  got {got}\n  want {want}\n  stderr {err}")
    check(bool(recs) and recs[0].get("time") == "1970-01-01T00:01:40.000000006Z" and recs[0].get("dst") == "[2001:db8::1]:50179",
          "nanosecond pcap: time of frame 6 is 1970-01-01T00:01:40.000000006Z")

    # Raw IPv4, microsecond timestamps, capture starting mid-message (resync on the marker).
    v4a, v4b = b"\xc0\x00\x02\x01", b"\xc0\x00\x02\x02"
    tail = t5[-30:]
    packets = [(1700000000, 123456, ipv4(v4a, v4b, tcp(2000, 3000, 5000, tail + KEEPALIVE)))]
    path = os.path.join(tmp, "raw-v4.pcap")
    pcap_file(path, 101, packets, nano=False)
    rc, recs, err = run(evpnctl, "--pcap", path)
    check(rc == 0 and [content(r) for r in recs] == [ka] and recs[0].get("time") == "2023-11-14T22:13:20.123456000Z"
          and recs[0].get("src") == "192.0.2.1:2000" and "skipped 30 bytes" in err,
          "raw IPv4 pcap (us timestamps) starting mid-message: resync, KEEPALIVE, skipped bytes on stderr")

    # A capture cut short: what was read is printed, then exit 1.
    path = os.path.join(tmp, "cut.pcap")
    pcap_file(path, 101, packets + [(1700000001, 0, ipv4(v4a, v4b, tcp(2000, 3000, 5049, KEEPALIVE)))], nano=False)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 10)
    rc, recs, err = run(evpnctl, "--pcap", path)
    check(rc == 1 and len(recs) == 1 and recs[0]["type"] == "KEEPALIVE", "capture cut short: first message printed, exit 1")


def check_garbage(evpnctl, captures, tmp):
    """Never crash: random bodies behind valid headers, and random TCP payloads in a pcap."""
    rnd = random.Random(7606)
    stream = bytearray()
    for _ in range(400):
        body = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 120)))
        if rnd.random() < 0.5:  # an UPDATE-shaped body: plausible length fields, random attributes
            attrs = bytes(rnd.choice([0x40, 0x50, 0x80, 0x90, 0xc0, 0xd0]) if i % 7 == 0 else rnd.randrange(256)
                          for i in range(rnd.randrange(0, 100)))
            body = struct.pack("!HH", 0, len(attrs)) + attrs
        stream += b"\xff" * 16 + struct.pack("!HB", 19 + len(body), rnd.randrange(1, 6)) + body
    path = os.path.join(tmp, "garbage.bin")
    with open(path, "wb") as f:
        f.write(stream)
    rc, recs, err = run(evpnctl, "--raw", path)
    check(rc == 0 and len(recs) == 400 and "invalid-json" not in recs[0],
          f"400 random messages behind valid headers: 400 records, exit 0 ({err.strip()[:80]})")

    packets = []
    next_seq = {}
    for i in range(300):
        payload = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 200)))
        if rnd.random() < 0.4:  # a plausible header in front of random bytes
            payload = b"\xff" * 16 + struct.pack("!HB", rnd.randrange(19, 220), rnd.randrange(1, 6)) + payload
        ports = (rnd.choice([179, 1000]), rnd.choice([179, 2000]))
        # Mostly in order per direction, sometimes anywhere (holes, overlaps, old data).
        seq = next_seq.get(ports, rnd.randrange(1 << 32)) if rnd.random() < 0.7 else rnd.randrange(1 << 32)
        next_seq[ports] = (seq + len(payload)) & 0xFFFFFFFF
        seg = tcp(*ports, seq, payload, rnd.choice([0x18, 0x18, 0x18, 0x02, 0x01, 0x10]))
        packets.append((i, 0, ipv4(b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x02", seg)))
    path = os.path.join(tmp, "garbage.pcap")
    pcap_file(path, 101, packets, nano=False)
    rc, recs, _ = run(evpnctl, "--pcap", path)
    check(rc == 0 and len(recs) > 20 and all("invalid-json" not in r for r in recs),
          f"300 random TCP segments: exit 0, messages framed ({len(recs)} records)")


def check_exit_codes(evpnctl, captures, tmp):
    for args, what in ((["--hex", "zz"], "non-hex characters"), (["--hex", "fff"], "odd number of digits"),
                       (["--raw", os.path.join(tmp, "missing.bin")], "--raw of a missing file"),
                       (["--pcap", os.path.join(tmp, "missing.pcap")], "--pcap of a missing file"),
                       (["--pcap", os.path.join(captures, "README.md")], "--pcap of a text file")):
        rc, recs, err = run(evpnctl, *args)
        check(rc == 1 and recs == [] and err.strip() != "", f"{what}: exit 1, message on stderr, nothing on stdout")
    for args, what in (([], "no input option"), (["--hex", "00", "--raw", "x"], "two input options"),
                       (["--hex", KEEPALIVE.hex(), "--context", "bogus"], "unknown --context")):
        rc, _, _ = run(evpnctl, *args)
        check(rc != 0, f"{what}: non-zero exit")
    rc, recs, _ = run(evpnctl, "--hex", "")
    check(rc == 0 and recs == [], "empty --hex: nothing to decode, exit 0")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    evpnctl, captures, golden_path = sys.argv[1:]
    with open(golden_path, encoding="utf-8") as f:
        golden = [json.loads(line) for line in f]
    with tempfile.TemporaryDirectory(prefix="evpnctl-decode-") as tmp:
        check_hex_and_raw(evpnctl, captures, golden, tmp)
        check_context(evpnctl)
        check_malformed(evpnctl, captures)
        check_pcaps(evpnctl, captures, golden, tmp)
        check_garbage(evpnctl, captures, tmp)
        check_exit_codes(evpnctl, captures, tmp)
    print(f"{len(FAILURES)} failure(s)" if FAILURES else "all decode mode checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
