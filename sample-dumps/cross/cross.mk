# Cross-architecture sample dumps (arm64, s390x) and the extension built for them.
# Included by the top-level Makefile; also usable alone from the repository root:
#   make -f sample-dumps/cross/cross.mk cross        # build/cross/ptwalk-{arm64,s390x}.so
#   make -f sample-dumps/cross/cross.mk dumps-cross  # both dumps (cached, hash-stamped)
#   make -f sample-dumps/cross/cross.mk dump-arm64   # or dump-s390x
#   make -f sample-dumps/cross/cross.mk crash-sysroots
# See sample-dumps/cross/README.md.  make-dump.sh decides itself whether a dump is up
# to date (a content hash of its inputs), so the dump targets always run it.

PTWALK_CACHE ?= $(HOME)/.cache/ptwalk
PTWALK_CROSS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PTWALK_ROOT := $(patsubst %/,%,$(dir $(PTWALK_CROSS_DIR:%/cross=%)))
BUILD ?= build

CROSS_TRIPLET_arm64 := aarch64-linux-gnu
CROSS_TRIPLET_s390x := s390x-linux-gnu
CROSS_TARGET_arm64 := ARM64
CROSS_TARGET_s390x := S390X
CROSS_SCENARIO_arm64 := arm64-4k
CROSS_SCENARIO_s390x := s390x-pgste

CROSS_SRCS := $(sort $(wildcard $(PTWALK_ROOT)/core/*.c $(PTWALK_ROOT)/extension/*.c))
CROSS_HDRS := $(wildcard $(PTWALK_ROOT)/include/ptwalk/*.h $(PTWALK_ROOT)/extension/*.h)
CROSS_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -fPIC -shared \
	-I$(PTWALK_ROOT)/include -I$(PTWALK_ROOT)/extension

.PHONY: cross dumps-cross dump-arm64 dump-s390x crash-sysroots

cross: $(BUILD)/cross/ptwalk-arm64.so $(BUILD)/cross/ptwalk-s390x.so

crash-sysroots: $(PTWALK_CACHE)/sysroots/arm64/.stamp $(PTWALK_CACHE)/sysroots/s390x/.stamp

# crash for ARCH, its libraries, defs.h and zlib headers (fetch.sh ARCH sysroot).
# No prerequisite: the stamp is fetch.sh's own, written once the sysroot is whole.
$(PTWALK_CACHE)/sysroots/%/.stamp:
	$(PTWALK_CROSS_DIR)/fetch.sh $* sysroot >/dev/null

# defs.h is the same in every crash package; the zlib headers come from zlib1g-dev:ARCH.
$(BUILD)/cross/ptwalk-%.so: $(CROSS_SRCS) $(CROSS_HDRS) $(PTWALK_CACHE)/sysroots/%/.stamp
	@mkdir -p $(dir $@)
	$(CROSS_TRIPLET_$*)-gcc $(CROSS_CFLAGS) -D$(CROSS_TARGET_$*) \
		-I$(PTWALK_CACHE)/sysroots/$*/usr/include/crash -I$(PTWALK_CACHE)/sysroots/$*/include \
		-o $@ $(CROSS_SRCS)

dumps-cross: dump-arm64 dump-s390x

dump-arm64 dump-s390x: dump-%:
	PTWALK_CACHE='$(PTWALK_CACHE)' $(PTWALK_CROSS_DIR)/make-dump.sh $(CROSS_SCENARIO_$*)
