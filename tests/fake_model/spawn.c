#include "tests/fake_model/spawn.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void
fatal(const char *what)
{
	fprintf(stderr, "fake_model_start: %s\n", what);
	exit(1);
}

static const char *
binary(char *buf, size_t size)
{
	const char *p = getenv("AGATE_FAKE_MODEL");
	if (p != NULL && *p != '\0')
		return p;
	const char *b = getenv("AGATE_BUILDDIR");
	snprintf(buf, size, "%s/tests/fake_model/fake_model", b && *b ? b : ".");
	return buf;
}

void
fake_model_start(struct fake_model *fm, const char *const *args)
{
	static int seq;
	char bin[1024];
	const char *path = binary(bin, sizeof bin);
	memset(fm, 0, sizeof *fm);
	const char *tmp = getenv("TMPDIR");
	snprintf(fm->record_path, sizeof fm->record_path, "%s/fake-model-%d-%d.jsonl",
	         tmp && *tmp ? tmp : "/tmp", (int)getpid(), ++seq);
	unlink(fm->record_path);
	int pfd[2];
	if (pipe(pfd) != 0)
		fatal("pipe");
	const char *argv[64];
	int n = 0;
	argv[n++] = path;
	argv[n++] = "--record";
	argv[n++] = fm->record_path;
	for (int i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid == 0) {
		/* A test that fails mid-way must not leave servers behind. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execv(path, (char *const *)argv);
		fprintf(stderr, "cannot run %s (set AGATE_FAKE_MODEL)\n", path);
		_exit(127);
	}
	close(pfd[1]);
	char line[32] = {0};
	size_t len = 0;
	while (len + 1 < sizeof line) {
		ssize_t r = read(pfd[0], line + len, 1);
		if (r <= 0 || line[len] == '\n')
			break;
		len++;
	}
	close(pfd[0]);
	fm->pid = pid;
	fm->port = atoi(line);
	if (fm->port <= 0)
		fatal("the server printed no port");
	snprintf(fm->base_url, sizeof fm->base_url, "http://127.0.0.1:%d/v1", fm->port);
}

void
fake_model_stop(struct fake_model *fm)
{
	if (fm->pid > 0) {
		kill(fm->pid, SIGTERM);
		waitpid(fm->pid, NULL, 0);
		fm->pid = 0;
	}
	unlink(fm->record_path);
}

cJSON *
fake_model_requests(const struct fake_model *fm)
{
	cJSON *arr = cJSON_CreateArray();
	FILE *f = fopen(fm->record_path, "r");
	if (f == NULL)
		return arr;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		cJSON *o = cJSON_Parse(line);
		if (o != NULL)
			cJSON_AddItemToArray(arr, o);
	}
	free(line);
	fclose(f);
	return arr;
}

int
fake_model_count(const struct fake_model *fm)
{
	cJSON *arr = fake_model_requests(fm);
	int n = cJSON_GetArraySize(arr);
	cJSON_Delete(arr);
	return n;
}
