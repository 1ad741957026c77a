# SPDX-License-Identifier: GPL-2.0-or-later
"""Write known PGSTE values into a paused s390x guest, through QEMU's gdbstub.

Run inside gdb-multiarch, with the guest's debug vmlinux loaded and the remote
target connected (make-dump.sh does this):

    gdb-multiarch -batch -nx -ex 'file VMLINUX' -ex 'target remote SOCKET' \
        -x inject-pgste.py

Environment: PTWALK_PID (the probe's pid, from its answer key), PTWALK_PAGES
("name=va name=va ..."), PTWALK_PGSTE_KEY (file to write the answer-key lines to).

The guest is stopped in the disabled wait of its panic, with DAT off, and QEMU's
gdbstub is switched to physical memory access (Qqemu.PhyMemMode:1), so every
address below is an absolute address.  Linux 6.1 on s390x maps the kernel 1:1
(virtual == physical, and KASLR is off under TCG), so kernel pointers read from
the task list are physical addresses as well.  The probe's page tables are found
by walking its ASCE (mm->context.asce) by hand; with vm.allocate_pgste=1 they are
whole 4K pages and PTE i's PGSTE is at +2048 + 8 * i (big-endian).
"""
import os
import struct

import gdb

# PGSTE bits (arch/s390/include/asm/pgtable.h, Linux 6.1).
ACC = 60
FP = 1 << 59
PCL = 1 << 55
HR = 1 << 54
HC = 1 << 53
GR = 1 << 50
GC = 1 << 49
UC = 1 << 47
IN = 1 << 46
VSIE = 1 << 45
ZERO = 1 << 31
NODAT = 1 << 30
USAGE = 24  # 2 bits: 0 stable, 1 unused, 2 pot-volatile, 3 volatile
USAGE_NAMES = ("stable", "unused", "pot-volatile", "volatile")

# What goes where: every usage state, ZERO, NODAT, access keys, R/C bits.
PLAN = [
    ("data0", (3 << ACC) | FP | GR | GC),                 # stable, key 3 + FP
    ("data1", (1 << USAGE)),                              # unused
    ("data2", (2 << USAGE) | HR),                         # pot-volatile
    ("data3", (3 << USAGE) | HC | (9 << ACC)),            # volatile, key 9
    ("data4", ZERO | (1 << USAGE)),                       # zero + unused
    ("data5", NODAT | GR),                                # nodat
    ("data6", (0xf << ACC) | HR | HC | GR | GC | UC),     # key 15, R/C everywhere
    ("data7", IN | VSIE | PCL | (3 << USAGE) | NODAT),    # notify, vsie, lock
    ("ro", (2 << USAGE) | ZERO),                          # pot-volatile + zero
    ("none", (1 << USAGE) | (5 << ACC)),                  # PROT_NONE pte: unused
    ("zero", (3 << USAGE) | ZERO | NODAT),                # shared zero page
    ("gap", (3 << USAGE) | GC),                           # no PTE (empty slot)
]
GAP_VA = 0x10080000  # PTE index 128 of data0's page table: never mapped


def phys_mode():
    gdb.execute("maint packet Qqemu.PhyMemMode:1", to_string=True)


inf = gdb.selected_inferior()


def rd64(addr):
    return struct.unpack(">Q", bytes(inf.read_memory(addr, 8)))[0]


def wr64(addr, val):
    inf.write_memory(addr, struct.pack(">Q", val))


def find_task(pid):
    tt = gdb.lookup_type("struct task_struct").pointer()
    init = gdb.parse_and_eval("&init_task")
    off = int(gdb.parse_and_eval("(unsigned long)&((struct task_struct *)0)->tasks"))
    t = init
    for _ in range(100000):
        if int(t["pid"]) == pid:
            return t
        nxt = int(t["tasks"]["next"])
        t = gdb.Value(nxt - off).cast(tt)
        if int(t) == int(init):
            break
    raise gdb.GdbError(f"no task with pid {pid}")


def walk(asce, va):
    """The PTE address of va, or a reason why there is none."""
    dt = (asce >> 2) & 3
    origin = asce & ~0xfff
    for level in range(dt, -1, -1):  # 3 region-first .. 0 segment
        shift = 20 + 11 * level
        e = rd64(origin + ((va >> shift) & 0x7ff) * 8)
        if e & 0x20:
            return None, f"invalid entry at level {level}"
        if level == 0:
            if e & 0x400:
                return None, "1M frame"
            origin = e & ~0x7ff
        else:
            origin = e & ~0xfff
    return origin + ((va >> 12) & 0xff) * 8, origin


def main():
    phys_mode()
    pid = int(os.environ["PTWALK_PID"])
    vas = dict(kv.split("=") for kv in os.environ["PTWALK_PAGES"].split())
    vas["gap"] = hex(GAP_VA)
    keys = []
    t = find_task(pid)
    mm = t["mm"]
    ctx = mm["context"]
    asce = int(ctx["asce"]) & 0xffffffffffffffff
    keys += [f"mm.addr={int(mm):#x}", f"mm.pgd={int(mm['pgd']):#x}",
             f"mm.context.asce={asce:#x}",
             f"mm.context.asce_limit={int(ctx['asce_limit']):#x}",
             f"mm.context.alloc_pgste={int(ctx['alloc_pgste'])}",
             f"mm.context.has_pgste={int(ctx['has_pgste'])}",
             f"kernel.asce={int(gdb.parse_and_eval('init_mm.context.asce')):#x}"]
    done = []
    for name, val in PLAN:
        if name not in vas:
            continue
        va = int(vas[name], 16)
        pte_addr, table = walk(asce, va)
        if pte_addr is None:
            keys.append(f"pgste.{name}.skipped={table}")
            continue
        if table & 0xfff:
            raise gdb.GdbError(f"{name}: page table {table:#x} is a 2K fragment: no PGSTEs")
        slot = pte_addr + 2048
        before = rd64(slot)
        wr64(slot, val)
        if rd64(slot) != val:
            raise gdb.GdbError(f"{name}: PGSTE write at {slot:#x} did not stick")
        usage = (val >> USAGE) & 3
        keys += [f"pgste.{name}.va={va:#x}", f"pgste.{name}.pte_addr={pte_addr:#x}",
                 f"pgste.{name}.pte={rd64(pte_addr):#018x}",
                 f"pgste.{name}.addr={slot:#x}", f"pgste.{name}.before={before:#018x}",
                 f"pgste.{name}.raw={val:#018x}", f"pgste.{name}.usage={USAGE_NAMES[usage]}",
                 f"pgste.{name}.acc={(val >> ACC) & 0xf}", f"pgste.{name}.fp={int(bool(val & FP))}",
                 f"pgste.{name}.pcl={int(bool(val & PCL))}",
                 f"pgste.{name}.hr={int(bool(val & HR))}", f"pgste.{name}.hc={int(bool(val & HC))}",
                 f"pgste.{name}.gr={int(bool(val & GR))}", f"pgste.{name}.gc={int(bool(val & GC))}",
                 f"pgste.{name}.uc={int(bool(val & UC))}", f"pgste.{name}.in={int(bool(val & IN))}",
                 f"pgste.{name}.vsie={int(bool(val & VSIE))}",
                 f"pgste.{name}.zero={int(bool(val & ZERO))}",
                 f"pgste.{name}.nodat={int(bool(val & NODAT))}"]
        done.append(name)
    keys.append("pgste.pages=" + " ".join(done))
    with open(os.environ["PTWALK_PGSTE_KEY"], "w") as f:
        f.write("\n".join(keys) + "\n")
    print(f"inject-pgste: wrote {len(done)} PGSTEs into pid {pid}'s page tables (asce {asce:#x})")


main()
