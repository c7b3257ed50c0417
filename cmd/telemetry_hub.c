/* The two pieces of agate telemetry that `agate` itself needs: the hub
 * starts the exporter, and agate status reads its counters. They live
 * apart from cmd/telemetry.c so that `agate` links no libcurl: the
 * exporter runs in agate-net (see cmd/commands.h), which `agate
 * telemetry` execs. */
#include "cmd/telemetry.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/common.h"
#include "core/sanitize.h"
#include "ipc/busdir.h"

pid_t
ag_telemetry_spawn(const struct ag_cmd_env *env)
{
	const char *endpoint = ag_config_str(env->cfg, "telemetry_endpoint");
	if (endpoint == NULL || *endpoint == '\0')
		return 0;
	/* Our own binary: `agate telemetry` execs agate-net's exporter. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		fprintf(stderr, "agate hub: telemetry: cannot find our own binary\n");
		return -1;
	}
	exe[n] = '\0';
	/* The child dies with the hub, whatever way the hub ends; its
	 * errors go to the hub's log. */
	pid_t pid = ag_cmd_fork_tied(1);
	if (pid < 0) {
		fprintf(stderr, "agate hub: telemetry: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	execl(exe, exe, "telemetry", "--daemon", "--bus", env->bus, (char *)NULL);
	fprintf(stderr, "agate hub: telemetry: cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

void
ag_telemetry_status(const char *bus, FILE *out, cJSON **json_out)
{
	if (json_out != NULL)
		*json_out = NULL;
	char *path = ag_bus_path(bus, AG_TELEMETRY_STATS_FILE);
	FILE *f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return;
	char buf[4096];
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	cJSON *o = cJSON_Parse(buf);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return;
	}
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
	int running = cJSON_IsNumber(pid) && pid->valueint > 0 && kill(pid->valueint, 0) == 0;
	cJSON_AddBoolToObject(o, "running", running);
#define NUM(k)                                                     \
	(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, k))    \
	     ? cJSON_GetObjectItemCaseSensitive(o, k)->valuedouble \
	     : 0)
#define STR(k)                                                     \
	(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, k))    \
	     ? cJSON_GetObjectItemCaseSensitive(o, k)->valuestring \
	     : "")
	if (out != NULL) {
		char *ep = ag_sanitize_line(STR("endpoint"), strlen(STR("endpoint")));
		fprintf(out, "telemetry  %s, pid %.0f%s\n", ep, NUM("pid"),
		        running ? "" : " (not running)");
		fprintf(out,
		        "           sent %.0f logs, %.0f spans; %.0f failed posts, %.0f dropped, "
		        "%.0f rejected; queued %.0f\n",
		        NUM("exported_logs"), NUM("exported_spans"), NUM("failed_posts"),
		        NUM("dropped"), NUM("rejected"), NUM("queued_logs") + NUM("queued_spans"));
		if (*STR("last_error")) {
			char *e = ag_sanitize_line(STR("last_error"), strlen(STR("last_error")));
			fprintf(out, "           last error: %s\n", e);
			free(e);
		}
		free(ep);
	}
#undef NUM
#undef STR
	if (json_out != NULL)
		*json_out = o;
	else
		cJSON_Delete(o);
}
