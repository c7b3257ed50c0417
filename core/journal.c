/* The journal: SQLite in WAL mode, one file per user.
 *
 * Durability. The hub brackets each loop turn with ag_journal_begin/commit
 * and sends acks and decisions only after the commit returned, so "journaled
 * before acknowledged/sent" holds batch by batch. begin/commit nest; only
 * the outermost pair issues BEGIN IMMEDIATE / COMMIT. A handle closed (or a
 * process killed) with a batch open loses that batch, and only that batch.
 *
 * Invariants live in the schema, not only here: a decision's primary key is
 * its request id (the first decision wins), triggers refuse a decision for a
 * request that is not pending and refuse changing a decision or a settled
 * request, foreign keys tie reasons, decisions and reviews to a request.
 * The sessions table is kept here, one upsert per session per batch
 * (sessions_flush): a trigger doing it for every request was 15% of the
 * hub's journal time.
 *
 * Agent text reaches SQL only as bound parameters. The only SQL built at run
 * time is ag_journal_query's WHERE clause, assembled from constant fragments.
 *
 * Statements are prepared once per handle and cached (stmt_get): the hub
 * writes at tens of thousands of rows a second. */
#include "core/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/xmalloc.h"

/* "AGJL": marks the file as ours, so a stray path to some other database
 * is refused instead of altered. */
#define JOURNAL_APPLICATION_ID 0x41474a4c
/* A reader (agate log) and the hub share the file; in WAL mode they rarely
 * wait on each other, and never for long. */
#define JOURNAL_BUSY_MS 5000

/* ---- schema and migrations ---------------------------------------------- */

static const char schema_v1[] =
    "CREATE TABLE sessions ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " agent TEXT NOT NULL,"
    " cwd TEXT NOT NULL,"
    " first_ms INTEGER NOT NULL,"
    " last_ms INTEGER NOT NULL,"
    " requests INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"

    /* seq is the arrival order; id the protocol's id. kind, decision and
     * decided_by are stored by name and not CHECKed, so a later version can
     * add a kind without rebuilding the table. */
    "CREATE TABLE requests ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " session TEXT NOT NULL,"
    " agent TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (state IN ('pending', 'decided', 'abandoned')),"
    " created_ms INTEGER NOT NULL,"
    " deadline_ms INTEGER NOT NULL,"
    " timeout_ms INTEGER NOT NULL,"
    " score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),"
    " level TEXT NOT NULL,"
    " categories INTEGER NOT NULL,"
    " summary TEXT NOT NULL,"
    " cwd TEXT NOT NULL,"
    " justification TEXT NOT NULL,"
    " action_json TEXT NOT NULL,"
    " risk_json TEXT NOT NULL,"
    " rule TEXT,"
    " abandoned_ms INTEGER"
    ");"
    /* agate log filters: time, session, agent, kind, minimum score. */
    "CREATE INDEX requests_created ON requests(created_ms);"
    "CREATE INDEX requests_session ON requests(session, created_ms);"
    "CREATE INDEX requests_agent ON requests(agent, created_ms);"
    "CREATE INDEX requests_kind ON requests(kind, created_ms);"
    "CREATE INDEX requests_score ON requests(score);"
    /* Only the pending few: the hub's reload after a crash. */
    "CREATE INDEX requests_pending ON requests(state) WHERE state = 'pending';"

    /* One row per risk reason, for "what fires most" and category audits. */
    "CREATE TABLE risk ("
    " request_id TEXT NOT NULL REFERENCES requests(id),"
    " n INTEGER NOT NULL,"
    " categories INTEGER NOT NULL,"
    " reason TEXT NOT NULL,"
    " span_start INTEGER NOT NULL,"
    " span_end INTEGER NOT NULL,"
    " line INTEGER NOT NULL,"
    " PRIMARY KEY (request_id, n)"
    ") WITHOUT ROWID;"

    /* The primary key is what makes the first decision win. */
    "CREATE TABLE decisions ("
    " request_id TEXT PRIMARY KEY NOT NULL REFERENCES requests(id),"
    " decision TEXT NOT NULL,"
    " decided_by TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " decided_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX decisions_decision ON decisions(decision, decided_ms);"
    "CREATE INDEX decisions_by ON decisions(decided_by, decided_ms);"
    "CREATE INDEX decisions_time ON decisions(decided_ms);"

    "CREATE TABLE reviews ("
    " seq INTEGER PRIMARY KEY,"
    " request_id TEXT NOT NULL REFERENCES requests(id),"
    " model TEXT NOT NULL,"
    " verdict_json TEXT,"
    " error TEXT,"
    " latency_ms INTEGER NOT NULL,"
    " tokens_in INTEGER NOT NULL,"
    " tokens_out INTEGER NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " CHECK (verdict_json IS NOT NULL OR error IS NOT NULL)"
    ");"
    "CREATE INDEX reviews_request ON reviews(request_id);"
    "CREATE INDEX reviews_time ON reviews(at_ms);"

    "CREATE TABLE grants ("
    " session TEXT NOT NULL,"
    " action_key TEXT NOT NULL,"
    " granted_ms INTEGER NOT NULL,"
    " PRIMARY KEY (session, action_key)"
    ") WITHOUT ROWID;"

    "CREATE TRIGGER requests_session AFTER INSERT ON requests BEGIN"
    " INSERT INTO sessions(id, agent, cwd, first_ms, last_ms, requests)"
    "  VALUES (NEW.session, NEW.agent, NEW.cwd, NEW.created_ms, NEW.created_ms, 1)"
    "  ON CONFLICT(id) DO UPDATE SET requests = requests + 1,"
    "   last_ms = max(last_ms, excluded.last_ms),"
    "   agent = excluded.agent, cwd = excluded.cwd;"
    " END;"
    "CREATE TRIGGER requests_settled BEFORE UPDATE OF state ON requests"
    " WHEN OLD.state <> 'pending' BEGIN"
    " SELECT RAISE(ABORT, 'request is already settled');"
    " END;"
    "CREATE TRIGGER decisions_pending_only BEFORE INSERT ON decisions"
    " WHEN (SELECT state FROM requests WHERE id = NEW.request_id) IS NOT 'pending' BEGIN"
    " SELECT RAISE(ABORT, 'request is not pending');"
    " END;"
    "CREATE TRIGGER decisions_settle AFTER INSERT ON decisions BEGIN"
    " UPDATE requests SET state = 'decided' WHERE id = NEW.request_id;"
    " END;"
    "CREATE TRIGGER decisions_final_update BEFORE UPDATE ON decisions BEGIN"
    " SELECT RAISE(ABORT, 'decisions are final');"
    " END;"
    "CREATE TRIGGER decisions_final_delete BEFORE DELETE ON decisions BEGIN"
    " SELECT RAISE(ABORT, 'decisions are final');"
    " END;";

/* Faster writes, the same invariants. Dropped: indexes no query needs (the
 * agent, kind and score filters of ag_journal_query and every decision
 * filter pick a large share of the rows, so a walk by time serves them as
 * well), and the trigger that upserted a request's session row on every
 * insert: ag_journal_add_request leaves the same row, once per batch.
 * Measured on the hub's writes (a request and its decision): a third less
 * time. */
static const char schema_v2[] = "DROP INDEX IF EXISTS requests_agent;"
                                "DROP INDEX IF EXISTS requests_kind;"
                                "DROP INDEX IF EXISTS requests_score;"
                                "DROP INDEX IF EXISTS decisions_decision;"
                                "DROP INDEX IF EXISTS decisions_by;"
                                "DROP INDEX IF EXISTS decisions_time;"
                                "DROP TRIGGER IF EXISTS requests_session;";

/* The tables schema_v1 creates. */
static const char *const v1_tables[] = {"sessions",  "requests", "risk",
                                        "decisions", "reviews",  "grants"};

static int
exec_sql(sqlite3 *db, const char *sql, struct ag_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	ag_fail(err, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* Runs a one-value query ("SELECT count(*) ..."), binding text if given. */
static int
query_int(sqlite3 *db, const char *sql, const char *text, int64_t *out, struct ag_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return ag_fail(err, "%s", sqlite3_errmsg(db));
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ag_fail(err, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Before step 1: a file at version 0 is new, or predates versioning. New is
 * empty. One that predates versioning has a `requests` table: its tables
 * are kept, renamed NAME_v0 (data is never dropped), and their indexes and
 * triggers, which are derived, dropped so the new names are free. A file
 * with other tables is somebody else's database: refused, unchanged. */
/* 1 when a version-0 file holds tables but none of ours: somebody else's
 * database; 0 when it is empty or a pre-versioning journal. */
static int
is_foreign(sqlite3 *db, struct ag_error *err)
{
	int64_t tables, ours;
	if (query_int(db,
	              "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
	              " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
	              NULL, &tables, err) != 0 ||
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
	              "requests", &ours, err) != 0)
		return -1;
	return tables > 0 && ours == 0;
}

static int
migrate_pre_versioned(sqlite3 *db, struct ag_error *err)
{
	int foreign = is_foreign(db, err);
	if (foreign < 0)
		return -1;
	if (foreign)
		return ag_fail(err, "not an agate journal (it has tables but no agate schema); "
		                    "refusing to change it");

	for (size_t i = 0; i < sizeof v1_tables / sizeof v1_tables[0]; i++) {
		int64_t n;
		if (query_int(
		        db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
		        v1_tables[i], &n, err) != 0)
			return -1;
		if (n == 0)
			continue;
		/* Names come from our own table above, never from the file. */
		char sql[256];
		snprintf(
		    sql, sizeof sql,
		    "SELECT 'DROP ' || type || ' \"' || name || '\"' FROM sqlite_master"
		    " WHERE tbl_name = '%s' AND type IN ('index', 'trigger') AND sql IS NOT NULL",
		    v1_tables[i]);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return ag_fail(err, "%s", sqlite3_errmsg(db));
		/* Collect first: dropping while stepping over sqlite_master is unsafe. */
		char *drops = xstrdup("");
		while (sqlite3_step(st) == SQLITE_ROW) {
			char *next =
			    xasprintf("%s%s;", drops, (const char *)sqlite3_column_text(st, 0));
			free(drops);
			drops = next;
		}
		sqlite3_finalize(st);
		int rc = exec_sql(db, drops, err);
		free(drops);
		if (rc != 0)
			return -1;
		snprintf(sql, sizeof sql, "ALTER TABLE \"%s\" RENAME TO \"%s_v0\"", v1_tables[i],
		         v1_tables[i]);
		if (exec_sql(db, sql, err) != 0)
			return -1;
	}
	return 0;
}

/* Version 3: the same CHECK on requests.state, written so that SQLite tests
 * it with comparisons. For an IN list of three constants it builds a
 * temporary index on every insert and every change of state: measured, 40%
 * of the journal's time in the hub. SQLite has no ALTER for a CHECK; for a
 * change that every stored row still satisfies, its documented way (see
 * "Making Other Kinds Of Table Schema Changes" in lang_altertable.html) is
 * to edit the table's SQL in the schema table and bump the schema version,
 * inside the migration's transaction. Only that clause is replaced; a file
 * whose clause reads otherwise keeps it (equivalent, only slower), and so
 * does SQLite built to refuse schema edits (defensive mode). */
#define STATE_CHECK_IN "CHECK (state IN (''pending'', ''decided'', ''abandoned''))"
#define STATE_CHECK_OR "CHECK (state = ''pending'' OR state = ''decided'' OR state = ''abandoned'')"

static int
migrate_state_check(sqlite3 *db, struct ag_error *err)
{
	int64_t version;
	if (query_int(db, "PRAGMA schema_version", NULL, &version, err) != 0)
		return -1;
	char bump[64];
	snprintf(bump, sizeof bump, "PRAGMA schema_version = %lld", (long long)version + 1);
	exec_sql(db, "PRAGMA writable_schema = ON", NULL);
	int rc = 0;
	if (exec_sql(db,
	             "UPDATE sqlite_master SET sql = replace(sql, '" STATE_CHECK_IN
	             "', '" STATE_CHECK_OR "') WHERE type = 'table' AND name = 'requests'",
	             NULL) == 0) /* else refused: keep the slower clause */
		rc = exec_sql(db, bump, err);
	exec_sql(db, "PRAGMA writable_schema = OFF", NULL);
	return rc;
}

/* Version 4: the hook object a request carried (tool-use id, call key,
 * guard flag; see core/request.h), so a hub restarted with the request
 * still pending gives it back unchanged: a guard check stays a guard check,
 * and an abandon for its call still finds it. NULL for requests without
 * one, and for every row journaled before this step. Bounded in the schema
 * as in ag_journal_add_request: 1 MiB holds the largest hook the default
 * limits admit (32 fields of 4 KiB, every byte escaped) with room. */
#define JOURNAL_HOOK_MAX     1048576
#define JOURNAL_HOOK_MAX_SQL "1048576"
static const char schema_v4[] =
    "ALTER TABLE requests ADD COLUMN hook_json TEXT"
    " CHECK (hook_json IS NULL OR length(CAST(hook_json AS BLOB)) <= " JOURNAL_HOOK_MAX_SQL ");";

/* Forward migrations, one step per schema version, applied in order in one
 * transaction. A later version appends a step; steps are never edited once
 * released, because journals in the field were made by them. */
static const struct migration {
	int version;                                      /* PRAGMA user_version after this step */
	const char *what;                                 /* for error messages */
	int (*before)(sqlite3 *db, struct ag_error *err); /* optional */
	const char *sql;
} migrations[] = {
    {1, "create the journal tables", migrate_pre_versioned, schema_v1},
    {2, "drop unused indexes and the per-request session trigger", NULL, schema_v2},
    {3, "test requests.state without a temporary index", migrate_state_check, ""},
    {4, "keep each request's hook object", NULL, schema_v4},
};
/* The first version with requests.hook_json. Read-only handles accept an
 * older schema (every column they read is there since version 1) and read
 * the hook as NULL. */
#define SCHEMA_HOOK   4
#define NMIGRATIONS   (sizeof migrations / sizeof migrations[0])
#define SCHEMA_LATEST (migrations[NMIGRATIONS - 1].version)

/* ---- the handle and its statements -------------------------------------- */

#define JOURNAL_STMTS(X)                                                                          \
	X(BEGIN, "BEGIN IMMEDIATE")                                                               \
	X(COMMIT, "COMMIT")                                                                       \
	X(ROLLBACK, "ROLLBACK")                                                                   \
	X(SAVEPOINT, "SAVEPOINT ag_op")                                                           \
	X(RELEASE, "RELEASE ag_op")                                                               \
	X(ROLLBACK_TO, "ROLLBACK TO ag_op")                                                       \
	X(ADD_REQUEST,                                                                            \
	  "INSERT INTO requests(id, session, agent, kind, created_ms, deadline_ms, timeout_ms,"   \
	  " score, level, categories, summary, cwd, justification, action_json, risk_json, rule," \
	  " hook_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15," \
	  " ?16, ?17)")                                                                           \
	X(TOUCH_SESSION,                                                                          \
	  "INSERT INTO sessions(id, agent, cwd, first_ms, last_ms, requests)"                     \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"                        \
	  " requests = requests + excluded.requests, last_ms = max(last_ms, excluded.last_ms),"   \
	  " agent = excluded.agent, cwd = excluded.cwd")                                          \
	X(ADD_REASON,                                                                             \
	  "INSERT INTO risk(request_id, n, categories, reason, span_start, span_end, line)"       \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                                 \
	X(ADD_DECISION,                                                                           \
	  "INSERT INTO decisions(request_id, decision, decided_by, reason, decided_ms)"           \
	  " VALUES (?1, ?2, ?3, ?4, ?5)")                                                         \
	X(SET_ABANDONED, "UPDATE requests SET state = 'abandoned', abandoned_ms = ?2"             \
	                 " WHERE id = ?1 AND state = 'pending'")                                  \
	X(FIND_DECISION, "SELECT decision, decided_by, reason, decided_ms FROM decisions"         \
	                 " WHERE request_id = ?1")                                                \
	X(REQUEST_STATE, "SELECT state FROM requests WHERE id = ?1")                              \
	X(ADD_GRANT, "INSERT INTO grants(session, action_key, granted_ms) VALUES (?1, ?2, ?3)"    \
	             " ON CONFLICT(session, action_key) DO NOTHING")                              \
	X(HAS_GRANT, "SELECT 1 FROM grants WHERE session = ?1 AND action_key = ?2")               \
	X(ADD_REVIEW,                                                                             \
	  "INSERT INTO reviews(request_id, model, verdict_json, error, latency_ms, tokens_in,"    \
	  " tokens_out, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")

#define STMT_ENUM(name, sql) STMT_##name,
enum stmt_id { JOURNAL_STMTS(STMT_ENUM) STMT_COUNT };
#undef STMT_ENUM
#define STMT_SQL(name, sql) sql,
static const char *const stmt_sql[] = {JOURNAL_STMTS(STMT_SQL)};
#undef STMT_SQL

/* A session's requests in the open batch, written at its commit. agent and
 * cwd are the latest request's, as the sessions row keeps them. */
struct session_touch {
	char *id, *agent, *cwd; /* owned */
	int64_t first_ms, last_ms, requests;
};
#define SESSION_TOUCH_MAX 32 /* distinct sessions held before an early flush */

struct ag_journal {
	sqlite3 *db;
	char *path;
	int readonly;
	int has_hook; /* requests.hook_json exists (schema >= SCHEMA_HOOK) */
	int depth;    /* begin/commit nesting */
	sqlite3_stmt *stmts[STMT_COUNT];
	struct session_touch touched[SESSION_TOUCH_MAX];
	size_t ntouched;
};

/* "journal: WHAT: sqlite's message". Call right after the failing call,
 * before a reset can change the message. */
static int __attribute__((format(printf, 3, 4)))
db_fail(struct ag_journal *j, struct ag_error *err, const char *fmt, ...)
{
	char what[AG_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return ag_fail(err, "journal: %s: %s", what, sqlite3_errmsg(j->db));
}

/* The cached statement, prepared on first use. Borrowed: use, then done(). */
static sqlite3_stmt *
stmt_get(struct ag_journal *j, enum stmt_id id, struct ag_error *err)
{
	if (j->stmts[id] == NULL &&
	    sqlite3_prepare_v3(j->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &j->stmts[id],
	                       NULL) != SQLITE_OK) {
		db_fail(j, err, "preparing \"%.40s...\"", stmt_sql[id]);
		j->stmts[id] = NULL;
		return NULL;
	}
	return j->stmts[id];
}

static void
stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Binds a C string; NULL binds SQL NULL. Texts are copied by SQLite only if
 * it needs to, so they must stay valid until stmt_done. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no rows. */
static int
run(struct ag_journal *j, enum stmt_id id, struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, id, err);
	if (st == NULL)
		return -1;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		db_fail(j, err, "%s", stmt_sql[id]);
		stmt_done(st);
		return -1;
	}
	stmt_done(st);
	return 0;
}

/* A compound write (a request and its reasons) must be all or nothing
 * whether or not a batch is open: a savepoint gives both. */
static int
op_begin(struct ag_journal *j, struct ag_error *err)
{
	return run(j, STMT_SAVEPOINT, err);
}

static int
op_end(struct ag_journal *j, int ok, struct ag_error *err)
{
	if (ok && run(j, STMT_RELEASE, err) == 0)
		return 0;
	struct ag_error ignored;
	run(j, STMT_ROLLBACK_TO, &ignored);
	run(j, STMT_RELEASE, &ignored);
	return -1;
}

/* ---- sessions ------------------------------------------------------------ */

static void
sessions_forget(struct ag_journal *j)
{
	for (size_t i = 0; i < j->ntouched; i++) {
		free(j->touched[i].id);
		free(j->touched[i].agent);
		free(j->touched[i].cwd);
	}
	j->ntouched = 0;
}

/* Writes the sessions the batch touched: what the per-request trigger of
 * schema 1 would have left, one upsert per session. */
static int
sessions_flush(struct ag_journal *j, struct ag_error *err)
{
	for (size_t i = 0; i < j->ntouched; i++) {
		const struct session_touch *t = &j->touched[i];
		sqlite3_stmt *st = stmt_get(j, STMT_TOUCH_SESSION, err);
		if (st == NULL)
			return -1;
		bind_text(st, 1, t->id);
		bind_text(st, 2, t->agent);
		bind_text(st, 3, t->cwd);
		sqlite3_bind_int64(st, 4, t->first_ms);
		sqlite3_bind_int64(st, 5, t->last_ms);
		sqlite3_bind_int64(st, 6, t->requests);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(j, err, "updating session %s", t->id);
			stmt_done(st);
			return -1;
		}
		stmt_done(st);
	}
	sessions_forget(j);
	return 0;
}

static struct session_touch *
session_find(struct ag_journal *j, const char *id)
{
	for (size_t i = 0; i < j->ntouched; i++)
		if (strcmp(j->touched[i].id, id) == 0)
			return &j->touched[i];
	return NULL;
}

/* Makes room to count a request of session id (flushing early when the
 * batch has touched many sessions). Call before writing the request. */
static int
session_reserve(struct ag_journal *j, const char *id, struct ag_error *err)
{
	if (j->ntouched < SESSION_TOUCH_MAX || session_find(j, id) != NULL)
		return 0;
	return sessions_flush(j, err);
}

static void
set_text(char **field, const char *value)
{
	if (*field != NULL && strcmp(*field, value) == 0)
		return;
	free(*field);
	*field = xstrdup(value);
}

/* Counts a journaled request towards its session's row (room reserved). */
static void
session_count(struct ag_journal *j, const struct ag_request *req, int64_t created_ms)
{
	const char *id = req->session != NULL ? req->session : "";
	struct session_touch *t = session_find(j, id);
	if (t == NULL) {
		t = &j->touched[j->ntouched++];
		memset(t, 0, sizeof *t);
		t->id = xstrdup(id);
		t->first_ms = t->last_ms = created_ms;
	}
	set_text(&t->agent, req->agent != NULL ? req->agent : "");
	set_text(&t->cwd, req->cwd != NULL ? req->cwd : "");
	if (created_ms > t->last_ms)
		t->last_ms = created_ms;
	t->requests++;
}

/* ---- paths and opening -------------------------------------------------- */

static const char *
home_dir(void)
{
	const char *home = getenv("HOME");
	if (home != NULL && home[0] == '/')
		return home;
	const struct passwd *pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

char *
ag_journal_default_path(const char *explicit_path)
{
	if (explicit_path != NULL && explicit_path[0] != '\0')
		return xstrdup(explicit_path);
	const char *env = getenv("AGATE_JOURNAL");
	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	/* XDG: a relative $XDG_STATE_HOME is to be ignored. */
	const char *state = getenv("XDG_STATE_HOME");
	if (state != NULL && state[0] == '/')
		return xasprintf("%s/agate/journal.db", state);
	const char *home = home_dir();
	if (home != NULL)
		return xasprintf("%s/.local/state/agate/journal.db", home);
	return xasprintf("/tmp/agate-%lu/journal.db", (unsigned long)getuid());
}

/* mkdir -p of path's parent; directories it creates are 0700. */
static int
make_parents(const char *path, struct ag_error *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			ag_fail(err, "journal: creating directory %s: %s", dir, strerror(e));
			free(dir);
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		ag_fail(err, "journal: %s is not a directory", dir);
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

/* Creates the file 0600 before SQLite sees it: SQLite would create it 0644
 * minus the umask, and its -wal and -shm files copy the main file's mode. */
static int
create_private(const char *path, struct ag_error *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		fchmod(fd, 0600);
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return ag_fail(err, "journal %s: %s", path, strerror(errno));
}

static int
pragma_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(out, size, "%s", t != NULL ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Brings the schema up to SCHEMA_LATEST, or explains why it cannot. */
/* Decides, before anything is written, whether this file is ours to use
 * (or to migrate): a foreign database is left exactly as it was. */
static int
identify(struct ag_journal *j, int64_t *version_out, struct ag_error *err)
{
	int64_t version, app_id;
	if (query_int(j->db, "PRAGMA application_id", NULL, &app_id, err) != 0 ||
	    query_int(j->db, "PRAGMA user_version", NULL, &version, err) != 0)
		return ag_fail_prefix(err, "journal %s: reading the schema version", j->path);
	*version_out = version;
	if (app_id != 0 && app_id != JOURNAL_APPLICATION_ID)
		return ag_fail(err, "journal %s: not an agate journal (application id %#llx)",
		               j->path, (unsigned long long)app_id);
	if (version > SCHEMA_LATEST)
		return ag_fail(
		    err,
		    "journal %s: schema version %lld is newer than this agate knows (%d); "
		    "upgrade agate",
		    j->path, (long long)version, SCHEMA_LATEST);
	if (version == SCHEMA_LATEST)
		return 0;
	/* A reader never migrates (it may not write). Every version since 1
	 * has the columns it reads, but for the hook (NULL before
	 * SCHEMA_HOOK); the hub upgrades the file when it next opens it. */
	if (j->readonly) {
		if (version == 0)
			return ag_fail(err, "journal %s: empty or not an agate journal", j->path);
		return 0;
	}
	if (version == 0 && app_id == 0) {
		int foreign = is_foreign(j->db, err);
		if (foreign < 0)
			return ag_fail_prefix(err, "journal %s", j->path);
		if (foreign)
			return ag_fail(
			    err,
			    "journal %s: not an agate journal (it has tables but no agate "
			    "schema); refusing to change it",
			    j->path);
	}
	return 0;
}

/* Brings the schema up to SCHEMA_LATEST (identify() said it may). */
static int
migrate(struct ag_journal *j, struct ag_error *err)
{
	int64_t version;
	if (exec_sql(j->db, "BEGIN IMMEDIATE", err) != 0)
		return ag_fail_prefix(err, "journal %s: migrating", j->path);
	/* Read again under the write lock: another process may have migrated. */
	if (query_int(j->db, "PRAGMA user_version", NULL, &version, err) != 0)
		goto fail_read;
	for (size_t i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= version)
			continue;
		char sql[96];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
		         m->version, JOURNAL_APPLICATION_ID);
		if ((m->before != NULL && m->before(j->db, err) != 0) ||
		    exec_sql(j->db, m->sql, err) != 0 || exec_sql(j->db, sql, err) != 0) {
			ag_fail_prefix(err, "journal %s: migrating to schema %d (%s)", j->path,
			               m->version, m->what);
			exec_sql(j->db, "ROLLBACK", NULL);
			return -1;
		}
	}
	if (exec_sql(j->db, "COMMIT", err) != 0) {
		ag_fail_prefix(err, "journal %s: committing the migration", j->path);
		exec_sql(j->db, "ROLLBACK", NULL);
		return -1;
	}
	return 0;

fail_read:
	ag_fail_prefix(err, "journal %s: reading the schema version", j->path);
	exec_sql(j->db, "ROLLBACK", NULL);
	return -1;
}

/* Settings every handle needs; nothing here writes to the file. */
static int
configure(struct ag_journal *j, struct ag_error *err)
{
	sqlite3_extended_result_codes(j->db, 1);
	sqlite3_busy_timeout(j->db, JOURNAL_BUSY_MS);
	/* The first read: "file is not a database" shows up here, plainly. */
	int64_t version;
	if (query_int(j->db, "PRAGMA user_version", NULL, &version, err) != 0)
		return ag_fail_prefix(err, "journal %s", j->path);
	if (exec_sql(j->db, "PRAGMA foreign_keys = ON", err) != 0)
		return ag_fail_prefix(err, "journal %s: enabling foreign keys", j->path);
	if (j->readonly && exec_sql(j->db, "PRAGMA query_only = ON", err) != 0)
		return ag_fail_prefix(err, "journal %s", j->path);
	return 0;
}

/* The writer's settings; WAL is recorded in the file's header. */
static int
configure_writer(struct ag_journal *j, struct ag_error *err)
{
	char mode[16] = "";
	if (pragma_text(j->db, "PRAGMA journal_mode = WAL", mode, sizeof mode) != 0)
		return ag_fail(err, "journal %s: switching to WAL: %s", j->path,
		               sqlite3_errmsg(j->db));
	if (strcmp(mode, "wal") != 0)
		return ag_fail(err, "journal %s: the file system does not support WAL (mode %s)",
		               j->path, mode);
	/* NORMAL in WAL mode survives a crash of the process, not of the
	 * machine; ag_journal_set_synchronous(FULL) covers that too. */
	if (exec_sql(j->db, "PRAGMA synchronous = NORMAL", err) != 0 ||
	    exec_sql(j->db, "PRAGMA journal_size_limit = 67108864", err) != 0)
		return ag_fail_prefix(err, "journal %s", j->path);
	/* Statement and savepoint journals (inserts with triggers, the
	 * savepoint around a request and its reasons) in memory, not in temp
	 * files: measured, their writes were a quarter of the insert time. They
	 * only ever hold the pages of the current batch. */
	if (exec_sql(j->db, "PRAGMA temp_store = MEMORY", err) != 0)
		return ag_fail_prefix(err, "journal %s", j->path);
	return 0;
}

/* SQLite counts every allocation under a global mutex, for
 * sqlite3_memory_used(), which agate never asks for; measured, the counting
 * was an eighth of the hub's journal time. It can be turned off only before
 * SQLite initializes: the first open does it (later calls are refused by
 * SQLite, harmlessly). The journal is the process's only SQLite user. */
static void
sqlite_setup(void)
{
	static int done;
	if (!done) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		done = 1;
	}
}

int
ag_journal_open(const char *path, int readonly, struct ag_journal **out, struct ag_error *err)
{
	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return ag_fail(err, "journal: no path given");
	if (readonly) {
		struct stat st;
		if (stat(path, &st) != 0)
			return ag_fail(err, "journal %s: %s%s", path, strerror(errno),
			               errno == ENOENT ? " (nothing has been journaled there yet)"
			                               : "");
		if (!S_ISREG(st.st_mode))
			return ag_fail(err, "journal %s: not a regular file", path);
	} else if (make_parents(path, err) != 0 || create_private(path, err) != 0) {
		return -1;
	}

	sqlite_setup();
	struct ag_journal *j = xcalloc(1, sizeof *j);
	j->path = xstrdup(path);
	j->readonly = readonly;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	/* The hub is single-threaded; each handle stays on its thread. */
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &j->db, flags, NULL) != SQLITE_OK) {
		ag_fail(err, "journal %s: %s", path,
		        j->db != NULL ? sqlite3_errmsg(j->db) : "out of memory");
		ag_journal_close(&j);
		return -1;
	}
	int64_t version = 0;
	if (configure(j, err) != 0 || identify(j, &version, err) != 0 ||
	    (!readonly && configure_writer(j, err) != 0) ||
	    (!readonly && version < SCHEMA_LATEST && migrate(j, err) != 0)) {
		ag_journal_close(&j);
		return -1;
	}
	j->has_hook = !readonly || version >= SCHEMA_HOOK;
	*out = j;
	return 0;
}

/* Closing with a batch open rolls the batch back: it was never committed,
 * so nobody was told about it. */
void
ag_journal_close(struct ag_journal **jp)
{
	if (jp == NULL || *jp == NULL)
		return;
	struct ag_journal *j = *jp;
	sessions_forget(j);
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(j->stmts[i]);
	if (j->db != NULL) {
		if (!sqlite3_get_autocommit(j->db))
			sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(j->db);
	}
	free(j->path);
	free(j);
	*jp = NULL;
}

int
ag_journal_set_synchronous(struct ag_journal *j, int full, struct ag_error *err)
{
	if (j->depth > 0)
		return ag_fail(err, "journal: cannot change synchronous inside a batch");
	if (exec_sql(j->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	             err) != 0)
		return ag_fail_prefix(err, "journal: setting synchronous");
	return 0;
}

/* ---- batching ----------------------------------------------------------- */

int
ag_journal_begin(struct ag_journal *j, struct ag_error *err)
{
	if (j->depth == 0 && run(j, STMT_BEGIN, err) != 0)
		return ag_fail_prefix(err, "starting a batch");
	j->depth++;
	return 0;
}

/* If COMMIT fails (disk full, I/O error) the batch is rolled back and the
 * caller must treat everything since begin as not journaled. */
int
ag_journal_commit(struct ag_journal *j, struct ag_error *err)
{
	if (j->depth == 0)
		return ag_fail(err, "journal: commit without a matching begin");
	if (--j->depth > 0)
		return 0;
	/* After an I/O error or a full disk SQLite may have rolled the batch
	 * back by itself; then nothing may be written in its name. */
	if (sqlite3_get_autocommit(j->db)) {
		sessions_forget(j);
		return ag_fail(err,
		               "journal: committing the batch: an earlier error rolled it back");
	}
	if (sessions_flush(j, err) == 0 && run(j, STMT_COMMIT, err) == 0)
		return 0;
	sessions_forget(j);
	if (!sqlite3_get_autocommit(j->db)) {
		struct ag_error ignored;
		run(j, STMT_ROLLBACK, &ignored);
	}
	return ag_fail_prefix(err, "committing the batch (it was rolled back)");
}

/* ---- writes ------------------------------------------------------------- */

static int
insert_reasons(struct ag_journal *j, const char *id, const struct ag_risk *risk,
               struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_ADD_REASON, err);
	if (st == NULL)
		return -1;
	for (size_t i = 0; i < risk->nreasons; i++) {
		const struct ag_reason *r = &risk->reasons[i];
		bind_text(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(st, 3, r->categories);
		bind_text(st, 4, r->text != NULL ? r->text : "");
		sqlite3_bind_int(st, 5, r->start);
		sqlite3_bind_int(st, 6, r->end);
		sqlite3_bind_int(st, 7, r->line);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(j, err, "request %s: adding risk reason %zu", id, i);
			stmt_done(st);
			return -1;
		}
		stmt_done(st);
	}
	return 0;
}

/* The hook as the journal keeps it: NULL when the request has none, else
 * its compact JSON (caller frees). The journal is written by more than the
 * hub (agate import, tests, benches), so the shape ag_request_from_json
 * admits is checked again here, before anything reaches the file: a flat
 * object of at most AG_HOOK_FIELDS_MAX strings, numbers and booleans, and
 * JOURNAL_HOOK_MAX bytes printed. */
static int
hook_text(const struct ag_request *req, char **out, struct ag_error *err)
{
	*out = NULL;
	if (req->hook == NULL)
		return 0;
	if (!cJSON_IsObject(req->hook))
		return ag_fail(err, "journal: request %s: hook: expected an object", req->id);
	int n = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, req->hook)
	{
		if (++n > AG_HOOK_FIELDS_MAX)
			return ag_fail(err, "journal: request %s: hook: more than %d fields",
			               req->id, AG_HOOK_FIELDS_MAX);
		if (!cJSON_IsString(m) && !cJSON_IsNumber(m) && !cJSON_IsBool(m))
			return ag_fail(err,
			               "journal: request %s: hook: field %d: expected a string, "
			               "number or boolean",
			               req->id, n);
	}
	char *text = ag_json_print(req->hook);
	size_t len = strlen(text);
	if (len > JOURNAL_HOOK_MAX) {
		free(text);
		return ag_fail(err, "journal: request %s: hook: %zu bytes, more than %d", req->id,
		               len, JOURNAL_HOOK_MAX);
	}
	*out = text;
	return 0;
}

static int
insert_request(struct ag_journal *j, const struct ag_request *req, const char *rule,
               int64_t created_ms, int64_t deadline_ms, const char *action,
               const struct ag_risk *risk, const char *risk_json, const char *summary,
               const char *hook, struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_ADD_REQUEST, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, req->id);
	bind_text(st, 2, req->session != NULL ? req->session : "");
	bind_text(st, 3, req->agent != NULL ? req->agent : "");
	bind_text(st, 4, ag_kind_name(req->kind));
	sqlite3_bind_int64(st, 5, created_ms);
	sqlite3_bind_int64(st, 6, deadline_ms);
	sqlite3_bind_int64(st, 7, req->timeout_ms);
	sqlite3_bind_int(st, 8, risk->score);
	bind_text(st, 9, ag_level_name(risk->level));
	sqlite3_bind_int64(st, 10, risk->categories);
	bind_text(st, 11, summary);
	bind_text(st, 12, req->cwd != NULL ? req->cwd : "");
	bind_text(st, 13, req->justification != NULL ? req->justification : "");
	bind_text(st, 14, action);
	bind_text(st, 15, risk_json);
	bind_text(st, 16, rule);
	bind_text(st, 17, hook);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(j->db) == SQLITE_CONSTRAINT_UNIQUE)
			ag_fail(err, "journal: request %s: that id is already journaled", req->id);
		else
			db_fail(j, err, "adding request %s", req->id);
		stmt_done(st);
		return -1;
	}
	stmt_done(st);
	return 0;
}

/* The request row and its reasons, all or nothing. */
static int
write_request(struct ag_journal *j, const struct ag_request *req, const struct ag_risk *risk,
              const char *rule, int64_t created_ms, int64_t deadline_ms, struct ag_error *err)
{
	char *hook = NULL;
	if (hook_text(req, &hook, err) != 0)
		return -1;
	char *action = ag_json_print(req->action);
	cJSON *rj = ag_risk_to_json(risk);
	char *risk_json = ag_json_print(rj);
	cJSON_Delete(rj);
	char *summary = ag_request_summary(req);
	int rc = -1;
	/* Without reasons the one INSERT is atomic by itself; with them, a
	 * savepoint makes the request and its reasons land together. */
	int compound = risk->nreasons > 0;
	if (compound && op_begin(j, err) != 0) {
		ag_fail_prefix(err, "adding request %s", req->id);
		goto out;
	}
	int ok = insert_request(j, req, rule, created_ms, deadline_ms, action, risk, risk_json,
	                        summary != NULL ? summary : "", hook, err) == 0 &&
	         insert_reasons(j, req->id, risk, err) == 0;
	if (!compound)
		rc = ok ? 0 : -1;
	else if ((rc = op_end(j, ok, ok ? err : NULL)) != 0 && ok)
		ag_fail_prefix(err, "adding request %s", req->id);
out:
	free(action);
	free(risk_json);
	free(summary);
	free(hook);
	return rc;
}

int
ag_journal_add_request(struct ag_journal *j, const struct ag_request *req,
                       const struct ag_risk *risk, const char *rule, int64_t created_ms,
                       int64_t deadline_ms, struct ag_error *err)
{
	if (!ag_id_valid(req->id))
		return ag_fail(err, "journal: request has no valid id (the hub assigns one first)");
	if (req->action == NULL)
		return ag_fail(err, "journal: request %s has no action", req->id);
	struct ag_risk none;
	ag_risk_init(&none);
	if (risk == NULL)
		risk = &none;

	/* Outside a batch this call is its own, so the request and its
	 * session's count still land together. */
	if (ag_journal_begin(j, err) != 0)
		return -1;
	int rc = session_reserve(j, req->session != NULL ? req->session : "", err);
	if (rc == 0)
		rc = write_request(j, req, risk, rule, created_ms, deadline_ms, err);
	if (rc == 0)
		session_count(j, req, created_ms);
	struct ag_error ignored;
	if (ag_journal_commit(j, rc == 0 ? err : &ignored) != 0)
		return -1;
	return rc;
}

/* Says why a write to id was refused: unknown, or settled, and how. */
static int
explain_settled(struct ag_journal *j, const char *id, const char *doing, struct ag_error *err)
{
	enum ag_request_state state;
	struct ag_error e2;
	int known = ag_journal_request_state(j, id, &state, &e2);
	if (known < 0)
		return ag_fail(err, "journal: %s %s: %s", doing, id, e2.msg);
	if (known == 0)
		return ag_fail(err, "journal: %s %s: no such request", doing, id);
	if (state == AG_STATE_ABANDONED)
		return ag_fail(err, "journal: %s %s: the request was abandoned", doing, id);
	struct ag_decision_info d;
	memset(&d, 0, sizeof d);
	if (ag_journal_find_decision(j, id, &d, &e2) == 1) {
		ag_fail(err, "journal: %s %s: already decided (%s by %s)", doing, id,
		        ag_decision_name(d.decision), ag_decider_name(d.by));
		ag_decision_info_clear(&d);
		return -1;
	}
	return ag_fail(err, "journal: %s %s: already settled", doing, id);
}

int
ag_journal_add_decision(struct ag_journal *j, const struct ag_decision_info *d,
                        struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_ADD_DECISION, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, d->id);
	bind_text(st, 2, ag_decision_name(d->decision));
	bind_text(st, 3, ag_decider_name(d->by));
	bind_text(st, 4, d->reason != NULL ? d->reason : "");
	sqlite3_bind_int64(st, 5, d->at_ms);
	if (sqlite3_step(st) == SQLITE_DONE) {
		stmt_done(st);
		return 0;
	}
	int code = sqlite3_extended_errcode(j->db);
	if ((code & 0xff) != SQLITE_CONSTRAINT) {
		db_fail(j, err, "recording the decision for %s", d->id);
		stmt_done(st);
		return -1;
	}
	stmt_done(st);
	/* Refused by the schema: the first decision stands. Say whose it is. */
	return explain_settled(j, d->id, "decision for", err);
}

int
ag_journal_set_abandoned(struct ag_journal *j, const char *id, int64_t at_ms, struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_SET_ABANDONED, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, at_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(j, err, "abandoning %s", id);
		stmt_done(st);
		return -1;
	}
	stmt_done(st);
	if (sqlite3_changes(j->db) == 1)
		return 0;
	return explain_settled(j, id, "abandoning", err);
}

int
ag_journal_add_grant(struct ag_journal *j, const char *session, const char *action_key,
                     int64_t at_ms, struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_ADD_GRANT, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, session != NULL ? session : "");
	bind_text(st, 2, action_key);
	sqlite3_bind_int64(st, 3, at_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(j, err, "adding a session grant");
		stmt_done(st);
		return -1;
	}
	stmt_done(st);
	return 0;
}

int
ag_journal_add_review(struct ag_journal *j, const struct ag_review_record *r, struct ag_error *err)
{
	if (r->verdict_json == NULL && r->error == NULL)
		return ag_fail(err, "journal: review of %s: neither a verdict nor an error",
		               r->request_id);
	sqlite3_stmt *st = stmt_get(j, STMT_ADD_REVIEW, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, r->request_id);
	bind_text(st, 2, r->model != NULL ? r->model : "");
	bind_text(st, 3, r->verdict_json);
	bind_text(st, 4, r->error);
	sqlite3_bind_int64(st, 5, r->latency_ms);
	sqlite3_bind_int64(st, 6, r->tokens_in);
	sqlite3_bind_int64(st, 7, r->tokens_out);
	sqlite3_bind_int64(st, 8, r->at_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(j->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			ag_fail(err, "journal: review of %s: no such request", r->request_id);
		else
			db_fail(j, err, "adding a review of %s", r->request_id);
		stmt_done(st);
		return -1;
	}
	stmt_done(st);
	return 0;
}

/* ---- reads -------------------------------------------------------------- */

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
ag_journal_find_decision(struct ag_journal *j, const char *id, struct ag_decision_info *out,
                         struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_FIND_DECISION, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		stmt_done(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		db_fail(j, err, "looking up the decision for %s", id);
		stmt_done(st);
		return -1;
	}
	int decision = ag_decision_parse(col_text(st, 0));
	int by = ag_decider_parse(col_text(st, 1));
	if (decision < 0 || by < 0) {
		ag_fail(err,
		        "journal: decision for %s: unknown decision '%s' by '%s' "
		        "(written by a newer agate?)",
		        id, col_text(st, 0), col_text(st, 1));
		stmt_done(st);
		return -1;
	}
	memset(out, 0, sizeof *out);
	snprintf(out->id, sizeof out->id, "%s", id);
	out->decision = (enum ag_decision)decision;
	out->by = (enum ag_decider)by;
	out->reason = xstrdup(col_text(st, 2));
	out->at_ms = sqlite3_column_int64(st, 3);
	stmt_done(st);
	return 1;
}

int
ag_journal_request_state(struct ag_journal *j, const char *id, enum ag_request_state *state,
                         struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_REQUEST_STATE, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		stmt_done(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		db_fail(j, err, "looking up request %s", id);
		stmt_done(st);
		return -1;
	}
	const char *s = col_text(st, 0);
	if (strcmp(s, "pending") == 0)
		*state = AG_STATE_PENDING;
	else if (strcmp(s, "decided") == 0)
		*state = AG_STATE_DECIDED;
	else
		*state = AG_STATE_ABANDONED;
	stmt_done(st);
	return 1;
}

int
ag_journal_has_grant(struct ag_journal *j, const char *session, const char *action_key,
                     struct ag_error *err)
{
	sqlite3_stmt *st = stmt_get(j, STMT_HAS_GRANT, err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, session != NULL ? session : "");
	bind_text(st, 2, action_key);
	int rc = sqlite3_step(st);
	stmt_done(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(j, err, "looking up a session grant");
}

/* Adds key: value to the frame unless value is empty (absent on the wire). */
static void
add_nonempty(cJSON *frame, const char *key, const char *value)
{
	if (value != NULL && value[0] != '\0')
		cJSON_AddStringToObject(frame, key, value);
}

/* Puts a stored hook back into a request frame (nothing when text is NULL).
 * Only parsed here; ag_request_from_json, which every rebuilt frame goes
 * through, then checks it as it checks a hook on the wire. */
static int
frame_add_hook(cJSON *frame, const char *text, const char *id, struct ag_error *err)
{
	if (text == NULL)
		return 0;
	cJSON *hook = strlen(text) <= JOURNAL_HOOK_MAX ? cJSON_Parse(text) : NULL;
	if (hook == NULL)
		return ag_fail(err,
		               "journal: stored request %s: its hook is not valid JSON of at "
		               "most %d bytes",
		               id, JOURNAL_HOOK_MAX);
	cJSON_AddItemToObject(frame, "hook", hook);
	return 0;
}

/* Rebuilds the request frame a publisher sent from the stored columns, and
 * validates it again: a pending request is reloaded exactly as a new one
 * would be accepted. Returns an owned request. */
static int
load_request(sqlite3_stmt *st, const struct ag_limits *limits, struct ag_request **out,
             struct ag_error *err)
{
	const char *id = col_text(st, 0);
	cJSON *action = cJSON_Parse(col_text(st, 6));
	if (action == NULL)
		return ag_fail(err, "journal: stored request %s: its action is not valid JSON", id);
	cJSON *frame = cJSON_CreateObject();
	cJSON_AddNumberToObject(frame, "v", 1);
	cJSON_AddStringToObject(frame, "type", "request");
	cJSON_AddStringToObject(frame, "id", id);
	add_nonempty(frame, "session", col_text(st, 1));
	add_nonempty(frame, "agent", col_text(st, 2));
	add_nonempty(frame, "cwd", col_text(st, 3));
	add_nonempty(frame, "justification", col_text(st, 4));
	int64_t timeout_ms = sqlite3_column_int64(st, 5);
	if (timeout_ms > 0)
		cJSON_AddNumberToObject(frame, "timeout_ms", (double)timeout_ms);
	cJSON_AddItemToObject(frame, "action", action);
	if (frame_add_hook(frame, col_text(st, 10), id, err) != 0) {
		cJSON_Delete(frame);
		return -1;
	}
	int rc = ag_request_from_json(frame, limits, out, err);
	cJSON_Delete(frame);
	if (rc != 0)
		return ag_fail_prefix(err, "journal: stored request %s", id);
	return 0;
}

static int
load_risk(sqlite3_stmt *st, int col, const char *id, struct ag_risk *risk, struct ag_error *err)
{
	cJSON *json = cJSON_Parse(col_text(st, col));
	if (json == NULL)
		return ag_fail(err, "journal: stored request %s: its risk is not valid JSON", id);
	int rc = ag_risk_from_json(json, risk, err);
	cJSON_Delete(json);
	if (rc != 0)
		return ag_fail_prefix(err, "journal: stored request %s: risk", id);
	return 0;
}

/* Not a cached statement: it runs once per hub start, and the callback may
 * write to the journal (decide an expired request) while we step. */
int
ag_journal_load_pending(struct ag_journal *j, const struct ag_limits *limits,
                        ag_journal_pending_cb cb, void *ctx, struct ag_error *err)
{
	struct ag_limits defaults;
	if (limits == NULL) {
		ag_limits_default(&defaults);
		limits = &defaults;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(j->db,
	                       "SELECT id, session, agent, cwd, justification, timeout_ms,"
	                       " action_json, risk_json, created_ms, deadline_ms, hook_json"
	                       " FROM requests WHERE state = 'pending' ORDER BY seq",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "loading pending requests");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ag_request *req = NULL;
		struct ag_risk risk;
		ag_risk_init(&risk);
		if (load_request(st, limits, &req, err) != 0 ||
		    load_risk(st, 7, col_text(st, 0), &risk, err) != 0) {
			ag_request_free(&req);
			ag_risk_clear(&risk);
			sqlite3_finalize(st);
			return -1;
		}
		int stop =
		    cb(ctx, req, &risk, sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9));
		ag_risk_clear(&risk);
		if (stop) {
			sqlite3_finalize(st);
			return 0;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(j, err, "loading pending requests");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

void
ag_journal_query_init(struct ag_journal_query *q)
{
	memset(q, 0, sizeof *q);
	q->kind = -1;
	q->decision = -1;
	q->by = -1;
	q->min_score = -1;
}

/* Appends a constant SQL fragment. Only literals are ever passed. */
static void
sql_add(char *buf, size_t size, const char *fragment)
{
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, "%s", fragment);
}

int
ag_journal_query(struct ag_journal *j, const struct ag_journal_query *q, ag_journal_row_cb cb,
                 void *ctx, struct ag_error *err)
{
	if ((q->kind >= AG_KIND_COUNT) || (q->decision >= AG_DECISION_COUNT) ||
	    (q->by >= AG_BY_COUNT))
		return ag_fail(err, "journal: query: kind, decision or by out of range");
	char sql[2048] = "";
	sql_add(sql, sizeof sql,
	        "SELECT r.id, r.session, r.agent, r.kind, r.cwd, r.justification, r.summary,"
	        " r.action_json, r.risk_json, r.rule, r.state, r.score, r.created_ms,"
	        " d.decision, d.decided_by, d.reason, d.decided_ms, r.seq,"
	        " r.timeout_ms, r.deadline_ms, coalesce(r.abandoned_ms, 0),");
	sql_add(sql, sizeof sql, j->has_hook ? " r.hook_json" : " NULL");
	sql_add(sql, sizeof sql,
	        " FROM requests r LEFT JOIN decisions d ON d.request_id = r.id WHERE 1");
	if (q->session != NULL)
		sql_add(sql, sizeof sql, " AND r.session = :session");
	if (q->agent != NULL)
		sql_add(sql, sizeof sql, " AND r.agent = :agent");
	if (q->id != NULL)
		sql_add(sql, sizeof sql, " AND r.id = :id");
	if (q->kind >= 0)
		sql_add(sql, sizeof sql, " AND r.kind = :kind");
	if (q->decision >= 0)
		sql_add(sql, sizeof sql, " AND d.decision = :decision");
	if (q->by >= 0)
		sql_add(sql, sizeof sql, " AND d.decided_by = :by");
	if (q->min_score >= 0)
		sql_add(sql, sizeof sql, " AND r.score >= :min_score");
	if (q->since_ms > 0)
		sql_add(sql, sizeof sql, " AND r.created_ms >= :since");
	if (q->until_ms > 0)
		sql_add(sql, sizeof sql, " AND r.created_ms < :until");
	if (!q->include_pending)
		sql_add(sql, sizeof sql, " AND d.request_id IS NOT NULL");
	/* With a limit, the newest rows (as `tail`), still delivered oldest first. */
	if (q->limit > 0) {
		char *inner = xstrdup(sql);
		snprintf(sql, sizeof sql,
		         "SELECT * FROM (%s ORDER BY r.created_ms DESC, r.seq DESC LIMIT :limit)"
		         " ORDER BY created_ms, seq",
		         inner);
		free(inner);
	} else {
		sql_add(sql, sizeof sql, " ORDER BY r.created_ms, r.seq");
	}

	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "preparing the log query");
#define BIND_TEXT(name, v) bind_text(st, sqlite3_bind_parameter_index(st, name), v)
#define BIND_INT(name, v)  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v)
	BIND_TEXT(":session", q->session);
	BIND_TEXT(":agent", q->agent);
	BIND_TEXT(":id", q->id);
	if (q->kind >= 0)
		BIND_TEXT(":kind", ag_kind_name((enum ag_kind)q->kind));
	if (q->decision >= 0)
		BIND_TEXT(":decision", ag_decision_name((enum ag_decision)q->decision));
	if (q->by >= 0)
		BIND_TEXT(":by", ag_decider_name((enum ag_decider)q->by));
	BIND_INT(":min_score", q->min_score);
	BIND_INT(":since", q->since_ms);
	BIND_INT(":until", q->until_ms);
	BIND_INT(":limit", q->limit);
#undef BIND_TEXT
#undef BIND_INT

	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ag_journal_row row = {
		    .id = col_text(st, 0),
		    .session = col_text(st, 1),
		    .agent = col_text(st, 2),
		    .kind = col_text(st, 3),
		    .cwd = col_text(st, 4),
		    .justification = col_text(st, 5),
		    .summary = col_text(st, 6),
		    .action_json = col_text(st, 7),
		    .risk_json = col_text(st, 8),
		    .rule = col_text(st, 9),
		    .state = col_text(st, 10),
		    .score = sqlite3_column_int(st, 11),
		    .created_ms = sqlite3_column_int64(st, 12),
		    .decision = col_text(st, 13),
		    .by = col_text(st, 14),
		    .reason = col_text(st, 15),
		    .decided_ms = sqlite3_column_int64(st, 16),
		    .seq = sqlite3_column_int64(st, 17),
		    .timeout_ms = sqlite3_column_int64(st, 18),
		    .deadline_ms = sqlite3_column_int64(st, 19),
		    .abandoned_ms = sqlite3_column_int64(st, 20),
		    .hook_json = col_text(st, 21),
		};
		if (cb(ctx, &row) != 0) {
			sqlite3_finalize(st);
			return 0;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(j, err, "reading the log");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* integrity_check finds damaged pages and indexes; foreign_key_check finds
 * rows whose request is missing (possible only if someone edited the file
 * with foreign keys off). Either failing is reported with its first lines. */
/* Appends one problem to a "; "-separated report; returns the new count. */
static int
report_add(char *report, size_t size, int problems, const char *text, size_t n)
{
	size_t len = strlen(report);
	snprintf(report + len, size - len, "%s%.*s", problems ? "; " : "", (int)n, text);
	return problems + 1;
}

static int
check_one(struct ag_journal *j, const char *pragma, int fk, struct ag_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(j->db, pragma, -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "%s", pragma);
	char report[AG_ERROR_MAX] = "";
	int problems = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fk) {
			char line[160];
			int n =
			    snprintf(line, sizeof line, "a row in %s refers to a missing %s row",
			             col_text(st, 0), col_text(st, 2));
			problems = report_add(report, sizeof report, problems, line, (size_t)n);
			continue;
		}
		/* One row may hold several problems, a line each, after a banner. */
		const char *t = col_text(st, 0);
		if (t == NULL || strcmp(t, "ok") == 0)
			continue;
		while (*t != '\0') {
			size_t n = strcspn(t, "\n");
			if (n > 0 && strncmp(t, "*** ", 4) != 0)
				problems = report_add(report, sizeof report, problems, t, n);
			t += n + (t[n] == '\n');
		}
	}
	/* Damage bad enough to stop the check half-way is a finding too. */
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
		const char *msg = sqlite3_errmsg(j->db);
		problems = report_add(report, sizeof report, problems, msg, strlen(msg));
	} else if (rc != SQLITE_DONE) {
		db_fail(j, err, "%s", pragma);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (problems > 0)
		return ag_fail(err, "journal %s: %s found %d problem%s: %s", j->path,
		               fk ? "foreign key check" : "integrity check", problems,
		               problems == 1 ? "" : "s", report);
	return 0;
}

int
ag_journal_check(struct ag_journal *j, struct ag_error *err)
{
	if (check_one(j, "PRAGMA integrity_check(20)", 0, err) != 0)
		return -1;
	return check_one(j, "PRAGMA foreign_key_check", 1, err);
}

/* ---- audit tools: export, import, replay, retention ---------------------- */

int
ag_journal_row_request(const struct ag_journal_row *row, const struct ag_limits *limits,
                       struct ag_request **out, struct ag_error *err)
{
	*out = NULL;
	const char *id = row->id != NULL ? row->id : "";
	cJSON *action = row->action_json != NULL ? cJSON_Parse(row->action_json) : NULL;
	if (action == NULL)
		return ag_fail(err, "journal: stored request %s: its action is not valid JSON", id);
	cJSON *frame = cJSON_CreateObject();
	cJSON_AddNumberToObject(frame, "v", 1);
	cJSON_AddStringToObject(frame, "type", "request");
	cJSON_AddStringToObject(frame, "id", id);
	add_nonempty(frame, "session", row->session);
	add_nonempty(frame, "agent", row->agent);
	add_nonempty(frame, "cwd", row->cwd);
	add_nonempty(frame, "justification", row->justification);
	if (row->timeout_ms > 0)
		cJSON_AddNumberToObject(frame, "timeout_ms", (double)row->timeout_ms);
	cJSON_AddItemToObject(frame, "action", action);
	if (frame_add_hook(frame, row->hook_json, id, err) != 0) {
		cJSON_Delete(frame);
		return -1;
	}
	int rc = ag_request_from_json(frame, limits, out, err);
	cJSON_Delete(frame);
	if (rc != 0)
		return ag_fail_prefix(err, "journal: stored request %s", id);
	return 0;
}

int
ag_journal_reviews(struct ag_journal *j, const char *request_id, ag_journal_review_cb cb, void *ctx,
                   struct ag_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(j->db,
	                       "SELECT request_id, model, verdict_json, error, latency_ms,"
	                       " tokens_in, tokens_out, at_ms FROM reviews WHERE request_id = ?1"
	                       " ORDER BY seq",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "reading the reviews of %s", request_id);
	bind_text(st, 1, request_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ag_review_record r = {
		    .request_id = col_text(st, 0),
		    .model = col_text(st, 1),
		    .verdict_json = col_text(st, 2),
		    .error = col_text(st, 3),
		    .latency_ms = sqlite3_column_int64(st, 4),
		    .tokens_in = sqlite3_column_int64(st, 5),
		    .tokens_out = sqlite3_column_int64(st, 6),
		    .at_ms = sqlite3_column_int64(st, 7),
		};
		if (cb(ctx, &r) != 0) {
			sqlite3_finalize(st);
			return 0;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(j, err, "reading the reviews of %s", request_id);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
ag_journal_grants(struct ag_journal *j, const char *session, ag_journal_grant_cb cb, void *ctx,
                  struct ag_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(j->db,
	                       "SELECT session, action_key, granted_ms FROM grants"
	                       " WHERE ?1 IS NULL OR session = ?1 ORDER BY granted_ms, session",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "reading session grants");
	bind_text(st, 1, session);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb(ctx, col_text(st, 0), col_text(st, 1), sqlite3_column_int64(st, 2)) != 0) {
			sqlite3_finalize(st);
			return 0;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(j, err, "reading session grants");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* The trigger that makes decisions final; gc lifts it inside its own
 * transaction only. Its SQL is read from the file, not repeated here, so a
 * later schema that changes it is restored exactly as it was. */
#define GC_TRIGGER "decisions_final_delete"

/* The stored SQL of the trigger; caller frees. */
static int
gc_trigger_sql(struct ag_journal *j, char **out, struct ag_error *err)
{
	sqlite3_stmt *st;
	*out = NULL;
	if (sqlite3_prepare_v2(j->db,
	                       "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "gc: reading the schema");
	bind_text(st, 1, GC_TRIGGER);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && col_text(st, 0) != NULL)
		*out = xstrdup(col_text(st, 0));
	else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		db_fail(j, err, "gc: reading the schema");
	sqlite3_finalize(st);
	if (*out == NULL && (rc == SQLITE_ROW || rc == SQLITE_DONE))
		return ag_fail(err,
		               "journal %s: gc: the trigger %s is missing; the journal was "
		               "altered outside agate (refusing to delete anything)",
		               j->path, GC_TRIGGER);
	return *out == NULL ? -1 : 0;
}

/* Runs sql with one integer parameter ?1 (and ?2 when two_params); adds
 * the rows it changed to *count (may be NULL). */
static int
gc_exec(struct ag_journal *j, const char *sql, int64_t p1, int64_t p2, int64_t *count,
        struct ag_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "gc: preparing \"%.48s...\"", sql);
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, p1);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, p2);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail(j, err, "gc: \"%.48s...\"", sql);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (count != NULL)
		*count += sqlite3_changes(j->db);
	return 0;
}

/* One batch, one transaction. Sets *more when the batch was full. */
static int
gc_batch(struct ag_journal *j, const char *trigger_sql, int64_t cutoff_ms, int batch,
         struct ag_journal_gc_stats *st, int *more, struct ag_error *err)
{
	int64_t picked = 0;
	*more = 0;
	if (exec_sql(j->db, "BEGIN IMMEDIATE", err) != 0)
		return ag_fail_prefix(err, "journal %s: gc: starting a batch", j->path);
	/* The temp table lives in this connection only; its name cannot clash. */
	if (exec_sql(j->db,
	             "CREATE TEMP TABLE IF NOT EXISTS ag_gc(id TEXT PRIMARY KEY, session TEXT);"
	             "DELETE FROM temp.ag_gc;",
	             err) != 0 ||
	    gc_exec(j,
	            "INSERT INTO temp.ag_gc(id, session) SELECT id, session FROM requests"
	            " WHERE created_ms < ?1 AND state <> 'pending' ORDER BY created_ms LIMIT ?2",
	            cutoff_ms, batch, &picked, err) != 0)
		goto fail;
	if (picked > 0) {
		if (exec_sql(j->db, "DROP TRIGGER " GC_TRIGGER, err) != 0 ||
		    gc_exec(j,
		            "DELETE FROM reviews WHERE request_id IN (SELECT id FROM temp.ag_gc)",
		            0, 0, &st->reviews, err) != 0 ||
		    gc_exec(j, "DELETE FROM risk WHERE request_id IN (SELECT id FROM temp.ag_gc)",
		            0, 0, &st->reasons, err) != 0 ||
		    gc_exec(j,
		            "DELETE FROM decisions WHERE request_id IN (SELECT id FROM temp.ag_gc)",
		            0, 0, &st->decisions, err) != 0 ||
		    gc_exec(j, "DELETE FROM requests WHERE id IN (SELECT id FROM temp.ag_gc)", 0, 0,
		            &st->requests, err) != 0 ||
		    exec_sql(j->db, trigger_sql, err) != 0)
			goto fail;
		/* Keep each touched session's counters true to what is left. */
		if (gc_exec(j,
		            "UPDATE sessions SET"
		            " requests = (SELECT count(*) FROM requests r WHERE r.session = "
		            "sessions.id),"
		            " first_ms = coalesce((SELECT min(created_ms) FROM requests r"
		            "  WHERE r.session = sessions.id), first_ms)"
		            " WHERE id IN (SELECT DISTINCT session FROM temp.ag_gc)",
		            0, 0, NULL, err) != 0)
			goto fail;
	}
	if (gc_exec(j,
	            "DELETE FROM grants WHERE session IN (SELECT id FROM sessions"
	            " WHERE requests = 0 AND last_ms < ?1)",
	            cutoff_ms, 0, &st->grants, err) != 0 ||
	    gc_exec(j, "DELETE FROM sessions WHERE requests = 0 AND last_ms < ?1", cutoff_ms, 0,
	            &st->sessions, err) != 0)
		goto fail;
	if (exec_sql(j->db, "COMMIT", err) != 0)
		goto fail;
	*more = picked == batch;
	return 0;
fail:
	ag_fail_prefix(err, "journal %s: gc (batch rolled back)", j->path);
	exec_sql(j->db, "ROLLBACK", NULL);
	return -1;
}

int
ag_journal_gc(struct ag_journal *j, int64_t cutoff_ms, int batch, struct ag_journal_gc_stats *stats,
              struct ag_error *err)
{
	struct ag_journal_gc_stats local;
	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (j->readonly)
		return ag_fail(err, "journal %s: gc needs a writable handle", j->path);
	if (j->depth > 0)
		return ag_fail(err, "journal %s: gc cannot run inside a batch", j->path);
	if (batch <= 0)
		batch = 2000;
	char *trigger_sql = NULL;
	if (gc_trigger_sql(j, &trigger_sql, err) != 0)
		return -1;
	int more = 1, rc = 0;
	while (more && rc == 0)
		rc = gc_batch(j, trigger_sql, cutoff_ms, batch, stats, &more, err);
	free(trigger_sql);
	exec_sql(j->db, "DROP TABLE IF EXISTS temp.ag_gc", NULL);
	if (rc != 0)
		return -1;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(j->db,
	                       "SELECT count(*) FROM requests WHERE created_ms < ?1"
	                       " AND state = 'pending'",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, err, "gc: counting pending requests");
	sqlite3_bind_int64(st, 1, cutoff_ms);
	if (sqlite3_step(st) == SQLITE_ROW)
		stats->kept_pending = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int
ag_journal_pages(struct ag_journal *j, int64_t *pages, int64_t *free_pages, int64_t *page_size,
                 struct ag_error *err)
{
	if ((pages && query_int(j->db, "PRAGMA page_count", NULL, pages, err) != 0) ||
	    (free_pages && query_int(j->db, "PRAGMA freelist_count", NULL, free_pages, err) != 0) ||
	    (page_size && query_int(j->db, "PRAGMA page_size", NULL, page_size, err) != 0))
		return ag_fail_prefix(err, "journal %s", j->path);
	return 0;
}

/* PRAGMA incremental_vacuum(N) frees up to N pages per write transaction:
 * about 4 MiB at a time, so a waiting hub waits milliseconds. */
#define VACUUM_STEP_PAGES 1024

int
ag_journal_compact(struct ag_journal *j, int full, int64_t *freed_pages, const char **mode,
                   struct ag_error *err)
{
	int64_t auto_vacuum, before, after;
	const char *m = "none";
	if (j->readonly || j->depth > 0)
		return ag_fail(
		    err, "journal %s: compacting needs a writable handle outside a batch", j->path);
	if (query_int(j->db, "PRAGMA auto_vacuum", NULL, &auto_vacuum, err) != 0 ||
	    query_int(j->db, "PRAGMA freelist_count", NULL, &before, err) != 0)
		return ag_fail_prefix(err, "journal %s", j->path);
	if (full) {
		/* Setting auto_vacuum takes effect at this VACUUM. */
		if (exec_sql(j->db, "PRAGMA auto_vacuum = INCREMENTAL; VACUUM", err) != 0)
			return ag_fail_prefix(err, "journal %s: VACUUM", j->path);
		m = "full";
	} else if (auto_vacuum == 2) {
		int64_t left = before;
		while (left > 0) {
			char sql[64];
			snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%d)",
			         VACUUM_STEP_PAGES);
			/* The pragma returns a row per page; exec steps through them. */
			if (exec_sql(j->db, sql, err) != 0)
				return ag_fail_prefix(err, "journal %s: incremental vacuum",
				                      j->path);
			int64_t now;
			if (query_int(j->db, "PRAGMA freelist_count", NULL, &now, err) != 0)
				return ag_fail_prefix(err, "journal %s", j->path);
			if (now >= left)
				break;
			left = now;
		}
		m = "incremental";
	}
	/* Give the log file back too (it may hold a copy of every page). */
	exec_sql(j->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
	if (query_int(j->db, "PRAGMA freelist_count", NULL, &after, err) != 0)
		return ag_fail_prefix(err, "journal %s", j->path);
	if (freed_pages != NULL)
		*freed_pages = strcmp(m, "none") == 0 ? 0 : before - after;
	if (mode != NULL)
		*mode = m;
	return 0;
}
