/* agate decide ID DECISION [--reason TEXT] [--confirm]: a one-shot
 * subscriber that decides one pending request, for scripts and tests. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/model.h"
#include "core/request.h"

static void
decide_usage(FILE *out)
{
	fprintf(out, "usage: agate decide [--reason TEXT] [--confirm] [--bus DIR] ID DECISION\n\n"
	             "Decide a pending request as a human. DECISION is approve, approve_session,\n"
	             "deny, abort or defer. Approving a request that matched a deny rule or\n"
	             "scored critical needs --confirm.\n\n"
	             "Exit status: 0 decided, 1 refused (already decided, unknown id, needs\n"
	             "--confirm), 2 error (no hub).\n");
}

static int
decide_wait(struct ag_client *c, const char *id)
{
	for (;;) {
		cJSON *f = NULL;
		struct ag_error err;
		int rc = ag_client_recv(c, 10000, &f, &err);
		if (rc <= 0) {
			fprintf(stderr, "agate decide: %s\n",
			        rc == 0 ? "no answer from the hub" : err.msg);
			return 2;
		}
		const char *type = ag_frame_type(f);
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(f, "ref");
		const cJSON *fid = cJSON_GetObjectItemCaseSensitive(f, "id");
		int code = -1;
		if (strcmp(type, "decided") == 0 && cJSON_IsString(fid) &&
		    strcmp(fid->valuestring, id) == 0) {
			code = 0;
		} else if (strcmp(type, "error") == 0 &&
		           (!cJSON_IsString(ref) || strcmp(ref->valuestring, id) == 0)) {
			const cJSON *msg = cJSON_GetObjectItemCaseSensitive(f, "error");
			fprintf(stderr, "agate decide: %s\n",
			        cJSON_IsString(msg) ? msg->valuestring : "refused");
			code = 1;
		}
		cJSON_Delete(f);
		if (code >= 0)
			return code;
	}
}

int
cmd_decide(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"reason", required_argument, NULL, 'r'},
	    {"confirm", no_argument, NULL, 'y'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL, *journal = NULL, *reason = NULL;
	int confirm = 0, c;
	while ((c = getopt_long(argc, argv, "hr:", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 'r': reason = optarg; break;
		case 'y': confirm = 1; break;
		case 'h': decide_usage(stdout); return 0;
		default: decide_usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		decide_usage(stderr);
		return 2;
	}
	const char *id = argv[optind], *decision = argv[optind + 1];
	if (!ag_id_valid(id)) {
		fprintf(stderr, "agate decide: '%s' is not a request id\n", id);
		return 2;
	}
	if (ag_decision_parse(decision) < 0) {
		fprintf(stderr,
		        "agate decide: unknown decision '%s' (expected approve, "
		        "approve_session, deny, abort or defer)\n",
		        decision);
		return 2;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return 2;
	struct ag_client *cl = ag_cmd_connect(&env, "decide", AG_ROLE_CONTROL, "decide", 0);
	ag_cmd_env_free(&env);
	if (cl == NULL)
		return 2;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "decide");
	cJSON_AddStringToObject(f, "id", id);
	cJSON_AddStringToObject(f, "decision", decision);
	cJSON_AddStringToObject(f, "by", "human");
	if (reason)
		cJSON_AddStringToObject(f, "reason", reason);
	if (confirm)
		cJSON_AddBoolToObject(f, "confirm", 1);
	struct ag_error err;
	int rc = ag_client_send(cl, f, &err);
	cJSON_Delete(f);
	if (rc != 0) {
		fprintf(stderr, "agate decide: %s\n", err.msg);
		ag_client_close(&cl);
		return 2;
	}
	rc = decide_wait(cl, id);
	ag_client_close(&cl);
	return rc;
}
