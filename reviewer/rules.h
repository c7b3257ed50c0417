/* The rules file: one rule a line, `#` comments, first match wins.
 *
 *   ACTION KIND PATTERN...
 *   allow   exec    git status                  argv words, globs per word;
 *   allow   exec    git diff *                  a last bare * takes any remaining words
 *   deny    patch   path:.gitlab-ci.yml         path globs; a ** segment spans directories
 *   allow   network host:*.github.com:443       host glob, optional port
 *   deny    mcp     github/delete_*             server/tool, or server:X tool:Y
 *   deny    permission write:~/.ssh network     path:, read:, write: globs; network
 *
 * A request is split into items (each simple command of a shell text, each
 * file of a patch, each path of a permission request; one for network and
 * mcp). In each layer (system, user, project) an item takes the first rule
 * that matches it. deny and ask rules look through wrappers (sudo, env,
 * nohup, sh -c, eval, find -exec...); allow rules match only the argv that
 * literally runs, and never a command that redirects output into a file.
 * Across layers the strictest wins (deny > ask > allow), so a user or
 * project allow never loosens a system deny. The request is denied when any
 * item is, asks when any item asks, and is allowed only when every item is.
 *
 * Parsing is bounded (line length, rules per file, words per rule, file
 * size) and reports every error as FILE:LINE:COLUMN: message. */
#ifndef AGATE_REVIEWER_RULES_H
#define AGATE_REVIEWER_RULES_H

#include <stddef.h>

#include "core/error.h"
#include "core/request.h"

#define AG_RULES_MAX_LINE  4096  /* bytes in one line */
#define AG_RULES_MAX_RULES 10000 /* rules in one file */
#define AG_RULES_MAX_WORDS 256   /* patterns in one rule */
#define AG_RULES_MAX_FILE  (1u << 20)

#define AG_RULE_ACTIONS(X) \
	X(ALLOW, "allow")  \
	X(ASK, "ask")      \
	X(DENY, "deny")
#define AG_ENUM_RULE_ACTION(name, str) AG_RULE_##name,
/* In order of strictness: a larger value wins across layers. */
enum ag_rule_action { AG_RULE_ACTIONS(AG_ENUM_RULE_ACTION) AG_RULE_ACTION_COUNT };
#undef AG_ENUM_RULE_ACTION

#define AG_RULE_LAYERS(X)   \
	X(SYSTEM, "system") \
	X(USER, "user")     \
	X(PROJECT, "project")
#define AG_ENUM_RULE_LAYER(name, str) AG_LAYER_##name,
enum ag_rule_layer { AG_RULE_LAYERS(AG_ENUM_RULE_LAYER) AG_LAYER_COUNT };
#undef AG_ENUM_RULE_LAYER

const char *ag_rule_action_name(enum ag_rule_action action);
const char *ag_rule_layer_name(enum ag_rule_layer layer);

struct ag_rule;
struct ag_rules;

/* Every error found, one call each: "FILE:LINE:COL: message". */
typedef void (*ag_rules_error_fn)(void *ctx, const char *message);

/* Parses text (len bytes) named `name` in messages. Returns the number of
 * errors (each also sent to fn when non-NULL; the first is copied into err
 * when non-NULL). On 0 errors *out is the rules (caller frees with
 * ag_rules_free); otherwise *out is NULL. */
int ag_rules_parse(const char *name, const char *text, size_t len, struct ag_rules **out,
                   ag_rules_error_fn fn, void *ctx, struct ag_error *err);
/* Reads and parses a file. A missing file gives empty rules when
 * missing_ok, else an error. Returns the number of errors as above (a file
 * that cannot be read counts as one). */
int ag_rules_load(const char *path, int missing_ok, struct ag_rules **out, ag_rules_error_fn fn,
                  void *ctx, struct ag_error *err);
void ag_rules_free(struct ag_rules **rules);

size_t ag_rules_count(const struct ag_rules *rules);
const struct ag_rule *ag_rules_at(const struct ag_rules *rules, size_t i);
/* Whether any rule is of this kind (so callers can skip preparing items). */
int ag_rules_has_kind(const struct ag_rules *rules, enum ag_kind kind);

enum ag_rule_action ag_rule_action(const struct ag_rule *rule);
enum ag_kind ag_rule_kind(const struct ag_rule *rule);
/* "deny exec git push --force": the rule as written, whitespace collapsed. */
const char *ag_rule_text(const struct ag_rule *rule);
const char *ag_rule_file(const struct ag_rule *rule);
int ag_rule_line(const struct ag_rule *rule);
/* "deny exec git push --force (/etc/agate/rules:3)"; caller frees. */
char *ag_rule_describe(const struct ag_rule *rule);

/* One thing a rule is matched against. */
struct ag_rule_item {
	char *text;                                  /* owned: "git status", "src/a.c" */
	const struct ag_rule *match[AG_LAYER_COUNT]; /* first match per layer, or NULL */
	int action;                                  /* strictest of those, or -1 */
	int layer;                                   /* layer of that rule, or -1 */
};

struct ag_rule_result {
	struct ag_rule_item *items; /* owned */
	size_t nitems;
	int action;                 /* the request's: enum ag_rule_action, or -1 (no rule) */
	const struct ag_rule *rule; /* the rule that decided it, or NULL */
	int layer;                  /* its layer, or -1 */
};

/* Matches req against the layers (any may be NULL). The result points at
 * rules inside `layers`: it must not outlive them. Clear it with
 * ag_rule_result_clear. */
void ag_rules_evaluate(struct ag_rules *const layers[AG_LAYER_COUNT], const struct ag_request *req,
                       struct ag_rule_result *out);
void ag_rule_result_clear(struct ag_rule_result *result);

/* The glob matcher the rules use, exposed for tests: `*`, `?`, `[a-z]`,
 * `[!x]`, `\x`. With AG_GLOB_PATH, `*` stops at '/' and a `**` segment spans
 * any number of directories; a pattern without '/' matches the last path
 * component. AG_GLOB_NOCASE folds ASCII case. */
#define AG_GLOB_PATH   0x1
#define AG_GLOB_NOCASE 0x2
int ag_glob_match(const char *pattern, const char *text, unsigned flags);

#endif
