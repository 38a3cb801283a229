# lkvm: a userspace VMM for arm64 KVM.  See README.md; docs/design.md has the
# layers these lists follow.

LKVM_CACHE ?= $(HOME)/.cache/lkvm
export LKVM_CACHE
HOST_ARCH := $(shell uname -m)

ifeq ($(HOST_ARCH),aarch64)
CROSS ?=
TARGET_CFLAGS :=
TARGET_LDFLAGS :=
else
CROSS ?= aarch64-linux-gnu-
SYSROOT := $(LKVM_CACHE)/sysroot
# The sysroot's UAPI headers (Debian sid) come before the cross toolchain's
# older ones: they carry the SMCCC filter and SYSTEM_OFF2.
TARGET_CFLAGS := -isystem $(SYSROOT)/usr/include -isystem $(SYSROOT)/usr/include/aarch64-linux-gnu
TARGET_LDFLAGS := -L$(SYSROOT)/usr/lib/aarch64-linux-gnu
endif

CC := $(CROSS)gcc
HOSTCC ?= gcc
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla
# Link-time optimisation lets the exit path (vcpu-loop.c, vcpu.c, vm.c, the
# bus) inline across files: make bench measured 22 ns less an MMIO exit and
# 158 ns less a forwarded SDEI call in the emulated host.
CFLAGS ?= -O2 -g -flto=auto
BASE_CFLAGS := -std=gnu11 $(WARN) -Iinclude -D_GNU_SOURCE -MMD -MP
LIBS := -lfdt -lz -lpthread

# The logic that decides: no KVM header, no ioctl.  It also builds natively
# for the unit tests and fuzzers (tests/unit, tests/fuzz).
PURE_SRCS := util.c options.c options-snapshot.c device.c term.c psci.c sdei.c smccc.c json.c ctl-proto.c snapshot.c snapshot-tags.c \
	arm/image.c arm/fdt.c arm/reg-name.c hw/uart8250.c hw/pl031.c \
	virtio/virtq.c virtio/mmio.c virtio/blk.c virtio/console.c virtio/rng.c \
	virtio/input.c virtio/fs.c virtio/net.c ctl-client.c vhost-user-msg.c
# What drives KVM, top layer first (docs/design.md): the lifecycle, the exit
# dispatcher, the handlers, arm64, the vCPU core, the VM.
GLUE_SRCS := main.c builtin-run.c boot.c ctl-server.c ctl-report.c snapshot-kvm.c \
	builtin-list.c builtin-pause.c builtin-resume.c builtin-stop.c builtin-debug.c \
	builtin-stat.c builtin-wait.c builtin-events.c builtin-wake.c builtin-sdei.c builtin-snapshot.c \
	vcpu-loop.c \
	psci-kvm.c smccc-kvm.c sdei-kvm.c testdev.c virtio-kvm.c daemon.c vhost-user.c fs-virtiofsd.c net-tap.c net-passt.c \
	arm/arch-vm.c arm/arch-vcpu.c arm/arch-gic.c \
	vcpu.c \
	vm.c
SRCS := $(GLUE_SRCS) $(PURE_SRCS)
HDRS := $(wildcard include/lkvm/*.h)

OBJDIR := build/target
HOSTDIR := build/host
OBJS := $(SRCS:%.c=$(OBJDIR)/%.o)
HOST_OBJS := $(PURE_SRCS:%.c=$(HOSTDIR)/%.o)

all: lkvm

lkvm: $(OBJS)
	$(CC) -static $(CFLAGS) -o $@ $(OBJS) $(TARGET_LDFLAGS) $(LIBS)

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(TARGET_CFLAGS) $(CFLAGS) -c -o $@ $<

# ---- host-native unit tests (ASan + UBSan) ---------------------------------
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := -std=gnu11 $(WARN) -Iinclude -Itests/unit -D_GNU_SOURCE -MMD -MP -O1 -g $(SAN)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
# Tests of the test harness itself, shell scripts run like the unit binaries.
UNIT_SCRIPTS := $(wildcard tests/unit/test-*.sh)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(HOSTDIR)/tests/%) \
	$(UNIT_SCRIPTS:tests/unit/%.sh=$(HOSTDIR)/tests/%)

$(HOSTDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -c -o $@ $<

$(HOSTDIR)/tests/%: tests/unit/%.c $(HOST_OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_OBJS) -lfdt -lz -lpthread

$(HOSTDIR)/tests/%: tests/unit/%.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@

unit-tests: $(UNIT_BINS)

# Dependencies point one way and the pure files stay pure (scripts/check-layers.sh).
check-layers:
	@scripts/check-layers.sh --pure "$(PURE_SRCS)" --all "$(wildcard *.c arm/*.c hw/*.c virtio/*.c)" \
		$(SRCS) $(HDRS)

check-unit: unit-tests
	@tests/unit/run.sh $(UNIT_BINS)

# ---- the same unit tests without sanitizers, for valgrind memcheck ----------
# (tests/unit/test-valgrind.sh runs them: no error, no leak.)
VG_DIR := build/valgrind
VG_CFLAGS := -std=gnu11 $(WARN) -Iinclude -Itests/unit -D_GNU_SOURCE -MMD -MP -O1 -g
VG_OBJS := $(PURE_SRCS:%.c=$(VG_DIR)/%.o)
VG_BINS := $(UNIT_SRCS:tests/unit/%.c=$(VG_DIR)/tests/%)

$(VG_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(VG_CFLAGS) -c -o $@ $<

$(VG_DIR)/tests/%: tests/unit/%.c $(VG_OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(VG_CFLAGS) -o $@ $< $(VG_OBJS) -lfdt -lz -lpthread

valgrind-bins: $(VG_BINS)

# ---- fuzzers (clang libFuzzer) -------------------------------------------------
# Each starts from its corpus in tests/fuzz/corpus/NAME.  `make test` runs each
# for a few seconds (tests/unit/test-fuzz.sh); `make fuzz` for FUZZ_SECONDS.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 20
build/fuzz/%: tests/fuzz/%.c $(PURE_SRCS)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -Iinclude -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(PURE_SRCS) -lfdt -lz -lpthread
fuzz-bins: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/unit/test-fuzz.sh

# ---- dependencies, the emulated host, the tests ----------------------------
deps:
	@scripts/deps.sh build

deps-rig:
	@scripts/deps.sh rig

# Boot the default guest (Debian's arm64 kernel + lkvm's busybox initramfs).
run: deps-rig
	@$(MAKE) --no-print-directory lkvm
	@tests/rig/boot-default.sh

# The whole suite: unit tests, then guest tests in the emulated host (or on
# /dev/kvm when this is an arm64 machine with KVM).  T=name runs one test.
test: deps-rig
	@$(MAKE) --no-print-directory lkvm unit-tests $(TEST_TOOLS)
	@tests/run.sh

# Linux programs the guest tests run in the emulated host, not part of lkvm:
# what the control-socket tests do to a socket that lkvm's client never would;
# the vCPU registers a snapshot holds, read without lkvm's code (snap-regs).
TEST_TOOLS := build/tools/ctl-poke build/tools/snap-regs
$(TEST_TOOLS): build/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE $(TARGET_CFLAGS) $(CFLAGS) -static -o $@ $<

# Linux programs `make bench` runs, not part of lkvm: the floor VMM lkvm is
# measured against (tests/bench/floor.c), and the block I/O tool run alike in
# the guest and on the host (tests/bench/blkio.c).
BENCH_TOOLS := build/bench/floor build/bench/blkio
$(BENCH_TOOLS): build/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude $(TARGET_CFLAGS) $(CFLAGS) -static -o $@ $< \
		$(TARGET_LDFLAGS) -lfdt

# The soak test at full length: 50 suspend/resume cycles and 20 reboots.
soak: deps-rig
	@$(MAKE) --no-print-directory lkvm unit-tests $(TEST_TOOLS)
	@T='linux: soak$$' SOAK=full tests/run.sh

bench: deps-rig
	@$(MAKE) --no-print-directory lkvm $(BENCH_TOOLS)
	@tests/bench/run.sh

clean:
	rm -rf build lkvm

.PHONY: all deps deps-rig run test soak bench clean unit-tests check-unit check-layers fuzz \
	fuzz-bins valgrind-bins

# Unit test binaries are compiled from their .c in one step: their .d lists
# the headers they include, so a changed header rebuilds them.
-include $(OBJS:.o=.d) $(HOST_OBJS:.o=.d) $(UNIT_BINS:=.d) $(VG_OBJS:.o=.d) $(VG_BINS:=.d)
