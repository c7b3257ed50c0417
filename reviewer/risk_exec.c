/* The exec scorer's driver: judge what runs, not what is mentioned.
 *
 *   parse the command (reviewer/shell.c) into simple commands
 *   for each command, in order:
 *       redirections      > /dev/sda, >> ~/.bashrc, < ~/.ssh/id_rsa, /dev/tcp
 *       assignments       NODE_TLS_REJECT_UNAUTHORIZED=0, LD_PRELOAD=…
 *       wrappers          sudo, env, timeout, xargs, find -exec, watch, …
 *                         stripped until the command that really runs
 *       re-parses         sh -c, eval, su -c, ssh host CMD, heredocs and
 *                         echo … piped into a shell: queued, parsed into the
 *                         same result, judged in their turn (depth-bounded)
 *       interpreters      python -c, node -e, perl -e, … (exec_code.c)
 *       the rule table    exec_rules.c
 *   then the flow rules: a secret read and a network send in one request.
 *
 * Everything per request lives in one context that is reused (thread-local),
 * so a warm scorer allocates only the reasons it reports. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, strcasestr */
#endif
#include "reviewer/engine.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>

#include "core/hash.h"
#include "core/xmalloc.h"
#include "reviewer/exec.h"
#include "reviewer/sensitive.h"

#define DESTRUCTIVE AG_CATEGORY(DESTRUCTIVE)
#define EXFIL       AG_CATEGORY(DATA_EXFILTRATION)
#define CREDENTIAL  AG_CATEGORY(CREDENTIAL_PROBING)
#define WEAKENING   AG_CATEGORY(SECURITY_WEAKENING)

/* Above this the context lets go of its memory after a request. */
#define KEEP_BYTES (8u << 20)

struct ag_exec_chunk {
	struct ag_exec_chunk *next;
	size_t used, size;
	char data[];
};

/* ---- reasons --------------------------------------------------------------- */

/* vsnprintf(buf, size, fmt, ap) for the formats reasons use, plain text
 * with %s and %.*s: the same bytes, cut at the same place, at a fraction
 * of the cost (a request adds about one reason). Returns 0, having
 * consumed ap partly, for anything else (then vsnprintf on a copy of ap). */
static int
format_reason(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t o = 0;
	for (const char *f = fmt; *f != '\0'; f++) {
		const char *s = f;
		size_t n = 1;
		if (*f == '%') {
			if (f[1] == 's') {
				s = va_arg(ap, const char *);
				if (s == NULL)
					return 0;
				n = strlen(s);
				f++;
			} else if (f[1] == '.' && f[2] == '*' && f[3] == 's') {
				int prec = va_arg(ap, int);
				s = va_arg(ap, const char *);
				if (s == NULL)
					return 0;
				n = prec < 0 ? strlen(s) : strnlen(s, (size_t)prec);
				f += 3;
			} else {
				return 0;
			}
		}
		if (o < size - 1)
			memcpy(buf + o, s, n < size - 1 - o ? n : size - 1 - o);
		o += n;
	}
	buf[o < size - 1 ? o : size - 1] = '\0';
	return 1;
}

void
ag_exec_add(struct ag_exec_ctx *x, int score, unsigned cats, int start, int end, const char *fmt,
            ...)
{
	char buf[400];
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	if (!format_reason(buf, sizeof buf, fmt, ap))
		vsnprintf(buf, sizeof buf, fmt, again);
	va_end(again);
	va_end(ap);
	struct ag_risk *out = x->out;
	for (size_t i = 0; i < out->nreasons; i++) {
		const struct ag_reason *r = &out->reasons[i];
		if (r->start == start && r->end == end && strcmp(r->text, buf) == 0)
			return;
	}
	if (x->nadded >= AG_EXEC_MAX_REASONS && score <= out->score &&
	    (cats & ~out->categories) == 0)
		return;
	ag_risk_add(out, score, cats, start, end, 0, buf);
	x->nadded++;
}

void
ag_exec_span(const struct ag_exec_ctx *x, const struct ag_xview *v, size_t from, size_t to,
             int *start, int *end)
{
	*start = *end = -1;
	for (size_t i = from; i < to && i < v->n; i++) {
		const struct ag_xarg *a = &x->xa[v->off + i];
		if (a->start < 0)
			continue;
		if (*start < 0 || a->start < *start)
			*start = a->start;
		if (a->end > *end)
			*end = a->end;
	}
}

void
ag_exec_note_secret(struct ag_exec_ctx *x, int start, int end, const char *what)
{
	if (x->secret_read)
		return;
	x->secret_read = 1;
	x->secret_start = start;
	x->secret_end = end;
	x->secret_what = what;
}

void
ag_exec_note_send(struct ag_exec_ctx *x, int start, int end)
{
	if (x->net_send)
		return;
	x->net_send = 1;
	x->net_start = start;
	x->net_end = end;
}

void
ag_exec_note_env(struct ag_exec_ctx *x, int start, int end)
{
	if (x->env_dump)
		return;
	x->env_dump = 1;
	x->env_start = start;
	x->env_end = end;
}

static const char *
base_of(const char *p, size_t len, size_t *blen)
{
	const char *b = p;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '/')
			b = p + i + 1;
	*blen = len - (size_t)(b - p);
	return b;
}

void
ag_exec_note_download(struct ag_exec_ctx *x, const char *path, size_t len)
{
	if (x->ndownloads < 8 && len > 0)
		x->downloads[x->ndownloads++] = ag_exec_strdup(x, path, len);
}

int
ag_exec_downloaded(const struct ag_exec_ctx *x, const char *path, size_t len)
{
	size_t bl;
	const char *b = base_of(path, len, &bl);
	for (int i = 0; i < x->ndownloads; i++) {
		size_t dl;
		const char *d = base_of(x->downloads[i], strlen(x->downloads[i]), &dl);
		if (dl == bl && bl > 0 && memcmp(d, b, bl) == 0)
			return 1;
	}
	return 0;
}

/* ---- storage ----------------------------------------------------------------- */

size_t
ag_exec_push(struct ag_exec_ctx *x, const struct ag_xarg *a)
{
	if (x->nxa == x->capxa) {
		x->capxa = x->capxa ? x->capxa * 2 : 64;
		x->xa = xreallocarray(x->xa, x->capxa, sizeof *x->xa);
	}
	x->xa[x->nxa] = *a;
	return x->nxa++;
}

const char *
ag_exec_strdup(struct ag_exec_ctx *x, const char *s, size_t len)
{
	if (len > 4096)
		len = 4096;
	struct ag_exec_chunk *c = x->chunks;
	if (c == NULL || c->size - c->used < len + 1) {
		/* Chunks are kept (emptied) between requests; find a fitting one. */
		size_t size = len + 1 > 8192 ? len + 1 : 8192;
		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = x->chunks;
		x->chunks = c;
	}
	char *p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

void
ag_exec_queue(struct ag_exec_ctx *x, const struct ag_reparse *r)
{
	if (x->nqueue >= AG_EXEC_MAX_QUEUE)
		return;
	if (x->nqueue == x->capqueue) {
		x->capqueue = x->capqueue ? x->capqueue * 2 : 16;
		x->queue = xreallocarray(x->queue, x->capqueue, sizeof *x->queue);
	}
	x->queue[x->nqueue++] = *r;
}

/* Queues word w of command ci (all of it) for a re-parse. */
static void
queue_word(struct ag_exec_ctx *x, int ci, int w)
{
	if (w < 0)
		return;
	struct ag_reparse r = {ci, w, 0, x->sh.words[w].len, NULL, -1, -1};
	ag_exec_queue(x, &r);
}

/* Queues args [from, to) of a view joined by spaces. */
static void
queue_args(struct ag_exec_ctx *x, const struct ag_xview *v, size_t from, size_t to)
{
	if (to > v->n)
		to = v->n;
	if (from >= to)
		return;
	const struct ag_xarg *first = ag_exec_arg(x, v, from);
	if (to - from == 1 && first->word >= 0 && !(first->flags & AG_X_SYNTH)) {
		queue_word(x, v->cmd, first->word);
		return;
	}
	char buf[4096];
	size_t n = 0;
	for (size_t i = from; i < to; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (n + a->len + 1 >= sizeof buf)
			break;
		if (n > 0)
			buf[n++] = ' ';
		memcpy(buf + n, a->s, a->len);
		n += a->len;
	}
	struct ag_reparse r = {v->cmd, -1, 0, n, ag_exec_strdup(x, buf, n), -1, -1};
	ag_exec_span(x, v, from, to, &r.span_start, &r.span_end);
	ag_exec_queue(x, &r);
}

/* Queues the value of the option at index i as shell text: "--opt=TEXT",
 * "-cTEXT" or the next arg. */
static void
queue_value(struct ag_exec_ctx *x, const struct ag_xview *v, size_t i)
{
	const struct ag_xarg *a = ag_exec_arg(x, v, i);
	const char *eq = a->s[1] == '-' ? strchr(a->s, '=') : NULL;
	size_t skip = eq ? (size_t)(eq + 1 - a->s) : a->s[1] != '-' && a->len > 2 ? 2 : 0;
	if (skip == 0) {
		queue_args(x, v, i + 1, i + 2);
		return;
	}
	struct ag_reparse r = {
	    v->cmd,   -1,    0, a->len - skip, ag_exec_strdup(x, a->s + skip, a->len - skip),
	    a->start, a->end};
	ag_exec_queue(x, &r);
}

/* ---- names --------------------------------------------------------------------- */

static int
all_version(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			return 0;
	return 1;
}

/* Names that are another command by another name. */
static const char *const alias[][2] = {
    {"pypy", "python"},
    {"nodejs", "node"},
    {"gawk", "awk"},
    {"mawk", "awk"},
    {"nawk", "awk"},
    {"busybox-awk", "awk"},
    {"gsed", "sed"},
    {"ggrep", "grep"},
    {"netcat", "nc"},
    {"ncat", "nc"},
    {"nc.traditional", "nc"},
    {"nc.openbsd", "nc"},
    {"podman", "docker"},
    {"nerdctl", "docker"},
    {"tofu", "terraform"},
    {"terragrunt", "terraform"},
    {"wget2", "wget"},
    {"pip3", "pip"},
    {"bsdtar", "tar"},
    {"mke2fs", "mkfs"},
    {"mkdosfs", "mkfs"},
    {"mkswap", "mkfs"},
    {"batcat", "bat"},
    {"kubectl.exe", "kubectl"},
    {"docker-compose", "docker-compose"},
};

static unsigned char alias_first[256 / 8]; /* first bytes of alias[][0] */
static pthread_once_t alias_once = PTHREAD_ONCE_INIT;

static void
alias_first_build(void)
{
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++) {
		unsigned char f = (unsigned char)alias[i][0][0];
		alias_first[f / 8] |= (unsigned char)(1u << (f % 8));
	}
}

void
ag_exec_name(const char *word, size_t len, char *name, size_t size)
{
	const char *slash = NULL;
	for (size_t i = 0; i < len; i++)
		if (word[i] == '/')
			slash = word + i;
	if (slash != NULL && slash + 1 < word + len) {
		len -= (size_t)(slash + 1 - word);
		word = slash + 1;
	}
	if (len >= size)
		len = size - 1;
	memcpy(name, word, len);
	name[len] = '\0';

	if (len == 0)
		return;
	static const char *const stems[] = {"python", "pypy", "pip",  "perl",  "ruby",
	                                    "php",    "lua",  "node", "pydoc", NULL};
	int stem_start = name[0] == 'p' || name[0] == 'r' || name[0] == 'l' || name[0] == 'n';
	for (size_t i = 0; stems[i] != NULL && stem_start; i++) {
		if (stems[i][0] != name[0])
			continue;
		size_t n = strlen(stems[i]);
		if (len > n && strncmp(name, stems[i], n) == 0 && all_version(name + n, len - n)) {
			name[n] = '\0';
			len = n;
			break;
		}
	}
	static const char *const dotted[] = {"mkfs", "fsck", "mkdosfs", "mke2fs", NULL};
	for (size_t i = 0; dotted[i] != NULL && (name[0] == 'm' || name[0] == 'f'); i++) {
		size_t n = strlen(dotted[i]);
		if (len > n && strncmp(name, dotted[i], n) == 0 && name[n] == '.')
			name[n] = '\0';
	}
	/* Most names start with a letter no alias starts with: a set of the
	 * aliases' first bytes, made once, answers before the walk. */
	pthread_once(&alias_once, alias_first_build);
	unsigned char f = (unsigned char)name[0];
	if (!((alias_first[f / 8] >> (f % 8)) & 1))
		return;
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (alias[i][0][0] == name[0] && strcmp(name, alias[i][0]) == 0) {
			size_t al = strlen(alias[i][1]);
			if (al < size)
				memcpy(name, alias[i][1], al + 1);
			break;
		}
}

/* ---- name maps ------------------------------------------------------------- */

void
ag_name_map_build(struct ag_name_map *m, const void *base, size_t n, size_t stride, size_t name_off)
{
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	m->slot = calloc(size, sizeof *m->slot);
	if (m->slot == NULL)
		abort();
	m->mask = size - 1;
	const char *b = base;
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		const char *name = b + lo * stride + name_off;
		for (hi = lo + 1; hi < n && strcmp(b + hi * stride + name_off, name) == 0; hi++)
			;
		size_t len = strlen(name);
		size_t k = ag_hash(name, len) & m->mask;
		while (m->slot[k].name != NULL)
			k = (k + 1) & m->mask;
		m->slot[k] = (struct ag_name_slot){name, len, lo, hi};
	}
}

int
ag_name_map_find(const struct ag_name_map *m, const char *name, size_t *lo, size_t *hi)
{
	size_t len = strlen(name);
	for (size_t k = ag_hash(name, len) & m->mask; m->slot[k].name != NULL;
	     k = (k + 1) & m->mask) {
		const struct ag_name_slot *s = &m->slot[k];
		if (s->len == len && memcmp(s->name, name, len) == 0) {
			*lo = s->lo;
			*hi = s->hi;
			return 1;
		}
	}
	return 0;
}

static int
name_in(const char *name, const char *list)
{
	size_t n = strlen(name);
	for (const char *p = list; *p != '\0';) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && memcmp(p, name, n) == 0)
			return 1;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return 0;
}

#define SHELLS "sh|bash|zsh|dash|ksh|mksh|ash|yash|posh|rbash|fish|tcsh|csh|busybox-sh"

/* ---- command kinds and flow ----------------------------------------------------- */

static int
word_has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

unsigned
ag_exec_kind(struct ag_exec_ctx *x, int ci)
{
	const struct ag_sh *sh = &x->sh;
	const struct ag_sh_cmd *c = &sh->cmds[ci];
	int k = 0;
	char name[64];
	/* Step over the usual prefixes; precision is not needed here. */
	for (; k < c->nwords; k++) {
		const char *t = ag_sh_wtext(sh, c->word0 + k);
		ag_exec_name(t, strlen(t), name, sizeof name);
		if (t[0] == '-' || strchr(t, '=') != NULL ||
		    name_in(name,
		            "sudo|doas|env|nohup|time|command|exec|nice|timeout|stdbuf|busybox"))
			continue;
		break;
	}
	if (k >= c->nwords)
		return 0;
	unsigned kinds = 0;
	int rest = c->nwords - k;
	const struct ag_sh_word *args = &sh->words[c->word0 + k];
	int dash_d = 0, dash_r = 0, hexesc = 0;
	for (int i = 1; i < rest; i++) {
		const char *t = sh->text + args[i].text;
		if (t[0] == '-' && t[1] != '-' && strchr(t, 'd') != NULL)
			dash_d = 1;
		if (t[0] == '-' && t[1] != '-' && (strchr(t, 'D') != NULL))
			dash_d = 1;
		if (strcmp(t, "--decode") == 0 || strcmp(t, "-d") == 0)
			dash_d = 1;
		if (t[0] == '-' && t[1] != '-' && strchr(t, 'r') != NULL)
			dash_r = 1;
		if (strcmp(t, "--revert") == 0)
			dash_r = 1;
		if (word_has(t, "\\x") || word_has(t, "\\0") || word_has(t, "%b"))
			hexesc = 1;
	}
	if (name_in(name,
	            "curl|wget|fetch|http|https|aria2c|lwp-download|lwp-request|GET|xh|curlie"))
		kinds |= AG_CK_DOWNLOAD;
	if ((name_in(name, "base64|base32|basenc|gbase64") && dash_d) ||
	    (strcmp(name, "xxd") == 0 && dash_r) || (strcmp(name, "openssl") == 0 && dash_d) ||
	    name_in(name,
	            "uudecode|gunzip|zcat|gzcat|bunzip2|bzcat|xzcat|unxz|zstdcat|unzstd|rev") ||
	    (name_in(name, "gzip|bzip2|xz|zstd") && dash_d) || strcmp(name, "tr") == 0 ||
	    (strcmp(name, "printf") == 0 && hexesc) || (strcmp(name, "echo") == 0 && hexesc))
		kinds |= AG_CK_DECODE;
	if (name_in(name, "echo|printf"))
		kinds |= AG_CK_ECHO;
	if (name_in(name,
	            "cat|head|tail|base64|xxd|od|strings|tar|zip|gpg|less|more|tac|nl|gzip") ||
	    name_in(name, "env|printenv")) {
		for (int i = 1; i < rest; i++) {
			const char *t = sh->text + args[i].text;
			struct ag_path_hit hit;
			if (t[0] != '-' &&
			    ag_sensitive_path(t, args[i].len, AG_ACCESS_READ, &hit) &&
			    hit.score >= 50)
				kinds |= AG_CK_SECRET;
		}
		if (name_in(name, "env|printenv") && rest == 1)
			kinds |= AG_CK_SECRET;
	}
	return kinds;
}

#define MAX_CHAIN 24

static int
chain(const struct ag_sh *sh, int ci, int *pipes, int *stages)
{
	int n = 0, p = sh->cmds[ci].pipe, s = sh->cmds[ci].stage;
	while (p >= 0 && (size_t)p < sh->npipes && n < MAX_CHAIN) {
		pipes[n] = p;
		stages[n] = s;
		n++;
		s = sh->pipes[p].parent_stage;
		p = sh->pipes[p].parent_pipe;
	}
	return n;
}

/* Whether j's output reaches ci's input through a pipe. */
static int
feeds(const struct ag_sh *sh, int j, const int *cp, const int *cs, int cn)
{
	int jp[MAX_CHAIN], js[MAX_CHAIN];
	for (int hop = 0; hop < 8 && j >= 0; hop++) {
		int jn = chain(sh, j, jp, js);
		for (int a = 0; a < jn; a++)
			for (int b = 0; b < cn; b++)
				if (jp[a] == cp[b] && js[a] < cs[b])
					return 1;
		/* A substitution's output feeds the command it sits in. */
		if (!(sh->cmds[j].flags & (AG_SH_C_SUBST | AG_SH_C_PROCSUBST)))
			return 0;
		j = sh->cmds[j].parent;
	}
	return 0;
}

unsigned
ag_exec_upstream(struct ag_exec_ctx *x, int ci, int *from)
{
	const struct ag_sh *sh = &x->sh;
	int cp[MAX_CHAIN], cs[MAX_CHAIN];
	int cn = chain(sh, ci, cp, cs);
	unsigned kinds = 0;
	*from = -1;
	if (cn == 0)
		return 0;
	/* Only a command that is not first in some pipeline has an upstream. */
	int any = 0;
	for (int b = 0; b < cn; b++)
		any |= cs[b] > 0;
	if (!any || !ag_exec_flow_scan(x))
		return 0;
	for (size_t j = 0; j < sh->ncmds; j++) {
		if ((int)j == ci || sh->cmds[j].nwords == 0)
			continue;
		if (feeds(sh, (int)j, cp, cs, cn)) {
			kinds |= ag_exec_kind(x, (int)j);
			*from = (int)j;
		}
	}
	return kinds;
}

int
ag_exec_flow_scan(struct ag_exec_ctx *x)
{
	if (x->flow_budget < (long)x->sh.ncmds) {
		x->flow_exhausted = 1;
		return 0;
	}
	x->flow_budget -= (long)x->sh.ncmds;
	return 1;
}

unsigned
ag_exec_subst_kinds(struct ag_exec_ctx *x, int ci, int w)
{
	const struct ag_sh *sh = &x->sh;
	unsigned kinds = 0;
	if (w < 0 || ci < 0)
		return 0;
	/* a command's substitutions were read inside it: (ci, nested_end) */
	for (size_t j = (size_t)ci + 1; j < (size_t)sh->cmds[ci].nested_end && j < sh->ncmds; j++) {
		const struct ag_sh_cmd *c = &sh->cmds[j];
		if (c->parent == ci && c->parent_word == w && c->nwords > 0)
			kinds |= ag_exec_kind(x, (int)j);
	}
	/* A pipeline inside the substitution: its later stages are children
	 * too (same parent), so the loop above saw them. */
	return kinds;
}

/* ---- assignments ------------------------------------------------------------------ */

enum vcond { V_ANY, V_FALSEY, V_TRUTHY, V_EMPTY, V_NOHIST, V_BADPATH };

struct assign_rule {
	const char *name;
	enum vcond cond;
	int score;
	unsigned cats;
	const char *reason;
};

/* Environment variables that weaken something when set. */
static const struct assign_rule assign_rules[] = {
    {"NODE_TLS_REJECT_UNAUTHORIZED", V_FALSEY, 55, WEAKENING,
     "turns off TLS certificate checks for Node"},
    {"GIT_SSL_NO_VERIFY", V_TRUTHY, 55, WEAKENING, "turns off TLS certificate checks for git"},
    {"PYTHONHTTPSVERIFY", V_FALSEY, 55, WEAKENING, "turns off TLS certificate checks for Python"},
    {"NPM_CONFIG_STRICT_SSL", V_FALSEY, 55, WEAKENING, "turns off TLS certificate checks for npm"},
    {"CURL_CA_BUNDLE", V_EMPTY, 45, WEAKENING, "empties the CA bundle (TLS checks off)"},
    {"REQUESTS_CA_BUNDLE", V_EMPTY, 45, WEAKENING, "empties the CA bundle (TLS checks off)"},
    {"GONOSUMDB", V_ANY, 30, WEAKENING, "skips Go checksum verification"},
    {"GOFLAGS", V_ANY, 10, 0, "changes Go build flags"},
    {"GOINSECURE", V_ANY, 45, WEAKENING, "lets Go fetch modules without TLS"},
    {"LD_PRELOAD", V_ANY, 60, WEAKENING, "preloads a library into every program"},
    {"DYLD_INSERT_LIBRARIES", V_ANY, 60, WEAKENING, "preloads a library into every program"},
    {"PROMPT_COMMAND", V_ANY, 45, WEAKENING, "runs a command at every shell prompt"},
    {"BASH_ENV", V_ANY, 45, WEAKENING, "runs a file at the start of every bash script"},
    {"HISTFILE", V_NOHIST, 35, WEAKENING, "turns off shell history"},
    {"HISTSIZE", V_FALSEY, 35, WEAKENING, "turns off shell history"},
    {"HISTFILESIZE", V_FALSEY, 35, WEAKENING, "turns off shell history"},
    {"PATH", V_BADPATH, 40, WEAKENING, "puts a relative or temporary directory first on PATH"},
    {"GIT_CONFIG_GLOBAL", V_NOHIST, 20, 0, "ignores the user's git configuration"},
    {"CLAUDE_CODE_DANGEROUSLY_SKIP_PERMISSIONS", V_TRUTHY, 70, WEAKENING,
     "turns off the coding agent's permission checks"},
};

static int
value_is(const char *v, size_t len, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == len && strncasecmp(v, list[i], len) == 0)
			return 1;
	return 0;
}

static int
cond_holds(enum vcond cond, const char *v, size_t len)
{
	static const char *const falsey[] = {"0", "false", "no", "off", "", NULL};
	switch (cond) {
	case V_ANY: return 1;
	case V_FALSEY: return value_is(v, len, falsey);
	case V_TRUTHY: return !value_is(v, len, falsey);
	case V_EMPTY: return len == 0;
	case V_NOHIST: return len == 0 || (len == 9 && memcmp(v, "/dev/null", 9) == 0);
	case V_BADPATH:
		return len > 0 && (v[0] == '.' || v[0] == ':' || strncmp(v, "/tmp", 4) == 0 ||
		                   (len > 1 && v[0] != '/' && v[0] != '$' && v[0] != '~'));
	}
	return 0;
}

/* NAME=value (from an assignment, env, export, sudo). */
static void
score_assign(struct ag_exec_ctx *x, const char *t, size_t len, int start, int end)
{
	const char *eq = memchr(t, '=', len);
	if (eq == NULL)
		return;
	size_t nlen = (size_t)(eq - t);
	if (nlen > 0 && t[nlen - 1] == '+')
		nlen--;
	const char *v = eq + 1;
	size_t vlen = len - (size_t)(v - t);
	for (size_t i = 0; i < sizeof assign_rules / sizeof assign_rules[0]; i++) {
		const struct assign_rule *r = &assign_rules[i];
		if (strlen(r->name) == nlen && memcmp(r->name, t, nlen) == 0 &&
		    cond_holds(r->cond, v, vlen) && r->score > 0)
			ag_exec_add(x, r->score, r->cats, start, end, "%s: %.*s", r->reason,
			            (int)(len > 80 ? 80 : len), t);
	}
}

static int
is_assignment(const char *t, size_t len)
{
	size_t k = 0;
	if (len == 0 ||
	    !((t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z') || t[0] == '_'))
		return 0;
	while (k < len && ((t[k] >= 'A' && t[k] <= 'Z') || (t[k] >= 'a' && t[k] <= 'z') ||
	                   (t[k] >= '0' && t[k] <= '9') || t[k] == '_'))
		k++;
	return k < len && t[k] == '=';
}

/* ---- redirections -------------------------------------------------------------------- */

static int
is_shell_name(const char *t)
{
	char name[64];
	ag_exec_name(t, strlen(t), name, sizeof name);
	return name_in(name, SHELLS "|exec|nc|python|perl|ruby|php|socat|telnet");
}

static void
score_redirs(struct ag_exec_ctx *x, int ci)
{
	const struct ag_sh *sh = &x->sh;
	const struct ag_sh_cmd *c = &sh->cmds[ci];
	int dup01 = 0;
	for (int k = 0; k < c->nredir; k++) {
		const struct ag_sh_redir *r = &sh->redirs[c->redir0 + k];
		if ((r->op == AG_SH_R_DUPOUT || r->op == AG_SH_R_DUPIN || r->op == AG_SH_R_OUTERR ||
		     r->op == AG_SH_R_RDWR) &&
		    r->target >= 0) {
			const char *t = ag_sh_wtext(sh, r->target);
			if (r->fd == 0 || strcmp(t, "0") == 0 || strcmp(t, "1") == 0 ||
			    r->op == AG_SH_R_OUTERR)
				dup01 = 1;
		}
	}
	for (int k = 0; k < c->nredir; k++) {
		const struct ag_sh_redir *r = &sh->redirs[c->redir0 + k];
		if (r->target < 0)
			continue;
		const struct ag_sh_word *w = &sh->words[r->target];
		const char *t = sh->text + w->text;
		if (r->op == AG_SH_R_HEREDOC || r->op == AG_SH_R_HERESTRING ||
		    r->op == AG_SH_R_DUPIN || r->op == AG_SH_R_DUPOUT)
			continue;
		if (strncmp(t, "/dev/tcp/", 9) == 0 || strncmp(t, "/dev/udp/", 9) == 0) {
			int shell = c->nwords > 0 && is_shell_name(ag_sh_wtext(sh, c->word0));
			if (shell && dup01)
				ag_exec_add(
				    x, 95, EXFIL | WEAKENING, r->start, r->end,
				    "reverse shell: the shell's input and output go to %.*s",
				    (int)(w->len > 80 ? 80 : w->len), t);
			else
				ag_exec_add(x, 60, EXFIL, r->start, r->end,
				            "opens a network connection through %.*s",
				            (int)(w->len > 80 ? 80 : w->len), t);
			ag_exec_note_send(x, r->start, r->end);
			continue;
		}
		char buf[4096];
		t = ag_exec_static_path(t, w->len, w->flags, buf, sizeof buf);
		if (t == NULL)
			continue;
		size_t tl = strlen(t);
		if (ag_sh_redir_writes(r->op))
			ag_exec_write_path(x, t, tl, r->start, r->end,
			                   r->op == AG_SH_R_APPEND || r->op == AG_SH_R_APPENDERR
			                       ? "appends to"
			                       : "overwrites");
		else if (r->op == AG_SH_R_IN)
			ag_exec_read_path(x, t, tl, r->start, r->end, "reads");
	}
}

/* ---- cd ------------------------------------------------------------------------------ */

/* A stand-in home when the request's cwd does not say where home is. */
static void
home_dir(const struct ag_exec_ctx *x, char *buf, size_t size)
{
	const char *c = x->cwd;
	size_t n = 0;
	if (strncmp(c, "/home/", 6) == 0 || strncmp(c, "/Users/", 7) == 0) {
		const char *s = strchr(c + 1, '/');
		const char *e = strchr(s + 1, '/');
		n = e ? (size_t)(e - c) : strlen(c);
	} else if (strncmp(c, "/root", 5) == 0 && (c[5] == '\0' || c[5] == '/')) {
		n = 5;
	}
	if (n == 0 || n >= size) {
		snprintf(buf, size, "/home/user");
		return;
	}
	memcpy(buf, c, n);
	buf[n] = '\0';
}

static void
do_cd(struct ag_exec_ctx *x, struct ag_xview *v)
{
	size_t p = ag_exec_pos(x, v, "", 0);
	if (p == 0 || (ag_exec_arg(x, v, p)->len == 1 && ag_exec_arg(x, v, p)->s[0] == '~')) {
		home_dir(x, x->vcwd, sizeof x->vcwd);
		x->vcwd_known = 1;
		return;
	}
	const struct ag_xarg *a = ag_exec_arg(x, v, p);
	const char *t = a->s;
	char home[256];
	if (a->flags & (AG_SH_W_SUBST | AG_SH_W_EXPAND) || strcmp(t, "-") == 0) {
		if (strncmp(t, "$HOME", 5) != 0 && strncmp(t, "${HOME}", 7) != 0) {
			x->vcwd_known = 0;
			return;
		}
	}
	char buf[sizeof x->vcwd];
	int n;
	if (t[0] == '/') {
		n = snprintf(buf, sizeof buf, "%s", t);
	} else if (t[0] == '~' && (t[1] == '/' || t[1] == '\0')) {
		home_dir(x, home, sizeof home);
		n = snprintf(buf, sizeof buf, "%s%s", home, t + 1);
	} else if (strncmp(t, "$HOME", 5) == 0 || strncmp(t, "${HOME}", 7) == 0) {
		home_dir(x, home, sizeof home);
		n = snprintf(buf, sizeof buf, "%s%s", home, t + (t[1] == '{' ? 7 : 5));
	} else if (x->vcwd_known && x->vcwd[0] == '/') {
		n = snprintf(buf, sizeof buf, "%s/%s", x->vcwd, t);
	} else {
		return; /* relative to an unknown place: still unknown, or inside */
	}
	if (n < 0 || (size_t)n >= sizeof buf) {
		x->vcwd_known = 0;
		return;
	}
	memcpy(x->vcwd, buf, (size_t)n + 1);
	x->vcwd_known = 1;
}

/* ---- wrappers --------------------------------------------------------------------------- */

enum wrap {
	WR_PREFIX,    /* options, then the command */
	WR_SKIP1,     /* options, one operand (timeout's duration, chroot's root), command */
	WR_SUDO,      /* runs as root */
	WR_ENV,       /* NAME=value words; no command: prints the environment */
	WR_COMMAND,   /* command/builtin: -v only looks the name up */
	WR_EXEC,      /* exec with no command only redirects */
	WR_XARGS,     /* arguments also come from stdin */
	WR_FIND,      /* -exec … ; segments run */
	WR_WATCH,     /* the rest runs through sh -c */
	WR_PARALLEL,  /* command ::: arguments */
	WR_SHELL,     /* sh -c TEXT, sh SCRIPT, or a script on stdin */
	WR_EVAL,      /* the arguments, joined, are shell text */
	WR_SOURCE,    /* runs a file in this shell */
	WR_SU,        /* su -c TEXT; otherwise a root shell */
	WR_FLOCK,     /* flock -c TEXT or flock FILE command */
	WR_SCRIPT,    /* script -c TEXT */
	WR_SSH,       /* ssh HOST TEXT runs TEXT there */
	WR_BUSYBOX,   /* busybox APPLET */
	WR_NPX,       /* npx [-c TEXT] package args */
	WR_SUBPREFIX, /* poetry run, uv run, bundle exec: only with that word */
	WR_EXEC_IN,   /* docker exec CONTAINER CMD, kubectl exec POD -- CMD */
};

struct wrapper {
	const char *names;
	enum wrap kind;
	const char *valopts; /* options taking a value, as an option spec */
	const char *sub;     /* WR_SUBPREFIX: the word that makes it a wrapper */
};

/* What runs other commands. */
static const struct wrapper wrappers[] = {
    {"sudo", WR_SUDO,
     "-u|-g|-C|-D|-h|-p|-r|-t|-U|-T|--user|--group|--chdir|--host|--prompt|--role|--type|"
     "--other-user|--command-timeout|--close-from",
     NULL},
    {"doas|pkexec|run0", WR_SUDO, "-u|-C|--user", NULL},
    {"env", WR_ENV, "-u|--unset|-C|--chdir", NULL},
    {"command|builtin", WR_COMMAND, "", NULL},
    {"exec", WR_EXEC, "-a", NULL},
    {"nohup|setsid|unbuffer|caffeinate|proxychains|proxychains4|torsocks|xvfb-run|dbus-launch|"
     "catchsegv|unshare|sg|stdbuf|ionice|time|nice|strace|ltrace|valgrind|nsenter|firejail|"
     "chronic|ts|systemd-run|nocache|eatmydata|faketime|grc|pv|rlwrap",
     WR_PREFIX,
     "-n|--adjustment|-c|-p|-P|-u|--class|--classdata|--pid|--pgid|--uid|-i|-o|-e|-f|"
     "--format|--output|-s|-E|-a|-b|-I|-O|-S|-X|-t|--target|-G|--setuid|--setgid|-w|--unit|"
     "--property|-p",
     NULL},
    {"timeout", WR_SKIP1, "-s|-k|--signal|--kill-after", NULL},
    {"chroot", WR_SKIP1, "--userspec|--groups", NULL},
    {"xargs", WR_XARGS,
     "-I|-n|-P|-L|-s|-d|-E|-a|--max-args|--max-procs|--delimiter|--arg-file|--replace|"
     "--max-lines|--max-chars|--eof|--process-slot-var",
     NULL},
    {"find", WR_FIND, "", NULL},
    {"watch", WR_WATCH, "-n|--interval|-d", NULL},
    {"parallel", WR_PARALLEL,
     "-j|--jobs|-S|--sshlogin|--joblog|-a|--arg-file|--delay|--timeout|-N|-n|-L|--colsep|-d|"
     "--delimiter|-I|--results|--tmpdir|--halt",
     NULL},
    {SHELLS, WR_SHELL, "-o|-O|+O|+o|--rcfile|--init-file", NULL},
    {"eval", WR_EVAL, "", NULL},
    {"source|.", WR_SOURCE, "", NULL},
    {"su|runuser", WR_SU, "-s|--shell|-g|--group|-G|--supp-group|-u|-w", NULL},
    {"flock", WR_FLOCK, "-w|-E|--timeout|--conflict-exit-code", NULL},
    {"script", WR_SCRIPT, "-t|-T|-I|-O|-B|-m|-E", NULL},
    {"ssh", WR_SSH, "-b|-c|-D|-E|-e|-F|-I|-i|-J|-L|-l|-m|-O|-o|-p|-Q|-R|-S|-W|-w|-B|-P", NULL},
    {"busybox|toybox", WR_BUSYBOX, "", NULL},
    {"npx|bunx|pnpx", WR_NPX, "-p|--package", NULL},
    {"poetry|uv|pipenv|hatch|pdm|rye", WR_SUBPREFIX,
     "--with|-p|--python|--project|--directory|--package|--extra|--group|--env-file|-e|--env",
     "run"},
    {"bundle|rbenv|pyenv|asdf|mise|pnpm|direnv", WR_SUBPREFIX, "", "exec"},
    {"npm", WR_SUBPREFIX, "-p|--package|-w|--workspace", "exec"},
    {"yarn|pnpm", WR_SUBPREFIX, "", "dlx"},
    {"conda|mamba|micromamba", WR_SUBPREFIX, "-n|--name|-p|--prefix", "run"},
    {"cargo", WR_SUBPREFIX, "", "--"},
    {"docker|kubectl|oc", WR_EXEC_IN,
     "-e|--env|-u|--user|-w|--workdir|--env-file|--detach-keys|-n|--namespace|-c|--container|"
     "--context|--kubeconfig|-f|--filename",
     "exec"},
};

enum strip { S_NEXT, S_RULES, S_DONE };

/* Index of the first arg after the options (from index `from`), honouring
 * "--" and skipping the values of valopts. */
static size_t
skip_opts(struct ag_exec_ctx *x, const struct ag_xview *v, size_t from, const char *valopts)
{
	size_t i = from;
	while (i < v->n) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->len < 2 || (a->s[0] != '-' && a->s[0] != '+'))
			break;
		if (strcmp(a->s, "--") == 0)
			return i + 1;
		int takes = 0;
		if (valopts[0] != '\0' && !strchr(a->s, '=')) {
			/* exact word in the list */
			size_t n = a->len;
			for (const char *p = valopts; *p;) {
				const char *bar = strchr(p, '|');
				size_t len = bar ? (size_t)(bar - p) : strlen(p);
				if (len == n && memcmp(p, a->s, n) == 0)
					takes = 1;
				if (!bar)
					break;
				p = bar + 1;
			}
		}
		i += takes ? 2 : 1;
	}
	return i > v->n ? v->n : i;
}

/* Drops the first k args of the view. */
static void
advance(struct ag_xview *v, size_t k)
{
	if (k > v->n)
		k = v->n;
	v->off += k;
	v->n -= k;
}

/* Makes the view's args the top of the stack, so args can be appended. */
static void
view_to_top(struct ag_exec_ctx *x, struct ag_xview *v)
{
	if (v->off + v->n == x->nxa)
		return;
	size_t off = x->nxa;
	for (size_t i = 0; i < v->n; i++) {
		struct ag_xarg a = x->xa[v->off + i];
		ag_exec_push(x, &a);
	}
	v->off = off;
}

static void
append_arg(struct ag_exec_ctx *x, struct ag_xview *v, const char *s, size_t len, int start, int end,
           unsigned flags)
{
	view_to_top(x, v);
	struct ag_xarg a = {ag_exec_strdup(x, s, len), len, start, end, -1, flags | AG_X_SYNTH};
	if (len > 4096)
		a.len = 4096;
	ag_exec_push(x, &a);
	v->n++;
}

/* What a command that reads from stdin gets: judged for shells and
 * interpreters alike. Returns 1 when something was found to judge. */
static int
stdin_source(struct ag_exec_ctx *x, const struct ag_xview *v, const char *who, int shell,
             enum ag_exec_lang lang)
{
	const struct ag_sh *sh = &x->sh;
	const struct ag_sh_cmd *c = &sh->cmds[v->cmd];
	int s0, e0;
	ag_exec_span(x, v, 0, 1, &s0, &e0);
	for (int k = 0; k < c->nredir; k++) {
		const struct ag_sh_redir *r = &sh->redirs[c->redir0 + k];
		int w = r->op == AG_SH_R_HEREDOC      ? r->body
		        : r->op == AG_SH_R_HERESTRING ? r->target
		                                      : -1;
		if (w < 0)
			continue;
		if (sh->words[w].flags & AG_SH_W_SUBST) {
			unsigned sk = ag_exec_subst_kinds(x, v->cmd, w);
			if (sk & AG_CK_DOWNLOAD)
				ag_exec_add(x, 90, WEAKENING, r->start, r->end,
				            "runs downloaded code with %s", who);
		}
		if (shell)
			queue_word(x, v->cmd, w);
		else
			ag_exec_code(x, v->cmd, lang, w, 0, ag_sh_wtext(sh, w), sh->words[w].len,
			             sh->words[w].start, sh->words[w].end);
		return 1;
	}
	int from;
	unsigned up = ag_exec_upstream(x, v->cmd, &from);
	if (from < 0)
		return 0;
	if (up & AG_CK_DOWNLOAD) {
		ag_exec_add(x, 85, WEAKENING, s0, e0, "pipes a download straight into %s", who);
		return 1;
	}
	if (up & AG_CK_DECODE) {
		ag_exec_add(x, 85, WEAKENING, s0, e0, "runs decoded (obfuscated) text with %s",
		            who);
		return 1;
	}
	const struct ag_sh_cmd *f = &sh->cmds[from];
	if ((up & AG_CK_ECHO) && f->nwords >= 2) {
		/* echo 'rm -rf /' | sh: judge the text. */
		int first = 1;
		const char *fmt = ag_sh_wtext(sh, f->word0);
		if (strcmp(fmt, "echo") == 0)
			while (first < f->nwords && ag_sh_wtext(sh, f->word0 + first)[0] == '-')
				first++;
		if (first >= f->nwords)
			return 1;
		if (shell && f->nwords - first == 1 &&
		    !strchr(ag_sh_wtext(sh, f->word0 + first), '\\')) {
			queue_word(x, v->cmd, f->word0 + first);
			return 1;
		}
		/* Several words or escapes: decode \n and \t, join with spaces. */
		char buf[4096];
		size_t n = 0;
		for (int k = first; k < f->nwords && n + 2 < sizeof buf; k++) {
			const char *t = ag_sh_wtext(sh, f->word0 + k);
			if (n > 0)
				buf[n++] = ' ';
			for (size_t i = 0; t[i] != '\0' && n + 1 < sizeof buf; i++) {
				if (t[i] == '\\' && (t[i + 1] == 'n' || t[i + 1] == 't')) {
					buf[n++] = t[i + 1] == 'n' ? '\n' : '\t';
					i++;
				} else {
					buf[n++] = t[i];
				}
			}
		}
		int fs = sh->words[f->word0 + first].start,
		    fe = sh->words[f->word0 + f->nwords - 1].end;
		if (shell) {
			struct ag_reparse r = {v->cmd, -1, 0, n, ag_exec_strdup(x, buf, n), fs, fe};
			ag_exec_queue(x, &r);
		} else {
			ag_exec_code(x, v->cmd, lang, -1, 0, buf, n, fs, fe);
		}
		return 1;
	}
	if (up & AG_CK_SECRET)
		return 1;
	ag_exec_add(x, shell ? 35 : 25, WEAKENING, s0, e0,
	            "runs text piped in from another command with %s", who);
	return 1;
}

/* A script file given to a shell or interpreter: <(curl …) is a download. */
static void
script_arg(struct ag_exec_ctx *x, const struct ag_xview *v, size_t i, const char *who)
{
	const struct ag_xarg *a = ag_exec_arg(x, v, i);
	if (ag_exec_downloaded(x, a->s, a->len)) {
		ag_exec_add(x, 80, WEAKENING, a->start, a->end,
		            "runs a script this command downloaded: %.*s",
		            (int)(a->len > 60 ? 60 : a->len), a->s);
		return;
	}
	if (!(a->flags & AG_SH_W_SUBST))
		return;
	unsigned k = ag_exec_subst_kinds(x, v->cmd, a->word);
	if (k & AG_CK_DOWNLOAD)
		ag_exec_add(x, 90, WEAKENING, a->start, a->end,
		            "runs downloaded code with %s: %.*s", who,
		            (int)(a->len > 60 ? 60 : a->len), a->s);
	else if (k & AG_CK_DECODE)
		ag_exec_add(x, 85, WEAKENING, a->start, a->end,
		            "runs decoded (obfuscated) code with %s", who);
}

/* A shell: -c TEXT, a script, or stdin. */
static enum strip
wrap_shell(struct ag_exec_ctx *x, struct ag_xview *v, const struct wrapper *w)
{
	int has_c = 0, has_s = 0;
	size_t i = 1;
	while (i < v->n) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->len == 1 && a->s[0] == '-') {
			has_s = 1; /* sh - : the script is stdin */
			break;
		}
		if (a->len < 2 || (a->s[0] != '-' && a->s[0] != '+'))
			break;
		if (strcmp(a->s, "--") == 0) {
			i++;
			break;
		}
		if (name_in(a->s, w->valopts)) {
			i += 2;
			continue;
		}
		if (a->s[0] == '-' && a->s[1] != '-' && strchr(a->s, 'c') != NULL)
			has_c = 1;
		if (a->s[0] == '-' && a->s[1] != '-' && strchr(a->s, 's') != NULL)
			has_s = 1;
		i++;
	}
	if (i > v->n)
		i = v->n;
	char who[80];
	snprintf(who, sizeof who, "%s", v->name);
	if (has_c) {
		if (i >= v->n)
			return S_DONE;
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->flags & AG_SH_W_SUBST) {
			unsigned k = ag_exec_subst_kinds(x, v->cmd, a->word);
			if (k & AG_CK_DOWNLOAD)
				ag_exec_add(x, 90, WEAKENING, a->start, a->end,
				            "runs downloaded code with %s -c", who);
			else if (k & AG_CK_DECODE)
				ag_exec_add(x, 85, WEAKENING, a->start, a->end,
				            "runs decoded (obfuscated) code with %s -c", who);
		}
		queue_args(x, v, i, i + 1);
		return S_DONE;
	}
	if (i < v->n && !has_s) {
		script_arg(x, v, i, who);
		return S_DONE;
	}
	stdin_source(x, v, who, 1, AG_LANG_OTHER);
	return S_DONE;
}

/* find: -exec/-execdir/-ok segments run with {} standing for what was found. */
static void
find_exec(struct ag_exec_ctx *x, struct ag_xview *v, int level, const char *found)
{
	for (size_t i = 1; i < v->n; i++) {
		const char *t = ag_exec_arg(x, v, i)->s;
		if (strcmp(t, "-exec") != 0 && strcmp(t, "-execdir") != 0 &&
		    strcmp(t, "-ok") != 0 && strcmp(t, "-okdir") != 0)
			continue;
		size_t end = i + 1;
		while (end < v->n && strcmp(ag_exec_arg(x, v, end)->s, ";") != 0 &&
		       strcmp(ag_exec_arg(x, v, end)->s, "+") != 0)
			end++;
		size_t mark = x->nxa;
		struct ag_xview sub = {x->nxa, 0, v->cmd, "", v->flags};
		for (size_t k = i + 1; k < end; k++) {
			struct ag_xarg a = *ag_exec_arg(x, v, k);
			if (strstr(a.s, "{}") != NULL) {
				a.s = found;
				a.len = strlen(found);
				a.flags |= AG_X_SYNTH;
			}
			ag_exec_push(x, &a);
			sub.n++;
		}
		if (sub.n > 0)
			ag_exec_view(x, &sub, level + 1);
		x->nxa = mark;
		i = end;
	}
}

/* What find's {} stands for: each root itself when nothing filters (find /
 * -delete is all of /), else something below it. */
const char *
ag_exec_find_found(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	static const char *const filters[] = {
	    "-name",      "-iname",      "-path",    "-ipath",   "-regex", "-iregex",
	    "-newer",     "-mtime",      "-mmin",    "-atime",   "-amin",  "-ctime",
	    "-cmin",      "-size",       "-user",    "-group",   "-perm",  "-empty",
	    "-wholename", "-iwholename", "-lname",   "-ilname",  "-links", "-inum",
	    "-samefile",  "-nouser",     "-nogroup", "-newermt", "-used",  NULL};
	int filtered = 0;
	const char *root = ".";
	int have_root = 0;
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (!have_root && a->s[0] != '-' && a->s[0] != '(' && a->s[0] != '!') {
			root = a->s;
			have_root = 1;
			continue;
		}
		if (a->s[0] == '-' && a->s[1] != '\0' && strcmp(a->s, "-H") && strcmp(a->s, "-L") &&
		    strcmp(a->s, "-P"))
			have_root = 1; /* the expression started */
		for (size_t f = 0; filters[f] != NULL; f++)
			if (strcmp(a->s, filters[f]) == 0)
				filtered = 1;
	}
	if (!filtered)
		return root;
	char buf[4200];
	int n = snprintf(buf, sizeof buf, "%s/{}", root);
	return ag_exec_strdup(x, buf, n > 0 ? (size_t)n : 0);
}

/* xargs: arguments from stdin are appended; where they come from is known
 * when an echo or find feeds it. */
static void
xargs_input(struct ag_exec_ctx *x, struct ag_xview *v)
{
	int from;
	ag_exec_upstream(x, v->cmd, &from);
	const struct ag_sh *sh = &x->sh;
	if (from >= 0) {
		const struct ag_sh_cmd *f = &sh->cmds[from];
		char name[64];
		const char *t0 = ag_sh_wtext(sh, f->word0);
		ag_exec_name(t0, strlen(t0), name, sizeof name);
		if (name_in(name, "echo|printf")) {
			for (int k = 1; k < f->nwords; k++) {
				const struct ag_sh_word *w = &sh->words[f->word0 + k];
				const char *t = sh->text + w->text;
				if (k == 1 && t[0] == '-')
					continue;
				/* echo "a b" splits into two arguments for xargs. */
				for (const char *p = t; *p;) {
					while (*p == ' ' || *p == '\t' || *p == '\n')
						p++;
					const char *e = p;
					while (*e && *e != ' ' && *e != '\t' && *e != '\n')
						e++;
					if (e > p)
						append_arg(x, v, p, (size_t)(e - p), w->start,
						           w->end, 0);
					p = e;
				}
			}
			return;
		}
		if (strcmp(name, "find") == 0) {
			size_t mark = x->nxa;
			struct ag_xview fv = {x->nxa, 0, from, "find", 0};
			for (int k = 0; k < f->nwords; k++) {
				const struct ag_sh_word *w = &sh->words[f->word0 + k];
				struct ag_xarg a = {sh->text + w->text, w->len,  w->start, w->end,
				                    f->word0 + k,       w->flags};
				ag_exec_push(x, &a);
				fv.n++;
			}
			const char *found = ag_exec_find_found(x, &fv);
			x->nxa = mark;
			append_arg(x, v, found, strlen(found), sh->words[f->word0].start,
			           sh->words[f->word0 + f->nwords - 1].end, 0);
			return;
		}
	}
	int s0, e0;
	ag_exec_span(x, v, 0, 1, &s0, &e0);
	append_arg(x, v, "$(stdin)", 8, s0, e0, AG_SH_W_SUBST);
}

static enum strip
strip_wrapper(struct ag_exec_ctx *x, struct ag_xview *v, const struct wrapper *w, int level)
{
	int s0, e0;
	ag_exec_span(x, v, 0, 1, &s0, &e0);
	size_t i;
	switch (w->kind) {
	case WR_PREFIX:
		i = skip_opts(x, v, 1, w->valopts);
		if (i >= v->n)
			return S_DONE;
		advance(v, i);
		return S_NEXT;
	case WR_SKIP1:
		i = skip_opts(x, v, 1, w->valopts) + 1;
		if (i >= v->n)
			return strcmp(v->name, "chroot") == 0 ? S_RULES : S_DONE;
		advance(v, i);
		return S_NEXT;
	case WR_SUDO:
		i = skip_opts(x, v, 1, w->valopts);
		if (ag_exec_opt(x, v, "-l|-v|-k|-K|--list|--validate|--reset-timestamp") &&
		    i >= v->n)
			return S_DONE;
		v->flags |= AG_V_ROOT;
		if (i >= v->n) {
			if (ag_exec_opt(x, v, "-i|-s|--login|--shell"))
				ag_exec_add(x, 45, WEAKENING, s0, e0, "opens a root shell (%s)",
				            v->name);
			return S_DONE;
		}
		ag_exec_add(x, 30, 0, s0, e0, "runs as root (%s)", v->name);
		while (i < v->n &&
		       is_assignment(ag_exec_arg(x, v, i)->s, ag_exec_arg(x, v, i)->len)) {
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			score_assign(x, a->s, a->len, a->start, a->end);
			i++;
		}
		if (i >= v->n)
			return S_DONE;
		advance(v, i);
		return S_NEXT;
	case WR_ENV: {
		size_t split = ag_exec_opt(x, v, "-S|--split-string");
		if (split > 0) {
			const struct ag_xarg *a = ag_exec_arg(x, v, split);
			const char *eq = strchr(a->s, '=');
			if (eq != NULL && a->s[1] == '-') {
				struct ag_reparse r = {v->cmd,
				                       -1,
				                       0,
				                       strlen(eq + 1),
				                       ag_exec_strdup(x, eq + 1, strlen(eq + 1)),
				                       a->start,
				                       a->end};
				ag_exec_queue(x, &r);
			} else if (a->len > 2 && a->s[1] == 'S') {
				struct ag_reparse r = {v->cmd,
				                       -1,
				                       0,
				                       a->len - 2,
				                       ag_exec_strdup(x, a->s + 2, a->len - 2),
				                       a->start,
				                       a->end};
				ag_exec_queue(x, &r);
			} else {
				queue_args(x, v, split + 1, split + 2);
			}
			return S_DONE;
		}
		i = skip_opts(x, v, 1, w->valopts);
		while (i < v->n &&
		       is_assignment(ag_exec_arg(x, v, i)->s, ag_exec_arg(x, v, i)->len)) {
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			score_assign(x, a->s, a->len, a->start, a->end);
			i++;
		}
		if (i >= v->n)
			return i == 1 || !ag_exec_opt(x, v, "-i|--ignore-environment|-") ? S_RULES
			                                                                 : S_DONE;
		advance(v, i);
		return S_NEXT;
	}
	case WR_COMMAND:
		if (ag_exec_opt(x, v, "-v|-V"))
			return S_DONE;
		i = skip_opts(x, v, 1, "");
		if (i >= v->n)
			return S_DONE;
		advance(v, i);
		return S_NEXT;
	case WR_EXEC:
		i = skip_opts(x, v, 1, w->valopts);
		if (i >= v->n)
			return S_DONE;
		advance(v, i);
		return S_NEXT;
	case WR_XARGS:
		i = skip_opts(x, v, 1, w->valopts);
		if (i >= v->n) {
			return S_DONE; /* xargs alone runs echo */
		}
		advance(v, i);
		v->flags |= AG_V_STDIN;
		xargs_input(x, v);
		return S_NEXT;
	case WR_FIND: find_exec(x, v, level, ag_exec_find_found(x, v)); return S_RULES;
	case WR_WATCH:
		i = skip_opts(x, v, 1, w->valopts);
		if (i >= v->n)
			return S_DONE;
		if (ag_exec_opt(x, v, "-x|--exec")) {
			advance(v, i);
			return S_NEXT;
		}
		queue_args(x, v, i, v->n);
		return S_DONE;
	case WR_PARALLEL: {
		i = skip_opts(x, v, 1, w->valopts);
		size_t end = i;
		while (end < v->n && strncmp(ag_exec_arg(x, v, end)->s, ":::", 3) != 0)
			end++;
		if (i >= end)
			return S_DONE;
		if (end == i + 1 && strchr(ag_exec_arg(x, v, i)->s, ' ') != NULL) {
			queue_args(x, v, i, i + 1);
			return S_DONE;
		}
		/* command ::: a b c: the values stand in for {} (or are appended). */
		size_t mark_n = v->n;
		struct ag_xview cmd = *v;
		cmd.off = v->off + i;
		cmd.n = end - i;
		view_to_top(x, &cmd);
		for (size_t k = end; k < mark_n; k++) {
			const struct ag_xarg *a = ag_exec_arg(x, v, k);
			if (strncmp(a->s, ":::", 3) == 0)
				continue;
			struct ag_xarg copy = *a;
			ag_exec_push(x, &copy);
			cmd.n++;
		}
		*v = cmd;
		return S_NEXT;
	}
	case WR_SHELL: return wrap_shell(x, v, w);
	case WR_EVAL:
		for (size_t k = 1; k < v->n; k++) {
			const struct ag_xarg *a = ag_exec_arg(x, v, k);
			if (!(a->flags & AG_SH_W_SUBST))
				continue;
			unsigned kk = ag_exec_subst_kinds(x, v->cmd, a->word);
			if (kk & AG_CK_DOWNLOAD)
				ag_exec_add(x, 90, WEAKENING, a->start, a->end,
				            "evaluates downloaded code: %.*s",
				            (int)(a->len > 60 ? 60 : a->len), a->s);
			else if (kk & AG_CK_DECODE)
				ag_exec_add(x, 85, WEAKENING, a->start, a->end,
				            "evaluates decoded (obfuscated) code");
		}
		queue_args(x, v, 1, v->n);
		return S_DONE;
	case WR_SOURCE:
		if (v->n >= 2)
			script_arg(x, v, 1, v->name);
		else
			stdin_source(x, v, v->name, 1, AG_LANG_OTHER);
		return S_DONE;
	case WR_SU: {
		size_t c = ag_exec_opt(x, v, "-c|--command");
		if (c > 0) {
			const struct ag_xarg *a = ag_exec_arg(x, v, c);
			(void)a;
			ag_exec_add(x, 30, 0, s0, e0, "runs as another user (%s)", v->name);
			queue_value(x, v, c);
			return S_DONE;
		}
		if (strcmp(v->name, "runuser") == 0) {
			i = skip_opts(x, v, 1, w->valopts);
			if (i < v->n) {
				advance(v, i);
				return S_NEXT;
			}
		}
		ag_exec_add(x, 45, WEAKENING, s0, e0, "opens a shell as another user (%s)",
		            v->name);
		return S_DONE;
	}
	case WR_FLOCK: {
		size_t c = ag_exec_opt(x, v, "-c|--command");
		if (c > 0) {
			queue_value(x, v, c);
			return S_DONE;
		}
		i = skip_opts(x, v, 1, w->valopts) + 1;
		if (i >= v->n)
			return S_DONE;
		advance(v, i);
		return S_NEXT;
	}
	case WR_SCRIPT: {
		size_t c = ag_exec_opt(x, v, "-c|--command");
		if (c > 0)
			queue_value(x, v, c);
		return S_DONE;
	}
	case WR_SSH: {
		ag_exec_rules(x, v);
		i = skip_opts(x, v, 1, w->valopts);
		if (i + 1 < v->n)
			queue_args(x, v, i + 1, v->n);
		return S_DONE;
	}
	case WR_BUSYBOX:
		if (v->n < 2 || ag_exec_arg(x, v, 1)->s[0] == '-')
			return S_DONE;
		advance(v, 1);
		return S_NEXT;
	case WR_NPX: {
		size_t c = ag_exec_opt(x, v, "-c|--call");
		if (c > 0) {
			queue_value(x, v, c);
			return S_DONE;
		}
		i = skip_opts(x, v, 1, w->valopts);
		if (i >= v->n)
			return S_DONE;
		advance(v, i);
		return S_NEXT;
	}
	case WR_EXEC_IN: {
		/* what runs inside a container or pod: its own paths, but the
		 * same databases and the same network */
		size_t dd = 0;
		for (size_t k = 2; k < v->n && dd == 0; k++)
			if (strcmp(ag_exec_arg(x, v, k)->s, "--") == 0)
				dd = k;
		if (dd != 0)
			i = dd + 1;
		else
			i = skip_opts(x, v, 2, w->valopts) + 1;
		if (i >= v->n)
			return S_RULES;
		ag_exec_rules(x, v);
		advance(v, i);
		return S_NEXT;
	}
	case WR_SUBPREFIX:
		if (v->n < 2 || strcmp(ag_exec_arg(x, v, 1)->s, w->sub) != 0)
			return S_RULES;
		i = skip_opts(x, v, 2, w->valopts);
		if (i >= v->n)
			return S_DONE;
		advance(v, i);
		return S_NEXT;
	}
	return S_RULES;
}

/* ---- interpreters ------------------------------------------------------------------------ */

struct interp {
	const char *names;
	enum ag_exec_lang lang;
	char code_opt;         /* the letter whose value is code: python -c, perl -e */
	const char *long_code; /* "--eval|--print" */
	const char *valopts;
};

static const struct interp interps[] = {
    {"python", AG_LANG_PYTHON, 'c', "", "-W|-X|--check-hash-based-pycs"},
    {"node|deno|bun", AG_LANG_NODE, 'e', "--eval|--print|-p",
     "-r|--require|--import|--loader|--experimental-loader|--env-file"},
    {"perl", AG_LANG_PERL, 'e', "-E", "-I|-M|-m|-x"},
    {"ruby", AG_LANG_RUBY, 'e', "", "-I|-r|-C"},
    {"php", AG_LANG_PHP, 'r', "", "-d|-c|-z"},
    {"lua|luajit", AG_LANG_OTHER, 'e', "", "-l"},
    {"osascript", AG_LANG_OTHER, 'e', "", ""},
    {"awk", AG_LANG_AWK, 0, "", "-F|-v|-f|--field-separator|--assign|--file"},
};

/* Wrappers and interpreters by name: a sorted index built once, since
 * every command is looked up in both tables. */
struct name_ix {
	char name[40];
	unsigned char table; /* 0 wrappers, 1 interpreters */
	unsigned short idx;
};

static struct name_ix *name_index;
static size_t name_count;
static pthread_once_t name_once = PTHREAD_ONCE_INIT;
static struct ag_name_map name_map;

static int
name_ix_cmp(const void *a, const void *b)
{
	const struct name_ix *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c == 0)
		c = (int)x->table - (int)y->table;
	return c != 0 ? c : (int)x->idx - (int)y->idx;
}

static void
name_ix_add(const char *list, unsigned char table, size_t idx, int count_only)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, "|");
		if (!count_only) {
			struct name_ix *e = &name_index[name_count];
			if (n >= sizeof e->name)
				n = sizeof e->name - 1;
			memcpy(e->name, p, n);
			e->name[n] = '\0';
			e->table = table;
			e->idx = (unsigned short)idx;
		}
		name_count++;
		p += strcspn(p, "|");
		if (*p == '|')
			p++;
	}
}

static void
name_ix_build(void)
{
	for (int pass = 0; pass < 2; pass++) {
		name_count = 0;
		for (size_t i = 0; i < sizeof wrappers / sizeof wrappers[0]; i++)
			name_ix_add(wrappers[i].names, 0, i, pass == 0);
		for (size_t i = 0; i < sizeof interps / sizeof interps[0]; i++)
			name_ix_add(interps[i].names, 1, i, pass == 0);
		if (pass == 0) {
			/* Kept for the life of the process: the tables are static. */
			name_index = calloc(name_count, sizeof *name_index);
			if (name_index == NULL)
				abort();
		}
	}
	qsort(name_index, name_count, sizeof *name_index, name_ix_cmp);
	ag_name_map_build(&name_map, name_index, name_count, sizeof *name_index,
	                  offsetof(struct name_ix, name));
}

/* The run [*lo, *hi) of index entries for (name, table); empty when none.
 * Entries of one name are sorted by table, wrappers first. */
static void
name_ix_find(const char *name, unsigned char table, size_t *lo, size_t *hi)
{
	pthread_once(&name_once, name_ix_build);
	size_t a, b;
	*lo = *hi = 0;
	if (!ag_name_map_find(&name_map, name, &a, &b))
		return;
	while (a < b && name_index[a].table != table)
		a++;
	*lo = a;
	while (a < b && name_index[a].table == table)
		a++;
	*hi = a;
}

/* The wrapper a command is, if any: for "poetry run" and the like only
 * when the word that makes it one follows. */
static const struct wrapper *
find_wrapper(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	size_t lo, hi;
	name_ix_find(v->name, 0, &lo, &hi);
	for (size_t k = lo; k < hi; k++) {
		const struct wrapper *w = &wrappers[name_index[k].idx];
		if ((w->kind == WR_SUBPREFIX || w->kind == WR_EXEC_IN) &&
		    (v->n < 2 || strcmp(ag_exec_arg(x, v, 1)->s, w->sub) != 0))
			continue;
		return w;
	}
	return NULL;
}

/* Judges an interpreter call; returns 1 when the view was one. */
static int
interpreter(struct ag_exec_ctx *x, struct ag_xview *v)
{
	size_t lo, hi;
	name_ix_find(v->name, 1, &lo, &hi);
	const struct interp *in = lo < hi ? &interps[name_index[lo].idx] : NULL;
	if (in == NULL)
		return 0;
	const struct ag_sh *sh = &x->sh;
	int found_code = 0;
	size_t i = 1;
	for (; i < v->n; i++) {
		const struct ag_xarg *a = ag_exec_arg(x, v, i);
		if (a->len < 2 || a->s[0] != '-')
			break;
		if (strcmp(a->s, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(v->name, "python") == 0 && strcmp(a->s, "-m") == 0) {
			/* python -m pip …: judge as pip; -m http.server serves files. */
			if (i + 1 < v->n) {
				const char *mod = ag_exec_arg(x, v, i + 1)->s;
				if (strcmp(mod, "http.server") == 0 ||
				    strcmp(mod, "SimpleHTTPServer") == 0) {
					ag_exec_add(x, 30, EXFIL, a->start,
					            ag_exec_arg(x, v, i + 1)->end,
					            "serves the directory over HTTP");
					return 1;
				}
				advance(v, i + 1);
				ag_exec_name(ag_exec_arg(x, v, 0)->s, ag_exec_arg(x, v, 0)->len,
				             v->name, sizeof v->name);
				return 0;
			}
			return 1;
		}
		if (name_in(a->s, in->valopts)) {
			i++;
			continue;
		}
		const char *code = NULL;
		size_t off = 0;
		int word = a->word;
		if (in->long_code[0] != '\0' && name_in(a->s, in->long_code)) {
			if (i + 1 < v->n) {
				const struct ag_xarg *c = ag_exec_arg(x, v, i + 1);
				code = c->s;
				word = c->word;
				a = c;
			}
		} else if (in->code_opt != 0 && a->s[1] != '-') {
			const char *p = strchr(a->s + 1, in->code_opt);
			/* Only inside a bundle of letters: -pie, -lne, -Sc. */
			int letters = 1;
			for (const char *q = a->s + 1; p != NULL && q < p; q++)
				letters &= (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z');
			if (p != NULL && letters) {
				if (p[1] == '\0') {
					if (i + 1 < v->n) {
						const struct ag_xarg *c = ag_exec_arg(x, v, i + 1);
						code = c->s;
						word = c->word;
						a = c;
					}
				} else {
					code = p + 1;
					off = (size_t)(p + 1 - a->s);
				}
			}
		}
		if (code != NULL) {
			if (a->flags & AG_SH_W_SUBST) {
				unsigned k = ag_exec_subst_kinds(x, v->cmd, a->word);
				if (k & AG_CK_DOWNLOAD)
					ag_exec_add(x, 90, WEAKENING, a->start, a->end,
					            "runs downloaded code with %s", v->name);
			}
			ag_exec_code(x, v->cmd, in->lang, (a->flags & AG_X_SYNTH) ? -1 : word, off,
			             code, strlen(code), a->start, a->end);
			found_code = 1;
			if (strcmp(v->name, "perl") == 0)
				continue; /* perl -i -pe CODE FILES: files are judged by rules */
			return 1;
		}
	}
	if (found_code)
		return 0;
	if (in->lang == AG_LANG_AWK) {
		size_t p = ag_exec_pos(x, v, in->valopts, 0);
		if (p > 0 && !ag_exec_opt(x, v, "-f|--file")) {
			const struct ag_xarg *a = ag_exec_arg(x, v, p);
			ag_exec_code(x, v->cmd, AG_LANG_AWK, (a->flags & AG_X_SYNTH) ? -1 : a->word,
			             0, a->s, a->len, a->start, a->end);
		}
		return 0; /* awk also reads files: rules */
	}
	if (i < v->n && strcmp(ag_exec_arg(x, v, i)->s, "-") != 0) {
		script_arg(x, v, i, v->name);
		return 0; /* python manage.py flush: rules */
	}
	(void)sh;
	stdin_source(x, v, v->name, 0, in->lang);
	return 1;
}

/* ---- a command whose name is computed -------------------------------------------------------- */

/* $(echo rm) -rf /: the name is what the echo prints. Queues the echo's
 * words and the rest of the command as shell text; returns 1 when it did. */
static int
echo_command(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	const struct ag_sh *sh = &x->sh;
	const struct ag_xarg *a = ag_exec_arg(x, v, 0);
	const struct ag_sh_cmd *echo = NULL;
	for (size_t j = (size_t)v->cmd + 1;
	     j < (size_t)sh->cmds[v->cmd].nested_end && j < sh->ncmds; j++) {
		const struct ag_sh_cmd *c = &sh->cmds[j];
		if (c->parent != v->cmd || c->parent_word != a->word || c->nwords == 0)
			continue;
		if (echo != NULL)
			return 0; /* more than one command: not a plain echo */
		echo = c;
	}
	if (echo == NULL)
		return 0;
	char name[64];
	const char *t0 = ag_sh_wtext(sh, echo->word0);
	ag_exec_name(t0, strlen(t0), name, sizeof name);
	if (!name_in(name, "echo|printf"))
		return 0;
	char buf[4096];
	size_t n = 0;
	for (int k = 1; k < echo->nwords; k++) {
		const char *t = ag_sh_wtext(sh, echo->word0 + k);
		if (k == 1 && t[0] == '-' && strcmp(name, "echo") == 0)
			continue;
		size_t len = strlen(t);
		if (n + len + 2 >= sizeof buf)
			break;
		if (n > 0)
			buf[n++] = ' ';
		memcpy(buf + n, t, len);
		n += len;
	}
	for (size_t i = 1; i < v->n; i++) {
		const struct ag_xarg *b = ag_exec_arg(x, v, i);
		if (n + b->len + 2 >= sizeof buf)
			break;
		buf[n++] = ' ';
		memcpy(buf + n, b->s, b->len);
		n += b->len;
	}
	int s, e;
	ag_exec_span(x, v, 0, v->n, &s, &e);
	struct ag_reparse r = {v->cmd, -1, 0, n, ag_exec_strdup(x, buf, n), s, e};
	ag_exec_queue(x, &r);
	return 1;
}

static void
dynamic_command(struct ag_exec_ctx *x, struct ag_xview *v)
{
	const struct ag_xarg *a = ag_exec_arg(x, v, 0);
	unsigned k = ag_exec_subst_kinds(x, v->cmd, a->word);
	if ((k & AG_CK_ECHO) && !(k & (AG_CK_DOWNLOAD | AG_CK_DECODE)) && echo_command(x, v))
		return;
	if (k & AG_CK_DOWNLOAD)
		ag_exec_add(x, 90, WEAKENING, a->start, a->end,
		            "runs a command downloaded at run time: %.*s",
		            (int)(a->len > 60 ? 60 : a->len), a->s);
	else if (k & AG_CK_DECODE)
		ag_exec_add(x, 85, WEAKENING, a->start, a->end,
		            "runs a command decoded at run time: %.*s",
		            (int)(a->len > 60 ? 60 : a->len), a->s);
	else
		ag_exec_add(x, 35, 0, a->start, a->end,
		            "the command name is computed at run time: %.*s",
		            (int)(a->len > 60 ? 60 : a->len), a->s);
	/* Whatever it is, -rf on / or ~ is what rm does. */
	if (ag_exec_opt(x, v, "-r|-R|--recursive") && ag_exec_opt(x, v, "-f|--force")) {
		for (size_t i = 1; i < v->n; i++) {
			const struct ag_xarg *t = ag_exec_arg(x, v, i);
			if (t->s[0] == '-')
				continue;
			enum ag_target c =
			    ag_exec_target(t->s, t->len, x->vcwd, x->vcwd_known, x->cwd);
			if (c == AG_T_ROOT || c == AG_T_HOME || c == AG_T_SYSTEM)
				ag_exec_add(x, 85, DESTRUCTIVE, t->start, t->end,
				            "an unknown command with -rf on %s: %.*s",
				            ag_exec_target_name(c),
				            (int)(t->len > 60 ? 60 : t->len), t->s);
		}
	}
}

/* Whether the command word is decided at run time. $HOME/bin/tool is not:
 * its name is. */
static int
is_dynamic(const struct ag_xarg *a)
{
	if (!(a->flags & (AG_SH_W_SUBST | AG_SH_W_EXPAND)))
		return 0;
	const char *slash = strrchr(a->s, '/');
	const char *base = slash ? slash + 1 : a->s;
	return *base == '\0' || strchr(base, '$') != NULL || strchr(base, '`') != NULL ||
	       strchr(base, ')') != NULL;
}

static int
inert(struct ag_exec_ctx *x, const struct ag_xview *v)
{
	for (size_t i = 1; i < v->n; i++) {
		const char *t = ag_exec_arg(x, v, i)->s;
		if (t[0] != '-' || t[1] != '-')
			continue; /* none of the three */
		if (strcmp(t, "--") == 0)
			break;
		if (strcmp(t, "--help") == 0 || strcmp(t, "--version") == 0)
			return 1;
	}
	return v->n == 2 && strcmp(ag_exec_arg(x, v, 1)->s, "-h") == 0 &&
	       !name_in(v->name, "df|du|ls|free|sort|ssh|ping");
}

void
ag_exec_view(struct ag_exec_ctx *x, struct ag_xview *v, int level)
{
	if (level > 8)
		return;
	for (int iter = 0; iter < 32 && v->n > 0; iter++) {
		const struct ag_xarg *a0 = ag_exec_arg(x, v, 0);
		if (is_dynamic(a0)) {
			dynamic_command(x, v);
			return;
		}
		ag_exec_name(a0->s, a0->len, v->name, sizeof v->name);
		if (inert(x, v))
			return;
		if (strchr(a0->s, '/') != NULL && ag_exec_downloaded(x, a0->s, a0->len))
			ag_exec_add(x, 80, WEAKENING, a0->start, a0->end,
			            "runs a program this command downloaded: %.*s",
			            (int)(a0->len > 60 ? 60 : a0->len), a0->s);
		const struct wrapper *w = find_wrapper(x, v);
		if (w == NULL) {
			if (interpreter(x, v))
				return;
			if (find_wrapper(x, v) != NULL && iter < 31)
				continue; /* python -m something that wraps */
			break;
		}
		enum strip s = strip_wrapper(x, v, w, level);
		if (s == S_DONE)
			return;
		if (s == S_RULES)
			break;
	}
	if (v->n == 0)
		return;
	if (strcmp(v->name, "cd") == 0 || strcmp(v->name, "pushd") == 0) {
		do_cd(x, v);
		return;
	}
	if (name_in(v->name, "export|declare|typeset|readonly|local")) {
		for (size_t i = 1; i < v->n; i++) {
			const struct ag_xarg *a = ag_exec_arg(x, v, i);
			score_assign(x, a->s, a->len, a->start, a->end);
		}
	}
	ag_exec_rules(x, v);
}

/* ---- one command
 * ---------------------------------------------------------------------------------- */

/* :(){ :|:& };: — a function that starts itself twice. */
static void
fork_bomb(struct ag_exec_ctx *x, int ci)
{
	const struct ag_sh *sh = &x->sh;
	const struct ag_sh_cmd *c = &sh->cmds[ci];
	if (c->func < 0 || c->nwords == 0)
		return;
	const struct ag_sh_cmd *f = &sh->cmds[c->func];
	if (f->nwords < 1 || strcmp(ag_sh_wtext(sh, f->word0), ag_sh_wtext(sh, c->word0)) != 0)
		return;
	if ((c->flags & AG_SH_C_BACKGROUND) || (c->pipe >= 0 && sh->pipes[c->pipe].nstages > 1)) {
		const struct ag_sh_word *w = &sh->words[c->word0];
		ag_exec_add(x, 90, DESTRUCTIVE, w->start, w->end,
		            "fork bomb: a function that keeps starting copies of itself");
	}
}

static void
score_cmd(struct ag_exec_ctx *x, int ci)
{
	const struct ag_sh *sh = &x->sh;
	const struct ag_sh_cmd *c = &sh->cmds[ci];
	if (c->flags & AG_SH_C_TEST)
		return;
	score_redirs(x, ci);
	for (int k = 0; k < c->nassign; k++) {
		const struct ag_sh_word *w = &sh->words[c->assign0 + k];
		score_assign(x, sh->text + w->text, w->len, w->start, w->end);
	}
	if (c->nwords == 0 || (c->flags & AG_SH_C_FUNCDEF))
		return;
	fork_bomb(x, ci);
	size_t mark = x->nxa;
	struct ag_xview v = {x->nxa, 0, ci, "", 0};
	for (int k = 0; k < c->nwords; k++) {
		const struct ag_sh_word *w = &sh->words[c->word0 + k];
		struct ag_xarg a = {sh->text + w->text, w->len,  w->start, w->end,
		                    c->word0 + k,       w->flags};
		ag_exec_push(x, &a);
		v.n++;
	}
	ag_exec_view(x, &v, 0);
	x->nxa = mark;
}

/* Parses what the last command queued (sh -c TEXT, eval, heredocs, …). */
static void
run_queue(struct ag_exec_ctx *x)
{
	for (size_t q = 0; q < x->nqueue; q++) {
		struct ag_reparse r = x->queue[q];
		const struct ag_sh_cmd *c = &x->sh.cmds[r.cmd];
		int depth = c->depth + 1;
		struct ag_sh_origin o;
		ag_sh_origin_root(&o);
		const char *text;
		if (r.syn != NULL) {
			text = r.syn;
			o.base = -1;
			o.span_start = r.span_start;
			o.span_end = r.span_end;
		} else {
			const struct ag_sh_word *w = &x->sh.words[r.word];
			text = x->sh.text + w->text + r.off;
			if (r.off + r.len > w->len)
				continue;
			if (w->src_base >= 0) {
				o.base = w->src_base + (int)r.off;
			} else {
				o.base = -1;
				o.span_start = w->start;
				o.span_end = w->end;
			}
		}
		int ss = r.syn ? r.span_start : x->sh.words[r.word].start;
		int se = r.syn ? r.span_end : x->sh.words[r.word].end;
		if (depth > AG_EXEC_MAX_DEPTH) {
			ag_exec_add(x, 50, WEAKENING, ss, se,
			            "shell commands nested too deep to analyse");
			continue;
		}
		/* Bounded in count and in bytes: nested evals re-parse their
		 * text at every level, so a large command must not turn into
		 * hundreds of copies of itself. */
		if (x->nreparsed >= AG_EXEC_MAX_REPARSE ||
		    x->reparsed_bytes + r.len > x->reparse_limit) {
			ag_exec_add(x, 50, WEAKENING, ss, se,
			            "too many nested shell commands to analyse");
			break;
		}
		x->nreparsed++;
		x->reparsed_bytes += r.len;
		/* The text lives in sh->text, which the parse appends to: copy. */
		if (r.len + 1 > x->caprbuf) {
			x->caprbuf = r.len + 1;
			x->rbuf = xrealloc(x->rbuf, x->caprbuf);
		}
		memcpy(x->rbuf, text, r.len);
		x->rbuf[r.len] = '\0';
		o.depth = depth;
		o.parent = r.cmd;
		o.parent_word = r.word;
		o.parent_pipe = c->pipe;
		o.parent_stage = c->stage;
		o.cflags = AG_SH_C_REPARSE;
		ag_sh_parse(&x->sh, x->rbuf, r.len, &o);
	}
	x->nqueue = 0;
}

static void
score_all(struct ag_exec_ctx *x)
{
	for (size_t ci = 0; ci < x->sh.ncmds; ci++) {
		score_cmd(x, (int)ci);
		run_queue(x);
	}
	if (x->sh.flags & AG_SH_TRUNCATED)
		ag_exec_add(x, 50, 0, -1, -1, "the command is too large to analyse completely");
	if (x->sh.flags & AG_SH_TOO_DEEP)
		ag_exec_add(x, 50, 0, -1, -1,
		            "the command is nested too deeply to analyse completely");
}

static void
flow_rules(struct ag_exec_ctx *x)
{
	if (x->flow_exhausted)
		ag_exec_add(x, 50, 0, -1, -1, "too many commands to follow where their data goes");
	if (x->secret_read && x->net_send)
		ag_exec_add(x, 90, EXFIL | CREDENTIAL, x->net_start, x->net_end,
		            "sends data over the network after reading %s",
		            x->secret_what ? x->secret_what : "a secret");
	if (x->outside_read && x->net_send && !x->secret_read)
		ag_exec_add(x, 60, EXFIL, x->net_start, x->net_end,
		            "sends a file from outside the workspace over the network");
	if (x->env_dump && x->net_send)
		ag_exec_add(x, 85, EXFIL | CREDENTIAL, x->net_start, x->net_end,
		            "sends the environment (API keys, tokens) over the network");
}

/* ---- the context
 * ------------------------------------------------------------------------------------- */

static __thread struct ag_exec_ctx *tls_ctx;

static void
ctx_release(struct ag_exec_ctx *x)
{
	ag_sh_free(&x->sh);
	free(x->xa);
	free(x->queue);
	free(x->rbuf);
	while (x->chunks) {
		struct ag_exec_chunk *n = x->chunks->next;
		free(x->chunks);
		x->chunks = n;
	}
	memset(x, 0, sizeof *x);
	ag_sh_init(&x->sh);
}

/* snprintf(dst, size, "%s", src) without the format machinery: it ran
 * twice per request. */
static void
copy_trunc(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static struct ag_exec_ctx *
ctx_get(const struct ag_request *req, struct ag_risk *out)
{
	struct ag_exec_ctx *x = tls_ctx;
	if (x == NULL) {
		x = xcalloc(1, sizeof *x);
		ag_sh_init(&x->sh);
		tls_ctx = x;
	}
	x->req = req;
	x->out = out;
	x->cwd = req->cwd ? req->cwd : "";
	copy_trunc(x->vcwd, sizeof x->vcwd, x->cwd);
	x->vcwd_known = 1;
	x->nxa = x->nqueue = x->nreparsed = 0;
	x->secret_read = x->net_send = x->env_dump = 0;
	x->secret_what = NULL;
	x->nadded = 0;
	x->flow_budget = 4096;
	x->flow_exhausted = 0;
	x->ndownloads = 0;
	x->outside_read = 0;
	/* Keep one chunk, emptied. */
	if (x->chunks) {
		while (x->chunks->next) {
			struct ag_exec_chunk *n = x->chunks->next;
			x->chunks->next = n->next;
			free(n);
		}
		x->chunks->used = 0;
	}
	ag_sh_reset(&x->sh);
	return x;
}

static void
ctx_done(struct ag_exec_ctx *x)
{
	size_t bytes = ag_sh_footprint(&x->sh) + x->capxa * sizeof *x->xa + x->caprbuf +
	               x->capqueue * sizeof *x->queue;
	if (bytes > KEEP_BYTES)
		ctx_release(x);
	x->req = NULL;
	x->out = NULL;
}

void
ag_risk_exec(const struct ag_request *req, struct ag_risk *out)
{
	if (req->kind != AG_KIND_EXEC)
		return;
	const struct ag_action_exec *e = &req->u.exec;
	struct ag_exec_ctx *x = ctx_get(req, out);
	size_t input = e->command != NULL ? strlen(e->command) : 0;
	for (size_t i = 0; e->argv != NULL && i < e->argc; i++)
		input += strlen(e->argv[i]);
	x->reparsed_bytes = 0;
	x->reparse_limit = 2 * input + 65536;
	if (e->command != NULL) {
		struct ag_sh_origin o;
		ag_sh_origin_root(&o);
		x->command = e->command;
		ag_sh_parse(&x->sh, e->command, strlen(e->command), &o);
		score_all(x);
	}
	if (e->argv != NULL && e->argc > 0) {
		/* argv runs without a shell; judged too, so the two cannot
		 * disagree in the agent's favour. */
		ag_sh_reset(&x->sh);
		x->vcwd_known = 1;
		copy_trunc(x->vcwd, sizeof x->vcwd, x->cwd);
		ag_sh_add_argv(&x->sh, (const char *const *)e->argv, e->argc);
		score_all(x);
	}
	flow_rules(x);
	ctx_done(x);
}
