/* Strict UTF-8: every way a byte sequence can lie about a code point must be
 * refused, and the offset of the first lie reported. The exhaustive tests
 * compare against a second, deliberately naive decoder (decode anything,
 * then reject overlong/surrogate/out-of-range) written from RFC 3629's prose
 * rather than from the table the module uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

/* Reference: length from the lead byte's high bits, gather the payload,
 * then check the result is the shortest form and a scalar value. */
static int
ref_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	int n;
	uint32_t c;
	if (len == 0)
		return -1;
	if ((p[0] & 0x80) == 0) {
		*cp = p[0];
		return 1;
	} else if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		c = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return -1;
	}
	if (len < (size_t)n)
		return -1;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (p[i] & 0x3f);
	}
	static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < min_for_len[n])
		return -1; /* overlong */
	if (c >= 0xd800 && c <= 0xdfff)
		return -1; /* surrogate */
	if (c > 0x10ffff)
		return -1;
	*cp = c;
	return n;
}

static void
assert_invalid_at(const char *s, size_t len, size_t offset)
{
	size_t bad = (size_t)-1;
	assert_int_equal(ag_utf8_valid(s, len, &bad), 0);
	assert_int_equal(bad, offset);
}

static void
test_ascii_and_multibyte(void **state)
{
	(void)state;
	uint32_t cp = 0;
	assert_int_equal(ag_utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(ag_utf8_decode("\xc3\xa9", 2, &cp), 2); /* é */
	assert_int_equal(cp, 0xe9);
	assert_int_equal(ag_utf8_decode("\xe2\x80\xae", 3, &cp), 3); /* RLO */
	assert_int_equal(cp, 0x202e);
	assert_int_equal(ag_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4); /* 😀 */
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(ag_utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(ag_utf8_decode("\xef\xbf\xbd", 3, &cp), 3);
	assert_int_equal(cp, 0xfffd);
	/* NUL is valid UTF-8; refusing it is the frame parser's job. */
	assert_int_equal(ag_utf8_decode("\0", 1, &cp), 1);
	assert_int_equal(cp, 0);
}

static void
test_overlong(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(ag_utf8_decode("\xc0\xaf", 2, &cp), -1);         /* '/' */
	assert_int_equal(ag_utf8_decode("\xc1\xbf", 2, &cp), -1);         /* U+7F */
	assert_int_equal(ag_utf8_decode("\xc0\x80", 2, &cp), -1);         /* "modified UTF-8" NUL */
	assert_int_equal(ag_utf8_decode("\xe0\x80\xaf", 3, &cp), -1);     /* '/' */
	assert_int_equal(ag_utf8_decode("\xe0\x9f\xbf", 3, &cp), -1);     /* U+7FF */
	assert_int_equal(ag_utf8_decode("\xf0\x80\x80\xaf", 4, &cp), -1); /* '/' */
	assert_int_equal(ag_utf8_decode("\xf0\x8f\xbf\xbf", 4, &cp), -1); /* U+FFFF */
	/* The shortest forms just above each boundary are fine. */
	assert_int_equal(ag_utf8_decode("\xc2\x80", 2, &cp), 2);
	assert_int_equal(ag_utf8_decode("\xe0\xa0\x80", 3, &cp), 3);
	assert_int_equal(ag_utf8_decode("\xf0\x90\x80\x80", 4, &cp), 4);
}

static void
test_surrogates(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(ag_utf8_decode("\xed\xa0\x80", 3, &cp), -1); /* U+D800 */
	assert_int_equal(ag_utf8_decode("\xed\xbf\xbf", 3, &cp), -1); /* U+DFFF */
	assert_int_equal(ag_utf8_decode("\xed\x9f\xbf", 3, &cp), 3);  /* U+D7FF */
	assert_int_equal(cp, 0xd7ff);
	assert_int_equal(ag_utf8_decode("\xee\x80\x80", 3, &cp), 3); /* U+E000 */
	/* CESU-8 pair for U+1F600 */
	assert_invalid_at("ab\xed\xa0\xbd\xed\xb8\x80", 8, 2);
}

static void
test_above_max(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(ag_utf8_decode("\xf4\x90\x80\x80", 4, &cp), -1); /* U+110000 */
	assert_int_equal(ag_utf8_decode("\xf5\x80\x80\x80", 4, &cp), -1);
	assert_int_equal(ag_utf8_decode("\xf7\xbf\xbf\xbf", 4, &cp), -1);
	assert_int_equal(ag_utf8_decode("\xf8\x88\x80\x80\x80", 5, &cp), -1); /* 5-byte */
	assert_int_equal(ag_utf8_decode("\xfc\x84\x80\x80\x80\x80", 6, &cp), -1);
	assert_int_equal(ag_utf8_decode("\xfe", 1, &cp), -1);
	assert_int_equal(ag_utf8_decode("\xff", 1, &cp), -1);
}

static void
test_truncated_and_stray(void **state)
{
	(void)state;
	uint32_t cp;
	/* Truncated by the buffer end: the decoder must not read past len. */
	assert_int_equal(ag_utf8_decode("\xc3", 1, &cp), -1);
	assert_int_equal(ag_utf8_decode("\xe2\x80", 2, &cp), -1);
	assert_int_equal(ag_utf8_decode("\xf0\x9f\x98", 3, &cp), -1);
	/* Truncated by an ASCII byte in the middle. */
	assert_int_equal(ag_utf8_decode("\xe2\x80"
	                                "A",
	                                3, &cp),
	                 -1);
	assert_int_equal(ag_utf8_decode("\xf0\x9f"
	                                "AB",
	                                4, &cp),
	                 -1);
	/* A lone continuation byte. */
	assert_int_equal(ag_utf8_decode("\x80", 1, &cp), -1);
	assert_int_equal(ag_utf8_decode("\xbf", 1, &cp), -1);
	assert_int_equal(ag_utf8_decode("", 0, &cp), -1);

	assert_invalid_at("hello \xc3", 7, 6);
	assert_invalid_at("ok \xe2\x80\xae then \x80", 13, 12);
	assert_invalid_at("\xf0\x9f\x98\x80\xf0\x9f\x98", 7, 4);
}

static void
test_valid_whole_strings(void **state)
{
	(void)state;
	const char *s = "rm -rf \xe2\x80\xae build \xf0\x9f\x98\x80 caf\xc3\xa9";
	assert_int_equal(ag_utf8_valid(s, strlen(s), NULL), 1);
	assert_int_equal(ag_utf8_valid("", 0, NULL), 1);
	/* The offset is left alone on success and NULL is allowed on failure. */
	size_t bad = 77;
	assert_int_equal(ag_utf8_valid("abc", 3, &bad), 1);
	assert_int_equal(bad, 77);
	assert_int_equal(ag_utf8_valid("\xff", 1, NULL), 0);
	/* len is honoured: the invalid byte past it is not looked at. */
	assert_int_equal(ag_utf8_valid("ab\xff", 2, NULL), 1);
}

static void
test_encode_roundtrip_every_scalar(void **state)
{
	(void)state;
	char buf[4];
	for (uint32_t c = 0; c <= 0x10ffff; c++) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		int n = ag_utf8_encode(c, buf);
		uint32_t back = 0xffffffff, ref = 0xfffffffe;
		assert_int_equal(ag_utf8_decode(buf, (size_t)n, &back), n);
		assert_int_equal(back, c);
		assert_int_equal(ref_decode((const unsigned char *)buf, (size_t)n, &ref), n);
		assert_int_equal(ref, c);
		int want = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
		assert_int_equal(n, want);
	}
}

static void
test_encode_refuses_non_scalars(void **state)
{
	(void)state;
	char buf[4];
	uint32_t cp;
	/* Surrogates and out-of-range values come out as U+FFFD, never as the
	 * ill-formed bytes a naive encoder would write. */
	assert_int_equal(ag_utf8_encode(0xd800, buf), 3);
	assert_int_equal(ag_utf8_decode(buf, 3, &cp), 3);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(ag_utf8_encode(0x110000, buf), 3);
	assert_memory_equal(buf, "\xef\xbf\xbd", 3);
}

/* Every 1-, 2- and 3-byte sequence, plus all 4-byte sequences whose last
 * two bytes are drawn from a set that covers each boundary class. */
static void
test_exhaustive_against_reference(void **state)
{
	(void)state;
	unsigned char b[4];
	uint32_t a, r;
	for (uint32_t x = 0; x < (1u << 24); x++) {
		b[0] = (unsigned char)(x >> 16);
		b[1] = (unsigned char)(x >> 8);
		b[2] = (unsigned char)x;
		for (size_t len = 1; len <= 3; len++) {
			/* Shorter lengths only need each prefix once. */
			if ((len == 1 && (x & 0xffff) != 0) || (len == 2 && (x & 0xff) != 0))
				continue;
			a = r = 0;
			int na = ag_utf8_decode((const char *)b, len, &a);
			int nr = ref_decode(b, len, &r);
			if (na != nr || (na > 0 && a != r))
				fail_msg("%02x %02x %02x len %zu: got %d/%x want %d/%x", b[0], b[1],
				         b[2], len, na, a, nr, r);
		}
	}
	static const unsigned char tails[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
	                                      0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xff};
	for (uint32_t x = 0; x < (1u << 16); x++) {
		b[0] = (unsigned char)(x >> 8);
		b[1] = (unsigned char)x;
		for (size_t i = 0; i < sizeof tails; i++)
			for (size_t j = 0; j < sizeof tails; j++) {
				b[2] = tails[i];
				b[3] = tails[j];
				a = r = 0;
				int na = ag_utf8_decode((const char *)b, 4, &a);
				int nr = ref_decode(b, 4, &r);
				if (na != nr || (na > 0 && a != r))
					fail_msg("%02x %02x %02x %02x: got %d want %d", b[0], b[1],
					         b[2], b[3], na, nr);
			}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ascii_and_multibyte),
	    cmocka_unit_test(test_overlong),
	    cmocka_unit_test(test_surrogates),
	    cmocka_unit_test(test_above_max),
	    cmocka_unit_test(test_truncated_and_stray),
	    cmocka_unit_test(test_valid_whole_strings),
	    cmocka_unit_test(test_encode_roundtrip_every_scalar),
	    cmocka_unit_test(test_encode_refuses_non_scalars),
	    cmocka_unit_test(test_exhaustive_against_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
