/* core/jsonstr: each fast path against the slow one it replaces (request.c's
 * byte loops, cJSON's parse_string, ag_utf8_valid), on every byte value,
 * hostile UTF-8 (overlongs, surrogates, truncations, past U+10FFFF), every
 * escape cJSON knows and some it refuses, and random mixes of them at
 * every alignment around the 16-byte blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/jsonstr.h"
#include "core/request.h"
#include "core/utf8.h"
#include "tests/unit/jsonstr_ref.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* --- escaping ------------------------------------------------------------ */

static void
check_escape(const char *s, size_t n)
{
	char *want = malloc(6 * n + 1), *got = malloc(6 * n + 1);
	size_t wn = ref_escape(want, s, n);
	assert_int_equal(ag_jsonstr_escaped_len(s, n), wn);
	/* Exactly the room it asks for: ASan catches a write past it. */
	char *tight = malloc(wn ? wn : 1);
	assert_int_equal(ag_jsonstr_escape(tight, s, n), wn);
	assert_memory_equal(tight, want, wn);
	memcpy(got, tight, wn);
	free(tight);
	/* Appended to a buffer that starts empty, small or part full: the
	 * same bytes in quotes, the text before kept, a NUL after. */
	for (size_t start = 0; start < 3; start++) {
		size_t len = 0, cap = start == 0 ? 0 : start == 1 ? 1 : 40;
		char *buf = cap ? malloc(cap) : NULL;
		if (start == 2) {
			memcpy(buf, "[1,", 4);
			len = 3;
		}
		ag_jsonstr_append(&buf, &len, &cap, s, n);
		size_t pre = start == 2 ? 3 : 0;
		assert_int_equal(len, pre + wn + 2);
		assert_true(cap > len);
		assert_memory_equal(buf, "[1,", pre);
		assert_int_equal(buf[pre], '"');
		assert_memory_equal(buf + pre + 1, want, wn);
		assert_int_equal(buf[pre + wn + 1], '"');
		assert_int_equal(buf[len], '\0');
		free(buf);
	}
	/* What cJSON prints for the same string (when it has no NUL). */
	if (memchr(s, '\0', n) == NULL) {
		char *z = malloc(n + 1);
		memcpy(z, s, n);
		z[n] = '\0';
		cJSON *j = cJSON_CreateString(z);
		char *p = cJSON_PrintUnformatted(j);
		assert_int_equal(strlen(p), wn + 2);
		assert_memory_equal(p + 1, got, wn);
		cJSON_free(p);
		cJSON_Delete(j);
		free(z);
	}
	free(want);
	free(got);
}

static void
test_escape_every_byte(void **state)
{
	(void)state;
	char s[300];
	/* Each byte alone, and in a run long enough for the block loop, at
	 * each position of a block. */
	for (int c = 0; c < 256; c++) {
		s[0] = (char)c;
		check_escape(s, 1);
		for (int at = 0; at < 40; at++) {
			memset(s, 'a', 64);
			s[at] = (char)c;
			check_escape(s, 64);
			check_escape(s + 1, 47);
		}
	}
}

static void
test_escape_dense(void **state)
{
	(void)state;
	/* Every byte a six-byte escape: the appending pass must grow its
	 * buffer many times over on the way. */
	char s[5000];
	for (size_t i = 0; i < sizeof s; i++)
		s[i] = (char)(1 + i % 31);
	check_escape(s, sizeof s);
	memset(s, '"', sizeof s);
	check_escape(s, sizeof s);
}

static void
test_escape_known(void **state)
{
	(void)state;
	char out[64];
	const char *s = "a\"b\\c\nd\te\x01\x1f\x7f\xc3\xa9";
	size_t n = ag_jsonstr_escape(out, s, strlen(s));
	/* Written out by hand, not by the code under test. */
	const char *want = "a\\\"b\\\\c\\nd\\te\\u0001\\u001f\x7f\xc3\xa9";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	assert_int_equal(ag_jsonstr_plain_run("abc\"", 4), 3);
	assert_int_equal(ag_jsonstr_plain_run("0123456789abcdefghij\n", 21), 20);
	assert_int_equal(ag_jsonstr_plain_run("\xff\xfe", 2), 2);
}

static void
test_escape_random(void **state)
{
	(void)state;
	static const char pick[] = "aZ \"\\\n\t\r\b\f\x01\x1f\x7f\x80\xff/u";
	char s[200];
	for (int round = 0; round < 20000; round++) {
		size_t n = rnd() % sizeof s;
		for (size_t i = 0; i < n; i++)
			s[i] =
			    rnd() % 3 ? (char)('a' + rnd() % 26) : pick[rnd() % (sizeof pick - 1)];
		check_escape(s, n);
	}
}

/* --- unescaping ---------------------------------------------------------- */

/* Ours either agrees with cJSON byte for byte, or leaves the body to cJSON
 * (-1): then the body has an escape outside the fast set. */
static void
check_unescape(const char *body, size_t n)
{
	char *got = malloc(n ? n : 1);
	long g = ag_jsonstr_unescape(got, body, n);
	size_t wn = 0;
	char *want = ref_unescape(body, n, &wn);
	if (g >= 0) {
		assert_non_null(want);
		assert_int_equal((size_t)g, wn);
		assert_memory_equal(got, want, wn);
		/* In place, the closest behind its input the contract allows:
		 * the same bytes. */
		char *block = malloc(AG_JSONSTR_UNESCAPE_BEHIND + n);
		memcpy(block + AG_JSONSTR_UNESCAPE_BEHIND, body, n);
		assert_int_equal(ag_jsonstr_unescape(block, block + AG_JSONSTR_UNESCAPE_BEHIND, n),
		                 g);
		assert_memory_equal(block, want, wn);
		free(block);
	} else {
		int odd = 0;
		for (size_t i = 0; i < n; i++) {
			if (body[i] != '\\')
				continue;
			char e = i + 1 < n ? body[i + 1] : 0;
			if (strchr("\"\\/bfnrt", e) == NULL || e == 0) {
				if (e == 'u' && i + 5 < n && ref_is_hex(body[i + 2]) &&
				    ref_is_hex(body[i + 3]) && ref_is_hex(body[i + 4]) &&
				    ref_is_hex(body[i + 5])) {
					char hex[5] = {body[i + 2], body[i + 3], body[i + 4],
					               body[i + 5], 0};
					unsigned long v = strtoul(hex, NULL, 16);
					if (v > 0 && v < 0x80) {
						i += 5;
						continue;
					}
				}
				odd = 1;
				break;
			}
			i++;
		}
		assert_true(odd);
	}
	free(want);
	free(got);
}

static void
test_unescape_known(void **state)
{
	(void)state;
	char out[64];
	const char *body = "a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\\u0041\\u007f";
	long n = ag_jsonstr_unescape(out, body, strlen(body));
	const char *want = "a\"b\\c/d\b\f\n\r\teA\x7f";
	assert_int_equal(n, (long)strlen(want));
	assert_memory_equal(out, want, (size_t)n);
	/* Left to cJSON: NUL, past ASCII, surrogates, unknown, truncated. */
	static const char *const left[] = {"\\u0000", "\\u0080", "\\u00e9", "\\ud800\\udc00",
	                                   "\\x41",   "\\u12",   "\\",      "abc\\",
	                                   "\\U0041", "\\u00g1", "\\'"};
	for (size_t i = 0; i < sizeof left / sizeof left[0]; i++) {
		assert_int_equal(ag_jsonstr_unescape(out, left[i], strlen(left[i])), -1);
		check_unescape(left[i], strlen(left[i]));
	}
}

static void
test_unescape_random(void **state)
{
	(void)state;
	static const char *const pieces[] = {"a",
	                                     "xyz",
	                                     "\\n",
	                                     "\\t",
	                                     "\\\"",
	                                     "\\\\",
	                                     "\\/",
	                                     "\\b",
	                                     "\\f",
	                                     "\\r",
	                                     "\\u0041",
	                                     "\\u007F",
	                                     "\\u001f",
	                                     "\\u0000",
	                                     "\\u00e9",
	                                     "\\ud83d\\ude00",
	                                     "\\q",
	                                     "\xc3\xa9",
	                                     "0123456789abcdef",
	                                     "\x01",
	                                     "\\u",
	                                     "\\uZZZZ",
	                                     "\\u0",
	                                     " "};
	char body[400];
	for (int round = 0; round < 20000; round++) {
		size_t n = 0, want = rnd() % 300;
		while (n < want) {
			const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			size_t l = strlen(p);
			if (n + l > sizeof body)
				break;
			memcpy(body + n, p, l);
			n += l;
		}
		check_unescape(body, n);
	}
}

/* --- UTF-8 --------------------------------------------------------------- */

static void
check_utf8(const char *s, size_t n)
{
	size_t want_bad = (size_t)-1, got_bad = (size_t)-1;
	int want = ag_utf8_valid(s, n, &want_bad);
	int got = ag_jsonstr_utf8_valid(s, n, &got_bad);
	assert_int_equal(got, want);
	if (!want)
		assert_int_equal(got_bad, want_bad);
}

static void
test_utf8_hostile(void **state)
{
	(void)state;
	static const char *const seqs[] = {"\xc3\xa9",
	                                   "\xe2\x82\xac",
	                                   "\xf0\x9f\x98\x80",
	                                   "\xc0\xaf",
	                                   "\xc1\xbf",
	                                   "\xe0\x80\xaf",
	                                   "\xe0\x9f\xbf",
	                                   "\xf0\x80\x80\xaf",
	                                   "\xf0\x8f\xbf\xbf",
	                                   "\xed\xa0\x80",
	                                   "\xed\xbf\xbf",
	                                   "\xed\x9f\xbf",
	                                   "\xf4\x90\x80\x80",
	                                   "\xf4\x8f\xbf\xbf",
	                                   "\xf5\x80\x80\x80",
	                                   "\xff",
	                                   "\xfe",
	                                   "\x80",
	                                   "\xbf",
	                                   "\xc3",
	                                   "\xe2\x82",
	                                   "\xf0\x9f\x98",
	                                   "\xe2\x28\xa1",
	                                   "\xef\xbb\xbf"};
	char s[64];
	/* Every byte value and every pair, then the hostile sequences at
	 * each offset of a block, before ASCII and at the very end. */
	for (int a = 0; a < 256; a++) {
		s[0] = (char)a;
		check_utf8(s, 1);
		for (int b = 0; b < 256; b++) {
			s[1] = (char)b;
			check_utf8(s, 2);
		}
	}
	for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++)
		for (size_t at = 0; at < 40; at++) {
			size_t l = strlen(seqs[k]);
			memset(s, 'x', sizeof s);
			memcpy(s + at, seqs[k], l);
			check_utf8(s, sizeof s);
			check_utf8(s, at + l);
		}
}

static void
test_utf8_random(void **state)
{
	(void)state;
	char s[128];
	for (int round = 0; round < 50000; round++) {
		size_t n = rnd() % sizeof s;
		for (size_t i = 0; i < n; i++)
			s[i] = rnd() % 4 ? (char)(rnd() % 128) : (char)(0x80 + rnd() % 128);
		check_utf8(s, n);
	}
}

/* --- the frame scan ------------------------------------------------------ */

/* When the fast scan passes a line, the slow one must too, with the same
 * findings; when the slow one refuses it, so must the fast one. */
static void
check_scan(const char *buf, size_t len, int max_depth)
{
	struct ag_jsonstr_scan sc;
	int wide, deepest;
	int ref = ref_scan(buf, len, max_depth, &wide, &deepest);
	int got = ag_jsonstr_scan(buf, len, max_depth, &sc);
	if (ref != 0) {
		assert_int_equal(got, -1);
		return;
	}
	if (got != 0)
		return; /* unsure: the caller runs the slow scan, which passes */
	assert_int_equal(sc.wide, wide);
	assert_int_equal(sc.deepest, deepest);
	if (sc.long_len > 0) {
		assert_true(sc.long_off + sc.long_len + 1 < len);
		assert_int_equal(buf[sc.long_off], '"');
		assert_int_equal(buf[sc.long_off + sc.long_len + 1], '"');
	}
}

static void
test_scan_known(void **state)
{
	(void)state;
	struct ag_jsonstr_scan sc;
	const char *ok = "{\"v\":1,\"a\":[{\"k\":\"0123456789 long one\\n\"}],\"w\":\"\\u00e9\"}";
	assert_int_equal(ag_jsonstr_scan(ok, strlen(ok), 64, &sc), 0);
	assert_int_equal(sc.deepest, 3);
	assert_int_equal(sc.wide, 1);
	/* "v" "a" "k" before it: the fourth literal. */
	assert_int_equal(sc.long_index, 3);
	assert_int_equal(sc.long_len, strlen("0123456789 long one\\n"));
	assert_memory_equal(ok + sc.long_off, "\"0123456789", 11);

	static const char *const bad[] = {
	    "{\"a\":\"x\x01y\"}",  "{\"a\":\"\\u0000\"}",
	    "{\"a\":\"\\u00G0\"}", "{\"a\":\"\xc0\xaf\"}",
	    "{\"a\":1}\xff",       "{\"a\":\"\\u12\"}",
	    "[[[[1]]]]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ag_jsonstr_scan(bad[i], strlen(bad[i]), 3, &sc), -1);
		check_scan(bad[i], strlen(bad[i]), 3);
	}
	/* A NUL outside any string. */
	assert_int_equal(ag_jsonstr_scan("{}\0", 3, 3, &sc), -1);
}

static void
test_scan_random(void **state)
{
	(void)state;
	/* Mostly what frames hold, now and then what the scan must refuse. */
	static const char *const good[] = {"{",
	                                   "}",
	                                   "[",
	                                   "]",
	                                   "\"",
	                                   "\"k\":",
	                                   ",",
	                                   ":",
	                                   "1",
	                                   "abc",
	                                   "\\n",
	                                   "\\\"",
	                                   "\\\\",
	                                   "\\u0041",
	                                   "\\u00e9",
	                                   "\xc3\xa9",
	                                   " ",
	                                   "\\/",
	                                   "0123456789abcdef0123",
	                                   "\\ud800",
	                                   "\x7f",
	                                   "\xf0\x9f\x98\x80"};
	static const char *const bad[] = {"\\u0000",      "\\u12",   "\\x",  "\x01",
	                                  "\xed\xa0\x80", "\xff",    "\\",   "\t",
	                                  "\xc0\xaf",     "\\u00G0", "\x00", "\xf4\x90\x80\x80"};
	char buf[300];
	for (int round = 0; round < 50000; round++) {
		size_t n = 0, want = rnd() % 250;
		while (n < want) {
			const char *p = rnd() % 40 ? good[rnd() % (sizeof good / sizeof good[0])]
			                           : bad[rnd() % (sizeof bad / sizeof bad[0])];
			size_t l = p[0] == '\0' ? 1 : strlen(p);
			if (n + l > sizeof buf)
				break;
			memcpy(buf + n, p, l);
			n += l;
		}
		check_scan(buf, n, 1 + (int)(rnd() % 6));
	}
}

/* --- parsing with the long string elided --------------------------------- */

/* ag_jsonstr_parse_elided against cJSON on the same line: the same tree
 * (or both refuse) and the same end. */
static void
check_parse(const char *buf, size_t len)
{
	struct ag_jsonstr_scan sc;
	if (ag_jsonstr_scan(buf, len, 64, &sc) != 0)
		return;
	const char *we = NULL, *ce = NULL;
	cJSON *want = cJSON_ParseWithLengthOpts(buf, len, &ce, 0);
	cJSON *got = ag_jsonstr_parse_elided(buf, len, &sc, &we);
	if (want == NULL) {
		assert_null(got);
		assert_ptr_equal(we, ce);
		return;
	}
	assert_non_null(got);
	assert_true(same_tree(want, got));
	assert_ptr_equal(we, ce);
	cJSON_Delete(want);
	cJSON_Delete(got);
}

static void
test_parse_known(void **state)
{
	(void)state;
	static const char *const lines[] = {
	    "{\"v\":1,\"request\":{\"action\":{\"kind\":\"patch\",\"diff\":\"--- a\\n+++ "
	    "b\\n@@\\n+\\tx\\n\"}}}",
	    /* the longest literal is a key */
	    "{\"a very long key indeed\":\"x\"}",
	    /* in an array, with escapes cJSON must decode itself */
	    "[\"a\",\"\\u00e9\\ud83d\\ude00 and then some more text\",1]",
	    /* after the value: trailing data */
	    "{\"a\":1} \"a long string after the value\"",
	    /* refused by cJSON elsewhere */
	    "{\"a\":\"a long string that is fine\",\"b\":tru}",
	    "{\"a\":\"a long string with a bad escape \\q\"}",
	    "\"just a long top-level string\\n\"",
	    "{\"a\":\"short\",\"b\":\"the longest one, \\\"quoted\\\"\\t\"}  ",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		check_parse(lines[i], strlen(lines[i]));
}

static void
test_parse_random(void **state)
{
	(void)state;
	static const char *const pieces[] = {"a",        "\\n",     "\\t",  "\\\"",
	                                     "\\u0041",  "\\u00e9", "\\\\", "0123456789abcdef",
	                                     "\xc3\xa9", "\\/"};
	char buf[600];
	for (int round = 0; round < 5000; round++) {
		size_t n = (size_t)snprintf(buf, sizeof buf, "{\"v\":1,\"s\":[\"x\",{\"d\":\"");
		size_t want = n + rnd() % 400;
		while (n < want) {
			const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
			size_t l = strlen(p);
			if (n + l + 40 > sizeof buf)
				break;
			memcpy(buf + n, p, l);
			n += l;
		}
		n += (size_t)snprintf(buf + n, sizeof buf - n, "\"}],\"t\":\"end\"}%s",
		                      rnd() % 4 == 0 ? " x" : "");
		check_parse(buf, n);
	}
}

/* A frame of the size the console meets: the elided parse goes through
 * ag_frame_parse and gives the diff back byte for byte. */
static void
test_parse_big_frame(void **state)
{
	(void)state;
	size_t lines = 20000, cap = lines * 40;
	char *diff = malloc(cap);
	size_t o = 0;
	for (size_t i = 0; i < lines; i++)
		o += (size_t)snprintf(diff + o, cap - o, "%c\tint L%06zu = \"q\";\n",
		                      i % 3 ? ' ' : '+', i);
	assert_true(o < cap);
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "request");
	cJSON *a = cJSON_AddObjectToObject(f, "action");
	cJSON_AddStringToObject(a, "kind", "patch");
	cJSON_AddStringToObject(a, "diff", diff);
	char *line = cJSON_PrintUnformatted(f);
	struct ag_jsonstr_scan sc;
	assert_int_equal(ag_jsonstr_scan(line, strlen(line), 64, &sc), 0);
	assert_true(sc.long_len >= AG_JSONSTR_ELIDE_MIN);
	const char *end = NULL;
	cJSON *got = ag_jsonstr_parse(line, strlen(line), &sc, &end);
	assert_non_null(got);
	assert_ptr_equal(end, line + strlen(line));
	assert_true(same_tree(f, got));
	cJSON_Delete(got);
	cJSON *frame = NULL;
	struct ag_error err;
	assert_int_equal(ag_frame_parse(line, strlen(line), NULL, &frame, &err), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
	                        cJSON_GetObjectItemCaseSensitive(frame, "action"), "diff")
	                        ->valuestring,
	                    diff);
	cJSON_Delete(frame);
	/* A raw control character deep in the diff: still refused, with the
	 * slow scan's message and offset. */
	char *tab = strstr(line, "\\t");
	tab[0] = '\t';
	tab[1] = ' ';
	assert_int_equal(ag_frame_parse(line, strlen(line), NULL, &frame, &err), -1);
	char want[128];
	snprintf(want, sizeof want,
	         "frame: control character 0x09 in a string at byte %zu (must be escaped)",
	         (size_t)(tab - line));
	assert_string_equal(err.msg, want);
	cJSON_free(line);
	cJSON_Delete(f);
	free(diff);
}

/* A big line in a block of its own, as a bus client's line buffer holds
 * it: ag_jsonstr_parse_inplace gives cJSON's tree, taking the block only
 * when nothing can go wrong any more. */
static char *
big_line(const char *prefix, const char *suffix, const char *extra, size_t *len)
{
	size_t lines = 5000, cap = lines * 40 + strlen(prefix) + strlen(extra) + strlen(suffix) + 1;
	char *line = malloc(cap);
	size_t o = (size_t)snprintf(line, cap, "%s", prefix);
	for (size_t i = 0; i < lines; i++)
		o += (size_t)snprintf(line + o, cap - o, "%c\\tint L%06zu = \\\"q\\\";\\n",
		                      i % 3 ? ' ' : '+', i);
	o += (size_t)snprintf(line + o, cap - o, "%s%s", extra, suffix);
	assert_true(o < cap);
	*len = o;
	return line;
}

static void
check_inplace(const char *prefix, const char *suffix, const char *extra, int want_taken)
{
	size_t len;
	char *line = big_line(prefix, suffix, extra, &len);
	char *copy = malloc(len);
	memcpy(copy, line, len);
	struct ag_jsonstr_scan sc;
	assert_int_equal(ag_jsonstr_scan(line, len, 64, &sc), 0);
	assert_true(sc.long_len >= AG_JSONSTR_ELIDE_MIN);
	const char *ce = NULL, *we = NULL;
	cJSON *want = cJSON_ParseWithLengthOpts(copy, len, &ce, 0);
	int taken = -1;
	cJSON *got = ag_jsonstr_parse_inplace(line, len, &sc, &we, &taken);
	assert_int_equal(taken, want_taken);
	assert_int_equal(want == NULL, got == NULL);
	if (want != NULL)
		assert_true(same_tree(want, got));
	if (taken)
		assert_null(we);
	else {
		assert_ptr_equal(we - line, ce - copy);
		assert_memory_equal(line, copy, len); /* left as it was */
		free(line);
	}
	cJSON_Delete(want);
	cJSON_Delete(got); /* frees the block when taken (ASan, valgrind) */
	free(copy);
}

static void
test_parse_inplace(void **state)
{
	(void)state;
	const char *pre = "{\"v\":1,\"type\":\"request\",\"action\":{\"diff\":\"";
	check_inplace(pre, "\"}}", "", 1);
	check_inplace(pre, "\"}}  \r\n", "", 1);
	/* Left in its block: trailing data, an escape cJSON decodes, a
	 * string too near the block's start, a value cJSON refuses. */
	check_inplace(pre, "\"}} x", "", 0);
	check_inplace(pre, "\"}}", "\\u00e9", 0);
	check_inplace("[\"", "\"]", "", 0);
	check_inplace(pre, "\"}", "", 0);
	/* Through ag_frame_parse_inplace: taken, and a later refusal (no
	 * "v") still frees the block with the tree. */
	size_t len;
	char *line = big_line(pre, "\"}}", "", &len);
	cJSON *frame = NULL;
	struct ag_error err;
	int taken = 0;
	assert_int_equal(ag_frame_parse_inplace(line, len, NULL, &frame, &taken, &err), 0);
	assert_int_equal(taken, 1);
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(
	                           cJSON_GetObjectItemCaseSensitive(frame, "action"), "diff")
	                           ->valuestring,
	                       "+\tint L000000 = \"q\";\n \tint L000001"));
	cJSON_Delete(frame);
	line = big_line("{\"type\":\"request\",\"action\":{\"diff\":\"", "\"}}", "", &len);
	taken = 0;
	assert_int_equal(ag_frame_parse_inplace(line, len, NULL, &frame, &taken, &err), -1);
	assert_int_equal(taken, 1);
	assert_string_equal(err.msg, "v: missing (every frame carries \"v\":1)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_every_byte), cmocka_unit_test(test_escape_known),
	    cmocka_unit_test(test_escape_dense),      cmocka_unit_test(test_escape_random),
	    cmocka_unit_test(test_unescape_known),    cmocka_unit_test(test_unescape_random),
	    cmocka_unit_test(test_utf8_hostile),      cmocka_unit_test(test_utf8_random),
	    cmocka_unit_test(test_scan_known),        cmocka_unit_test(test_scan_random),
	    cmocka_unit_test(test_parse_known),       cmocka_unit_test(test_parse_random),
	    cmocka_unit_test(test_parse_big_frame),   cmocka_unit_test(test_parse_inplace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
