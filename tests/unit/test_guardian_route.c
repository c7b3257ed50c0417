/* The mode table: which requests cost a model call, and which results may
 * become an approval. Exhaustive over every input, checked against the
 * promises rather than against the table itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reviewer/guardian_route.h"

static enum ag_route_plan
plan(enum ag_guardian_mode mode, enum ag_level level, int needs_human, int human, int demand)
{
	struct ag_route_opts o = {mode, 0};
	struct ag_route_facts f = {level, needs_human, human, demand};
	return ag_route_plan(&o, &f);
}

static void
test_plans(void **state)
{
	(void)state;
	/* auto: the engine settles lows, the rest that can still end in an
	 * approval goes to the model. */
	assert_int_equal(plan(AG_GMODE_AUTO, AG_LEVEL_LOW, 0, 0, 0), AG_PLAN_APPROVE_LOCAL);
	assert_int_equal(plan(AG_GMODE_AUTO, AG_LEVEL_MEDIUM, 0, 0, 0), AG_PLAN_REVIEW);
	assert_int_equal(plan(AG_GMODE_AUTO, AG_LEVEL_HIGH, 0, 0, 0), AG_PLAN_ESCALATE);
	assert_int_equal(plan(AG_GMODE_AUTO, AG_LEVEL_HIGH, 0, 1, 0), AG_PLAN_REVIEW);
	assert_int_equal(plan(AG_GMODE_AUTO, AG_LEVEL_CRITICAL, 1, 0, 0), AG_PLAN_ESCALATE);
	assert_int_equal(plan(AG_GMODE_AUTO, AG_LEVEL_CRITICAL, 1, 1, 0), AG_PLAN_REVIEW);
	/* A deny rule on a "low" command is not the engine's to approve. */
	assert_int_equal(plan(AG_GMODE_AUTO, AG_LEVEL_LOW, 1, 0, 0), AG_PLAN_ESCALATE);
	/* advise: everything above low, and what a human asks for. */
	assert_int_equal(plan(AG_GMODE_ADVISE, AG_LEVEL_LOW, 0, 1, 0), AG_PLAN_SKIP);
	assert_int_equal(plan(AG_GMODE_ADVISE, AG_LEVEL_LOW, 0, 1, 1), AG_PLAN_REVIEW);
	assert_int_equal(plan(AG_GMODE_ADVISE, AG_LEVEL_MEDIUM, 0, 0, 0), AG_PLAN_REVIEW);
	assert_int_equal(plan(AG_GMODE_ADVISE, AG_LEVEL_LOW, 1, 0, 0), AG_PLAN_REVIEW);
	/* off: only on demand. */
	assert_int_equal(plan(AG_GMODE_OFF, AG_LEVEL_HIGH, 0, 1, 0), AG_PLAN_SKIP);
	assert_int_equal(plan(AG_GMODE_OFF, AG_LEVEL_HIGH, 0, 1, 1), AG_PLAN_REVIEW);
	/* review_low sends lows to the model too. */
	struct ag_route_opts o = {AG_GMODE_AUTO, 1};
	struct ag_route_facts f = {AG_LEVEL_LOW, 0, 0, 0};
	assert_int_equal(ag_route_plan(&o, &f), AG_PLAN_REVIEW);
}

static void
test_no_plan_approves_what_needs_a_human(void **state)
{
	(void)state;
	for (int m = 0; m < AG_GMODE_COUNT; m++)
		for (int l = 0; l < AG_LEVEL_COUNT; l++)
			for (int bits = 0; bits < 16; bits++) {
				struct ag_route_opts o = {(enum ag_guardian_mode)m, bits & 8};
				struct ag_route_facts f = {(enum ag_level)l, bits & 1, !!(bits & 2),
				                           !!(bits & 4)};
				enum ag_route_plan p = ag_route_plan(&o, &f);
				if (p == AG_PLAN_APPROVE_LOCAL) {
					assert_int_equal(m, AG_GMODE_AUTO);
					assert_int_equal(l, AG_LEVEL_LOW);
					assert_false(f.needs_human);
				}
			}
}

static void
test_results_exhaustive(void **state)
{
	(void)state;
	int approvals = 0;
	for (int m = 0; m < AG_GMODE_COUNT; m++)
		for (int l = 0; l < AG_LEVEL_COUNT; l++)
			for (int eff = 0; eff < AG_LEVEL_COUNT; eff++)
				for (int j = 0; j < 3; j++)
					for (int bits = 0; bits < 8; bits++) {
						struct ag_route_opts o = {(enum ag_guardian_mode)m,
						                          0};
						struct ag_route_facts f = {(enum ag_level)l,
						                           bits & 1, !!(bits & 2),
						                           !!(bits & 4)};
						struct ag_review_result r;
						memset(&r, 0, sizeof r);
						r.judgement = (enum ag_judgement)j;
						r.effective_level = (enum ag_level)eff;
						enum ag_route_action a =
						    ag_route_result(&o, &f, &r);
						if (m != AG_GMODE_AUTO || f.on_demand)
							assert_int_equal(a, AG_ACT_POST_ONLY);
						if (a != AG_ACT_APPROVE && a != AG_ACT_DENY)
							continue;
						/* The Guardian acts alone only at low/medium,
						 * never on a failure or for a human's request. */
						assert_true(eff <= AG_LEVEL_MEDIUM);
						assert_true(l <= AG_LEVEL_MEDIUM);
						assert_false(f.needs_human);
						assert_int_not_equal(j, AG_JUDGE_FAILED);
						if (a == AG_ACT_APPROVE) {
							assert_int_equal(j, AG_JUDGE_ALLOW);
							approvals++;
						} else {
							assert_int_equal(j, AG_JUDGE_DENY);
						}
					}
	assert_true(approvals > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plans),
	    cmocka_unit_test(test_no_plan_approves_what_needs_a_human),
	    cmocka_unit_test(test_results_exhaustive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
