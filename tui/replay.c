/* Console replay: journal rows to timed event frames, and the position in
 * them (see replay.h). */
#include "tui/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/risk.h"
#include "core/xmalloc.h"

/* --- loading ------------------------------------------------------------ */

struct loader {
	struct tui_replay *rp;
	struct ag_journal *j;
	struct ag_limits limits;
	size_t cap;
	size_t requests; /* rows taken */
	size_t request;  /* index of the current row's REQUEST event */
	int64_t last_at; /* time of the current row's latest event */
	int64_t created; /* its arrival */
	int truncated;
	int failed;
	struct ag_error err;
};

static struct tui_replay_event *
push(struct loader *ld, enum tui_replay_kind kind, const char *id, int64_t at_ms, cJSON *frame)
{
	struct tui_replay *rp = ld->rp;
	if (rp->n == ld->cap) {
		ld->cap = ld->cap ? ld->cap * 2 : 64;
		rp->events = xreallocarray(rp->events, ld->cap, sizeof *rp->events);
	}
	struct tui_replay_event *e = &rp->events[rp->n];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	/* A row's events never go back in time, whatever clocks wrote them:
	 * the hub journals a review or decision only while the request is
	 * pending, so a smaller time is a clock step, not an order. */
	if (kind != TUI_REPLAY_REQUEST && at_ms < ld->last_at)
		at_ms = ld->last_at;
	e->at_ms = at_ms;
	ld->last_at = at_ms;
	snprintf(e->id, sizeof e->id, "%s", id);
	e->frame = ag_json_print(frame);
	cJSON_Delete(frame);
	e->request = kind == TUI_REPLAY_REQUEST ? rp->n : ld->request;
	e->took_ms = kind == TUI_REPLAY_REQUEST ? 0 : at_ms - ld->created;
	rp->n++;
	return e;
}

static cJSON *
event_new(const char *event, const char *id)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "event");
	cJSON_AddStringToObject(f, "event", event);
	if (id != NULL)
		cJSON_AddStringToObject(f, "id", id);
	return f;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
on_review(void *ctx, const struct ag_review_record *r)
{
	struct loader *ld = ctx;
	cJSON *review = r->verdict_json != NULL ? cJSON_Parse(r->verdict_json) : NULL;

	if (!cJSON_IsObject(review)) {
		/* A failed review is journaled as its error alone; the hub had
		 * broadcast the reviewer's object, which said the same. */
		cJSON_Delete(review);
		review = cJSON_CreateObject();
		cJSON_AddStringToObject(review, "error",
		                        r->error != NULL && *r->error ? r->error : "review failed");
		if (r->model != NULL && *r->model)
			cJSON_AddStringToObject(review, "model", r->model);
	}
	const char *outcome = jstr(review, "outcome"), *error = jstr(review, "error");
	char *oc = outcome != NULL ? xstrdup(outcome) : NULL;
	char *fail = error != NULL && *error ? xstrdup(error) : NULL;
	cJSON *f = event_new("review", r->request_id);
	cJSON_AddItemToObject(f, "review", review);
	struct tui_replay_event *e = push(ld, TUI_REPLAY_REVIEW, r->request_id, r->at_ms, f);
	e->outcome = oc;
	e->failure = fail;
	return 0;
}

static cJSON *
request_frame(const struct ag_journal_row *row, const struct ag_request *req, cJSON *risk,
              int needs_human)
{
	/* As ipc/hub.c's request_event writes it. */
	cJSON *f = event_new("request", NULL);
	cJSON_AddBoolToObject(f, "snapshot", 0);
	cJSON_AddItemToObject(f, "request", ag_request_to_json(req));
	if (risk != NULL)
		cJSON_AddItemToObject(f, "risk", risk);
	if (row->rule != NULL)
		cJSON_AddStringToObject(f, "rule", row->rule);
	else
		cJSON_AddNullToObject(f, "rule");
	cJSON_AddBoolToObject(f, "needs_human", needs_human);
	cJSON_AddNumberToObject(f, "created_ms", (double)row->created_ms);
	cJSON_AddNumberToObject(f, "deadline_ms", (double)row->deadline_ms);
	cJSON_AddBoolToObject(f, "orphan", 0);
	return f;
}

/* The journal keeps the matched rule's text ("deny exec git push *
 * (FILE:LINE)"), not the assessment: a deny or ask rule, or a critical
 * score, is what made approving a human's, with a second key. */
static int
rule_needs_human(const char *rule)
{
	if (rule == NULL)
		return 0;
	size_t n = strcspn(rule, " \t");
	return (n == 4 && strncmp(rule, "deny", 4) == 0) ||
	       (n == 3 && strncmp(rule, "ask", 3) == 0);
}

static void
add_request(struct loader *ld, const struct ag_journal_row *row, struct ag_request *req)
{
	struct ag_risk risk;
	struct ag_error err;
	cJSON *rj = row->risk_json != NULL ? cJSON_Parse(row->risk_json) : NULL;

	ag_risk_init(&risk);
	if (rj != NULL && ag_risk_from_json(rj, &risk, &err) != 0) {
		/* Shown unscored, as the console shows a request whose risk it
		 * cannot read. */
		cJSON_Delete(rj);
		rj = NULL;
		ag_risk_clear(&risk);
	}
	int needs_human = risk.level == AG_LEVEL_CRITICAL || rule_needs_human(row->rule);
	ld->created = row->created_ms;
	ld->last_at = row->created_ms;
	struct tui_replay_event *e = push(ld, TUI_REPLAY_REQUEST, req->id, row->created_ms,
	                                  request_frame(row, req, rj, needs_human));
	ld->request = e->request;
	e->summary = ag_request_summary(req);
	e->action_kind = req->kind;
	e->level = risk.level;
	e->score = risk.score;
	ag_risk_clear(&risk);
}

static void
add_decision(struct loader *ld, const struct ag_journal_row *row)
{
	int dec = ag_decision_parse(row->decision);
	int by = row->by != NULL ? ag_decider_parse(row->by) : -1;
	if (dec < 0 || by < 0) {
		ld->rp->skipped++;
		return;
	}
	struct ag_decision_info d;
	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "%s", row->id);
	d.decision = (enum ag_decision)dec;
	d.by = (enum ag_decider)by;
	d.reason = (char *)(row->reason ? row->reason : "");
	d.at_ms = row->decided_ms;
	cJSON *decision = ag_decision_to_json(&d);
	cJSON *risk = row->risk_json != NULL ? cJSON_Parse(row->risk_json) : NULL;
	if (risk != NULL)
		cJSON_AddItemToObject(decision, "risk", risk);
	cJSON *f = event_new("decided", row->id);
	cJSON_AddItemToObject(f, "decision", decision);
	struct tui_replay_event *e = push(ld, TUI_REPLAY_DECIDED, row->id, row->decided_ms, f);
	e->decision = d.decision;
	e->by = d.by;
	e->reason = xstrdup(d.reason);
}

static int
on_row(void *ctx, const struct ag_journal_row *row)
{
	struct loader *ld = ctx;
	struct ag_request *req = NULL;
	struct ag_error err;

	if (ld->requests >= TUI_REPLAY_MAX_REQUESTS) {
		ld->truncated = 1;
		return 1;
	}
	if (ag_journal_row_request(row, &ld->limits, &req, &err) != 0 || !ag_id_valid(req->id)) {
		ag_request_free(&req);
		ld->rp->skipped++;
		return 0;
	}
	ld->requests++;
	add_request(ld, row, req);
	ag_request_free(&req);
	if (ag_journal_reviews(ld->j, row->id, on_review, ld, &ld->err) != 0) {
		ld->failed = 1;
		return 1;
	}
	if (row->decision != NULL)
		add_decision(ld, row);
	else if (row->state != NULL && strcmp(row->state, "abandoned") == 0)
		push(ld, TUI_REPLAY_ABANDONED, row->id,
		     row->abandoned_ms > 0 ? row->abandoned_ms : ld->last_at,
		     event_new("abandoned", row->id));
	return 0;
}

struct sort_key {
	int64_t at_ms;
	size_t idx; /* as journaled */
};

static int
cmp_keys(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	/* Same millisecond: as journaled (a request before its review and
	 * decision, rows in arrival order). */
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Recorded order: by time, ties as journaled. The indexes of REQUEST
 * events move with the sort, so each event's `request` is remapped. */
static void
sort_events(struct tui_replay *rp)
{
	size_t n = rp->n;
	struct sort_key *keys = xreallocarray(NULL, n ? n : 1, sizeof *keys);
	size_t *where = xreallocarray(NULL, n ? n : 1, sizeof *where);
	for (size_t i = 0; i < n; i++) {
		keys[i].at_ms = rp->events[i].at_ms;
		keys[i].idx = i;
	}
	qsort(keys, n, sizeof *keys, cmp_keys);
	struct tui_replay_event *sorted = xreallocarray(NULL, n ? n : 1, sizeof *sorted);
	for (size_t i = 0; i < n; i++) {
		sorted[i] = rp->events[keys[i].idx];
		where[keys[i].idx] = i;
	}
	for (size_t i = 0; i < n; i++)
		sorted[i].request = where[sorted[i].request];
	free(rp->events);
	rp->events = sorted;
	free(keys);
	free(where);
}

int
tui_replay_load(struct ag_journal *j, const char *session, struct tui_replay **out,
                struct ag_error *err)
{
	struct ag_journal_query q;
	struct loader ld;

	*out = NULL;
	if (session == NULL)
		return ag_fail(err, "no session given");
	memset(&ld, 0, sizeof ld);
	ld.rp = xcalloc(1, sizeof *ld.rp);
	ld.rp->session = xstrdup(session);
	ld.rp->speed = 1;
	ld.j = j;
	ag_limits_default(&ld.limits);
	/* The hub accepted these under its limits, which may be larger. */
	ld.limits.max_frame = ld.limits.max_text = (size_t)64 * 1024 * 1024;
	ag_journal_query_init(&q);
	q.session = session;
	q.include_pending = 1;
	int rc = ag_journal_query(j, &q, on_row, &ld, err);
	if (rc == 0 && ld.failed) {
		*err = ld.err;
		rc = -1;
	}
	if (rc == 0 && ld.requests == 0) {
		rc = ld.rp->skipped > 0
		         ? ag_fail(err,
		                   "session '%.100s': none of its %zu recorded requests can be "
		                   "read back",
		                   session, ld.rp->skipped)
		         : ag_fail(err, "session '%.100s' has no recorded request in this journal",
		                   session);
	}
	if (rc != 0) {
		tui_replay_free(&ld.rp);
		return -1;
	}
	sort_events(ld.rp);
	ld.rp->start_ms = ld.rp->events[0].at_ms;
	ld.rp->end_ms = ld.rp->events[ld.rp->n - 1].at_ms;
	ld.rp->clock_ms = ld.rp->start_ms;
	ld.rp->truncated = ld.truncated;
	*out = ld.rp;
	return 0;
}

void
tui_replay_free(struct tui_replay **rpp)
{
	struct tui_replay *rp = *rpp;
	if (rp == NULL)
		return;
	for (size_t i = 0; i < rp->n; i++) {
		struct tui_replay_event *e = &rp->events[i];
		free(e->frame);
		free(e->reason);
		free(e->summary);
		free(e->outcome);
		free(e->failure);
	}
	free(rp->events);
	free(rp->session);
	free(rp);
	*rpp = NULL;
}

struct latest {
	char *session;
};

static int
on_latest(void *ctx, const struct ag_journal_row *row)
{
	struct latest *l = ctx;
	/* Rows come oldest first: the last one that names a session wins. */
	if (row->session != NULL && *row->session != '\0') {
		free(l->session);
		l->session = xstrdup(row->session);
	}
	return 0;
}

int
tui_replay_latest_session(struct ag_journal *j, char **out, struct ag_error *err)
{
	struct ag_journal_query q;
	struct latest l = {NULL};

	*out = NULL;
	ag_journal_query_init(&q);
	q.include_pending = 1;
	q.limit = 1000; /* the newest rows: a session is in there or none is recent */
	if (ag_journal_query(j, &q, on_latest, &l, err) != 0)
		return -1;
	if (l.session == NULL)
		return ag_fail(err, "no recent request in the journal names a session; "
		                    "pass --session ID (agate log lists them)");
	*out = l.session;
	return 0;
}

/* --- stepping ----------------------------------------------------------- */

void
tui_replay_bind(struct tui_replay *rp, struct tui_model *pending, struct tui_model *decided)
{
	rp->pending = pending;
	rp->decided = decided;
	tui_replay_seek(rp, 0);
}

static void
apply_frame(struct tui_model *m, const char *text)
{
	struct tui_event ev;
	cJSON *f = cJSON_Parse(text); /* our own printing: parses, barring OOM */
	if (f == NULL)
		return;
	tui_model_apply(m, f, &ev);
	cJSON_Delete(f);
}

/* The decided list gets the request as it arrived, then its outcome, in
 * the fields the history view draws. */
static void
record_outcome(struct tui_replay *rp, const struct tui_replay_event *e)
{
	apply_frame(rp->decided, rp->events[e->request].frame);
	/* Arrival order puts it last, nearly always: look there first, so a
	 * long session is not a scan of the whole list per decision. */
	struct tui_model *m = rp->decided;
	struct tui_item *it = m->n > 0 && strcmp(m->items[m->n - 1]->req->id, e->id) == 0
	                          ? m->items[m->n - 1]
	                          : tui_model_find(m, e->id);
	if (it == NULL)
		return;
	free(it->decision);
	free(it->by);
	free(it->reason);
	if (e->kind == TUI_REPLAY_DECIDED) {
		it->decision = xstrdup(ag_decision_name(e->decision));
		it->by = xstrdup(ag_decider_name(e->by));
		it->reason = xstrdup(e->reason ? e->reason : "");
	} else {
		it->decision = xstrdup("abandoned");
		it->by = xstrdup("nobody");
		it->reason = xstrdup("its agent went away");
	}
	it->decided_ms = e->at_ms;
}

/* The selection follows the replay: the request the event is about, in
 * the list it is now in. */
static void
follow(struct tui_model *m, const char *id)
{
	snprintf(m->sel_id, sizeof m->sel_id, "%s", id);
}

static void
apply_event(struct tui_replay *rp, size_t i)
{
	const struct tui_replay_event *e = &rp->events[i];

	switch (e->kind) {
	case TUI_REPLAY_REQUEST:
	case TUI_REPLAY_REVIEW:
		apply_frame(rp->pending, e->frame);
		follow(rp->pending, e->id);
		break;
	case TUI_REPLAY_DECIDED:
	case TUI_REPLAY_ABANDONED:
		record_outcome(rp, e);
		follow(rp->decided, e->id);
		apply_frame(rp->pending, e->frame);
		break;
	}
	rp->clock_ms = e->at_ms;
	rp->waited_ms = 0;
	rp->pos = i + 1;
}

static void
refilter(struct tui_replay *rp)
{
	tui_model_refilter(rp->pending);
	tui_model_refilter(rp->decided);
}

const struct tui_replay_event *
tui_replay_current(const struct tui_replay *rp)
{
	return rp->pos > 0 ? &rp->events[rp->pos - 1] : NULL;
}

const struct tui_replay_event *
tui_replay_step(struct tui_replay *rp)
{
	if (rp->pos >= rp->n)
		return NULL;
	apply_event(rp, rp->pos);
	refilter(rp);
	return tui_replay_current(rp);
}

const struct tui_replay_event *
tui_replay_seek(struct tui_replay *rp, size_t k)
{
	if (k > rp->n)
		k = rp->n;
	/* From nothing, every time: the state at k is the same whichever
	 * way it was reached. Filters stay; the selection follows the
	 * events, as it does stepping forward. */
	tui_model_clear(rp->pending);
	tui_model_clear(rp->decided);
	rp->pos = 0;
	for (size_t i = 0; i < k; i++)
		apply_event(rp, i);
	rp->clock_ms = k > 0 ? rp->events[k - 1].at_ms : rp->start_ms;
	rp->waited_ms = 0;
	refilter(rp);
	return tui_replay_current(rp);
}

const struct tui_replay_event *
tui_replay_back(struct tui_replay *rp)
{
	return tui_replay_seek(rp, rp->pos > 0 ? rp->pos - 1 : 0);
}

/* Real milliseconds until events[pos] at this speed, rounded up. */
static int64_t
real_until_next(const struct tui_replay *rp)
{
	int64_t gap = rp->events[rp->pos].at_ms - rp->clock_ms;
	if (gap <= 0)
		return 0;
	int64_t real = (int64_t)((double)gap / rp->speed);
	if ((double)real * rp->speed < (double)gap)
		real++;
	return real;
}

size_t
tui_replay_advance(struct tui_replay *rp, int64_t real_ms)
{
	size_t applied = 0;

	if (!rp->playing)
		return 0;
	if (real_ms < 0)
		real_ms = 0;
	while (rp->pos < rp->n) {
		int64_t need = real_until_next(rp);
		int64_t left = TUI_REPLAY_MAX_WAIT_MS - rp->waited_ms;
		if (left < 0)
			left = 0;
		int64_t cost = need < left ? need : left;
		if (cost > real_ms) {
			/* Not due yet: the clock runs up to now. */
			rp->clock_ms += (int64_t)((double)real_ms * rp->speed);
			if (rp->clock_ms > rp->events[rp->pos].at_ms)
				rp->clock_ms = rp->events[rp->pos].at_ms;
			rp->waited_ms += real_ms;
			break;
		}
		real_ms -= cost;
		apply_event(rp, rp->pos);
		applied++;
	}
	if (rp->pos >= rp->n)
		rp->playing = 0;
	if (applied > 0)
		refilter(rp);
	return applied;
}

int64_t
tui_replay_wait_ms(const struct tui_replay *rp)
{
	if (!rp->playing || rp->pos >= rp->n)
		return -1;
	int64_t need = real_until_next(rp);
	int64_t left = TUI_REPLAY_MAX_WAIT_MS - rp->waited_ms;
	if (left < 0)
		left = 0;
	return need < left ? need : left;
}

void
tui_replay_toggle(struct tui_replay *rp)
{
	if (rp->playing) {
		rp->playing = 0;
		return;
	}
	if (rp->pos >= rp->n)
		tui_replay_seek(rp, 0);
	rp->waited_ms = 0;
	rp->playing = 1;
}

void
tui_replay_speed_step(struct tui_replay *rp, int dir)
{
	double s = dir > 0 ? rp->speed * 2 : rp->speed / 2;
	if (s < TUI_REPLAY_SPEED_MIN)
		s = TUI_REPLAY_SPEED_MIN;
	if (s > TUI_REPLAY_SPEED_MAX)
		s = TUI_REPLAY_SPEED_MAX;
	rp->speed = s;
}

/* --- words --------------------------------------------------------------- */

void
tui_replay_format_duration(int64_t ms, char *buf, size_t size)
{
	if (ms < 0)
		ms = 0;
	if (ms < 60000) /* tenths, rounded down: 1,299 ms is "1.2s" */
		snprintf(buf, size, "%lld.%llds", (long long)(ms / 1000),
		         (long long)(ms % 1000 / 100));
	else if (ms < 3600000)
		snprintf(buf, size, "%lldm%02llds", (long long)(ms / 60000),
		         (long long)(ms % 60000 / 1000));
	else
		snprintf(buf, size, "%lldh%02lldm", (long long)(ms / 3600000),
		         (long long)(ms % 3600000 / 60000));
}

void
tui_replay_format_offset(int64_t ms, char *buf, size_t size)
{
	const char *sign = ms < 0 ? "-" : "+";
	if (ms < 0)
		ms = -ms;
	long long h = ms / 3600000, m = ms % 3600000 / 60000, s = ms % 60000 / 1000,
	          t = ms % 1000 / 100;
	if (h > 0)
		snprintf(buf, size, "%s%lld:%02lld:%02lld.%lld", sign, h, m, s, t);
	else
		snprintf(buf, size, "%s%02lld:%02lld.%lld", sign, m, s, t);
}

void
tui_replay_describe(const struct tui_replay *rp, const struct tui_replay_event *e, char *buf,
                    size_t size)
{
	char took[32];
	(void)rp;

	tui_replay_format_duration(e->took_ms, took, sizeof took);
	switch (e->kind) {
	case TUI_REPLAY_REQUEST:
		snprintf(buf, size, "%s arrives: %s, %s %d: %s", e->id,
		         ag_kind_name(e->action_kind), ag_level_name(e->level), e->score,
		         e->summary ? e->summary : "");
		break;
	case TUI_REPLAY_REVIEW:
		if (e->failure != NULL)
			snprintf(buf, size, "%s: Guardian review after %s failed: %s", e->id, took,
			         e->failure);
		else
			snprintf(buf, size, "%s: Guardian review after %s: %s", e->id, took,
			         e->outcome ? e->outcome : "no outcome");
		break;
	case TUI_REPLAY_DECIDED:
		snprintf(buf, size, "%s: %s by %s after %s%s%s", e->id,
		         ag_decision_name(e->decision), ag_decider_name(e->by), took,
		         e->reason && *e->reason ? ": " : "", e->reason ? e->reason : "");
		break;
	case TUI_REPLAY_ABANDONED:
		snprintf(buf, size, "%s abandoned after %s: its agent went away", e->id, took);
		break;
	}
}
