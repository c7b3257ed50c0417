/* busload: drives the real bus with many requests in flight, for the
 * durability test and the benchmark.
 *
 *   busload publish  --bus D --publishers P --requests N --prefix X
 *       forks P publisher processes; each sends N requests with ids
 *       X-pI-rJ, all in flight at once, and waits for their decisions,
 *       reconnecting (and resending the undecided ids) whenever the hub
 *       dies. Prints "ID DECISION BY" per decision received; exits 1 if any
 *       id gets two decisions, a decision it did not ask for, or none.
 *   busload send     --bus D FRAME
 *       connects as a control client, sends one frame (JSON text), prints
 *       the hub's first answer.
 *   busload decide   --bus D [--count N]
 *       a subscriber that decides every request it sees by a pattern the
 *       test knows: J even -> approve, J odd -> deny (J from the id),
 *       reconnecting across hub deaths; exits after N decisions accepted.
 *
 * Only the public client API (ipc/client.h) is used, as any agent would. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/request.h"
#include "core/xmalloc.h"
#include "ipc/client.h"

static const char *bus_dir;
static const char *journal_path;

static void
nap(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static struct ag_client *
connect_retry(enum ag_role role, const char *name, int64_t give_up_ms)
{
	int64_t until = ag_clock_mono_ms() + give_up_ms;
	for (;;) {
		struct ag_client_opts o = {.bus_dir = bus_dir,
		                           .role = role,
		                           .name = name,
		                           .autostart = 1,
		                           .connect_timeout_ms = 5000,
		                           .journal = journal_path,
		                           .hub_argv0 = getenv("AGATE_BIN")};
		struct ag_client *c = NULL;
		struct ag_error err;
		if (ag_client_connect(&o, &c, &err) == 0)
			return c;
		if (ag_clock_mono_ms() > until) {
			fprintf(stderr, "busload: cannot connect: %s\n", err.msg);
			return NULL;
		}
		nap(50);
	}
}

static cJSON *
make_request(const char *id, int j)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "v", 1);
	cJSON_AddStringToObject(r, "type", "request");
	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "session", "busload");
	cJSON_AddStringToObject(r, "agent", "busload");
	cJSON_AddStringToObject(r, "cwd", "/tmp");
	cJSON_AddNumberToObject(r, "timeout_ms", 600000);
	cJSON *a = cJSON_AddObjectToObject(r, "action");
	cJSON_AddStringToObject(a, "kind", "exec");
	char cmd[64];
	snprintf(cmd, sizeof cmd, "make -j2 target-%d", j);
	cJSON_AddStringToObject(a, "command", cmd);
	return r;
}

static const char *
str(const cJSON *f, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One publisher process: n requests in flight, exactly one decision each. */
static int
publisher(const char *prefix, int p, int n)
{
	char **ids = xcalloc((size_t)n, sizeof *ids);
	int *got = xcalloc((size_t)n, sizeof *got);
	for (int j = 0; j < n; j++)
		ids[j] = xasprintf("%s-p%d-r%d", prefix, p, j);
	int remaining = n, bad = 0;
	int64_t deadline = ag_clock_mono_ms() + 300000;
	while (remaining > 0 && ag_clock_mono_ms() < deadline) {
		struct ag_client *c = connect_retry(AG_ROLE_PUBLISHER, "busload", 60000);
		if (c == NULL)
			break;
		struct ag_error err;
		int lost = 0;
		for (int j = 0; j < n && !lost; j++) {
			if (got[j])
				continue;
			cJSON *r = make_request(ids[j], j);
			lost = ag_client_send(c, r, &err) != 0;
			cJSON_Delete(r);
		}
		while (!lost && remaining > 0) {
			cJSON *f = NULL;
			int rc = ag_client_recv(c, 60000, &f, &err);
			if (rc <= 0) {
				lost = 1;
				break;
			}
			const char *type = ag_frame_type(f);
			const char *id = str(f, "id");
			if (strcmp(type, "decision") == 0 && id) {
				int j = -1;
				const char *r = strrchr(id, 'r');
				if (r && strncmp(id, ids[0], strlen(prefix)) == 0)
					j = atoi(r + 1);
				if (j < 0 || j >= n || strcmp(ids[j], id) != 0) {
					fprintf(stderr, "busload: decision for unknown id %s\n",
					        id);
					bad = 1;
				} else if (got[j]) {
					fprintf(stderr, "busload: SECOND decision for %s\n", id);
					bad = 1;
				} else {
					got[j] = 1;
					remaining--;
					printf("%s %s %s\n", id, str(f, "decision"), str(f, "by"));
				}
			} else if (strcmp(type, "error") == 0) {
				fprintf(stderr, "busload: hub error: %s\n", str(f, "error"));
				bad = 1;
			}
			cJSON_Delete(f);
		}
		ag_client_close(&c);
	}
	fflush(stdout);
	if (remaining > 0)
		fprintf(stderr, "busload: publisher %d: %d requests got no decision\n", p,
		        remaining);
	for (int j = 0; j < n; j++)
		free(ids[j]);
	free(ids);
	free(got);
	return bad || remaining > 0;
}

static int
run_publish(const char *prefix, int publishers, int requests)
{
	for (int p = 0; p < publishers; p++) {
		pid_t pid = fork();
		if (pid == 0) {
			int rc = publisher(prefix, p, requests);
			fflush(stdout);
			_exit(rc);
		}
	}
	int failed = 0, status;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	return failed ? 1 : 0;
}

/* The pattern the test checks against: even J approve, odd J deny. */
static const char *
pattern_decision(const char *id)
{
	const char *r = strrchr(id, 'r');
	return r && atoi(r + 1) % 2 == 0 ? "approve" : "deny";
}

static int
run_decide(long count)
{
	long accepted = 0;
	while (count <= 0 || accepted < count) {
		struct ag_client *c = connect_retry(AG_ROLE_SUBSCRIBER, "busload-decider", 60000);
		if (c == NULL)
			return 1;
		struct ag_error err;
		for (;;) {
			cJSON *f = NULL;
			int rc = ag_client_recv(c, 60000, &f, &err);
			if (rc <= 0)
				break;
			const char *type = ag_frame_type(f);
			const char *ev = str(f, "event");
			if (strcmp(type, "event") == 0 && ev && strcmp(ev, "request") == 0) {
				const cJSON *rq = cJSON_GetObjectItemCaseSensitive(f, "request");
				const char *id = str(rq, "id");
				cJSON *d = cJSON_CreateObject();
				cJSON_AddNumberToObject(d, "v", 1);
				cJSON_AddStringToObject(d, "type", "decide");
				cJSON_AddStringToObject(d, "id", id);
				cJSON_AddStringToObject(d, "decision", pattern_decision(id));
				cJSON_AddStringToObject(d, "reason", "busload pattern");
				rc = ag_client_send(c, d, &err);
				cJSON_Delete(d);
				if (rc != 0) {
					cJSON_Delete(f);
					break;
				}
			} else if (strcmp(type, "decided") == 0) {
				accepted++;
			}
			cJSON_Delete(f);
			if (count > 0 && accepted >= count)
				break;
		}
		ag_client_close(&c);
	}
	return 0;
}

static int
run_send(const char *text)
{
	cJSON *frame = cJSON_Parse(text);
	if (frame == NULL) {
		fprintf(stderr, "busload: send: not JSON\n");
		return 2;
	}
	struct ag_client *c = connect_retry(AG_ROLE_CONTROL, "busload-send", 5000);
	struct ag_error err;
	cJSON *reply = NULL;
	int rc = c != NULL && ag_client_send(c, frame, &err) == 0 &&
	         ag_client_recv(c, 5000, &reply, &err) == 1;
	if (rc) {
		char *out = cJSON_PrintUnformatted(reply);
		printf("%s\n", out);
		cJSON_free(out);
	}
	cJSON_Delete(reply);
	cJSON_Delete(frame);
	ag_client_close(&c);
	return rc ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"bus", required_argument, NULL, 'b'},
	    {"journal", required_argument, NULL, 'j'},
	    {"publishers", required_argument, NULL, 'P'},
	    {"requests", required_argument, NULL, 'n'},
	    {"prefix", required_argument, NULL, 'x'},
	    {"count", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	if (argc < 2) {
		fprintf(stderr, "usage: busload publish|decide [options]\n");
		return 2;
	}
	const char *mode = argv[1];
	int publishers = 1, requests = 1, c;
	long count = 0;
	const char *prefix = "t";
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': bus_dir = optarg; break;
		case 'j': journal_path = optarg; break;
		case 'P': publishers = atoi(optarg); break;
		case 'n': requests = atoi(optarg); break;
		case 'x': prefix = optarg; break;
		case 'c': count = atol(optarg); break;
		default: return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "publish") == 0)
		return run_publish(prefix, publishers, requests);
	if (strcmp(mode, "decide") == 0)
		return run_decide(count);
	if (strcmp(mode, "send") == 0 && optind < argc)
		return run_send(argv[optind]);
	fprintf(stderr, "busload: unknown mode %s\n", mode);
	return 2;
}
