# SPDX-License-Identifier: GPL-2.0-or-later
"""The corrupt-dump suite: real ELF vmcores rewritten by this script (page
tables pointing to themselves, to their parents, past the end of memory,
bits flipped in a table, a table page removed from the dump, the vmemmap
table behind a struct page removed, the file truncated), each opened in crash with ptwalk.so.  Every case must give its
anomaly (or one clear line) and the very next crash command must still work.

Expected values come from the base dump read by crash itself (rd -p) and
from the rewrite this script made, not from ptwalk's own earlier output."""
import os
import re
import shutil
import struct
import tempfile

from crashrun import Session, answer_key, jsonl, parse_p, parse_vtop

PT_LOAD = 1


class Elf:
    """Program headers of an ELF64 little-endian core file."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            hdr = f.read(64)
        assert hdr[:4] == b"\x7fELF" and hdr[4] == 2 and hdr[5] == 1, "not an ELF64 LE core"
        self.phoff, = struct.unpack_from("<Q", hdr, 32)
        self.phentsize, self.phnum = struct.unpack_from("<HH", hdr, 54)
        self.loads = []
        with open(path, "rb") as f:
            for i in range(self.phnum):
                f.seek(self.phoff + i * self.phentsize)
                p_type, _flags, off, _va, pa, filesz, memsz, _align = struct.unpack(
                    "<IIQQQQQQ", f.read(56))
                if p_type == PT_LOAD:
                    self.loads.append((pa, filesz, off, i))

    def offset(self, pa):
        for start, size, off, _ in self.loads:
            if start <= pa < start + size:
                return off + (pa - start)
        raise KeyError(f"{pa:#x} not in the dump")

    def write_u64(self, pa, value):
        with open(self.path, "r+b") as f:
            f.seek(self.offset(pa))
            f.write(struct.pack("<Q", value))

    def write(self, pa, data):
        with open(self.path, "r+b") as f:
            f.seek(self.offset(pa))
            f.write(data)

    def remove_page(self, pa):
        """Rewrite the file with the PT_LOAD holding pa split around that
        page, so the page is not in the dump.  crash wants the program
        headers right after the ELF header: everything after them moves
        down by one header, and every p_offset with it."""
        page = pa & ~0xfff
        for start, size, off, idx in self.loads:
            if start <= page < start + size:
                break
        else:
            raise KeyError(f"{pa:#x} not in the dump")
        with open(self.path, "rb") as f:
            data = f.read()
        ent = self.phentsize
        end = self.phoff + self.phnum * ent
        phdrs = []
        for i in range(self.phnum):
            fields = list(struct.unpack_from("<IIQQQQQQ", data, self.phoff + i * ent))
            fields[2] += ent  # the data after the headers moves down by one header
            phdrs.append(fields)
        first = phdrs[idx][:]
        first[5] = first[6] = page - start
        second = phdrs[idx][:]
        cut = page + 4096 - start
        second[2] += cut
        second[3] += cut
        second[4] = page + 4096
        second[5] = second[6] = size - cut
        phdrs[idx:idx + 1] = [first, second]
        header = bytearray(data[:self.phoff])
        struct.pack_into("<H", header, 56, self.phnum + 1)
        with open(self.path, "wb") as f:
            f.write(header)
            for fields in phdrs:
                f.write(struct.pack("<IIQQQQQQ", *fields))
            f.write(data[end:])


class CorruptDumps:
    """Base facts from the intact dump, then one rewritten copy per case."""

    def __init__(self, dump_dir, so):
        self.dir = dump_dir
        self.so = so
        self.key = answer_key(dump_dir)
        self.pid = self.key["pid"]
        self.va = int(self.key["page.data0.va"], 16)
        s = Session(dump_dir, so)
        s.add("walk", f"ptwalk -j -c {self.pid} {self.va:x}")
        s.add("next", "rd -x jiffies")
        # A page on the buddy allocator's free list (order 0, movable, ZONE_DMA32 of
        # this 256 MB guest), found by crash through the kernel's own list.
        s.add("free_next", "p/x node_data[0]->node_zones[1].free_area[0].free_list[1].next")
        s.add("lru_off", "p/x (unsigned long)&((struct page *)0)->lru")
        s.add("vmemmap", "p/x vmemmap_base")
        s.add("page_size", "p sizeof(struct page)")
        s.run()
        self.next_base = s.out("next")
        self.free_page = parse_p(s.out("free_next")) - parse_p(s.out("lru_off"))
        self.free_pfn = (self.free_page - parse_p(s.out("vmemmap"))) // 64
        walk = jsonl(s.out("walk"))[0]
        assert walk["status"] == "mapped", walk
        self.levels = walk["levels"]       # pgd .. pte of the probe's page
        self.pa = int(walk["pa"], 16)
        # The struct page of the probe's PTE table, and the last table of crash's
        # own vtop of it: the vmemmap table the memmap case removes.
        self.pte_pfn = int(self.entry("pte")["table_pa"], 16) >> 12
        self.pte_page = (parse_p(s.out("vmemmap")) +
                         self.pte_pfn * int(re.search(r"= (\d+)", s.out("page_size")).group(1)))
        v = Session(dump_dir, so)
        v.add("vtop", f"vtop {self.pte_page:x}")
        v.run()
        entries = re.findall(r"^\s*(PGD|P4D|PUD|PMD|PTE):\s+([0-9a-f]+) =>", v.out("vtop"), re.M)
        assert entries and parse_vtop(v.out("vtop")).get(self.pte_page), v.out("vtop")
        self.memmap_table = int(entries[-1][1], 16) & ~0xfff
        self.tmp = tempfile.mkdtemp(prefix="ptwalk-corrupt-")
        self.results = {}
        cases = {
            "self_loop": self.case_self_loop,
            "parent_loop": self.case_parent_loop,
            "beyond_memory": self.case_beyond_memory,
            "flipped_bits": self.case_flipped_bits,
            "removed_table": self.case_removed_table,
            "removed_memmap_table": self.case_removed_memmap_table,
            "freed_page": self.case_freed_page,
            "truncated": self.case_truncated,
        }
        try:
            for name, make in cases.items():
                path = os.path.join(self.tmp, "vmcore")
                shutil.copyfile(os.path.join(dump_dir, "vmcore"), path)
                make(Elf(path))
                s = Session(dump_dir, so, vmcore=path)
                s.add("walk", f"ptwalk -j -c {self.pid} {self.va:x}")
                s.add("walk_text", f"ptwalk -c {self.pid} {self.va:x}")
                s.add("check", f"ptdump -C -j -c {self.pid}")
                s.add("next", "rd -x jiffies")
                s.add("free_page", f"struct page.page_type,_refcount {self.free_page:x}")
                s.add("pfninfo", f"pfninfo {self.pte_pfn:x}")
                s.run()
                self.results[name] = s
                os.unlink(path)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def entry(self, level):
        return next(lv for lv in self.levels if lv["level"] == level)

    # The PMD entry of the probe's page, rewritten.
    def case_self_loop(self, elf):
        pmd = self.entry("pmd")
        elf.write_u64(int(pmd["entry_pa"], 16), int(pmd["table_pa"], 16) | 0x67)

    def case_parent_loop(self, elf):
        pmd, pud = self.entry("pmd"), self.entry("pud")
        elf.write_u64(int(pmd["entry_pa"], 16), int(pud["table_pa"], 16) | 0x67)

    def case_beyond_memory(self, elf):
        pmd = self.entry("pmd")
        elf.write_u64(int(pmd["entry_pa"], 16), (1 << 45) | 0x67)

    def case_flipped_bits(self, elf):
        # The PMD entry turned into a 2M leaf (PS) with bit 13 set: bits 20:13
        # of a 2M entry are reserved (Intel SDM table 4-18).
        pmd = self.entry("pmd")
        raw = int(pmd["entry"], 16)
        elf.write_u64(int(pmd["entry_pa"], 16), (raw & ~0xfff) | 0xe7 | (1 << 13))

    def case_freed_page(self, elf):
        pmd = self.entry("pmd")
        elf.write_u64(int(pmd["entry_pa"], 16), (self.free_pfn << 12) | 0x67)

    def case_removed_table(self, elf):
        elf.remove_page(int(self.entry("pte")["table_pa"], 16))

    def case_removed_memmap_table(self, elf):
        # crash walks vmemmap tables itself, with FAULT_ON_ERROR: without the
        # extension's own translation, every command that reads a struct page
        # behind this table ended in crash's "read error ... pmd page".
        elf.remove_page(self.memmap_table)

    def case_truncated(self, elf):
        # Cut the last 64 KiB off the file, as an interrupted copy would (much
        # more and crash itself cannot start: it reads tables at the top of RAM).
        size = os.path.getsize(elf.path)
        with open(elf.path, "r+b") as f:
            f.truncate(size - (64 << 10))


def _case(d, name):
    s = d.results[name]
    walk = jsonl(s.out("walk"))
    check = jsonl(s.out("check"))
    assert "Segmentation" not in s.console and "SIGSEGV" not in s.console, s.console[-500:]
    # The very next crash command answers as on the intact dump.
    assert s.out("next") == d.next_base, ("session broken", s.out("next"), s.console[-500:])
    return walk[0] if walk else None, check, s


def anomalies(check, kind):
    return [r for r in check if r.get("type") == "anomaly" and r["anomaly"] == kind]


def check_self_loop(d):
    walk, check, _ = _case(d, "self_loop")
    assert walk["status"] == "table-loop", walk
    assert anomalies(check, "table-loop"), check[-3:]


def check_parent_loop(d):
    walk, check, _ = _case(d, "parent_loop")
    assert walk["status"] == "table-loop", walk
    assert anomalies(check, "table-loop")


def check_beyond_memory(d):
    walk, check, _ = _case(d, "beyond_memory")
    assert walk["status"] == "bad-pfn", walk
    found = anomalies(check, "bad-pfn")
    assert found and int(found[0]["entry"], 16) == (1 << 45) | 0x67, found


def check_flipped_bits(d):
    walk, check, _ = _case(d, "flipped_bits")
    assert walk["status"] == "bad-entry", walk
    assert anomalies(check, "reserved-bits"), check[-3:]


def check_freed_page(d):
    """The PMD entry rewritten to name a page on the buddy free list: a stale table."""
    walk, check, s = _case(d, "freed_page")
    # crash itself says the page is free: PG_buddy in page_type (cleared bit 0x80
    # of 0xffffffff, include/linux/page-flags.h 6.1) and a zero refcount.
    assert "page_type = 4294967167" in s.out("free_page"), s.out("free_page")
    assert "counter = 0" in s.out("free_page"), s.out("free_page")
    assert any(f["kind"] == "stale-table" and int(f["table_pfn"], 16) == d.free_pfn
               for f in walk["findings"]), walk
    pmd = d.entry("pmd")
    found = [a for a in anomalies(check, "stale-table") if int(a["table_pfn"], 16) == d.free_pfn]
    assert found and int(found[0]["entry_pa"], 16) == int(pmd["entry_pa"], 16), check[-3:]
    assert int(found[0]["entry"], 16) == (d.free_pfn << 12) | 0x67, found


def check_removed_table(d):
    walk, check, s = _case(d, "removed_table")
    assert walk["status"] in ("unreadable", "excluded"), walk
    assert anomalies(check, "unreadable-table") or anomalies(check, "excluded-table")
    assert "NOT MAPPED" in s.out("walk_text") and s.out("walk_text").count("\n") < 12


def check_removed_memmap_table(d):
    """The vmemmap table that maps the struct page of the probe's PTE table is
    gone (crash's own vtop named it on the intact dump): the walk still
    translates (the pa of the intact dump), pfninfo says that struct page is not
    in the dump, ptdump -C names the missing table, and the session goes on."""
    walk, check, s = _case(d, "removed_memmap_table")
    assert walk["status"] == "mapped" and int(walk["pa"], 16) == d.pa, walk
    assert "PHYSICAL:" in s.out("walk_text"), s.out("walk_text")
    # (crash's own `struct page` of the free page, behind the same table, does end
    # in its read error: that line is crash's, not one of ours.)
    assert not re.search(r"^(ptwalk|ptdump|pfninfo): read error", s.console, re.M), s.console[-600:]
    assert f"struct page {d.pte_page:x}: not in the dump" in s.out("pfninfo"), s.out("pfninfo")
    assert "memmap: unreadable" in s.out("pfninfo"), s.out("pfninfo")
    found = [a for a in anomalies(check, "unreadable-table")
             if int(a["table_pfn"], 16) == d.memmap_table >> 12]
    assert found, [r for r in check if r.get("type") == "anomaly"]


def check_truncated(d):
    walk, check, s = _case(d, "truncated")
    assert "truncated or incomplete" in s.console, s.console[-400:]
    assert walk["status"] in ("unreadable", "excluded", "mapped"), walk
    summary = [r for r in check if r.get("type") == "summary"]
    assert summary, check[-3:]


CHECKS = [check_self_loop, check_parent_loop, check_beyond_memory, check_flipped_bits,
          check_freed_page, check_removed_table, check_removed_memmap_table, check_truncated]

SUITES = [(r"x86_64-elf", CorruptDumps, CHECKS)]
