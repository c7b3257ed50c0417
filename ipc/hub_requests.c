/* A request's life in the hub: arrival (validated, judged, journaled,
 * acked, broadcast), the decisions that settle it at once (a rule, a
 * session grant, a hook's guard check), decide and review frames from
 * subscribers, abandonment, and the reload after a restart. The loop that
 * calls these, and the clients they write to, are in ipc/hub.c.
 *
 * Everything here runs inside the loop turn's journal transaction and only
 * queues frames; ipc/hub.c writes them after the commit (DESIGN.md
 * promise 1). */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/journal.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "ipc/hub_internal.h"
#include "ipc/pending.h"

#define REASON_MAX 4096

/* --- events ------------------------------------------------------------- */

/* The request's risk as JSON text, printed on first use and kept: the ack,
 * the request event and both decision frames carry the same risk. */
static const char *
pending_risk(struct ag_pending *p)
{
	if (p->risk_text == NULL) {
		cJSON *risk = ag_risk_to_json(&p->assessment.risk);
		p->risk_text = ag_json_print(risk);
		cJSON_Delete(risk);
	}
	return p->risk_text;
}

/* Requests whose longest text is at least this long are printed once and
 * shared (see pending_request_text), and their frames handed to a client's
 * queue whole. */
#define LONG_TEXT (64 * 1024)

/* Where a long request's text goes in its event as printed: a raw byte no
 * printed string can hold (they escape control characters). */
#define REQUEST_MARK "\x01"

/* The request as JSON, printed once and kept when it is long (a diff): a
 * console that connects is sent the request event as the text around the
 * request plus this, shared by every queue, instead of the 3.7 MB printed
 * again and copied (2 ms of the hub's before the console's first screen).
 * The hub keeps the printed request beside the parsed one for as long as
 * it is pending. NULL for a short request. */
static struct ag_shared_text *
pending_request_text(struct ag_pending *p)
{
	const struct ag_request *req = p->req;
	const char *big = req->kind == AG_KIND_PATCH  ? req->u.patch.diff
	                  : req->kind == AG_KIND_EXEC ? req->u.exec.command
	                                              : NULL;
	if (p->request_text == NULL && big != NULL && strnlen(big, LONG_TEXT) == LONG_TEXT) {
		cJSON *rj = ag_request_to_json_borrowed(req);
		char *text = ag_json_print(rj);
		cJSON_Delete(rj);
		p->request_text = ag_shared_text_new(text, strlen(text));
	}
	return p->request_text;
}

/* The request event of p, showing req (p's request, or a preview of it);
 * mark: the request goes in as REQUEST_MARK, its shared text put in when
 * the event is queued. */
static cJSON *
request_event_of(struct ag_pending *p, const struct ag_request *req, int snapshot, int mark)
{
	cJSON *f = hub_frame_new("event");
	cJSON_AddStringToObject(f, "event", "request");
	cJSON_AddBoolToObject(f, "snapshot", snapshot);
	if (mark)
		cJSON_AddRawToObject(f, "request", REQUEST_MARK);
	else
		cJSON_AddItemToObject(f, "request", ag_request_to_json_borrowed(req));
	cJSON_AddRawToObject(f, "risk", pending_risk(p));
	if (p->assessment.rule)
		cJSON_AddStringToObject(f, "rule", p->assessment.rule);
	else
		cJSON_AddNullToObject(f, "rule");
	cJSON_AddBoolToObject(f, "needs_human", ag_assessment_needs_human(&p->assessment));
	cJSON_AddNumberToObject(f, "created_ms", (double)p->created_ms);
	cJSON_AddNumberToObject(f, "deadline_ms", (double)p->deadline_ms);
	cJSON_AddBoolToObject(f, "orphan", p->publisher == NULL);
	if (p->review)
		cJSON_AddItemToObject(f, "review", cJSON_Duplicate(p->review, 1));
	return f;
}

static cJSON *
request_event(struct ag_pending *p, int snapshot)
{
	return request_event_of(p, p->req, snapshot, pending_request_text(p) != NULL);
}

/* What a preview carries of a long diff: its first whole lines, this many
 * bytes at most. Some screens' worth, and cheap to print, send and parse. */
#define PREVIEW_BYTES (48 * 1024)

/* A console reading a 3.7 MB request event shows nothing until the last
 * byte is in and checked (4 ms of its first screen). So a client whose
 * hello asked for previews gets, just before the request event of a long
 * diff, the same event with "preview":true, the diff cut to its first
 * lines and "request_bytes" (the whole diff's length): it can draw its
 * first screen from that. A preview is never decidable; the request event
 * right behind it replaces it. Printed, caller frees; NULL when p's
 * request is not a long patch. */
static char *
preview_event_text(struct ag_pending *p, int snapshot)
{
	const struct ag_request *req = p->req;
	if (p->request_text == NULL || req->kind != AG_KIND_PATCH || req->u.patch.diff == NULL)
		return NULL;
	const char *diff = req->u.patch.diff;
	size_t cut = PREVIEW_BYTES; /* the diff is longer: it is LONG_TEXT at least */
	while (cut > 0 && diff[cut - 1] != '\n')
		cut--;
	if (cut == 0)
		return NULL; /* one huge first line: nothing whole to show */
	/* The action as it is (its members borrowed), the diff cut. */
	char *head = xstrndup(diff, cut);
	cJSON *action = cJSON_CreateObject();
	for (cJSON *m = req->action != NULL ? req->action->child : NULL; m != NULL; m = m->next)
		if (strcmp(m->string, "diff") == 0)
			cJSON_AddStringToObject(action, "diff", head);
		else
			cJSON_AddItemReferenceToObject(action, m->string, m);
	free(head);
	/* A copy of the struct for printing only: every pointer in it but
	 * the action is still p->req's. */
	struct ag_request shown = *req;
	shown.action = action;
	cJSON *f = request_event_of(p, &shown, snapshot, 0);
	cJSON_AddBoolToObject(f, "preview", 1);
	cJSON_AddNumberToObject(f, "request_bytes", (double)strlen(diff));
	char *text = ag_json_print(f);
	cJSON_Delete(f);
	cJSON_Delete(action);
	return text;
}

/* Queues a request event built by request_event: printed, with a long
 * request's shared text put in at its mark. */
static void
queue_request_event(struct hub_client *cl, const char *text, size_t len,
                    struct ag_shared_text *req_text)
{
	if (cl->dead)
		return;
	const char *mark = req_text != NULL ? memchr(text, REQUEST_MARK[0], len) : NULL;
	if (mark == NULL) {
		hub_queue_text(cl, text, len);
		return;
	}
	ag_outbuf_append(&cl->out, text, (size_t)(mark - text));
	ag_outbuf_share(&cl->out, req_text);
	ag_outbuf_append(&cl->out, mark + 1, len - (size_t)(mark - text) - 1);
	ag_outbuf_append(&cl->out, "\n", 1);
}

/* A request event on its way to one or more clients: printed once, and
 * its preview printed once too, on first need. */
struct outgoing {
	struct ag_pending *p;
	char *text;
	size_t len;
	int snapshot;
	int preview_wanted; /* a live request not settled at once, or a snapshot */
	int preview_made;
	char *preview; /* NULL: none (not a long patch), or not made yet */
};

static void
queue_outgoing(struct hub_client *c, struct outgoing *o)
{
	if (c->previews && !c->dead && o->preview_wanted && o->p->request_text != NULL) {
		if (!o->preview_made) {
			o->preview = preview_event_text(o->p, o->snapshot);
			o->preview_made = 1;
		}
		if (o->preview != NULL)
			hub_queue_text(c, o->preview, strlen(o->preview));
	}
	queue_request_event(c, o->text, o->len, o->p->request_text);
}

/* Sends a request event (see request_event) to one client, or with cl
 * NULL to every subscriber, as hub_send and hub_broadcast would. Clients
 * that asked get a long diff's preview first when preview is set
 * (snapshot: as in the event). */
static void
send_request_event(struct hub *h, struct hub_client *cl, struct ag_pending *p, cJSON *ev,
                   int preview, int snapshot)
{
	struct outgoing o = {p, ag_json_print(ev), 0, snapshot, preview, 0, NULL};
	cJSON_Delete(ev);
	o.len = strlen(o.text);
	if (cl != NULL)
		queue_outgoing(cl, &o);
	else
		for (struct hub_client *c = h->clients; c != NULL; c = c->next)
			if (c->role == AG_ROLE_SUBSCRIBER)
				queue_outgoing(c, &o);
	free(o.preview);
	free(o.text);
}

/* The decision frame as text, built once: the publisher gets it, and the
 * "decided" event carries it. Caller frees. */
static char *
decision_text(const struct ag_decision_info *d, struct ag_pending *p)
{
	cJSON *f = ag_decision_to_json(d);
	cJSON_AddRawToObject(f, "risk", pending_risk(p));
	if (p->review)
		cJSON_AddItemToObject(f, "review", cJSON_Duplicate(p->review, 1));
	char *text = ag_json_print(f);
	cJSON_Delete(f);
	return text;
}

/* --- deciding ----------------------------------------------------------- */

/* Journals the decision, tells the publisher and the subscribers, and
 * forgets the request. Returns -1 (with err) when the journal refused it;
 * then nothing was sent. */
int
hub_decide(struct hub *h, struct ag_pending *p, enum ag_decision decision, enum ag_decider by,
           const char *reason, struct ag_error *err)
{
	struct ag_decision_info d;
	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "%s", p->req->id);
	d.decision = decision;
	d.by = by;
	d.reason = (char *)(reason ? reason : "");
	d.at_ms = ag_clock_wall_ms();
	if (ag_journal_add_decision(h->journal, &d, err) != 0)
		return -1;
	if (decision == AG_DECISION_APPROVE_SESSION && p->req->session[0] != '\0') {
		char *key = ag_request_action_key(p->req);
		struct ag_error gerr;
		if (ag_journal_add_grant(h->journal, p->req->session, key, d.at_ms, &gerr) != 0)
			hub_log(h, "cannot record session grant for %s: %s", d.id, gerr.msg);
		free(key);
	}
	char *text = decision_text(&d, p);
	if (p->publisher)
		hub_queue_text(p->publisher, text, strlen(text));
	if (!p->quiet) {
		cJSON *ev = hub_frame_new("event");
		cJSON_AddStringToObject(ev, "event", "decided");
		cJSON_AddStringToObject(ev, "id", d.id);
		cJSON_AddRawToObject(ev, "decision", text);
		hub_broadcast(h, ev);
	}
	free(text);
	h->ndecisions++;
	hub_trace(h, "decided %s: %s by %s", d.id, ag_decision_name(decision), ag_decider_name(by));
	ag_pending_remove(&h->pending, p);
	return 0;
}

void
hub_abandon(struct hub *h, struct ag_pending *p, const char *why)
{
	struct ag_error err;
	if (ag_journal_set_abandoned(h->journal, p->req->id, ag_clock_wall_ms(), &err) != 0)
		hub_log(h, "cannot mark %s abandoned: %s", p->req->id, err.msg);
	/* A publisher still waiting gets no decision: it fails closed. */
	if (p->publisher != NULL && !p->publisher->dead)
		hub_send_error(h, p->publisher, p->req->id, "request %s was abandoned: %s",
		               p->req->id, why);
	if (!p->quiet) {
		cJSON *ev = hub_frame_new("event");
		cJSON_AddStringToObject(ev, "event", "abandoned");
		cJSON_AddStringToObject(ev, "id", p->req->id);
		cJSON_AddStringToObject(ev, "reason", why);
		hub_broadcast(h, ev);
	}
	hub_trace(h, "abandoned %s: %s", p->req->id, why);
	ag_pending_remove(&h->pending, p);
}

/* --- requests ----------------------------------------------------------- */

/* decided: a decision frame follows at once (a rule or a grant decided). */
static void
send_ack(struct hub_client *cl, struct ag_pending *p, int decided)
{
	cJSON *f = hub_frame_new("ack");
	cJSON_AddStringToObject(f, "id", p->req->id);
	cJSON_AddRawToObject(f, "risk", pending_risk(p));
	cJSON_AddNumberToObject(f, "deadline_ms", (double)p->deadline_ms);
	cJSON_AddBoolToObject(f, "decided", decided);
	hub_send(cl, f);
}

struct past_decision {
	cJSON *frame;
	int found;
};

static int
past_decision_row(void *ctx, const struct ag_journal_row *row)
{
	struct past_decision *pd = ctx;
	if (row->decision == NULL)
		return 1;
	cJSON *f = hub_frame_new("decision");
	cJSON_AddStringToObject(f, "id", row->id);
	cJSON_AddStringToObject(f, "decision", row->decision);
	cJSON_AddStringToObject(f, "by", row->by ? row->by : "");
	cJSON_AddStringToObject(f, "reason", row->reason ? row->reason : "");
	cJSON *risk = row->risk_json ? cJSON_Parse(row->risk_json) : NULL;
	if (risk)
		cJSON_AddItemToObject(f, "risk", risk);
	cJSON_AddBoolToObject(f, "replayed", 1);
	pd->frame = f;
	pd->found = 1;
	return 1;
}

/* A request id the journal already knows: the publisher reconnected (after
 * a hub restart or its own). It gets the decision already made, never a
 * second one. Returns 1 when handled. */
static int
hub_resume_known(struct hub *h, struct hub_client *cl, const struct ag_request *req)
{
	enum ag_request_state state;
	struct ag_error err;
	int known = ag_journal_request_state(h->journal, req->id, &state, &err);
	if (known < 0) {
		hub_send_error(h, cl, req->id, "%s", err.msg);
		return 1;
	}
	if (known == 0)
		return 0;
	if (state == AG_STATE_ABANDONED) {
		hub_send_error(h, cl, req->id,
		               "request %s was abandoned when its publisher went away; "
		               "send it again with a new id",
		               req->id);
		return 1;
	}
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	q.id = req->id;
	struct past_decision pd = {NULL, 0};
	if (ag_journal_query(h->journal, &q, past_decision_row, &pd, &err) != 0 || !pd.found) {
		hub_send_error(h, cl, req->id,
		               "request %s is known but its decision cannot be read", req->id);
		return 1;
	}
	hub_send(cl, pd.frame);
	return 1;
}

static int64_t
request_deadline(const struct hub *h, const struct ag_request *req, int64_t now)
{
	int64_t t = req->timeout_ms > 0 ? req->timeout_ms : h->opts->default_timeout_ms;
	return now + t;
}

/* A hook's guard check (Codex PreToolUse, which can only deny): the hook
 * wants the rules' and the engine's answer now, not a human's. */
static int
request_is_guard(const struct ag_request *req)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req->hook, "guard"));
}

struct immediate {
	int decided;
	enum ag_decision decision;
	enum ag_decider by;
	const char *reason; /* borrowed */
};

static void
immediate_decision(struct hub *h, struct ag_pending *p, struct immediate *out)
{
	const struct ag_request *req = p->req;
	struct ag_error err;
	if (p->assessment.decided) {
		out->decided = 1;
		out->decision = p->assessment.decision;
		out->by = p->assessment.by;
		out->reason = p->assessment.reason;
		return;
	}
	if (request_is_guard(req)) {
		out->decided = 1;
		out->by = AG_BY_POLICY;
		if (ag_assessment_needs_human(&p->assessment)) {
			out->decision = AG_DECISION_DENY;
			out->reason = "the risk is critical; a human must approve it";
		} else {
			out->decision = AG_DECISION_DEFER;
			out->reason = "no rule decides this; the agent's approval request will";
		}
		return;
	}
	if (req->session[0] != '\0' && !ag_assessment_needs_human(&p->assessment)) {
		char *key = ag_request_action_key(req);
		if (ag_journal_has_grant(h->journal, req->session, key, &err) == 1) {
			out->decided = 1;
			out->decision = AG_DECISION_APPROVE;
			out->by = AG_BY_SESSION;
			out->reason = "approved earlier for this session";
		}
		free(key);
	}
}

static void
hub_new_request(struct hub *h, struct hub_client *cl, struct ag_request *req)
{
	struct ag_pending *p = xcalloc(1, sizeof *p);
	p->req = req;
	ag_assessment_init(&p->assessment);
	p->created_ms = ag_clock_wall_ms();
	p->deadline_ms = request_deadline(h, req, p->created_ms);
	p->publisher = cl;
	if (h->opts->judge.assess)
		h->opts->judge.assess(h->opts->judge.ctx, req, &p->assessment);

	struct ag_error err;
	if (ag_journal_add_request(h->journal, req, &p->assessment.risk, p->assessment.rule,
	                           p->created_ms, p->deadline_ms, &err) != 0) {
		hub_send_error(h, cl, req->id, "%s", err.msg);
		ag_request_free(&p->req);
		ag_assessment_clear(&p->assessment);
		free(p);
		return;
	}
	ag_pending_add(&h->pending, p);
	h->nrequests++;
	hub_trace(h, "request %s from %s (%s)", req->id, cl->id, ag_kind_name(req->kind));

	/* Decided at once: by a rule, by a grant this session already holds,
	 * or because it is a hook's guard check. Subscribers still see the
	 * request, then its decision, so log -f and audits show everything;
	 * guard checks excepted, which no human is asked about. */
	struct immediate now = {0, AG_DECISION_DENY, AG_BY_POLICY, NULL};
	immediate_decision(h, p, &now);
	p->quiet = request_is_guard(req);
	send_ack(cl, p, now.decided);
	if (!p->quiet) {
		cJSON *ev = request_event(p, 0);
		/* Reviewers need not weigh in on what the hub is deciding now. */
		if (now.decided)
			cJSON_AddStringToObject(ev, "settled", ag_decider_name(now.by));
		send_request_event(h, NULL, p, ev, !now.decided, 0);
	}
	if (now.decided && hub_decide(h, p, now.decision, now.by, now.reason, &err) != 0)
		hub_log(h, "cannot journal decision for %s: %s", req->id, err.msg);
}

void
hub_on_request(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	struct ag_request *req = NULL;
	struct ag_error err;
	const cJSON *idj = cJSON_GetObjectItemCaseSensitive(frame, "id");
	const char *ref = cJSON_IsString(idj) ? idj->valuestring : NULL;
	if (cl->role != AG_ROLE_PUBLISHER) {
		hub_send_error(h, cl, ref,
		               "only publishers may send requests (hello with role publisher)");
		return;
	}
	if (ag_request_from_json(frame, &h->opts->limits, &req, &err) != 0) {
		hub_send_error(h, cl, ag_id_valid(ref) ? ref : NULL, "%s", err.msg);
		return;
	}
	if (req->id[0] == '\0') {
		ag_id_generate(req->id, sizeof req->id, "r");
	} else {
		struct ag_pending *p = ag_pending_find(&h->pending, req->id);
		if (p != NULL) {
			/* Reconnected (or a duplicate): this publisher now waits for it. */
			p->publisher = cl;
			send_ack(cl, p, 0);
			ag_request_free(&req);
			return;
		}
		if (hub_resume_known(h, cl, req)) {
			ag_request_free(&req);
			return;
		}
	}
	hub_new_request(h, cl, req);
}

/* --- decisions from subscribers ----------------------------------------- */

/* Explains why an id that is not pending cannot be decided. */
static void
explain_not_pending(struct hub *h, struct hub_client *cl, const char *id)
{
	struct ag_decision_info d;
	struct ag_error err;
	enum ag_request_state state;
	memset(&d, 0, sizeof d);
	int found = ag_journal_find_decision(h->journal, id, &d, &err);
	if (found == 1)
		hub_send_error(h, cl, id, "already decided by %s (%s)", ag_decider_name(d.by),
		               ag_decision_name(d.decision));
	else if (found == 0 && ag_journal_request_state(h->journal, id, &state, &err) == 1 &&
	         state == AG_STATE_ABANDONED)
		hub_send_error(h, cl, id, "request %s was abandoned", id);
	else
		hub_send_error(h, cl, id, "no pending request with id %s", id);
	ag_decision_info_clear(&d);
}

void
hub_on_decide(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *id = hub_json_string(frame, "id");
	const char *dname = hub_json_string(frame, "decision");
	const char *byname = hub_json_string(frame, "by");
	const cJSON *reasonj = cJSON_GetObjectItemCaseSensitive(frame, "reason");
	const cJSON *confirm = cJSON_GetObjectItemCaseSensitive(frame, "confirm");
	if (!ag_id_valid(id)) {
		hub_send_error(h, cl, NULL, "decide: id: expected a request id");
		return;
	}
	int decision = ag_decision_parse(dname);
	if (decision < 0) {
		hub_send_error(
		    h, cl, id,
		    "decide: decision: expected approve, approve_session, deny, abort or defer");
		return;
	}
	int by = byname ? ag_decider_parse(byname) : AG_BY_HUMAN;
	if (by != AG_BY_HUMAN && by != AG_BY_GUARDIAN) {
		hub_send_error(h, cl, id, "decide: by: expected human or guardian");
		return;
	}
	if (reasonj && (!cJSON_IsString(reasonj) || strlen(reasonj->valuestring) > REASON_MAX)) {
		hub_send_error(h, cl, id, "decide: reason: expected a string of at most %d bytes",
		               REASON_MAX);
		return;
	}
	if (confirm && !cJSON_IsBool(confirm)) {
		hub_send_error(h, cl, id, "decide: confirm: expected true or false");
		return;
	}
	struct ag_pending *p = ag_pending_find(&h->pending, id);
	if (p == NULL) {
		explain_not_pending(h, cl, id);
		return;
	}
	/* Promise 3: the model cannot outvote the rules, and a human approving
	 * what the rules or the engine flagged must say so twice. */
	if (ag_decision_is_approval(decision) && ag_assessment_needs_human(&p->assessment)) {
		if (by == AG_BY_GUARDIAN) {
			hub_send_error(h, cl, id,
			               "the Guardian cannot approve %s: it %s; only a human can",
			               id, ag_assessment_human_why(&p->assessment));
			return;
		}
		if (!cJSON_IsTrue(confirm)) {
			hub_send_error(h, cl, id,
			               "approving %s needs confirmation (it %s): send confirm:true",
			               id, ag_assessment_human_why(&p->assessment));
			return;
		}
	}
	struct ag_error err;
	if (hub_decide(h, p, decision, by, reasonj ? reasonj->valuestring : "", &err) != 0) {
		hub_send_error(h, cl, id, "%s", err.msg);
		return;
	}
	cJSON *ok = hub_frame_new("decided");
	cJSON_AddStringToObject(ok, "id", id);
	hub_send(cl, ok);
}

/* --- reviews, abandon, snapshots ---------------------------------------- */

/* A count a reviewer reports (tokens, ms), clamped: a client's number must
 * not reach an int64 cast out of range. */
static int64_t
review_count(const cJSON *v)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0))
		return 0;
	return v->valuedouble > 1e15 ? (int64_t)1e15 : (int64_t)v->valuedouble;
}

void
hub_on_review(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *id = hub_json_string(frame, "id");
	const cJSON *review = cJSON_GetObjectItemCaseSensitive(frame, "review");
	if (!ag_id_valid(id) || !cJSON_IsObject(review)) {
		hub_send_error(h, cl, ag_id_valid(id) ? id : NULL,
		               "review: expected id (string) and review (object)");
		return;
	}
	struct ag_pending *p = ag_pending_find(&h->pending, id);
	if (p == NULL) {
		explain_not_pending(h, cl, id);
		return;
	}
	char *verdict = ag_json_print(review);
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(review, "model");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(review, "error");
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(review, "latency_ms");
	const cJSON *tin = cJSON_GetObjectItemCaseSensitive(review, "tokens_in");
	const cJSON *tout = cJSON_GetObjectItemCaseSensitive(review, "tokens_out");
	struct ag_review_record r = {
	    .request_id = id,
	    .model = cJSON_IsString(model) ? model->valuestring : "",
	    .verdict_json = verdict,
	    .error = cJSON_IsString(error) ? error->valuestring : NULL,
	    .latency_ms = review_count(lat),
	    .tokens_in = review_count(tin),
	    .tokens_out = review_count(tout),
	    .at_ms = ag_clock_wall_ms(),
	};
	struct ag_error err;
	int rc = ag_journal_add_review(h->journal, &r, &err);
	free(verdict);
	if (rc != 0) {
		hub_send_error(h, cl, id, "%s", err.msg);
		return;
	}
	cJSON_Delete(p->review);
	p->review = cJSON_Duplicate(review, 1);
	cJSON *ev = hub_frame_new("event");
	cJSON_AddStringToObject(ev, "event", "review");
	cJSON_AddStringToObject(ev, "id", id);
	cJSON_AddItemToObject(ev, "review", cJSON_Duplicate(review, 1));
	hub_broadcast(h, ev);
}

void
hub_on_review_request(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *id = hub_json_string(frame, "id");
	if (!ag_id_valid(id) || ag_pending_find(&h->pending, id) == NULL) {
		hub_send_error(h, cl, ag_id_valid(id) ? id : NULL,
		               "review_request: no pending request %s",
		               ag_id_valid(id) ? id : "(invalid id)");
		return;
	}
	cJSON *ev = hub_frame_new("event");
	cJSON_AddStringToObject(ev, "event", "review_request");
	cJSON_AddStringToObject(ev, "id", id);
	hub_broadcast(h, ev);
}

/* A hook says its tool call is over (the agent's own prompt answered it,
 * or the turn ended): the session's pending requests for that call, or all
 * of them, leave the consoles. Nothing is approved by this. */
void
hub_on_abandon(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *session = hub_json_string(frame, "session");
	const char *call = hub_json_string(frame, "call");
	const char *reason = hub_json_string(frame, "reason");
	if (session == NULL || *session == '\0' || strlen(session) > h->opts->limits.max_string) {
		hub_send_error(h, cl, NULL, "abandon: session: expected a non-empty string");
		return;
	}
	if (reason != NULL && strlen(reason) > REASON_MAX) {
		hub_send_error(h, cl, NULL, "abandon: reason: longer than %d bytes", REASON_MAX);
		return;
	}
	char *why = ag_sanitize_line(reason ? reason : "the agent abandoned it",
	                             strlen(reason ? reason : "the agent abandoned it"));
	int count = 0;
	struct ag_pending *p = h->pending.head;
	while (p != NULL) {
		struct ag_pending *next = p->next;
		const char *pcall = hub_json_string(p->req->hook, "call");
		if (strcmp(p->req->session, session) == 0 &&
		    (call == NULL || (pcall != NULL && strcmp(pcall, call) == 0))) {
			hub_abandon(h, p, why);
			count++;
		}
		p = next;
	}
	free(why);
	cJSON *f = hub_frame_new("abandoned");
	cJSON_AddNumberToObject(f, "count", count);
	hub_send(cl, f);
}

void
hub_send_snapshot(struct hub *h, struct hub_client *cl)
{
	for (struct ag_pending *p = h->pending.head; p != NULL; p = p->next)
		send_request_event(h, cl, p, request_event(p, 1), 1, 1);
	cJSON *end = hub_frame_new("snapshot_end");
	cJSON_AddNumberToObject(end, "pending", (double)h->pending.count);
	hub_send(cl, end);
}

/* --- reloading after a restart ------------------------------------------ */

int
hub_reload_pending(void *ctx, struct ag_request *req, const struct ag_risk *risk,
                   int64_t created_ms, int64_t deadline_ms)
{
	struct hub *h = ctx;
	struct ag_pending *p = xcalloc(1, sizeof *p);
	p->req = req;
	ag_assessment_init(&p->assessment);
	/* Re-judge: the risk engine is deterministic, and the rules decide
	 * needs_human; keep the journaled risk if the judge is absent. */
	if (h->opts->judge.assess)
		h->opts->judge.assess(h->opts->judge.ctx, req, &p->assessment);
	else
		ag_risk_copy(&p->assessment.risk, risk);
	p->created_ms = created_ms;
	p->deadline_ms = deadline_ms;
	ag_pending_add(&h->pending, p);
	return 0;
}
