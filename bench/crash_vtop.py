#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench: crash's own per-address translation (`vtop`) against ptdump,
in one crash session on a real dump.

  crash_vtop.py SO VMLINUX VMCORE SAMPLE [BENCH_SO]

SAMPLE is bench-kdump's --vtop-sample file: "va pa" lines spread evenly
over every mapped page of the kernel's default ptdump ranges, and the
number of mapped pages.  crash runs `vtop` on each sampled address (each
result compared with the walker's), then `ptdump` over the whole kernel
(best of 3), with `!date` between the steps; the vtop time is scaled to
all mapped pages.

With BENCH_SO (build/ptwalk-bench.so), the same session then runs its
`ptbench`: ptdump against the floor read through crash's own readmem, the
extension's backend (bench/bench_crash.c)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
from crashrun import parse_vtop  # noqa: E402


def main():
    so, vmlinux, vmcore, sample = sys.argv[1:5]
    bench_so = sys.argv[5] if len(sys.argv) > 5 else None
    pages, addrs = 0, []
    with open(sample) as f:
        for line in f:
            if line.startswith("# mapped_pages"):
                pages = int(line.split()[2])
            elif line.strip():
                va, pa = (int(x, 16) for x in line.split())
                addrs.append((va, pa))
    with tempfile.TemporaryDirectory(prefix="ptwalk-bench-") as tmp:
        vt = os.path.join(tmp, "vtop")
        cmds = [f"extend {so}", "!date +MARK%s.%N"]
        cmds += [f"vtop {va:x} >> {vt}" for va, _ in addrs]
        cmds.append("!date +MARK%s.%N")
        for _ in range(3):
            cmds += ["ptdump > /dev/null", "!date +MARK%s.%N"]
        if bench_so:
            cmds += [f"extend {bench_so}", "!echo PTBENCH", "ptbench -n 30"]
        cmds.append("quit")
        script = os.path.join(tmp, "cmds")
        with open(script, "w") as f:
            f.write("\n".join(cmds) + "\n")
        p = subprocess.run(["crash", "-s", vmlinux, vmcore, "-i", script],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace")
        marks = [float(l[4:]) for l in p.stdout.splitlines() if l.startswith("MARK")]
        with open(vt) as f:
            got = parse_vtop(f.read())
    if len(marks) != 5:
        print("crash: " + p.stdout[-2000:])
        return 1
    wrong = [(va, pa, got.get(va)) for va, pa in addrs if got.get(va) != pa]
    t_vtop = marks[1] - marks[0]
    t_ptdump = min(marks[i + 1] - marks[i] for i in (1, 2, 3))
    scaled = t_vtop / len(addrs) * pages
    print(f"  crash: `vtop` on {len(addrs)} sampled addresses: "
          f"{t_vtop:.2f} s ({t_vtop / len(addrs) * 1e3:.2f} ms each; "
          f"{len(addrs) - len(wrong)} equal to the walker's)")
    print(f"  crash: vtop scaled to all {pages} mapped pages: {scaled:.1f} s; "
          f"ptdump in the same session: {t_ptdump:.3f} s (best of 3, incl. command setup)")
    print(f"  ratio crash vtop (scaled) / ptdump in crash: {scaled / t_ptdump:.0f}x  "
          f"(goal >= 100x: {'met' if scaled / t_ptdump >= 100 else 'NOT met'})")
    print(f"RESULT crash-vtop pages={pages} vtop_scaled={scaled:.3f} ptdump_crash={t_ptdump:.6f}")
    if bench_so:
        out = p.stdout.split("PTBENCH\n", 1)
        lines = [l for l in out[-1].splitlines() if l.startswith(("  ", "RESULT"))]
        if len(out) != 2 or not any(l.startswith("RESULT crash-floor") for l in lines):
            print("crash: ptbench: " + out[-1][-2000:])
            return 1
        print("\n".join(lines))
    if wrong:
        print(f"  crash's vtop disagrees on {len(wrong)} addresses, e.g. "
              + ", ".join(f"{va:#x}: walker {pa:#x}, vtop {g}" for va, pa, g in wrong[:3]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
