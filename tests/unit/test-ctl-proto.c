// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol (docs/control.md): every command, every member and
 * every error a request line can get, the names on the wire, guest names,
 * and where sockets go.  Each line is parsed from a buffer of exactly its
 * size, without a NUL, as it comes off the socket.
 */
#include <stdlib.h>
#include <string.h>

#include "lkvm/ctl-proto.h"
#include "tap.h"

struct bad {
	const char *line;
	enum ctl_err err;
	const char *desc;
};

static const struct bad bad[] = {
	{ "", CTL_ERR_BAD_REQUEST, "an empty line" },
	{ "pause", CTL_ERR_BAD_REQUEST, "not JSON" },
	{ "{\"cmd\":\"pause\"", CTL_ERR_BAD_REQUEST, "an object cut short" },
	{ "{\"cmd\":\"pause\"} {}", CTL_ERR_BAD_REQUEST, "two objects on a line" },
	{ "[\"pause\"]", CTL_ERR_BAD_REQUEST, "an array" },
	{ "\"pause\"", CTL_ERR_BAD_REQUEST, "a string" },
	{ "null", CTL_ERR_BAD_REQUEST, "null" },
	{ "{}", CTL_ERR_BAD_REQUEST, "no cmd" },
	{ "{\"id\":1}", CTL_ERR_BAD_REQUEST, "an id but no cmd" },
	{ "{\"cmd\":1}", CTL_ERR_BAD_REQUEST, "cmd a number" },
	{ "{\"cmd\":null}", CTL_ERR_BAD_REQUEST, "cmd null" },
	{ "{\"cmd\":[\"pause\"]}", CTL_ERR_BAD_REQUEST, "cmd an array" },
	{ "{\"cmd\":\"pause\",\"cmd\":\"stop\"}", CTL_ERR_BAD_REQUEST, "cmd given twice" },
	{ "{\"cmd\":\"pause\",\"id\":1,\"id\":2}", CTL_ERR_BAD_REQUEST, "id given twice" },
	{ "{\"cmd\":\"pause\",\"force\":true}", CTL_ERR_BAD_REQUEST, "an unknown member" },
	{ "{\"force\":true,\"cmd\":\"pause\"}", CTL_ERR_BAD_REQUEST,
	  "an unknown member before cmd" },
	{ "{\"cmd\":\"pause\",\"Cmd\":\"pause\"}", CTL_ERR_BAD_REQUEST,
	  "member names are case-sensitive" },
	{ "{\"cmd\":\"pause\",\"cmd\\u0000\":1}", CTL_ERR_BAD_REQUEST,
	  "a member named cmd and U+0000" },
	{ "{\"cmd\":\"pause\",\"cpuxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":1}",
	  CTL_ERR_BAD_REQUEST, "a member with a 70-byte name" },
	{ "{\"cmd\":\"status\",\"text\":1}", CTL_ERR_BAD_REQUEST, "text a number" },
	{ "{\"cmd\":\"status\",\"text\":\"true\"}", CTL_ERR_BAD_REQUEST, "text a string" },
	{ "{\"cmd\":\"status\",\"text\":null}", CTL_ERR_BAD_REQUEST, "text null" },
	{ "{\"cmd\":\"sdei\",\"event\":\"1000\"}", CTL_ERR_BAD_REQUEST, "event a string" },
	{ "{\"cmd\":\"sdei\",\"event\":1000.0}", CTL_ERR_BAD_REQUEST, "event with a fraction" },
	{ "{\"cmd\":\"sdei\",\"event\":1e3}", CTL_ERR_BAD_REQUEST, "event with an exponent" },
	{ "{\"cmd\":\"sdei\",\"event\":true}", CTL_ERR_BAD_REQUEST, "event a bool" },
	{ "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":\"1\"}", CTL_ERR_BAD_REQUEST, "cpu a string" },
	{ "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":0.5}", CTL_ERR_BAD_REQUEST,
	  "cpu with a fraction" },
	{ "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":null}", CTL_ERR_BAD_REQUEST, "cpu null" },
	{ "{\"cmd\":\"sdei\"}", CTL_ERR_BAD_REQUEST, "sdei without event" },
	{ "{\"cmd\":\"sdei\",\"cpu\":1}", CTL_ERR_BAD_REQUEST, "sdei with cpu but no event" },
	{ "{\"cmd\":\"pause\",\"event\":1000}", CTL_ERR_BAD_REQUEST, "event for pause" },
	{ "{\"cmd\":\"status\",\"cpu\":0}", CTL_ERR_BAD_REQUEST, "cpu for status" },
	{ "{\"cmd\":\"sdei\",\"event\":1000,\"event\":1001}", CTL_ERR_BAD_REQUEST,
	  "event given twice" },
	{ "{\"cmd\":\"\xc0\xaf\"}", CTL_ERR_BAD_REQUEST, "cmd not UTF-8" },
	{ "{\"cmd\":\"pause\",\"id\":\"\\ud800\"}", CTL_ERR_BAD_REQUEST,
	  "an id with a lone surrogate" },
	{ "{\"cmd\":\"reboot\"}", CTL_ERR_UNKNOWN_CMD, "an unknown command" },
	{ "{\"cmd\":\"Pause\"}", CTL_ERR_UNKNOWN_CMD, "commands are case-sensitive" },
	{ "{\"cmd\":\"\"}", CTL_ERR_UNKNOWN_CMD, "an empty command" },
	{ "{\"cmd\":\" pause\"}", CTL_ERR_UNKNOWN_CMD, "a command with a space" },
	{ "{\"cmd\":\"pause\\u0000\"}", CTL_ERR_UNKNOWN_CMD, "pause and U+0000" },
	{ "{\"cmd\":\"pauseeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"}", CTL_ERR_UNKNOWN_CMD,
	  "a long command" },
	{ "{\"cmd\":\"reboot\",\"cpu\":99999}", CTL_ERR_UNKNOWN_CMD,
	  "an unknown command comes before a range" },
	{ "{\"cmd\":\"sdei\",\"event\":-1}", CTL_ERR_BAD_ARG, "event -1" },
	{ "{\"cmd\":\"sdei\",\"event\":4294967296}", CTL_ERR_BAD_ARG, "event 2^32" },
	{ "{\"cmd\":\"sdei\",\"event\":99999999999999999999999}", CTL_ERR_BAD_ARG,
	  "event beyond s64" },
	{ "{\"cmd\":\"sdei\",\"event\":-99999999999999999999999}", CTL_ERR_BAD_ARG,
	  "event below s64" },
	{ "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":512}", CTL_ERR_BAD_ARG, "cpu 512" },
	{ "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":-1}", CTL_ERR_BAD_ARG,
	  "cpu -1 (not given is not a value)" },
	{ "{\"cmd\":\"sdei\",\"event\":1000,\"cpu\":9223372036854775808}", CTL_ERR_BAD_ARG,
	  "cpu 2^63" },
};

/* The line in a buffer of exactly its size, as a socket gives it. */
static enum ctl_err parse_n(const char *line, size_t n, struct ctl_req *req, const char **why)
{
	char *b = malloc(n ? n : 1);
	enum ctl_err err;

	memcpy(b, line, n);
	err = ctl_proto_parse(b, n, req, why);
	/* The id points into the line: check it before the line goes. */
	if (!err && req->has_id && !json_valid(req->id_raw, req->id_len, NULL))
		err = CTL_ERR_NR;
	if (!err && req->has_id)
		req->id_raw = line + (req->id_raw - b);
	free(b);
	return err;
}

static enum ctl_err parse(const char *line, struct ctl_req *req, const char **why)
{
	return parse_n(line, strlen(line), req, why);
}

static bool id_is(const struct ctl_req *r, const char *text)
{
	return r->has_id && r->id_len == strlen(text) && !memcmp(r->id_raw, text, r->id_len);
}

static char *repeat(char *buf, char ch, size_t n)
{
	memset(buf, ch, n);
	buf[n] = 0;
	return buf;
}

int main(void)
{
	static const char *const cmds[] = { "status", "pause", "resume", "stop", "debug",
					    "stat", "events", "wake", "sdei",
					    "snapshot" };
	static const char *const errs[] = { "none", "bad-request", "too-long", "unknown-command",
					    "bad-argument", "refused", "busy" };
	static const char *const states[] = { "running", "paused", "suspended", "rebooting",
					      "shutting-down", "off" };
	static const char *const events[] = { "suspend", "wakeup", "reset", "rebooted",
					      "poweroff", "hibernate", "pause", "unpause",
					      "sdei-raise", "sdei-deliver", "fatal", "stop",
					      "lost" };
	static char line[CTL_MAX_REQUEST + 16], buf[256], name[128], dir[256];
	struct ctl_req r;
	const char *why;
	enum ctl_err err;
	int fails;

	tap_plan(ARRAY_SIZE(bad) + 61);

	/* ---- commands ---- */
	fails = 0;
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(line, sizeof(line), "{\"cmd\":\"%s\"%s}", cmds[i],
			 i == CTL_CMD_SDEI ? ",\"event\":1000" :
			 i == CTL_CMD_SNAPSHOT ? ",\"dir\":\"/s\"" : "");
		why = "unset";
		fails += parse(line, &r, &why) != CTL_ERR_NONE || r.cmd != i || why ||
			 r.has_id || r.text || r.cpu != -1;
		fails += !ctl_proto_cmd_name(i) || strcmp(ctl_proto_cmd_name(i), cmds[i]);
	}
	tap_ok(!fails && ARRAY_SIZE(cmds) == CTL_CMD_NR,
	       "each of the %d commands parses alone and is named as docs/control.md says",
	       CTL_CMD_NR);
	tap_ok(!ctl_proto_cmd_name(CTL_CMD_NR) && !ctl_proto_cmd_name((enum ctl_cmd)-1),
	       "no name for a command out of range");
	tap_ok(parse("{\"cmd\":\"snapshot\",\"dir\":\"/a/b\",\"stop\":true}", &r, &why) ==
		       CTL_ERR_NONE && r.cmd == CTL_CMD_SNAPSHOT && !strcmp(r.dir, "/a/b") && r.stop,
	       "snapshot takes an absolute dir and stop");
	tap_ok(parse("{\"cmd\":\"snapshot\",\"dir\":\"/a\"}", &r, &why) == CTL_ERR_NONE &&
		       !r.stop, "snapshot: stop defaults to false");
	tap_ok(parse("{\"cmd\":\"snapshot\"}", &r, &why) == CTL_ERR_BAD_REQUEST &&
		       !strcmp(why, "snapshot needs \"dir\""), "snapshot without dir: refused");
	tap_ok(parse("{\"cmd\":\"snapshot\",\"dir\":\"rel\"}", &r, &why) == CTL_ERR_BAD_ARG,
	       "snapshot with a relative dir: refused");
	tap_ok(parse("{\"cmd\":\"snapshot\",\"dir\":5}", &r, &why) == CTL_ERR_BAD_REQUEST,
	       "snapshot: dir must be a string");
	tap_ok(parse("{\"cmd\":\"pause\",\"dir\":\"/a\"}", &r, &why) == CTL_ERR_BAD_REQUEST,
	       "dir on another command: refused");
	tap_ok(parse("{\"cmd\":\"snapshot\",\"dir\":\"/a\",\"event\":1}", &r, &why) ==
		       CTL_ERR_BAD_REQUEST, "event on snapshot: refused");
	tap_ok(parse("{\"cmd\": \"pause\"}", &r, &why) == CTL_ERR_NONE && r.cmd == CTL_CMD_PAUSE,
	       "the doc's first example");
	tap_ok(parse("{\"cmd\": \"sdei\", \"event\": 1000, \"cpu\": 1, \"id\": 7}", &r, &why) ==
		       CTL_ERR_NONE && r.cmd == CTL_CMD_SDEI && r.event == 1000 && r.cpu == 1 &&
		       id_is(&r, "7"),
	       "the doc's sdei example: event, cpu, id");
	tap_ok(parse(" \t{\"cmd\":\"stop\"}\r ", &r, &why) == CTL_ERR_NONE && r.cmd == CTL_CMD_STOP,
	       "white space around the object (a CR before the newline included)");
	tap_ok(parse("{\"cmd\":\"p\\u0061use\"}", &r, &why) == CTL_ERR_NONE &&
		       r.cmd == CTL_CMD_PAUSE,
	       "the command is compared decoded (\\u0061 is a)");
	tap_ok(parse("{\"\\u0063md\":\"wake\"}", &r, &why) == CTL_ERR_NONE && r.cmd == CTL_CMD_WAKE,
	       "member names are compared decoded");

	/* ---- id and text ---- */
	tap_ok(parse("{\"id\":\"a\\\"b\",\"cmd\":\"status\"}", &r, &why) == CTL_ERR_NONE &&
		       id_is(&r, "\"a\\\"b\""),
	       "a string id is kept raw, quotes and escapes included, before cmd too");
	tap_ok(parse("{\"cmd\":\"status\",\"id\":{\"n\":[1, 2]}}", &r, &why) == CTL_ERR_NONE &&
		       id_is(&r, "{\"n\":[1, 2]}"),
	       "an object id, kept as it was written");
	tap_ok(parse("{\"cmd\":\"status\",\"id\":null}", &r, &why) == CTL_ERR_NONE &&
		       id_is(&r, "null"),
	       "a null id is an id");
	tap_ok(parse("{\"cmd\":\"status\",\"id\":-1.5e300}", &r, &why) == CTL_ERR_NONE &&
		       id_is(&r, "-1.5e300"),
	       "a number id, any number");
	{
		const char *req = "{\"cmd\":\"stat\",\"id\": { \"n\" : [1, \"a b\"] } }";
		struct json_out o;
		struct json_val v;
		int len;

		json_out_init(&o, buf, sizeof(buf));
		json_obj_begin(&o, NULL);
		json_bool(&o, "ok", true);
		if (ctl_proto_parse(req, strlen(req), &r, &why) == CTL_ERR_NONE && r.has_id)
			json_raw(&o, "id", r.id_raw, r.id_len);
		json_obj_end(&o);
		len = json_out_end(&o);
		tap_ok(len > 0 && json_get(buf, len, "id", &v) == 0 && v.type == JSON_OBJECT &&
			       v.raw_len == 15 && !memcmp(v.raw, "{\"n\":[1,\"a b\"]}", 15),
		       "the id goes back in a reply through json_raw(), on one line: %.*s",
		       len - 1, buf);
	}
	tap_ok(parse("{\"cmd\":\"status\",\"text\":true}", &r, &why) == CTL_ERR_NONE && r.text &&
		       !r.has_id,
	       "text true");
	tap_ok(parse("{\"cmd\":\"status\",\"text\":false}", &r, &why) == CTL_ERR_NONE && !r.text,
	       "text false");

	/* ---- sdei's members ---- */
	tap_ok(parse("{\"cmd\":\"sdei\",\"event\":2000}", &r, &why) == CTL_ERR_NONE &&
		       r.event == 2000 && r.cpu == -1,
	       "sdei without cpu: cpu -1");
	tap_ok(parse("{\"cmd\":\"sdei\",\"event\":0,\"cpu\":0}", &r, &why) == CTL_ERR_NONE &&
		       r.event == 0 && r.cpu == 0,
	       "event 0, cpu 0");
	tap_ok(parse("{\"cmd\":\"sdei\",\"event\":4294967295,\"cpu\":511}", &r, &why) ==
		       CTL_ERR_NONE && r.event == 4294967295u && r.cpu == 511,
	       "event 2^32 - 1, cpu 511: the top of each range");
	tap_ok(parse("{\"cmd\":\"sdei\",\"event\":-0,\"cpu\":-0}", &r, &why) == CTL_ERR_NONE &&
		       r.event == 0 && r.cpu == 0,
	       "-0 is 0");
	tap_ok(parse("{\"cpu\":3,\"event\":1001,\"cmd\":\"sdei\"}", &r, &why) == CTL_ERR_NONE &&
		       r.event == 1001 && r.cpu == 3,
	       "members in any order");

	/* ---- errors ---- */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		err = parse(bad[i].line, &r, &why);
		tap_ok(err == bad[i].err && why && *why, "%s: %s (%s)", bad[i].desc,
		       ctl_proto_err_name(err), why ? why : "no reason");
	}
	tap_ok(parse("{\"cmd\":\"pause\",\"force\":1}", &r, NULL) == CTL_ERR_BAD_REQUEST &&
		       parse("{\"cmd\":\"pause\"}", &r, NULL) == CTL_ERR_NONE,
	       "why may be NULL");
	parse("{\"cmd\":\"pause\",\"event\":\"x\"}", &r, &why);
	tap_ok(why && strstr(why, "event"), "a wrong type names its member: %s", why);
	parse("{\"cmd\":\"sdei\",\"event\":1,\"cpu\":600}", &r, &why);
	tap_ok(why && strstr(why, "cpu"), "a range names its member: %s", why);
	tap_ok(parse_n("{\"cmd\":\"pause\"}\0", 16, &r, &why) == CTL_ERR_BAD_REQUEST,
	       "a NUL after the object");
	tap_ok(parse_n("{\"cmd\":\"pause\"}", 10, &r, &why) == CTL_ERR_BAD_REQUEST,
	       "only n bytes are read: a line cut by n is cut");

	/* ---- length ---- */
	memset(line, ' ', sizeof(line));
	memcpy(line, "{\"cmd\":\"stat\"}", 14);
	tap_ok(parse_n(line, CTL_MAX_REQUEST - 1, &r, &why) == CTL_ERR_NONE &&
		       r.cmd == CTL_CMD_STAT,
	       "a line of 4095 bytes (4096 with its newline) is taken");
	tap_ok(parse_n(line, CTL_MAX_REQUEST, &r, &why) == CTL_ERR_TOO_LONG && why,
	       "a line of 4096 bytes without its newline: too-long");
	tap_ok(parse_n(line, sizeof(line), &r, &why) == CTL_ERR_TOO_LONG,
	       "longer still: too-long");
	memset(line, 'x', sizeof(line));
	tap_ok(parse_n(line, sizeof(line), &r, &why) == CTL_ERR_TOO_LONG,
	       "too-long wins over not JSON (the server skips to the newline)");

	/* ---- names ---- */
	fails = ARRAY_SIZE(errs) != CTL_ERR_NR;
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++)
		fails += !ctl_proto_err_name(i) || strcmp(ctl_proto_err_name(i), errs[i]);
	tap_ok(!fails && !ctl_proto_err_name(CTL_ERR_NR), "error names, as docs/control.md says");
	fails = ARRAY_SIZE(states) != CTL_STATE_NR;
	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		fails += !ctl_proto_state_name(i) || strcmp(ctl_proto_state_name(i), states[i]) ||
			 ctl_proto_state_parse(states[i]) != (int)i;
	tap_ok(!fails && !ctl_proto_state_name(CTL_STATE_NR), "state names, both ways");
	tap_ok(ctl_proto_state_parse("Running") == -1 && ctl_proto_state_parse("") == -1 &&
		       ctl_proto_state_parse("runnin") == -1 && ctl_proto_state_parse(NULL) == -1,
	       "no state for a wrong name");
	fails = ARRAY_SIZE(events) != CTL_EV_NR;
	for (size_t i = 0; i < ARRAY_SIZE(events); i++)
		fails += !ctl_proto_event_name(i) || strcmp(ctl_proto_event_name(i), events[i]);
	tap_ok(!fails && !ctl_proto_event_name(CTL_EV_NR), "event names, as docs/control.md says");

	/* ---- guest names ---- */
	tap_ok(ctl_proto_name_ok("ci") && ctl_proto_name_ok("guest-4242") &&
		       ctl_proto_name_ok("a") && ctl_proto_name_ok("A.b_c-9"),
	       "names of letters, digits, '.', '_' and '-'");
	tap_ok(ctl_proto_name_ok("-x") && ctl_proto_name_ok("x.") && ctl_proto_name_ok("_"),
	       "a name may start with '-' or '_' and end with '.'");
	tap_ok(ctl_proto_name_ok(repeat(name, 'n', CTL_MAX_NAME)), "64 characters");
	tap_ok(!ctl_proto_name_ok(repeat(name, 'n', CTL_MAX_NAME + 1)), "not 65");
	tap_ok(!ctl_proto_name_ok("") && !ctl_proto_name_ok(NULL), "not empty, not NULL");
	tap_ok(!ctl_proto_name_ok(".") && !ctl_proto_name_ok("..") && !ctl_proto_name_ok(".x"),
	       "no leading dot: not '.', '..' nor hidden");
	tap_ok(!ctl_proto_name_ok("a/b") && !ctl_proto_name_ok("../x") &&
		       !ctl_proto_name_ok("a b") && !ctl_proto_name_ok("a\n") &&
		       !ctl_proto_name_ok("caf\xc3\xa9") && !ctl_proto_name_ok("a:b") &&
		       !ctl_proto_name_ok("a*"),
	       "no '/', space, control, non-ASCII or other punctuation");

	/* ---- the socket directory ---- */
	tap_ok(ctl_proto_dir("/r", "/x", "/h", dir, sizeof(dir)) == 0 && !strcmp(dir, "/r"),
	       "LKVM_RUNTIME_DIR first");
	tap_ok(ctl_proto_dir(NULL, "/run/user/1000", "/h", dir, sizeof(dir)) == 0 &&
		       !strcmp(dir, "/run/user/1000/lkvm"),
	       "then XDG_RUNTIME_DIR/lkvm");
	tap_ok(ctl_proto_dir(NULL, NULL, "/home/u", dir, sizeof(dir)) == 0 &&
		       !strcmp(dir, "/home/u/.lkvm"),
	       "then HOME/.lkvm");
	tap_ok(ctl_proto_dir("", "", "/home/u", dir, sizeof(dir)) == 0 &&
		       !strcmp(dir, "/home/u/.lkvm") &&
		       ctl_proto_dir("", "/x", "/h", dir, sizeof(dir)) == 0 &&
		       !strcmp(dir, "/x/lkvm"),
	       "an empty variable counts as unset");
	tap_ok(ctl_proto_dir(NULL, NULL, NULL, dir, sizeof(dir)) == -1 && !dir[0] &&
		       ctl_proto_dir("", "", "", dir, sizeof(dir)) == -1,
	       "none set: -1");
	tap_ok(ctl_proto_dir(NULL, "/abc", NULL, dir, 10) == 0 && !strcmp(dir, "/abc/lkvm") &&
		       ctl_proto_dir(NULL, "/abc", NULL, dir, 9) == -1 && !dir[0],
	       "the directory fits with its NUL, or -1");
	tap_ok(ctl_proto_dir(repeat(line, 'r', 300), "/x", "/h", dir, sizeof(dir)) == -1,
	       "LKVM_RUNTIME_DIR too long: -1, not the next one");
	tap_ok(ctl_proto_dir("/r", NULL, NULL, dir, 0) == -1, "no room at all: -1");

	/* ---- the socket path ---- */
	tap_ok(ctl_proto_sock_path("/run/user/1000/lkvm", "ci", buf, sizeof(buf)) == 0 &&
		       !strcmp(buf, "/run/user/1000/lkvm/ci.sock"),
	       "DIR/NAME.sock");
	/* A directory of 96 characters, "/", a name of 5 and ".sock": 107. */
	dir[0] = '/';
	repeat(dir + 1, 'd', 95);
	tap_ok(ctl_proto_sock_path(dir, "abcde", buf, sizeof(buf)) == 0 && strlen(buf) == 107,
	       "a path of 107 characters and its NUL fit a sockaddr_un");
	tap_ok(ctl_proto_sock_path(dir, "abcdef", buf, sizeof(buf)) == -1 && !buf[0],
	       "108 characters do not");
	tap_ok(ctl_proto_sock_path("/d", repeat(name, 'n', CTL_MAX_NAME), buf, sizeof(buf)) == 0,
	       "the longest name in a short directory");
	tap_ok(ctl_proto_sock_path("/d", "ci", buf, 11) == 0 &&
		       ctl_proto_sock_path("/d", "ci", buf, 10) == -1 && !buf[0],
	       "the path fits in the caller's buffer with its NUL, or -1");
	tap_ok(ctl_proto_sock_path("/d", "../x", buf, sizeof(buf)) == -1 &&
		       ctl_proto_sock_path("/d", "", buf, sizeof(buf)) == -1 &&
		       ctl_proto_sock_path("/d", "a/b", buf, sizeof(buf)) == -1,
	       "a name that is no guest name: -1 (the socket stays in DIR)");
	tap_ok(ctl_proto_sock_path("", "ci", buf, sizeof(buf)) == -1 &&
		       ctl_proto_sock_path(NULL, "ci", buf, sizeof(buf)) == -1,
	       "no directory: -1");
	return tap_done();
}
