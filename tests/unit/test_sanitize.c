/* The sanitizer, as the user sees it: for each class of hostile input the
 * exact placeholder that appears on screen, the columns it takes, and a
 * property check over random bytes that nothing unsafe ever comes out. The
 * expectations are written by hand from the list, not copied from
 * the program's output. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sanitize.h"
#include "core/utf8.h"

/* sanitize(s) == want, for an explicit length (inputs may hold NUL). */
static void
expect_line(const char *s, size_t len, const char *want)
{
	char *got = ag_sanitize_line(s, len);
	assert_string_equal(got, want);
	free(got);
}
#define EXPECT(lit, want) expect_line(lit, sizeof(lit) - 1, want)

static void
test_plain_text_is_unchanged(void **state)
{
	(void)state;
	EXPECT("git status --short", "git status --short");
	EXPECT("", "");
	EXPECT("caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87", "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87");
}

static void
test_c0_controls_are_caret_badges(void **state)
{
	(void)state;
	EXPECT("a\x00"
	       "b",
	       "a^@b");
	EXPECT("\x01\x07\x08", "^A^G^H");
	EXPECT("rm -rf ~\rls", "rm -rf ~^Mls");
	EXPECT("one\ntwo", "one^Jtwo");
	EXPECT("a\tb", "a^Ib");
	EXPECT("\x1f", "^_");
	EXPECT("del\x7f", "del^?");
}

static void
test_escape_sequences_are_defused(void **state)
{
	(void)state;
	/* SGR colour, cursor movement, an OSC 52 clipboard write, an OSC 8
	 * hyperlink, a window-title OSC 0 ended by ST, a DCS. */
	EXPECT("\x1b[31mred\x1b[0m", "^[[31mred^[[0m");
	EXPECT("\x1b[2J\x1b[H", "^[[2J^[[H");
	EXPECT("\x1b]52;c;cm0gLXJmIH4=\x07", "^[]52;c;cm0gLXJmIH4=^G");
	EXPECT("\x1b]8;;http://x\x1b\\link", "^[]8;;http://x^[\\link");
	EXPECT("\x1b]0;pwned\x1b\\", "^[]0;pwned^[\\");
	EXPECT("\x1bP+q544e\x1b\\", "^[P+q544e^[\\");
}

static void
test_c1_controls_are_badges(void **state)
{
	(void)state;
	/* U+009B is CSI in one code point: some terminals act on it. */
	EXPECT("\xc2\x9b"
	       "31m",
	       "<U+009B>31m");
	EXPECT("\xc2\x9d"
	       "52;c;x\xc2\x9c",
	       "<U+009D>52;c;x<U+009C>");
	EXPECT("\xc2\x85", "<U+0085>");
	EXPECT("\xc2\x80", "<U+0080>");
}

static void
test_bidi_controls_are_badges(void **state)
{
	(void)state;
	/* The Trojan Source line from CVE-2021-42574's paper. */
	EXPECT("if access_level != \"user\xe2\x80\xae \xe2\x81\xa6// admin\xe2\x81\xa9 "
	       "\xe2\x81\xa6\"",
	       "if access_level != \"user<U+202E> <U+2066>// admin<U+2069> <U+2066>\"");
	EXPECT("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	       "<U+202A><U+202B><U+202C><U+202D>");
	EXPECT("\xe2\x81\xa7\xe2\x81\xa8", "<U+2067><U+2068>");
	EXPECT("\xe2\x80\x8e\xe2\x80\x8f", "<U+200E><U+200F>");
	EXPECT("\xd8\x9c", "<U+061C>");
}

static void
test_zero_width_and_format_are_badges(void **state)
{
	(void)state;
	EXPECT("rm\xe2\x80\x8b -rf", "rm<U+200B> -rf");
	EXPECT("\xe2\x80\x8c\xe2\x80\x8d", "<U+200C><U+200D>");
	EXPECT("\xe2\x81\xa0", "<U+2060>");
	EXPECT("\xef\xbb\xbf#!/bin/sh", "<U+FEFF>#!/bin/sh");
	/* Other Cf: soft hyphen, invisible times, a tag character, the
	 * line separator and a Hangul filler that draws nothing. */
	EXPECT("pass\xc2\xadword", "pass<U+00AD>word");
	EXPECT("\xe2\x81\xa2", "<U+2062>");
	EXPECT("\xf3\xa0\x81\x81", "<U+E0041>");
	EXPECT("a\xe2\x80\xa8"
	       "b",
	       "a<U+2028>b");
	EXPECT("\xe3\x85\xa4", "<U+3164>");
}

static void
test_invalid_utf8_is_shown_byte_by_byte(void **state)
{
	(void)state;
	EXPECT("\xff", "<\\xff>");
	EXPECT("ok\xfe!", "ok<\\xfe>!");
	EXPECT("\xc0\xaf", "<\\xc0><\\xaf>");                       /* overlong '/' */
	EXPECT("\xed\xa0\x80", "<\\xed><\\xa0><\\x80>");            /* a surrogate */
	EXPECT("\xf4\x90\x80\x80", "<\\xf4><\\x90><\\x80><\\x80>"); /* > U+10FFFF */
	EXPECT("end\xe2\x82", "end<\\xe2><\\x82>");                 /* truncated */
}

static void
test_unprintable_code_points_are_badges(void **state)
{
	(void)state;
	EXPECT("\xcd\xb8", "<U+0378>");     /* unassigned */
	EXPECT("\xef\xbf\xbf", "<U+FFFF>"); /* noncharacter */
	EXPECT("\xcc\x81"
	       "abc",
	       "<U+0301>abc"); /* a mark with nothing to join */
}

/* Walks s and returns the cells in an array (at most n). */
static size_t
cells_of(const char *s, size_t len, unsigned flags, struct ag_cell *cells, size_t n)
{
	struct ag_san it;
	size_t i = 0;

	ag_san_init(&it, s, len, flags);
	while (i < n && ag_san_next(&it, &cells[i]))
		i++;
	return i;
}

static void
test_widths_keep_columns_aligned(void **state)
{
	(void)state;
	struct ag_cell c[16];

	/* Wide CJK: two columns each. */
	assert_int_equal(ag_sanitize_width("\xe4\xb8\xad\xe6\x96\x87", 6, 0), 4);
	/* e + combining acute: one cell, one column, both code points kept. */
	assert_int_equal(cells_of("e\xcc\x81x", 4, 0, c, 16), 2);
	assert_int_equal(c[0].kind, AG_CELL_TEXT);
	assert_int_equal(c[0].width, 1);
	assert_int_equal(c[0].ncps, 2);
	assert_int_equal(c[0].cps[1], 0x301);
	assert_string_equal(c[0].text, "e\xcc\x81");
	assert_int_equal(c[1].offset, 3);
	/* A badge is as wide as its text. */
	assert_int_equal(ag_sanitize_width("\x1b", 1, 0), 2);
	assert_int_equal(ag_sanitize_width("\xe2\x80\xae", 3, 0), 8);
	assert_int_equal(ag_sanitize_width("\xff", 1, 0), 6);
}

static void
test_combining_pileups_are_bounded(void **state)
{
	(void)state;
	/* a + six combining graves: four join the a, two are shown. */
	const char *s = "a\xcc\x80\xcc\x80\xcc\x80\xcc\x80\xcc\x80\xcc\x80";
	char *got = ag_sanitize_line(s, strlen(s));
	assert_string_equal(got, "a\xcc\x80\xcc\x80\xcc\x80\xcc\x80<U+0300><U+0300>");
	free(got);
}

static void
test_tabs_expand_to_stops(void **state)
{
	(void)state;
	struct ag_cell c[8];

	assert_int_equal(cells_of("ab\tc\td", 6, AG_SAN_EXPAND_TABS, c, 8), 6);
	assert_int_equal(c[2].kind, AG_CELL_TAB);
	assert_int_equal(c[2].width, 6); /* from column 2 to 8 */
	assert_string_equal(c[2].text, "      ");
	assert_int_equal(c[4].kind, AG_CELL_TAB);
	assert_int_equal(c[4].width, 7); /* from column 9 to 16 */
	/* Without the flag a tab is a badge, never a raw \t. */
	assert_int_equal(cells_of("\t", 1, 0, c, 8), 1);
	assert_int_equal(c[0].kind, AG_CELL_BADGE);
	assert_string_equal(c[0].text, "^I");
}

static void
test_escape_bytes_are_marked(void **state)
{
	(void)state;
	struct ag_cell c[32];
	const char *s = "\x1b[1;31mX\x1b]52;c;QQ==\x07Y";
	size_t n = cells_of(s, strlen(s), 0, c, 32);

	/* ^[ [ 1 ; 3 1 m are one sequence, X is not, the OSC through BEL is. */
	for (size_t i = 0; i < 7; i++)
		assert_true(c[i].in_escape);
	assert_string_equal(c[7].text, "X");
	assert_false(c[7].in_escape);
	assert_string_equal(c[n - 1].text, "Y");
	assert_false(c[n - 1].in_escape);
	assert_string_equal(c[n - 2].text, "^G");
	assert_true(c[n - 2].in_escape);
	/* Source offsets let the console highlight byte ranges. */
	assert_int_equal(c[7].offset, 7);
	assert_int_equal(c[7].srclen, 1);
}

static void
test_lines_split_at_newlines(void **state)
{
	(void)state;
	const char *s = "a\n\nbc\n";
	size_t pos = 0, len;
	const char *line;

	assert_true(ag_line_next(s, 6, &pos, &line, &len));
	assert_int_equal(len, 1);
	assert_true(ag_line_next(s, 6, &pos, &line, &len));
	assert_int_equal(len, 0);
	assert_true(ag_line_next(s, 6, &pos, &line, &len));
	assert_int_equal(len, 2);
	assert_memory_equal(line, "bc", 2);
	assert_false(ag_line_next(s, 6, &pos, &line, &len));
	assert_int_equal(ag_line_count("", 0), 0);
	assert_int_equal(ag_line_count("x", 1), 1);
	assert_int_equal(ag_line_count("x\ny", 3), 2);
}

/* What must never reach a terminal, listed from the issue rather than from
 * the module's table. */
static int
forbidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c ||
	       (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff;
}

static void
test_random_bytes_never_leak(void **state)
{
	(void)state;
	/* Inputs biased towards the interesting bytes: ESC, C1 lead 0xc2,
	 * the 0xe2 0x80/0x81 prefix of bidi and zero-width characters. */
	static const unsigned char alphabet[] = {0x1b, '[',  ']',  0x07, '\r', '\n', 0xc2, 0x9b,
	                                         0xe2, 0x80, 0x81, 0xae, 0xa6, 0x8b, 0xef, 0xbb,
	                                         0xbf, 0xff, 'a',  0xcc, 0x81, 0x00, 0x7f, 0xd8};
	srand(42);
	for (int round = 0; round < 20000; round++) {
		unsigned char in[64];
		size_t len = (size_t)(rand() % 64);
		for (size_t i = 0; i < len; i++)
			in[i] =
			    rand() % 3 ? alphabet[rand() % sizeof alphabet] : (unsigned char)rand();
		char *out = ag_sanitize_line((const char *)in, len);
		size_t olen = strlen(out), bad;
		assert_true(ag_utf8_valid(out, olen, &bad));
		for (size_t i = 0; i < olen;) {
			uint32_t cp;
			int n = ag_utf8_decode(out + i, olen - i, &cp);
			assert_true(n > 0);
			if (forbidden(cp))
				fail_msg("U+%04X leaked from round %d", (unsigned)cp, round);
			i += (size_t)n;
		}
		free(out);
	}
}

int
main(void)
{
	/* Widths depend on the locale, as in the console. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL && setlocale(LC_ALL, "en_US.UTF-8") == NULL) {
		fprintf(stderr, "no UTF-8 locale: skipping\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text_is_unchanged),
	    cmocka_unit_test(test_c0_controls_are_caret_badges),
	    cmocka_unit_test(test_escape_sequences_are_defused),
	    cmocka_unit_test(test_c1_controls_are_badges),
	    cmocka_unit_test(test_bidi_controls_are_badges),
	    cmocka_unit_test(test_zero_width_and_format_are_badges),
	    cmocka_unit_test(test_invalid_utf8_is_shown_byte_by_byte),
	    cmocka_unit_test(test_unprintable_code_points_are_badges),
	    cmocka_unit_test(test_widths_keep_columns_aligned),
	    cmocka_unit_test(test_combining_pileups_are_bounded),
	    cmocka_unit_test(test_tabs_expand_to_stops),
	    cmocka_unit_test(test_escape_bytes_are_marked),
	    cmocka_unit_test(test_lines_split_at_newlines),
	    cmocka_unit_test(test_random_bytes_never_leak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
