/* What the judge (reviewer/: rules + risk engine) says about a request when
 * it arrives. The hub (ipc/) is handed a judge at start and never knows how
 * the assessment was made; cmd/hub.c wires reviewer/ in. */
#ifndef AGATE_CORE_ASSESSMENT_H
#define AGATE_CORE_ASSESSMENT_H

#include "core/model.h"
#include "core/request.h"
#include "core/risk.h"

struct ag_assessment {
	struct ag_risk risk;
	/* A rule decided at once (deny rule; allow rule under the level ceiling). */
	int decided;
	enum ag_decision decision;
	enum ag_decider by; /* AG_BY_POLICY */
	char *reason;       /* owned, or NULL */
	/* The matched rule, "deny exec git push * (/etc/agate/rules:3)"; owned, or NULL. */
	char *rule;
	/* A deny rule matched. With a critical level this forbids any approval
	 * except a human's confirmed one (promise 3). */
	int rule_denied;
	/* An ask rule matched: nothing is decided at once, and only a human
	 * may approve (the Guardian escalates, a bus without a human denies,
	 * a session grant does not cover it). */
	int rule_ask;
};

struct ag_judge {
	void *ctx;
	/* Fills out (already ag_assessment_init'ed). Must not block: no network. */
	void (*assess)(void *ctx, const struct ag_request *req, struct ag_assessment *out);
};

void ag_assessment_init(struct ag_assessment *a);
void ag_assessment_clear(struct ag_assessment *a);
/* Whether only a human may approve (a deny or ask rule matched, or the
 * level is critical). */
int ag_assessment_needs_human(const struct ag_assessment *a);
/* Why only a human may approve, to finish "it ...": "matched a deny rule",
 * "matched an ask rule" or "is critical". Static text. */
const char *ag_assessment_human_why(const struct ag_assessment *a);

#endif
