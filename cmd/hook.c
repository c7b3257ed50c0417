/* agate hook claude|codex: the command Claude Code and Codex run for their
 * PreToolUse and PermissionRequest hooks. Reads the event on stdin, asks
 * the bus, answers in exactly the shape that client honours for that event.
 *
 * Neither client fails closed on its own (a crash, bad output or timeout of
 * a hook lets the tool proceed), so this command never does either: every
 * failure of agate becomes an explicit deny (or, with fallback = defer, the
 * client's own prompt), printed before the client's hook timeout. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/hookmap.h"
#include "core/clock.h"
#include "core/xmalloc.h"

#define HOOK_DEADLINE_DEFAULT_MS (585 * 1000) /* both clients kill a hook at 600 s */
#define HOOK_MARGIN_MS           1000 /* the hub's own timeout lands this long before ours */
#define HOOK_GUARD_MAX_MS        8000 /* a Codex PreToolUse check never waits for a human */
#define HOOK_GUARD_SETTLE_MS     5    /* a rule's decision follows the ack in the same write */
#define HOOK_FILE_READ_MAX       (4u << 20)
#define HOOK_RECONNECT_MAX       10 /* hub restarts survived while waiting */

struct hook_ctx {
	enum hook_client client;
	struct ag_cmd_env env;
	int have_env;
	int64_t deadline; /* monotonic ms: answer by then whatever happens */
	enum ag_decision fallback;
	pid_t parent;
	int verbose;
};

static void
hook_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate hook claude|codex [--deadline DUR] [--fallback deny|defer]\n"
	        "                                [--bus DIR] [--journal FILE]\n"
	        "       agate-hook claude|codex [...]   (the same, a smaller program)\n\n"
	        "The command Claude Code and Codex run for PreToolUse and PermissionRequest\n"
	        "(install it with 'agate init claude|codex'). Reads the event JSON on stdin,\n"
	        "publishes an approval request on the bus (starting a hub if none runs), waits\n"
	        "for the decision and prints the answer that client accepts for that event.\n"
	        "Any failure of agate is answered with a deny (fail closed).\n\n"
	        "  --deadline DUR   answer with the fallback after this long (default 585s;\n"
	        "                   keep it below the hook timeout the client is given)\n"
	        "  --fallback D     what to answer when agate itself fails or the deadline\n"
	        "                   passes: deny (default; config key fallback) or defer\n"
	        "                   (the client's own permission prompt decides)\n"
	        "  --bus DIR, --journal FILE\n\n"
	        "Exit status: 0 with the verdict on stdout, as both clients expect; 2 with the\n"
	        "reason on stderr only when the event cannot be read at all. See agate-hook(1).\n");
}

/* "585s", "500ms", "10m", "2h", or plain seconds. -1 when malformed. */
static int64_t
parse_duration(const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v < 0 || v > 86400LL * 1000)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v * 1000;
	if (strcmp(end, "ms") == 0)
		return v;
	if (strcmp(end, "m") == 0)
		return v * 60 * 1000;
	if (strcmp(end, "h") == 0)
		return v * 3600 * 1000;
	return -1;
}

static int64_t
time_left(const struct hook_ctx *h)
{
	return h->deadline - ag_clock_mono_ms();
}

/* Reads stdin to EOF, bounded in size and by the deadline. Caller frees.
 * NULL with *why on failure. */
static char *
read_payload(const struct hook_ctx *h, size_t *len, const char **why)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap > HOOK_PAYLOAD_MAX) {
				*why = "the event on stdin is larger than 4 MiB";
				free(buf);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		int64_t left = time_left(h);
		struct pollfd p = {0, POLLIN, 0};
		int rc = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			*why = rc == 0 ? "no complete event on stdin before the deadline"
			               : "cannot read stdin";
			free(buf);
			return NULL;
		}
		ssize_t r = read(0, buf + n, cap - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			*why = "cannot read stdin";
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

static void
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the client is gone: nobody to tell */
		s += w;
		len -= (size_t)w;
	}
}

static int
emit(struct hook_answer *a)
{
	if (a->exit == 2)
		write_all(2, a->out, strlen(a->out));
	else
		write_all(1, a->out, strlen(a->out));
	int rc = a->exit;
	hook_answer_clear(a);
	return rc;
}

static int
fail(const struct hook_ctx *h, enum hook_event event, enum ag_decision fallback, const char *why)
{
	struct hook_answer a;
	if (h->verbose)
		fprintf(stderr, "agate hook: %s\n", why);
	hookmap_fail(h->client, event, fallback, why, &a);
	return emit(&a);
}

/* The client that ran us stopped waiting: our stdout's reader is gone, or
 * we were handed to init. Then nobody will read an answer. */
static int
client_gone(const struct hook_ctx *h)
{
	if (getppid() != h->parent)
		return 1;
	struct pollfd p = {1, 0, 0};
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

static void
make_id(char *buf, size_t size, const char *call)
{
	unsigned char r[4] = {0};
	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		int64_t t = ag_clock_mono_ms() ^ (int64_t)getpid() << 20;
		memcpy(r, &t, sizeof r);
	}
	snprintf(buf, size, "hk-%s-%02x%02x%02x%02x", call, r[0], r[1], r[2], r[3]);
}

static const char *
fstr(const cJSON *f, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The agate that can run a hub. `agate-hook` (the small binary agents
 * spawn, without curl or curses to load) starts the `agate` beside it. */
static const char *
hub_program(void)
{
	static char exe[PATH_MAX];
	static int done;
	if (done)
		return exe[0] ? exe : NULL;
	done = 1;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		exe[0] = '\0';
		return NULL;
	}
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash == NULL || strcmp(slash + 1, "agate-hook") != 0) {
		exe[0] = '\0';
		return NULL; /* we are agate itself: /proc/self/exe will do */
	}
	if ((size_t)(slash - exe) + sizeof "/agate" > sizeof exe) {
		exe[0] = '\0';
		return NULL;
	}
	memcpy(slash + 1, "agate", sizeof "agate");
	return exe;
}

static struct ag_client *
connect_bus(const struct hook_ctx *h, int autostart, struct ag_error *err)
{
	int64_t left = time_left(h);
	struct ag_client_opts o = {
	    .bus_dir = h->env.bus,
	    .role = AG_ROLE_PUBLISHER,
	    .name = h->client == HOOK_CLAUDE ? "hook-claude" : "hook-codex",
	    .autostart = autostart,
	    .connect_timeout_ms = left < 5000 ? (int)(left > 1 ? left : 1) : 5000,
	    .journal = h->env.journal,
	    .hub_argv0 = hub_program(),
	};
	struct ag_client *c = NULL;
	if (ag_client_connect(&o, &c, err) != 0)
		return NULL;
	return c;
}

/* What waiting produced. */
struct outcome {
	cJSON *decision;        /* the decision frame, or NULL */
	cJSON *ack;             /* the ack (risk), or NULL */
	char why[AG_ERROR_MAX]; /* when neither: what went wrong */
	int client_left;        /* the agent stopped waiting for us */
};

/* Publishes req and waits for its decision until the deadline, over hub
 * restarts (the same id brings back the one decision the journal holds).
 * With guard set, returns as soon as the ack and any decision sent with it
 * are in. */
static void
publish(const struct hook_ctx *h, const cJSON *req, const char *id, int guard, int64_t until,
        struct outcome *o)
{
	memset(o, 0, sizeof *o);
	int attempts = 0, lost = 0;
	while (ag_clock_mono_ms() < until) {
		/* A hub that keeps going away (or a bus that keeps refusing us)
		 * will not decide: stop early rather than spin until the deadline. */
		if (lost > HOOK_RECONNECT_MAX)
			return;
		struct ag_error err;
		struct ag_client *c = connect_bus(h, 1, &err);
		if (c == NULL) {
			snprintf(o->why, sizeof o->why, "%s", err.msg);
			if (++attempts >= 3)
				return;
			continue;
		}
		if (ag_client_send(c, req, &err) != 0) {
			snprintf(o->why, sizeof o->why, "%s", err.msg);
			ag_client_close(&c);
			lost++;
			continue;
		}
		for (;;) {
			int64_t left = until - ag_clock_mono_ms();
			if (o->ack && guard)
				left = left < HOOK_GUARD_SETTLE_MS ? left : HOOK_GUARD_SETTLE_MS;
			if (left <= 0) {
				if (!(o->ack && guard))
					snprintf(o->why, sizeof o->why,
					         "no decision before the deadline");
				ag_client_close(&c);
				return;
			}
			cJSON *f = NULL;
			int rc = ag_client_recv(c, left > 250 ? 250 : (int)left, &f, &err);
			if (rc < 0) {
				snprintf(o->why, sizeof o->why, "%s", err.msg);
				lost++;
				break; /* the hub went away: reconnect and ask again */
			}
			if (rc == 0) {
				if (o->ack && guard) {
					ag_client_close(&c);
					return;
				}
				if (client_gone(h)) {
					o->client_left = 1;
					ag_client_close(&c); /* the hub marks it abandoned */
					return;
				}
				continue;
			}
			const char *type = ag_frame_type(f);
			const char *fid = fstr(f, "id");
			if (strcmp(type, "decision") == 0 && fid && strcmp(fid, id) == 0) {
				o->decision = f;
				ag_client_close(&c);
				return;
			}
			if (strcmp(type, "ack") == 0 && fid && strcmp(fid, id) == 0 && !o->ack) {
				o->ack = f;
				continue;
			}
			if (strcmp(type, "error") == 0) {
				const char *ref = fstr(f, "ref");
				if (ref == NULL || strcmp(ref, id) == 0) {
					const char *msg = fstr(f, "error");
					snprintf(o->why, sizeof o->why,
					         "the hub refused the request: %s",
					         msg ? msg : "(no reason)");
					cJSON_Delete(f);
					ag_client_close(&c);
					return;
				}
			}
			cJSON_Delete(f);
		}
		ag_client_close(&c);
	}
	if (o->why[0] == '\0')
		snprintf(o->why, sizeof o->why, "no decision before the deadline");
}

/* Codex PreToolUse: Codex cannot be told "allow" here, and its
 * PermissionRequest (or its sandbox) decides the rest, so nobody waits:
 * only a rule's immediate deny or a critical score is a verdict. */
static int
guard(const struct hook_ctx *h, const struct hook_call *call, cJSON *req, const char *id)
{
	int64_t left = time_left(h);
	int64_t until = ag_clock_mono_ms() + (left < HOOK_GUARD_MAX_MS ? left : HOOK_GUARD_MAX_MS);
	struct outcome o;
	publish(h, req, id, 1, until, &o);
	struct hook_answer a;
	if (o.decision) {
		int d = ag_decision_parse(fstr(o.decision, "decision"));
		hookmap_answer(h->client, call->event, call,
		               d < 0 ? AG_DECISION_DENY : (enum ag_decision)d,
		               fstr(o.decision, "by"), fstr(o.decision, "reason"), &a);
	} else if (o.ack) {
		const cJSON *risk = cJSON_GetObjectItemCaseSensitive(o.ack, "risk");
		const char *level = fstr(risk, "level");
		if (level && strcmp(level, "critical") == 0) {
			const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(risk, "reasons");
			const cJSON *r0 = cJSON_GetArrayItem(reasons, 0);
			char *why = xasprintf("critical risk%s%s", cJSON_IsString(r0) ? ": " : "",
			                      cJSON_IsString(r0) ? r0->valuestring : "");
			hookmap_answer(h->client, call->event, call, AG_DECISION_DENY, "policy",
			               why, &a);
			free(why);
		} else {
			hookmap_answer(h->client, call->event, call, AG_DECISION_DEFER, NULL, NULL,
			               &a);
		}
	} else {
		cJSON_Delete(o.ack);
		return fail(h, call->event, h->fallback, o.why);
	}
	cJSON_Delete(o.decision);
	cJSON_Delete(o.ack);
	return emit(&a);
}

static int
ask(const struct hook_ctx *h, const struct hook_call *call, cJSON *req, const char *id)
{
	struct outcome o;
	publish(h, req, id, 0, h->deadline, &o);
	cJSON_Delete(o.ack);
	if (o.client_left)
		return 0; /* answered elsewhere (the client's own dialog); nobody reads us */
	if (o.decision == NULL)
		return fail(h, call->event, h->fallback, o.why);
	struct hook_answer a;
	int d = ag_decision_parse(fstr(o.decision, "decision"));
	hookmap_answer(h->client, call->event, call, d < 0 ? AG_DECISION_DENY : (enum ag_decision)d,
	               fstr(o.decision, "by"), fstr(o.decision, "reason"), &a);
	cJSON_Delete(o.decision);
	return emit(&a);
}

/* PostToolUse / Stop: the call (or the turn) is over, so a request still
 * pending for it is stale. Tells a running hub; never starts one, never
 * answers anything (both clients ignore empty output). */
static int
abandon(const struct hook_ctx *h, const struct hook_call *call)
{
	struct ag_error err;
	struct ag_client *c = connect_bus(h, 0, &err);
	if (c == NULL)
		return 0;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "abandon");
	cJSON_AddStringToObject(f, "session", call->session);
	if (call->event == HOOK_EV_POST_TOOL_USE && call->call[0])
		cJSON_AddStringToObject(f, "call", call->call);
	cJSON_AddStringToObject(f, "reason",
	                        call->event == HOOK_EV_STOP ? "the agent's turn ended"
	                                                    : "the tool ran without this approval");
	ag_client_send(c, f, &err);
	cJSON_Delete(f);
	ag_client_close(&c);
	return 0;
}

int
cmd_hook(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"deadline", required_argument, NULL, 'd'},
	    {"fallback", required_argument, NULL, 'f'},
	    {"verbose", no_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	struct hook_ctx h;
	memset(&h, 0, sizeof h);
	int64_t start = ag_clock_mono_ms();
	h.deadline = start + HOOK_DEADLINE_DEFAULT_MS;
	h.parent = getppid();
	signal(SIGPIPE, SIG_IGN);
	const char *bus = NULL, *journal = NULL, *fallback = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 'd': {
			int64_t ms = parse_duration(optarg);
			if (ms <= 0) {
				fprintf(stderr,
				        "agate hook: --deadline: expected a duration like 300s\n");
				return 2;
			}
			h.deadline = start + ms;
			break;
		}
		case 'f': fallback = optarg; break;
		case 'v': h.verbose = 1; break;
		case 'h': hook_usage(stdout); return 0;
		default: hook_usage(stderr); return 2;
		}
	}
	/* A misconfigured hook command: exit 2 with a reason is a deny for
	 * PreToolUse in both clients, the best we can say without knowing the
	 * answer's shape. */
	int client = optind + 1 == argc ? hook_client_parse(argv[optind]) : -1;
	if (client < 0) {
		fprintf(stderr, "agate hook: expected 'claude' or 'codex' (failed closed)\n");
		return 2;
	}
	h.client = (enum hook_client)client;
	h.fallback = AG_DECISION_DENY;

	size_t len = 0;
	const char *why = NULL;
	char *buf = read_payload(&h, &len, &why);
	if (buf == NULL)
		return fail(&h, HOOK_EV_OTHER, AG_DECISION_DENY, why);
	struct hook_call call;
	struct ag_error err;
	if (hook_call_parse(h.client, buf, len, &call, &err) != 0) {
		/* Refused, not coerced: a payload we cannot read is denied. */
		int rc = fail(&h, hook_event_sniff(buf, len), AG_DECISION_DENY, err.msg);
		free(buf);
		return rc;
	}
	free(buf);
	int rc;
	if (ag_cmd_env_load(&h.env, bus, journal) != 0) {
		rc = fail(&h, call.event, AG_DECISION_DENY, "agate's configuration cannot be read");
		hook_call_clear(&call);
		return rc;
	}
	const char *fb = fallback ? fallback : ag_config_str(h.env.cfg, "fallback");
	if (fb && strcmp(fb, "defer") == 0)
		h.fallback = AG_DECISION_DEFER;
	else if (fb && strcmp(fb, "deny") != 0) {
		rc = fail(&h, call.event, AG_DECISION_DENY, "--fallback: expected deny or defer");
		goto out;
	}

	if (call.event == HOOK_EV_POST_TOOL_USE || call.event == HOOK_EV_STOP) {
		rc = abandon(&h, &call);
		goto out;
	}
	if (call.event == HOOK_EV_OTHER) {
		rc = 0; /* an event we are not installed for: no opinion */
		goto out;
	}
	char id[AG_ID_MAX + 1];
	make_id(id, sizeof id, call.call);
	int is_guard = h.client == HOOK_CODEX && call.event == HOOK_EV_PRE_TOOL_USE;
	int64_t left = time_left(&h);
	struct hookmap_opts o = {
	    .id = id,
	    .timeout_ms = is_guard ? HOOK_GUARD_MAX_MS
	                           : (left > 2 * HOOK_MARGIN_MS ? left - HOOK_MARGIN_MS : left / 2),
	    .max_read = HOOK_FILE_READ_MAX,
	    .guard = is_guard,
	};
	if (o.timeout_ms < 1)
		o.timeout_ms = 1;
	cJSON *req = hookmap_request(&call, &o, &err);
	if (req == NULL) {
		rc = fail(&h, call.event, AG_DECISION_DENY, err.msg);
		goto out;
	}
	rc = is_guard ? guard(&h, &call, req, id) : ask(&h, &call, req, id);
	cJSON_Delete(req);
out:
	hook_call_clear(&call);
	ag_cmd_env_free(&h.env);
	return rc;
}
