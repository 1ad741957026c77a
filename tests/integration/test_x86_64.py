# SPDX-License-Identifier: GPL-2.0-or-later
"""ptwalk and ptdump on real x86_64 vmcores, checked against what we did not
compute: the guest's own answer key, crash's vtop/rd/p/help -m."""
import json
import os
import re

from crashrun import (KERNEL_PTDUMP_SCENARIOS, Session, answer_key, help_m, jsonl, kernel_ptdump, parse_p,
                      parse_rd_bytes, ptdump_differences, sample_mapped, walk_and_vtop)

SAMPLES = 1000
START_KERNEL_MAP = 0xffffffff80000000


def ptdump_text_output(which):
    """The session output with our text for one of the kernel's texts
    (KERNEL_PTDUMP_SCENARIOS)."""
    return "ptdump_txt" if which == "kernel" else f"ptdump_{which}_txt"


class X86Dump:
    """Everything the tests need from one dump, gathered in two crash runs."""

    def __init__(self, dump_dir, so):
        self.dir = dump_dir
        self.key = answer_key(dump_dir)
        s = Session(dump_dir, so)
        # gdb's "p" can fail after some other commands here: ask it first.
        for sym in ("page_offset_base", "vmalloc_base", "vmemmap_base"):
            s.add("p_" + sym, f"p/x {sym}")
        s.add("pti_word", "p/x boot_cpu_data.x86_capability[7]")
        s.add("tss", "p cpu_tss_rw")
        s.add("ptdump_j", "ptdump -p -j")
        s.add("ptdump_txt", "ptdump")
        s.add("ptdump_user", "ptdump -u -j")
        # Ours for each text the guest's kernel printed itself (ptdump_txt is
        # init_mm's; the task's pid is in the key).
        task = self.key.get("ptdump_task.pid")
        commands = {"user": "ptdump -u", "task": f"ptdump -c {task}",
                    "task_user": f"ptdump -c {task} -u"}
        for which in KERNEL_PTDUMP_SCENARIOS.get(os.path.basename(dump_dir), ()):
            if which in commands:
                s.add(ptdump_text_output(which), commands[which])
        s.add("help_m", "help -m")
        pid = self.key["pid"]
        pages = self.key["pages"].split()
        self.pages = pages
        vas = " ".join(self.key[f"page.{p}.va"] for p in pages)
        s.add("user_walk", f"ptwalk -j -c {pid} {vas}")
        for p in pages:
            if self.key.get(f"page.{p}.present") == "1":
                s.add(f"rd_{p}", f"rd -p -8 {self.key[f'page.{p}.phys']} 64")
        present = [p for p in pages if self.key.get(f"page.{p}.present") == "1"]
        self.pfn_pages = present
        pfns = " ".join(self.key[f"page.{p}.pfn"] for p in present)
        s.add("pfninfo", f"pfninfo -j {pfns} 100000000")
        for p in present:
            s.add(f"kmem_{p}", f"kmem -p {self.key[f'page.{p}.phys']}")
        s.add("pgmap", "pgmap")
        s.add("check_kernel", "ptdump -C -j")
        s.add("check_user", f"ptdump -C -j -c {pid}")
        s.add("log", "log")
        s.add("triage", "pttriage -j")
        # Bad input: each must be one line, and the session must go on.
        s.add("bad_hex", "ptwalk zzz")
        s.add("bad_canon", "ptwalk 8000000000000000")
        s.add("bad_pid", "ptwalk -c 99999 1000")
        s.add("bad_task", "ptdump -c 0xffffffffffff0000")
        s.add("bad_range", "ptdump -r 5000-1000")
        s.add("kthread", "ptdump -c 2")
        s.add("after_bad", "rd -x page_offset_base")
        # With -j, bad arguments are records too (crash copies error lines into a redirection).
        s.add("json_bad_args", "ptwalk -j -k jiffies zzz 8000000000000000")
        s.add("json_bad_pfns", "pfninfo -j zz 1000 10000000000000")
        s.add("jiffies", "sym jiffies")
        s.run()
        self.s1 = s
        self.ranges = [r for r in jsonl(s.out("ptdump_j")) if r.get("type") == "range"]
        self.markers = {r["name"]: int(r["va"], 16)
                        for r in jsonl(s.out("ptdump_j")) if r.get("type") == "marker"}
        self.sample_and_compare(so)

    def sample_and_compare(self, so):
        self.samples, self.expect = sample_mapped(self.ranges, SAMPLES, 20191105)
        self.walk, self.vtop = walk_and_vtop(Session(self.dir, so), self.samples)


def check_paging_mode(d):
    levels = d.key.get("guest_paging_levels") or d.key["paging_levels"]
    formats = {rec["format"] for rec in d.walk.values()}
    assert formats == {f"x86_64-{levels}level"}, formats


def check_markers_match_crash(d):
    m = d.markers
    hm = help_m(d.s1.out("help_m"))
    for sym, marker in (("page_offset_base", "Low Kernel Mapping"),
                        ("vmalloc_base", "vmalloc() Area"),
                        ("vmemmap_base", "Vmemmap")):
        val = parse_p(d.s1.out("p_" + sym))
        assert val is not None, f"crash printed no value for {sym}"
        assert m[marker] == val, f"{marker} {m[marker]:#x} != {sym} {val:#x}"
    # crash's own machine-dependent layout (help -m), computed by crash itself.
    assert m["Low Kernel Mapping"] == hm["page_offset"]
    assert m["vmalloc() Area"] == hm["vmalloc_start_addr"]
    assert m["Vmemmap"] == hm["vmemmap_vaddr"]
    assert m["Modules"] == hm["modules_vaddr"]
    assert m["End Modules"] == hm["modules_end"]
    assert m["CPU entry Area"] == hm["cpu_entry_area_start"]
    assert m["High Kernel Mapping"] == START_KERNEL_MAP


def check_sampled_addresses_match_vtop(d):
    assert len(d.samples) >= SAMPLES, f"only {len(d.samples)} samples"
    bad = []
    for va in d.samples:
        rec = d.walk.get(va)
        vt = d.vtop.get(va)
        if not rec or rec["status"] != "mapped" or vt is None:
            bad.append(f"{va:#x}: ptwalk {rec and rec['status']} vtop {vt}")
            continue
        pa = int(rec["pa"], 16)
        if pa != vt or pa != d.expect[va]:
            bad.append(f"{va:#x}: ptwalk {pa:#x} ptdump {d.expect[va]:#x} vtop {vt:#x}")
    assert not bad, f"{len(bad)} mismatches, first: {bad[:5]}"
    # The sample spans the kernel's regions, not just the direct map.
    regions = {"Low Kernel Mapping", "vmalloc() Area", "Vmemmap", "High Kernel Mapping",
               "Modules", "CPU entry Area"}
    covered = set()
    names = sorted(d.markers.items(), key=lambda kv: kv[1])
    for va in d.samples:
        name = [n for n, start in names if start <= va][-1]
        covered.add(name)
    assert regions <= covered, f"no sample in {regions - covered}"


def check_direct_map_covers_ram(d):
    pob = d.markers["Low Kernel Mapping"]
    present = sorted((int(r["va_start"], 16), int(r["va_end"], 16), int(r["pa_start"], 16))
                     for r in d.ranges if r["present"])
    n = int(d.key["iomem.ram.count"])
    assert n > 0
    for i in range(n):
        lo, hi = (int(x, 16) for x in d.key[f"iomem.ram.{i}"].split("-"))
        # Page-granular: the kernel maps whole pages of each RAM range.
        va, end = pob + (lo & ~0xfff), pob + hi + 1
        while va < end:
            hit = [r for r in present if r[0] <= va < r[1]]
            assert hit, f"RAM {lo:#x}-{hi:#x}: direct map hole at {va:#x}"
            r = hit[0]
            assert r[2] + (va - r[0]) == va - pob, f"direct map at {va:#x} is not identity"
            va = r[1]


def marker_span(d, name):
    """[start, end) of a ptdump marker's region: up to the next marker."""
    lo = d.markers[name]
    return lo, min((va for va in d.markers.values() if va > lo), default=1 << 64)


def check_direct_map_page_sizes_match_meminfo(d):
    """The direct map's present bytes per page size in ptdump against the
    kernel's own count, /proc/meminfo DirectMap4k/2M/1G, printed by the guest.
    That count also moves when a 2M page of the kernel image's high mapping is
    split (__split_large_page() counts any address virt_addr_valid() accepts,
    and the image's are), so each 2M block of that mapping held in 4K entries
    moves 2M from the 2M count to the 4K count (with PSE; without it the image
    was mapped 4K from the start and nothing was split)."""
    if "meminfo.directmap4k_kb" not in d.key:
        return "skip"  # a dump made before the probe printed them
    lo, hi = marker_span(d, "Low Kernel Mapping")
    got = {"pte": 0, "pmd": 0, "pud": 0}
    for r in d.ranges:
        start, end = int(r["va_start"], 16), int(r["va_end"], 16)
        if r["present"] and lo <= start and end <= hi:
            assert r["level"] in got, r
            got[r["level"]] += end - start
    no_pse = d.key.get("cpuinfo_pse") == "0"
    klo, khi = marker_span(d, "High Kernel Mapping")
    split = set()
    # Without PSE the image was never mapped in 2M pages: nothing was split.
    for r in () if no_pse else d.ranges:
        start, end = int(r["va_start"], 16), int(r["va_end"], 16)
        if r["level"] == "pte" and klo <= start < khi:
            split.update(range(start >> 21, ((end - 1) >> 21) + 1))
    got["pte"] += len(split) << 21
    got["pmd"] -= len(split) << 21
    for level, size in (("pte", "4k"), ("pmd", "2m"), ("pud", "1g")):
        want = int(d.key.get(f"meminfo.directmap{size}_kb", "0")) * 1024
        assert got[level] == want, (f"direct map in {size.upper()} pages, with the {len(split)} "
                                    f"split 2M blocks of the kernel image: ptdump {got[level]:#x}, "
                                    f"meminfo {want:#x} ({got})")
    if no_pse:
        # No PSE: the memmap is in base pages too (vmemmap_populate_basepages()).
        vlo, vhi = marker_span(d, "Vmemmap")
        levels = {r["level"] for r in d.ranges
                  if r["present"] and vlo <= int(r["va_start"], 16) < vhi}
        assert levels == {"pte"}, levels


def check_user_pages_match_answer_key(d):
    walks = {int(r["va"], 16): r for r in jsonl(d.s1.out("user_walk"))}
    checked = 0
    for p in d.pages:
        va = int(d.key[f"page.{p}.va"], 16)
        rec = walks.get(va)
        assert rec, f"no ptwalk record for {p}"
        assert rec["pid"] == int(d.key["pid"])
        if d.key[f"page.{p}.present"] != "1":
            assert rec["status"] == "not-present", (p, rec["status"])
            continue
        phys = int(d.key[f"page.{p}.phys"], 16)
        prot = d.key[f"page.{p}.prot"]
        if prot == "---":
            # PROT_NONE: the hardware entry is not present, yet still holds the
            # pfn, inverted since the L1TF fix (pgtable-invert.h).
            leaf = rec["levels"][-1]
            assert rec["status"] == "not-present", (p, rec)
            assert ~int(leaf["entry"], 16) & 0x000ffffffffff000 == phys, (p, leaf)
            assert int(leaf["addr"], 16) == phys and "PROT_NONE" in rec["reason"], (p, rec)
        else:
            assert rec["status"] == "mapped", (p, rec)
            assert int(rec["pa"], 16) == phys, (p, rec["pa"], hex(phys))
            leaf = rec["levels"][-1]["flags"]
            assert "USER" in leaf, (p, leaf)
            assert ("RW" in leaf) == (prot[1] == "w" and d.key[f"page.{p}.pattern"] != "zero"), (p, leaf)
        if p.startswith("huge") and d.key.get("region.huge.thp") == "1":
            assert rec["page_size"] == 2 << 20, (p, rec["page_size"])
        if d.key[f"page.{p}.pattern"] == "text":
            got = parse_rd_bytes(d.s1.out(f"rd_{p}"))
            want = (d.key[f"page.{p}.header"] + "\n").encode()
            want += bytes([int(d.key[f"page.{p}.fill"], 16)]) * (64 - len(want))
            assert got == want, (p, got, want)
        checked += 1
    assert checked >= 10, checked


TEXT_LINE = re.compile(
    r"^0x[0-9a-f]{16}-0x[0-9a-f]{16}   [ 0-9]{8,}\d[BKMGTPE] "
    r"(?: {30}|(?:USR |    )(?:RW |ro )(?:PWT |    )(?:PCD |    )(?:PSE |    )"
    r"(?:PAT |    )(?:GLB |    )(?:NX |x  ))(?:pgd|p4d|pud|pmd|pte)$")


def check_ptdump_text_is_kernel_format(d):
    lines = d.s1.out("ptdump_txt").splitlines()
    assert lines[0] == "---[ User Space ]---", lines[0]
    prev_end = None
    ranges = 0
    for line in lines:
        if line.startswith("---[ ") or line.startswith("... "):
            continue
        assert TEXT_LINE.match(line), f"not kernel ptdump format: {line!r}"
        start, end = (int(x, 16) for x in line[:37].split("-"))
        if prev_end is not None and not line.startswith("0xfffffe"):
            # Ranges follow each other, except where ESPfix lines were skipped.
            assert start == prev_end or d.markers.get("ESPfix Area", 0) <= start, line
        prev_end = end
        ranges += 1
    assert ranges > 50
    assert lines[-1].split()[0].endswith("-0x0000000000000000")


def check_ptdump_equals_the_kernels_own(d):
    """ptdump, ptdump -u, ptdump -c and ptdump -c -u against the text the guest's
    kernel printed itself (ptdump_walk_pgd_level_debugfs(), what debugfs
    page_tables/kernel, current_kernel and current_user show)."""
    name = os.path.basename(d.dir)
    if name not in KERNEL_PTDUMP_SCENARIOS:
        return "skip"
    for which in KERNEL_PTDUMP_SCENARIOS[name]:
        want = kernel_ptdump(d.dir, which)
        assert len(want) > 20, f"the serial log holds no kernel ptdump ({which}): {len(want)} lines"
        problems = ptdump_differences(d.s1.out(ptdump_text_output(which)).splitlines(), want)
        assert not problems, f"{which}: " + "; ".join(problems[:5])


def check_bad_input_is_one_line(d):
    for name, word in (("bad_hex", "invalid address"), ("bad_canon", "not a canonical"),
                       ("bad_pid", "no task with pid 99999"),
                       ("bad_task", "no task with address"),
                       ("bad_range", "invalid range"), ("kthread", "kernel thread")):
        out = d.s1.out(name).strip()
        assert out.count("\n") == 0 and word in out, (name, out)
        assert out.startswith(("ptwalk: ", "ptdump: ")), (name, out)
    # The session still answers: crash's rd reads page_offset_base.
    assert "%x" % d.markers["Low Kernel Mapping"] in d.s1.out("after_bad"), d.s1.out("after_bad")
    assert "Segmentation" not in d.s1.console


def check_json_output_is_json_lines(d):
    """Every line of -j output is a JSON object, bad arguments included: each
    gets {"arg", "error"} in argument order, between the good records."""
    walk = [json.loads(line) for line in d.s1.out("json_bad_args").splitlines()]
    assert [r.get("arg") for r in walk] == [None, "zzz", "8000000000000000"], walk
    jiffies = int(d.s1.out("jiffies").split()[0], 16)
    assert int(walk[0]["va"], 16) == jiffies and walk[0]["status"] == "mapped", walk[0]
    assert "invalid address" in walk[1]["error"], walk[1]
    assert "not a canonical address" in walk[2]["error"], walk[2]
    pfns = [json.loads(line) for line in d.s1.out("json_bad_pfns").splitlines()]
    assert [r.get("arg") for r in pfns] == ["zz", None, "10000000000000"], pfns
    assert "invalid number" in pfns[0]["error"] and int(pfns[1]["pfn"], 16) == 0x1000, pfns
    assert "beyond any physical address" in pfns[2]["error"], pfns[2]


def check_pti_user_copy(d):
    word = parse_p(d.s1.out("pti_word"))
    user = [r for r in jsonl(d.s1.out("ptdump_user")) if r.get("type") == "range"]
    if word is None or not (word >> 11) & 1:
        assert "no separate user copy" in d.s1.out("ptdump_user")
        return
    pob, vmalloc = d.markers["Low Kernel Mapping"], d.markers["vmalloc() Area"]
    cea = d.markers["CPU entry Area"]
    present = [(int(r["va_start"], 16), int(r["va_end"], 16)) for r in user if r["present"]]
    # What PTI is for: user mode sees the entry area, and of the direct map
    # only each CPU's cpu_tss_rw page (pti_clone_user_shared() in 6.1's
    # arch/x86/mm/pti.c); crash's "p cpu_tss_rw" lists their addresses.
    tss = {int(a, 16) & ~0xfff for a in re.findall(r"\[\d+\]: ([0-9a-f]+)", d.s1.out("tss"))}
    assert tss, d.s1.out("tss")
    dmap = set()
    for lo, hi in present:
        if lo < vmalloc and hi > pob:
            dmap.update(range(max(lo, pob), min(hi, vmalloc), 4096))
    assert dmap == tss, ([hex(x) for x in sorted(dmap)][:8], [hex(x) for x in sorted(tss)])
    assert [r for r in present if cea <= r[0] < cea + (1 << 39)], "no cpu entry area in user copy"


def check_pfninfo_matches_kmem(d):
    recs = jsonl(d.s1.out("pfninfo"))
    assert len(recs) == len(d.pfn_pages) + 1, len(recs)
    for p, rec in zip(d.pfn_pages, recs):
        assert int(rec["pfn"], 16) == int(d.key[f"page.{p}.pfn"], 16)
        assert rec["memmap"] == "online", (p, rec)
        assert rec["present"] and rec["online"] and rec["has_memmap"], (p, rec)
        # crash's own kmem -p finds the same struct page for the physical address.
        kmem = d.s1.out(f"kmem_{p}").splitlines()
        row = [line.split() for line in kmem if line[:1] in "0123456789abcdef" and line.strip()]
        assert row and int(row[0][0], 16) == int(rec["page"], 16), (p, kmem, rec["page"])
        assert int(row[0][1], 16) == int(d.key[f"page.{p}.phys"], 16)
    # A pfn far beyond this 512 MB guest: no memmap.
    assert recs[-1]["memmap"] == "absent", recs[-1]
    assert "no dev_pagemap" in d.s1.out("pgmap")


def check_integrity_of_healthy_dump(d):
    """No anomalies in a healthy kernel; W+X agrees with the kernel's own DEBUG_WX."""
    for name in ("check_kernel", "check_user"):
        recs = jsonl(d.s1.out(name))
        summary = [r for r in recs if r.get("type") == "summary"]
        anomalies = [r for r in recs if r.get("type") == "anomaly"]
        assert len(summary) == 1, (name, summary)
        assert summary[0]["tables_checked"] > 20, summary
        assert not anomalies, (name, anomalies[:3])
    log = d.s1.out("log")
    assert "Checked W+X mappings: passed" in log, "kernel's DEBUG_WX verdict not in the log"
    kernel = [r for r in jsonl(d.s1.out("check_kernel")) if r.get("type") == "summary"][0]
    assert kernel["wx_pages"] == 0


def check_triage_of_sysrq_panic(d):
    t = jsonl(d.s1.out("triage"))[0]
    # The guest panicked through sysrq-c: crash's log has the panic line.
    assert "sysrq triggered crash" in t["panic"], t
    assert "fault" not in t, t
    assert t["panic"] in d.s1.out("log")


CHECKS = [check_paging_mode, check_markers_match_crash, check_sampled_addresses_match_vtop,
          check_direct_map_covers_ram, check_direct_map_page_sizes_match_meminfo,
          check_user_pages_match_answer_key,
          check_ptdump_text_is_kernel_format, check_ptdump_equals_the_kernels_own,
          check_bad_input_is_one_line,
          check_pti_user_copy, check_json_output_is_json_lines, check_pfninfo_matches_kmem, check_integrity_of_healthy_dump,
          check_triage_of_sysrq_panic]

SUITES = [(r"x86_64-([45]level|pti|4k-directmap(-elf)?)", X86Dump, CHECKS)]
