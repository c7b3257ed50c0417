/* agate score: requests in (NDJSON on stdin), judgements out, one line
 * each, in order, without a bus. For scripts and CI: the same engine and
 * rules the hub uses, deterministic for a given input and rule files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/assessment.h"
#include "core/request.h"
#include "core/xmalloc.h"
#include "reviewer/answer.h"
#include "reviewer/engine.h"
#include "reviewer/judge.h"

#define READ_CHUNK 65536

static void
score_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate score [--no-rules] [--system FILE] [--user FILE] [--project FILE]\n"
	        "                   [--ceiling LEVEL] [--fail-at LEVEL] < requests.ndjson\n\n"
	        "Score approval requests without a bus. Each input line is a request frame\n"
	        "({\"v\":1,\"type\":\"request\",...,\"action\":{...}}); each output line is\n"
	        "  {\"id\":ID|null,\"risk\":{...},\"rule\":TEXT|null,\"decision\":D|null}\n"
	        "where decision is what a rule decided at once (deny, approve) or null. A bad\n"
	        "line gives {\"line\":N,\"error\":\"...\"}; blank lines are skipped.\n\n"
	        "Rules are those the hub would use (/etc/agate/rules, the user's, and the\n"
	        "project's .agate/rules found from each request's cwd) unless overridden:\n"
	        "  --no-rules        score only, match no rules\n"
	        "  --system FILE     system rules file ('' for none)\n"
	        "  --user FILE       user rules file ('' for none)\n"
	        "  --project FILE    project rules for every request ('' for none)\n"
	        "  --ceiling LEVEL   allow rules decide at or below LEVEL (default: config\n"
	        "                    rules_ceiling, high)\n"
	        "  --fail-at LEVEL   exit 3 when any request reaches LEVEL\n\n"
	        "Exit status: 0 all lines scored, 1 some lines were bad, 2 usage or rules\n"
	        "error, 3 --fail-at was reached.\n");
}

/* A bounded line reader over stdin: lines longer than max are reported and
 * skipped, never buffered whole. */
struct reader {
	FILE *in;
	char *buf;
	size_t len, cap, max;
	char chunk[READ_CHUNK];
	size_t pos, end;
	int eof;
};

/* Next line into r->buf (NUL-terminated, no newline). Returns 1 for a
 * line, 0 at the end, -1 for a line longer than max (skipped). */
static int
next_line(struct reader *r)
{
	int toolong = 0, any = 0;
	r->len = 0;
	for (;;) {
		if (r->pos == r->end) {
			if (r->eof)
				break;
			r->end = fread(r->chunk, 1, sizeof r->chunk, r->in);
			r->pos = 0;
			if (r->end == 0) {
				r->eof = 1;
				break;
			}
		}
		any = 1;
		const char *start = r->chunk + r->pos;
		const char *nl = memchr(start, '\n', r->end - r->pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : r->end - r->pos;
		if (!toolong && r->len + n > r->max) {
			toolong = 1;
			r->len = 0;
		}
		if (!toolong) {
			if (r->len + n + 1 > r->cap) {
				r->cap = (r->len + n + 1) * 2;
				if (r->cap > r->max + 1)
					r->cap = r->max + 1;
				r->buf = xrealloc(r->buf, r->cap);
			}
			memcpy(r->buf + r->len, start, n);
			r->len += n;
		}
		r->pos += n + (nl != NULL);
		if (nl != NULL)
			break;
	}
	if (!any)
		return 0;
	if (toolong)
		return -1;
	if (r->buf == NULL)
		r->buf = xmalloc(1);
	r->buf[r->len] = '\0';
	return 1;
}

/* The output: answer lines accumulate in one buffer and go out in writes
 * of OUT_FLUSH bytes or more; on a terminal, after every line, so someone
 * typing requests sees each answer. */
#define OUT_FLUSH (1 << 16)

struct output {
	struct ag_answer_buf buf;
	int eager; /* flush after every line */
	int failed;
};

static void
out_flush(struct output *o)
{
	if (o->buf.len > 0 && fwrite(o->buf.p, 1, o->buf.len, stdout) != o->buf.len)
		o->failed = 1;
	o->buf.len = 0;
}

static void
out_line_done(struct output *o)
{
	if (o->eager || o->buf.len >= OUT_FLUSH)
		out_flush(o);
}

/* The parse of one line makes some thirty small allocations through
 * cJSON's hooks (a node per value, a copy per string and key, the copy of
 * the action kept in the request), all freed before the next line: as much
 * work as scoring the line. While a line is parsed they come from this
 * arena instead, bumped up and reset whole once the line is done; freeing
 * one of them is a no-op. Everything else, and anything large or arriving
 * after the arena is full, still goes to malloc, and the free hook hands
 * any pointer it did not make to free(). */
#define ARENA_SIZE  (256 * 1024)
#define ARENA_LARGE (16 * 1024)

static struct {
	unsigned char *base;
	size_t used;
	int active;  /* between arena_begin and arena_end */
	int outside; /* since arena_begin, allocations that went to malloc */
} arena;

static void *
arena_malloc(size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (arena.active && n <= ARENA_LARGE && need <= ARENA_SIZE - arena.used) {
		void *p = arena.base + arena.used;
		arena.used += need;
		return p;
	}
	arena.outside += arena.active;
	return malloc(n);
}

static void
arena_free(void *p)
{
	unsigned char *c = p;
	if (c >= arena.base && c < arena.base + ARENA_SIZE)
		return;
	free(p);
}

/* From here until arena_end, cJSON allocates in the arena (emptied). */
static void
arena_begin(void)
{
	if (arena.base == NULL) {
		arena.base = xmalloc(ARENA_SIZE);
		cJSON_Hooks hooks = {arena_malloc, arena_free};
		cJSON_InitHooks(&hooks);
	}
	arena.used = 0;
	arena.outside = 0;
	arena.active = 1;
}

/* Whether everything cJSON allocated since arena_begin is in the arena:
 * then a tree made in that time can be dropped without a walk that frees
 * nothing. */
static int
arena_holds_all(void)
{
	return arena.outside == 0;
}

/* cJSON allocates with malloc again; what the arena holds stays valid
 * until the next arena_begin. */
static void
arena_end(void)
{
	arena.active = 0;
}

/* Back to cJSON's defaults; everything of the arena must be gone. */
static void
arena_free_all(void)
{
	if (arena.base == NULL)
		return;
	cJSON_InitHooks(NULL);
	free(arena.base);
	arena.base = NULL;
}

struct score_opts {
	int no_rules;
	struct ag_judge_options judge;
	int fail_at; /* level, or -1 */
};

static int
parse_level(const char *s, const char *flag)
{
	int level = ag_level_parse(s);
	if (level < 0)
		fprintf(stderr,
		        "agate score: %s: unknown level '%s' (expected low, medium, high, "
		        "critical)\n",
		        flag, s);
	return level;
}

int
cmd_score(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},          {"no-rules", no_argument, NULL, 'n'},
	    {"system", required_argument, NULL, 's'},  {"user", required_argument, NULL, 'u'},
	    {"project", required_argument, NULL, 'p'}, {"ceiling", required_argument, NULL, 'c'},
	    {"fail-at", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0},
	};
	struct score_opts o = {.fail_at = -1};
	const char *ceiling = NULL;
	int c;

	ag_judge_options_default(&o.judge);
	o.judge.once = 1; /* one rule set for the whole run */
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': score_usage(stdout); return 0;
		case 'n': o.no_rules = 1; break;
		case 's': o.judge.system_path = optarg; break;
		case 'u': o.judge.user_path = optarg; break;
		case 'p': o.judge.project_path = optarg; break;
		case 'c': ceiling = optarg; break;
		case 'f':
			if ((o.fail_at = parse_level(optarg, "--fail-at")) < 0)
				return 2;
			break;
		default: score_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "agate score: unexpected argument '%s' (requests come on stdin)\n",
		        argv[optind]);
		return 2;
	}

	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, NULL, NULL) != 0)
		return 2;
	int level = ag_level_parse(ag_config_str(env.cfg, "rules_ceiling"));
	if (level >= 0)
		o.judge.ceiling = (enum ag_level)level;
	if (ceiling != NULL && (level = parse_level(ceiling, "--ceiling")) < 0) {
		ag_cmd_env_free(&env);
		return 2;
	}
	if (ceiling != NULL)
		o.judge.ceiling = (enum ag_level)level;

	struct ag_limits lim;
	ag_limits_default(&lim);
	lim.max_frame = (size_t)ag_config_int(env.cfg, "max_frame");
	lim.max_text = lim.max_frame;
	ag_cmd_env_free(&env);

	struct ag_judge_ctx *judge = NULL;
	struct ag_error err;
	if (!o.no_rules && ag_judge_new_opts(&o.judge, &judge, &err) != 0) {
		fprintf(stderr, "agate score: %s\n", err.msg);
		return 2;
	}

	/* stdout's own buffer is bypassed: whole batches of lines go to
	 * fwrite, which hands a write that large straight to the kernel. */
	struct output out = {.eager = isatty(STDOUT_FILENO)};
	struct reader rd = {.in = stdin, .max = lim.max_frame};
	size_t lineno = 0;
	int bad = 0, reached = 0, r;
	while ((r = next_line(&rd)) != 0) {
		lineno++;
		if (r < 0) {
			char msg[128];
			snprintf(msg, sizeof msg, "line longer than %zu bytes", lim.max_frame);
			ag_answer_error(&out.buf, lineno, msg);
			out_line_done(&out);
			bad = 1;
			continue;
		}
		size_t n = rd.len;
		while (n > 0 &&
		       (rd.buf[n - 1] == '\r' || rd.buf[n - 1] == ' ' || rd.buf[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		cJSON *frame = NULL;
		struct ag_frame_info info;
		struct ag_request *req = NULL;
		/* The frame and the request's action live in the arena until
		 * the next line: ag_request_free below is their end. */
		arena_begin();
		int rc = ag_frame_parse_info(rd.buf, n, &lim, &frame, &info, &err) != 0 ||
		         (strcmp(ag_frame_type(frame), "request") != 0 &&
		          ag_fail(&err, "type: expected \"request\", got \"%s\"",
		                  ag_frame_type(frame))) ||
		         ag_request_take(frame, &info, &req, &err) != 0;
		/* the action has moved into req; the rest of the frame is
		 * dropped with the arena at the next line when it all lies
		 * there (cJSON_Delete would only walk it) */
		if (!arena_holds_all())
			cJSON_Delete(frame);
		arena_end();
		if (rc) {
			ag_answer_error(&out.buf, lineno, err.msg);
			out_line_done(&out);
			bad = 1;
			continue;
		}
		struct ag_assessment a;
		ag_assessment_init(&a);
		if (judge != NULL)
			ag_judge_assess(judge, req, &a);
		else
			ag_engine_score(req, &a.risk);
		if (o.fail_at >= 0 && (int)a.risk.level >= o.fail_at)
			reached = 1;
		ag_answer_request(&out.buf, req->id, &a);
		out_line_done(&out);
		ag_assessment_clear(&a);
		ag_request_free(&req);
	}
	out_flush(&out);
	ag_answer_buf_free(&out.buf);
	arena_free_all();
	free(rd.buf);
	ag_judge_free(&judge);
	if (out.failed || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "agate score: cannot write the output\n");
		return 2;
	}
	if (reached)
		return 3;
	return bad ? 1 : 0;
}
