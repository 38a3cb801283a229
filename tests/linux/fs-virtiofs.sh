# virtio-fs through virtiofsd (--fs), in one lkvm run of two boots.  Boot 1:
# the guest reads a host file (checksum compared), writes one the host then
# sees, finds a read-only share refusing writes (EROFS, host file unchanged),
# and cannot reach outside the shared directory (.. from the mount root,
# symlinks pointing out); then it reboots in place.  Boot 2: the shares mount
# and read again, and what boot 1 wrote is there.  Then the host kills the
# share's virtiofsd (kill -9): the guest's requests fail with I/O errors, the
# other share still works, lkvm says so once, keeps running and powers off
# cleanly.
# timeout: 400

pattern() {
	yes "$2" | head -c "$1"
}

md5() {
	md5sum | cut -d' ' -f1
}

# The pids of the virtiofsd serving directory $1.
virtiofsd_pids() {
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "--shared-dir=$1 " &&
			echo "${p#/proc/}"
	done
}

host() {
	share=$WORK/share
	ro=$WORK/ro
	mkdir -p "$share/sub" "$ro"
	pattern 1048576 'lkvm virtio-fs data 0123456789' >"$share/data.bin"
	echo 'not read before the kill' >"$share/other.txt"
	echo 'SECRET outside the share' >"$WORK/secret.txt"
	ln -s ../secret.txt "$share/up-link"
	ln -s "$WORK/secret.txt" "$share/abs-link"
	ln -s .. "$share/parent"
	echo 'a read-only file' >"$ro/ro.txt"
	want_read=$(md5 <"$share/data.bin")
	want_write=$(pattern 65536 'written by the guest' | md5)

	lkvm_start -k "$KERNEL" -i "$INITRD" -p "lkvm.test=$TEST $GUEST_PARAMS" -c 2 -m 256 \
		--fs "$share,tag=share" --fs "$ro,tag=rofs,ro" --loglevel info
	_waiting="the guest to ask for the kill"
	# Bounded, so that a hang still shows what lkvm and the guest said.
	if wait_line '^KILL-VIRTIOFSD$' $(($(time_left) / 2)); then
		pids=$(virtiofsd_pids "$share")
		note "killing the share's virtiofsd: $pids"
		[ -n "$pids" ]
		check $? "the share's virtiofsd runs (pids $pids)"
		# shellcheck disable=SC2086 # one word a pid
		kill -9 $pids
		type_line killed
	else
		fail "the guest never asked for the kill"
	fi
	_waiting="the guest to power off"
	wait_exit $(($(time_left) - 10)) || kill -9 "$LKVM_PID"
	wait "$LKVM_PID"
	LKVM_RC=$?
	exec 3>&-
	_show_run

	expect_exit 0
	# Boot 1
	expect_line '^MOUNT1_RC=0$'
	expect_line "^READ1_MD5=$want_read\$"
	expect_line '^WRITE_RC=0$'
	got=$(md5 <"$share/fromguest.bin")
	[ "$got" = "$want_write" ]
	check $? "the host sees the guest's file ($got, want $want_write)"
	expect_line '^RO_READ=a read-only file$'
	expect_line '^RO_CREATE=1 .*Read-only file system'
	expect_line '^RO_APPEND=1 .*Read-only file system'
	expect_line '^RO_RM=1 .*Read-only file system'
	[ "$(cat "$ro/ro.txt")" = 'a read-only file' ] && [ ! -e "$ro/new.txt" ] &&
		[ "$(ls "$ro")" = ro.txt ]
	check $? "the read-only share is unchanged on the host"
	expect_line '^DOTDOT_IS_GUEST_ROOT=1$'
	expect_line '^PARENT_LINK_IS_GUEST_ROOT=1$'
	expect_line '^UP_LINK=1 '
	expect_line '^ABS_LINK=1 '
	expect_line '^SECRETS=0$'
	expect_no_line 'SECRET outside'
	# Boot 2, after the reboot in place
	expect_line '^REBOOTING$'
	expect_line 'guest reset .*rebooting in place'
	expect_line '^MOUNT2_RC=0$'
	expect_line "^READ2_MD5=$want_read\$"
	expect_line "^BOOT1_WRITE_MD5=$want_write\$"
	expect_line '^RO2_READ=a read-only file$'
	# The kill
	expect_line '^AFTER_KILL_CAT=1 .*Input/output error'
	expect_line '^AFTER_KILL_LS=[1-9] .*Input/output error'
	expect_line '^RO_AFTER_KILL=a read-only file$'
	expect_line '^POWERING-OFF$'
	[ "$(tr -d '\r' <"$OUT" | grep -c "virtio-fs share: virtiofsd exited (killed by signal 9); the guest's requests fail with EIO")" -eq 1 ]
	check $? "lkvm says once that the share's virtiofsd was killed"
	expect_no_line 'virtio-fs rofs:'
	[ -z "$(virtiofsd_pids "$share")$(virtiofsd_pids "$ro")" ]
	check $? "no virtiofsd is left behind"
}

# "$@" fails: "1 <its error message>", else "0".
rc_err() {
	"$@" >/dev/null 2>/tmp/err
	echo "$? $(head -n 1 /tmp/err)"
}

guest() {
	echo 1 >/proc/sys/kernel/printk
	mkdir -p /mnt /ro
	mount -t virtiofs share /mnt
	rc=$?
	if [ ! -e /mnt/boot1-done ]; then
		echo "MOUNT1_RC=$rc"
		echo "READ1_MD5=$(md5 </mnt/data.bin)"
		yes 'written by the guest' | head -c 65536 >/tmp/pattern
		cp /tmp/pattern /mnt/fromguest.bin
		echo "WRITE_RC=$?"
		mount -t virtiofs rofs /ro
		echo "RO_READ=$(cat /ro/ro.txt)"
		echo "RO_CREATE=$(rc_err sh -c 'echo x >/ro/new.txt')"
		echo "RO_APPEND=$(rc_err sh -c 'echo x >>/ro/ro.txt')"
		echo "RO_RM=$(rc_err rm /ro/ro.txt)"
		[ "$(stat -c %d:%i /mnt/..)" = "$(stat -c %d:%i /)" ]
		echo "DOTDOT_IS_GUEST_ROOT=$((! $?))"
		[ "$(stat -L -c %d:%i /mnt/parent)" = "$(stat -c %d:%i /)" ]
		echo "PARENT_LINK_IS_GUEST_ROOT=$((! $?))"
		echo "UP_LINK=$(rc_err cat /mnt/up-link)"
		echo "ABS_LINK=$(rc_err cat /mnt/abs-link)"
		echo "SECRETS=$(grep -rs SECRET /mnt /ro | wc -l)"
		touch /mnt/boot1-done
		sync
		echo "REBOOTING"
		reboot -f
	fi
	echo "MOUNT2_RC=$rc"
	echo "READ2_MD5=$(md5 </mnt/data.bin)"
	echo "BOOT1_WRITE_MD5=$(md5 </mnt/fromguest.bin)"
	mount -t virtiofs rofs /ro
	echo "RO2_READ=$(cat /ro/ro.txt)"
	echo "KILL-VIRTIOFSD"
	read -r _
	echo "AFTER_KILL_CAT=$(rc_err cat /mnt/other.txt)"
	echo "AFTER_KILL_LS=$(rc_err ls /mnt/sub)"
	echo "RO_AFTER_KILL=$(cat /ro/ro.txt)"
	echo "POWERING-OFF"
}
