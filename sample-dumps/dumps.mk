# Real x86_64 vmcores made with QEMU (see sample-dumps/README.md).
# Included by the top-level Makefile; also usable alone:
#   make -f sample-dumps/dumps.mk dumps              # every x86_64 scenario
#   make -f sample-dumps/dumps.mk dump-x86_64-4level # one scenario
#   make -f sample-dumps/dumps.mk list-dumps         # the scenario names
# `dumps` makes PTWALK_DUMP_JOBS (default 2) scenarios at a time (each is one QEMU TCG
# thread, then one crash); output is grouped per scenario.
# make-dump.sh --if-changed decides itself whether a dump is up to date: it compares
# the sha256 of the scenario's inputs (scripts, probe, guest library, scenario file,
# out-of-tree module sources, kernel version) with the inputs.sha256 stored in the dump
# directory.  File times play no part, so a fresh clone reuses the cached dumps; the
# dump targets therefore always run (an up-to-date dump costs about a second).

PTWALK_CACHE ?= $(HOME)/.cache/ptwalk
PTWALK_DUMP_JOBS ?= 2

# The directory of this file, whatever directory make runs in.
PTWALK_DUMPS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

# Every x86_64 scenario: scenarios/x86_64-*.conf.
PTWALK_SCENARIOS := $(sort $(patsubst $(PTWALK_DUMPS_DIR)/scenarios/%.conf,%,\
	$(wildcard $(PTWALK_DUMPS_DIR)/scenarios/x86_64-*.conf)))
PTWALK_X86_64_SCENARIOS := $(PTWALK_SCENARIOS)

.PHONY: dumps list-dumps $(addprefix dump-,$(PTWALK_SCENARIOS))

dumps:
	$(MAKE) --no-print-directory -j$(PTWALK_DUMP_JOBS) -O -f $(PTWALK_DUMPS_DIR)/dumps.mk \
		PTWALK_CACHE='$(PTWALK_CACHE)' $(addprefix dump-,$(PTWALK_SCENARIOS))

list-dumps:
	@printf '%s\n' $(PTWALK_SCENARIOS)

$(addprefix dump-,$(PTWALK_SCENARIOS)): dump-%:
	PTWALK_CACHE='$(PTWALK_CACHE)' $(PTWALK_DUMPS_DIR)/make-dump.sh --if-changed $*
