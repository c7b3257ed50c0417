/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF
 * (RFC 3629). The frame validator and the sanitizer both decode through here. */
#ifndef AGATE_CORE_UTF8_H
#define AGATE_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (len > 0 bytes available). Returns its length
 * in bytes (1..4) and sets *cp, or returns -1 for an invalid or truncated
 * sequence (then the caller treats one byte, s[0], as invalid). */
int ag_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* 1 when all len bytes are valid UTF-8; else 0 and *bad_offset (if non-NULL)
 * is the offset of the first invalid byte. */
int ag_utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* Encodes cp into buf (>= 4 bytes); returns the length. */
int ag_utf8_encode(uint32_t cp, char *buf);

#endif
