/* agate status: what the hub is doing. Never starts a hub. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/telemetry.h"
#include "core/request.h"
#include "core/sanitize.h"

static void
status_usage(FILE *out)
{
	fprintf(out, "usage: agate status [--json] [--bus DIR]\n\n"
	             "Show the hub's pid, uptime, clients and pending requests.\n"
	             "Exit status: 0 a hub answered, 1 no hub is running, 2 error.\n");
}

static double
num(const cJSON *f, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *
str(const cJSON *f, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void
status_print(const cJSON *f)
{
	long up = (long)(num(f, "uptime_ms") / 1000);
	printf("hub        pid %.0f, up %ldh%02ldm%02lds\n", num(f, "pid"), up / 3600, up / 60 % 60,
	       up % 60);
	printf("bus        %s\n", str(f, "bus"));
	printf("journal    %s\n", str(f, "journal"));
	printf("pending    %.0f\n", num(f, "pending"));
	printf("handled    %.0f requests, %.0f decisions, %.0f errors sent\n", num(f, "requests"),
	       num(f, "decisions"), num(f, "errors"));
	printf("clients    %.0f (%.0f publishers, %.0f subscribers)\n", num(f, "clients"),
	       num(f, "publishers"), num(f, "subscribers"));
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(f, "client_list"))
	{
		const char *name = str(c, "name");
		char *safe = ag_sanitize_line(name, strlen(name));
		printf("  %-10s %-12s pid %.0f\n", str(c, "role"), safe, num(c, "pid"));
		free(safe);
	}
}

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL;
	int json = 0, c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': break;
		case 'j': json = 1; break;
		case 'h': status_usage(stdout); return 0;
		default: status_usage(stderr); return 2;
		}
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, NULL) != 0)
		return 2;
	struct ag_client_opts o = {.bus_dir = env.bus, .role = AG_ROLE_CONTROL, .name = "status"};
	struct ag_client *cl = NULL;
	struct ag_error err;
	if (ag_client_connect(&o, &cl, &err) != 0) {
		fprintf(stderr, "agate status: %s\n", err.msg);
		ag_cmd_env_free(&env);
		return 1;
	}
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "status");
	int rc = ag_client_send(cl, f, &err);
	cJSON_Delete(f);
	f = NULL;
	if (rc == 0)
		rc = ag_client_recv(cl, 5000, &f, &err) == 1 ? 0 : -1;
	ag_client_close(&cl);
	if (rc != 0 || strcmp(ag_frame_type(f), "status") != 0) {
		fprintf(stderr, "agate status: no status from the hub\n");
		cJSON_Delete(f);
		ag_cmd_env_free(&env);
		return 2;
	}
	/* Telemetry (issue 6) runs beside the hub and reports through a file
	 * in the bus directory. */
	cJSON *tele = NULL;
	if (json) {
		ag_telemetry_status(env.bus, NULL, &tele);
		if (tele != NULL)
			cJSON_AddItemToObject(f, "telemetry", tele);
		ag_cmd_print_json(stdout, f);
	} else {
		status_print(f);
		ag_telemetry_status(env.bus, stdout, NULL);
	}
	ag_cmd_env_free(&env);
	cJSON_Delete(f);
	return 0;
}
