/* The verdict cache: hits only for the exact key, within the TTL, bounded
 * with the least recently used entry evicted first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/xmalloc.h"
#include "reviewer/guardian_cache.h"

static struct ag_verdict
verdict(enum ag_level level, int allow, const char *why)
{
	struct ag_verdict v;
	ag_verdict_init(&v);
	v.risk_level = level;
	v.allow = allow;
	v.rationale = xstrdup(why);
	return v;
}

static void
test_hit_miss_and_copy(void **state)
{
	(void)state;
	struct ag_verdict_cache *c = ag_verdict_cache_new(4, 1000);
	struct ag_verdict v = verdict(AG_LEVEL_MEDIUM, 1, "builds"), out;
	ag_verdict_cache_put(c, "exec:{\"command\":\"make\"}", &v, 0);
	ag_verdict_clear(&v); /* the cache holds its own copy */
	assert_int_equal(ag_verdict_cache_get(c, "exec:{\"command\":\"make\"}", 10, &out), 1);
	assert_int_equal(out.risk_level, AG_LEVEL_MEDIUM);
	assert_true(out.allow);
	assert_string_equal(out.rationale, "builds");
	ag_verdict_clear(&out);
	assert_int_equal(ag_verdict_cache_get(c, "exec:{\"command\":\"make \"}", 10, &out), 0);
	/* Replacing keeps one entry. */
	v = verdict(AG_LEVEL_HIGH, 0, "changed");
	ag_verdict_cache_put(c, "exec:{\"command\":\"make\"}", &v, 20);
	ag_verdict_clear(&v);
	assert_int_equal(ag_verdict_cache_count(c), 1);
	assert_int_equal(ag_verdict_cache_get(c, "exec:{\"command\":\"make\"}", 30, &out), 1);
	assert_false(out.allow);
	ag_verdict_clear(&out);
	ag_verdict_cache_free(&c);
	assert_null(c);
}

static void
test_ttl(void **state)
{
	(void)state;
	struct ag_verdict_cache *c = ag_verdict_cache_new(4, 1000);
	struct ag_verdict v = verdict(AG_LEVEL_LOW, 1, "x"), out;
	ag_verdict_cache_put(c, "k", &v, 5000);
	assert_int_equal(ag_verdict_cache_get(c, "k", 5999, &out), 1);
	ag_verdict_clear(&out);
	assert_int_equal(ag_verdict_cache_get(c, "k", 6000, &out), 0);
	assert_int_equal(ag_verdict_cache_count(c), 0);
	ag_verdict_clear(&v);
	ag_verdict_cache_free(&c);
}

static void
test_lru_eviction(void **state)
{
	(void)state;
	struct ag_verdict_cache *c = ag_verdict_cache_new(3, 100000);
	struct ag_verdict v = verdict(AG_LEVEL_LOW, 1, "x"), out;
	ag_verdict_cache_put(c, "a", &v, 0);
	ag_verdict_cache_put(c, "b", &v, 0);
	ag_verdict_cache_put(c, "c", &v, 0);
	assert_int_equal(ag_verdict_cache_get(c, "a", 1, &out), 1); /* a is fresh again */
	ag_verdict_clear(&out);
	ag_verdict_cache_put(c, "d", &v, 2); /* evicts b */
	assert_int_equal(ag_verdict_cache_count(c), 3);
	assert_int_equal(ag_verdict_cache_get(c, "b", 3, &out), 0);
	assert_int_equal(ag_verdict_cache_get(c, "a", 3, &out), 1);
	ag_verdict_clear(&out);
	assert_int_equal(ag_verdict_cache_get(c, "c", 3, &out), 1);
	ag_verdict_clear(&out);
	assert_int_equal(ag_verdict_cache_get(c, "d", 3, &out), 1);
	ag_verdict_clear(&out);
	ag_verdict_clear(&v);
	ag_verdict_cache_free(&c);
}

static void
test_disabled_and_hash(void **state)
{
	(void)state;
	struct ag_verdict_cache *c = ag_verdict_cache_new(0, 1000);
	struct ag_verdict v = verdict(AG_LEVEL_LOW, 1, "x"), out;
	ag_verdict_cache_put(c, "k", &v, 0);
	assert_int_equal(ag_verdict_cache_get(c, "k", 1, &out), 0);
	ag_verdict_clear(&v);
	ag_verdict_cache_free(&c);
	/* FNV-1a 64 reference values. */
	assert_true(ag_hash64("", 0, AG_HASH64_SEED) == UINT64_C(0xcbf29ce484222325));
	assert_true(ag_hash64("a", 1, AG_HASH64_SEED) == UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(ag_hash64("foobar", 6, AG_HASH64_SEED) == UINT64_C(0x85944171f73967e8));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_miss_and_copy),
	    cmocka_unit_test(test_ttl),
	    cmocka_unit_test(test_lru_eviction),
	    cmocka_unit_test(test_disabled_and_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
