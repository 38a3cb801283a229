/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_JSON_H
#define LKVM_JSON_H

#include <stddef.h>

#include "lkvm/util.h"

/*
 * The JSON lkvm's control socket speaks (docs/control.md): a strict reader
 * for one message (RFC 8259, depth-limited, no allocation) and a writer into
 * a caller's buffer.  Pure: no I/O, no global.
 */

#define JSON_MAX_DEPTH	8

enum json_type {
	JSON_NONE,	/* key absent */
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/* A value inside a message; @raw/@raw_len span its text in the message. */
struct json_val {
	enum json_type type;
	const char *raw;
	size_t raw_len;
	bool b;			/* JSON_BOOL */
	bool is_int;		/* JSON_NUMBER: an integer that fits in s64 */
	s64 i;			/* JSON_NUMBER with is_int */
};

/*
 * Is @s[0..@n) exactly one JSON value (surrounding white space allowed)?
 * On failure *@why (if not NULL) says what is wrong.  Strings must be valid
 * UTF-8 with no raw control characters; nesting deeper than JSON_MAX_DEPTH
 * is refused.
 */
bool json_valid(const char *s, size_t n, const char **why);

/*
 * Find member @key of the top-level object in @s[0..@n) (which must be
 * valid: json_valid()).  0 with @v filled, -1 if absent or @s is not an
 * object (then v->type is JSON_NONE).  A key given twice: the first wins.
 */
int json_get(const char *s, size_t n, const char *key, struct json_val *v);

/*
 * Decode a JSON_STRING value (escapes, \u with surrogate pairs) into @buf,
 * NUL-terminated.  -1 if it does not fit in @size bytes or holds a NUL.
 */
int json_string(const struct json_val *v, char *buf, size_t size);

/*
 * Calls @fn for each member of the top-level object (key decoded into a
 * buffer of 64 bytes; longer keys are passed cut, with @cut set).  Stops
 * and returns @fn's value when it is not 0.
 */
int json_for_each_member(const char *s, size_t n,
			 int (*fn)(const char *key, bool cut, const struct json_val *v, void *arg),
			 void *arg);

/*
 * The writer.  Members and elements are added in order; commas and nesting
 * are handled here.  Running out of room sets @overflow and stops adding;
 * json_out_end() then returns -1.  @key is NULL inside an array.
 */
struct json_out {
	char *buf;
	size_t cap, len;
	bool overflow;
	int depth;
	bool first[JSON_MAX_DEPTH + 1];
};

void json_out_init(struct json_out *o, char *buf, size_t cap);
void json_obj_begin(struct json_out *o, const char *key);
void json_obj_end(struct json_out *o);
void json_arr_begin(struct json_out *o, const char *key);
void json_arr_end(struct json_out *o);
void json_str(struct json_out *o, const char *key, const char *val);
void json_u64(struct json_out *o, const char *key, u64 val);
void json_s64(struct json_out *o, const char *key, s64 val);
/* A 64-bit register: a string "0x..." (JSON numbers lose bits above 2^53). */
void json_hex(struct json_out *o, const char *key, u64 val);
void json_bool(struct json_out *o, const char *key, bool val);
void json_null(struct json_out *o, const char *key);
/* A value already in JSON (@raw, @len bytes, valid: e.g. a request's "id"), as is. */
void json_raw(struct json_out *o, const char *key, const char *raw, size_t len);
/* Terminate with "\n" and NUL: the length of the line, or -1 on overflow. */
int json_out_end(struct json_out *o);

#endif
