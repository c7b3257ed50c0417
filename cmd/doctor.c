/* agate doctor: is agate installed as the agents' hook, will they run it,
 * and is there a bus? Codex hooks are checked the way codex app-server's
 * hooks/list reports them: trusted (config.toml holds the hash Codex
 * computes), modified (it holds another: the hook changed since it was
 * trusted) or untrusted (no entry) — the last two are skipped silently by
 * Codex, so they are problems here. */
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/hookcfg.h"
#include "cmd/sibling.h"
#include "cmd/udiff.h"
#include "core/xmalloc.h"

struct doctor {
	int problems;
	int installed; /* agents with an agate hook */
};

static void
doctor_usage(FILE *out)
{
	fprintf(out, "usage: agate doctor [--project DIR] [--bus DIR]\n\n"
	             "Check the agate hooks of Claude Code (user settings, and DIR's project\n"
	             "settings; DIR defaults to the current directory) and Codex ($CODEX_HOME/\n"
	             "hooks.json and its trust entries in config.toml), and the bus.\n\n"
	             "Exit status: 0 all is well, 1 a problem was found (each is printed with\n"
	             "what to do).\n");
}

static void problem(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct doctor *d, const char *fmt, ...)
{
	va_list ap;
	d->problems++;
	printf("  PROBLEM: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The executable a hook command starts, if we can tell. */
static void
check_command(struct doctor *d, const char *command)
{
	const char *s = command;
	while (*s == ' ')
		s++;
	char exe[PATH_MAX];
	size_t n = 0;
	if (*s == '\'') {
		s++;
		while (*s && *s != '\'' && n + 1 < sizeof exe)
			exe[n++] = *s++;
	} else {
		while (*s && *s != ' ' && n + 1 < sizeof exe)
			exe[n++] = *s++;
	}
	exe[n] = '\0';
	if (strchr(exe, '/') != NULL && access(exe, X_OK) != 0)
		problem(d, "%s is not an executable file; run agate init again", exe);
}

static void
check_timeout(struct doctor *d, const struct hookcfg_handler *h)
{
	if (h->timeout < 600 && strstr(h->command, "--deadline") == NULL) {
		char t[32];
		snprintf(t, sizeof t, "%d", h->timeout);
		problem(
		    d,
		    "timeout %s s is shorter than the hook's default deadline (585 s): the agent "
		    "would kill it before it fails closed; run agate init --timeout %s",
		    t, t);
	}
}

static void
doctor_claude_file(struct doctor *d, const char *path)
{
	cJSON *root;
	char *text;
	int existed;
	struct ag_error err;
	if (hookcfg_read_json(path, &root, &text, &existed, &err) != 0) {
		printf("claude: %s\n", path);
		problem(d, "%s", err.msg);
		return;
	}
	free(text);
	if (!existed) {
		cJSON_Delete(root);
		return;
	}
	struct hookcfg_handler *v = NULL;
	size_t n = 0;
	if (hookcfg_handlers(root, path, HOOK_CLAUDE, &v, &n, &err) != 0) {
		printf("claude: %s\n", path);
		problem(d, "%s", err.msg);
		cJSON_Delete(root);
		return;
	}
	int pre = 0, perm = 0;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].ours)
			continue;
		if (pre + perm == 0)
			printf("claude: %s\n", path);
		printf("  %s: %s (matcher %s, timeout %d s)\n", v[i].event, v[i].command,
		       v[i].matcher ? v[i].matcher : "(all)", v[i].timeout);
		pre += strcmp(v[i].event, "PreToolUse") == 0;
		perm += strcmp(v[i].event, "PermissionRequest") == 0;
		check_command(d, v[i].command);
		check_timeout(d, &v[i]);
	}
	if (pre + perm > 0) {
		d->installed++;
		if (!pre)
			problem(
			    d,
			    "no PreToolUse hook: in claude -p nothing can be approved; run agate "
			    "init claude");
		const cJSON *off = cJSON_GetObjectItemCaseSensitive(root, "disableAllHooks");
		if (cJSON_IsTrue(off))
			problem(d, "disableAllHooks is true in %s: Claude Code runs no hook", path);
	}
	hookcfg_handlers_free(&v, n);
	cJSON_Delete(root);
}

static void
doctor_codex_file(struct doctor *d, const char *hooks, const char *toml_path)
{
	cJSON *root;
	char *text;
	int existed;
	struct ag_error err;
	if (hookcfg_read_json(hooks, &root, &text, &existed, &err) != 0) {
		printf("codex: %s\n", hooks);
		problem(d, "%s", err.msg);
		return;
	}
	free(text);
	if (!existed) {
		cJSON_Delete(root);
		return;
	}
	char *toml = NULL;
	size_t tlen;
	if (udiff_read_file(toml_path, 16u << 20, &toml, &tlen, &err) < 0) {
		printf("codex: %s\n", toml_path);
		problem(d, "%s", err.msg);
	}
	struct hookcfg_handler *v = NULL;
	size_t n = 0;
	if (hookcfg_handlers(root, hooks, HOOK_CODEX, &v, &n, &err) != 0) {
		printf("codex: %s\n", hooks);
		problem(d, "%s", err.msg);
	}
	int ours = 0, pre = 0, perm = 0, shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].key == NULL)
			continue;
		if (!shown++)
			printf("codex: %s (trust in %s)\n", hooks, toml_path);
		char *trusted = NULL;
		int has = toml ? hookcfg_toml_get_trust(toml, v[i].key, &trusted) : 0;
		const char *status = !has                              ? "untrusted"
		                     : strcmp(trusted, v[i].hash) == 0 ? "trusted"
		                                                       : "modified";
		printf("  %s %s: %s%s\n", v[i].key + strlen(hooks) + 1, v[i].command, status,
		       v[i].ours ? "" : " (not agate)");
		if (v[i].ours) {
			ours++;
			pre += strcmp(v[i].event, "PreToolUse") == 0;
			perm += strcmp(v[i].event, "PermissionRequest") == 0;
			if (strcmp(status, "trusted") != 0)
				problem(
				    d,
				    "Codex skips this hook silently while it is %s; run agate init "
				    "codex",
				    status);
			check_command(d, v[i].command);
			check_timeout(d, &v[i]);
		}
		free(trusted);
	}
	if (ours > 0) {
		d->installed++;
		if (!pre)
			problem(d, "no PreToolUse hook: deny rules are not enforced in codex exec");
		if (!perm)
			problem(d, "no PermissionRequest hook: agate cannot approve Codex actions");
	}
	hookcfg_handlers_free(&v, n);
	free(toml);
	cJSON_Delete(root);
}

/* The Guardian, telemetry and replay live in agate-net; without it they
 * fail at the first use, which in CI is the wrong time to learn it. */
static void
doctor_net(struct doctor *d)
{
	char where[PATH_MAX + 64];
	if (ag_sibling_find("agate-net", where, sizeof where) == 0)
		printf("agate-net: %s\n", where);
	else
		problem(d,
		        "agate-net not found (%s): agate review, telemetry and replay cannot run; "
		        "reinstall agate",
		        where);
}

static void
doctor_bus(struct doctor *d, const char *bus_flag)
{
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus_flag, NULL) != 0) {
		d->problems++;
		return;
	}
	struct ag_client_opts o = {
	    .bus_dir = env.bus,
	    .role = AG_ROLE_CONTROL,
	    .name = "doctor",
	    .autostart = 0,
	    .connect_timeout_ms = 2000,
	};
	struct ag_client *c = NULL;
	struct ag_error err;
	printf("bus: %s\n", env.bus);
	if (ag_client_connect(&o, &c, &err) == 0) {
		printf("  hub running, pid %d\n", ag_client_hub_pid(c));
		ag_client_close(&c);
	} else if (strstr(err.msg, "no hub is running") != NULL) {
		printf("  no hub running; the first hook starts one\n");
	} else {
		problem(d, "%s", err.msg);
	}
	printf("  fallback when agate fails: %s\n", ag_config_str(env.cfg, "fallback"));
	ag_cmd_env_free(&env);
}

int
cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"project", required_argument, NULL, 'p'},
	    {"bus", required_argument, NULL, 'B'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *project = NULL, *bus = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': project = optarg; break;
		case 'B': bus = optarg; break;
		case 'h': doctor_usage(stdout); return 0;
		default: doctor_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		doctor_usage(stderr);
		return 2;
	}
	struct doctor d = {0, 0};
	char cwd[PATH_MAX];
	const char *proj = project;
	if (proj == NULL)
		proj = getcwd(cwd, sizeof cwd) ? cwd : ".";
	char real[PATH_MAX];
	if (realpath(proj, real) != NULL)
		proj = real;

	char *cdir = hookcfg_claude_dir();
	char *p = xasprintf("%s/settings.json", cdir);
	doctor_claude_file(&d, p);
	free(p);
	static const char *const local[] = {".claude/settings.json", ".claude/settings.local.json"};
	for (size_t i = 0; i < 2; i++) {
		p = xasprintf("%s/%s", proj, local[i]);
		doctor_claude_file(&d, p);
		free(p);
	}
	free(cdir);

	char *home = hookcfg_codex_home();
	char *toml = xasprintf("%s/config.toml", home);
	p = xasprintf("%s/hooks.json", home);
	doctor_codex_file(&d, p, toml);
	free(p);
	p = xasprintf("%s/.codex/hooks.json", proj);
	doctor_codex_file(&d, p, toml);
	free(p);
	free(toml);
	free(home);

	if (d.installed == 0) {
		printf(
		    "agents: no agate hook installed; run agate init claude or agate init codex\n");
		d.problems++;
	}
	doctor_bus(&d, bus);
	doctor_net(&d);
	if (d.problems)
		printf("%d problem%s found\n", d.problems, d.problems == 1 ? "" : "s");
	else
		printf("all good\n");
	return d.problems ? 1 : 0;
}
