#include "cmd/common.h"

#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/xmalloc.h"
#include "ipc/busdir.h"

void
ag_cmd_init(const char *argv0)
{
	(void)argv0;
	setlocale(LC_ALL, "");
}

int
ag_cmd_env_load(struct ag_cmd_env *env, const char *bus_flag, const char *journal_flag)
{
	memset(env, 0, sizeof *env);
	env->cfg = ag_config_new();
	const char *cpath = getenv("AGATE_CONFIG");
	char *path = cpath && *cpath ? xstrdup(cpath) : ag_config_default_path();
	struct ag_error err;
	int rc = ag_config_load(env->cfg, path, 1, &err);
	free(path);
	if (rc != 0) {
		fprintf(stderr, "agate: %s\n", err.msg);
		return -1;
	}
	const char *cfg_bus = ag_config_str(env->cfg, "bus");
	if (bus_flag)
		env->bus = xstrdup(bus_flag);
	else if (getenv("AGATE_BUS") == NULL && cfg_bus && *cfg_bus)
		env->bus = xstrdup(cfg_bus);
	else
		env->bus = ag_bus_dir_default();
	const char *cfg_journal = ag_config_str(env->cfg, "journal");
	if (journal_flag)
		env->journal = ag_journal_default_path(journal_flag);
	else if (getenv("AGATE_JOURNAL") == NULL && cfg_journal && *cfg_journal)
		env->journal = xstrdup(cfg_journal);
	else
		env->journal = ag_journal_default_path(NULL);
	return 0;
}

void
ag_cmd_env_free(struct ag_cmd_env *env)
{
	ag_config_free(&env->cfg);
	free(env->bus);
	free(env->journal);
	memset(env, 0, sizeof *env);
}

struct ag_client *
ag_cmd_connect(const struct ag_cmd_env *env, const char *cmd, enum ag_role role, const char *name,
               int autostart)
{
	struct ag_client_opts o = {
	    .bus_dir = env->bus,
	    .role = role,
	    .name = name,
	    .autostart = autostart,
	    .connect_timeout_ms = 5000,
	    .journal = env->journal,
	};
	struct ag_client *c = NULL;
	struct ag_error err;
	if (ag_client_connect(&o, &c, &err) != 0) {
		fprintf(stderr, "agate %s: %s\n", cmd, err.msg);
		return NULL;
	}
	return c;
}

void
ag_cmd_print_json(FILE *out, const cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	if (text != NULL) {
		fputs(text, out);
		fputc('\n', out);
		cJSON_free(text);
	}
	fflush(out);
}

pid_t
ag_cmd_fork_tied(int keep_stderr)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (!keep_stderr)
			dup2(null, 2);
		if (null > 2)
			close(null);
	}
	return 0;
}
