/* The sanitizer: strict UTF-8 decoding, then a verdict per code point.
 *
 * Why not iswprint(): glibc accepts the bidi overrides (U+202E), zero-width
 * characters and other format characters as printable, which is exactly the
 * Trojan Source trick (CVE-2021-42574). So format characters are refused by
 * our own table first, and only then does wcwidth() decide between
 * printable (1 or 2 columns), a combining mark (0 columns, attached to the
 * character before it) and unprintable (-1: unassigned, noncharacters).
 *
 * Escape sequences are defused by showing ESC as "^[" — the rest of the
 * sequence is harmless printable text once its introducer is gone, and
 * showing it keeps the evidence visible. A small recognizer marks the bytes
 * of a sequence (CSI, OSC, DCS, ...) as in_escape so the console can draw
 * the whole sequence in the badge colour. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* wcwidth() */
#endif
#include "core/sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/utf8.h"
#include "core/xmalloc.h"

/* A code point that never decodes: the marker for an invalid byte. */
#define CP_INVALID 0xffffffffu

/* Characters that are printable to glibc but must not reach a terminal raw:
 * every general category Cf character of Unicode 15.1 (bidi embeddings,
 * overrides and isolates, LRM/RLM/ALM, zero-width space/joiners, word
 * joiner, invisible operators, BOM, interlinear annotations, tag
 * characters, ...), the line and paragraph separators (Zl, Zp), and the
 * Hangul fillers, which are letters that draw nothing. Sorted, inclusive. */
static const struct {
	uint32_t lo, hi;
} invisible[] = {
    {0x00ad, 0x00ad},   {0x0600, 0x0605},   {0x061c, 0x061c},   {0x06dd, 0x06dd},
    {0x070f, 0x070f},   {0x0890, 0x0891},   {0x08e2, 0x08e2},   {0x115f, 0x1160},
    {0x180e, 0x180e},   {0x200b, 0x200f},   {0x2028, 0x202e},   {0x2060, 0x2064},
    {0x2066, 0x206f},   {0x3164, 0x3164},   {0xfeff, 0xfeff},   {0xffa0, 0xffa0},
    {0xfff9, 0xfffb},   {0x110bd, 0x110bd}, {0x110cd, 0x110cd}, {0x13430, 0x1343f},
    {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f},
};

static int
is_invisible(uint32_t cp)
{
	size_t lo = 0, hi = sizeof invisible / sizeof invisible[0];

	if (cp < invisible[0].lo)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < invisible[mid].lo)
			hi = mid;
		else if (cp > invisible[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

enum verdict {
	V_CONTROL, /* C0 or DEL: caret notation */
	V_BADGE,   /* C1, format, unprintable, lone mark: <U+XXXX> */
	V_MARK,    /* combining: joins the previous printable character */
	V_PRINT,   /* 1 or 2 columns */
};

static enum verdict
classify(uint32_t cp, int *width)
{
	*width = 0;
	if (cp < 0x20 || cp == 0x7f)
		return V_CONTROL;
	if (cp < 0x7f) {
		*width = 1;
		return V_PRINT;
	}
	if (cp < 0xa0 || is_invisible(cp))
		return V_BADGE;
	int w = wcwidth((wchar_t)cp);
	if (w < 0)
		return V_BADGE;
	if (w == 0)
		return V_MARK;
	*width = w > 2 ? 2 : w;
	return V_PRINT;
}

int
ag_badge_codepoint(uint32_t cp, char *buf)
{
	return snprintf(buf, 12, "<U+%04X>", (unsigned)cp);
}

/* The escape-sequence recognizer (ECMA-48 shapes, bounded). */
enum {
	ESC_NONE,
	ESC_START,  /* after ESC */
	ESC_INTER,  /* ESC + intermediate bytes, waiting for a final byte */
	ESC_CSI,    /* parameters and intermediates, waiting for a final byte */
	ESC_STRING, /* OSC, DCS, SOS, PM, APC: until BEL or ST */
	ESC_STRING_ESC,
};
#define ESC_MAX_LEN 1024 /* past this, stop colouring: it is just text */

/* Feeds one code point; returns whether it belongs to a sequence. */
static int
escape_step(struct ag_san *it, uint32_t cp)
{
	int again;

	do {
		again = 0;
		switch (it->esc_state) {
		case ESC_NONE:
			it->esc_len = 0;
			if (cp == 0x1b)
				it->esc_state = ESC_START;
			else if (cp == 0x9b)
				it->esc_state = ESC_CSI;
			else if (cp == 0x90 || cp == 0x98 || cp == 0x9d || cp == 0x9e || cp == 0x9f)
				it->esc_state = ESC_STRING;
			else
				return 0;
			return 1;
		case ESC_START:
			if (cp == '[')
				it->esc_state = ESC_CSI;
			else if (cp == ']' || cp == 'P' || cp == 'X' || cp == '^' || cp == '_')
				it->esc_state = ESC_STRING;
			else if (cp >= 0x20 && cp <= 0x2f)
				it->esc_state = ESC_INTER;
			else if (cp >= 0x30 && cp <= 0x7e)
				it->esc_state = ESC_NONE; /* a two-byte sequence: ESC 7, ESC c */
			else {
				it->esc_state = ESC_NONE;
				again = 1;
				continue;
			}
			break;
		case ESC_INTER:
		case ESC_CSI:
			if (cp >= 0x20 && cp <= 0x3f && !(it->esc_state == ESC_INTER && cp >= 0x30))
				break;
			if (cp >= 0x30 && cp <= 0x7e) {
				it->esc_state = ESC_NONE;
				break;
			}
			it->esc_state = ESC_NONE;
			again = 1;
			continue;
		case ESC_STRING:
			if (cp == 0x07 || cp == 0x9c)
				it->esc_state = ESC_NONE;
			else if (cp == 0x1b)
				it->esc_state = ESC_STRING_ESC;
			break;
		case ESC_STRING_ESC:
			if (cp == '\\') {
				it->esc_state = ESC_NONE;
				break;
			}
			it->esc_state = ESC_START; /* that ESC began something new */
			again = 1;
			continue;
		}
	} while (again);
	if (++it->esc_len > ESC_MAX_LEN) {
		it->esc_state = ESC_NONE;
		return 0;
	}
	return 1;
}

void
ag_san_init(struct ag_san *it, const char *s, size_t len, unsigned flags)
{
	memset(it, 0, sizeof *it);
	it->s = s;
	it->len = s != NULL ? len : 0;
	it->flags = flags;
	it->tabsize = 8;
}

static void
cell_badge_text(struct ag_cell *cell, const char *text)
{
	cell->kind = AG_CELL_BADGE;
	cell->len = strlen(text);
	memcpy(cell->text, text, cell->len + 1);
	cell->width = (int)cell->len;
}

/* Attaches the combining marks that follow a printable character. */
static void
attach_marks(struct ag_san *it, struct ag_cell *cell)
{
	while (it->pos < it->len && cell->ncps < 1 + AG_CELL_MARKS_MAX) {
		uint32_t cp;
		int w;
		int n = ag_utf8_decode(it->s + it->pos, it->len - it->pos, &cp);
		if (n < 0 || classify(cp, &w) != V_MARK)
			return;
		n = ag_utf8_encode(cp, cell->text + cell->len);
		cell->len += (size_t)n;
		cell->cps[cell->ncps++] = cp;
		it->pos += (size_t)n;
	}
}

int
ag_san_next(struct ag_san *it, struct ag_cell *cell)
{
	uint32_t cp;
	int width;
	char buf[16];

	if (it->pos >= it->len)
		return 0;
	cell->offset = it->pos;
	cell->ncps = 0;
	const unsigned char *p = (const unsigned char *)it->s + it->pos;
	int n = ag_utf8_decode(it->s + it->pos, it->len - it->pos, &cp);
	if (n < 0) {
		snprintf(buf, sizeof buf, "<\\x%02x>", p[0]);
		cell_badge_text(cell, buf);
		it->pos++;
		cell->in_escape = escape_step(it, CP_INVALID);
		goto done;
	}
	it->pos += (size_t)n;
	cell->in_escape = escape_step(it, cp);
	if (cp == '\t' && (it->flags & AG_SAN_EXPAND_TABS)) {
		int ts = it->tabsize > 0 && it->tabsize < AG_CELL_TEXT_MAX ? it->tabsize : 8;
		cell->kind = AG_CELL_TAB;
		cell->width = ts - it->col % ts;
		memset(cell->text, ' ', (size_t)cell->width);
		cell->text[cell->width] = '\0';
		cell->len = (size_t)cell->width;
		goto done;
	}
	switch (classify(cp, &width)) {
	case V_CONTROL:
		buf[0] = '^';
		buf[1] = cp == 0x7f ? '?' : (char)(cp + 0x40);
		buf[2] = '\0';
		cell_badge_text(cell, buf);
		break;
	case V_BADGE:
	case V_MARK: /* a mark with nothing to join: show it, do not let it combine */
		ag_badge_codepoint(cp, buf);
		cell_badge_text(cell, buf);
		break;
	case V_PRINT:
		cell->kind = AG_CELL_TEXT;
		cell->width = width;
		cell->len = (size_t)ag_utf8_encode(cp, cell->text);
		cell->cps[cell->ncps++] = cp;
		attach_marks(it, cell);
		cell->text[cell->len] = '\0';
		break;
	}
done:
	cell->srclen = it->pos - cell->offset;
	it->col += cell->width;
	return 1;
}

char *
ag_sanitize_line(const char *s, size_t len)
{
	struct ag_san it;
	struct ag_cell cell;
	size_t cap = len + 16, used = 0;
	char *out = xmalloc(cap);

	ag_san_init(&it, s, len, 0);
	while (ag_san_next(&it, &cell)) {
		if (used + cell.len + 1 > cap) {
			cap = (used + cell.len + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + used, cell.text, cell.len);
		used += cell.len;
	}
	out[used] = '\0';
	return out;
}

size_t
ag_sanitize_width(const char *s, size_t len, unsigned flags)
{
	struct ag_san it;
	struct ag_cell cell;
	size_t width = 0;

	ag_san_init(&it, s, len, flags);
	while (ag_san_next(&it, &cell))
		width += (size_t)cell.width;
	return width;
}

int
ag_line_next(const char *s, size_t len, size_t *pos, const char **line, size_t *linelen)
{
	if (*pos >= len)
		return 0;
	const char *start = s + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	size_t n = nl != NULL ? (size_t)(nl - start) : len - *pos;
	*line = start;
	*linelen = n;
	*pos += n + (nl != NULL);
	return 1;
}

size_t
ag_line_count(const char *s, size_t len)
{
	size_t pos = 0, n = 0, linelen;
	const char *line;

	while (ag_line_next(s, len, &pos, &line, &linelen))
		n++;
	return n;
}
