/* What the reviewer does with a request, by mode — pure, so the table is
 * tested without a bus. `agate review` (cmd/review.c) asks twice:
 *
 *   ag_route_plan    when a request arrives: settle it locally, ask the
 *                    model, hand it to a human, or leave it alone;
 *   ag_route_result  when the model answered: post the verdict only,
 *                    approve, deny, or escalate.
 *
 * auto (and --headless, which is auto that logs): the pipeline is rules
 * (the hub already applied them), then the engine, then the Guardian, then
 * fail closed.
 *  - Only a human may approve a deny-rule or locally critical request; the
 *    model is asked about it only when a human is there to read the answer.
 *  - A local low is settled by the engine: approved without a model call
 *    (unless review_low), which is where the cost bound comes from.
 *  - A local high with no human attached cannot end in an approval (the
 *    Guardian acts alone only at low and medium), so it is escalated
 *    without a model call.
 *  - Otherwise the model is asked. Its verdict is acted on alone only when
 *    the higher of the engine's and the model's level is low or medium;
 *    everything else, failures included, is escalated: to a human when one
 *    is attached, else denied after guardian_human_wait.
 * advise: the model is asked about every request above low (and on demand);
 *    the verdict is posted and the human decides.
 * off: nothing, except answering a human's explicit request for a review. */
#ifndef AGATE_REVIEWER_GUARDIAN_ROUTE_H
#define AGATE_REVIEWER_GUARDIAN_ROUTE_H

#include "core/model.h"
#include "reviewer/guardian.h"
#include "reviewer/guardian_config.h"

struct ag_route_opts {
	enum ag_guardian_mode mode;
	int review_low; /* ask the model about local lows too */
};

struct ag_route_facts {
	enum ag_level local_level;
	int needs_human;    /* deny or ask rule, or local critical */
	int human_attached; /* a console is on the bus */
	int on_demand;      /* a human asked for this review */
};

enum ag_route_plan {
	AG_PLAN_SKIP,          /* leave it to others */
	AG_PLAN_APPROVE_LOCAL, /* the engine settles it: approve, no model call */
	AG_PLAN_REVIEW,        /* ask the model, then ag_route_result */
	AG_PLAN_ESCALATE,      /* a human decides (deny after the wait), no model call */
};
const char *ag_route_plan_name(enum ag_route_plan p);

enum ag_route_action {
	AG_ACT_POST_ONLY, /* post the verdict; someone else decides */
	AG_ACT_APPROVE,   /* decide approve, by guardian */
	AG_ACT_DENY,      /* decide deny, by guardian */
	AG_ACT_ESCALATE,  /* a human decides; denied after the wait when none */
};
const char *ag_route_action_name(enum ag_route_action a);

enum ag_route_plan ag_route_plan(const struct ag_route_opts *o, const struct ag_route_facts *f);
/* Never AG_ACT_APPROVE for a failed review, a needs_human request or an
 * effective level above medium. */
enum ag_route_action ag_route_result(const struct ag_route_opts *o, const struct ag_route_facts *f,
                                     const struct ag_review_result *r);

#endif
