/* Layout math: where each pane goes for a terminal size, which columns the
 * list shows at a width, how a scrolled window follows a selection, and
 * what a mouse click hit. Pure functions, no curses, so that every size
 * from 40x15 up can be unit-tested.
 *
 *   wide (>= 100 columns)          narrow (< 100 columns)
 *   +-list title-+-detail title-+   +-list title----------+
 *   | list       | detail       |   | list (a third)      |
 *   |            |              |   +-detail title--------+
 *   |            |              |   | detail              |
 *   +--------status line--------+   +-status line---------+
 */
#ifndef AGATE_TUI_LAYOUT_H
#define AGATE_TUI_LAYOUT_H

#define TUI_WIDE_MIN 100 /* columns from which list and detail sit side by side */
#define TUI_MIN_COLS 20  /* below this, or TUI_MIN_ROWS, only "too small" is drawn */
#define TUI_MIN_ROWS 5

struct tui_rect {
	int y, x, h, w;
};

struct tui_layout {
	int too_small;
	int wide;
	int fullscreen;
	struct tui_rect list_title, list; /* h == 0 when hidden (full screen) */
	struct tui_rect border;           /* the vertical line in wide mode */
	struct tui_rect detail_title, detail;
	struct tui_rect status;
};

/* nitems: requests in the list (narrow mode gives the list no more rows
 * than it needs, and at least a third of the screen to the detail). */
void tui_layout_compute(int cols, int rows, int fullscreen, int nitems, struct tui_layout *out);

/* Columns of one list line, left to right: marker, age, risk badge, kind,
 * who (agent/session), summary. A width of 0 hides a column. */
struct tui_list_columns {
	int marker_x, marker_w;
	int age_x, age_w;
	int risk_x, risk_w;
	int kind_x, kind_w;
	int who_x, who_w;
	int summary_x, summary_w;
};
void tui_layout_list_columns(int width, struct tui_list_columns *out);

/* The first visible row of a window of height h over n rows, so that sel
 * stays visible and no space is wasted past the end. */
int tui_scroll_follow(int top, int sel, int h, int n);
/* top clamped to [0, max(0, n - h)]. */
int tui_scroll_clamp(int top, int h, int n);

enum tui_hit { TUI_HIT_NONE, TUI_HIT_LIST, TUI_HIT_DETAIL, TUI_HIT_STATUS };
/* What a click at (y, x) hit; *row is the row inside that pane. */
enum tui_hit tui_layout_hit(const struct tui_layout *l, int y, int x, int *row);

/* "12s", "5m", "3h", "2d" (at most 3 columns) for an age in ms. */
void tui_format_age(long long ms, char *buf, unsigned size);

#endif
