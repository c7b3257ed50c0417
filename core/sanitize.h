/* The one choke point for untrusted text (promise 4 of DESIGN.md).
 *
 * Everything an agent sent passes through here before it reaches a terminal,
 * a log line or a prompt. UTF-8 is decoded strictly; C0/C1 controls, DEL,
 * ESC sequences, bidi overrides and isolates, zero-width and other format
 * characters, and invalid bytes become visible badges ("^[", "<U+202E>",
 * "<\xff>") — never emitted, never silently dropped.
 *
 * Two ways in:
 *   ag_sanitize_line()  a whole string to one safe string (logs, prompts);
 *   struct ag_san       an iterator that yields one display cell at a time
 *                       with its width and source offset (the console draws
 *                       cell by cell, highlights byte ranges, scrolls
 *                       horizontally and wraps without re-encoding anything).
 *
 * Widths come from wcwidth(), so the caller sets the locale first
 * (setlocale(LC_ALL, "")). Under a non-UTF-8 locale every non-ASCII
 * character is unprintable and becomes a badge: safe, if ugly. */
#ifndef AGATE_CORE_SANITIZE_H
#define AGATE_CORE_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

/* A single display line: newlines, tabs and CRs are badges too.
 * Returns a newly allocated, valid UTF-8 string; caller frees. */
char *ag_sanitize_line(const char *s, size_t len);

enum ag_cell_kind {
	AG_CELL_TEXT,  /* a printable character and its combining marks */
	AG_CELL_BADGE, /* a visible placeholder for something that must not be emitted */
	AG_CELL_TAB,   /* a tab expanded to spaces (only with AG_SAN_EXPAND_TABS) */
};

/* ncurses keeps a base character and up to four combining marks in one
 * cell (CCHARW_MAX is 5); further marks become badges so that "zalgo" text
 * cannot pile up without bound. */
#define AG_CELL_MARKS_MAX 4
#define AG_CELL_TEXT_MAX  32

struct ag_cell {
	enum ag_cell_kind kind;
	size_t offset; /* where it starts in the input, in bytes */
	size_t srclen; /* how many input bytes it stands for */
	int width; /* terminal columns: 0 never happens, 1 or 2 for text, more for badges/tabs */
	int in_escape; /* inside a defused escape sequence (drawn like a badge) */
	/* TEXT: the UTF-8 of the cluster; BADGE: the ASCII placeholder; TAB:
	 * spaces. NUL-terminated, len bytes. Always safe to hand to curses. */
	char text[AG_CELL_TEXT_MAX];
	size_t len;
	/* TEXT only: the code points of the cluster (for setcchar). */
	uint32_t cps[1 + AG_CELL_MARKS_MAX];
	int ncps;
};

#define AG_SAN_EXPAND_TABS 0x1 /* tabs become spaces to the next stop, else "^I" */

/* The iterator. Borrows s for its lifetime; no allocation. */
struct ag_san {
	const char *s;
	size_t len, pos;
	unsigned flags;
	int tabsize;    /* 8 unless set after ag_san_init */
	int col;        /* columns yielded so far (tab stops count from here) */
	int esc_state;  /* escape-sequence recognizer, see sanitize.c */
	size_t esc_len; /* bytes into the current sequence */
};

void ag_san_init(struct ag_san *it, const char *s, size_t len, unsigned flags);
/* 1 and fills *cell, or 0 at the end of the input. */
int ag_san_next(struct ag_san *it, struct ag_cell *cell);

/* Display columns of the sanitized form of s. */
size_t ag_sanitize_width(const char *s, size_t len, unsigned flags);

/* Line splitting for multi-line text (diffs, justifications): yields the
 * next line starting at *pos, without its '\n', and advances *pos past it.
 * A final '\n' does not start an empty last line. Returns 0 at the end. */
int ag_line_next(const char *s, size_t len, size_t *pos, const char **line, size_t *linelen);
/* How many lines ag_line_next would yield. */
size_t ag_line_count(const char *s, size_t len);

/* The badge for one code point, "<U+202E>", into buf (>= 12 bytes). Used
 * by the iterator and by tests; exposed so that every placeholder has one
 * spelling. Returns the length. */
int ag_badge_codepoint(uint32_t cp, char *buf);

#endif
