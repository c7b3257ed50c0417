/* Rules: parse, then match items against layers.
 *
 * A rule line is tokenized shell-style (quotes and backslashes), and each
 * pattern word becomes a glob where quoted glob characters are escaped, so
 * `'*'` means a literal star and a bare `*` a wildcard. Exec items come
 * from the shell parser (reviewer/shell.h): every simple command, with
 * sh -c / eval / heredocs-to-a-shell parsed again, so rules see what runs.
 *
 * Matching is deliberately asymmetric. deny and ask rules match any "form"
 * of a command: the argv itself, the argv after each wrapper (sudo, env,
 * nohup, timeout, xargs...), the command of find -exec, and any name by its
 * basename (/bin/rm is rm). An allow rule matches only the literal argv,
 * with argv[0] as written or in a system bin directory, and never a command
 * with a redirection that writes a file: allowing `echo *` must not allow
 * `echo x >> ~/.bashrc`. */
#include "reviewer/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/utf8.h"
#include "core/xmalloc.h"
#include "reviewer/diff.h"
#include "reviewer/shell.h"

#define MAX_REPARSE_DEPTH 4
#define MAX_FORMS         8
#define MAX_ITEMS         4096

/* --- names --------------------------------------------------------------- */

#define AG_NAME(name, str) str,
static const char *const action_names[] = {AG_RULE_ACTIONS(AG_NAME)};
static const char *const layer_names[] = {AG_RULE_LAYERS(AG_NAME)};
#undef AG_NAME

const char *
ag_rule_action_name(enum ag_rule_action action)
{
	return (unsigned)action < AG_RULE_ACTION_COUNT ? action_names[action] : "?";
}

const char *
ag_rule_layer_name(enum ag_rule_layer layer)
{
	return (unsigned)layer < AG_LAYER_COUNT ? layer_names[layer] : "?";
}

/* --- the model ----------------------------------------------------------- */

enum term_type { T_PATH, T_READ, T_WRITE, T_NETWORK, T_HOST, T_MCP };

struct term {
	enum term_type type;
	char *a;  /* glob: path, host or server */
	char *b;  /* mcp: tool glob */
	int port; /* host: 0 = any */
};

struct ag_rule {
	enum ag_rule_action action;
	enum ag_kind kind;
	char *text;
	const char *file; /* the owning rules' name */
	int line;
	char **words; /* exec: argv globs */
	size_t nwords;
	int rest; /* exec: a last bare * takes any remaining words */
	struct term *terms;
	size_t nterms;
};

struct ag_rules {
	char *file;
	struct ag_rule *rules;
	size_t n;
	unsigned kinds; /* bit per enum ag_kind present */
};

size_t
ag_rules_count(const struct ag_rules *rules)
{
	return rules != NULL ? rules->n : 0;
}

const struct ag_rule *
ag_rules_at(const struct ag_rules *rules, size_t i)
{
	return rules != NULL && i < rules->n ? &rules->rules[i] : NULL;
}

int
ag_rules_has_kind(const struct ag_rules *rules, enum ag_kind kind)
{
	return rules != NULL && (rules->kinds & (1u << kind)) != 0;
}

enum ag_rule_action
ag_rule_action(const struct ag_rule *rule)
{
	return rule->action;
}

enum ag_kind
ag_rule_kind(const struct ag_rule *rule)
{
	return rule->kind;
}

const char *
ag_rule_text(const struct ag_rule *rule)
{
	return rule->text;
}

const char *
ag_rule_file(const struct ag_rule *rule)
{
	return rule->file;
}

int
ag_rule_line(const struct ag_rule *rule)
{
	return rule->line;
}

/* Caller frees. */
char *
ag_rule_describe(const struct ag_rule *rule)
{
	return xasprintf("%s (%s:%d)", rule->text, rule->file, rule->line);
}

static void
rule_clear(struct ag_rule *r)
{
	free(r->text);
	for (size_t i = 0; i < r->nwords; i++)
		free(r->words[i]);
	free(r->words);
	for (size_t i = 0; i < r->nterms; i++) {
		free(r->terms[i].a);
		free(r->terms[i].b);
	}
	free(r->terms);
	memset(r, 0, sizeof *r);
}

void
ag_rules_free(struct ag_rules **rules)
{
	if (rules == NULL || *rules == NULL)
		return;
	for (size_t i = 0; i < (*rules)->n; i++)
		rule_clear(&(*rules)->rules[i]);
	free((*rules)->rules);
	free((*rules)->file);
	free(*rules);
	*rules = NULL;
}

/* --- globs --------------------------------------------------------------- */

static int
fold(int c, unsigned flags)
{
	if ((flags & AG_GLOB_NOCASE) && c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

/* "[...]" at p (p[0] == '['), against c. Returns the byte after the class,
 * or NULL when it is unterminated (then '[' is an ordinary character). */
static const char *
glob_class(const char *p, const char *pe, int c, unsigned flags, int *matched)
{
	const char *q = p + 1;
	int negate = 0, hit = 0;
	if (q < pe && (*q == '!' || *q == '^')) {
		negate = 1;
		q++;
	}
	int first = 1;
	while (q < pe && (*q != ']' || first)) {
		int lo = (unsigned char)*q, hi;
		if (*q == '\\' && q + 1 < pe)
			lo = (unsigned char)*++q;
		q++;
		hi = lo;
		if (q + 1 < pe && *q == '-' && q[1] != ']') {
			hi = (unsigned char)q[1];
			if (hi == '\\' && q + 2 < pe) {
				hi = (unsigned char)q[2];
				q++;
			}
			q += 2;
		}
		if (fold(c, flags) >= fold(lo, flags) && fold(c, flags) <= fold(hi, flags))
			hit = 1;
		first = 0;
	}
	if (q >= pe)
		return NULL;
	*matched = hit != negate;
	return q + 1;
}

/* One glob over [t, te): '*' spans anything. Iterative with a single
 * backtrack point, so the cost is O(|p| * |t|) at worst, never exponential. */
static int
glob_span(const char *p, const char *pe, const char *t, const char *te, unsigned flags)
{
	const char *star_p = NULL, *star_t = NULL;
	while (t < te || p < pe) {
		if (p < pe) {
			if (*p == '*') {
				while (p < pe && *p == '*')
					p++;
				star_p = p;
				star_t = t;
				continue;
			}
			if (t < te) {
				const char *next = NULL;
				int ok = 0;
				if (*p == '?') {
					next = p + 1;
					ok = 1;
				} else if (*p == '[' && (next = glob_class(p, pe, (unsigned char)*t,
				                                           flags, &ok)) != NULL) {
					/* class read */
				} else if (*p == '\\' && p + 1 < pe) {
					next = p + 2;
					ok = fold((unsigned char)p[1], flags) ==
					     fold((unsigned char)*t, flags);
				} else {
					next = p + 1;
					ok = fold((unsigned char)*p, flags) ==
					     fold((unsigned char)*t, flags);
				}
				if (ok) {
					p = next;
					t++;
					continue;
				}
			}
		}
		if (star_p != NULL && star_t < te) {
			p = star_p;
			t = ++star_t;
			continue;
		}
		return 0;
	}
	return 1;
}

struct seg {
	const char *s;
	size_t len;
};

/* Splits a path into segments, dropping empty and "." ones and resolving
 * ".." lexically. Returns the count; *abs tells whether it began with '/'.
 * segs must hold strlen(path)/1+1 entries. */
static size_t
split_path(const char *path, struct seg *segs, int *abs)
{
	size_t n = 0;
	*abs = path[0] == '/';
	for (const char *s = path; *s != '\0';) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e != '\0' && *e != '/')
			e++;
		size_t len = (size_t)(e - s);
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (n > 0 && !(segs[n - 1].len == 2 && memcmp(segs[n - 1].s, "..", 2) == 0))
				n--;
			else
				segs[n++] = (struct seg){s, len};
		} else {
			segs[n++] = (struct seg){s, len};
		}
		s = e;
	}
	return n;
}

static int
is_globstar(const struct seg *s)
{
	return s->len == 2 && s->s[0] == '*' && s->s[1] == '*';
}

static int
glob_path(const char *pattern, const char *text, unsigned flags)
{
	size_t plen = strlen(pattern), tlen = strlen(text);
	struct seg *ps = xcalloc(plen / 2 + 2, sizeof *ps);
	struct seg *ts = xcalloc(tlen / 2 + 2, sizeof *ts);
	int pabs, tabs, result = 0;
	size_t np = split_path(pattern, ps, &pabs);
	size_t nt = split_path(text, ts, &tabs);

	if (strchr(pattern, '/') == NULL) {
		/* No slash: the last component, at any depth (as .gitignore). */
		result =
		    nt > 0 && (np == 1 && (is_globstar(&ps[0]) ||
		                           glob_span(ps[0].s, ps[0].s + ps[0].len, ts[nt - 1].s,
		                                     ts[nt - 1].s + ts[nt - 1].len, flags)));
		goto out;
	}
	if (pabs != tabs && !(np > 0 && is_globstar(&ps[0])))
		goto out;
	/* dp[ti]: pattern segments [pi, np) match text segments [ti, nt). */
	unsigned char *dp = xcalloc(nt + 1, 1), *next = xcalloc(nt + 1, 1);
	next[nt] = 1; /* pi == np: only the empty rest matches */
	for (size_t pi = np; pi-- > 0;) {
		const struct seg *p = &ps[pi];
		for (size_t ti = nt + 1; ti-- > 0;) {
			if (is_globstar(p))
				dp[ti] = next[ti] || (ti < nt && dp[ti + 1]);
			else
				dp[ti] = ti < nt && next[ti + 1] &&
				         glob_span(p->s, p->s + p->len, ts[ti].s,
				                   ts[ti].s + ts[ti].len, flags);
		}
		unsigned char *swap = next;
		next = dp;
		dp = swap;
	}
	result = next[0];
	free(dp);
	free(next);
out:
	free(ps);
	free(ts);
	return result;
}

int
ag_glob_match(const char *pattern, const char *text, unsigned flags)
{
	if (flags & AG_GLOB_PATH)
		return glob_path(pattern, text, flags);
	return glob_span(pattern, pattern + strlen(pattern), text, text + strlen(text), flags);
}

/* Checks a glob's syntax: an unterminated '[' is an error in a rule (it
 * would silently match a literal '['). Returns the offset of the problem or
 * -1. */
static int
glob_check(const char *p)
{
	for (const char *q = p; *q != '\0'; q++) {
		if (*q == '\\' && q[1] != '\0') {
			q++;
			continue;
		}
		if (*q == '[') {
			int ok;
			if (glob_class(q, q + strlen(q), 'a', 0, &ok) == NULL)
				return (int)(q - p);
		}
	}
	return -1;
}

/* --- parsing ------------------------------------------------------------- */

struct parser {
	const char *name;
	int line;
	int errors;
	ag_rules_error_fn fn;
	void *ctx;
	struct ag_error *err;
};

static void perr(struct parser *ps, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr(struct parser *ps, int col, const char *fmt, ...)
{
	char msg[AG_ERROR_MAX], full[AG_ERROR_MAX + 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ps->line > 0)
		snprintf(full, sizeof full, "%s:%d:%d: %s", ps->name, ps->line, col, msg);
	else
		snprintf(full, sizeof full, "%s: %s", ps->name, msg);
	if (ps->errors++ == 0 && ps->err != NULL)
		ag_fail(ps->err, "%s", full);
	if (ps->fn != NULL)
		ps->fn(ps->ctx, full);
}

struct token {
	char *glob;      /* owned: the word as a glob (quoted specials escaped) */
	const char *raw; /* the source slice */
	size_t rawlen;
	int col;  /* 1-based */
	int bare; /* no quotes or escapes at all */
};

/* A token for an error message: at most 64 bytes, a tab shown as \t (the
 * rest of the line was checked for control characters already). */
static const char *
shown(const struct token *t, char *buf, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < t->rawlen && i < 64 && o + 3 < size; i++) {
		if (t->raw[i] == '\t') {
			buf[o++] = '\\';
			buf[o++] = 't';
		} else {
			buf[o++] = t->raw[i];
		}
	}
	/* Never end inside a UTF-8 sequence. */
	while (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80 && !ag_utf8_valid(buf, o, NULL))
		o--;
	while (o > 0 && (unsigned char)buf[o - 1] >= 0xc0)
		o--;
	buf[o] = '\0';
	return buf;
}

static int
glob_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

/* Tokenizes one line. Returns the count, or -1 after reporting an error. */
static int
tokenize(struct parser *ps, const char *s, size_t len, struct token *toks, size_t max)
{
	size_t n = 0, i = 0;
	char *buf = xmalloc(len * 2 + 1);
	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len || s[i] == '#')
			break;
		if (n == max) {
			perr(ps, (int)i + 1, "more than %d patterns in one rule",
			     AG_RULES_MAX_WORDS);
			goto fail;
		}
		size_t start = i, o = 0;
		int bare = 1;
		while (i < len && s[i] != ' ' && s[i] != '\t') {
			char c = s[i];
			if (c == '\'' || c == '"') {
				size_t open = i++;
				bare = 0;
				while (i < len && s[i] != c) {
					char d = s[i];
					if (c == '"' && d == '\\' && i + 1 < len &&
					    (s[i + 1] == '"' || s[i + 1] == '\\'))
						d = s[++i];
					if (glob_special(d))
						buf[o++] = '\\';
					buf[o++] = d;
					i++;
				}
				if (i >= len) {
					perr(ps, (int)open + 1, "unterminated quote");
					goto fail;
				}
				i++;
			} else if (c == '\\' && i + 1 < len) {
				bare = 0;
				/* Kept as a glob escape: \* is a literal star. */
				buf[o++] = '\\';
				buf[o++] = s[i + 1];
				i += 2;
			} else {
				buf[o++] = c;
				i++;
			}
		}
		toks[n].glob = xstrndup(buf, o);
		toks[n].raw = s + start;
		toks[n].rawlen = i - start;
		toks[n].col = (int)start + 1;
		toks[n].bare = bare;
		n++;
	}
	free(buf);
	return (int)n;
fail:
	for (size_t k = 0; k < n; k++)
		free(toks[k].glob);
	free(buf);
	return -1;
}

/* The rest of s after a home prefix ("~", "$HOME"...) that is the whole
 * first component, or NULL. */
static const char *
home_rest(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0)
		return NULL;
	s += n;
	return *s == '/' || *s == '\0' ? s : NULL;
}

/* "~/x" and "$HOME/x" become $HOME/x, so a rule written with ~ matches the
 * absolute paths agents send. Caller frees. */
static char *
expand_home(const char *s)
{
	const char *home = getenv("HOME");
	const char *rest = home_rest(s, "~");
	if (rest == NULL)
		rest = home_rest(s, "$HOME");
	if (rest == NULL)
		rest = home_rest(s, "${HOME}");
	if (rest == NULL || home == NULL || home[0] != '/')
		return xstrdup(s);
	size_t hl = strlen(home);
	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	return xasprintf("%.*s%s", (int)hl, home, rest);
}

static const char *
prefix_value(const struct token *t, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(t->glob, prefix, n) == 0 ? t->glob + n : NULL;
}

static int
check_glob(struct parser *ps, const struct token *t, const char *glob, size_t offset)
{
	int bad = glob_check(glob);
	if (bad >= 0) {
		perr(ps, t->col + (int)offset + bad, "unterminated [ in pattern");
		return -1;
	}
	if (glob[0] == '\0') {
		perr(ps, t->col + (int)offset, "empty pattern");
		return -1;
	}
	return 0;
}

static void
add_term(struct ag_rule *r, enum term_type type, char *a, char *b, int port)
{
	r->terms = xreallocarray(r->terms, r->nterms + 1, sizeof *r->terms);
	r->terms[r->nterms++] = (struct term){type, a, b, port};
}

static int
compile_exec(struct parser *ps, struct ag_rule *r, struct token *t, size_t n)
{
	r->words = xcalloc(n, sizeof *r->words);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 == n && t[i].bare && strcmp(t[i].glob, "*") == 0 && n > 1) {
			r->rest = 1;
			break;
		}
		if (check_glob(ps, &t[i], t[i].glob, 0) < 0)
			return -1;
		r->words[r->nwords++] = xstrdup(t[i].glob);
	}
	return 0;
}

static int
compile_paths(struct parser *ps, struct ag_rule *r, struct token *t, size_t n, int permission)
{
	char sb[160];
	for (size_t i = 0; i < n; i++) {
		const char *v;
		enum term_type type = T_PATH;
		size_t off = 0;
		if (permission && strcmp(t[i].glob, "network") == 0) {
			add_term(r, T_NETWORK, NULL, NULL, 0);
			continue;
		}
		if ((v = prefix_value(&t[i], "path:")) != NULL)
			off = 5;
		else if (permission && (v = prefix_value(&t[i], "read:")) != NULL) {
			type = T_READ;
			off = 5;
		} else if (permission && (v = prefix_value(&t[i], "write:")) != NULL) {
			type = T_WRITE;
			off = 6;
		} else {
			perr(ps, t[i].col, "expected %s, got '%s'",
			     permission ? "path:GLOB, read:GLOB, write:GLOB or network"
			                : "path:GLOB",
			     shown(&t[i], sb, sizeof sb));
			return -1;
		}
		if (check_glob(ps, &t[i], v, off) < 0)
			return -1;
		add_term(r, type, expand_home(v), NULL, 0);
	}
	return 0;
}

static int
compile_network(struct parser *ps, struct ag_rule *r, struct token *t, size_t n)
{
	char sb[160];
	for (size_t i = 0; i < n; i++) {
		const char *v = prefix_value(&t[i], "host:");
		if (v == NULL) {
			perr(ps, t[i].col, "expected host:PATTERN[:PORT], got '%s'",
			     shown(&t[i], sb, sizeof sb));
			return -1;
		}
		const char *host = v, *port = NULL;
		size_t hl;
		if (v[0] == '[') {
			const char *rb = strchr(v, ']');
			if (rb == NULL) {
				perr(ps, t[i].col + 5, "unterminated [ in an IPv6 address");
				return -1;
			}
			host = v + 1;
			hl = (size_t)(rb - host);
			if (rb[1] == ':')
				port = rb + 2;
			else if (rb[1] != '\0') {
				perr(ps, t[i].col + 5 + (int)(rb + 1 - v),
				     "expected :PORT after ]");
				return -1;
			}
		} else {
			const char *colon = strrchr(v, ':');
			hl = colon != NULL ? (size_t)(colon - v) : strlen(v);
			if (colon != NULL)
				port = colon + 1;
		}
		int portnum = 0;
		if (port != NULL && strcmp(port, "*") != 0) {
			char *end;
			errno = 0;
			long p = strtol(port, &end, 10);
			if (*port == '\0' || *end != '\0' || p < 1 || p > 65535 || errno != 0) {
				perr(ps, t[i].col + 5 + (int)(port - v),
				     "bad port '%s' (expected 1-65535 or *)", port);
				return -1;
			}
			portnum = (int)p;
		}
		if (hl == 0) {
			perr(ps, t[i].col + 5, "empty host pattern");
			return -1;
		}
		char *h = xstrndup(host, hl);
		if (glob_check(h) >= 0) {
			perr(ps, t[i].col + 5, "unterminated [ in pattern");
			free(h);
			return -1;
		}
		add_term(r, T_HOST, h, NULL, portnum);
	}
	return 0;
}

static int
compile_mcp(struct parser *ps, struct ag_rule *r, struct token *t, size_t n)
{
	char sb[160];
	char *server = NULL, *tool = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *v;
		char **slot = NULL;
		if ((v = prefix_value(&t[i], "server:")) != NULL)
			slot = &server;
		else if ((v = prefix_value(&t[i], "tool:")) != NULL)
			slot = &tool;
		else if (n == 1 && strchr(t[i].glob, '/') != NULL) {
			const char *slash = strchr(t[i].glob, '/');
			server = xstrndup(t[i].glob, (size_t)(slash - t[i].glob));
			tool = xstrdup(slash + 1);
			if (server[0] == '\0' || tool[0] == '\0') {
				perr(ps, t[i].col, "expected SERVER/TOOL with both parts");
				goto fail;
			}
			break;
		} else {
			perr(ps, t[i].col,
			     "expected SERVER/TOOL, or server:GLOB and tool:GLOB, got '%s'",
			     shown(&t[i], sb, sizeof sb));
			goto fail;
		}
		if (*slot != NULL) {
			perr(ps, t[i].col, "%s given twice", slot == &server ? "server:" : "tool:");
			goto fail;
		}
		if (check_glob(ps, &t[i], v, 0) < 0)
			goto fail;
		*slot = xstrdup(v);
	}
	if ((server != NULL && glob_check(server) >= 0) ||
	    (tool != NULL && glob_check(tool) >= 0)) {
		perr(ps, t[0].col, "unterminated [ in pattern");
		goto fail;
	}
	add_term(r, T_MCP, server != NULL ? server : xstrdup("*"),
	         tool != NULL ? tool : xstrdup("*"), 0);
	return 0;
fail:
	free(server);
	free(tool);
	return -1;
}

/* "allow exec git  status" -> "allow exec git status" (source words kept). */
static char *
rule_text(struct token *t, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += t[i].rawlen + 1;
	char *s = xmalloc(len + 1), *o = s;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ' ';
		memcpy(o, t[i].raw, t[i].rawlen);
		o += t[i].rawlen;
	}
	*o = '\0';
	return s;
}

static void
parse_line(struct parser *ps, struct ag_rules *rules, const char *s, size_t len)
{
	char sb[160];
	struct token toks[AG_RULES_MAX_WORDS + 2];
	size_t bad;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > AG_RULES_MAX_LINE) {
		perr(ps, AG_RULES_MAX_LINE + 1, "line longer than %d bytes", AG_RULES_MAX_LINE);
		return;
	}
	if (!ag_utf8_valid(s, len, &bad)) {
		perr(ps, (int)bad + 1, "invalid UTF-8");
		return;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = ag_utf8_decode(s + i, len - i, &cp);
		if (n < 0)
			n = 1; /* unreachable: validated above */
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f)) {
			perr(ps, (int)i + 1, "control character U+%04X", (unsigned)cp);
			return;
		}
		/* Bidi controls and invisible characters make a rule read
		 * differently from what it matches (Trojan Source). */
		if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff) {
			perr(ps, (int)i + 1, "invisible or bidi control character U+%04X",
			     (unsigned)cp);
			return;
		}
		i += (size_t)n;
	}
	int n = tokenize(ps, s, len, toks, AG_RULES_MAX_WORDS + 2);
	if (n <= 0)
		return;
	struct ag_rule r;
	memset(&r, 0, sizeof r);
	int action = -1, kind = -1;
	for (int a = 0; a < AG_RULE_ACTION_COUNT; a++)
		if (strcmp(toks[0].glob, action_names[a]) == 0)
			action = a;
	if (action < 0) {
		perr(ps, toks[0].col, "unknown action '%s' (expected allow, ask, deny)",
		     shown(&toks[0], sb, sizeof sb));
		goto out;
	}
	if (n < 2) {
		perr(ps, toks[0].col + (int)toks[0].rawlen + 1,
		     "missing kind (expected exec, patch, network, mcp, permission)");
		goto out;
	}
	kind = ag_kind_parse(toks[1].glob);
	if (kind < 0) {
		perr(ps, toks[1].col,
		     "unknown kind '%s' (expected exec, patch, network, mcp, permission)",
		     shown(&toks[1], sb, sizeof sb));
		goto out;
	}
	if (n < 3) {
		perr(ps, toks[1].col + (int)toks[1].rawlen + 1, "missing pattern after '%s'",
		     toks[1].glob);
		goto out;
	}
	if (rules->n == AG_RULES_MAX_RULES) {
		perr(ps, 1, "more than %d rules", AG_RULES_MAX_RULES);
		goto out;
	}
	r.action = (enum ag_rule_action)action;
	r.kind = (enum ag_kind)kind;
	int rc = 0;
	switch (r.kind) {
	case AG_KIND_EXEC: rc = compile_exec(ps, &r, toks + 2, (size_t)n - 2); break;
	case AG_KIND_PATCH: rc = compile_paths(ps, &r, toks + 2, (size_t)n - 2, 0); break;
	case AG_KIND_PERMISSION: rc = compile_paths(ps, &r, toks + 2, (size_t)n - 2, 1); break;
	case AG_KIND_NETWORK: rc = compile_network(ps, &r, toks + 2, (size_t)n - 2); break;
	case AG_KIND_MCP: rc = compile_mcp(ps, &r, toks + 2, (size_t)n - 2); break;
	default: rc = -1; break;
	}
	if (rc < 0) {
		rule_clear(&r);
		goto out;
	}
	r.text = rule_text(toks, (size_t)n);
	r.file = rules->file;
	r.line = ps->line;
	if ((rules->n & (rules->n - 1)) == 0)
		rules->rules =
		    xreallocarray(rules->rules, rules->n ? rules->n * 2 : 1, sizeof *rules->rules);
	rules->rules[rules->n++] = r;
	rules->kinds |= 1u << r.kind;
out:
	for (int i = 0; i < n; i++)
		free(toks[i].glob);
}

int
ag_rules_parse(const char *name, const char *text, size_t len, struct ag_rules **out,
               ag_rules_error_fn fn, void *ctx, struct ag_error *err)
{
	struct parser ps = {.name = name, .fn = fn, .ctx = ctx, .err = err};
	struct ag_rules *rules = xcalloc(1, sizeof *rules);

	rules->file = xstrdup(name);
	*out = NULL;
	if (len > AG_RULES_MAX_FILE) {
		perr(&ps, 0, "larger than %u bytes", AG_RULES_MAX_FILE);
		ag_rules_free(&rules);
		return ps.errors;
	}
	if (memchr(text, '\0', len) != NULL) {
		const char *nul = memchr(text, '\0', len);
		int line = 1;
		const char *ls = text;
		for (const char *p = text; p < nul; p++)
			if (*p == '\n') {
				line++;
				ls = p + 1;
			}
		ps.line = line;
		perr(&ps, (int)(nul - ls) + 1, "NUL byte");
		ps.line = 0;
	}
	for (const char *s = text, *end = text + len; s < end && ps.errors < 1000;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		ps.line++;
		if (memchr(s, '\0', n) == NULL)
			parse_line(&ps, rules, s, n);
		s = nl != NULL ? nl + 1 : end;
	}
	if (ps.errors > 0)
		ag_rules_free(&rules);
	*out = rules;
	return ps.errors;
}

int
ag_rules_load(const char *path, int missing_ok, struct ag_rules **out, ag_rules_error_fn fn,
              void *ctx, struct ag_error *err)
{
	struct parser ps = {.name = path, .fn = fn, .ctx = ctx, .err = err};
	struct stat st;
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return ag_rules_parse(path, "", 0, out, fn, ctx, err);
		perr(&ps, 0, "%s", strerror(errno));
		return ps.errors;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		perr(&ps, 0, "not a regular file");
		close(fd);
		return ps.errors;
	}
	if (st.st_size > (off_t)AG_RULES_MAX_FILE) {
		perr(&ps, 0, "larger than %u bytes", AG_RULES_MAX_FILE);
		close(fd);
		return ps.errors;
	}
	size_t size = (size_t)st.st_size, got = 0;
	char *buf = xmalloc(size + 1);
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	int rc = ag_rules_parse(path, buf, got, out, fn, ctx, err);
	free(buf);
	return rc;
}

/* --- items --------------------------------------------------------------- */

/* What an item is matched on; the public ag_rule_item carries the results. */
struct subject {
	/* exec */
	const char **argv; /* borrowed strings, owned array */
	size_t argc;
	size_t forms[MAX_FORMS][2]; /* [start, end) slices of argv for deny/ask */
	size_t nforms;
	int literal_ok;  /* an allow rule may match (no file-writing redirection) */
	int transparent; /* sh -c TEXT / eval: judged by what it runs */
	/* paths */
	char *path, *alt; /* owned: the path, and its cwd-relative form */
	int access;       /* 1 read, 2 write, 3 both */
	int network;
	/* network */
	char *host;
	int port;
	/* mcp */
	const char *server, *tool;
};

struct items {
	struct ag_rule_item *pub;
	struct subject *sub;
	size_t n;
	int overflow;   /* more than MAX_ITEMS: the rest were not judged */
	int incomplete; /* the shell text was not fully parsed */
};

static struct subject *
add_item(struct items *it, char *text)
{
	if (it->n == MAX_ITEMS) {
		it->overflow = 1;
		free(text);
		return NULL;
	}
	if ((it->n & (it->n - 1)) == 0) {
		size_t cap = it->n ? it->n * 2 : 1;
		it->pub = xreallocarray(it->pub, cap, sizeof *it->pub);
		it->sub = xreallocarray(it->sub, cap, sizeof *it->sub);
	}
	memset(&it->pub[it->n], 0, sizeof it->pub[it->n]);
	memset(&it->sub[it->n], 0, sizeof it->sub[it->n]);
	it->pub[it->n].text = text;
	it->pub[it->n].action = -1;
	it->pub[it->n].layer = -1;
	return &it->sub[it->n++];
}

static const char *
base_name(const char *s)
{
	const char *slash = strrchr(s, '/');
	return slash != NULL ? slash + 1 : s;
}

static int
name_in(const char *word, const char *const *names)
{
	const char *b = base_name(word);
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcmp(b, names[i]) == 0)
			return 1;
	return 0;
}

static const char *const shells[] = {"sh",   "bash", "zsh",  "dash",    "ksh",
                                     "mksh", "ash",  "fish", "busybox", NULL};

/* Index past one wrapper at argv[k] and its options, or k when argv[k] is
 * not a wrapper. Options that take a value skip it too. */
static size_t
unwrap(const char **argv, size_t argc, size_t k)
{
	struct wrapper {
		const char *name;
		const char *valued; /* option letters that take a value */
		int positional;     /* leading non-option operands (timeout's duration...) */
	};
	static const struct wrapper wrappers[] = {
	    {"sudo", "ugpChDrtUT", 0}, {"doas", "uC", 0},        {"env", "uCS", 0},
	    {"command", "", 0},        {"builtin", "", 0},       {"exec", "a", 0},
	    {"nohup", "", 0},          {"time", "fo", 0},        {"nice", "n", 0},
	    {"ionice", "cnp", 0},      {"stdbuf", "ioe", 0},     {"timeout", "sk", 1},
	    {"setsid", "", 0},         {"xargs", "IEadLnPs", 0}, {"chroot", "", 1},
	    {"flock", "wE", 1},        {"unbuffer", "", 0},      {"caffeinate", "tw", 0},
	    {"watch", "nd", 0},        {"strace", "eopsS", 0},   {"ltrace", "eopsS", 0},
	    {"torsocks", "", 0},       {"proxychains", "f", 0},  {"proxychains4", "f", 0},
	    {"run0", "u", 0},          {"pkexec", "u", 0},       {"busybox", "", 0},
	    {"chronic", "", 0},        {"unshare", "", 0},
	};
	if (k >= argc)
		return k;
	const char *name = base_name(argv[k]);
	const struct wrapper *w = NULL;
	for (size_t i = 0; i < sizeof wrappers / sizeof wrappers[0]; i++)
		if (strcmp(name, wrappers[i].name) == 0)
			w = &wrappers[i];
	if (w == NULL)
		return k;
	size_t i = k + 1;
	int positional = w->positional;
	while (i < argc) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] == '-' && a[1] != '\0') {
			/* -u root, -uroot, --user=root, --user root (long: value if no '=') */
			if (a[1] == '-') {
				i += strchr(a, '=') == NULL && strcmp(name, "sudo") == 0 &&
				             (strcmp(a, "--user") == 0 || strcmp(a, "--group") == 0)
				         ? 2
				         : 1;
			} else {
				size_t alen = strlen(a);
				int takes = strchr(w->valued, a[alen - 1]) != NULL && alen == 2;
				i += takes ? 2 : 1;
			}
			continue;
		}
		if (strcmp(name, "env") == 0 && strchr(a, '=') != NULL) {
			i++;
			continue;
		}
		if (positional > 0) {
			positional--;
			i++;
			continue;
		}
		break;
	}
	return i;
}

/* The deny/ask forms of an argv: itself, after each wrapper, and the
 * commands of find -exec / -execdir / -ok. */
static void
make_forms(struct subject *s)
{
	size_t k = 0;
	s->nforms = 0;
	s->forms[s->nforms][0] = 0;
	s->forms[s->nforms++][1] = s->argc;
	for (int depth = 0; depth < MAX_FORMS - 2; depth++) {
		size_t next = unwrap(s->argv, s->argc, k);
		if (next == k || next >= s->argc)
			break;
		k = next;
		s->forms[s->nforms][0] = k;
		s->forms[s->nforms++][1] = s->argc;
	}
	if (s->argc > 0 && strcmp(base_name(s->argv[k]), "find") == 0) {
		for (size_t i = k + 1; i + 1 < s->argc && s->nforms < MAX_FORMS; i++) {
			const char *a = s->argv[i];
			if (strcmp(a, "-exec") != 0 && strcmp(a, "-execdir") != 0 &&
			    strcmp(a, "-ok") != 0 && strcmp(a, "-okdir") != 0)
				continue;
			size_t e = i + 1;
			while (e < s->argc && strcmp(s->argv[e], ";") != 0 &&
			       strcmp(s->argv[e], "+") != 0)
				e++;
			s->forms[s->nforms][0] = i + 1;
			s->forms[s->nforms++][1] = e;
			i = e;
		}
	}
}

/* A word needs quoting for display when it has spaces or shell specials. */
static char *
join_argv(const char **argv, size_t argc)
{
	size_t len = 1;
	for (size_t i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	char *s = xmalloc(len), *o = s;
	for (size_t i = 0; i < argc; i++) {
		const char *a = argv[i];
		int quote = a[0] == '\0' || strpbrk(a, " \t\n'\"\\$`;&|<>()*?[]{}~#!") != NULL;
		if (i > 0)
			*o++ = ' ';
		if (quote)
			*o++ = '\'';
		for (const char *c = a; *c != '\0'; c++) {
			if (*c == '\'' && quote) {
				memcpy(o, "'\\''", 4);
				o += 4;
			} else {
				*o++ = *c;
			}
		}
		if (quote)
			*o++ = '\'';
	}
	*o = '\0';
	return s;
}

/* The text a command hands to a shell: sh -c TEXT (also behind sudo, env
 * and other wrappers), su -c TEXT, eval ARGS, or a shell fed a heredoc or
 * here-string. Returns the word index, or -1; *eval_from is set for eval
 * (its words are joined). */
static int
reparse_word(const struct ag_sh *sh, const struct ag_sh_cmd *c, int *eval_from)
{
	const char *argv[64];
	size_t argc = c->nwords < 64 ? (size_t)c->nwords : 64, k = 0;
	*eval_from = -1;
	if (argc == 0)
		return -1;
	for (size_t i = 0; i < argc; i++)
		argv[i] = ag_sh_wtext(sh, c->word0 + (int)i);
	for (int depth = 0; depth < MAX_FORMS; depth++) {
		size_t next = unwrap(argv, argc, k);
		if (next == k || next >= argc)
			break;
		k = next;
	}
	const char *name = base_name(argv[k]);
	if (strcmp(name, "eval") == 0 && k + 1 < argc) {
		*eval_from = c->word0 + (int)k + 1;
		return *eval_from;
	}
	if (strcmp(name, "su") == 0) {
		for (size_t i = k + 1; i + 1 < argc; i++)
			if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--command") == 0)
				return c->word0 + (int)i + 1;
		return -1;
	}
	if (!name_in(argv[k], shells))
		return -1;
	for (size_t i = k + 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '-')
			break;
		if (strchr(a + 1, 'c') != NULL)
			return i + 1 < argc ? c->word0 + (int)i + 1 : -1;
	}
	/* No -c: a script file, or commands on stdin. */
	for (size_t i = k + 1; i < argc; i++)
		if (argv[i][0] != '-')
			return -1;
	for (int r = 0; r < c->nredir; r++) {
		const struct ag_sh_redir *rd = &sh->redirs[c->redir0 + r];
		if (rd->op == AG_SH_R_HEREDOC && rd->body >= 0)
			return rd->body;
		if (rd->op == AG_SH_R_HERESTRING)
			return rd->target;
	}
	return -1;
}

/* Parses again every text a command hands to a shell, to a depth bound,
 * marking the handing command transparent. *transparent grows with the
 * commands. Returns 0, or -1 when a bound stopped it (the caller then lets
 * no allow rule pass the request). */
static int
reparse_all(struct ag_sh *sh, int **transparent, size_t *cap)
{
	for (size_t i = 0; i < sh->ncmds; i++) {
		if (i >= MAX_ITEMS)
			return -1;
		struct ag_sh_cmd c = sh->cmds[i];
		int eval_from;
		int w = reparse_word(sh, &c, &eval_from);
		if (w < 0)
			continue;
		if (c.depth >= MAX_REPARSE_DEPTH || (sh->flags & AG_SH_TRUNCATED))
			return -1;
		struct ag_sh_origin o;
		ag_sh_origin_root(&o);
		o.depth = c.depth + 1;
		o.parent = (int)i;
		o.parent_word = w;
		o.cflags = AG_SH_C_REPARSE;
		if (eval_from >= 0) {
			/* eval joins its arguments with spaces. */
			size_t len = 0;
			for (int k = eval_from; k < c.word0 + c.nwords; k++)
				len += sh->words[k].len + 1;
			char *text = xmalloc(len + 1), *p = text;
			for (int k = eval_from; k < c.word0 + c.nwords; k++) {
				if (k > eval_from)
					*p++ = ' ';
				memcpy(p, ag_sh_wtext(sh, k), sh->words[k].len);
				p += sh->words[k].len;
			}
			*p = '\0';
			o.base = -1;
			o.span_start = sh->words[eval_from].start;
			o.span_end = sh->words[c.word0 + c.nwords - 1].end;
			ag_sh_parse(sh, text, (size_t)(p - text), &o);
			free(text);
		} else {
			const struct ag_sh_word *wd = &sh->words[w];
			size_t len = wd->len;
			char *text = xstrndup(ag_sh_wtext(sh, w), len);
			o.base = wd->src_base;
			o.span_start = wd->start;
			o.span_end = wd->end;
			ag_sh_parse(sh, text, len, &o);
			free(text);
		}
		if (sh->ncmds > *cap) {
			size_t old = *cap;
			*cap = sh->ncmds * 2;
			*transparent = xreallocarray(*transparent, *cap, sizeof **transparent);
			memset(*transparent + old, 0, (*cap - old) * sizeof **transparent);
		}
		(*transparent)[i] = 1;
	}
	return 0;
}

static int
writes_file(const struct ag_sh *sh, const struct ag_sh_cmd *c)
{
	for (int r = 0; r < c->nredir; r++) {
		const struct ag_sh_redir *rd = &sh->redirs[c->redir0 + r];
		if (!ag_sh_redir_writes(rd->op))
			continue;
		const char *t = rd->target >= 0 ? ag_sh_wtext(sh, rd->target) : "";
		if (strcmp(t, "/dev/null") == 0 || strcmp(t, "/dev/stdout") == 0 ||
		    strcmp(t, "/dev/stderr") == 0)
			continue;
		return 1;
	}
	return 0;
}

static void
exec_items(const struct ag_request *req, struct ag_sh *sh, struct items *it)
{
	const struct ag_action_exec *x = &req->u.exec;
	ag_sh_reset(sh);
	if (x->command != NULL) {
		struct ag_sh_origin o;
		ag_sh_origin_root(&o);
		ag_sh_parse(sh, x->command, strlen(x->command), &o);
	} else if (x->argv != NULL) {
		ag_sh_add_argv(sh, x->argv, x->argc);
	}
	size_t cap = sh->ncmds + 1;
	int *transparent = xcalloc(cap, sizeof *transparent);
	if (reparse_all(sh, &transparent, &cap) < 0 ||
	    (sh->flags & (AG_SH_TRUNCATED | AG_SH_TOO_DEEP | AG_SH_UNTERMINATED)))
		it->incomplete = 1;
	for (size_t i = 0; i < sh->ncmds && !it->overflow; i++) {
		const struct ag_sh_cmd *c = &sh->cmds[i];
		struct subject *s;
		if (c->flags & (AG_SH_C_TEST | AG_SH_C_FUNCDEF))
			continue;
		if (c->nwords == 0) {
			if (writes_file(sh, c))
				add_item(it,
				         xstrdup("(redirection)")); /* no allow rule matches it */
			continue;
		}
		const char **argv = xcalloc((size_t)c->nwords + 1, sizeof *argv);
		for (int k = 0; k < c->nwords; k++)
			argv[k] = ag_sh_wtext(sh, c->word0 + k);
		s = add_item(it, join_argv(argv, (size_t)c->nwords));
		if (s == NULL) {
			free(argv);
			break;
		}
		s->argv = argv;
		s->argc = (size_t)c->nwords;
		s->literal_ok = !writes_file(sh, c);
		s->transparent = i < cap && transparent[i] && s->literal_ok;
		make_forms(s);
	}
	free(transparent);
}

/* Lowercased, brackets and trailing dots removed. Caller frees. */
static char *
norm_host(const char *h)
{
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	while (n > 0 && h[n - 1] == '.')
		n--;
	char *s = xstrndup(h, n);
	for (char *c = s; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return s;
}

/* The form relative to cwd when path is inside it. Caller frees; NULL when
 * not inside. */
static char *
relative_to(const char *path, const char *cwd)
{
	size_t n = cwd != NULL ? strlen(cwd) : 0;
	while (n > 1 && cwd[n - 1] == '/')
		n--;
	if (n < 2 || cwd[0] != '/' || strncmp(path, cwd, n) != 0 || path[n] != '/')
		return NULL;
	return xstrdup(path + n + 1);
}

static void
path_item(struct items *it, const char *path, const char *cwd, int access, const char *label)
{
	char *p = expand_home(path);
	struct subject *s = add_item(it, label != NULL ? xasprintf("%s %s", label, p) : xstrdup(p));
	if (s == NULL) {
		free(p);
		return;
	}
	s->path = p;
	s->alt = p[0] == '/' ? relative_to(p, cwd) : NULL;
	s->access = access;
}

static void
patch_items(const struct ag_request *req, struct items *it)
{
	struct ag_diff d;
	const char *text = req->u.patch.diff != NULL ? req->u.patch.diff : "";
	ag_diff_parse(text, strlen(text), &d, NULL, NULL);
	for (size_t i = 0; i < d.nfiles; i++) {
		const struct ag_diff_file *f = &d.files[i];
		if (f->new_path == NULL && f->old_path == NULL)
			path_item(it, "", req->cwd, 2, NULL);
		if (f->new_path != NULL)
			path_item(it, f->new_path, req->cwd, 2, NULL);
		if (f->old_path != NULL &&
		    (f->new_path == NULL || strcmp(f->old_path, f->new_path) != 0))
			path_item(it, f->old_path, req->cwd, 2, NULL);
	}
	if (d.truncated)
		path_item(it, "", req->cwd, 2, NULL); /* unseen files: nothing may allow them */
	for (size_t i = 0; i < req->u.patch.nfiles && req->u.patch.files != NULL; i++)
		path_item(it, req->u.patch.files[i], req->cwd, 2, NULL);
	ag_diff_clear(&d);
}

static void
permission_items(const struct ag_request *req, struct items *it)
{
	const struct ag_action_permission *p = &req->u.permission;
	for (size_t i = 0; i < p->npaths; i++) {
		const char *acc = p->paths[i].access != NULL ? p->paths[i].access : "read";
		int access = strcmp(acc, "read") == 0 ? 1 : strcmp(acc, "write") == 0 ? 2 : 3;
		path_item(it, p->paths[i].path, req->cwd, access, acc);
	}
	if (p->network == 1) {
		struct subject *s = add_item(it, xstrdup("network"));
		if (s != NULL)
			s->network = 1;
	}
}

static void
build_items(const struct ag_request *req, struct ag_sh *sh, struct items *it)
{
	struct subject *s;
	switch (req->kind) {
	case AG_KIND_EXEC: exec_items(req, sh, it); break;
	case AG_KIND_PATCH: patch_items(req, it); break;
	case AG_KIND_PERMISSION: permission_items(req, it); break;
	case AG_KIND_NETWORK:
		s = add_item(it, xasprintf("%s:%d", req->u.network.host, req->u.network.port));
		if (s != NULL) {
			s->host = norm_host(req->u.network.host);
			s->port = req->u.network.port;
		}
		break;
	case AG_KIND_MCP:
		s = add_item(it, xasprintf("%s/%s", req->u.mcp.server, req->u.mcp.tool));
		if (s != NULL) {
			s->server = req->u.mcp.server;
			s->tool = req->u.mcp.tool;
		}
		break;
	default: break;
	}
}

static void
free_items(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->sub[i].argv);
		free(it->sub[i].path);
		free(it->sub[i].alt);
		free(it->sub[i].host);
	}
	free(it->sub);
	it->sub = NULL;
}

/* --- matching ------------------------------------------------------------ */

static int
in_bin_dir(const char *path, const char *name)
{
	static const char *const dirs[] = {
	    "/usr/bin/", "/bin/", "/usr/local/bin/", "/opt/homebrew/bin/", "/usr/sbin/",
	    "/sbin/",    NULL};
	for (size_t i = 0; dirs[i] != NULL; i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n) == 0 && ag_glob_match(name, path + n, 0))
			return 1;
	}
	return 0;
}

static int
words_match(const struct ag_rule *r, const char **argv, size_t argc, int strict)
{
	if (argc < r->nwords || (!r->rest && argc != r->nwords) || r->nwords == 0)
		return 0;
	const char *name = r->words[0];
	if (!ag_glob_match(name, argv[0], 0)) {
		if (strchr(name, '/') != NULL)
			return 0;
		if (strict ? !ag_glob_match(name, base_name(argv[0]), 0)
		           : !in_bin_dir(argv[0], name))
			return 0;
	}
	for (size_t i = 1; i < r->nwords; i++)
		if (!ag_glob_match(r->words[i], argv[i], 0))
			return 0;
	return 1;
}

static int
path_term_match(const struct term *t, const struct subject *s, int strict)
{
	switch (t->type) {
	case T_PATH: break;
	case T_READ:
		if (strict ? !(s->access & 1) : s->access != 1)
			return 0;
		break;
	case T_WRITE:
		if (!(s->access & 2))
			return 0;
		break;
	default: return 0;
	}
	if (s->path == NULL || s->path[0] == '\0')
		return 0;
	return ag_glob_match(t->a, s->path, AG_GLOB_PATH) ||
	       (s->alt != NULL && ag_glob_match(t->a, s->alt, AG_GLOB_PATH));
}

static int
rule_matches(const struct ag_rule *r, const struct subject *s, enum ag_kind kind)
{
	int strict = r->action != AG_RULE_ALLOW;
	switch (kind) {
	case AG_KIND_EXEC:
		if (s->argv == NULL)
			return 0;
		if (!strict)
			return s->literal_ok && words_match(r, s->argv, s->argc, 0);
		for (size_t f = 0; f < s->nforms; f++)
			if (words_match(r, s->argv + s->forms[f][0],
			                s->forms[f][1] - s->forms[f][0], 1))
				return 1;
		return 0;
	case AG_KIND_PATCH:
	case AG_KIND_PERMISSION:
		for (size_t i = 0; i < r->nterms; i++) {
			if (r->terms[i].type == T_NETWORK) {
				if (s->network)
					return 1;
				continue;
			}
			if (!s->network && path_term_match(&r->terms[i], s, strict))
				return 1;
		}
		return 0;
	case AG_KIND_NETWORK:
		for (size_t i = 0; i < r->nterms; i++)
			if (s->host != NULL &&
			    ag_glob_match(r->terms[i].a, s->host, AG_GLOB_NOCASE) &&
			    (r->terms[i].port == 0 || r->terms[i].port == s->port))
				return 1;
		return 0;
	case AG_KIND_MCP:
		return r->nterms == 1 && s->server != NULL &&
		       ag_glob_match(r->terms[0].a, s->server, 0) &&
		       ag_glob_match(r->terms[0].b, s->tool, 0);
	default: return 0;
	}
}

static const struct ag_rule *
first_match(const struct ag_rules *rules, const struct subject *s, enum ag_kind kind)
{
	if (!ag_rules_has_kind(rules, kind))
		return NULL;
	for (size_t i = 0; i < rules->n; i++)
		if (rules->rules[i].kind == kind && rule_matches(&rules->rules[i], s, kind))
			return &rules->rules[i];
	return NULL;
}

void
ag_rules_evaluate(struct ag_rules *const layers[AG_LAYER_COUNT], const struct ag_request *req,
                  struct ag_rule_result *out)
{
	struct items it = {0};
	int any = 0;

	memset(out, 0, sizeof *out);
	out->action = -1;
	out->layer = -1;
	for (int l = 0; l < AG_LAYER_COUNT; l++)
		any |= ag_rules_has_kind(layers[l], req->kind);
	if (!any)
		return; /* nothing to match: skip parsing the request again */

	struct ag_sh sh;
	ag_sh_init(&sh);
	build_items(req, &sh, &it);

	int pos[AG_RULE_ACTION_COUNT]; /* first item with each action */
	for (int a = 0; a < AG_RULE_ACTION_COUNT; a++)
		pos[a] = -1;
	size_t judged = 0, allowed = 0;
	for (size_t i = 0; i < it.n; i++) {
		struct ag_rule_item *p = &it.pub[i];
		for (int l = 0; l < AG_LAYER_COUNT; l++) {
			p->match[l] = first_match(layers[l], &it.sub[i], req->kind);
			if (p->match[l] != NULL && (int)p->match[l]->action > p->action) {
				p->action = (int)p->match[l]->action;
				p->layer = l;
			}
		}
		/* The system layer's deny is reported first: it is the one that
		 * cannot be argued with. */
		if (p->action >= 0 &&
		    (pos[p->action] < 0 || (p->layer == AG_LAYER_SYSTEM &&
		                            it.pub[pos[p->action]].layer != AG_LAYER_SYSTEM)))
			pos[p->action] = (int)i;
		if (it.sub[i].transparent && p->action != AG_RULE_DENY && p->action != AG_RULE_ASK)
			continue;
		judged++;
		if (p->action == AG_RULE_ALLOW)
			allowed++;
	}
	int decided = -1;
	if (pos[AG_RULE_DENY] >= 0)
		decided = AG_RULE_DENY;
	else if (pos[AG_RULE_ASK] >= 0)
		decided = AG_RULE_ASK;
	else if (judged > 0 && allowed == judged && !it.overflow && !it.incomplete)
		decided = AG_RULE_ALLOW; /* every item, and nothing unseen */
	if (decided >= 0) {
		struct ag_rule_item *p = &it.pub[pos[decided]];
		out->action = decided;
		out->layer = p->layer;
		out->rule = p->match[p->layer];
	}
	out->items = it.pub;
	out->nitems = it.n;
	free_items(&it);
	ag_sh_free(&sh);
}

void
ag_rule_result_clear(struct ag_rule_result *result)
{
	for (size_t i = 0; i < result->nitems; i++)
		free(result->items[i].text);
	free(result->items);
	memset(result, 0, sizeof *result);
	result->action = -1;
	result->layer = -1;
}
