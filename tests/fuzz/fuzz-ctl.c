// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control socket's request lines: the input is one
 * line, as the server hands it over (not NUL-terminated: the fuzzer's
 * buffer is exactly the input, so ASan sees any read past it).  Besides the
 * sanitizers it checks what the reader, the parser and the writer promise
 * each other:
 *
 * - a request that parses is within the documented ranges, and its id is
 *   a JSON value inside the line; one that does not has an error and a why;
 * - json_valid() gives a reason when it refuses, and what json_string()
 *   decodes as a whole string was valid JSON;
 * - every member of a valid object is found again by json_get() (the first
 *   of its name), and a string value written back through the writer reads
 *   back the same;
 * - the writer never writes past its buffer and gives -1 or a line;
 * - json_raw() (a request's id echoed in the reply) keeps the reply one
 *   valid line whatever it is given.
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/ctl-proto.h"
#include "lkvm/json.h"

#define CHECK(cond)             \
	do {                    \
		if (!(cond))    \
			abort(); \
	} while (0)

struct ctx {
	const char *s;
	size_t n;
	char *dec;		/* room for any string of the input, decoded */
	size_t dec_size;
	int members;
};

/* @str as member @key of a line, then read back: the same string. */
static void round_trip(const char *key, const char *str)
{
	size_t cap = strlen(key) * 6 + strlen(str) * 6 + 16;
	char *line = malloc(cap), *back = malloc(strlen(str) + 1);
	struct json_out o;
	struct json_val v;
	int len;

	json_out_init(&o, line, cap);
	json_obj_begin(&o, NULL);
	json_str(&o, key, str);
	json_obj_end(&o);
	len = json_out_end(&o);
	CHECK(len > 0 && (size_t)len < cap && line[len - 1] == '\n' && !line[len]);
	CHECK(json_valid(line, len, NULL));
	CHECK(json_get(line, len, key, &v) == 0 && v.type == JSON_STRING);
	CHECK(json_string(&v, back, strlen(str) + 1) == 0 && !strcmp(back, str));
	free(back);
	free(line);
}

static int member(const char *key, bool cut, const struct json_val *v, void *arg)
{
	struct ctx *c = arg;
	struct json_val first;

	c->members++;
	CHECK(v->type >= JSON_NULL && v->type <= JSON_OBJECT);
	CHECK(v->raw >= c->s && v->raw + v->raw_len <= c->s + c->n);
	CHECK(json_valid(v->raw, v->raw_len, NULL));
	CHECK(strlen(key) < 64);
	if (!cut)
		CHECK(json_get(c->s, c->n, key, &first) == 0 && first.raw <= v->raw);
	if (v->type == JSON_NUMBER && v->is_int)
		CHECK(v->raw_len <= 20);
	if (v->type != JSON_STRING)
		return 0;
	if (json_string(v, c->dec, c->dec_size) == 0)
		round_trip(cut ? "k" : key, c->dec);
	return 0;
}

/* The writer with a string of the input, into a buffer of exactly @cap bytes. */
static void write_small(const u8 *data, size_t size)
{
	size_t cap = data[0] % 64;
	char *str = malloc(size), *buf = malloc(cap ? cap : 1);
	struct json_out o;
	int len;

	/* Any bytes but NUL: the writer takes C strings. */
	memcpy(str, data + 1, size - 1);
	str[size - 1] = 0;
	json_out_init(&o, buf, cap);
	json_arr_begin(&o, NULL);
	json_str(&o, NULL, str);
	json_u64(&o, NULL, size);
	json_arr_end(&o);
	len = json_out_end(&o);
	if (cap)
		CHECK(memchr(buf, 0, cap));
	if (len >= 0) {
		CHECK((size_t)len < cap && !buf[len]);
		CHECK(json_valid(buf, len, NULL));
	}
	free(buf);
	free(str);
}

/*
 * @raw as member "id" of a reply: always one line a reader takes, the value
 * itself when it was one (its type kept), null otherwise.
 */
static void reply_raw(const char *raw, size_t len)
{
	size_t cap = len + 32;
	char *line = malloc(cap);
	struct json_out o;
	struct json_val v, orig;
	int n;

	json_out_init(&o, line, cap);
	json_obj_begin(&o, NULL);
	json_bool(&o, "ok", true);
	json_raw(&o, "id", raw, len);
	json_obj_end(&o);
	n = json_out_end(&o);
	CHECK(n > 0 && (size_t)n < cap && !memchr(line, '\n', n - 1) && line[n - 1] == '\n');
	CHECK(json_valid(line, n, NULL));
	CHECK(json_get(line, n, "id", &v) == 0);
	/* A value json_valid() takes at the top may still be too deep inside a reply. */
	if (v.type != JSON_NULL) {
		char *wrapped = malloc(len + 8);

		memcpy(wrapped, "{\"i\":", 5);
		memcpy(wrapped + 5, raw, len);
		wrapped[len + 5] = '}';
		CHECK(json_get(wrapped, len + 6, "i", &orig) == 0 && orig.type == v.type);
		CHECK(v.raw_len <= orig.raw_len);
		free(wrapped);
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const char *s = (const char *)data, *why = NULL;
	struct ctx c = { .s = s, .n = size };
	struct ctl_req req;
	struct json_val v;
	enum ctl_err err;
	bool valid;

	err = ctl_proto_parse(s, size, &req, &why);
	if (err == CTL_ERR_NONE) {
		CHECK(!why && req.cmd < CTL_CMD_NR && ctl_proto_cmd_name(req.cmd));
		CHECK(req.cpu >= -1 && req.cpu <= 511);
		if (req.cmd != CTL_CMD_SDEI)
			CHECK(req.cpu == -1 && req.event == 0);
		if (req.has_id) {
			CHECK(req.id_raw >= s && req.id_raw + req.id_len <= s + size);
			CHECK(json_valid(req.id_raw, req.id_len, NULL));
			reply_raw(req.id_raw, req.id_len);
		}
		CHECK(json_valid(s, size, NULL));
	} else {
		CHECK(err > CTL_ERR_NONE && err < CTL_ERR_NR && ctl_proto_err_name(err));
		CHECK(why && *why);
		CHECK(err == CTL_ERR_TOO_LONG || size < CTL_MAX_REQUEST);
	}

	valid = json_valid(s, size, &why);
	CHECK(valid == !why);
	/* The input as one string value: json_string() and json_valid() agree. */
	c.dec_size = size + 1;
	c.dec = malloc(c.dec_size);
	v = (struct json_val){ .type = JSON_STRING, .raw = s, .raw_len = size };
	if (json_string(&v, c.dec, c.dec_size) == 0)
		CHECK(valid && s[0] == '"');
	if (valid) {
		int ret = json_for_each_member(s, size, member, &c);

		CHECK(ret == 0 || (ret == -1 && !c.members));
		if (json_get(s, size, "cmd", &v) == 0)
			CHECK(v.raw >= s && v.raw + v.raw_len <= s + size);
		else
			CHECK(v.type == JSON_NONE);
	} else {
		CHECK(json_for_each_member(s, size, member, &c) == -1 && !c.members);
	}
	free(c.dec);
	reply_raw(s, size);
	if (size)
		write_small(data, size);
	return 0;
}
