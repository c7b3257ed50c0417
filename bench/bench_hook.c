/* Hook overhead: what an agent pays per tool call for `agate hook` when a
 * rule decides at once — spawn, read the payload, publish, the hub's
 * immediate decision, the answer — p50 and p99 over N calls, beside the
 * spawn of `true` measured the same way in the same run.
 *
 *   bench_hook AGATE_HOOK_OR_AGATE_BINARY [N]
 *
 * Runs on a private bus, journal and rules file in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char payload[] =
    "{\"session_id\":\"bench\",\"transcript_path\":\"/tmp/t.jsonl\",\"cwd\":\"/tmp\","
    "\"permission_mode\":\"default\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
    "\"tool_input\":{\"command\":\"git status\",\"description\":\"status\"},"
    "\"tool_use_id\":\"toolu_bench\"}";

static int64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One call as an agent makes it: stdin a pipe with the payload then EOF,
 * stdout a pipe read to EOF, then the exit status. Returns ns, or -1. */
static int64_t
run_once(char *const argv[], int feed, char *out, size_t outsz)
{
	int in[2], res[2];
	if (pipe(in) != 0 || pipe(res) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, res[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[0]);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, res[0]);
	posix_spawn_file_actions_addclose(&fa, res[1]);
	int64_t t0 = now_ns();
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(res[1]);
	if (rc != 0) {
		close(in[1]);
		close(res[0]);
		return -1;
	}
	if (feed && write(in[1], payload, sizeof payload - 1) != (ssize_t)(sizeof payload - 1))
		fprintf(stderr, "bench_hook: short write\n");
	close(in[1]);
	size_t n = 0;
	ssize_t r;
	while ((r = read(res[0], out + n, outsz - 1 - n)) > 0 && n + 1 < outsz)
		n += (size_t)r;
	out[n] = '\0';
	close(res[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int64_t t = now_ns() - t0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static double
pct(int64_t *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, cmp64);
	int i = (int)(p * (n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_hook AGATE_BINARY [N]\n");
		return 2;
	}
	int n = argc > 2 ? atoi(argv[2]) : 1000;
	if (n < 10)
		n = 10;
	char dir[] = "/tmp/agate-bench-hook-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char path[512];
	snprintf(path, sizeof path, "%s/bus", dir);
	setenv("AGATE_BUS", path, 1);
	snprintf(path, sizeof path, "%s/journal.db", dir);
	setenv("AGATE_JOURNAL", path, 1);
	snprintf(path, sizeof path, "%s/config", dir);
	setenv("AGATE_CONFIG", path, 1);
	fclose(fopen(path, "w"));
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(path, sizeof path, "%s/agate", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/agate/rules", dir);
	FILE *f = fopen(path, "w");
	fputs("allow exec git status\n", f);
	fclose(f);

	/* agate-hook CLIENT, or agate hook CLIENT. */
	const char *base = strrchr(argv[1], '/');
	base = base ? base + 1 : argv[1];
	char *hook_small[] = {argv[1], (char *)"claude", NULL};
	char *hook_full[] = {argv[1], (char *)"hook", (char *)"claude", NULL};
	char **hook = strcmp(base, "agate-hook") == 0 ? hook_small : hook_full;
	char *tru[] = {(char *)"/bin/true", NULL};
	char out[4096];
	/* The first call starts the hub; not timed. */
	if (run_once(hook, 1, out, sizeof out) < 0 || strstr(out, "\"allow\"") == NULL) {
		fprintf(stderr, "bench_hook: the hook did not allow: %s\n", out);
		return 1;
	}
	int64_t *th = calloc((size_t)n, sizeof *th), *tt = calloc((size_t)n, sizeof *tt);
	for (int i = 0; i < n; i++) {
		tt[i] = run_once(tru, 0, out, sizeof out);
		th[i] = run_once(hook, 1, out, sizeof out);
		if (th[i] < 0 || tt[i] < 0 || strstr(out, "\"allow\"") == NULL) {
			fprintf(stderr, "bench_hook: call %d failed: %s\n", i, out);
			return 1;
		}
	}
	double h50 = pct(th, n, 0.50), h99 = pct(th, n, 0.99);
	double t50 = pct(tt, n, 0.50), t99 = pct(tt, n, 0.99);
	printf("hook overhead, %d calls (rule decides at once; journaled):\n", n);
	printf("  %-18s p50 %7.3f ms  p99 %7.3f ms\n", base, h50, h99);
	printf("  /bin/true spawn    p50 %7.3f ms  p99 %7.3f ms\n", t50, t99);
	printf("  ratio              p50 %7.1fx    p99 %7.1fx   (target: p50 <= 3 ms)\n", h50 / t50,
	       h99 / t99);
	/* Stop the hub we started, and clean up. */
	snprintf(path, sizeof path, "%s/bus/hub.pid", dir);
	f = fopen(path, "r");
	int hub = 0;
	if (f != NULL && fscanf(f, "%d", &hub) == 1 && hub > 0)
		kill(hub, 15);
	if (f != NULL)
		fclose(f);
	free(th);
	free(tt);
	char *rm[] = {(char *)"/bin/rm", (char *)"-rf", dir, NULL};
	run_once(rm, 0, out, sizeof out);
	return 0;
}
