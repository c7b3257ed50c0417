/* The slow paths core/jsonstr.c stands in for, kept here as references for
 * test_jsonstr and fuzz_jsonstr: request.c's raw scans of a frame line
 * (scan_encoding, then scan_structure, as they were when jsonstr.c was
 * written; verdicts only, not messages) and its byte-loop printer. The
 * unescaping reference is cJSON itself. */
#ifndef AGATE_TESTS_JSONSTR_REF_H
#define AGATE_TESTS_JSONSTR_REF_H

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/utf8.h"

static int
ref_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 0 when the line passes request.c's raw checks, with *wide and *deepest. */
static int
ref_scan(const char *buf, size_t len, int max_depth, int *wide, int *deepest)
{
	int depth = 0, in_string = 0;

	*wide = 0;
	*deepest = 0;
	if (memchr(buf, '\0', len) != NULL || !ag_utf8_valid(buf, len, NULL))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (in_string) {
			if (c == '"') {
				in_string = 0;
			} else if (c == '\\') {
				if (i + 5 < len && buf[i + 1] == 'u' && buf[i + 2] == '0' &&
				    buf[i + 3] == '0' && buf[i + 4] == '0' && buf[i + 5] == '0')
					return -1;
				if (i + 1 < len && buf[i + 1] == 'u') {
					for (size_t k = 2; k < 6; k++)
						if (i + k >= len || !ref_is_hex(buf[i + k]))
							return -1;
					if (buf[i + 2] != '0' || buf[i + 3] != '0' ||
					    !(buf[i + 4] >= '0' && buf[i + 4] <= '7'))
						*wide = 1;
				}
				i++;
			} else if (c < 0x20) {
				return -1;
			}
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return -1;
			if (depth > *deepest)
				*deepest = depth;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		}
	}
	return 0;
}

/* request.c's json_put_string before jsonstr.c, into out (room 6 * n);
 * returns the length, quotes not included. */
static size_t
ref_escape(char *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		if (c >= 0x20 && c != '"' && c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default: break;
		}
		if (esc != NULL) {
			memcpy(out + o, esc, 2);
			o += 2;
		} else {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[c >> 4];
			out[o + 5] = hex[c & 15];
			o += 6;
		}
	}
	return o;
}

/* cJSON's unescaping of a string body: the string (owned, free()) and its
 * length, or NULL when cJSON refuses it. */
static char *
ref_unescape(const char *body, size_t n, size_t *outlen)
{
	char *lit = malloc(n + 2);
	lit[0] = '"';
	memcpy(lit + 1, body, n);
	lit[n + 1] = '"';
	cJSON *j = cJSON_ParseWithLengthOpts(lit, n + 2, NULL, 0);
	free(lit);
	if (j == NULL || !cJSON_IsString(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	*outlen = strlen(j->valuestring);
	char *s = malloc(*outlen + 1);
	memcpy(s, j->valuestring, *outlen + 1);
	cJSON_Delete(j);
	return s;
}

/* Whether two trees print the same, member by member in order: unlike
 * cJSON_Compare, which looks members up by name, this tells apart objects
 * with duplicate keys (which the frame checks refuse later, but which
 * must parse the same here). */
static int
same_tree(const cJSON *a, const cJSON *b)
{
	char *x = cJSON_PrintUnformatted(a), *y = cJSON_PrintUnformatted(b);
	int same = x != NULL && y != NULL && strcmp(x, y) == 0;
	cJSON_free(x);
	cJSON_free(y);
	return same;
}

#endif
