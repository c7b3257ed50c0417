/* The journal against a real SQLite file in a temp directory: round trips,
 * the first decision winning (in the schema, not only in code), crash
 * recovery of pending requests, migrations, grants, reviews, every query
 * filter, integrity checks, read-only opens and hostile text.
 *
 * `test_journal --bench [N [BATCH]]` measures insert throughput instead
 * (N requests + their decisions, BATCH per transaction, default 100000 and
 * 100; synchronous NORMAL, then FULL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/journal.h"
#include "core/request.h"
#include "core/risk.h"
#include "core/xmalloc.h"

#define SCHEMA_VERSION 4 /* PRAGMA user_version of a journal this agate made */

static char tmpdir[256];
static char *db_path;

/* Removes a directory tree we made (no shell, no symlinks followed). */
static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d == NULL) {
		unlink(path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *child = xasprintf("%s/%s", path, e->d_name);
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

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/agate-journal-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	db_path = xasprintf("%s/state/agate/journal.db", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	remove_tree(tmpdir);
	free(db_path);
	db_path = NULL;
	return 0;
}

static struct ag_journal *
open_rw(void)
{
	struct ag_journal *j = NULL;
	struct ag_error err = {{0}};
	if (ag_journal_open(db_path, 0, &j, &err) != 0)
		fail_msg("open: %s", err.msg);
	return j;
}

/* An exec request built the way a publisher's frame arrives. */
static struct ag_request *
make_request_full(const char *id, const char *session, const char *agent, const char *cwd,
                  const char *justification, const char *command, int64_t timeout_ms)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "request");
	cJSON_AddStringToObject(f, "id", id);
	if (session != NULL)
		cJSON_AddStringToObject(f, "session", session);
	if (agent != NULL)
		cJSON_AddStringToObject(f, "agent", agent);
	if (cwd != NULL)
		cJSON_AddStringToObject(f, "cwd", cwd);
	if (justification != NULL)
		cJSON_AddStringToObject(f, "justification", justification);
	if (timeout_ms > 0)
		cJSON_AddNumberToObject(f, "timeout_ms", (double)timeout_ms);
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

static struct ag_request *
make_request(const char *id, const char *session, const char *agent, const char *command)
{
	return make_request_full(id, session, agent, "/repo", "because", command, 0);
}

/* A request of another kind, from JSON text. */
static struct ag_request *
make_request_json(const char *text)
{
	cJSON *f = cJSON_Parse(text);
	assert_non_null(f);
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	if (ag_request_from_json(f, NULL, &req, &err) != 0)
		fail_msg("request: %s", err.msg);
	cJSON_Delete(f);
	return req;
}

static void
add(struct ag_journal *j, struct ag_request *req, int score, int64_t created_ms)
{
	struct ag_risk risk;
	ag_risk_init(&risk);
	if (score > 0)
		ag_risk_add(&risk, score, AG_CATEGORY(DESTRUCTIVE), 0, 2, 0, "a reason");
	struct ag_error err = {{0}};
	if (ag_journal_add_request(j, req, &risk, NULL, created_ms, created_ms + 600000, &err) != 0)
		fail_msg("add_request: %s", err.msg);
	ag_risk_clear(&risk);
}

static int
decide(struct ag_journal *j, const char *id, enum ag_decision decision, enum ag_decider by,
       const char *reason, int64_t at_ms, struct ag_error *err)
{
	struct ag_decision_info d;
	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "%s", id);
	d.decision = decision;
	d.by = by;
	d.reason = (char *)reason;
	d.at_ms = at_ms;
	return ag_journal_add_decision(j, &d, err);
}

/* Opens the file with plain SQLite, the way an auditor (or an attacker
 * with file access) would, bypassing our code. */
static sqlite3 *
raw_open(void)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	return db;
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ---- rows collected by query callbacks ---------------------------------- */

#define MAX_ROWS 64
struct rows {
	int n;
	char id[MAX_ROWS][AG_ID_MAX + 1];
	char *text[MAX_ROWS]; /* a few fields joined, for round-trip checks */
};

static int
collect(void *ctx, const struct ag_journal_row *row)
{
	struct rows *r = ctx;
	assert_true(r->n < MAX_ROWS);
	snprintf(r->id[r->n], sizeof r->id[0], "%s", row->id);
	r->text[r->n] = xasprintf(
	    "session=%s|agent=%s|kind=%s|cwd=%s|just=%s|summary=%s|action=%s|rule=%s|state=%s|"
	    "score=%d|created=%lld|decision=%s|by=%s|reason=%s|decided=%lld",
	    row->session, row->agent, row->kind, row->cwd, row->justification, row->summary,
	    row->action_json, row->rule ? row->rule : "(null)", row->state, row->score,
	    (long long)row->created_ms, row->decision ? row->decision : "(null)",
	    row->by ? row->by : "(null)", row->reason ? row->reason : "(null)",
	    (long long)row->decided_ms);
	r->n++;
	return 0;
}

static void
rows_free(struct rows *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->text[i]);
	r->n = 0;
}

static int
query_count(struct ag_journal *j, const struct ag_journal_query *q, struct rows *r)
{
	struct ag_error err = {{0}};
	rows_free(r);
	if (ag_journal_query(j, q, collect, r, &err) != 0)
		fail_msg("query: %s", err.msg);
	return r->n;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_open_creates_private_files(void **state)
{
	mode_t old = umask(022);
	struct ag_journal *j = open_rw();
	umask(old);
	struct stat st;
	char *dir = xasprintf("%s/state/agate", tmpdir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(dir);
	dir = xasprintf("%s/state", tmpdir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(dir);
	assert_int_equal(stat(db_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* A write makes the WAL file; it must be as private as the journal. */
	struct ag_request *req = make_request("r-1", "s", "a", "ls");
	add(j, req, 0, 1000);
	ag_request_free(&req);
	char *wal = xasprintf("%s-wal", db_path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(wal);

	sqlite3 *db = raw_open();
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	sqlite3_stmt *st2;
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st2, NULL);
	assert_int_equal(sqlite3_step(st2), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st2, 0), "wal");
	sqlite3_finalize(st2);
	sqlite3_close(db);
	ag_journal_close(&j);
	assert_null(j);
	ag_journal_close(&j); /* twice is harmless */
}

static void
test_round_trip(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	struct ag_request *req = make_request_full("r-42", "s-42", "claude-code", "/home/dev/repo",
	                                           "clean build dir", "rm -rf build", 30000);
	struct ag_risk risk;
	ag_risk_init(&risk);
	ag_risk_add(&risk, 60, AG_CATEGORY(DESTRUCTIVE), 0, 6, 0, "rm -rf");
	ag_risk_add(&risk, 20, AG_CATEGORY(DATA_EXFILTRATION), -1, -1, 0, "second reason");
	assert_int_equal(
	    ag_journal_add_request(j, req, &risk, "ask exec rm * (rules:3)", 5000, 35000, &err), 0);

	enum ag_request_state s;
	assert_int_equal(ag_journal_request_state(j, "r-42", &s, &err), 1);
	assert_int_equal(s, AG_STATE_PENDING);
	assert_int_equal(ag_journal_request_state(j, "r-nope", &s, &err), 0);
	struct ag_decision_info d;
	assert_int_equal(ag_journal_find_decision(j, "r-42", &d, &err), 0);

	assert_int_equal(decide(j, "r-42", AG_DECISION_DENY, AG_BY_HUMAN, "not now", 7000, &err),
	                 0);
	assert_int_equal(ag_journal_request_state(j, "r-42", &s, &err), 1);
	assert_int_equal(s, AG_STATE_DECIDED);
	assert_int_equal(ag_journal_find_decision(j, "r-42", &d, &err), 1);
	assert_string_equal(d.id, "r-42");
	assert_int_equal(d.decision, AG_DECISION_DENY);
	assert_int_equal(d.by, AG_BY_HUMAN);
	assert_string_equal(d.reason, "not now");
	assert_int_equal(d.at_ms, 7000);
	ag_decision_info_clear(&d);

	struct ag_journal_query q;
	ag_journal_query_init(&q);
	struct rows rows = {0};
	assert_int_equal(query_count(j, &q, &rows), 1);
	assert_string_equal(rows.id[0], "r-42");
	assert_string_equal(rows.text[0],
	                    "session=s-42|agent=claude-code|kind=exec|cwd=/home/dev/repo|"
	                    "just=clean build dir|summary=rm -rf build|"
	                    "action={\"kind\":\"exec\",\"command\":\"rm -rf build\"}|"
	                    "rule=ask exec rm * (rules:3)|state=decided|score=60|created=5000|"
	                    "decision=deny|by=human|reason=not now|decided=7000");
	rows_free(&rows);

	/* The risk comes back whole, reasons and spans, through the JSON form. */
	sqlite3 *db = raw_open();
	assert_int_equal(raw_int(db, "SELECT count(*) FROM risk WHERE request_id = 'r-42'"), 2);
	assert_int_equal(
	    raw_int(db, "SELECT span_end FROM risk WHERE request_id = 'r-42' AND n = 0"), 6);
	assert_int_equal(raw_int(db, "SELECT deadline_ms FROM requests WHERE id = 'r-42'"), 35000);
	assert_int_equal(raw_int(db, "SELECT timeout_ms FROM requests WHERE id = 'r-42'"), 30000);
	assert_int_equal(raw_int(db, "SELECT requests FROM sessions WHERE id = 's-42'"), 1);
	sqlite3_close(db);

	/* The same id twice is refused, naming it. */
	assert_int_equal(ag_journal_add_request(j, req, &risk, NULL, 9000, 9000, &err), -1);
	assert_string_equal(err.msg, "journal: request r-42: that id is already journaled");

	ag_risk_clear(&risk);
	ag_request_free(&req);
	ag_journal_close(&j);
}

static void
test_first_decision_wins(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	struct ag_request *req = make_request("r-1", "s", "a", "git push");
	add(j, req, 30, 1000);
	ag_request_free(&req);

	assert_int_equal(decide(j, "r-1", AG_DECISION_DENY, AG_BY_GUARDIAN, "risky", 2000, &err),
	                 0);
	assert_int_equal(decide(j, "r-1", AG_DECISION_APPROVE, AG_BY_HUMAN, "go ahead", 3000, &err),
	                 -1);
	assert_string_equal(err.msg,
	                    "journal: decision for r-1: already decided (deny by guardian)");
	struct ag_decision_info d;
	assert_int_equal(ag_journal_find_decision(j, "r-1", &d, &err), 1);
	assert_int_equal(d.decision, AG_DECISION_DENY);
	assert_int_equal(d.by, AG_BY_GUARDIAN);
	assert_string_equal(d.reason, "risky");
	ag_decision_info_clear(&d);

	/* The schema itself refuses, whoever writes: a second row, a replace,
	 * an update, a delete, or moving the request back to pending. */
	ag_journal_close(&j);
	sqlite3 *db = raw_open();
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	static const char *const attacks[] = {
	    "INSERT INTO decisions VALUES ('r-1', 'approve', 'human', '', 4000)",
	    "INSERT OR REPLACE INTO decisions VALUES ('r-1', 'approve', 'human', '', 4000)",
	    "UPDATE decisions SET decision = 'approve' WHERE request_id = 'r-1'",
	    "DELETE FROM decisions WHERE request_id = 'r-1'",
	    "UPDATE requests SET state = 'pending' WHERE id = 'r-1'",
	};
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
		assert_int_not_equal(sqlite3_exec(db, attacks[i], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM decisions WHERE decision = 'deny'"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM decisions"), 1);
	sqlite3_close(db);
}

static void
test_decision_refusals(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	assert_int_equal(decide(j, "r-ghost", AG_DECISION_DENY, AG_BY_HUMAN, "", 1, &err), -1);
	assert_string_equal(err.msg, "journal: decision for r-ghost: no such request");

	struct ag_request *req = make_request("r-gone", "s", "a", "ls");
	add(j, req, 0, 1000);
	ag_request_free(&req);
	assert_int_equal(ag_journal_set_abandoned(j, "r-gone", 2000, &err), 0);
	enum ag_request_state s;
	assert_int_equal(ag_journal_request_state(j, "r-gone", &s, &err), 1);
	assert_int_equal(s, AG_STATE_ABANDONED);
	assert_int_equal(decide(j, "r-gone", AG_DECISION_APPROVE, AG_BY_HUMAN, "", 3000, &err), -1);
	assert_string_equal(err.msg, "journal: decision for r-gone: the request was abandoned");
	assert_int_equal(ag_journal_set_abandoned(j, "r-gone", 4000, &err), -1);
	assert_string_equal(err.msg, "journal: abandoning r-gone: the request was abandoned");
	assert_int_equal(ag_journal_set_abandoned(j, "r-ghost", 4000, &err), -1);
	assert_string_equal(err.msg, "journal: abandoning r-ghost: no such request");

	req = make_request("r-done", "s", "a", "ls");
	add(j, req, 0, 1000);
	ag_request_free(&req);
	assert_int_equal(decide(j, "r-done", AG_DECISION_ABORT, AG_BY_TIMEOUT, "", 3000, &err), 0);
	assert_int_equal(ag_journal_set_abandoned(j, "r-done", 4000, &err), -1);
	assert_string_equal(err.msg,
	                    "journal: abandoning r-done: already decided (abort by timeout)");

	/* A request without an id (the hub assigns one) is refused. */
	req = make_request("x", "s", "a", "ls");
	req->id[0] = '\0';
	struct ag_risk risk;
	ag_risk_init(&risk);
	assert_int_equal(ag_journal_add_request(j, req, &risk, NULL, 1, 2, &err), -1);
	assert_string_equal(err.msg,
	                    "journal: request has no valid id (the hub assigns one first)");
	ag_request_free(&req);
	ag_journal_close(&j);
}

struct pending {
	int n;
	char id[8][AG_ID_MAX + 1];
	char command[8][64];
	int score[8];
	char reason[8][64];
	int64_t created[8], deadline[8];
	int stop_after; /* 0: never */
};

static int
on_pending(void *ctx, struct ag_request *req, const struct ag_risk *risk, int64_t created_ms,
           int64_t deadline_ms)
{
	struct pending *p = ctx;
	assert_true(p->n < 8);
	snprintf(p->id[p->n], sizeof p->id[0], "%s", req->id);
	snprintf(p->command[p->n], sizeof p->command[0], "%s",
	         req->kind == AG_KIND_EXEC && req->u.exec.command ? req->u.exec.command : "");
	p->score[p->n] = risk->score;
	snprintf(p->reason[p->n], sizeof p->reason[0], "%s",
	         risk->nreasons > 0 ? risk->reasons[0].text : "");
	p->created[p->n] = created_ms;
	p->deadline[p->n] = deadline_ms;
	p->n++;
	ag_request_free(&req); /* the callback owns it */
	return p->stop_after != 0 && p->n >= p->stop_after;
}

static int
load_pending(struct ag_journal *j, struct pending *p)
{
	struct ag_error err = {{0}};
	memset(p->id, 0, sizeof p->id);
	p->n = 0;
	if (ag_journal_load_pending(j, NULL, on_pending, p, &err) != 0)
		fail_msg("load_pending: %s", err.msg);
	return p->n;
}

/* A hub killed with -9 in the middle of a batch: what it committed is
 * pending on restart; what it had not committed never happened. */
static void
test_pending_reload_after_kill(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ag_journal *j = NULL;
		struct ag_error err;
		if (ag_journal_open(db_path, 0, &j, &err) != 0)
			_exit(2);
		ag_journal_begin(j, &err);
		struct ag_request *req = make_request("r-kept", "s", "a", "make test");
		add(j, req, 55, 1000);
		ag_request_free(&req);
		req = make_request("r-decided", "s", "a", "ls");
		add(j, req, 0, 1001);
		ag_request_free(&req);
		decide(j, "r-decided", AG_DECISION_APPROVE, AG_BY_POLICY, "", 1002, &err);
		if (ag_journal_commit(j, &err) != 0)
			_exit(3);
		ag_journal_begin(j, &err);
		req = make_request("r-lost", "s", "a", "rm -rf /");
		add(j, req, 95, 2000);
		ag_request_free(&req);
		decide(j, "r-kept", AG_DECISION_DENY, AG_BY_HUMAN, "", 2001, &err);
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	struct ag_journal *j = open_rw();
	struct pending p = {0};
	assert_int_equal(load_pending(j, &p), 1);
	assert_string_equal(p.id[0], "r-kept");
	assert_string_equal(p.command[0], "make test");
	assert_int_equal(p.score[0], 55);
	assert_string_equal(p.reason[0], "a reason");
	assert_int_equal(p.created[0], 1000);
	assert_int_equal(p.deadline[0], 601000);
	struct ag_error err = {{0}};
	enum ag_request_state s;
	assert_int_equal(ag_journal_request_state(j, "r-lost", &s, &err), 0);
	struct ag_decision_info d;
	assert_int_equal(ag_journal_find_decision(j, "r-kept", &d, &err), 0);
	/* The uncommitted id is free again: the publisher's resend is new. */
	struct ag_request *req = make_request("r-lost", "s", "a", "rm -rf /");
	add(j, req, 95, 3000);
	ag_request_free(&req);
	ag_journal_close(&j);
}

/* The same, with an orderly close while a batch is open. */
static void
test_close_with_open_batch(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_begin(j, &err), 0);
	struct ag_request *req = make_request("r-a", "s", "a", "echo a");
	add(j, req, 10, 1000);
	ag_request_free(&req);
	assert_int_equal(ag_journal_commit(j, &err), 0);
	assert_int_equal(ag_journal_begin(j, &err), 0);
	req = make_request("r-b", "s", "a", "echo b");
	add(j, req, 10, 2000);
	ag_request_free(&req);
	ag_journal_close(&j);

	j = open_rw();
	struct pending p = {0};
	assert_int_equal(load_pending(j, &p), 1);
	assert_string_equal(p.id[0], "r-a");
	ag_journal_close(&j);
}

static void
test_nested_batches(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_journal *reader = NULL;
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_open(db_path, 1, &reader, &err), 0);
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	q.include_pending = 1;
	struct rows rows = {0};

	assert_int_equal(ag_journal_commit(j, &err), -1);
	assert_string_equal(err.msg, "journal: commit without a matching begin");

	assert_int_equal(ag_journal_begin(j, &err), 0);
	assert_int_equal(ag_journal_begin(j, &err), 0);
	struct ag_request *req = make_request("r-1", "s", "a", "ls");
	add(j, req, 0, 1000);
	ag_request_free(&req);
	assert_int_equal(ag_journal_commit(j, &err), 0); /* inner: nothing written yet */
	assert_int_equal(query_count(reader, &q, &rows), 0);
	/* Inside a batch, a refused write does not spoil the rest of it. */
	req = make_request("r-1", "s", "a", "ls");
	struct ag_risk risk;
	ag_risk_init(&risk);
	assert_int_equal(ag_journal_add_request(j, req, &risk, NULL, 1, 2, &err), -1);
	ag_request_free(&req);
	assert_int_equal(decide(j, "r-x", AG_DECISION_DENY, AG_BY_HUMAN, "", 1, &err), -1);
	req = make_request("r-2", "s", "a", "ls");
	add(j, req, 0, 1001);
	ag_request_free(&req);
	assert_int_equal(ag_journal_set_synchronous(j, 1, &err), -1);
	assert_int_equal(ag_journal_commit(j, &err), 0); /* outer: both land together */
	assert_int_equal(query_count(reader, &q, &rows), 2);
	assert_string_equal(rows.id[0], "r-1");
	assert_string_equal(rows.id[1], "r-2");
	rows_free(&rows);
	assert_int_equal(ag_journal_set_synchronous(j, 1, &err), 0);
	assert_int_equal(ag_journal_set_synchronous(j, 0, &err), 0);
	ag_journal_close(&reader);
	ag_journal_close(&j);
}

/* A request and its risk reasons land together or not at all, inside a
 * batch or outside one. A trigger planted with plain SQLite makes the
 * second reason fail. */
static void
test_request_is_atomic(void **state)
{
	struct ag_journal *j = open_rw();
	ag_journal_close(&j);
	sqlite3 *db = raw_open();
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE TRIGGER boom BEFORE INSERT ON risk"
	                              " WHEN NEW.reason = 'boom' BEGIN"
	                              " SELECT RAISE(ABORT, 'planted failure'); END",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);

	j = open_rw();
	struct ag_error err = {{0}};
	struct ag_risk risk;
	ag_risk_init(&risk);
	ag_risk_add(&risk, 40, 0, -1, -1, 0, "fine");
	ag_risk_add(&risk, 40, 0, -1, -1, 0, "boom");
	for (int batch = 0; batch <= 1; batch++) {
		if (batch)
			assert_int_equal(ag_journal_begin(j, &err), 0);
		struct ag_request *ok = make_request(batch ? "ok-b" : "ok-a", "s", "a", "ls");
		add(j, ok, 10, 1000);
		ag_request_free(&ok);
		struct ag_request *req = make_request(batch ? "bad-b" : "bad-a", "s", "a", "ls");
		assert_int_equal(ag_journal_add_request(j, req, &risk, NULL, 1, 2, &err), -1);
		char *want = xasprintf("journal: request %s: adding risk reason 1: planted failure",
		                       req->id);
		assert_string_equal(err.msg, want);
		free(want);
		ag_request_free(&req);
		if (batch)
			assert_int_equal(ag_journal_commit(j, &err), 0);
	}
	ag_risk_clear(&risk);
	ag_journal_close(&j);

	db = raw_open();
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests WHERE id LIKE 'bad-%'"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM risk WHERE request_id LIKE 'bad-%'"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests WHERE id LIKE 'ok-%'"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM risk WHERE request_id LIKE 'ok-%'"), 2);
	sqlite3_close(db);
}

static void
test_migrate_empty_file(void **state)
{
	struct ag_journal *j = open_rw(); /* creates the directories */
	ag_journal_close(&j);
	remove_tree(db_path);
	int fd = open(db_path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);

	/* A read-only open cannot migrate, and says so. */
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_open(db_path, 1, &j, &err), -1);
	char *want = xasprintf("journal %s: empty or not an agate journal", db_path);
	assert_string_equal(err.msg, want);
	free(want);

	j = open_rw();
	struct ag_request *req = make_request("r-1", "s", "a", "ls");
	add(j, req, 0, 1000);
	ag_request_free(&req);
	ag_journal_close(&j);
	sqlite3 *db = raw_open();
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests"), 1);
	sqlite3_close(db);
}

/* A journal from before the schema was versioned (user_version 0, its own
 * `requests` table): its data is kept aside, the new schema created. */
static void
test_migrate_pre_versioned(void **state)
{
	struct ag_journal *j = open_rw();
	ag_journal_close(&j);
	remove_tree(db_path);
	sqlite3 *db = raw_open();
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE TABLE requests (id TEXT PRIMARY KEY, command TEXT,"
	                              " decision TEXT);"
	                              "CREATE INDEX requests_created ON requests(command);"
	                              "CREATE TABLE grants (session TEXT, what TEXT);"
	                              "INSERT INTO requests VALUES ('old-1', 'make', 'approve');",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);

	j = open_rw();
	struct ag_request *req = make_request("r-new", "s", "a", "ls");
	add(j, req, 0, 1000);
	ag_request_free(&req);
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_add_grant(j, "s", "k", 1, &err), 0);
	assert_int_equal(ag_journal_check(j, &err), 0);
	ag_journal_close(&j);

	db = raw_open();
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests_v0 WHERE id = 'old-1'"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM grants_v0"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests WHERE id = 'r-new'"), 1);
	sqlite3_close(db);
}

/* A schema 1 journal (its extra indexes, the per-request session trigger
 * and the IN-list CHECK planted back, the hook column taken out, with
 * plain SQLite) is brought up to date: its rows stay, the indexes and the
 * trigger go, a session is counted once per request, not twice, and the
 * state CHECK, rewritten, still refuses what it refused. */
static void
test_migrate_from_v1(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_request *req = make_request("r-1", "s", "a", "ls");
	add(j, req, 0, 1000);
	ag_request_free(&req);
	ag_journal_close(&j);
	sqlite3 *db = raw_open();
	assert_int_equal(
	    sqlite3_exec(db,
	                 "CREATE INDEX requests_agent ON requests(agent, created_ms);"
	                 "CREATE INDEX requests_kind ON requests(kind, created_ms);"
	                 "CREATE INDEX requests_score ON requests(score);"
	                 "CREATE INDEX decisions_decision ON decisions(decision, decided_ms);"
	                 "CREATE INDEX decisions_by ON decisions(decided_by, decided_ms);"
	                 "CREATE INDEX decisions_time ON decisions(decided_ms);"
	                 "CREATE TRIGGER requests_session AFTER INSERT ON requests BEGIN"
	                 " INSERT INTO sessions(id, agent, cwd, first_ms, last_ms, requests)"
	                 "  VALUES (NEW.session, NEW.agent, NEW.cwd, NEW.created_ms,"
	                 "   NEW.created_ms, 1)"
	                 "  ON CONFLICT(id) DO UPDATE SET requests = requests + 1,"
	                 "   last_ms = max(last_ms, excluded.last_ms),"
	                 "   agent = excluded.agent, cwd = excluded.cwd;"
	                 " END;"
	                 "ALTER TABLE requests DROP COLUMN hook_json;"
	                 "PRAGMA user_version = 1;",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	int64_t cookie = raw_int(db, "PRAGMA schema_version");
	char *plant = xasprintf(
	    "PRAGMA writable_schema = ON;"
	    "UPDATE sqlite_master SET sql = replace(sql,"
	    " 'CHECK (state = ''pending'' OR state = ''decided'' OR state = ''abandoned'')',"
	    " 'CHECK (state IN (''pending'', ''decided'', ''abandoned''))')"
	    " WHERE name = 'requests';"
	    "PRAGMA schema_version = %lld; PRAGMA writable_schema = OFF;",
	    (long long)cookie + 1);
	assert_int_equal(sqlite3_exec(db, plant, NULL, NULL, NULL), SQLITE_OK);
	free(plant);
	sqlite3_close(db);
	db = raw_open();
	assert_int_equal(raw_int(db, "SELECT instr(sql, 'state IN (') > 0 FROM sqlite_master"
	                             " WHERE name = 'requests'"),
	                 1);
	sqlite3_close(db);

	j = open_rw();
	req = make_request("r-2", "s", "a", "ls");
	add(j, req, 0, 2000);
	ag_request_free(&req);
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_check(j, &err), 0);
	ag_journal_close(&j);
	db = raw_open();
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	                             " ('requests_agent', 'requests_kind', 'requests_score',"
	                             " 'decisions_decision', 'decisions_by', 'decisions_time')"),
	                 0);
	/* The trigger goes; the index of the same name, which log --session
	 * uses, stays. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
	                             " AND name = 'requests_session'"),
	                 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
	                             " AND name = 'requests_session'"),
	                 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests"), 2);
	assert_int_equal(raw_int(db, "SELECT requests FROM sessions WHERE id = 's'"), 2);
	assert_int_equal(raw_int(db, "SELECT last_ms FROM sessions WHERE id = 's'"), 2000);
	assert_int_equal(raw_int(db, "SELECT instr(sql, 'state IN (') = 0"
	                             " AND instr(sql, 'state = ''abandoned''') > 0"
	                             " FROM sqlite_master WHERE name = 'requests'"),
	                 1);
	assert_int_equal(sqlite3_exec(db, "UPDATE requests SET state = 'bogus' WHERE id = 'r-2'",
	                              NULL, NULL, NULL),
	                 SQLITE_CONSTRAINT);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests WHERE state = 'pending'"), 2);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Session rows are written once per batch, and come out as a per-request
 * upsert would leave them: counts, first and last times, the latest agent
 * and cwd; more sessions than the batch holds at once; a batch that never
 * commits counts nothing. */
static void
test_sessions(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_begin(j, &err), 0);
	for (int i = 0; i < 3; i++) {
		char id[32];
		snprintf(id, sizeof id, "r-many-%d", i);
		struct ag_request *req = make_request(id, "s-many", "a", "ls");
		add(j, req, 0, 100 + i);
		ag_request_free(&req);
	}
	assert_int_equal(ag_journal_commit(j, &err), 0);
	assert_int_equal(ag_journal_begin(j, &err), 0);
	for (int round = 0; round < 2; round++)
		for (int s = 0; s < 40; s++) {
			char id[32], session[32];
			snprintf(id, sizeof id, "r-%d-%d", round, s);
			snprintf(session, sizeof session, "s-%d", s);
			/* s-0's clock goes backwards: last_ms keeps the latest. */
			int64_t at = s == 0 ? 5000 - round : 1000 * round + s;
			struct ag_request *req =
			    make_request_full(id, session, round ? "codex" : "claude",
			                      round ? "/b" : "/a", "", "ls", 0);
			add(j, req, 0, at);
			ag_request_free(&req);
		}
	assert_int_equal(ag_journal_commit(j, &err), 0);
	/* Outside a batch, each request counts at once. */
	struct ag_request *req = make_request_full("r-3", "s-7", "aider", "/c", "", "ls", 0);
	add(j, req, 0, 9000);
	ag_request_free(&req);
	/* A batch that is never committed leaves no trace. */
	assert_int_equal(ag_journal_begin(j, &err), 0);
	req = make_request_full("r-4", "s-7", "ghost", "/g", "", "ls", 0);
	add(j, req, 0, 9999);
	ag_request_free(&req);
	ag_journal_close(&j);

	sqlite3 *db = raw_open();
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sessions"), 41);
	assert_int_equal(raw_int(db, "SELECT sum(requests) FROM sessions"), 84);
	assert_int_equal(raw_int(db, "SELECT requests FROM sessions WHERE id = 's-many'"), 3);
	assert_int_equal(raw_int(db, "SELECT last_ms FROM sessions WHERE id = 's-many'"), 102);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sessions WHERE requests = 2"), 39);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sessions WHERE agent = 'codex'"
	                             " AND cwd = '/b'"),
	                 39);
	assert_int_equal(raw_int(db, "SELECT first_ms FROM sessions WHERE id = 's-5'"), 5);
	assert_int_equal(raw_int(db, "SELECT last_ms FROM sessions WHERE id = 's-5'"), 1005);
	assert_int_equal(raw_int(db, "SELECT first_ms FROM sessions WHERE id = 's-0'"), 5000);
	assert_int_equal(raw_int(db, "SELECT last_ms FROM sessions WHERE id = 's-0'"), 5000);
	assert_int_equal(raw_int(db, "SELECT requests FROM sessions WHERE id = 's-7'"), 3);
	assert_int_equal(raw_int(db, "SELECT last_ms FROM sessions WHERE id = 's-7'"), 9000);
	assert_int_equal(raw_int(db, "SELECT agent = 'aider' AND cwd = '/c' FROM sessions"
	                             " WHERE id = 's-7'"),
	                 1);
	sqlite3_close(db);
}

static void
test_migrate_refusals(void **state)
{
	struct ag_journal *j = open_rw();
	ag_journal_close(&j);
	struct ag_error err = {{0}};

	/* Somebody else's database: refused and left alone. */
	remove_tree(db_path);
	sqlite3 *db = raw_open();
	sqlite3_exec(db, "CREATE TABLE notes (body TEXT)", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), -1);
	char *want = xasprintf("journal %s: not an agate journal (it has tables but no agate "
	                       "schema); refusing to change it",
	                       db_path);
	assert_string_equal(err.msg, want);
	free(want);
	db = raw_open();
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 1);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "delete"); /* not WAL */
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* Another program's file, marked by its application id. */
	remove_tree(db_path);
	db = raw_open();
	sqlite3_exec(db, "PRAGMA application_id = 1234", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), -1);
	want = xasprintf("journal %s: not an agate journal (application id 0x4d2)", db_path);
	assert_string_equal(err.msg, want);
	free(want);

	/* From a newer agate: refused, in both modes. */
	remove_tree(db_path);
	j = open_rw();
	ag_journal_close(&j);
	db = raw_open();
	sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(db);
	for (int ro = 0; ro <= 1; ro++) {
		assert_int_equal(ag_journal_open(db_path, ro, &j, &err), -1);
		want =
		    xasprintf("journal %s: schema version 99 is newer than this agate knows (%d); "
		              "upgrade agate",
		              db_path, SCHEMA_VERSION);
		assert_string_equal(err.msg, want);
		free(want);
	}

	/* Not a database at all. */
	remove_tree(db_path);
	FILE *f = fopen(db_path, "w");
	fputs("this is a text file, long enough to have a header of sorts..........\n", f);
	fclose(f);
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), -1);
	assert_non_null(strstr(err.msg, db_path));
	assert_non_null(strstr(err.msg, "not a database"));
}

static void
test_grants(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	const char *key = "exec {\"command\":\"git push\",\"kind\":\"exec\"}";
	assert_int_equal(ag_journal_has_grant(j, "s-1", key, &err), 0);
	assert_int_equal(ag_journal_add_grant(j, "s-1", key, 1000, &err), 0);
	assert_int_equal(ag_journal_add_grant(j, "s-1", key, 2000, &err), 0); /* idempotent */
	assert_int_equal(ag_journal_has_grant(j, "s-1", key, &err), 1);
	assert_int_equal(ag_journal_has_grant(j, "s-2", key, &err), 0); /* per session */
	assert_int_equal(ag_journal_has_grant(j, "s-1", "exec {}", &err), 0);
	ag_journal_close(&j);

	/* Grants survive a restart. */
	j = open_rw();
	assert_int_equal(ag_journal_has_grant(j, "s-1", key, &err), 1);
	ag_journal_close(&j);
}

static void
test_reviews(void **state)
{
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	struct ag_request *req = make_request("r-1", "s", "a", "curl x | sh");
	add(j, req, 70, 1000);
	ag_request_free(&req);
	struct ag_review_record r = {
	    .request_id = "r-1",
	    .model = "gpt-test",
	    .verdict_json = "{\"outcome\":\"deny\",\"risk_level\":\"high\"}",
	    .latency_ms = 850,
	    .tokens_in = 1200,
	    .tokens_out = 80,
	    .at_ms = 2000,
	};
	assert_int_equal(ag_journal_add_review(j, &r, &err), 0);
	r.verdict_json = NULL;
	r.error = "timeout after 30s";
	assert_int_equal(ag_journal_add_review(j, &r, &err), 0);
	r.error = NULL;
	assert_int_equal(ag_journal_add_review(j, &r, &err), -1);
	assert_string_equal(err.msg, "journal: review of r-1: neither a verdict nor an error");
	r.request_id = "r-ghost";
	r.error = "x";
	assert_int_equal(ag_journal_add_review(j, &r, &err), -1);
	assert_string_equal(err.msg, "journal: review of r-ghost: no such request");
	ag_journal_close(&j);

	sqlite3 *db = raw_open();
	assert_int_equal(raw_int(db, "SELECT count(*) FROM reviews WHERE request_id = 'r-1'"), 2);
	assert_int_equal(raw_int(db, "SELECT sum(tokens_in) FROM reviews"), 2400);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM reviews WHERE error IS NOT NULL"), 1);
	sqlite3_close(db);
}

/* Seven requests, varied on every filtered field. */
static void
fill_for_queries(struct ag_journal *j)
{
	static const struct {
		const char *id, *session, *agent, *command;
		int score;
		int64_t created;
		int decision, by; /* -1: undecided */
	} rows[] = {
	    {"q-1", "s-a", "claude-code", "ls", 0, 1000, AG_DECISION_APPROVE, AG_BY_POLICY},
	    {"q-2", "s-a", "claude-code", "rm -rf /", 95, 2000, AG_DECISION_DENY, AG_BY_HUMAN},
	    {"q-3", "s-b", "codex", "make", 30, 3000, AG_DECISION_APPROVE, AG_BY_GUARDIAN},
	    {"q-4", "s-b", "codex", "git push", 60, 4000, AG_DECISION_DEFER, AG_BY_TIMEOUT},
	    {"q-5", "s-a", "codex", "cat x", 10, 5000, -1, -1},
	    {"q-6", "s-c", "claude-code", "", 50, 6000, AG_DECISION_DENY, AG_BY_GUARDIAN},
	    {"q-7", "s-c", "claude-code", "", 20, 7000, AG_DECISION_APPROVE_SESSION, AG_BY_HUMAN},
	};
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_begin(j, &err), 0);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct ag_request *req;
		if (strcmp(rows[i].id, "q-6") == 0)
			req = make_request_json(
			    "{\"v\":1,\"type\":\"request\",\"id\":\"q-6\",\"session\":\"s-c\","
			    "\"agent\":\"claude-code\",\"action\":{\"kind\":\"network\","
			    "\"host\":\"example.com\",\"port\":443,\"protocol\":\"https\"}}");
		else if (strcmp(rows[i].id, "q-7") == 0)
			req = make_request_json(
			    "{\"v\":1,\"type\":\"request\",\"id\":\"q-7\",\"session\":\"s-c\","
			    "\"agent\":\"claude-code\",\"action\":{\"kind\":\"patch\","
			    "\"diff\":\"--- a/x\\n+++ b/x\\n@@ -1 +1 @@\\n-a\\n+b\\n\"}}");
		else
			req = make_request(rows[i].id, rows[i].session, rows[i].agent,
			                   rows[i].command);
		add(j, req, rows[i].score, rows[i].created);
		ag_request_free(&req);
		if (rows[i].decision >= 0)
			assert_int_equal(decide(j, rows[i].id, rows[i].decision, rows[i].by, "",
			                        rows[i].created + 10, &err),
			                 0);
	}
	assert_int_equal(ag_journal_commit(j, &err), 0);
}

/* The ids a query returns, joined with commas. */
static const char *
ids(struct ag_journal *j, const struct ag_journal_query *q)
{
	static char buf[256];
	struct rows rows = {0};
	query_count(j, q, &rows);
	buf[0] = '\0';
	for (int i = 0; i < rows.n; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, "%s%s", i ? "," : "", rows.id[i]);
	}
	rows_free(&rows);
	return buf;
}

static void
test_queries(void **state)
{
	struct ag_journal *j = open_rw();
	fill_for_queries(j);
	ag_journal_close(&j);
	/* agate log reads with its own, read-only handle. */
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_open(db_path, 1, &j, &err), 0);
	struct ag_journal_query q;

	ag_journal_query_init(&q);
	assert_string_equal(ids(j, &q), "q-1,q-2,q-3,q-4,q-6,q-7");
	q.include_pending = 1;
	assert_string_equal(ids(j, &q), "q-1,q-2,q-3,q-4,q-5,q-6,q-7");

	ag_journal_query_init(&q);
	q.session = "s-a";
	q.include_pending = 1;
	assert_string_equal(ids(j, &q), "q-1,q-2,q-5");
	ag_journal_query_init(&q);
	q.agent = "codex";
	assert_string_equal(ids(j, &q), "q-3,q-4");
	ag_journal_query_init(&q);
	q.id = "q-4";
	assert_string_equal(ids(j, &q), "q-4");
	ag_journal_query_init(&q);
	q.kind = AG_KIND_NETWORK;
	assert_string_equal(ids(j, &q), "q-6");
	ag_journal_query_init(&q);
	q.kind = AG_KIND_PATCH;
	assert_string_equal(ids(j, &q), "q-7");
	ag_journal_query_init(&q);
	q.decision = AG_DECISION_APPROVE;
	q.include_pending = 1; /* a decision filter excludes the undecided anyway */
	assert_string_equal(ids(j, &q), "q-1,q-3");
	ag_journal_query_init(&q);
	q.decision = AG_DECISION_DENY;
	assert_string_equal(ids(j, &q), "q-2,q-6");
	ag_journal_query_init(&q);
	q.by = AG_BY_HUMAN;
	assert_string_equal(ids(j, &q), "q-2,q-7");
	ag_journal_query_init(&q);
	q.by = AG_BY_GUARDIAN;
	q.decision = AG_DECISION_DENY;
	assert_string_equal(ids(j, &q), "q-6");
	ag_journal_query_init(&q);
	q.min_score = 50;
	assert_string_equal(ids(j, &q), "q-2,q-4,q-6");
	ag_journal_query_init(&q);
	q.min_score = 0;
	q.include_pending = 1;
	assert_string_equal(ids(j, &q), "q-1,q-2,q-3,q-4,q-5,q-6,q-7");
	ag_journal_query_init(&q);
	q.since_ms = 3000;
	q.until_ms = 6000;
	q.include_pending = 1;
	assert_string_equal(ids(j, &q), "q-3,q-4,q-5");
	ag_journal_query_init(&q);
	q.limit = 2; /* the newest two, oldest first */
	assert_string_equal(ids(j, &q), "q-6,q-7");
	ag_journal_query_init(&q);
	q.session = "s-a";
	q.agent = "claude-code";
	q.min_score = 1;
	assert_string_equal(ids(j, &q), "q-2");
	ag_journal_query_init(&q);
	q.session = "nobody";
	assert_string_equal(ids(j, &q), "");

	/* The summary column is the request's own one-line summary. */
	ag_journal_query_init(&q);
	q.id = "q-6";
	struct rows rows = {0};
	query_count(j, &q, &rows);
	assert_non_null(strstr(rows.text[0], "summary="));
	assert_non_null(strstr(rows.text[0], "example.com"));
	rows_free(&rows);

	/* A read-only handle refuses writes, with SQLite's reason. */
	struct ag_request *req = make_request("r-ro", "s", "a", "ls");
	struct ag_risk risk;
	ag_risk_init(&risk);
	assert_int_equal(ag_journal_add_request(j, req, &risk, NULL, 1, 2, &err), -1);
	assert_non_null(strstr(err.msg, "journal: "));
	assert_non_null(strstr(err.msg, "readonly"));
	ag_request_free(&req);
	ag_journal_close(&j);
}

static int
stop_at_two(void *ctx, const struct ag_journal_row *row)
{
	int *n = ctx;
	return ++*n == 2;
}

static void
test_callbacks_stop(void **state)
{
	struct ag_journal *j = open_rw();
	fill_for_queries(j);
	struct ag_error err = {{0}};
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	int n = 0;
	assert_int_equal(ag_journal_query(j, &q, stop_at_two, &n, &err), 0);
	assert_int_equal(n, 2);

	struct ag_request *req = make_request("p-2", "s", "a", "two");
	add(j, req, 0, 9000);
	ag_request_free(&req);
	struct pending p = {.stop_after = 1};
	assert_int_equal(load_pending(j, &p), 1);
	assert_string_equal(p.id[0], "q-5");
	p.stop_after = 0;
	assert_int_equal(load_pending(j, &p), 2);
	assert_string_equal(p.id[1], "p-2");
	ag_journal_close(&j);
}

static void
test_integrity_check(void **state)
{
	struct ag_journal *j = open_rw();
	fill_for_queries(j);
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_check(j, &err), 0);
	ag_journal_close(&j);

	/* A row that lost its request (foreign keys were off when it was
	 * written): the check names it. */
	sqlite3 *db = raw_open();
	assert_int_equal(sqlite3_exec(db, "INSERT INTO risk VALUES ('ghost', 0, 0, 'x', -1, -1, 0)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	j = open_rw();
	assert_int_equal(ag_journal_check(j, &err), -1);
	char *want = xasprintf("journal %s: foreign key check found 1 problem: a row in risk "
	                       "refers to a missing requests row",
	                       db_path);
	assert_string_equal(err.msg, want);
	free(want);
	ag_journal_close(&j);

	/* Damaged pages: overwrite the middle of a checkpointed file. */
	remove_tree(db_path);
	j = open_rw();
	assert_int_equal(ag_journal_begin(j, &err), 0);
	for (int i = 0; i < 400; i++) {
		char id[32];
		snprintf(id, sizeof id, "big-%d", i);
		struct ag_request *req =
		    make_request(id, "s", "agent", "a fairly long command text");
		add(j, req, i % 100, i);
		ag_request_free(&req);
	}
	assert_int_equal(ag_journal_commit(j, &err), 0);
	ag_journal_close(&j); /* the last close checkpoints the WAL into the file */
	struct stat st;
	assert_int_equal(stat(db_path, &st), 0);
	assert_true(st.st_size > 16 * 4096);
	int fd = open(db_path, O_WRONLY);
	assert_true(fd >= 0);
	char junk[4096];
	memset(junk, 0x5a, sizeof junk);
	for (off_t off = 4 * 4096; off + 4096 < st.st_size; off += 3 * 4096)
		assert_int_equal(pwrite(fd, junk, sizeof junk, off), (ssize_t)sizeof junk);
	close(fd);
	j = open_rw();
	assert_int_equal(ag_journal_check(j, &err), -1);
	want = xasprintf("journal %s: integrity check found ", db_path);
	assert_memory_equal(err.msg, want, strlen(want));
	free(want);
	ag_journal_close(&j);
}

static void
test_readonly_missing(void **state)
{
	struct ag_journal *j = NULL;
	struct ag_error err = {{0}};
	char *path = xasprintf("%s/nowhere/journal.db", tmpdir);
	assert_int_equal(ag_journal_open(path, 1, &j, &err), -1);
	assert_null(j);
	char *want = xasprintf(
	    "journal %s: No such file or directory (nothing has been journaled there yet)", path);
	assert_string_equal(err.msg, want);
	free(want);
	/* And it did not create anything on the way. */
	struct stat st;
	char *dir = xasprintf("%s/nowhere", tmpdir);
	assert_int_equal(stat(dir, &st), -1);
	free(dir);
	free(path);

	assert_int_equal(ag_journal_open(tmpdir, 1, &j, &err), -1);
	want = xasprintf("journal %s: not a regular file", tmpdir);
	assert_string_equal(err.msg, want);
	free(want);
}

/* Text that looks like SQL, quotes, backslashes, format directives and
 * non-ASCII: stored and read back byte for byte, and the tables intact. */
static void
test_hostile_strings(void **state)
{
	static const char *const evil[] = {
	    "'); DROP TABLE requests;--",
	    "\"; DELETE FROM decisions; --",
	    "x' OR '1'='1",
	    "%s%s%n%x",
	    "back\\slash \\' \\\" ",
	    "?1 :id @x $y",
	    "caf\xc3\xa9 \xe2\x80\xae gnp.exe",
	};
	struct ag_journal *j = open_rw();
	struct ag_error err = {{0}};
	char id[32];
	for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
		snprintf(id, sizeof id, "h-%zu", i);
		struct ag_request *req =
		    make_request_full(id, evil[i], evil[i], evil[i], evil[i], evil[i], 0);
		struct ag_risk risk;
		ag_risk_init(&risk);
		ag_risk_add(&risk, 40, 0, -1, -1, 0, evil[i]);
		assert_int_equal(
		    ag_journal_add_request(j, req, &risk, evil[i], 100 + (int64_t)i, 1000, &err),
		    0);
		ag_risk_clear(&risk);
		ag_request_free(&req);
		assert_int_equal(ag_journal_add_grant(j, evil[i], evil[i], 1, &err), 0);
	}
	assert_int_equal(decide(j, "h-0", AG_DECISION_DENY, AG_BY_HUMAN, evil[0], 5, &err), 0);
	ag_journal_close(&j);
	j = open_rw();

	/* Pending reload rebuilds each request from what was stored. */
	struct pending p = {0};
	assert_int_equal(load_pending(j, &p), 6);
	for (int i = 0; i < 6; i++) {
		assert_string_equal(p.command[i], evil[i + 1]);
		assert_string_equal(p.reason[i], evil[i + 1]);
	}
	/* Every filter takes the text as a value, never as SQL. */
	for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
		struct ag_journal_query q;
		ag_journal_query_init(&q);
		q.session = evil[i];
		q.agent = evil[i];
		q.include_pending = 1;
		struct rows rows = {0};
		assert_int_equal(query_count(j, &q, &rows), 1);
		snprintf(id, sizeof id, "h-%zu", i);
		assert_string_equal(rows.id[0], id);
		cJSON *str = cJSON_CreateString(evil[i]);
		char *cmd = cJSON_PrintUnformatted(str);
		cJSON_Delete(str);
		char *want =
		    xasprintf("session=%s|agent=%s|kind=exec|cwd=%s|just=%s|summary=", evil[i],
		              evil[i], evil[i], evil[i]);
		assert_memory_equal(rows.text[0], want, strlen(want));
		free(want);
		want =
		    xasprintf("|action={\"kind\":\"exec\",\"command\":%s}|rule=%s|", cmd, evil[i]);
		assert_non_null(strstr(rows.text[0], want));
		free(want);
		cJSON_free(cmd);
		rows_free(&rows);
		assert_int_equal(ag_journal_has_grant(j, evil[i], evil[i], &err), 1);
	}
	struct ag_decision_info d;
	assert_int_equal(ag_journal_find_decision(j, "h-0", &d, &err), 1);
	assert_string_equal(d.reason, evil[0]);
	ag_decision_info_clear(&d);
	assert_int_equal(ag_journal_check(j, &err), 0);
	ag_journal_close(&j);

	sqlite3 *db = raw_open();
	assert_int_equal(raw_int(db, "SELECT count(*) FROM requests"), 7);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM decisions"), 1);
	sqlite3_close(db);
}

static void
test_default_path(void **state)
{
	char *saved[3];
	const char *names[3] = {"AGATE_JOURNAL", "XDG_STATE_HOME", "HOME"};
	for (int i = 0; i < 3; i++)
		saved[i] = getenv(names[i]) ? xstrdup(getenv(names[i])) : NULL;

	setenv("AGATE_JOURNAL", "/env/journal.db", 1);
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	setenv("HOME", "/home/u", 1);
	char *p = ag_journal_default_path("/flag/j.db");
	assert_string_equal(p, "/flag/j.db");
	free(p);
	p = ag_journal_default_path(NULL);
	assert_string_equal(p, "/env/journal.db");
	free(p);
	unsetenv("AGATE_JOURNAL");
	p = ag_journal_default_path("");
	assert_string_equal(p, "/xdg/state/agate/journal.db");
	free(p);
	setenv("XDG_STATE_HOME", "relative", 1); /* ignored, as XDG says */
	p = ag_journal_default_path(NULL);
	assert_string_equal(p, "/home/u/.local/state/agate/journal.db");
	free(p);

	for (int i = 0; i < 3; i++) {
		if (saved[i] != NULL)
			setenv(names[i], saved[i], 1);
		else
			unsetenv(names[i]);
		free(saved[i]);
	}
}

/* ---- benchmark ---------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n requests (one risk reason each) and their decisions, `batch` per
 * batch: each batch adds `batch` requests, then decides the previous
 * batch's, as a hub turn would. Prints rows per second. */
static int
bench_one(const char *path, int full, int n, int batch)
{
	struct ag_journal *j = NULL;
	struct ag_error err;
	unlink(path);
	if (ag_journal_open(path, 0, &j, &err) != 0 || ag_journal_set_synchronous(j, full, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct ag_request **reqs = xcalloc((size_t)n, sizeof *reqs);
	for (int i = 0; i < n; i++) {
		char id[32], cmd[64];
		snprintf(id, sizeof id, "r-%08d", i);
		snprintf(cmd, sizeof cmd, "make -j8 target-%d && ./run-tests --shard %d", i, i % 7);
		reqs[i] = make_request_full(id, i % 2 ? "s-1" : "s-2", "claude-code",
		                            "/home/dev/repo", "build and test", cmd, 0);
	}
	struct ag_risk risk;
	ag_risk_init(&risk);
	ag_risk_add(&risk, 30, AG_CATEGORY(DESTRUCTIVE), 0, 4, 0, "runs a build");
	double t0 = now_s();
	for (int b = 0; b * batch < n + batch; b++) {
		ag_journal_begin(j, &err);
		for (int i = b * batch; i < (b + 1) * batch && i < n; i++)
			if (ag_journal_add_request(j, reqs[i], &risk, NULL, i, i + 600000, &err)) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
		for (int i = (b - 1) * batch; b > 0 && i < b * batch && i < n; i++)
			if (decide(j, reqs[i]->id, AG_DECISION_APPROVE, AG_BY_HUMAN, "ok", i,
			           &err)) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
		if (ag_journal_commit(j, &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	}
	double dt = now_s() - t0;
	ag_journal_close(&j);
	ag_risk_clear(&risk);
	for (int i = 0; i < n; i++)
		ag_request_free(&reqs[i]);
	free(reqs);
	printf("synchronous=%-6s batch=%-4d %d requests + %d decisions in %.2fs: %.0f "
	       "requests/s, %.0f rows/s (a request and its decision: 2 rows)\n",
	       full ? "FULL" : "NORMAL", batch, n, n, dt, n / dt, 2 * n / dt);
	return 0;
}

static int
bench(int n, int batch)
{
	if (n <= 0 || batch <= 0) {
		fprintf(stderr, "usage: test_journal --bench [REQUESTS [BATCH]]\n");
		return 2;
	}
	char *path = xasprintf("%s/bench.db", tmpdir);
	int rc = bench_one(path, 0, n, batch) || bench_one(path, 1, n, batch);
	free(path);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--bench") == 0) {
		if (setup(NULL) != 0)
			return 1;
		int rc = bench(argc >= 3 ? atoi(argv[2]) : 100000, argc >= 4 ? atoi(argv[3]) : 100);
		teardown(NULL);
		return rc;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_creates_private_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_first_decision_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decision_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_reload_after_kill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_with_open_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nested_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_is_atomic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_empty_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_pre_versioned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reviews, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_callbacks_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_integrity_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_strings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
