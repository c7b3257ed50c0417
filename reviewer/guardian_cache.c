#include "reviewer/guardian_cache.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

struct entry {
	char *key; /* NULL: free slot */
	uint64_t hash;
	struct ag_verdict verdict;
	int64_t stored_ms;
	uint64_t used; /* a tick, for LRU */
};

struct ag_verdict_cache {
	struct entry *entries;
	size_t max, count;
	int64_t ttl_ms;
	uint64_t tick;
};

uint64_t
ag_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

struct ag_verdict_cache *
ag_verdict_cache_new(size_t max_entries, int64_t ttl_ms)
{
	struct ag_verdict_cache *c = xcalloc(1, sizeof *c);
	c->max = max_entries;
	c->ttl_ms = ttl_ms;
	if (max_entries > 0)
		c->entries = xcalloc(max_entries, sizeof *c->entries);
	return c;
}

static void
entry_clear(struct entry *e)
{
	free(e->key);
	ag_verdict_clear(&e->verdict);
	memset(e, 0, sizeof *e);
}

void
ag_verdict_cache_free(struct ag_verdict_cache **cp)
{
	struct ag_verdict_cache *c = *cp;
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->max; i++)
		if (c->entries[i].key)
			entry_clear(&c->entries[i]);
	free(c->entries);
	free(c);
	*cp = NULL;
}

static struct entry *
find(struct ag_verdict_cache *c, const char *key, uint64_t hash)
{
	for (size_t i = 0; i < c->max; i++) {
		struct entry *e = &c->entries[i];
		if (e->key && e->hash == hash && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

int
ag_verdict_cache_get(struct ag_verdict_cache *c, const char *key, int64_t now_ms,
                     struct ag_verdict *out)
{
	if (c->max == 0)
		return 0;
	struct entry *e = find(c, key, ag_hash64(key, strlen(key), AG_HASH64_SEED));
	if (e == NULL)
		return 0;
	if (now_ms - e->stored_ms >= c->ttl_ms || now_ms < e->stored_ms) {
		entry_clear(e);
		c->count--;
		return 0;
	}
	e->used = ++c->tick;
	ag_verdict_copy(out, &e->verdict);
	return 1;
}

void
ag_verdict_cache_put(struct ag_verdict_cache *c, const char *key, const struct ag_verdict *v,
                     int64_t now_ms)
{
	if (c->max == 0)
		return;
	uint64_t hash = ag_hash64(key, strlen(key), AG_HASH64_SEED);
	struct entry *e = find(c, key, hash);
	if (e == NULL) {
		struct entry *lru = NULL;
		for (size_t i = 0; i < c->max && e == NULL; i++) {
			if (c->entries[i].key == NULL)
				e = &c->entries[i];
			else if (lru == NULL || c->entries[i].used < lru->used)
				lru = &c->entries[i];
		}
		if (e == NULL) {
			if (lru == NULL)
				return; /* cannot happen: max > 0 */
			e = lru;
			entry_clear(e);
			c->count--;
		}
		e->key = xstrdup(key);
		e->hash = hash;
		c->count++;
	} else {
		ag_verdict_clear(&e->verdict);
	}
	ag_verdict_copy(&e->verdict, v);
	e->stored_ms = now_ms;
	e->used = ++c->tick;
}

size_t
ag_verdict_cache_count(const struct ag_verdict_cache *c)
{
	return c->count;
}
