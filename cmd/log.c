/* agate log: past requests and decisions from the journal, then (with -f)
 * live events from the bus. Everything an agent wrote is sanitized before
 * it is printed; --json prints NDJSON for scripts. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/clock.h"
#include "core/journal.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

static void
log_usage(FILE *out)
{
	fprintf(out, "usage: agate log [-f] [--json] [FILTERS] [--journal FILE] [--bus DIR]\n\n"
	             "Show decided requests from the journal, oldest first; with -f, keep\n"
	             "following new requests and decisions live.\n\n"
	             "  -f, --follow         then print live events from the bus\n"
	             "  --json               one JSON object per line\n"
	             "  --pending            include requests not decided yet\n"
	             "  --session S          --agent A        --id ID\n"
	             "  --kind K             exec, patch, network, mcp, permission\n"
	             "  --decision D         approve, approve_session, deny, abort, defer\n"
	             "  --by B               human, guardian, policy, session, timeout\n"
	             "  --min-risk N         score at least N (0-100)\n"
	             "  --since T, --until T a duration ago (30m, 2h, 7d) or epoch milliseconds\n"
	             "  -n, --limit N        at most N rows (the most recent N)\n"
	             "  --no-pager           do not page (on a terminal, the table goes through\n"
	             "                       $AGATE_PAGER or $PAGER, default less)\n");
}

struct log_state {
	int json;
	int tty;
};

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

static void
print_time(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];
	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	fputs(buf, stdout);
}

/* Prints agent-sent text sanitized, cell by cell, cut to width terminal
 * columns (wide characters and badges count what they occupy, and a cell
 * that would cross the edge is left out), then padded to width so the
 * next column lines up. pad 0: no padding (the last column). */
static void
print_cell_pad(const char *text, int width, int pad)
{
	struct ag_san it;
	struct ag_cell cell;
	int cols = 0;
	ag_san_init(&it, text, strlen(text), 0);
	while (ag_san_next(&it, &cell) && cols + cell.width <= width) {
		fwrite(cell.text, 1, cell.len, stdout);
		cols += cell.width;
	}
	for (; pad && cols < width; cols++)
		fputc(' ', stdout);
}

static void
print_cell(const char *text, int width)
{
	print_cell_pad(text, width, 1);
}

static int
log_row(void *ctx, const struct ag_journal_row *r)
{
	struct log_state *st = ctx;
	if (st->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", r->id);
		cJSON_AddStringToObject(o, "session", or_empty(r->session));
		cJSON_AddStringToObject(o, "agent", or_empty(r->agent));
		cJSON_AddStringToObject(o, "kind", or_empty(r->kind));
		cJSON_AddStringToObject(o, "cwd", or_empty(r->cwd));
		cJSON_AddStringToObject(o, "justification", or_empty(r->justification));
		cJSON_AddNumberToObject(o, "created_ms", (double)r->created_ms);
		cJSON *action = r->action_json ? cJSON_Parse(r->action_json) : NULL;
		cJSON_AddItemToObject(o, "action", action ? action : cJSON_CreateNull());
		cJSON *risk = r->risk_json ? cJSON_Parse(r->risk_json) : NULL;
		cJSON_AddItemToObject(o, "risk", risk ? risk : cJSON_CreateNull());
		if (r->rule)
			cJSON_AddStringToObject(o, "rule", r->rule);
		/* The agent's own ids (tool_use_id, turn) tie a row back to its
		 * transcript; the journal checked the object on the way in. */
		cJSON *hook = r->hook_json ? cJSON_Parse(r->hook_json) : NULL;
		if (hook)
			cJSON_AddItemToObject(o, "hook", hook);
		cJSON_AddStringToObject(o, "state", or_empty(r->state));
		if (r->decision) {
			cJSON_AddStringToObject(o, "decision", r->decision);
			cJSON_AddStringToObject(o, "by", or_empty(r->by));
			cJSON_AddStringToObject(o, "reason", or_empty(r->reason));
			cJSON_AddNumberToObject(o, "decided_ms", (double)r->decided_ms);
		}
		ag_cmd_print_json(stdout, o);
		cJSON_Delete(o);
		return 0;
	}
	print_time(r->created_ms);
	printf("  %-15s %-8s %3d  %-7s ", r->decision ? r->decision : or_empty(r->state),
	       or_empty(r->by), r->score, or_empty(r->kind));
	print_cell(or_empty(r->session), 12);
	fputs("  ", stdout);
	print_cell_pad(or_empty(r->summary), 60, 0);
	fputc('\n', stdout);
	if (r->reason && *r->reason) {
		fputs("                     reason: ", stdout);
		print_cell_pad(r->reason, 100, 0);
		fputc('\n', stdout);
	}
	return 0;
}

/* The table's column titles, aligned with log_row's columns. */
static void
print_header(void)
{
	printf("%-19s  %-15s %-8s %3s  %-7s %-12s  %s\n", "TIME", "DECISION", "BY", "RSK", "KIND",
	       "SESSION", "WHAT");
}

/* Pages standard output through $AGATE_PAGER, else $PAGER, else less
 * (with LESS=FRX unless set: quit when it fits, keep the screen), as git
 * does. The pager command is the user's own setting, run by /bin/sh; agent
 * text only ever reaches it on its standard input, already sanitized.
 * Returns the pager's pid, or 0 when there is none. */
static pid_t
pager_start(void)
{
	const char *pager = getenv("AGATE_PAGER");
	if (pager == NULL)
		pager = getenv("PAGER");
	if (pager == NULL)
		pager = "less";
	if (*pager == '\0' || strcmp(pager, "cat") == 0)
		return 0;
	int fds[2];
	if (pipe(fds) != 0)
		return 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		setenv("LESS", "FRX", 0);
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		fprintf(stderr, "agate log: cannot run the pager '%s': %s\n", pager,
		        strerror(errno));
		_exit(127);
	}
	dup2(fds[1], 1);
	close(fds[0]);
	close(fds[1]);
	return pid;
}

/* Closes the pipe so the pager sees the end, and waits for the user to
 * leave it. */
static void
pager_end(pid_t pid)
{
	if (pid <= 0)
		return;
	fflush(stdout);
	close(1);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Live: one line per event, as the table prints rows. */
static void
log_event(struct log_state *st, const cJSON *f)
{
	if (st->json) {
		ag_cmd_print_json(stdout, f);
		return;
	}
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "event");
	if (!cJSON_IsString(ev))
		return;
	print_time(ag_clock_wall_ms());
	if (strcmp(ev->valuestring, "request") == 0) {
		struct ag_request *req = NULL;
		struct ag_limits lim;
		ag_limits_default(&lim);
		lim.max_frame *= 2;
		lim.max_text = lim.max_frame;
		const cJSON *rq = cJSON_GetObjectItemCaseSensitive(f, "request");
		const cJSON *risk = cJSON_GetObjectItemCaseSensitive(f, "risk");
		const cJSON *score = cJSON_GetObjectItemCaseSensitive(risk, "score");
		const cJSON *level = cJSON_GetObjectItemCaseSensitive(risk, "level");
		struct ag_error err;
		if (ag_request_from_json(rq, &lim, &req, &err) != 0) {
			printf("  (unreadable request event: %s)\n", err.msg);
			return;
		}
		char *summary = ag_request_summary(req);
		printf("  %-15s %-8s %3d  %-7s ", "request",
		       cJSON_IsString(level) ? level->valuestring : "",
		       cJSON_IsNumber(score) ? score->valueint : 0, ag_kind_name(req->kind));
		print_cell(req->session, 12);
		fputs("  ", stdout);
		print_cell(summary, 60);
		printf("  [%s]\n", req->id);
		free(summary);
		ag_request_free(&req);
	} else if (strcmp(ev->valuestring, "decided") == 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "decision");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
		const cJSON *dec = cJSON_GetObjectItemCaseSensitive(d, "decision");
		const cJSON *by = cJSON_GetObjectItemCaseSensitive(d, "by");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(d, "reason");
		printf("  %-15s %-8s      [%s] ", cJSON_IsString(dec) ? dec->valuestring : "?",
		       cJSON_IsString(by) ? by->valuestring : "?",
		       cJSON_IsString(id) ? id->valuestring : "?");
		print_cell(cJSON_IsString(reason) ? reason->valuestring : "", 60);
		fputc('\n', stdout);
	} else {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
		printf("  %-15s          [%s]\n", ev->valuestring,
		       cJSON_IsString(id) ? id->valuestring : "?");
	}
	fflush(stdout);
}

static int
log_follow(const struct ag_cmd_env *env, struct log_state *st)
{
	for (;;) {
		struct ag_client *c = ag_cmd_connect(env, "log", AG_ROLE_SUBSCRIBER, "log", 1);
		if (c == NULL)
			return 2;
		for (;;) {
			cJSON *f = NULL;
			struct ag_error err;
			int rc = ag_client_recv(c, -1, &f, &err);
			if (rc < 0) {
				fprintf(stderr, "agate log: %s; reconnecting\n", err.msg);
				break;
			}
			const char *type = ag_frame_type(f);
			const cJSON *snap = cJSON_GetObjectItemCaseSensitive(f, "snapshot");
			/* The snapshot repeats pending requests; history already
			 * printed them when --pending was given. */
			if (strcmp(type, "event") == 0 && !cJSON_IsTrue(snap))
				log_event(st, f);
			cJSON_Delete(f);
		}
		ag_client_close(&c);
		usleep(200000);
	}
}

/* "30m", "2h", "7d" ago, or epoch milliseconds. */
static int
parse_when(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0)
		return -1;
	int64_t unit = 0;
	if (strcmp(end, "") == 0) {
		*out = v;
		return 0;
	}
	if (strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "m") == 0)
		unit = 60000;
	else if (strcmp(end, "h") == 0)
		unit = 3600000;
	else if (strcmp(end, "d") == 0)
		unit = 86400000;
	else
		return -1;
	*out = ag_clock_wall_ms() - v * unit;
	return 0;
}

int
cmd_log(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"follow", no_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},
	    {"pending", no_argument, NULL, 'p'},
	    {"session", required_argument, NULL, 's'},
	    {"agent", required_argument, NULL, 'a'},
	    {"id", required_argument, NULL, 'i'},
	    {"kind", required_argument, NULL, 'k'},
	    {"decision", required_argument, NULL, 'd'},
	    {"by", required_argument, NULL, 'b'},
	    {"min-risk", required_argument, NULL, 'r'},
	    {"since", required_argument, NULL, 'S'},
	    {"until", required_argument, NULL, 'U'},
	    {"limit", required_argument, NULL, 'n'},
	    {"no-pager", no_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	struct ag_journal_query q;
	ag_journal_query_init(&q);
	struct log_state st = {0, isatty(1)};
	const char *bus = NULL, *journal = NULL;
	int follow = 0, no_pager = 0, c;
	while ((c = getopt_long(argc, argv, "hfn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 'f': follow = 1; break;
		case 'j': st.json = 1; break;
		case 'p': q.include_pending = 1; break;
		case 's': q.session = optarg; break;
		case 'a': q.agent = optarg; break;
		case 'i': q.id = optarg; break;
		case 'k':
			if ((q.kind = ag_kind_parse(optarg)) < 0) {
				fprintf(stderr, "agate log: --kind: unknown kind '%s'\n", optarg);
				return 2;
			}
			break;
		case 'd':
			if ((q.decision = ag_decision_parse(optarg)) < 0) {
				fprintf(stderr, "agate log: --decision: unknown decision '%s'\n",
				        optarg);
				return 2;
			}
			break;
		case 'b':
			if ((q.by = ag_decider_parse(optarg)) < 0) {
				fprintf(stderr, "agate log: --by: unknown decider '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r': q.min_score = atoi(optarg); break;
		case 'S':
		case 'U':
			if (parse_when(optarg, c == 'S' ? &q.since_ms : &q.until_ms) != 0) {
				fprintf(stderr,
				        "agate log: --%s: expected 30m, 2h, 7d or epoch ms\n",
				        c == 'S' ? "since" : "until");
				return 2;
			}
			break;
		case 'n': q.limit = atoll(optarg); break;
		case 'P': no_pager = 1; break;
		case 'h': log_usage(stdout); return 0;
		default: log_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		log_usage(stderr);
		return 2;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return 2;
	struct ag_journal *j = NULL;
	struct ag_error err;
	int rc = 0;
	if (access(env.journal, F_OK) != 0) {
		if (!follow)
			fprintf(stderr, "agate log: no journal yet at %s\n", env.journal);
	} else if (ag_journal_open(env.journal, 1, &j, &err) != 0) {
		fprintf(stderr, "agate log: %s\n", err.msg);
		rc = 2;
	} else {
		/* Paged only when a person reads a finite table on a terminal. */
		pid_t pager = st.tty && !follow && !no_pager ? pager_start() : 0;
		if (pager > 0)
			signal(SIGPIPE, SIG_DFL); /* leaving the pager early ends us quietly */
		if (!st.json)
			print_header();
		if (ag_journal_query(j, &q, log_row, &st, &err) != 0) {
			fprintf(stderr, "agate log: %s\n", err.msg);
			rc = 2;
		}
		pager_end(pager);
	}
	ag_journal_close(&j);
	fflush(stdout);
	if (rc == 0 && follow)
		rc = log_follow(&env, &st);
	ag_cmd_env_free(&env);
	return rc;
}
