/* bench_bus: the bus round trip and throughput, beside a floor measured in
 * the same run.
 *
 * agate:  publisher -> hub (judged, journaled) -> auto-deciding subscriber
 *         -> hub (journaled) -> publisher, through the real client API and
 *         a real `agate hub`.
 * floor:  the same three-process topology over raw FIFOs with fixed-size
 *         64-byte messages: no JSON, no journal, a relay in the hub's place.
 *
 * Prints p50/p99 round trip with one request in flight, and decided
 * requests per second with 1, 8 and 32 publishers (16 in flight each), each
 * with the floor and the ratio. Medians of REPEAT runs: the machine is
 * shared and noisy. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/request.h"
#include "core/xmalloc.h"
#include "ipc/client.h"
#include "bench/timing.h"

#define MSG    64
#define WINDOW 16
#define MAXPUB 32
#define REPEAT 3

static char *tmpdir;
static const char *agate_bin;

/* --- floor: raw FIFOs --------------------------------------------------- */

static void
read_full(int fd, char *buf, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t r = read(fd, buf + off, n - off);
		if (r > 0)
			off += (size_t)r;
		else if (r == 0 || (errno != EINTR && errno != EAGAIN))
			_exit(1);
		else {
			struct pollfd p = {fd, POLLIN, 0};
			poll(&p, 1, 1000);
		}
	}
}

static void
write_full(int fd, const char *buf, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, buf + off, n - off);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EINTR && errno != EAGAIN)
			_exit(1);
	}
}

/* Opens a FIFO the parent made; the name is freed here. */
static int
fifo(const char *name, int i)
{
	char *p = xasprintf("%s/%s%d", tmpdir, name, i);
	int fd = open(p, O_RDWR);
	free(p);
	return fd;
}

static void
make_fifo(const char *name, int i)
{
	char *p = xasprintf("%s/%s%d", tmpdir, name, i);
	unlink(p);
	mkfifo(p, 0600);
	free(p);
}

/* The relay stands where the hub stands: it forwards each publisher's
 * message to the decider and each answer back to its publisher. */
static void
floor_relay(int npub)
{
	int up[MAXPUB], down[MAXPUB];
	for (int i = 0; i < npub; i++) {
		up[i] = fifo("up", i);
		down[i] = fifo("down", i);
	}
	int dec_in = fifo("dec_in", 0);
	int dec_out = fifo("dec_out", 0);
	struct pollfd pfd[MAXPUB + 1];
	char msg[MSG];
	for (;;) {
		for (int i = 0; i < npub; i++)
			pfd[i] = (struct pollfd){up[i], POLLIN, 0};
		pfd[npub] = (struct pollfd){dec_out, POLLIN, 0};
		if (poll(pfd, (nfds_t)npub + 1, -1) < 0)
			continue;
		for (int i = 0; i < npub; i++)
			if (pfd[i].revents & POLLIN) {
				read_full(up[i], msg, MSG);
				msg[0] = (char)i;
				write_full(dec_in, msg, MSG);
			}
		if (pfd[npub].revents & POLLIN) {
			read_full(dec_out, msg, MSG);
			write_full(down[(unsigned char)msg[0]], msg, MSG);
		}
	}
}

static void
floor_decider(void)
{
	int in = fifo("dec_in", 0);
	int out = fifo("dec_out", 0);
	char msg[MSG];
	for (;;) {
		read_full(in, msg, MSG);
		msg[1] = 'A'; /* approve */
		write_full(out, msg, MSG);
	}
}

/* --- agate: the real bus ------------------------------------------------ */

static struct ag_client *
bus_connect(enum ag_role role)
{
	struct ag_client_opts o = {.bus_dir = tmpdir,
	                           .role = role,
	                           .name = "bench",
	                           .autostart = 0,
	                           .connect_timeout_ms = 10000};
	struct ag_client *c = NULL;
	struct ag_error err;
	if (ag_client_connect(&o, &c, &err) != 0) {
		fprintf(stderr, "bench_bus: %s\n", err.msg);
		_exit(1);
	}
	return c;
}

static void
agate_decider(void)
{
	struct ag_client *c = bus_connect(AG_ROLE_SUBSCRIBER);
	struct ag_error err;
	for (;;) {
		cJSON *f = NULL;
		if (ag_client_recv(c, -1, &f, &err) < 0)
			_exit(0);
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "event");
		if (cJSON_IsString(ev) && strcmp(ev->valuestring, "request") == 0) {
			const cJSON *rq = cJSON_GetObjectItemCaseSensitive(f, "request");
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(rq, "id");
			cJSON *d = cJSON_CreateObject();
			cJSON_AddNumberToObject(d, "v", 1);
			cJSON_AddStringToObject(d, "type", "decide");
			cJSON_AddStringToObject(d, "id", id->valuestring);
			cJSON_AddStringToObject(d, "decision", "approve");
			ag_client_send(c, d, &err);
			cJSON_Delete(d);
		}
		cJSON_Delete(f);
	}
}

static cJSON *
bench_request(int p, long j)
{
	char id[64], cmd[96];
	snprintf(id, sizeof id, "b%d-%ld-%ld", p, (long)getpid(), j);
	snprintf(cmd, sizeof cmd, "cargo test --package worker-%ld -- --nocapture", j % 50);
	cJSON *r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "v", 1);
	cJSON_AddStringToObject(r, "type", "request");
	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "session", "bench");
	cJSON_AddStringToObject(r, "agent", "bench");
	cJSON_AddStringToObject(r, "cwd", "/home/dev/repo");
	cJSON *a = cJSON_AddObjectToObject(r, "action");
	cJSON_AddStringToObject(a, "kind", "exec");
	cJSON_AddStringToObject(a, "command", cmd);
	return r;
}

/* --- publishers, shared by both sides ------------------------------------ */

struct side {
	int is_floor;
};

/* Runs n requests with `window` in flight; writes per-request round trips
 * (µs) into rtt when non-NULL. */
static void
publish(const struct side *s, int p, long n, int window, double *rtt)
{
	double *sent = xcalloc((size_t)n, sizeof *sent);
	long next = 0, done = 0;
	if (s->is_floor) {
		char *up = xasprintf("%s/up%d", tmpdir, p),
		     *down = xasprintf("%s/down%d", tmpdir, p);
		int ufd = open(up, O_RDWR), dfd = open(down, O_RDWR);
		char msg[MSG];
		memset(msg, 'x', sizeof msg);
		while (done < n) {
			while (next < n && next - done < window) {
				memcpy(msg + 8, &next, sizeof next);
				sent[next] = now_us();
				write_full(ufd, msg, MSG);
				next++;
			}
			read_full(dfd, msg, MSG);
			long j;
			memcpy(&j, msg + 8, sizeof j);
			if (rtt)
				rtt[j] = now_us() - sent[j];
			done++;
		}
		free(up);
		free(down);
	} else {
		struct ag_client *c = bus_connect(AG_ROLE_PUBLISHER);
		struct ag_error err;
		while (done < n) {
			while (next < n && next - done < window) {
				cJSON *r = bench_request(p, next);
				sent[next] = now_us();
				if (ag_client_send(c, r, &err) != 0)
					_exit(1);
				cJSON_Delete(r);
				next++;
			}
			cJSON *f = NULL;
			if (ag_client_recv(c, 30000, &f, &err) != 1) {
				fprintf(stderr, "bench_bus: publisher %d lost the hub\n", p);
				_exit(1);
			}
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "type");
			if (strcmp(t->valuestring, "decision") == 0) {
				const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
				long j = atol(strrchr(id->valuestring, '-') + 1);
				if (rtt)
					rtt[j] = now_us() - sent[j];
				done++;
			}
			cJSON_Delete(f);
		}
		ag_client_close(&c);
	}
	free(sent);
}

static pid_t
spawn(void (*fn)(int), int arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return pid;
}

static void
relay_main(int npub)
{
	floor_relay(npub);
}
static void
decider_main(int is_floor)
{
	is_floor ? floor_decider() : agate_decider();
}

static pid_t hub_pid;

static void
start_side(const struct side *s, int npub, pid_t *helpers)
{
	if (s->is_floor) {
		for (int i = 0; i < npub; i++) {
			make_fifo("up", i);
			make_fifo("down", i);
		}
		make_fifo("dec_in", 0);
		make_fifo("dec_out", 0);
		helpers[0] = spawn(relay_main, npub);
		usleep(50000);
		helpers[1] = spawn(decider_main, 1);
	} else {
		helpers[0] = 0;
		helpers[1] = spawn(decider_main, 0);
	}
	usleep(100000);
}

static void
stop_side(pid_t *helpers)
{
	for (int i = 0; i < 2; i++)
		if (helpers[i] > 0) {
			kill(helpers[i], SIGKILL);
			waitpid(helpers[i], NULL, 0);
		}
}

static void
start_hub(void)
{
	char *journal = xasprintf("%s/journal.db", tmpdir);
	hub_pid = fork();
	if (hub_pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl(agate_bin, agate_bin, "hub", "--bus", tmpdir, "--journal", journal,
		      (char *)NULL);
		_exit(127);
	}
	char *fifo_path = xasprintf("%s/hub.fifo", tmpdir);
	for (int i = 0; i < 500 && access(fifo_path, F_OK) != 0; i++)
		usleep(10000);
	usleep(100000);
	free(fifo_path);
	free(journal);
}

/* p50 and p99 round trip with one request in flight. */
static void
latency(const struct side *s, long n, double *p50, double *p99)
{
	pid_t helpers[2];
	start_side(s, 1, helpers);
	double *rtt = xcalloc((size_t)n, sizeof *rtt);
	publish(s, 0, n, 1, rtt); /* in this process: no fork noise */
	long warm = n / 10;
	qsort(rtt + warm, (size_t)(n - warm), sizeof *rtt, cmp_double);
	*p50 = rtt[warm + (n - warm) / 2];
	*p99 = rtt[warm + (long)((double)(n - warm) * 0.99)];
	free(rtt);
	stop_side(helpers);
}

/* Decided requests per second with npub publishers. */
static double
throughput(const struct side *s, int npub, long per_pub)
{
	pid_t helpers[2];
	start_side(s, npub, helpers);
	pid_t pubs[MAXPUB];
	double t0 = now_us();
	for (int p = 0; p < npub; p++) {
		pubs[p] = fork();
		if (pubs[p] == 0) {
			publish(s, p, per_pub, WINDOW, NULL);
			_exit(0);
		}
	}
	int ok = 1, status;
	for (int p = 0; p < npub; p++) {
		waitpid(pubs[p], &status, 0);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	double secs = (now_us() - t0) / 1e6;
	stop_side(helpers);
	if (!ok) {
		fprintf(stderr, "bench_bus: a publisher failed\n");
		exit(1);
	}
	return (double)npub * (double)per_pub / secs;
}

static void
row(const char *what, double agate, double floor_v, const char *unit, int higher_better)
{
	double ratio = higher_better ? floor_v / agate : agate / floor_v;
	printf("%-34s %12.1f %12.1f %-6s %8.2fx\n", what, agate, floor_v, unit, ratio);
}

int
main(int argc, char **argv)
{
	agate_bin = argc > 1 ? argv[1] : getenv("AGATE_BIN");
	if (agate_bin == NULL) {
		fprintf(stderr, "usage: bench_bus AGATE_BINARY\n");
		return 2;
	}
	long lat_n = getenv("BENCH_QUICK") ? 500 : 3000;
	long per_pub_total = getenv("BENCH_QUICK") ? 8000 : 40000;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	char tmpl[] = "/tmp/agate-bench.XXXXXX";
	tmpdir = mkdtemp(tmpl);
	chmod(tmpdir, 0700);
	struct side agate = {0}, floor_side = {1};

	printf("bus benchmark: medians of %d runs; ratio = how many times the floor\n", REPEAT);
	printf("%-34s %12s %12s %-6s %9s\n", "", "agate", "floor", "", "ratio");
	double a50[REPEAT], a99[REPEAT], f50[REPEAT], f99[REPEAT];
	start_hub();
	for (int r = 0; r < REPEAT; r++) {
		latency(&agate, lat_n, &a50[r], &a99[r]);
		latency(&floor_side, lat_n, &f50[r], &f99[r]);
	}
	row("round trip p50", median(a50, REPEAT), median(f50, REPEAT), "us", 0);
	row("round trip p99", median(a99, REPEAT), median(f99, REPEAT), "us", 0);
	int pubs[] = {1, 8, 32};
	for (size_t i = 0; i < 3; i++) {
		double at[REPEAT], ft[REPEAT];
		for (int r = 0; r < REPEAT; r++) {
			at[r] = throughput(&agate, pubs[i], per_pub_total / pubs[i]);
			ft[r] = throughput(&floor_side, pubs[i], per_pub_total / pubs[i]);
		}
		char what[64];
		snprintf(what, sizeof what, "throughput, %d publisher%s", pubs[i],
		         pubs[i] > 1 ? "s" : "");
		row(what, median(at, REPEAT), median(ft, REPEAT), "req/s", 1);
	}
	kill(hub_pid, SIGTERM);
	waitpid(hub_pid, NULL, 0);
	char *cmd[] = {"rm", "-rf", tmpdir, NULL};
	if (fork() == 0) {
		execvp(cmd[0], cmd);
		_exit(1);
	}
	wait(NULL);
	return 0;
}
