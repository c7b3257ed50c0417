/* What every subcommand shares: configuration (file, then environment, then
 * flags), connecting to the bus, and printing frames. */
#ifndef AGATE_CMD_COMMON_H
#define AGATE_CMD_COMMON_H

#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "core/config.h"
#include "ipc/client.h"

struct ag_cmd_env {
	struct ag_config *cfg; /* owned */
	char *bus;             /* owned: the bus directory in effect */
	char *journal;         /* owned: the journal path in effect */
};

void ag_cmd_init(const char *argv0);
/* Loads $XDG_CONFIG_HOME/agate/config (or $AGATE_CONFIG), then applies the
 * flags given (NULL: not given). Prints the error and returns -1 on a bad
 * config file. */
int ag_cmd_env_load(struct ag_cmd_env *env, const char *bus_flag, const char *journal_flag);
void ag_cmd_env_free(struct ag_cmd_env *env);

/* Connects with autostart; prints "agate CMD: why" on failure. */
struct ag_client *ag_cmd_connect(const struct ag_cmd_env *env, const char *cmd, enum ag_role role,
                                 const char *name, int autostart);

/* fork(), for a helper process that must not outlive us: in the child it
 * dies with its parent (also when the parent is already gone), and stdin,
 * stdout and, unless keep_stderr, stderr are /dev/null. Returns as fork()
 * does. Linux (PR_SET_PDEATHSIG). */
pid_t ag_cmd_fork_tied(int keep_stderr);

/* Prints a frame as one compact JSON line. */
void ag_cmd_print_json(FILE *out, const cJSON *json);

/* Shared long options: --bus DIR, --journal FILE, --help. */
#define AG_CMD_COMMON_OPTS                                                                \
	{"bus", required_argument, NULL, 'B'}, {"journal", required_argument, NULL, 'J'}, \
	{                                                                                 \
		"help", no_argument, NULL, 'h'                                            \
	}

#endif
