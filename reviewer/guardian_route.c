#include "reviewer/guardian_route.h"

const char *
ag_route_plan_name(enum ag_route_plan p)
{
	switch (p) {
	case AG_PLAN_SKIP: return "skip";
	case AG_PLAN_APPROVE_LOCAL: return "approve_local";
	case AG_PLAN_REVIEW: return "review";
	case AG_PLAN_ESCALATE: return "escalate";
	}
	return "skip";
}

const char *
ag_route_action_name(enum ag_route_action a)
{
	switch (a) {
	case AG_ACT_POST_ONLY: return "post_only";
	case AG_ACT_APPROVE: return "approve";
	case AG_ACT_DENY: return "deny";
	case AG_ACT_ESCALATE: return "escalate";
	}
	return "post_only";
}

enum ag_route_plan
ag_route_plan(const struct ag_route_opts *o, const struct ag_route_facts *f)
{
	if (f->on_demand)
		return AG_PLAN_REVIEW;
	switch (o->mode) {
	case AG_GMODE_ADVISE:
		if (f->local_level == AG_LEVEL_LOW && !f->needs_human && !o->review_low)
			return AG_PLAN_SKIP;
		return AG_PLAN_REVIEW;
	case AG_GMODE_AUTO:
		if (f->needs_human || f->local_level >= AG_LEVEL_CRITICAL)
			return f->human_attached ? AG_PLAN_REVIEW : AG_PLAN_ESCALATE;
		if (f->local_level == AG_LEVEL_LOW && !o->review_low)
			return AG_PLAN_APPROVE_LOCAL;
		if (f->local_level >= AG_LEVEL_HIGH && !f->human_attached)
			return AG_PLAN_ESCALATE;
		return AG_PLAN_REVIEW;
	case AG_GMODE_OFF:
	default: return AG_PLAN_SKIP;
	}
}

enum ag_route_action
ag_route_result(const struct ag_route_opts *o, const struct ag_route_facts *f,
                const struct ag_review_result *r)
{
	if (o->mode != AG_GMODE_AUTO || f->on_demand)
		return AG_ACT_POST_ONLY;
	if (r->judgement == AG_JUDGE_FAILED)
		return AG_ACT_ESCALATE;
	enum ag_level level = r->effective_level;
	if (f->local_level > level)
		level = f->local_level;
	if (f->needs_human || level >= AG_LEVEL_HIGH)
		return AG_ACT_ESCALATE;
	return r->judgement == AG_JUDGE_ALLOW ? AG_ACT_APPROVE : AG_ACT_DENY;
}
