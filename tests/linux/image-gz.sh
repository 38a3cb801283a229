# A gzip-compressed kernel (Image.gz) boots like the Image it holds.
# timeout: 240

host() {
	gzip -1 -c "$KERNEL" >"$WORK/Image.gz"
	KERNEL=$WORK/Image.gz
	lkvm_run -c 1 -m 256
	expect_exit 0
	expect_line '^BOOTED-FROM-GZ=yes$'
	rm -f "$WORK/Image.gz"
}

guest() {
	echo "BOOTED-FROM-GZ=yes"
}
