# One Linux boot shared by the tests that only look at a plain guest (see
# "boot: basic" in console.sh, dt.sh, dump-dtb.sh, rtc.sh, sve.sh,
# boot-smp.sh, kvmtool-parity.sh): 2 vCPUs, 320 MiB, a disk, virtio-rng, the
# DTB dumped, a KASLR seed, and a line typed on the serial console when the
# guest asks for it.
# timeout: 200

boot() {
	dd if=/dev/zero of="$WORK/disk.img" bs=65536 count=16 2>/dev/null
	rm -f "$WORK/guest.dtb"
	BOOT_START=$(date +%s)
	# nokaslr: the kernel leaves the seed in /chosen (kvmtool-parity.sh).
	GUEST_PARAMS="lkvm.hosttime=$BOOT_START nokaslr"
	lkvm_run_input '^READY-FOR-INPUT$' 'hello from the host 42' \
		-c 2 -m 320 -d "$WORK/disk.img" --rng --dump-dtb "$WORK/guest.dtb" \
		--kaslr-seed 0x6c6b766d2d6b736c
	BOOT_END=$(date +%s)
	BOOT_DTB=$WORK/guest.dtb
}
