/* Where a path points. The question is not "is this file sensitive" (that is
 * reviewer/sensitive.c) but "how much would deleting or overwriting what
 * is there cost": the workspace the agent was given, a temporary
 * directory, the home directory, the whole system.
 *
 * Paths are resolved lexically against the request's cwd (or the cwd the
 * command cd'ed into): components, "." and ".." folded, a trailing glob
 * ("*", ".*") taken as its directory, since rm -rf on dir's glob empties
 * dir. */
#include "reviewer/exec.h"

#include <string.h>
#include <strings.h>

#define MAX_COMPS 128

struct comp {
	const char *s;
	size_t len;
};

struct resolved {
	struct comp c[MAX_COMPS];
	size_t n;
	int symbolic_home; /* c[0] is "~" with the home unknown */
	int escaped;       /* a ".." climbed above an unknown base */
	int relative;      /* no absolute base was known */
};

static int
comp_is(const struct comp *c, const char *s)
{
	size_t n = strlen(s);
	return c->len == n && memcmp(c->s, s, n) == 0;
}

static int
glob_only(const struct comp *c)
{
	return comp_is(c, "*") || comp_is(c, ".*") || comp_is(c, "*.*") || comp_is(c, "**") ||
	       comp_is(c, "{*,.*}") || comp_is(c, ".[!.]*");
}

static void
push_comps(struct resolved *r, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		while (i < len && s[i] == '/')
			i++;
		size_t start = i;
		while (i < len && s[i] != '/')
			i++;
		struct comp c = {s + start, i - start};
		if (c.len == 0 || comp_is(&c, "."))
			continue;
		if (comp_is(&c, "..")) {
			if (r->n > (size_t)r->symbolic_home)
				r->n--;
			else
				r->escaped = 1;
			continue;
		}
		if (r->n < MAX_COMPS)
			r->c[r->n++] = c;
	}
}

/* The home directory's components taken from cwd (/home/U, /Users/U,
 * /root), or 0 when cwd is not under one. */
static size_t
home_depth(const struct resolved *r)
{
	if (r->n >= 2 && (comp_is(&r->c[0], "home") || comp_is(&r->c[0], "Users")))
		return 2;
	if (r->n >= 1 && comp_is(&r->c[0], "root"))
		return 1;
	return 0;
}

static int
is_system_top(const struct comp *c)
{
	static const char *const tops[] = {
	    "etc",          "usr",     "bin", "sbin",  "lib",     "lib32",  "lib64",
	    "libx32",       "boot",    "var", "opt",   "sys",     "proc",   "dev",
	    "srv",          "snap",    "run", "mnt",   "media",   "System", "Library",
	    "Applications", "private", "nix", "cores", "Volumes", NULL};
	for (size_t i = 0; tops[i] != NULL; i++)
		if (comp_is(c, tops[i]))
			return 1;
	return 0;
}

/* Class of an absolute, resolved path, ignoring the workspace. */
static enum ag_target
absolute_class(const struct resolved *r)
{
	if (r->symbolic_home)
		return r->n == 1 ? AG_T_HOME : AG_T_OUTSIDE;
	if (r->n == 0)
		return AG_T_ROOT;
	const struct comp *c0 = &r->c[0];
	if (comp_is(c0, "tmp"))
		return AG_T_TMP;
	if (r->n >= 2 && comp_is(c0, "var") && comp_is(&r->c[1], "tmp"))
		return AG_T_TMP;
	if (r->n >= 2 && comp_is(c0, "dev") && comp_is(&r->c[1], "shm"))
		return AG_T_TMP;
	if (r->n >= 2 && comp_is(c0, "private") &&
	    (comp_is(&r->c[1], "tmp") ||
	     (r->n >= 3 && comp_is(&r->c[1], "var") && comp_is(&r->c[2], "folders"))))
		return AG_T_TMP;
	if (r->n >= 2 && comp_is(c0, "var") && comp_is(&r->c[1], "folders"))
		return AG_T_TMP;
	if ((comp_is(c0, "home") || comp_is(c0, "Users")) && r->n == 1)
		return AG_T_HOME; /* every home at once */
	size_t hd = home_depth(r);
	if (hd > 0)
		return r->n == hd ? AG_T_HOME : AG_T_OUTSIDE;
	if (is_system_top(c0))
		return AG_T_SYSTEM;
	return AG_T_OUTSIDE;
}

static int
prefix_is(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(s, p, n) == 0 && (len == n || s[n] == '/');
}

enum ag_target
ag_exec_target(const char *path, size_t len, const char *cwd, int cwd_known, const char *workspace)
{
	struct resolved r;
	r.n = 0;
	r.symbolic_home = r.escaped = r.relative = 0;
	if (len == 0)
		return AG_T_INSIDE;

	/* Expansions the scorer can still place. */
	const char *rest = path;
	size_t rlen = len;
	int home = 0, pwd = 0;
	if (prefix_is(path, len, "$HOME") || prefix_is(path, len, "${HOME}")) {
		home = 1;
		rest = path + (path[1] == '{' ? 7 : 5);
	} else if (prefix_is(path, len, "$PWD") || prefix_is(path, len, "${PWD}")) {
		pwd = 1;
		rest = path + (path[1] == '{' ? 6 : 4);
	} else if (prefix_is(path, len, "$TMPDIR") || prefix_is(path, len, "${TMPDIR}")) {
		return AG_T_TMP;
	} else if (path[0] == '$' || path[0] == '`') {
		return AG_T_DYNAMIC;
	} else if (path[0] == '~') {
		size_t k = 1;
		while (k < len && path[k] != '/')
			k++;
		if (k == 1) {
			home = 1;
			rest = path + 1;
		} else {
			/* ~user: another account's home */
			r.c[0] = (struct comp){"home", 4};
			r.c[1] = (struct comp){path + 1, k - 1};
			r.n = 2;
			rest = path + k;
		}
	}
	rlen = len - (size_t)(rest - path);

	struct resolved cw, ws;
	cw.n = ws.n = 0;
	cw.symbolic_home = cw.escaped = cw.relative = 0;
	ws.symbolic_home = ws.escaped = ws.relative = 0;
	int have_cwd = cwd_known && cwd != NULL && cwd[0] == '/';
	int have_ws = workspace != NULL && workspace[0] == '/';
	if (have_cwd)
		push_comps(&cw, cwd, strlen(cwd));
	if (have_ws)
		push_comps(&ws, workspace, strlen(workspace));

	if (home) {
		/* where home is: from the workspace's path, else the cwd's */
		const struct resolved *h = have_ws && home_depth(&ws) > 0 ? &ws : &cw;
		size_t hd = have_ws || have_cwd ? home_depth(h) : 0;
		if (hd > 0) {
			memcpy(r.c, h->c, hd * sizeof r.c[0]);
			r.n = hd;
		} else {
			r.c[0] = (struct comp){"~", 1};
			r.n = 1;
			r.symbolic_home = 1;
		}
	} else if (r.n == 0 && (pwd || rest[0] != '/')) {
		if (have_cwd) {
			memcpy(r.c, cw.c, cw.n * sizeof r.c[0]);
			r.n = cw.n;
		} else {
			r.relative = 1;
		}
	}
	push_comps(&r, rest, rlen);
	while (r.n > (size_t)r.symbolic_home && glob_only(&r.c[r.n - 1]))
		r.n--;

	if (r.relative) {
		if (r.escaped)
			return AG_T_OUTSIDE;
		if (!cwd_known)
			return r.n == 0 ? AG_T_DYNAMIC : AG_T_INSIDE;
		if (r.n == 0)
			return AG_T_WORKSPACE;
		if (r.n == 1 && comp_is(&r.c[0], ".git"))
			return AG_T_GIT;
		return AG_T_INSIDE;
	}
	if (r.escaped && r.symbolic_home)
		return AG_T_OUTSIDE;

	/* Relative to the workspace (the request's cwd, which a cd in the
	 * command does not move). */

	if (have_ws && !r.symbolic_home && r.n >= ws.n) {
		int under = 1;
		for (size_t k = 0; k < ws.n && under; k++)
			under = r.c[k].len == ws.c[k].len &&
			        memcmp(r.c[k].s, ws.c[k].s, r.c[k].len) == 0;
		if (under) {
			enum ag_target wclass = absolute_class(&ws);
			if (wclass == AG_T_ROOT)
				return absolute_class(&r); /* a workspace of / is no workspace */
			if (r.n == ws.n)
				return wclass == AG_T_OUTSIDE || wclass == AG_T_TMP ? AG_T_WORKSPACE
				                                                    : wclass;
			/* Below a cwd that is /etc or a home directory is not a
			 * workspace either. */
			if (wclass == AG_T_SYSTEM)
				return AG_T_SYSTEM;
			if (wclass == AG_T_HOME)
				return AG_T_OUTSIDE;
			if (wclass == AG_T_TMP)
				return AG_T_TMP;
			if (r.n == ws.n + 1 && comp_is(&r.c[ws.n], ".git"))
				return AG_T_GIT;
			return AG_T_INSIDE;
		}
	}
	return absolute_class(&r);
}

const char *
ag_exec_target_name(enum ag_target t)
{
	static const char *const names[AG_T_COUNT] = {
	    "inside the workspace", "in a temporary directory",  "the repository's .git",
	    "the whole workspace",  "a path chosen at run time", "outside the workspace",
	    "system files",         "a home directory",          "the root directory",
	};
	return t < AG_T_COUNT ? names[t] : "?";
}

int
ag_exec_secret_name(const char *name, size_t len)
{
	static const char *const parts[] = {"KEY",    "TOKEN",      "SECRET",  "PASSWORD",
	                                    "PASSWD", "CREDENTIAL", "PRIVATE", "_PASS",
	                                    "COOKIE", "SESSION",    NULL};
	static const char *const not_secret[] = {"SSH_AUTH_SOCK",
	                                         "KEYTIMEOUT",
	                                         "GPG_TTY",
	                                         "SESSION_MANAGER",
	                                         "XDG_SESSION_ID",
	                                         "XDG_SESSION_TYPE",
	                                         "DBUS_SESSION_BUS_ADDRESS",
	                                         NULL};
	if (len == 0 || len > 128)
		return 0;
	char up[129];
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		up[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	up[len] = '\0';
	for (size_t i = 0; not_secret[i] != NULL; i++)
		if (strcmp(up, not_secret[i]) == 0)
			return 0;
	for (size_t i = 0; parts[i] != NULL; i++)
		if (strstr(up, parts[i]) != NULL)
			return 1;
	return strcmp(up, "PAT") == 0 || strstr(up, "_PAT") != NULL || strstr(up, "AUTH") != NULL;
}
