/* The Guardian's verdict cache: identical normalized actions reviewed under
 * the same policy get the same verdict without another model call.
 *
 * Bounded (least recently used entries go first) and aged (entries older
 * than the TTL are misses). Only verdicts are stored, never judgements:
 * callers judge a hit again with what they know now. */
#ifndef AGATE_REVIEWER_GUARDIAN_CACHE_H
#define AGATE_REVIEWER_GUARDIAN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "reviewer/guardian_verdict.h"

struct ag_verdict_cache;

/* max_entries 0 makes a cache that never hits. Caller frees. */
struct ag_verdict_cache *ag_verdict_cache_new(size_t max_entries, int64_t ttl_ms);
void ag_verdict_cache_free(struct ag_verdict_cache **c);

/* 1 and a copy in *out (caller clears) when key holds a verdict younger
 * than the TTL; 0 otherwise. */
int ag_verdict_cache_get(struct ag_verdict_cache *c, const char *key, int64_t now_ms,
                         struct ag_verdict *out);
/* Stores a copy, replacing what key held; evicts the least recently used
 * entry when full. */
void ag_verdict_cache_put(struct ag_verdict_cache *c, const char *key, const struct ag_verdict *v,
                          int64_t now_ms);
size_t ag_verdict_cache_count(const struct ag_verdict_cache *c);

/* FNV-1a, 64 bits, continuing from seed (start with AG_HASH64_SEED). */
#define AG_HASH64_SEED UINT64_C(0xcbf29ce484222325)
uint64_t ag_hash64(const void *data, size_t len, uint64_t seed);

#endif
