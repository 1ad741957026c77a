#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-dump integration tests.  Usage: run.py --so build/ptwalk.so [-k PATTERN]

Finds the sample dumps in $PTWALK_CACHE/dumps, runs every check of every
test module on each dump of its architecture, and ends with the line
'N passed, N failed'."""
import argparse
import importlib
import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crashrun  # noqa: E402

# Every tests/integration/test_*.py module declares
#   SUITES = [(dump-name regex, fixture class, [checks]), ...]
# and run.py runs them in file-name order, so a new test module needs no edit here.
HERE = os.path.dirname(os.path.abspath(__file__))


def suites():
    out = []
    for f in sorted(os.listdir(HERE)):
        if f.startswith("test_") and f.endswith(".py"):
            mod = importlib.import_module(f[:-3])
            out.extend(getattr(mod, "SUITES", []))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--so", required=True)
    ap.add_argument("-k", default="", help="only checks whose name contains this")
    ap.add_argument("--only", default="", help="only dumps whose name matches this regex")
    args = ap.parse_args()
    passed = failed = skipped = 0
    for pattern, fixture, checks in suites():
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
                        print(f"SKIP {name} {check.__name__}")
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
