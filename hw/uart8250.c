// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART, as Linux's 8250 driver, its earlycon and bare polling payloads
 * use it.  Transmission goes into a buffer that a thread of the UART's own
 * writes out, so a vCPU never blocks on a terminal or pipe nobody reads and
 * never holds the lock the main thread's input needs while it writes.  THR
 * reads empty (LSR.THRE and TEMT, and a THRE interrupt as soon as a byte is
 * taken) while the buffer has room; once it is full the guest sees the
 * transmitter busy and waits, as on hardware, until the host reads again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfdt.h>

#include "lkvm/layout.h"
#include "lkvm/snapshot.h"
#include "lkvm/uart8250.h"

/* Register offsets (reg-shift 0). */
#define UART_RX		0	/* RBR, read, DLAB = 0 */
#define UART_TX		0	/* THR, write, DLAB = 0 */
#define UART_DLL	0	/* DLAB = 1 */
#define UART_IER	1
#define UART_DLM	1	/* DLAB = 1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IER_MSI		0x08
#define IER_MASK	0x0f

#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_RX_TIMEOUT	0x0c
#define IIR_FIFO_ON	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04
#define FCR_TRIG_MASK	0xc0

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MCR_MASK	0x1f

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_ERR_MASK	0x1e	/* OE, PE, FE, BI: the line-status interrupt sources */
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_DELTA_MASK	0x0f
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

/* A host terminal is always there: carrier, data set ready, clear to send. */
#define MSR_HOST_LINES	(MSR_DCD | MSR_DSR | MSR_CTS)

/* Guest output not yet written to the host: bursts go in at once, beyond that the guest waits. */
#define UART_TX_BUF		0x4000u
#define UART_SAVE_FLUSH_MS	500	/* how long a snapshot waits for the writer */

/* 1.8432 MHz / 16 / 12 = 9600 baud: a divisor the guest can read back before it sets one. */
#define UART_DEFAULT_DIVISOR	12
#define UART_CLOCK_HZ		1843200


struct uart {
	pthread_mutex_t lock;
	int out_fd;

	u8 ier, fcr, lcr, mcr, lsr, msr, scr;
	u8 dll, dlm;
	u8 last_rx;		/* what RBR reads when there is nothing new */
	bool thr_ipending;	/* a THRE interrupt not yet acknowledged */
	bool irq_level;		/* the line as last driven */

	/* Receive buffer (stands in for the 16-byte FIFO): a ring. */
	u8 *rx;
	size_t rx_head, rx_count;
	size_t rx_dropped;

	/*
	 * Host input that arrives before the guest listens (enables the receive
	 * interrupt) waits here: a driver empties the FIFO while it starts up,
	 * and a line typed or piped in early must not vanish with it.
	 */
	bool listening;
	u8 *hold;
	size_t hold_len;

	/* Transmit buffer, a ring written out by the writer thread. */
	u8 *tx;
	size_t tx_head, tx_len;
	unsigned long tx_dropped;	/* bytes a guest sent with THR full */
	pthread_cond_t tx_more;		/* the writer waits for output */
	pthread_cond_t tx_done;		/* a flush waits for the writer */
	pthread_t writer;
	bool writer_started;
	_Atomic bool stopping;
};

static struct uart *to_uart(struct device *dev)
{
	return dev->priv;
}

static unsigned int rx_trigger_level(const struct uart *u)
{
	static const unsigned int levels[] = { 1, 4, 8, 14 };

	return levels[(u->fcr & FCR_TRIG_MASK) >> 6];
}

/* The IIR value for the current state, highest-priority source first. */
static u8 uart_iir(const struct uart *u)
{
	u8 fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RLSI) && (u->lsr & LSR_ERR_MASK))
		return fifo | IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count) {
		/*
		 * Input arrives in bursts and nothing follows a short one, so
		 * below the trigger level a real FIFO would time out; Linux
		 * treats both alike.
		 */
		if (fifo && u->rx_count < rx_trigger_level(u))
			return fifo | IIR_RX_TIMEOUT;
		return fifo | IIR_RDI;
	}
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return fifo | IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTA_MASK))
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

/* Drive the level line; called after every change that can move IIR. */
static void uart_update_irq(struct device *dev)
{
	struct uart *u = to_uart(dev);
	bool level = !(uart_iir(u) & IIR_NO_INT);

	if (level != u->irq_level) {
		u->irq_level = level;
		irq_pin_set(&dev->irq, level);
	}
}

static void rx_clear(struct uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->lsr &= ~LSR_DR;
}

static void rx_push(struct uart *u, const u8 *buf, size_t len)
{
	size_t room = UART8250_RX_BUF_SIZE - u->rx_count;
	size_t n = min_t(size_t, len, room);

	for (size_t i = 0; i < n; i++)
		u->rx[(u->rx_head + u->rx_count + i) % UART8250_RX_BUF_SIZE] = buf[i];
	u->rx_count += n;
	if (u->rx_count)
		u->lsr |= LSR_DR;
	if (n < len) {
		/* The guest is not reading: tell it through LSR.OE, as a real UART would. */
		u->lsr |= LSR_OE;
		u->rx_dropped += len - n;
		pr_debug("uart: receive buffer full, dropped %zu bytes (%zu so far)", len - n,
			 u->rx_dropped);
	}
}

static u8 rx_pop(struct uart *u)
{
	if (u->rx_count) {
		u->last_rx = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART8250_RX_BUF_SIZE;
		u->rx_count--;
	}
	if (!u->rx_count)
		u->lsr &= ~LSR_DR;
	return u->last_rx;
}

/* The modem input lines for @mcr. */
static u8 msr_lines(u8 mcr)
{
	u8 now = 0;

	if (!(mcr & MCR_LOOP))
		return MSR_HOST_LINES;
	/* Loopback wires the modem outputs back to the inputs. */
	if (mcr & MCR_RTS)
		now |= MSR_CTS;
	if (mcr & MCR_DTR)
		now |= MSR_DSR;
	if (mcr & MCR_OUT1)
		now |= MSR_RI;
	if (mcr & MCR_OUT2)
		now |= MSR_DCD;
	return now;
}

/* Modem status lines as the guest sees them, with the delta bits they imply. */
static void msr_update(struct uart *u)
{
	u8 old = u->msr, now = msr_lines(u->mcr), changed, delta;

	changed = old ^ now;
	delta = old & MSR_DELTA_MASK;

	if (changed & MSR_CTS)
		delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		delta |= MSR_DDSR;
	if ((old & MSR_RI) && !(now & MSR_RI))
		delta |= MSR_TERI;
	if (changed & MSR_DCD)
		delta |= MSR_DDCD;
	u->msr = now | delta;
}

static bool tx_room(const struct uart *u)
{
	return u->out_fd < 0 || u->tx_len < UART_TX_BUF;
}

static void uart_transmit(struct uart *u, u8 c)
{
	if (u->mcr & MCR_LOOP) {
		rx_push(u, &c, 1);
	} else if (u->out_fd >= 0 && !tx_room(u)) {
		/* The guest wrote THR although LSR said it was busy. */
		u->tx_dropped++;
	} else if (u->out_fd >= 0) {
		u->tx[(u->tx_head + u->tx_len) % UART_TX_BUF] = c;
		u->tx_len++;
		pthread_cond_signal(&u->tx_more);
	}
	/* Taken at once while there is room: THR is empty again and says so. */
	u->thr_ipending = tx_room(u);
}

/*
 * The writer: output goes to the host from here, with the lock dropped.  When
 * the buffer had filled up, room again means THR empty again: the guest's
 * THRE interrupt.
 */
static void *uart_writer(void *arg)
{
	struct device *dev = arg;
	struct uart *u = to_uart(dev);

	pthread_mutex_lock(&u->lock);
	for (;;) {
		size_t n;
		bool was_full;
		int r;

		while (!u->tx_len && !atomic_load(&u->stopping))
			pthread_cond_wait(&u->tx_more, &u->lock);
		if (!u->tx_len)
			break;
		/* Bytes in place: only the consumer moves tx_head. */
		n = min_t(size_t, u->tx_len, UART_TX_BUF - u->tx_head);
		pthread_mutex_unlock(&u->lock);
		r = util_write_all_until(u->out_fd, u->tx + u->tx_head, n, &u->stopping);
		pthread_mutex_lock(&u->lock);
		if (r < 0 && errno != ECANCELED)
			pr_debug("uart: output lost: %s", strerror(errno));
		if (r < 0)
			n = u->tx_len;	/* a closed output, or exiting: drop the rest */
		was_full = !tx_room(u);
		u->tx_head = (u->tx_head + n) % UART_TX_BUF;
		u->tx_len -= n;
		if (was_full && tx_room(u)) {
			u->thr_ipending = true;
			uart_update_irq(dev);
		}
		pthread_cond_broadcast(&u->tx_done);
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

int uart8250_flush(struct device *dev, int timeout_ms)
{
	struct uart *u = to_uart(dev);
	struct timespec ts;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&u->lock);
	while (u->tx_len && u->writer_started && !r)
		r = pthread_cond_timedwait(&u->tx_done, &u->lock, &ts);
	r = u->tx_len ? -1 : 0;
	pthread_mutex_unlock(&u->lock);
	return r;
}

static void uart_write(struct device *dev, u64 offset, u8 val)
{
	struct uart *u = to_uart(dev);
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case UART_TX:
		if (dlab) {
			u->dll = val;
			break;
		}
		u->thr_ipending = false;
		uart_transmit(u, val);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			break;
		}
		/* Enabling ETBEI with THR empty raises THRE again (Linux probes this). */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_ipending = true;
		else if (!(val & IER_THRI))
			u->thr_ipending = false;
		u->ier = val & IER_MASK;
		if ((u->ier & IER_RDI) && !u->listening) {
			u->listening = true;
			rx_push(u, u->hold, u->hold_len);
			u->hold_len = 0;
		}
		break;
	case UART_FCR:
		/* Switching the FIFOs on or off empties them. */
		if ((val ^ u->fcr) & FCR_ENABLE)
			rx_clear(u);
		if (val & FCR_ENABLE) {
			if (val & FCR_CLEAR_RX)
				rx_clear(u);
			u->fcr = val & (FCR_ENABLE | FCR_TRIG_MASK);
		} else {
			u->fcr = 0;
		}
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & MCR_MASK;
		msr_update(u);
		break;
	case UART_LSR:
	case UART_MSR:
		/* Read-only here (factory test registers on real parts). */
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
}

static u8 uart_read(struct device *dev, u64 offset)
{
	struct uart *u = to_uart(dev);
	bool dlab = u->lcr & LCR_DLAB;
	u8 val = 0;

	switch (offset) {
	case UART_RX:
		val = dlab ? u->dll : rx_pop(u);
		break;
	case UART_IER:
		val = dlab ? u->dlm : u->ier;
		break;
	case UART_IIR:
		val = uart_iir(u);
		/* Reading IIR acknowledges THRE when THRE is what it reports. */
		if ((val & 0x0f) == IIR_THRI)
			u->thr_ipending = false;
		break;
	case UART_LCR:
		val = u->lcr;
		break;
	case UART_MCR:
		val = u->mcr;
		break;
	case UART_LSR:
		val = u->lsr | (tx_room(u) ? LSR_THRE | LSR_TEMT : 0);
		u->lsr &= ~LSR_ERR_MASK;
		break;
	case UART_MSR:
		val = u->msr;
		u->msr &= ~MSR_DELTA_MASK;
		break;
	case UART_SCR:
		val = u->scr;
		break;
	}
	return val;
}

static void uart_mmio(struct device *dev, u64 offset, u8 *data, u32 len, bool is_write)
{
	struct uart *u = to_uart(dev);

	pthread_mutex_lock(&u->lock);
	if (is_write) {
		uart_write(dev, offset, data[0]);
	} else {
		/* Any width is accepted; the register is the low byte. */
		le_put(data, len, uart_read(dev, offset));
	}
	uart_update_irq(dev);
	pthread_mutex_unlock(&u->lock);
}

void uart8250_receive(struct device *dev, const u8 *buf, size_t len)
{
	struct uart *u = to_uart(dev);

	pthread_mutex_lock(&u->lock);
	if (u->mcr & MCR_LOOP) {
		/* Loopback disconnects the serial input. */
		pr_debug("uart: loopback mode, dropped %zu bytes of input", len);
	} else if (!u->listening) {
		size_t n = min_t(size_t, len, UART8250_RX_BUF_SIZE - u->hold_len);

		memcpy(u->hold + u->hold_len, buf, n);
		u->hold_len += n;
		if (n < len)
			pr_debug("uart: guest not listening yet, dropped %zu bytes", len - n);
	} else {
		rx_push(u, buf, len);
		uart_update_irq(dev);
	}
	pthread_mutex_unlock(&u->lock);
}

bool uart8250_irq_pending(struct device *dev)
{
	struct uart *u = to_uart(dev);
	bool level;

	pthread_mutex_lock(&u->lock);
	level = u->irq_level;
	pthread_mutex_unlock(&u->lock);
	return level;
}

/* ---- snapshot --------------------------------------------------------------- */

#define SNAP_VERSION	1

/* @n bytes of the ring @ring (@size bytes) from @head on. */
static void put_ring(struct snap_w *w, const u8 *ring, size_t size, size_t head, size_t n)
{
	size_t first = min_t(size_t, n, size - head);

	snapshot_put_u32(w, (u32)n);
	snapshot_put(w, ring + head, first);
	snapshot_put(w, ring, n - first);
}

/*
 * u8 version (1); u8 IER, FCR, LCR, MCR, LSR (its stored bits: DR and the
 * errors), MSR, SCR, DLL, DLM, the last byte RBR gave, a THRE interrupt
 * pending, the guest listening; then u32 length and the bytes of the
 * receive FIFO, of the input held until the guest listens, and of the
 * output the writer has not sent yet (the restored lkvm sends it).
 */
static int uart_save(struct device *dev, struct snap_w *w, const char **why)
{
	struct uart *u = to_uart(dev);

	/*
	 * The vCPUs are held: let the writer send what the guest wrote, so it
	 * comes out once, from this lkvm, and not again from every restore.
	 * Only output a stuck host side holds longer than this is carried over.
	 */
	uart8250_flush(dev, UART_SAVE_FLUSH_MS);
	pthread_mutex_lock(&u->lock);
	snapshot_put_u8(w, SNAP_VERSION);
	snapshot_put_u8(w, u->ier);
	snapshot_put_u8(w, u->fcr);
	snapshot_put_u8(w, u->lcr);
	snapshot_put_u8(w, u->mcr);
	snapshot_put_u8(w, u->lsr);
	snapshot_put_u8(w, u->msr);
	snapshot_put_u8(w, u->scr);
	snapshot_put_u8(w, u->dll);
	snapshot_put_u8(w, u->dlm);
	snapshot_put_u8(w, u->last_rx);
	snapshot_put_u8(w, u->thr_ipending);
	snapshot_put_u8(w, u->listening);
	put_ring(w, u->rx, UART8250_RX_BUF_SIZE, u->rx_head, u->rx_count);
	put_ring(w, u->hold, UART8250_RX_BUF_SIZE, 0, u->hold_len);
	/* What the writer is sending right now is still counted: it may come out twice. */
	put_ring(w, u->tx, UART_TX_BUF, u->tx_head, u->tx_len);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* A u32 length up to @max and a view of the bytes (NULL, and @bad, when longer). */
static const u8 *get_bytes(struct snap_r *r, size_t max, size_t *len)
{
	u32 n = snapshot_get_u32(r);

	if (n > max) {
		r->bad = true;
		n = 0;
	}
	*len = n;
	return snapshot_get_ptr(r, n);
}

/* What the registers say, checked as what the guest alone could never have set. */
static const char *uart_regs_bad(u8 ier, u8 fcr, u8 mcr, u8 lsr, u8 msr, size_t rx_len)
{
	if (ier & ~IER_MASK)
		return "IER has bits the UART does not have";
	if (fcr & ~(FCR_ENABLE | FCR_TRIG_MASK) || (fcr && !(fcr & FCR_ENABLE)))
		return "FCR holds bits the UART does not keep";
	if (mcr & ~MCR_MASK)
		return "MCR has bits the UART does not have";
	if (lsr & ~(LSR_DR | LSR_ERR_MASK) || !(lsr & LSR_DR) != !rx_len)
		return "LSR disagrees with the receive FIFO";
	if ((msr & ~MSR_DELTA_MASK) != msr_lines(mcr))
		return "MSR's lines disagree with MCR";
	return NULL;
}

static int uart_load(struct device *dev, struct snap_r *r, const char **why)
{
	struct uart *u = to_uart(dev);
	u8 version = snapshot_get_u8(r);
	u8 ier = snapshot_get_u8(r), fcr = snapshot_get_u8(r), lcr = snapshot_get_u8(r);
	u8 mcr = snapshot_get_u8(r), lsr = snapshot_get_u8(r), msr = snapshot_get_u8(r);
	u8 scr = snapshot_get_u8(r), dll = snapshot_get_u8(r), dlm = snapshot_get_u8(r);
	u8 last_rx = snapshot_get_u8(r);
	bool thr_ipending = snapshot_get_bool(r), listening = snapshot_get_bool(r);
	size_t rx_len, hold_len, tx_len, early, n;
	const u8 *rx = get_bytes(r, UART8250_RX_BUF_SIZE, &rx_len);
	const u8 *hold = get_bytes(r, UART8250_RX_BUF_SIZE, &hold_len);
	const u8 *tx = get_bytes(r, UART_TX_BUF, &tx_len);
	const char *bad;
	bool level;

	if (!snapshot_r_ok(r) || version != SNAP_VERSION) {
		*why = !r->bad && version != SNAP_VERSION ? "its state is of an unknown version"
							  : "its state is cut short or malformed";
		return -1;
	}
	bad = uart_regs_bad(ier, fcr, mcr, lsr, msr, rx_len);
	if (!bad && listening && hold_len)
		bad = "it holds input back from a guest that listens";
	if (bad) {
		*why = bad;
		return -1;
	}

	pthread_mutex_lock(&u->lock);
	/* Input this lkvm held before the load (the guest did not listen yet) comes after. */
	early = u->hold_len;
	u->hold_len = 0;
	u->ier = ier;
	u->fcr = fcr;
	u->lcr = lcr;
	u->mcr = mcr;
	u->lsr = lsr;
	u->msr = msr;
	u->scr = scr;
	u->dll = dll;
	u->dlm = dlm;
	u->last_rx = last_rx;
	u->thr_ipending = thr_ipending;
	u->listening = listening;
	u->rx_head = 0;
	u->rx_count = rx_len;
	if (rx_len)
		memcpy(u->rx, rx, rx_len);
	if (listening) {
		rx_push(u, u->hold, early);
	} else {
		n = min_t(size_t, early, UART8250_RX_BUF_SIZE - hold_len);
		memmove(u->hold + hold_len, u->hold, n);
		if (hold_len)
			memcpy(u->hold, hold, hold_len);
		u->hold_len = hold_len + n;
	}
	/* Nobody reads the output here: it goes, as all output does. */
	if (u->out_fd >= 0) {
		n = min_t(size_t, tx_len, UART_TX_BUF - u->tx_len);
		for (size_t i = 0; i < n; i++)
			u->tx[(u->tx_head + u->tx_len + i) % UART_TX_BUF] = tx[i];
		u->tx_len += n;
		if (n)
			pthread_cond_signal(&u->tx_more);
	}
	/* The line is level: drive it to what the registers say, whatever it was. */
	level = !(uart_iir(u) & IIR_NO_INT);
	u->irq_level = level;
	irq_pin_set(&dev->irq, level);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* Power-on register values; unread input goes too, as on a real reset. */
static void uart_power_on(struct uart *u)
{
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = 0;	/* THRE and TEMT come from the transmit buffer */
	u->msr = MSR_HOST_LINES;
	u->scr = 0;
	u->dll = UART_DEFAULT_DIVISOR;
	u->dlm = 0;
	u->last_rx = 0;
	u->thr_ipending = false;
	rx_clear(u);
	u->listening = false;
	u->hold_len = 0;
}

static void uart_reset(struct device *dev)
{
	struct uart *u = to_uart(dev);

	pthread_mutex_lock(&u->lock);
	uart_power_on(u);
	uart_update_irq(dev);
	pthread_mutex_unlock(&u->lock);
}

static int uart_fdt_node(struct device *dev, void *fdt, u32 gic_phandle)
{
	int r = device_fdt_begin(dev, fdt, "uart", gic_phandle);

	if (!r)
		r = fdt_property_string(fdt, "compatible", "ns16550a");
	if (!r)
		r = fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ);
	return r ?: fdt_end_node(fdt);
}

static void uart_exit(struct device *dev)
{
	struct uart *u = to_uart(dev);

	/* What the guest wrote last (a panic, "Power down") goes out if the host reads it. */
	uart8250_flush(dev, 1000);
	atomic_store(&u->stopping, true);
	pthread_mutex_lock(&u->lock);
	pthread_cond_signal(&u->tx_more);
	pthread_mutex_unlock(&u->lock);
	if (u->writer_started)
		pthread_join(u->writer, NULL);
	/* The bus still walks its list after this: @dev itself stays. */
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->tx_more);
	pthread_cond_destroy(&u->tx_done);
	free(u->tx);
	free(u->rx);
	free(u->hold);
	free(u);
	dev->priv = NULL;
	dev->mmio = NULL;
}

struct device *uart8250_create(u64 base, struct irq_pin irq, int out_fd)
{
	struct device *dev = xzalloc(sizeof(*dev));
	struct uart *u = xzalloc(sizeof(*u));

	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->tx_more, NULL);
	pthread_cond_init(&u->tx_done, NULL);
	u->out_fd = out_fd;
	/* Rings: what is in them is said by their indices, not by zeroes. */
	u->rx = xmalloc(UART8250_RX_BUF_SIZE);
	u->hold = xmalloc(UART8250_RX_BUF_SIZE);
	u->tx = xmalloc(UART_TX_BUF);
	uart_power_on(u);

	dev->name = "uart8250";
	dev->base = base;
	dev->size = LKVM_UART_SIZE;
	dev->irq = irq;
	dev->priv = u;
	dev->mmio = uart_mmio;
	dev->fdt_node = uart_fdt_node;
	dev->reset = uart_reset;
	dev->exit = uart_exit;
	dev->save = uart_save;
	dev->load = uart_load;
	if (out_fd >= 0) {
		int r = util_thread_start(&u->writer, uart_writer, dev, "lkvm-uart");

		if (r) {
			pr_err("uart: cannot start its output thread: %s", strerror(r));
			uart_exit(dev);
			free(dev);
			return NULL;
		}
		u->writer_started = true;
	}
	return dev;
}
