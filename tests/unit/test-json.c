// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's JSON: what the reader accepts and refuses (RFC 8259,
 * strictly), lookups, string decoding, and the writer's escaping, round
 * trips and overflow.  Every input is copied to a buffer of exactly its size,
 * not NUL-terminated, so that ASan (and valgrind) see any read past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lkvm/json.h"
#include "tap.h"

struct sample {
	const char *s;
	size_t n;
	const char *desc;
	const char *why;	/* part of the reason json_valid() must give, if not NULL */
};

/* A literal's bytes, NULs inside included. */
#define S(lit, desc) { lit, sizeof(lit) - 1, desc, NULL }
#define SW(lit, desc, why) { lit, sizeof(lit) - 1, desc, why }

static const struct sample valid[] = {
	S("{}", "empty object"),
	S("[]", "empty array"),
	S("0", "zero"),
	S("-0", "minus zero"),
	S("1.5e10", "fraction and exponent"),
	S("-12.25E-3", "negative, capital E, negative exponent"),
	S("1e+2", "exponent with a plus sign"),
	S("\"\"", "empty string"),
	S(" true ", "true inside white space"),
	S("false", "false"),
	S("null", "null"),
	S("\t\r\n {\"a\" : [1, 2, {\"b\": null}], \"c\": {}}\n", "nested, white space everywhere"),
	S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "every short escape"),
	S("\"\\u00e9\\u20AC\"", "\\u escapes, either case"),
	S("\"\\ud83d\\ude00\"", "a surrogate pair escape"),
	S("\"\\udbff\\udfff\"", "the last surrogate pair (U+10FFFF)"),
	S("\"\\u0000\"", "an escaped NUL (valid JSON; json_string refuses it)"),
	S("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "raw UTF-8 of 2, 3 and 4 bytes"),
	S("\"\xc2\x80\xdf\xbf\"", "the ends of the 2-byte range"),
	S("\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\"",
	  "3-byte edges: U+0800, U+D7FF, U+E000, U+FFFF"),
	S("\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"", "4-byte edges: U+10000, U+10FFFF"),
	S("\"\x7f\"", "DEL is no control character for JSON"),
	S("123456789012345678901234567890", "an integer too big for s64 is still a number"),
	S("1E400", "an exponent too big for a double is still a number"),
	S("-9223372036854775808", "s64 minimum"),
	S("{\"a\":1,\"a\":2}", "a key given twice (valid; json_get takes the first)"),
	S("[[[[[[[[1]]]]]]]]", "nesting of 8 arrays (JSON_MAX_DEPTH)"),
	S("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{}}}}}}}}", "nesting of 8 objects"),
	S("[{\"a\":[{\"b\":[{\"c\":[{}]}]}]}]", "8 levels, objects and arrays mixed"),
	S("{\"cmd\": \"sdei\", \"event\": 1000, \"cpu\": 1, \"id\": 7}", "a request"),
};

static const struct sample invalid[] = {
	S("", "empty input"),
	S(" \n\t", "white space only"),
	S("{", "an open object"),
	S("[1,2", "an open array"),
	S("{\"a\":1", "an object cut after a value"),
	S("{\"a\":", "an object cut after ':'"),
	S("{\"a\"", "an object cut after a key"),
	S("{\"a\":1,}", "a trailing comma in an object"),
	S("[1,]", "a trailing comma in an array"),
	S("[,1]", "a leading comma"),
	S("{,}", "a lone comma in an object"),
	S("{\"a\" 1}", "no ':'"),
	S("{\"a\"}", "a key without a value"),
	S("{\"a\":}", "a ':' without a value"),
	S("{a:1}", "an unquoted key"),
	S("{1:1}", "a number as key"),
	S("['a']", "single quotes"),
	S("{\"a\":1 \"b\":2}", "members without a comma"),
	S("[1 2]", "elements without a comma"),
	S("1 2", "two values"),
	SW("{} x", "junk after the value", "more after"),
	S("[1]]", "a closing bracket too many"),
	S("}", "a lone closing brace"),
	S("{]", "mismatched brackets"),
	S("/**/{}", "a comment"),
	S("\xef\xbb\xbf{}", "a byte order mark"),
	SW("01", "a leading zero", "leading zero"),
	SW("-01", "a leading zero after '-'", "leading zero"),
	S("00", "two zeros"),
	S("+1", "a plus sign"),
	S("1.", "no digit after '.'"),
	S(".5", "no digit before '.'"),
	S("1e", "an empty exponent"),
	S("1e+", "an exponent with only a sign"),
	S("-", "a lone minus"),
	S("--1", "two minus signs"),
	S("1.5.3", "two fractions"),
	S("0x10", "hexadecimal"),
	S("NaN", "NaN"),
	S("Infinity", "Infinity"),
	S("-Infinity", "-Infinity"),
	S("tru", "true cut short"),
	S("nul", "null cut short"),
	S("TRUE", "TRUE in capitals"),
	S("truex", "true followed by junk"),
	SW("\"abc", "an unterminated string", "unterminated"),
	S("\"abc\\", "a string ending in a backslash"),
	SW("\"\\x\"", "an unknown escape", "escape"),
	S("\"\\U0041\"", "\\U in capital"),
	S("\"\\u12\"", "a \\u escape of 2 digits"),
	S("\"\\u12", "a \\u escape cut short"),
	S("\"\\u12g4\"", "a bad hex digit"),
	SW("\"\\ud800\"", "a lone high surrogate escape", "surrogate"),
	SW("\"\\udc00\"", "a lone low surrogate escape", "surrogate"),
	SW("\"\\ude00\\ud83d\"", "a surrogate pair the wrong way round", "surrogate"),
	SW("\"\\ud800\\u0041\"", "a high surrogate followed by no low one", "surrogate"),
	S("\"\\ud800\\ud800\"", "two high surrogates"),
	S("\"\\ud800x\"", "a high surrogate followed by a character"),
	S("\"\\ud800\\", "a high surrogate then the input ends"),
	SW("\"a\x01\"", "a raw control character in a string", "control character"),
	S("\"\t\"", "a raw tab in a string"),
	S("\"a\nb\"", "a raw newline in a string"),
	SW("\"a\0b\"", "a raw NUL in a string", "control character"),
	S("{}\0", "a NUL after the value"),
	S("\0{}", "a NUL before the value"),
	S("\"\x80\"", "a lone continuation byte"),
	SW("\"\xc0\xaf\"", "an overlong '/' of 2 bytes", "UTF-8"),
	S("\"\xc1\xbf\"", "an overlong 2-byte form"),
	S("\"\xe0\x80\xaf\"", "an overlong '/' of 3 bytes"),
	SW("\"\xe0\x9f\xbf\"", "an overlong 3-byte form", "UTF-8"),
	S("\"\xf0\x80\x80\xaf\"", "an overlong '/' of 4 bytes"),
	SW("\"\xf0\x8f\xbf\xbf\"", "an overlong 4-byte form", "UTF-8"),
	SW("\"\xed\xa0\x80\"", "a surrogate (U+D800) in UTF-8", "UTF-8"),
	S("\"\xed\xbf\xbf\"", "a surrogate (U+DFFF) in UTF-8"),
	SW("\"\xf4\x90\x80\x80\"", "U+110000", "UTF-8"),
	S("\"\xf5\x80\x80\x80\"", "a lead byte F5"),
	S("\"\xff\"", "a byte FF"),
	S("\"\xe2\x82\"", "a 3-byte sequence cut short before the quote"),
	S("\"\xe2\x82", "a 3-byte sequence cut short by the end"),
	S("\"\xf0\x9f\x98", "a 4-byte sequence cut short by the end"),
	S("\"\xc3", "a 2-byte sequence cut short by the end"),
	S("\"\xc3\x41\"", "a lead byte followed by ASCII"),
	SW("[[[[[[[[[1]]]]]]]]]", "nesting of 9 arrays", "nested too deep"),
	SW("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}",
	   "nesting of 9 objects", "nested too deep"),
	S("[[[[[[[[[", "9 open arrays, cut"),
};

/* The sample in a buffer of exactly its size. */
static char *copy(const char *s, size_t n)
{
	char *b = malloc(n ? n : 1);

	memcpy(b, s, n);
	return b;
}

static bool valid_n(const char *s, size_t n, const char **why)
{
	char *b = copy(s, n);
	bool ok = json_valid(b, n, why);

	free(b);
	return ok;
}

static bool valid_str(const char *s)
{
	return valid_n(s, strlen(s), NULL);
}

static int get(const char *doc, const char *key, struct json_val *v)
{
	return json_get(doc, strlen(doc), key, v);
}

/* The number @text as json_get() reads it. */
static struct json_val number(const char *text)
{
	char doc[128];
	struct json_val v;

	snprintf(doc, sizeof(doc), "{\"n\":%s}", text);
	if (get(doc, "n", &v))
		v.type = JSON_NONE;
	return v;
}

/* Decode the member @key of @doc, a string, into @buf. */
static int get_string(const char *doc, const char *key, char *buf, size_t size)
{
	struct json_val v;

	if (get(doc, key, &v))
		return -2;
	return json_string(&v, buf, size);
}

struct members {
	int count;
	char keys[4][64];
	bool cut[4];
	int stop_at;
};

static int collect(const char *key, bool cut, const struct json_val *v, void *arg)
{
	struct members *m = arg;

	if (m->count < 4) {
		strcpy(m->keys[m->count], key);
		m->cut[m->count] = cut;
	}
	if (++m->count == m->stop_at)
		return 42;
	return 0;
}

static int each(const char *doc, struct members *m)
{
	memset(m->keys, 0, sizeof(m->keys));
	m->count = 0;
	return json_for_each_member(doc, strlen(doc), collect, m);
}

/* What the writer makes of the string @val as member "k": the line, or NULL. */
static const char *write_str(char *buf, size_t cap, const char *key, const char *val)
{
	struct json_out o;

	json_out_init(&o, buf, cap);
	json_obj_begin(&o, NULL);
	json_str(&o, key, val);
	json_obj_end(&o);
	return json_out_end(&o) < 0 ? NULL : buf;
}

/* @val through the writer and back through the reader. */
static bool round_trip(const char *val)
{
	static char line[1024], back[512];
	size_t len;

	if (!write_str(line, sizeof(line), "k", val))
		return false;
	len = strlen(line);
	return valid_n(line, len, NULL) && get_string(line, "k", back, sizeof(back)) == 0 &&
	       !strcmp(back, val);
}

/* The whole document the writer test builds, into a buffer of @cap bytes. */
static int build(char *buf, size_t cap)
{
	struct json_out o;

	json_out_init(&o, buf, cap);
	json_obj_begin(&o, NULL);
	json_bool(&o, "ok", true);
	json_u64(&o, "u", UINT64_MAX);
	json_s64(&o, "s", INT64_MIN);
	json_hex(&o, "pc", 0xffff800080000000ULL);
	json_arr_begin(&o, "x");
	json_null(&o, NULL);
	json_bool(&o, NULL, false);
	json_str(&o, NULL, "a\"b");
	json_obj_begin(&o, NULL);
	json_obj_end(&o);
	json_arr_end(&o);
	json_obj_end(&o);
	return json_out_end(&o);
}

static const char built[] = "{\"ok\":true,\"u\":18446744073709551615,\"s\":-9223372036854775808,"
			    "\"pc\":\"0xffff800080000000\",\"x\":[null,false,\"a\\\"b\",{}]}\n";

int main(void)
{
	static char buf[4096], big[8192];
	struct json_val v;
	struct members m;
	const char *why, *doc;
	int bad, ret;

	tap_plan(ARRAY_SIZE(valid) + ARRAY_SIZE(invalid) + 64);

	/* ---- json_valid ---- */
	for (size_t i = 0; i < ARRAY_SIZE(valid); i++) {
		why = "unset";
		tap_ok(valid_n(valid[i].s, valid[i].n, &why) && !why, "valid: %s", valid[i].desc);
	}
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		bool ok;

		why = NULL;
		ok = !valid_n(invalid[i].s, invalid[i].n, &why) && why &&
		     (!invalid[i].why || strstr(why, invalid[i].why));
		tap_ok(ok, "invalid: %s (%s)", invalid[i].desc, why ? why : "no reason");
	}

	doc = "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":1,\"id\":{\"a\":[1,\"x\\u00e9\"]}}";
	bad = 0;
	for (size_t n = 0; n < strlen(doc); n++)
		bad += valid_n(doc, n, NULL);
	tap_ok(!bad && valid_str(doc), "every proper prefix of an object is invalid, each in a "
	       "buffer of its own size");
	doc = "\"\\ud83d\\ude00\\u00e9\\n\xe2\x82\xac\xf0\x9f\x98\x80\"";
	bad = 0;
	for (size_t n = 0; n < strlen(doc); n++)
		bad += valid_n(doc, n, NULL);
	tap_ok(!bad && valid_str(doc), "a string cut anywhere (in an escape, a surrogate pair, "
	       "a UTF-8 sequence) is refused");
	bad = 0;
	for (int c = 0; c < 0x20; c++) {
		char s[3] = { '"', (char)c, '"' };

		bad += valid_n(s, 3, NULL);
	}
	tap_ok(!bad, "no raw control character U+0000..U+001F in a string");
	memset(big, '[', 5000);
	tap_ok(!valid_n(big, 5000, &why) && why && !strcmp(why, "nested too deep"),
	       "5000 open brackets: refused without deep recursion (%s)", why);
	tap_ok(!json_valid(NULL, 0, &why) && why, "NULL, 0: not JSON");
	tap_ok(json_valid("{}xyz", 2, NULL), "only the first n bytes count");

	/* ---- numbers ---- */
	v = number("42");
	tap_ok(v.type == JSON_NUMBER && v.is_int && v.i == 42 && v.raw_len == 2, "42 is an int");
	v = number("-0");
	tap_ok(v.is_int && v.i == 0, "-0 is the int 0");
	v = number("9223372036854775807");
	tap_ok(v.is_int && v.i == INT64_MAX, "INT64_MAX is an int");
	v = number("9223372036854775808");
	tap_ok(v.type == JSON_NUMBER && !v.is_int, "INT64_MAX + 1 is a number, not an int");
	v = number("-9223372036854775808");
	tap_ok(v.is_int && v.i == INT64_MIN, "INT64_MIN is an int");
	v = number("-9223372036854775809");
	tap_ok(v.type == JSON_NUMBER && !v.is_int, "INT64_MIN - 1 is not an int");
	v = number("18446744073709551616");
	tap_ok(v.type == JSON_NUMBER && !v.is_int, "2^64 is not an int (no wrap)");
	v = number("1844674407370955161500");
	tap_ok(v.type == JSON_NUMBER && !v.is_int, "a 22-digit number is not an int");
	v = number("1.0");
	tap_ok(v.type == JSON_NUMBER && !v.is_int, "1.0 is not an int");
	v = number("1e2");
	tap_ok(v.type == JSON_NUMBER && !v.is_int, "1e2 is not an int");
	v = number("4294967295");
	tap_ok(v.is_int && v.i == 4294967295LL, "UINT32_MAX is an int");

	/* ---- json_get ---- */
	doc = "{\"a\": 1, \"b\": \"x\", \"t\": true, \"f\": false, \"z\": null, \"o\": {\"a\": 2}, "
	      "\"l\": [1, 2]}";
	tap_ok(get(doc, "a", &v) == 0 && v.type == JSON_NUMBER && v.is_int && v.i == 1 &&
		       v.raw_len == 1 && v.raw == strstr(doc, "1"),
	       "json_get: a number, its raw span in the message");
	tap_ok(get(doc, "b", &v) == 0 && v.type == JSON_STRING && v.raw_len == 3 &&
		       !memcmp(v.raw, "\"x\"", 3),
	       "json_get: a string's span includes its quotes");
	tap_ok(get(doc, "t", &v) == 0 && v.type == JSON_BOOL && v.b &&
		       get(doc, "f", &v) == 0 && v.type == JSON_BOOL && !v.b,
	       "json_get: true and false");
	tap_ok(get(doc, "z", &v) == 0 && v.type == JSON_NULL, "json_get: null");
	tap_ok(get(doc, "o", &v) == 0 && v.type == JSON_OBJECT && v.raw_len == 8 &&
		       !memcmp(v.raw, "{\"a\": 2}", 8),
	       "json_get: an object and its span");
	tap_ok(get(doc, "l", &v) == 0 && v.type == JSON_ARRAY && v.raw_len == 6,
	       "json_get: an array and its span");
	tap_ok(get(doc, "nope", &v) == -1 && v.type == JSON_NONE, "json_get: absent is JSON_NONE");
	tap_ok(get("{\"o\":{\"cmd\":1}}", "cmd", &v) == -1,
	       "json_get: a nested member is not a top-level one");
	tap_ok(get("{\"a\":1,\"a\":2}", "a", &v) == 0 && v.i == 1,
	       "json_get: the first of two wins");
	tap_ok(get("[\"a\",1]", "a", &v) == -1 && v.type == JSON_NONE &&
		       get("\"a\"", "a", &v) == -1,
	       "json_get: not an object: -1");
	tap_ok(get("{\"c\\u006dd\":\"pause\"}", "cmd", &v) == 0 && v.type == JSON_STRING,
	       "json_get: keys compare decoded (\\u006d is m)");
	tap_ok(get("{\"cmdx\":1,\"cm\":2}", "cmd", &v) == -1,
	       "json_get: a key that is longer or shorter does not match");
	tap_ok(get("{\"cmd\\u0000\":1}", "cmd", &v) == -1 &&
		       get("{\"cmd\\u0000x\":1}", "cmd", &v) == -1,
	       "json_get: a key with U+0000 matches no C string");
	tap_ok(get("{\"\":5}", "", &v) == 0 && v.i == 5, "json_get: the empty key");
	tap_ok(get("{\"\xc3\xa9\":5}", "\xc3\xa9", &v) == 0 &&
		       get("{\"\\u00e9\":6}", "\xc3\xa9", &v) == 0 && v.i == 6,
	       "json_get: a non-ASCII key, raw or escaped");

	/* ---- json_string ---- */
	tap_ok(get_string("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "s", buf, sizeof(buf)) == 0 &&
		       !strcmp(buf, "\"\\/\b\f\n\r\t"),
	       "json_string: short escapes");
	tap_ok(get_string("{\"s\":\"\\u00e9\\u20ac\\ud83d\\ude00\\u0041\"}", "s", buf,
			  sizeof(buf)) == 0 &&
		       !strcmp(buf, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "A"),
	       "json_string: \\u escapes and a surrogate pair become UTF-8");
	tap_ok(get_string("{\"s\":\"\\udbff\\udfff\"}", "s", buf, sizeof(buf)) == 0 &&
		       !strcmp(buf, "\xf4\x8f\xbf\xbf"),
	       "json_string: U+10FFFF from its surrogate pair");
	tap_ok(get_string("{\"s\":\"a\\u0000b\"}", "s", buf, sizeof(buf)) == -1 && !buf[0],
	       "json_string: refuses \\u0000");
	tap_ok(get_string("{\"s\":\"abcd\"}", "s", buf, 5) == 0 && !strcmp(buf, "abcd") &&
		       get_string("{\"s\":\"abcd\"}", "s", buf, 4) == -1 && !buf[0],
	       "json_string: fits with its NUL in 5 bytes, not in 4");
	tap_ok(get_string("{\"s\":\"\"}", "s", buf, 1) == 0 && !buf[0] &&
		       get_string("{\"s\":\"\"}", "s", buf, 0) == -1,
	       "json_string: the empty string needs one byte");
	tap_ok(get_string("{\"s\":5}", "s", buf, sizeof(buf)) == -1 &&
		       get_string("{\"s\":null}", "s", buf, sizeof(buf)) == -1,
	       "json_string: not a string: -1");
	v = (struct json_val){ .type = JSON_STRING, .raw = "\"abc", .raw_len = 4 };
	ret = json_string(&v, buf, sizeof(buf));
	v.raw = "\"abc\"x";
	v.raw_len = 6;
	tap_ok(ret == -1 && json_string(&v, buf, sizeof(buf)) == -1,
	       "json_string: a span that is not exactly one string: -1");
	v.raw = "\"\xed\xa0\x80\"";
	v.raw_len = 5;
	tap_ok(json_string(&v, buf, sizeof(buf)) == -1,
	       "json_string: validates what it decodes (a UTF-8 surrogate)");
	v.raw = "\"\\ud800\"";
	v.raw_len = 8;
	tap_ok(json_string(&v, buf, sizeof(buf)) == -1, "json_string: a lone surrogate escape");

	/* ---- json_for_each_member ---- */
	m.stop_at = 0;
	tap_ok(each("{\"a\":1,\"b\":[1,{\"c\":2}],\"d\":{}}", &m) == 0 && m.count == 3 &&
		       !strcmp(m.keys[0], "a") && !strcmp(m.keys[1], "b") &&
		       !strcmp(m.keys[2], "d"),
	       "for_each_member: top-level members in order");
	m.stop_at = 2;
	tap_ok(each("{\"a\":1,\"b\":2,\"c\":3}", &m) == 42 && m.count == 2,
	       "for_each_member: stops with fn's value");
	m.stop_at = 0;
	memset(big, 0, sizeof(big));
	strcpy(big, "{\"");
	memset(big + 2, 'k', 70);
	strcpy(big + 72, "\":1,\"");
	memset(big + 77, 'j', 63);
	strcpy(big + 140, "\":2}");
	tap_ok(each(big, &m) == 0 && m.count == 2 && m.cut[0] && strlen(m.keys[0]) == 63 &&
		       !m.cut[1] && strlen(m.keys[1]) == 63,
	       "for_each_member: a 70-byte key is cut to 63, a 63-byte one is not");
	tap_ok(each("{\"cmd\\u0000x\":1}", &m) == 0 && m.count == 1 && m.cut[0] &&
		       !strcmp(m.keys[0], "cmd"),
	       "for_each_member: a key holding U+0000 comes cut");
	tap_ok(each("{\"a\":1,\"b\":}", &m) == -1 && m.count == 0,
	       "for_each_member: invalid: -1, no call at all");
	tap_ok(each("[1,2]", &m) == -1 && each("{}", &m) == 0 && m.count == 0,
	       "for_each_member: an array: -1; an empty object: no call");

	/* ---- the writer ---- */
	ret = build(buf, sizeof(buf));
	tap_ok(ret == (int)strlen(built) && !strcmp(buf, built), "writer: %.*s", ret - 1, buf);
	tap_ok(valid_n(buf, ret, NULL) && get(buf, "s", &v) == 0 && v.is_int &&
		       v.i == INT64_MIN && get(buf, "u", &v) == 0 && !v.is_int &&
		       get_string(buf, "pc", big, sizeof(big)) == 0 &&
		       !strcmp(big, "0xffff800080000000"),
	       "writer: its line reads back");
	bad = 0;
	for (size_t cap = 0; cap <= strlen(built) + 2; cap++) {
		memset(big, 0x5a, sizeof(big));
		ret = build(big, cap);
		for (size_t i = cap; i < sizeof(big); i++)
			bad += big[i] != 0x5a;
		if (cap <= strlen(built))
			bad += ret != -1;
		else
			bad += ret != (int)strlen(built) || strcmp(big, built);
		if (cap)
			bad += !memchr(big, 0, cap);
	}
	tap_ok(!bad, "writer: in every buffer too small, -1, a NUL inside and nothing written "
	       "past the end; the line fits from length + 1 up");
	write_str(buf, sizeof(buf), "k\"\\\n", "q\"b\\n\nt\tc\x01\x1f\x7f\xc3\xa9\xf0\x9f\x98\x80");
	tap_ok(!strcmp(buf, "{\"k\\\"\\\\\\n\":\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\x7f\xc3\xa9"
			    "\xf0\x9f\x98\x80\"}\n"),
	       "writer: escapes quotes, backslashes and controls in keys and values; UTF-8 "
	       "passes");
	write_str(buf, sizeof(buf), "k", "\x80" "a\xc3\xed\xa0\x80\xff");
	tap_ok(valid_str(buf) && get_string(buf, "k", big, sizeof(big)) == 0 &&
		       !strcmp(big, "\xef\xbf\xbd" "a" "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
				    "\xef\xbf\xbd\xef\xbf\xbd"),
	       "writer: each byte that is not UTF-8 becomes U+FFFD");
	bad = 0;
	for (int c = 1; c < 0x80; c++) {
		char s[4] = { 'x', (char)c, 'y', 0 };

		bad += !round_trip(s);
	}
	tap_ok(!bad, "writer: every ASCII character round-trips");
	tap_ok(round_trip("") && round_trip("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf") &&
		       round_trip("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf") &&
		       round_trip("\b\f\r\"\\/"),
	       "writer: UTF-8 edges and escapes round-trip");
	{
		struct json_out o;
		int d;

		json_out_init(&o, buf, sizeof(buf));
		for (d = 0; d < JSON_MAX_DEPTH; d++)
			json_arr_begin(&o, NULL);
		for (d = 0; d < JSON_MAX_DEPTH; d++)
			json_arr_end(&o);
		ret = json_out_end(&o);
		tap_ok(ret == 2 * JSON_MAX_DEPTH + 1 && valid_n(buf, ret, NULL),
		       "writer: %d nested arrays: %.*s", JSON_MAX_DEPTH, ret - 1, buf);
		json_out_init(&o, buf, sizeof(buf));
		for (d = 0; d <= JSON_MAX_DEPTH; d++)
			json_obj_begin(&o, d ? "a" : NULL);
		for (d = 0; d <= JSON_MAX_DEPTH; d++)
			json_obj_end(&o);
		tap_ok(json_out_end(&o) == -1, "writer: one deeper than the reader takes: -1");
		json_out_init(&o, buf, sizeof(buf));
		json_obj_begin(&o, NULL);
		tap_ok(json_out_end(&o) == -1, "writer: an object left open: -1");
		json_out_init(&o, buf, sizeof(buf));
		json_obj_begin(&o, NULL);
		json_obj_end(&o);
		json_obj_end(&o);
		tap_ok(json_out_end(&o) == -1, "writer: one close too many: -1");
		json_out_init(&o, buf, sizeof(buf));
		json_obj_begin(&o, NULL);
		json_str(&o, "s", NULL);
		json_u64(&o, "z", 0);
		json_s64(&o, "m", -1);
		json_hex(&o, "h", 0);
		json_obj_end(&o);
		ret = json_out_end(&o);
		tap_ok(ret > 0 && !strcmp(buf, "{\"s\":null,\"z\":0,\"m\":-1,\"h\":\"0x0\"}\n"),
		       "writer: a NULL string is null; zeros and -1: %.*s", ret - 1, buf);
		json_out_init(&o, NULL, 0);
		json_null(&o, NULL);
		tap_ok(json_out_end(&o) == -1, "writer: no buffer: -1");

		doc = " {\"a b\" :\t[1, \"x \\\" \\\\ y\" ]\r\n, \"c\": {} } ";
		json_out_init(&o, buf, sizeof(buf));
		json_obj_begin(&o, NULL);
		json_raw(&o, "id", doc, strlen(doc));
		json_raw(&o, "n", "-1.5e3", 6);
		json_obj_end(&o);
		ret = json_out_end(&o);
		tap_ok(ret > 0 && !strcmp(buf, "{\"id\":{\"a b\":[1,\"x \\\" \\\\ y\"],\"c\":{}},"
					   "\"n\":-1.5e3}\n"),
		       "json_raw: a value as is, white space outside strings dropped: %.*s",
		       ret - 1, buf);
		json_out_init(&o, buf, sizeof(buf));
		json_obj_begin(&o, NULL);
		json_raw(&o, "a", "{\"x\":", 5);
		json_raw(&o, "b", "1 2", 3);
		json_raw(&o, "c", NULL, 0);
		json_raw(&o, "d", "\"\xc0\xaf\"", 4);
		json_obj_end(&o);
		ret = json_out_end(&o);
		tap_ok(ret > 0 && !strcmp(buf, "{\"a\":null,\"b\":null,\"c\":null,\"d\":null}\n"),
		       "json_raw: what is not one JSON value becomes null");
		doc = "[[[[[[[[1]]]]]]]]";
		json_out_init(&o, buf, sizeof(buf));
		json_raw(&o, NULL, doc, strlen(doc));
		ret = json_out_end(&o);
		json_out_init(&o, big, sizeof(big));
		json_obj_begin(&o, NULL);
		json_raw(&o, "d", doc, strlen(doc));
		json_obj_end(&o);
		tap_ok(ret == (int)strlen(doc) + 1 && json_out_end(&o) > 0 &&
			       !strcmp(big, "{\"d\":null}\n"),
		       "json_raw: 8 levels fit at the top, not inside an object");
	}
	return tap_done();
}
