# SPDX-License-Identifier: GPL-2.0-or-later
"""ptwalk-batch (the core over libkdumpfile, no crash) against crash + ptwalk.so
on the same real dump: the same ptdump records, anomalies, pgmaps and triage,
and walks that agree with crash's own vtop; with the dump's BTF (no vmlinux)
and with --vmlinux (DWARF).  Bad input: one clear error each, exit 2, and the
other dumps of the run are still analysed."""
import json
import os
import re
import shutil
import subprocess
import tempfile

from crashrun import (KERNEL_PTDUMP_SCENARIOS, Session, answer_key, jsonl, kernel_ptdump, parse_vtop,
                      ptdump_differences, sample_mapped, walk_and_vtop)

WALK_SAMPLES = 300


def batch_binary(so):
    return os.environ.get("PTWALK_BATCH",
                          os.path.join(os.path.dirname(os.path.abspath(so)), "ptwalk-batch"))


def run_batch(binary, args, timeout=600):
    p = subprocess.run([binary, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    return p.returncode, jsonl(p.stdout), p.stderr


def one(binary, args):
    rc, recs, err = run_batch(binary, args)
    assert len(recs) == 1, (args, rc, err)
    return rc, recs[0], err


# Where one reader knows a page was filtered out of the dump ("excluded") and
# the other only that it is missing ("unreadable"), the records compare equal:
# both sides are normalized to the second.
EXCLUDED_AS_CRASH = {
    ("status", "excluded"): "unreadable",
    ("anomaly", "excluded-table"): "unreadable-table",
    ("detail", "page excluded from the dump"): "memory not in the dump",
    ("reason", "the table was excluded from the dump"): "the table is not in the dump",
}


def normalize_status(records):
    """Records with "excluded" said as "unreadable"."""
    out = []
    for r in records:
        r = {k: EXCLUDED_AS_CRASH.get((k, v), v) if isinstance(v, str) else v
             for k, v in r.items()}
        if "findings" in r:
            r["findings"] = normalize_status(r["findings"])
        out.append(r)
    return out


def sample_ranges(records, n):
    """Addresses in the present ranges of ptwalk-batch's ptdump records:
    every range once (up to n/2), then ranges chosen alike."""
    ranges = [r for r in records if r.get("type") == "range"]
    return sample_mapped(ranges, n, 20201105, by_size=False)[0]


class BatchDump:
    """One dump: ptwalk-batch with BTF and with DWARF, and one crash session."""

    ARCH = "x86_64"
    SAMPLES = WALK_SAMPLES

    def __init__(self, dump_dir, so):
        self.dir = dump_dir
        self.so = so
        self.bin = batch_binary(so)
        self.vmcore = os.path.join(dump_dir, "vmcore")
        self.vmlinux = os.path.join(dump_dir, "vmlinux")
        self.key = answer_key(dump_dir)
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError(f"{self.bin} not built (make batch)")
        with_btf = self.ARCH == "x86_64"  # Debian's arm64/s390x kallsyms lack variables

        # Stage 1: ranges with physical addresses, to pick addresses to walk.
        base = [] if with_btf else ["--vmlinux", self.vmlinux]
        self.rc_phys, self.phys, _ = one(self.bin, [*base, "--ranges", "--phys", self.vmcore])
        self.samples = sample_ranges(self.phys["ptdump"]["records"], self.SAMPLES)
        walk_arg = ",".join("%x" % va for va in self.samples)
        # The probe's pages, walked in its own mm (TASK:ADDR, as ptwalk -c).
        self.pid = self.key["pid"]
        self.user_vas = sorted(int(v, 16) for k, v in self.key.items()
                               if re.fullmatch(r"page\.\w+\.va", k))
        walk_arg += "," + ",".join(f"{self.pid}:{va:x}" for va in self.user_vas)
        walk_arg += ",99999:1000,2:1000"  # no such task; a kernel thread

        # Stage 2: batch with BTF and with DWARF; crash with ptwalk.so.
        self.rc_btf, self.btf, self.err_btf = one(
            self.bin, ["--ranges", "--ptdump", "--timings", "--walk", walk_arg, self.vmcore])
        self.rc_dwarf, self.dwarf, self.err_dwarf = one(
            self.bin, ["--vmlinux", self.vmlinux, "--ranges", "--ptdump", "--timings", "--walk",
                       walk_arg, self.vmcore])
        _, self.dwarf_phys, _ = one(self.bin, ["--vmlinux", self.vmlinux, "--ranges", "--phys",
                                               self.vmcore])
        s = self.session()
        s.add("ptdump_j", "ptdump -j")
        s.add("ptdump_pj", "ptdump -p -j")
        s.add("check", "ptdump -C -j")
        s.add("pgmap", "pgmap -j")
        s.add("triage", "pttriage -j")
        s.add("uwalk", f"ptwalk -j -c {self.pid} " + " ".join("%x" % va for va in self.user_vas))
        # The queued commands and the sample's ptwalk/vtop run in one session.
        self.crash_walk, self.vtop = walk_and_vtop(s, self.samples, self.VTOP, self.parse_vtop)
        self.s = s

    VTOP = "vtop"

    def session(self):
        return Session(self.dir, self.so)

    def parse_vtop(self, text):
        return parse_vtop(text)

    def modes(self):
        if self.ARCH == "x86_64":
            return (("btf", self.btf), ("dwarf", self.dwarf))
        return (("dwarf", self.dwarf),)


class BatchCrossDump(BatchDump):
    """arm64 and s390x: crash for that architecture under qemu-user with the
    cross-built extension (make cross), ptwalk-batch natively.  Debian builds
    these kernels without CONFIG_KALLSYMS_ALL (kallsyms lists no variables),
    so the batch tool needs the vmlinux there; without it, it must say so."""

    SAMPLES = 100  # crash under qemu-user is slow

    def __init__(self, dump_dir, so):
        import test_cross  # noqa: PLC0415 - only these dumps need it

        self.ARCH = os.path.basename(dump_dir).split("-")[0]
        self.VTOP = "vtop -k" if self.ARCH == "s390x" else "vtop"
        self._cross = test_cross
        self.cross_so = os.path.join(os.path.dirname(os.path.abspath(so)), "cross",
                                     f"ptwalk-{self.ARCH}.so")
        if not os.path.isfile(self.cross_so):
            raise RuntimeError(f"{self.cross_so} is missing (make cross)")
        super().__init__(dump_dir, so)

    def session(self):
        return self._cross.CrossSession(self.dir, self.cross_so, self.ARCH)

    def parse_vtop(self, text):
        return self._cross.parse_vtop(text)


def check_batch_identity_and_sources(d):
    for mode, rec in d.modes():
        assert rec["status"] in ("ok", "findings"), (mode, rec.get("error"))
        dump = rec["dump"]
        assert dump["arch"] == d.ARCH, dump
        assert dump["osrelease"] == d.key["uname_release"], dump
        levels = d.key.get("guest_paging_levels") or d.key.get("paging_levels")
        if levels and d.ARCH == "x86_64":
            assert rec["ptdump"]["format"] == f"x86_64-{levels}level", rec["ptdump"]["format"]
        for analysis in ("kernel", "ptdump", "check", "log", "triage"):
            assert rec[analysis]["status"] == "ok", (mode, analysis, rec[analysis])
        assert rec["pgmap"]["status"] == "ok" or "pgmap_array" in rec["pgmap"]["error"], rec
    if d.ARCH != "x86_64":
        # No variables in kallsyms: refused clearly, and the panic is still told.
        assert d.rc_btf == 2 and "CONFIG_KALLSYMS_ALL" in d.btf["error"], d.btf.get("error")
        assert d.btf["log"]["status"] == "ok" and d.btf["log"]["panic"], d.btf["log"]
        assert "dwarf" in d.dwarf["check"]["sources"]
        assert d.dwarf["vmlinux"]["build_id"] == d.dwarf["dump"]["build_id"]
        return
    # Which source answered what, said in the output.
    assert "btf" in d.btf["check"]["sources"] and "dwarf" not in d.btf["check"]["sources"]
    assert d.btf["sources"]["btf"]["size"] > 1 << 20, d.btf["sources"]
    assert "dwarf" in d.dwarf["check"]["sources"] and "btf" not in d.dwarf["check"]["sources"]
    assert d.dwarf["vmlinux"]["build_id"] == d.dwarf["dump"]["build_id"]
    assert d.rc_btf == d.btf["exit"] and d.rc_dwarf == d.dwarf["exit"]


def check_batch_ptdump_records_equal_crash(d):
    crash = normalize_status(jsonl(d.s.out("ptdump_j")))
    crash_p = normalize_status(jsonl(d.s.out("ptdump_pj")))
    assert len(crash) > 50, d.s.console[-2000:]
    for mode, rec in d.modes():
        mine = normalize_status(rec["ptdump"]["records"])
        assert mine == crash, (mode, next(((a, b) for a, b in zip(mine, crash) if a != b),
                                          (len(mine), len(crash))))
        ranges = [r for r in crash if r.get("type") == "range"]
        assert rec["ptdump"]["ranges"] == len(ranges)
        markers = [(m["name"], m["va"]) for m in crash if m.get("type") == "marker"]
        assert set(markers) <= {(m["name"], m["va"]) for m in rec["ptdump"]["markers"]}
    for mode, rec in (("btf", d.phys), ("dwarf", d.dwarf_phys))[2 - len(d.modes()):]:
        mine = normalize_status(rec["ptdump"]["records"])
        assert mine == crash_p, (mode, "-p", next(((a, b) for a, b in zip(mine, crash_p)
                                                  if a != b), (len(mine), len(crash_p))))


def check_batch_ptdump_text_equals_the_kernels_own(d):
    """--ptdump text against the guest kernel's own ptdump (crashrun.py), with the
    layout read from BTF and kallsyms and from the vmlinux."""
    if "kernel" not in KERNEL_PTDUMP_SCENARIOS.get(os.path.basename(d.dir), ()):
        return "skip"
    want = kernel_ptdump(d.dir, "kernel")
    assert len(want) > 20, f"the serial log holds no kernel ptdump: {len(want)} lines"
    for mode, rec in d.modes():
        problems = ptdump_differences(rec["ptdump_text"].splitlines(), want)
        assert not problems, f"{mode}: " + "; ".join(problems[:5])


def crash_misjudges_sections(d):
    """crash has no VMCOREINFO for QEMU's s390x ELF dumps: the core's memmap then
    falls back to x86's SECTION_SIZE_BITS 27 (s390x has 28) and crash's
    extension calls live tables "absent-table" (crash's own kmem -p finds their
    struct pages).  ptwalk-batch reads the dump's VMCOREINFO and is right."""
    return d.ARCH == "s390x"


def without_section_misjudgement(d, records):
    if not crash_misjudges_sections(d):
        return records
    return [r for r in records if r.get("anomaly", r.get("kind")) != "absent-table"]


def check_batch_anomalies_equal_crash(d):
    crash = jsonl(d.s.out("check"))
    anomalies = normalize_status([r for r in crash if r.get("type") == "anomaly"])
    summary = [r for r in crash if r.get("type") == "summary"]
    assert len(summary) == 1, d.s.out("check")[-2000:]
    for mode, rec in d.modes():
        mine = normalize_status(rec["check"]["anomalies"])
        assert mine == without_section_misjudgement(d, anomalies), (mode, mine[:3], anomalies[:3])
        # What crash's reader knows to be excluded, libkdumpfile knows too.
        excluded = {(a["anomaly"], a["va_start"]) for a in rec["check"]["anomalies"]
                    if a["anomaly"] == "excluded-table"}
        for a in crash:
            if a.get("type") == "anomaly" and a["anomaly"] == "excluded-table":
                assert (a["anomaly"], a["va_start"]) in excluded, (mode, a)
        if crash_misjudges_sections(d):
            continue
        assert rec["check"]["summary"] == summary[0], (mode, rec["check"]["summary"], summary)
        findings = bool(anomalies) or summary[0]["wx_pages"] > 0
        assert rec["exit"] >= (1 if findings else 0), (mode, rec["exit"])


def check_batch_pgmaps_equal_crash(d):
    crash = jsonl(d.s.out("pgmap"))
    for mode, rec in d.modes():
        if rec["pgmap"]["status"] != "ok":
            assert "pgmap_array not found" in d.s.out("pgmap"), d.s.out("pgmap")
            continue
        assert rec["pgmap"]["pgmaps"] == crash, (mode, rec["pgmap"]["pgmaps"], crash)
    if int(d.key.get("iomem.pmem.count", "0")):
        assert crash, "a pmem scenario without a pgmap"


def check_batch_triage_equal_crash(d):
    crash = jsonl(d.s.out("triage"))
    assert len(crash) == 1, d.s.out("triage")
    for mode, rec in d.modes():
        mine = rec["triage"]["result"]
        assert mine["verdict"] == crash[0]["verdict"], (mode, mine["verdict"], crash[0]["verdict"])
        assert mine == crash[0], (mode, mine, crash[0])


def check_batch_walks_match_crash_vtop(d):
    assert len(d.samples) >= d.SAMPLES // 2, len(d.samples)
    for mode, rec in d.modes():
        walks = {int(w["va"], 16): w for w in rec["walks"] if "va" in w}
        bad = []
        for va in d.samples:
            mine, crash, vt = walks.get(va), d.crash_walk.get(va), d.vtop.get(va)
            mine = mine and normalize_status([mine])[0]
            crash = crash and normalize_status([crash])[0]
            if crash and crash_misjudges_sections(d):
                crash = dict(crash, findings=without_section_misjudgement(d, crash["findings"]))
            if not mine or mine != crash:
                diff = {k: ((mine or {}).get(k), (crash or {}).get(k))
                        for k in set(mine or {}) | set(crash or {})
                        if (mine or {}).get(k) != (crash or {}).get(k)}
                bad.append(f"{va:#x}: batch != crash ptwalk: {diff}")
            elif mine["status"] != "mapped" or vt is None or int(mine["pa"], 16) != vt:
                bad.append(f"{va:#x}: batch {mine.get('pa')} vtop {vt}")
        assert not bad, f"{mode}: {len(bad)} of {len(d.samples)} differ, first: {bad[:5]}"


def check_batch_user_walks_equal_crash_and_key(d):
    """--walk PID:ADDR walks the probe's pages in its mm as ptwalk -c does, and finds
    each present page at the pfn the guest read from /proc/self/pagemap."""
    crash = {int(r["va"], 16): r for r in jsonl(d.s.out("uwalk"))}
    assert len(crash) == len(d.user_vas), d.s.out("uwalk")[-2000:]
    for mode, rec in d.modes():
        walks = [w for w in rec["walks"] if w.get("space") == "user" or ":" in w.get("arg", "")]
        mine = {int(w["va"], 16): w for w in walks if "va" in w}
        assert sorted(mine) == d.user_vas, (mode, sorted(mine))
        for va in d.user_vas:
            a, b = normalize_status([mine[va]])[0], normalize_status([crash[va]])[0]
            assert a == b, (mode, hex(va), {k: (a.get(k), b.get(k)) for k in set(a) | set(b)
                                            if a.get(k) != b.get(k)})
            assert a["pid"] == int(d.pid) and a["space"] == "user", a
        for p in (k.split(".")[1] for k in d.key if re.fullmatch(r"page\.\w+\.va", k)):
            va = int(d.key[f"page.{p}.va"], 16)
            if d.key.get(f"page.{p}.present") == "1" and d.key.get(f"page.{p}.prot") != "---":
                assert mine[va]["status"] == "mapped", (mode, p, mine[va])
                assert int(mine[va]["pa"], 16) == int(d.key[f"page.{p}.phys"], 16), (mode, p)
        # s390x: the PGSTE under each walk is the one the guest injected and printed.
        # (Those of the probe's pages: the key's "gap" PGSTE has no page to walk.)
        pg_pages = [p for p in d.key.get("pgste.pages", "").split()
                    if int(d.key[f"pgste.{p}.va"], 16) in mine]
        for p in pg_pages:
            pg = mine[int(d.key[f"pgste.{p}.va"], 16)].get("pgste")
            assert pg, (mode, p, mine[int(d.key[f"pgste.{p}.va"], 16)])
            assert int(pg["raw"], 16) == int(d.key[f"pgste.{p}.raw"], 16), (mode, p, pg)
            assert int(pg["pa"], 16) == int(d.key[f"pgste.{p}.addr"], 16), (mode, p, pg)
            assert pg["usage"] == d.key[f"pgste.{p}.usage"], (mode, p, pg)
        assert len(pg_pages) >= (11 if d.ARCH == "s390x" else 0), pg_pages
        errors = {w["arg"]: w["error"] for w in walks if "error" in w}
        assert errors.get("99999:1000", "").startswith("no task with pid 99999"), errors
        assert "kernel thread" in errors.get("2:1000", ""), errors


def check_batch_timings(d):
    """DWARF is indexed lazily: a dump needs a fraction of the -dbg vmlinux."""
    for mode, rec in d.modes():
        assert rec["seconds"] < 60, (mode, rec["seconds"])
    dw = d.dwarf["sources"]["dwarf"]
    print(f"    timings {os.path.basename(d.dir)}: no vmlinux {d.btf['seconds']:.2f}s, "
          f"dwarf {d.dwarf['seconds']:.2f}s ({dw['cus_scanned']} CUs, "
          f"{dw['seconds']:.2f}s in DWARF)")


def check_batch_tables_mapped(d):
    """The walk takes its tables from libkdumpfile's pages, not copies.

    Every table in the file is mapped, so every other check here (ptdump text
    equal to the kernel's own, records equal to crash's, walks equal to vtop)
    ran through that path; a table a filtered dump left out is neither mapped
    nor read, and only then (crash's own reader finds those tables missing
    too), and the tables after it are mapped still.  Copied instead: tables
    larger than a page (s390x's 16 KiB region and segment tables)."""
    crash_excluded = None
    if hasattr(d, "s"):
        crash_excluded = sum(1 for a in jsonl(d.s.out("check"))
                             if a.get("type") == "anomaly" and a["anomaly"] == "excluded-table")
    for mode, rec in d.modes():
        pt = rec["ptdump"]
        t = pt["tables"]
        assert 0 < t["mapped"] <= t["read"] - t["unreadable"], (mode, t)
        if getattr(d, "ARCH", "x86_64") != "s390x":
            assert t["mapped"] == t["read"] - t["unreadable"], (mode, t)
        if crash_excluded is not None:
            assert (t["unreadable"] > 0) == (crash_excluded > 0), (mode, t, crash_excluded)
            assert t["unreadable"] >= crash_excluded, (mode, t, crash_excluded)
        print(f"    tables {os.path.basename(d.dir)} ({mode}): {t['mapped']} of "
              f"{t['read']} mapped, {t['unreadable']} not in the file")


def check_batch_bad_input(d):
    tmp = tempfile.mkdtemp(prefix="ptwalk-batch-it-")
    try:
        text = os.path.join(tmp, "answer-key.txt")
        shutil.copy(os.path.join(d.dir, "answer-key.txt"), text)
        trunc = os.path.join(tmp, "vmcore.truncated")
        with open(trunc, "wb") as f:
            f.write(subprocess.run(["head", "-c", str(4 << 20), d.vmcore],
                                   stdout=subprocess.PIPE, check=True).stdout)
        empty = os.path.join(tmp, "empty")
        open(empty, "w").close()
        missing = os.path.join(tmp, "no-such-file")
        rc, recs, err = run_batch(d.bin, ["-j", "2", text, d.vmcore, trunc, empty, missing])
        assert rc == 2, (rc, err)
        assert [r["file"] for r in recs] == [text, d.vmcore, trunc, empty, missing], recs
        assert recs[1]["status"] in ("ok", "findings"), recs[1].get("error")
        lines = err.strip().splitlines()
        assert len(lines) == 4, lines
        for r, word in ((recs[0], "not a vmcore"), (recs[2], "truncated"),
                        (recs[3], "not a vmcore"), (recs[4], "No such file")):
            assert r["status"] == "error" and r["exit"] == 2 and word in r["error"], r
            assert [x for x in lines if x.startswith(f"ptwalk-batch: {r['file']}: ")], lines
            assert "\n" not in r["error"]

        # A vmlinux that is not this dump's kernel is refused, clearly.
        for wrong in ("/bin/ls", module_ko()):
            if not wrong:
                continue
            rc, rec, err = one(d.bin, ["--vmlinux", wrong, d.vmcore])
            assert rc == 2 and rec["status"] == "error", rec
            assert rec["error"].startswith("wrong vmlinux: "), rec["error"]
            assert err.count("\n") == 1 and "wrong vmlinux" in err, err
        # The same with another dump in the run: that one is still analysed.
        rc, recs, err = run_batch(d.bin, ["--debuginfo-dir", tmp, d.vmcore, text])
        assert rc == 2 and recs[0]["status"] in ("ok", "findings"), recs[0]
        assert "no vmlinux for" in recs[0]["vmlinux"]["note"], recs[0]["vmlinux"]

        # The flattened format is rebuilt (as makedumpfile -R), or refused.
        if d.btf["dump"]["converted"] == "flattened":
            rc, rec, err = one(d.bin, ["--no-convert", d.vmcore])
            assert rc == 2 and "makedumpfile -R" in rec["error"], rec
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def module_ko():
    """Any kernel module of the cached kernels: an ELF that is not a vmlinux."""
    root = os.path.join(os.environ.get("PTWALK_CACHE", os.path.expanduser("~/.cache/ptwalk")),
                        "kernels")
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".ko"):
                return os.path.join(dirpath, f)
    return None


def check_batch_output_dir_idempotent(d):
    tmp = tempfile.mkdtemp(prefix="ptwalk-batch-out-")
    try:
        out = os.path.join(tmp, "out")
        rc1, recs, err = run_batch(d.bin, ["-o", out, "--ptdump", d.vmcore])
        assert recs == [], "with -o nothing goes to stdout"
        files = sorted(os.listdir(out))
        name = os.path.realpath(d.vmcore).lstrip("/").replace("/", "_")
        assert files == [name + ".json", name + ".ptdump.txt"], files
        first = open(os.path.join(out, name + ".json")).read()
        text = open(os.path.join(out, name + ".ptdump.txt")).read()
        rc2, _, _ = run_batch(d.bin, ["-o", out, "--ptdump", d.vmcore])
        assert open(os.path.join(out, name + ".json")).read() == first
        assert sorted(os.listdir(out)) == files and rc1 == rc2
        assert json.loads(first)["ptdump_text"] == text
        assert text.splitlines()[0] == "---[ User Space ]---"
        # --skip-existing keeps the file and the exit status.
        os.utime(os.path.join(out, name + ".json"), (0, 0))
        rc3, _, _ = run_batch(d.bin, ["-o", out, "--skip-existing", d.vmcore])
        assert rc3 == rc1 and os.stat(os.path.join(out, name + ".json")).st_mtime == 0
        # Workers change nothing but the speed.
        rc4, recs4, _ = run_batch(d.bin, ["-j", "3", d.vmcore, d.vmcore, d.vmcore])
        rc5, recs5, _ = run_batch(d.bin, [d.vmcore])
        assert rc4 == rc5 and recs4 == recs5 * 3
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


CROSS_CHECKS = [check_batch_identity_and_sources, check_batch_ptdump_records_equal_crash,
                check_batch_anomalies_equal_crash, check_batch_pgmaps_equal_crash,
                check_batch_triage_equal_crash, check_batch_walks_match_crash_vtop,
                check_batch_timings, check_batch_tables_mapped,
                check_batch_user_walks_equal_crash_and_key,
                check_batch_ptdump_text_equals_the_kernels_own]

CHECKS = [check_batch_identity_and_sources, check_batch_ptdump_records_equal_crash,
          check_batch_ptdump_text_equals_the_kernels_own,
          check_batch_anomalies_equal_crash, check_batch_pgmaps_equal_crash,
          check_batch_triage_equal_crash, check_batch_walks_match_crash_vtop,
          check_batch_timings, check_batch_tables_mapped, check_batch_bad_input,
          check_batch_output_dir_idempotent,
          check_batch_user_walks_equal_crash_and_key]

# ---- a kernel crash 8.0.2 cannot read (x86_64-6.12) ----------------------------------------
# No crash to compare with: the batch tool (BTF and kallsyms from the dump; and
# with the -dbg vmlinux) against the guest's answer key (its /proc/kcore program
# headers, /proc/kallsyms, the probe's pages) and libkdumpfile's own walker
# (tests/integration/kdump_x86.c: libaddrxlat, and physical reads).

HERE = os.path.dirname(os.path.abspath(__file__))
NO_PADDR = (1 << 64) - 1


def kcore_segments(key):
    """/proc/kcore's PT_LOADs: [(kind, vaddr, paddr, size)], kind ram/text/other."""
    out = []
    for i in range(int(key["kcore.count"])):
        v, p, n = (int(key[f"kcore.{i}.{f}"], 16) for f in ("vaddr", "paddr", "memsz"))
        kind = "other" if p == NO_PADDR else "text" if v >= 0xffffffff80000000 else "ram"
        out.append((kind, v, p, n))
    return out


class NewKernelDump:
    """ptwalk-batch on a dump crash cannot read, without and with the vmlinux."""

    SAMPLES = WALK_SAMPLES

    def __init__(self, dump_dir, so):
        self.dir = dump_dir
        self.bin = batch_binary(so)
        self.vmcore = os.path.join(dump_dir, "vmcore")
        self.vmlinux = os.path.join(dump_dir, "vmlinux")
        self.key = answer_key(dump_dir)
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError(f"{self.bin} not built (make batch)")
        segs = kcore_segments(self.key)
        ram = [s for s in segs if s[0] == "ram"]
        self.ram = ram
        self.segs = segs
        self.page_offset_base = ram[0][1] - ram[0][2]
        text = [s for s in segs if s[0] == "text"][0]
        self.text = text
        # init_top_pgt's physical address, from the guest alone: the kernel
        # text segment of /proc/kcore maps va -> va - vaddr + paddr.
        self.root = int(self.key["kallsyms.init_top_pgt"], 16) - text[1] + text[2]
        self.levels = int(self.key["guest_paging_levels"])

        _, self.phys, _ = one(self.bin, ["--ranges", "--phys", self.vmcore])
        self.samples = sample_ranges(self.phys["ptdump"]["records"], self.SAMPLES)
        self.pages = {}  # probe page name -> (direct-map va, phys)
        for name in self.key["pages"].split():
            if self.key.get(f"page.{name}.present") == "1":
                phys = int(self.key[f"page.{name}.phys"], 16)
                self.pages[name] = (self.page_offset_base + phys, phys)
        symbols = ["_stext", "init_mm"]
        # The probe's own pages, in its mm (TASK:ADDR).
        self.user = {name: int(self.key[f"page.{name}.va"], 16) for name in self.key["pages"].split()}
        walk = ",".join(["%x" % va for va in self.samples] +
                        ["%x" % va for va, _ in self.pages.values()] + symbols +
                        [f"{self.key['pid']}:{va:x}" for va in self.user.values()])
        self.rc_btf, self.btf, self.err_btf = one(
            self.bin, ["--ranges", "--phys", "--timings", "--walk", walk, self.vmcore])
        self.have_vmlinux = os.path.isfile(self.vmlinux)
        if self.have_vmlinux:
            self.rc_dwarf, self.dwarf, self.err_dwarf = one(
                self.bin, ["--vmlinux", self.vmlinux, "--ranges", "--phys", "--timings",
                           "--walk", walk, self.vmcore])

        # libkdumpfile's view: kdump_x86 on a makedumpfile -R copy (libkdumpfile
        # 0.5.1 does not read the flattened format QEMU writes).
        self.tmp = tempfile.mkdtemp(prefix="ptwalk-newkernel-")
        try:
            exe = os.path.join(self.tmp, "kdump_x86")
            flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libkdumpfile",
                                    "libaddrxlat"], check=True, capture_output=True,
                                   text=True).stdout.split()
            subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o", exe,
                            os.path.join(HERE, "kdump_x86.c"), *flags], check=True)
            core = self.vmcore
            if self.btf["dump"].get("converted") == "flattened":
                core = os.path.join(self.tmp, "vmcore")
                with open(self.vmcore, "rb") as src:
                    subprocess.run(["makedumpfile", "-R", core], stdin=src, check=True,
                                   stdout=subprocess.DEVNULL)
            vas = self.samples + [va for va, _ in self.pages.values()]
            out = subprocess.run([exe, core, "pgt", "%x" % self.root, str(self.levels),
                                  *("%x" % va for va in vas)],
                                 check=True, capture_output=True, text=True).stdout
            self.addrxlat = {}
            for line in out.splitlines():
                f = line.split()
                self.addrxlat[int(f[0], 16)] = None if f[1] == "-" else int(f[1], 16)
            self.contents = {}
            for name, (_, phys) in self.pages.items():
                out = subprocess.run([exe, core, "read", "%x" % phys, "4096"], check=True,
                                     capture_output=True, text=True).stdout
                self.contents[name] = bytes.fromhex(out.strip())
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def modes(self):
        return (("btf", self.btf),) + ((("dwarf", self.dwarf),) if self.have_vmlinux else ())


def check_new_kernel_identity(d):
    """Analysed whole, from the dump's own BTF and kallsyms (and DWARF), no findings."""
    for mode, rec in d.modes():
        assert rec["status"] == "ok" and rec["exit"] == 0, (mode, rec.get("error"), rec["exit"],
                                                             rec["check"].get("anomalies", [])[:3])
        assert rec["dump"]["osrelease"] == d.key["uname_release"], rec["dump"]
        assert rec["ptdump"]["format"] == f"x86_64-{d.levels}level", rec["ptdump"]["format"]
        assert int(rec["ptdump"]["root"], 16) == d.root, (rec["ptdump"]["root"], hex(d.root))
        for analysis in ("kernel", "ptdump", "check", "log", "triage"):
            assert rec[analysis]["status"] == "ok", (mode, analysis, rec[analysis])
        # A healthy kernel (the panic is a sysrq): tables checked, nothing wrong.
        assert rec["check"]["anomalies"] == [], (mode, rec["check"]["anomalies"][:3])
        assert rec["check"]["summary"]["tables_checked"] > 20, rec["check"]["summary"]
        assert rec["ptdump"]["unwalkable_ranges"] == 0, rec["ptdump"]
    assert "btf" in d.btf["check"]["sources"] and "dwarf" not in d.btf["check"]["sources"]
    assert d.btf["sources"]["kallsyms"]["variables"], d.btf["sources"]
    if d.have_vmlinux:
        assert "dwarf" in d.dwarf["check"]["sources"]
        assert d.dwarf["vmlinux"]["build_id"] == d.dwarf["dump"]["build_id"]


def check_new_kernel_markers_match_kcore(d):
    """The layout as the guest's /proc/kcore gives it: the direct map at
    page_offset_base, vmalloc and modules at their starts, vmemmap at the
    struct page of pfn 0; the symbols as /proc/kallsyms gives them."""
    others = sorted(s[1] for s in d.segs if s[0] == "other")
    vmalloc = [s for s in d.segs if s[0] == "other" and s[3] > 1 << 40]
    modules = [s for s in d.segs if s[0] == "other" and s[1] >= 0xffffffff80000000]
    assert len(vmalloc) == 1 and len(modules) == 1, d.segs
    want = {"Low Kernel Mapping": d.page_offset_base, "vmalloc() Area": vmalloc[0][1],
            "Modules": modules[0][1],
            # kcore's vmemmap segments start at the struct pages of RAM; pfn 0's
            # is vmemmap_base itself, the lowest (RAM starts at pfn 1, same page).
            "Vmemmap": min(v for v in others if v not in (vmalloc[0][1], modules[0][1]))}
    for mode, rec in d.modes():
        markers = {m["name"]: int(m["va"], 16) for m in rec["ptdump"]["markers"]}
        for name, va in want.items():
            assert markers.get(name) == va, (mode, name, hex(markers.get(name, 0)), hex(va))
        walks = {w.get("arg", w.get("va")): w for w in rec["walks"]}
        stext = [w for w in rec["walks"] if w.get("va") == d.key["kallsyms._stext"]]
        assert stext and stext[0]["status"] == "mapped", (mode, walks.get("_stext"))
        assert int(stext[0]["pa"], 16) == int(d.key["kallsyms._stext"], 16) - d.text[1] + d.text[2]


def check_new_kernel_direct_map_covers_ram(d):
    """Every RAM range of /proc/kcore is mapped in the direct map, contiguously,
    onto itself (ptdump -p records)."""
    for mode, rec in d.modes():
        ranges = sorted(((int(r["va_start"], 16), int(r["va_end"], 16), r)
                         for r in rec["ptdump"]["records"] if r.get("type") == "range"),
                        key=lambda x: x[0])
        for _, va, pa, size in d.ram:
            pos, end = va, va + size
            for lo, hi, r in ranges:
                if hi <= pos or lo >= end:
                    continue
                assert lo <= pos, (mode, "gap", hex(pos), hex(lo))
                assert r["present"] and "pa_start" in r, (mode, hex(pos), r)
                assert int(r["pa_start"], 16) + (pos - lo) == pa + (pos - va), (mode, hex(pos), r)
                pos = min(hi, end)
                if pos >= end:
                    break
            assert pos >= end, (mode, "RAM not covered from", hex(pos), hex(end))


def check_new_kernel_probe_pages(d):
    """The probe's pages: their direct-map addresses walk to the pfns the guest
    read in /proc/self/pagemap, and libkdumpfile reads their pattern there."""
    assert len(d.pages) >= 4, d.pages
    for mode, rec in d.modes():
        walks = {int(w["va"], 16): w for w in rec["walks"] if "va" in w}
        for name, (va, phys) in d.pages.items():
            w = walks.get(va)
            assert w and w["status"] == "mapped" and int(w["pa"], 16) == phys, (mode, name, w)
    for name, data in d.contents.items():
        pat = d.key.get(f"page.{name}.pattern")
        if pat == "text":
            header = d.key[f"page.{name}.header"].encode() + b"\n"
            fill = int(d.key[f"page.{name}.fill"], 16)
            assert data.startswith(header), (name, data[:64])
            assert data[len(header):len(header) + 64] == bytes([fill]) * 64, (name, data[:128])
        elif pat == "zero":
            assert data == bytes(4096), name


def check_new_kernel_walks_equal_addrxlat(d):
    """Sampled mapped kernel addresses: the batch walk and libaddrxlat's page-table
    walker from init_top_pgt (located by the guest) give the same physical address."""
    assert len(d.samples) >= d.SAMPLES // 2, len(d.samples)
    for mode, rec in d.modes():
        walks = {int(w["va"], 16): w for w in rec["walks"] if "va" in w}
        bad = []
        for va in d.samples:
            w, ax = walks.get(va), d.addrxlat.get(va)
            if not w or w["status"] != "mapped" or ax is None or int(w["pa"], 16) != ax:
                bad.append((hex(va), w and w.get("pa"), ax and hex(ax)))
        assert not bad, f"{mode}: {len(bad)} of {len(d.samples)} differ, first: {bad[:5]}"


def check_new_kernel_triage_panic_task(d):
    """The panicking task found without crash (6.12: pcpu_hot.current_task) is the
    probe the guest says panicked."""
    for mode, rec in d.modes():
        res = rec["triage"]["result"]
        assert res["panic_task"]["pid"] == int(d.key["pid"]), (mode, res.get("panic_task"))
        assert res["panic_task"]["comm"] == d.key["comm"], (mode, res["panic_task"])
        assert "sysrq triggered crash" in rec["log"]["panic"], rec["log"]


def check_new_kernel_user_pages(d):
    """The probe's pages walked in its own mm (--walk PID:ADDR) are at the pfns the
    guest read from /proc/self/pagemap; a PROT_NONE page is not present, its pfn kept."""
    for mode, rec in d.modes():
        walks = {int(w["va"], 16): w for w in rec["walks"] if w.get("space") == "user"}
        assert len(walks) == len(d.user), (mode, len(walks), len(d.user))
        for name, va in d.user.items():
            w = walks[va]
            assert w["pid"] == int(d.key["pid"]), (mode, name, w)
            if d.key.get(f"page.{name}.present") != "1":
                assert w["status"] == "not-present", (mode, name, w)
                continue
            phys = int(d.key[f"page.{name}.phys"], 16)
            if d.key[f"page.{name}.prot"] == "---":
                assert w["status"] == "not-present", (mode, name, w)
                assert int(w["levels"][-1]["addr"], 16) == phys, (mode, name, w)
            else:
                assert w["status"] == "mapped" and int(w["pa"], 16) == phys, (mode, name, w)


def check_new_kernel_ptdump_text_equals_the_kernels_own(d):
    """--ptdump text (without --phys: no pa=) against the text the guest's 6.12 kernel
    printed itself (ptdump_walk_pgd_level_debugfs(), crashrun.py), the layout from
    the dump's BTF and kallsyms, and from the vmlinux."""
    want = kernel_ptdump(d.dir, "kernel")
    assert len(want) > 20, f"the serial log holds no kernel ptdump: {len(want)} lines"
    runs = [("btf", [])] + ([("dwarf", ["--vmlinux", d.vmlinux])] if d.have_vmlinux else [])
    for mode, args in runs:
        _, rec, _ = one(d.bin, [*args, "--ptdump", d.vmcore])
        problems = ptdump_differences(rec["ptdump_text"].splitlines(), want)
        assert not problems, f"{mode}: " + "; ".join(problems[:5])


NEW_KERNEL_CHECKS = [check_new_kernel_user_pages, check_new_kernel_identity, check_new_kernel_markers_match_kcore,
                     check_new_kernel_direct_map_covers_ram, check_new_kernel_probe_pages,
                     check_new_kernel_walks_equal_addrxlat, check_new_kernel_triage_panic_task,
                     check_batch_tables_mapped, check_new_kernel_ptdump_text_equals_the_kernels_own]

# x86_64-6.12: crash 8.0.2 reads it only partly (sample-dumps/README.md), so no crash side.
SUITES = [(r"x86_64-(?!elf$|6\.12$).*", BatchDump, CHECKS),
          (r"x86_64-6\.12", NewKernelDump, NEW_KERNEL_CHECKS),
          (r"(arm64-4k|s390x-pgste)", BatchCrossDump, CROSS_CHECKS)]
