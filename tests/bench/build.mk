# Bench payloads: `make -f tests/bench/build.mk` from the top of the tree.
# Each tests/bench/NAME.c becomes build/bench/NAME.bin, built like the guest
# test payloads (tests/guest/build.mk, whose runtime it links) and able to
# include tests/guest/*.h.
include tests/guest/build.mk

BENCH_DIR := tests/bench
BENCH_OUT := build/bench
# floor.c and blkio.c are Linux programs built by the Makefile, not payloads.
BENCH_BINS := $(patsubst $(BENCH_DIR)/%.c,$(BENCH_OUT)/%.bin,\
	$(filter-out $(BENCH_DIR)/floor.c $(BENCH_DIR)/blkio.c,$(wildcard $(BENCH_DIR)/*.c)))

bench-payloads: $(BENCH_BINS)

$(BENCH_OUT)/%.o: $(BENCH_DIR)/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -I$(GUEST_DIR) -c -o $@ $<

$(BENCH_OUT)/%.elf: $(BENCH_OUT)/%.o $(GUEST_LIB_OBJS) $(GUEST_DIR)/lib/payload.ld
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJS) -lgcc

$(BENCH_OUT)/%.bin: $(BENCH_OUT)/%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

.PHONY: bench-payloads
.DEFAULT_GOAL := bench-payloads

-include $(BENCH_BINS:.bin=.d)
