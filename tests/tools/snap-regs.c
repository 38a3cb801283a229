// SPDX-License-Identifier: GPL-2.0
/*
 * snap-regs: the vCPU part of an lkvm snapshot (DIR/state), one line each,
 * for tests that compare two snapshots or look at one register.  Not part
 * of lkvm: it reads the file as docs say it is laid out, without lkvm's
 * code, so a writer that strays from the format shows up here too.
 *
 *   snap-regs [--ids] DIR
 *
 * For every SNAP_VCPU section (instance = vCPU index), in file order:
 *
 *   cpuN mp_state 0x..            KVM's MP state
 *   cpuN serror_pending 0x..      the pending SError (KVM_GET_VCPU_EVENTS)
 *   cpuN serror_has_esr 0x..
 *   cpuN serror_esr 0x..
 *   cpuN NAME 0x..                each ONE_REG register, in KVM's order;
 *                                 NAME is x0, pc, z3, S3_0_C1_C0_0, TIMER_CNT
 *                                 ... (with --ids: the id, 0x6030...)
 *   cpuN psci_suspended 0x..      lkvm's SYSTEM_SUSPEND record
 *   cpuN psci_resume_be 0x..
 *   cpuN psci_entry 0x..
 *   cpuN psci_context 0x..
 *
 * A value is the register as one little-endian number, in hex.  The
 * checksums are lkvm's business (a restore checks them); this checks that
 * every section fits in the file and that a vCPU section holds exactly
 * the fields above.  Exit status 0, or 1 with one line on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE	64
#define SECTION_HEADER	16
#define TAG(a, b, c, d)	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | \
			 (uint32_t)(d) << 24)
#define TAG_VCPU	TAG('V', 'C', 'P', 'U')
#define STATE_MAX	(256u << 20)

#define CLASS(id)	(((id) >> 16) & 0xffff)
#define C_CORE		0x0010
#define C_SYS		0x0013
#define C_FW		0x0014
#define C_SVE		0x0015
#define C_FW_BMAP	0x0016

static bool show_ids;

struct rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t get(struct rd *r, size_t n)
{
	const uint8_t *p = take(r, n);

	return p ? le(p, n) : 0;
}

/* KVM's timer ids carry CNT and CVAL swapped against their encodings (ABI). */
static const struct {
	uint32_t low;
	const char *name;
} timers[] = {
	{ 0xdf19, "TIMER_CTL" }, { 0xdf1a, "TIMER_CNT" }, { 0xdf02, "TIMER_CVAL" },
	{ 0xdf11, "PTIMER_CTL" }, { 0xdf01, "PTIMER_CNT" }, { 0xdf12, "PTIMER_CVAL" },
};

static const char *const core_names[] = {
	[0x3e] = "sp", [0x40] = "pc", [0x42] = "pstate", [0x44] = "sp_el1",
	[0x46] = "elr_el1", [0x48] = "spsr_el1", [0x4a] = "spsr_abt", [0x4c] = "spsr_und",
	[0x4e] = "spsr_irq", [0x50] = "spsr_fiq", [0xd4] = "fpsr", [0xd5] = "fpcr",
};

static const char *const fw_names[] = {
	"PSCI_VERSION", "SMCCC_ARCH_WORKAROUND_1", "SMCCC_ARCH_WORKAROUND_2",
	"SMCCC_ARCH_WORKAROUND_3",
};

static const char *const bmap_names[] = {
	"STD_BMAP", "STD_HYP_BMAP", "VENDOR_HYP_BMAP", "VENDOR_HYP_BMAP_2",
};

static void name_of(uint64_t id, char *buf, size_t len)
{
	uint32_t low = (uint32_t)(id & 0xffff);

	if (show_ids)
		goto raw;
	switch (CLASS(id)) {
	case C_CORE:
		if (low < 62 && !(low % 2))
			snprintf(buf, len, "x%u", low / 2);
		else if (low >= 0x54 && low < 0xd4 && !(low % 4))
			snprintf(buf, len, "v%u", (low - 0x54) / 4);
		else if (low < sizeof(core_names) / sizeof(core_names[0]) && core_names[low])
			snprintf(buf, len, "%s", core_names[low]);
		else
			goto raw;
		return;
	case C_SYS:
		for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
			if (timers[i].low == low) {
				snprintf(buf, len, "%s", timers[i].name);
				return;
			}
		snprintf(buf, len, "S%u_%u_C%u_C%u_%u", low >> 14, (low >> 11) & 7,
			 (low >> 7) & 15, (low >> 3) & 15, low & 7);
		return;
	case C_FW:
		if (low >= sizeof(fw_names) / sizeof(fw_names[0]))
			goto raw;
		snprintf(buf, len, "%s", fw_names[low]);
		return;
	case C_FW_BMAP:
		if (low >= sizeof(bmap_names) / sizeof(bmap_names[0]))
			goto raw;
		snprintf(buf, len, "%s", bmap_names[low]);
		return;
	case C_SVE:
		/* Slice 0 is the whole register up to 2048-bit vectors: no suffix then. */
		if (low == 0xffff)
			snprintf(buf, len, "SVE_VLS");
		else if (low < 0x400)
			snprintf(buf, len, (low & 31) ? "z%u.%u" : "z%u", (low >> 5) & 31, low & 31);
		else if (low < 0x600)
			snprintf(buf, len, (low & 31) ? "p%u.%u" : "p%u", (low >> 5) & 15, low & 31);
		else if (low < 0x620)
			snprintf(buf, len, (low & 31) ? "ffr.%u" : "ffr", low & 31);
		else
			goto raw;
		return;
	}
raw:
	snprintf(buf, len, "0x%016" PRIx64, id);
}

static void show(int cpu, const char *name, const uint8_t *p, size_t n)
{
	printf("cpu%d %s 0x", cpu, name);
	if (n <= 8) {
		printf("%" PRIx64 "\n", le(p, n));
		return;
	}
	/* Wider than a u64: every byte, most significant first. */
	for (size_t i = n; i--;)
		printf("%02x", p[i]);
	putchar('\n');
}

static void show_u(int cpu, const char *name, uint64_t v)
{
	printf("cpu%d %s 0x%" PRIx64 "\n", cpu, name, v);
}

static int vcpu(int cpu, struct rd *r)
{
	uint64_t nr;
	char name[48];

	show_u(cpu, "mp_state", get(r, 4));
	show_u(cpu, "serror_pending", get(r, 1));
	show_u(cpu, "serror_has_esr", get(r, 1));
	show_u(cpu, "serror_esr", get(r, 8));
	nr = get(r, 4);
	for (uint64_t i = 0; i < nr && !r->bad; i++) {
		uint64_t id = get(r, 8);
		size_t n = (size_t)1 << ((id >> 52) & 0xf);
		const uint8_t *v;

		if (n > 256) {
			fprintf(stderr, "snap-regs: vCPU %d: register 0x%" PRIx64
				" is %zu bytes, more than any KVM has\n", cpu, id, n);
			return -1;
		}
		v = take(r, n);
		if (!v)
			break;
		name_of(id, name, sizeof(name));
		show(cpu, name, v, n);
	}
	show_u(cpu, "psci_suspended", get(r, 1));
	show_u(cpu, "psci_resume_be", get(r, 1));
	show_u(cpu, "psci_entry", get(r, 8));
	show_u(cpu, "psci_context", get(r, 8));
	if (r->bad || r->off != r->len) {
		fprintf(stderr, "snap-regs: vCPU %d: its section is %zu bytes, %s\n", cpu, r->len,
			r->bad ? "cut short" : "with bytes after lkvm's PSCI record");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[STATE_MAX];
	char path[4096];
	size_t len, off;
	uint64_t body;
	int vcpus = 0;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--ids")) {
		show_ids = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: snap-regs [--ids] DIR\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/state", argv[1]);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "snap-regs: %s: %s\n", path, strerror(errno));
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len < HEADER_SIZE || memcmp(buf, "LKVMSNAP", 8) || le(buf + 12, 4) != HEADER_SIZE) {
		fprintf(stderr, "snap-regs: %s: not an lkvm state file\n", path);
		return 1;
	}
	body = le(buf + 16, 8);
	if (body != len - HEADER_SIZE) {
		fprintf(stderr, "snap-regs: %s: the header says %" PRIu64 " bytes of body, the file has %zu\n",
			path, body, len - HEADER_SIZE);
		return 1;
	}
	for (off = HEADER_SIZE; off < len;) {
		const uint8_t *h = buf + off;
		uint64_t n;
		struct rd r;

		if (len - off < SECTION_HEADER) {
			fprintf(stderr, "snap-regs: %s: a section header is cut short\n", path);
			return 1;
		}
		n = le(h + 8, 8);
		if (n > len - off - SECTION_HEADER || (n + 7) / 8 * 8 > len - off - SECTION_HEADER) {
			fprintf(stderr, "snap-regs: %s: a section runs past the end\n", path);
			return 1;
		}
		if (le(h, 4) == TAG_VCPU) {
			r = (struct rd){ .p = h + SECTION_HEADER, .len = (size_t)n };
			if (vcpu((int)le(h + 4, 4), &r) < 0)
				return 1;
			vcpus++;
		}
		off += SECTION_HEADER + (size_t)((n + 7) / 8 * 8);
	}
	if (!vcpus) {
		fprintf(stderr, "snap-regs: %s: no vCPU section\n", path);
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
