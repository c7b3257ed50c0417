/* ipc/pending: the hub's table finds every id, keeps arrival order for
 * snapshots, and survives heavy churn (tombstones) without losing entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "ipc/pending.h"

static struct ag_pending *
entry(const char *id)
{
	struct ag_pending *p = xcalloc(1, sizeof *p);
	p->req = xcalloc(1, sizeof *p->req);
	snprintf(p->req->id, sizeof p->req->id, "%s", id);
	p->req->session = xstrdup("");
	p->req->agent = xstrdup("");
	p->req->cwd = xstrdup("");
	p->req->justification = xstrdup("");
	ag_assessment_init(&p->assessment);
	return p;
}

static void
test_find_and_order(void **state)
{
	(void)state;
	struct ag_pending_table t;
	ag_pending_init(&t);
	char id[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "r-%d", i);
		ag_pending_add(&t, entry(id));
	}
	assert_int_equal(t.count, 5000);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(id, sizeof id, "r-%d", i);
		struct ag_pending *p = ag_pending_find(&t, id);
		assert_non_null(p);
		assert_string_equal(p->req->id, id);
	}
	assert_null(ag_pending_find(&t, "r-5000"));
	int i = 0;
	for (struct ag_pending *p = t.head; p; p = p->next, i++) {
		snprintf(id, sizeof id, "r-%d", i);
		assert_string_equal(p->req->id, id);
	}
	ag_pending_free(&t);
}

/* Remove most entries, add new ones, many rounds: what remains is findable
 * and nothing removed comes back. */
static void
test_churn(void **state)
{
	(void)state;
	struct ag_pending_table t;
	ag_pending_init(&t);
	char id[32];
	int next = 0;
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 200; i++) {
			snprintf(id, sizeof id, "c-%d", next++);
			ag_pending_add(&t, entry(id));
		}
		struct ag_pending *p = t.head;
		int k = 0;
		while (p) {
			struct ag_pending *n = p->next;
			if (k++ % 4 != 0)
				ag_pending_remove(&t, p);
			p = n;
		}
	}
	size_t walked = 0;
	for (struct ag_pending *p = t.head; p; p = p->next) {
		assert_ptr_equal(ag_pending_find(&t, p->req->id), p);
		walked++;
	}
	assert_int_equal(walked, t.count);
	assert_true(t.nslots < 16 * (t.count + 64));
	ag_pending_free(&t);
	assert_int_equal(t.count, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_and_order),
	    cmocka_unit_test(test_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
