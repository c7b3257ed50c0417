/* Drawing primitives (see draw.h). */
#include "tui/draw.h"

#include <langinfo.h>
#include <string.h>
#include <wchar.h>

#include "core/sanitize.h"

struct tui_text
tui_text_str(const char *s, enum tui_element el)
{
	struct tui_text t = {s, s != NULL ? strlen(s) : 0, el, NULL, 0};
	return t;
}

static void
set_el(enum tui_element el)
{
	unsigned long attrs;
	short pair;

	tui_theme_attr(el, &attrs, &pair);
	attr_set((attr_t)attrs, pair, NULL);
}

void
tui_draw_fill(int y, int x, int w, enum tui_element el)
{
	if (w <= 0)
		return;
	set_el(el);
	mvhline(y, x, ' ', w);
}

static enum tui_element
cell_el(const struct tui_text *t, const struct ag_cell *c)
{
	if (c->kind == AG_CELL_BADGE || c->in_escape)
		return TUI_EL_BADGE;
	if (t->cls != NULL && c->offset < t->len)
		return (enum tui_element)t->cls[c->offset];
	return t->el;
}

/* Puts one cell at (y, x). Text cells go in as wide characters; badges and
 * tabs are ASCII of our own. */
static void
put_cell(int y, int x, const struct ag_cell *c, enum tui_element el)
{
	unsigned long attrs;
	short pair;

	tui_theme_attr(el, &attrs, &pair);
	if (c->kind == AG_CELL_TEXT) {
		wchar_t wch[AG_CELL_MARKS_MAX + 2];
		cchar_t cc;
		int i;
		for (i = 0; i < c->ncps; i++)
			wch[i] = (wchar_t)c->cps[i];
		wch[i] = L'\0';
		if (setcchar(&cc, wch, (attr_t)attrs, pair, NULL) == OK)
			mvadd_wch(y, x, &cc);
		return;
	}
	attr_set((attr_t)attrs, pair, NULL);
	mvaddnstr(y, x, c->text, (int)c->len);
}

/* Draws a badge cut to w columns (when a pane is narrower than it). */
static void
put_cut(int y, int x, const struct ag_cell *c, int w, enum tui_element el)
{
	set_el(el);
	if (c->kind == AG_CELL_TEXT)
		mvhline(y, x, ' ', w); /* a wide character that no longer fits */
	else
		mvaddnstr(y, x, c->text, w);
}

static int
utf8_locale(void)
{
	static int cached = -1;
	if (cached < 0)
		cached = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	return cached;
}

int
tui_draw_text(int y, int x, int w, const struct tui_text *t, int skip, int ellipsis)
{
	struct ag_san it;
	struct ag_cell c;
	int col = 0, drawn = 0;

	if (w <= 0)
		return 0;
	ag_san_init(&it, t->s, t->len, t->san_flags);
	while (ag_san_next(&it, &c)) {
		int start = col;
		col += c.width;
		if (col <= skip)
			continue;
		if (start < skip) {
			/* Cut by the left edge: show what remains as blanks. */
			int part = col - skip;
			if (part > w)
				part = w;
			tui_draw_fill(y, x + drawn, part, cell_el(t, &c));
			drawn += part;
			continue;
		}
		if (drawn + c.width > w || (ellipsis && drawn + c.width == w && it.pos < it.len)) {
			if (ellipsis && drawn < w) {
				set_el(t->el);
				mvaddstr(y, x + drawn, utf8_locale() ? "\xe2\x80\xa6" : "~");
				return drawn + 1;
			}
			if (drawn < w)
				put_cut(y, x + drawn, &c, w - drawn, cell_el(t, &c));
			return w;
		}
		put_cell(y, x + drawn, &c, cell_el(t, &c));
		drawn += c.width;
		if (drawn >= w)
			break;
	}
	return drawn;
}

/* Walks t's cells in rows of w columns; for each visible cell calls put
 * when draw is set. Returns the number of rows. */
static int
wrap_walk(const struct tui_text *t, int w, int draw, int y, int x, int first_row, int max_rows)
{
	struct ag_san it;
	struct ag_cell c;
	int row = 0, col = 0;

	if (w <= 0)
		return 1;
	ag_san_init(&it, t->s, t->len, t->san_flags);
	while (ag_san_next(&it, &c)) {
		if (col > 0 && col + c.width > w) {
			row++;
			col = 0;
		}
		if (draw && row >= first_row + max_rows)
			return row;
		if (draw && row >= first_row) {
			int yy = y + row - first_row;
			if (c.width > w)
				put_cut(yy, x, &c, w, cell_el(t, &c));
			else
				put_cell(yy, x + col, &c, cell_el(t, &c));
		}
		col += c.width > w ? w : c.width;
	}
	return row + 1;
}

int
tui_draw_wrapped(int y, int x, int w, const struct tui_text *t, int first_row, int max_rows)
{
	int rows = wrap_walk(t, w, 1, y, x, first_row, max_rows);
	int shown = rows - first_row;
	return shown < 0 ? 0 : shown > max_rows ? max_rows : shown;
}

int
tui_text_rows(const struct tui_text *t, int w)
{
	return wrap_walk(t, w, 0, 0, 0, 0, 0);
}

int
tui_text_width(const struct tui_text *t)
{
	return (int)ag_sanitize_width(t->s, t->len, t->san_flags);
}
