/* Console replay without a screen, against a real journal written through
 * core/journal.h as the hub writes it: one session of requests decided by
 * a human, the Guardian (after its review), a deny rule, a timeout, one
 * abandoned and one still pending, with another session's request in
 * between. Stepping must give the events in recorded order at their
 * times, with what a live console would have held at each; stepping back
 * must give the earlier state exactly; speed must scale the waits. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/journal.h"
#include "core/request.h"
#include "core/risk.h"
#include "core/xmalloc.h"
#include "tui/model.h"
#include "tui/replay.h"

#define T0 1790000000000LL

static char tmpdir[256];
static char *db_path;

static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *child = xasprintf("%s/%s", path, de->d_name);
		struct stat st;
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(child);
		else
			unlink(child);
		free(child);
	}
	closedir(d);
	rmdir(path);
}

static struct ag_request *
make_request(const char *id, const char *session, const char *command)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "request");
	cJSON_AddStringToObject(f, "id", id);
	cJSON_AddStringToObject(f, "session", session);
	cJSON_AddStringToObject(f, "agent", "claude-code");
	cJSON_AddStringToObject(f, "cwd", "/repo");
	cJSON *a = cJSON_AddObjectToObject(f, "action");
	cJSON_AddStringToObject(a, "kind", "exec");
	cJSON_AddStringToObject(a, "command", command);
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	if (ag_request_from_json(f, NULL, &req, &err) != 0)
		fail_msg("request: %s", err.msg);
	cJSON_Delete(f);
	return req;
}

static void
add(struct ag_journal *j, const char *id, const char *session, const char *command, int score,
    const char *rule, int64_t created, int64_t deadline)
{
	struct ag_request *req = make_request(id, session, command);
	struct ag_risk risk;
	struct ag_error err = {{0}};
	ag_risk_init(&risk);
	if (score > 0)
		ag_risk_add(&risk, score, score >= 80 ? 1u : 0u, -1, -1, 0, "scored by the test");
	if (ag_journal_add_request(j, req, &risk, rule, created, deadline, &err) != 0)
		fail_msg("add %s: %s", id, err.msg);
	ag_risk_clear(&risk);
	ag_request_free(&req);
}

static void
decide(struct ag_journal *j, const char *id, enum ag_decision d, enum ag_decider by,
       const char *reason, int64_t at)
{
	struct ag_decision_info di;
	struct ag_error err = {{0}};
	memset(&di, 0, sizeof di);
	snprintf(di.id, sizeof di.id, "%s", id);
	di.decision = d;
	di.by = by;
	di.reason = (char *)reason;
	di.at_ms = at;
	if (ag_journal_add_decision(j, &di, &err) != 0)
		fail_msg("decide %s: %s", id, err.msg);
}

/* The recording (times from T0):
 *   0     r1 exec git status                       -> approve by human at 1234
 *   100   x1 (session s-other)
 *   500   r2 sudo apt-get install jq (medium 40)   review allow at 800
 *                                                  -> approve by guardian at 900
 *   2000  r3 rm -rf / (critical 95, deny rule)     -> deny by policy at 2000
 *   3000  r4 npm publish (an ask rule)             -> deny by timeout at 63000
 *   4000  r5 make bench                            abandoned at 4500
 *   5000  r6 git push                              still pending */
static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/agate-replay-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	db_path = xasprintf("%s/journal.db", tmpdir);
	struct ag_journal *j = NULL;
	struct ag_error err = {{0}};
	if (ag_journal_open(db_path, 0, &j, &err) != 0)
		fail_msg("open: %s", err.msg);
	add(j, "r1", "s1", "git status", 0, NULL, T0, T0 + 600000);
	add(j, "x1", "s-other", "echo other", 0, NULL, T0 + 100, T0 + 600000);
	add(j, "r2", "s1", "sudo apt-get install jq", 40, NULL, T0 + 500, T0 + 600000);
	struct ag_review_record rv = {
	    .request_id = "r2",
	    .model = "fake-1",
	    .verdict_json = "{\"risk_level\":\"medium\",\"user_authorization\":\"low\","
	                    "\"outcome\":\"allow\",\"rationale\":\"installs a package\","
	                    "\"model\":\"fake-1\"}",
	    .latency_ms = 250,
	    .at_ms = T0 + 800,
	};
	if (ag_journal_add_review(j, &rv, &err) != 0)
		fail_msg("review: %s", err.msg);
	decide(j, "r2", AG_DECISION_APPROVE, AG_BY_GUARDIAN, "installs a package", T0 + 900);
	decide(j, "r1", AG_DECISION_APPROVE, AG_BY_HUMAN, "looks fine", T0 + 1234);
	add(j, "r3", "s1", "rm -rf /", 95, "deny exec rm -rf /* (rules:1)", T0 + 2000, T0 + 600000);
	decide(j, "r3", AG_DECISION_DENY, AG_BY_POLICY, "deny exec rm -rf /*", T0 + 2000);
	add(j, "r4", "s1", "npm publish", 30, "ask   exec npm publish* (rules:2)", T0 + 3000,
	    T0 + 63000);
	add(j, "r5", "s1", "make bench", 0, NULL, T0 + 4000, T0 + 600000);
	if (ag_journal_set_abandoned(j, "r5", T0 + 4500, &err) != 0)
		fail_msg("abandon: %s", err.msg);
	add(j, "r6", "s1", "git push", 0, NULL, T0 + 5000, T0 + 600000);
	decide(j, "r4", AG_DECISION_DENY, AG_BY_TIMEOUT, "timed out after 60s", T0 + 63000);
	ag_journal_close(&j);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	remove_tree(tmpdir);
	free(db_path);
	db_path = NULL;
	return 0;
}

/* A replay of s1 with its models bound. */
struct fixture {
	struct ag_journal *j;
	struct tui_replay *rp;
	struct tui_model pending, decided;
};

static void
open_replay(struct fixture *fx, const char *session)
{
	struct ag_error err = {{0}};
	memset(fx, 0, sizeof *fx);
	if (ag_journal_open(db_path, 1, &fx->j, &err) != 0)
		fail_msg("open: %s", err.msg);
	if (tui_replay_load(fx->j, session, &fx->rp, &err) != 0)
		fail_msg("load: %s", err.msg);
	tui_model_init(&fx->pending);
	tui_model_init(&fx->decided);
	tui_replay_bind(fx->rp, &fx->pending, &fx->decided);
}

static void
close_replay(struct fixture *fx)
{
	tui_replay_free(&fx->rp);
	assert_null(fx->rp);
	tui_model_free(&fx->pending);
	tui_model_free(&fx->decided);
	ag_journal_close(&fx->j);
}

/* The ids in a model, in list order, as "r1 r6". */
static void
ids(const struct tui_model *m, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->nview; i++) {
		const struct tui_item *it = m->items[m->view[i]];
		int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", it->req->id);
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
	}
}

static void
assert_pending(const struct fixture *fx, const char *want)
{
	char got[256];
	ids(&fx->pending, got, sizeof got);
	assert_string_equal(got, want);
}

static void
assert_decided(const struct fixture *fx, const char *want)
{
	char got[256];
	ids(&fx->decided, got, sizeof got);
	assert_string_equal(got, want);
}

static const struct {
	enum tui_replay_kind kind;
	const char *id;
	int64_t at; /* from T0 */
	int64_t took;
} recorded[] = {
    {TUI_REPLAY_REQUEST, "r1", 0, 0},       {TUI_REPLAY_REQUEST, "r2", 500, 0},
    {TUI_REPLAY_REVIEW, "r2", 800, 300},    {TUI_REPLAY_DECIDED, "r2", 900, 400},
    {TUI_REPLAY_DECIDED, "r1", 1234, 1234}, {TUI_REPLAY_REQUEST, "r3", 2000, 0},
    {TUI_REPLAY_DECIDED, "r3", 2000, 0},    {TUI_REPLAY_REQUEST, "r4", 3000, 0},
    {TUI_REPLAY_REQUEST, "r5", 4000, 0},    {TUI_REPLAY_ABANDONED, "r5", 4500, 500},
    {TUI_REPLAY_REQUEST, "r6", 5000, 0},    {TUI_REPLAY_DECIDED, "r4", 63000, 60000},
};
#define NRECORDED (sizeof recorded / sizeof recorded[0])

static void
test_steps_in_recorded_order(void **state)
{
	(void)state;
	struct fixture fx;
	open_replay(&fx, "s1");
	struct tui_replay *rp = fx.rp;

	assert_int_equal(rp->n, NRECORDED); /* x1 of s-other is not in it */
	assert_int_equal(rp->pos, 0);
	assert_int_equal(rp->clock_ms, T0);
	assert_int_equal(rp->playing, 0);
	assert_null(tui_replay_current(rp));
	assert_pending(&fx, "");
	for (size_t i = 0; i < NRECORDED; i++) {
		const struct tui_replay_event *e = tui_replay_step(rp);
		assert_non_null(e);
		assert_int_equal(e->kind, recorded[i].kind);
		assert_string_equal(e->id, recorded[i].id);
		assert_int_equal(e->at_ms, T0 + recorded[i].at);
		assert_int_equal(e->took_ms, recorded[i].took);
		assert_int_equal(rp->clock_ms, T0 + recorded[i].at);
		assert_int_equal(rp->pos, i + 1);
		assert_true(rp->events[e->request].kind == TUI_REPLAY_REQUEST);
		assert_string_equal(rp->events[e->request].id, e->id);
	}
	assert_null(tui_replay_step(rp));
	assert_int_equal(rp->pos, NRECORDED);
	/* At the end: only r6 waits; the rest were decided or abandoned. */
	assert_pending(&fx, "r6");
	assert_decided(&fx, "r1 r2 r3 r4 r5");
	close_replay(&fx);
}

static void
test_what_a_console_held(void **state)
{
	(void)state;
	struct fixture fx;
	open_replay(&fx, "s1");
	struct tui_replay *rp = fx.rp;
	char buf[512];

	tui_replay_step(rp); /* r1 arrives */
	assert_pending(&fx, "r1");
	struct tui_item *it = tui_model_selected(&fx.pending);
	assert_non_null(it);
	assert_string_equal(it->req->id, "r1");
	assert_string_equal(it->req->u.exec.command, "git status");
	assert_string_equal(it->req->agent, "claude-code");
	assert_int_equal(it->created_ms, T0);
	tui_replay_describe(rp, tui_replay_current(rp), buf, sizeof buf);
	assert_string_equal(buf, "r1 arrives: exec, low 0: git status");

	tui_replay_step(rp); /* r2 arrives; the selection follows it */
	tui_replay_step(rp); /* its review */
	it = tui_model_selected(&fx.pending);
	assert_string_equal(it->req->id, "r2");
	assert_int_equal(it->risk.score, 40);
	assert_int_equal(it->risk.level, AG_LEVEL_MEDIUM);
	assert_non_null(it->review);
	assert_string_equal(cJSON_GetObjectItem(it->review, "outcome")->valuestring, "allow");
	tui_replay_describe(rp, tui_replay_current(rp), buf, sizeof buf);
	assert_string_equal(buf, "r2: Guardian review after 0.3s: allow");

	tui_replay_step(rp); /* r2 approved by the Guardian */
	assert_pending(&fx, "r1");
	assert_decided(&fx, "r2");
	it = tui_model_find(&fx.decided, "r2");
	assert_string_equal(it->decision, "approve");
	assert_string_equal(it->by, "guardian");
	assert_string_equal(it->reason, "installs a package");
	assert_int_equal(it->decided_ms, T0 + 900);

	tui_replay_step(rp); /* r1 approved by a human, 1.234 s after it arrived */
	tui_replay_describe(rp, tui_replay_current(rp), buf, sizeof buf);
	assert_string_equal(buf, "r1: approve by human after 1.2s: looks fine");
	assert_pending(&fx, "");
	assert_string_equal(tui_model_selected(&fx.decided)->req->id, "r1");

	tui_replay_step(rp); /* r3: critical under a deny rule */
	it = tui_model_find(&fx.pending, "r3");
	assert_non_null(it);
	assert_true(it->needs_human);
	assert_string_equal(it->rule, "deny exec rm -rf /* (rules:1)");
	tui_replay_step(rp);
	tui_replay_describe(rp, tui_replay_current(rp), buf, sizeof buf);
	assert_string_equal(buf, "r3: deny by policy after 0.0s: deny exec rm -rf /*");

	tui_replay_seek(rp, 8); /* r4 arrives: an ask rule makes it a human's */
	it = tui_model_find(&fx.pending, "r4");
	assert_non_null(it);
	assert_true(it->needs_human);
	assert_false(tui_model_find(&fx.pending, "r1") != NULL);
	tui_replay_seek(rp, 2); /* r2: no rule, medium: anyone may approve it */
	assert_false(tui_model_find(&fx.pending, "r2")->needs_human);

	tui_replay_seek(rp, 10); /* r5 abandoned */
	tui_replay_describe(rp, tui_replay_current(rp), buf, sizeof buf);
	assert_string_equal(buf, "r5 abandoned after 0.5s: its agent went away");
	assert_string_equal(tui_model_find(&fx.decided, "r5")->decision, "abandoned");

	tui_replay_seek(rp, NRECORDED);
	tui_replay_describe(rp, tui_replay_current(rp), buf, sizeof buf);
	assert_string_equal(buf, "r4: deny by timeout after 1m00s: timed out after 60s");
	close_replay(&fx);
}

/* Everything about the models a user could see, as text. */
static void
state_text(const struct fixture *fx, char *buf, size_t size)
{
	char p[256], d[256];
	const struct tui_item *sp = tui_model_selected(&fx->pending);
	const struct tui_item *sd = tui_model_selected(&fx->decided);
	size_t used = 0;
	ids(&fx->pending, p, sizeof p);
	ids(&fx->decided, d, sizeof d);
	used += (size_t)snprintf(buf, size, "pending[%s] sel=%s decided[%s] sel=%s clock=%lld;", p,
	                         sp ? sp->req->id : "-", d, sd ? sd->req->id : "-",
	                         (long long)(fx->rp->clock_ms - T0));
	for (size_t i = 0; i < fx->pending.n && used < size; i++) {
		const struct tui_item *it = fx->pending.items[i];
		used += (size_t)snprintf(buf + used, size - used, " %s:%d:%s:%lld", it->req->id,
		                         it->risk.score, it->review ? "reviewed" : "-",
		                         (long long)(it->created_ms - T0));
	}
	for (size_t i = 0; i < fx->decided.n && used < size; i++) {
		const struct tui_item *it = fx->decided.items[i];
		used += (size_t)snprintf(buf + used, size - used, " %s=%s/%s/%s@%lld", it->req->id,
		                         it->decision, it->by, it->reason,
		                         (long long)(it->decided_ms - T0));
	}
}

static void
test_step_back_reproduces(void **state)
{
	(void)state;
	struct fixture fx;
	open_replay(&fx, "s1");
	char forward[NRECORDED + 1][2048], now[2048];

	state_text(&fx, forward[0], sizeof forward[0]);
	for (size_t k = 1; k <= NRECORDED; k++) {
		tui_replay_step(fx.rp);
		state_text(&fx, forward[k], sizeof forward[k]);
		assert_string_not_equal(forward[k], forward[k - 1]);
	}
	/* Back one at a time from the end: each state as it was going forward. */
	for (size_t k = NRECORDED; k-- > 0;) {
		tui_replay_back(fx.rp);
		assert_int_equal(fx.rp->pos, k);
		state_text(&fx, now, sizeof now);
		assert_string_equal(now, forward[k]);
	}
	tui_replay_back(fx.rp); /* at the start, back stays there */
	assert_int_equal(fx.rp->pos, 0);
	/* Forward, back, forward: the same state as straight there. */
	tui_replay_seek(fx.rp, 4);
	tui_replay_step(fx.rp);
	tui_replay_back(fx.rp);
	state_text(&fx, now, sizeof now);
	assert_string_equal(now, forward[4]);
	/* A jump past the end stops at the end. */
	tui_replay_seek(fx.rp, 999);
	state_text(&fx, now, sizeof now);
	assert_string_equal(now, forward[NRECORDED]);
	close_replay(&fx);
}

static void
test_speed_scales_waits(void **state)
{
	(void)state;
	struct fixture fx;
	open_replay(&fx, "s1");
	struct tui_replay *rp = fx.rp;

	assert_int_equal(tui_replay_wait_ms(rp), -1); /* paused */
	assert_int_equal(tui_replay_advance(rp, 10000), 0);
	assert_int_equal(rp->pos, 0);
	tui_replay_toggle(rp);
	assert_true(rp->playing);
	assert_int_equal(tui_replay_wait_ms(rp), 0); /* r1 is due at the start */
	assert_int_equal(tui_replay_advance(rp, 0), 1);
	/* r2 is 500 ms later: at x1 a 500 ms wait, at x2 250. */
	assert_int_equal(tui_replay_wait_ms(rp), 500);
	tui_replay_speed_step(rp, +1);
	assert_true(rp->speed == 2.0);
	assert_int_equal(tui_replay_wait_ms(rp), 250);
	assert_int_equal(tui_replay_advance(rp, 249), 0);
	assert_int_equal(rp->clock_ms, T0 + 498); /* the clock runs at x2 */
	assert_int_equal(tui_replay_wait_ms(rp), 1);
	assert_int_equal(tui_replay_advance(rp, 1), 1);
	assert_string_equal(tui_replay_current(rp)->id, "r2");
	/* One advance can cover several events: review (+300), decided (+100),
	 * r1 decided (+334) take 367 ms of real time at x2. */
	assert_int_equal(tui_replay_advance(rp, 367), 3);
	assert_string_equal(tui_replay_current(rp)->id, "r1");
	/* Slower: x0.5 doubles the wait; the floor is x0.5. */
	tui_replay_speed_step(rp, -1);
	tui_replay_speed_step(rp, -1);
	tui_replay_speed_step(rp, -1);
	assert_true(rp->speed == 0.5);
	assert_int_equal(tui_replay_wait_ms(rp), 1532); /* 766 ms recorded */
	for (int i = 0; i < 10; i++)
		tui_replay_speed_step(rp, +1);
	assert_true(rp->speed == 64.0);
	/* r6 to r4's timeout is 58 s recorded: at x64 that is 907 ms... */
	tui_replay_seek(rp, NRECORDED - 1);
	assert_true(rp->playing); /* a jump keeps playing */
	assert_int_equal(tui_replay_wait_ms(rp), 907);
	/* ... and at x1 the pause is cut to TUI_REPLAY_MAX_WAIT_MS. */
	rp->speed = 1;
	assert_int_equal(tui_replay_wait_ms(rp), TUI_REPLAY_MAX_WAIT_MS);
	assert_int_equal(tui_replay_advance(rp, 2000), 0);
	assert_int_equal(tui_replay_wait_ms(rp), TUI_REPLAY_MAX_WAIT_MS - 2000);
	assert_int_equal(tui_replay_advance(rp, TUI_REPLAY_MAX_WAIT_MS - 2000), 1);
	assert_int_equal(rp->clock_ms, T0 + 63000); /* the clock jumped to it */
	/* The end stops playing; play again starts from the first event. */
	assert_false(rp->playing);
	assert_int_equal(tui_replay_wait_ms(rp), -1);
	tui_replay_toggle(rp);
	assert_true(rp->playing);
	assert_int_equal(rp->pos, 0);
	assert_pending(&fx, "");
	close_replay(&fx);
}

static void
test_unknown_or_empty_session(void **state)
{
	(void)state;
	struct ag_journal *j = NULL;
	struct tui_replay *rp = NULL;
	struct ag_error err = {{0}};
	char *session = NULL;

	assert_int_equal(ag_journal_open(db_path, 1, &j, &err), 0);
	assert_int_equal(tui_replay_load(j, "no-such", &rp, &err), -1);
	assert_null(rp);
	assert_non_null(strstr(err.msg, "'no-such'"));
	assert_non_null(strstr(err.msg, "no recorded request"));
	assert_int_equal(tui_replay_load(j, NULL, &rp, &err), -1);
	assert_non_null(strstr(err.msg, "no session"));
	/* Without a session: the most recent one that is named. */
	assert_int_equal(tui_replay_latest_session(j, &session, &err), 0);
	assert_string_equal(session, "s1");
	free(session);
	ag_journal_close(&j);

	/* An empty journal has no session to pick. */
	char *empty = xasprintf("%s/empty.db", tmpdir);
	assert_int_equal(ag_journal_open(empty, 0, &j, &err), 0);
	assert_int_equal(tui_replay_latest_session(j, &session, &err), -1);
	assert_null(session);
	assert_non_null(strstr(err.msg, "--session"));
	assert_int_equal(tui_replay_load(j, "s1", &rp, &err), -1);
	assert_non_null(strstr(err.msg, "'s1'"));
	ag_journal_close(&j);
	free(empty);
}

static void
test_formats(void **state)
{
	(void)state;
	char b[32];
	tui_replay_format_duration(0, b, sizeof b);
	assert_string_equal(b, "0.0s");
	tui_replay_format_duration(1299, b, sizeof b);
	assert_string_equal(b, "1.2s");
	tui_replay_format_duration(59999, b, sizeof b);
	assert_string_equal(b, "59.9s");
	tui_replay_format_duration(125000, b, sizeof b);
	assert_string_equal(b, "2m05s");
	tui_replay_format_duration(3720000, b, sizeof b);
	assert_string_equal(b, "1h02m");
	tui_replay_format_offset(1234, b, sizeof b);
	assert_string_equal(b, "+00:01.2");
	tui_replay_format_offset(3723400, b, sizeof b);
	assert_string_equal(b, "+1:02:03.4");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_steps_in_recorded_order),
	    cmocka_unit_test(test_what_a_console_held),
	    cmocka_unit_test(test_step_back_reproduces),
	    cmocka_unit_test(test_speed_scales_waits),
	    cmocka_unit_test(test_unknown_or_empty_session),
	    cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
