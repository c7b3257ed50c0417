/* agate ask: publish one approval request, print the decision.
 * Exit: 0 approve, 1 deny or abort, 3 defer, 2 error (and never approve). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/publish.h"
#include "core/request.h"
#include "core/xmalloc.h"

#define ASK_EXIT_ERROR 2
#define ASK_STDIN_MAX  (16u << 20)

static void
ask_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate ask [OPTIONS] < request.json\n"
	        "       agate ask [OPTIONS] --exec CMD\n"
	        "       agate ask [OPTIONS] --patch FILE\n"
	        "       agate ask [OPTIONS] --host HOST --port PORT [--protocol P] [--method M] "
	        "[--url U]\n"
	        "       agate ask [OPTIONS] --mcp SERVER TOOL JSON\n\n"
	        "Publish one approval request on the bus (starting a hub if none runs), wait\n"
	        "for the decision and print it as one JSON line. A request on stdin is a\n"
	        "request frame as in agate-protocol(7).\n\n"
	        "  --session S, --agent A, --cwd DIR, --justification TEXT\n"
	        "  --timeout MS      fail closed after this many milliseconds\n"
	        "  --id ID           request id (default: generated); asking again with the\n"
	        "                    same id returns the decision already made\n"
	        "  --bus DIR, --journal FILE\n\n"
	        "Exit status: 0 approved, 1 denied or aborted, 3 deferred, 2 error.\n");
}

/* Reads all of stdin, bounded. Caller frees. */
static char *
read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= ASK_STDIN_MAX) {
				free(buf);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, stdin);
		n += r;
		if (r == 0)
			break;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static cJSON *
read_file_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "agate ask: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 >= cap) {
			if (cap >= ASK_STDIN_MAX)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	fclose(f);
	buf[n] = '\0';
	cJSON *s = cJSON_CreateString(buf);
	free(buf);
	return s;
}

struct ask_args {
	const char *exec, *patch, *host, *protocol, *method, *url;
	const char *mcp_server, *mcp_tool, *mcp_args;
	int port;
	const char *session, *agent, *cwd, *justification, *id;
	long long timeout_ms;
};

/* Builds the action from flags, or returns NULL with a message. */
static cJSON *
ask_build_action(const struct ask_args *a)
{
	cJSON *action = cJSON_CreateObject();
	if (a->exec) {
		cJSON_AddStringToObject(action, "kind", "exec");
		cJSON_AddStringToObject(action, "command", a->exec);
	} else if (a->patch) {
		cJSON *diff = read_file_text(a->patch);
		if (diff == NULL) {
			cJSON_Delete(action);
			return NULL;
		}
		cJSON_AddStringToObject(action, "kind", "patch");
		cJSON_AddItemToObject(action, "diff", diff);
	} else if (a->host) {
		cJSON_AddStringToObject(action, "kind", "network");
		cJSON_AddStringToObject(action, "host", a->host);
		cJSON_AddNumberToObject(action, "port", a->port);
		cJSON_AddStringToObject(action, "protocol", a->protocol ? a->protocol : "https");
		if (a->method)
			cJSON_AddStringToObject(action, "method", a->method);
		if (a->url)
			cJSON_AddStringToObject(action, "url", a->url);
	} else {
		cJSON *args = cJSON_Parse(a->mcp_args);
		if (!cJSON_IsObject(args)) {
			fprintf(stderr, "agate ask: --mcp: JSON arguments must be an object\n");
			cJSON_Delete(args);
			cJSON_Delete(action);
			return NULL;
		}
		cJSON_AddStringToObject(action, "kind", "mcp");
		cJSON_AddStringToObject(action, "server", a->mcp_server);
		cJSON_AddStringToObject(action, "tool", a->mcp_tool);
		cJSON_AddItemToObject(action, "arguments", args);
	}
	return action;
}

static void
set_field(cJSON *req, const char *key, const char *value, int override)
{
	if (value == NULL)
		return;
	if (cJSON_GetObjectItemCaseSensitive(req, key) != NULL) {
		if (!override)
			return;
		cJSON_DeleteItemFromObjectCaseSensitive(req, key);
	}
	cJSON_AddStringToObject(req, key, value);
}

static cJSON *
ask_build_request(const struct ask_args *a)
{
	cJSON *req;
	if (a->exec || a->patch || a->host || a->mcp_server) {
		cJSON *action = ask_build_action(a);
		if (action == NULL)
			return NULL;
		req = cJSON_CreateObject();
		cJSON_AddNumberToObject(req, "v", 1);
		cJSON_AddStringToObject(req, "type", "request");
		cJSON_AddItemToObject(req, "action", action);
	} else {
		size_t len;
		char *text = read_stdin(&len);
		if (text == NULL) {
			fprintf(stderr, "agate ask: request on stdin is over %u bytes\n",
			        ASK_STDIN_MAX);
			return NULL;
		}
		while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
			text[--len] = '\0';
		if (len == 0) {
			free(text);
			fprintf(stderr,
			        "agate ask: no request on stdin and no --exec, --patch, --host "
			        "or --mcp; see 'agate ask --help'\n");
			return NULL;
		}
		struct ag_limits lim;
		ag_limits_default(&lim);
		struct ag_error err;
		req = NULL;
		int rc = ag_frame_parse(text, len, &lim, &req, &err);
		free(text);
		if (rc != 0) {
			fprintf(stderr, "agate ask: stdin: %s\n", err.msg);
			return NULL;
		}
	}
	/* Flags override the frame; defaults only fill what it leaves out. */
	char cwd[4096];
	set_field(req, "session", a->session, 1);
	set_field(req, "agent", a->agent, 1);
	set_field(req, "agent", "agate-ask", 0);
	set_field(req, "cwd", a->cwd, 1);
	set_field(req, "cwd", getcwd(cwd, sizeof cwd), 0);
	set_field(req, "justification", a->justification, 1);
	set_field(req, "id", a->id, 1);
	if (a->timeout_ms > 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(req, "timeout_ms");
		cJSON_AddNumberToObject(req, "timeout_ms", (double)a->timeout_ms);
	}
	return req;
}

int
cmd_ask(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"exec", required_argument, NULL, 'e'},
	    {"patch", required_argument, NULL, 'p'},
	    {"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'P'},
	    {"protocol", required_argument, NULL, 'R'},
	    {"method", required_argument, NULL, 'M'},
	    {"url", required_argument, NULL, 'U'},
	    {"mcp", required_argument, NULL, 'm'},
	    {"session", required_argument, NULL, 's'},
	    {"agent", required_argument, NULL, 'a'},
	    {"cwd", required_argument, NULL, 'c'},
	    {"justification", required_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {"id", required_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	struct ask_args a;
	memset(&a, 0, sizeof a);
	const char *bus = NULL, *journal = NULL;
	int c, kinds = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 'e':
			a.exec = optarg;
			kinds++;
			break;
		case 'p':
			a.patch = optarg;
			kinds++;
			break;
		case 'H':
			a.host = optarg;
			kinds++;
			break;
		case 'P': a.port = atoi(optarg); break;
		case 'R': a.protocol = optarg; break;
		case 'M': a.method = optarg; break;
		case 'U': a.url = optarg; break;
		case 'm':
			a.mcp_server = optarg;
			kinds++;
			break;
		case 's': a.session = optarg; break;
		case 'a': a.agent = optarg; break;
		case 'c': a.cwd = optarg; break;
		case 'j': a.justification = optarg; break;
		case 't': a.timeout_ms = strtoll(optarg, NULL, 10); break;
		case 'i': a.id = optarg; break;
		case 'h': ask_usage(stdout); return 0;
		default: ask_usage(stderr); return ASK_EXIT_ERROR;
		}
	}
	if (a.mcp_server) {
		if (argc - optind != 2) {
			fprintf(stderr, "agate ask: --mcp takes SERVER TOOL JSON\n");
			return ASK_EXIT_ERROR;
		}
		a.mcp_tool = argv[optind];
		a.mcp_args = argv[optind + 1];
	} else if (optind != argc) {
		ask_usage(stderr);
		return ASK_EXIT_ERROR;
	}
	if (kinds > 1) {
		fprintf(stderr, "agate ask: give one of --exec, --patch, --host, --mcp\n");
		return ASK_EXIT_ERROR;
	}
	if (a.host && (a.port < 1 || a.port > 65535)) {
		fprintf(stderr, "agate ask: --host needs --port between 1 and 65535\n");
		return ASK_EXIT_ERROR;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return ASK_EXIT_ERROR;
	cJSON *req = ask_build_request(&a);
	if (req == NULL) {
		ag_cmd_env_free(&env);
		return ASK_EXIT_ERROR;
	}
	struct ag_publish_opts po = {.name = "ask"};
	cJSON *decision = NULL;
	struct ag_error err;
	int rc = ag_publish(&env, req, &po, &decision, &err);
	cJSON_Delete(req);
	ag_cmd_env_free(&env);
	if (rc != 0) {
		fprintf(stderr, "agate ask: %s; nothing was approved\n", err.msg);
		return ASK_EXIT_ERROR;
	}
	ag_cmd_print_json(stdout, decision);
	int code = ag_publish_exit_code(decision);
	cJSON_Delete(decision);
	return code;
}
