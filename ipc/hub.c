/* The hub. See ipc/hub.h for the shape of the loop; doc/agate-protocol.7 for
 * the frames.
 *
 * Ordering is the whole point of this file. During a loop turn every
 * journal write goes into one transaction and every frame for a client goes
 * into that client's output buffer; buffers are flushed only after the
 * transaction commits. So no client ever sees a request or a decision that
 * is not on disk (DESIGN.md promise 1), and a turn costs one commit however
 * many requests it carried. */
#include "ipc/hub.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/journal.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "ipc/busdir.h"
#include "ipc/client.h"
#include "ipc/linebuf.h"
#include "ipc/pending.h"

#define HELLO_MAX      1024         /* hellos must fit PIPE_BUF anyway */
#define CLIENT_OUT_MAX (256u << 20) /* a subscriber this far behind is dropped */
#define TURN_BYTES_MAX (8u << 20)   /* per client per turn, for fairness */
#define REASON_MAX     4096

struct hub_client {
	char id[AG_ID_MAX + 1];
	enum ag_role role;
	char name[64];
	long pid;
	int up_fd, down_fd;
	struct ag_linebuf in;
	struct ag_outbuf out;
	int dead;
	struct hub_client *next;
};

struct hub {
	const struct ag_hub_opts *opts;
	char *dir;
	char *journal_path;
	struct ag_journal *journal;
	int lock_fd, inbox_fd;
	struct ag_linebuf inbox;
	struct hub_client *clients;
	size_t nclients;
	struct ag_pending_table pending;
	int64_t start_wall, start_mono;
	int64_t next_expiry_ms;
	uint64_t nrequests, ndecisions, nerrors;
};

static volatile sig_atomic_t hub_stop;

static void
hub_on_signal(int sig)
{
	(void)sig;
	hub_stop = 1;
}

static void hub_vlog(struct hub *h, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
hub_vlog(struct hub *h, const char *fmt, va_list ap)
{
	if (h->opts->log == NULL)
		return;
	fprintf(h->opts->log, "agate hub: ");
	vfprintf(h->opts->log, fmt, ap);
	fputc('\n', h->opts->log);
	fflush(h->opts->log);
}

/* Lifecycle and errors. */
static void __attribute__((format(printf, 2, 3))) hub_log(struct hub *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hub_vlog(h, fmt, ap);
	va_end(ap);
}

/* Every request and decision: only with --verbose, off the fast path. */
static void __attribute__((format(printf, 2, 3))) hub_trace(struct hub *h, const char *fmt, ...)
{
	if (!h->opts->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	hub_vlog(h, fmt, ap);
	va_end(ap);
}

void
ag_hub_opts_default(struct ag_hub_opts *opts)
{
	memset(opts, 0, sizeof *opts);
	ag_limits_default(&opts->limits);
	opts->default_timeout_ms = 10 * 60 * 1000;
	opts->timeout_decision = AG_DECISION_DENY;
	opts->orphan_grace_ms = 60 * 1000;
}

/* --- sending ---------------------------------------------------------- */

static void
client_queue_text(struct hub_client *cl, const char *text, size_t len)
{
	if (cl->dead)
		return;
	ag_outbuf_append(&cl->out, text, len);
	ag_outbuf_append(&cl->out, "\n", 1);
}

/* Frees frame. */
static void
client_send(struct hub_client *cl, cJSON *frame)
{
	char *text = ag_json_print(frame);
	cJSON_Delete(frame);
	client_queue_text(cl, text, strlen(text));
	free(text);
}

static cJSON *
frame_new(const char *type)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", type);
	return f;
}

static void client_error(struct hub *h, struct hub_client *cl, const char *ref, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));

static void
client_error(struct hub *h, struct hub_client *cl, const char *ref, const char *fmt, ...)
{
	char msg[AG_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *f = frame_new("error");
	if (ref != NULL && *ref != '\0')
		cJSON_AddStringToObject(f, "ref", ref);
	else
		cJSON_AddNullToObject(f, "ref");
	cJSON_AddStringToObject(f, "error", msg);
	client_send(cl, f);
	h->nerrors++;
	/* msg may quote what the client sent: sanitize before it reaches a log. */
	char *safe = ag_sanitize_line(msg, strlen(msg));
	hub_trace(h, "error to %s: %s", cl->id, safe);
	free(safe);
}

/* Frees frame. */
static void
broadcast(struct hub *h, cJSON *frame)
{
	char *text = ag_json_print(frame);
	cJSON_Delete(frame);
	size_t len = strlen(text);
	for (struct hub_client *cl = h->clients; cl != NULL; cl = cl->next)
		if (cl->role == AG_ROLE_SUBSCRIBER)
			client_queue_text(cl, text, len);
	free(text);
}

/* --- events ----------------------------------------------------------- */

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

static cJSON *
request_event(struct ag_pending *p, int snapshot)
{
	cJSON *f = frame_new("event");
	cJSON_AddStringToObject(f, "event", "request");
	cJSON_AddBoolToObject(f, "snapshot", snapshot);
	cJSON_AddItemToObject(f, "request", ag_request_to_json(p->req));
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

/* --- deciding --------------------------------------------------------- */

/* Journals the decision, tells the publisher and the subscribers, and
 * forgets the request. Returns -1 (with err) when the journal refused it;
 * then nothing was sent. */
static int
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
		client_queue_text(p->publisher, text, strlen(text));
	if (!p->quiet) {
		cJSON *ev = frame_new("event");
		cJSON_AddStringToObject(ev, "event", "decided");
		cJSON_AddStringToObject(ev, "id", d.id);
		cJSON_AddRawToObject(ev, "decision", text);
		broadcast(h, ev);
	}
	free(text);
	h->ndecisions++;
	hub_trace(h, "decided %s: %s by %s", d.id, ag_decision_name(decision), ag_decider_name(by));
	ag_pending_remove(&h->pending, p);
	return 0;
}

static void
hub_abandon(struct hub *h, struct ag_pending *p, const char *why)
{
	struct ag_error err;
	if (ag_journal_set_abandoned(h->journal, p->req->id, ag_clock_wall_ms(), &err) != 0)
		hub_log(h, "cannot mark %s abandoned: %s", p->req->id, err.msg);
	/* A publisher still waiting gets no decision: it fails closed. */
	if (p->publisher != NULL && !p->publisher->dead)
		client_error(h, p->publisher, p->req->id, "request %s was abandoned: %s",
		             p->req->id, why);
	if (!p->quiet) {
		cJSON *ev = frame_new("event");
		cJSON_AddStringToObject(ev, "event", "abandoned");
		cJSON_AddStringToObject(ev, "id", p->req->id);
		cJSON_AddStringToObject(ev, "reason", why);
		broadcast(h, ev);
	}
	hub_trace(h, "abandoned %s: %s", p->req->id, why);
	ag_pending_remove(&h->pending, p);
}

/* --- requests ---------------------------------------------------------- */

/* decided: a decision frame follows at once (a rule or a grant decided). */
static void
send_ack(struct hub_client *cl, struct ag_pending *p, int decided)
{
	cJSON *f = frame_new("ack");
	cJSON_AddStringToObject(f, "id", p->req->id);
	cJSON_AddRawToObject(f, "risk", pending_risk(p));
	cJSON_AddNumberToObject(f, "deadline_ms", (double)p->deadline_ms);
	cJSON_AddBoolToObject(f, "decided", decided);
	client_send(cl, f);
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
	cJSON *f = frame_new("decision");
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
		client_error(h, cl, req->id, "%s", err.msg);
		return 1;
	}
	if (known == 0)
		return 0;
	if (state == AG_STATE_ABANDONED) {
		client_error(h, cl, req->id,
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
		client_error(h, cl, req->id, "request %s is known but its decision cannot be read",
		             req->id);
		return 1;
	}
	client_send(cl, pd.frame);
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
		client_error(h, cl, req->id, "%s", err.msg);
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
		broadcast(h, ev);
	}
	if (now.decided && hub_decide(h, p, now.decision, now.by, now.reason, &err) != 0)
		hub_log(h, "cannot journal decision for %s: %s", req->id, err.msg);
}

static void
hub_on_request(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	struct ag_request *req = NULL;
	struct ag_error err;
	const cJSON *idj = cJSON_GetObjectItemCaseSensitive(frame, "id");
	const char *ref = cJSON_IsString(idj) ? idj->valuestring : NULL;
	if (cl->role != AG_ROLE_PUBLISHER) {
		client_error(h, cl, ref,
		             "only publishers may send requests (hello with role publisher)");
		return;
	}
	if (ag_request_from_json(frame, &h->opts->limits, &req, &err) != 0) {
		client_error(h, cl, ag_id_valid(ref) ? ref : NULL, "%s", err.msg);
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

static const char *
json_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

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
		client_error(h, cl, id, "already decided by %s (%s)", ag_decider_name(d.by),
		             ag_decision_name(d.decision));
	else if (found == 0 && ag_journal_request_state(h->journal, id, &state, &err) == 1 &&
	         state == AG_STATE_ABANDONED)
		client_error(h, cl, id, "request %s was abandoned", id);
	else
		client_error(h, cl, id, "no pending request with id %s", id);
	ag_decision_info_clear(&d);
}

static void
hub_on_decide(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *id = json_string(frame, "id");
	const char *dname = json_string(frame, "decision");
	const char *byname = json_string(frame, "by");
	const cJSON *reasonj = cJSON_GetObjectItemCaseSensitive(frame, "reason");
	const cJSON *confirm = cJSON_GetObjectItemCaseSensitive(frame, "confirm");
	if (!ag_id_valid(id)) {
		client_error(h, cl, NULL, "decide: id: expected a request id");
		return;
	}
	int decision = ag_decision_parse(dname);
	if (decision < 0) {
		client_error(
		    h, cl, id,
		    "decide: decision: expected approve, approve_session, deny, abort or defer");
		return;
	}
	int by = byname ? ag_decider_parse(byname) : AG_BY_HUMAN;
	if (by != AG_BY_HUMAN && by != AG_BY_GUARDIAN) {
		client_error(h, cl, id, "decide: by: expected human or guardian");
		return;
	}
	if (reasonj && (!cJSON_IsString(reasonj) || strlen(reasonj->valuestring) > REASON_MAX)) {
		client_error(h, cl, id, "decide: reason: expected a string of at most %d bytes",
		             REASON_MAX);
		return;
	}
	if (confirm && !cJSON_IsBool(confirm)) {
		client_error(h, cl, id, "decide: confirm: expected true or false");
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
			client_error(
			    h, cl, id, "the Guardian cannot approve %s: it %s; only a human can",
			    id, p->assessment.rule_denied ? "matched a deny rule" : "is critical");
			return;
		}
		if (!cJSON_IsTrue(confirm)) {
			client_error(
			    h, cl, id, "approving %s needs confirmation (it %s): send confirm:true",
			    id, p->assessment.rule_denied ? "matched a deny rule" : "is critical");
			return;
		}
	}
	struct ag_error err;
	if (hub_decide(h, p, decision, by, reasonj ? reasonj->valuestring : "", &err) != 0) {
		client_error(h, cl, id, "%s", err.msg);
		return;
	}
	cJSON *ok = frame_new("decided");
	cJSON_AddStringToObject(ok, "id", id);
	client_send(cl, ok);
}

/* --- reviews, status ---------------------------------------------------- */

/* A count a reviewer reports (tokens, ms), clamped: a client's number must
 * not reach an int64 cast out of range. */
static int64_t
review_count(const cJSON *v)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0))
		return 0;
	return v->valuedouble > 1e15 ? (int64_t)1e15 : (int64_t)v->valuedouble;
}

static void
hub_on_review(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *id = json_string(frame, "id");
	const cJSON *review = cJSON_GetObjectItemCaseSensitive(frame, "review");
	if (!ag_id_valid(id) || !cJSON_IsObject(review)) {
		client_error(h, cl, ag_id_valid(id) ? id : NULL,
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
		client_error(h, cl, id, "%s", err.msg);
		return;
	}
	cJSON_Delete(p->review);
	p->review = cJSON_Duplicate(review, 1);
	cJSON *ev = frame_new("event");
	cJSON_AddStringToObject(ev, "event", "review");
	cJSON_AddStringToObject(ev, "id", id);
	cJSON_AddItemToObject(ev, "review", cJSON_Duplicate(review, 1));
	broadcast(h, ev);
}

static void
hub_on_review_request(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *id = json_string(frame, "id");
	if (!ag_id_valid(id) || ag_pending_find(&h->pending, id) == NULL) {
		client_error(h, cl, ag_id_valid(id) ? id : NULL,
		             "review_request: no pending request %s",
		             ag_id_valid(id) ? id : "(invalid id)");
		return;
	}
	cJSON *ev = frame_new("event");
	cJSON_AddStringToObject(ev, "event", "review_request");
	cJSON_AddStringToObject(ev, "id", id);
	broadcast(h, ev);
}

/* A hook says its tool call is over (the agent's own prompt answered it,
 * or the turn ended): the session's pending requests for that call, or all
 * of them, leave the consoles. Nothing is approved by this. */
static void
hub_on_abandon(struct hub *h, struct hub_client *cl, const cJSON *frame)
{
	const char *session = json_string(frame, "session");
	const char *call = json_string(frame, "call");
	const char *reason = json_string(frame, "reason");
	if (session == NULL || *session == '\0' || strlen(session) > h->opts->limits.max_string) {
		client_error(h, cl, NULL, "abandon: session: expected a non-empty string");
		return;
	}
	if (reason != NULL && strlen(reason) > REASON_MAX) {
		client_error(h, cl, NULL, "abandon: reason: longer than %d bytes", REASON_MAX);
		return;
	}
	char *why = ag_sanitize_line(reason ? reason : "the agent abandoned it",
	                             strlen(reason ? reason : "the agent abandoned it"));
	int count = 0;
	struct ag_pending *p = h->pending.head;
	while (p != NULL) {
		struct ag_pending *next = p->next;
		const char *pcall = json_string(p->req->hook, "call");
		if (strcmp(p->req->session, session) == 0 &&
		    (call == NULL || (pcall != NULL && strcmp(pcall, call) == 0))) {
			hub_abandon(h, p, why);
			count++;
		}
		p = next;
	}
	free(why);
	cJSON *f = frame_new("abandoned");
	cJSON_AddNumberToObject(f, "count", count);
	client_send(cl, f);
}

static void
hub_on_status(struct hub *h, struct hub_client *cl)
{
	size_t pubs = 0, subs = 0;
	cJSON *list = cJSON_CreateArray();
	for (struct hub_client *c = h->clients; c != NULL; c = c->next) {
		if (c->role == AG_ROLE_PUBLISHER)
			pubs++;
		else if (c->role == AG_ROLE_SUBSCRIBER)
			subs++;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", c->id);
		cJSON_AddStringToObject(o, "role",
		                        c->role == AG_ROLE_PUBLISHER    ? "publisher"
		                        : c->role == AG_ROLE_SUBSCRIBER ? "subscriber"
		                                                        : "control");
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddNumberToObject(o, "pid", (double)c->pid);
		cJSON_AddItemToArray(list, o);
	}
	cJSON *f = frame_new("status");
	cJSON_AddNumberToObject(f, "pid", (double)getpid());
	cJSON_AddNumberToObject(f, "started_ms", (double)h->start_wall);
	cJSON_AddNumberToObject(f, "uptime_ms", (double)(ag_clock_mono_ms() - h->start_mono));
	cJSON_AddNumberToObject(f, "clients", (double)h->nclients);
	cJSON_AddNumberToObject(f, "publishers", (double)pubs);
	cJSON_AddNumberToObject(f, "subscribers", (double)subs);
	cJSON_AddNumberToObject(f, "pending", (double)h->pending.count);
	cJSON_AddNumberToObject(f, "requests", (double)h->nrequests);
	cJSON_AddNumberToObject(f, "decisions", (double)h->ndecisions);
	cJSON_AddNumberToObject(f, "errors", (double)h->nerrors);
	cJSON_AddStringToObject(f, "bus", h->dir);
	cJSON_AddStringToObject(f, "journal", h->journal_path);
	cJSON_AddItemToObject(f, "client_list", list);
	client_send(cl, f);
}

/* Tells subscribers how many consoles are attached, whenever a subscriber
 * comes or goes: the Guardian escalates to a human only when one is there. */
static void
broadcast_clients(struct hub *h)
{
	int subscribers = 0, consoles = 0;
	for (struct hub_client *c = h->clients; c != NULL; c = c->next) {
		if (c->role != AG_ROLE_SUBSCRIBER || c->dead)
			continue;
		subscribers++;
		consoles += strcmp(c->name, "console") == 0;
	}
	cJSON *ev = frame_new("event");
	cJSON_AddStringToObject(ev, "event", "clients");
	cJSON_AddNumberToObject(ev, "subscribers", subscribers);
	cJSON_AddNumberToObject(ev, "consoles", consoles);
	broadcast(h, ev);
}

static void
hub_send_snapshot(struct hub *h, struct hub_client *cl)
{
	for (struct ag_pending *p = h->pending.head; p != NULL; p = p->next)
		client_send(cl, request_event(p, 1));
	cJSON *end = frame_new("snapshot_end");
	cJSON_AddNumberToObject(end, "pending", (double)h->pending.count);
	client_send(cl, end);
}

/* --- frames ------------------------------------------------------------- */

static void
hub_on_frame(struct hub *h, struct hub_client *cl, const char *line, size_t len)
{
	cJSON *frame = NULL;
	struct ag_error err;
	if (ag_frame_parse(line, len, &h->opts->limits, &frame, &err) != 0) {
		client_error(h, cl, NULL, "%s", err.msg);
		return;
	}
	const char *type = ag_frame_type(frame);
	if (strcmp(type, "request") == 0)
		hub_on_request(h, cl, frame);
	else if (strcmp(type, "decide") == 0)
		hub_on_decide(h, cl, frame);
	else if (strcmp(type, "review") == 0)
		hub_on_review(h, cl, frame);
	else if (strcmp(type, "review_request") == 0)
		hub_on_review_request(h, cl, frame);
	else if (strcmp(type, "status") == 0)
		hub_on_status(h, cl);
	else if (strcmp(type, "abandon") == 0)
		hub_on_abandon(h, cl, frame);
	else if (strcmp(type, "ping") == 0)
		client_send(cl, frame_new("pong"));
	else {
		char *safe = ag_sanitize_line(type, strlen(type));
		client_error(h, cl, NULL,
		             "type: unknown frame type '%.64s' (expected request, decide, review, "
		             "review_request, abandon, status or ping)",
		             safe);
		free(safe);
	}
	cJSON_Delete(frame);
}

/* Reads what the client sent this turn (bounded, so one busy publisher
 * cannot starve the others) and handles each complete frame. */
static void
hub_read_client(struct hub *h, struct hub_client *cl)
{
	size_t budget = TURN_BYTES_MAX;
	for (;;) {
		const char *line;
		size_t len;
		enum ag_line_status st;
		while ((st = ag_linebuf_next(&cl->in, &line, &len)) != AG_LINE_NONE) {
			if (st == AG_LINE_OVERSIZE)
				client_error(
				    h, cl, NULL,
				    "frame too large: %zu bytes (limit %zu); it was discarded", len,
				    h->opts->limits.max_frame);
			else
				hub_on_frame(h, cl, line, len);
		}
		if (budget == 0)
			return;
		ssize_t n = ag_linebuf_fill(&cl->in, cl->up_fd);
		if (n > 0) {
			budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
			continue;
		}
		if (n == 0)
			cl->dead = 1; /* every writer closed: the client is gone */
		else if (errno != EAGAIN && errno != EINTR)
			cl->dead = 1;
		return;
	}
}

/* --- clients ------------------------------------------------------------ */

static int
open_client_fifo(struct hub *h, const char *id, const char *suffix, int flags, int *fd,
                 struct ag_error *err)
{
	char name[AG_ID_MAX + 16];
	snprintf(name, sizeof name, "clients/%s.%s", id, suffix);
	char *path = ag_bus_path(h->dir, name);
	/* O_NOFOLLOW: a hello cannot point us through a symlink; the fd check
	 * then refuses anything that is not a private FIFO of ours. */
	*fd = open(path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;
		free(path);
		return ag_fail(err, "cannot open clients/%s.%s: %s", id, suffix,
		               e == ELOOP ? "it is a symlink" : strerror(e));
	}
	free(path);
	if (ag_bus_check_fifo_fd(*fd, name, err) != 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

static void
hub_on_hello(struct hub *h, const char *line, size_t len)
{
	struct ag_limits lim = h->opts->limits;
	lim.max_frame = HELLO_MAX;
	cJSON *frame = NULL;
	struct ag_error err;
	if (ag_frame_parse(line, len, &lim, &frame, &err) != 0) {
		hub_log(h, "bad hello: %s", err.msg);
		return;
	}
	const char *type = ag_frame_type(frame);
	const char *id = json_string(frame, "client");
	const char *role = json_string(frame, "role");
	const char *name = json_string(frame, "name");
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(frame, "pid");
	int r = role == NULL                      ? -1
	        : strcmp(role, "publisher") == 0  ? AG_ROLE_PUBLISHER
	        : strcmp(role, "subscriber") == 0 ? AG_ROLE_SUBSCRIBER
	        : strcmp(role, "control") == 0    ? AG_ROLE_CONTROL
	                                          : -1;
	if (strcmp(type, "hello") != 0 || !ag_id_valid(id)) {
		hub_log(h, "bad hello: expected type hello and a client id of [A-Za-z0-9._:-]");
		cJSON_Delete(frame);
		return;
	}
	struct hub_client *cl = xcalloc(1, sizeof *cl);
	snprintf(cl->id, sizeof cl->id, "%s", id);
	cl->up_fd = cl->down_fd = -1;
	if (open_client_fifo(h, id, "down", O_WRONLY, &cl->down_fd, &err) != 0 ||
	    open_client_fifo(h, id, "up", O_RDONLY, &cl->up_fd, &err) != 0) {
		char *safe = ag_sanitize_line(err.msg, strlen(err.msg));
		hub_log(h, "refused hello: %s", safe);
		free(safe);
		if (cl->down_fd >= 0) {
			cl->role = AG_ROLE_CONTROL;
			ag_outbuf_init(&cl->out);
			client_error(h, cl, NULL, "hello refused: %s", err.msg);
			ag_outbuf_flush(&cl->out, cl->down_fd);
			ag_outbuf_free(&cl->out);
			close(cl->down_fd);
		}
		free(cl);
		cJSON_Delete(frame);
		return;
	}
	ag_linebuf_init(&cl->in, h->opts->limits.max_frame);
	ag_outbuf_init(&cl->out);
	cl->role = r < 0 ? AG_ROLE_CONTROL : (enum ag_role)r;
	cl->pid = cJSON_IsNumber(pid) ? (long)pid->valuedouble : 0;
	if (name != NULL) {
		char *safe = ag_sanitize_line(name, strlen(name));
		snprintf(cl->name, sizeof cl->name, "%s", safe);
		free(safe);
	}
	cl->next = h->clients;
	h->clients = cl;
	h->nclients++;
	cJSON *w = frame_new("welcome");
	cJSON_AddStringToObject(w, "client", cl->id);
	cJSON_AddNumberToObject(w, "hub_pid", (double)getpid());
	client_send(cl, w);
	if (r < 0)
		client_error(h, cl, NULL,
		             "hello: role: expected publisher, subscriber or control; "
		             "treated as control");
	if (cl->role == AG_ROLE_SUBSCRIBER) {
		hub_send_snapshot(h, cl);
		broadcast_clients(h);
	}
	hub_trace(h, "client %s connected (%s, pid %ld)", cl->id, role ? role : "?", cl->pid);
	cJSON_Delete(frame);
}

static void
hub_read_inbox(struct hub *h)
{
	for (;;) {
		const char *line;
		size_t len;
		enum ag_line_status st;
		while ((st = ag_linebuf_next(&h->inbox, &line, &len)) != AG_LINE_NONE) {
			if (st == AG_LINE_OVERSIZE)
				hub_log(h, "dropped a %zu-byte hello (limit %d)", len, HELLO_MAX);
			else
				hub_on_hello(h, line, len);
		}
		ssize_t n = ag_linebuf_fill(&h->inbox, h->inbox_fd);
		if (n <= 0)
			return;
	}
}

static void
client_free(struct hub_client *cl)
{
	if (cl->up_fd >= 0)
		close(cl->up_fd);
	if (cl->down_fd >= 0)
		close(cl->down_fd);
	ag_linebuf_free(&cl->in);
	ag_outbuf_free(&cl->out);
	free(cl);
}

/* Drops dead clients. A publisher's pending requests are abandoned: nobody
 * is left to receive their decision. */
static void
hub_reap_clients(struct hub *h)
{
	struct hub_client **pp = &h->clients;
	int subscriber_left = 0;
	while (*pp != NULL) {
		struct hub_client *cl = *pp;
		if (!cl->dead) {
			pp = &cl->next;
			continue;
		}
		struct ag_pending *p = h->pending.head;
		while (p != NULL) {
			struct ag_pending *next = p->next;
			if (p->publisher == cl)
				hub_abandon(h, p, "the publisher went away");
			p = next;
		}
		hub_trace(h, "client %s disconnected", cl->id);
		subscriber_left |= cl->role == AG_ROLE_SUBSCRIBER;
		*pp = cl->next;
		h->nclients--;
		client_free(cl);
	}
	if (subscriber_left)
		broadcast_clients(h);
}

/* --- time --------------------------------------------------------------- */

static void
hub_expire(struct hub *h)
{
	int64_t now = ag_clock_wall_ms();
	if (now < h->next_expiry_ms)
		return;
	int64_t next = now + 1000;
	int64_t orphan_cutoff = h->start_wall + h->opts->orphan_grace_ms;
	struct ag_pending *p = h->pending.head;
	while (p != NULL) {
		struct ag_pending *next_p = p->next;
		struct ag_error err;
		if (p->deadline_ms <= now) {
			char reason[128];
			int64_t t = p->deadline_ms - p->created_ms;
			snprintf(reason, sizeof reason, "no decision within %lld s; failed closed",
			         (long long)(t / 1000));
			if (hub_decide(h, p, h->opts->timeout_decision, AG_BY_TIMEOUT, reason,
			               &err) != 0)
				hub_log(h, "cannot journal timeout of %s: %s", p->req->id, err.msg);
		} else if (p->publisher == NULL && now >= orphan_cutoff) {
			hub_abandon(h, p,
			            "its publisher did not come back after the hub restarted");
		} else if (p->deadline_ms < next) {
			next = p->deadline_ms;
		}
		p = next_p;
	}
	if (h->pending.head != NULL && h->pending.head->publisher == NULL && orphan_cutoff < next)
		next = orphan_cutoff > now ? orphan_cutoff : now + 100;
	h->next_expiry_ms = next;
}

static int
hub_poll_timeout(const struct hub *h)
{
	int64_t wait = h->next_expiry_ms - ag_clock_wall_ms();
	if (wait < 0)
		return 0;
	return wait > 1000 ? 1000 : (int)wait;
}

/* --- startup ------------------------------------------------------------ */

static int
reload_pending(void *ctx, struct ag_request *req, const struct ag_risk *risk, int64_t created_ms,
               int64_t deadline_ms)
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

static int
hub_take_lock(struct hub *h, int *already_running, struct ag_error *err)
{
	char *path = ag_bus_path(h->dir, "hub.lock");
	h->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (h->lock_fd < 0) {
		int e = errno;
		ag_fail(err, "cannot open %s: %s", path, strerror(e));
		free(path);
		return -1;
	}
	free(path);
	if (flock(h->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (already_running)
			*already_running = 1;
		return ag_fail(err, "another hub already owns the bus %s", h->dir);
	}
	return 0;
}

static void
hub_write_pid(struct hub *h)
{
	char *path = ag_bus_path(h->dir, "hub.pid");
	char *tmp = ag_bus_path(h->dir, "hub.pid.tmp");
	FILE *f = fopen(tmp, "w");
	if (f != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		if (fclose(f) == 0)
			rename(tmp, path);
	}
	free(path);
	free(tmp);
}

static int
hub_open_inbox(struct hub *h, struct ag_error *err)
{
	char *path = ag_bus_path(h->dir, "hub.fifo");
	int rc = ag_bus_make_fifo(path, err);
	if (rc == 0) {
		/* O_RDWR: we are a writer too, so the inbox never reports end of
		 * file between clients. */
		h->inbox_fd = open(path, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (h->inbox_fd < 0)
			rc = ag_fail(err, "cannot open %s: %s", path, strerror(errno));
	}
	free(path);
	ag_linebuf_init(&h->inbox, HELLO_MAX);
	return rc;
}

static int
hub_start(struct hub *h, int *already_running, struct ag_error *err)
{
	const struct ag_hub_opts *o = h->opts;
	h->lock_fd = h->inbox_fd = -1;
	ag_pending_init(&h->pending);
	h->dir = o->bus_dir ? xstrdup(o->bus_dir) : ag_bus_dir_default();
	h->journal_path = ag_journal_default_path(o->journal_path);
	h->start_wall = ag_clock_wall_ms();
	h->start_mono = ag_clock_mono_ms();
	if (ag_bus_dir_prepare(h->dir, err) != 0 || hub_take_lock(h, already_running, err) != 0)
		return -1;
	if (ag_journal_open(h->journal_path, 0, &h->journal, err) != 0)
		return ag_fail_prefix(err, "journal %s", h->journal_path);
	if (o->synchronous_full && ag_journal_set_synchronous(h->journal, 1, err) != 0)
		return -1;
	if (ag_journal_load_pending(h->journal, &o->limits, reload_pending, h, err) != 0)
		return ag_fail_prefix(err, "reloading pending requests");
	if (hub_open_inbox(h, err) != 0)
		return -1;
	hub_write_pid(h);
	hub_log(h, "pid %ld owns %s; journal %s; %zu pending reloaded", (long)getpid(), h->dir,
	        h->journal_path, h->pending.count);
	return 0;
}

static void
hub_shutdown(struct hub *h)
{
	if (h->inbox_fd >= 0) {
		/* Unlink while still holding the lock, so a new hub cannot have
		 * made its own inbox that we would delete. */
		char *path = ag_bus_path(h->dir, "hub.fifo");
		unlink(path);
		free(path);
		path = ag_bus_path(h->dir, "hub.pid");
		unlink(path);
		free(path);
		close(h->inbox_fd);
	}
	while (h->clients) {
		struct hub_client *cl = h->clients;
		h->clients = cl->next;
		client_free(cl);
	}
	ag_pending_free(&h->pending);
	ag_linebuf_free(&h->inbox);
	ag_journal_close(&h->journal);
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	free(h->dir);
	free(h->journal_path);
}

/* --- the loop ----------------------------------------------------------- */

/* Flushes each client's queued frames. Called only after the turn's
 * journal transaction committed. */
static void
hub_flush_clients(struct hub *h)
{
	for (struct hub_client *cl = h->clients; cl != NULL; cl = cl->next) {
		if (cl->dead || ag_outbuf_size(&cl->out) == 0)
			continue;
		if (ag_outbuf_flush(&cl->out, cl->down_fd) < 0)
			cl->dead = 1;
		else if (ag_outbuf_size(&cl->out) > CLIENT_OUT_MAX) {
			hub_log(h, "client %s is %zu bytes behind; dropping it", cl->id,
			        ag_outbuf_size(&cl->out));
			cl->dead = 1;
		}
	}
}

/* One turn: poll, then read and handle everything that arrived inside one
 * journal transaction, then commit, then write. pfds/owners hold at least
 * 2 * nclients + 1 entries. */
static int
hub_turn(struct hub *h, struct pollfd *pfds, struct hub_client **owners, struct ag_error *err)
{
	size_t n = 0;
	pfds[n++] = (struct pollfd){h->inbox_fd, POLLIN, 0};
	for (struct hub_client *cl = h->clients; cl != NULL; cl = cl->next) {
		owners[n] = cl;
		pfds[n++] = (struct pollfd){cl->up_fd, POLLIN, 0};
		if (ag_outbuf_size(&cl->out) > 0) {
			owners[n] = cl;
			pfds[n++] = (struct pollfd){cl->down_fd, POLLOUT, 0};
		}
	}
	int rc = poll(pfds, n, hub_poll_timeout(h));
	if (rc < 0 && errno != EINTR)
		return ag_fail(err, "poll: %s", strerror(errno));
	if (ag_journal_begin(h->journal, err) != 0)
		return -1;
	if (rc > 0) {
		if (pfds[0].revents & POLLIN)
			hub_read_inbox(h);
		for (size_t i = 1; i < n; i++) {
			struct hub_client *cl = owners[i];
			if (pfds[i].fd == cl->up_fd &&
			    (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				hub_read_client(h, cl);
			if (pfds[i].fd == cl->down_fd && (pfds[i].revents & (POLLERR | POLLHUP)))
				cl->dead = 1;
		}
	}
	hub_reap_clients(h);
	hub_expire(h);
	if (ag_journal_commit(h->journal, err) != 0)
		return -1; /* nothing of this turn was sent: exit, and let clients reconnect */
	hub_flush_clients(h);
	return 0;
}

int
ag_hub_run(const struct ag_hub_opts *opts, int *already_running, struct ag_error *err)
{
	struct hub h;
	memset(&h, 0, sizeof h);
	h.opts = opts;
	if (already_running)
		*already_running = 0;
	hub_stop = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = hub_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	int rc = hub_start(&h, already_running, err);
	size_t cap = 64;
	struct pollfd *pfds = xcalloc(cap, sizeof *pfds);
	struct hub_client **owners = xcalloc(cap, sizeof *owners);
	while (rc == 0 && !hub_stop) {
		if (cap < h.nclients * 2 + 2) {
			cap = h.nclients * 4 + 4;
			pfds = xreallocarray(pfds, cap, sizeof *pfds);
			owners = xreallocarray(owners, cap, sizeof *owners);
		}
		rc = hub_turn(&h, pfds, owners, err);
	}
	if (rc == 0)
		hub_log(&h, "stopping; %zu requests stay pending in the journal", h.pending.count);
	free(pfds);
	free(owners);
	hub_shutdown(&h);
	return rc;
}
