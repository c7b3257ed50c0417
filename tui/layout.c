/* Layout math (see layout.h). Every function here is total: any size,
 * including nonsense, gives rectangles inside the screen. */
#include "tui/layout.h"

#include <stdio.h>
#include <string.h>

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static struct tui_rect
rect(int y, int x, int h, int w)
{
	struct tui_rect r = {y, x, h > 0 ? h : 0, w > 0 ? w : 0};
	return r;
}

void
tui_layout_compute(int cols, int rows, int fullscreen, int nitems, struct tui_layout *out)
{
	memset(out, 0, sizeof *out);
	if (cols < TUI_MIN_COLS || rows < TUI_MIN_ROWS) {
		out->too_small = 1;
		return;
	}
	int body = rows - 1; /* the status line takes the last row */
	out->status = rect(rows - 1, 0, 1, cols);
	out->fullscreen = fullscreen;
	if (fullscreen) {
		out->detail_title = rect(0, 0, 1, cols);
		out->detail = rect(1, 0, body - 1, cols);
		out->wide = cols >= TUI_WIDE_MIN;
		return;
	}
	if (cols >= TUI_WIDE_MIN) {
		/* The list gets 45% (44..80 columns): enough for a summary,
		 * and the detail keeps the larger half for commands and diffs. */
		int lw = clamp(cols * 45 / 100, 44, 80);
		out->wide = 1;
		out->list_title = rect(0, 0, 1, lw);
		out->list = rect(1, 0, body - 1, lw);
		out->border = rect(0, lw, body, 1);
		out->detail_title = rect(0, lw + 1, 1, cols - lw - 1);
		out->detail = rect(1, lw + 1, body - 1, cols - lw - 1);
		return;
	}
	/* Narrow: the list as tall as it needs, at least 3 rows (so that
	 * neighbours of the selection show) and at most a third of the body,
	 * so the detail always has room. */
	int maxh = clamp((body - 2) / 3, 1, 1000000);
	int lh = clamp(nitems, 3, maxh);
	if (lh > maxh)
		lh = maxh;
	out->list_title = rect(0, 0, 1, cols);
	out->list = rect(1, 0, lh, cols);
	out->detail_title = rect(1 + lh, 0, 1, cols);
	out->detail = rect(2 + lh, 0, body - 2 - lh, cols);
}

void
tui_layout_list_columns(int width, struct tui_list_columns *c)
{
	memset(c, 0, sizeof *c);
	int x = 0;

	/* marker (1) + age (3) + risk (4) + kind (5) are always there: the
	 * minimum a decision needs. who appears from 50 columns, wider from 70. */
	c->marker_x = x;
	c->marker_w = 1;
	x += 1;
	c->age_x = x;
	c->age_w = 3;
	x += 4;
	c->risk_x = x;
	c->risk_w = 4;
	x += 5;
	c->kind_x = x;
	c->kind_w = width >= 50 ? 5 : 4;
	x += c->kind_w + 1;
	int who = width >= 90 ? 24 : width >= 70 ? 18 : width >= 50 ? 12 : 0;
	if (who > 0) {
		c->who_x = x;
		c->who_w = who;
		x += who + 1;
	}
	c->summary_x = x;
	c->summary_w = width - x > 0 ? width - x : 0;
}

int
tui_scroll_clamp(int top, int h, int n)
{
	int max = n - h > 0 ? n - h : 0;
	return clamp(top, 0, max);
}

int
tui_scroll_follow(int top, int sel, int h, int n)
{
	if (h <= 0)
		return 0;
	if (sel < top)
		top = sel;
	else if (sel >= top + h)
		top = sel - h + 1;
	return tui_scroll_clamp(top, h, n);
}

static int
inside(const struct tui_rect *r, int y, int x)
{
	return r->h > 0 && r->w > 0 && y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

enum tui_hit
tui_layout_hit(const struct tui_layout *l, int y, int x, int *row)
{
	*row = 0;
	if (l->too_small)
		return TUI_HIT_NONE;
	if (inside(&l->list, y, x)) {
		*row = y - l->list.y;
		return TUI_HIT_LIST;
	}
	if (inside(&l->detail, y, x) || inside(&l->detail_title, y, x)) {
		*row = y - l->detail.y;
		return TUI_HIT_DETAIL;
	}
	if (inside(&l->status, y, x))
		return TUI_HIT_STATUS;
	return TUI_HIT_NONE;
}

void
tui_format_age(long long ms, char *buf, unsigned size)
{
	long long s = ms > 0 ? ms / 1000 : 0;

	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh", s / 3600);
	else if (s < 86400LL * 99)
		snprintf(buf, size, "%lldd", s / 86400);
	else
		snprintf(buf, size, "old");
}
