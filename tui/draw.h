/* Drawing primitives. Everything on screen goes through here, and every
 * string that is not a literal of ours goes through the sanitizer cell by
 * cell: text cells are handed to curses as wide characters (setcchar), and
 * badges — ASCII of our making — in the badge colour. No agent byte is
 * ever given to waddstr or printf, where \r, \b, \t or ESC would act.
 *
 * Coordinates are absolute (stdscr); every call clips to the width given. */
#ifndef AGATE_TUI_DRAW_H
#define AGATE_TUI_DRAW_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stddef.h>

#include "tui/theme.h"

/* A run of text to draw: s/len (any bytes), its element, and optionally a
 * per-byte element table aligned with s (syntax colouring, flagged spans). */
struct tui_text {
	const char *s;
	size_t len;
	enum tui_element el;
	const unsigned char *cls; /* NULL: el for every byte */
	unsigned san_flags;       /* AG_SAN_EXPAND_TABS for bodies */
};

/* A text from a NUL-terminated string. */
struct tui_text tui_text_str(const char *s, enum tui_element el);

/* Fills w columns at (y, x) with spaces in el. */
void tui_draw_fill(int y, int x, int w, enum tui_element el);
/* Draws t on one row from column x, at most w columns, skipping the first
 * `skip` columns of the text (horizontal scroll). With ellipsis, a text
 * that does not fit ends in "…" (or "~" without UTF-8). Returns the
 * columns drawn. */
int tui_draw_text(int y, int x, int w, const struct tui_text *t, int skip, int ellipsis);
/* Wrapped drawing: rows of t broken at w columns. Draws rows first_row ..
 * first_row + max_rows - 1 of it at y, y+1, ... Returns the rows drawn. */
int tui_draw_wrapped(int y, int x, int w, const struct tui_text *t, int first_row, int max_rows);
/* How many rows t takes wrapped at w columns (at least 1). */
int tui_text_rows(const struct tui_text *t, int w);
/* Display width of t on one row. */
int tui_text_width(const struct tui_text *t);

#endif
