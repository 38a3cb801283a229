// SPDX-License-Identifier: GPL-2.0
/* 8250 output and a small printf: %d %i %u %x %X %p %s %c %%, flags 0 - #,
 * a width, and the h/l/ll/z length modifiers. */
#include "libtest.h"

#define UART_THR	0
#define UART_LSR	5
#define UART_LSR_THRE	0x20

void uart_putc(char c)
{
	unsigned int spins = 0;

	if (c == '\n')
		uart_putc('\r');
	/* Bounded: an emulated UART that never drains must not hang the test. */
	while (!(readb(UART_BASE + UART_LSR) & UART_LSR_THRE) && spins++ < 1000000)
		cpu_relax();
	writeb((u8)c, UART_BASE + UART_THR);
}

void puts_raw(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, char c)
{
	if (o->buf) {
		if (o->len + 1 < o->size)
			o->buf[o->len] = c;
	} else {
		uart_putc(c);
	}
	o->len++;
}

static void emit_num(struct out *o, u64 v, unsigned int base, bool neg, bool upper,
		     int width, bool zero, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	pad = width - n - (neg ? 1 : 0);
	if (!left && !zero)
		for (; pad > 0; pad--)
			emit(o, ' ');
	if (neg)
		emit(o, '-');
	if (!left && zero)
		for (; pad > 0; pad--)
			emit(o, '0');
	while (n)
		emit(o, tmp[--n]);
	if (left)
		for (; pad > 0; pad--)
			emit(o, ' ');
}

static int format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool zero = false, left = false, alt = false, is_signed = false;
		int width = 0, lng = 0;
		unsigned int base = 10;
		u64 v;

		if (*fmt != '%') {
			emit(o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z')
				lng++;
			else if (*fmt != 'h')
				break;
		}
		switch (*fmt) {
		case '\0':
			return (int)o->len;
		case '%':
			emit(o, '%');
			continue;
		case 'c':
			emit(o, (char)va_arg(ap, int));
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n;

			if (!s)
				s = "(null)";
			n = (int)strlen(s);
			if (!left)
				for (; width > n; width--)
					emit(o, ' ');
			while (*s)
				emit(o, *s++);
			for (; width > n; width--)
				emit(o, ' ');
			continue;
		}
		case 'p':
			emit(o, '0');
			emit(o, 'x');
			emit_num(o, (u64)(uintptr_t)va_arg(ap, void *), 16, false, false, width,
				 zero, left);
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'x':
		case 'X':
			base = 16;
			break;
		case 'u':
			break;
		default:
			emit(o, '%');
			emit(o, *fmt);
			continue;
		}
		if (is_signed) {
			s64 s = lng ? va_arg(ap, s64) : va_arg(ap, int);

			v = s < 0 ? (u64)0 - (u64)s : (u64)s;
			emit_num(o, v, base, s < 0, false, width, zero, left);
		} else {
			v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			if (alt && base == 16) {
				emit(o, '0');
				emit(o, 'x');
			}
			emit_num(o, v, base, false, *fmt == 'X', width, zero, left);
		}
	}
	return (int)o->len;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	int n = format(&o, fmt, ap);

	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	struct out o = { 0 };

	return format(&o, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void *memset(void *s, int c, size_t n)
{
	volatile u8 *p = s;

	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile u8 *d = dst;
	const u8 *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}
