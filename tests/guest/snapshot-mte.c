// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot keeps the guest's MTE Allocation Tags: the payload tags whole
 * pages across its RAM (one tag a page, as QEMU < 8.0 keeps them), among
 * them a lone page in an otherwise untouched 64 KiB block, a page of
 * zeros with a tag (a hole in the RAM file, its tags still saved) and
 * RAM's last page, writes data under some, then waits for a typed byte.
 * The host snapshots it there, ends it, restores the snapshot in a new
 * lkvm and types the byte: every granule must read its tag back, every
 * word its data, and a page never touched must still be zero, tags and
 * all.
 *
 * lkvm-args: -c 1 -m 64
 * run-by: tests/linux/snapshot-bare.sh
 */
#include "libtest.h"
#include "idmap.h"
#include "mte.h"

#define PAGE		4096
#define MIB		0x100000UL
#define UART_RBR	0
#define UART_IER	1
#define UART_LSR	5
#define UART_LSR_DR	0x01

static u8 low_pages[2 * PAGE] __attribute__((aligned(PAGE)));

struct place {
	const char *what;
	u64 addr;
	unsigned int tag;
	bool data;
};

static struct place places[] = {
	{ "payload page 0", 0, 3, true },
	{ "payload page 1", 0, 4, true },
	{ "a lone page in a 64 KiB block", RAM_BASE + 32 * MIB + PAGE, 9, true },
	{ "a page of zeros, tagged", RAM_BASE + 48 * MIB, 5, false },
	{ "data, tag 0", RAM_BASE + 40 * MIB, 0, true },
	{ "RAM's last page", 0, 14, true },
	{ "a page never touched", RAM_BASE + 56 * MIB, 0, false },
};

static u64 pattern(u64 a)
{
	return a * 0x9e3779b97f4a7c15ULL | 1;
}

static void fill(const struct place *p)
{
	set_tags(p->addr, PAGE, p->tag);
	if (p->data)
		for (u64 a = 0; a < PAGE; a += 8)
			poke(tagged(p->addr + a, p->tag), pattern(p->addr + a));
}

/* Wrong tags and words in @p's page. */
static unsigned int wrong(const struct place *p, unsigned int *bad_data)
{
	unsigned int bad = 0;

	*bad_data = 0;
	for (u64 g = 0; g < PAGE; g += GRANULE)
		bad += ptr_tag(ldg(p->addr + g)) != p->tag;
	for (u64 a = 0; a < PAGE; a += 8)
		*bad_data += peek(tagged(p->addr + a, p->tag)) != (p->data ? pattern(p->addr + a) : 0);
	return bad;
}

void test_main(void)
{
	unsigned int bad_tags, bad_data, n = ARRAY_SIZE(places);
	bool before = true;

	plan(n + 1);
	if (cpu_mte_level() < 2)
		bail("the guest has no MTE2 (ID_AA64PFR1_EL1 = %#lx)",
		     (unsigned long)read_sysreg(id_aa64pfr1_el1));
	if (!idmap_enable(true))
		bail("no Normal Tagged identity map");
	/* Allocation Tag access at EL1; no tag checks (TCF = 0). */
	write_sysreg(read_sysreg(sctlr_el1) | SCTLR_ATA, sctlr_el1);
	isb();
	set_tco(false);

	places[0].addr = (u64)(uintptr_t)low_pages;
	places[1].addr = places[0].addr + PAGE;
	places[n - 2].addr = idmap_ram_end() - PAGE;
	for (unsigned int i = 0; i < n; i++) {
		if (places[i].tag || places[i].data)
			fill(&places[i]);
		if (wrong(&places[i], &bad_data) || bad_data)
			before = false;
	}
	ok(before, "%u pages tagged and written, read back before the snapshot", n - 1);

	/* Listening: lkvm hands typed bytes to the UART only once RDI is on. */
	writeb(1, UART_BASE + UART_IER);
	printf("mte-ready\n");
	while (!(readb(UART_BASE + UART_LSR) & UART_LSR_DR))
		udelay(1000);
	readb(UART_BASE + UART_RBR);

	for (unsigned int i = 0; i < n; i++) {
		bad_tags = wrong(&places[i], &bad_data);
		ok(!bad_tags && !bad_data, "%s at %#lx: tag %u (%u wrong of %u granules), "
		   "%s (%u wrong words)", places[i].what, (unsigned long)places[i].addr,
		   places[i].tag, bad_tags, PAGE / GRANULE, places[i].data ? "data" : "zeros",
		   bad_data);
	}
}
