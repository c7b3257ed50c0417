/* The local risk engine: deterministic, no network. One scorer per action
 * kind; ag_engine_score dispatches on req->kind. Each scorer appends reasons
 * with spans (byte ranges in the command, or diff line numbers). */
#ifndef AGATE_REVIEWER_ENGINE_H
#define AGATE_REVIEWER_ENGINE_H

#include "core/request.h"
#include "core/risk.h"

/* out must be ag_risk_init'ed; the scorers only raise it. */
void ag_engine_score(const struct ag_request *req, struct ag_risk *out);

void ag_risk_exec(const struct ag_request *req, struct ag_risk *out);  /* reviewer/risk_exec.c */
void ag_risk_patch(const struct ag_request *req, struct ag_risk *out); /* reviewer/risk_patch.c */
void ag_risk_network(const struct ag_request *req,
                     struct ag_risk *out);                           /* reviewer/risk_network.c */
void ag_risk_mcp(const struct ag_request *req, struct ag_risk *out); /* reviewer/risk_mcp.c */
void ag_risk_permission(const struct ag_request *req,
                        struct ag_risk *out); /* reviewer/risk_mcp.c */

#endif
