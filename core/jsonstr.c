/* JSON string text at memory speed (see jsonstr.h).
 *
 * The loops look at 16 bytes at a time (SSE2, which every x86-64 has;
 * elsewhere 8 bytes in a 64-bit word) for the few bytes that need
 * attention: quotes, backslashes, control characters and, where UTF-8 is
 * checked, bytes past ASCII. A 3 MB diff has two escapes a line (a tab and
 * the newline), so the work per escape matters as much as the skipping:
 * escapes are written in place, without a call per run. */
#include "core/jsonstr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/utf8.h"
#include "core/xmalloc.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define JS_SSE2 1
#endif

/* --- fresh memory --------------------------------------------------------- */

/* Writing megabytes into fresh memory takes a page fault every 4 KiB (on a
 * virtual machine, a third of the time of unescaping a diff); one madvise
 * maps the pages in a single call. For the n bytes at p that are about to
 * be written; small blocks are left alone, and a kernel without
 * MADV_POPULATE_WRITE (before 5.14) just faults as before. */
static void
prefault(void *p, size_t n)
{
#ifdef __linux__
	if (n < ((size_t)1 << 20))
		return;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + n) & ~(page - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, 23 /* MADV_POPULATE_WRITE */);
#else
	(void)p;
	(void)n;
#endif
}

/* --- finding the bytes that matter --------------------------------------- */

#ifndef JS_SSE2
static const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);

/* Bytes of w equal to c, as high bits. Exact for the lowest flagged byte (a
 * borrow only spreads above a byte that really matches), which is the
 * only one the callers use. */
static inline uint64_t
word_eq(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ones * c);
	return (x - ones) & ~x & highs;
}

static inline size_t
first_flag(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(m) / 8;
#else
	for (size_t k = 0; k < 8; k++, m <<= 8)
		if (m & (UINT64_C(0x80) << 56))
			return k;
	return 8;
#endif
}
#endif

/* How many leading bytes are not '"', '\\' or < 0x20 (bytes past ASCII
 * are plain here: the printer copies them). */
static inline size_t
plain_run(const char *s, size_t n)
{
	size_t i = 0;
#ifdef JS_SSE2
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f);
	for (; n - i >= 16; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(b, c1f), c1f); /* b <= 0x1f */
		int m = _mm_movemask_epi8(
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, q), _mm_cmpeq_epi8(b, bs)), ctl));
		if (m != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#else
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t m = word_eq(w, '"') | word_eq(w, '\\') | ((w - ones * 0x20) & ~w & highs);
		if (m != 0)
			return i + first_flag(m);
	}
#endif
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\' || c < 0x20)
			break;
	}
	return i;
}

/* How many leading bytes are plain ASCII string bytes: not '"', '\\',
 * < 0x20 or >= 0x80 (the frame scan checks UTF-8 as it goes). */
static inline size_t
scan_run(const char *s, size_t n)
{
	size_t i = 0;
#ifdef JS_SSE2
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20);
	for (; n - i >= 16; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* Signed: bytes >= 0x80 are negative, so below 0x20 too. */
		__m128i low = _mm_cmplt_epi8(b, sp);
		int m = _mm_movemask_epi8(
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, q), _mm_cmpeq_epi8(b, bs)), low));
		if (m != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#else
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t m = word_eq(w, '"') | word_eq(w, '\\') |
		             (((w - ones * 0x20) & ~w & highs) | (w & highs));
		if (m != 0)
			return i + first_flag(m);
	}
#endif
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
			break;
	}
	return i;
}

size_t
ag_jsonstr_plain_run(const char *s, size_t n)
{
	return plain_run(s, n);
}

/* --- escaping ------------------------------------------------------------ */

/* The escape of a byte that needs one: its second byte for the short ones
 * (\n), 0 for \u00xx. */
static inline char
short_escape(unsigned char c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	default: return 0;
	}
}

size_t
ag_jsonstr_escaped_len(const char *s, size_t n)
{
	size_t out = n, i = 0;

	for (;;) {
		i += plain_run(s + i, n - i);
		if (i >= n)
			return out;
		out += short_escape((unsigned char)s[i]) != 0 ? 1 : 5;
		i++;
	}
}

/* Writes the escape of c (which needs one) at o; returns the end. */
static inline char *
put_escape(char *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e = short_escape(c);

	*o++ = '\\';
	if (e != 0) {
		*o++ = e;
		return o;
	}
	o[0] = 'u';
	o[1] = '0';
	o[2] = '0';
	o[3] = hex[c >> 4];
	o[4] = hex[c & 15];
	return o + 5;
}

/* Escapes whole 16-byte blocks of s from *ip while at least 16 bytes are
 * left and *room (bytes free at o) holds a block and an escape; returns
 * the new end of the output. Each block is stored whole before its first
 * special byte is known: the escape then overwrites what followed that
 * byte, so there is no call per run (two per diff line). */
static inline char *
escape_blocks(char *o, size_t *room, const char *s, size_t n, size_t *ip)
{
	size_t i = *ip;
#ifdef JS_SSE2
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f);
	while (n - i >= 16 && *room >= 16 + 6) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(b, c1f), c1f);
		int m = _mm_movemask_epi8(
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, q), _mm_cmpeq_epi8(b, bs)), ctl));
		_mm_storeu_si128((__m128i *)(void *)o, b);
		if (m == 0) {
			o += 16;
			*room -= 16;
			i += 16;
			continue;
		}
		size_t k = (size_t)__builtin_ctz((unsigned)m);
		char *e = put_escape(o + k, (unsigned char)s[i + k]);
		*room -= (size_t)(e - o);
		o = e;
		i += k + 1;
	}
#else
	(void)room;
	(void)s;
	(void)n;
#endif
	*ip = i;
	return o;
}

/* The rest of s from i, byte runs and escapes; the room is known. */
static char *
escape_tail(char *o, const char *s, size_t n, size_t i)
{
	while (i < n) {
		size_t r = plain_run(s + i, n - i);
		memcpy(o, s + i, r);
		o += r;
		i += r;
		if (i < n)
			o = put_escape(o, (unsigned char)s[i++]);
	}
	return o;
}

size_t
ag_jsonstr_escape(char *dst, const char *s, size_t n)
{
	/* dst holds the whole escaped text, so the output still to come
	 * never has less room than the input still to read: blocks need no
	 * room check of their own. */
	size_t i = 0, room = SIZE_MAX;
	char *o = escape_blocks(dst, &room, s, n, &i);
	return (size_t)(escape_tail(o, s, n, i) - dst);
}

/* *buf (cap bytes) made at least need bytes. */
static void
reserve(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	*buf = xrealloc(*buf, c);
	*cap = c;
}

void
ag_jsonstr_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	size_t o = *len, i = 0;

	/* Room for the text as it is and a little: most strings have few
	 * escapes, and the blocks ask for more only when they run out. */
	reserve(buf, cap, o + n + n / 16 + 64);
	prefault(*buf + o, n);
	(*buf)[o++] = '"';
	while (n - i >= 16) {
		size_t room = *cap - o;
		char *e = escape_blocks(*buf + o, &room, s, n, &i);
		o = (size_t)(e - *buf);
		if (n - i >= 16)
			reserve(buf, cap, o + (n - i) + (n - i) / 8 + 64);
#ifndef JS_SSE2
		break;
#endif
	}
	reserve(buf, cap, o + 6 * (n - i) + 2);
	o = (size_t)(escape_tail(*buf + o, s, n, i) - *buf);
	(*buf)[o++] = '"';
	(*buf)[o] = '\0';
	*len = o;
}

/* --- unescaping ---------------------------------------------------------- */

/* What a one-letter escape stands for; 0: not one (\\u, or unknown). */
static const char unescapes[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t',
};

/* The escape at s[i] (a backslash), written at *o. Returns its length in
 * the input, or 0 for one left to cJSON. */
static inline size_t
take_escape(const char *s, size_t n, size_t i, char **o)
{
	if (n - i < 2)
		return 0;
	char c = unescapes[(unsigned char)s[i + 1]];
	if (c != 0) {
		*(*o)++ = c;
		return 2;
	}
	if (s[i + 1] != 'u' || n - i < 6)
		return 0;
	int v = 0;
	for (size_t k = 2; k < 6; k++) {
		int h = ag_hex_digit((unsigned char)s[i + k]);
		if (h < 0)
			return 0;
		v = v * 16 + h;
	}
	if (v == 0 || v >= 0x80)
		return 0; /* \u0000 and code points past ASCII: cJSON's */
	*(*o)++ = (char)v;
	return 6;
}

#ifdef JS_SSE2
/* Copies n bytes from src to o (o <= src: the copy may run backwards in
 * one block): 32 at once whatever n, then 16 at a time, reading and
 * writing up to 31 bytes past them; returns o + n. The runs between two
 * escapes of a diff are mostly shorter than 32, so the loop, and the
 * branch it would miss at each run's end, is mostly not entered. */
static inline char *
copy_run(char *o, const char *src, size_t n)
{
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)src),
	        b = _mm_loadu_si128((const __m128i *)(const void *)(src + 16));
	_mm_storeu_si128((__m128i *)(void *)o, a);
	_mm_storeu_si128((__m128i *)(void *)(o + 16), b);
	for (size_t j = 32; j < n; j += 16)
		_mm_storeu_si128((__m128i *)(void *)(o + j),
		                 _mm_loadu_si128((const __m128i *)(const void *)(src + j)));
	return o + n;
}
#endif

long
ag_jsonstr_unescape(char *dst, const char *s, size_t n)
{
	char *o = dst;
	size_t i = 0, k;

#ifdef JS_SSE2
	/* 64 bytes at a time, their backslashes walked as bits, the bytes
	 * between copied past where they end (the escape or the next copy
	 * writes over the excess). Room: the output never runs ahead of the
	 * input, and 32 bytes past the window are still inside the n of
	 * both while 96 are left. */
	const __m128i bs = _mm_set1_epi8('\\');
	while (n - i >= 96) {
		size_t base = i;
		uint64_t m = 0;
		for (int w = 0; w < 4; w++) {
			__m128i b =
			    _mm_loadu_si128((const __m128i *)(const void *)(s + base + 16 * w));
			m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, bs))
			     << (16 * w);
		}
		for (; m != 0; m &= m - 1) {
			size_t pos = base + (size_t)__builtin_ctzll(m);
			if (pos < i)
				continue; /* an escaped backslash */
			o = copy_run(o, s + i, pos - i);
			if ((k = take_escape(s, n, pos, &o)) == 0)
				return -1;
			i = pos + k;
		}
		if (i < base + 64) {
			o = copy_run(o, s + i, base + 64 - i);
			i = base + 64;
		}
	}
#endif
	while (i < n) {
		const char *bsl = memchr(s + i, '\\', n - i);
		size_t r = bsl != NULL ? (size_t)(bsl - (s + i)) : n - i;
		memmove(o, s + i, r); /* dst may lie before s in the same block */
		o += r;
		i += r;
		if (i >= n)
			break;
		if ((k = take_escape(s, n, i, &o)) == 0)
			return -1;
		i += k;
	}
	return (long)(o - dst);
}

/* --- UTF-8 --------------------------------------------------------------- */

/* How many leading bytes are ASCII. */
static inline size_t
ascii_run(const char *s, size_t n)
{
	size_t i = 0;
#ifdef JS_SSE2
	for (; n - i >= 16; i += 16) {
		int m = _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
		if (m != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#else
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if ((w & highs) != 0)
			return i + first_flag(w & highs);
	}
#endif
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	return i;
}

int
ag_jsonstr_utf8_valid(const char *s, size_t n, size_t *bad)
{
	size_t i = 0;
	uint32_t cp;

	for (;;) {
		i += ascii_run(s + i, n - i);
		if (i >= n)
			return 1;
		int k = ag_utf8_decode(s + i, n - i, &cp);
		if (k < 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += (size_t)k;
	}
}

/* --- the frame scan ------------------------------------------------------ */

/* The string literal whose opening quote is at buf[*at]: checked, and *at
 * moved past its closing quote. Returns -1 for what the slow scans should
 * look at (see ag_jsonstr_scan), or an unterminated string. */
/* The special byte at buf[i] inside a string (not a plain ASCII byte):
 * returns the offset just past what it starts (an escape, a code point),
 * 0 for the closing quote, or -1 for what the slow scans should look at. */
static inline long
scan_special(const char *buf, size_t len, size_t i, int *wide)
{
	unsigned char c = (unsigned char)buf[i];
	uint32_t cp;

	if (c == '"')
		return 0;
	if (c == '\\') {
		if (len - i < 2)
			return -1;
		char e = buf[i + 1];
		if (e != 'u')
			return unescapes[(unsigned char)e] != 0 ? (long)(i + 2)
			                                        : -1; /* cJSON refuses it */
		if (len - i < 6)
			return -1;
		for (size_t k = 2; k < 6; k++)
			if (ag_hex_digit((unsigned char)buf[i + k]) < 0)
				return -1;
		const char *h = buf + i + 2;
		if (h[0] == '0' && h[1] == '0' && h[2] == '0' && h[3] == '0')
			return -1;
		/* 0x0080 and up: request.c's test, digit by digit. */
		if (h[0] != '0' || h[1] != '0' || !(h[2] >= '0' && h[2] <= '7'))
			*wide = 1;
		return (long)(i + 6);
	}
	if (c < 0x20)
		return -1;
	int k = ag_utf8_decode(buf + i, len - i, &cp);
	return k < 0 ? -1 : (long)(i + (size_t)k);
}

#ifdef JS_SSE2
/* The special bytes of 64 at p ('"', '\\', < 0x20, >= 0x80) as bits. */
static inline uint64_t
specials64(const char *p)
{
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20);
	uint64_t m = 0;
	for (int k = 0; k < 4; k++) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		__m128i x = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, q), _mm_cmpeq_epi8(b, bs)),
		                         _mm_cmplt_epi8(b, sp));
		m |= (uint64_t)(unsigned)_mm_movemask_epi8(x) << (16 * k);
	}
	return m;
}
#endif

#ifdef JS_SSE2
/* Whether the 64 bytes at p, inside a string, pass without a look at each
 * special byte: only printable ASCII and the escapes a diff is made of
 * (\n \t \" \\ \/), no backslash escaped by another, no closing quote, and
 * no backslash last (its escape would run into the next block). Most
 * blocks of a diff do, in some twenty vector instructions where walking
 * their three or four escapes one by one cost a branch apiece. */
static inline int
simple_block(const char *p)
{
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), sp = _mm_set1_epi8(0x20),
	              n = _mm_set1_epi8('n'), t = _mm_set1_epi8('t'), sl = _mm_set1_epi8('/');
	uint64_t slash = 0, stop = 0, ok = 0;
	for (int k = 0; k < 4; k++) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		__m128i isq = _mm_cmpeq_epi8(b, q), isbs = _mm_cmpeq_epi8(b, bs);
		/* Signed: bytes >= 0x80 are negative, so below 0x20 too. */
		__m128i low = _mm_cmplt_epi8(b, sp);
		__m128i letter =
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, n), _mm_cmpeq_epi8(b, t)),
		                 _mm_cmpeq_epi8(b, sl));
		slash |= (uint64_t)(unsigned)_mm_movemask_epi8(isbs) << (16 * k);
		stop |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(isq, low)) << (16 * k);
		ok |= (uint64_t)(unsigned)_mm_movemask_epi8(
		          _mm_or_si128(letter, _mm_or_si128(isq, isbs)))
		      << (16 * k);
	}
	uint64_t escaped = slash << 1;
	return ((slash & escaped) | (stop & ~escaped) | (escaped & ~ok) | (slash >> 63)) == 0;
}
#endif

/* The string literal whose opening quote is at buf[*at]: checked, and *at
 * moved past its closing quote. Returns -1 for what the slow scans should
 * look at (see ag_jsonstr_scan), or an unterminated string. */
static int
scan_string(const char *buf, size_t len, size_t *at, int *wide)
{
	size_t i = *at + 1;
	long next;

#ifdef JS_SSE2
	/* 64 bytes at a time, their special bytes walked as bits: a diff has
	 * an escape every 18 bytes, and leaving a 16-byte loop at each cost
	 * a mispredicted branch apiece. Bits inside an escape or a code
	 * point already taken are passed over. */
	while (len - i >= 64) {
		if (simple_block(buf + i)) {
			i += 64;
			continue;
		}
		size_t base = i, done = i;
		for (uint64_t m = specials64(buf + base); m != 0; m &= m - 1) {
			size_t pos = base + (size_t)__builtin_ctzll(m);
			if (pos < done)
				continue;
			if ((next = scan_special(buf, len, pos, wide)) <= 0) {
				if (next < 0)
					return -1;
				*at = pos + 1;
				return 0;
			}
			done = (size_t)next;
		}
		i = done > base + 64 ? done : base + 64;
	}
#endif
	for (;;) {
		i += scan_run(buf + i, len - i);
		if (i >= len)
			return -1;
		if ((next = scan_special(buf, len, i, wide)) <= 0) {
			if (next < 0)
				return -1;
			break;
		}
		i = (size_t)next;
	}
	*at = i + 1;
	return 0;
}

int
ag_jsonstr_scan(const char *buf, size_t len, int max_depth, struct ag_jsonstr_scan *out)
{
	size_t i = 0, nstrings = 0;
	int depth = 0;
	uint32_t cp;

	memset(out, 0, sizeof *out);
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '"') {
			size_t start = i;
			int wide = 0;
			if (scan_string(buf, len, &i, &wide) < 0)
				return -1;
			out->wide |= wide;
			size_t body = i - start - 2;
			if (body > out->long_len) {
				out->long_off = start;
				out->long_len = body;
				out->long_index = nstrings;
				out->long_wide = wide;
			}
			nstrings++;
			continue;
		}
		if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return -1;
			if (depth > out->deepest)
				out->deepest = depth;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == '\0') {
			return -1;
		} else if (c >= 0x80) {
			int k = ag_utf8_decode(buf + i, len - i, &cp);
			if (k < 0)
				return -1;
			i += (size_t)k;
			continue;
		}
		i++;
	}
	return 0;
}

/* --- parsing with the long string elided --------------------------------- */

/* The string literal number *k of the tree, in the order of the text
 * (keys count, as in ag_jsonstr_scan), counting *k down. NULL with *key set
 * when that literal is a key; NULL with *k unchanged past the end when the
 * tree has fewer. */
static cJSON *
nth_string(cJSON *node, size_t *k, int *key)
{
	if (cJSON_IsString(node)) {
		if (*k == 0)
			return node;
		(*k)--;
		return NULL;
	}
	if (!cJSON_IsArray(node) && !cJSON_IsObject(node))
		return NULL;
	int object = cJSON_IsObject(node);
	for (cJSON *c = node->child; c != NULL; c = c->next) {
		if (object && c->string != NULL) {
			if (*k == 0) {
				*key = 1;
				return NULL;
			}
			(*k)--;
		}
		cJSON *found = nth_string(c, k, key);
		if (found != NULL || *key)
			return found;
	}
	return NULL;
}

/* The tree of buf with its long string taken out and put back; NULL when
 * that cannot be done exactly (see jsonstr.h). With mine (a block the
 * caller lets us have, holding buf), the string is unescaped where it lies
 * and the block becomes it, *taken set, when nothing can fail any more: no
 * escape is left to cJSON, only blanks follow the value, and the string
 * starts AG_JSONSTR_UNESCAPE_BEHIND bytes or more into the block (the
 * unescaping stores up to 31 bytes past what it has written). */
static cJSON *
parse_elided(const char *buf, size_t len, const struct ag_jsonstr_scan *scan, const char **end,
             char *mine, int *taken)
{
	size_t open = scan->long_off, body = scan->long_len, close = open + 1 + body;

	if (close >= len || buf[open] != '"' || buf[close] != '"')
		return NULL;
	/* The line with the string's body cut out: `"diff":""`. */
	size_t clen = len - body;
	char *copy = xmalloc(clen);
	memcpy(copy, buf, open + 1);
	memcpy(copy + open + 1, buf + close, len - close);
	const char *cend = NULL;
	cJSON *tree = cJSON_ParseWithLengthOpts(copy, clen, &cend, 0);
	size_t eoff = tree != NULL ? (size_t)(cend - copy) : 0;
	free(copy);
	if (tree == NULL)
		return NULL;
	/* The value ended before the string: it is trailing data, which the
	 * caller reports at the offset cJSON gives for the whole line. */
	if (eoff <= open + 1) {
		cJSON_Delete(tree);
		return NULL;
	}
	size_t k = scan->long_index;
	int key = 0;
	cJSON *node = nth_string(tree, &k, &key);
	if (node == NULL || node->valuestring == NULL || node->valuestring[0] != '\0') {
		cJSON_Delete(tree);
		return NULL;
	}
	if (end != NULL)
		*end = buf + eoff + body;
	int blank = 1;
	for (size_t i = eoff + body; i < len && blank; i++)
		blank = buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n';
	if (mine != NULL && mine == buf && !scan->long_wide &&
	    open + 1 >= AG_JSONSTR_UNESCAPE_BEHIND && blank) {
		long n = ag_jsonstr_unescape(mine, mine + open + 1, body);
		if (n < 0) {
			/* Cannot happen (the scan saw every escape); the block
			 * is spoilt, so the tree cannot stand either. */
			fprintf(stderr, "agate: unescaping a checked string failed\n");
			abort();
		}
		mine[n] = '\0';
		cJSON_free(node->valuestring);
		node->valuestring = xrealloc(mine, (size_t)n + 1);
		*taken = 1;
		if (end != NULL)
			*end = NULL; /* the line is gone: nothing but blanks followed */
		return tree;
	}
	/* cJSON's allocator: the tree frees it (cJSON_InitHooks may have
	 * replaced malloc, as agate score does). */
	char *text = cJSON_malloc(body + 1);
	if (text == NULL) {
		fprintf(stderr, "agate: out of memory (%zu bytes)\n", body + 1);
		abort();
	}
	prefault(text, body);
	long n = ag_jsonstr_unescape(text, buf + open + 1, body);
	if (n < 0) {
		cJSON_free(text);
		cJSON_Delete(tree);
		return NULL;
	}
	text[n] = '\0';
	cJSON_free(node->valuestring);
	node->valuestring = text;
	return tree;
}

cJSON *
ag_jsonstr_parse_elided(const char *buf, size_t len, const struct ag_jsonstr_scan *scan,
                        const char **end)
{
	if (scan != NULL && scan->long_len > 0) {
		cJSON *tree = parse_elided(buf, len, scan, end, NULL, NULL);
		if (tree != NULL)
			return tree;
	}
	return cJSON_ParseWithLengthOpts(buf, len, end, 0);
}

cJSON *
ag_jsonstr_parse(const char *buf, size_t len, const struct ag_jsonstr_scan *scan, const char **end)
{
	if (scan != NULL && scan->long_len >= AG_JSONSTR_ELIDE_MIN)
		return ag_jsonstr_parse_elided(buf, len, scan, end);
	return cJSON_ParseWithLengthOpts(buf, len, end, 0);
}

cJSON *
ag_jsonstr_parse_inplace(char *buf, size_t len, const struct ag_jsonstr_scan *scan,
                         const char **end, int *taken)
{
	*taken = 0;
	if (scan != NULL && scan->long_len >= AG_JSONSTR_ELIDE_MIN) {
		cJSON *tree = parse_elided(buf, len, scan, end, buf, taken);
		if (tree != NULL)
			return tree;
	}
	return cJSON_ParseWithLengthOpts(buf, len, end, 0);
}
