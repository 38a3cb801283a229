/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_TERM_H
#define LKVM_TERM_H

#include <termios.h>

#include "lkvm/device.h"

/*
 * The host terminal as the guest console's input.  On a tty it runs raw and
 * Ctrl-A x quits lkvm (Ctrl-A Ctrl-A sends a Ctrl-A); from a pipe or file the
 * bytes go through as they are and end-of-file simply ends input.
 */
struct term {
	int fd;
	bool is_tty, raw, eof, escape;
	struct termios saved;
	void (*sink)(struct device *dev, const u8 *buf, size_t len);
	struct device *dev;
};

void term_init(struct term *t, int fd, void (*sink)(struct device *, const u8 *, size_t),
	       struct device *dev);
/* Read what is there and pass it on.  False when the user asked to quit. */
bool term_input(struct term *t);
void term_restore(struct term *t);

#endif
