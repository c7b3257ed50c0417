/* The judge: engine score plus rule layers, as one struct ag_judge.
 *
 * Each layer remembers the identity of the file it read (device, inode,
 * size, mtime) and reads it again only when that changes, so a long-lived
 * hub follows edits at the cost of one stat() per layer per request. The
 * project layer is looked up from the request's cwd (nearest ancestor with
 * .git) and kept in a small cache keyed by repository root.
 *
 * With opts.once (agate score, replay: one rule set for the whole run)
 * nothing is looked at twice: files are read once, and the repository root
 * of each cwd is remembered (CWD_CACHE of them), so a run over many
 * sessions' cwds makes no system call per request. A hub keeps one cwd, as
 * it always did, so a `git init` between two requests is seen. */
#include "reviewer/judge.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/hash.h"
#include "core/xmalloc.h"
#include "reviewer/engine.h"
#include "reviewer/rules.h"

#define SYSTEM_RULES  "/etc/agate/rules"
#define PROJECT_CACHE 16
#define MAX_CWD       4096
#define MAX_LEVELS    64 /* ancestors searched for .git */
#define CWD_CACHE     64 /* cwd -> repository root, with once (a power of 2) */

struct layer {
	char *path;             /* owned; NULL: layer absent */
	char *root;             /* project layers: owned repository root */
	struct ag_rules *rules; /* owned; the last good rules (empty when missing) */
	int known;              /* the identity below is valid */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *error;        /* owned: why the file on disk is not in effect, or NULL */
	unsigned long used; /* project cache: last use */
	int checked;        /* the file was looked at at least once */
	int nofollow;       /* refuse the file or its directory as a symlink */
	int once;           /* never look again (the judge's option) */
};

struct ag_judge_ctx {
	struct layer system, user;
	int fixed_project;  /* opts.project_path given */
	struct layer fixed; /* that file */
	int no_project;
	struct layer projects[PROJECT_CACHE];
	struct cwd_root {
		char *cwd;           /* owned, or NULL: an empty slot */
		char *root;          /* owned, or NULL: no repository above cwd */
		struct layer *layer; /* its project layer when last used, or NULL */
	} cwds[CWD_CACHE];
	size_t ncwds; /* slots in use: CWD_CACHE with once, else 1 */
	unsigned long clock;
	enum ag_level ceiling;
	struct ag_rule_result result; /* of the last request, for explain */
	int once;                     /* files are read once, never re-checked */
};

void
ag_judge_options_default(struct ag_judge_options *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->ceiling = AG_LEVEL_HIGH;
}

static void
layer_clear(struct layer *l)
{
	free(l->path);
	free(l->root);
	ag_rules_free(&l->rules);
	free(l->error);
	memset(l, 0, sizeof *l);
}

static int
same_file(const struct layer *l, const struct stat *st)
{
	return l->known && l->dev == st->st_dev && l->ino == st->st_ino && l->size == st->st_size &&
	       l->mtime.tv_sec == st->st_mtim.tv_sec && l->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Whether path, or the directory holding it, is a symbolic link. */
static int
symlinked(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return 1;
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int link = 0;
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		link = lstat(dir, &st) == 0 && S_ISLNK(st.st_mode);
	}
	free(dir);
	return link;
}

/* Brings a layer up to date with its file. Returns 0, or -1 with err set
 * when the file on disk is broken (the previous rules stay in effect). */
static int
layer_refresh(struct layer *l, struct ag_error *err)
{
	struct stat st;
	if (l->path == NULL)
		return 0;
	if (l->checked && l->once)
		return l->error != NULL ? ag_fail(err, "%s", l->error) : 0;
	l->checked = 1;
	if (l->nofollow && symlinked(l->path)) {
		/* A project file comes from the agent's own tree: a link there
		 * could make the hub read (and quote) a file the agent cannot. */
		ag_rules_free(&l->rules);
		ag_rules_parse(l->path, "", 0, &l->rules, NULL, NULL, NULL);
		l->known = 0;
		return ag_fail(err, "%s: a symbolic link (refused)", l->path);
	}
	if (stat(l->path, &st) < 0) {
		if (errno != ENOENT) {
			/* Unreadable is not absent: keep what we had. */
			return ag_fail(err, "%s: %s", l->path, strerror(errno));
		}
		if (l->known || l->rules == NULL) {
			ag_rules_free(&l->rules);
			ag_rules_parse(l->path, "", 0, &l->rules, NULL, NULL, NULL);
			l->known = 0;
		}
		free(l->error);
		l->error = NULL;
		return 0;
	}
	if (same_file(l, &st) && l->rules != NULL)
		return l->error != NULL ? ag_fail(err, "%s", l->error) : 0;
	struct ag_rules *fresh = NULL;
	struct ag_error e;
	l->known = 1;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->size = st.st_size;
	l->mtime = st.st_mtim;
	free(l->error);
	l->error = NULL;
	if (ag_rules_load(l->path, 1, &fresh, NULL, NULL, &e) != 0) {
		l->error = xstrdup(e.msg);
		if (l->rules == NULL) /* nothing good yet */
			ag_rules_parse(l->path, "", 0, &l->rules, NULL, NULL, NULL);
		return ag_fail(err, "%s", e.msg);
	}
	ag_rules_free(&l->rules);
	l->rules = fresh;
	return 0;
}

/* $XDG_CONFIG_HOME/agate/rules, else ~/.config/agate/rules; caller frees. */
static char *
user_rules_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/agate/rules", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.config/agate/rules", home);
	return NULL;
}

int
ag_judge_new_opts(const struct ag_judge_options *opts, struct ag_judge_ctx **out,
                  struct ag_error *err)
{
	struct ag_judge_ctx *j = xcalloc(1, sizeof *j);
	j->ceiling = opts->ceiling;
	j->once = opts->once;
	j->ncwds = opts->once ? CWD_CACHE : 1;
	j->system.once = j->user.once = j->fixed.once = opts->once;
	j->result.action = -1;
	j->result.layer = -1;
	if (opts->system_path == NULL)
		j->system.path = xstrdup(SYSTEM_RULES);
	else if (opts->system_path[0] != '\0')
		j->system.path = xstrdup(opts->system_path);
	if (opts->user_path == NULL)
		j->user.path = user_rules_path();
	else if (opts->user_path[0] != '\0')
		j->user.path = xstrdup(opts->user_path);
	if (opts->project_path != NULL && opts->project_path[0] != '\0') {
		j->fixed_project = 1;
		j->fixed.path = xstrdup(opts->project_path);
	} else if (opts->project_path != NULL) {
		j->no_project = 1;
	}
	if (layer_refresh(&j->system, err) < 0 || layer_refresh(&j->user, err) < 0 ||
	    (j->fixed_project && layer_refresh(&j->fixed, err) < 0)) {
		ag_judge_free(&j);
		return -1;
	}
	*out = j;
	return 0;
}

int
ag_judge_new(const struct ag_config *cfg, struct ag_judge_ctx **out, struct ag_error *err)
{
	struct ag_judge_options opts;
	ag_judge_options_default(&opts);
	if (cfg != NULL) {
		int level = ag_level_parse(ag_config_str(cfg, "rules_ceiling"));
		if (level >= 0)
			opts.ceiling = (enum ag_level)level;
	}
	return ag_judge_new_opts(&opts, out, err);
}

void
ag_judge_free(struct ag_judge_ctx **judge)
{
	struct ag_judge_ctx *j;
	if (judge == NULL || (j = *judge) == NULL)
		return;
	layer_clear(&j->system);
	layer_clear(&j->user);
	layer_clear(&j->fixed);
	for (size_t i = 0; i < PROJECT_CACHE; i++)
		layer_clear(&j->projects[i]);
	for (size_t i = 0; i < CWD_CACHE; i++) {
		free(j->cwds[i].cwd);
		free(j->cwds[i].root);
	}
	ag_rule_result_clear(&j->result);
	free(j);
	*judge = NULL;
}

/* The nearest ancestor of cwd (inclusive) holding .git; caller frees; NULL
 * when there is none or cwd is not absolute. */
static char *
repo_root(const char *cwd)
{
	size_t n = strlen(cwd);
	char dir[MAX_CWD + sizeof "/.git"];
	if (cwd[0] != '/' || n >= MAX_CWD)
		return NULL;
	memcpy(dir, cwd, n + 1);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	for (int level = 0; level < MAX_LEVELS; level++) {
		struct stat st;
		/* dir + "/.git" in place; the root itself is "" + "/.git". */
		size_t base = n == 1 ? 0 : n;
		memcpy(dir + base, "/.git", sizeof "/.git");
		int found = stat(dir, &st) == 0;
		dir[n] = '\0';
		if (found)
			return xstrdup(dir);
		char *slash = strrchr(dir, '/');
		if (slash == NULL || slash == dir)
			return NULL;
		*slash = '\0';
		n = (size_t)(slash - dir);
	}
	return NULL;
}

/* FNV-1a: picks the cwd's slot. */
static size_t
cwd_slot(const struct ag_judge_ctx *j, const char *cwd)
{
	return ag_hash_str(cwd) & (j->ncwds - 1);
}

/* The project layer of a repository root: from the cache, else the least
 * recently used slot, emptied. */
static struct layer *
root_layer(struct ag_judge_ctx *j, const char *root)
{
	struct layer *oldest = &j->projects[0];
	for (size_t i = 0; i < PROJECT_CACHE; i++) {
		struct layer *l = &j->projects[i];
		if (l->root != NULL && strcmp(l->root, root) == 0)
			return l;
		if (l->used < oldest->used)
			oldest = l;
	}
	layer_clear(oldest);
	oldest->root = xstrdup(root);
	oldest->path = xasprintf("%s/.agate/rules", strcmp(root, "/") == 0 ? "" : root);
	oldest->once = j->once;
	oldest->nofollow = 1;
	return oldest;
}

/* The project layer for a request, or NULL. */
static struct layer *
project_layer(struct ag_judge_ctx *j, const struct ag_request *req)
{
	if (j->no_project)
		return NULL;
	if (j->fixed_project)
		return &j->fixed;
	const char *cwd = req->cwd != NULL ? req->cwd : "";
	if (cwd[0] == '\0')
		return NULL;
	struct cwd_root *c = &j->cwds[cwd_slot(j, cwd)];
	if (c->cwd == NULL || strcmp(c->cwd, cwd) != 0) {
		free(c->cwd);
		free(c->root);
		c->cwd = xstrdup(cwd);
		c->root = repo_root(cwd);
		c->layer = NULL;
	}
	if (c->root == NULL)
		return NULL;
	/* The layer remembered for this cwd may since have been given to
	 * another root (PROJECT_CACHE is smaller than CWD_CACHE). */
	if (c->layer == NULL || c->layer->root == NULL || strcmp(c->layer->root, c->root) != 0)
		c->layer = root_layer(j, c->root);
	c->layer->used = ++j->clock;
	return c->layer;
}

static void
decide(struct ag_judge_ctx *j, const struct ag_rule_result *res, struct ag_assessment *out)
{
	if (res->action < 0 || res->rule == NULL)
		return;
	out->rule = ag_rule_describe(res->rule);
	const char *layer = ag_rule_layer_name((enum ag_rule_layer)res->layer);
	switch ((enum ag_rule_action)res->action) {
	case AG_RULE_DENY:
		out->decided = 1;
		out->decision = AG_DECISION_DENY;
		out->by = AG_BY_POLICY;
		out->rule_denied = 1;
		out->reason = xasprintf("denied by %s rule: %s", layer, out->rule);
		break;
	case AG_RULE_ALLOW:
		if (out->risk.level <= j->ceiling) {
			out->decided = 1;
			out->decision = AG_DECISION_APPROVE;
			out->by = AG_BY_POLICY;
			out->reason = xasprintf("allowed by %s rule: %s", layer, out->rule);
		} else {
			char text[AG_ERROR_MAX];
			snprintf(
			    text, sizeof text,
			    "allow rule not applied: the risk is %s, above the ceiling %s (%s)",
			    ag_level_name(out->risk.level), ag_level_name(j->ceiling), out->rule);
			ag_risk_add(&out->risk, 0, 0, -1, -1, 0, text);
		}
		break;
	case AG_RULE_ASK:
		/* Decides nothing, but the administrator (or user) said a
		 * person looks at this: no model or session grant may. */
		out->rule_ask = 1;
		break;
	default: break;
	}
}

void
ag_judge_explain(struct ag_judge_ctx *j, const struct ag_request *req, struct ag_assessment *out,
                 struct ag_rule_result *rules, const char *layer_files[3])
{
	struct ag_error err;
	struct ag_rules *layers[AG_LAYER_COUNT] = {NULL, NULL, NULL};
	const char *files[AG_LAYER_COUNT] = {NULL, NULL, NULL};

	ag_engine_score(req, &out->risk);
	/* A broken system or user edit keeps the last good rules (refresh
	 * reports it; nothing to add per request). */
	layer_refresh(&j->system, &err);
	layer_refresh(&j->user, &err);
	layers[AG_LAYER_SYSTEM] = j->system.rules;
	layers[AG_LAYER_USER] = j->user.rules;
	files[AG_LAYER_SYSTEM] = j->system.path;
	files[AG_LAYER_USER] = j->user.path;
	struct layer *proj = project_layer(j, req);
	if (proj != NULL) {
		if (layer_refresh(proj, &err) < 0 && !j->fixed_project) {
			char text[AG_ERROR_MAX + 64];
			/* Name the file only: the message could quote its bytes, and
			 * reasons travel back to the agent. */
			snprintf(text, sizeof text,
			         "project rules in %s ignored: they do not load (see agate rules "
			         "check)",
			         proj->path);
			ag_risk_add(&out->risk, 0, 0, -1, -1, 0, text);
		} else {
			layers[AG_LAYER_PROJECT] = proj->rules;
			files[AG_LAYER_PROJECT] = proj->path;
		}
	}
	ag_rule_result_clear(&j->result);
	ag_rules_evaluate(layers, req, &j->result);
	decide(j, &j->result, out);
	if (rules != NULL)
		*rules = j->result;
	if (layer_files != NULL)
		for (int l = 0; l < AG_LAYER_COUNT; l++)
			layer_files[l] = files[l];
}

void
ag_judge_assess(struct ag_judge_ctx *judge, const struct ag_request *req, struct ag_assessment *out)
{
	ag_judge_explain(judge, req, out, NULL, NULL);
}

static void
assess_cb(void *ctx, const struct ag_request *req, struct ag_assessment *out)
{
	ag_judge_assess(ctx, req, out);
}

struct ag_judge
ag_judge_interface(struct ag_judge_ctx *judge)
{
	struct ag_judge j = {judge, assess_cb};
	return j;
}
