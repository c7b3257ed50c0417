/* SHA-256 (FIPS 180-4), small and dependency-free. Codex keys its hook trust
 * entries by "sha256:" + the hex digest of the hook's canonical JSON, and the
 * hook adapters derive call ids from it, so we need exactly this digest and
 * nothing more of a crypto library. */
#ifndef AGATE_CORE_SHA256_H
#define AGATE_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define AG_SHA256_LEN 32
#define AG_SHA256_HEX (2 * AG_SHA256_LEN + 1)

struct ag_sha256 {
	uint32_t h[8];
	uint64_t bytes;        /* total length so far */
	unsigned char buf[64]; /* a partial block */
	size_t nbuf;
};

void ag_sha256_init(struct ag_sha256 *s);
void ag_sha256_update(struct ag_sha256 *s, const void *data, size_t len);
void ag_sha256_final(struct ag_sha256 *s, unsigned char out[AG_SHA256_LEN]);

/* One call: the lowercase hex digest of data into hex (AG_SHA256_HEX bytes,
 * NUL-terminated). */
void ag_sha256_hex(const void *data, size_t len, char hex[AG_SHA256_HEX]);

#endif
