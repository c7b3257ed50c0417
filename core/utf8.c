/* Strict UTF-8 (RFC 3629, Table 3-7 of the Unicode standard): each lead
 * byte fixes the range its first continuation byte may take, which rules out
 * overlong forms, surrogates (U+D800..U+DFFF) and anything above U+10FFFF
 * without decoding first and checking after. */
#include "core/utf8.h"

int
ag_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */
	uint32_t c;
	int n;

	if (len == 0)
		return -1;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xc2) /* continuation byte, or overlong 2-byte lead */
		return -1;
	if (p[0] < 0xe0) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] < 0xf0) {
		n = 3;
		c = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0; /* below is overlong */
		else if (p[0] == 0xed)
			hi = 0x9f; /* above is a surrogate */
	} else if (p[0] < 0xf5) {
		n = 4;
		c = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90; /* below is overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f; /* above is > U+10FFFF */
	} else {
		return -1;
	}
	if (len < (size_t)n)
		return -1;
	if (p[1] < lo || p[1] > hi)
		return -1;
	c = (c << 6) | (p[1] & 0x3f);
	for (int i = 2; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return n;
}

int
ag_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		/* ASCII fast path: frames are mostly ASCII. */
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		int n = ag_utf8_decode(s + i, len - i, &cp);
		if (n < 0) {
			if (bad_offset != NULL)
				*bad_offset = i;
			return 0;
		}
		i += (size_t)n;
	}
	return 1;
}

int
ag_utf8_encode(uint32_t cp, char *buf)
{
	unsigned char *b = (unsigned char *)buf;

	/* Not encodable: write U+FFFD rather than a lie. */
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | (cp >> 18));
	b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}
