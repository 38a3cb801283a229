// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>

#include "lkvm/term.h"

#define CTRL_A 0x01

void term_init(struct term *t, int fd, void (*sink)(struct device *, const u8 *, size_t),
	       struct device *dev)
{
	struct termios raw;

	*t = (struct term){ .fd = fd, .sink = sink, .dev = dev };
	t->is_tty = isatty(fd);
	if (!t->is_tty || tcgetattr(fd, &t->saved) < 0)
		return;
	raw = t->saved;
	cfmakeraw(&raw);
	/* Keep output post-processing so the host terminal still gets CR-LF. */
	raw.c_oflag |= OPOST;
	if (tcsetattr(fd, TCSANOW, &raw) == 0)
		t->raw = true;
}

void term_restore(struct term *t)
{
	if (t->raw)
		tcsetattr(t->fd, TCSANOW, &t->saved);
	t->raw = false;
}

bool term_input(struct term *t)
{
	u8 in[256], out[256];
	size_t n = 0;
	ssize_t r;

	r = read(t->fd, in, sizeof(in));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (r <= 0) {
		t->eof = true;
		return true;
	}
	for (ssize_t i = 0; i < r; i++) {
		if (t->raw && t->escape) {
			t->escape = false;
			if (in[i] == 'x' || in[i] == 'X')
				return false;
			if (in[i] != CTRL_A)
				continue;
		} else if (t->raw && in[i] == CTRL_A) {
			t->escape = true;
			continue;
		}
		out[n++] = in[i];
	}
	if (n && t->sink)
		t->sink(t->dev, out, n);
	return true;
}
