/* agate review: the Guardian on the bus.
 *
 * A subscriber that receives every request event, settles or reviews it by
 * mode (reviewer/guardian_route.h has the table), posts the model's
 * verdicts as review frames (the hub journals them, with model, tokens and
 * latency, and broadcasts them to the console), and in auto mode decides
 * with "by":"guardian". One poll loop: the bus descriptor rides along with
 * the model transfers (reviewer/guardian.h).
 *
 * --headless is auto mode for machines: one JSON line per decision on
 * stdout (every decision on the bus, whoever made it), and on SIGTERM it
 * stops taking new work, finishes the reviews in flight, sends their
 * decisions, waits for the hub to confirm them, and exits 0.
 *
 * Whether a human is attached comes from the hub's status frame: a
 * subscriber named "console" in its client_list. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/clock.h"
#include "core/request.h"
#include "core/risk.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "reviewer/guardian.h"
#include "reviewer/guardian_config.h"
#include "reviewer/guardian_route.h"

#define HISTORY_MAX     8    /* recent decisions per session, for the prompt */
#define SESSIONS_MAX    256  /* sessions remembered */
#define STATUS_EVERY_MS 2000 /* how often we ask whether a console is attached */
#define CONFIRM_WAIT_MS 3000 /* on exit, how long to wait for our decisions' echo */
#define REASON_CUT      600  /* bytes of model rationale in a decision reason */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	(void)sig;
	got_signal++;
}

enum entry_state {
	E_NEW,       /* arrived, not planned yet (a decided event may still follow) */
	E_IDLE,      /* nothing for us to do (advise, low risk; or settled by the hub) */
	E_REVIEWING, /* the model is being asked */
	E_ESCALATED, /* a human decides; denied after the wait when none is attached */
	E_DECIDING,  /* we sent a decide frame */
};

struct entry;
/* What a review job's tag points to: the entry, and whether a human asked. */
struct tagslot {
	struct entry *e;
	int on_demand;
};

struct entry {
	struct ag_request *req;
	struct ag_risk risk;
	char *rule;
	int needs_human, rule_denied, rule_ask;
	int hub_has_review; /* a snapshot event already carried a verdict */
	enum entry_state state;
	int64_t nohuman_since; /* escalated: since when no human is attached (mono), or 0 */
	char why[768];         /* why it was escalated */
	const char *stage;     /* for the log: engine, guardian, escalation */
	int model_called, cached;
	cJSON *review; /* the last verdict we posted, for the log */
	struct tagslot auto_tag, demand_tag;
	struct entry *next;
};

struct session_hist {
	char *session;
	cJSON *items; /* array, oldest first, at most HISTORY_MAX */
	uint64_t used;
	struct session_hist *next;
};

struct reviewer {
	struct ag_cmd_env env;
	struct ag_client *client;
	struct ag_guardian *g; /* NULL: the Guardian is off */
	char off_why[600];     /* why it is off */
	struct ag_route_opts route;
	int headless;
	int64_t human_wait_ms;
	int64_t last_status_ms;
	int human_attached;
	struct entry *entries;
	struct session_hist *sessions;
	int nsessions;
	uint64_t tick;
	int status_known; /* a status reply arrived: human_attached means something */
	int draining;
	int64_t drain_until;
	struct ag_limits limits;
	/* counts for the summary line */
	long requests, decisions, ours, approvals_ours, escalations;
};

/* --- small helpers ---------------------------------------------------------- */

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *
frame_new(const char *type)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", type);
	return f;
}

static int
send_frame(struct reviewer *rv, cJSON *f)
{
	struct ag_error err;
	int rc = ag_client_send(rv->client, f, &err);
	cJSON_Delete(f);
	if (rc != 0)
		fprintf(stderr, "agate review: %s\n", err.msg);
	return rc;
}

/* Agent text bound for a log or a reason: one safe line, cut. Caller frees. */
static char *
safe_cut(const char *s, size_t max)
{
	size_t len = strlen(s);
	char *safe = ag_sanitize_line(s, len);
	if (strlen(safe) > max) {
		size_t n = max;
		while (n > 0 && ((unsigned char)safe[n] & 0xc0) == 0x80)
			n--;
		memcpy(safe + n, "...", 4);
	}
	return safe;
}

/* --- entries ------------------------------------------------------------------ */

static struct entry *
entry_find(struct reviewer *rv, const char *id)
{
	for (struct entry *e = rv->entries; e != NULL; e = e->next)
		if (id != NULL && strcmp(e->req->id, id) == 0)
			return e;
	return NULL;
}

static void
entry_free(struct reviewer *rv, struct entry *e)
{
	if (rv->g != NULL) {
		ag_guardian_cancel(rv->g, &e->auto_tag);
		ag_guardian_cancel(rv->g, &e->demand_tag);
	}
	ag_request_free(&e->req);
	ag_risk_clear(&e->risk);
	free(e->rule);
	cJSON_Delete(e->review);
	free(e);
}

static void
entry_remove(struct reviewer *rv, struct entry *e)
{
	for (struct entry **pp = &rv->entries; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	entry_free(rv, e);
}

/* --- session history ---------------------------------------------------------- */

static struct session_hist *
session_get(struct reviewer *rv, const char *session, int create)
{
	for (struct session_hist *s = rv->sessions; s != NULL; s = s->next)
		if (strcmp(s->session, session) == 0) {
			s->used = ++rv->tick;
			return s;
		}
	if (!create)
		return NULL;
	if (rv->nsessions >= SESSIONS_MAX) {
		struct session_hist **lru = &rv->sessions;
		for (struct session_hist **pp = &rv->sessions; *pp; pp = &(*pp)->next)
			if ((*pp)->used < (*lru)->used)
				lru = pp;
		struct session_hist *old = *lru;
		*lru = old->next;
		free(old->session);
		cJSON_Delete(old->items);
		free(old);
		rv->nsessions--;
	}
	struct session_hist *s = xcalloc(1, sizeof *s);
	s->session = xstrdup(session);
	s->items = cJSON_CreateArray();
	s->used = ++rv->tick;
	s->next = rv->sessions;
	rv->sessions = s;
	rv->nsessions++;
	return s;
}

static void
session_remember(struct reviewer *rv, const struct entry *e, const char *decision, const char *by)
{
	if (e == NULL || e->req->session[0] == '\0')
		return;
	struct session_hist *s = session_get(rv, e->req->session, 1);
	char *summary = ag_request_summary(e->req);
	cJSON *item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "action", summary);
	cJSON_AddStringToObject(item, "decision", decision);
	cJSON_AddStringToObject(item, "by", by);
	free(summary);
	cJSON_AddItemToArray(s->items, item);
	while (cJSON_GetArraySize(s->items) > HISTORY_MAX)
		cJSON_DeleteItemFromArray(s->items, 0);
}

/* --- what we send -------------------------------------------------------------- */

static void
send_decide(struct reviewer *rv, struct entry *e, enum ag_decision d, const char *reason)
{
	cJSON *f = frame_new("decide");
	cJSON_AddStringToObject(f, "id", e->req->id);
	cJSON_AddStringToObject(f, "decision", ag_decision_name(d));
	cJSON_AddStringToObject(f, "by", "guardian");
	cJSON_AddStringToObject(f, "reason", reason);
	if (send_frame(rv, f) == 0)
		e->state = E_DECIDING;
}

/* Decisions we sent that the hub has not echoed yet. */
static int
unconfirmed(const struct reviewer *rv)
{
	int n = 0;
	for (const struct entry *e = rv->entries; e != NULL; e = e->next)
		n += e->state == E_DECIDING;
	return n;
}

static void
post_review(struct reviewer *rv, struct entry *e, cJSON *review)
{
	cJSON_Delete(e->review);
	e->review = cJSON_Duplicate(review, 1);
	cJSON *f = frame_new("review");
	cJSON_AddStringToObject(f, "id", e->req->id);
	cJSON_AddItemToObject(f, "review", review);
	send_frame(rv, f);
}

/* A failed review for a Guardian that is off, in the review frame's shape. */
static cJSON *
off_review(struct reviewer *rv)
{
	struct ag_review_result r;
	memset(&r, 0, sizeof r);
	ag_verdict_init(&r.verdict);
	r.judgement = AG_JUDGE_FAILED;
	snprintf(r.why, sizeof r.why, "the Guardian is off: %.280s", rv->off_why);
	return ag_review_result_to_json(&r);
}

/* --- escalation ------------------------------------------------------------------ */

static void
escalate(struct reviewer *rv, struct entry *e, const char *why)
{
	e->state = E_ESCALATED;
	e->stage = "escalation";
	snprintf(e->why, sizeof e->why, "%.760s", why);
	e->nohuman_since = rv->human_attached ? 0 : ag_clock_mono_ms();
	rv->escalations++;
}

static void
escalations_check(struct reviewer *rv, int64_t now)
{
	for (struct entry *e = rv->entries; e != NULL; e = e->next) {
		if (e->state != E_ESCALATED)
			continue;
		if (rv->human_attached) {
			e->nohuman_since = 0;
			continue;
		}
		if (e->nohuman_since == 0)
			e->nohuman_since = now;
		if (now - e->nohuman_since < rv->human_wait_ms)
			continue;
		char *reason = rv->human_wait_ms > 0
		                   ? xasprintf("%s; no human attached within %llds, denied", e->why,
		                               (long long)(rv->human_wait_ms / 1000))
		                   : xasprintf("%s; no human attached, denied", e->why);
		send_decide(rv, e, AG_DECISION_DENY, reason);
		free(reason);
	}
}

static int64_t
escalations_next_ms(const struct reviewer *rv, int64_t now)
{
	int64_t next = -1;
	for (const struct entry *e = rv->entries; e != NULL; e = e->next) {
		if (e->state != E_ESCALATED || e->nohuman_since == 0)
			continue;
		int64_t left = e->nohuman_since + rv->human_wait_ms - now;
		if (left < 0)
			left = 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}

/* --- planning ------------------------------------------------------------------------ */

static struct ag_route_facts
facts_of(const struct reviewer *rv, const struct entry *e, int on_demand)
{
	struct ag_route_facts f = {e->risk.level, e->needs_human, rv->human_attached, on_demand};
	return f;
}

static void
why_human(const struct entry *e, char *buf, size_t size)
{
	if (e->rule_denied)
		snprintf(buf, size, "only a human may approve it: a deny rule matched (%.300s)",
		         e->rule ? e->rule : "?");
	else if (e->rule_ask)
		snprintf(buf, size, "only a human may approve it: an ask rule matched (%.300s)",
		         e->rule ? e->rule : "?");
	else
		snprintf(buf, size,
		         "only a human may approve it: it is locally critical (score %d)",
		         e->risk.score);
}

static void
submit_review(struct reviewer *rv, struct entry *e, int on_demand)
{
	struct tagslot *slot = on_demand ? &e->demand_tag : &e->auto_tag;
	slot->e = e;
	slot->on_demand = on_demand;
	if (rv->g == NULL) {
		/* Off: say so where the human looks, and fail closed. */
		post_review(rv, e, off_review(rv));
		if (!on_demand && rv->route.mode == AG_GMODE_AUTO) {
			char why[700];
			snprintf(why, sizeof why, "review failed: the Guardian is off: %.500s",
			         rv->off_why);
			escalate(rv, e, why);
		}
		return;
	}
	struct session_hist *s = e->req->session[0] ? session_get(rv, e->req->session, 0) : NULL;
	struct ag_review_job job = {
	    .req = e->req,
	    .risk = &e->risk,
	    .rule = e->rule,
	    .needs_human = e->needs_human,
	    .rule_denied = e->rule_denied,
	    .rule_ask = e->rule_ask,
	    .history = s ? s->items : NULL,
	    .fresh = on_demand,
	    .tag = slot,
	};
	struct ag_error err;
	if (ag_guardian_submit(rv->g, &job, &err) != 0) {
		fprintf(stderr, "agate review: %s: %s\n", e->req->id, err.msg);
		if (!on_demand && rv->route.mode == AG_GMODE_AUTO) {
			char why[700];
			snprintf(why, sizeof why, "review failed: %.600s", err.msg);
			escalate(rv, e, why);
		}
		return;
	}
	if (!on_demand)
		e->state = E_REVIEWING;
}

static void
plan(struct reviewer *rv, struct entry *e)
{
	struct ag_route_facts f = facts_of(rv, e, 0);
	enum ag_route_plan p = ag_route_plan(&rv->route, &f);
	if (p == AG_PLAN_REVIEW && rv->route.mode == AG_GMODE_ADVISE && e->hub_has_review)
		p = AG_PLAN_SKIP; /* a verdict is already on screen */
	if (p == AG_PLAN_APPROVE_LOCAL && rv->g == NULL)
		p = AG_PLAN_REVIEW; /* an off Guardian approves nothing, not even lows */
	if (p == AG_PLAN_REVIEW && rv->g == NULL && rv->route.mode == AG_GMODE_ADVISE)
		p = AG_PLAN_SKIP; /* off: say so when a human asks (g), not on every request */
	char why[600];
	switch (p) {
	case AG_PLAN_SKIP: e->state = E_IDLE; break;
	case AG_PLAN_APPROVE_LOCAL: {
		char reason[200];
		snprintf(reason, sizeof reason,
		         "local engine: low risk (score %d); approved without a model call",
		         e->risk.score);
		e->stage = "engine";
		send_decide(rv, e, AG_DECISION_APPROVE, reason);
		break;
	}
	case AG_PLAN_ESCALATE:
		if (e->needs_human)
			why_human(e, why, sizeof why);
		else
			snprintf(why, sizeof why,
			         "%s risk (score %d): the Guardian decides only low and medium",
			         ag_level_name(e->risk.level), e->risk.score);
		escalate(rv, e, why);
		break;
	case AG_PLAN_REVIEW: submit_review(rv, e, 0); break;
	}
}

/* Rules the hub applies at once: a deny rule, or an allow rule within the
 * ceiling (the judge notes when the ceiling stopped one). The decided
 * event follows the request event; this spares the model call when the
 * two arrive in separate reads. */
static int
settled_by_hub(const struct entry *e)
{
	if (e->rule == NULL)
		return 0;
	if (strncmp(e->rule, "deny ", 5) == 0)
		return 1;
	if (strncmp(e->rule, "allow ", 6) != 0)
		return 0;
	for (size_t i = 0; i < e->risk.nreasons; i++)
		if (strncmp(e->risk.reasons[i].text, "allow rule not applied", 22) == 0)
			return 0;
	return 1;
}

static void
plan_new(struct reviewer *rv)
{
	if (rv->draining)
		return;
	/* In auto mode, plans depend on whether a human is attached: wait
	 * for the hub to tell us. */
	if (rv->route.mode == AG_GMODE_AUTO && !rv->status_known)
		return;
	for (struct entry *e = rv->entries; e != NULL; e = e->next) {
		if (e->state != E_NEW)
			continue;
		if (settled_by_hub(e))
			e->state = E_IDLE;
		else
			plan(rv, e);
	}
}

/* --- results --------------------------------------------------------------------------- */

static void
on_result(struct reviewer *rv, struct ag_review_result *r)
{
	struct tagslot *slot = r->tag;
	struct entry *e = slot->e;
	e->model_called |= r->attempts > 0;
	e->cached |= r->cached;
	post_review(rv, e, ag_review_result_to_json(r));
	struct ag_route_facts f = facts_of(rv, e, slot->on_demand);
	enum ag_route_action a = ag_route_result(&rv->route, &f, r);
	if (slot->on_demand || e->state != E_REVIEWING)
		return; /* advice for the human; the entry's course is set */
	e->stage = "guardian";
	char *rationale = safe_cut(
	    r->have_verdict && r->verdict.rationale ? r->verdict.rationale : "", REASON_CUT);
	char *reason = xasprintf("guardian: %s%s%s", r->why, *rationale ? ": " : "", rationale);
	char why[600];
	switch (a) {
	case AG_ACT_POST_ONLY: e->state = E_IDLE; break;
	case AG_ACT_APPROVE: send_decide(rv, e, AG_DECISION_APPROVE, reason); break;
	case AG_ACT_DENY: send_decide(rv, e, AG_DECISION_DENY, reason); break;
	case AG_ACT_ESCALATE:
		if (r->judgement == AG_JUDGE_FAILED)
			snprintf(why, sizeof why, "review failed: %.500s", r->why);
		else if (e->needs_human)
			why_human(e, why, sizeof why);
		else
			snprintf(why, sizeof why,
			         "the Guardian rates it %s (%.400s): a human decides",
			         ag_level_name(r->effective_level), r->why);
		escalate(rv, e, why);
		break;
	}
	free(reason);
	free(rationale);
}

/* --- the log (headless) -------------------------------------------------------------- */

static const char *
stage_of(const struct entry *e, const char *by)
{
	if (strcmp(by, "guardian") == 0 && e != NULL && e->stage != NULL)
		return e->stage;
	if (strcmp(by, "policy") == 0)
		return "rule";
	return by;
}

static void
log_decision(struct reviewer *rv, const struct entry *e, const cJSON *d)
{
	if (!rv->headless)
		return;
	const char *decision = jstr(d, "decision") ? jstr(d, "decision") : "?";
	const char *by = jstr(d, "by") ? jstr(d, "by") : "?";
	const char *reason = jstr(d, "reason") ? jstr(d, "reason") : "";
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "decision");
	cJSON_AddNumberToObject(o, "ts", (double)ag_clock_wall_ms());
	cJSON_AddStringToObject(o, "id", jstr(d, "id") ? jstr(d, "id") : "");
	if (e != NULL) {
		char *summary = ag_request_summary(e->req);
		char *safe = safe_cut(summary, 200);
		char *session = safe_cut(e->req->session, 128);
		char *agent = safe_cut(e->req->agent, 64);
		cJSON_AddStringToObject(o, "session", session);
		cJSON_AddStringToObject(o, "agent", agent);
		cJSON_AddStringToObject(o, "kind", ag_kind_name(e->req->kind));
		cJSON_AddStringToObject(o, "summary", safe);
		free(summary);
		free(safe);
		free(session);
		free(agent);
		cJSON_AddStringToObject(o, "level", ag_level_name(e->risk.level));
		cJSON_AddNumberToObject(o, "score", e->risk.score);
		if (e->rule)
			cJSON_AddStringToObject(o, "rule", e->rule);
		cJSON_AddBoolToObject(o, "needs_human", e->needs_human);
	}
	cJSON_AddStringToObject(o, "decision", decision);
	cJSON_AddStringToObject(o, "by", by);
	char *safe_reason = safe_cut(reason, 1000);
	cJSON_AddStringToObject(o, "reason", safe_reason);
	free(safe_reason);
	cJSON_AddStringToObject(o, "stage", stage_of(e, by));
	cJSON_AddBoolToObject(o, "model_called", e != NULL && e->model_called);
	cJSON_AddBoolToObject(o, "cached", e != NULL && e->cached);
	if (e != NULL && e->review != NULL) {
		cJSON *rv_ = cJSON_CreateObject();
		static const char *const keep[] = {
		    "verdict",    "risk_level", "user_authorization", "outcome", "error",
		    "latency_ms", "tokens_in",  "tokens_out",         "cached",  "circuit"};
		for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(e->review, keep[i]);
			if (v != NULL)
				cJSON_AddItemToObject(rv_, keep[i], cJSON_Duplicate(v, 1));
		}
		cJSON_AddItemToObject(o, "review", rv_);
	}
	ag_cmd_print_json(stdout, o);
	cJSON_Delete(o);
}

static void
log_summary(struct reviewer *rv)
{
	if (!rv->headless)
		return;
	struct ag_guardian_stats st;
	memset(&st, 0, sizeof st);
	if (rv->g)
		ag_guardian_get_stats(rv->g, &st);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "summary");
	cJSON_AddNumberToObject(o, "requests", (double)rv->requests);
	cJSON_AddNumberToObject(o, "decisions", (double)rv->decisions);
	cJSON_AddNumberToObject(o, "decided_by_us", (double)rv->ours);
	cJSON_AddNumberToObject(o, "approved_by_us", (double)rv->approvals_ours);
	cJSON_AddNumberToObject(o, "escalations", (double)rv->escalations);
	cJSON_AddNumberToObject(o, "reviews", (double)st.submitted);
	cJSON_AddNumberToObject(o, "model_calls", (double)st.model_calls);
	cJSON_AddNumberToObject(o, "cache_hits", (double)st.cache_hits);
	cJSON_AddNumberToObject(o, "retries", (double)st.retries);
	cJSON_AddNumberToObject(o, "failed_reviews", (double)st.failed);
	cJSON_AddNumberToObject(o, "tokens_in", (double)st.tokens_in);
	cJSON_AddNumberToObject(o, "tokens_out", (double)st.tokens_out);
	cJSON_AddBoolToObject(o, "guardian_on", rv->g != NULL);
	ag_cmd_print_json(stdout, o);
	cJSON_Delete(o);
}

/* --- frames from the hub ----------------------------------------------------------------- */

static void
on_request_event(struct reviewer *rv, const cJSON *f)
{
	const cJSON *rq = cJSON_GetObjectItemCaseSensitive(f, "request");
	struct ag_request *req = NULL;
	struct ag_error err;
	if (ag_request_from_json(rq, &rv->limits, &req, &err) != 0) {
		fprintf(stderr, "agate review: a request event we cannot read: %s\n", err.msg);
		return;
	}
	if (entry_find(rv, req->id) != NULL) {
		ag_request_free(&req);
		return;
	}
	struct entry *e = xcalloc(1, sizeof *e);
	e->req = req;
	ag_risk_init(&e->risk);
	const cJSON *risk = cJSON_GetObjectItemCaseSensitive(f, "risk");
	if (ag_risk_from_json(risk, &e->risk, &err) != 0) {
		/* Unknown risk: assume the worst, so nothing is approved on it. */
		ag_risk_clear(&e->risk);
		ag_risk_add(&e->risk, 100, 0, -1, -1, 0, "the hub sent no readable risk");
	}
	const char *rule = jstr(f, "rule");
	e->rule = rule ? xstrdup(rule) : NULL;
	e->needs_human = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "needs_human"));
	e->rule_denied = rule != NULL && strncmp(rule, "deny ", 5) == 0;
	e->rule_ask = rule != NULL && strncmp(rule, "ask ", 4) == 0;
	if (e->risk.level >= AG_LEVEL_CRITICAL)
		e->needs_human = 1;
	e->hub_has_review = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(f, "review"));
	e->state = E_NEW;
	e->next = rv->entries;
	rv->entries = e;
	rv->requests++;
}

static void
on_decided_event(struct reviewer *rv, const cJSON *f)
{
	const char *id = jstr(f, "id");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "decision");
	struct entry *e = entry_find(rv, id);
	const char *decision = jstr(d, "decision") ? jstr(d, "decision") : "?";
	const char *by = jstr(d, "by") ? jstr(d, "by") : "?";
	rv->decisions++;
	if (strcmp(by, "guardian") == 0 && e != NULL && e->state == E_DECIDING) {
		rv->ours++;
		if (strcmp(decision, "approve") == 0 || strcmp(decision, "approve_session") == 0)
			rv->approvals_ours++;
	}
	log_decision(rv, e, d);
	session_remember(rv, e, decision, by);
	if (e != NULL)
		entry_remove(rv, e);
}

static void
on_error_frame(struct reviewer *rv, const cJSON *f)
{
	const char *ref = jstr(f, "ref");
	const char *msg = jstr(f, "error");
	char *safe = safe_cut(msg ? msg : "?", 300);
	fprintf(stderr, "agate review: the hub said: %s\n", safe);
	free(safe);
	struct entry *e = entry_find(rv, ref);
	if (e != NULL && e->state == E_DECIDING) {
		/* Our decide was refused (decided elsewhere, or an approval the
		 * hub would not take from us): leave it to the others. */
		e->state = E_IDLE;
	}
}

static void
on_status(struct reviewer *rv, const cJSON *f)
{
	int human = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(f, "client_list"))
	{
		const char *role = jstr(c, "role"), *name = jstr(c, "name");
		if (role && name && strcmp(role, "subscriber") == 0 && strcmp(name, "console") == 0)
			human = 1;
	}
	rv->human_attached = human;
	rv->status_known = 1;
}

static void
on_review_request(struct reviewer *rv, const char *id)
{
	struct entry *e = entry_find(rv, id);
	if (e == NULL)
		return;
	submit_review(rv, e, 1);
}

static void
on_frame(struct reviewer *rv, const cJSON *f)
{
	const char *type = ag_frame_type(f);
	if (strcmp(type, "event") == 0) {
		const char *ev = jstr(f, "event");
		if (ev == NULL)
			return;
		if (strcmp(ev, "request") == 0)
			on_request_event(rv, f);
		else if (strcmp(ev, "decided") == 0)
			on_decided_event(rv, f);
		else if (strcmp(ev, "abandoned") == 0) {
			struct entry *e = entry_find(rv, jstr(f, "id"));
			if (e != NULL)
				entry_remove(rv, e);
		} else if (strcmp(ev, "review_request") == 0)
			on_review_request(rv, jstr(f, "id"));
	} else if (strcmp(type, "status") == 0) {
		on_status(rv, f);
	} else if (strcmp(type, "error") == 0) {
		on_error_frame(rv, f);
	}
}

/* --- the loop ------------------------------------------------------------------------------- */

static void
ask_status(struct reviewer *rv, int64_t now)
{
	if (rv->route.mode != AG_GMODE_AUTO)
		return;
	if (rv->last_status_ms != 0 && now - rv->last_status_ms < STATUS_EVERY_MS)
		return;
	rv->last_status_ms = now;
	send_frame(rv, frame_new("status"));
}

/* Reads every frame already there. Returns -1 when the hub went away. */
static int
drain_bus(struct reviewer *rv)
{
	for (;;) {
		cJSON *f = NULL;
		struct ag_error err;
		int rc = ag_client_recv(rv->client, 0, &f, &err);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			fprintf(stderr, "agate review: %s\n", err.msg);
			return -1;
		}
		on_frame(rv, f);
		cJSON_Delete(f);
	}
}

static int
wait_once(struct reviewer *rv, int timeout_ms)
{
	struct pollfd p = {.fd = ag_client_fd(rv->client), .events = POLLIN};
	if (rv->g != NULL)
		return ag_guardian_poll(rv->g, &p, 1, timeout_ms);
	int n = poll(&p, 1, timeout_ms);
	return n < 0 && errno == EINTR ? 0 : n;
}

/* The hub went away (killed, restarted): forget what we knew, since the
 * new hub's snapshot says what is still pending, and connect again, which
 * starts a hub if none runs. A decide we sent that the old hub never
 * journaled comes back in that snapshot and is decided again. */
static int
reconnect(struct reviewer *rv)
{
	fprintf(stderr, "agate review: lost the hub; reconnecting\n");
	while (rv->entries) {
		struct entry *e = rv->entries;
		rv->entries = e->next;
		entry_free(rv, e);
	}
	ag_client_close(&rv->client);
	rv->status_known = 0;
	rv->last_status_ms = 0;
	for (int attempt = 0; !got_signal; attempt++) {
		struct ag_client_opts o = {
		    .bus_dir = rv->env.bus,
		    .role = AG_ROLE_SUBSCRIBER,
		    .name = "guardian",
		    .autostart = 1,
		    .connect_timeout_ms = 5000,
		    .journal = rv->env.journal,
		};
		struct ag_error err;
		if (ag_client_connect(&o, &rv->client, &err) == 0) {
			fprintf(stderr, "agate review: connected again\n");
			return 0;
		}
		if (attempt == 0)
			fprintf(stderr, "agate review: %s; retrying every second\n", err.msg);
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int
run(struct reviewer *rv)
{
	for (;;) {
		int64_t now = ag_clock_mono_ms();
		if (got_signal && !rv->draining) {
			rv->draining = 1;
			int64_t grace =
			    ag_config_ms(rv->env.cfg, "guardian_timeout") + CONFIRM_WAIT_MS;
			rv->drain_until = now + grace;
		}
		if (got_signal > 1)
			return 0; /* asked twice: go now; pending requests stay with the hub */
		if (rv->draining) {
			int busy = (rv->g && ag_guardian_pending(rv->g) > 0) || unconfirmed(rv) > 0;
			if (!busy || now >= rv->drain_until)
				return 0;
		}
		ask_status(rv, now);
		int timeout = 1000;
		int64_t esc = escalations_next_ms(rv, now);
		if (esc >= 0 && esc < timeout)
			timeout = (int)esc;
		if (wait_once(rv, timeout) < 0) {
			fprintf(stderr, "agate review: waiting for the bus failed: %s\n",
			        strerror(errno));
			return -1;
		}
		if (drain_bus(rv) != 0) {
			if (rv->draining)
				return 0;
			if (reconnect(rv) != 0)
				return 0; /* a signal stopped the retries */
			continue;
		}
		if (rv->g != NULL) {
			struct ag_review_result r;
			while (ag_guardian_next_result(rv->g, &r)) {
				on_result(rv, &r);
				ag_review_result_clear(&r);
			}
		}
		plan_new(rv);
		escalations_check(rv, ag_clock_mono_ms());
	}
}

/* --- setup ------------------------------------------------------------------------------------ */

static void
review_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate review [--mode advise|auto|off] [--headless] [OPTIONS]\n\n"
	        "Run the Guardian on the bus: a model reviews requests. advise: its verdict\n"
	        "is shown, the human decides. auto: it decides low and medium risk; the rest\n"
	        "goes to a human, or is denied when none is attached within guardian_human_wait.\n"
	        "--headless: auto with no human expected; one JSON line per decision on stdout.\n\n"
	        "  --provider P        openai (Chat Completions, also Ollama, vLLM, llama.cpp,\n"
	        "                      LM Studio), responses (OpenAI Responses), anthropic\n"
	        "  --base-url URL      the API base, e.g. http://localhost:11434/v1\n"
	        "  --model NAME        the model\n"
	        "  --api-key-env VAR   read the key from $VAR\n"
	        "  --api-key-file PATH read the key from PATH (mode 0600, yours)\n"
	        "  --no-api-key        send no key (a local server that needs none)\n"
	        "  --policy FILE       the policy text (default: the shipped policy.txt)\n"
	        "  --timeout DUR       deadline per review, retries included (30s)\n"
	        "  --human-wait DUR    how long an escalated request waits for a human (0)\n"
	        "  --no-schema         do not ask for structured output (servers without it)\n"
	        "  --review-low        ask the model about low-risk requests too\n"
	        "  --no-cache          ask the model again about repeated actions\n"
	        "  --max-inflight N    concurrent model calls (4)\n"
	        "  --bus DIR           --journal FILE\n\n"
	        "See agate-review(1).\n");
}

struct review_flags {
	const char *bus, *journal, *policy;
	const char *sets[16][2]; /* config key, value */
	int nsets;
	int headless, no_key, no_schema, review_low, no_cache, max_inflight;
};

static void
flag_set(struct review_flags *fl, const char *key, const char *value)
{
	if (fl->nsets < 16) {
		fl->sets[fl->nsets][0] = key;
		fl->sets[fl->nsets][1] = value;
		fl->nsets++;
	}
}

static int
parse_flags(int argc, char **argv, struct review_flags *fl)
{
	enum {
		O_PROVIDER = 256,
		O_BASE,
		O_MODEL,
		O_KEYENV,
		O_KEYFILE,
		O_NOKEY,
		O_POLICY,
		O_TIMEOUT,
		O_WAIT,
		O_NOSCHEMA,
		O_LOW,
		O_NOCACHE,
		O_INFLIGHT,
		O_MODE,
		O_HEADLESS
	};
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"mode", required_argument, NULL, O_MODE},
	    {"headless", no_argument, NULL, O_HEADLESS},
	    {"provider", required_argument, NULL, O_PROVIDER},
	    {"base-url", required_argument, NULL, O_BASE},
	    {"model", required_argument, NULL, O_MODEL},
	    {"api-key-env", required_argument, NULL, O_KEYENV},
	    {"api-key-file", required_argument, NULL, O_KEYFILE},
	    {"no-api-key", no_argument, NULL, O_NOKEY},
	    {"policy", required_argument, NULL, O_POLICY},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"human-wait", required_argument, NULL, O_WAIT},
	    {"no-schema", no_argument, NULL, O_NOSCHEMA},
	    {"review-low", no_argument, NULL, O_LOW},
	    {"no-cache", no_argument, NULL, O_NOCACHE},
	    {"max-inflight", required_argument, NULL, O_INFLIGHT},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': fl->bus = optarg; break;
		case 'J': fl->journal = optarg; break;
		case 'h': review_usage(stdout); return 1;
		case O_MODE: flag_set(fl, "guardian_mode", optarg); break;
		case O_HEADLESS: fl->headless = 1; break;
		case O_PROVIDER: flag_set(fl, "guardian_provider", optarg); break;
		case O_BASE: flag_set(fl, "guardian_base_url", optarg); break;
		case O_MODEL: flag_set(fl, "guardian_model", optarg); break;
		case O_KEYENV: flag_set(fl, "guardian_api_key_env", optarg); break;
		case O_KEYFILE:
			/* Named on the command line: the file, not the variable. */
			flag_set(fl, "guardian_api_key_file", optarg);
			flag_set(fl, "guardian_api_key_env", "");
			break;
		case O_NOKEY: fl->no_key = 1; break;
		case O_POLICY: fl->policy = optarg; break;
		case O_TIMEOUT: flag_set(fl, "guardian_timeout", optarg); break;
		case O_WAIT: flag_set(fl, "guardian_human_wait", optarg); break;
		case O_NOSCHEMA: fl->no_schema = 1; break;
		case O_LOW: fl->review_low = 1; break;
		case O_NOCACHE: fl->no_cache = 1; break;
		case O_INFLIGHT:
			fl->max_inflight = atoi(optarg);
			if (fl->max_inflight < 1 || fl->max_inflight > 64) {
				fprintf(stderr, "agate review: --max-inflight: expected 1 to 64\n");
				return -1;
			}
			break;
		default: review_usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "agate review: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* Builds the Guardian, or leaves rv->g NULL with rv->off_why. Returns -1
 * only for a configuration that must be fixed (a refused key file, an
 * unreadable policy). */
static int
guardian_setup(struct reviewer *rv, const struct review_flags *fl)
{
	const struct ag_config *cfg = rv->env.cfg;
	int provider = ag_provider_lookup(ag_config_str(cfg, "guardian_provider"));
	struct ag_error err;
	char *key = NULL;
	if (!fl->no_key) {
		int rc = ag_guardian_key_load(ag_config_str(cfg, "guardian_api_key_env"),
		                              ag_config_str(cfg, "guardian_api_key_file"),
		                              (enum ag_provider)provider, &key, rv->off_why,
		                              sizeof rv->off_why, &err);
		if (rc < 0) {
			fprintf(stderr, "agate review: %s\n", err.msg);
			return -1;
		}
		if (rc == 0)
			return 0;
	}
	const char *model = ag_config_str(cfg, "guardian_model");
	if (model == NULL || *model == '\0') {
		snprintf(rv->off_why, sizeof rv->off_why,
		         "no model configured (set guardian_model or --model)");
		ag_guardian_key_free(&key);
		return 0;
	}
	char *source = NULL;
	char *policy = ag_guardian_policy_load(fl->policy, &source, &err);
	if (policy == NULL) {
		fprintf(stderr, "agate review: %s\n", err.msg);
		ag_guardian_key_free(&key);
		return -1;
	}
	struct ag_guardian_config gc;
	ag_guardian_config_default(&gc);
	gc.api.provider = (enum ag_provider)provider;
	gc.api.base_url = ag_config_str(cfg, "guardian_base_url");
	gc.api.model = model;
	gc.api.api_key = key;
	gc.api.schema = !fl->no_schema;
	gc.policy = policy;
	gc.timeout_ms = ag_config_ms(cfg, "guardian_timeout");
	if (fl->max_inflight > 0)
		gc.max_inflight = fl->max_inflight;
	if (fl->no_cache)
		gc.cache_entries = 0;
	int rc = ag_guardian_new(&gc, &rv->g, &err);
	ag_guardian_key_free(&key); /* the Guardian keeps its own copy */
	free(policy);
	if (rc != 0) {
		snprintf(rv->off_why, sizeof rv->off_why, "%s", err.msg);
		free(source);
		return 0;
	}
	fprintf(stderr, "agate review: Guardian on: %s, model %s, policy %s (%s)\n",
	        ag_provider_name(gc.api.provider), model, source, ag_guardian_policy_hash(rv->g));
	free(source);
	return 0;
}

static void
reviewer_free(struct reviewer *rv)
{
	while (rv->entries) {
		struct entry *e = rv->entries;
		rv->entries = e->next;
		entry_free(rv, e);
	}
	while (rv->sessions) {
		struct session_hist *s = rv->sessions;
		rv->sessions = s->next;
		free(s->session);
		cJSON_Delete(s->items);
		free(s);
	}
	ag_guardian_free(&rv->g);
	ag_client_close(&rv->client);
	ag_cmd_env_free(&rv->env);
}

int
cmd_review(int argc, char **argv)
{
	struct review_flags fl;
	memset(&fl, 0, sizeof fl);
	int prc = parse_flags(argc, argv, &fl);
	if (prc != 0)
		return prc > 0 ? 0 : 2;
	struct reviewer rv;
	memset(&rv, 0, sizeof rv);
	if (ag_cmd_env_load(&rv.env, fl.bus, fl.journal) != 0)
		return 2;
	struct ag_error err;
	for (int i = 0; i < fl.nsets; i++)
		if (ag_config_set(rv.env.cfg, fl.sets[i][0], fl.sets[i][1], &err) != 0) {
			fprintf(stderr, "agate review: %s\n", err.msg);
			ag_cmd_env_free(&rv.env);
			return 2;
		}
	int mode = ag_guardian_mode_parse(ag_config_str(rv.env.cfg, "guardian_mode"));
	if (fl.headless)
		mode = AG_GMODE_AUTO;
	if (mode <= AG_GMODE_OFF) {
		fprintf(stderr, "agate review: the Guardian is off (guardian_mode = off); use "
		                "--mode advise or --mode auto\n");
		ag_cmd_env_free(&rv.env);
		return 0;
	}
	rv.route.mode = (enum ag_guardian_mode)mode;
	rv.route.review_low = fl.review_low;
	rv.headless = fl.headless;
	rv.human_wait_ms = ag_config_ms(rv.env.cfg, "guardian_human_wait");
	ag_limits_default(&rv.limits);
	rv.limits.max_frame *= 2;
	rv.limits.max_text = rv.limits.max_frame;
	if (guardian_setup(&rv, &fl) != 0) {
		reviewer_free(&rv);
		return 1;
	}
	if (rv.g == NULL)
		fprintf(stderr, "agate review: the Guardian is off: %s\n", rv.off_why);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rv.client = ag_cmd_connect(&rv.env, "review", AG_ROLE_SUBSCRIBER, "guardian", 1);
	if (rv.client == NULL) {
		reviewer_free(&rv);
		return 1;
	}
	fprintf(stderr, "agate review: %s mode on bus %s\n",
	        rv.headless ? "headless" : ag_guardian_mode_name(rv.route.mode), rv.env.bus);
	int rc = run(&rv);
	log_summary(&rv);
	reviewer_free(&rv);
	return rc == 0 ? 0 : 1;
}
