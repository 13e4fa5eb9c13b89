#!/usr/bin/env python3
"""Diff the live `evpnctl decode --pcap` output against a reviewed golden JSON Lines file.

usage: check_golden.py EVPNCTL PCAP EXPECTED.jsonl [--update]

The golden file was produced once by evpnctl and reviewed line by line against tshark's decode
(check_tshark.py automates most of that review). Any change in evpnctl's output -- a JSON shape
change in src/wire/json_view.* or a decoding change -- fails here with a unified diff; if the
change is intended, review the diff, rerun with --update and commit the new golden file.
Exit status 0 when identical, 1 on any difference.
"""
import difflib
import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if a != "--update"]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    evpnctl, pcap, expected = args
    res = subprocess.run([evpnctl, "decode", "--pcap", pcap], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    if res.returncode != 0:
        print(f"FAIL: evpnctl exited {res.returncode}: {res.stderr}")
        return 1
    live = res.stdout.splitlines(keepends=True)
    if "--update" in sys.argv:
        with open(expected, "w", encoding="utf-8") as f:
            f.writelines(live)
        print(f"wrote {len(live)} lines to {expected}")
        return 0
    with open(expected, encoding="utf-8") as f:
        golden = f.readlines()
    if live == golden:
        print(f"{len(live)} messages identical to {expected}: OK")
        return 0
    sys.stdout.writelines(difflib.unified_diff(golden, live, "expected", "evpnctl"))
    print(f"FAIL: evpnctl output differs from {expected} ({len(live)} lines vs {len(golden)})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
