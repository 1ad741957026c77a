#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-dump integration tests.  Usage: run.py --so build/ptwalk.so [-k PATTERN]

Finds the sample dumps in $PTWALK_CACHE/dumps, runs every check of every
test module on each dump of its architecture, and ends with the line
'N passed, N failed'."""
import argparse
import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crashrun  # noqa: E402
import test_batch  # noqa: E402
import test_corrupt  # noqa: E402
import test_scenarios  # noqa: E402
import test_x86_64  # noqa: E402
import test_cross  # noqa: E402  (builds the cross extension and dumps if needed)

# (dump names, fixture class, checks)
SUITES = [
    (r"x86_64-([45]level|pti)", test_x86_64.X86Dump, test_x86_64.CHECKS),
    (r"x86_64-(pmem-.*|stale-table|directmap-invalid|hotremove|kdump)",
     test_scenarios.Scenario, test_scenarios.CHECKS),
    (r"arm64-4k", test_cross.Arm64Fixture, test_cross.ARM64_CHECKS),
    (r"s390x-pgste", test_cross.S390xFixture, test_cross.S390X_CHECKS),
    (r"x86_64-elf", test_corrupt.CorruptDumps, test_corrupt.CHECKS),
    (r"x86_64-(?!elf).*", test_batch.BatchDump, test_batch.CHECKS),
    (r"(arm64-4k|s390x-pgste)", test_batch.BatchCrossDump, test_batch.CROSS_CHECKS),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--so", required=True)
    ap.add_argument("-k", default="", help="only checks whose name contains this")
    ap.add_argument("--only", default="", help="only dumps whose name matches this regex")
    args = ap.parse_args()
    passed = failed = skipped = 0
    for pattern, fixture, checks in SUITES:
        dumps = [d for d in crashrun.dumps() if re.fullmatch(pattern, os.path.basename(d))
                 and (not args.only or re.fullmatch(args.only, os.path.basename(d)))]
        if args.only and not dumps:
            continue
        if not dumps:
            print(f"FAIL: no {pattern} dumps in {crashrun.cache_dir()}/dumps (run make dumps)")
            failed += 1
            continue
        for d in dumps:
            name = os.path.basename(d)
            t0 = time.time()
            try:
                fx = fixture(d, args.so)
            except Exception:
                print(f"FAIL {name}: could not gather outputs")
                traceback.print_exc()
                failed += len(checks)
                continue
            print(f"-- {name}: outputs gathered in {time.time() - t0:.1f}s")
            for check in checks:
                if args.k not in check.__name__:
                    continue
                try:
                    if check(fx) == "skip":
                        skipped += 1
                        continue
                    print(f"PASS {name} {check.__name__}")
                    passed += 1
                except Exception as e:  # noqa: BLE001 - report every failure
                    print(f"FAIL {name} {check.__name__}: {e}")
                    failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
