/* agate export / agate import: the journal as NDJSON, in the protocol's own
 * shapes, so that an archive is readable with the protocol's man page and
 * any JSON tool, and an import into a fresh journal gives back the same
 * `agate log`.
 *
 *   {"v":1,"type":"export","format":"agate-journal","exported_ms":N}
 *   {"v":1,"type":"request",<the request frame>,"risk":{..},"rule":..|null,
 *    "created_ms":N,"deadline_ms":N}
 *   {"v":1,"type":"review","id":..,"review":{..}|null,"model":..,"error":..,
 *    "latency_ms":N,"tokens_in":N,"tokens_out":N,"at_ms":N}
 *   {"v":1,"type":"decision","id":..,"decision":..,"by":..,"reason":..,"at_ms":N}
 *   {"v":1,"type":"event","event":"abandoned","id":..,"at_ms":N}
 *   {"v":1,"type":"grant","session":..,"action_key":..,"granted_ms":N}
 *   {"v":1,"type":"export_end","requests":N,"decisions":N,"reviews":N,
 *    "abandoned":N,"grants":N}
 *
 * Lines of one request follow it. The closing line makes truncation
 * visible: an import without it, or whose counts disagree, changes
 * nothing (the whole import is one transaction). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/audit.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/clock.h"
#include "core/journal.h"
#include "core/request.h"
#include "core/xmalloc.h"

#define EXPORT_FORMAT "agate-journal"

struct counts {
	int64_t requests, decisions, reviews, abandoned, grants;
};

/* ---- export ------------------------------------------------------------------ */

struct exporter {
	struct ag_journal *j;
	FILE *out;
	struct counts n;
	struct ag_strset sessions; /* whose grants to export */
	int failed;
	struct ag_error err;
};

static void
export_usage(FILE *out)
{
	fprintf(out, "usage: agate export [FILTERS] [--pending] [-o FILE] [--journal FILE]\n\n"
	             "Write journaled requests with their risk, reviews, decisions and the\n"
	             "sessions' grants as NDJSON, in the protocol's request, review and\n"
	             "decision shapes (see agate-export(1)). `agate import` reads it back.\n\n"
	             "  -o, --output FILE    write to FILE instead of standard output\n"
	             "  --pending            also requests not decided yet\n" AG_AUDIT_FILTER_HELP
	             "\nExit status: 0 written, 2 error.\n");
}

/* Writes one line; remembers a write error for the end. */
static void
emit(struct exporter *ex, cJSON *line)
{
	char *text = cJSON_PrintUnformatted(line);
	cJSON_Delete(line);
	if (text == NULL) {
		ex->failed = 1;
		ag_fail(&ex->err, "cannot print a line (out of memory?)");
		return;
	}
	fputs(text, ex->out);
	fputc('\n', ex->out);
	cJSON_free(text);
}

static cJSON *
line_new(const char *type)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", 1);
	cJSON_AddStringToObject(o, "type", type);
	return o;
}

/* JSON text stored by us, back to a tree; null when it does not parse. */
static cJSON *
parsed_or_null(const char *text)
{
	cJSON *j = text != NULL ? cJSON_Parse(text) : NULL;
	return j != NULL ? j : cJSON_CreateNull();
}

static int
export_review(void *ctx, const struct ag_review_record *r)
{
	struct exporter *ex = ctx;
	cJSON *o = line_new("review");
	cJSON_AddStringToObject(o, "id", r->request_id);
	cJSON_AddItemToObject(o, "review", parsed_or_null(r->verdict_json));
	cJSON_AddStringToObject(o, "model", r->model != NULL ? r->model : "");
	if (r->error != NULL)
		cJSON_AddStringToObject(o, "error", r->error);
	cJSON_AddNumberToObject(o, "latency_ms", (double)r->latency_ms);
	cJSON_AddNumberToObject(o, "tokens_in", (double)r->tokens_in);
	cJSON_AddNumberToObject(o, "tokens_out", (double)r->tokens_out);
	cJSON_AddNumberToObject(o, "at_ms", (double)r->at_ms);
	emit(ex, o);
	ex->n.reviews++;
	return 0;
}

/* The request line: the frame the publisher sent (rebuilt from the stored
 * columns, as the hub reloads pending requests), plus what the hub added. */
static cJSON *
request_line(const struct ag_journal_row *r)
{
	cJSON *o = line_new("request");
	cJSON_AddStringToObject(o, "id", r->id);
	if (r->session && *r->session)
		cJSON_AddStringToObject(o, "session", r->session);
	if (r->agent && *r->agent)
		cJSON_AddStringToObject(o, "agent", r->agent);
	if (r->cwd && *r->cwd)
		cJSON_AddStringToObject(o, "cwd", r->cwd);
	if (r->justification && *r->justification)
		cJSON_AddStringToObject(o, "justification", r->justification);
	if (r->timeout_ms > 0)
		cJSON_AddNumberToObject(o, "timeout_ms", (double)r->timeout_ms);
	cJSON_AddItemToObject(o, "action", parsed_or_null(r->action_json));
	/* What the agent's hook added (tool-use id, call key, guard): import
	 * reads it back with the request, so a pending one stays what it was. */
	if (r->hook_json != NULL)
		cJSON_AddItemToObject(o, "hook", parsed_or_null(r->hook_json));
	cJSON_AddItemToObject(o, "risk", parsed_or_null(r->risk_json));
	if (r->rule != NULL)
		cJSON_AddStringToObject(o, "rule", r->rule);
	else
		cJSON_AddNullToObject(o, "rule");
	cJSON_AddNumberToObject(o, "created_ms", (double)r->created_ms);
	cJSON_AddNumberToObject(o, "deadline_ms", (double)r->deadline_ms);
	return o;
}

static int
export_row(void *ctx, const struct ag_journal_row *r)
{
	struct exporter *ex = ctx;
	emit(ex, request_line(r));
	ex->n.requests++;
	if (r->session != NULL)
		ag_strset_add(&ex->sessions, r->session);
	if (ag_journal_reviews(ex->j, r->id, export_review, ex, &ex->err) != 0) {
		ex->failed = 1;
		return 1;
	}
	if (r->decision != NULL) {
		struct ag_decision_info d;
		memset(&d, 0, sizeof d);
		snprintf(d.id, sizeof d.id, "%s", r->id);
		int dec = ag_decision_parse(r->decision), by = ag_decider_parse(r->by);
		if (dec < 0 || by < 0) {
			ex->failed = 1;
			ag_fail(&ex->err, "request %s: unknown decision '%s' by '%s'", r->id,
			        r->decision, r->by ? r->by : "");
			return 1;
		}
		d.decision = (enum ag_decision)dec;
		d.by = (enum ag_decider)by;
		d.reason = (char *)(r->reason ? r->reason : "");
		d.at_ms = r->decided_ms;
		emit(ex, ag_decision_to_json(&d));
		ex->n.decisions++;
	} else if (r->state != NULL && strcmp(r->state, "abandoned") == 0) {
		cJSON *o = line_new("event");
		cJSON_AddStringToObject(o, "event", "abandoned");
		cJSON_AddStringToObject(o, "id", r->id);
		cJSON_AddNumberToObject(o, "at_ms", (double)r->abandoned_ms);
		emit(ex, o);
		ex->n.abandoned++;
	}
	return ex->failed;
}

static int
export_grant(void *ctx, const char *session, const char *key, int64_t at_ms)
{
	struct exporter *ex = ctx;
	if (!ag_strset_has(&ex->sessions, session))
		return 0;
	cJSON *o = line_new("grant");
	cJSON_AddStringToObject(o, "session", session);
	cJSON_AddStringToObject(o, "action_key", key);
	cJSON_AddNumberToObject(o, "granted_ms", (double)at_ms);
	emit(ex, o);
	ex->n.grants++;
	return 0;
}

static int
export_run(struct exporter *ex, const struct ag_journal_query *q)
{
	cJSON *head = line_new("export");
	cJSON_AddStringToObject(head, "format", EXPORT_FORMAT);
	cJSON_AddNumberToObject(head, "exported_ms", (double)ag_clock_wall_ms());
	emit(ex, head);
	if (ag_journal_query(ex->j, q, export_row, ex, &ex->err) != 0 || ex->failed)
		return -1;
	if (ag_journal_grants(ex->j, q->session, export_grant, ex, &ex->err) != 0)
		return -1;
	cJSON *end = line_new("export_end");
	cJSON_AddNumberToObject(end, "requests", (double)ex->n.requests);
	cJSON_AddNumberToObject(end, "decisions", (double)ex->n.decisions);
	cJSON_AddNumberToObject(end, "reviews", (double)ex->n.reviews);
	cJSON_AddNumberToObject(end, "abandoned", (double)ex->n.abandoned);
	cJSON_AddNumberToObject(end, "grants", (double)ex->n.grants);
	emit(ex, end);
	return ex->failed ? -1 : 0;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    AG_AUDIT_FILTER_OPTS,
	    {"pending", no_argument, NULL, 'p'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	const char *journal = NULL, *output = NULL;
	int c, f;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		if ((f = ag_audit_filter_opt("export", c, optarg, &q)) != 0) {
			if (f < 0)
				return 2;
			continue;
		}
		switch (c) {
		case 'B': break;
		case 'J': journal = optarg; break;
		case 'p': q.include_pending = 1; break;
		case 'o': output = optarg; break;
		case 'h': export_usage(stdout); return 0;
		default: export_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		export_usage(stderr);
		return 2;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, NULL, journal) != 0)
		return 2;
	struct exporter ex;
	memset(&ex, 0, sizeof ex);
	ag_strset_init(&ex.sessions);
	int rc = 2;
	ex.j = ag_audit_open("export", env.journal, 1);
	if (ex.j == NULL)
		goto out;
	ex.out = stdout;
	/* Written beside the target and renamed at the end: a failed export
	 * never leaves a file that looks complete. */
	char *tmp = output ? xasprintf("%s.tmp", output) : NULL;
	if (tmp && (ex.out = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "agate export: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		goto out;
	}
	int ok = export_run(&ex, &q) == 0;
	if (fflush(ex.out) != 0 || ferror(ex.out)) {
		if (ok)
			ag_fail(&ex.err, "writing: %s", strerror(errno));
		ok = 0;
	}
	if (tmp) {
		if (fclose(ex.out) != 0 && ok) {
			ag_fail(&ex.err, "%s: %s", tmp, strerror(errno));
			ok = 0;
		}
		if (ok && rename(tmp, output) != 0) {
			ag_fail(&ex.err, "%s: %s", output, strerror(errno));
			ok = 0;
		}
		if (!ok)
			remove(tmp);
		free(tmp);
	}
	if (!ok)
		fprintf(stderr, "agate export: %s\n", ex.err.msg);
	else if (output)
		fprintf(stderr, "agate export: %lld requests, %lld decisions, %lld reviews to %s\n",
		        (long long)ex.n.requests, (long long)ex.n.decisions,
		        (long long)ex.n.reviews, output);
	rc = ok ? 0 : 2;
out:
	ag_journal_close(&ex.j);
	ag_strset_free(&ex.sessions);
	ag_cmd_env_free(&env);
	return rc;
}

/* ---- import ------------------------------------------------------------------ */

struct importer {
	struct ag_journal *j;
	struct ag_limits limits;
	int skip_existing;
	struct ag_strset skipped; /* ids already in the journal, with --skip-existing */
	struct counts n, want;
	int64_t skipped_requests;
	int seen_head, seen_end;
};

static void
import_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate import [--skip-existing] [--journal FILE] [FILE]\n\n"
	        "Read an `agate export` (FILE, or standard input) into the journal, all or\n"
	        "nothing: requests keep their ids, times, risk, rule, reviews and decisions,\n"
	        "so `agate log` shows them as it did where they were recorded.\n\n"
	        "  --skip-existing   leave requests whose id the journal already holds\n"
	        "                    (and their reviews and decisions) instead of failing\n\n"
	        "Exit status: 0 imported, 1 the file was refused (nothing imported), 2 error.\n");
}

static const char *
str_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A whole number of milliseconds, or -1 when absent or not one. */
static int64_t
whole_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9.0e15 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return -1;
	return (int64_t)v->valuedouble;
}

static int
import_request(struct importer *im, const cJSON *o, struct ag_error *err)
{
	struct ag_request *req = NULL;
	struct ag_risk risk;
	ag_risk_init(&risk);
	int rc = -1;
	int64_t created = whole_field(o, "created_ms"), deadline = whole_field(o, "deadline_ms");
	const cJSON *rule = cJSON_GetObjectItemCaseSensitive(o, "rule");
	if (ag_request_from_json(o, &im->limits, &req, err) != 0)
		goto out;
	if (!ag_id_valid(req->id)) {
		ag_fail(err, "id: a journaled request needs one");
		goto out;
	}
	if (created < 0 || deadline < 0) {
		ag_fail(err, "%s: expected milliseconds since the epoch",
		        created < 0 ? "created_ms" : "deadline_ms");
		goto out;
	}
	if (rule != NULL && !cJSON_IsNull(rule) && !cJSON_IsString(rule)) {
		ag_fail(err, "rule: expected a string or null");
		goto out;
	}
	if (ag_risk_from_json(cJSON_GetObjectItemCaseSensitive(o, "risk"), &risk, err) != 0)
		goto out;
	if (im->skip_existing) {
		enum ag_request_state state;
		int known = ag_journal_request_state(im->j, req->id, &state, err);
		if (known < 0)
			goto out;
		if (known) {
			ag_strset_add(&im->skipped, req->id);
			im->skipped_requests++;
			im->n.requests++;
			rc = 0;
			goto out;
		}
	}
	if (ag_journal_add_request(im->j, req, &risk,
	                           cJSON_IsString(rule) ? rule->valuestring : NULL, created,
	                           deadline, err) != 0)
		goto out;
	im->n.requests++;
	rc = 0;
out:
	ag_request_free(&req);
	ag_risk_clear(&risk);
	return rc;
}

static int
import_decision(struct importer *im, const cJSON *o, struct ag_error *err)
{
	struct ag_decision_info d;
	memset(&d, 0, sizeof d);
	if (ag_decision_from_json(o, &d, err) != 0)
		return -1;
	int rc = 0;
	if (whole_field(o, "at_ms") < 0)
		rc = ag_fail(err, "at_ms: expected milliseconds since the epoch");
	else if (!ag_strset_has(&im->skipped, d.id))
		rc = ag_journal_add_decision(im->j, &d, err);
	if (rc == 0)
		im->n.decisions++;
	ag_decision_info_clear(&d);
	return rc;
}

static int
import_review(struct importer *im, const cJSON *o, struct ag_error *err)
{
	const char *id = str_field(o, "id");
	const cJSON *review = cJSON_GetObjectItemCaseSensitive(o, "review");
	if (id == NULL || !ag_id_valid(id))
		return ag_fail(err, "id: expected a request id");
	if (review == NULL || (!cJSON_IsObject(review) && !cJSON_IsNull(review)))
		return ag_fail(err, "review: expected an object or null");
	struct ag_review_record r = {
	    .request_id = id,
	    .model = str_field(o, "model"),
	    .error = str_field(o, "error"),
	    .latency_ms = whole_field(o, "latency_ms"),
	    .tokens_in = whole_field(o, "tokens_in"),
	    .tokens_out = whole_field(o, "tokens_out"),
	    .at_ms = whole_field(o, "at_ms"),
	};
	if (r.latency_ms < 0 || r.tokens_in < 0 || r.tokens_out < 0 || r.at_ms < 0)
		return ag_fail(err,
		               "latency_ms, tokens_in, tokens_out, at_ms: expected whole numbers");
	im->n.reviews++;
	if (ag_strset_has(&im->skipped, id))
		return 0;
	char *verdict = cJSON_IsObject(review) ? cJSON_PrintUnformatted(review) : NULL;
	r.verdict_json = verdict;
	int rc = ag_journal_add_review(im->j, &r, err);
	cJSON_free(verdict);
	return rc;
}

static int
import_event(struct importer *im, const cJSON *o, struct ag_error *err)
{
	const char *event = str_field(o, "event"), *id = str_field(o, "id");
	int64_t at = whole_field(o, "at_ms");
	if (event == NULL || strcmp(event, "abandoned") != 0)
		return ag_fail(err, "event: only \"abandoned\" events belong in an export");
	if (id == NULL || !ag_id_valid(id) || at < 0)
		return ag_fail(err, "abandoned: expected id and at_ms");
	im->n.abandoned++;
	if (ag_strset_has(&im->skipped, id))
		return 0;
	return ag_journal_set_abandoned(im->j, id, at, err);
}

static int
import_grant(struct importer *im, const cJSON *o, struct ag_error *err)
{
	const char *session = str_field(o, "session"), *key = str_field(o, "action_key");
	int64_t at = whole_field(o, "granted_ms");
	if (session == NULL || key == NULL || at < 0)
		return ag_fail(err, "grant: expected session, action_key and granted_ms");
	im->n.grants++;
	return ag_journal_add_grant(im->j, session, key, at, err);
}

/* The closing line's counts must match what was read. */
static int
import_end(struct importer *im, const cJSON *o, struct ag_error *err)
{
	static const char *const keys[] = {"requests", "decisions", "reviews", "abandoned",
	                                   "grants"};
	const int64_t got[] = {im->n.requests, im->n.decisions, im->n.reviews, im->n.abandoned,
	                       im->n.grants};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		int64_t want = whole_field(o, keys[i]);
		if (want != got[i])
			return ag_fail(err, "export_end: %s: the file says %lld, it holds %lld",
			               keys[i], (long long)want, (long long)got[i]);
	}
	im->seen_end = 1;
	return 0;
}

static int
import_line(struct importer *im, const char *line, size_t len, struct ag_error *err)
{
	cJSON *o = NULL;
	if (ag_frame_parse(line, len, &im->limits, &o, err) != 0)
		return -1;
	const char *type = ag_frame_type(o);
	int rc;
	if (im->seen_end)
		rc = ag_fail(err, "a line after export_end");
	else if (strcmp(type, "export") == 0) {
		const char *format = str_field(o, "format");
		if (im->seen_head || format == NULL || strcmp(format, EXPORT_FORMAT) != 0)
			rc = ag_fail(err, "export: expected one header with format \"%s\"",
			             EXPORT_FORMAT);
		else
			rc = 0;
		im->seen_head = 1;
	} else if (!im->seen_head)
		rc = ag_fail(err, "not an agate export (the first line is not its header)");
	else if (strcmp(type, "request") == 0)
		rc = import_request(im, o, err);
	else if (strcmp(type, "decision") == 0)
		rc = import_decision(im, o, err);
	else if (strcmp(type, "review") == 0)
		rc = import_review(im, o, err);
	else if (strcmp(type, "event") == 0)
		rc = import_event(im, o, err);
	else if (strcmp(type, "grant") == 0)
		rc = import_grant(im, o, err);
	else if (strcmp(type, "export_end") == 0)
		rc = import_end(im, o, err);
	else
		rc = ag_fail(err, "type: unknown line type \"%s\"", type);
	cJSON_Delete(o);
	return rc;
}

static int
import_stream(struct importer *im, FILE *in, const char *name, struct ag_error *err)
{
	struct ag_lines lines;
	/* A request line is a frame (<= max_frame) plus its risk and times. */
	ag_lines_init(&lines, in, im->limits.max_frame);
	int rc = 0, r;
	while (rc == 0 && (r = ag_lines_next(&lines)) != 0) {
		if (r == -2)
			rc = ag_fail(err, "%s: %s", name, strerror(errno));
		else if (r == -1)
			rc = ag_fail(err, "%s:%zu: line longer than %zu bytes", name, lines.lineno,
			             lines.max);
		else if (lines.len > 0 && import_line(im, lines.buf, lines.len, err) != 0)
			rc = ag_fail_prefix(err, "%s:%zu", name, lines.lineno);
	}
	if (rc == 0 && !im->seen_end)
		rc = ag_fail(err, "%s: no export_end line: the file is truncated or not an export",
		             name);
	ag_lines_free(&lines);
	return rc;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"skip-existing", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	const char *journal = NULL;
	struct importer im;
	memset(&im, 0, sizeof im);
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': break;
		case 'J': journal = optarg; break;
		case 's': im.skip_existing = 1; break;
		case 'h': import_usage(stdout); return 0;
		default: import_usage(stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		import_usage(stderr);
		return 2;
	}
	const char *file = optind < argc ? argv[optind] : "-";
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (in == NULL) {
		fprintf(stderr, "agate import: %s: %s\n", file, strerror(errno));
		return 2;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, NULL, journal) != 0) {
		if (in != stdin)
			fclose(in);
		return 2;
	}
	ag_limits_default(&im.limits);
	im.limits.max_frame = 2 * (size_t)ag_config_int(env.cfg, "max_frame");
	im.limits.max_text = im.limits.max_frame;
	ag_strset_init(&im.skipped);
	int rc = 2;
	struct ag_error err;
	im.j = ag_audit_open("import", env.journal, 0);
	if (im.j == NULL)
		goto out;
	if (ag_journal_begin(im.j, &err) != 0) {
		fprintf(stderr, "agate import: %s\n", err.msg);
		goto out;
	}
	if (import_stream(&im, in, strcmp(file, "-") == 0 ? "(stdin)" : file, &err) != 0) {
		/* Closing with the batch open rolls everything back. */
		fprintf(stderr, "agate import: %s; nothing was imported\n", err.msg);
		rc = 1;
		goto out;
	}
	if (ag_journal_commit(im.j, &err) != 0) {
		fprintf(stderr, "agate import: %s; nothing was imported\n", err.msg);
		goto out;
	}
	fprintf(stderr,
	        "agate import: %lld requests (%lld already there), %lld decisions, %lld reviews, "
	        "%lld grants into %s\n",
	        (long long)(im.n.requests - im.skipped_requests), (long long)im.skipped_requests,
	        (long long)im.n.decisions, (long long)im.n.reviews, (long long)im.n.grants,
	        env.journal);
	rc = 0;
out:
	ag_journal_close(&im.j);
	ag_strset_free(&im.skipped);
	ag_cmd_env_free(&env);
	if (in != stdin)
		fclose(in);
	return rc;
}
