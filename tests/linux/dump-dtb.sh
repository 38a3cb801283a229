# --dump-dtb FILE writes a well-formed flattened device tree (checked with od:
# there is no dtc in the emulated host).  The shared boot dumps it.
# boot: basic
# timeout: 30

be32() {
	# big-endian 32-bit field at byte offset $2 of file $1, in decimal
	printf '%d' "0x$(od -An -tx1 -v -j "$2" -N 4 "$1" | tr -d ' \n')"
}

host() {
	dtb=$BOOT_DTB
	expect_exit 0
	if [ ! -s "$dtb" ]; then
		fail "--dump-dtb wrote no file"
		return
	fi
	size=$(wc -c <"$dtb")
	magic=$(od -An -tx1 -N 4 "$dtb" | tr -d ' \n')
	[ "$magic" = d00dfeed ]
	check $? "FDT magic ($magic)"
	total=$(be32 "$dtb" 4)
	[ "$total" -le "$size" ] && [ "$total" -ge 64 ]
	check $? "totalsize $total fits the $size-byte file"
	off_struct=$(be32 "$dtb" 8)
	off_strings=$(be32 "$dtb" 12)
	version=$(be32 "$dtb" 20)
	size_strings=$(be32 "$dtb" 32)
	size_struct=$(be32 "$dtb" 36)
	[ $((off_struct + size_struct)) -le "$total" ] && [ $((off_strings + size_strings)) -le "$total" ]
	check $? "struct ($off_struct+$size_struct) and strings ($off_strings+$size_strings) blocks inside"
	[ "$version" -ge 16 ]
	check $? "version $version >= 16"
	# The struct block starts with the root node: FDT_BEGIN_NODE, empty name.
	first=$(od -An -tx1 -v -j "$off_struct" -N 8 "$dtb" | tr -d ' \n')
	[ "$first" = 0000000100000000 ]
	check $? "struct block opens the root node ($first)"
	for s in arm,psci ns16550a arm,gic-v3; do
		grep -q "$s" "$dtb"
		check $? "blob contains '$s'"
	done
	grep -aEq "lkvm\.test=([^ ]*,)?$TEST([^a-z0-9-]|\$)" "$dtb"
	check $? "blob's bootargs name the test '$TEST'"
	# The dumped tree is the one the guest got.
	expect_line "^GUEST_BOOTARGS=.*lkvm\\.test=([^ ]*,)?$TEST(,| |\$)"
}

guest() {
	echo "GUEST_BOOTARGS=$(tr -d '\0' </proc/device-tree/chosen/bootargs)"
}
