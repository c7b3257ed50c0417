/* bench_score: `agate score` throughput on one core, beside a floor
 * measured in the same run.
 *
 * agate:  the real binary, `agate score < corpus > /dev/null`, spawned and
 *         timed wall-clock from fork to exit (process start included).
 * floor:  the same corpus file read in this process and, per line,
 *         cJSON_ParseWithLength + cJSON_PrintUnformatted + free, written to
 *         /dev/null: what any NDJSON-in, JSON-out tool pays with no scoring.
 *
 * Three corpora, generated deterministically in memory and written to a
 * temp file: mixed (~95% exec from tests/fixtures/risk/exec.tsv with varied
 * ids and cwds, ~5% patches of which a few are ~1 MiB unified diffs),
 * exec-only (requests/s) and diff-only (MB/s of diff text). Everything runs
 * pinned to CPU 0; each figure is the median of REPEAT runs: the machine
 * is shared and noisy. BENCH_QUICK=1 shrinks every corpus 10x. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "bench/timing.h"

#define REPEAT   3
#define BIG_DIFF (1024 * 1024)

static const char *agate_bin;

/* Deterministic: the same corpus on every run and machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* --- a growable byte buffer --------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Appends s as a JSON string literal (quotes included). */
static void
buf_json(struct buf *b, const char *s, size_t n)
{
	buf_add(b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char hex[8];
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\t')
			esc = "\\t";
		else if (c < 0x20) {
			snprintf(hex, sizeof hex, "\\u%04x", c);
			esc = hex;
		}
		if (esc == NULL)
			continue;
		buf_add(b, s + run, i - run);
		buf_str(b, esc);
		run = i + 1;
	}
	buf_add(b, s + run, n - run);
	buf_add(b, "\"", 1);
}

/* --- the commands: shell-text cases of exec.tsv -------------------------- */

struct commands {
	char **v;
	size_t n;
};

/* Loads the INPUT column of every shell-text case (action objects and full
 * frames are skipped: they are not what an agent's command looks like). */
static void
load_commands(const char *path, struct commands *c)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "bench_score: cannot open %s\n", path);
		exit(2);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	size_t alloc = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (tab == NULL || tab[1] == '{' || tab[1] == '\0')
			continue;
		char *input = tab + 1, *end = strchr(input, '\t');
		if (end != NULL)
			*end = '\0';
		if (c->n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			c->v = xrealloc(c->v, alloc * sizeof *c->v);
		}
		c->v[c->n++] = xstrdup(input);
	}
	free(line);
	fclose(f);
	if (c->n == 0) {
		fprintf(stderr, "bench_score: no commands in %s\n", path);
		exit(2);
	}
}

/* --- the requests -------------------------------------------------------- */

static const char *cwds[] = {
    "/home/dev/repo",      "/home/dev/src/api",    "/home/dev/work/site",
    "/srv/build/worker-3", "/home/dev/repo/pkg/x", "/tmp/scratch",
};
static const char *agents[] = {"claude-code", "codex", "gemini-cli"};

static void
frame_head(struct buf *b, long i)
{
	char head[256];
	snprintf(head, sizeof head,
	         "{\"v\":1,\"type\":\"request\",\"id\":\"r-%ld\",\"session\":\"s-%ld\","
	         "\"agent\":\"%s\",\"cwd\":\"%s\",",
	         i, i % 97, agents[i % 3], cwds[rng() % (sizeof cwds / sizeof *cwds)]);
	buf_str(b, head);
}

static void
add_exec(struct buf *b, long i, const struct commands *c)
{
	const char *cmd = c->v[rng() % c->n];
	frame_head(b, i);
	buf_str(b, "\"action\":{\"kind\":\"exec\",\"command\":");
	buf_json(b, cmd, strlen(cmd));
	buf_str(b, "}}\n");
}

static const char *idents[] = {"value",  "count",  "buffer", "request", "handler",
                               "offset", "config", "client", "result",  "limit"};

/* One line of plausible source text into line (NUL-terminated). */
static void
code_line(char *line, size_t cap)
{
	const char *a = idents[rng() % 10], *b = idents[rng() % 10];
	switch (rng() % 6) {
	case 0: snprintf(line, cap, "\tif (%s_%u > %s) {", a, rng() % 100, b); break;
	case 1: snprintf(line, cap, "\t\t%s = compute_%s(%s, %u);", a, b, a, rng() % 1000); break;
	case 2: snprintf(line, cap, "\t/* keep the %s below the %s limit */", a, b); break;
	case 3: snprintf(line, cap, "\tlog_debug(\"%s: %%d\\n\", %s->%s);", a, a, b); break;
	case 4: snprintf(line, cap, "\treturn %s_%s(ctx, %s);", a, b, a); break;
	default: snprintf(line, cap, "\t}"); break;
	}
}

/* A unified diff of about `size` bytes over several source files: hunks of
 * context, removals and additions. */
static void
make_diff(struct buf *d, size_t size, long seed)
{
	char line[160];
	int file = 0;
	while (d->len < size) {
		char hdr[512];
		snprintf(hdr, sizeof hdr,
		         "diff --git a/src/mod%ld_%d.c b/src/mod%ld_%d.c\n"
		         "index 3f2a1b0..9c8d7e6 100644\n"
		         "--- a/src/mod%ld_%d.c\n+++ b/src/mod%ld_%d.c\n",
		         seed, file, seed, file, seed, file, seed, file);
		buf_str(d, hdr);
		unsigned start = 10;
		for (int h = 0; h < 40 && d->len < size; h++) {
			int ctx = 3, del = (int)(rng() % 4), add = 1 + (int)(rng() % 8);
			snprintf(hdr, sizeof hdr, "@@ -%u,%d +%u,%d @@ static int fn_%d(void)\n",
			         start, 2 * ctx + del, start, 2 * ctx + add, h);
			buf_str(d, hdr);
			for (int k = 0; k < ctx; k++) {
				code_line(line, sizeof line);
				buf_str(d, " "), buf_str(d, line), buf_str(d, "\n");
			}
			for (int k = 0; k < del; k++) {
				code_line(line, sizeof line);
				buf_str(d, "-"), buf_str(d, line), buf_str(d, "\n");
			}
			for (int k = 0; k < add; k++) {
				code_line(line, sizeof line);
				buf_str(d, "+"), buf_str(d, line), buf_str(d, "\n");
			}
			for (int k = 0; k < ctx; k++) {
				code_line(line, sizeof line);
				buf_str(d, " "), buf_str(d, line), buf_str(d, "\n");
			}
			start += 40 + rng() % 60;
		}
		file++;
	}
}

/* Adds one patch request; returns the diff's length in bytes. */
static size_t
add_patch(struct buf *b, long i, size_t size)
{
	struct buf d = {0};
	make_diff(&d, size, i);
	frame_head(b, i);
	buf_str(b, "\"action\":{\"kind\":\"patch\",\"diff\":");
	buf_json(b, d.p, d.len);
	buf_str(b, "}}\n");
	size_t n = d.len;
	free(d.p);
	return n;
}

struct corpus {
	const char *name;
	char path[64];
	size_t bytes, diff_bytes;
	long requests, execs;
};

/* Writes the corpus to a temp file. exec_pct of requests are exec; of the
 * patches, one in big_every (0: none) is a ~1 MiB diff, the rest ~2 KiB. */
static void
make_corpus(struct corpus *c, long n, int exec_pct, long big_every, const struct commands *cmds)
{
	struct buf b = {0};
	long patches = 0;
	for (long i = 0; i < n; i++) {
		if ((int)(rng() % 100) < exec_pct) {
			add_exec(&b, i, cmds);
			c->execs++;
		} else {
			int big = big_every > 0 && patches % big_every == 0;
			c->diff_bytes += add_patch(&b, i, big ? BIG_DIFF : 2048);
			patches++;
		}
	}
	c->requests = n;
	c->bytes = b.len;
	snprintf(c->path, sizeof c->path, "/tmp/agate-bench-score.XXXXXX");
	int fd = mkstemp(c->path);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len) {
		fprintf(stderr, "bench_score: cannot write the corpus\n");
		exit(2);
	}
	close(fd);
	free(b.p);
}

/* --- agate: the real binary ---------------------------------------------- */

/* Runs `agate score < corpus > out`; returns the wall time in seconds, or
 * exits when agate fails (a bad line or a crash is not a benchmark). */
static double
run_agate(const struct corpus *c, const char *out)
{
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		int in = open(c->path, O_RDONLY);
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (in < 0 || o < 0)
			_exit(126);
		dup2(in, 0);
		dup2(o, 1);
		execl(agate_bin, agate_bin, "score", (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	double secs = now_s() - t0;
	/* 3: some request reached --fail-at; not used here. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_score: agate score failed on %s corpus (status %d)\n",
		        c->name, status);
		exit(1);
	}
	return secs;
}

/* One checked run: every request answered, none an error line. */
static void
check_agate(const struct corpus *c)
{
	char out[] = "/tmp/agate-bench-score-out.XXXXXX";
	int fd = mkstemp(out);
	close(fd);
	run_agate(c, out);
	FILE *f = fopen(out, "r");
	char *line = NULL;
	size_t cap = 0;
	long lines = 0, errors = 0;
	while (getline(&line, &cap, f) > 0) {
		lines++;
		errors += strncmp(line, "{\"line\":", 8) == 0;
	}
	free(line);
	fclose(f);
	unlink(out);
	if (lines != c->requests || errors != 0) {
		fprintf(stderr, "bench_score: %s corpus: %ld requests, %ld answers, %ld errors\n",
		        c->name, c->requests, lines, errors);
		exit(1);
	}
}

/* --- floor: cJSON parse and print, in process ---------------------------- */

static double
run_floor(const struct corpus *c)
{
	double t0 = now_s();
	FILE *in = fopen(c->path, "r"), *out = fopen("/dev/null", "w");
	char *data = xmalloc(c->bytes + 1);
	size_t got = fread(data, 1, c->bytes, in);
	for (size_t pos = 0; pos < got;) {
		const char *nl = memchr(data + pos, '\n', got - pos);
		size_t n = nl != NULL ? (size_t)(nl - (data + pos)) : got - pos;
		cJSON *j = cJSON_ParseWithLength(data + pos, n);
		if (j == NULL) {
			fprintf(stderr, "bench_score: floor: bad JSON in %s corpus\n", c->name);
			exit(1);
		}
		char *s = cJSON_PrintUnformatted(j);
		fputs(s, out);
		fputc('\n', out);
		free(s);
		cJSON_Delete(j);
		pos += n + 1;
	}
	fclose(out);
	fclose(in);
	free(data);
	return now_s() - t0;
}

/* --- report -------------------------------------------------------------- */

static void
row(const char *what, double agate, double floor_v, const char *unit, int higher_better)
{
	double ratio = higher_better ? floor_v / agate : agate / floor_v;
	printf("%-34s %12.1f %12.1f %-6s %8.2fx\n", what, agate, floor_v, unit, ratio);
}

static void
measure(const struct corpus *c, double *agate_s, double *floor_s)
{
	double a[REPEAT], f[REPEAT];
	check_agate(c);
	for (int r = 0; r < REPEAT; r++) {
		a[r] = run_agate(c, "/dev/null");
		f[r] = run_floor(c);
	}
	*agate_s = median(a, REPEAT);
	*floor_s = median(f, REPEAT);
}

static void
pin_cpu0(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0)
		perror("bench_score: sched_setaffinity (running unpinned)");
}

int
main(int argc, char **argv)
{
	agate_bin = argc > 1 ? argv[1] : getenv("AGATE_BIN");
	if (agate_bin == NULL) {
		fprintf(stderr, "usage: bench_score AGATE_BINARY [exec.tsv]\n");
		return 2;
	}
	char *tsv;
	if (argc > 2)
		tsv = xstrdup(argv[2]);
	else
		tsv = xasprintf("%s/tests/fixtures/risk/exec.tsv",
		                getenv("AGATE_SRCDIR") ? getenv("AGATE_SRCDIR") : ".");
	int quick = getenv("BENCH_QUICK") != NULL;
	long scale = quick ? 10 : 1;
	struct commands cmds = {0};
	load_commands(tsv, &cmds);
	pin_cpu0(); /* inherited by every agate spawned */
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* mixed: 5% patches, one in 50 of them 1 MiB (100 of 100,000). */
	struct corpus mixed = {.name = "mixed"}, exec = {.name = "exec"}, diff = {.name = "diff"};
	make_corpus(&mixed, 100000 / scale, 95, 50, &cmds);
	make_corpus(&exec, 100000 / scale, 100, 0, &cmds);
	make_corpus(&diff, 100 / scale, 0, 1, &cmds);

	printf("score benchmark: %zu commands from %s; one core (CPU 0); medians of %d runs\n",
	       cmds.n, tsv, REPEAT);
	printf("mixed corpus: %ld requests (%ld exec, %ld patch), %.1f MB; ratio = how many "
	       "times the floor\n",
	       mixed.requests, mixed.execs, mixed.requests - mixed.execs,
	       (double)mixed.bytes / 1e6);
	printf("%-34s %12s %12s %-6s %9s\n", "", "agate", "floor", "", "ratio");

	double a, f;
	measure(&mixed, &a, &f);
	row("mixed corpus, requests/s", (double)mixed.requests / a, (double)mixed.requests / f,
	    "req/s", 1);
	row("mixed corpus, wall time", a * 1e3, f * 1e3, "ms", 0);
	measure(&exec, &a, &f);
	row("exec only, requests/s", (double)exec.requests / a, (double)exec.requests / f, "req/s",
	    1);
	measure(&diff, &a, &f);
	row("1 MiB diffs only, diff MB/s", (double)diff.diff_bytes / 1e6 / a,
	    (double)diff.diff_bytes / 1e6 / f, "MB/s", 1);
	printf("targets (issue 3): exec >= 200000 req/s, diff >= 100 MB/s\n");

	unlink(mixed.path);
	unlink(exec.path);
	unlink(diff.path);
	for (size_t i = 0; i < cmds.n; i++)
		free(cmds.v[i]);
	free(cmds.v);
	free(tsv);
	return 0;
}
