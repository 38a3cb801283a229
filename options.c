// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm run` command line.  Spellings and meanings follow kvmtool's so that
 * scripts written for it (kvm-unit-tests among them) work unchanged; the
 * parser is pure so the unit tests can drive every corner of it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkvm/layout.h"
#include "lkvm/options.h"

enum {
	OPT_CONSOLE = 256, OPT_NAME, OPT_NODEFAULTS, OPT_LOGLEVEL, OPT_DUMP_DTB, OPT_IRQCHIP,
	OPT_SVE_MAX_VL, OPT_DISABLE_SVE, OPT_PMU, OPT_DEBUG, OPT_RNG, OPT_STATS, OPT_NO_REBOOT,
	OPT_NO_SYSTEM_SUSPEND, OPT_NO_SDEI, OPT_PSCI_VERSION, OPT_AARCH32, OPT_TEST_DEVICE,
};

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "params", required_argument, NULL, 'p' },
	{ "mem", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "disk", required_argument, NULL, 'd' },
	{ "network", required_argument, NULL, 'n' },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "nodefaults", no_argument, NULL, OPT_NODEFAULTS },
	{ "loglevel", required_argument, NULL, OPT_LOGLEVEL },
	{ "dump-dtb", required_argument, NULL, OPT_DUMP_DTB },
	{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
	{ "sve-max-vl", required_argument, NULL, OPT_SVE_MAX_VL },
	{ "disable-sve", no_argument, NULL, OPT_DISABLE_SVE },
	{ "pmu", no_argument, NULL, OPT_PMU },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
	{ "no-system-suspend", no_argument, NULL, OPT_NO_SYSTEM_SUSPEND },
	{ "no-sdei", no_argument, NULL, OPT_NO_SDEI },
	{ "psci-version", required_argument, NULL, OPT_PSCI_VERSION },
	{ "aarch32", no_argument, NULL, OPT_AARCH32 },
	{ "test-device", no_argument, NULL, OPT_TEST_DEVICE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void run_usage(FILE *out)
{
	fputs("usage: lkvm run [options] [-k] KERNEL\n"
	      "\n"
	      "Guest:\n"
	      "  -k, --kernel FILE       arm64 Image, Image.gz, or a flat binary (loaded at\n"
	      "                          RAM + 0x80000 and entered there)\n"
	      "  -i, --initrd FILE       initial RAM disk (cpio, compressed cpio, or ramdisk)\n"
	      "  -p, --params STRING     kernel command line; appended to lkvm's defaults\n"
	      "  -m, --mem SIZE[@ADDR]   guest RAM in MiB (K/M/G/T suffixes accepted);\n"
	      "                          default 64 MiB * (cpus + 3); RAM at 0x80000000\n"
	      "  -c, --cpus N            number of vCPUs (default: host CPUs online)\n"
	      "      --name NAME         a name for the guest (logs)\n"
	      "      --nodefaults        pass exactly --params as the command line\n"
	      "Devices:\n"
	      "  -d, --disk FILE[,ro]    raw disk image as virtio-blk (repeatable, max 8)\n"
	      "      --console KIND      serial (8250, ttyS0; default) or virtio (hvc0)\n"
	      "      --rng               add a virtio-rng device\n"
	      "  -n, --network mode=none accepted for kvmtool compatibility (no NIC)\n"
	      "CPU and interrupt controller:\n"
	      "      --irqchip gicv3     the only interrupt controller lkvm offers\n"
	      "      --sve-max-vl BITS   cap SVE vector lengths (128..2048, multiple of 128)\n"
	      "      --disable-sve       do not give the guest SVE\n"
	      "      --pmu               give the guest a PMUv3\n"
	      "Firmware and power management:\n"
	      "      --psci-version X.Y  pin the PSCI version the guest sees (0.2, 1.0, 1.1,\n"
	      "                          1.2, 1.3); default: the host's newest\n"
	      "      --no-system-suspend do not offer PSCI SYSTEM_SUSPEND\n"
	      "      --no-reboot         exit (status 2) when the guest resets\n"
	      "      --no-sdei           do not offer SDEI\n"
	      "Diagnostics:\n"
	      "      --loglevel LEVEL    error, warning (default), info or debug\n"
	      "      --debug             trace exits and unhandled MMIO (implies --loglevel debug)\n"
	      "      --stats             print exit and power-management counters at exit\n"
	      "      --dump-dtb FILE     write the generated device tree to FILE\n"
	      "      --test-device       add lkvm's test device (guest tests raise SDEI\n"
	      "                          events through it; see docs/testing.md)\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "Exit status: 0 guest powered off; 2 guest reset with --no-reboot; 3 guest\n"
	      "hibernated (run again with the same disks to resume); 4 stopped by a signal;\n"
	      "128 error; 129 bad command line.\n",
	      out);
}

static int bad(const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	pr_err("%s (see 'lkvm run --help')", msg);
	return -1;
}

static int parse_mem(const char *arg, struct run_opts *o)
{
	char buf[128];
	char *at;

	if (strlen(arg) >= sizeof(buf))
		return bad("invalid memory size '%.100s'", arg);
	strcpy(buf, arg);
	at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (!parse_size(at + 1, 1, &o->mem_base) || o->mem_base % SZ_2M)
			return bad("invalid RAM address '%s' (must be 2 MiB aligned)", at + 1);
		if (o->mem_base < LKVM_RAM_BASE)
			return bad("RAM address '%s' is below 0x80000000, where the devices live",
				   at + 1);
	}
	if (!parse_size(buf, SZ_1M, &o->mem_size))
		return bad("invalid memory size '%s'", arg);
	if (o->mem_size < 16 * SZ_1M)
		return bad("memory size '%s' is too small (16 MiB at least)", arg);
	if (o->mem_size % SZ_1M)
		return bad("memory size '%s' is not a whole number of MiB", arg);
	return 0;
}

static int parse_int(const char *arg, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_psci_version(const char *arg, u32 *out)
{
	static const char *const ok[] = { "0.2", "1.0", "1.1", "1.2", "1.3" };

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		if (!strcmp(arg, ok[i])) {
			*out = ((u32)(arg[0] - '0') << 16) | (u32)(arg[2] - '0');
			return 0;
		}
	}
	return bad("unsupported --psci-version '%s' (0.2, 1.0, 1.1, 1.2 or 1.3)", arg);
}

int parse_run_options(int argc, char **argv, struct run_opts *o)
{
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->mem_base = LKVM_RAM_BASE;
	o->log_level = LOG_WARN;
	o->console = CONSOLE_SERIAL;

	optind = 0;	/* full reset: the parser may run more than once per process */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:p:m:c:d:n:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->kernel = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 'p':
			o->params = optarg;
			break;
		case 'm':
			if (parse_mem(optarg, o))
				return -1;
			break;
		case 'c':
			/* The real ceiling is KVM's, checked when the VM is created. */
			if (parse_int(optarg, 1, 65535, &v))
				return bad("invalid number of vCPUs '%s' (1 or more)", optarg);
			o->nr_cpus = (int)v;
			break;
		case 'd': {
			struct disk_opt *d;
			char *comma;

			if (o->nr_disks == LKVM_MAX_DISKS)
				return bad("too many disks (at most %s)", "8");
			d = &o->disks[o->nr_disks++];
			if (strlen(optarg) >= sizeof(d->path))
				return bad("disk path too long: '%.100s...'", optarg);
			strcpy(d->path, optarg);
			comma = strchr(d->path, ',');
			if (comma) {
				if (strcmp(comma, ",ro"))
					return bad("unknown disk option '%s' (only ',ro')", comma + 1);
				*comma = '\0';
				d->readonly = true;
			}
			if (!*d->path)
				return bad("empty disk path in '%s'", optarg);
			break;
		}
		case 'n':
			if (strcmp(optarg, "mode=none") && strcmp(optarg, "none"))
				return bad("networking is not supported yet: only '--network mode=none'"
					   " ('%s' given)", optarg);
			break;
		case OPT_CONSOLE:
			if (!strcmp(optarg, "serial"))
				o->console = CONSOLE_SERIAL;
			else if (!strcmp(optarg, "virtio"))
				o->console = CONSOLE_VIRTIO;
			else
				return bad("unknown console '%s' (serial or virtio)", optarg);
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case OPT_NODEFAULTS:
			o->nodefaults = true;
			break;
		case OPT_LOGLEVEL:
			o->log_level = parse_log_level(optarg);
			if (o->log_level < 0)
				return bad("unknown log level '%s' (error, warning, info, debug)",
					   optarg);
			break;
		case OPT_DUMP_DTB:
			o->dump_dtb = optarg;
			break;
		case OPT_IRQCHIP:
			if (strcmp(optarg, "gicv3"))
				return bad("unsupported --irqchip '%s': lkvm offers gicv3 only", optarg);
			break;
		case OPT_SVE_MAX_VL:
			if (parse_int(optarg, 128, 2048, &v) || v % 128)
				return bad("invalid --sve-max-vl '%s': a vector length in bits, a "
					   "multiple of 128 from 128 to 2048", optarg);
			o->sve_max_vl = (u32)v;
			break;
		case OPT_DISABLE_SVE:
			o->sve_off = true;
			break;
		case OPT_PMU:
			o->pmu = true;
			break;
		case OPT_DEBUG:
			o->debug = true;
			o->log_level = LOG_DEBUG;
			break;
		case OPT_RNG:
			o->rng = true;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_NO_REBOOT:
			o->no_reboot = true;
			break;
		case OPT_NO_SYSTEM_SUSPEND:
			o->no_system_suspend = true;
			break;
		case OPT_NO_SDEI:
			o->no_sdei = true;
			break;
		case OPT_PSCI_VERSION:
			if (parse_psci_version(optarg, &o->psci_version))
				return -1;
			break;
		case OPT_TEST_DEVICE:
			o->test_device = true;
			break;
		case OPT_AARCH32:
			return bad("%s: AArch32 guests are not supported", "--aarch32");
		case 'h':
			run_usage(stdout);
			return 1;
		case ':':
			return bad("option '%s' needs a value", argv[optind - 1]);
		default:
			return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		/* kvmtool accepts the kernel as a bare argument. */
		if (optind == argc - 1 && !o->kernel)
			o->kernel = argv[optind];
		else
			return bad("unexpected argument '%s'", argv[optind]);
	}
	if (!o->kernel)
		return bad("%s", "no kernel given (-k FILE)");
	if (o->sve_off && o->sve_max_vl)
		return bad("%s", "--sve-max-vl and --disable-sve contradict each other");
	if (!o->nr_cpus) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o->nr_cpus = n > 0 ? (int)n : 1;
	}
	if (!o->mem_size)
		o->mem_size = 64 * SZ_1M * (u64)(o->nr_cpus + 3);
	if (o->debug && o->log_level < LOG_DEBUG)
		o->log_level = LOG_DEBUG;
	return 0;
}

char *build_bootargs(const struct run_opts *o)
{
	const char *p = o->params ? o->params : "";
	char *s;
	int n;

	if (o->nodefaults)
		return xstrdup(p);
	n = asprintf(&s, "%s%s%s%s",
		     o->console == CONSOLE_VIRTIO ? "console=hvc0"
						  : "console=ttyS0 earlycon=uart8250,mmio,0x1000000",
		     o->nr_disks && !o->initrd && !strstr(p, "root=") ? " root=/dev/vda rw" : "",
		     *p ? " " : "", p);
	if (n < 0)
		die("out of memory");
	return s;
}
