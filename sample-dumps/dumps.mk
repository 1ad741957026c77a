# Real x86_64 vmcores made with QEMU (see sample-dumps/README.md).
# Included by the top-level Makefile; also usable alone:
#   make -f sample-dumps/dumps.mk dumps            # every x86_64 scenario
#   make -f sample-dumps/dumps.mk dump-x86_64-4level
# Each dump's stamp is $(PTWALK_CACHE)/dumps/<scenario>/answer-key.txt, which
# make-dump.sh creates last (the directory appears whole, by rename).  A dump is made
# again when its scenario file, the probe or the pipeline scripts change.

PTWALK_CACHE ?= $(HOME)/.cache/ptwalk

# The directory of this file, whatever directory make runs in.
PTWALK_DUMPS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

PTWALK_X86_64_SCENARIOS := $(sort $(patsubst $(PTWALK_DUMPS_DIR)/scenarios/%.conf,%,\
	$(wildcard $(PTWALK_DUMPS_DIR)/scenarios/x86_64-*.conf)))

PTWALK_DUMP_DEPS := $(PTWALK_DUMPS_DIR)/make-dump.sh \
	$(PTWALK_DUMPS_DIR)/build-initramfs.sh \
	$(PTWALK_DUMPS_DIR)/fetch-kernel.sh \
	$(PTWALK_DUMPS_DIR)/qmp-dump.py \
	$(PTWALK_DUMPS_DIR)/guest/ptwalk-probe.c

.PHONY: dumps $(addprefix dump-,$(PTWALK_X86_64_SCENARIOS))

dumps: $(addprefix dump-,$(PTWALK_X86_64_SCENARIOS))

$(addprefix dump-,$(PTWALK_X86_64_SCENARIOS)): dump-%: $(PTWALK_CACHE)/dumps/%/answer-key.txt

$(PTWALK_CACHE)/dumps/%/answer-key.txt: $(PTWALK_DUMPS_DIR)/scenarios/%.conf $(PTWALK_DUMP_DEPS)
	PTWALK_CACHE='$(PTWALK_CACHE)' $(PTWALK_DUMPS_DIR)/make-dump.sh $*
