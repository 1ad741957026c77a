# SPDX-License-Identifier: GPL-2.0-or-later
"""ptwalk, ptdump and pgste on real arm64 and s390x vmcores (sample-dumps/cross),
in crash for that architecture under qemu-user, with the extension cross-built
(make cross).  Checked against what we did not compute: the guest's answer key
(pfns from /proc/self/pagemap, page contents), the PGSTEs the host wrote through
QEMU's gdbstub (and the ASCEs gdb read), crash's vtop/help -m/p, and libkdumpfile's
own page-table walker (tests/integration/kdump_xlat.c) for user addresses.

crash starts in 45-70 s under qemu-user, so each dump gets two sessions: one for
everything, one for the sampled kernel addresses (which need the first one's ptdump).
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

import crashrun
from crashrun import Session, answer_key, help_m, jsonl, parse_p, parse_rd_bytes, sample_mapped, walk_and_vtop

# ptwalk costs ~0.25 s per address under qemu-user (it explains each walk).
SAMPLES = 200
HERE = os.path.dirname(os.path.abspath(__file__))
QEMU_USER = {"arm64": "qemu-aarch64-static", "s390x": "qemu-s390x-static"}


def prepare():
    """Build what the cross suites need, if missing or stale: the cross-built
    extension and the two dumps (make-dump.sh decides by the hash of its inputs,
    so a populated cache costs a second).  run.py lists the dumps before any
    fixture runs, hence this runs when run.py imports this module; set
    PTWALK_CROSS_PREPARE=0 to skip it."""
    if os.environ.get("PTWALK_CROSS_PREPARE", "1") == "0":
        return
    root = os.path.dirname(os.path.dirname(HERE))
    t0 = time.monotonic()
    p = subprocess.run(["make", "-s", "-C", root, "-f", "sample-dumps/cross/cross.mk",
                        "cross", "dumps-cross"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(f"-- cross: make cross dumps-cross: exit {p.returncode} in "
          f"{time.monotonic() - t0:.1f}s", flush=True)
    if p.returncode:
        print(p.stdout[-4000:], flush=True)


class CrossSession(Session):
    """crash for the target architecture under qemu-user, kept open between batches:
    commands go to its standard input, each batch ends with a shell escape that
    touches a file, and run() waits for that file.  One crash start (45-70 s) then
    serves batches that depend on earlier outputs."""

    def __init__(self, dump_dir, so_path, arch):
        super().__init__(dump_dir, so_path)
        self.arch = arch
        self.sysroot = os.path.join(crashrun.cache_dir(), "sysroots", arch)
        self.batches = 0
        self.timings = []  # seconds per batch (the first includes crash's start)
        self.log = open(os.path.join(self.tmp, "console"), "w+")
        crash = [QEMU_USER[arch], "-L", self.sysroot, os.path.join(self.sysroot, "usr/bin/crash")]
        self.proc = subprocess.Popen([*crash, "-s", self.vmlinux, self.vmcore],
                                     stdin=subprocess.PIPE, stdout=self.log,
                                     stderr=subprocess.STDOUT, text=True)
        self.send(f"extend {so_path}")

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def run(self, timeout=900):
        done = os.path.join(self.tmp, "done%d" % self.batches)
        self.batches += 1
        for c in self.cmds:
            self.send(c)
        self.cmds = []
        self.send(f"!touch {done}")
        t0 = time.monotonic()
        deadline = t0 + timeout
        while not os.path.exists(done):
            if self.proc.poll() is not None:
                raise RuntimeError(f"crash exited ({self.proc.returncode}): {self.console[-2000:]}")
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"crash did not finish a batch in {timeout} s")
            time.sleep(0.2)
        self.timings.append(round(time.monotonic() - t0, 1))
        return self

    @property
    def console(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.stdin.close()
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        self.log.close()


def parse_vtop(text):
    """{va: pa or None} from crash's `vtop [-k] addr...` on arm64/s390x: the line
    after each VIRTUAL/PHYSICAL header; a block's "PAGE: pa  (2MB)" line wins."""
    result = {}
    lines = text.splitlines()
    va = None
    for i, line in enumerate(lines):
        if line.startswith("VIRTUAL") and "PHYSICAL" in line and i + 1 < len(lines):
            parts = lines[i + 1].split()
            va = int(parts[0], 16)
            ok = len(parts) >= 2 and re.fullmatch(r"[0-9a-f]+", parts[1])
            result[va] = int(parts[1], 16) if ok else None
            continue
        m = re.match(r"\s*PAGE:\s+([0-9a-f]+)\s*(\(\d[MG]B\))?\s*$", line)
        if m and va is not None and m.group(2):
            size = crashrun.PAGE_SIZES[m.group(2)]
            result[va] = int(m.group(1), 16) + (va & (size - 1))
    return result


def kdump_xlat(dump_dir, arch, root, vas):
    """{va: pa or None} from libkdumpfile's walker (tests/integration/kdump_xlat.c)."""
    tmp = tempfile.mkdtemp(prefix="ptwalk-xlat-")
    try:
        exe = os.path.join(tmp, "kdump_xlat")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libkdumpfile", "libaddrxlat"],
                               check=True, capture_output=True, text=True).stdout.split()
        subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o", exe,
                        os.path.join(HERE, "kdump_xlat.c"), *flags], check=True)
        vmcore = os.path.join(dump_dir, "vmcore")
        if arch == "s390x":
            # libkdumpfile 0.5.1 misreads QEMU's big-endian ELF section header
            # table ("Cannot allocate ELF string table"): a copy without it.
            copy = os.path.join(tmp, "vmcore")
            shutil.copyfile(vmcore, copy)
            with open(copy, "r+b") as f:
                f.seek(0x28)
                f.write(b"\0" * 8)       # e_shoff
                f.seek(0x3c)
                f.write(b"\0" * 4)       # e_shnum, e_shstrndx
            vmcore = copy
        out = subprocess.run([exe, vmcore, arch, "%x" % root, *("%x" % va for va in vas)],
                             check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {}
    for line in out.splitlines():
        parts = line.split()
        result[int(parts[0], 16)] = None if parts[1] == "-" else int(parts[1], 16)
    return result


class CrossDump:
    """Everything the checks need from one cross dump."""

    ARCH = None

    def __init__(self, dump_dir, so):
        self.dir = dump_dir
        self.key = answer_key(dump_dir)
        self.so = os.path.join(os.path.dirname(os.path.abspath(so)), "cross",
                               f"ptwalk-{self.ARCH}.so")
        assert os.path.isfile(self.so), f"{self.so} is missing (make cross)"
        self.pid = self.key["pid"]
        self.pages = self.key["pages"].split()
        self.s1 = s = CrossSession(dump_dir, self.so, self.ARCH)
        try:
            self.first_batch(s)
            self.gather(s)
        finally:
            s.close()

    def first_batch(self, s):
        self.queue_first(s)
        s.add("ptdump_j", "ptdump -p -j")
        s.add("ptdump_txt", "ptdump")
        vas = " ".join(self.key[f"page.{p}.va"] for p in self.pages)
        s.add("user_walk", f"ptwalk -j -c {self.pid} {vas}")
        for p in self.pages:
            if self.key.get(f"page.{p}.present") == "1":
                s.add(f"rd_{p}", f"rd -p -8 {self.key[f'page.{p}.phys']} 64")
                s.add(f"walk_txt_{p}", f"ptwalk -c {self.pid} {self.key[f'page.{p}.va']}")
        s.add("check_kernel", "ptdump -C -j")
        s.add("check_user", f"ptdump -C -j -c {self.pid}")
        s.add("log", "log")
        s.add("bad_hex", "ptwalk zzz")
        s.add("bad_pid", f"ptwalk -c 99999 {self.key['page.data0.va']}")
        s.add("bad_range", "ptdump -r 5000-1000")
        s.add("kthread", "ptwalk -c 2 1000")
        self.queue_bad(s)
        s.add("after_bad", "sys")
        s.run()

    def gather(self, s):
        recs = jsonl(s.out("ptdump_j"))
        self.ranges = [r for r in recs if r.get("type") == "range"]
        self.markers = {}
        for r in recs:
            if r.get("type") == "marker":
                self.markers.setdefault(r["name"], int(r["va"], 16))
        self.user = {int(r["va"], 16): r for r in jsonl(s.out("user_walk"))}
        self.user_root = int(next(iter(self.user.values()))["root"], 16)
        self.sample_kernel(s)
        self.libkdumpfile = kdump_xlat(
            self.dir, self.ARCH, self.user_root,
            [int(self.key[f"page.{p}.va"], 16) for p in self.pages])

    def queue_first(self, s):
        pass

    def queue_bad(self, s):
        pass

    def sample_kernel(self, s):
        self.samples, self.expect = sample_mapped(self.ranges, SAMPLES, 20201105)
        self.walk, self.vtop = walk_and_vtop(s, self.samples,
                                             "vtop -k" if self.ARCH == "s390x" else "vtop",
                                             parse_vtop)


class Arm64Dump(CrossDump):
    ARCH = "arm64"

    def queue_first(self, s):
        s.add("help_m", "help -m")
        s.add("stext", "ptwalk -j _stext")

    def queue_bad(self, s):
        s.add("pgste", f"pgste {self.key['page.data0.va']}")
        s.add("bad_canon", "ptwalk 1000000000000")


class S390xDump(CrossDump):
    ARCH = "s390x"

    VARS = ("VMALLOC_START", "VMALLOC_END", "MODULES_VADDR", "MODULES_END", "vmemmap",
            "__abs_lowcore", "__memcpy_real_area", "ident_map_size", "__samode31", "__eamode31")

    def queue_first(self, s):
        for v in self.VARS:
            s.add("p_" + v, f"p/x {v}")
        s.add("help_m", "help -m")
        s.add("stext", "ptwalk -j -k _stext")
        self.pg_pages = self.key["pgste.pages"].split()
        vas = " ".join(self.key[f"pgste.{p}.va"] for p in self.pg_pages)
        s.add("pgste", f"pgste -j -c {self.pid} {vas}")
        s.add("pgste_txt", f"pgste -c {self.pid} {vas}")
        s.add("pgste_range", f"pgste -j -c {self.pid} -r 10000000-10400000")
        s.add("walk_pgste", f"ptwalk -j -c {self.pid} {vas}")

    def queue_bad(self, s):
        s.add("no_pgste_mm", f"pgste -c 1 {self.key['page.data0.va']}")
        s.add("pid1_walk", "ptwalk -j -c 1 abcdef12345000")
        s.add("beyond_asce", "ptwalk -j -k 40000000000")
        s.add("pgste_beyond", f"pgste -c {self.pid} 40000000000000")
        s.add("pgste_large", f"pgste -c {self.pid} 10400000")


# ---- checks shared by both architectures ------------------------------------------

def check_sampled_kernel_addresses_match_vtop(d):
    assert len(d.samples) >= SAMPLES, f"only {len(d.samples)} samples"
    bad = []
    for va in d.samples:
        rec, vt = d.walk.get(va), d.vtop.get(va)
        if not rec or rec["status"] != "mapped" or vt is None:
            bad.append(f"{va:#x}: ptwalk {rec and rec['status']} vtop {vt}")
            continue
        pa = int(rec["pa"], 16)
        if pa != vt or pa != d.expect[va]:
            bad.append(f"{va:#x}: ptwalk {pa:#x} ptdump {d.expect[va]:#x} vtop {vt:#x}")
    assert not bad, f"{len(bad)} mismatches, first: {bad[:5]}"


def check_user_pages_match_answer_key_and_libkdumpfile(d):
    checked = 0
    for p in d.pages:
        va = int(d.key[f"page.{p}.va"], 16)
        rec = d.user.get(va)
        assert rec and rec["pid"] == int(d.pid), (p, rec)
        lk = d.libkdumpfile.get(va)
        if d.key[f"page.{p}.present"] != "1":
            assert rec["status"] == "not-present", (p, rec["status"])
            assert lk is None, (p, "libkdumpfile", lk)
            continue
        phys = int(d.key[f"page.{p}.phys"], 16)
        if d.key[f"page.{p}.prot"] == "---":
            # PROT_NONE: not valid for the hardware, the entry still names the page.
            leaf = int(rec["levels"][-1]["entry"], 16)
            assert rec["status"] == "not-present", (p, rec)
            assert leaf & 0x0000fffffffff000 == phys, (p, hex(leaf), hex(phys))
            assert int(rec["levels"][-1].get("addr", "0"), 16) == phys, (p, rec)
            assert "PROT_NONE" in rec["reason"], (p, rec)
            assert lk is None, (p, "libkdumpfile", lk)
        else:
            assert rec["status"] == "mapped", (p, rec)
            assert int(rec["pa"], 16) == phys, (p, rec["pa"], hex(phys))
            assert lk == phys, (p, "libkdumpfile", lk, hex(phys))
            # A page of the probe's own mm is a user page, whether the entries
            # say so (arm64 AP[1]) or only the space does (s390 has no such bit).
            txt = d.s1.out(f"walk_txt_{p}")
            line = next((x for x in txt.splitlines() if x.startswith("PHYSICAL:")), "")
            assert f"{phys:x}" in line and ", user " in line, (p, txt)
        if d.key[f"page.{p}.pattern"] == "text":
            got = parse_rd_bytes(d.s1.out(f"rd_{p}"))
            want = (d.key[f"page.{p}.header"] + "\n").encode()
            want += bytes([int(d.key[f"page.{p}.fill"], 16)]) * (64 - len(want))
            assert got == want, (p, got, want)
        checked += 1
    assert checked >= 10, checked


def check_ptdump_covers_ram(d):
    """Every RAM page the guest saw is mapped in the kernel's map at the linear /
    identity address the architecture gives it."""
    present = sorted((int(r["va_start"], 16), int(r["va_end"], 16), int(r["pa_start"], 16))
                     for r in d.ranges if r["present"])
    n = int(d.key["iomem.ram.count"])
    assert n > 0
    for i in range(n):
        lo, hi = (int(x, 16) for x in d.key[f"iomem.ram.{i}"].split("-"))
        va, end = d.linear(lo), d.linear(hi) + 1
        while va < end:
            hit = [r for r in present if r[0] <= va < r[1]]
            assert hit, f"RAM {lo:#x}-{hi:#x}: no mapping at {va:#x}"
            r = hit[0]
            assert r[2] + (va - r[0]) == lo + (va - d.linear(lo)), f"not linear at {va:#x}"
            va = r[1]


def check_integrity_of_healthy_dump(d):
    """A healthy kernel: no anomaly in the kernel's tables nor in the probe's mm, and
    W+X agrees with the kernel's own DEBUG_WX verdict in its log.  The probe's pages
    are user pages even where entries carry no user bit (s390, whose TCG CPU has no
    execute protection: every writable page there is W+X)."""
    for name in ("check_kernel", "check_user"):
        recs = jsonl(d.s1.out(name))
        summary = [r for r in recs if r.get("type") == "summary"]
        anomalies = [r for r in recs if r.get("type") == "anomaly"]
        assert len(summary) == 1, (name, summary)
        assert summary[0]["tables_checked"] > 3, (name, summary)
        assert not anomalies, (name, anomalies[:3])
    # Debian's s390x kernel has no CONFIG_DEBUG_WX (no ptdump_check_wx): no verdict to
    # compare with there, but a healthy kernel still has no W+X page beyond the
    # lowcore page its own check would let pass.
    with open(os.path.join(d.dir, "System.map")) as f:
        debug_wx = any(line.split()[-1] == "ptdump_check_wx" for line in f if line.strip())
    if debug_wx:
        assert "Checked W+X mappings: passed" in d.s1.out("log"), "no DEBUG_WX verdict in the log"
    kernel = [r for r in jsonl(d.s1.out("check_kernel")) if r.get("type") == "summary"][0]
    assert kernel["wx_pages"] == 0, kernel


def check_bad_input_is_one_line(d):
    for name, word in (("bad_hex", "invalid address"), ("bad_pid", "no task with pid 99999"),
                       ("bad_range", "invalid range"), ("kthread", "kernel thread")):
        out = d.s1.out(name).strip()
        assert out.count("\n") == 0 and word in out, (name, out)
        assert out.startswith(("ptwalk: ", "ptdump: ", "pgste: ")), (name, out)
    assert "RELEASE" in d.s1.out("after_bad"), d.s1.out("after_bad")
    assert "Segmentation" not in d.s1.console


# ---- arm64 ---------------------------------------------------------------------------

def arm64_linear(d):
    hm = help_m(d.s1.out("help_m"))
    return lambda pa: ((pa - hm["phys_offset"]) & ((1 << 64) - 1)) | hm["page_offset"]


def check_arm64_format_and_kernel_root(d):
    rec = jsonl(d.s1.out("stext"))[0]
    hm = help_m(d.s1.out("help_m"))
    assert rec["format"] == "arm64-4k-48bit-4level", rec["format"]
    assert re.search(r"^\s*VA_BITS: 48$", d.s1.out("help_m"), re.M)  # decimal
    # crash's own translation of the KASLR'd _stext (vtop in the samples is for
    # ptdump's ranges; this is the kernel image through swapper_pg_dir).
    assert rec["status"] == "mapped"
    assert int(rec["pa"], 16) == int(rec["va"], 16) - hm["kimage_voffset"], rec


def check_arm64_markers_match_crash(d):
    m, hm = d.markers, help_m(d.s1.out("help_m"))
    assert m["Linear Mapping start"] == hm["page_offset"]
    assert m["Modules start"] == hm["modules_vaddr"]
    assert m["Modules end"] == hm["modules_end"] + 1
    assert m["vmalloc() area"] == hm["vmalloc_start_addr"]
    assert m["vmalloc() end"] == hm["vmalloc_end"] + 1
    assert m["vmemmap start"] == hm["vmemmap_vaddr"]
    assert m["vmemmap end"] == hm["vmemmap_end"] + 1
    # memory.h: PAGE_END, FIXADDR_TOP, PCI_IO_* are fixed offsets from VMEMMAP_START.
    assert m["Linear Mapping end"] == (1 << 64) - (1 << 47)
    assert m["Fixmap end"] == hm["vmemmap_vaddr"] - (32 << 20)
    assert m["PCI I/O start"] == hm["vmemmap_vaddr"] - (24 << 20)
    assert m["PCI I/O end"] == hm["vmemmap_vaddr"] - (8 << 20)
    # The fixmap holds mapped pages (the FDT, early consoles...).
    fix = [r for r in d.ranges if r["present"] and
           m["Fixmap start"] <= int(r["va_start"], 16) < m["Fixmap end"]]
    assert fix, "nothing mapped in the fixmap"
    names = [n for n, _ in sorted(m.items(), key=lambda kv: kv[1])]
    assert names[0] == "Linear Mapping start" and names[-1] == "vmemmap end", names


ARM64_LINE = re.compile(r"^0x[0-9a-f]{16}-0x[0-9a-f]{16}   [ 0-9]{8}\d[KMGTPE] (PGD|PUD|PMD|PTE)"
                        r"( .*)?$")


def check_arm64_ptdump_text_is_kernel_format(d):
    lines = d.s1.out("ptdump_txt").splitlines()
    assert lines[0] == "---[ Linear Mapping start ]---", lines[0]
    n = 0
    for line in lines:
        if line.startswith("---[ "):
            continue
        assert ARM64_LINE.match(line), f"not arm64 ptdump format: {line!r}"
        n += 1
    assert n > 30, n
    assert lines[-1].split()[0].endswith("-0x0000000000000000"), lines[-1]


def check_arm64_ptdump_equals_the_kernels_own(d):
    """ptdump's text against the text the guest's kernel printed itself: its
    ptdump_walk() with the markers of arch/arm64/mm/ptdump.c, what debugfs
    kernel_page_tables would show (sample-dumps/modules/ptwalk_ptdump_key_arm64)."""
    want = crashrun.kernel_ptdump(d.dir, "kernel")
    assert len(want) > 20, f"the serial log holds no kernel ptdump: {len(want)} lines"
    problems = crashrun.ptdump_differences(d.s1.out("ptdump_txt").splitlines(), want)
    assert not problems, "; ".join(problems[:5])


def check_arm64_bad_input(d):
    out = d.s1.out("pgste").strip()
    assert out == "pgste: only s390x page tables have PGSTEs", out
    out = d.s1.out("bad_canon").strip()
    assert out.count("\n") == 0 and "not a canonical address" in out, out


ARM64_CHECKS = [check_arm64_format_and_kernel_root, check_arm64_markers_match_crash,
                check_sampled_kernel_addresses_match_vtop,
                check_user_pages_match_answer_key_and_libkdumpfile, check_ptdump_covers_ram,
                check_arm64_ptdump_text_is_kernel_format, check_arm64_ptdump_equals_the_kernels_own,
                check_integrity_of_healthy_dump,
                check_bad_input_is_one_line,
                check_arm64_bad_input]


class Arm64Fixture(Arm64Dump):
    def linear(self, pa):
        return arm64_linear(self)(pa)


# ---- s390x ---------------------------------------------------------------------------

def check_s390x_asces_match_gdb(d):
    """The kernel's and the probe's ASCEs as gdb read them from the live guest."""
    rec = jsonl(d.s1.out("stext"))[0]
    assert int(rec["root"], 16) == int(d.key["kernel.asce"], 16), rec["root"]
    assert rec["format"] == "s390x" and rec["status"] == "mapped"
    assert int(rec["pa"], 16) == int(rec["va"], 16), rec  # 6.1: kernel VA == PA
    assert d.user_root == int(d.key["mm.context.asce"], 16), hex(d.user_root)
    # The probe mapped above 2^53: its ASCE was upgraded to region-first (DT 3).
    assert (d.user_root >> 2) & 3 == 3, hex(d.user_root)
    assert d.user[int(d.key["page.high56.va"], 16)]["status"] == "mapped"


def check_s390x_markers_match_crash(d):
    m = d.markers
    val = {v: parse_p(d.s1.out("p_" + v)) for v in S390xDump.VARS}
    assert None not in val.values(), val
    assert m["vmalloc Area Start"] == val["VMALLOC_START"]
    assert m["vmalloc Area End"] == val["VMALLOC_END"]
    assert m["Modules Area Start"] == val["MODULES_VADDR"]
    assert m["Modules Area End"] == val["MODULES_END"]
    assert m["vmemmap Area Start"] == val["vmemmap"]
    assert m["Lowcore Area Start"] == val["__abs_lowcore"]
    assert m["Real Memory Copy Area Start"] == val["__memcpy_real_area"]
    assert m["Real Memory Copy Area End"] == val["__memcpy_real_area"] + 4096
    assert m["Amode31 Area Start"] == val["__samode31"]
    assert m["Amode31 Area End"] == val["__eamode31"]
    assert m["Identity Mapping Start"] == 0
    assert m["Kernel Image Start"] == int(d.key["iomem.kernel_code"].split("-")[0], 16)
    # Sorted by address, as pt_dump_init() sorts them.
    recs = [r for r in jsonl(d.s1.out("ptdump_j")) if r.get("type") == "marker"]
    vas = [int(r["va"], 16) for r in recs]
    assert vas == sorted(vas), vas
    # The kernel ASCE's reach: the dump ends at 1 << (11 * DT + 31).
    dt = (int(d.key["kernel.asce"], 16) >> 2) & 3
    assert int(d.ranges[-1]["va_end"], 16) == 1 << (11 * dt + 31), d.ranges[-1]


def check_s390x_pgstes_match_injected_key(d):
    recs = {int(r["va"], 16): r for r in jsonl(d.s1.out("pgste")) if r.get("type") == "pgste"}
    mm = [r for r in jsonl(d.s1.out("pgste")) if r.get("type") == "mm"][0]
    assert mm["alloc_pgste"] == int(d.key["mm.context.alloc_pgste"]), mm
    assert mm["has_pgste"] == int(d.key["mm.context.has_pgste"]), mm
    walks = {int(r["va"], 16): r for r in jsonl(d.s1.out("walk_pgste"))}
    for p in d.pg_pages:
        va = int(d.key[f"pgste.{p}.va"], 16)
        rec = recs.get(va)
        assert rec, f"no pgste record for {p}"
        assert int(rec["pgste"], 16) == int(d.key[f"pgste.{p}.raw"], 16), (p, rec)
        assert int(rec["pte_pa"], 16) == int(d.key[f"pgste.{p}.pte_addr"], 16), (p, rec)
        assert int(rec["pgste_pa"], 16) == int(d.key[f"pgste.{p}.addr"], 16), (p, rec)
        assert int(rec["pte"], 16) == int(d.key[f"pgste.{p}.pte"], 16), (p, rec)
        assert rec["usage"] == d.key[f"pgste.{p}.usage"], (p, rec)
        for f in ("acc", "fp", "pcl", "hr", "hc", "gr", "gc", "uc", "in", "vsie", "zero", "nodat"):
            assert int(rec[f]) == int(d.key[f"pgste.{p}.{f}"]), (p, f, rec)
        # ptwalk shows the same PGSTE for its last PTE.
        w = walks[va]
        assert int(w["pgste"]["raw"], 16) == int(d.key[f"pgste.{p}.raw"], 16), (p, w)
    usages = {d.key[f"pgste.{p}.usage"] for p in d.pg_pages}
    assert usages == {"stable", "unused", "pot-volatile", "volatile"}, usages
    txt = d.s1.out("pgste_txt")
    assert txt.startswith("PID: %s " % d.pid) and "USAGE" in txt, txt[:200]


def check_s390x_pgste_histogram(d):
    recs = jsonl(d.s1.out("pgste_range"))
    hist = [r for r in recs if r.get("type") == "histogram"][0]
    lo, hi = 0x10000000, 0x10400000
    inside = [p for p in d.pg_pages if lo <= int(d.key[f"pgste.{p}.va"], 16) < hi]
    want = {u: 0 for u in ("stable", "unused", "pot-volatile", "volatile")}
    for p in inside:
        want[d.key[f"pgste.{p}.usage"]] += 1
    # Every other slot of those page tables has a zero PGSTE: stable.
    want["stable"] += hist["slots"] - len(inside)
    assert hist["complete"], hist
    assert hist["page_tables"] == 4 and hist["slots"] == 4 * 256, hist
    for u, n in want.items():
        assert hist[u] == n, (u, hist[u], n)
    assert hist["zero"] == sum(int(d.key[f"pgste.{p}.zero"]) for p in inside), hist
    assert hist["nodat"] == sum(int(d.key[f"pgste.{p}.nodat"]) for p in inside), hist
    listed = {int(r["va"], 16) for r in recs if r.get("type") == "pgste"}
    assert {int(d.key[f"pgste.{p}.va"], 16) for p in inside} <= listed


S390X_LINE = re.compile(r"^0x[0-9a-f]{16}-0x[0-9a-f]{16} [ 0-9]{8}\d[KMGTPE] "
                        r"(ASCE|PGD|PUD|PMD|PTE) (I|R[OW] N?X)$")


def check_s390x_ptdump_text_is_kernel_format(d):
    lines = d.s1.out("ptdump_txt").splitlines()
    assert lines[0] == "---[ Identity Mapping Start ]---", lines[0]
    n = 0
    for line in lines:
        if line.startswith("---[ "):
            continue
        assert S390X_LINE.match(line), f"not s390x ptdump format: {line!r}"
        n += 1
    assert n > 30, n


def check_s390x_bad_input(d):
    out = d.s1.out("no_pgste_mm").strip()
    assert out.count("\n") == 0 and "pid 1 (init) has no PGSTEs" in out, out
    # pid 1 runs with a region-third ASCE (4T): 2^55 does not fit.
    rec = jsonl(d.s1.out("pid1_walk"))[0]
    assert rec["status"] == "out-of-range" and (int(rec["root"], 16) >> 2) & 3 == 1, rec
    rec = jsonl(d.s1.out("beyond_asce"))[0]
    assert rec["status"] == "out-of-range", rec
    # The probe's ASCE is region-first: 2^54 fits, but nothing maps it.
    for name, word in (("pgste_beyond", "stopped above the page table"),
                       ("pgste_large", "no PGSTE")):
        out = d.s1.out(name).strip().splitlines()
        assert out[-1].startswith("pgste: ") and word in out[-1], (name, out)
        assert len([x for x in out if x.startswith("pgste:")]) == 1, (name, out)


S390X_CHECKS = [check_s390x_asces_match_gdb, check_s390x_markers_match_crash,
                check_sampled_kernel_addresses_match_vtop,
                check_user_pages_match_answer_key_and_libkdumpfile, check_ptdump_covers_ram,
                check_s390x_pgstes_match_injected_key, check_s390x_pgste_histogram,
                check_s390x_ptdump_text_is_kernel_format, check_integrity_of_healthy_dump,
                check_bad_input_is_one_line,
                check_s390x_bad_input]


class S390xFixture(S390xDump):
    def linear(self, pa):
        return pa  # 6.1 maps the kernel 1:1


prepare()

SUITES = [(r"arm64-4k", Arm64Fixture, ARM64_CHECKS),
          (r"s390x-pgste", S390xFixture, S390X_CHECKS)]
