# Bad command lines and bad files: one "lkvm: " line on stderr, status 129
# for usage errors and 128 for other errors, never a crash or a hang.
# Needs KERNEL (a bootable Image) and PAYLOAD (a flat test binary).

: >"$WORK/empty"
head -c 100 "$KERNEL" >"$WORK/truncated-Image"
head -c 65536 /dev/urandom >"$WORK/junk"
rm -f "$WORK/no-such-file"

bad_case no-kernel 129
bad_case missing-kernel 128 -k "$WORK/no-such-file"
bad_case empty-kernel 128 -k "$WORK/empty"
bad_case truncated-kernel 128 -k "$WORK/truncated-Image"
bad_case junk-initrd 128 -k "$KERNEL" -i "$WORK/junk"
bad_case missing-initrd 128 -k "$KERNEL" -i "$WORK/no-such-file"
bad_case mem-zero 129 -k "$PAYLOAD" -m 0
bad_case mem-absurd "128|129" -k "$PAYLOAD" -m 99999999
bad_case mem-junk 129 -k "$PAYLOAD" -m lots
bad_case cpus-zero 129 -k "$PAYLOAD" -c 0
bad_case cpus-5000 "128|129" -k "$PAYLOAD" -c 5000
bad_case missing-disk 128 -k "$PAYLOAD" -d "$WORK/no-such-file"
bad_case unknown-option 129 -k "$PAYLOAD" --no-such-option
bad_case bad-psci-version 129 -k "$PAYLOAD" --psci-version 9.9
bad_case bad-sve-vl 129 -k "$PAYLOAD" --sve-max-vl 100

# A kernel cut short in the middle (its PE sections say how long it must be),
# and a gzip-compressed kernel cut short, or whole but holding a cut kernel.
head -c 4000000 "$KERNEL" >"$WORK/half-Image"
gzip -1 -c "$WORK/half-Image" >"$WORK/half-Image.gz"
head -c 100000 "$WORK/half-Image.gz" >"$WORK/cut.gz"
bad_case half-kernel 128 -k "$WORK/half-Image"
bad_case gz-of-half-kernel 128 -k "$WORK/half-Image.gz"
bad_case truncated-gzip 128 -k "$WORK/cut.gz"

# kvmtool's options: bad CPU lists, a 64-bit kernel for --aarch32, options
# refused by name, an interrupt controller the host cannot give.
bad_case vcpu-affinity-backwards 129 -k "$PAYLOAD" --vcpu-affinity 1-0
bad_case vcpu-affinity-junk 129 -k "$PAYLOAD" --vcpu-affinity 0,x
bad_case vcpu-affinity-empty 129 -k "$PAYLOAD" --vcpu-affinity ''
bad_case vcpu-affinity-huge 129 -k "$PAYLOAD" --vcpu-affinity 0-5000
bad_case vcpu-affinity-absent 129 -k "$PAYLOAD" --vcpu-affinity 1000
bad_case aarch32-arm64-image 128 -k "$KERNEL" --aarch32
bad_case refused-9p 129 -k "$PAYLOAD" --9p /tmp,tag
bad_case refused-firmware 129 -k "$PAYLOAD" -f "$WORK/junk"
bad_case irqchip-gicv2 129 -k "$PAYLOAD" --irqchip gicv2
bad_case kaslr-seed-junk 129 -k "$PAYLOAD" --kaslr-seed 12ab
# Networking and shared directories: what the user got wrong, before anything starts.
bad_case network-mode-junk 129 -k "$PAYLOAD" -n mode=bridge
bad_case network-mac-junk 129 -k "$PAYLOAD" -n mode=tap,guest_mac=02:00:00:00:00
bad_case network-mac-multicast 129 -k "$PAYLOAD" -n mode=tap,guest_mac=01:00:5e:00:00:01
bad_case network-tapif-long 129 -k "$PAYLOAD" -n mode=tap,tapif=0123456789abcdef
bad_case network-script 129 -k "$PAYLOAD" -n mode=tap,script=/etc/kvm-ifup
bad_case network-vhost-user 129 -k "$PAYLOAD" -n mode=user,vhost=1
bad_case network-nine-nics 129 -k "$PAYLOAD" -n tap -n tap -n tap -n tap -n tap -n tap -n tap \
	-n tap -n tap
bad_case fs-missing-dir 128 -k "$PAYLOAD" --fs "$WORK/no-such-dir"
bad_case fs-not-a-dir 128 -k "$PAYLOAD" --fs "$WORK/junk"
bad_case fs-tag-long 129 -k "$PAYLOAD" --fs /tmp,tag=1234567890123456789012345678901234567
bad_case fs-tag-twice 129 -k "$PAYLOAD" --fs /tmp,tag=a --fs /,tag=a
# --restore: the snapshot holds the configuration; a missing or junk one is one line.
bad_case restore-with-mem 129 --restore "$WORK" -m 128
bad_case restore-with-kernel 129 --restore "$WORK" -k "$PAYLOAD"
bad_case paused-without-restore 129 -k "$PAYLOAD" --paused
bad_case restore-missing 128 --restore "$WORK/no-such-dir"
mkdir -p "$WORK/junk-snap" && head -c 4096 /dev/urandom >"$WORK/junk-snap/state"
bad_case restore-junk 128 --restore "$WORK/junk-snap"
