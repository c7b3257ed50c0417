/* MCP tool calls and sandbox permission requests.
 *
 * An MCP tool is judged by the verbs in its name ("delete_repository",
 * "sendMessage", "repo.merge") and by what its arguments point at: paths
 * (the same sensitive-path table as patches), URLs (paste sites, webhook
 * catchers), SQL that drops or deletes without a WHERE, secrets, force
 * flags, production branches. A tool that runs a command has that command
 * scored by the exec engine.
 *
 * A permission request widens the sandbox: each path is judged for the
 * access asked, and network access raises what any readable secret could
 * become. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "reviewer/engine.h"
#include "reviewer/secrets.h"
#include "reviewer/sensitive.h"

#define DESTRUCTIVE AG_CATEGORY(DESTRUCTIVE)
#define EXFIL       AG_CATEGORY(DATA_EXFILTRATION)
#define CREDENTIAL  AG_CATEGORY(CREDENTIAL_PROBING)
#define WEAKENING   AG_CATEGORY(SECURITY_WEAKENING)

#define MAX_WORDS   16
#define WORD_MAX    32
#define MAX_NODES   2000
#define MAX_DEPTH   16
#define SCAN_MAX    65536
#define SHOW        120
#define MAX_REASONS 24

static void reason(struct ag_risk *out, int score, unsigned cats, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
reason(struct ag_risk *out, int score, unsigned cats, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	if (out->nreasons >= MAX_REASONS) {
		/* Past the cap the score still rises; only the text is dropped. */
		if (score > out->score) {
			out->score = score;
			out->level = ag_risk_level_for_score(score);
		}
		out->categories |= cats;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ag_risk_add(out, score, cats, -1, -1, 0, text);
}

/* --- tool names ---------------------------------------------------------- */

enum verb_class { V_NONE, V_READ, V_WRITE, V_EXEC, V_PUBLISH, V_DESTROY, V_MONEY };

struct verb {
	const char *word;
	enum verb_class cls;
};

static const struct verb verbs[] = {
    {"delete", V_DESTROY},   {"del", V_DESTROY},       {"remove", V_DESTROY},
    {"rm", V_DESTROY},       {"rmdir", V_DESTROY},     {"unlink", V_DESTROY},
    {"drop", V_DESTROY},     {"destroy", V_DESTROY},   {"truncate", V_DESTROY},
    {"purge", V_DESTROY},    {"wipe", V_DESTROY},      {"erase", V_DESTROY},
    {"kill", V_DESTROY},     {"terminate", V_DESTROY}, {"reset", V_DESTROY},
    {"revoke", V_DESTROY},   {"uninstall", V_DESTROY}, {"overwrite", V_DESTROY},
    {"shutdown", V_DESTROY}, {"disable", V_DESTROY},   {"close", V_WRITE},
    {"publish", V_PUBLISH},  {"send", V_PUBLISH},      {"post", V_PUBLISH},
    {"push", V_PUBLISH},     {"merge", V_PUBLISH},     {"deploy", V_PUBLISH},
    {"release", V_PUBLISH},  {"share", V_PUBLISH},     {"upload", V_PUBLISH},
    {"email", V_PUBLISH},    {"mail", V_PUBLISH},      {"tweet", V_PUBLISH},
    {"invite", V_PUBLISH},   {"broadcast", V_PUBLISH}, {"submit", V_PUBLISH},
    {"apply", V_PUBLISH},    {"promote", V_PUBLISH},   {"rollout", V_PUBLISH},
    {"approve", V_PUBLISH},  {"forward", V_PUBLISH},   {"dm", V_PUBLISH},
    {"transfer", V_MONEY},   {"pay", V_MONEY},         {"payment", V_MONEY},
    {"charge", V_MONEY},     {"refund", V_MONEY},      {"withdraw", V_MONEY},
    {"purchase", V_MONEY},   {"buy", V_MONEY},         {"sell", V_MONEY},
    {"exec", V_EXEC},        {"execute", V_EXEC},      {"run", V_EXEC},
    {"shell", V_EXEC},       {"eval", V_EXEC},         {"evaluate", V_EXEC},
    {"command", V_EXEC},     {"terminal", V_EXEC},     {"bash", V_EXEC},
    {"spawn", V_EXEC},       {"script", V_EXEC},       {"sql", V_EXEC},
    {"write", V_WRITE},      {"create", V_WRITE},      {"update", V_WRITE},
    {"edit", V_WRITE},       {"set", V_WRITE},         {"put", V_WRITE},
    {"patch", V_WRITE},      {"insert", V_WRITE},      {"add", V_WRITE},
    {"modify", V_WRITE},     {"rename", V_WRITE},      {"move", V_WRITE},
    {"mv", V_WRITE},         {"copy", V_WRITE},        {"save", V_WRITE},
    {"commit", V_WRITE},     {"comment", V_WRITE},     {"install", V_WRITE},
    {"get", V_READ},         {"list", V_READ},         {"read", V_READ},
    {"search", V_READ},      {"fetch", V_READ},        {"query", V_READ},
    {"describe", V_READ},    {"view", V_READ},         {"show", V_READ},
    {"find", V_READ},        {"lookup", V_READ},       {"browse", V_READ},
    {"navigate", V_READ},    {"screenshot", V_READ},   {"count", V_READ},
    {"status", V_READ},      {"inspect", V_READ},      {"open", V_READ},
    {"download", V_READ},    {"snapshot", V_READ},     {"click", V_READ},
};

struct tool {
	char words[MAX_WORDS][WORD_MAX];
	size_t nwords;
	enum verb_class cls; /* the riskiest verb */
	const char *verb;    /* its word */
	int bulk;            /* "all", "bulk", "batch" */
	int filesystem;      /* file/dir words: arguments are paths */
};

/* Splits "deleteRepo_ALL-items.v2" into delete, repo, all, items, v2. */
static void
split_words(const char *name, struct tool *t)
{
	size_t n = 0;
	char cur[WORD_MAX];
	size_t len = strlen(name);
	for (size_t i = 0; i <= len && t->nwords < MAX_WORDS; i++) {
		unsigned char c = i < len ? (unsigned char)name[i] : 0;
		int boundary =
		    !isalnum(c) || (isupper(c) && i > 0 && islower((unsigned char)name[i - 1]));
		if (boundary && n > 0) {
			cur[n] = '\0';
			memcpy(t->words[t->nwords++], cur, n + 1);
			n = 0;
		}
		if (isalnum(c) && n + 1 < WORD_MAX)
			cur[n++] = (char)tolower(c);
	}
}

static int
rank(enum verb_class c)
{
	static const int order[] = {[V_NONE] = 0,    [V_READ] = 1,    [V_WRITE] = 2, [V_EXEC] = 3,
	                            [V_PUBLISH] = 4, [V_DESTROY] = 5, [V_MONEY] = 6};
	return order[c];
}

static void
read_tool(const char *name, struct tool *t)
{
	memset(t, 0, sizeof *t);
	split_words(name, t);
	for (size_t i = 0; i < t->nwords; i++) {
		const char *w = t->words[i];
		if (strcmp(w, "all") == 0 || strcmp(w, "bulk") == 0 || strcmp(w, "batch") == 0 ||
		    strcmp(w, "everything") == 0 || strcmp(w, "recursive") == 0)
			t->bulk = 1;
		if (strcmp(w, "file") == 0 || strcmp(w, "files") == 0 || strcmp(w, "dir") == 0 ||
		    strcmp(w, "directory") == 0 || strcmp(w, "path") == 0 || strcmp(w, "fs") == 0 ||
		    strcmp(w, "folder") == 0)
			t->filesystem = 1;
		for (size_t k = 0; k < sizeof verbs / sizeof verbs[0]; k++)
			if (strcmp(w, verbs[k].word) == 0) {
				if (rank(verbs[k].cls) > rank(t->cls)) {
					t->cls = verbs[k].cls;
					t->verb = verbs[k].word;
				}
				break;
			}
	}
}

/* --- arguments ----------------------------------------------------------- */

struct walk {
	const struct ag_request *req;
	const struct tool *tool;
	struct ag_risk *out;
	size_t nodes;
	int force, prod;
	int secrets, hosts, sql, paths, commands; /* one reason each kind, the rest raise only */
};

static int
key_is(const char *key, const char *const *names)
{
	if (key == NULL)
		return 0;
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcasecmp(key, names[i]) == 0)
			return 1;
	return 0;
}

static const char *const path_keys[] = {
    "path",        "paths",  "file",      "filename", "file_path", "filepath", "target",
    "destination", "dest",   "directory", "dir",      "source",    "src",      "cwd",
    "root",        "folder", "output",    "location", NULL};
static const char *const command_keys[] = {"command",     "cmd",          "script", "shell",
                                           "commandline", "command_line", NULL};
static const char *const branch_keys[] = {
    "branch", "base", "ref", "target_branch", "env", "environment", "stage", "head", NULL};

/* Case-insensitive search for a word in the first n bytes. */
static const char *
find_ci(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, word, k) == 0 &&
		    (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
		    (i + k == n || !isalnum((unsigned char)s[i + k])))
			return s + i;
	return NULL;
}

static void
check_sql(struct walk *w, const char *s, size_t n)
{
	const char *why = NULL;
	if (find_ci(s, n, "drop") != NULL &&
	    (find_ci(s, n, "table") != NULL || find_ci(s, n, "database") != NULL ||
	     find_ci(s, n, "schema") != NULL || find_ci(s, n, "collection") != NULL ||
	     find_ci(s, n, "index") != NULL))
		why = "drops a table or database";
	else if (find_ci(s, n, "truncate") != NULL && find_ci(s, n, "table") != NULL)
		why = "truncates a table";
	else if (find_ci(s, n, "delete") != NULL && find_ci(s, n, "from") != NULL &&
	         find_ci(s, n, "where") == NULL)
		why = "deletes every row (DELETE without WHERE)";
	else if (find_ci(s, n, "update") != NULL && find_ci(s, n, "set") != NULL &&
	         find_ci(s, n, "where") == NULL && find_ci(s, n, "select") == NULL)
		why = "updates every row (UPDATE without WHERE)";
	else if (find_ci(s, n, "grant") != NULL && find_ci(s, n, "all") != NULL)
		why = "grants all privileges";
	if (why == NULL)
		return;
	if (w->sql++ == 0)
		reason(w->out, 75, DESTRUCTIVE, "SQL in the arguments %s", why);
	else
		reason(w->out, 75, DESTRUCTIVE, "more SQL that %s", why);
}

static void
check_command(struct walk *w, const char *s)
{
	struct ag_request sub;
	struct ag_risk r;
	memset(&sub, 0, sizeof sub);
	sub.kind = AG_KIND_EXEC;
	sub.session = sub.agent = sub.justification = (char *)"";
	sub.cwd = w->req->cwd != NULL ? w->req->cwd : (char *)"";
	sub.u.exec.command = s;
	ag_risk_init(&r);
	ag_risk_exec(&sub, &r);
	for (size_t i = 0; i < r.nreasons && i < 4; i++)
		reason(w->out, r.score, r.reasons[i].categories, "command argument: %s",
		       r.reasons[i].text);
	if (r.nreasons == 0)
		reason(w->out, r.score, r.categories, "command argument scored %s",
		       ag_level_name(r.level));
	ag_risk_clear(&r);
	w->commands++;
}

static void
check_path(struct walk *w, const char *s, size_t n)
{
	struct ag_path_hit hit;
	int cls = w->tool->cls;
	unsigned access = cls == V_WRITE || cls == V_DESTROY || cls == V_EXEC
	                      ? AG_ACCESS_WRITE | AG_ACCESS_READ
	                      : AG_ACCESS_READ;
	if (cls == V_DESTROY &&
	    (strcmp(s, "/") == 0 || strcmp(s, "~") == 0 || strcmp(s, "~/") == 0 ||
	     strcmp(s, "$HOME") == 0 || strcmp(s, "/*") == 0)) {
		reason(w->out, 95, DESTRUCTIVE, "%s on %s", w->tool->verb, s);
		return;
	}
	if (ag_sensitive_path(s, n, access, &hit)) {
		reason(w->out, hit.score, hit.categories, "argument path is a %s: %.*s", hit.what,
		       SHOW, s);
		w->paths++;
	}
}

static void
check_url(struct walk *w, const char *s, size_t n)
{
	const char *h = memmem(s, n, "://", 3);
	if (h == NULL)
		return;
	h += 3;
	size_t hl = strcspn(h, "/?#:@ \"");
	const char *what = ag_sensitive_host(h, hl);
	if (what == NULL || w->hosts++ > 0)
		return;
	int out = w->tool->cls == V_PUBLISH || w->tool->cls == V_EXEC || w->tool->cls == V_WRITE;
	reason(w->out, out ? 80 : 55, EXFIL, "argument URL points at a %s: %.*s", what,
	       (int)(hl > SHOW ? SHOW : hl), h);
}

static void
check_string(struct walk *w, const char *key, const char *s)
{
	size_t n = strlen(s);
	if (n > SCAN_MAX)
		n = SCAN_MAX;
	if (key_is(key, command_keys) && (w->tool->cls == V_EXEC || w->tool->cls == V_NONE) &&
	    w->commands < 4) {
		check_command(w, s);
	}
	if (key_is(key, path_keys) || (w->tool->filesystem && (s[0] == '/' || s[0] == '~')))
		check_path(w, s, n);
	if (key_is(key, branch_keys) &&
	    (strcasecmp(s, "main") == 0 || strcasecmp(s, "master") == 0 ||
	     strcasecmp(s, "production") == 0 || strcasecmp(s, "prod") == 0 ||
	     strcasecmp(s, "release") == 0 || strcasecmp(s, "live") == 0))
		w->prod = 1;
	check_sql(w, s, n);
	check_url(w, s, n);
	struct ag_secret_hit hits[2];
	size_t k = ag_secrets_scan(s, n, hits, 2);
	for (size_t i = 0; i < k; i++)
		if (w->secrets++ == 0)
			reason(w->out, w->tool->cls == V_PUBLISH ? 85 : 65, EXFIL,
			       "arguments carry a secret: %s", hits[i].what);
}

static void
walk(struct walk *w, const cJSON *node, int depth)
{
	const cJSON *c;
	if (depth > MAX_DEPTH || w->nodes >= MAX_NODES)
		return;
	cJSON_ArrayForEach(c, node)
	{
		if (++w->nodes >= MAX_NODES)
			return;
		/* Array elements inherit the key of their array. */
		const char *key = c->string != NULL ? c->string : node->string;
		if (cJSON_IsString(c) && c->valuestring != NULL) {
			check_string(w, key, c->valuestring);
		} else if (cJSON_IsTrue(c) && key != NULL &&
		           (strcasecmp(key, "force") == 0 || strcasecmp(key, "recursive") == 0 ||
		            strcasecmp(key, "cascade") == 0 || strcasecmp(key, "hard") == 0 ||
		            strcasecmp(key, "overwrite") == 0 || strcasecmp(key, "purge") == 0)) {
			w->force = 1;
		} else if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
			walk(w, c, depth + 1);
		}
	}
}

void
ag_risk_mcp(const struct ag_request *req, struct ag_risk *out)
{
	const struct ag_action_mcp *m = &req->u.mcp;
	struct tool t;
	const char *server = m->server != NULL ? m->server : "";
	const char *tool = m->tool != NULL ? m->tool : "";

	read_tool(tool, &t);
	switch (t.cls) {
	case V_MONEY:
		reason(out, 85, EXFIL, "tool %.*s moves money (%s)", SHOW, tool, t.verb);
		break;
	case V_DESTROY:
		reason(out, t.bulk ? 75 : 60, DESTRUCTIVE, "tool %.*s is destructive (%s)", SHOW,
		       tool, t.verb);
		break;
	case V_PUBLISH:
		reason(out, 55, EXFIL, "tool %.*s publishes or sends outside (%s)", SHOW, tool,
		       t.verb);
		break;
	case V_EXEC:
		reason(out, 40, 0, "tool %.*s runs code or commands (%s)", SHOW, tool, t.verb);
		break;
	case V_WRITE: reason(out, 25, 0, "tool %.*s changes state (%s)", SHOW, tool, t.verb); break;
	case V_READ: reason(out, 5, 0, "tool %.*s reads (%s)", SHOW, tool, t.verb); break;
	case V_NONE:
		reason(out, 20, 0, "tool %.*s of server %.*s: its effect is unknown", SHOW, tool,
		       SHOW, server);
		break;
	}
	struct walk w = {.req = req, .tool = &t, .out = out};
	if (m->arguments != NULL)
		walk(&w, m->arguments, 0);
	if (w.force && (t.cls == V_DESTROY || t.cls == V_PUBLISH || t.cls == V_WRITE))
		reason(out, t.cls == V_WRITE ? 50 : 80, DESTRUCTIVE,
		       "with force, recursive or overwrite set");
	if (w.prod && (t.cls == V_PUBLISH || t.cls == V_DESTROY))
		reason(out, 75, DESTRUCTIVE | EXFIL, "%s on a main or production target", t.verb);
}

/* --- permission ---------------------------------------------------------- */

/* "/", "~", $HOME, /home/USER, /root, /Users/USER, with a trailing slash or globstar. */
static int
home_root(const char *p)
{
	char buf[512];
	size_t n = strlen(p);
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, p, n + 1);
	while (n > 1 && (buf[n - 1] == '/' || buf[n - 1] == '*'))
		buf[--n] = '\0';
	if (strcmp(buf, "~") == 0 || strcmp(buf, "$HOME") == 0 || strcmp(buf, "${HOME}") == 0 ||
	    strcmp(buf, "/root") == 0)
		return 1;
	if ((strncmp(buf, "/home/", 6) == 0 && strchr(buf + 6, '/') == NULL && buf[6] != '\0') ||
	    (strncmp(buf, "/Users/", 7) == 0 && strchr(buf + 7, '/') == NULL && buf[7] != '\0'))
		return 1;
	return 0;
}

static int
fs_root(const char *p)
{
	while (*p == '/')
		p++;
	while (*p == '*')
		p++;
	return *p == '\0';
}

static int
inside(const char *path, const char *cwd)
{
	size_t n = cwd != NULL ? strlen(cwd) : 0;
	while (n > 1 && cwd[n - 1] == '/')
		n--;
	return n > 1 && strncmp(path, cwd, n) == 0 && (path[n] == '/' || path[n] == '\0') &&
	       strstr(path + n, "/..") == NULL;
}

void
ag_risk_permission(const struct ag_request *req, struct ag_risk *out)
{
	const struct ag_action_permission *p = &req->u.permission;
	int reads_secrets = 0, wide_read = 0;

	for (size_t i = 0; i < p->npaths; i++) {
		const char *path = p->paths[i].path != NULL ? p->paths[i].path : "";
		const char *acc = p->paths[i].access != NULL ? p->paths[i].access : "read";
		int write = strstr(acc, "write") != NULL;
		unsigned access = AG_ACCESS_READ | (write ? AG_ACCESS_WRITE : 0);
		struct ag_path_hit hit;
		size_t n = strlen(path);

		if (n > 0 && fs_root(path)) {
			reason(out, write ? 95 : 70, write ? DESTRUCTIVE | WEAKENING : CREDENTIAL,
			       "%s access to the whole filesystem", acc);
			wide_read = 1;
		} else if (home_root(path)) {
			reason(out, write ? 85 : 70, write ? DESTRUCTIVE | WEAKENING : CREDENTIAL,
			       "%s access to the whole home directory %.*s", acc, SHOW, path);
			wide_read = 1;
		} else if (write && (strcmp(path, "/etc") == 0 || strcmp(path, "/etc/") == 0 ||
		                     strcmp(path, "/etc/**") == 0)) {
			reason(out, 85, WEAKENING, "write access to /etc");
		} else if (ag_sensitive_path(path, n, access, &hit)) {
			reason(out, hit.score, hit.categories, "%s access to a %s: %.*s", acc,
			       hit.what, SHOW, path);
			if (hit.categories & CREDENTIAL)
				reads_secrets = 1;
		} else if (strncmp(path, "/tmp", 4) == 0 || strncmp(path, "/var/tmp", 8) == 0) {
			reason(out, 5, 0, "%s access to a temporary directory", acc);
		} else if (!ag_path_escapes(path, n) || inside(path, req->cwd)) {
			reason(out, 5, 0, "%s access inside the workspace: %.*s", acc, SHOW, path);
		} else {
			reason(out, write ? 40 : 20, 0, "%s access outside the workspace: %.*s",
			       acc, SHOW, path);
		}
	}
	if (p->network == 1) {
		reason(out, 45, EXFIL, "turns on network access for the sandbox");
		if (reads_secrets || wide_read)
			reason(out, 85, EXFIL | CREDENTIAL,
			       "network access together with access to secrets: data can leave");
	}
}
