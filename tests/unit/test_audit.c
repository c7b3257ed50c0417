/* The journal tools' building blocks against a real SQLite file: gc keeps
 * pending and recent rows and restores the final-decision trigger exactly,
 * refuses a journal whose trigger someone removed, and compacts; rows
 * rebuild into the requests that were journaled; reviews and grants are
 * listed; and the command-line helpers (durations, bounded lines, sets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmd/audit.h"
#include "core/journal.h"
#include "core/request.h"
#include "core/xmalloc.h"

static char tmpdir[256];
static char *db_path;

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/agate-audit-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	db_path = xasprintf("%s/journal.db", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char *p;
	static const char *const suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		p = xasprintf("%s%s", db_path, suffix[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
	free(db_path);
	return 0;
}

static struct ag_request *
make_request(const char *id, const char *session, const char *command, int64_t timeout_ms)
{
	char *text = xasprintf("{\"v\":1,\"type\":\"request\",\"id\":\"%s\",\"session\":\"%s\","
	                       "\"agent\":\"test\",\"cwd\":\"/repo\",\"timeout_ms\":%lld,"
	                       "\"action\":{\"kind\":\"exec\",\"command\":\"%s\"}}",
	                       id, session, (long long)timeout_ms, command);
	cJSON *frame = cJSON_Parse(text);
	free(text);
	struct ag_request *req = NULL;
	struct ag_error err;
	assert_int_equal(ag_request_from_json(frame, NULL, &req, &err), 0);
	cJSON_Delete(frame);
	return req;
}

/* A request created at `at`, with one risk reason; decided unless
 * decision < 0. */
static void
add(struct ag_journal *j, const char *id, const char *session, int64_t at, int decision)
{
	struct ag_request *req = make_request(id, session, "rm -rf build", 60000);
	struct ag_risk risk;
	ag_risk_init(&risk);
	ag_risk_add(&risk, 40, AG_CATEGORY(DESTRUCTIVE), 0, 2, 0, "deletes");
	struct ag_error err;
	assert_int_equal(ag_journal_add_request(j, req, &risk, NULL, at, at + 60000, &err), 0);
	if (decision >= 0) {
		struct ag_decision_info d = {.decision = (enum ag_decision)decision,
		                             .by = AG_BY_HUMAN,
		                             .reason = (char *)"because",
		                             .at_ms = at + 10};
		snprintf(d.id, sizeof d.id, "%s", id);
		assert_int_equal(ag_journal_add_decision(j, &d, &err), 0);
	}
	ag_risk_clear(&risk);
	ag_request_free(&req);
}

static int64_t
count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static char *
trigger_sql(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT sql FROM sqlite_master WHERE name = "
	                                    "'decisions_final_delete'",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	char *s = sqlite3_step(st) == SQLITE_ROW ? xstrdup((const char *)sqlite3_column_text(st, 0))
	                                         : NULL;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return s;
}

static void
test_gc_keeps_pending_and_recent(void **state)
{
	(void)state;
	struct ag_journal *j = NULL;
	struct ag_error err;
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), 0);
	struct ag_review_record rv = {
	    .request_id = "old1", .model = "m", .verdict_json = "{}", .at_ms = 1000};
	/* 25 old decided (more than one batch of 10), 1 old abandoned, 1 old
	 * pending, 2 recent. */
	for (int i = 0; i < 25; i++) {
		char id[16];
		snprintf(id, sizeof id, "old%d", i);
		add(j, id, i < 20 ? "s-old" : "s-mixed", 1000 + i, AG_DECISION_DENY);
	}
	assert_int_equal(ag_journal_add_review(j, &rv, &err), 0);
	add(j, "old-aband", "s-old", 2000, -1);
	assert_int_equal(ag_journal_set_abandoned(j, "old-aband", 2001, &err), 0);
	add(j, "old-pend", "s-pend", 2100, -1);
	add(j, "new1", "s-mixed", 100000, AG_DECISION_APPROVE);
	add(j, "new2", "s-new", 100001, AG_DECISION_APPROVE);
	assert_int_equal(ag_journal_add_grant(j, "s-old", "key", 1500, &err), 0);
	assert_int_equal(ag_journal_add_grant(j, "s-mixed", "key", 1500, &err), 0);
	char *before = trigger_sql();
	assert_non_null(before);

	struct ag_journal_gc_stats st;
	assert_int_equal(ag_journal_gc(j, 50000, 10, &st, &err), 0);
	assert_int_equal(st.requests, 26);
	assert_int_equal(st.decisions, 25);
	assert_int_equal(st.reviews, 1);
	assert_int_equal(st.reasons, 26);
	assert_int_equal(st.sessions, 1); /* s-old; s-mixed keeps new1, s-pend its pending */
	assert_int_equal(st.grants, 1);
	assert_int_equal(st.kept_pending, 1);
	ag_journal_close(&j);

	assert_int_equal(count("SELECT count(*) FROM requests"), 3);
	assert_int_equal(
	    count("SELECT count(*) FROM requests WHERE id IN ('old-pend','new1','new2')"), 3);
	assert_int_equal(count("SELECT requests FROM sessions WHERE id = 's-mixed'"), 1);
	assert_int_equal(count("SELECT first_ms FROM sessions WHERE id = 's-mixed'"), 100000);
	assert_int_equal(count("SELECT count(*) FROM grants WHERE session = 's-mixed'"), 1);
	assert_int_equal(count("SELECT count(*) FROM risk"), 3);
	/* The trigger is back, word for word, and works. */
	char *after = trigger_sql();
	assert_non_null(after);
	assert_string_equal(before, after);
	free(before);
	free(after);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM decisions", NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "decisions are final"));
	sqlite3_close(db);

	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), 0);
	assert_int_equal(ag_journal_check(j, &err), 0);
	ag_journal_close(&j);
}

static void
test_gc_refuses_altered_journal(void **state)
{
	(void)state;
	struct ag_journal *j = NULL;
	struct ag_error err;
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), 0);
	add(j, "a", "s", 1000, AG_DECISION_DENY);
	ag_journal_close(&j);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER decisions_final_delete", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), 0);
	assert_int_equal(ag_journal_gc(j, 50000, 0, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "altered outside agate"));
	ag_journal_close(&j);
	assert_int_equal(count("SELECT count(*) FROM requests"), 1);
	/* Read-only handles and open batches are refused too. */
	assert_int_equal(ag_journal_open(db_path, 1, &j, &err), 0);
	assert_int_equal(ag_journal_gc(j, 50000, 0, NULL, &err), -1);
	ag_journal_close(&j);
}

static void
test_compact(void **state)
{
	(void)state;
	struct ag_journal *j = NULL;
	struct ag_error err;
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), 0);
	assert_int_equal(ag_journal_begin(j, &err), 0);
	for (int i = 0; i < 2000; i++) {
		char id[16];
		snprintf(id, sizeof id, "r%d", i);
		add(j, id, "s", 1000 + i, AG_DECISION_APPROVE);
	}
	assert_int_equal(ag_journal_commit(j, &err), 0);
	assert_int_equal(ag_journal_gc(j, 1000000, 0, NULL, &err), 0);
	int64_t pages, free_pages, freed;
	const char *mode;
	assert_int_equal(ag_journal_pages(j, &pages, &free_pages, NULL, &err), 0);
	assert_true(free_pages > 10);
	/* Without incremental vacuum and without full: nothing is done. */
	assert_int_equal(ag_journal_compact(j, 0, &freed, &mode, &err), 0);
	assert_string_equal(mode, "none");
	assert_int_equal(freed, 0);
	assert_int_equal(ag_journal_compact(j, 1, &freed, &mode, &err), 0);
	assert_string_equal(mode, "full");
	int64_t pages2;
	assert_int_equal(ag_journal_pages(j, &pages2, &free_pages, NULL, &err), 0);
	assert_true(pages2 < pages / 2);
	assert_int_equal(free_pages, 0);
	/* From now on, incremental. */
	assert_int_equal(ag_journal_begin(j, &err), 0);
	for (int i = 0; i < 500; i++) {
		char id[16];
		snprintf(id, sizeof id, "n%d", i);
		add(j, id, "s", 2000000 + i, AG_DECISION_APPROVE);
	}
	assert_int_equal(ag_journal_commit(j, &err), 0);
	assert_int_equal(ag_journal_gc(j, 3000000, 0, NULL, &err), 0);
	assert_int_equal(ag_journal_compact(j, 0, &freed, &mode, &err), 0);
	assert_string_equal(mode, "incremental");
	assert_true(freed > 0);
	assert_int_equal(ag_journal_pages(j, NULL, &free_pages, NULL, &err), 0);
	assert_int_equal(free_pages, 0);
	ag_journal_close(&j);
}

struct rows {
	int n;
	char action_key[256];
	int64_t timeout_ms, deadline_ms, seq;
};

static int
row_cb(void *ctx, const struct ag_journal_row *row)
{
	struct rows *r = ctx;
	struct ag_request *req = NULL;
	struct ag_error err;
	assert_int_equal(ag_journal_row_request(row, NULL, &req, &err), 0);
	char *key = ag_request_action_key(req);
	snprintf(r->action_key, sizeof r->action_key, "%s", key);
	free(key);
	r->timeout_ms = req->timeout_ms;
	r->deadline_ms = row->deadline_ms;
	r->seq = row->seq;
	assert_string_equal(req->cwd, "/repo");
	assert_string_equal(req->session, "s");
	ag_request_free(&req);
	r->n++;
	return 0;
}

static int
review_cb(void *ctx, const struct ag_review_record *r)
{
	int *n = ctx;
	assert_string_equal(r->request_id, "x");
	assert_int_equal(r->tokens_in, 11 + *n);
	(*n)++;
	return 0;
}

static int
grant_cb(void *ctx, const char *session, const char *key, int64_t at)
{
	int *n = ctx;
	assert_string_equal(session, "s");
	assert_string_equal(key, *n == 0 ? "k1" : "k2");
	assert_true(at > 0);
	(*n)++;
	return 0;
}

static void
test_rows_reviews_grants(void **state)
{
	(void)state;
	struct ag_journal *j = NULL;
	struct ag_error err;
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), 0);
	struct ag_request *req = make_request("x", "s", "git push", 120000);
	char *want = ag_request_action_key(req);
	assert_int_equal(ag_journal_add_request(j, req, NULL, NULL, 5000, 125000, &err), 0);
	ag_request_free(&req);
	for (int i = 0; i < 2; i++) {
		struct ag_review_record rv = {.request_id = "x",
		                              .model = "m",
		                              .error = "boom",
		                              .tokens_in = 11 + i,
		                              .at_ms = 6000 + i};
		assert_int_equal(ag_journal_add_review(j, &rv, &err), 0);
	}
	assert_int_equal(ag_journal_add_grant(j, "s", "k1", 7000, &err), 0);
	assert_int_equal(ag_journal_add_grant(j, "s", "k2", 8000, &err), 0);
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	q.include_pending = 1;
	struct rows r = {0};
	assert_int_equal(ag_journal_query(j, &q, row_cb, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.action_key, want);
	assert_int_equal(r.timeout_ms, 120000);
	assert_int_equal(r.deadline_ms, 125000);
	assert_int_equal(r.seq, 1);
	free(want);
	int n = 0;
	assert_int_equal(ag_journal_reviews(j, "x", review_cb, &n, &err), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(ag_journal_grants(j, NULL, grant_cb, &n, &err), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(ag_journal_grants(j, "other", grant_cb, &n, &err), 0);
	assert_int_equal(n, 0);
	ag_journal_close(&j);
}

static void
test_durations(void **state)
{
	(void)state;
	assert_int_equal(ag_audit_parse_duration("30d"), 30LL * 86400000);
	assert_int_equal(ag_audit_parse_duration("2w"), 14LL * 86400000);
	assert_int_equal(ag_audit_parse_duration("12h"), 12LL * 3600000);
	assert_int_equal(ag_audit_parse_duration("500ms"), 500);
	assert_int_equal(ag_audit_parse_duration("0s"), 0);
	assert_int_equal(ag_audit_parse_duration("30"), -1); /* the unit must be said */
	assert_int_equal(ag_audit_parse_duration("-3d"), -1);
	assert_int_equal(ag_audit_parse_duration("3 d"), -1);
	assert_int_equal(ag_audit_parse_duration("d"), -1);
	assert_int_equal(ag_audit_parse_duration("99999999999999999w"), -1);
	assert_int_equal(ag_audit_parse_duration(""), -1);
	int64_t when;
	assert_int_equal(ag_audit_parse_when("1d", 100000000, &when), 0);
	assert_int_equal(when, 100000000 - 86400000);
	assert_int_equal(ag_audit_parse_when("1700000000000", 5, &when), 0);
	assert_int_equal(when, 1700000000000LL);
	assert_int_equal(ag_audit_parse_when("17x", 5, &when), -1);
}

static void
test_lines(void **state)
{
	(void)state;
	char text[] = "short\n0123456789abcdef\nlast-without-newline";
	FILE *f = fmemopen(text, strlen(text), "r");
	struct ag_lines r;
	ag_lines_init(&r, f, 10);
	assert_int_equal(ag_lines_next(&r), 1);
	assert_string_equal(r.buf, "short");
	assert_int_equal(ag_lines_next(&r), -1); /* 16 bytes > 10: skipped, named */
	assert_int_equal(r.lineno, 2);
	assert_int_equal(ag_lines_next(&r), -1); /* 20 bytes, no newline */
	assert_int_equal(ag_lines_next(&r), 0);
	ag_lines_free(&r);
	fclose(f);
	char text2[] = "a\n\nb";
	f = fmemopen(text2, strlen(text2), "r");
	ag_lines_init(&r, f, 10);
	assert_int_equal(ag_lines_next(&r), 1);
	assert_int_equal(ag_lines_next(&r), 1);
	assert_int_equal(r.len, 0);
	assert_int_equal(ag_lines_next(&r), 1);
	assert_string_equal(r.buf, "b");
	assert_int_equal(r.lineno, 3);
	assert_int_equal(ag_lines_next(&r), 0);
	ag_lines_free(&r);
	fclose(f);
}

static void
test_strset(void **state)
{
	(void)state;
	struct ag_strset s;
	ag_strset_init(&s);
	assert_false(ag_strset_has(&s, "x"));
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "id-%d", i);
		assert_int_equal(ag_strset_add(&s, key), 1);
	}
	assert_int_equal(ag_strset_add(&s, "id-42"), 0);
	assert_int_equal(s.count, 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "id-%d", i);
		assert_true(ag_strset_has(&s, key));
	}
	assert_false(ag_strset_has(&s, "id-5000"));
	ag_strset_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_gc_keeps_pending_and_recent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gc_refuses_altered_journal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rows_reviews_grants, setup, teardown),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_strset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
