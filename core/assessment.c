#include "core/assessment.h"

#include <stdlib.h>
#include <string.h>

void
ag_assessment_init(struct ag_assessment *a)
{
	memset(a, 0, sizeof *a);
	ag_risk_init(&a->risk);
	a->by = AG_BY_POLICY;
}

void
ag_assessment_clear(struct ag_assessment *a)
{
	ag_risk_clear(&a->risk);
	free(a->reason);
	free(a->rule);
	ag_assessment_init(a);
}

int
ag_assessment_needs_human(const struct ag_assessment *a)
{
	return a->rule_denied || a->rule_ask || a->risk.level == AG_LEVEL_CRITICAL;
}

const char *
ag_assessment_human_why(const struct ag_assessment *a)
{
	if (a->rule_denied)
		return "matched a deny rule";
	if (a->rule_ask)
		return "matched an ask rule";
	return "is critical";
}
