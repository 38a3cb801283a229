# Bare test payloads: `make -f tests/guest/build.mk` from the top of the tree.
# Each tests/guest/NAME.c becomes build/guest/NAME.bin, a flat binary linked at
# 0x80080000 that lkvm loads at RAM + 0x80000 and enters at EL1h, MMU off.
#
# A test is one C file defining `void test_main(void)` (runtime: lib/libtest.h;
# plan/ok/diag/done print TAP on the UART, done() powers off).  Its header
# comment tells the runner (tests/rig/runner.sh) how to run it, one key a line:
#   lkvm-args: -c 2 --psci-version 1.1   extra `lkvm run` options (default: none)
#   expect-exit: 0                        lkvm's exit status (default 0)
#   expect-output: REGEX                  a line matching REGEX must appear (repeatable)
#   timeout: 60                           seconds (default 60)
#   run-by: tests/linux/NAME.sh           not run on its own: that test's host() runs it
# It passes if lkvm exits as expected, no "not ok" or "Bail out!" line was
# printed, and the number of ok lines matches the plan.  "1..0 # SKIP why" skips.

ifeq ($(shell uname -m),aarch64)
GUEST_CROSS ?=
else
GUEST_CROSS ?= aarch64-linux-gnu-
endif
GUEST_CC := $(GUEST_CROSS)gcc
GUEST_OBJCOPY := $(GUEST_CROSS)objcopy

GUEST_DIR := tests/guest
GUEST_OUT := build/guest
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -nostdlib -fno-builtin -fno-pic -fno-pie -fno-stack-protector \
	-fno-common -mgeneral-regs-only -mstrict-align -I$(GUEST_DIR)/lib -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,$(GUEST_DIR)/lib/payload.ld

GUEST_LIB_SRCS := $(wildcard $(GUEST_DIR)/lib/*.c) $(GUEST_DIR)/lib/start.S
GUEST_LIB_OBJS := $(patsubst $(GUEST_DIR)/lib/%,$(GUEST_OUT)/lib/%.o,$(GUEST_LIB_SRCS))
GUEST_TESTS := $(wildcard $(GUEST_DIR)/*.c)
GUEST_BINS := $(GUEST_TESTS:$(GUEST_DIR)/%.c=$(GUEST_OUT)/%.bin)

# The one AArch32 payload (--aarch32), A32 words in an aarch64 assembler file.
GUEST_BINS += $(GUEST_OUT)/aarch32.bin

guest-payloads: $(GUEST_BINS)

$(GUEST_OUT)/aarch32.bin: $(GUEST_DIR)/aarch32.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) -c -o $(GUEST_OUT)/aarch32.o $<
	$(GUEST_OBJCOPY) -O binary -j .text $(GUEST_OUT)/aarch32.o $@

$(GUEST_OUT)/lib/%.o: $(GUEST_DIR)/lib/%
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.o $(GUEST_LIB_OBJS) $(GUEST_DIR)/lib/payload.ld
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJS) -lgcc

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.PHONY: guest-payloads
.SECONDARY:
.DEFAULT_GOAL := guest-payloads

-include $(GUEST_LIB_OBJS:.o=.d) $(GUEST_BINS:.bin=.d)
