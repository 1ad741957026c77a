# SPDX-License-Identifier: GPL-2.0-or-later
"""A kernel page fault on a USER address of the panicking task
(x86_64-user-fault): pttriage and ptwalk in that task's mm, checked against
the walk the module did in the guest with the kernel's own pgd_offset() ..
pte_offset_map() (ufault.* keys), against the kernel's own page-table line in
the oops ("PGD .. P4D .. PUD .. PMD .. PTE .."), and against crash's rd -p of
every entry and of the neighbour page (its text was written by the user
program).  crash 8.0.2's own `vtop -c PID` cannot walk a 6.1 user address
(it fails on the maple tree: mm_struct_mmap); when a crash that can is used,
its answer must agree too."""
import os
import re

from crashrun import Session, answer_key, jsonl, parse_vtop
from test_batch import batch_binary, one


def h(v):
    return int(v, 16)


LEVELS = ("pgd", "p4d", "pud", "pmd", "pte")


def key_walk(k, what):
    """[(level, entry_pa, entry)] of the module's walk of ufault.<what>."""
    return [(lvl, h(k[f"ufault.{what}.{lvl}.entry_phys"]), h(k[f"ufault.{what}.{lvl}.entry"]))
            for lvl in LEVELS if f"ufault.{what}.{lvl}.entry_phys" in k]


class UserFault:
    def __init__(self, dump_dir, so):
        self.name = dump_dir.rsplit("/", 1)[-1]
        self.key = k = answer_key(dump_dir)
        s = Session(dump_dir, so)
        pid, va, nb = k["ufault.pid"], k["ufault.addr"], k["ufault.neighbour_va"]
        s.add("triage", "pttriage -j")
        s.add("triage_text", "pttriage")
        s.add("walk", f"ptwalk -j -c {pid} {va} {nb}")
        s.add("walk_current", f"ptwalk -j -u {va}")
        s.add("walk_text", f"ptwalk -c {pid} {va}")
        # The panicking task is a thread that leads no group: its leader's
        # walk, by pid and by task_struct address, is the same mm's.
        s.add("walk_leader", f"ptwalk -j -c {k['ufault.tgid']} {va} {nb}")
        s.add("walk_by_task", f"ptwalk -j -c {k['ufault.task']} {nb}")
        s.add("ps_thread", f"ps {pid}")
        s.add("vtop", f"vtop -c {pid} {nb}")
        s.add("log", "log")
        for lvl, pa, _ in key_walk(k, "fault") + key_walk(k, "neighbour")[-1:]:
            s.add(f"rd_{pa:x}", f"rd -p -64 {pa:x} 1")
        s.add("rd_page", f"rd -p -a {k['ufault.neighbour.phys']} 64")
        # crash's context moved to pid 0: pttriage still names the panic task.
        s.add("set_swapper", "set 0")
        s.add("triage_after_set", "pttriage -j")
        s.add("next", "rd -x jiffies")
        s.run()
        self.s = s
        # The batch tool, over libkdumpfile: the same thread by pid (TID:ADDR).
        self.batch_rc, self.batch, self.batch_err = one(batch_binary(so), [
            "--walk", f"{pid}:{va},{pid}:{nb},{k['ufault.tgid']}:{nb}",
            os.path.join(dump_dir, "vmcore")])

    def out(self, name):
        return self.s.out(name)


def check_key_is_the_kernels_own_walk(d):
    """The module's walk (the key) is what the kernel itself printed in the
    oops, and what crash reads at each entry's physical address."""
    k = d.key
    walk = key_walk(k, "fault")
    m = re.search(r"BUG: unable to handle page fault for address: ([0-9a-f]+)", d.out("log"))
    assert m and int(m.group(1), 16) == h(k["ufault.addr"]), m and m.group(0)
    line = re.search(r"\] (PGD [0-9a-f]+ .*)$", d.out("log")[m.end():], re.M)
    assert line, d.out("log")[m.end():m.end() + 400]
    oops = dict(re.findall(r"(PGD|P4D|PUD|PMD|PTE) ([0-9a-f]+)", line.group(1)))
    # dump_pagetable() prints P4D only with 5 levels; our key has every level read.
    for lvl, _, entry in walk:
        assert h(oops[lvl.upper()]) == entry, (lvl, oops, walk)
    for lvl, pa, entry in walk:
        got = re.search(r":\s+([0-9a-f]{16})", d.out(f"rd_{pa:x}"))
        assert got and int(got.group(1), 16) == entry, (lvl, pa, d.out(f"rd_{pa:x}"))


def check_ptwalk_stops_where_the_kernel_did(d):
    k = d.key
    recs = jsonl(d.out("walk"))
    assert len(recs) == 2, d.out("walk")
    r = recs[0]
    assert h(r["va"]) == h(k["ufault.addr"]) and r["space"] == "user", r
    assert r["pid"] == int(k["ufault.pid"]), r
    assert h(r["root"]) == h(k["ufault.pgd_phys"]), (r["root"], k["ufault.pgd_phys"])
    want = key_walk(k, "fault")
    got = [(x["level"], h(x["entry_pa"]), h(x["entry"])) for x in r["levels"]]
    assert got == want, (got, want)
    # Where and why it stopped: the pte entry is none (page 2 was unmapped).
    assert r["levels"][-1]["level"] == k["ufault.fault.stop"], r["levels"][-1]
    assert r["status"] == ("mapped" if k["ufault.fault.stop_reason"] == "leaf" else "not-present"), r
    if k["ufault.fault.stop_reason"] == "none":
        assert r["levels"][-1]["kind"] == "none" and h(r["levels"][-1]["entry"]) == 0, r
    assert r["pa"] is None, r
    # -u walks the current context: the panicking task is the one that faulted.
    cur = jsonl(d.out("walk_current"))[0]
    assert cur["pid"] == int(k["ufault.pid"]) and cur["levels"] == r["levels"], cur
    assert f"NOT MAPPED: not-present at {k['ufault.fault.stop']}" in d.out("walk_text"), d.out("walk_text")


def check_neighbour_pfn(d):
    k = d.key
    r = jsonl(d.out("walk"))[1]
    assert h(r["va"]) == h(k["ufault.neighbour_va"]), r
    assert r["status"] == "mapped" and r["page_size"] == 4096, r
    got = [(x["level"], h(x["entry_pa"]), h(x["entry"])) for x in r["levels"]]
    assert got == key_walk(k, "neighbour"), got
    assert h(r["pa"]) >> 12 == h(k["ufault.neighbour.pfn"]), (r["pa"], k["ufault.neighbour.pfn"])
    # The page at that pfn holds the text the user program wrote there.
    assert k["ufault.user.neighbour_header"] in d.out("rd_page"), d.out("rd_page")
    assert k["ufault.neighbour.header"] == k["ufault.user.neighbour_header"]
    vt = parse_vtop(d.out("vtop")).get(h(k["ufault.neighbour_va"]))
    if vt is not None:  # a crash that can walk 6.1 user space
        assert vt == h(k["ufault.neighbour.phys"]), (hex(vt), k["ufault.neighbour.phys"])
    else:
        assert "mm_struct_mmap" in d.out("vtop") or "mm_struct_mmap" in d.s.console, d.out("vtop")


def check_pttriage_walks_the_user_fault(d):
    k = d.key
    t = jsonl(d.out("triage"))[0]
    assert t["oops"] and h(t["fault"]["value"]) == h(k["ufault.expected_fault"]), t["fault"]
    assert t["fault"]["class"] == "user", t["fault"]
    ft = t["fault_in_task"]
    assert ft["pid"] == int(k["ufault.pid"]) and ft["status"] == "not-present", ft
    last = key_walk(k, "fault")[-1]
    if "levels" in ft:
        got = [(x["level"], h(x["entry_pa"]), h(x["entry"])) for x in ft["levels"]]
        assert got == key_walk(k, "fault"), got
    text = d.out("triage_text")
    assert f"FAULT ADDRESS {h(k['ufault.addr']):016x}: user" in text, text
    m = re.search(r"in the mm of pid (\d+) \(([^)]*)\): not-present at the (\w+) entry ([0-9a-f]+) "
                  r"\(value ([0-9a-f]+)\)", text)
    assert m, text
    assert int(m.group(1)) == int(k["ufault.pid"]) and m.group(2) == k["ufault.comm"], m.group(0)
    assert (m.group(3), int(m.group(4), 16), int(m.group(5), 16)) == last, (m.group(0), last)
    # The verdict names the task and the entry where the kernel's own walk stopped.
    want = (f"the kernel touched the user address {h(k['ufault.addr']):x}, which is not mapped "
            f"in the mm of pid {int(k['ufault.pid'])} ({k['ufault.comm']}): not-present at the "
            f"{last[0]} entry {last[1]:x} (value {last[2]:x})")
    assert t["verdict"].startswith(want), (t["verdict"], want)
    assert f"VERDICT: {want}" in text, text
    # After `set 0` (crash's context is then the idle task): the same task and verdict.
    assert "PID: 0" in d.out("set_swapper"), d.out("set_swapper")
    after = jsonl(d.out("triage_after_set"))[0]
    assert after["panic_task"]["pid"] == int(k["ufault.pid"]), after["panic_task"]
    assert after["verdict"] == t["verdict"], (after["verdict"], t["verdict"])


def check_thread_is_found_as_crash_lists_it(d):
    """ufault.pid is a thread's (the guest's gettid() in the second thread, the
    module's task_pid_nr()), on no init_task.tasks list: crash's ps lists it with
    the task_struct the module printed (its PPID as -1: crash 8.0.2 on 6.1); ptwalk -c finds it by pid and by address,
    in its group's mm (the same walk as -c of the leader, ufault.tgid), and so does
    ptwalk-batch --walk TID:ADDR."""
    k = d.key
    assert k["ufault.pid"] == k["ufault.user.tid"] != k["ufault.tgid"] == k["ufault.user.pid"], k
    ps = re.search(rf"^\s*>?\s*{int(k['ufault.pid'])}\s+-?\d+\s+\d+\s+([0-9a-f]+)", d.out("ps_thread"),
                   re.M)
    assert ps and h(ps.group(1)) == h(k["ufault.task"]), d.out("ps_thread")
    thread = jsonl(d.out("walk"))
    leader = jsonl(d.out("walk_leader"))
    assert [r["pid"] for r in leader] == [int(k["ufault.tgid"])] * 2, leader
    for t, l in zip(thread, leader):
        assert t["levels"] == l["levels"] and t["root"] == l["root"], (t, l)
    by_task = jsonl(d.out("walk_by_task"))
    assert len(by_task) == 1 and by_task[0]["pid"] == int(k["ufault.pid"]), by_task
    assert h(by_task[0]["pa"]) == h(k["ufault.neighbour.phys"]), by_task
    # Exit 1 and "findings": the dump holds an oops (see batch/README.md).
    assert d.batch_rc == 1 and d.batch["status"] == "findings", (d.batch_rc, d.batch_err)
    walks = d.batch["walks"]
    assert [w.get("pid") for w in walks] == [int(k["ufault.pid"])] * 2 + [int(k["ufault.tgid"])], walks
    assert walks[0]["status"] == "not-present", walks[0]
    got = [(x["level"], h(x["entry_pa"]), h(x["entry"])) for x in walks[0]["levels"]]
    assert got == key_walk(k, "fault"), got
    for w in walks[1:]:
        assert w["status"] == "mapped" and h(w["pa"]) == h(k["ufault.neighbour.phys"]), w


def check_session_survives(d):
    assert re.search(r"[0-9a-f]{8,}", d.out("next")), d.out("next")
    assert "Segmentation" not in d.s.console


CHECKS = [check_key_is_the_kernels_own_walk, check_ptwalk_stops_where_the_kernel_did,
          check_neighbour_pfn, check_pttriage_walks_the_user_fault,
          check_thread_is_found_as_crash_lists_it, check_session_survives]

SUITES = [(r"x86_64-user-fault", UserFault, CHECKS)]
