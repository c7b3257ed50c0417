/* The agents' hook configuration files: what `agate init` writes and
 * `agate doctor` checks. Claude Code reads `hooks` from a settings.json;
 * Codex reads $CODEX_HOME/hooks.json and runs a hook only when
 * config.toml's [hooks.state."KEY"] trusted_hash matches the hash Codex
 * computes for it (tests/fixtures/hooks/README.md gives the recipe). */
#ifndef AGATE_CMD_HOOKCFG_H
#define AGATE_CMD_HOOKCFG_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "cmd/hookmap.h"
#include "core/error.h"

#define HOOKCFG_TIMEOUT_DEFAULT 600 /* seconds: both clients' default */

/* "PreToolUse" -> "pre_tool_use" (Codex's event label); NULL if unknown. */
const char *hookcfg_codex_label(const char *event);

/* "sha256:<hex>" of the compact, key-sorted JSON of {"event_name": label,
 * "matcher": matcher (omitted when NULL), "hooks": [{"type": "command",
 * "command", "timeout", "async", "statusMessage" (omitted when NULL)}]}.
 * Caller frees. */
char *hookcfg_codex_hash(const char *label, const char *matcher, const char *command, int timeout,
                         int async, const char *status_message);

/* Whether a configured hook command runs `agate hook CLIENT` or
 * `agate-hook CLIENT`. */
int hookcfg_is_ours(const char *command, enum hook_client client);

/* The hook command for exe (shell-quoted when needed): "EXE hook CLIENT"
 * for agate, "EXE CLIENT" for agate-hook; with --deadline when the timeout
 * leaves less than the default. Caller frees. */
char *hookcfg_command(const char *exe, enum hook_client client, int timeout);

/* Puts our handler into root's hooks.EVENT for each event: updates one we
 * installed before (command, timeout, matcher), else appends a group
 * {"matcher": matcher, "hooks": [{"type":"command","command","timeout"}]}.
 * Everything else in root is left as it is. -1 with err when root or its
 * hooks have a shape we would have to clobber. */
int hookcfg_merge(cJSON *root, enum hook_client client, const char *const *events,
                  const char *const *matchers, size_t nevents, const char *command, int timeout,
                  struct ag_error *err);

/* One command handler found in a hooks document. */
struct hookcfg_handler {
	char *event; /* "PreToolUse" */
	char *key;   /* Codex trust key "<path>:<label>:<group>:<handler>" */
	char *hash;  /* "sha256:..." as Codex computes it */
	char *command;
	char *matcher; /* or NULL */
	int timeout;
	int ours;
};
/* Every command handler under root.hooks (path: the file's absolute path,
 * for Codex keys). Caller frees with hookcfg_handlers_free. */
int hookcfg_handlers(const cJSON *root, const char *path, enum hook_client client,
                     struct hookcfg_handler **out, size_t *n, struct ag_error *err);
void hookcfg_handlers_free(struct hookcfg_handler **v, size_t n);

/* config.toml, edited as text so that nothing of the user's moves: sets
 * [hooks.state."KEY"] trusted_hash = "HASH" (replacing the value when the
 * table exists, else appending the table). -1 with err when KEY appears in a
 * form we do not edit (then the user adds the line; we say which). */
int hookcfg_toml_set_trust(const char *text, const char *key, const char *hash, char **out,
                           struct ag_error *err);
/* The trusted_hash of KEY: 1 with *hash (caller frees), 0 when absent. */
int hookcfg_toml_get_trust(const char *text, const char *key, char **hash);

/* $CLAUDE_CONFIG_DIR, else ~/.claude; $CODEX_HOME, else ~/.codex. Absolute
 * (and without symlinks when the directory exists: Codex keys its trust
 * entries by the path it resolves). Caller frees. */
char *hookcfg_claude_dir(void);
char *hookcfg_codex_home(void);

/* Reads a JSON settings file strictly. A missing file gives an empty
 * object and *existed = 0. -1 with err (file:line) when it is not JSON or
 * not an object: we never overwrite what we cannot read. */
int hookcfg_read_json(const char *path, cJSON **out, char **text, int *existed,
                      struct ag_error *err);
/* Replaces path atomically (temporary file, fsync, rename), creating its
 * directory; keeps an existing file's mode, else mode. */
int hookcfg_write_file(const char *path, const char *text, unsigned mode, struct ag_error *err);

/* JSON as the agents' files are usually written: two-space indent. Caller frees. */
char *hookcfg_json_print(const cJSON *root);

#endif
