/* The engine's one entry point: dispatch on the action kind. Each scorer
 * only raises the risk, so a request is never scored lower than the worst
 * thing found in it. */
#include "reviewer/engine.h"

typedef void (*scorer_fn)(const struct ag_request *req, struct ag_risk *out);

static const scorer_fn scorers[AG_KIND_COUNT] = {
    [AG_KIND_EXEC] = ag_risk_exec,
    [AG_KIND_PATCH] = ag_risk_patch,
    [AG_KIND_NETWORK] = ag_risk_network,
    [AG_KIND_MCP] = ag_risk_mcp,
    [AG_KIND_PERMISSION] = ag_risk_permission,
};

void
ag_engine_score(const struct ag_request *req, struct ag_risk *out)
{
	if ((unsigned)req->kind >= AG_KIND_COUNT || scorers[req->kind] == NULL) {
		/* Unreachable for a validated request; fail closed if it happens. */
		ag_risk_add(out, 80, 0, -1, -1, 0, "unknown action kind: not scored");
		return;
	}
	scorers[req->kind](req, out);
}
