/* The journal keeps each request's hook object (schema 4), and a journal
 * from before it (schema 3, tests/fixtures/journal/v3.sql, written by the
 * agate of that schema) is read as it is by read-only tools and migrated,
 * in one transaction, by a writer: its rows intact, the hook NULL.
 *
 * Against real SQLite files in a temp directory, through core/journal.h;
 * plain SQLite only to look at or plant what the code would not write. */
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

#include "core/journal.h"
#include "core/request.h"
#include "core/risk.h"
#include "core/xmalloc.h"

static char tmpdir[256];
static char *db_path;

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/agate-journal-hook-XXXXXX",
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
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *p = xasprintf("%s%s", db_path, suffixes[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
	free(db_path);
	db_path = NULL;
	return 0;
}

static struct ag_journal *
open_journal(int readonly)
{
	struct ag_journal *j = NULL;
	struct ag_error err = {{0}};
	if (ag_journal_open(db_path, readonly, &j, &err) != 0)
		fail_msg("open: %s", err.msg);
	return j;
}

/* A request from frame text, validated as the hub validates one. */
static struct ag_request *
request_from(const char *text)
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

#define HOOKED                                                                           \
	"{\"v\":1,\"type\":\"request\",\"id\":\"r-hooked\",\"session\":\"s-1\","         \
	"\"agent\":\"codex\",\"action\":{\"kind\":\"exec\",\"command\":\"make test\"},"  \
	"\"hook\":{\"client\":\"codex\",\"tool_use_id\":\"call_7Qx\",\"call\":\"4f2a\"," \
	"\"guard\":true,\"attempt\":2}}"
#define PLAIN                                                                   \
	"{\"v\":1,\"type\":\"request\",\"id\":\"r-plain\",\"session\":\"s-1\"," \
	"\"action\":{\"kind\":\"exec\",\"command\":\"ls\"}}"

static int
add_request(struct ag_journal *j, struct ag_request *req, int64_t at, struct ag_error *err)
{
	return ag_journal_add_request(j, req, NULL, NULL, at, at + 600000, err);
}

static int64_t
raw_int(const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int
raw_exec(const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* Like assert_string_equal, but a NULL got fails instead of crashing. */
#define assert_text(got, want)                                           \
	do {                                                             \
		const char *got_ = (got);                                \
		if (got_ == NULL)                                        \
			fail_msg("%s is NULL, expected %s", #got, want); \
		assert_string_equal(got_, want);                         \
	} while (0)

/* ---- what the query and the reload give back ---------------------------- */

#define MAX_ROWS 8
struct seen {
	int n;
	char id[MAX_ROWS][AG_ID_MAX + 1];
	char *hook_json[MAX_ROWS]; /* as the row has it; NULL when NULL */
	char *hook[MAX_ROWS];      /* the rebuilt request's hook, printed; NULL when none */
	char state[MAX_ROWS][16];
};

static char *
print_or_null(const cJSON *j)
{
	return j != NULL ? ag_json_print(j) : NULL;
}

static int
on_row(void *ctx, const struct ag_journal_row *row)
{
	struct seen *s = ctx;
	assert_true(s->n < MAX_ROWS);
	snprintf(s->id[s->n], sizeof s->id[0], "%s", row->id);
	snprintf(s->state[s->n], sizeof s->state[0], "%s", row->state);
	s->hook_json[s->n] = row->hook_json ? xstrdup(row->hook_json) : NULL;
	struct ag_request *req = NULL;
	struct ag_error err = {{0}};
	if (ag_journal_row_request(row, NULL, &req, &err) != 0)
		fail_msg("row_request: %s", err.msg);
	s->hook[s->n] = print_or_null(req->hook);
	ag_request_free(&req);
	s->n++;
	return 0;
}

static int
on_pending(void *ctx, struct ag_request *req, const struct ag_risk *risk, int64_t created_ms,
           int64_t deadline_ms)
{
	(void)risk, (void)created_ms, (void)deadline_ms;
	struct seen *s = ctx;
	assert_true(s->n < MAX_ROWS);
	snprintf(s->id[s->n], sizeof s->id[0], "%s", req->id);
	s->hook[s->n] = print_or_null(req->hook);
	s->hook_json[s->n] = NULL;
	s->n++;
	ag_request_free(&req);
	return 0;
}

static void
seen_clear(struct seen *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->hook_json[i]);
		free(s->hook[i]);
	}
	memset(s, 0, sizeof *s);
}

static void
query_all(struct ag_journal *j, struct seen *s)
{
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	q.include_pending = 1;
	struct ag_error err = {{0}};
	seen_clear(s);
	if (ag_journal_query(j, &q, on_row, s, &err) != 0)
		fail_msg("query: %s", err.msg);
}

static void
load_pending(struct ag_journal *j, struct seen *s)
{
	struct ag_error err = {{0}};
	seen_clear(s);
	if (ag_journal_load_pending(j, NULL, on_pending, s, &err) != 0)
		fail_msg("load_pending: %s", err.msg);
}

/* ---- tests -------------------------------------------------------------- */

#define HOOK_TEXT                                                                              \
	"{\"client\":\"codex\",\"tool_use_id\":\"call_7Qx\",\"call\":\"4f2a\",\"guard\":true," \
	"\"attempt\":2}"

/* A request's hook comes back, field for field, from every path that
 * rebuilds a request: the hub's reload, the log/export query, the replay
 * rebuild. A request without one stays without one (NULL, not {}). */
static void
test_hook_round_trip(void **state)
{
	(void)state;
	struct ag_journal *j = open_journal(0);
	struct ag_request *a = request_from(HOOKED), *b = request_from(PLAIN);
	struct ag_error err = {{0}};
	assert_int_equal(add_request(j, a, 1000, &err), 0);
	assert_int_equal(add_request(j, b, 2000, &err), 0);
	ag_request_free(&a);
	ag_request_free(&b);
	ag_journal_close(&j);

	j = open_journal(0);
	struct seen s = {0};
	load_pending(j, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.id[0], "r-hooked");
	assert_text(s.hook[0], HOOK_TEXT);
	assert_string_equal(s.id[1], "r-plain");
	assert_null(s.hook[1]);

	query_all(j, &s);
	assert_int_equal(s.n, 2);
	assert_text(s.hook_json[0], HOOK_TEXT);
	assert_text(s.hook[0], HOOK_TEXT);
	assert_null(s.hook_json[1]);
	assert_null(s.hook[1]);
	seen_clear(&s);
	ag_journal_close(&j);

	/* And a reader sees it too. */
	j = open_journal(1);
	query_all(j, &s);
	assert_text(s.hook_json[0], HOOK_TEXT);
	seen_clear(&s);
	ag_journal_close(&j);
	assert_int_equal(raw_int("SELECT count(*) FROM requests WHERE hook_json IS NULL"), 1);
}

/* What ag_request_from_json would refuse never reaches the file, whoever
 * calls the journal; the schema refuses an oversized hook from anyone; and
 * a hook spoiled in the file is refused on the way out, by name, as a
 * spoiled action is. */
static void
test_hook_refused(void **state)
{
	(void)state;
	struct ag_journal *j = open_journal(0);
	struct ag_error err = {{0}};

	struct ag_request *req = request_from(HOOKED);
	cJSON_AddItemToObject(req->hook, "nested", cJSON_CreateObject());
	assert_int_equal(add_request(j, req, 1000, &err), -1);
	assert_string_equal(err.msg, "journal: request r-hooked: hook: field 6: expected a "
	                             "string, number or boolean");
	ag_request_free(&req);

	req = request_from(HOOKED);
	for (int i = 0; i < AG_HOOK_FIELDS_MAX; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d", i);
		cJSON_AddStringToObject(req->hook, name, "x");
	}
	assert_int_equal(add_request(j, req, 1000, &err), -1);
	assert_string_equal(err.msg, "journal: request r-hooked: hook: more than 32 fields");
	ag_request_free(&req);

	req = request_from(HOOKED);
	char *big = xmalloc(1100000);
	memset(big, 'a', 1100000 - 1);
	big[1100000 - 1] = '\0';
	cJSON_AddStringToObject(req->hook, "big", big);
	free(big);
	assert_int_equal(add_request(j, req, 1000, &err), -1);
	assert_non_null(strstr(err.msg, "journal: request r-hooked: hook: 1100"));
	assert_non_null(strstr(err.msg, "bytes, more than 1048576"));
	ag_request_free(&req);

	/* Nothing of those three was written, and the journal still works. */
	req = request_from(HOOKED);
	assert_int_equal(add_request(j, req, 1000, &err), 0);
	ag_request_free(&req);
	ag_journal_close(&j);
	assert_int_equal(raw_int("SELECT count(*) FROM requests"), 1);

	/* The schema's own bound, for writers that are not agate. */
	assert_int_equal(raw_exec("UPDATE requests SET hook_json = printf('%.*c', 1048577, 'x')"
	                          " WHERE id = 'r-hooked'"),
	                 SQLITE_CONSTRAINT);

	/* Spoiled in the file: not JSON, then JSON the wire would refuse. */
	struct seen s = {0};
	assert_int_equal(raw_exec("UPDATE requests SET hook_json = '{\"call\":' WHERE id = "
	                          "'r-hooked'"),
	                 SQLITE_OK);
	j = open_journal(0);
	assert_int_equal(ag_journal_load_pending(j, NULL, on_pending, &s, &err), -1);
	assert_string_equal(err.msg, "journal: stored request r-hooked: its hook is not valid "
	                             "JSON of at most 1048576 bytes");
	ag_journal_close(&j);
	assert_int_equal(raw_exec("UPDATE requests SET hook_json = '{\"call\":[1]}' WHERE id = "
	                          "'r-hooked'"),
	                 SQLITE_OK);
	j = open_journal(0);
	assert_int_equal(ag_journal_load_pending(j, NULL, on_pending, &s, &err), -1);
	assert_string_equal(err.msg, "journal: stored request r-hooked: hook.\"call\": expected a "
	                             "string, number or boolean, got an array");
	assert_int_equal(s.n, 0);
	ag_journal_close(&j);
}

/* Loads the schema 3 fixture into db_path with plain SQLite. */
static void
plant_v3(void)
{
	const char *src = getenv("AGATE_SRCDIR");
	char *path = xasprintf("%s/tests/fixtures/journal/v3.sql", src != NULL && *src ? src : ".");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s (set AGATE_SRCDIR)", path);
	free(path);
	size_t cap = 1 << 16, len = 0;
	char *sql = xmalloc(cap);
	size_t n;
	while ((n = fread(sql + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap)
			sql = xrealloc(sql, cap *= 2);
	}
	fclose(f);
	sql[len] = '\0';
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("v3.sql: %s", msg);
	sqlite3_close(db);
	free(sql);
	assert_int_equal(raw_int("PRAGMA user_version"), 3);
	assert_int_equal(raw_int("SELECT count(*) FROM pragma_table_info('requests')"
	                         " WHERE name = 'hook_json'"),
	                 0);
}

/* Everything the v3 file held, as plain SQLite sees it. */
static void
assert_v3_rows_intact(void)
{
	assert_int_equal(raw_int("SELECT count(*) FROM requests"), 3);
	assert_int_equal(raw_int("SELECT count(*) FROM requests WHERE"
	                         " (id, state) IN (VALUES ('r-v3-pending', 'pending'),"
	                         " ('r-v3-decided', 'decided'), ('r-v3-abandoned', 'abandoned'))"),
	                 3);
	assert_int_equal(raw_int("SELECT score FROM requests WHERE id = 'r-v3-pending'"), 70);
	assert_int_equal(raw_int("SELECT abandoned_ms FROM requests WHERE id = 'r-v3-abandoned'"),
	                 1700000004000LL);
	assert_int_equal(raw_int("SELECT count(*) FROM decisions WHERE request_id = "
	                         "'r-v3-decided' AND decision = 'approve_session'"),
	                 1);
	assert_int_equal(raw_int("SELECT count(*) FROM risk WHERE request_id = 'r-v3-pending'"), 1);
	assert_int_equal(raw_int("SELECT tokens_in FROM reviews WHERE request_id = "
	                         "'r-v3-pending'"),
	                 900);
	assert_int_equal(raw_int("SELECT count(*) FROM grants WHERE session = 's-v3'"), 1);
	assert_int_equal(raw_int("SELECT requests FROM sessions WHERE id = 's-v3'"), 2);
}

/* A read-only tool reads a schema 3 journal as it is: every row, the hook
 * NULL, the file untouched (still schema 3, no new column). */
static void
test_readonly_reads_v3(void **state)
{
	(void)state;
	plant_v3();
	struct ag_journal *j = open_journal(1);
	struct seen s = {0};
	query_all(j, &s);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.id[0], "r-v3-pending");
	assert_string_equal(s.state[0], "pending");
	assert_string_equal(s.state[1], "decided");
	assert_string_equal(s.state[2], "abandoned");
	for (int i = 0; i < 3; i++) {
		assert_null(s.hook_json[i]);
		assert_null(s.hook[i]);
	}
	seen_clear(&s);
	/* A write through a reader is still refused. */
	struct ag_request *req = request_from(PLAIN);
	struct ag_error err = {{0}};
	assert_int_equal(add_request(j, req, 1, &err), -1);
	ag_request_free(&req);
	ag_journal_close(&j);
	assert_int_equal(raw_int("PRAGMA user_version"), 3);
	assert_int_equal(raw_int("SELECT count(*) FROM pragma_table_info('requests')"
	                         " WHERE name = 'hook_json'"),
	                 0);
	assert_v3_rows_intact();
}

/* A writer migrates a schema 3 journal: version 4, the hook column there,
 * every row as it was, the pending request reloaded (hook NULL: schema 3
 * never kept it), and a request with a hook written and read back. */
static void
test_migrate_v3(void **state)
{
	(void)state;
	plant_v3();
	struct ag_journal *j = open_journal(0);
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_check(j, &err), 0);
	struct seen s = {0};
	load_pending(j, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id[0], "r-v3-pending");
	assert_null(s.hook[0]);
	struct ag_request *req = request_from(HOOKED);
	assert_int_equal(add_request(j, req, 1700000005000LL, &err), 0);
	ag_request_free(&req);
	struct ag_decision_info d = {.decision = AG_DECISION_DENY,
	                             .by = AG_BY_HUMAN,
	                             .reason = "no",
	                             .at_ms = 1700000006000LL};
	snprintf(d.id, sizeof d.id, "r-v3-pending");
	assert_int_equal(ag_journal_add_decision(j, &d, &err), 0);
	load_pending(j, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id[0], "r-hooked");
	assert_text(s.hook[0], HOOK_TEXT);
	seen_clear(&s);
	ag_journal_close(&j);

	assert_int_equal(raw_int("PRAGMA user_version"), 4);
	assert_int_equal(raw_int("PRAGMA application_id"), 0x41474a4c);
	assert_int_equal(raw_int("SELECT count(*) FROM requests"), 4);
	assert_int_equal(raw_int("SELECT count(*) FROM requests WHERE hook_json IS NULL"), 3);
	assert_int_equal(raw_int("SELECT count(*) FROM decisions"), 2);
	assert_int_equal(raw_int("SELECT count(*) FROM reviews"), 1);
	assert_int_equal(raw_int("SELECT count(*) FROM grants"), 1);
	/* The invariants of earlier steps came through the table change. */
	assert_int_equal(raw_exec("UPDATE requests SET state = 'bogus' WHERE id = 'r-hooked'"),
	                 SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec("DELETE FROM decisions"), SQLITE_CONSTRAINT);
}

/* The migration is one transaction: a schema 1 file whose last step fails
 * (planted: the column step 4 adds is already there) keeps its version, its
 * indexes that step 2 would have dropped, and its rows; the error names the
 * step. */
static void
test_migrate_rolls_back(void **state)
{
	(void)state;
	plant_v3();
	assert_int_equal(raw_exec("CREATE INDEX requests_agent ON requests(agent, created_ms);"
	                          "ALTER TABLE requests ADD COLUMN hook_json TEXT;"
	                          "PRAGMA user_version = 1;"),
	                 SQLITE_OK);
	struct ag_journal *j = NULL;
	struct ag_error err = {{0}};
	assert_int_equal(ag_journal_open(db_path, 0, &j, &err), -1);
	assert_null(j);
	char *want = xasprintf("journal %s: migrating to schema 4 (keep each request's hook "
	                       "object): duplicate column name: hook_json",
	                       db_path);
	assert_string_equal(err.msg, want);
	free(want);
	assert_int_equal(raw_int("PRAGMA user_version"), 1);
	assert_int_equal(raw_int("SELECT count(*) FROM sqlite_master WHERE name = "
	                         "'requests_agent'"),
	                 1);
	assert_v3_rows_intact();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hook_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hook_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_reads_v3, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_v3, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_rolls_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
