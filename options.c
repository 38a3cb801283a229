// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm run` command line, and the table engine every subcommand parses its
 * own with.  Spellings and meanings follow kvmtool's so that scripts written
 * for it (kvm-unit-tests among them) work unchanged; the parser is pure so
 * the unit tests can drive every corner of it.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/ctl-proto.h"
#include "lkvm/layout.h"
#include "lkvm/options.h"

#define FLAG(field) OPT_FLAG, offsetof(struct run_opts, field), NULL
#define STRING(field) OPT_STRING, offsetof(struct run_opts, field), NULL
#define CALL(fn) OPT_CALL, 0, fn
#define SECTION(title) { NULL, 0, NULL, title, OPT_SECTION, 0, NULL }
#define REFUSED(name, short_name, why) { name, short_name, NULL, why, OPT_REFUSED, 0, NULL }

int options_bad(const char *cmd, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	pr_err("%s (see 'lkvm %s --help')", msg, cmd);
	return -1;
}

static int bad(const char *fmt, const char *arg)
{
	return options_bad("run", fmt, arg);
}

static int parse_mem(const char *arg, void *base)
{
	struct run_opts *o = base;
	char buf[128];
	char *at;

	if (strlen(arg) >= sizeof(buf))
		return bad("invalid memory size '%.100s'", arg);
	strcpy(buf, arg);
	at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (!util_parse_number(at + 1, 1, &o->mem_base) || o->mem_base % SZ_2M)
			return bad("invalid RAM address '%s' (must be 2 MiB aligned)", at + 1);
		if (o->mem_base < LKVM_RAM_BASE)
			return bad("RAM address '%s' is below 0x80000000, where the devices live",
				   at + 1);
	}
	if (!util_parse_number(buf, SZ_1M, &o->mem_size))
		return bad("invalid memory size '%s'", arg);
	if (o->mem_size < 16 * SZ_1M)
		return bad("memory size '%s' is too small (16 MiB at least)", arg);
	if (o->mem_size % SZ_1M)
		return bad("memory size '%s' is not a whole number of MiB", arg);
	return 0;
}

/* A bare number (no suffix) in [lo, hi]. */
static bool number_in(const char *arg, u64 lo, u64 hi, u64 *out)
{
	return util_parse_number(arg, 0, out) && *out >= lo && *out <= hi;
}

static int parse_cpus(const char *arg, void *base)
{
	struct run_opts *o = base;
	u64 v;

	/* The real ceiling is KVM's, checked when the VM is created. */
	if (!number_in(arg, 1, 65535, &v))
		return bad("invalid number of vCPUs '%s' (1 or more)", arg);
	o->nr_cpus = (int)v;
	return 0;
}

static int parse_disk(const char *arg, void *base)
{
	struct run_opts *o = base;
	struct disk_opt *d;
	char *comma;

	if (o->nr_disks == LKVM_MAX_DISKS)
		return bad("too many disks (at most %s)", "8");
	d = &o->disks[o->nr_disks++];
	if (strlen(arg) >= sizeof(d->path))
		return bad("disk path too long: '%.100s...'", arg);
	strcpy(d->path, arg);
	comma = strchr(d->path, ',');
	if (comma) {
		if (strcmp(comma, ",ro"))
			return bad("unknown disk option '%s' (only ',ro')", comma + 1);
		*comma = '\0';
		d->readonly = true;
	}
	if (!*d->path)
		return bad("empty disk path in '%s'", arg);
	return 0;
}

static bool parse_mac(const char *s, u8 mac[6])
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 || strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (u8)b[i];
	return true;
}

/* kvmtool's parameters lkvm takes only in the one spelling that changes nothing. */
static int net_noop_key(const char *key, const char *val, const char *ok, const char *why)
{
	char msg[160];

	if (!strcmp(val, ok))
		return 0;
	snprintf(msg, sizeof(msg), "--network %s=%%s: not supported: %s", key, why);
	return bad(msg, val);
}

/* One key=value of a -n list; @n is filled in. */
static int net_param(struct net_opt *n, const char *key, const char *val)
{
	if (!strcmp(key, "mode")) {
		if (!strcmp(val, "tap"))
			n->mode = NET_TAP;
		else if (!strcmp(val, "user"))
			n->mode = NET_USER;
		else if (!strcmp(val, "none"))
			n->mode = NET_NONE;
		else
			return bad("--network mode=%s: unknown mode (tap, user or none)", val);
	} else if (!strcmp(key, "tapif")) {
		if (!*val || strlen(val) >= sizeof(n->tapif) || strchr(val, '/') ||
		    !strcmp(val, ".") || !strcmp(val, ".."))
			return bad("--network tapif=%s: not a network interface name "
				   "(1 to 15 characters, no '/')", val);
		strcpy(n->tapif, val);
	} else if (!strcmp(key, "guest_mac") || !strcmp(key, "host_mac")) {
		bool guest = key[0] == 'g';
		u8 *mac = guest ? n->guest_mac : n->host_mac;

		if (!parse_mac(val, mac))
			return bad("--network: '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", val);
		if (mac[0] & 1)
			return bad("--network: %s is a multicast MAC address", val);
		if (guest)
			n->has_guest_mac = true;
		else
			n->has_host_mac = true;
	} else if (!strcmp(key, "vhost")) {
		if (strcmp(val, "0") && strcmp(val, "1"))
			return bad("--network vhost=%s: 0 or 1", val);
		n->vhost = val[0] == '1';
	} else if (!strcmp(key, "socket")) {
		if (!*val || strlen(val) >= sizeof(n->socket))
			return bad("--network socket=%s: a UNIX socket path, 1 to 107 bytes", val);
		strcpy(n->socket, val);
	} else if (!strcmp(key, "script") || !strcmp(key, "downscript")) {
		return net_noop_key(key, val, "none",
				    "lkvm runs no scripts; set the tap up beforehand or after");
	} else if (!strcmp(key, "trans")) {
		return net_noop_key(key, val, "mmio", "lkvm's devices are virtio-mmio");
	} else if (!strcmp(key, "mq")) {
		return net_noop_key(key, val, "1", "one queue pair per NIC");
	} else if (!strcmp(key, "guest_ip") || !strcmp(key, "host_ip")) {
		return bad("--network %s: not supported: the guest's addresses come from passt's "
			   "DHCP (mode=user) or your own set-up (mode=tap)", key);
	} else {
		return bad("--network: unknown parameter '%s' (mode, tapif, guest_mac, host_mac, "
			   "vhost, socket)", key);
	}
	return 0;
}

static int parse_network(const char *arg, void *base)
{
	struct run_opts *o = base;
	struct net_opt n = { .mode = NET_USER };
	char buf[1024], *save = NULL;
	int r = 0;

	/* kvmtool's short forms: "-n none", "-n user", "-n tap". */
	if (!strcmp(arg, "none") || !strcmp(arg, "user") || !strcmp(arg, "tap")) {
		snprintf(buf, sizeof(buf), "mode=%s", arg);
		return parse_network(buf, base);
	}
	if (strlen(arg) >= sizeof(buf))
		return bad("--network '%.100s...': too long", arg);
	strcpy(buf, arg);
	for (char *kv = strtok_r(buf, ",", &save); kv && !r; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq)
			return bad("--network: '%s' is not key=value", kv);
		*eq = '\0';
		r = net_param(&n, kv, eq + 1);
	}
	if (r)
		return r;
	if (n.mode != NET_TAP && (n.tapif[0] || n.vhost || n.has_host_mac))
		return bad("--network '%s': tapif, vhost and host_mac need mode=tap", arg);
	if (n.mode != NET_USER && n.socket[0])
		return bad("--network '%s': socket needs mode=user", arg);
	if (n.mode == NET_NONE)
		return 0;
	if (o->nr_nets == LKVM_MAX_NICS)
		return bad("too many NICs (at most %s)", "8");
	o->nets[o->nr_nets++] = n;
	return 0;
}

static int parse_fs(const char *arg, void *base)
{
	struct run_opts *o = base;
	struct fs_opt *f;
	char *opt, *save = NULL;

	if (o->nr_fss == LKVM_MAX_FS)
		return bad("too many --fs (at most %s)", "8");
	f = &o->fss[o->nr_fss];
	if (strlen(arg) >= sizeof(f->dir))
		return bad("--fs path too long: '%.100s...'", arg);
	strcpy(f->dir, arg);
	opt = strchr(f->dir, ',');
	if (opt)
		*opt++ = '\0';
	if (!f->dir[0])
		return bad("--fs '%s': no directory", arg);
	for (opt = opt ? strtok_r(opt, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		if (!strcmp(opt, "ro")) {
			f->readonly = true;
		} else if (!strncmp(opt, "tag=", 4)) {
			if (!opt[4] || strlen(opt + 4) > LKVM_FS_TAG_MAX)
				return bad("--fs: tag '%s' must be 1 to 36 bytes", opt + 4);
			strcpy(f->tag, opt + 4);
		} else {
			return bad("--fs: unknown option '%s' (tag=TAG, ro)", opt);
		}
	}
	if (!f->tag[0])
		snprintf(f->tag, sizeof(f->tag), "fs%d", o->nr_fss);
	for (int i = 0; i < o->nr_fss; i++)
		if (!strcmp(o->fss[i].tag, f->tag))
			return bad("--fs: tag '%s' is given twice", f->tag);
	o->nr_fss++;
	return 0;
}

/* The name is also a file name in the socket directory: nothing that leaves it. */
static int parse_name(const char *arg, void *base)
{
	struct run_opts *o = base;

	if (!ctl_proto_name_ok(arg))
		return bad("invalid guest name '%.80s' (1 to 64 of A-Z a-z 0-9 . _ -, not "
			   "starting with '.')", arg);
	o->name = arg;
	return 0;
}

static int parse_console(const char *arg, void *base)
{
	struct run_opts *o = base;

	if (!strcmp(arg, "serial"))
		o->console = CONSOLE_SERIAL;
	else if (!strcmp(arg, "virtio"))
		o->console = CONSOLE_VIRTIO;
	else
		return bad("unknown console '%s' (serial or virtio)", arg);
	return 0;
}

static int parse_loglevel(const char *arg, void *base)
{
	struct run_opts *o = base;

	o->log_level = util_parse_log_level(arg);
	if (o->log_level < 0)
		return bad("unknown log level '%s' (error, warning, info, debug)", arg);
	return 0;
}

static int parse_irqchip(const char *arg, void *base)
{
	struct run_opts *o = base;

	if (!strcmp(arg, "gicv3"))
		o->its = false;
	else if (!strcmp(arg, "gicv3-its"))
		o->its = true;
	else
		return bad("unsupported --irqchip '%s': lkvm offers gicv3 and gicv3-its "
			   "(the host's GICv3 cannot emulate a GICv2)", arg);
	return 0;
}

static int parse_kaslr_seed(const char *arg, void *base)
{
	struct run_opts *o = base;

	if (!util_parse_number(arg, 0, &o->kaslr_seed))
		return bad("invalid --kaslr-seed '%s' (a 64-bit number)", arg);
	o->has_kaslr_seed = true;
	return 0;
}

/* "0-3,6,8-9": kvmtool's and the kernel's cpulist syntax. */
static int parse_vcpu_affinity(const char *arg, void *base)
{
	struct run_opts *o = base;
	const char *p = arg;

	CPU_ZERO(&o->vcpu_affinity);
	do {
		char *end;
		unsigned long lo, hi;

		if (*p < '0' || *p > '9')
			return bad("invalid --vcpu-affinity '%s' (a CPU list like 0-3,6)", arg);
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return bad("invalid --vcpu-affinity '%s' (a CPU list like 0-3,6)",
					   arg);
			hi = strtoul(p, &end, 10);
		}
		if (lo > hi)
			return bad("invalid --vcpu-affinity '%s': a range runs backwards", arg);
		if (hi >= CPU_SETSIZE)
			return bad("invalid --vcpu-affinity '%s': CPU numbers stop at 1023", arg);
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, &o->vcpu_affinity);
		p = end;
	} while (*p++ == ',');
	if (p[-1])
		return bad("invalid --vcpu-affinity '%s' (a CPU list like 0-3,6)", arg);
	o->has_vcpu_affinity = true;
	return 0;
}

static int parse_sve_max_vl(const char *arg, void *base)
{
	struct run_opts *o = base;
	u64 v;

	if (!number_in(arg, 128, 2048, &v) || v % 128)
		return bad("invalid --sve-max-vl '%s': a vector length in bits, a "
			   "multiple of 128 from 128 to 2048", arg);
	o->sve_max_vl = (u32)v;
	return 0;
}

static int parse_psci_version(const char *arg, void *base)
{
	static const char *const ok[] = { "0.2", "1.0", "1.1", "1.2", "1.3" };
	struct run_opts *o = base;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		if (!strcmp(arg, ok[i])) {
			o->psci_version = ((u32)(arg[0] - '0') << 16) | (u32)(arg[2] - '0');
			return 0;
		}
	}
	return bad("unsupported --psci-version '%s' (0.2, 1.0, 1.1, 1.2 or 1.3)", arg);
}

static int set_debug(const char *arg, void *base)
{
	struct run_opts *o = base;

	o->debug = true;
	o->log_level = LOG_DEBUG;
	return 0;
}

static int set_single_step(const char *arg, void *base)
{
	struct run_opts *o = base;

	o->single_step = true;
	return set_debug(arg, base);
}

/* kvmtool options that change nothing in lkvm: accepted, so that its scripts run. */
static int ignore(const char *arg, void *base)
{
	return 0;
}

/* Every `lkvm run` option, once: getopt_long's table and --help come from here. */
static const struct opt_desc opt_table[] = {
	SECTION("Guest:"),
	{ "kernel", 'k', "FILE", "arm64 Image, Image.gz, or a flat binary (loaded at\n"
				  "RAM + 0x80000 and entered there)", STRING(kernel) },
	{ "initrd", 'i', "FILE", "initial RAM disk (cpio, compressed cpio, or ramdisk)",
	  STRING(initrd) },
	{ "params", 'p', "STRING", "kernel command line; appended to lkvm's defaults",
	  STRING(params) },
	{ "mem", 'm', "SIZE[@ADDR]", "guest RAM in MiB (K/M/G/T suffixes accepted);\n"
				      "default 64 MiB * (cpus + 3); RAM at 0x80000000",
	  CALL(parse_mem) },
	{ "cpus", 'c', "N", "number of vCPUs (default: host CPUs online)", CALL(parse_cpus) },
	{ "name", 0, "NAME", "the guest's name, for its control socket and logs\n"
	  "(default guest-PID; see lkvm list)", CALL(parse_name) },
	{ "nodefaults", 0, NULL, "pass exactly --params as the command line", FLAG(nodefaults) },
	SECTION("Devices:"),
	{ "disk", 'd', "FILE[,ro]", "raw disk image as virtio-blk (repeatable, max 8)",
	  CALL(parse_disk) },
	{ "console", 0, "KIND", "serial (8250, ttyS0; default) or virtio (hvc0)",
	  CALL(parse_console) },
	{ "rng", 0, NULL, "add a virtio-rng device", FLAG(rng) },
	{ "no-wake-device", 0, NULL, "no virtio-input wake-up button (lkvm wake)",
	  FLAG(no_wake_device) },
	{ "network", 'n', "PARAMS", "a NIC (repeatable, max 8): mode=tap|user|none, and\n"
	  "tapif=NAME guest_mac=MAC host_mac=MAC vhost=1 (tap),\n"
	  "socket=PATH (user: a running passt's)", CALL(parse_network) },
	{ "fs", 0, "DIR[,tag=TAG][,ro]", "share a host directory (virtio-fs through\n"
	  "virtiofsd; repeatable, max 8; tag default fsN)", CALL(parse_fs) },
	SECTION("CPU and interrupt controller:"),
	{ "irqchip", 0, "KIND", "gicv3 (default) or gicv3-its (with an ITS for MSIs)",
	  CALL(parse_irqchip) },
	{ "sve-max-vl", 0, "BITS", "cap SVE vector lengths (128..2048, multiple of 128)",
	  CALL(parse_sve_max_vl) },
	{ "disable-sve", 0, NULL, "do not give the guest SVE", FLAG(sve_off) },
	{ "pmu", 0, NULL, "give the guest a PMUv3", FLAG(pmu) },
	{ "disable-mte", 0, NULL, "no MTE for the guest (default: on when KVM offers it)",
	  FLAG(mte_off) },
	{ "aarch32", 0, NULL, "a 32-bit (AArch32) EL1 guest, loaded at RAM + 0x8000;\n"
			       "no SVE, pointer auth or MTE", FLAG(aarch32) },
	{ "vcpu-affinity", 0, "CPULIST", "run the vCPU threads only on these host CPUs\n"
					  "(0-3,6)", CALL(parse_vcpu_affinity) },
	SECTION("Firmware and power management:"),
	{ "psci-version", 0, "X.Y", "pin the PSCI version the guest sees (0.2, 1.0, 1.1,\n"
				     "1.2, 1.3); default: the host's newest",
	  CALL(parse_psci_version) },
	{ "no-system-suspend", 0, NULL, "do not offer PSCI SYSTEM_SUSPEND",
	  FLAG(no_system_suspend) },
	{ "no-reboot", 0, NULL, "exit (status 2) when the guest resets", FLAG(no_reboot) },
	{ "no-sdei", 0, NULL, "do not offer SDEI", FLAG(no_sdei) },
	{ "no-pvtime", 0, NULL, "no PV stolen time (default: on when KVM offers it)",
	  FLAG(pvtime_off) },
	{ "kaslr-seed", 0, "N", "/chosen/kaslr-seed for the guest (default: random)",
	  CALL(parse_kaslr_seed) },
	{ "psci", 0, NULL, "accepted, changes nothing: KVM answers PSCI and lkvm\n"
			    "handles its system events (docs/design.md)", CALL(ignore) },
	{ "override-bad-firmware-cntfrq", 0, NULL, "accepted, changes nothing: lkvm loads no\n"
						    "firmware", CALL(ignore) },
	SECTION("Diagnostics:"),
	{ "loglevel", 0, "LEVEL", "error, warning (default), info or debug",
	  CALL(parse_loglevel) },
	{ "debug", 0, NULL, "trace exits and unhandled MMIO (implies --loglevel debug)",
	  CALL(set_debug) },
	{ "debug-mmio", 0, NULL, "the same as --debug", CALL(set_debug) },
	{ "debug-single-step", 0, NULL, "trace every guest instruction (PC, one line\n"
					 "each; very slow; implies --debug)", CALL(set_single_step) },
	{ "stats", 0, NULL, "print exit and power-management counters at exit", FLAG(stats) },
	{ "dump-dtb", 0, "FILE", "write the generated device tree to FILE", STRING(dump_dtb) },
	{ "test-device", 0, NULL, "add lkvm's test device (guest tests raise SDEI\n"
				   "events through it; see docs/testing.md)",
	  FLAG(test_device) },
	SECTION("Snapshots (lkvm snapshot writes them):"),
	{ "restore", 0, "DIR", "continue the guest saved in DIR; its configuration\n"
	  "comes from there, so only --name, -d (new paths for\n"
	  "its disks, in order), --paused, --force, --sve-max-vl\n"
	  "(this host's cap) and the diagnostics may be given",
	  STRING(restore) },
	{ "paused", 0, NULL, "with --restore: wait for lkvm resume before running",
	  FLAG(paused) },
	{ "force", 0, NULL, "with --restore: take disks that changed since the\n"
	  "snapshot (their contents no longer match the guest's)", FLAG(force) },
	{ "help", 'h', NULL, "this text", OPT_HELP, 0, NULL },
	SECTION("kvmtool options lkvm refuses:"),
	REFUSED("9p", 0, "lkvm shares host directories with virtio-fs: --fs DIR[,tag=TAG]"),
	REFUSED("balloon", 0, "lkvm has no virtio-balloon"),
	REFUSED("vsock", 0, "lkvm has no virtio-vsock"),
	REFUSED("hugetlbfs", 0, "guest RAM is anonymous memory (a memfd with --fs), with\n"
		"transparent huge pages"),
	REFUSED("virtio-transport", 0, "lkvm's virtio devices are virtio-mmio"),
	REFUSED("force-pci", 0, "lkvm has no PCI; its devices are virtio-mmio"),
	REFUSED("vfio-pci", 0, "lkvm has no PCI"),
	REFUSED("tty", 't', "the console is lkvm's stdin and stdout (--console)"),
	REFUSED("sandbox", 0, "lkvm has no sandbox mode"),
	REFUSED("firmware", 'f', "lkvm boots the kernel directly, without firmware"),
	REFUSED("firmware-address", 0, "lkvm loads no firmware"),
	REFUSED("flash", 'F', "lkvm has no CFI flash"),
	REFUSED("debug-ioport", 0, "arm64 has no I/O ports"),
	REFUSED("nested", 0, "lkvm gives guests EL1, not EL2"),
	REFUSED("shmem", 0, "lkvm has no ivshmem device"),
	REFUSED("vnc", 0, "lkvm has no framebuffer"),
	REFUSED("sdl", 0, "lkvm has no framebuffer"),
	REFUSED("gtk", 0, "lkvm has no framebuffer"),
	REFUSED("no-dhcp", 0, "DHCP is passt's (mode=user); mode=tap has none"),
	REFUSED("dev", 0, "lkvm has no such device"),
};

static const struct opt_cmd run_cmd = {
	"run", "usage: lkvm run [options] [-k] KERNEL",
	"Numbers are decimal, or hexadecimal with 0x.\n"
	"Exit status: 0 guest powered off; 2 guest reset with --no-reboot; 3 guest\n"
	"hibernated (run again with the same disks to resume); 4 stopped by a signal;\n"
	"5 stopped by lkvm stop; 128 error; 129 bad command line.",
	opt_table, ARRAY_SIZE(opt_table),
};
_Static_assert(ARRAY_SIZE(opt_table) <= OPTIONS_MAX, "run's table outgrew OPTIONS_MAX");

#define HELP_COLUMN 26

void options_help(const struct opt_cmd *cmd, FILE *out)
{
	fprintf(out, "%s\n\n", cmd->usage);
	for (size_t i = 0; i < cmd->nr; i++) {
		const struct opt_desc *d = &cmd->opts[i];
		const char *h = d->help;
		char head[64];
		int n;

		if (d->kind == OPT_SECTION) {
			fprintf(out, "%s\n", d->help);
			continue;
		}
		if (d->short_name)
			n = snprintf(head, sizeof(head), "  -%c, --%s", d->short_name, d->name);
		else
			n = snprintf(head, sizeof(head), "      --%s", d->name);
		if (d->arg)
			n += snprintf(head + n, sizeof(head) - (size_t)n, " %s", d->arg);
		/* A head too long for its column puts the text on the next line. */
		fprintf(out, "%-*s", HELP_COLUMN - 2, head);
		if (n > HELP_COLUMN - 2)
			fprintf(out, "\n%*s", HELP_COLUMN - 2, "");
		for (;;) {
			const char *nl = strchr(h, '\n');
			int len = nl ? (int)(nl - h) : (int)strlen(h);

			fprintf(out, "  %.*s\n", len, h);
			if (!nl)
				break;
			h = nl + 1;
			fprintf(out, "%*s", HELP_COLUMN - 2, "");
		}
	}
	if (cmd->footer)
		fprintf(out, "\n%s\n", cmd->footer);
}

void options_usage(FILE *out)
{
	options_help(&run_cmd, out);
}

/* getopt_long's view of a table: the long options, and the short ones as a string. */
static void build_getopt(const struct opt_cmd *cmd, struct option *longs, char *shorts)
{
	int nl = 0, ns = 0;

	shorts[ns++] = ':';
	for (size_t i = 0; i < cmd->nr; i++) {
		const struct opt_desc *d = &cmd->opts[i];

		if (d->kind == OPT_SECTION)
			continue;
		/* A refused option is refused whatever its value, or none. */
		longs[nl++] = (struct option){
			d->name,
			d->kind == OPT_REFUSED ? optional_argument
			: d->arg		? required_argument
						: no_argument,
			NULL,
			d->short_name ? d->short_name : 256 + (int)i,
		};
		if (d->short_name) {
			shorts[ns++] = d->short_name;
			if (d->arg)
				shorts[ns++] = ':';
			else if (d->kind == OPT_REFUSED)
				shorts[ns++] = ':', shorts[ns++] = ':';
		}
	}
	longs[nl] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns] = '\0';
}

static const struct opt_desc *find_opt(const struct opt_cmd *cmd, int c)
{
	if (c >= 256 && c < 256 + (int)cmd->nr)
		return &cmd->opts[c - 256];
	for (size_t i = 0; i < cmd->nr; i++)
		if (cmd->opts[i].short_name && cmd->opts[i].short_name == c)
			return &cmd->opts[i];
	return NULL;
}

static int store_opt(const struct opt_cmd *cmd, const struct opt_desc *d, const char *arg,
		     void *base)
{
	switch (d->kind) {
	case OPT_FLAG:
		*(bool *)((char *)base + d->offset) = true;
		return 0;
	case OPT_STRING:
		*(const char **)((char *)base + d->offset) = arg;
		return 0;
	case OPT_CALL:
		return d->call(arg, base);
	case OPT_HELP:
		options_help(cmd, stdout);
		return 1;
	case OPT_REFUSED: {
		char msg[160];

		snprintf(msg, sizeof(msg), "--%s: not supported: %s", d->name, d->help);
		return options_bad(cmd->name, "%s", msg);
	}
	default:
		return -1;
	}
}

/* options_getopt(), also noting in @seen (one per row; NULL: no need) which rows were given. */
static int getopt_rows(const struct opt_cmd *cmd, int argc, char **argv, void *base, int *rest,
		       bool *seen)
{
	struct option longs[OPTIONS_MAX + 1];
	char shorts[2 * OPTIONS_MAX + 2];
	int c, r;

	if (cmd->nr > OPTIONS_MAX)
		return options_bad(cmd->name, "%s has more options than OPTIONS_MAX", cmd->name);
	build_getopt(cmd, longs, shorts);
	optind = 0;	/* full reset: the parser may run more than once per process */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct opt_desc *d = find_opt(cmd, c);

		if (c == ':')
			return options_bad(cmd->name, "option '%s' needs a value",
					   argv[optind - 1]);
		if (!d)
			return options_bad(cmd->name, "unknown option '%s'", argv[optind - 1]);
		r = store_opt(cmd, d, optarg, base);
		if (r)
			return r;
		if (seen)
			seen[d - cmd->opts] = true;
	}
	*rest = optind;
	return 0;
}

int options_getopt(const struct opt_cmd *cmd, int argc, char **argv, void *base, int *rest)
{
	return getopt_rows(cmd, argc, argv, base, rest, NULL);
}

/*
 * With --restore the snapshot holds the configuration: only what names
 * this lkvm (its name, where the disks now are, how it starts, what the
 * host allows) and what it prints may be given.
 */
static int check_restore(const bool *seen, const struct run_opts *o)
{
	static const char *const allowed[] = {
		"restore", "paused", "force", "name", "disk", "sve-max-vl", "loglevel", "debug",
		"debug-mmio", "stats",
	};

	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++) {
		bool ok = false;

		if (!seen[i])
			continue;
		for (size_t a = 0; a < ARRAY_SIZE(allowed); a++)
			ok |= !strcmp(opt_table[i].name, allowed[a]);
		if (!ok)
			return bad("--restore: --%s comes from the snapshot and cannot be given",
				   opt_table[i].name);
	}
	if (o->kernel)
		return bad("--restore: the kernel comes from the snapshot ('%s' given)", o->kernel);
	return 0;
}

int options_parse(int argc, char **argv, struct run_opts *o)
{
	bool seen[ARRAY_SIZE(opt_table)] = { false };
	int r, rest;

	memset(o, 0, sizeof(*o));
	o->mem_base = LKVM_RAM_BASE;
	o->log_level = LOG_WARN;
	o->console = CONSOLE_SERIAL;

	r = getopt_rows(&run_cmd, argc, argv, o, &rest, seen);
	if (r)
		return r;
	if (rest < argc) {
		/* kvmtool accepts the kernel as a bare argument. */
		if (rest == argc - 1 && !o->kernel)
			o->kernel = argv[rest];
		else
			return bad("unexpected argument '%s'", argv[rest]);
	}
	if ((o->paused || o->force) && !o->restore)
		return bad("%s needs --restore DIR", o->paused ? "--paused" : "--force");
	if (o->restore) {
		if (check_restore(seen, o) < 0)
			return -1;
		o->restore_disks = o->nr_disks > 0;
		if (o->debug && o->log_level < LOG_DEBUG)
			o->log_level = LOG_DEBUG;
		return 0;
	}
	if (!o->kernel)
		return bad("%s", "no kernel given (-k FILE)");
	if (o->sve_off && o->sve_max_vl)
		return bad("%s", "--sve-max-vl and --disable-sve contradict each other");
	if (o->aarch32 && o->sve_max_vl)
		return bad("%s", "--sve-max-vl: an AArch32 guest has no SVE");
	if (!o->nr_cpus) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o->nr_cpus = n > 0 ? (int)n : 1;
	}
	if (!o->mem_size)
		o->mem_size = 64 * SZ_1M * (u64)(o->nr_cpus + 3);
	if (o->debug && o->log_level < LOG_DEBUG)
		o->log_level = LOG_DEBUG;
	for (int i = 0; i < o->nr_nets; i++)
		if (!o->nets[i].has_guest_mac)
			options_default_mac(o->name, i, o->nets[i].guest_mac);
	return 0;
}

void options_default_mac(const char *name, int index, u8 mac[6])
{
	/* FNV-1a over the name and the index: the same guest gets the same MACs every run. */
	u64 h = 0xcbf29ce484222325ULL;
	char key[96];
	int len = snprintf(key, sizeof(key), "%s/%d", name ? name : "", index);

	for (int i = 0; i < len && i < (int)sizeof(key); i++)
		h = (h ^ (u8)key[i]) * 0x100000001b3ULL;
	/* Locally administered, unicast. */
	mac[0] = 0x02;
	for (int i = 1; i < 6; i++)
		mac[i] = (u8)(h >> (8 * i));
}

char *options_bootargs(const struct run_opts *o)
{
	const char *p = o->params ? o->params : "";

	if (o->nodefaults)
		return xstrdup(p);
	return xasprintf("%s%s%s%s",
			 o->console == CONSOLE_VIRTIO ? "console=hvc0"
						      : "console=ttyS0 earlycon=uart8250,mmio,0x1000000",
			 o->nr_disks && !o->initrd && !strstr(p, "root=") ? " root=/dev/vda rw" : "",
			 *p ? " " : "", p);
}
