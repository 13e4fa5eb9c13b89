#!/usr/bin/env python3
"""RFC 8584 §3.2 HRW weights computed independently of evpnd's C++ (python's zlib.crc32 and
arbitrary-precision integers, reducing mod 2^31 once, exactly as the RFC writes it):

  Wrand(v, Es, Si) = (1103515245((1103515245.Si+12345) XOR D(v,Es))+12345) (mod 2^31)
  D(v,Es) = CRC_32 of the 14-byte stream v (4 bytes) || ESI (10 bytes), network order, MSB dropped
  Si = the PE's address; "only the low-order 31 bits are modulo significant"

Prints the vectors src/evpn/test/df_election_test.cpp pins (HrwVectors_*). Run:
  python3 tests/vectors/df_election/hrw_vectors.py
"""
import ipaddress
import zlib

ESIS = ["03:44:38:39:ff:ff:02:00:00:02", "00:11:22:33:44:55:66:77:88:99"]
VS = [100, 101, 200]
PES = ["10.0.1.2", "10.0.2.1", "10.255.0.21", "2001:db8::a"]


def digest(v: int, esi: bytes) -> int:
    return zlib.crc32(v.to_bytes(4, "big") + esi) & 0x7FFFFFFF


def wrand(v: int, esi: bytes, si: int) -> int:
    return (1103515245 * ((1103515245 * si + 12345) ^ digest(v, esi)) + 12345) % (2 ** 31)


def main() -> None:
    for e in ESIS:
        esi = bytes.fromhex(e.replace(":", ""))
        for v in VS:
            for pe in PES:
                si = int(ipaddress.ip_address(pe))  # whole address; only the low 31 bits matter
                print(f'{{"{e}", {v}, "{pe}", {wrand(v, esi, si)}u}},')


if __name__ == "__main__":
    main()
