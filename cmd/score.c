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

/* One output line. Printed into a buffer kept across lines (grown on
 * demand) rather than a fresh cJSON_PrintUnformatted allocation, which
 * starts at 256 bytes and reallocs its way up on every line. */
static char *out_buf;
static size_t out_cap = 4096;

static void
print_line(cJSON *obj)
{
	if (out_buf == NULL)
		out_buf = xmalloc(out_cap);
	/* cJSON may need a few bytes beyond the text it writes; on a miss,
	 * print the usual way and keep a buffer big enough for next time. */
	if (!cJSON_PrintPreallocated(obj, out_buf, (int)out_cap - 5, 0)) {
		char *s = cJSON_PrintUnformatted(obj);
		size_t n = strlen(s);
		fwrite(s, 1, n, stdout);
		fputc('\n', stdout);
		free(s);
		if (n + 64 > out_cap && n < (size_t)1 << 28) {
			out_cap = (n + 64) * 2;
			out_buf = xrealloc(out_buf, out_cap);
		}
		return;
	}
	fputs(out_buf, stdout);
	fputc('\n', stdout);
}

static void
print_error(size_t lineno, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "line", (double)lineno);
	cJSON_AddStringToObject(o, "error", msg);
	print_line(o);
	cJSON_Delete(o);
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

	/* Into a pipe or file, output goes in 64 KiB writes (stdio's default
	 * is the file's block size, often 4 KiB); a terminal keeps line
	 * buffering, so someone typing requests sees each answer. */
	static char stdout_buf[1 << 16];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);

	struct reader rd = {.in = stdin, .max = lim.max_frame};
	size_t lineno = 0;
	int bad = 0, reached = 0, r;
	while ((r = next_line(&rd)) != 0) {
		lineno++;
		if (r < 0) {
			char msg[128];
			snprintf(msg, sizeof msg, "line longer than %zu bytes", lim.max_frame);
			print_error(lineno, msg);
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
		struct ag_request *req = NULL;
		if (ag_frame_parse(rd.buf, n, &lim, &frame, &err) != 0 ||
		    (strcmp(ag_frame_type(frame), "request") != 0 &&
		     ag_fail(&err, "type: expected \"request\", got \"%s\"",
		             ag_frame_type(frame))) ||
		    ag_request_from_json(frame, &lim, &req, &err) != 0) {
			print_error(lineno, err.msg);
			cJSON_Delete(frame);
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

		cJSON *out = cJSON_CreateObject();
		if (req->id[0] != '\0')
			cJSON_AddStringToObject(out, "id", req->id);
		else
			cJSON_AddNullToObject(out, "id");
		cJSON_AddItemToObject(out, "risk", ag_risk_to_json(&a.risk));
		if (a.rule != NULL)
			cJSON_AddStringToObject(out, "rule", a.rule);
		else
			cJSON_AddNullToObject(out, "rule");
		if (a.decided)
			cJSON_AddStringToObject(out, "decision", ag_decision_name(a.decision));
		else
			cJSON_AddNullToObject(out, "decision");
		print_line(out);
		cJSON_Delete(out);
		ag_assessment_clear(&a);
		ag_request_free(&req);
		cJSON_Delete(frame);
	}
	free(rd.buf);
	free(out_buf);
	out_buf = NULL;
	ag_judge_free(&judge);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "agate score: cannot write the output\n");
		return 2;
	}
	if (reached)
		return 3;
	return bad ? 1 : 0;
}
