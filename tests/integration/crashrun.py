# SPDX-License-Identifier: GPL-2.0-or-later
"""Run crash(8) on a real dump with ptwalk.so loaded, and read answer keys.

Each command's output goes to its own file through crash's own redirection
(`cmd > file`), so a test reads exactly one command's output.
"""
import atexit
import json
import os
import random
import re
import shutil
import subprocess
import tempfile

CRASH = os.environ.get("PTWALK_CRASH", "crash")
# All sessions' command files and outputs; removed when the run ends.
_TMP_ROOT = tempfile.mkdtemp(prefix="ptwalk-it-")
atexit.register(shutil.rmtree, _TMP_ROOT, ignore_errors=True)


def cache_dir():
    return os.environ.get("PTWALK_CACHE", os.path.expanduser("~/.cache/ptwalk"))


def dumps():
    """Scenario directories that are complete (have an answer key)."""
    root = os.path.join(cache_dir(), "dumps")
    found = []
    if os.path.isdir(root):
        for name in sorted(os.listdir(root)):
            d = os.path.join(root, name)
            if os.path.isfile(os.path.join(d, "answer-key.txt")):
                found.append(d)
    return found


def answer_key(dump_dir):
    key = {}
    with open(os.path.join(dump_dir, "answer-key.txt")) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                key[k] = v
    return key


# Scenarios whose guest prints the kernel's own ptdump text on the console
# (sample-dumps/modules/ptwalk_ptdump_key, and _arm64 for arm64): init_mm's
# ("kernel"), a sleeping task's ("task", its pid is the key ptdump_task.pid)
# and, with PTI, those of their user copies ("user", "task_user").
KERNEL_PTDUMP_SCENARIOS = {
    "x86_64-4level": ("kernel", "task"),
    "x86_64-5level": ("kernel", "task"),
    "x86_64-pti": ("kernel", "user", "task", "task_user"),
    "x86_64-4k-directmap-elf": ("kernel",),
    "x86_64-6.12": ("kernel",),
    "arm64-4k": ("kernel",),
}


def kernel_ptdump(dump_dir, which):
    """The lines of the kernel's own ptdump (one of "kernel", "user", "task",
    "task_user") that the guest printed right before it panicked; [] when the
    scenario prints none."""
    prefix = f"PTWALK_PTDUMP {which} "
    with open(os.path.join(dump_dir, "serial.log"), errors="replace") as f:
        return [line.rstrip("\r\n")[len(prefix):] for line in f if line.startswith(prefix)]


_PTDUMP_LINE = re.compile(r"0x([0-9a-f]{16})-0x([0-9a-f]{16}) +[0-9]+[BKMGTPE] (.*)$")
# A vmap stack (THREAD_SIZE 16K on x86_64 without KASAN and on arm64) and how it is
# mapped: PAGE_KERNEL, on x86_64 global unless page-table isolation clears
# _PAGE_GLOBAL from kernel mappings; on arm64 not global (NG), normal memory.
_VMAP_STACKS = {(16 << 10, "RW GLB NX pte"), (16 << 10, "RW NX pte"),
                (16 << 10, "PTE RW NX SHD AF NG UXN MEM/NORMAL")}
# The vmalloc section's marker: x86_64's, arm64's.
_VMALLOC_MARKERS = {"---[ vmalloc() Area ]---", "---[ vmalloc() area ]---"}
# The guest's sed processes that printed the text (kernel, then user copy).
_MAX_STACKS = 2


def _sections(lines):
    """[(marker, [range lines])] in order."""
    out = []
    for line in lines:
        if line.startswith("---[ "):
            out.append((line, []))
        elif out:
            out[-1][1].append(line)
        else:
            out.append(("", [line]))
    return out


def _mapped_pages(lines):
    """{4 KiB page: attributes} of the present ranges among lines."""
    pages = {}
    for line in lines:
        m = _PTDUMP_LINE.match(line)
        if not m:
            raise ValueError(f"not a ptdump line: {line!r}")
        attrs = " ".join(m.group(3).split())
        if " " not in attrs:  # only the level: not present
            continue
        for va in range(int(m.group(1), 16), int(m.group(2), 16) or 1 << 64, 4096):
            pages[va] = attrs
    return pages


def _runs(pages):
    """Maximal runs of consecutive pages with equal attributes: [(start, end, attrs)]."""
    runs = []
    for va in sorted(pages):
        if runs and runs[-1][1] == va and runs[-1][2] == pages[va]:
            runs[-1][1] = va + 4096
        else:
            runs.append([va, va + 4096, pages[va]])
    return runs


def ptdump_differences(ours, kernels):
    """How ptwalk's ptdump text (lines) differs from the kernel's own: a list of
    problems, empty when they agree.

    Every section (the lines after a ---[ marker ]---) must be equal line for
    line, but for the vmalloc() Area: the guest printed its text from a `sed`
    running on a vmap stack and then went on (the probe forked, sed exited)
    before it panicked, so a stack or two may be mapped in one and not in the
    other.  There the mapped pages must be the same, except for at most
    _MAX_STACKS whole 16 KiB vmap stacks (_VMAP_STACKS)."""
    problems = []
    a, b = _sections(ours), _sections(kernels)
    if [m for m, _ in a] != [m for m, _ in b]:
        return [f"markers differ: ours {[m for m, _ in a]}, the kernel's {[m for m, _ in b]}"]
    for (marker, mine), (_, theirs) in zip(a, b):
        if mine == theirs:
            continue
        if marker not in _VMALLOC_MARKERS:
            for i, (x, y) in enumerate(zip(mine + [""] * len(theirs), theirs + [""] * len(mine))):
                if x != y:
                    problems.append(f"{marker} line {i + 1}: ours {x!r}, the kernel's {y!r}")
                    break
            continue
        pm, pt = _mapped_pages(mine), _mapped_pages(theirs)
        for va in sorted(pm.keys() & pt.keys()):
            if pm[va] != pt[va]:
                problems.append(f"vmalloc() Area: page {va:#x} is {pm[va]!r} in ours, "
                                f"{pt[va]!r} in the kernel's")
                break
        only = {va: pm[va] for va in pm.keys() - pt.keys()}
        only.update({va: pt[va] for va in pt.keys() - pm.keys()})
        stacks = _runs(only)
        for start, end, attrs in stacks:
            if (end - start, attrs) not in _VMAP_STACKS:
                problems.append(f"vmalloc() Area: {start:#x}-{end:#x} {attrs} is mapped in "
                                f"{'ours' if start in pm else 'the kernel'}'s text only")
        if len(stacks) > _MAX_STACKS:
            problems.append(f"vmalloc() Area: {len(stacks)} vmap stacks differ")
    return problems


def sanitizer_env():
    """With PTWALK_SANITIZE=1, crash runs an ASan/UBSan-built ptwalk.so.

    crash itself is not instrumented, so the runtimes are preloaded.  Three
    interceptor reports are crash's own, not ours, and are switched off:
    strstr/strchr/strlen/strcmp/memcmp over-reads in crash 8.0.2's
    x86_64_init() and gdb's malloc/delete mismatch (seen here with ASan)."""
    if os.environ.get("PTWALK_SANITIZE") != "1":
        return None
    gcc = lambda lib: subprocess.run(["gcc", f"-print-file-name={lib}"], text=True,
                                     stdout=subprocess.PIPE).stdout.strip()
    env = dict(os.environ)
    env["LD_PRELOAD"] = gcc("libasan.so") + ":" + gcc("libubsan.so")
    env["ASAN_OPTIONS"] = ("detect_leaks=0:halt_on_error=1:alloc_dealloc_mismatch=0:"
                           "intercept_strstr=0:intercept_strchr=0:intercept_strlen=0:"
                           "intercept_strcmp=0:intercept_memcmp=0")
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env


class SanitizerReport(Exception):
    pass


class Session:
    """One batch of crash commands against one dump."""

    def __init__(self, dump_dir, so_path, vmlinux=None, vmcore=None, extra_args=()):
        self.dump_dir = dump_dir
        self.so = so_path
        self.vmlinux = vmlinux or os.path.join(dump_dir, "vmlinux")
        self.vmcore = vmcore or os.path.join(dump_dir, "vmcore")
        self.extra_args = list(extra_args)
        self.tmp = tempfile.mkdtemp(dir=_TMP_ROOT)
        self.cmds = []
        self.outputs = {}

    def add(self, name, command):
        """Queue a command; its output is read back with out(name)."""
        # Numbered files: crash's gdb pass-through chokes on some file names.
        path = os.path.join(self.tmp, "out%d" % len(self.outputs))
        self.cmds.append(f"{command} > {path}")
        self.outputs[name] = path

    def run(self, timeout=1200):
        script = os.path.join(self.tmp, "commands")
        with open(script, "w") as f:
            f.write(f"extend {self.so}\n")
            for c in self.cmds:
                f.write(c + "\n")
            f.write("quit\n")
        env = sanitizer_env()
        p = subprocess.run(
            [CRASH, "-s", *self.extra_args, self.vmlinux, self.vmcore, "-i", script],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=timeout, text=True, errors="replace", env=env)
        self.console = p.stdout
        self.returncode = p.returncode
        if env and ("ERROR: AddressSanitizer" in p.stdout or "runtime error:" in p.stdout):
            raise SanitizerReport(p.stdout[-3000:])
        return self

    def out(self, name):
        try:
            with open(self.outputs[name], errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


PAGE_SIZES = {"": 4096, "(2MB)": 2 << 20, "(1GB)": 1 << 30}


def parse_vtop(text):
    """{va: pa or None} from crash's `vtop addr...` output.

    crash's summary line takes a shortcut for addresses above
    __START_KERNEL_map (va - __START_KERNEL_map + phys_base), which is wrong
    for the fixmap; its own page-table walk ("PAGE: ...") is not, so the
    walk wins when crash printed one."""
    result = {}
    va = None
    for line in text.splitlines():
        if line.startswith("VIRTUAL") and "PHYSICAL" in line:
            va = None
            continue
        parts = line.split()
        if va is None and parts and re.fullmatch(r"[0-9a-f]+", parts[0]) and len(parts[0]) > 8:
            va = int(parts[0], 16)
            ok = len(parts) >= 2 and re.fullmatch(r"[0-9a-f]+", parts[1])
            result[va] = int(parts[1], 16) if ok else None
            continue
        m = re.match(r"\s*PAGE:\s+([0-9a-f]+)\s*(\(\d[MG]B\))?\s*$", line)
        if m and va is not None:
            size = PAGE_SIZES[m.group(2) or ""]
            result[va] = int(m.group(1), 16) + (va & (size - 1))
    return result


def jsonl(text):
    """The JSON records of a command's output (crash's own lines left out)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def sample_mapped(ranges, n, seed, by_size=True):
    """n addresses from the present ranges of `ptdump -j` range records: every
    range once (up to n/2 of them), then ranges chosen by size (by_size) or
    each alike; with the physical address ptdump gives each.  Returns (sorted
    addresses, {va: pa})."""
    present = [r for r in ranges if r["present"] and "pa_start" in r]
    spans = [(int(r["va_start"], 16), int(r["va_end"], 16), int(r["pa_start"], 16))
             for r in present]
    rng = random.Random(seed)
    chosen = set()
    for lo, hi, _ in spans[:n // 2]:
        chosen.add(lo + rng.randrange(0, hi - lo) // 8 * 8)
    weights = [max(1, (hi - lo) >> 12) for lo, hi, _ in spans]
    while len(chosen) < n and spans:
        lo, hi, _ = rng.choices(spans, weights=weights)[0] if by_size else rng.choice(spans)
        chosen.add(lo + rng.randrange(0, hi - lo) // 8 * 8)
    samples = sorted(chosen)
    expect = {}
    for va in samples:
        for lo, hi, pa in spans:
            if lo <= va < hi:
                expect[va] = pa + (va - lo)
                break
    return samples, expect


def walk_and_vtop(s, samples, vtop="vtop", parse=parse_vtop):
    """`ptwalk -j -k` and crash's own `vtop` (the command given, its output
    read by `parse`) of every address in session s: ({va: ptwalk record},
    {va: vtop's pa or None})."""
    chunk = 50  # crash's command line holds 1500 characters
    for i in range(0, len(samples), chunk):
        part = " ".join("%x" % va for va in samples[i:i + chunk])
        s.add(f"walk{i}", f"ptwalk -j -k {part}")
        s.add(f"vtop{i}", f"{vtop} {part}")
    s.run()
    walk, vt = {}, {}
    for i in range(0, len(samples), chunk):
        for rec in jsonl(s.out(f"walk{i}")):
            walk[int(rec["va"], 16)] = rec
        vt.update(parse(s.out(f"vtop{i}")))
    return walk, vt


def parse_p(text):
    """The value of crash's `p/x sym` output: '$1 = 0x...'."""
    m = re.search(r"=\s*(0x[0-9a-f]+)", text)
    return int(m.group(1), 16) if m else None


def help_m(text):
    """{name: value} of crash's `help -m` lines "  name: digits", the digits
    read as hex, as crash prints addresses (decimal fields such as VA_BITS
    come out wrong: tests read those from the text)."""
    vals = {}
    for line in text.splitlines():
        m = re.match(r"\s*([A-Za-z_]+):\s+([0-9a-f]+)\s*$", line)
        if m:
            vals[m.group(1)] = int(m.group(2), 16)
    return vals


def parse_rd_bytes(text):
    """Bytes from `rd -p -8 addr count` output."""
    data = bytearray()
    for line in text.splitlines():
        m = re.match(r"\s*[0-9a-f]+:\s+((?:[0-9a-f]{2}\s+)+)", line)
        if m:
            data.extend(int(b, 16) for b in m.group(1).split())
    return bytes(data)
