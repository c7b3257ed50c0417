/* agate init claude|codex: install `agate hook` in the agent's hook
 * configuration, merged into what is there (nothing else changes), the same
 * result however often it runs, and for Codex with the [hooks.state] trust
 * entries without which Codex skips the hook silently. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/hookcfg.h"
#include "cmd/udiff.h"
#include "core/xmalloc.h"

/* Claude Code fires PreToolUse before every tool, read-only ones included,
 * and agate's answer there replaces Claude's own check: route the tools
 * that change things or reach out. PermissionRequest fires only where
 * Claude would ask anyway, so every tool goes there. */
#define CLAUDE_MATCHER_DEFAULT "Bash|Edit|MultiEdit|Write|NotebookEdit|WebFetch|mcp__.*"

static const char *const events[] = {"PreToolUse", "PermissionRequest"};

struct init_opts {
	enum hook_client client;
	const char *project; /* NULL: user level */
	int dry_run;
	int timeout;
	const char *matcher; /* Claude PreToolUse; NULL: default */
	const char *command; /* NULL: this binary */
};

static void
init_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate init claude|codex [--user | --project DIR] [--dry-run]\n"
	        "                  [--timeout SECONDS] [--matcher REGEX | --all-tools]\n"
	        "                  [--command CMD]\n\n"
	        "Install agate as the agent's approval hook (PreToolUse and PermissionRequest),\n"
	        "merged into its existing configuration. Running it again changes nothing.\n\n"
	        "  claude --user      $CLAUDE_CONFIG_DIR/settings.json (default ~/.claude)\n"
	        "  claude --project D D/.claude/settings.local.json (personal, not committed)\n"
	        "  codex --user       $CODEX_HOME/hooks.json (default ~/.codex) and the trust\n"
	        "                     entries in $CODEX_HOME/config.toml\n"
	        "  codex --project D  D/.codex/hooks.json, trusted in $CODEX_HOME/config.toml\n"
	        "                     (not verified with codex-cli 0.169.0)\n"
	        "  --dry-run          print the changes as a diff, write nothing\n"
	        "  --timeout S        the client's hook timeout (default 600); the hook's own\n"
	        "                     deadline is set below it\n"
	        "  --matcher RE       Claude PreToolUse tools (default\n"
	        "                     " CLAUDE_MATCHER_DEFAULT ")\n"
	        "  --all-tools        every tool, read-only ones too (matcher *)\n"
	        "  --command CMD      the hook command (default: this agate, 'hook CLIENT')\n\n"
	        "Check an installation with 'agate doctor'. See agate-hook(1).\n");
}

/* Shows or writes one file. Returns 0, or -1 after printing why. */
static int
apply(const struct init_opts *o, const char *path, const char *before, const char *after)
{
	if (strcmp(before, after) == 0) {
		printf("%s: unchanged\n", path);
		return 0;
	}
	if (o->dry_run) {
		const char *a = before[0] ? path : "/dev/null";
		char *d = udiff_make(a, path, before, strlen(before), after, strlen(after));
		fputs(d, stdout);
		free(d);
		return 0;
	}
	struct ag_error err;
	if (hookcfg_write_file(path, after, 0600, &err) != 0) {
		fprintf(stderr, "agate init: %s\n", err.msg);
		return -1;
	}
	printf("%s: %s\n", path, before[0] ? "updated" : "created");
	return 0;
}

static char *
hook_command(const struct init_opts *o)
{
	if (o->command)
		return xstrdup(o->command);
	char exe[PATH_MAX];
	if (realpath("/proc/self/exe", exe) == NULL)
		snprintf(exe, sizeof exe, "agate");
	/* agate-hook beside us starts in a fraction of agate's time (no curl,
	 * no curses to load), and agents spawn it for every tool call. */
	char *slash = strrchr(exe, '/');
	if (slash != NULL) {
		char *small = xasprintf("%.*s/agate-hook", (int)(slash - exe), exe);
		if (access(small, X_OK) == 0) {
			char *cmd = hookcfg_command(small, o->client, o->timeout);
			free(small);
			return cmd;
		}
		free(small);
	}
	return hookcfg_command(exe, o->client, o->timeout);
}

static int
init_json(const struct init_opts *o, const char *path, const char *const *matchers,
          const char *command, cJSON **merged, char **after_out)
{
	cJSON *root;
	char *before;
	int existed;
	struct ag_error err;
	if (hookcfg_read_json(path, &root, &before, &existed, &err) != 0) {
		fprintf(stderr, "agate init: %s\n", err.msg);
		return -1;
	}
	if (hookcfg_merge(root, o->client, events, matchers, 2, command, o->timeout, &err) != 0) {
		fprintf(stderr, "agate init: %s: %s; not changing it\n", path, err.msg);
		cJSON_Delete(root);
		free(before);
		return -1;
	}
	char *after = hookcfg_json_print(root);
	/* Same content, other layout: leave the user's formatting alone. */
	cJSON *old = existed ? cJSON_Parse(before) : NULL;
	if (old && cJSON_Compare(old, root, 1)) {
		free(after);
		after = xstrdup(before);
	}
	cJSON_Delete(old);
	int rc = apply(o, path, before, after);
	free(before);
	if (after_out)
		*after_out = after;
	else
		free(after);
	if (merged)
		*merged = root;
	else
		cJSON_Delete(root);
	return rc;
}

static int
init_claude(const struct init_opts *o)
{
	char *path;
	if (o->project) {
		path = xasprintf("%s/.claude/settings.local.json", o->project);
	} else {
		char *dir = hookcfg_claude_dir();
		path = xasprintf("%s/settings.json", dir);
		free(dir);
	}
	char *command = hook_command(o);
	const char *matchers[] = {o->matcher ? o->matcher : CLAUDE_MATCHER_DEFAULT, "*"};
	int rc = init_json(o, path, matchers, command, NULL, NULL);
	free(command);
	free(path);
	return rc;
}

static int
init_codex(const struct init_opts *o)
{
	char *home = hookcfg_codex_home();
	char *hooks;
	if (o->project) {
		char real[PATH_MAX];
		const char *dir = realpath(o->project, real) ? real : o->project;
		hooks = xasprintf("%s/.codex/hooks.json", dir);
	} else {
		hooks = xasprintf("%s/hooks.json", home);
	}
	char *toml_path = xasprintf("%s/config.toml", home);
	char *command = hook_command(o);
	const char *matchers[] = {NULL, NULL}; /* Codex sends only shell, apply_patch, MCP */
	cJSON *root = NULL;
	int rc = init_json(o, hooks, matchers, command, &root, NULL);
	char *toml = NULL;
	size_t tlen = 0;
	struct ag_error err;
	if (rc == 0 && udiff_read_file(toml_path, 16u << 20, &toml, &tlen, &err) < 0) {
		fprintf(stderr, "agate init: %s\n", err.msg);
		rc = -1;
	}
	if (rc == 0) {
		char *text = xstrdup(toml ? toml : "");
		struct hookcfg_handler *v = NULL;
		size_t n = 0;
		if (hookcfg_handlers(root, hooks, HOOK_CODEX, &v, &n, &err) != 0) {
			fprintf(stderr, "agate init: %s: %s\n", hooks, err.msg);
			rc = -1;
		}
		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (!v[i].ours || v[i].key == NULL)
				continue;
			char *next = NULL;
			if (hookcfg_toml_set_trust(text, v[i].key, v[i].hash, &next, &err) != 0) {
				fprintf(stderr, "agate init: %s: %s\n", toml_path, err.msg);
				rc = -1;
				break;
			}
			free(text);
			text = next;
		}
		hookcfg_handlers_free(&v, n);
		if (rc == 0)
			rc = apply(o, toml_path, toml ? toml : "", text);
		free(text);
	}
	free(toml);
	cJSON_Delete(root);
	free(command);
	free(toml_path);
	free(hooks);
	free(home);
	return rc;
}

int
cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"user", no_argument, NULL, 'u'},
	    {"project", required_argument, NULL, 'p'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"timeout", required_argument, NULL, 't'},
	    {"matcher", required_argument, NULL, 'm'},
	    {"all-tools", no_argument, NULL, 'a'},
	    {"command", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct init_opts o = {.timeout = HOOKCFG_TIMEOUT_DEFAULT};
	int user = 0, c;
	while ((c = getopt_long(argc, argv, "hn", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': user = 1; break;
		case 'p': o.project = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 't': {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*end != '\0' || t < 1 || t > 86400) {
				fprintf(stderr,
				        "agate init: --timeout: expected seconds, 1 to 86400\n");
				return 2;
			}
			o.timeout = (int)t;
			break;
		}
		case 'm': o.matcher = optarg; break;
		case 'a': o.matcher = "*"; break;
		case 'c': o.command = optarg; break;
		case 'h': init_usage(stdout); return 0;
		default: init_usage(stderr); return 2;
		}
	}
	int client = optind + 1 == argc ? hook_client_parse(argv[optind]) : -1;
	if (client < 0 || (user && o.project)) {
		init_usage(stderr);
		return 2;
	}
	o.client = (enum hook_client)client;
	if (o.matcher && o.client == HOOK_CODEX) {
		fprintf(stderr, "agate init: --matcher is for claude; Codex sends only what needs "
		                "approval\n");
		return 2;
	}
	int rc = o.client == HOOK_CLAUDE ? init_claude(&o) : init_codex(&o);
	if (rc == 0 && !o.dry_run)
		printf("check it with: agate doctor\n");
	return rc == 0 ? 0 : 1;
}
