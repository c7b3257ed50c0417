/* Layout math at the sizes a user meets: a 200-column monitor, the
 * 100-column switch to side by side, a 60-column tmux pane, the 40x15
 * minimum. Every rectangle must lie inside the screen, nothing may
 * overlap, and the detail pane must keep room to read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tui/layout.h"

static void
assert_inside(const struct tui_rect *r, int cols, int rows)
{
	if (r->h == 0 || r->w == 0)
		return;
	assert_true(r->y >= 0 && r->x >= 0);
	assert_true(r->y + r->h <= rows);
	assert_true(r->x + r->w <= cols);
}

static int
overlap(const struct tui_rect *a, const struct tui_rect *b)
{
	if (a->h == 0 || a->w == 0 || b->h == 0 || b->w == 0)
		return 0;
	return a->y < b->y + b->h && b->y < a->y + a->h && a->x < b->x + b->w && b->x < a->x + a->w;
}

static void
check_sane(int cols, int rows, int full, int n)
{
	struct tui_layout l;
	tui_layout_compute(cols, rows, full, n, &l);
	if (l.too_small)
		return;
	const struct tui_rect *r[] = {&l.list_title,   &l.list,   &l.border,
	                              &l.detail_title, &l.detail, &l.status};
	for (size_t i = 0; i < 6; i++) {
		assert_inside(r[i], cols, rows);
		for (size_t j = i + 1; j < 6; j++)
			if (overlap(r[i], r[j]))
				fail_msg("%dx%d full=%d n=%d: areas %zu and %zu overlap", cols,
				         rows, full, n, i, j);
	}
	assert_int_equal(l.status.y, rows - 1);
	assert_true(l.detail.h >= 1);
}

static void
test_every_size_is_sane(void **state)
{
	(void)state;
	for (int cols = 1; cols <= 260; cols += 3)
		for (int rows = 1; rows <= 80; rows += 2)
			for (int n = 0; n <= 50; n += 7) {
				check_sane(cols, rows, 0, n);
				check_sane(cols, rows, 1, n);
			}
}

static void
test_wide_is_side_by_side(void **state)
{
	(void)state;
	struct tui_layout l;

	tui_layout_compute(200, 50, 0, 10, &l);
	assert_true(l.wide);
	assert_int_equal(l.list.y, l.detail.y);
	assert_int_equal(l.list.w, 80); /* capped */
	assert_int_equal(l.border.x, 80);
	assert_int_equal(l.detail.x, 81);
	assert_int_equal(l.detail.w, 119);
	assert_int_equal(l.list.h, 48); /* 50 - title - status */

	tui_layout_compute(100, 30, 0, 10, &l);
	assert_true(l.wide);
	assert_int_equal(l.list.w, 45);
	tui_layout_compute(99, 30, 0, 10, &l);
	assert_false(l.wide);
}

static void
test_narrow_is_stacked(void **state)
{
	(void)state;
	struct tui_layout l;

	/* 60x24 with 2 requests: the list keeps 3 rows, the detail the rest. */
	tui_layout_compute(60, 24, 0, 2, &l);
	assert_false(l.wide);
	assert_int_equal(l.list.y, 1);
	assert_int_equal(l.list.h, 3);
	assert_int_equal(l.detail_title.y, 4);
	assert_int_equal(l.detail.y, 5);
	assert_int_equal(l.detail.h, 18);
	assert_int_equal(l.list.w, 60);

	/* Many requests: the list stops at a third of the body. */
	tui_layout_compute(60, 24, 0, 500, &l);
	assert_int_equal(l.list.h, 7);
	assert_int_equal(l.detail.h, 14);
}

static void
test_smallest_supported_size(void **state)
{
	(void)state;
	struct tui_layout l;

	tui_layout_compute(40, 15, 0, 20, &l);
	assert_false(l.too_small);
	assert_int_equal(l.list.h, 4);
	assert_int_equal(l.detail.h, 8);
	assert_int_equal(l.status.y, 14);

	tui_layout_compute(19, 15, 0, 1, &l);
	assert_true(l.too_small);
	tui_layout_compute(40, 4, 0, 1, &l);
	assert_true(l.too_small);
}

static void
test_fullscreen_hides_the_list(void **state)
{
	(void)state;
	struct tui_layout l;

	tui_layout_compute(120, 40, 1, 5, &l);
	assert_int_equal(l.list.h, 0);
	assert_int_equal(l.detail.y, 1);
	assert_int_equal(l.detail.h, 38);
	assert_int_equal(l.detail.w, 120);
}

static void
test_list_columns_shrink_gracefully(void **state)
{
	(void)state;
	struct tui_list_columns c;

	tui_layout_list_columns(40, &c);
	assert_int_equal(c.who_w, 0); /* no room for names */
	assert_int_equal(c.risk_w, 4);
	assert_true(c.summary_w >= 20);
	assert_int_equal(c.summary_x + c.summary_w, 40);

	tui_layout_list_columns(60, &c);
	assert_int_equal(c.who_w, 12);
	assert_true(c.summary_w >= 20);
	assert_int_equal(c.summary_x + c.summary_w, 60);

	tui_layout_list_columns(90, &c);
	assert_int_equal(c.who_w, 24);
	/* Columns in order, never overlapping. */
	assert_true(c.age_x >= c.marker_x + c.marker_w);
	assert_true(c.risk_x >= c.age_x + c.age_w);
	assert_true(c.kind_x >= c.risk_x + c.risk_w);
	assert_true(c.who_x >= c.kind_x + c.kind_w);
	assert_true(c.summary_x >= c.who_x + c.who_w);

	tui_layout_list_columns(5, &c);
	assert_int_equal(c.summary_w, 0);
}

static void
test_scrolling_follows_the_selection(void **state)
{
	(void)state;
	assert_int_equal(tui_scroll_follow(0, 0, 10, 100), 0);
	assert_int_equal(tui_scroll_follow(0, 9, 10, 100), 0);
	assert_int_equal(tui_scroll_follow(0, 10, 10, 100), 1);
	assert_int_equal(tui_scroll_follow(50, 20, 10, 100), 20);
	/* A shrinking list pulls the window back so no rows are wasted. */
	assert_int_equal(tui_scroll_follow(95, 99, 10, 100), 90);
	assert_int_equal(tui_scroll_follow(40, 3, 10, 5), 0);
	/* Resizing from 10 rows to 4 keeps the selection on screen. */
	int top = tui_scroll_follow(0, 7, 10, 20);
	top = tui_scroll_follow(top, 7, 4, 20);
	assert_true(7 >= top && 7 < top + 4);
	assert_int_equal(tui_scroll_clamp(-5, 10, 100), 0);
	assert_int_equal(tui_scroll_clamp(1000, 10, 100), 90);
	assert_int_equal(tui_scroll_follow(3, 2, 0, 10), 0);
}

static void
test_clicks_land_in_panes(void **state)
{
	(void)state;
	struct tui_layout l;
	int row;

	tui_layout_compute(120, 30, 0, 10, &l);
	assert_int_equal(tui_layout_hit(&l, 3, 5, &row), TUI_HIT_LIST);
	assert_int_equal(row, 2);
	assert_int_equal(tui_layout_hit(&l, 3, 100, &row), TUI_HIT_DETAIL);
	assert_int_equal(tui_layout_hit(&l, 29, 5, &row), TUI_HIT_STATUS);
	assert_int_equal(tui_layout_hit(&l, 3, l.border.x, &row), TUI_HIT_NONE);

	tui_layout_compute(50, 20, 0, 3, &l);
	assert_int_equal(tui_layout_hit(&l, 1, 10, &row), TUI_HIT_LIST);
	assert_int_equal(row, 0);
	assert_int_equal(tui_layout_hit(&l, l.detail.y + 2, 10, &row), TUI_HIT_DETAIL);
	assert_int_equal(row, 2);
}

static void
test_ages_fit_three_columns(void **state)
{
	(void)state;
	char buf[8];
	tui_format_age(0, buf, sizeof buf);
	assert_string_equal(buf, "0s");
	tui_format_age(59999, buf, sizeof buf);
	assert_string_equal(buf, "59s");
	tui_format_age(60000, buf, sizeof buf);
	assert_string_equal(buf, "1m");
	tui_format_age(3600000LL * 5, buf, sizeof buf);
	assert_string_equal(buf, "5h");
	tui_format_age(86400000LL * 3, buf, sizeof buf);
	assert_string_equal(buf, "3d");
	tui_format_age(86400000LL * 400, buf, sizeof buf);
	assert_string_equal(buf, "old");
	tui_format_age(-5, buf, sizeof buf); /* a clock that went back */
	assert_string_equal(buf, "0s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_size_is_sane),
	    cmocka_unit_test(test_wide_is_side_by_side),
	    cmocka_unit_test(test_narrow_is_stacked),
	    cmocka_unit_test(test_smallest_supported_size),
	    cmocka_unit_test(test_fullscreen_hides_the_list),
	    cmocka_unit_test(test_list_columns_shrink_gracefully),
	    cmocka_unit_test(test_scrolling_follows_the_selection),
	    cmocka_unit_test(test_clicks_land_in_panes),
	    cmocka_unit_test(test_ages_fit_three_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
