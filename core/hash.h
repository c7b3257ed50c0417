/* The hash of agate's open-addressed tables (request ids, command and
 * option names, hosts, working directories): 32-bit FNV-1a. Quick on the
 * short strings these hold; not meant to resist collisions made on
 * purpose, which could only slow a lookup. */
#ifndef AGATE_CORE_HASH_H
#define AGATE_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t
ag_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* ag_hash of a NUL-terminated string. */
static inline uint32_t
ag_hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

#endif
