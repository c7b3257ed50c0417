/* bench_journal: the journal at scale, beside a floor measured in the same
 * run on the same file.
 *
 * Builds a journal of N requests (default 1,000,000; BENCH_QUICK=1:
 * 100,000), each decided, in 10,000 sessions of N/10,000, inserted through
 * core/journal.h in batches of 10,000 (the hub writes the same rows one
 * loop turn at a time). Then:
 *
 *   replay   every decided row read back, rebuilt into a validated request
 *            (ag_journal_row_request) and scored by the risk engine, in
 *            process: what `agate replay` does per row. Also with the rule
 *            layers (the judge), and `agate replay --json` end to end.
 *            floor: a bare sqlite3 query stepping the same rows and columns.
 *   log      `agate log --session X` as a user runs it (a process, output
 *            to /dev/null), median and p95 over 25 sessions.
 *            floor: a bare sqlite3 open + the same query + close, in process.
 *
 * Targets (issue 6): replay >= 100,000 requests/s; log < 50 ms. */
#include <errno.h>
#include <fcntl.h>
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
#include "reviewer/engine.h"
#include "reviewer/judge.h"
#include "bench/timing.h"

#define SESSIONS 10000
#define BATCH    10000
#define LOG_RUNS 25

/* What agents ask, roughly in the mix a coding session has. */
static const char *const actions[] = {
    "{\"kind\":\"exec\",\"command\":\"git status\"}",
    "{\"kind\":\"exec\",\"command\":\"git diff --stat HEAD~1\"}",
    "{\"kind\":\"exec\",\"command\":\"cargo test --package worker -- --nocapture\"}",
    "{\"kind\":\"exec\",\"command\":\"npm install left-pad\"}",
    "{\"kind\":\"exec\",\"command\":\"rm -rf build && make -j8\"}",
    "{\"kind\":\"exec\",\"command\":\"curl -fsSL https://get.example.com/install.sh | sh\"}",
    "{\"kind\":\"exec\",\"command\":\"find . -name '*.o' -delete\"}",
    "{\"kind\":\"exec\",\"command\":\"ls -la src/\"}",
    "{\"kind\":\"exec\",\"command\":\"sed -i 's/foo/bar/g' src/main.c\"}",
    "{\"kind\":\"exec\",\"command\":\"git push --force origin main\"}",
    "{\"kind\":\"exec\",\"argv\":[\"python3\",\"-m\",\"pytest\",\"-x\",\"tests/\"]}",
    "{\"kind\":\"exec\",\"command\":\"cat ~/.aws/credentials\"}",
    "{\"kind\":\"patch\",\"diff\":\"--- a/src/main.c\\n+++ b/src/main.c\\n@@ -1,3 +1,4 @@\\n "
    "#include <stdio.h>\\n+#include <stdlib.h>\\n int main(void)\\n {\\n\"}",
    "{\"kind\":\"network\",\"host\":\"api.github.com\",\"port\":443,\"protocol\":\"https\","
    "\"method\":\"GET\",\"url\":\"https://api.github.com/repos/x/y\"}",
    "{\"kind\":\"mcp\",\"server\":\"github\",\"tool\":\"create_issue\",\"arguments\":{\"title\":"
    "\"bug\",\"body\":\"it crashes\"}}",
    "{\"kind\":\"exec\",\"command\":\"make test\"}",
};
#define NACTIONS (sizeof actions / sizeof actions[0])

static struct ag_request *templates[NACTIONS];
static struct ag_risk risks[NACTIONS];

static void
make_templates(void)
{
	for (size_t i = 0; i < NACTIONS; i++) {
		char *text = xasprintf(
		    "{\"v\":1,\"type\":\"request\",\"id\":\"t\",\"agent\":\"claude-code\","
		    "\"cwd\":\"/home/dev/repo\",\"justification\":\"part of the task\","
		    "\"action\":%s}",
		    actions[i]);
		cJSON *f = cJSON_Parse(text);
		struct ag_error err;
		if (f == NULL || ag_request_from_json(f, NULL, &templates[i], &err) != 0) {
			fprintf(stderr, "bench_journal: template %zu: %s\n", i,
			        f ? err.msg : "JSON");
			exit(2);
		}
		cJSON_Delete(f);
		free(text);
		ag_risk_init(&risks[i]);
		ag_engine_score(templates[i], &risks[i]);
	}
}

static void
die(const char *what, const struct ag_error *err)
{
	fprintf(stderr, "bench_journal: %s: %s\n", what, err->msg);
	exit(2);
}

/* Request i: session i / per_session, template i % NACTIONS, created 10 ms
 * apart, decided 50 ms later. */
static double
build(const char *path, long n)
{
	struct ag_journal *j = NULL;
	struct ag_error err;
	if (ag_journal_open(path, 0, &j, &err) != 0)
		die("open", &err);
	long per_session = n / SESSIONS > 0 ? n / SESSIONS : 1;
	int64_t base = 1700000000000LL;
	double t0 = now_s();
	for (long i = 0; i < n; i++) {
		if (i % BATCH == 0 && ag_journal_begin(j, &err) != 0)
			die("begin", &err);
		struct ag_request *req = templates[i % NACTIONS];
		char session[32];
		snprintf(req->id, sizeof req->id, "b%07ld", i);
		snprintf(session, sizeof session, "s%05ld", i / per_session);
		char *saved = req->session;
		req->session = session;
		int64_t at = base + i * 10;
		int rc = ag_journal_add_request(j, req, &risks[i % NACTIONS], NULL, at, at + 600000,
		                                &err);
		req->session = saved;
		if (rc != 0)
			die("add_request", &err);
		struct ag_decision_info d = {.decision = i % 7 == 3 ? AG_DECISION_DENY
		                                                    : AG_DECISION_APPROVE,
		                             .by = i % 3 == 0 ? AG_BY_POLICY : AG_BY_HUMAN,
		                             .reason = (char *)"",
		                             .at_ms = at + 50};
		snprintf(d.id, sizeof d.id, "b%07ld", i);
		if (ag_journal_add_decision(j, &d, &err) != 0)
			die("add_decision", &err);
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			if (ag_journal_commit(j, &err) != 0)
				die("commit", &err);
		}
	}
	double dt = now_s() - t0;
	ag_journal_close(&j);
	return dt;
}

/* ---- replay --------------------------------------------------------------------- */

struct replay_ctx {
	struct ag_judge_ctx *judge;
	long rows, scored, risky;
};

static int
replay_row(void *ctx, const struct ag_journal_row *row)
{
	struct replay_ctx *c = ctx;
	struct ag_request *req = NULL;
	struct ag_error err;
	c->rows++;
	if (ag_journal_row_request(row, NULL, &req, &err) != 0)
		return 0;
	struct ag_assessment a;
	ag_assessment_init(&a);
	if (c->judge != NULL)
		ag_judge_assess(c->judge, req, &a);
	else
		ag_engine_score(req, &a.risk);
	c->scored++;
	c->risky += a.risk.score >= 50;
	ag_assessment_clear(&a);
	ag_request_free(&req);
	return 0;
}

static double
replay_inprocess(const char *path, struct ag_judge_ctx *judge, long *scored)
{
	struct ag_journal *j = NULL;
	struct ag_error err;
	if (ag_journal_open(path, 1, &j, &err) != 0)
		die("open", &err);
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	struct replay_ctx c = {judge, 0, 0, 0};
	double t0 = now_s();
	if (ag_journal_query(j, &q, replay_row, &c, &err) != 0)
		die("query", &err);
	double dt = now_s() - t0;
	ag_journal_close(&j);
	*scored = c.scored;
	return dt;
}

/* The same rows and columns as ag_journal_query, stepped and touched, no
 * more: what SQLite alone costs. */
static const char log_sql[] =
    "SELECT r.id, r.session, r.agent, r.kind, r.cwd, r.justification, r.summary,"
    " r.action_json, r.risk_json, r.rule, r.state, r.score, r.created_ms,"
    " d.decision, d.decided_by, d.reason, d.decided_ms, r.seq,"
    " r.timeout_ms, r.deadline_ms, coalesce(r.abandoned_ms, 0)"
    " FROM requests r LEFT JOIN decisions d ON d.request_id = r.id WHERE 1";

static long
bare_query(const char *path, const char *session)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *sql = xasprintf("%s%s AND d.request_id IS NOT NULL ORDER BY r.created_ms, r.seq",
	                      log_sql, session ? " AND r.session = ?1" : "");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_journal: %s\n", sqlite3_errmsg(db));
		exit(2);
	}
	if (session)
		sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
	long rows = 0;
	size_t bytes = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < 21; i++) {
			const unsigned char *t = sqlite3_column_text(st, i);
			bytes += t ? (size_t)sqlite3_column_bytes(st, i) : 0;
		}
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sql);
	return bytes > 0 ? rows : 0;
}

/* Runs argv with stdout to /dev/null; returns wall seconds. */
static double
run(char *const argv[])
{
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	double dt = now_s() - t0;
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1)) {
		fprintf(stderr, "bench_journal: %s %s failed (status %d)\n", argv[0], argv[1],
		        status);
		exit(2);
	}
	return dt;
}

static void
row(const char *what, double agate, double floor_v, const char *unit, int higher_better)
{
	double ratio = higher_better ? floor_v / agate : agate / floor_v;
	printf("%-44s %12.1f %12.1f %-9s %7.2fx\n", what, agate, floor_v, unit, ratio);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_journal AGATE_BINARY [N]\n");
		return 2;
	}
	const char *agate = argv[1];
	long n = argc > 2 ? atol(argv[2]) : getenv("BENCH_QUICK") ? 100000 : 1000000;
	char dir[] = "/tmp/agate-bench-journal-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 2;
	char *path = xasprintf("%s/journal.db", dir);
	char *config = xasprintf("%s/config", dir);
	FILE *cf = fopen(config, "w");
	if (cf)
		fclose(cf);
	setenv("AGATE_CONFIG", config, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	make_templates();

	printf("journal benchmark: %ld requests in %d sessions (machine: %ld cores)\n", n, SESSIONS,
	       sysconf(_SC_NPROCESSORS_ONLN));
	double build_s = build(path, n);
	struct stat st;
	stat(path, &st);
	printf("built in %.1f s (%.0f requests + decisions/s through core/journal.h, batches of "
	       "%d); file %.0f MiB\n\n",
	       build_s, (double)n / build_s, BATCH, (double)st.st_size / (1 << 20));
	printf("%-44s %12s %12s %-9s %8s\n", "", "agate", "floor", "", "ratio");

	/* Warm the page cache the same way for both sides. */
	bare_query(path, NULL);
	long scored = 0;
	double floor_s = 1e9, eng_s = 1e9, judge_s = 1e9;
	for (int r = 0; r < 3; r++) {
		double t0 = now_s();
		long rows = bare_query(path, NULL);
		double t = now_s() - t0;
		floor_s = t < floor_s ? t : floor_s;
		if (rows != n) {
			fprintf(stderr, "bench_journal: floor read %ld rows, want %ld\n", rows, n);
			return 2;
		}
		t = replay_inprocess(path, NULL, &scored);
		eng_s = t < eng_s ? t : eng_s;
		if (scored != n) {
			fprintf(stderr, "bench_journal: replay scored %ld of %ld\n", scored, n);
			return 2;
		}
	}
	/* The judge: rule layers + engine, as replay --rules FILE uses it. */
	char *rules = xasprintf("%s/rules", dir);
	FILE *rf = fopen(rules, "w");
	if (rf != NULL) {
		fputs("allow exec git status\nallow exec git diff *\nask exec git push *\n"
		      "deny exec rm -rf /*\ndeny patch path:.github/workflows/**\n"
		      "allow network host:api.github.com\ndeny mcp github/delete_*\n",
		      rf);
		fclose(rf);
	}
	struct ag_judge_options jo;
	ag_judge_options_default(&jo);
	jo.system_path = "";
	jo.user_path = "";
	jo.project_path = rules;
	struct ag_judge_ctx *judge = NULL;
	struct ag_error err;
	if (ag_judge_new_opts(&jo, &judge, &err) != 0)
		die("judge", &err);
	judge_s = replay_inprocess(path, judge, &scored);
	ag_judge_free(&judge);
	row("replay: rebuild + risk engine (in process)", (double)n / eng_s, (double)n / floor_s,
	    "req/s", 1);
	row("replay: rebuild + rules + engine (in process)", (double)n / judge_s,
	    (double)n / floor_s, "req/s", 1);
	char *argv_replay[] = {(char *)agate, "replay", "--journal", path,
	                       "--rules",     rules,    "--json",    NULL};
	double e2e = run(argv_replay);
	row("agate replay --rules FILE --json (process)", (double)n / e2e, (double)n / floor_s,
	    "req/s", 1);

	/* agate log --session X, over sessions spread through the file. */
	double lat[LOG_RUNS], flo[LOG_RUNS];
	long per_session = n / SESSIONS > 0 ? n / SESSIONS : 1;
	long nsessions = n / per_session;
	for (int i = 0; i < LOG_RUNS; i++) {
		char session[32];
		snprintf(session, sizeof session, "s%05ld", (i * 397L + 11) % nsessions);
		char *argv_log[] = {(char *)agate, "log",       "--no-pager", "--session",
		                    session,       "--journal", path,         NULL};
		lat[i] = run(argv_log) * 1000;
		double t0 = now_s();
		long rows = bare_query(path, session);
		flo[i] = (now_s() - t0) * 1000;
		if (rows != per_session) {
			fprintf(stderr, "bench_journal: session %s has %ld rows\n", session, rows);
			return 2;
		}
	}
	char *argv_version[] = {(char *)agate, "--version", NULL};
	double spawn[LOG_RUNS];
	for (int i = 0; i < LOG_RUNS; i++)
		spawn[i] = run(argv_version) * 1000;
	qsort(lat, LOG_RUNS, sizeof *lat, cmp_double);
	qsort(flo, LOG_RUNS, sizeof *flo, cmp_double);
	qsort(spawn, LOG_RUNS, sizeof *spawn, cmp_double);
	char what[80];
	snprintf(what, sizeof what, "agate log --session X (%ld rows), p50", per_session);
	row(what, lat[LOG_RUNS / 2], flo[LOG_RUNS / 2], "ms", 0);
	snprintf(what, sizeof what, "agate log --session X (%ld rows), p95", per_session);
	row(what, lat[LOG_RUNS * 95 / 100], flo[LOG_RUNS * 95 / 100], "ms", 0);
	printf("  (starting the agate process alone, `agate --version`: p50 %.1f ms)\n",
	       spawn[LOG_RUNS / 2]);
	printf(
	    "\ntargets: replay >= 100000 req/s: %s (%.0f); log --session < 50 ms: %s (p95 %.1f)\n",
	    (double)n / eng_s >= 100000 ? "met" : "NOT met", (double)n / eng_s,
	    lat[LOG_RUNS * 95 / 100] < 50 ? "met" : "NOT met", lat[LOG_RUNS * 95 / 100]);

	/* Retention over the whole file, as `agate gc` runs it with no hub:
	 * batches of 2,000 requests, then one VACUUM. Not a ratio: a report. */
	stat(path, &st);
	double size0 = (double)st.st_size / (1 << 20);
	char *argv_gc[] = {(char *)agate, "gc",        "--older-than", "0s",
	                   "--no-check",  "--journal", path,           NULL};
	double gc_s = run(argv_gc);
	stat(path, &st);
	printf("agate gc --older-than 0s: %ld requests deleted and the file vacuumed in %.1f s "
	       "(%.0f MiB -> %.1f MiB)\n",
	       n, gc_s, size0, (double)st.st_size / (1 << 20));

	for (size_t i = 0; i < NACTIONS; i++) {
		ag_request_free(&templates[i]);
		ag_risk_clear(&risks[i]);
	}
	static const char *const junk[] = {"journal.db", "journal.db-wal", "journal.db-shm",
	                                   "config", "rules"};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		char *p = xasprintf("%s/%s", dir, junk[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(path);
	free(config);
	free(rules);
	return 0;
}
