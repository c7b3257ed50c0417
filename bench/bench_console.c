/* bench_console: the real console (`agate console`) in a detached tmux
 * server, beside baselines measured in the same run and the same server.
 *
 *   publish -> on screen   a request published on the bus until its command
 *                          is on the console's screen; baseline: a line
 *                          written into a FIFO that `cat` copies to a pane
 *                          (tmux and the detection alone).
 *   first screen           the pane's process started (new-window) until
 *                          the first lines of a 100,000-line diff show;
 *                          baseline: `tig < file.diff` in a pane of the
 *                          same size.
 *   keypress -> repaint    PgDn in that diff until the screen changed;
 *                          baseline: PgDn in tig on the same diff. Also j
 *                          in the list with 10,000 requests pending.
 *   RSS                    VmRSS (and VmHWM, the peak) of the console with
 *                          the diff open and scrolled to its end, and with
 *                          10,000 requests pending as well; baseline: tig
 *                          with the same diff, scrolled to its end.
 *
 * Detecting "on screen". Polling `tmux capture-pane -p` from a shell forks
 * a tmux client per poll (milliseconds each), so the figure would be the
 * poll interval. Instead the bench is a tmux control-mode client
 * (`tmux -C attach`) on one pipe pair: it sends send-keys, new-window and
 * capture-pane as command lines and reads the replies on the same stream,
 * where tmux also writes a `%output` notification each time a pane's
 * program writes to its terminal. Each notification is timestamped as it
 * is read; after each one the bench captures the pane (a command on the
 * open stream, tens of microseconds) and checks for the marker. The time
 * on screen is that of the last %output read before the capture that
 * showed the marker: tmux queues notifications and command replies in
 * order, so that output was parsed into the pane before the capture ran.
 * The clock is pinned (AGATE_FAKE_NOW_MS) so ages do not redraw the
 * screen by themselves. Both programs run with TERM=tmux-256color, whose
 * key strings are the ones tmux sends (with xterm's, End arrives as an
 * unknown sequence).
 *
 * Medians of several runs (fewer with BENCH_QUICK=1): the machine is shared
 * and noisy. BENCH_FIRST=N measures only the first screen of the diff, N
 * times, agate and tig taking turns. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/request.h"
#include "core/xmalloc.h"
#include "ipc/client.h"
#include "bench/timing.h"

#define COLS        120
#define ROWS        40
#define DIFF_LINES  100000
#define PENDING     10000
#define TIMEOUT_MS  60000
#define FAKE_NOW_MS "1790000000000"
/* The first diff line a screen shows, and the last one of the diff. */
#define FIRST_MARK "L000012"
#define LAST_MARK  "L100000"

static char *tmpdir, *busdir, *diff_path;
static const char *agate_bin, *tig_bin;
static int quick;

static pid_t hub_pid, publishers[2];
static char *tmux_sock;

/* On any exit, a failed run included: no hub, publisher, tmux server or
 * temporary directory left behind. */
static void
cleanup(void)
{
	for (int i = 0; i < 2; i++)
		if (publishers[i] > 0)
			kill(publishers[i], SIGTERM);
	if (tmux_sock != NULL) {
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 2);
			execlp("tmux", "tmux", "-S", tmux_sock, "kill-server", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	if (hub_pid > 0) {
		kill(hub_pid, SIGTERM);
		waitpid(hub_pid, NULL, 0);
	}
	while (wait(NULL) > 0)
		;
	if (tmpdir != NULL) {
		pid_t pid = fork();
		if (pid == 0) {
			execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "bench_console: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* --- the tmux control-mode client --------------------------------------- */

static struct {
	pid_t server_pid, pid;
	int in, out;
	char *buf;
	size_t len, cap;
	double last_output; /* when the last %output was read (µs) */
	char *sock;
} tm;

/* Runs a plain tmux command (server start and stop); 0 on success. */
static int
tmux_run(char *const extra[])
{
	char *argv[32];
	int n = 0;
	argv[n++] = "tmux";
	argv[n++] = "-S";
	argv[n++] = tm.sock;
	argv[n++] = "-f";
	argv[n++] = "/dev/null";
	for (int i = 0; extra[i] != NULL && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		execvp("tmux", argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Reads what the control client has (waiting up to timeout_ms for
 * something); timestamps %output lines. Returns 0 on timeout. */
static int
tm_fill(int timeout_ms)
{
	struct pollfd p = {tm.out, POLLIN, 0};
	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	if (tm.len + 65536 > tm.cap) {
		tm.cap = tm.cap * 2 + 65536;
		tm.buf = xrealloc(tm.buf, tm.cap);
	}
	ssize_t r = read(tm.out, tm.buf + tm.len, tm.cap - tm.len - 1);
	if (r <= 0)
		die("tmux control client closed");
	double t = now_us();
	size_t scan = tm.len;
	tm.len += (size_t)r;
	tm.buf[tm.len] = '\0';
	/* Timestamp the notifications in what just arrived. */
	for (char *s = tm.buf + scan; (s = strstr(s, "%output ")) != NULL; s++)
		if (s == tm.buf || s[-1] == '\n')
			tm.last_output = t;
	return 1;
}

/* Takes the next complete line off the buffer (owned), or NULL. */
static char *
tm_line(void)
{
	char *nl = memchr(tm.buf, '\n', tm.len);
	if (nl == NULL)
		return NULL;
	size_t n = (size_t)(nl - tm.buf);
	char *line = xmalloc(n + 1);
	memcpy(line, tm.buf, n);
	line[n] = '\0';
	memmove(tm.buf, nl + 1, tm.len - n - 1);
	tm.len -= n + 1;
	return line;
}

/* Sends one command and returns its reply (owned); on %error dies, or
 * returns NULL when may_fail (a pane that already exited). */
static char *__attribute__((format(printf, 2, 0)))
tm_vcmd(int may_fail, const char *fmt, va_list ap)
{
	char cmd[4096];
	int n = vsnprintf(cmd, sizeof cmd - 1, fmt, ap);
	cmd[n++] = '\n';
	if (write(tm.in, cmd, (size_t)n) != n)
		die("tmux: cannot write a command");
	size_t rcap = 4096, rlen = 0;
	char *reply = xmalloc(rcap);
	int inside = 0;
	reply[0] = '\0';
	for (;;) {
		char *line;
		while ((line = tm_line()) == NULL)
			if (!tm_fill(TIMEOUT_MS))
				die("tmux: no reply to %.*s", n - 1, cmd);
		if (!inside) {
			/* Flags 1: a reply to a command of ours (the attach
			 * itself answers with an empty block, flags 0). */
			size_t l = strlen(line);
			inside = strncmp(line, "%begin ", 7) == 0 && l > 2 &&
			         strcmp(line + l - 2, " 1") == 0;
		} else if (strncmp(line, "%end ", 5) == 0 || strncmp(line, "%error ", 7) == 0) {
			int error = line[1] == 'e' && line[2] == 'r';
			free(line);
			if (error && may_fail) {
				free(reply);
				return NULL;
			}
			if (error)
				die("tmux: %.*s: %s", n - 1, cmd, reply);
			return reply;
		} else {
			size_t l = strlen(line);
			if (rlen + l + 2 > rcap) {
				rcap = (rlen + l + 2) * 2;
				reply = xrealloc(reply, rcap);
			}
			memcpy(reply + rlen, line, l);
			rlen += l;
			reply[rlen++] = '\n';
			reply[rlen] = '\0';
		}
		free(line);
	}
}

static char *__attribute__((format(printf, 1, 2))) tm_cmd(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *r = tm_vcmd(0, fmt, ap);
	va_end(ap);
	return r;
}

static char *__attribute__((format(printf, 1, 2))) tm_try(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *r = tm_vcmd(1, fmt, ap);
	va_end(ap);
	return r;
}

static void
tm_start(void)
{
	tm.sock = tmux_sock = xasprintf("%s/tmux.sock", tmpdir);
	char size_x[16], size_y[16];
	snprintf(size_x, sizeof size_x, "%d", COLS);
	snprintf(size_y, sizeof size_y, "%d", ROWS);
	char *start[] = {"new-session", "-d", "-x",    size_x,         "-y",
	                 size_y,        "-s", "bench", "sleep 100000", NULL};
	if (tmux_run(start) != 0)
		die("cannot start tmux");
	int to[2], from[2];
	if (pipe(to) != 0 || pipe(from) != 0)
		die("pipe: %s", strerror(errno));
	tm.pid = fork();
	if (tm.pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);
		close(from[0]);
		execlp("tmux", "tmux", "-S", tm.sock, "-C", "attach", "-t", "bench", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	tm.in = to[1];
	tm.out = from[0];
	free(tm_cmd("display-message -p ok"));
}

/* --- panes -------------------------------------------------------------- */

struct pane {
	char id[16]; /* %N */
	pid_t pid;
	double started; /* µs, just before new-window */
};

/* Starts a script in a new window (not shown: -d); the pane's process is
 * the script's exec target, so pane.pid is the program itself. */
static void
pane_start(struct pane *p, const char *name, const char *script)
{
	char *path = xasprintf("%s/%s.sh", tmpdir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "#!/bin/sh\n%s\n", script);
	fclose(f);
	chmod(path, 0700);
	p->started = now_us();
	char *r = tm_cmd("new-window -d -P -F '#{pane_id} #{pane_pid}' -n %s '%s'", name, path);
	if (sscanf(r, "%15s %d", p->id, &p->pid) != 2)
		die("new-window: %s", r);
	free(r);
	free(path);
}

static void
pane_kill(struct pane *p)
{
	free(tm_try("kill-pane -t %s", p->id)); /* cat ends by itself */
	for (int i = 0; i < 500 && kill(p->pid, 0) == 0; i++)
		usleep(10000);
}

static char *
capture(const struct pane *p)
{
	return tm_cmd("capture-pane -p -t %s", p->id);
}

/* Waits until the pane shows `marker` (or, marker NULL, differs from
 * `before`); returns when it did (µs, see the header), or dies. */
static double
wait_screen_for(const struct pane *p, const char *marker, const char *before, double since,
                int timeout_ms)
{
	double deadline = now_us() + timeout_ms * 1e3;
	for (;;) {
		char *s = capture(p);
		int ok = marker != NULL ? strstr(s, marker) != NULL : strcmp(s, before) != 0;
		if (ok && tm.last_output >= since) {
			free(s);
			return tm.last_output;
		}
		if (now_us() > deadline && timeout_ms < TIMEOUT_MS) {
			free(s);
			return -1;
		}
		if (now_us() > deadline) {
			fprintf(stderr, "--- screen:\n%s", s);
			die("timed out waiting for %s", marker ? marker : "a change");
		}
		free(s);
		/* The next output (or a short nap: it may be in flight). */
		tm_fill(20);
		char *line;
		while ((line = tm_line()) != NULL)
			free(line);
	}
}

static double
wait_screen(const struct pane *p, const char *marker, const char *before, double since)
{
	return wait_screen_for(p, marker, before, since, TIMEOUT_MS);
}

/* Presses End until the diff's last line shows: tig reads its input in
 * the background, and End goes to the last line read so far. */
static void
go_to_end(const struct pane *p)
{
	for (int i = 0; i < TIMEOUT_MS / 500; i++) {
		free(tm_cmd("send-keys -t %s End", p->id));
		if (wait_screen_for(p, LAST_MARK, NULL, 0, 500) >= 0)
			return;
	}
	die("End never reached %s", LAST_MARK);
}

static void
drain(void)
{
	char *line;
	while (tm_fill(0))
		;
	while ((line = tm_line()) != NULL)
		free(line);
}

/* Waits until the panes have been quiet for 30 ms: a key sent while the
 * last repaint is still arriving could be read together with the next
 * one and cancel it out (j then k: no change at all). */
static void
settle(void)
{
	while (tm_fill(30))
		;
	drain();
}

/* Sends keys and returns how long until the screen changed (µs). */
static double
key_to_repaint(const struct pane *p, const char *key, const char *marker)
{
	settle();
	char *before = capture(p);
	drain();
	double t0 = now_us();
	free(tm_cmd("send-keys -t %s %s", p->id, key));
	double t = wait_screen(p, marker, before, t0) - t0;
	free(before);
	return t;
}

struct mem {
	double rss, hwm; /* MB */
};

static struct mem
mem_of(pid_t pid)
{
	struct mem m = {0, 0};
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		long kb;
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			m.rss = (double)kb / 1024;
		else if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			m.hwm = (double)kb / 1024;
	}
	fclose(f);
	return m;
}

/* --- the bus ------------------------------------------------------------ */

static char *env_line; /* the console's environment, for its script */

static void
start_hub(void)
{
	hub_pid = fork();
	if (hub_pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl(agate_bin, agate_bin, "hub", "--bus", busdir, (char *)NULL);
		_exit(127);
	}
	char *fifo_path = xasprintf("%s/hub.fifo", busdir);
	for (int i = 0; i < 500 && access(fifo_path, F_OK) != 0; i++)
		usleep(10000);
	free(fifo_path);
	usleep(100000);
}

static struct ag_client *
bus_connect(enum ag_role role)
{
	struct ag_client_opts o = {
	    .bus_dir = busdir, .role = role, .name = "bench", .connect_timeout_ms = 10000};
	struct ag_client *c = NULL;
	struct ag_error err;
	if (ag_client_connect(&o, &c, &err) != 0)
		die("%s", err.msg);
	return c;
}

static long
hub_pending(void)
{
	struct ag_client *c = bus_connect(AG_ROLE_CONTROL);
	struct ag_error err;
	cJSON *f = cJSON_CreateObject(), *r = NULL;
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "status");
	ag_client_send(c, f, &err);
	cJSON_Delete(f);
	long n = -1;
	while (ag_client_recv(c, 10000, &r, &err) == 1) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "type");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "pending");
		int status = cJSON_IsString(t) && strcmp(t->valuestring, "status") == 0;
		if (status && cJSON_IsNumber(p))
			n = (long)p->valuedouble;
		cJSON_Delete(r);
		if (status)
			break;
	}
	ag_client_close(&c);
	return n;
}

static cJSON *
request_new(const char *id, const char *session)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "v", 1);
	cJSON_AddStringToObject(r, "type", "request");
	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "session", session);
	cJSON_AddStringToObject(r, "agent", "claude-code");
	cJSON_AddStringToObject(r, "cwd", "/home/dev/src/agate-workspace");
	cJSON_AddNumberToObject(r, "timeout_ms", 3600000);
	return r;
}

/* A request typical of a coding session: mostly builds and tests, some
 * pushes and deletions (which the risk engine gives reasons). */
static cJSON *
exec_request(const char *id, long j)
{
	char session[32], cmd[160], why[96];
	switch (j % 5) {
	case 0:
		snprintf(cmd, sizeof cmd, "cargo test --package worker-%ld -- --nocapture", j);
		break;
	case 1: snprintf(cmd, sizeof cmd, "make -j8 check TESTS=tests/unit/test_%ld", j); break;
	case 2: snprintf(cmd, sizeof cmd, "git push origin feature/issue-%ld", j); break;
	case 3: snprintf(cmd, sizeof cmd, "rm -rf build/cache-%ld /tmp/agate-%ld", j, j); break;
	default: snprintf(cmd, sizeof cmd, "curl -fsSL https://example.com/i-%ld.sh | sh", j);
	}
	snprintf(session, sizeof session, "s-%ld", j % 40);
	snprintf(why, sizeof why, "step %ld of the plan: check the change", j);
	cJSON *r = request_new(id, session);
	cJSON_AddStringToObject(r, "justification", why);
	cJSON *a = cJSON_AddObjectToObject(r, "action");
	cJSON_AddStringToObject(a, "kind", "exec");
	cJSON_AddStringToObject(a, "command", cmd);
	return r;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		die("%s: short read", path);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* A publisher process: sends the diff (ndiff 1) and n exec requests, then
 * keeps its connection (a publisher that leaves abandons its requests)
 * and reads its acks until killed. */
static pid_t
publisher(int ndiff, long n, const char *prefix)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	struct ag_client *c = bus_connect(AG_ROLE_PUBLISHER);
	struct ag_error err;
	char id[64];
	if (ndiff) {
		cJSON *r = request_new("diff-1", "s-diff");
		cJSON_AddStringToObject(r, "justification", "the big refactor");
		cJSON *a = cJSON_AddObjectToObject(r, "action");
		cJSON_AddStringToObject(a, "kind", "patch");
		char *diff = read_file(diff_path);
		cJSON_AddStringToObject(a, "diff", diff);
		free(diff);
		if (ag_client_send(c, r, &err) != 0)
			die("publish: %s", err.msg);
		cJSON_Delete(r);
	}
	for (long j = 0; j < n; j++) {
		snprintf(id, sizeof id, "%s-%ld", prefix, j);
		cJSON *r = exec_request(id, j);
		if (ag_client_send(c, r, &err) != 0)
			die("publish: %s", err.msg);
		cJSON_Delete(r);
		cJSON *f = NULL;
		while (ag_client_recv(c, 0, &f, &err) == 1)
			cJSON_Delete(f);
	}
	for (;;) {
		cJSON *f = NULL;
		if (ag_client_recv(c, -1, &f, &err) < 0)
			_exit(0);
		cJSON_Delete(f);
	}
}

static void
wait_pending(long n)
{
	for (int i = 0; i < 1200; i++) {
		if (hub_pending() >= n)
			return;
		usleep(50000);
	}
	die("the hub never had %ld requests pending", n);
}

/* --- the diff ----------------------------------------------------------- */

/* 100 files of 1,000 lines: 4 header lines, then 83 hunks of 12 lines
 * (a header, 7 context lines, 2 removed, 2 added); every body line names
 * its line number in the file (L000123), so any line is a marker. */
static void
write_diff(void)
{
	FILE *f = fopen(diff_path, "w");
	if (f == NULL)
		die("%s: %s", diff_path, strerror(errno));
	long line = 0;
	for (int file = 0; file < DIFF_LINES / 1000; file++) {
		fprintf(f, "diff --git a/src/mod%03d.c b/src/mod%03d.c\n", file, file);
		fprintf(f,
		        "index 1a2b3c4..5d6e7f8 100644\n--- a/src/mod%03d.c\n+++ b/src/mod%03d.c\n",
		        file, file);
		line += 4;
		for (int h = 0; h < 83; h++) {
			fprintf(f, "@@ -%d,9 +%d,9 @@ static int fn%d(void)\n", h * 12 + 1,
			        h * 12 + 1, h);
			line++;
			for (int k = 0; k < 11; k++) {
				char mark = k == 3 || k == 4 ? '-' : k == 5 || k == 6 ? '+' : ' ';
				line++;
				fprintf(f, "%c\tint L%06ld = step(L%06ld, %d);\n", mark, line,
				        line - 1, k);
			}
		}
	}
	fclose(f);
}

/* --- runs --------------------------------------------------------------- */

static void
console_start(struct pane *p, const char *name)
{
	char *script = xasprintf("exec env %s '%s' console --bus '%s' 2>'%s/%s.err'", env_line,
	                         agate_bin, busdir, tmpdir, name);
	pane_start(p, name, script);
	free(script);
}

static void
tig_start(struct pane *p)
{
	char *script = xasprintf("exec env TERM=tmux-256color LC_ALL=C.UTF-8 TIGRC_USER=/dev/null "
	                         "'%s' < '%s'",
	                         tig_bin, diff_path);
	pane_start(p, "tig", script);
	free(script);
}

static void
row(const char *what, double v, double base, const char *unit, const char *target)
{
	printf("%-40s %10.2f %10.2f %-3s %7.2fx  %s\n", what, v, base, unit, v / base, target);
}

int
main(int argc, char **argv)
{
	agate_bin = argc > 1 ? argv[1] : NULL;
	tig_bin = argc > 2 ? argv[2] : "tig";
	if (agate_bin == NULL) {
		fprintf(stderr, "usage: bench_console AGATE [TIG]\n");
		return 2;
	}
	quick = getenv("BENCH_QUICK") != NULL && *getenv("BENCH_QUICK") != '\0';
	int repeat = quick ? 1 : 3, samples = quick ? 10 : 30;
	long pending = quick ? PENDING : PENDING;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	char tmpl[] = "/tmp/agate-bench-console.XXXXXX";
	tmpdir = mkdtemp(tmpl);
	if (tmpdir == NULL)
		die("mkdtemp: %s", strerror(errno));
	chmod(tmpdir, 0700);
	atexit(cleanup);
	busdir = xasprintf("%s/bus", tmpdir);
	diff_path = xasprintf("%s/big.diff", tmpdir);
	char *journal = xasprintf("%s/journal.db", tmpdir);
	char *config = xasprintf("%s/config", tmpdir);
	fclose(fopen(config, "w"));
	setenv("AGATE_JOURNAL", journal, 1);
	setenv("AGATE_CONFIG", config, 1);
	setenv("XDG_STATE_HOME", tmpdir, 1);
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	const char *srcdir = getenv("AGATE_SRCDIR");
	char *themes = xasprintf("AGATE_THEME_DIR='%s/themes'", srcdir ? srcdir : ".");
	env_line = xasprintf("TERM=tmux-256color LC_ALL=C.UTF-8 AGATE_BUS='%s' AGATE_JOURNAL='%s' "
	                     "AGATE_CONFIG='%s' XDG_STATE_HOME='%s' XDG_CONFIG_HOME='%s' "
	                     "AGATE_FAKE_NOW_MS=" FAKE_NOW_MS " %s",
	                     busdir, journal, config, tmpdir, tmpdir, themes);
	write_diff();
	start_hub();
	tm_start();

	printf("console benchmark: medians of %d runs (%d samples each for latencies); "
	       "ratio = agate / baseline\n",
	       repeat, samples);
	printf("%-40s %10s %10s %-3s %8s  %s\n", "", "agate", "baseline", "", "ratio", "target");

	/* BENCH_FIRST=N: only the first screen of the diff, agate and tig in
	 * turn N times (for working on that one figure on a busy machine:
	 * each pair runs under the same load). */
	const char *only_first = getenv("BENCH_FIRST");
	if (only_first != NULL && atoi(only_first) > 0) {
		int n = atoi(only_first) > 64 ? 64 : atoi(only_first);
		double a[64], t[64];
		publishers[0] = publisher(1, 0, "x");
		wait_pending(1);
		for (int r = 0; r < n; r++) {
			struct pane p;
			tig_start(&p);
			t[r] = (wait_screen(&p, FIRST_MARK, NULL, p.started) - p.started) / 1e3;
			pane_kill(&p);
			console_start(&p, "console");
			a[r] = (wait_screen(&p, FIRST_MARK, NULL, p.started) - p.started) / 1e3;
			free(tm_cmd("send-keys -t %s q", p.id));
			for (int i = 0; i < 500 && kill(p.pid, 0) == 0; i++)
				usleep(10000);
		}
		row("first screen, 100,000-line diff (ms)", median(a, n), median(t, n), "ms",
		    "<= tig");
		close(tm.in);
		cleanup();
		return 0;
	}

	/* 1. The floor of publish -> on screen: cat copying a FIFO to a pane. */
	char *fifo_path = xasprintf("%s/floor.fifo", tmpdir);
	mkfifo(fifo_path, 0600);
	struct pane floor_pane;
	char *cat = xasprintf("exec cat < '%s'", fifo_path);
	pane_start(&floor_pane, "floor", cat);
	int ffd = open(fifo_path, O_WRONLY);
	double *lat = xcalloc((size_t)samples, sizeof *lat);
	double *base = xcalloc((size_t)samples, sizeof *base);
	for (int i = 0; i < samples; i++) {
		char line[64];
		int n = snprintf(line, sizeof line, "marker-%d-end\n", i);
		drain();
		double t0 = now_us();
		if (write(ffd, line, (size_t)n) != n)
			die("floor fifo: %s", strerror(errno));
		line[n - 1] = '\0';
		base[i] = wait_screen(&floor_pane, line, NULL, t0) - t0;
	}
	close(ffd);
	pane_kill(&floor_pane);

	/* 2. tig on the diff: first screen, PgDn, RSS at its end. */
	double tig_first[8] = {0}, tig_rss[8] = {0}, tig_key = 0;
	for (int r = 0; r < repeat; r++) {
		struct pane p;
		tig_start(&p);
		tig_first[r] = (wait_screen(&p, FIRST_MARK, NULL, p.started) - p.started) / 1e3;
		if (r == 0) {
			double *k = xcalloc((size_t)samples, sizeof *k);
			for (int i = 0; i < samples; i++)
				k[i] = key_to_repaint(&p, "PageDown", NULL) / 1e3;
			tig_key = median(k, samples);
			free(k);
		}
		go_to_end(&p);
		tig_rss[r] = mem_of(p.pid).rss;
		pane_kill(&p);
	}

	/* 3. The console with the diff alone pending. */
	publishers[0] = publisher(1, 0, "x");
	wait_pending(1);
	double first[8] = {0}, rss1[8] = {0}, hwm1[8] = {0}, key_diff = 0;
	for (int r = 0; r < repeat; r++) {
		struct pane p;
		console_start(&p, "console");
		first[r] = (wait_screen(&p, FIRST_MARK, NULL, p.started) - p.started) / 1e3;
		if (r == 0) {
			/* publish -> on screen, with the diff open. */
			for (int i = 0; i < samples; i++) {
				char id[32], marker[64];
				snprintf(id, sizeof id, "live-%d", i);
				struct ag_client *c = bus_connect(AG_ROLE_PUBLISHER);
				struct ag_error err;
				cJSON *q = request_new(id, "s-live");
				cJSON *a = cJSON_AddObjectToObject(q, "action");
				cJSON_AddStringToObject(a, "kind", "exec");
				snprintf(marker, sizeof marker, "make check-%d-end", i);
				cJSON_AddStringToObject(a, "command", marker);
				drain();
				double t0 = now_us();
				if (ag_client_send(c, q, &err) != 0)
					die("publish: %s", err.msg);
				lat[i] = wait_screen(&p, marker, NULL, t0) - t0;
				cJSON_Delete(q);
				ag_client_close(&c); /* abandoned: off the list again */
				char *gone = xasprintf("%d pending", 1);
				wait_screen(&p, gone, NULL, 0);
				free(gone);
			}
			/* PgDn in the diff: focus the detail first. */
			free(tm_cmd("send-keys -t %s Tab", p.id));
			double *k = xcalloc((size_t)samples, sizeof *k);
			for (int i = 0; i < samples; i++)
				k[i] = key_to_repaint(&p, "PageDown", NULL) / 1e3;
			key_diff = median(k, samples);
			free(k);
		} else {
			free(tm_cmd("send-keys -t %s Tab", p.id));
		}
		go_to_end(&p);
		struct mem m = mem_of(p.pid);
		rss1[r] = m.rss;
		hwm1[r] = m.hwm;
		free(tm_cmd("send-keys -t %s q", p.id));
		for (int i = 0; i < 500 && kill(p.pid, 0) == 0; i++)
			usleep(10000);
	}
	row("publish -> on screen (ms)", median(lat, samples) / 1e3, median(base, samples) / 1e3,
	    "ms", "(baseline: cat in a pane)");
	row("first screen, 100,000-line diff (ms)", median(first, repeat),
	    median(tig_first, repeat), "ms", "<= tig");
	row("PgDn in the diff -> repaint (ms)", key_diff, tig_key, "ms", "(baseline: tig)");
	row("RSS, the diff at its end (MB)", median(rss1, repeat), median(tig_rss, repeat), "MB",
	    "(baseline: tig)");
	row("  peak (VmHWM)", median(hwm1, repeat), median(tig_rss, repeat), "MB", "");

	/* 4. 10,000 more pending: the console starts on a snapshot of all. */
	publishers[1] = publisher(0, pending, "r");
	wait_pending(pending + 1);
	double first_many[8] = {0}, rss2[8] = {0}, hwm2[8] = {0}, key_list = 0, key_diff2 = 0;
	char total[32];
	snprintf(total, sizeof total, "%ld pending", pending + 1);
	for (int r = 0; r < repeat; r++) {
		struct pane p;
		console_start(&p, "console");
		wait_screen(&p, total, NULL, p.started);
		first_many[r] = (wait_screen(&p, FIRST_MARK, NULL, p.started) - p.started) / 1e3;
		free(tm_cmd("send-keys -t %s Tab", p.id));
		go_to_end(&p);
		struct mem m = mem_of(p.pid);
		rss2[r] = m.rss;
		hwm2[r] = m.hwm;

		if (r == 0) {
			double *k = xcalloc((size_t)samples, sizeof *k);
			for (int i = 0; i < samples; i++)
				k[i] = key_to_repaint(&p, "PageUp", NULL) / 1e3;
			key_diff2 = median(k, samples);
			/* Back to the list: j and k move between the diff and
			 * the exec request after it. */
			free(tm_cmd("send-keys -t %s Tab", p.id));
			for (int i = 0; i < samples; i++)
				k[i] = key_to_repaint(&p, i % 2 ? "k" : "j", NULL) / 1e3;
			key_list = median(k, samples);
			free(k);
		}
		free(tm_cmd("send-keys -t %s q", p.id));
		for (int i = 0; i < 500 && kill(p.pid, 0) == 0; i++)
			usleep(10000);
	}
	char what[80];
	snprintf(what, sizeof what, "first screen, %ld pending + diff (ms)", pending + 1);
	row(what, median(first_many, repeat), median(tig_first, repeat), "ms", "(baseline: tig)");
	row("PgUp in the diff, 10,001 pending (ms)", key_diff2, tig_key, "ms", "(baseline: tig)");
	row("j/k in the list, 10,001 pending (ms)", key_list, tig_key, "ms",
	    "(baseline: tig PgDn)");
	row("RSS, 10,001 pending + diff (MB)", median(rss2, repeat), median(tig_rss, repeat), "MB",
	    "<= 16 MB");
	row("  peak (VmHWM)", median(hwm2, repeat), median(tig_rss, repeat), "MB", "");

	close(tm.in);
	cleanup();
	return 0;
}
