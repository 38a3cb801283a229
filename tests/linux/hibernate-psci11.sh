# Hibernation under --psci-version 1.1: no SYSTEM_OFF2, so the guest powers
# off with plain SYSTEM_OFF after writing its image: lkvm exits 0 and says
# powered off (not hibernated); the second run still resumes the image.
# timeout: 500

if [ -n "${SRC:-}" ]; then
	. "$SRC/tests/linux/hibernate.sh"
else
	. /tests/hibernate.sh
fi

host() {
	hib_host 0 '^lkvm: guest powered off$' 'hibernated' --psci-version 1.1
}
