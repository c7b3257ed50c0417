/* Fuzz target: core/jsonstr's fast paths against the slow ones they replace
 * (tests/unit/jsonstr_ref.h), on the same bytes:
 *
 *   escaping       the bytes as a string: the same escaped text as the old
 *                  printer, in exactly the length it announced, and the
 *                  same when appended to a buffer;
 *   unescaping     the bytes as a string literal's body: when ours
 *                  unescapes it, cJSON does too, to the same bytes;
 *   UTF-8          the same verdict and offset as ag_utf8_valid;
 *   the frame scan when it passes a line, request.c's scans pass it with
 *                  the same findings; when they refuse it, so does it;
 *   parsing        with the longest string elided and put back: the same
 *                  tree as cJSON, or the same refusal, and the same end.
 *
 * Any disagreement aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonstr.h"
#include "core/utf8.h"
#include "tests/unit/jsonstr_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fuzz_jsonstr: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

static void
check_escape(const char *s, size_t n)
{
	char *want = malloc(6 * n + 1);
	size_t wn = ref_escape(want, s, n);
	CHECK(ag_jsonstr_escaped_len(s, n) == wn);
	char *got = malloc(wn ? wn : 1); /* exactly the room announced */
	CHECK(ag_jsonstr_escape(got, s, n) == wn);
	CHECK(memcmp(got, want, wn) == 0);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ag_jsonstr_append(&buf, &len, &cap, s, n);
	CHECK(len == wn + 2 && cap > len && buf[0] == '"' && buf[len - 1] == '"' &&
	      buf[len] == '\0');
	CHECK(memcmp(buf + 1, want, wn) == 0);
	free(buf);
	free(got);
	free(want);
}

/* Whether s is a string literal's body cJSON would read to its end: no
 * NUL, no quote that is not escaped, no backslash escaping the end. */
static int
is_body(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0' || s[i] == '"')
			return 0;
		if (s[i] == '\\') {
			if (i + 1 >= n || s[i + 1] == '\0')
				return 0;
			i++;
		}
	}
	return 1;
}

static void
check_unescape(const char *s, size_t n)
{
	char *got = malloc(n ? n : 1);
	long g = ag_jsonstr_unescape(got, s, n);
	if (g >= 0 && is_body(s, n)) {
		size_t wn = 0;
		char *want = ref_unescape(s, n, &wn);
		CHECK(want != NULL);
		CHECK((size_t)g == wn);
		CHECK(memcmp(got, want, wn) == 0);
		/* In place, as close behind the input as the contract allows. */
		char *block = malloc(AG_JSONSTR_UNESCAPE_BEHIND + n);
		memcpy(block + AG_JSONSTR_UNESCAPE_BEHIND, s, n);
		CHECK(ag_jsonstr_unescape(block, block + AG_JSONSTR_UNESCAPE_BEHIND, n) == g);
		CHECK(memcmp(block, want, wn) == 0);
		free(block);
		free(want);
	}
	free(got);
}

static void
check_utf8(const char *s, size_t n)
{
	size_t wb = 0, gb = 0;
	int w = ag_utf8_valid(s, n, &wb), g = ag_jsonstr_utf8_valid(s, n, &gb);
	CHECK(w == g);
	CHECK(w || wb == gb);
}

static void
check_scan_and_parse(const char *s, size_t n, int max_depth)
{
	struct ag_jsonstr_scan sc;
	int wide, deepest;
	int ref = ref_scan(s, n, max_depth, &wide, &deepest);
	int got = ag_jsonstr_scan(s, n, max_depth, &sc);
	if (ref != 0)
		CHECK(got == -1);
	if (got != 0)
		return;
	CHECK(ref == 0 && sc.wide == wide && sc.deepest == deepest);
	if (sc.long_len > 0)
		CHECK(sc.long_off + sc.long_len + 1 < n && s[sc.long_off] == '"' &&
		      s[sc.long_off + sc.long_len + 1] == '"');
	const char *we = NULL, *ce = NULL;
	cJSON *want = cJSON_ParseWithLengthOpts(s, n, &ce, 0);
	cJSON *gotj = ag_jsonstr_parse_elided(s, n, &sc, &we);
	CHECK((want == NULL) == (gotj == NULL));
	CHECK(we == ce);
	if (want != NULL)
		CHECK(same_tree(want, gotj));
	cJSON_Delete(want);
	cJSON_Delete(gotj);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_escape(s, size);
	check_unescape(s, size);
	check_utf8(s, size);
	/* The first byte picks a nesting bound, so depth errors are reached
	 * on short inputs too. */
	check_scan_and_parse(s, size, size > 0 ? 1 + data[0] % 8 : 64);
	check_scan_and_parse(s, size, 64);
	return 0;
}
