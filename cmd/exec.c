/* agate exec -- CMD ARGS...: ask, then run the command only when approved.
 * For any agent or script without hooks. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/publish.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

#define EXEC_EXIT_DENIED 126
#define EXEC_EXIT_ERROR  125

static void
exec_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate exec [--session S] [--agent A] [--justification TEXT]\n"
	        "                  [--timeout MS] [--bus DIR] [--journal FILE] -- CMD [ARGS...]\n\n"
	        "Ask for approval to run CMD, then run it only if approved; the exit status\n"
	        "is then the command's own.\n\n"
	        "Exit status when CMD does not run: 126 denied, aborted or deferred,\n"
	        "125 agate error (nothing was run).\n");
}

/* POSIX-shell quoting for the display form of argv: 'it'\''s'. */
static void
append_quoted(char **buf, size_t *len, size_t *cap, const char *word, int space)
{
	size_t need = *len + strlen(word) * 4 + 4;
	if (need > *cap) {
		*cap = need * 2;
		*buf = xrealloc(*buf, *cap);
	}
	char *p = *buf + *len;
	if (space)
		*p++ = ' ';
	int plain = *word != '\0';
	for (const char *w = word; *w; w++)
		if (!(strchr("@%+=:,./-_", *w) || (*w >= 'a' && *w <= 'z') ||
		      (*w >= 'A' && *w <= 'Z') || (*w >= '0' && *w <= '9')))
			plain = 0;
	if (plain) {
		size_t n = strlen(word);
		memcpy(p, word, n);
		p += n;
	} else {
		*p++ = '\'';
		for (const char *w = word; *w; w++) {
			if (*w == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *w;
			}
		}
		*p++ = '\'';
	}
	*len = (size_t)(p - *buf);
}

/* The command as a shell would read it. Caller frees. */
static char *
shell_join(char **argv, int argc)
{
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);
	for (int i = 0; i < argc; i++)
		append_quoted(&buf, &len, &cap, argv[i], i > 0);
	buf = xrealloc(buf, len + 1);
	buf[len] = '\0';
	return buf;
}

int
cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"session", required_argument, NULL, 's'},
	    {"agent", required_argument, NULL, 'a'},
	    {"justification", required_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL, *journal = NULL, *session = NULL, *agent = "agate-exec",
	           *justification = NULL;
	long long timeout_ms = 0;
	int c;
	/* '+': stop at the first non-option, so CMD's own flags stay CMD's. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 's': session = optarg; break;
		case 'a': agent = optarg; break;
		case 'j': justification = optarg; break;
		case 't': timeout_ms = strtoll(optarg, NULL, 10); break;
		case 'h': exec_usage(stdout); return 0;
		default: exec_usage(stderr); return EXEC_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		exec_usage(stderr);
		return EXEC_EXIT_ERROR;
	}
	char **cmd = argv + optind;
	int ncmd = argc - optind;
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return EXEC_EXIT_ERROR;

	cJSON *req = cJSON_CreateObject();
	cJSON_AddNumberToObject(req, "v", 1);
	cJSON_AddStringToObject(req, "type", "request");
	if (session)
		cJSON_AddStringToObject(req, "session", session);
	cJSON_AddStringToObject(req, "agent", agent);
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd))
		cJSON_AddStringToObject(req, "cwd", cwd);
	if (justification)
		cJSON_AddStringToObject(req, "justification", justification);
	if (timeout_ms > 0)
		cJSON_AddNumberToObject(req, "timeout_ms", (double)timeout_ms);
	cJSON *action = cJSON_AddObjectToObject(req, "action");
	cJSON_AddStringToObject(action, "kind", "exec");
	char *joined = shell_join(cmd, ncmd);
	cJSON_AddStringToObject(action, "command", joined);
	free(joined);
	cJSON_AddItemToObject(action, "argv",
	                      cJSON_CreateStringArray((const char *const *)cmd, ncmd));

	struct ag_publish_opts po = {.name = "exec"};
	cJSON *decision = NULL;
	struct ag_error err;
	int rc = ag_publish(&env, req, &po, &decision, &err);
	cJSON_Delete(req);
	ag_cmd_env_free(&env);
	if (rc != 0) {
		fprintf(stderr, "agate exec: %s; not running %s\n", err.msg, cmd[0]);
		return EXEC_EXIT_ERROR;
	}
	int code = ag_publish_exit_code(decision);
	if (code != 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(decision, "decision");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(decision, "reason");
		const char *reason = cJSON_IsString(r) ? r->valuestring : "";
		char *safe = ag_sanitize_line(reason, strlen(reason));
		fprintf(stderr, "agate exec: %s: %s%s%s\n",
		        cJSON_IsString(d) ? d->valuestring : "?", cmd[0], *safe ? ": " : "", safe);
		free(safe);
		cJSON_Delete(decision);
		return EXEC_EXIT_DENIED;
	}
	cJSON_Delete(decision);
	execvp(cmd[0], cmd);
	fprintf(stderr, "agate exec: %s: %s\n", cmd[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
