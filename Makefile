# SPDX-License-Identifier: GPL-2.0-only
#
# make                 kmod/ksampler.ko (for KVER) and build/profctl
# make KVER=<release>  the module for that kernel's installed headers
# make modules-all     the module for every installed header set
# make SAN=1           profctl and the unit tests with ASan + UBSan
# make test            every test; ends with "N passed, N failed, N skipped"
# make check           checkpatch, sparse and the compat.h rule on kmod/
# make demo            install what is missing, build, and show it in a guest
# make debug-kernel    the lockdep+KASAN guest kernel, cached outside the clone
# sudo make install    the module through DKMS (every kernel with headers),
#                      profctl, its man page, the udev rule, modprobe.d
# sudo make uninstall  all of that again
# make deb             ksampler-dkms and profctl Debian packages, lintian'ed
#
# The module's objects are listed in kmod/Kbuild; this file only drives it.

VERSION := $(shell cat VERSION)
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
	git diff --quiet HEAD -- 2>/dev/null || echo -dirty)

KVER ?= $(shell scripts/kernels default)
KDIR := /lib/modules/$(KVER)/build

BUILD ?= build
OBJ := $(BUILD)/obj
GEN := $(BUILD)/gen

CC ?= cc
CFLAGS_BASE := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -g -Iinclude -I$(GEN) -D_GNU_SOURCE
ifeq ($(SAN),1)
CFLAGS_MODE := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
LDFLAGS_MODE := -fsanitize=address,undefined
else
CFLAGS_MODE := -O2 -fno-omit-frame-pointer
LDFLAGS_MODE :=
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(CFLAGS_MODE) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(LDFLAGS_MODE) $(LDFLAGS)
LDLIBS := -lprotobuf-c -lz -lelf

# Library modules: every userspace/*.c but the tests; the CLI sits on top.
LIB_SRCS := $(filter-out %_test.c,$(wildcard userspace/*.c))
CLI_SRCS := $(wildcard userspace/cli/*.c)
TEST_SRCS := $(wildcard userspace/*_test.c)
LIB_OBJS := $(LIB_SRCS:userspace/%.c=$(OBJ)/%.o) $(OBJ)/gen/profile.pb-c.o
CLI_OBJS := $(CLI_SRCS:userspace/%.c=$(OBJ)/%.o)
TEST_BINS := $(TEST_SRCS:userspace/%.c=$(BUILD)/tests/%)
GUEST_BINS := $(patsubst tests/vm/%.c,$(BUILD)/tests/vm/%,$(wildcard tests/vm/*.c))
HOST_BINS := $(patsubst tests/host/%.c,$(BUILD)/tests/host/%,$(wildcard tests/host/*.c))

GO_WORKLOADS := $(patsubst tests/workloads/%/main.go,$(BUILD)/workloads/%,$(wildcard tests/workloads/*/main.go)) \
	$(BUILD)/workloads/cpusplit-pie $(BUILD)/workloads/cpusplit-pie-stripped
# What the corpus's Go programs share (tests/workloads/wl, a module of its own).
WL_SHARED := tests/workloads/wl/wl.go tests/workloads/wl/go.mod
C_WORKLOADS := $(BUILD)/workloads/cburn $(BUILD)/workloads/churn $(BUILD)/workloads/cshlib
# The stack-switch programs of the fidelity corpus (tests/vm/fidelity.sh)
# again with the newest Go Debian has, whose runtime keeps its frame
# pointers otherwise (since 1.21 systemstack has a frame of its own and
# morestack ends the chain); only when it is installed (bookworm-backports).
GO123 := $(wildcard /usr/lib/go-1.23/bin/go)
ifneq ($(GO123),)
GO_WORKLOADS += $(patsubst %,$(BUILD)/workloads/%-go1.23,timenow cgocall allocgc stackgrow)
endif

.PHONY: all module profctl modules-all test check demo clean unit-tests workloads bench torture \
	debug-kernel \
	install install-files uninstall deb

all: module profctl

# Built in build/kmod/$(KVER)/ like every other kernel's module (so kmod/
# never holds objects or Kbuild's generated C), then copied to the
# contract path.
module:
	@test -f $(KDIR)/Makefile || { echo "no kernel headers in $(KDIR): run scripts/install-deps" >&2; exit 1; }
	@ko=$$(scripts/build-module $(KVER)) && cp "$$ko" kmod/ksampler.ko && \
		echo "  MODULE  kmod/ksampler.ko ($(KVER))"

modules-all:
	@set -e; kvers="$$(scripts/kernels headers)"; \
	test -n "$$kvers" || { echo "no kernel headers installed: run scripts/install-deps" >&2; exit 1; }; \
	for k in $$kvers; do echo "  MODULE  $$k"; scripts/build-module $$k >/dev/null; done

profctl: $(BUILD)/profctl

# Rebuild everything when the flags change (SAN=1 <-> default).
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(ALL_CFLAGS) $(ALL_LDFLAGS) $(VERSION) $(GIT_REV)' | cmp -s - $@ || \
		echo '$(ALL_CFLAGS) $(ALL_LDFLAGS) $(VERSION) $(GIT_REV)' > $@

$(OBJ)/%.o: userspace/%.c $(BUILD)/.flags | $(GEN)/profile.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The pprof schema (userspace/proto/profile.proto), compiled by protoc-c.
$(GEN)/profile.pb-c.c $(GEN)/profile.pb-c.h: userspace/proto/profile.proto
	@mkdir -p $(GEN)
	protoc-c --c_out=$(GEN) --proto_path=userspace/proto $<

$(OBJ)/gen/profile.pb-c.o: $(GEN)/profile.pb-c.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/cli/main.o: ALL_CFLAGS += -DPROFCTL_VERSION='"$(VERSION)"' \
	-DPROFCTL_GIT_REV='"$(GIT_REV)"'

$(BUILD)/libprofctl.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/profctl: $(CLI_OBJS) $(BUILD)/libprofctl.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%_test: $(OBJ)/%_test.o $(BUILD)/libprofctl.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS)

$(OBJ)/%_test.o: userspace/%_test.c $(BUILD)/.flags | $(GEN)/profile.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Programs the VM tests run inside the guest (dynamic: the guest runs on
# the host's root filesystem).
$(BUILD)/tests/vm/%: tests/vm/%.c $(wildcard tests/vm/*.h) $(BUILD)/libprofctl.a $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iuserspace $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libprofctl.a

# Go programs with a known CPU profile, for the tests and the demo.
workloads: $(GO_WORKLOADS) $(C_WORKLOADS)

$(BUILD)/workloads/%: tests/workloads/%/main.go tests/workloads/%/go.mod $(WL_SHARED)
	@mkdir -p $(@D)
	cd tests/workloads/$* && GOFLAGS=-mod=mod go build -o $(CURDIR)/$@ .

$(BUILD)/workloads/cpusplit-pie: tests/workloads/cpusplit/main.go tests/workloads/cpusplit/go.mod
	@mkdir -p $(@D)
	cd tests/workloads/cpusplit && GOFLAGS=-mod=mod go build -buildmode=pie -o $(CURDIR)/$@ .

# As Go services ship: PIE, no symbol table, no DWARF; only pclntab names it.
$(BUILD)/workloads/cpusplit-pie-stripped: tests/workloads/cpusplit/main.go tests/workloads/cpusplit/go.mod
	@mkdir -p $(@D)
	cd tests/workloads/cpusplit && GOFLAGS=-mod=mod go build -buildmode=pie -ldflags='-s -w' -o $(CURDIR)/$@ .

# cgo with the frame-pointer flags of its #cgo CFLAGS line, which cgo's
# allow-list lacks (-mno-omit-leaf-frame-pointer).
CGO_ENV := CGO_ENABLED=1 CGO_CFLAGS_ALLOW=-mno-omit-leaf-frame-pointer

$(BUILD)/workloads/cgocall: tests/workloads/cgocall/main.go tests/workloads/cgocall/go.mod $(WL_SHARED)
	@mkdir -p $(@D)
	cd tests/workloads/cgocall && $(CGO_ENV) GOFLAGS=-mod=mod go build -o $(CURDIR)/$@ .

$(BUILD)/workloads/%-go1.23: tests/workloads/%/main.go tests/workloads/%/go.mod $(WL_SHARED)
	@mkdir -p $(@D)
	cd tests/workloads/$* && $(CGO_ENV) GOFLAGS=-mod=mod GOTOOLCHAIN=local $(GO123) build -o $(CURDIR)/$@ .

# C workloads: a frame in every function, leaves included (GCC 12 omits leaf
# frames at -O1 even with -mno-omit-leaf-frame-pointer), symbols kept.
$(BUILD)/workloads/cburn: tests/workloads/cburn/cburn.c
	@mkdir -p $(@D)
	$(CC) -O0 -fno-omit-frame-pointer -o $@ $<

$(BUILD)/workloads/churn: tests/workloads/churn/churn.c
	@mkdir -p $(@D)
	$(CC) -O0 -fno-omit-frame-pointer -pthread -o $@ $<

# A C program and its own shared library, both -O1 with frame pointers
# (neither designed function is a leaf, for GCC 12's sake); the program
# finds the library next to itself ($$ORIGIN).
CSHLIB_CFLAGS := -O1 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -Wall -Wextra -Werror

$(BUILD)/workloads/libcshlib_hot.so: tests/workloads/cshlib/cshlib_hot.c tests/workloads/cshlib/cshlib.h
	@mkdir -p $(@D)
	$(CC) $(CSHLIB_CFLAGS) -fPIC -shared -o $@ $<

$(BUILD)/workloads/cshlib: tests/workloads/cshlib/cshlib.c tests/workloads/cshlib/cshlib.h \
		$(BUILD)/workloads/libcshlib_hot.so
	@mkdir -p $(@D)
	$(CC) $(CSHLIB_CFLAGS) -o $@ $< -L$(BUILD)/workloads -lcshlib_hot -Wl,-rpath,'$$ORIGIN'

# Test helpers that run on the host.
$(BUILD)/tests/host/%: tests/host/%.c $(BUILD)/libprofctl.a $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iuserspace $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libprofctl.a $(LDLIBS)

# Benchmark drivers (bench/*.c), run in the guest; micro.c compiles the
# module's walk and ring cores.
$(BUILD)/bench/%: bench/%.c kmod/unwind_core.h kmod/ring_core.h $(BUILD)/libprofctl.a $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iuserspace $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libprofctl.a $(LDLIBS)

# The churn soak's workload (bench/churn-guest.sh) and the 20 distinct
# shared objects each of its processes maps, with the C workloads' flags.
CHURN_LIBS := $(patsubst %,$(BUILD)/bench/churn-libs/libchurn%.so,$(shell seq -w 0 19))

$(BUILD)/bench/churn-libs/libchurn%.so: bench/churn_lib.c
	@mkdir -p $(@D)
	$(CC) $(CSHLIB_CFLAGS) -fPIC -shared -DCHURN_LIB_ID=$* -o $@ $<

$(BUILD)/bench/churn: bench/churn.c $(CHURN_LIBS) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

bench:
	@bench/run

# The lockdep+KASAN guest kernel (scripts/debug-kernel): built once into
# ~/.cache/ksampler, rebuilt only when its configuration changes.
debug-kernel:
	@scripts/debug-kernel build

# The nightly-style run, on the four kernels and the debug kernel: the
# guest suites with 20 times the ioctl fuzzing and 10 times the collector
# kills, longer races and scenario fuzzing, and each libFuzzer target for
# 10 min.
torture: all unit-tests workloads debug-kernel
	KSAMPLER_FUZZ_ITERS=1000000 KSAMPLER_STRESS_KILLS=300 \
	KSAMPLER_RACE_SECONDS=120 KSAMPLER_SCENARIO_ITERS=20000 \
	KSAMPLER_VM_TIMEOUT=5400 FUZZ_SECONDS=600 tests/run vm.t fuzz.t

unit-tests: $(TEST_BINS) $(GUEST_BINS) $(HOST_BINS) $(BUILD)/profctl

test: all unit-tests workloads
	@tests/run

check:
	@tests/style.t

demo:
	@scripts/demo

clean:
	rm -rf $(BUILD) kmod/ksampler.ko

# Installation. DESTDIR and PREFIX as usual; with DESTDIR set (packaging)
# nothing is registered with DKMS, udev or the group database.
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UDEVRULESDIR ?= $(SYSCONFDIR)/udev/rules.d
DKMS_SRC := /usr/src/ksampler-$(VERSION)

install-files: profctl
	install -D -m 0755 $(BUILD)/profctl $(DESTDIR)$(PREFIX)/bin/profctl
	install -D -m 0644 userspace/cli/profctl.8 $(DESTDIR)$(MANDIR)/man8/profctl.8
	install -D -m 0644 dkms/60-ksampler.rules $(DESTDIR)$(UDEVRULESDIR)/60-ksampler.rules
	install -D -m 0644 dkms/ksampler.conf $(DESTDIR)$(SYSCONFDIR)/modprobe.d/ksampler.conf
	rm -rf $(DESTDIR)$(DKMS_SRC)
	scripts/dkms-source $(DESTDIR)$(DKMS_SRC)

install: install-files
ifeq ($(DESTDIR),)
	getent group ksampler >/dev/null || groupadd --system ksampler
	@# no udevd (a container, a chroot): the rule applies from next boot
	@udevadm control --reload-rules 2>/dev/null || true
	@test ! -e /dev/ksampler || udevadm trigger --name-match=ksampler 2>/dev/null || true
	scripts/dkms-install $(VERSION)
endif

uninstall:
	-dkms remove -m ksampler -v $(VERSION) --all 2>/dev/null
	rm -rf $(DESTDIR)$(DKMS_SRC)
	rm -f $(DESTDIR)$(PREFIX)/bin/profctl $(DESTDIR)$(MANDIR)/man8/profctl.8 \
		$(DESTDIR)$(UDEVRULESDIR)/60-ksampler.rules \
		$(DESTDIR)$(SYSCONFDIR)/modprobe.d/ksampler.conf

# Debian packages, built from a copy of the tree in build/deb/.
deb:
	@scripts/make-deb $(BUILD)/deb

FORCE:

# Keep intermediate objects: make would otherwise delete them after the
# test run and print that after "N passed, N failed", which must come last.
.SECONDARY:

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
