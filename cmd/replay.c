/* agate replay: history against today's judgement.
 *
 * Each recorded request is rebuilt from the journal, validated again, and
 * judged as the hub would judge it now: the rules (installed layers, or a
 * candidate file) and the risk engine, and with --review the Guardian as
 * headless auto mode would route it. The recorded decision is compared with
 * today's and every difference is a flip:
 *
 *   tightened  recorded approve/approve_session, today deny; or a decision a
 *              rule (or, with --review, the Guardian) made alone that today
 *              would wait for a human;
 *   loosened   recorded deny/abort/defer, today approve; or an automatic
 *              denial that today would wait for a human.
 *
 * A decision a human made (or a timeout, or a session grant) against
 * today's "ask a human" is unchanged: a person would be asked again.
 *
 * --feed publishes a recorded session onto a live bus instead, at its
 * original pacing (or --speed N times faster), as one publisher. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/audit.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/assessment.h"
#include "core/clock.h"
#include "core/journal.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "ipc/client.h"
#include "reviewer/engine.h"
#include "reviewer/guardian.h"
#include "reviewer/guardian_config.h"
#include "reviewer/guardian_route.h"
#include "reviewer/judge.h"
#include "tui/replay.h"
#include "tui/replay_view.h"

static void
replay_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: agate replay [FILTERS] [--rules FILE] [--review] [--fail-on WHAT] [--json]\n"
	    "       agate replay --feed [FILTERS] [--speed N] [--max-gap T] [--as-session S]\n"
	    "       agate replay --console [--session ID] [--speed N] [--journal FILE]\n\n"
	    "Judge recorded requests again under today's rules and risk engine and\n"
	    "report every decision that would now differ (a flip), grouped.\n\n"
	    "  --rules FILE        a candidate rules file instead of the installed layers\n"
	    "  --system FILE, --user FILE, --project FILE\n"
	    "                      set one layer ('' for none); the others stay installed\n"
	    "  --no-rules          the risk engine alone\n"
	    "  --ceiling LEVEL     allow rules decide at or below LEVEL (default: config)\n"
	    "  --review            ask the Guardian too, as headless auto mode would\n"
	    "  --fail-on WHAT      exit 1 when a flip is: tightened (recorded approval,\n"
	    "                      now denied or held for a human), loosened (recorded\n"
	    "                      refusal, now approved or no longer denied), or any\n"
	    "  --json              one JSON line per flip, then a summary line\n"
	    "  --unchanged         also list requests that did not flip (--json)\n"
	    "  --journal FILE      another journal (default: the configured "
	    "one)\n" AG_AUDIT_FILTER_HELP
	    "\nWith --feed, publish the matching requests onto the bus (as `agate ask`\n"
	    "would, new ids, session renamed) at their recorded pacing, and wait for\n"
	    "their decisions:\n"
	    "  --speed N           N times faster (0: as fast as possible); default 1\n"
	    "  --max-gap T         wait at most T between two requests (e.g. 5s)\n"
	    "  --as-session S      session name to publish under (default replay-SESSION)\n"
	    "  --timeout T         timeout for each request (default: as recorded)\n"
	    "  --no-wait           do not wait for the decisions\n"
	    "  --bus DIR           the bus (default: the configured one)\n"
	    "\nWith --console, step through one recorded session in the console as it\n"
	    "happened: its requests, Guardian reviews and decisions (who decided, why,\n"
	    "how long after the request) on the recorded clock. Read-only: no bus.\n"
	    "  --session ID        the session (default: the most recent one named in\n"
	    "                      the journal)\n"
	    "  --speed N           playing speed, 0.5 to 64 (default 1)\n"
	    "Keys: space play/pause, . or Right steps, , or Left steps back, + - speed,\n"
	    "g G first/last event, H decided so far, ? all keys, q quits.\n\n"
	    "Exit status: 0 done (no flip of the --fail-on kind), 1 such a flip exists,\n"
	    "2 error.\n");
}

/* ---- what today's judgement says --------------------------------------------- */

enum verdict { V_APPROVE, V_DENY, V_ASK };
static const char *const verdict_names[] = {"approve", "deny", "ask"};

enum group { G_TIGHT_DENY, G_LOOSE_APPROVE, G_TIGHT_ASK, G_LOOSE_ASK, G_UNCHANGED, G_COUNT };
static const struct {
	const char *key;   /* JSON */
	const char *title; /* report */
	int tightened;
} groups[G_COUNT] = {
    {"approve->deny", "approve -> deny (tightened)", 1},
    {"deny->approve", "deny -> approve (loosened)", 0},
    {"approve->ask", "approve -> ask (tightened: now held for a human)", 1},
    {"deny->ask", "deny -> ask (loosened: nothing denies it alone now)", 0},
    {"unchanged", "unchanged", 0},
};

/* One request being judged; kept only while the Guardian is asked, or when
 * it flipped (for the report). */
struct item {
	char *id, *session, *kind, *summary;
	int64_t created_ms;
	char *rec_decision, *rec_by, *rec_rule;
	int rec_score;
	struct ag_request *req; /* only while a review is in flight */
	struct ag_assessment a; /* today's */
	enum verdict today;
	const char *today_by; /* policy, guardian, or "" (a human would decide) */
	char *review_why;     /* the Guardian's reason, with --review */
	enum group group;
};

static void
item_free(struct item **ip)
{
	struct item *it = *ip;
	if (it == NULL)
		return;
	free(it->id);
	free(it->session);
	free(it->kind);
	free(it->summary);
	free(it->rec_decision);
	free(it->rec_by);
	free(it->rec_rule);
	ag_request_free(&it->req);
	ag_assessment_clear(&it->a);
	free(it->review_why);
	free(it);
	*ip = NULL;
}

struct item_list {
	struct item **v;
	size_t n, cap;
};

static void
list_push(struct item_list *l, struct item *it)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = it;
}

static void
list_free(struct item_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		item_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

struct replay {
	struct ag_judge_ctx *judge;   /* NULL: --no-rules */
	struct ag_guardian *guardian; /* --review */
	struct ag_route_opts route;
	struct ag_limits limits;
	int json, unchanged;
	struct item_list flips[G_COUNT];
	int64_t counts[G_COUNT];
	int64_t skipped, unreadable, reviewed, review_failed;
	struct item_list inflight; /* waiting for the Guardian */
	int failed;
	struct ag_error err;
};

/* ---- classification ------------------------------------------------------------ */

static int
is_approval(const char *decision)
{
	int d = ag_decision_parse(decision);
	return d >= 0 && ag_decision_is_approval((enum ag_decision)d);
}

/* A decision nobody was asked about: made by a rule, or with --review by
 * the Guardian. Only those can flip to "ask". */
static int
was_automatic(const struct replay *rp, const char *by)
{
	return strcmp(by, "policy") == 0 || (rp->guardian != NULL && strcmp(by, "guardian") == 0);
}

static enum group
classify(const struct replay *rp, const struct item *it)
{
	int approved = is_approval(it->rec_decision);
	switch (it->today) {
	case V_APPROVE: return approved ? G_UNCHANGED : G_LOOSE_APPROVE;
	case V_DENY: return approved ? G_TIGHT_DENY : G_UNCHANGED;
	case V_ASK:
	default:
		if (!was_automatic(rp, it->rec_by))
			return G_UNCHANGED;
		return approved ? G_TIGHT_ASK : G_LOOSE_ASK;
	}
}

/* ---- output ----------------------------------------------------------------------- */

static void
print_safe(const char *label, const char *text)
{
	char *safe = ag_sanitize_line(text, strlen(text));
	printf("%s%s\n", label, safe);
	free(safe);
}

static void
print_time(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];
	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	fputs(buf, stdout);
}

static void
print_flip_text(const struct item *it)
{
	fputs("  ", stdout);
	print_time(it->created_ms);
	char *id = ag_sanitize_line(it->id, strlen(it->id));
	char *session = ag_sanitize_line(it->session, strlen(it->session));
	printf("  %s  %s  %s\n", id, session, it->kind);
	free(id);
	free(session);
	print_safe("      what:     ", it->summary);
	printf("      recorded: %s by %s, score %d\n", it->rec_decision, it->rec_by, it->rec_score);
	if (it->rec_rule != NULL && *it->rec_rule)
		print_safe("                rule ", it->rec_rule);
	printf("      today:    %s%s%s, score %d (%s)\n", verdict_names[it->today],
	       *it->today_by ? " by " : " (a human would decide)", it->today_by, it->a.risk.score,
	       ag_level_name(it->a.risk.level));
	if (it->a.rule != NULL)
		print_safe("                rule ", it->a.rule);
	if (it->review_why != NULL)
		print_safe("                guardian: ", it->review_why);
	for (size_t i = 0; i < it->a.risk.nreasons; i++)
		print_safe("                - ", it->a.risk.reasons[i].text);
}

static cJSON *
flip_json(const struct item *it)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", it->id);
	cJSON_AddStringToObject(o, "group", groups[it->group].key);
	cJSON_AddStringToObject(o, "session", it->session);
	cJSON_AddStringToObject(o, "kind", it->kind);
	cJSON_AddStringToObject(o, "summary", it->summary);
	cJSON_AddNumberToObject(o, "created_ms", (double)it->created_ms);
	cJSON *rec = cJSON_AddObjectToObject(o, "recorded");
	cJSON_AddStringToObject(rec, "decision", it->rec_decision);
	cJSON_AddStringToObject(rec, "by", it->rec_by);
	if (it->rec_rule != NULL)
		cJSON_AddStringToObject(rec, "rule", it->rec_rule);
	else
		cJSON_AddNullToObject(rec, "rule");
	cJSON_AddNumberToObject(rec, "score", it->rec_score);
	cJSON *now = cJSON_AddObjectToObject(o, "today");
	cJSON_AddStringToObject(now, "decision", verdict_names[it->today]);
	if (*it->today_by)
		cJSON_AddStringToObject(now, "by", it->today_by);
	else
		cJSON_AddNullToObject(now, "by");
	if (it->a.rule != NULL)
		cJSON_AddStringToObject(now, "rule", it->a.rule);
	else
		cJSON_AddNullToObject(now, "rule");
	cJSON_AddItemToObject(now, "risk", ag_risk_to_json(&it->a.risk));
	if (it->review_why != NULL)
		cJSON_AddStringToObject(now, "review", it->review_why);
	return o;
}

/* Files a judged item: counted, and kept when it flipped. Takes it. */
static void
settle(struct replay *rp, struct item *it)
{
	ag_request_free(&it->req);
	it->group = classify(rp, it);
	rp->counts[it->group]++;
	if (it->group != G_UNCHANGED) {
		list_push(&rp->flips[it->group], it);
		return;
	}
	if (rp->json && rp->unchanged) {
		cJSON *o = flip_json(it);
		ag_cmd_print_json(stdout, o);
		cJSON_Delete(o);
	}
	item_free(&it);
}

/* ---- the Guardian --------------------------------------------------------------------- */

static void
apply_review(struct replay *rp, struct item *it, const struct ag_review_result *r)
{
	struct ag_route_facts f = {
	    .local_level = it->a.risk.level,
	    .needs_human = ag_assessment_needs_human(&it->a),
	};
	rp->reviewed++;
	if (r->judgement == AG_JUDGE_FAILED)
		rp->review_failed++;
	if (r->have_verdict && r->verdict.rationale != NULL && *r->verdict.rationale)
		it->review_why = xasprintf("%s: %s; rationale: %s", ag_judgement_name(r->judgement),
		                           r->why, r->verdict.rationale);
	else
		it->review_why = xasprintf("%s: %s", ag_judgement_name(r->judgement), r->why);
	switch (ag_route_result(&rp->route, &f, r)) {
	case AG_ACT_APPROVE:
		it->today = V_APPROVE;
		it->today_by = "guardian";
		break;
	case AG_ACT_DENY:
		it->today = V_DENY;
		it->today_by = "guardian";
		break;
	default: it->today = V_ASK; it->today_by = "";
	}
}

/* Collects finished reviews; waits when `wait` and some are in flight. */
static void
drain_reviews(struct replay *rp, int wait)
{
	for (;;) {
		struct ag_review_result r;
		memset(&r, 0, sizeof r);
		while (ag_guardian_next_result(rp->guardian, &r) == 1) {
			struct item *it = r.tag;
			for (size_t i = 0; i < rp->inflight.n; i++) {
				if (rp->inflight.v[i] != it)
					continue;
				rp->inflight.v[i] = rp->inflight.v[--rp->inflight.n];
				break;
			}
			apply_review(rp, it, &r);
			ag_review_result_clear(&r);
			settle(rp, it);
			memset(&r, 0, sizeof r);
		}
		if (!wait || rp->inflight.n == 0)
			return;
		ag_guardian_poll(rp->guardian, NULL, 0, 1000);
		/* Keep a bounded window: the guardian's own queue is bounded too. */
		if (wait == 2 && rp->inflight.n < 64)
			return;
	}
}

/* Routes an item that no rule decided through the Guardian; it is settled
 * later, when the answer comes. Returns 1 when it was queued. */
static int
route_review(struct replay *rp, struct item *it)
{
	struct ag_route_facts f = {
	    .local_level = it->a.risk.level,
	    .needs_human = ag_assessment_needs_human(&it->a),
	};
	switch (ag_route_plan(&rp->route, &f)) {
	case AG_PLAN_APPROVE_LOCAL:
		it->today = V_APPROVE;
		it->today_by = "guardian";
		it->review_why = xstrdup("low risk: settled by the engine, no model call");
		return 0;
	case AG_PLAN_REVIEW: break;
	default: it->review_why = xstrdup("escalated to a human without a model call"); return 0;
	}
	struct ag_review_job job = {
	    .req = it->req,
	    .risk = &it->a.risk,
	    .rule = it->a.rule,
	    .needs_human = f.needs_human,
	    .rule_denied = it->a.rule_denied,
	    .tag = it,
	};
	struct ag_error err;
	if (ag_guardian_submit(rp->guardian, &job, &err) != 0) {
		rp->review_failed++;
		it->review_why = xasprintf("failed: %s", err.msg);
		return 0;
	}
	list_push(&rp->inflight, it);
	if (rp->inflight.n >= 128)
		drain_reviews(rp, 2);
	return 1;
}

static int
guardian_open(const struct ag_cmd_env *env, struct ag_guardian **out, struct ag_error *err)
{
	struct ag_guardian_config gc;
	ag_guardian_config_default(&gc);
	int provider = ag_provider_lookup(ag_config_str(env->cfg, "guardian_provider"));
	if (provider < 0)
		return ag_fail(err, "guardian_provider: unknown provider");
	gc.api.provider = (enum ag_provider)provider;
	gc.api.base_url = ag_config_str(env->cfg, "guardian_base_url");
	gc.api.model = ag_config_str(env->cfg, "guardian_model");
	gc.api.schema = 1;
	gc.timeout_ms = ag_config_ms(env->cfg, "guardian_timeout");
	char *key = NULL, *source = NULL, why[256] = "";
	if (ag_guardian_key_load(ag_config_str(env->cfg, "guardian_api_key_env"),
	                         ag_config_str(env->cfg, "guardian_api_key_file"), gc.api.provider,
	                         &key, why, sizeof why, err) < 0)
		return -1;
	gc.api.api_key = key;
	char *policy = ag_guardian_policy_load(NULL, &source, err);
	if (policy == NULL) {
		ag_guardian_key_free(&key);
		return -1;
	}
	gc.policy = policy;
	int rc = ag_guardian_new(&gc, out, err);
	ag_guardian_key_free(&key);
	free(policy);
	free(source);
	return rc;
}

/* ---- judging one row -------------------------------------------------------------------- */

static int
replay_row(void *ctx, const struct ag_journal_row *row)
{
	struct replay *rp = ctx;
	if (row->decision == NULL) {
		rp->skipped++; /* pending or abandoned: nothing was decided */
		return 0;
	}
	struct ag_request *req = NULL;
	struct ag_error err;
	if (ag_journal_row_request(row, &rp->limits, &req, &err) != 0) {
		/* Recorded under other limits, or by another version: say so, go on. */
		if (rp->unreadable++ < 5)
			fprintf(stderr, "agate replay: %s (skipped)\n", err.msg);
		return 0;
	}
	struct item *it = xcalloc(1, sizeof *it);
	ag_assessment_init(&it->a);
	if (rp->judge != NULL)
		ag_judge_assess(rp->judge, req, &it->a);
	else
		ag_engine_score(req, &it->a.risk);
	it->today = V_ASK;
	it->today_by = "";
	if (it->a.decided) {
		it->today = ag_decision_is_approval(it->a.decision) ? V_APPROVE : V_DENY;
		it->today_by = "policy";
	}
	it->id = xstrdup(row->id);
	it->session = xstrdup(row->session ? row->session : "");
	it->kind = xstrdup(row->kind ? row->kind : "");
	it->summary = xstrdup(row->summary ? row->summary : "");
	it->created_ms = row->created_ms;
	it->rec_decision = xstrdup(row->decision);
	it->rec_by = xstrdup(row->by ? row->by : "");
	it->rec_rule = row->rule ? xstrdup(row->rule) : NULL;
	it->rec_score = row->score;
	it->req = req;
	if (!it->a.decided && rp->guardian != NULL && route_review(rp, it))
		return 0;
	settle(rp, it);
	return 0;
}

static void
report_text(const struct replay *rp, const char *journal, const char *rules)
{
	int64_t total = 0;
	for (int g = 0; g < G_COUNT; g++)
		total += rp->counts[g];
	printf("replayed %lld decided requests from %s\n", (long long)total, journal);
	printf("rules: %s; risk engine: this agate%s\n", rules,
	       rp->guardian ? "; Guardian: asked (headless auto)" : "");
	for (int g = 0; g < G_COUNT; g++)
		printf("  %-52s %lld\n", groups[g].title, (long long)rp->counts[g]);
	if (rp->skipped)
		printf("  %-52s %lld\n", "not replayed (pending or abandoned)",
		       (long long)rp->skipped);
	if (rp->unreadable)
		printf("  %-52s %lld\n", "unreadable (see above)", (long long)rp->unreadable);
	if (rp->guardian)
		printf("  %-52s %lld (%lld failed)\n", "Guardian reviews", (long long)rp->reviewed,
		       (long long)rp->review_failed);
	for (int g = 0; g < G_UNCHANGED; g++) {
		if (rp->flips[g].n == 0)
			continue;
		printf("\n%s: %zu\n", groups[g].title, rp->flips[g].n);
		for (size_t i = 0; i < rp->flips[g].n; i++)
			print_flip_text(rp->flips[g].v[i]);
	}
}

static void
report_json(const struct replay *rp)
{
	for (int g = 0; g < G_UNCHANGED; g++)
		for (size_t i = 0; i < rp->flips[g].n; i++) {
			cJSON *o = flip_json(rp->flips[g].v[i]);
			ag_cmd_print_json(stdout, o);
			cJSON_Delete(o);
		}
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "type", "summary");
	int64_t tight = 0, loose = 0;
	for (int g = 0; g < G_COUNT; g++) {
		cJSON_AddNumberToObject(s, groups[g].key, (double)rp->counts[g]);
		if (g != G_UNCHANGED && groups[g].tightened)
			tight += rp->counts[g];
		else if (g != G_UNCHANGED)
			loose += rp->counts[g];
	}
	cJSON_AddNumberToObject(s, "tightened", (double)tight);
	cJSON_AddNumberToObject(s, "loosened", (double)loose);
	cJSON_AddNumberToObject(s, "skipped", (double)rp->skipped);
	cJSON_AddNumberToObject(s, "unreadable", (double)rp->unreadable);
	if (rp->guardian) {
		cJSON_AddNumberToObject(s, "reviewed", (double)rp->reviewed);
		cJSON_AddNumberToObject(s, "review_failed", (double)rp->review_failed);
	}
	ag_cmd_print_json(stdout, s);
	cJSON_Delete(s);
}

/* ---- --feed ---------------------------------------------------------------------------------- */

struct fed {
	char id[AG_ID_MAX + 1];       /* the new id */
	char *orig_id, *rec_decision; /* rec_decision NULL when none was recorded */
	int64_t offset_ms;            /* since the first request, as recorded */
	char *frame;                  /* the request frame to send (new id, session) */
	int acked, decided, agreed;
	int64_t sent_mono, ack_mono;
};

struct feeder {
	struct fed *v;
	size_t n, cap;
	int64_t first_ms;
	const char *as_session;
	int64_t timeout_ms; /* 0: as recorded */
	int failed;
	struct ag_error err;
};

static int
feed_row(void *ctx, const struct ag_journal_row *row)
{
	struct feeder *fd = ctx;
	if (fd->n == fd->cap) {
		fd->cap = fd->cap ? fd->cap * 2 : 64;
		fd->v = xreallocarray(fd->v, fd->cap, sizeof *fd->v);
	}
	if (fd->n == 0)
		fd->first_ms = row->created_ms;
	cJSON *action = row->action_json ? cJSON_Parse(row->action_json) : NULL;
	if (action == NULL) {
		fd->failed = 1;
		ag_fail(&fd->err, "request %s: its stored action is not JSON", row->id);
		return 1;
	}
	struct fed *f = &fd->v[fd->n++];
	memset(f, 0, sizeof *f);
	ag_id_generate(f->id, sizeof f->id, "feed");
	f->orig_id = xstrdup(row->id);
	f->rec_decision = row->decision ? xstrdup(row->decision) : NULL;
	f->offset_ms = row->created_ms - fd->first_ms;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", 1);
	cJSON_AddStringToObject(o, "type", "request");
	cJSON_AddStringToObject(o, "id", f->id);
	char *session =
	    fd->as_session
	        ? xstrdup(fd->as_session)
	        : xasprintf("replay-%s", row->session && *row->session ? row->session : "none");
	cJSON_AddStringToObject(o, "session", session);
	free(session);
	if (row->agent && *row->agent)
		cJSON_AddStringToObject(o, "agent", row->agent);
	if (row->cwd && *row->cwd)
		cJSON_AddStringToObject(o, "cwd", row->cwd);
	if (row->justification && *row->justification)
		cJSON_AddStringToObject(o, "justification", row->justification);
	int64_t timeout = fd->timeout_ms > 0 ? fd->timeout_ms : row->timeout_ms;
	if (timeout > 0)
		cJSON_AddNumberToObject(o, "timeout_ms", (double)timeout);
	cJSON_AddItemToObject(o, "action", action);
	/* The hook rides along: a recorded guard check is fed as a guard check
	 * (decided by the rules at once), not as a question for a human. The
	 * journal validated it on the way in; the hub validates it again. */
	cJSON *hook = row->hook_json ? cJSON_Parse(row->hook_json) : NULL;
	if (hook)
		cJSON_AddItemToObject(o, "hook", hook);
	f->frame = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return 0;
}

static void
feeder_free(struct feeder *fd)
{
	for (size_t i = 0; i < fd->n; i++) {
		free(fd->v[i].orig_id);
		free(fd->v[i].rec_decision);
		cJSON_free(fd->v[i].frame);
	}
	free(fd->v);
	memset(fd, 0, sizeof *fd);
}

static struct fed *
feed_find(struct feeder *fd, const char *id)
{
	/* Ids are ours and answers come roughly in order: a linear scan from
	 * the back is short in practice. */
	for (size_t i = fd->n; i-- > 0;)
		if (strcmp(fd->v[i].id, id) == 0)
			return &fd->v[i];
	return NULL;
}

static const char *
fstr(const cJSON *f, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

struct feed_stats {
	size_t sent, acked, decided, agreed, compared, refused;
	int64_t *ack_ms; /* per acked request, for percentiles */
};

/* Handles one frame from the hub. */
static void
feed_frame(struct feeder *fd, struct feed_stats *st, const cJSON *f, int quiet)
{
	const char *type = ag_frame_type(f);
	const char *id = fstr(f, strcmp(type, "error") == 0 ? "ref" : "id");
	struct fed *x = id ? feed_find(fd, id) : NULL;
	if (x == NULL) {
		if (strcmp(type, "error") == 0)
			fprintf(stderr, "agate replay: the hub says: %s\n",
			        fstr(f, "error") ? fstr(f, "error") : "?");
		return;
	}
	if (strcmp(type, "ack") == 0 && !x->acked) {
		x->acked = 1;
		x->ack_mono = ag_clock_mono_ms();
		st->ack_ms[st->acked++] = x->ack_mono - x->sent_mono;
	} else if (strcmp(type, "decision") == 0 && !x->decided) {
		x->decided = 1;
		st->decided++;
		const char *d = fstr(f, "decision"), *by = fstr(f, "by");
		if (x->rec_decision != NULL && d != NULL) {
			st->compared++;
			x->agreed = is_approval(d) == is_approval(x->rec_decision);
			st->agreed += (size_t)x->agreed;
		}
		if (!quiet)
			printf("%s  %-15s by %-8s recorded %-15s  (%s)%s\n", x->id, d ? d : "?",
			       by ? by : "?", x->rec_decision ? x->rec_decision : "-", x->orig_id,
			       x->rec_decision && !x->agreed ? "  differs" : "");
	} else if (strcmp(type, "error") == 0 && !x->decided) {
		x->decided = 1;
		st->refused++;
		fprintf(stderr, "agate replay: %s refused: %s\n", x->id,
		        fstr(f, "error") ? fstr(f, "error") : "?");
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int
feed_run(const struct ag_cmd_env *env, struct feeder *fd, double speed, int64_t max_gap_ms,
         int wait, int json)
{
	struct ag_client *c = ag_cmd_connect(env, "replay", AG_ROLE_PUBLISHER, "replay-feed", 1);
	if (c == NULL)
		return 2;
	struct feed_stats st;
	memset(&st, 0, sizeof st);
	st.ack_ms = xcalloc(fd->n + 1, sizeof *st.ack_ms);
	int64_t start = ag_clock_mono_ms(), shift = 0, prev_offset = 0;
	int rc = 0;
	struct ag_error err;
	for (size_t i = 0; i <= fd->n && rc == 0; i++) {
		/* When the next request is due, on the replay's clock. */
		int64_t due = start;
		if (i < fd->n) {
			int64_t gap = fd->v[i].offset_ms - prev_offset;
			if (max_gap_ms > 0 && gap > max_gap_ms)
				shift += gap - max_gap_ms;
			prev_offset = fd->v[i].offset_ms;
			due = speed > 0
			          ? start + (int64_t)((double)(fd->v[i].offset_ms - shift) / speed)
			          : ag_clock_mono_ms();
		}
		for (;;) {
			int64_t left = i < fd->n ? due - ag_clock_mono_ms() : 0;
			if (i == fd->n && (!wait || st.decided + st.refused >= st.sent))
				break;
			cJSON *f = NULL;
			int r = ag_client_recv(c, i < fd->n ? (left > 0 ? (int)left : 0) : 1000, &f,
			                       &err);
			if (r < 0) {
				fprintf(stderr, "agate replay: %s\n", err.msg);
				rc = 2;
				break;
			}
			if (r == 1) {
				feed_frame(fd, &st, f, json);
				cJSON_Delete(f);
				continue;
			}
			if (i < fd->n && ag_clock_mono_ms() >= due)
				break;
		}
		if (rc != 0 || i == fd->n)
			break;
		cJSON *frame = cJSON_Parse(fd->v[i].frame);
		fd->v[i].sent_mono = ag_clock_mono_ms();
		if (ag_client_send(c, frame, &err) != 0) {
			fprintf(stderr, "agate replay: %s\n", err.msg);
			rc = 2;
		}
		cJSON_Delete(frame);
		st.sent++;
	}
	double secs = (double)(ag_clock_mono_ms() - start) / 1000.0;
	qsort(st.ack_ms, st.acked, sizeof *st.ack_ms, cmp_i64);
	int64_t p50 = st.acked ? st.ack_ms[st.acked / 2] : 0;
	int64_t p99 = st.acked ? st.ack_ms[(st.acked * 99) / 100] : 0;
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "feed");
		cJSON_AddNumberToObject(o, "sent", (double)st.sent);
		cJSON_AddNumberToObject(o, "acked", (double)st.acked);
		cJSON_AddNumberToObject(o, "decided", (double)st.decided);
		cJSON_AddNumberToObject(o, "refused", (double)st.refused);
		cJSON_AddNumberToObject(o, "agreed", (double)st.agreed);
		cJSON_AddNumberToObject(o, "compared", (double)st.compared);
		cJSON_AddNumberToObject(o, "seconds", secs);
		cJSON_AddNumberToObject(o, "ack_p50_ms", (double)p50);
		cJSON_AddNumberToObject(o, "ack_p99_ms", (double)p99);
		ag_cmd_print_json(stdout, o);
		cJSON_Delete(o);
	} else {
		printf(
		    "fed %zu requests in %.1f s (%.0f/s); %zu acknowledged (p50 %lld ms, p99 %lld "
		    "ms), %zu decided, %zu refused\n",
		    st.sent, secs, secs > 0 ? (double)st.sent / secs : 0.0, st.acked,
		    (long long)p50, (long long)p99, st.decided, st.refused);
		if (st.compared)
			printf("agreed with the recorded decision (approved or not): %zu of %zu\n",
			       st.agreed, st.compared);
	}
	free(st.ack_ms);
	ag_client_close(&c);
	return rc;
}

/* ---- main -------------------------------------------------------------------------------------
 */

enum fail_on { FAIL_NONE, FAIL_TIGHTENED, FAIL_LOOSENED, FAIL_ANY };

struct replay_flags {
	const char *journal, *bus;
	struct ag_judge_options judge;
	int layer_set, no_rules, review, json, unchanged;
	const char *rules_label;
	enum fail_on fail_on;
	const char *ceiling;
	/* --feed */
	int feed, no_wait;
	int console; /* --console */
	double speed;
	int64_t max_gap_ms, timeout_ms;
	const char *as_session;
};

static int
parse_flags(int argc, char **argv, struct replay_flags *fl, struct ag_journal_query *q)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    AG_AUDIT_FILTER_OPTS,
	    {"rules", required_argument, NULL, 'r'},
	    {"system", required_argument, NULL, 's'},
	    {"user", required_argument, NULL, 'u'},
	    {"project", required_argument, NULL, 'p'},
	    {"no-rules", no_argument, NULL, 'n'},
	    {"ceiling", required_argument, NULL, 'c'},
	    {"review", no_argument, NULL, 'R'},
	    {"fail-on", required_argument, NULL, 'F'},
	    {"json", no_argument, NULL, 'j'},
	    {"unchanged", no_argument, NULL, 'U'},
	    {"feed", no_argument, NULL, 'f'},
	    {"speed", required_argument, NULL, 'S'},
	    {"max-gap", required_argument, NULL, 'G'},
	    {"as-session", required_argument, NULL, 'A'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"no-wait", no_argument, NULL, 'W'},
	    {"console", no_argument, NULL, 'C'},
	    {NULL, 0, NULL, 0},
	};
	int c, f;
	char *end;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((f = ag_audit_filter_opt("replay", c, optarg, q)) != 0) {
			if (f < 0)
				return -1;
			continue;
		}
		switch (c) {
		case 'B': fl->bus = optarg; break;
		case 'J': fl->journal = optarg; break;
		case 'r':
			fl->judge.system_path = "";
			fl->judge.user_path = "";
			fl->judge.project_path = optarg;
			fl->rules_label = optarg;
			fl->layer_set = 1;
			break;
		case 's':
			fl->judge.system_path = optarg;
			fl->layer_set = 1;
			break;
		case 'u':
			fl->judge.user_path = optarg;
			fl->layer_set = 1;
			break;
		case 'p':
			fl->judge.project_path = optarg;
			fl->layer_set = 1;
			break;
		case 'n': fl->no_rules = 1; break;
		case 'c': fl->ceiling = optarg; break;
		case 'R': fl->review = 1; break;
		case 'j': fl->json = 1; break;
		case 'U': fl->unchanged = 1; break;
		case 'F':
			if (strcmp(optarg, "tightened") == 0)
				fl->fail_on = FAIL_TIGHTENED;
			else if (strcmp(optarg, "loosened") == 0)
				fl->fail_on = FAIL_LOOSENED;
			else if (strcmp(optarg, "any") == 0)
				fl->fail_on = FAIL_ANY;
			else {
				fprintf(stderr,
				        "agate replay: --fail-on: expected tightened, loosened "
				        "or any, got '%s'\n",
				        optarg);
				return -1;
			}
			break;
		case 'f': fl->feed = 1; break;
		case 'S':
			errno = 0;
			fl->speed = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || fl->speed < 0 ||
			    fl->speed > 1e6) {
				fprintf(stderr,
				        "agate replay: --speed: expected a number from 0 to "
				        "1000000, got '%s'\n",
				        optarg);
				return -1;
			}
			break;
		case 'G':
		case 'T': {
			int64_t ms = ag_audit_parse_duration(optarg);
			if (ms < 0 || (c == 'T' && ms == 0)) {
				fprintf(stderr,
				        "agate replay: --%s: expected a duration like 5s, got "
				        "'%s'\n",
				        c == 'G' ? "max-gap" : "timeout", optarg);
				return -1;
			}
			*(c == 'G' ? &fl->max_gap_ms : &fl->timeout_ms) = ms;
			break;
		}
		case 'A':
			if (strlen(optarg) == 0 || strlen(optarg) > 256) {
				fprintf(stderr, "agate replay: --as-session: 1 to 256 bytes\n");
				return -1;
			}
			fl->as_session = optarg;
			break;
		case 'W': fl->no_wait = 1; break;
		case 'C': fl->console = 1; break;
		case 'h': replay_usage(stdout); return 1;
		default: replay_usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		replay_usage(stderr);
		return -1;
	}
	if (fl->no_rules && fl->layer_set) {
		fprintf(stderr, "agate replay: --no-rules and a rules file exclude each other\n");
		return -1;
	}
	return 0;
}

static int
replay_feed(const struct ag_cmd_env *env, const struct replay_flags *fl, struct ag_journal_query *q)
{
	struct feeder fd;
	memset(&fd, 0, sizeof fd);
	fd.as_session = fl->as_session;
	fd.timeout_ms = fl->timeout_ms;
	/* Every recorded request, decided or not: they all happened. Loaded
	 * first, so no read transaction stays open while the hub writes. */
	q->include_pending = 1;
	struct ag_journal *j = ag_audit_open("replay", env->journal, 1);
	if (j == NULL)
		return 2;
	struct ag_error err;
	int rc = ag_journal_query(j, q, feed_row, &fd, &err);
	ag_journal_close(&j);
	if (rc != 0 || fd.failed) {
		fprintf(stderr, "agate replay: %s\n", rc != 0 ? err.msg : fd.err.msg);
		feeder_free(&fd);
		return 2;
	}
	if (fd.n == 0) {
		fprintf(stderr, "agate replay: no recorded request matches\n");
		feeder_free(&fd);
		return 2;
	}
	rc = feed_run(env, &fd, fl->speed, fl->max_gap_ms, !fl->no_wait, fl->json);
	feeder_free(&fd);
	return rc;
}

/* --console: one whole session, in the console (tui/replay_view.c). */
static int
replay_console(const struct ag_cmd_env *env, const struct replay_flags *fl,
               const struct ag_journal_query *q)
{
	if (fl->feed || q->agent || q->id || q->kind >= 0 || q->decision >= 0 || q->by >= 0 ||
	    q->min_score >= 0 || q->since_ms || q->until_ms || q->limit) {
		fprintf(stderr, "agate replay: --console replays one whole session: of the "
		                "filters, only --session applies\n");
		return 2;
	}
	if (fl->speed < TUI_REPLAY_SPEED_MIN || fl->speed > TUI_REPLAY_SPEED_MAX) {
		fprintf(stderr, "agate replay: --console --speed: expected 0.5 to 64, got %g\n",
		        fl->speed);
		return 2;
	}
	struct tui_replay_opts o = {env->journal, q->session, fl->speed,
	                            ag_config_str(env->cfg, "theme"), 1};
	struct ag_error err;
	if (tui_replay_run(&o, &err) != 0) {
		fprintf(stderr, "agate replay: %s\n", err.msg);
		return 2;
	}
	return 0;
}

static int
fail_on_hit(enum fail_on how, const struct replay *rp, int64_t *tight, int64_t *loose)
{
	*tight = rp->counts[G_TIGHT_DENY] + rp->counts[G_TIGHT_ASK];
	*loose = rp->counts[G_LOOSE_APPROVE] + rp->counts[G_LOOSE_ASK];
	switch (how) {
	case FAIL_TIGHTENED: return *tight > 0;
	case FAIL_LOOSENED: return *loose > 0;
	case FAIL_ANY: return *tight + *loose > 0;
	default: return 0;
	}
}

int
cmd_replay(int argc, char **argv)
{
	struct replay_flags fl;
	memset(&fl, 0, sizeof fl);
	fl.speed = 1;
	ag_judge_options_default(&fl.judge);
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	int pr = parse_flags(argc, argv, &fl, &q);
	if (pr != 0)
		return pr > 0 ? 0 : 2;
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, fl.bus, fl.journal) != 0)
		return 2;
	if (fl.console || fl.feed) {
		int rc = fl.console ? replay_console(&env, &fl, &q) : replay_feed(&env, &fl, &q);
		ag_cmd_env_free(&env);
		return rc;
	}

	struct replay rp;
	memset(&rp, 0, sizeof rp);
	rp.json = fl.json;
	rp.unchanged = fl.unchanged;
	rp.route.mode = AG_GMODE_AUTO;
	ag_limits_default(&rp.limits);
	rp.limits.max_frame = (size_t)ag_config_int(env.cfg, "max_frame");
	rp.limits.max_text = rp.limits.max_frame;
	struct ag_error err;
	int rc = 2;
	struct ag_journal *j = NULL;
	int level =
	    ag_level_parse(fl.ceiling ? fl.ceiling : ag_config_str(env.cfg, "rules_ceiling"));
	if (level < 0) {
		fprintf(stderr,
		        "agate replay: --ceiling: expected low, medium, high or critical\n");
		goto out;
	}
	fl.judge.ceiling = (enum ag_level)level;
	if (!fl.no_rules && ag_judge_new_opts(&fl.judge, &rp.judge, &err) != 0) {
		fprintf(stderr, "agate replay: %s\n", err.msg);
		goto out;
	}
	if (fl.review && guardian_open(&env, &rp.guardian, &err) != 0) {
		fprintf(stderr, "agate replay: --review: %s\n", err.msg);
		goto out;
	}
	if ((j = ag_audit_open("replay", env.journal, 1)) == NULL)
		goto out;
	if (ag_journal_query(j, &q, replay_row, &rp, &err) != 0) {
		fprintf(stderr, "agate replay: %s\n", err.msg);
		goto out;
	}
	if (rp.guardian != NULL)
		drain_reviews(&rp, 1);
	if (rp.json)
		report_json(&rp);
	else
		report_text(&rp, env.journal,
		            fl.no_rules      ? "none (--no-rules)"
		            : fl.rules_label ? fl.rules_label
		            : fl.layer_set   ? "as given"
		                             : "the installed layers");
	fflush(stdout);
	int64_t tight, loose;
	rc = 0;
	if (fail_on_hit(fl.fail_on, &rp, &tight, &loose)) {
		fprintf(stderr, "agate replay: %lld tightened, %lld loosened (--fail-on %s)\n",
		        (long long)tight, (long long)loose,
		        fl.fail_on == FAIL_TIGHTENED  ? "tightened"
		        : fl.fail_on == FAIL_LOOSENED ? "loosened"
		                                      : "any");
		rc = 1;
	}
out:
	ag_journal_close(&j);
	for (int g = 0; g < G_COUNT; g++)
		list_free(&rp.flips[g]);
	list_free(&rp.inflight);
	ag_guardian_free(&rp.guardian);
	ag_judge_free(&rp.judge);
	ag_cmd_env_free(&env);
	return rc;
}
