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

/* --- added by the rules module (reviewer/judge.c) ---
 *
 * Layers: system /etc/agate/rules, user $XDG_CONFIG_HOME/agate/rules (else
 * ~/.config/agate/rules), project .agate/rules in the request's repository
 * root (the nearest ancestor of cwd holding .git). System and user files
 * are read at start (an error there fails ag_judge_new: better no hub than a
 * hub without the administrator's denies) and re-read when they change; a
 * broken edit keeps the last good rules. A broken project file is ignored,
 * with a reason in the risk saying so.
 *
 * A deny rule decides at once (deny, by policy, rule_denied set). An allow
 * rule decides at once (approve, by policy) only when the engine's level is
 * at most the ceiling (config rules_ceiling, default high: never critical).
 * An ask rule decides nothing, names itself in `rule` and sets rule_ask, so
 * that only a human may approve the request (ag_assessment_needs_human). */
struct ag_judge_options {
	const char *system_path;  /* NULL: /etc/agate/rules; "" : no system layer */
	const char *user_path;    /* NULL: the XDG path above; "": no user layer */
	const char *project_path; /* NULL: found from each request's cwd; "": none;
	                           * else this file for every request */
	enum ag_level ceiling;    /* allow rules decide at or below this level */
	int once;                 /* read each file once (agate score: one rule set
	                           * for the whole run); else re-read on change */
};
void ag_judge_options_default(struct ag_judge_options *opts);
int ag_judge_new_opts(const struct ag_judge_options *opts, struct ag_judge_ctx **out,
                      struct ag_error *err);

/* The assessment, as the hub gets it. */
void ag_judge_assess(struct ag_judge_ctx *judge, const struct ag_request *req,
                     struct ag_assessment *out);

struct ag_rule_result;
/* The same, plus the per-item rule matches (for `agate rules explain`) and
 * the file of each layer in effect (NULL when the layer is absent). rules
 * points into the judge: valid until the next call or ag_judge_free. */
void ag_judge_explain(struct ag_judge_ctx *judge, const struct ag_request *req,
                      struct ag_assessment *out, struct ag_rule_result *rules,
                      const char *layer_files[3]);

#endif
