/* Internals of the exec scorer, shared by its files:
 *
 *   risk_exec.c   the driver: parse, strip wrappers (sudo, env, xargs, find
 *                 -exec, sh -c, eval, …), re-parse what runs, redirections,
 *                 assignments, data flow between commands
 *   exec_rules.c  the policy: one table of command rules, and the checks
 *                 that look at a rule's arguments
 *   exec_code.c   interpreter one-liners (python -c, node -e, perl -e, …)
 *   exec_path.c   where a path points (the workspace, home, /, …)
 *
 * A view is one command as the rules see it: wrappers stripped, argv as an
 * array of args whose text is cooked and whose span points into the
 * request's command. Not a public interface: only reviewer/engine.h is. */
#ifndef AGATE_REVIEWER_EXEC_H
#define AGATE_REVIEWER_EXEC_H

#include <stddef.h>

#include "core/request.h"
#include "core/risk.h"
#include "reviewer/shell.h"

#define AG_EXEC_MAX_DEPTH   8   /* sh -c inside sh -c inside … */
#define AG_EXEC_MAX_REPARSE 256 /* texts parsed again, per request */
#define AG_EXEC_MAX_REASONS 32  /* reasons kept per request */
#define AG_EXEC_MAX_QUEUE   512
#define AG_EXEC_POS_CACHE   64 /* positionals of a view remembered while it is judged */

/* Arg flags beyond AG_SH_W_*. */
#define AG_X_SYNTH 0x10000u /* made up by the scorer (find's {} or xargs' input) */

struct ag_xarg {
	const char *s; /* NUL-terminated */
	size_t len;
	int start, end;
	int word;       /* sh word index, or -1 */
	unsigned flags; /* AG_SH_W_*, AG_X_* */
};

/* View flags. */
#define AG_V_ROOT  0x01u /* under sudo/doas/su */
#define AG_V_STDIN 0x02u /* arguments also arrive on stdin (xargs) */

struct ag_xview {
	size_t off, n; /* args are ctx->xa[off .. off + n); [0] is the command */
	int cmd;       /* the sh command */
	char name[64]; /* the normalized command name ("rm", "python", "mkfs") */
	unsigned flags;
};

/* A text to parse again once the current command has been judged. */
struct ag_reparse {
	int cmd;                  /* the command it runs in */
	int word;                 /* the word holding the text, or -1 for synthetic text */
	size_t off, len;          /* slice of the word (or of syn) */
	const char *syn;          /* synthetic text (stable storage), or NULL */
	int span_start, span_end; /* for synthetic text */
};

struct ag_exec_chunk;

struct ag_exec_ctx {
	const struct ag_request *req;
	struct ag_risk *out;
	struct ag_sh sh;
	const char *command; /* req's command or NULL */

	struct ag_xarg *xa; /* views' args: used as a stack */
	size_t nxa, capxa;

	struct ag_reparse *queue;
	size_t nqueue, capqueue, nreparsed;
	size_t reparsed_bytes, reparse_limit; /* bytes parsed again, and the most allowed */
	char *rbuf;                           /* a copy of the text being re-parsed */
	size_t caprbuf;

	struct ag_exec_chunk *chunks; /* synthetic strings, stable until reset */

	const char *cwd; /* the request's, "" when unknown */
	char vcwd[1024]; /* after cd in the command; "" = unknown */
	int vcwd_known;

	/* What the whole request does, for rules about flow. */
	int secret_read, secret_start, secret_end;
	const char *secret_what;
	int net_send, net_start, net_end;
	int env_dump, env_start, env_end;
	int nadded;
	long flow_budget; /* commands the flow rules may still visit */
	int flow_exhausted;
	const char *downloads[8]; /* files a curl -o / wget -O in this request wrote */
	int ndownloads;
	int outside_read, outside_start,
	    outside_end; /* a file from outside the workspace printed */

	/* The positionals of the view ag_exec_rules is judging, with the
	 * command's valopts (see ag_exec_pos); pos_view NULL: none. */
	const struct ag_xview *pos_view;
	const char *pos_valopts;
	size_t pos[AG_EXEC_POS_CACHE];
	size_t npos;
	int pos_complete;
};

/* ---- risk_exec.c ---- */

/* Adds a reason (deduplicated, capped) with a printf-style text. */
void ag_exec_add(struct ag_exec_ctx *x, int score, unsigned cats, int start, int end,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The span covering args [from, to) of a view (-1/-1 when none have one). */
void ag_exec_span(const struct ag_exec_ctx *x, const struct ag_xview *v, size_t from, size_t to,
                  int *start, int *end);
/* Arg i of a view; past the end, an empty arg with no span (a bad index
 * must not read another view's args). */
static inline const struct ag_xarg *
ag_exec_arg(const struct ag_exec_ctx *x, const struct ag_xview *v, size_t i)
{
	static const struct ag_xarg none = {"", 0, -1, -1, -1, 0};
	return i < v->n ? &x->xa[v->off + i] : &none;
}
/* Pushes an arg on the view stack; returns its index in x->xa. */
size_t ag_exec_push(struct ag_exec_ctx *x, const struct ag_xarg *a);
/* Copies len bytes into storage that stays put until the request is done. */
const char *ag_exec_strdup(struct ag_exec_ctx *x, const char *s, size_t len);
/* Queues text to be parsed again as shell, running inside command cmd. */
void ag_exec_queue(struct ag_exec_ctx *x, const struct ag_reparse *r);
/* Judges a view (wrappers stripped in place); level bounds recursion. */
void ag_exec_view(struct ag_exec_ctx *x, struct ag_xview *v, int level);
/* Normalizes a command word into name (basename, versions and suffixes
 * dropped: python3.11 -> python, mkfs.ext4 -> mkfs). */
void ag_exec_name(const char *word, size_t len, char *name, size_t size);

/* The command tables (rules, wrappers, interpreters) are indexed by name
 * once: entries sorted by name, equal names adjacent, and this hash from a
 * name to its run [lo, hi) of entries, so a command is found with one hash
 * and one compare instead of a binary search of strcmp calls. */
struct ag_name_slot {
	const char *name; /* NULL: empty slot */
	size_t len, lo, hi;
};
struct ag_name_map {
	struct ag_name_slot *slot;
	size_t mask;
};
/* Builds m over n sorted entries of stride bytes at base, each holding its
 * NUL-terminated name at byte name_off. Kept for the life of the process. */
void ag_name_map_build(struct ag_name_map *m, const void *base, size_t n, size_t stride,
                       size_t name_off);
/* The run of entries named name: 1 and [*lo, *hi), or 0. */
int ag_name_map_find(const struct ag_name_map *m, const char *name, size_t *lo, size_t *hi);

/* Command kinds for flow rules, as bits. */
#define AG_CK_DOWNLOAD 0x01u /* curl, wget, … fetching a URL */
#define AG_CK_DECODE   0x02u /* base64 -d, xxd -r, … */
#define AG_CK_ECHO     0x04u /* echo / printf */
#define AG_CK_SECRET   0x08u /* reads a secret */
/* The kinds of command ci (wrappers stripped). */
unsigned ag_exec_kind(struct ag_exec_ctx *x, int ci);
/* Charges a scan over every command to the flow budget; 0 when it is spent
 * (the request is then flagged as too complex rather than waved through). */
int ag_exec_flow_scan(struct ag_exec_ctx *x);
/* Union of the kinds of commands whose output reaches ci's stdin, and the
 * nearest such command in *from (or -1). */
unsigned ag_exec_upstream(struct ag_exec_ctx *x, int ci, int *from);
/* Union of the kinds of commands in the substitutions inside word w of ci. */
unsigned ag_exec_subst_kinds(struct ag_exec_ctx *x, int ci, int w);
/* What find's {} stands for: each root itself when nothing filters the
 * search (find / -delete is all of /), else "ROOT/{}". Stable storage. */
const char *ag_exec_find_found(struct ag_exec_ctx *x, const struct ag_xview *v);
/* Remembers a file a downloader writes; whether a path is one of them. */
void ag_exec_note_download(struct ag_exec_ctx *x, const char *path, size_t len);
int ag_exec_downloaded(const struct ag_exec_ctx *x, const char *path, size_t len);
/* Records a secret read / a network send / an environment dump for the
 * request-level flow rules. */
void ag_exec_note_secret(struct ag_exec_ctx *x, int start, int end, const char *what);
void ag_exec_note_send(struct ag_exec_ctx *x, int start, int end);
void ag_exec_note_env(struct ag_exec_ctx *x, int start, int end);

/* ---- exec_rules.c ---- */

/* Applies every rule of the table that matches the view. */
void ag_exec_rules(struct ag_exec_ctx *x, const struct ag_xview *v);
/* Option helpers over a view (options end at "--"). spec: "-r|-R|--recursive";
 * "-x" matches bundles (-rf), "--long" also "--long=…", "-word" exactly.
 * Returns the arg index or 0 when absent. */
size_t ag_exec_opt(struct ag_exec_ctx *x, const struct ag_xview *v, const char *spec);
/* Index of the i-th positional (non-option) arg, skipping the values of
 * options listed in valopts (as spec), or 0 when there is none. */
size_t ag_exec_pos(struct ag_exec_ctx *x, const struct ag_xview *v, const char *valopts, int i);
/* Deletion of targets args[from..to) judged by where they point. */
void ag_exec_delete_targets(struct ag_exec_ctx *x, const struct ag_xview *v, size_t from, size_t to,
                            int recursive, const char *what);
/* A path the command writes / reads, judged by ag_sensitive_path. */
void ag_exec_write_path(struct ag_exec_ctx *x, const char *path, size_t len, int start, int end,
                        const char *verb);
int ag_exec_read_path(struct ag_exec_ctx *x, const char *path, size_t len, int start, int end,
                      const char *verb);
/* A path arg the scorer can judge: s itself, $HOME/… rewritten as ~/… in
 * buf, or NULL when it is decided at run time ($DIR/x, $(…)). */
const char *ag_exec_static_path(const char *s, size_t len, unsigned flags, char *buf, size_t size);
/* Whether an environment variable name looks like it holds a secret. */
int ag_exec_secret_name(const char *name, size_t len);

/* ---- exec_code.c ---- */

enum ag_exec_lang {
	AG_LANG_PYTHON,
	AG_LANG_NODE,
	AG_LANG_PERL,
	AG_LANG_RUBY,
	AG_LANG_PHP,
	AG_LANG_AWK,
	AG_LANG_OTHER
};
/* Looks into code run by an interpreter: text is word `word` of the parse
 * from byte off on (its src_base maps offsets), or, when word is -1, text
 * that stands for [start, end) as a whole. */
void ag_exec_code(struct ag_exec_ctx *x, int ci, enum ag_exec_lang lang, int word, size_t off,
                  const char *text, size_t len, int start, int end);

/* ---- exec_path.c ---- */

/* Where a path points, from least to most alarming for a deletion. */
enum ag_target {
	AG_T_INSIDE,    /* below the workspace */
	AG_T_TMP,       /* /tmp, /var/tmp, $TMPDIR */
	AG_T_GIT,       /* the repository's .git */
	AG_T_WORKSPACE, /* the workspace itself: . * $PWD */
	AG_T_DYNAMIC,   /* decided at run time: $VAR/…, $(…) */
	AG_T_OUTSIDE,   /* elsewhere: ../x, ~/x, /srv/x */
	AG_T_SYSTEM,    /* /etc, /usr, /var, … and below */
	AG_T_HOME,      /* a home directory itself */
	AG_T_ROOT,      /* / */
	AG_T_COUNT
};
/* Resolves path against cwd (where the command stands: absolute, or "" /
 * cwd_known 0 when unknown) and places it relative to workspace (the
 * request's cwd, "" when unknown: relative paths are then inside). */
enum ag_target ag_exec_target(const char *path, size_t len, const char *cwd, int cwd_known,
                              const char *workspace);
const char *ag_exec_target_name(enum ag_target t);

#endif
