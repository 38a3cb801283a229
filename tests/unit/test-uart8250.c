// SPDX-License-Identifier: GPL-2.0
/* The 16550A UART driven as Linux's 8250 driver and a polling payload drive it. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "lkvm/layout.h"
#include "lkvm/uart8250.h"
#include "tap.h"

#define UART_RX		0
#define UART_IER	1
#define UART_IIR	2
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define UART_TX		0
#define IER_RDI		0x01
#define IER_THRI	0x02
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

struct fake_pin {
	bool level;
	int changes;
	u32 spi;
};

static void fake_set(void *ctx, u32 spi, bool level)
{
	struct fake_pin *p = ctx;

	p->spi = spi;
	if (level != p->level)
		p->changes++;
	p->level = level;
}

static void wr(struct device *d, u64 off, u8 v)
{
	d->mmio(d, off, &v, 1, true);
}

static u8 rd(struct device *d, u64 off)
{
	u8 v = 0xaa;

	d->mmio(d, off, &v, 1, false);
	return v;
}

/* Everything the host side of the pipe has received so far (the UART's writer is done). */
static size_t drain(struct device *d, int fd, char *buf, size_t size)
{
	ssize_t n;

	uart8250_flush(d, 2000);
	n = read(fd, buf, size - 1);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return (size_t)n;
}

/* What serial8250_do_startup() and set_termios do, at 115200 8N1. */
static void linux_init(struct device *d)
{
	wr(d, UART_FCR, 0x01);
	wr(d, UART_FCR, 0x07);			/* enable + clear both FIFOs */
	wr(d, UART_FCR, 0x00);
	(void)rd(d, UART_LSR);
	(void)rd(d, UART_RX);
	(void)rd(d, UART_IIR);
	(void)rd(d, UART_MSR);
	wr(d, UART_LCR, 0x83);			/* DLAB + 8N1 */
	wr(d, UART_RX, 1);			/* DLL */
	wr(d, UART_IER, 0);			/* DLM */
	wr(d, UART_LCR, 0x03);
	wr(d, UART_FCR, 0x81);			/* FIFO on, rx trigger 8 */
	wr(d, UART_MCR, 0x0b);			/* DTR | RTS | OUT2 */
}

struct feeder {
	struct device *dev;
	size_t total;
};

static void *feed(void *arg)
{
	struct feeder *f = arg;
	u8 chunk[97];

	for (size_t sent = 0; sent < f->total;) {
		size_t n = min_t(size_t, sizeof(chunk), f->total - sent);

		for (size_t i = 0; i < n; i++)
			chunk[i] = (u8)(sent + i);
		uart8250_receive(f->dev, chunk, n);
		sent += n;
	}
	return NULL;
}

static void test_fdt(struct device *d)
{
	static char fdt[4096];
	const fdt32_t *p;
	int len, node;
	bool ok;

	ok = !fdt_create(fdt, sizeof(fdt)) && !fdt_finish_reservemap(fdt) &&
	     !fdt_begin_node(fdt, "") && !fdt_property_u32(fdt, "#address-cells", 2) &&
	     !fdt_property_u32(fdt, "#size-cells", 2) && !d->fdt_node(d, fdt, 1) &&
	     !fdt_end_node(fdt) && !fdt_finish(fdt);
	tap_ok(ok, "fdt: node written with the sequential-write API");
	node = fdt_path_offset(fdt, "/uart@1000000");
	tap_ok(node >= 0, "fdt: node is named uart@1000000");
	tap_ok(!fdt_node_check_compatible(fdt, node, "ns16550a"), "fdt: compatible = \"ns16550a\"");
	p = fdt_getprop(fdt, node, "reg", &len);
	tap_ok(p && len == 16 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[1]) == 0x1000000 &&
	       fdt32_to_cpu(p[2]) == 0 && fdt32_to_cpu(p[3]) == 8,
	       "fdt: reg = <0 0x1000000 0 8>");
	p = fdt_getprop(fdt, node, "interrupts", &len);
	tap_ok(p && len == 12 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[1]) == 0 &&
	       fdt32_to_cpu(p[2]) == 4, "fdt: interrupts = <GIC_SPI 0 IRQ_TYPE_LEVEL_HIGH>");
	p = fdt_getprop(fdt, node, "clock-frequency", &len);
	tap_ok(p && len == 4 && fdt32_to_cpu(p[0]) == 1843200, "fdt: clock-frequency = 1843200");
	p = fdt_getprop(fdt, node, "interrupt-parent", &len);
	tap_ok(p && len == 4 && fdt32_to_cpu(p[0]) == 1, "fdt: interrupt-parent = the GIC");
}

/*
 * Nobody reads the host side: the UART takes what fits in its buffer (and a
 * pipe), then says THR busy; host input still goes in at once; once the
 * host reads again, THR empties and the THRE interrupt comes.
 */
static void test_backpressure(void)
{
	static char sink[65536];
	struct fake_pin pin = { 0 };
	struct irq_pin irq = { fake_set, &pin, LKVM_SPI_UART0, false };
	struct device *d;
	int fds[2], sent = 0, spins = 0;

	if (pipe(fds) < 0)
		abort();
	fcntl(fds[1], F_SETPIPE_SZ, 4096);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	d = uart8250_create(LKVM_UART_BASE, irq, fds[1]);
	wr(d, UART_IER, IER_THRI | IER_RDI);
	while ((rd(d, UART_LSR) & LSR_THRE) && sent < 200000) {
		wr(d, UART_TX, 'x');
		sent++;
		/* Let the writer fill the pipe now and then. */
		if (!(sent % 4096))
			usleep(20000);
	}
	tap_ok(sent >= 0x4000 && sent < 200000 && !(rd(d, UART_LSR) & LSR_TEMT),
	       "host not reading: THR busy after %d bytes (LSR THRE, TEMT clear)", sent);
	uart8250_receive(d, (const u8 *)"k", 1);
	tap_ok(rd(d, UART_LSR) & LSR_DR, "input still goes in while output waits");
	(void)rd(d, UART_RX);	/* the input is taken: only THRE may interrupt now */
	(void)rd(d, UART_IIR);
	while (!(rd(d, UART_LSR) & LSR_THRE) && spins++ < 500) {
		while (read(fds[0], sink, sizeof(sink)) > 0)
			;
		usleep(10000);
	}
	tap_ok((rd(d, UART_LSR) & LSR_THRE) && pin.level && (rd(d, UART_IIR) & 0x0f) == 0x02,
	       "the host reads again: THR empty, THRE interrupt raised");
	d->exit(d);
	free(d);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	struct fake_pin pin = { 0 };
	struct irq_pin irq = { fake_set, &pin, LKVM_SPI_UART0, false };
	struct device *d;
	int fds[2];
	char out[256];
	u8 buf[4], big[UART8250_RX_BUF_SIZE + 100];
	bool ok;
	size_t n;

	tap_plan(71);
	if (pipe(fds) < 0)
		return 1;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	d = uart8250_create(LKVM_UART_BASE, irq, fds[1]);

	/* Power-on state. */
	tap_ok(d->base == LKVM_UART_BASE && d->size == LKVM_UART_SIZE, "window 0x1000000, 8 bytes");
	tap_ok(rd(d, UART_IIR) == 0x01, "power-on IIR = 0x01 (no interrupt, FIFOs off)");
	tap_ok(rd(d, UART_LSR) == 0x60, "power-on LSR = THRE | TEMT");
	tap_ok((rd(d, UART_MSR) & 0xf0) == 0xb0, "MSR reports DCD | DSR | CTS");
	tap_ok(rd(d, UART_IER) == 0 && rd(d, UART_LCR) == 0 && rd(d, UART_MCR) == 0,
	       "power-on IER, LCR, MCR are zero");
	tap_ok(!pin.level && !uart8250_irq_pending(d), "power-on: line low");

	/* A bare payload: poll LSR.THRE, write THR. */
	for (const char *s = "ok\n"; *s; s++) {
		while (!(rd(d, UART_LSR) & 0x20))
			;
		wr(d, UART_RX, (u8)*s);
	}
	n = drain(d, fds[0], out, sizeof(out));
	tap_ok(n == 3 && !strcmp(out, "ok\n"), "polled THR writes reach out_fd at once (%zu bytes)",
	       n);

	/* Divisor latch and scratch, as Linux's init. */
	linux_init(d);
	wr(d, UART_LCR, 0x83);
	tap_ok(rd(d, UART_RX) == 1 && rd(d, UART_IER) == 0, "DLAB: offsets 0/1 are DLL/DLM");
	wr(d, UART_IER, 0x12);
	wr(d, UART_LCR, 0x03);
	tap_ok(rd(d, UART_IER) == 0, "DLM write under DLAB does not touch IER");
	wr(d, UART_LCR, 0x83);
	tap_ok(rd(d, UART_IER) == 0x12, "DLM reads back 0x12");
	wr(d, UART_IER, 0);
	wr(d, UART_LCR, 0x03);
	tap_ok(rd(d, UART_LCR) == 0x03, "LCR reads back 0x03");
	wr(d, UART_SCR, 0x5a);
	tap_ok(rd(d, UART_SCR) == 0x5a, "SCR holds 0x5a");
	tap_ok(rd(d, UART_MCR) == 0x0b, "MCR reads back DTR | RTS | OUT2");
	tap_ok(rd(d, UART_IIR) == 0xc1, "FIFOs on: IIR = 0xc1");
	wr(d, UART_IER, 0xff);
	tap_ok(rd(d, UART_IER) == 0x0f, "IER keeps only its four enable bits");
	wr(d, UART_IER, 0);
	tap_ok(!pin.level, "line still low");

	/* THRE interrupt, the way serial8250_do_startup() probes it. */
	wr(d, UART_IER, 0x02);
	tap_ok(pin.level && pin.spi == LKVM_SPI_UART0, "ETBEI with THR empty: line high on SPI 0");
	tap_ok(rd(d, UART_IIR) == 0xc2, "IIR = 0xc2 (THRE)");
	tap_ok(rd(d, UART_IIR) == 0xc1 && !pin.level, "reading IIR acknowledged THRE: line low");
	wr(d, UART_IER, 0);
	wr(d, UART_IER, 0x02);
	tap_ok(rd(d, UART_IIR) == 0xc2, "re-enabling ETBEI raises THRE again");
	wr(d, UART_RX, 'x');
	tap_ok(pin.level && rd(d, UART_IIR) == 0xc2,
	       "after a THR write THR is empty at once: THRE pending again");
	wr(d, UART_RX, 'y');
	wr(d, UART_IER, 0);
	tap_ok(!pin.level && rd(d, UART_IIR) == 0xc1, "clearing ETBEI drops the line");
	n = drain(d, fds[0], out, sizeof(out));
	tap_ok(n == 2 && !strcmp(out, "xy"), "interrupt-driven bytes reach out_fd");

	/* Receive. */
	wr(d, UART_IER, 0x05);			/* RDI | RLSI, as Linux */
	tap_ok(!pin.level, "RDI enabled, no input: line low");
	uart8250_receive(d, (const u8 *)"abc", 3);
	tap_ok(pin.level && uart8250_irq_pending(d), "input raises the line");
	tap_ok(rd(d, UART_IIR) == 0xcc, "3 bytes under the trigger level: IIR = 0xcc (timeout)");
	tap_ok(rd(d, UART_LSR) == 0x61, "LSR = DR | THRE | TEMT");
	ok = rd(d, UART_RX) == 'a' && rd(d, UART_RX) == 'b' && pin.level &&
	     rd(d, UART_RX) == 'c';
	tap_ok(ok, "RBR returns the input in order");
	tap_ok(rd(d, UART_LSR) == 0x60 && !pin.level && rd(d, UART_IIR) == 0xc1,
	       "drained: DR clear, line low");
	uart8250_receive(d, (const u8 *)"0123456789", 10);
	tap_ok(rd(d, UART_IIR) == 0xc4, "10 bytes at trigger level 8: IIR = 0xc4 (rx data)");
	wr(d, UART_IER, 0x07);
	tap_ok(rd(d, UART_IIR) == 0xc4, "rx data outranks THRE");
	for (int i = 0; i < 10; i++)
		(void)rd(d, UART_RX);
	tap_ok(rd(d, UART_IIR) == 0xc2, "then THRE");
	tap_ok(rd(d, UART_IIR) == 0xc1 && !pin.level, "then nothing");
	wr(d, UART_IER, 0x05);

	/* FCR clears the receive FIFO. */
	uart8250_receive(d, (const u8 *)"zz", 2);
	wr(d, UART_FCR, 0x83);
	tap_ok(!(rd(d, UART_LSR) & 0x01) && !pin.level, "FCR clear-rx drops pending input");
	wr(d, UART_FCR, 0x00);
	tap_ok(rd(d, UART_IIR) == 0x01, "FIFOs off: IIR bits 7:6 clear");
	uart8250_receive(d, (const u8 *)"q", 1);
	tap_ok(rd(d, UART_IIR) == 0x04, "FIFOs off: one byte gives IIR = 0x04");
	(void)rd(d, UART_RX);
	wr(d, UART_FCR, 0x81);

	/* Overflow: the buffer holds 64 KiB, the rest is an overrun. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 7);
	uart8250_receive(d, big, sizeof(big));
	tap_ok(rd(d, UART_IIR) == 0xc6, "overrun: IIR = 0xc6 (line status) first");
	tap_ok((rd(d, UART_LSR) & 0x03) == 0x03, "LSR = OE | DR");
	tap_ok(!(rd(d, UART_LSR) & 0x02), "reading LSR clears OE");
	tap_ok(rd(d, UART_IIR) == 0xc4, "then rx data");
	n = 0;
	ok = true;
	while (rd(d, UART_LSR) & 0x01) {
		if (rd(d, UART_RX) != (u8)(n * 7))
			ok = false;
		n++;
	}
	tap_ok(n == UART8250_RX_BUF_SIZE, "kept exactly 64 KiB of input (%zu)", n);
	tap_ok(ok, "kept the first 64 KiB, in order");
	tap_ok(!pin.level, "drained: line low");

	/* Input from another thread while the guest reads. */
	{
		struct feeder f = { d, 60000 };
		pthread_t t;

		pthread_create(&t, NULL, feed, &f);
		n = 0;
		ok = true;
		for (int spins = 0; n < f.total && spins < 100000000; spins++) {
			if (!(rd(d, UART_LSR) & 0x01))
				continue;
			if (rd(d, UART_RX) != (u8)n)
				ok = false;
			n++;
		}
		pthread_join(t, NULL);
		tap_ok(n == f.total && ok,
		       "60000 bytes from a terminal thread arrive whole and in order");
	}

	/* Loopback, as autoconfig() checks it, and the modem status interrupt. */
	wr(d, UART_IER, 0x0d);			/* RDI | RLSI | MSI */
	(void)rd(d, UART_MSR);
	wr(d, UART_MCR, 0x1a);			/* LOOP | RTS | OUT2 */
	tap_ok((rd(d, UART_IIR) & 0x0f) == 0x00 && pin.level,
	       "modem lines changed: IIR = modem status, line high");
	tap_ok(rd(d, UART_MSR) == 0x92, "loopback MSR = DCD | CTS | DDSR");
	tap_ok(rd(d, UART_IIR) == 0xc1 && !pin.level, "reading MSR acknowledges it");
	wr(d, UART_RX, 'L');
	tap_ok(drain(d, fds[0], out, sizeof(out)) == 0, "loopback: nothing goes to out_fd");
	tap_ok(rd(d, UART_IIR) == 0xcc && (rd(d, UART_LSR) & 1) && rd(d, UART_RX) == 'L',
	       "loopback: THR comes back on RBR with an rx interrupt");
	uart8250_receive(d, (const u8 *)"H", 1);
	tap_ok(!(rd(d, UART_LSR) & 1), "loopback: host input is disconnected");
	wr(d, UART_MCR, 0x0b);
	tap_ok((rd(d, UART_MSR) & 0xf0) == 0xb0, "loopback off: DCD | DSR | CTS again");
	wr(d, UART_RX, 'B');
	tap_ok(drain(d, fds[0], out, sizeof(out)) == 1 && out[0] == 'B', "loopback off: out_fd again");

	/* Any access width: the register is the low byte. */
	memset(buf, 0xee, sizeof(buf));
	d->mmio(d, UART_LSR, buf, 4, false);
	tap_ok(buf[0] == 0x60 && !buf[1] && !buf[2] && !buf[3], "32-bit LSR read = 0x00000060");
	buf[0] = 'W';
	buf[1] = 'X';
	buf[2] = buf[3] = 0;
	d->mmio(d, UART_RX, buf, 4, true);
	tap_ok(drain(d, fds[0], out, sizeof(out)) == 1 && out[0] == 'W',
	       "32-bit THR write sends the low byte");

	/* Reset: power-on values, unread input dropped. */
	uart8250_receive(d, (const u8 *)"left", 4);
	tap_ok(pin.level, "pending input before reset: line high");
	d->reset(d);
	tap_ok(!pin.level, "reset lowers the line");
	tap_ok(rd(d, UART_IER) == 0 && rd(d, UART_LCR) == 0 && rd(d, UART_MCR) == 0 &&
	       rd(d, UART_SCR) == 0, "reset: IER, LCR, MCR, SCR back to zero");
	tap_ok(rd(d, UART_IIR) == 0x01 && rd(d, UART_LSR) == 0x60, "reset: IIR 0x01, LSR 0x60");

	/* Input before the driver listens survives its start-up FIFO clearing. */
	uart8250_receive(d, (const u8 *)"early\n", 6);
	tap_ok(!(rd(d, UART_LSR) & 0x01) && !pin.level,
	       "input before the receive interrupt is enabled is held: LSR.DR clear, line low");
	linux_init(d);
	wr(d, UART_IER, 0x01);
	ok = true;
	for (int i = 0; i < 6; i++)
		ok = ok && (rd(d, UART_LSR) & 0x01) && rd(d, UART_RX) == (u8)"early\n"[i];
	tap_ok(ok && !(rd(d, UART_LSR) & 0x01),
	       "held input arrives whole once the guest enables the receive interrupt");
	wr(d, UART_IER, 0);

	test_fdt(d);
	tap_ok(pin.changes > 0 && pin.changes % 2 == 0 && !pin.level,
	       "every raise was followed by a lower (%d changes)", pin.changes);

	d->exit(d);
	free(d);
	close(fds[0]);
	close(fds[1]);
	test_backpressure();
	return tap_done();
}
