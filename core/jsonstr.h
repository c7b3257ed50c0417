/* JSON string text at memory speed: escaping for the printer, the raw
 * checks a frame line gets before cJSON sees it, and parsing a line whose
 * one long string (a diff) is unescaped here instead of byte by byte in
 * cJSON. Every function gives the same answer as the slow path it stands
 * in for (core/request.c's scans and printer, cJSON's parse_string); the
 * unit tests and tests/fuzz/fuzz_jsonstr.c compare the two.
 *
 * Where a fast path cannot be sure (an unusual escape, a bad byte), it
 * says so and the caller runs the slow path, which also names the
 * problem: the fast paths never need error messages of their own. */
#ifndef AGATE_CORE_JSONSTR_H
#define AGATE_CORE_JSONSTR_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Strings at least this long are unescaped by ag_jsonstr_parse rather than
 * by cJSON: below it cJSON's own loop costs less than the elided copy. */
#define AG_JSONSTR_ELIDE_MIN (64 * 1024)

/* How many bytes at the start of s (n of them) need no escape in JSON: not
 * '"', '\\' or a control character (< 0x20). */
size_t ag_jsonstr_plain_run(const char *s, size_t n);

/* The length of s escaped as cJSON_PrintUnformatted escapes it (\" \\ \b
 * \f \n \r \t, other controls as \u00xx; everything else as is), without
 * the quotes. */
size_t ag_jsonstr_escaped_len(const char *s, size_t n);

/* Writes s escaped into dst, which has room for ag_jsonstr_escaped_len(s,
 * n) bytes; returns that many. No quotes, no NUL. */
size_t ag_jsonstr_escape(char *dst, const char *s, size_t n);

/* Appends s, escaped and in quotes, to the growable buffer *buf (*len
 * bytes used of *cap allocated; xrealloc'd, a NUL kept after the text).
 * One pass: room is reserved for the text as it is and grown only when
 * escapes outrun it. */
void ag_jsonstr_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);

/* Unescapes the body of a JSON string literal (the n bytes between its
 * quotes) into dst (room for n bytes), as cJSON's parse_string would.
 * Returns the length written, or -1 for what it leaves to cJSON: an escape
 * other than \" \\ \/ \b \f \n \r \t and \u0001..\u007f (so \u0000, code
 * points past ASCII, surrogates and malformed escapes all go back to
 * cJSON, which accepts or refuses them as it always did). dst may also lie
 * in the same block as s, at least AG_JSONSTR_UNESCAPE_BEHIND bytes before
 * it: bytes past what it has written are scratch as it goes, and that far
 * behind they never reach input not read yet. */
#define AG_JSONSTR_UNESCAPE_BEHIND 32
long ag_jsonstr_unescape(char *dst, const char *s, size_t n);

/* 1 when the n bytes are strict UTF-8; else 0 and *bad (if non-NULL) is
 * the offset of the first invalid byte: ag_utf8_valid's verdict and
 * offset, with ASCII skipped 16 bytes at a time. */
int ag_jsonstr_utf8_valid(const char *s, size_t n, size_t *bad);

/* What one pass over a frame line found (ag_jsonstr_scan). */
struct ag_jsonstr_scan {
	int wide;    /* some \u escape stands for more than ASCII */
	int deepest; /* deepest nesting of [ and { */
	/* The longest string literal: the offset of its opening quote, the
	 * length of its body, and how many string literals (keys included)
	 * come before it. long_len 0: none. */
	size_t long_off, long_len, long_index;
	int long_wide; /* it has a \u escape past ASCII (left to cJSON) */
};

/* The raw checks of a frame line in one pass: no NUL byte, strict UTF-8,
 * nesting at most max_depth, no raw control character inside a string, no
 * \u0000, every \u escape with four hex digits. Returns 0 when the line
 * passes them all (with *out filled as request.c's scans would), -1 when
 * it does not or this pass is unsure (an escape cJSON would refuse): the
 * caller then runs the slow scans, which say what is wrong. */
int ag_jsonstr_scan(const char *buf, size_t len, int max_depth, struct ag_jsonstr_scan *out);

/* cJSON_ParseWithLengthOpts(buf, len, end, 0), with the line's longest
 * string (from ag_jsonstr_scan over the same bytes) unescaped by
 * ag_jsonstr_unescape when it is at least AG_JSONSTR_ELIDE_MIN long: cJSON
 * parses a copy of the line with that string empty, and the string is put
 * into the tree after. Whenever that cannot be done exactly (cJSON refuses
 * the copy, an escape is left to cJSON, the string is a key or outside the
 * value), the whole line goes to cJSON as before, so the tree, the
 * failures and *end are the same as cJSON's. The caller owns the result
 * (cJSON_Delete). */
cJSON *ag_jsonstr_parse(const char *buf, size_t len, const struct ag_jsonstr_scan *scan,
                        const char **end);
/* The same, eliding the longest string whatever its length (for tests
 * and fuzzing, which cannot afford 64 KiB inputs). */
/* ag_jsonstr_parse for a line in a block the caller gives up if asked:
 * buf is a malloc'd block (malloc's, so this is for processes that leave
 * cJSON's allocator as it is) that starts with the line. When the long
 * string can be unescaped where it lies, the block becomes that string
 * (shrunk to fit), *taken is set and *end is NULL (only blanks followed
 * the value); the caller must not touch buf again. Otherwise *taken is 0
 * and buf is as it was. Saves a 3 MB diff a copy into fresh memory. */
cJSON *ag_jsonstr_parse_inplace(char *buf, size_t len, const struct ag_jsonstr_scan *scan,
                                const char **end, int *taken);
cJSON *ag_jsonstr_parse_elided(const char *buf, size_t len, const struct ag_jsonstr_scan *scan,
                               const char **end);

#endif
