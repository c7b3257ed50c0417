/* The judge the hub is handed: rule layers + risk engine behind the
 * struct ag_judge interface of core/assessment.h.
 *
 * CONTRACT used by cmd/hub.c (written by the lead; the reviewer helper
 * implements it in reviewer/judge.c and may add functions, but keep these):
 *   ag_judge_new        loads the rule layers named by the config (system,
 *                       user, project) and the level ceiling for allow rules
 *   ag_judge_interface  the struct ag_judge to give ag_hub_run
 *   ag_judge_free       frees it and NULLs the pointer */
#ifndef AGATE_REVIEWER_JUDGE_H
#define AGATE_REVIEWER_JUDGE_H

#include "core/assessment.h"
#include "core/config.h"
#include "core/error.h"

struct ag_judge_ctx;

int ag_judge_new(const struct ag_config *cfg, struct ag_judge_ctx **out, struct ag_error *err);
struct ag_judge ag_judge_interface(struct ag_judge_ctx *judge);
void ag_judge_free(struct ag_judge_ctx **judge);

#endif
