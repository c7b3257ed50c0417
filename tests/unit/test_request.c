/* Frames and requests: what an agent (or anything else that can write to a
 * FIFO) can send, and what it gets back when it is wrong. Errors are checked
 * by the field they name, not by their whole wording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/request.h"
#include "core/utf8.h"
#include "core/xmalloc.h"

/* --- helpers --------------------------------------------------------------- */

static void
assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* Both stages, as the hub runs them, on len bytes. */
static int
parse_len(const char *text, size_t len, const struct ag_limits *lim, struct ag_request **out,
          struct ag_error *err)
{
	cJSON *frame = NULL;
	*out = NULL;
	if (ag_frame_parse(text, len, lim, &frame, err) != 0) {
		assert_null(frame);
		return -1;
	}
	int rc = ag_request_from_json(frame, lim, out, err);
	cJSON_Delete(frame);
	if (rc != 0)
		assert_null(*out);
	return rc;
}

static struct ag_request *
parse_ok(const char *text)
{
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	if (parse_len(text, strlen(text), NULL, &req, &err) != 0)
		fail_msg("rejected %s: %s", text, err.msg);
	return req;
}

static void
assert_rejected_lim(const char *text, size_t len, const struct ag_limits *lim, const char *needle)
{
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	if (parse_len(text, len, lim, &req, &err) == 0) {
		ag_request_free(&req);
		fail_msg("accepted %.200s (wanted an error with \"%s\")", text, needle);
	}
	assert_contains(err.msg, needle);
}

static void
assert_rejected(const char *text, const char *needle)
{
	assert_rejected_lim(text, strlen(text), NULL, needle);
}

/* A request frame around an action (a JSON object text). */
static char *
with_action(const char *action)
{
	return xasprintf("{\"v\":1,\"type\":\"request\",\"session\":\"s-42\",\"action\":%s}",
	                 action);
}

static void
assert_action_rejected(const char *action, const char *needle)
{
	char *text = with_action(action);
	assert_rejected(text, needle);
	free(text);
}

static void
assert_action_ok(const char *action)
{
	char *text = with_action(action);
	struct ag_request *req = parse_ok(text);
	ag_request_free(&req);
	free(text);
}

/* Field-by-field equality of two requests, the action compared as JSON. */
static void
assert_requests_equal(const struct ag_request *a, const struct ag_request *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->session, b->session);
	assert_string_equal(a->agent, b->agent);
	assert_string_equal(a->cwd, b->cwd);
	assert_string_equal(a->justification, b->justification);
	assert_true(a->timeout_ms == b->timeout_ms);
	assert_int_equal(a->kind, b->kind);
	assert_true(cJSON_Compare(a->action, b->action, 1));
	char *ka = ag_request_action_key(a), *kb = ag_request_action_key(b);
	assert_string_equal(ka, kb);
	free(ka);
	free(kb);
}

/* from_json(to_json(r)) == r, both directly and through printed bytes. */
static void
assert_roundtrip(const struct ag_request *req)
{
	struct ag_request *back = NULL;
	struct ag_error err = {{0}};
	cJSON *json = ag_request_to_json(req);

	if (ag_request_from_json(json, NULL, &back, &err) != 0)
		fail_msg("to_json output rejected: %s", err.msg);
	assert_requests_equal(req, back);
	ag_request_free(&back);

	char *text = cJSON_PrintUnformatted(json);
	if (parse_len(text, strlen(text), NULL, &back, &err) != 0)
		fail_msg("printed request rejected: %s", err.msg);
	assert_requests_equal(req, back);
	ag_request_free(&back);
	free(text);
	cJSON_Delete(json);
}

static char *
repeat(const char *unit, size_t times)
{
	size_t n = strlen(unit);
	char *s = xmalloc(n * times + 1);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

/* --- limits and ids ------------------------------------------------------- */

static void
test_limits_default(void **state)
{
	(void)state;
	struct ag_limits lim;
	ag_limits_default(&lim);
	assert_int_equal(lim.max_frame, 4 * 1024 * 1024);
	assert_int_equal(lim.max_depth, 64);
	assert_int_equal(lim.max_text, lim.max_frame);
	assert_true(lim.max_string >= 1024);
	assert_true(lim.max_array >= 1024);
}

static void
test_id_valid(void **state)
{
	(void)state;
	assert_true(ag_id_valid("r-0123abcd"));
	assert_true(ag_id_valid("codex:session.7_x-Y"));
	assert_true(ag_id_valid("a"));
	char *max = repeat("a", AG_ID_MAX);
	assert_true(ag_id_valid(max));
	free(max);

	assert_false(ag_id_valid(NULL));
	assert_false(ag_id_valid(""));
	assert_false(ag_id_valid("../x"));
	assert_false(ag_id_valid("a/b"));
	assert_false(ag_id_valid("a b"));
	assert_false(ag_id_valid("a\nb"));
	assert_false(ag_id_valid("caf\xc3\xa9"));
	assert_false(ag_id_valid("$(reboot)"));
	char *over = repeat("a", AG_ID_MAX + 1);
	assert_false(ag_id_valid(over));
	free(over);
	char *long200 = repeat("b", 200);
	assert_false(ag_id_valid(long200));
	free(long200);
}

static void
test_id_generate(void **state)
{
	(void)state;
	char a[32], b[32], small[6];

	ag_id_generate(a, sizeof a, "r");
	ag_id_generate(b, sizeof b, "r");
	assert_true(ag_id_valid(a));
	assert_int_equal(strlen(a), 2 + 24);
	assert_memory_equal(a, "r-", 2);
	for (size_t i = 2; i < 26; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);

	ag_id_generate(a, sizeof a, "c");
	assert_memory_equal(a, "c-", 2);
	assert_true(ag_id_valid(a));
	ag_id_generate(a, sizeof a, NULL);
	assert_memory_equal(a, "r-", 2);

	/* A short buffer gets a cut, still valid, still terminated id. */
	ag_id_generate(small, sizeof small, "r");
	assert_int_equal(strlen(small), 5);
	assert_true(ag_id_valid(small));

	/* 1000 ids, no collision: 96 random bits each. */
	enum { N = 1000 };
	char(*ids)[32] = xcalloc(N, sizeof *ids);
	for (int i = 0; i < N; i++)
		ag_id_generate(ids[i], sizeof ids[i], "r");
	qsort(ids, N, sizeof *ids, (int (*)(const void *, const void *))strcmp);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
}

/* --- frames: bytes ---------------------------------------------------------- */

static void
test_frame_minimal(void **state)
{
	(void)state;
	cJSON *f = NULL;
	struct ag_error err = {{0}};
	const char *t = "{\"v\":1,\"type\":\"hello\",\"client\":\"c-1\"}";
	assert_int_equal(ag_frame_parse(t, strlen(t), NULL, &f, &err), 0);
	assert_string_equal(ag_frame_type(f), "hello");
	cJSON_Delete(f);

	/* Not NUL-terminated: only len bytes are read (the line buffer hands us
	 * a slice). */
	char buf[64];
	memcpy(buf, t, strlen(t));
	memset(buf + strlen(t), '}', sizeof buf - strlen(t));
	assert_int_equal(ag_frame_parse(buf, strlen(t), NULL, &f, &err), 0);
	cJSON_Delete(f);

	/* Whitespace and a CR around the object are fine. */
	const char *ws = "  {\"v\":1,\"type\":\"x\"} \r";
	assert_int_equal(ag_frame_parse(ws, strlen(ws), NULL, &f, &err), 0);
	cJSON_Delete(f);
}

static void
test_frame_size(void **state)
{
	(void)state;
	/* A 10 MiB line is refused by its size alone. */
	size_t big = 10u << 20;
	char *line = xmalloc(big);
	memset(line, ' ', big);
	memcpy(line, "{\"v\":1,\"type\":\"request\",\"x\":\"", 30);
	line[big - 2] = '"';
	line[big - 1] = '}';
	clock_t t0 = clock();
	assert_rejected_lim(line, big, NULL, "over the limit of 4194304");
	/* Refused before scanning: well under a millisecond of work per MiB. */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.05);
	free(line);

	/* The limit is configurable, and it is inclusive. */
	struct ag_limits lim;
	ag_limits_default(&lim);
	const char *t = "{\"v\":1,\"type\":\"x\"}"; /* 18 bytes */
	lim.max_frame = 18;
	cJSON *f = NULL;
	struct ag_error err = {{0}};
	assert_int_equal(ag_frame_parse(t, 18, &lim, &f, &err), 0);
	cJSON_Delete(f);
	lim.max_frame = 17;
	assert_int_equal(ag_frame_parse(t, 18, &lim, &f, &err), -1);
	assert_null(f);
	assert_contains(err.msg, "18 bytes");
}

static void
test_frame_large_diff_fits(void **state)
{
	(void)state;
	/* 3 MiB of diff inside the 4 MiB default. */
	char *body = repeat("+line of code\\n", (3u << 20) / 14 + 1); /* 14 bytes decoded */
	char *action = xasprintf("{\"kind\":\"patch\",\"diff\":\"--- a/x\\n+++ b/x\\n%s\"}", body);
	char *text = with_action(action);
	struct ag_request *req = parse_ok(text);
	assert_true(strlen(req->u.patch.diff) >= 3u << 20);
	ag_request_free(&req);
	free(text);
	free(action);
	free(body);
}

static void
test_frame_nul(void **state)
{
	(void)state;
	const char t[] = "{\"v\":1,\"t\0pe\":\"x\"}";
	assert_rejected_lim(t, sizeof t - 1, NULL, "NUL byte at byte 9");
	/* An escaped NUL would end the C string early: "ls" shown, the rest hidden. */
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"ls\\u0000; rm -rf ~\"}",
	                       "\\u0000 in a string at byte");
	/* But an escaped backslash followed by "u0000" is just text. */
	char *text = with_action("{\"kind\":\"exec\",\"command\":\"echo \\\\u0000\"}");
	struct ag_request *req = parse_ok(text);
	assert_string_equal(req->u.exec.command, "echo \\u0000");
	ag_request_free(&req);
	free(text);
}

static void
test_frame_invalid_utf8(void **state)
{
	(void)state;
	/* Offsets count from the start of the line. */
	const char *prefix = "{\"v\":1,\"type\":\"x\",\"s\":\""; /* 23 bytes */
	static const struct {
		const char *bytes;
		const char *what;
	} cases[] = {
	    {"\xc0\xaf", "overlong /"},
	    {"\xe0\x80\xaf", "overlong 3-byte"},
	    {"\xf0\x80\x80\xaf", "overlong 4-byte"},
	    {"\xed\xa0\x80", "surrogate U+D800"},
	    {"\xed\xbf\xbf", "surrogate U+DFFF"},
	    {"\xf4\x90\x80\x80", "U+110000"},
	    {"\xf5\x80\x80\x80", "lead byte F5"},
	    {"\xff", "byte FF"},
	    {"\x80", "lone continuation"},
	    {"\xe2\x80", "truncated 3-byte"},
	    {"\xf0\x9f\x98", "truncated 4-byte"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = xasprintf("%s%s\"}", prefix, cases[i].bytes);
		struct ag_request *req = NULL;
		struct ag_error err = {{0}};
		if (parse_len(t, strlen(t), NULL, &req, &err) == 0)
			fail_msg("accepted %s", cases[i].what);
		assert_contains(err.msg, "invalid UTF-8 at byte 23");
		free(t);
	}
	/* Truncated at the very end of the line. */
	const char t[] = "{\"v\":1,\"type\":\"x\"}\xe2\x80";
	assert_rejected_lim(t, sizeof t - 1, NULL, "invalid UTF-8 at byte 18");
	/* Valid multi-byte text passes untouched. */
	char *ok =
	    with_action("{\"kind\":\"exec\",\"command\":\"echo caf\xc3\xa9 \xf0\x9f\x98\x80\"}");
	struct ag_request *req = parse_ok(ok);
	assert_string_equal(req->u.exec.command, "echo caf\xc3\xa9 \xf0\x9f\x98\x80");
	ag_request_free(&req);
	free(ok);
	/* Escaped surrogates must pair up (cJSON decodes them). */
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"\\ud800\"}", "frame");
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"\\udc00x\"}", "frame");
	char *pair = with_action("{\"kind\":\"exec\",\"command\":\"\\ud83d\\ude00\"}");
	req = parse_ok(pair);
	assert_string_equal(req->u.exec.command, "\xf0\x9f\x98\x80");
	ag_request_free(&req);
	free(pair);
}

static void
test_frame_control_chars(void **state)
{
	(void)state;
	/* Raw control bytes in strings are invalid JSON (RFC 8259 section 7). */
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"ls\x1b[2J\"}",
	                       "control character 0x1b");
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"a\tb\"}",
	                       "control character 0x09");
	/* Escaped, they are fine (and kept for the sanitizer to show). */
	char *t = with_action("{\"kind\":\"exec\",\"command\":\"ls\\u001b[2J\\tx\"}");
	struct ag_request *req = parse_ok(t);
	assert_string_equal(req->u.exec.command, "ls\x1b[2J\tx");
	ag_request_free(&req);
	free(t);
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"\\u00zz\"}", "bad \\u escape");
}

static void
test_frame_depth(void **state)
{
	(void)state;
	/* 10,000 deep: refused by the byte scan, before cJSON could recurse. */
	enum { DEEP = 10000 };
	char *open = repeat("[", DEEP), *close = repeat("]", DEEP);
	char *t = xasprintf("{\"v\":1,\"type\":\"x\",\"a\":%s%s}", open, close);
	assert_rejected(t, "nested deeper than 64 levels");
	free(t);
	free(open);
	free(close);

	char *objs = repeat("{\"a\":", DEEP);
	t = xasprintf("{\"v\":1,\"type\":\"x\",\"a\":%s1", objs); /* unterminated too */
	assert_rejected(t, "nested deeper than 64 levels");
	free(t);
	free(objs);

	/* Exactly 64 levels pass; 65 do not. */
	struct ag_limits lim;
	ag_limits_default(&lim);
	for (int depth = 63; depth <= 65; depth++) {
		char *o = repeat("[", (size_t)depth - 1), *c = repeat("]", (size_t)depth - 1);
		t = xasprintf("{\"v\":1,\"type\":\"x\",\"a\":%s%s}", o, c);
		cJSON *f = NULL;
		struct ag_error err = {{0}};
		int rc = ag_frame_parse(t, strlen(t), &lim, &f, &err);
		assert_int_equal(rc, depth <= 64 ? 0 : -1);
		cJSON_Delete(f);
		free(t);
		free(o);
		free(c);
	}

	/* Brackets inside strings are text, not nesting. */
	char *text = repeat("[{", 5000);
	t = xasprintf("{\"v\":1,\"type\":\"x\",\"s\":\"%s\\\"[[\"}", text);
	cJSON *f = NULL;
	struct ag_error err = {{0}};
	assert_int_equal(ag_frame_parse(t, strlen(t), NULL, &f, &err), 0);
	cJSON_Delete(f);
	free(t);
	free(text);
}

/* A request deep enough to pass the hub must still pass every subscriber
 * once the hub wraps it in an event frame. */
static void
test_depth_leaves_room_for_the_event(void **state)
{
	(void)state;
	struct ag_limits lim;
	ag_limits_default(&lim);
	struct ag_request *deepest = NULL;
	int accepted = 0;
	for (int nested = 55; nested <= 66; nested++) {
		/* frame(1) > action(2) > arguments and nested-1 objects inside it */
		char *o = repeat("{\"k\":", (size_t)nested), *c = repeat("}", (size_t)nested);
		char *action = xasprintf("{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":\"t\","
		                         "\"arguments\":%s1%s}",
		                         o, c);
		char *t = with_action(action);
		struct ag_request *req = NULL;
		struct ag_error err = {{0}};
		if (parse_len(t, strlen(t), &lim, &req, &err) == 0) {
			ag_request_free(&deepest);
			deepest = req;
			accepted = nested;
		} else {
			/* Past 64 the byte scan refuses; just below, the request check. */
			assert_contains(err.msg, nested + 2 > 64 ? "frame: nested deeper"
			                                         : "action.arguments.k");
			assert_contains(err.msg, "nested deeper");
		}
		free(t);
		free(action);
		free(o);
		free(c);
	}
	assert_non_null(deepest);
	assert_true(accepted >= 55 && accepted < 62); /* some room is kept */
	cJSON *event = cJSON_CreateObject();
	cJSON_AddNumberToObject(event, "v", 1);
	cJSON_AddStringToObject(event, "type", "event");
	cJSON_AddItemToObject(event, "request", ag_request_to_json(deepest));
	char *text = cJSON_PrintUnformatted(event);
	cJSON *f = NULL;
	struct ag_error err = {{0}};
	if (ag_frame_parse(text, strlen(text), &lim, &f, &err) != 0)
		fail_msg("event for the deepest accepted request is refused: %s", err.msg);
	cJSON_Delete(f);
	free(text);
	cJSON_Delete(event);
	ag_request_free(&deepest);
}

static void
test_frame_truncated_json(void **state)
{
	(void)state;
	const char *full =
	    "{\"v\":1,\"type\":\"request\",\"id\":\"r-1\",\"action\":{\"kind\":\"exec\","
	    "\"argv\":[\"rm\",\"-rf\",\"build\"],\"command\":\"rm -rf build\"}}";
	size_t n = strlen(full);
	/* Every proper prefix is refused, none crashes or leaks. */
	for (size_t len = 0; len < n; len++) {
		struct ag_request *req = NULL;
		struct ag_error err = {{0}};
		if (parse_len(full, len, NULL, &req, &err) == 0)
			fail_msg("accepted a %zu-byte prefix", len);
		assert_true(strlen(err.msg) > 0);
	}
	assert_rejected("{\"v\":1,\"type\":\"request\"", "invalid JSON");
	assert_rejected("{\"v\":1,\"type\":\"req", "invalid JSON");
	assert_rejected("", "empty");
	assert_rejected("   ", "empty");
	assert_rejected("{\"v\":1,\"type\":\"x\"} {}", "after the JSON value at byte 19");
	assert_rejected("{\"v\":1,\"type\":\"x\",}", "invalid JSON");
	assert_rejected("{'v':1}", "invalid JSON");
	struct ag_request *req = parse_ok(full);
	ag_request_free(&req);
}

static void
test_frame_not_an_object(void **state)
{
	(void)state;
	assert_rejected("[1,2]", "expected a JSON object, got an array");
	assert_rejected("\"request\"", "expected a JSON object, got a string");
	assert_rejected("42", "expected a JSON object, got a number");
	assert_rejected("null", "expected a JSON object, got null");
	assert_rejected("true", "expected a JSON object, got a boolean");
}

static void
test_frame_version_and_type(void **state)
{
	(void)state;
	assert_rejected("{\"type\":\"request\"}", "v: missing");
	assert_rejected("{\"v\":\"1\",\"type\":\"request\"}", "v: expected a number, got a string");
	assert_rejected("{\"v\":2,\"type\":\"request\"}", "v: unsupported protocol version 2");
	assert_rejected("{\"v\":0,\"type\":\"request\"}", "v: unsupported");
	assert_rejected("{\"v\":1.5,\"type\":\"request\"}", "v: unsupported");
	assert_rejected("{\"V\":1,\"type\":\"request\"}", "v: missing"); /* case matters */
	assert_rejected("{\"v\":1}", "type: missing");
	assert_rejected("{\"v\":1,\"type\":7}", "type: expected a string, got a number");
	assert_rejected("{\"v\":1,\"type\":\"\"}", "type: must not be empty");
	/* A well-formed frame of another type is not a request. */
	assert_rejected("{\"v\":1,\"type\":\"hello\"}",
	                "type: expected \"request\", got \"hello\"");
}

static void
test_frame_duplicate_keys(void **state)
{
	(void)state;
	/* cJSON reads the first, another parser may read the last: refuse. */
	assert_rejected("{\"v\":1,\"type\":\"request\",\"type\":\"hello\"}",
	                "duplicate key \"type\"");
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"ls\",\"command\":\"rm -rf ~\"}",
	                       "action: duplicate key \"command\"");
	assert_action_rejected("{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":\"t\",\"arguments\":"
	                       "{\"q\":{\"a\":1,\"b\":2,\"a\":3}}}",
	                       "action.arguments.q: duplicate key \"a\"");
}

static void
test_frame_huge_arrays(void **state)
{
	(void)state;
	char *elems = repeat("\"x\",", 5000);
	elems[strlen(elems) - 1] = '\0';
	char *action = xasprintf("{\"kind\":\"exec\",\"argv\":[%s]}", elems);
	assert_action_rejected(action, "action.argv: more than 4096 elements");
	free(action);
	action = xasprintf("{\"kind\":\"patch\",\"diff\":\"x\",\"files\":[%s]}", elems);
	assert_action_rejected(action, "action.files: more than 4096 elements");
	free(action);
	/* Also for arrays in fields nobody reads. */
	char *t = xasprintf("{\"v\":1,\"type\":\"x\",\"junk\":[%s]}", elems);
	assert_rejected(t, "junk: more than 4096 elements");
	free(t);
	free(elems);

	/* Within the bound it works, and the count is right. */
	struct ag_limits lim;
	ag_limits_default(&lim);
	lim.max_array = 4;
	const char *ok = "{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"exec\","
	                 "\"argv\":[\"a\",\"b\",\"c\",\"d\"]}}";
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	assert_int_equal(parse_len(ok, strlen(ok), &lim, &req, &err), 0);
	assert_int_equal(req->u.exec.argc, 4);
	ag_request_free(&req);
	lim.max_array = 3;
	assert_rejected_lim(ok, strlen(ok), &lim, "action.argv: more than 3 elements");
}

/* --- requests: the happy paths ------------------------------------------- */

static void
test_request_exec(void **state)
{
	(void)state;
	struct ag_request *req =
	    parse_ok("{\"v\":1,\"type\":\"request\",\"id\":\"optional-client-id\",\"session\":"
	             "\"s-42\",\"agent\":\"claude-code\",\"cwd\":\"/home/dev/repo\","
	             "\"justification\":\"clean build dir\",\"timeout_ms\":600000,"
	             "\"action\":{\"kind\":\"exec\",\"command\":\"rm -rf build\","
	             "\"argv\":[\"rm\",\"-rf\",\"build\"]}}");
	assert_string_equal(req->id, "optional-client-id");
	assert_string_equal(req->session, "s-42");
	assert_string_equal(req->agent, "claude-code");
	assert_string_equal(req->cwd, "/home/dev/repo");
	assert_string_equal(req->justification, "clean build dir");
	assert_true(req->timeout_ms == 600000);
	assert_int_equal(req->kind, AG_KIND_EXEC);
	assert_string_equal(req->u.exec.command, "rm -rf build");
	assert_int_equal(req->u.exec.argc, 3);
	assert_string_equal(req->u.exec.argv[2], "build");
	assert_null(req->u.exec.argv[3]);
	assert_roundtrip(req);
	ag_request_free(&req);
	assert_null(req);
	ag_request_free(&req); /* freeing NULL is fine */

	/* Either field alone is enough; absent top-level fields read as "". */
	req = parse_ok("{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"exec\",\"command\":"
	               "\"make\"}}");
	assert_string_equal(req->id, "");
	assert_string_equal(req->session, "");
	assert_string_equal(req->agent, "");
	assert_true(req->timeout_ms == 0);
	assert_null(req->u.exec.argv);
	assert_int_equal(req->u.exec.argc, 0);
	assert_roundtrip(req);
	ag_request_free(&req);
	req = parse_ok("{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"exec\",\"argv\":"
	               "[\"ls\",\"\"]}}");
	assert_null(req->u.exec.command);
	assert_string_equal(req->u.exec.argv[1], "");
	assert_roundtrip(req);
	ag_request_free(&req);
}

static void
test_request_patch(void **state)
{
	(void)state;
	char *t = with_action("{\"kind\":\"patch\",\"diff\":\"--- a/x.c\\n+++ b/x.c\\n@@ -1 +1 "
	                      "@@\\n-a\\n+b\\n\",\"files\":[\"x.c\"]}");
	struct ag_request *req = parse_ok(t);
	assert_int_equal(req->kind, AG_KIND_PATCH);
	assert_non_null(strstr(req->u.patch.diff, "+++ b/x.c\n"));
	assert_int_equal(req->u.patch.nfiles, 1);
	assert_string_equal(req->u.patch.files[0], "x.c");
	assert_null(req->u.patch.files[1]);
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
	t = with_action("{\"kind\":\"patch\",\"diff\":\"+x\"}");
	req = parse_ok(t);
	assert_null(req->u.patch.files);
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
}

static void
test_request_network(void **state)
{
	(void)state;
	char *t = with_action("{\"kind\":\"network\",\"host\":\"api.github.com\",\"port\":443,"
	                      "\"protocol\":\"https\",\"method\":\"GET\",\"url\":"
	                      "\"https://api.github.com/repos\"}");
	struct ag_request *req = parse_ok(t);
	assert_int_equal(req->kind, AG_KIND_NETWORK);
	assert_string_equal(req->u.network.host, "api.github.com");
	assert_int_equal(req->u.network.port, 443);
	assert_string_equal(req->u.network.protocol, "https");
	assert_string_equal(req->u.network.method, "GET");
	assert_string_equal(req->u.network.url, "https://api.github.com/repos");
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
	t = with_action("{\"kind\":\"network\",\"host\":\"db\",\"port\":65535,\"protocol\":\"tcp\","
	                "\"method\":null}");
	req = parse_ok(t);
	assert_null(req->u.network.method);
	assert_null(req->u.network.url);
	assert_int_equal(req->u.network.port, 65535);
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
}

static void
test_request_mcp(void **state)
{
	(void)state;
	char *t = with_action("{\"kind\":\"mcp\",\"server\":\"github\",\"tool\":\"create_issue\","
	                      "\"arguments\":{\"title\":\"x\",\"labels\":[\"a\",1,null,true],"
	                      "\"n\":{\"deep\":[]}}}");
	struct ag_request *req = parse_ok(t);
	assert_int_equal(req->kind, AG_KIND_MCP);
	assert_string_equal(req->u.mcp.server, "github");
	assert_string_equal(req->u.mcp.tool, "create_issue");
	assert_true(cJSON_IsObject(req->u.mcp.arguments));
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(req->u.mcp.arguments, "title")->valuestring, "x");
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);

	/* Absent or null arguments are {}. */
	t = with_action("{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":\"t\"}");
	req = parse_ok(t);
	assert_true(cJSON_IsObject(req->u.mcp.arguments));
	assert_null(req->u.mcp.arguments->child);
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
	t = with_action("{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":\"t\",\"arguments\":null}");
	req = parse_ok(t);
	assert_true(cJSON_IsObject(req->u.mcp.arguments));
	ag_request_free(&req);
	free(t);
}

static void
test_request_permission(void **state)
{
	(void)state;
	char *t = with_action("{\"kind\":\"permission\",\"paths\":[{\"path\":\"/etc\",\"access\":"
	                      "\"read\"},{\"path\":\"/repo/out\",\"access\":\"read-write\"}],"
	                      "\"network\":true}");
	struct ag_request *req = parse_ok(t);
	assert_int_equal(req->kind, AG_KIND_PERMISSION);
	assert_int_equal(req->u.permission.npaths, 2);
	assert_string_equal(req->u.permission.paths[1].path, "/repo/out");
	assert_string_equal(req->u.permission.paths[1].access, "read-write");
	assert_int_equal(req->u.permission.network, 1);
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
	t = with_action("{\"kind\":\"permission\",\"network\":false}");
	req = parse_ok(t);
	assert_int_equal(req->u.permission.network, 0);
	assert_int_equal(req->u.permission.npaths, 0);
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
	t = with_action(
	    "{\"kind\":\"permission\",\"paths\":[{\"path\":\"/x\",\"access\":\"write\"}]}");
	req = parse_ok(t);
	assert_int_equal(req->u.permission.network, -1);
	assert_roundtrip(req);
	ag_request_free(&req);
	free(t);
}

static void
test_request_ignores_unknown_top_level(void **state)
{
	(void)state;
	struct ag_request *req =
	    parse_ok("{\"v\":1,\"type\":\"request\",\"future\":{\"x\":[1]},\"action\":{\"kind\":"
	             "\"exec\",\"command\":\"ls\"},\"agent\":null}");
	assert_string_equal(req->u.exec.command, "ls");
	assert_string_equal(req->agent, "");
	assert_roundtrip(req);
	ag_request_free(&req);
}

/* --- requests: every field, every wrong type ------------------------------ */

static void
test_request_top_level_types(void **state)
{
	(void)state;
	static const struct {
		const char *field, *value, *needle;
	} cases[] = {
	    {"id", "5", "id: expected a string, got a number"},
	    {"id", "[\"r-1\"]", "id: expected a string, got an array"},
	    {"session", "[]", "session: expected a string, got an array"},
	    {"agent", "{}", "agent: expected a string, got an object"},
	    {"cwd", "true", "cwd: expected a string, got a boolean"},
	    {"justification", "1", "justification: expected a string, got a number"},
	    {"timeout_ms", "\"600\"", "timeout_ms: expected an integer, got a string"},
	    {"timeout_ms", "1.5", "timeout_ms: expected an integer, got 1.5"},
	    {"timeout_ms", "-1", "timeout_ms: -1 is out of range"},
	    {"timeout_ms", "604800001", "timeout_ms: 604800001 is out of range"},
	    {"timeout_ms", "1e300", "timeout_ms"},
	    {"timeout_ms", "true", "timeout_ms: expected an integer, got a boolean"},
	    {"action", "\"exec\"", "action: expected an object, got a string"},
	    {"action", "[]", "action: expected an object, got an array"},
	    {"action", "null", "action: expected an object, got null"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* The field goes first so the action after it cannot fail first. */
		char *t = xasprintf("{\"%s\":%s,\"v\":1,\"type\":\"request\"%s}", cases[i].field,
		                    cases[i].value,
		                    strcmp(cases[i].field, "action") == 0
		                        ? ""
		                        : ",\"action\":{\"kind\":\"exec\",\"command\":\"ls\"}");
		assert_rejected(t, cases[i].needle);
		free(t);
	}
	/* The week-long maximum itself is fine. */
	struct ag_request *req = parse_ok("{\"v\":1,\"type\":\"request\",\"timeout_ms\":604800000,"
	                                  "\"action\":{\"kind\":\"exec\",\"command\":\"ls\"}}");
	assert_true(req->timeout_ms == 604800000);
	ag_request_free(&req);
}

static void
test_request_bad_ids(void **state)
{
	(void)state;
	static const char *const bad[] = {"../x", "", "a b", "x/y", "caf\xc3\xa9", "\\u001b[2J"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *t =
		    xasprintf("{\"v\":1,\"type\":\"request\",\"id\":\"%s\",\"action\":{\"kind\":"
		              "\"exec\",\"command\":\"ls\"}}",
		              bad[i]);
		assert_rejected(t, "id: invalid id");
		free(t);
	}
	char *long_id = repeat("a", 200);
	char *t = xasprintf("{\"v\":1,\"type\":\"request\",\"id\":\"%s\",\"action\":{\"kind\":"
	                    "\"exec\",\"command\":\"ls\"}}",
	                    long_id);
	assert_rejected(t, "id: invalid id");
	free(t);
	free(long_id);
	/* The error quotes agent text printably: no raw ESC reaches a terminal. */
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	const char *esc = "{\"v\":1,\"type\":\"request\",\"id\":\"\\u001b]0;pwned\\u0007\","
	                  "\"action\":{\"kind\":\"exec\",\"command\":\"ls\"}}";
	assert_int_equal(parse_len(esc, strlen(esc), NULL, &req, &err), -1);
	assert_contains(err.msg, "\\x1b]0;pwned\\x07");
	for (const char *p = err.msg; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static void
test_request_kind(void **state)
{
	(void)state;
	assert_action_rejected("{\"command\":\"ls\"}", "action.kind: missing");
	assert_action_rejected("{\"kind\":1,\"command\":\"ls\"}",
	                       "action.kind: expected a string, got a number");
	assert_action_rejected("{\"kind\":\"shell\",\"command\":\"ls\"}",
	                       "action.kind: unknown kind \"shell\"");
	assert_action_rejected("{\"kind\":\"shell\",\"command\":\"ls\"}",
	                       "exec, patch, network, mcp, permission");
	assert_action_rejected("{\"kind\":\"EXEC\",\"command\":\"ls\"}", "unknown kind \"EXEC\"");
	assert_rejected("{\"v\":1,\"type\":\"request\"}", "action: missing");
}

static void
test_request_exec_fields(void **state)
{
	(void)state;
	assert_action_rejected("{\"kind\":\"exec\",\"command\":[\"rm\"]}",
	                       "action.command: expected a string, got an array");
	assert_action_rejected("{\"kind\":\"exec\",\"command\":\"\"}",
	                       "action.command: must not be empty");
	assert_action_rejected("{\"kind\":\"exec\",\"argv\":\"rm -rf /\"}",
	                       "action.argv: expected an array, got a string");
	assert_action_rejected("{\"kind\":\"exec\",\"argv\":[\"rm\",\"-rf\",2]}",
	                       "action.argv[2]: expected a string, got a number");
	assert_action_rejected("{\"kind\":\"exec\",\"argv\":[\"rm\",null]}",
	                       "action.argv[1]: expected a string, got null");
	assert_action_rejected("{\"kind\":\"exec\",\"argv\":[\"rm\",[\"x\"]]}",
	                       "action.argv[1]: expected a string, got an array");
	assert_action_rejected("{\"kind\":\"exec\",\"argv\":[]}", "action.argv: must not be empty");
	assert_action_rejected("{\"kind\":\"exec\",\"argv\":[\"\",\"x\"]}",
	                       "action.argv[0]: must not be empty");
	assert_action_rejected("{\"kind\":\"exec\"}", "action: exec needs \"command\" or \"argv\"");
	assert_action_rejected("{\"kind\":\"exec\",\"command\":null,\"argv\":null}",
	                       "action: exec needs");
	/* A field the console would not show must not ride along. */
	assert_action_rejected(
	    "{\"kind\":\"exec\",\"command\":\"ls\",\"env\":{\"LD_PRELOAD\":\"x\"}}",
	    "action.env: unknown field for kind exec (allowed: kind, command, argv)");
}

static void
test_request_patch_fields(void **state)
{
	(void)state;
	assert_action_rejected("{\"kind\":\"patch\"}", "action.diff: missing");
	assert_action_rejected("{\"kind\":\"patch\",\"diff\":5}",
	                       "action.diff: expected a string, got a number");
	assert_action_rejected("{\"kind\":\"patch\",\"diff\":\"\"}",
	                       "action.diff: must not be empty");
	assert_action_rejected("{\"kind\":\"patch\",\"diff\":\"x\",\"files\":\"a.c\"}",
	                       "action.files: expected an array, got a string");
	assert_action_rejected("{\"kind\":\"patch\",\"diff\":\"x\",\"files\":[\"a.c\",{}]}",
	                       "action.files[1]: expected a string, got an object");
	assert_action_rejected("{\"kind\":\"patch\",\"diff\":\"x\",\"command\":\"ls\"}",
	                       "action.command: unknown field for kind patch");
}

static void
test_request_network_fields(void **state)
{
	(void)state;
	assert_action_rejected("{\"kind\":\"network\",\"port\":443,\"protocol\":\"https\"}",
	                       "action.host: missing");
	assert_action_rejected(
	    "{\"kind\":\"network\",\"host\":1,\"port\":443,\"protocol\":\"https\"}",
	    "action.host: expected a string, got a number");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"a b\",\"port\":443,\"protocol\":"
	                       "\"https\"}",
	                       "action.host: space or control character at byte 1");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"protocol\":\"https\"}",
	                       "action.port: missing");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"port\":\"443\",\"protocol\":"
	                       "\"https\"}",
	                       "action.port: expected an integer, got a string");
	assert_action_rejected(
	    "{\"kind\":\"network\",\"host\":\"x\",\"port\":0,\"protocol\":\"tcp\"}",
	    "action.port: 0 is out of range (1..65535)");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"port\":65536,\"protocol\":"
	                       "\"tcp\"}",
	                       "action.port: 65536 is out of range");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"port\":44.3,\"protocol\":"
	                       "\"tcp\"}",
	                       "action.port: expected an integer, got 44.3");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"port\":443}",
	                       "action.protocol: missing");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"port\":443,\"protocol\":[]}",
	                       "action.protocol: expected a string, got an array");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"port\":443,\"protocol\":"
	                       "\"tcp\",\"method\":1}",
	                       "action.method: expected a string, got a number");
	assert_action_rejected("{\"kind\":\"network\",\"host\":\"x\",\"port\":443,\"protocol\":"
	                       "\"tcp\",\"url\":{}}",
	                       "action.url: expected a string, got an object");
}

static void
test_request_mcp_fields(void **state)
{
	(void)state;
	assert_action_rejected("{\"kind\":\"mcp\",\"tool\":\"t\"}", "action.server: missing");
	assert_action_rejected("{\"kind\":\"mcp\",\"server\":\"s\"}", "action.tool: missing");
	assert_action_rejected("{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":1}",
	                       "action.tool: expected a string, got a number");
	assert_action_rejected(
	    "{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":\"t\",\"arguments\":[]}",
	    "action.arguments: expected an object, got an array");
	assert_action_rejected(
	    "{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":\"t\",\"arguments\":\"{}\"}",
	    "action.arguments: expected an object, got a string");
	/* Infinity would be journaled as null: what is stored must read back. */
	assert_action_rejected("{\"kind\":\"mcp\",\"server\":\"s\",\"tool\":\"t\",\"arguments\":"
	                       "{\"n\":[1,-1e999]}}",
	                       "action.arguments.n[1]: number out of range");
}

static void
test_request_permission_fields(void **state)
{
	(void)state;
	assert_action_rejected("{\"kind\":\"permission\"}",
	                       "action: permission needs \"paths\" or \"network\"");
	assert_action_rejected("{\"kind\":\"permission\",\"paths\":[]}",
	                       "action: permission needs");
	assert_action_rejected("{\"kind\":\"permission\",\"paths\":\"/etc\"}",
	                       "action.paths: expected an array, got a string");
	assert_action_rejected("{\"kind\":\"permission\",\"paths\":[\"/etc\"]}",
	                       "action.paths[0]: expected an object, got a string");
	assert_action_rejected("{\"kind\":\"permission\",\"paths\":[{\"path\":\"/etc\",\"access\":"
	                       "\"read\"},{\"path\":\"/x\"}]}",
	                       "action.paths[1].access: missing");
	assert_action_rejected("{\"kind\":\"permission\",\"paths\":[{\"access\":\"read\"}]}",
	                       "action.paths[0].path: missing");
	assert_action_rejected(
	    "{\"kind\":\"permission\",\"paths\":[{\"path\":7,\"access\":\"read\"}]}",
	    "action.paths[0].path: expected a string, got a number");
	assert_action_rejected("{\"kind\":\"permission\",\"paths\":[{\"path\":\"/\",\"access\":"
	                       "\"exec\"}]}",
	                       "action.paths[0].access: unknown access \"exec\"");
	assert_action_rejected("{\"kind\":\"permission\",\"paths\":[{\"path\":\"/\",\"access\":"
	                       "\"read\",\"recursive\":true}]}",
	                       "action.paths[0].recursive: unknown field");
	assert_action_rejected("{\"kind\":\"permission\",\"network\":\"yes\"}",
	                       "action.network: expected a boolean, got a string");
	assert_action_rejected("{\"kind\":\"permission\",\"network\":1}",
	                       "action.network: expected a boolean, got a number");
}

static void
test_request_string_bounds(void **state)
{
	(void)state;
	char *s = repeat("a", 5000);
	char *t = xasprintf("{\"v\":1,\"type\":\"request\",\"session\":\"%s\",\"action\":{\"kind\":"
	                    "\"exec\",\"command\":\"ls\"}}",
	                    s);
	assert_rejected(t, "session: longer than 4096 bytes");
	free(t);
	char *action = xasprintf("{\"kind\":\"network\",\"host\":\"%s\",\"port\":1,\"protocol\":"
	                         "\"tcp\"}",
	                         s);
	assert_action_rejected(action, "action.host: longer than 4096 bytes");
	free(action);
	/* A long command is fine by default (max_text), refused under a smaller one. */
	action = xasprintf("{\"kind\":\"exec\",\"command\":\"%s\"}", s);
	assert_action_ok(action);
	t = with_action(action);
	struct ag_limits lim;
	ag_limits_default(&lim);
	lim.max_text = 4999;
	assert_rejected_lim(t, strlen(t), &lim, "action.command: longer than 4999 bytes");
	free(t);
	free(action);
	free(s);
}

/* Trees that did not come through ag_frame_parse (the journal, other code)
 * get the same checks. */
static void
test_request_from_tree(void **state)
{
	(void)state;
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 2);
	cJSON_AddStringToObject(f, "type", "request");
	assert_int_equal(ag_request_from_json(f, NULL, &req, &err), -1);
	assert_contains(err.msg, "v: unsupported protocol version 2");
	cJSON_DeleteItemFromObject(f, "v");
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON *action = cJSON_AddObjectToObject(f, "action");
	cJSON_AddStringToObject(action, "kind", "exec");
	cJSON_AddStringToObject(action, "command", "ls \xc0\xaf");
	assert_int_equal(ag_request_from_json(f, NULL, &req, &err), -1);
	assert_contains(err.msg, "action.command: invalid UTF-8 at byte 3");
	assert_null(req);
	cJSON_Delete(f);
	assert_int_equal(ag_request_from_json(NULL, NULL, &req, &err), -1);
	assert_contains(err.msg, "request: expected an object");

	/* A string node without a value (cJSON allows building one). */
	f = cJSON_Parse("{\"v\":1,\"type\":\"request\"}");
	action = cJSON_AddObjectToObject(f, "action");
	cJSON_AddItemToObject(action, "kind", cJSON_CreateStringReference(NULL));
	assert_int_equal(ag_request_from_json(f, NULL, &req, &err), -1);
	assert_contains(err.msg, "action.kind");
	cJSON_Delete(f);
}

/* Every byte of a valid request replaced by hostile bytes: never a crash or
 * a leak, and whatever is accepted still round-trips. */
static void
test_request_mutations(void **state)
{
	(void)state;
	const char *seed =
	    "{\"v\":1,\"type\":\"request\",\"id\":\"r-1\",\"timeout_ms\":5,\"action\":"
	    "{\"kind\":\"permission\",\"paths\":[{\"path\":\"/a\",\"access\":\"read\"}],"
	    "\"network\":true}}";
	static const char subst[] = {'"', '{',  '}', '[', ']',        ',',        ':', '\\',
	                             '0', '\0', 'x', ' ', (char)0xff, (char)0xc3, '\n'};
	size_t n = strlen(seed), accepted = 0;
	char *buf = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof subst; k++) {
			memcpy(buf, seed, n);
			buf[i] = subst[k];
			struct ag_request *req = NULL;
			struct ag_error err = {{0}};
			if (parse_len(buf, n, NULL, &req, &err) == 0) {
				assert_roundtrip(req);
				ag_request_free(&req);
				accepted++;
			} else {
				assert_true(err.msg[0] != '\0');
			}
		}
	free(buf);
	assert_true(accepted > 0); /* e.g. path "/a" -> "/x" */
}

/* ag_request_take (agate score's path) gives exactly what ag_frame_parse +
 * ag_request_from_json give: the same request, or the same error, on every
 * byte substitution of a few seeds and under tight depth limits (where the
 * action's own depth bound is the one that fails). */
static void
assert_take_same(const char *buf, size_t n, const struct ag_limits *lim)
{
	struct ag_request *a = NULL, *b = NULL;
	struct ag_error ea = {{0}}, eb = {{0}};
	int ra = parse_len(buf, n, lim, &a, &ea);
	cJSON *frame = NULL;
	struct ag_frame_info info;
	int rb = ag_frame_parse_info(buf, n, lim, &frame, &info, &eb);
	if (rb == 0) {
		rb = ag_request_take(frame, &info, &b, &eb);
		cJSON_Delete(frame);
	}
	assert_int_equal(ra, rb);
	if (ra != 0) {
		assert_string_equal(ea.msg, eb.msg);
		return;
	}
	cJSON *ja = ag_request_to_json(a), *jb = ag_request_to_json(b);
	char *pa = ag_json_print(ja), *pb = ag_json_print(jb);
	assert_string_equal(pa, pb);
	free(pa);
	free(pb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	ag_request_free(&a);
	ag_request_free(&b);
}

static void
test_request_take(void **state)
{
	(void)state;
	static const char *const seeds[] = {
	    "{\"v\":1,\"type\":\"request\",\"id\":\"r-1\",\"session\":\"s\",\"cwd\":\"/r\","
	    "\"timeout_ms\":5,\"action\":{\"kind\":\"exec\",\"command\":\"rm -rf \\u00e9\","
	    "\"argv\":[\"rm\",\"-rf\"]}}",
	    "{\"v\":1,\"type\":\"request\",\"hook\":{\"k\":1},\"action\":{\"kind\":\"mcp\","
	    "\"server\":\"s\",\"tool\":\"t\",\"arguments\":{\"a\":[[{\"b\":null}]]}}}",
	    "{\"v\":1,\"type\":\"request\",\"agent\":\"x\",\"v\":1,\"action\":{\"kind\":"
	    "\"patch\",\"diff\":\"+a\\n\",\"files\":[\"a\"],\"files\":null}}",
	};
	static const char subst[] = {'"', '{', '}', '[', ']', ',', ':', '\\', '0', 'x', ' ', 'n'};
	struct ag_limits tight;
	ag_limits_default(&tight);
	for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
		size_t n = strlen(seeds[s]);
		char *buf = xmalloc(n);
		for (int depth = 3; depth <= 7; depth++) {
			tight.max_depth = depth;
			assert_take_same(seeds[s], n, &tight);
		}
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < sizeof subst; k++) {
				memcpy(buf, seeds[s], n);
				buf[i] = subst[k];
				assert_take_same(buf, n, NULL);
				tight.max_depth = 5;
				assert_take_same(buf, n, &tight);
			}
		free(buf);
	}
}

/* --- summaries ------------------------------------------------------------- */

static void
assert_summary(const char *action, const char *want)
{
	char *t = with_action(action);
	struct ag_request *req = parse_ok(t);
	char *s = ag_request_summary(req);
	assert_string_equal(s, want);
	free(s);
	ag_request_free(&req);
	free(t);
}

static void
test_summary(void **state)
{
	(void)state;
	assert_summary("{\"kind\":\"exec\",\"command\":\"rm -rf build\",\"argv\":[\"rm\"]}",
	               "rm -rf build");
	assert_summary("{\"kind\":\"exec\",\"argv\":[\"rm\",\"-rf\",\"my dir\",\"it's\",\"\"]}",
	               "rm -rf 'my dir' 'it'\\''s' ''");
	assert_summary("{\"kind\":\"patch\",\"diff\":\"x\",\"files\":[\"a.c\",\"b.c\",\"c.c\"]}",
	               "patch 3 files: a.c, b.c, c.c");
	assert_summary("{\"kind\":\"patch\",\"diff\":\"x\",\"files\":[\"a\",\"b\",\"c\",\"d\"]}",
	               "patch 4 files: a, b, c, ...");
	assert_summary("{\"kind\":\"patch\",\"diff\":\"--- a/src/x.c\\n+++ b/src/x.c\\n@@\\n"
	               "--- a/old.c\\n+++ /dev/null\\n\"}",
	               "patch 2 files: src/x.c, old.c");
	assert_summary("{\"kind\":\"patch\",\"diff\":\"+a\\n+b\\n\"}", "patch (2 lines)");
	assert_summary(
	    "{\"kind\":\"network\",\"host\":\"api.x\",\"port\":443,\"protocol\":\"https\","
	    "\"method\":\"GET\"}",
	    "GET api.x:443");
	assert_summary("{\"kind\":\"network\",\"host\":\"db\",\"port\":5432,\"protocol\":\"tcp\"}",
	               "tcp db:5432");
	assert_summary("{\"kind\":\"network\",\"host\":\"::1\",\"port\":80,\"protocol\":\"http\"}",
	               "http [::1]:80");
	assert_summary("{\"kind\":\"mcp\",\"server\":\"github\",\"tool\":\"create_issue\"}",
	               "mcp github/create_issue");
	assert_summary(
	    "{\"kind\":\"permission\",\"paths\":[{\"path\":\"/etc\",\"access\":\"read\"},"
	    "{\"path\":\"/o\",\"access\":\"write\"}],\"network\":true}",
	    "permission read /etc, write /o, network");
	assert_summary("{\"kind\":\"permission\",\"network\":false}", "permission no network");
}

static void
test_summary_is_short_and_valid_utf8(void **state)
{
	(void)state;
	/* 1000 three-byte characters: the cut must land between characters. */
	char *body = repeat("\xe2\x82\xac", 1000);
	for (size_t pre = 0; pre < 3; pre++) {
		char *action =
		    xasprintf("{\"kind\":\"exec\",\"command\":\"%.*s%s\"}", (int)pre, "xx", body);
		char *t = with_action(action);
		struct ag_request *req = parse_ok(t);
		char *s = ag_request_summary(req);
		assert_true(strlen(s) <= 200);
		assert_true(strlen(s) > 100);
		assert_true(ag_utf8_valid(s, strlen(s), NULL));
		assert_string_equal(s + strlen(s) - 3, "...");
		free(s);
		ag_request_free(&req);
		free(t);
		free(action);
	}
	free(body);
}

/* --- action keys and sorted JSON ------------------------------------------- */

static char *
key_of(const char *frame)
{
	struct ag_request *req = parse_ok(frame);
	char *key = ag_request_action_key(req);
	ag_request_free(&req);
	return key;
}

static void
test_action_key(void **state)
{
	(void)state;
	char *a = key_of("{\"v\":1,\"type\":\"request\",\"session\":\"s1\",\"action\":{\"kind\":"
	                 "\"exec\",\"command\":\"caf\xc3\xa9\",\"argv\":[\"a\",\"b\"]}}");
	/* Same action, other key order, other session and justification. */
	char *b = key_of("{\"v\":1,\"type\":\"request\",\"justification\":\"why\",\"action\":{"
	                 "\"argv\":[\"a\",\"b\"],\"command\":\"caf\xc3\xa9\",\"kind\":\"exec\"}}");
	/* argv order matters. */
	char *c = key_of("{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"exec\","
	                 "\"command\":\"caf\xc3\xa9\",\"argv\":[\"b\",\"a\"]}}");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_equal(a, "exec:{\"argv\":[\"a\",\"b\"],\"command\":\"caf\xc3\xa9\",\"kind\":"
	                       "\"exec\"}");
	free(a);
	free(b);
	free(c);

	/* Optional nulls and absent mcp arguments have one spelling. */
	a = key_of("{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"mcp\",\"server\":\"s\","
	           "\"tool\":\"t\"}}");
	b = key_of("{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"mcp\",\"server\":\"s\","
	           "\"tool\":\"t\",\"arguments\":{}}}");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = key_of("{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"network\",\"host\":\"h\","
	           "\"port\":1,\"protocol\":\"tcp\",\"url\":null}}");
	b = key_of("{\"v\":1,\"type\":\"request\",\"action\":{\"kind\":\"network\",\"host\":\"h\","
	           "\"port\":1,\"protocol\":\"tcp\"}}");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_print_sorted(void **state)
{
	(void)state;
	cJSON *j =
	    cJSON_Parse("{\"b\":{\"z\":[3,1,{\"y\":true,\"x\":null}],\"a\":false},"
	                "\"a\":\"q\\\"\\\\\\n\\t\\u0001\xc3\xa9/\",\"n\":[-3,1.5,1e300,0,0.1]}");
	assert_non_null(j);
	char *s = ag_json_print_sorted(j);
	assert_string_equal(s, "{\"a\":\"q\\\"\\\\\\n\\t\\u0001\xc3\xa9/\",\"b\":{\"a\":false,"
	                       "\"z\":[3,1,{\"x\":null,\"y\":true}]},\"n\":[-3,1.5,1e+300,0,0.1]}");
	/* What it prints is JSON that reads back as the same value. */
	cJSON *back = cJSON_Parse(s);
	assert_non_null(back);
	assert_true(cJSON_Compare(j, back, 1));
	cJSON_Delete(back);
	free(s);
	cJSON_Delete(j);
	cJSON *empty = cJSON_CreateObject();
	s = ag_json_print_sorted(empty);
	assert_string_equal(s, "{}");
	free(s);
	cJSON_Delete(empty);
}

/* The frames the hub and clients print: what cJSON_PrintUnformatted writes,
 * byte for byte, for everything but numbers that are not integers (there
 * ours reads back exactly, where cJSON may round). The expectation is
 * cJSON's own output. */
static void
test_print(void **state)
{
	(void)state;
	const char *texts[] = {
	    "{\"v\":1,\"type\":\"event\",\"created_ms\":1732695012345,\"n\":-42,\"z\":0,"
	    "\"big\":123456789012345,\"ok\":true,\"no\":false,\"none\":null,"
	    "\"s\":\"q\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\xc3\xa9/<\\u2028>\","
	    "\"a\":[[],{},[1,[2,{\"k\":\"\"}]]],\"dup\":1,\"dup\":2}",
	    "[]",
	    "\"just a string\"",
	    "{}",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		cJSON *j = cJSON_Parse(texts[i]);
		assert_non_null(j);
		char *want = cJSON_PrintUnformatted(j);
		char *got = ag_json_print(j);
		assert_string_equal(got, want);
		free(got);
		cJSON_free(want);
		cJSON_Delete(j);
	}
	/* Raw items go out as they are (the hub embeds text it printed once). */
	cJSON *f = cJSON_CreateObject();
	cJSON_AddRawToObject(f, "risk", "{\"score\":0}");
	cJSON_AddNumberToObject(f, "third", 0.1 + 0.2);
	char *s = ag_json_print(f);
	assert_string_equal(s, "{\"risk\":{\"score\":0},\"third\":0.30000000000000004}");
	cJSON *back = cJSON_Parse(s);
	assert_true(cJSON_GetObjectItem(back, "third")->valuedouble == 0.1 + 0.2);
	cJSON_Delete(back);
	free(s);
	cJSON_Delete(f);
}

/* --- decisions -------------------------------------------------------------- */

static void
assert_decision_rejected(const char *text, const char *needle)
{
	cJSON *f = cJSON_Parse(text);
	struct ag_decision_info d;
	struct ag_error err = {{0}};
	assert_non_null(f);
	assert_int_equal(ag_decision_from_json(f, &d, &err), -1);
	assert_contains(err.msg, needle);
	assert_null(d.reason); /* nothing left to free */
	cJSON_Delete(f);
}

static void
test_decision_roundtrip(void **state)
{
	(void)state;
	struct ag_decision_info d = {0}, back;
	struct ag_error err = {{0}};

	snprintf(d.id, sizeof d.id, "r-abc");
	d.decision = AG_DECISION_APPROVE_SESSION;
	d.by = AG_BY_HUMAN;
	d.reason = xstrdup("looks fine \xe2\x9c\x93");
	d.at_ms = 1700000000123;
	cJSON *f = ag_decision_to_json(&d);
	char *text = cJSON_PrintUnformatted(f);
	assert_contains(text, "\"type\":\"decision\"");
	assert_contains(text, "\"decision\":\"approve_session\"");
	assert_contains(text, "\"by\":\"human\"");
	assert_contains(text, "\"v\":1");
	cJSON *parsed = NULL;
	assert_int_equal(ag_frame_parse(text, strlen(text), NULL, &parsed, &err), 0);
	assert_int_equal(ag_decision_from_json(parsed, &back, &err), 0);
	assert_string_equal(back.id, "r-abc");
	assert_int_equal(back.decision, AG_DECISION_APPROVE_SESSION);
	assert_int_equal(back.by, AG_BY_HUMAN);
	assert_string_equal(back.reason, d.reason);
	assert_true(back.at_ms == d.at_ms);
	ag_decision_info_clear(&back);
	assert_null(back.reason);
	cJSON_Delete(parsed);
	free(text);
	cJSON_Delete(f);
	ag_decision_info_clear(&d);

	/* Extra fields the hub adds (risk, review) are allowed; reason may be absent. */
	cJSON *g =
	    cJSON_Parse("{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"decision\":\"deny\","
	                "\"by\":\"timeout\",\"risk\":{\"score\":1},\"review\":null}");
	assert_int_equal(ag_decision_from_json(g, &back, &err), 0);
	assert_string_equal(back.reason, "");
	assert_int_equal(back.by, AG_BY_TIMEOUT);
	assert_false(ag_decision_is_approval(back.decision));
	ag_decision_info_clear(&back);
	cJSON_Delete(g);
}

static void
test_decision_strict(void **state)
{
	(void)state;
	assert_decision_rejected("[]", "decision: expected an object");
	assert_decision_rejected("{\"type\":\"decision\",\"id\":\"r-1\",\"decision\":\"deny\","
	                         "\"by\":\"human\"}",
	                         "v: missing");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"request\",\"id\":\"r-1\",\"decision\":\"deny\","
	    "\"by\":\"human\"}",
	    "type: expected \"decision\"");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"decision\",\"decision\":\"deny\",\"by\":\"human\"}",
	    "id: missing");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"decision\",\"id\":\"../x\",\"decision\":\"deny\","
	    "\"by\":\"human\"}",
	    "id: invalid id");
	assert_decision_rejected("{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"by\":\"human\"}",
	                         "decision: missing");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"decision\":\"yes\","
	    "\"by\":\"human\"}",
	    "decision: unknown decision \"yes\"");
	assert_decision_rejected("{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"decision\":true,"
	                         "\"by\":\"human\"}",
	                         "decision: expected a string, got a boolean");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"decision\":\"deny\"}", "by: missing");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"decision\":\"deny\","
	    "\"by\":\"robot\"}",
	    "by: unknown decider \"robot\"");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"decision\":\"deny\","
	    "\"by\":\"human\",\"reason\":5}",
	    "reason: expected a string, got a number");
	assert_decision_rejected(
	    "{\"v\":1,\"type\":\"decision\",\"id\":\"r-1\",\"decision\":\"deny\","
	    "\"by\":\"human\",\"at_ms\":-1}",
	    "at_ms");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits_default),
	    cmocka_unit_test(test_id_valid),
	    cmocka_unit_test(test_id_generate),
	    cmocka_unit_test(test_frame_minimal),
	    cmocka_unit_test(test_frame_size),
	    cmocka_unit_test(test_frame_large_diff_fits),
	    cmocka_unit_test(test_frame_nul),
	    cmocka_unit_test(test_frame_invalid_utf8),
	    cmocka_unit_test(test_frame_control_chars),
	    cmocka_unit_test(test_frame_depth),
	    cmocka_unit_test(test_depth_leaves_room_for_the_event),
	    cmocka_unit_test(test_frame_truncated_json),
	    cmocka_unit_test(test_frame_not_an_object),
	    cmocka_unit_test(test_frame_version_and_type),
	    cmocka_unit_test(test_frame_duplicate_keys),
	    cmocka_unit_test(test_frame_huge_arrays),
	    cmocka_unit_test(test_request_exec),
	    cmocka_unit_test(test_request_patch),
	    cmocka_unit_test(test_request_network),
	    cmocka_unit_test(test_request_mcp),
	    cmocka_unit_test(test_request_permission),
	    cmocka_unit_test(test_request_ignores_unknown_top_level),
	    cmocka_unit_test(test_request_top_level_types),
	    cmocka_unit_test(test_request_bad_ids),
	    cmocka_unit_test(test_request_kind),
	    cmocka_unit_test(test_request_exec_fields),
	    cmocka_unit_test(test_request_patch_fields),
	    cmocka_unit_test(test_request_network_fields),
	    cmocka_unit_test(test_request_mcp_fields),
	    cmocka_unit_test(test_request_permission_fields),
	    cmocka_unit_test(test_request_string_bounds),
	    cmocka_unit_test(test_request_from_tree),
	    cmocka_unit_test(test_request_mutations),
	    cmocka_unit_test(test_request_take),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_summary_is_short_and_valid_utf8),
	    cmocka_unit_test(test_action_key),
	    cmocka_unit_test(test_print_sorted),
	    cmocka_unit_test(test_print),
	    cmocka_unit_test(test_decision_roundtrip),
	    cmocka_unit_test(test_decision_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
