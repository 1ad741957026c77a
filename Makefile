# ptwalk: crash(8) extension and batch analyzer for kernel page tables.
#
#   make            build build/ptwalk.so
#   make install    copy it into crash's extensions directory
#   make demo       the main job: deps, build, sample dump, crash session
#   make check      unit tests (plain + ASan/UBSan) and real-dump tests
#   make dumps      make the sample vmcores (cached in $(PTWALK_CACHE))

CC        ?= gcc
PTWALK_CACHE ?= $(HOME)/.cache/ptwalk
export PTWALK_CACHE

# crash's defs.h needs the GNU dialect and a TARGET define.
CRASH_TARGET ?= $(shell uname -m | sed -e 's/x86_64/X86_64/' -e 's/aarch64/ARM64/' -e 's/s390x/S390X/')
WARN      := -Wall -Wextra -Werror
CFLAGS    ?= -O2 -g
BASEFLAGS := -std=gnu11 $(WARN) -fPIC -Iinclude
SANFLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

CORE_SRCS := $(sort $(wildcard core/*.c))
EXT_SRCS  := $(sort $(wildcard extension/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_LIB  := tests/unit/synthetic.c

BUILD     := build
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/obj/%.o)
EXT_OBJS  := $(EXT_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
ASAN_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit-asan/%)

EXT_DIR   ?= /usr/lib64/crash/extensions

# Keep intermediate objects (and make's "rm" noise out of the test log).
.SECONDARY:

.PHONY: all install deps check unit unit-asan integration demo dumps clean lint fuzz fuzz-smoke bench integration-asan

all: $(BUILD)/ptwalk.so $(BUILD)/ptwalk-batch

deps:
	bash scripts/install-deps.sh

$(BUILD)/obj/core/%.o: core/%.c $(wildcard include/ptwalk/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/extension/%.o: extension/%.c $(wildcard include/ptwalk/*.h extension/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -D$(CRASH_TARGET) -I/usr/include/crash -Iextension -c $< -o $@

$(BUILD)/ptwalk.so: $(CORE_OBJS) $(EXT_OBJS)
	$(CC) -shared $(CFLAGS) -o $@ $^

install: $(BUILD)/ptwalk.so $(BUILD)/ptwalk-batch
	install -d $(DESTDIR)$(EXT_DIR)
	install -m 0644 $(BUILD)/ptwalk.so $(DESTDIR)$(EXT_DIR)/ptwalk.so
	$(MAKE) batch-install

# ---- unit tests (cmocka, over synthetic memory images) ----
# The core and the synthetic target are compiled once per flavour, then linked
# into every test.
HDRS := $(wildcard include/ptwalk/*.h tests/unit/*.h)
$(BUILD)/libcore.a: $(CORE_OBJS) $(BUILD)/obj/tests/unit/synthetic.o
	rm -f $@ && ar rcs $@ $^
$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -Itests/unit -c $< -o $@
$(BUILD)/unit/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lcmocka

$(BUILD)/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -O1 -g $(SANFLAGS) -Itests/unit -c $< -o $@
$(BUILD)/libcore-asan.a: $(CORE_SRCS:%.c=$(BUILD)/asan/%.o) $(BUILD)/asan/tests/unit/synthetic.o
	rm -f $@ && ar rcs $@ $^
$(BUILD)/unit-asan/%: $(BUILD)/asan/tests/unit/%.o $(BUILD)/libcore-asan.a
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SANFLAGS) -o $@ $^ -lcmocka

# ptwalk-batch's readers of dump contents, over crafted memory.
BATCH_UNIT_OBJS := batch/printk.o batch/types_btf.o
$(BUILD)/unit/test_batch_hostile: $(BUILD)/obj/tests/unit/test_batch_hostile.o \
		$(BATCH_UNIT_OBJS:%=$(BUILD)/obj/%) $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lcmocka -lbpf
$(BUILD)/unit-asan/test_batch_hostile: $(BUILD)/asan/tests/unit/test_batch_hostile.o \
		$(BATCH_UNIT_OBJS:%=$(BUILD)/asan/%) $(BUILD)/libcore-asan.a
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SANFLAGS) -o $@ $^ -lcmocka -lbpf

# Each suite three times: tables copied by the target's read(), mapped by its
# map_phys() (every page, then every other page: both paths in one walk).
TEST_MAP_MODES = none all even

unit: $(UNIT_BINS)
	@set -e; for m in $(TEST_MAP_MODES); do for t in $(UNIT_BINS); do \
		echo "== $$t (tables: $$m mapped)"; PTWALK_TEST_MAP=$$m $$t; done; done

unit-asan: $(ASAN_BINS)
	@set -e; for m in $(TEST_MAP_MODES); do for t in $(ASAN_BINS); do \
		echo "== $$t (ASan+UBSan; tables: $$m mapped)"; \
		PTWALK_TEST_MAP=$$m ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; \
		done; done

# ---- fuzzing (libFuzzer + ASan + UBSan); FUZZ_SECONDS per fuzzer ----
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=gnu11 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all
FUZZ_ARCHES  := x86_64 arm64 s390x
FUZZERS      := $(FUZZ_ARCHES:%=$(BUILD)/fuzz/fuzz_walk_%) $(BUILD)/fuzz/fuzz_oops \
		$(BUILD)/fuzz/fuzz_tasks

$(BUILD)/fuzz/fuzz_walk_%: tests/fuzz/fuzz_walk.c $(CORE_SRCS) $(HDRS) tests/fuzz/fuzz_image.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFUZZ_ARCH='"$*"' -o $@ $< $(CORE_SRCS)
$(BUILD)/fuzz/fuzz_oops: tests/fuzz/fuzz_oops.c $(CORE_SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRCS)
$(BUILD)/fuzz/fuzz_tasks: tests/fuzz/fuzz_tasks.c $(CORE_SRCS) $(HDRS) tests/fuzz/fuzz_image.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRCS)
# The seed corpus is committed; this regenerates it from the synthetic builders.
seeds: $(BUILD)/make_seeds
	mkdir -p $(addprefix tests/fuzz/corpus/,$(FUZZ_ARCHES) tasks)
	$(BUILD)/make_seeds tests/fuzz/corpus
$(BUILD)/make_seeds: $(BUILD)/obj/tests/fuzz/make_seeds.o $(BUILD)/libcore.a
	$(CC) $(CFLAGS) -o $@ $^
$(BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -Itests/unit -c $< -o $@

fuzz: $(FUZZERS)
	bash tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZERS)
# A short run for make check: the harnesses build and survive the corpus.
fuzz-smoke: $(FUZZERS)
	bash tests/fuzz/run.sh $(BUILD) 10 $(FUZZERS)

# ---- the batch analyzer (batch/README.md) and cross-arch builds/dumps ----
include batch/Makefile.inc
include sample-dumps/cross/cross.mk

# ---- benchmarks: ratios against baselines measured in the same run ----
# 1. bench/bench.c: an in-memory synthetic target (the floor is memcpy);
# 2. bench/bench_kdump.c: dump files through libkdumpfile with the batch
#    tool's target: the synthetic ELF vmcore of bench/mkvmcore.c (made on
#    demand in $(BENCH_DATA)) and the real sample dumps $(BENCH_DUMPS) (made
#    with make dump-NAME when missing), plus crash's vtop on a sample.  The real
#    large case twice: kdump-zlib (every table read inflates a page) and ELF (the
#    same scenario; every table read is a copy).
BENCH_DATA   ?= $(PTWALK_CACHE)/bench
BENCH_VMCORE := $(BENCH_DATA)/direct-map-64g.vmcore
BENCH_LARGE_DUMP ?= x86_64-4k-directmap
BENCH_DUMPS  ?= x86_64-5level x86_64-4level $(BENCH_LARGE_DUMP) $(BENCH_LARGE_DUMP)-elf
BENCH_VTOP_N ?= 2000
BENCH_KDUMP_OBJS := $(BUILD)/obj/bench/bench_kdump.o \
	$(filter-out $(BUILD)/obj/batch/main.o,$(BATCH_OBJS)) $(CORE_OBJS)

$(BUILD)/bench: bench/bench.c $(BUILD)/libcore.a $(HDRS)
	$(CC) $(BASEFLAGS) -O2 -g -Itests/unit -o $@ $< $(BUILD)/libcore.a \
		$$(pkg-config --cflags --libs libaddrxlat)
$(BUILD)/obj/bench/bench_kdump.o: bench/bench_kdump.c bench/bench_layout.h $(HDRS) batch/batch.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(BATCH_CFLAGS) -Ibatch -Ibench -c $< -o $@
$(BUILD)/bench-kdump: $(BENCH_KDUMP_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(BATCH_LIBS)
# ptbench, inside crash: the extension's readmem backend (never installed).
$(BUILD)/obj/bench/bench_crash.o: bench/bench_crash.c $(HDRS) $(wildcard extension/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -D$(CRASH_TARGET) -I/usr/include/crash -Iextension -c $< -o $@
$(BUILD)/ptwalk-bench.so: $(BUILD)/obj/bench/bench_crash.o $(BUILD)/obj/extension/ext.o \
		$(BUILD)/obj/extension/crash_target.o $(CORE_OBJS)
	$(CC) -shared $(CFLAGS) -o $@ $^
$(BUILD)/bench-mkvmcore: bench/mkvmcore.c bench/bench_layout.h
	$(CC) $(BASEFLAGS) $(CFLAGS) -Ibench -o $@ $<
$(BENCH_VMCORE): $(BUILD)/bench-mkvmcore
	@mkdir -p $(dir $@)
	$(BUILD)/bench-mkvmcore $@

bench: $(BUILD)/bench $(BUILD)/bench-kdump $(BUILD)/ptwalk.so $(BUILD)/ptwalk-bench.so $(BENCH_VMCORE)
	@echo "== 1. in memory: synthetic target, memcpy floor"
	$(BUILD)/bench
	@echo; echo "== 2. synthetic ELF vmcore through libkdumpfile"
	$(BUILD)/bench-kdump --synthetic $(BENCH_VMCORE)
	@set -e; for d in $(BENCH_DUMPS); do \
		dir=$(PTWALK_CACHE)/dumps/$$d; \
		[ -f $$dir/vmcore ] || $(MAKE) --no-print-directory dump-$$d; \
		echo; echo "== 3. real dump $$d through libkdumpfile, then in crash: vtop, and ptdump against readmem"; \
		$(BUILD)/bench-kdump --vtop-sample $(BUILD)/bench-vtop-$$d.txt $(BENCH_VTOP_N) $$dir/vmcore; \
		/usr/bin/python3 bench/crash_vtop.py $(CURDIR)/$(BUILD)/ptwalk.so $$dir/vmlinux \
			$$dir/vmcore $(BUILD)/bench-vtop-$$d.txt $(CURDIR)/$(BUILD)/ptwalk-bench.so; \
	done
	@echo; echo "== 4. the real large dump again, libkdumpfile's cache (default 1024 pages) holding all its tables"
	$(BUILD)/bench-kdump --cache-size 4096 $(PTWALK_CACHE)/dumps/$(BENCH_LARGE_DUMP)/vmcore

# ---- sample dumps and real-dump integration tests ----
-include sample-dumps/dumps.mk

integration: $(BUILD)/ptwalk.so $(BUILD)/ptwalk-batch cross dumps dumps-cross
	/usr/bin/python3 tests/integration/run.py --so $(CURDIR)/$(BUILD)/ptwalk.so

# The extension built with ASan+UBSan, in an uninstrumented crash (runtimes
# preloaded), on the dumps whose suites reach bad input and error paths (corrupt
# dumps, Ctrl-C, stale tables, absent pages, faults): any report fails the run.
ASAN_SO_OBJS := $(CORE_SRCS:%.c=$(BUILD)/asan-so/%.o) $(EXT_SRCS:%.c=$(BUILD)/asan-so/%.o)
$(BUILD)/asan-so/%.o: %.c $(HDRS) $(wildcard extension/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -O1 -g $(SANFLAGS) -D$(CRASH_TARGET) -I/usr/include/crash -Iextension -c $< -o $@
$(BUILD)/ptwalk-asan.so: $(ASAN_SO_OBJS)
	$(CC) -shared $(SANFLAGS) -o $@ $^
integration-asan: $(BUILD)/ptwalk-asan.so dumps
	PTWALK_SANITIZE=1 /usr/bin/python3 tests/integration/run.py \
		--so $(CURDIR)/$(BUILD)/ptwalk-asan.so \
		--only 'x86_64-(5level|elf|user-fault|pmem-poison|pmem-kdump|stale-table|directmap-invalid|hotremove)'

check: deps all lint unit unit-asan fuzz-smoke integration-asan integration

# The main job: everything from a fresh machine to a crash session.
demo: deps all dumps
	bash scripts/demo.sh $(CURDIR)/$(BUILD)/ptwalk.so

# clang-tidy with its default checks (see .clang-tidy) over everything in C but
# the scenario kernel modules (built by Kbuild, against the guest's headers).
lint:
	clang-tidy --quiet $(CORE_SRCS) $(EXT_SRCS) tests/unit/*.c tests/fuzz/*.c bench/*.c -- \
		-std=gnu11 -Iinclude -Iextension -Itests/unit -Ibatch -Ibench -I/usr/include/crash -D$(CRASH_TARGET)
	clang-tidy --quiet batch/*.c tests/integration/*.c -- -std=gnu11 -Iinclude -Ibatch $(BATCH_CFLAGS)
	clang-tidy --quiet sample-dumps/guest/*.c sample-dumps/modules/*/ptwalk-*.c -- -std=gnu11

clean:
	rm -rf $(BUILD)
