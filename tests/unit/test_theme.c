/* Theme files as a user writes them: the colours each spelling means, the
 * errors (with line and column) a broken file gives, the fall-back to the
 * built-in default, every shipped theme complete and clean, and the colour
 * arithmetic that maps #rrggbb down for 256- and 16-colour terminals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "tui/theme.h"

static const char *
srcdir(void)
{
	const char *s = getenv("AGATE_SRCDIR");
	return s != NULL && *s != '\0' ? s : ".";
}

static void
test_colour_spellings(void **state)
{
	(void)state;
	struct tui_color c;
	struct ag_error err;

	assert_int_equal(tui_color_parse("default", &c, &err), 0);
	assert_int_equal(c.type, TUI_COLOR_DEFAULT);
	assert_int_equal(tui_color_parse("red", &c, &err), 0);
	assert_int_equal(c.type, TUI_COLOR_INDEX);
	assert_int_equal(c.value, 1);
	assert_int_equal(tui_color_parse("bright-blue", &c, &err), 0);
	assert_int_equal(c.value, 12);
	assert_int_equal(tui_color_parse("brightwhite", &c, &err), 0);
	assert_int_equal(c.value, 15);
	assert_int_equal(tui_color_parse("color208", &c, &err), 0);
	assert_int_equal(c.value, 208);
	assert_int_equal(tui_color_parse("colour17", &c, &err), 0);
	assert_int_equal(c.value, 17);
	assert_int_equal(tui_color_parse("255", &c, &err), 0);
	assert_int_equal(c.value, 255);
	assert_int_equal(tui_color_parse("#FF8700", &c, &err), 0);
	assert_int_equal(c.type, TUI_COLOR_RGB);
	assert_int_equal(c.value, 0xff8700);

	assert_int_equal(tui_color_parse("color256", &c, &err), -1);
	assert_non_null(strstr(err.msg, "0 to 255"));
	assert_int_equal(tui_color_parse("#12345", &c, &err), -1);
	assert_non_null(strstr(err.msg, "#rrggbb"));
	assert_int_equal(tui_color_parse("#gg0000", &c, &err), -1);
	assert_int_equal(tui_color_parse("purple", &c, &err), -1);
	assert_non_null(strstr(err.msg, "unknown colour 'purple'"));
	assert_int_equal(tui_color_parse("-1", &c, &err), -1);
}

static void
test_errors_name_line_and_column(void **state)
{
	(void)state;
	struct tui_theme t;
	struct tui_theme_errors errs = {0};
	const char *text = "color status red\n"
	                   "colour cursor blue default bold\n"
	                   "\n"
	                   "color risk-hihg red blue\n"
	                   "color title red blue sparkly\n"
	                   "hello\n"
	                   "  # a comment\r\n"
	                   "color badge #zz0000 default\n";

	tui_theme_builtin("default", &t);
	assert_int_equal(tui_theme_parse(&t, text, strlen(text), "t.theme", &errs), 5);
	assert_int_equal(errs.n, 5);
	assert_string_equal(errs.msg[0], "t.theme:1:1: expected: color ELEMENT FG BG [ATTR...]");
	assert_string_equal(errs.msg[1],
	                    "t.theme:4:7: unknown element 'risk-hihg' (did you mean 'risk-high'?)");
	assert_string_equal(
	    errs.msg[2], "t.theme:5:22: unknown attribute 'sparkly' (expected bold, dim, italic, "
	                 "underline, reverse, standout, blink or normal)");
	assert_string_equal(errs.msg[3], "t.theme:6:1: unknown command 'hello' (expected 'color')");
	assert_string_equal(errs.msg[4],
	                    "t.theme:8:13: bad colour '#zz0000' (expected #rrggbb with "
	                    "six hex digits)");
	/* The good line still took effect. */
	assert_int_equal(t.el[TUI_EL_CURSOR].fg.value, 4);
	assert_int_equal(t.el[TUI_EL_CURSOR].attrs, TUI_ATTR_BOLD);
}

static void
test_error_messages_are_sanitized(void **state)
{
	(void)state;
	struct tui_theme t = {0};
	struct tui_theme_errors errs = {0};
	const char text[] = "color \x1b]0;owned\x07 red blue\n";

	assert_int_equal(tui_theme_parse(&t, text, sizeof text - 1, "t", &errs), 1);
	assert_non_null(strstr(errs.msg[0], "'^[]0;owned^G'"));
	assert_null(strchr(errs.msg[0], '\x1b'));
	assert_null(strchr(errs.msg[0], '\x07'));
}

static void
test_errors_are_bounded(void **state)
{
	(void)state;
	struct tui_theme t = {0};
	struct tui_theme_errors errs = {0};
	char text[4096] = "";

	for (int i = 0; i < 100; i++)
		strcat(text, "bogus\n");
	assert_int_equal(tui_theme_parse(&t, text, strlen(text), "t", &errs), 100);
	assert_int_equal(errs.n, TUI_THEME_ERRORS_MAX);
	assert_int_equal(errs.total, 100);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 16);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void
test_shipped_themes_are_complete(void **state)
{
	(void)state;
	static const char *const names[] = {"default", "light", "solarized-dark", "high-contrast",
	                                    "mono"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[4096];
		size_t len;
		snprintf(path, sizeof path, "%s/themes/%s.theme", srcdir(), names[i]);
		char *text = read_file(path, &len);
		struct tui_theme t;
		struct tui_theme_errors errs = {0};
		/* A sentinel no file can write, to see that every element is set. */
		for (int e = 0; e < TUI_EL_COUNT; e++)
			t.el[e].attrs = 0xdead;
		if (tui_theme_parse(&t, text, len, path, &errs) != 0)
			fail_msg("%s", errs.msg[0]);
		for (int e = 0; e < TUI_EL_COUNT; e++)
			if (t.el[e].attrs == 0xdead)
				fail_msg("%s does not set %s", names[i], tui_element_name(e));
		/* The compiled-in themes are the same as their files. */
		struct tui_theme builtin;
		if (tui_theme_builtin(names[i], &builtin) == 0)
			assert_memory_equal(&builtin, &t, sizeof t);
		free(text);
	}
}

static void
test_load_falls_back_to_default(void **state)
{
	(void)state;
	char dir[] = "/tmp/agate-theme-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/bad.theme", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("color status red blue\ncolor nothing red blue\n", f);
	fclose(f);

	struct tui_theme t, def;
	struct tui_theme_errors errs = {0};
	tui_theme_builtin("default", &def);
	assert_int_equal(tui_theme_load(path, &t, &errs), -1);
	assert_memory_equal(&t, &def, sizeof t);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], "bad.theme:2:7: unknown element 'nothing'"));

	/* By name, from the themes directory. */
	setenv("AGATE_THEME_DIR", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	memset(&errs, 0, sizeof errs);
	assert_int_equal(tui_theme_load("bad", &t, &errs), -1);
	memset(&errs, 0, sizeof errs);
	assert_int_equal(tui_theme_load("no-such-theme", &t, &errs), -1);
	assert_non_null(strstr(errs.msg[0], "no theme 'no-such-theme'"));
	memset(&errs, 0, sizeof errs);
	assert_int_equal(tui_theme_load("../etc/passwd", &t, &errs), -1);
	/* Built-ins need no file. */
	memset(&errs, 0, sizeof errs);
	assert_int_equal(tui_theme_load("mono", &t, &errs), 0);
	assert_int_equal(t.el[TUI_EL_CURSOR].attrs, TUI_ATTR_REVERSE | TUI_ATTR_BOLD);

	snprintf(path, sizeof path, "%s/themes", srcdir());
	setenv("AGATE_THEME_DIR", path, 1);
	memset(&errs, 0, sizeof errs);
	assert_int_equal(tui_theme_load("solarized-dark", &t, &errs), 0);
	assert_int_equal(t.el[TUI_EL_DEFAULT].bg.type, TUI_COLOR_RGB);
	assert_int_equal(t.el[TUI_EL_DEFAULT].bg.value, 0x002b36);

	snprintf(path, sizeof path, "%s/bad.theme", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_colour_arithmetic(void **state)
{
	(void)state;
	/* xterm's cube and grey ramp. */
	assert_int_equal(tui_color_index_rgb(208), 0xff8700);
	assert_int_equal(tui_color_index_rgb(16), 0x000000);
	assert_int_equal(tui_color_index_rgb(231), 0xffffff);
	assert_int_equal(tui_color_index_rgb(244), 0x808080);
	assert_int_equal(tui_color_rgb_to_256(0xff8700), 208);
	assert_int_equal(tui_color_rgb_to_256(0x808080), 244);
	assert_int_equal(tui_color_rgb_to_256(0x002b36),
	                 234); /* base03: grey 0x1c1c1c is nearer than any cube colour */
	assert_int_equal(tui_color_rgb_to_256(0xfdf6e3), 230);

	struct tui_color def = {TUI_COLOR_DEFAULT, 0};
	struct tui_color red = {TUI_COLOR_INDEX, 196};
	struct tui_color rgb = {TUI_COLOR_RGB, 0x102030};
	struct tui_color ansi = {TUI_COLOR_INDEX, 1};
	assert_int_equal(tui_color_to_term(def, 256, 0), -1);
	assert_int_equal(tui_color_to_term(red, 256, 0), 196);
	assert_int_equal(tui_color_to_term(red, 16, 0), 9);
	assert_int_equal(tui_color_to_term(red, 8, 0), 1);
	assert_int_equal(tui_color_to_term(rgb, 256, 0), tui_color_rgb_to_256(0x102030));
	assert_int_equal(tui_color_to_term(rgb, 0x1000000, 1), 0x102030);
	assert_int_equal(tui_color_to_term(red, 0x1000000, 1), 0xff0000);
	assert_int_equal(tui_color_to_term(ansi, 0x1000000, 1), 1);
	assert_int_equal(tui_color_to_term(red, 0, 0), -1); /* no colours at all */
}

static void
test_element_table(void **state)
{
	(void)state;
	for (int e = 0; e < TUI_EL_COUNT; e++) {
		assert_int_equal(tui_element_parse(tui_element_name(e)), e);
		assert_true(strlen(tui_element_help(e)) > 0);
	}
	assert_int_equal(tui_element_parse("risk-critical"), TUI_EL_RISK_CRITICAL);
	assert_int_equal(tui_element_parse("nope"), -1);
}

/* agate-theme(5) documents every element (the table and the page must not
 * drift apart). */
static void
test_manual_lists_every_element(void **state)
{
	(void)state;
	char path[4096];
	size_t len;
	snprintf(path, sizeof path, "%s/doc/agate-theme.5", srcdir());
	char *page = read_file(path, &len);
	page[len < (1 << 16) ? len : (1 << 16) - 1] = '\0';
	for (int e = 0; e < TUI_EL_COUNT; e++) {
		char want[64];
		snprintf(want, sizeof want, "\n.B %s\n", tui_element_name(e));
		if (strstr(page, want) == NULL)
			fail_msg("agate-theme(5) does not document %s", tui_element_name(e));
	}
	free(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_colour_spellings),
	    cmocka_unit_test(test_errors_name_line_and_column),
	    cmocka_unit_test(test_error_messages_are_sanitized),
	    cmocka_unit_test(test_errors_are_bounded),
	    cmocka_unit_test(test_shipped_themes_are_complete),
	    cmocka_unit_test(test_load_falls_back_to_default),
	    cmocka_unit_test(test_colour_arithmetic),
	    cmocka_unit_test(test_element_table),
	    cmocka_unit_test(test_manual_lists_every_element),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
