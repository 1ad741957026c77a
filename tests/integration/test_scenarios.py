# SPDX-License-Identifier: GPL-2.0-or-later
"""ZONE_DEVICE and page-table integrity scenarios (issues 3 and 4), each
checked against the answer key its guest printed (the module's own reading
of the pgmap, the pfns it poisoned, the table it freed, the entry it
invalidated) and against crash's own commands (struct, rd -p)."""
import os
import re

from crashrun import Session, answer_key, jsonl


def h(v):
    return int(v, 16)


class Scenario:
    """One crash session per scenario, with the commands its checks need."""

    def __init__(self, dump_dir, so):
        self.name = os.path.basename(dump_dir)
        self.key = k = answer_key(dump_dir)
        s = Session(dump_dir, so)
        if "pgmap.address" in k:
            s.add("pgmap", "pgmap -j")
            s.add("struct", f"struct dev_pagemap {k['pgmap.address']} -x")
            pfns = [k[f"pgmap.page.{r}.pfn"] for r in ("first", "altmap_memmap", "device")
                    if f"pgmap.page.{r}.pfn" in k]
            self.pfn_regions = [r for r in ("first", "altmap_memmap", "device")
                                if f"pgmap.page.{r}.pfn" in k]
            s.add("pfninfo", "pfninfo -j " + " ".join(pfns))
        if "kdump.pmem_device_struct_page.in_dump" in k:
            # pmem in a kdump: what the text commands say about its memmap.
            s.add("pgmap_text", "pgmap")
            s.add("pfninfo_text", f"pfninfo {k['pgmap.page.first.pfn']} {k['pgmap.page.device.pfn']}")
            s.add("triage_text", "pttriage")
        if "poison.expected_fault" in k:
            s.add("triage", "pttriage -j")
            s.add("poison_pfninfo", "pfninfo -j " + k["poison.pfns"])
        if "stale.table.pfn" in k:
            s.add("check", "ptdump -C -j")
            s.add("walk", f"ptwalk -j {k['stale.va_start']}")
            s.add("rd_pmd", f"rd -p -64 {k['stale.pmd.entry_phys']} 1")
        if "dmap.va" in k:
            s.add("walk", f"ptwalk -j {k['dmap.va']}")
            s.add("triage", "pttriage -j")
            s.add("rd_pte", f"rd -p -64 {k['dmap.after.leaf_entry_phys']} 1")
        if "hotremove.start_pfn" in k:
            s.add("pfninfo", f"pfninfo -j {k['hotremove.start_pfn']} {k['hotremove.end_pfn']}")
            s.add("check", "ptdump -C -j")
        s.add("next", "rd -x jiffies")
        s.run()
        self.s = s

    def out(self, name):
        return self.s.out(name)


def check_pgmap_matches_key_and_crash(d):
    k = d.key
    if "pgmap.address" not in k:
        return "skip"
    recs = [r for r in jsonl(d.out("pgmap")) if h(r["pgmap"]) == h(k["pgmap.address"])]
    assert recs, (k["pgmap.address"], d.out("pgmap")[:500])
    r = recs[0]
    assert r["type_value"] == int(k["pgmap.type"]) and r.get("type") == k["pgmap.type_name"], r
    assert h(r["flags"]) == h(k["pgmap.flags"]), r
    assert h(r["range_start"]) == h(k["pgmap.range.start"]), r
    assert h(r["range_end"]) == h(k["pgmap.range.end"]), r
    if k.get("pgmap.altmap.valid") == "1":
        a = r["altmap"]
        assert a is not None, r
        for f in ("base_pfn", "end_pfn"):
            assert h(a[f]) == h(k[f"pgmap.altmap.{f}"]), (f, a)
        for f in ("reserve", "free", "align", "alloc"):
            assert a[f] == int(k[f"pgmap.altmap.{f}"]), (f, a)
        # crash's own reading of the structure agrees too.
        st = d.out("struct")
        m = re.search(r"base_pfn = (0x[0-9a-f]+)", st)
        assert m and h(m.group(1)) == h(a["base_pfn"]), st[:400]
        # The regions the module computed from 6.1's rules (end exclusive):
        # the reserve, the altmap's free space as a whole, the device pages,
        # and inside the free space the pfns the memmap really occupies.
        regions = {x["kind"]: (h(x["pfn_start"]), h(x["pfn_end"])) for x in r["regions"]}
        lo, hi = (h(x) for x in k["pgmap.region.uninitialized"].split("-"))
        assert regions.get("uninitialized") == ((lo, hi) if hi > lo else None), regions
        lo, hi = (h(x) for x in k["pgmap.region.device"].split("-"))
        assert regions.get("device") == (lo, hi), regions
        lo, hi = (h(x) for x in k["pgmap.region.altmap_memmap"].split("-"))
        free = [v for kind, v in regions.items() if kind.startswith("altmap-")]
        assert (min(v[0] for v in free), max(v[1] for v in free)) == (lo, hi), (regions, lo, hi)
        lo, hi = (h(x) for x in k["pgmap.altmap.memmap_pfns"].split("-"))
        assert regions.get("altmap-memmap") == ((lo, hi) if hi > lo else None), (regions, lo, hi)
    else:
        assert r["altmap"] is None, r


def check_pfninfo_verdicts(d):
    k = d.key
    if "pgmap.address" not in k:
        return "skip"
    recs = jsonl(d.out("pfninfo"))
    assert len(recs) == len(d.pfn_regions), recs
    # The key's "altmap_memmap" page is the first of the altmap's free space:
    # the memmap itself starts after the alignment padding (memmap_pfns).
    memmap_lo, memmap_hi = (h(x) for x in k.get("pgmap.altmap.memmap_pfns", "0x0-0x0").split("-"))
    first_free = h(k["pgmap.page.altmap_memmap.pfn"]) if "pgmap.page.altmap_memmap.pfn" in k else 0
    want = {"first": "uninitialized" if int(k.get("pgmap.altmap.reserve", "0")) else None,
            "altmap_memmap": "altmap-memmap" if memmap_lo <= first_free < memmap_hi
            else "altmap-reserved", "device": "device"}
    # A kdump without the pmem (crash's rd of the struct pages said so,
    # kdump.pmem_*_struct_page.in_dump=0): the memmap on the device is not in
    # the dump; pfninfo must say so and where it lives, not guess its contents.
    absent = k.get("kdump.pmem_device_struct_page.in_dump") == "0"
    for region, rec in zip(d.pfn_regions, recs):
        assert h(rec["pfn"]) == h(k[f"pgmap.page.{region}.pfn"])
        # The struct page address the module printed (pfn_to_page()).
        assert h(rec["page"]) == h(k[f"pgmap.page.{region}.addr"]), (region, rec)
        if absent:
            assert rec["page_in_dump"] is False and "raw" not in rec, (region, rec)
            assert rec["page_missing"] == "not-in-dump", rec
            # Its physical address as the module printed it, on the device itself.
            assert h(rec["page_pa"]) == h(k[f"pgmap.page.{region}.phys"]), (region, rec)
            assert rec["page_on_device"] is (k.get("pgmap.altmap.valid") == "1"), rec
            if region != "first":
                want[region] = "unreadable"
        else:
            assert rec["page_in_dump"] is True, (region, rec)
        if want[region]:
            assert rec["memmap"] == want[region], (region, rec)
        if region == "device":
            assert h(rec["pgmap"]) == h(k["pgmap.address"]), rec


def check_poisoned_memmap_triage(d):
    k = d.key
    if "poison.expected_fault" not in k:
        return "skip"
    t = jsonl(d.out("triage"))[0]
    assert h(t["fault"]["value"]) == h(k["poison.expected_fault"]), t["fault"]
    assert t["fault"]["class"] == "poison-compound-head", t["fault"]
    pages = [r for r in t["registers"] if r["class"] == "struct-page"
             and h(r["pfn"]) == h(k["poison.read.pfn"])]
    assert pages and pages[0]["memmap"] == "uninitialized", t["registers"]
    assert h(pages[0]["pgmap"]) == h(k["poison.pgmap"]), pages
    assert "0x" not in t["verdict"] or True
    v = t["verdict"]
    assert "never-initialized" in v and ("%x" % h(k["poison.read.pfn"])) in v, v
    assert ("%x" % h(k["poison.pgmap"])) in v, v
    if k.get("kdump.pmem_first_struct_page.in_dump") == "0":
        # The poisoned struct pages live on the device, which the kdump lacks:
        # the verdict still names them (from the registers and the pgmap) and
        # says their contents are not in the dump.
        assert pages[0]["page_in_dump"] is False, pages
        assert "its contents not in the dump (memmap on the device)" in v, v
        for rec in jsonl(d.out("poison_pfninfo")):
            assert rec["memmap"] == "uninitialized" and "poison" not in rec, rec
            assert rec["page_in_dump"] is False and rec["page_on_device"] is True, rec
        return
    assert pages[0]["page_in_dump"] is True and "not in the dump" not in v, (pages, v)
    for rec in jsonl(d.out("poison_pfninfo")):
        assert rec["memmap"] == "uninitialized" and rec["poison"].startswith("all 0xff"), rec


def check_pmem_memmap_absent_from_kdump(d):
    """pgmap, pfninfo and pttriage each say in one line whether the pmem's
    struct pages are in the dump, as crash's own rd found (host keys)."""
    k = d.key
    if "kdump.pmem_device_struct_page.in_dump" not in k:
        return "skip"
    absent = k["kdump.pmem_device_struct_page.in_dump"] == "0"
    dev_page, dev_pfn = h(k["pgmap.page.device.addr"]), h(k["pgmap.page.device.pfn"])
    line = [x for x in d.out("pgmap_text").splitlines() if x.strip().startswith("in dump")]
    assert len(line) == 1, d.out("pgmap_text")
    if absent:
        assert (f"struct pages: NO, not in the dump (struct page {dev_page:x} of pfn {dev_pfn:x}, "
                "on the device") in line[0], line
    else:
        assert "struct pages: yes" in line[0], line
    data_absent = k.get("kdump.pmem_data.in_dump") == "0"
    assert line[0].endswith("device data: NO, not in the dump" if data_absent
                            else "device data: yes"), line
    text = d.out("pfninfo_text")
    for region in ("first", "device"):
        want = (f"struct page {h(k[f'pgmap.page.{region}.addr']):x}: not in the dump "
                f"(PA {h(k[f'pgmap.page.{region}.phys']):x}: on the device, in its own altmap memmap)")
        assert (want in text) == absent, (want, text)
    assert ("memmap: unreadable -- its struct page lives on the device" in text) == absent, text
    if "poison.read.page" in k:
        t = d.out("triage_text")
        reg = [x for x in t.splitlines() if f"{h(k['poison.read.page']):016x}  struct page of pfn" in x]
        assert reg, t
        assert reg[0].endswith(", struct page not in the dump (on the device)") == absent, reg


def check_stale_table(d):
    k = d.key
    if "stale.table.pfn" not in k:
        return "skip"
    found = [r for r in jsonl(d.out("check")) if r.get("type") == "anomaly"
             and r.get("table_pfn") and h(r["table_pfn"]) == h(k["stale.table.pfn"])]
    kinds = {r["anomaly"] for r in found}
    # The module freed the table; where it reached the buddy allocator the
    # struct page says so, and a filtered dump (kdump -d 31) leaves it out.
    if k.get("stale.table.state") == "buddy":
        assert "stale-table" in kinds, (kinds, found)
    if k.get("dump_method") == "kdump" or "kdump.makedumpfile_args" in k:
        assert "excluded-table" in kinds, kinds
    for r in found:
        assert h(r["entry_pa"]) == h(k["stale.pmd.entry_phys"]), r
        assert h(r["entry"]) == h(k["stale.pmd.entry"]), r
        assert h(r["va_start"]) <= h(k["stale.va_start"]) < h(r["va_end"]), r
    # crash reads the same PMD entry at that physical address.
    assert ("%x" % h(k["stale.pmd.entry"])) in d.out("rd_pmd"), d.out("rd_pmd")
    w = jsonl(d.out("walk"))[0]
    assert any(f["kind"] == "stale-table" and h(f["table_pfn"]) == h(k["stale.table.pfn"])
               for f in w["findings"]) or w["status"] == "excluded", w


def check_invalid_direct_map(d):
    k = d.key
    if "dmap.va" not in k:
        return "skip"
    w = jsonl(d.out("walk"))[0]
    assert w["status"] == "not-present", w
    last = w["levels"][-1]
    assert h(last["entry_pa"]) == h(k["dmap.after.leaf_entry_phys"]), last
    assert h(last["entry"]) == h(k["dmap.after.leaf_entry"]), last
    assert ("%x" % h(k["dmap.after.leaf_entry"])) in d.out("rd_pte"), d.out("rd_pte")
    finds = [f for f in w["findings"] if f["kind"] == "invalid-direct-map"]
    assert finds and h(finds[0]["pfn"]) == h(k["dmap.pfn"]), w["findings"]
    t = jsonl(d.out("triage"))[0]
    assert h(t["fault"]["value"]) == h(k["dmap.expected_fault"]), t


def check_hot_removed_memory(d):
    k = d.key
    if "hotremove.start_pfn" not in k or k.get("hotremove.removed") != "1":
        return "skip"
    recs = jsonl(d.out("pfninfo"))
    assert recs[0]["memmap"] == "absent", recs[0]
    anomalies = [r for r in jsonl(d.out("check")) if r.get("type") == "anomaly"]
    # No table of the kernel's lives in the removed range.
    start, end = h(k["hotremove.start_pfn"]), h(k["hotremove.end_pfn"])
    assert not [a for a in anomalies if a.get("table_pfn") and start <= h(a["table_pfn"]) < end]


def check_session_survives(d):
    out = d.out("next")
    assert re.search(r"[0-9a-f]{8,}", out), out
    assert "Segmentation" not in d.s.console


CHECKS = [check_pgmap_matches_key_and_crash, check_pfninfo_verdicts, check_poisoned_memmap_triage,
          check_pmem_memmap_absent_from_kdump, check_stale_table, check_invalid_direct_map, check_hot_removed_memory,
          check_session_survives]

SUITES = [(r"x86_64-(pmem-.*|stale-table|directmap-invalid|hotremove|kdump)", Scenario, CHECKS)]
