// SPDX-License-Identifier: GPL-2.0
/*
 * JSON for the control socket (docs/control.md): a strict RFC 8259 reader
 * that never reads past the message it is given (a request is not
 * NUL-terminated), and a writer into a fixed buffer.  Pure: no I/O, no
 * global, no allocation.
 *
 * The reader is recursive descent; JSON_MAX_DEPTH bounds the recursion, so a
 * message of brackets cannot exhaust the stack.  One string scanner both
 * validates and decodes, so that json_valid() and json_string() cannot
 * disagree on what a string holds.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lkvm/json.h"

struct cursor {
	const char *s;
	size_t n, pos;
	const char *why;
};

/*
 * Where decoded string bytes go: into @buf (cut at @size - 1 bytes, @len
 * still counts them all), and/or compared with @cmp, a C string, as they
 * come, which needs no buffer as long as the key looked for.
 */
struct sink {
	char *buf;
	size_t size;
	size_t len;
	bool nul;		/* it holds U+0000 */
	const char *cmp;
	bool differs;
};

/* Called for each member of the top-level object; not 0 stops the walk. */
struct walk {
	int (*fn)(const struct cursor *c, size_t key_pos, const struct json_val *v, void *arg);
	void *arg;
	int ret;
};

static bool fail(struct cursor *c, const char *why)
{
	/* The innermost reason is the useful one: keep it. */
	if (!c->why)
		c->why = why;
	return false;
}

static void sink_put(struct sink *k, u8 ch)
{
	if (!k)
		return;
	if (ch == 0)
		k->nul = true;
	if (k->buf && k->len + 1 < k->size)
		k->buf[k->len] = (char)ch;
	if (k->cmp && !k->differs && (ch == 0 || (u8)k->cmp[k->len] != ch))
		k->differs = true;
	k->len++;
}

static void sink_put_utf8(struct sink *k, u32 cp)
{
	if (cp < 0x80) {
		sink_put(k, cp);
	} else if (cp < 0x800) {
		sink_put(k, 0xc0 | cp >> 6);
		sink_put(k, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		sink_put(k, 0xe0 | cp >> 12);
		sink_put(k, 0x80 | (cp >> 6 & 0x3f));
		sink_put(k, 0x80 | (cp & 0x3f));
	} else {
		sink_put(k, 0xf0 | cp >> 18);
		sink_put(k, 0x80 | (cp >> 12 & 0x3f));
		sink_put(k, 0x80 | (cp >> 6 & 0x3f));
		sink_put(k, 0x80 | (cp & 0x3f));
	}
}

/*
 * The length of the well-formed UTF-8 sequence at @p (at most @n bytes), or
 * 0.  The second byte's range is what rules out overlong forms, UTF-16
 * surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..).
 */
static size_t utf8_len(const u8 *p, size_t n)
{
	u8 lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The four hex digits after "\u", at c->pos. */
static bool hex4(struct cursor *c, u32 *out)
{
	u32 v = 0;

	if (c->n - c->pos < 4)
		return fail(c, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(c->s[c->pos + i]);

		if (d < 0)
			return fail(c, "bad hex digit in a \\u escape");
		v = v << 4 | (u32)d;
	}
	c->pos += 4;
	*out = v;
	return true;
}

/* An escape; c->pos is at its backslash. */
static bool escape(struct cursor *c, struct sink *k)
{
	u32 cp, lo;
	char ch;

	if (c->n - c->pos < 2)
		return fail(c, "unterminated string");
	ch = c->s[c->pos + 1];
	c->pos += 2;
	switch (ch) {
	case '"':
	case '\\':
	case '/':
		sink_put(k, ch);
		return true;
	case 'b':
		sink_put(k, '\b');
		return true;
	case 'f':
		sink_put(k, '\f');
		return true;
	case 'n':
		sink_put(k, '\n');
		return true;
	case 'r':
		sink_put(k, '\r');
		return true;
	case 't':
		sink_put(k, '\t');
		return true;
	case 'u':
		break;
	default:
		return fail(c, "invalid escape in a string");
	}
	if (!hex4(c, &cp))
		return false;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(c, "a low surrogate escape without a high one");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		/* UTF-16 in disguise: only a pair means a character. */
		if (c->n - c->pos < 2 || c->s[c->pos] != '\\' || c->s[c->pos + 1] != 'u')
			return fail(c, "a high surrogate escape without a low one");
		c->pos += 2;
		if (!hex4(c, &lo))
			return false;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(c, "a high surrogate escape without a low one");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	sink_put_utf8(k, cp);
	return true;
}

/* A string; c->pos is at its opening quote.  Decoded into @k if not NULL. */
static bool string(struct cursor *c, struct sink *k)
{
	c->pos++;
	while (c->pos < c->n) {
		u8 ch = c->s[c->pos];
		size_t len;

		if (ch == '"') {
			c->pos++;
			return true;
		}
		if (ch < 0x20)
			return fail(c, "control character in a string");
		if (ch == '\\') {
			if (!escape(c, k))
				return false;
			continue;
		}
		len = utf8_len((const u8 *)c->s + c->pos, c->n - c->pos);
		if (!len)
			return fail(c, "invalid UTF-8 in a string");
		for (size_t i = 0; i < len; i++)
			sink_put(k, c->s[c->pos + i]);
		c->pos += len;
	}
	return fail(c, "unterminated string");
}

static bool is_digit(const struct cursor *c)
{
	return c->pos < c->n && c->s[c->pos] >= '0' && c->s[c->pos] <= '9';
}

static bool number(struct cursor *c, struct json_val *v)
{
	bool neg = false, fits = true, is_int = true;
	u64 mag = 0;

	if (c->s[c->pos] == '-') {
		neg = true;
		c->pos++;
	}
	if (!is_digit(c))
		return fail(c, "invalid number");
	if (c->s[c->pos] == '0') {
		c->pos++;
		if (is_digit(c))
			return fail(c, "a number with a leading zero");
	} else {
		while (is_digit(c)) {
			unsigned int d = c->s[c->pos++] - '0';

			if (mag > (UINT64_MAX - d) / 10)
				fits = false;
			else
				mag = mag * 10 + d;
		}
	}
	if (c->pos < c->n && c->s[c->pos] == '.') {
		c->pos++;
		if (!is_digit(c))
			return fail(c, "a number with no digit after its '.'");
		while (is_digit(c))
			c->pos++;
		is_int = false;
	}
	if (c->pos < c->n && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
		c->pos++;
		if (c->pos < c->n && (c->s[c->pos] == '+' || c->s[c->pos] == '-'))
			c->pos++;
		if (!is_digit(c))
			return fail(c, "a number with no digit in its exponent");
		while (is_digit(c))
			c->pos++;
		is_int = false;
	}
	v->type = JSON_NUMBER;
	if (!is_int || !fits)
		return true;
	if (!neg && mag <= INT64_MAX) {
		v->i = (s64)mag;
		v->is_int = true;
	} else if (neg && mag <= (u64)INT64_MAX + 1) {
		v->i = mag == (u64)INT64_MAX + 1 ? INT64_MIN : -(s64)mag;
		v->is_int = true;
	}
	return true;
}

static bool literal(struct cursor *c, const char *word)
{
	size_t len = strlen(word);

	if (c->n - c->pos < len || memcmp(c->s + c->pos, word, len))
		return fail(c, "unexpected character");
	c->pos += len;
	return true;
}

static void skip_ws(struct cursor *c)
{
	while (c->pos < c->n && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
				 c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
		c->pos++;
}

static bool value(struct cursor *c, int depth, struct json_val *v, struct walk *w);

/* c->pos is at '{'; @depth counts it.  @w, if any, sees each member. */
static bool object(struct cursor *c, int depth, struct walk *w)
{
	struct json_val v;
	size_t key_pos;

	if (depth > JSON_MAX_DEPTH)
		return fail(c, "nested too deep");
	c->pos++;
	skip_ws(c);
	if (c->pos < c->n && c->s[c->pos] == '}') {
		c->pos++;
		return true;
	}
	for (;;) {
		skip_ws(c);
		if (c->pos >= c->n || c->s[c->pos] != '"')
			return fail(c, "expected a member name");
		key_pos = c->pos;
		if (!string(c, NULL))
			return false;
		skip_ws(c);
		if (c->pos >= c->n || c->s[c->pos] != ':')
			return fail(c, "expected ':' after a member name");
		c->pos++;
		if (!value(c, depth, &v, NULL))
			return false;
		if (w) {
			w->ret = w->fn(c, key_pos, &v, w->arg);
			if (w->ret)
				return true;
		}
		skip_ws(c);
		if (c->pos >= c->n)
			return fail(c, "unterminated object");
		if (c->s[c->pos] == '}') {
			c->pos++;
			return true;
		}
		if (c->s[c->pos] != ',')
			return fail(c, "expected ',' or '}' in an object");
		c->pos++;
	}
}

static bool array(struct cursor *c, int depth)
{
	struct json_val v;

	if (depth > JSON_MAX_DEPTH)
		return fail(c, "nested too deep");
	c->pos++;
	skip_ws(c);
	if (c->pos < c->n && c->s[c->pos] == ']') {
		c->pos++;
		return true;
	}
	for (;;) {
		if (!value(c, depth, &v, NULL))
			return false;
		skip_ws(c);
		if (c->pos >= c->n)
			return fail(c, "unterminated array");
		if (c->s[c->pos] == ']') {
			c->pos++;
			return true;
		}
		if (c->s[c->pos] != ',')
			return fail(c, "expected ',' or ']' in an array");
		c->pos++;
	}
}

/* A value and the white space before it; @depth: the containers around it. */
static bool value(struct cursor *c, int depth, struct json_val *v, struct walk *w)
{
	size_t start;
	bool ok;

	memset(v, 0, sizeof(*v));
	skip_ws(c);
	if (c->pos >= c->n)
		return fail(c, "unexpected end");
	start = c->pos;
	switch (c->s[c->pos]) {
	case '{':
		v->type = JSON_OBJECT;
		ok = object(c, depth + 1, w);
		break;
	case '[':
		v->type = JSON_ARRAY;
		ok = array(c, depth + 1);
		break;
	case '"':
		v->type = JSON_STRING;
		ok = string(c, NULL);
		break;
	case 't':
		v->type = JSON_BOOL;
		v->b = true;
		ok = literal(c, "true");
		break;
	case 'f':
		v->type = JSON_BOOL;
		ok = literal(c, "false");
		break;
	case 'n':
		v->type = JSON_NULL;
		ok = literal(c, "null");
		break;
	case '-':
	case '0' ... '9':
		ok = number(c, v);
		break;
	default:
		return fail(c, "unexpected character");
	}
	v->raw = c->s + start;
	v->raw_len = c->pos - start;
	return ok;
}

bool json_valid(const char *s, size_t n, const char **why)
{
	struct cursor c = { .s = s, .n = s ? n : 0 };
	struct json_val v;
	bool ok = value(&c, 0, &v, NULL);

	if (ok) {
		skip_ws(&c);
		if (c.pos != c.n)
			ok = fail(&c, "more after the value");
	}
	if (why)
		*why = ok ? NULL : c.why;
	return ok;
}

/*
 * Walk the members of the top-level object.  The walk validates what it
 * passes; what lies after the member that stopped it is not looked at.
 */
static int walk_members(const char *s, size_t n, struct walk *w)
{
	struct cursor c = { .s = s, .n = s ? n : 0 };
	struct json_val v;

	skip_ws(&c);
	if (c.pos >= c.n || c.s[c.pos] != '{')
		return -1;
	w->ret = 0;
	if (!value(&c, 0, &v, w) && !w->ret)
		return -1;
	return 0;
}

struct get_arg {
	const char *key;
	struct json_val *v;
};

static int get_member(const struct cursor *c, size_t key_pos, const struct json_val *v, void *arg)
{
	struct get_arg *g = arg;
	struct cursor kc = { .s = c->s, .n = c->n, .pos = key_pos };
	struct sink k = { .cmp = g->key };

	string(&kc, &k);
	if (k.differs || g->key[k.len])
		return 0;
	*g->v = *v;
	return 1;
}

int json_get(const char *s, size_t n, const char *key, struct json_val *v)
{
	struct get_arg g = { .key = key, .v = v };
	struct walk w = { .fn = get_member, .arg = &g };

	memset(v, 0, sizeof(*v));
	v->type = JSON_NONE;
	if (!key || walk_members(s, n, &w) || w.ret != 1) {
		memset(v, 0, sizeof(*v));
		return -1;
	}
	return 0;
}

int json_string(const struct json_val *v, char *buf, size_t size)
{
	struct cursor c;
	struct sink k = { .buf = buf, .size = size };

	if (!buf || !size)
		return -1;
	buf[0] = 0;
	if (!v || v->type != JSON_STRING || !v->raw || v->raw_len < 2 || v->raw[0] != '"')
		return -1;
	c = (struct cursor){ .s = v->raw, .n = v->raw_len };
	/* The span must be exactly one string: it may not come from json_get(). */
	if (!string(&c, &k) || c.pos != c.n || k.nul || k.len >= size) {
		buf[0] = 0;
		return -1;
	}
	buf[k.len] = 0;
	return 0;
}

#define JSON_KEY_BUF 64

struct each_arg {
	int (*fn)(const char *key, bool cut, const struct json_val *v, void *arg);
	void *arg;
};

static int each_member(const struct cursor *c, size_t key_pos, const struct json_val *v, void *arg)
{
	struct each_arg *e = arg;
	struct cursor kc = { .s = c->s, .n = c->n, .pos = key_pos };
	char key[JSON_KEY_BUF];
	struct sink k = { .buf = key, .size = sizeof(key) };

	string(&kc, &k);
	key[min_t(size_t, k.len, sizeof(key) - 1)] = 0;
	/* A key holding U+0000 reads as its part before it: not the whole key either. */
	return e->fn(key, k.len >= sizeof(key) || k.nul, v, e->arg);
}

int json_for_each_member(const char *s, size_t n,
			 int (*fn)(const char *key, bool cut, const struct json_val *v, void *arg),
			 void *arg)
{
	struct each_arg e = { .fn = fn, .arg = arg };
	struct walk w = { .fn = each_member, .arg = &e };

	/* No call for a member of a message that turns out broken further on. */
	if (!json_valid(s, n, NULL) || walk_members(s, n, &w))
		return -1;
	return w.ret;
}

/* ---- the writer ---------------------------------------------------------- */

/*
 * All or nothing, and always room left for the NUL: the buffer holds a C
 * string at every step, and nothing is ever written at or past @cap.
 */
static void emit(struct json_out *o, const char *p, size_t m)
{
	if (o->overflow)
		return;
	if (m >= o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, p, m);
	o->len += m;
	o->buf[o->len] = 0;
}

static void emit_str(struct json_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const u8 *p = (const u8 *)s;
	size_t run = 0;

	emit(o, "\"", 1);
	while (p[run]) {
		u8 ch = p[run];
		size_t len = ch < 0x20 || ch == '"' || ch == '\\' ? 0 : utf8_len(p + run, 4);
		char esc[6] = { '\\', 0, '0', '0', hex[ch >> 4], hex[ch & 15] };
		size_t esc_len = 2;

		/*
		 * utf8_len() may look at 4 bytes: the string's NUL, never a
		 * continuation byte, stops it at the end of a short sequence.
		 */
		if (len) {
			run += len;
			continue;
		}
		emit(o, (const char *)p, run);
		p += run;
		run = 0;
		switch (ch) {
		case '"':
		case '\\':
			esc[1] = ch;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			if (ch < 0x20) {
				esc[1] = 'u';
				esc_len = 6;
			} else {
				/* Not UTF-8: the replacement character, so the line stays JSON. */
				emit(o, "\xef\xbf\xbd", 3);
				esc_len = 0;
			}
		}
		emit(o, esc, esc_len);
		p++;
	}
	emit(o, (const char *)p, run);
	emit(o, "\"", 1);
}

/* The comma before an item and its key, if it has one. */
static void item(struct json_out *o, const char *key)
{
	if (!o->first[o->depth])
		emit(o, ",", 1);
	o->first[o->depth] = false;
	if (key) {
		emit_str(o, key);
		emit(o, ":", 1);
	}
}

void json_out_init(struct json_out *o, char *buf, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->cap = cap;
	o->first[0] = true;
	if (!buf || !cap)
		o->overflow = true;
	else
		buf[0] = 0;
}

/* Deeper than the reader accepts would be a line nobody can read back. */
static void out_open(struct json_out *o, const char *key, const char *bracket)
{
	item(o, key);
	emit(o, bracket, 1);
	if (o->depth >= JSON_MAX_DEPTH) {
		o->overflow = true;
		return;
	}
	o->first[++o->depth] = true;
}

static void out_close(struct json_out *o, const char *bracket)
{
	if (o->depth <= 0) {
		o->overflow = true;
		return;
	}
	emit(o, bracket, 1);
	o->depth--;
}

void json_obj_begin(struct json_out *o, const char *key)
{
	out_open(o, key, "{");
}

void json_obj_end(struct json_out *o)
{
	out_close(o, "}");
}

void json_arr_begin(struct json_out *o, const char *key)
{
	out_open(o, key, "[");
}

void json_arr_end(struct json_out *o)
{
	out_close(o, "]");
}

/* A NULL @val is written as null, so a name lookup that failed still makes JSON. */
void json_str(struct json_out *o, const char *key, const char *val)
{
	item(o, key);
	if (val)
		emit_str(o, val);
	else
		emit(o, "null", 4);
}

void json_u64(struct json_out *o, const char *key, u64 val)
{
	char num[24];
	int len = snprintf(num, sizeof(num), "%" PRIu64, val);

	item(o, key);
	emit(o, num, (size_t)len);
}

void json_s64(struct json_out *o, const char *key, s64 val)
{
	char num[24];
	int len = snprintf(num, sizeof(num), "%" PRId64, val);

	item(o, key);
	emit(o, num, (size_t)len);
}

void json_hex(struct json_out *o, const char *key, u64 val)
{
	char num[24];
	int len = snprintf(num, sizeof(num), "\"0x%" PRIx64 "\"", val);

	item(o, key);
	emit(o, num, (size_t)len);
}

void json_bool(struct json_out *o, const char *key, bool val)
{
	item(o, key);
	if (val)
		emit(o, "true", 4);
	else
		emit(o, "false", 5);
}

void json_null(struct json_out *o, const char *key)
{
	item(o, key);
	emit(o, "null", 4);
}

/*
 * Checked all the same, and at the depth it lands at, so that the line stays
 * one a reader (this one included) takes; what is not JSON becomes null.
 * White space outside strings goes: a newline in it would end the line.
 */
void json_raw(struct json_out *o, const char *key, const char *raw, size_t len)
{
	struct cursor c = { .s = raw, .n = raw ? len : 0 };
	struct json_val v;
	bool in_str = false;
	size_t start = 0;

	item(o, key);
	if (!value(&c, o->depth, &v, NULL) || (skip_ws(&c), c.pos != c.n)) {
		emit(o, "null", 4);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = raw[i];

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			emit(o, raw + start, i - start);
			start = i + 1;
		}
	}
	emit(o, raw + start, len - start);
}

int json_out_end(struct json_out *o)
{
	/* An unclosed object is no line either. */
	if (o->depth)
		o->overflow = true;
	emit(o, "\n", 1);
	if (o->overflow || o->len > INT_MAX)
		return -1;
	return (int)o->len;
}
