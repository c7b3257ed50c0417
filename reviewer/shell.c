/* The shell-word parser: a recursive descent over lists, pipelines and
 * commands, with a word scanner that cooks as it goes.
 *
 * Words of a command are not committed while the command is still being
 * read: a $(…) in the middle of a word finishes its own commands first. So
 * words, redirections and cooked bytes in progress live on three stacks in
 * struct ag_sh; nested commands push above and pop back before the outer
 * command commits. Committed commands therefore have contiguous argv words,
 * and commands appear in the order they complete (inner substitutions
 * before the command that uses them).
 *
 * A command's slot is reserved when it starts, so substitutions read inside
 * it can name it as their parent before it is complete. */
#include "reviewer/shell.h"

#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/xmalloc.h"

/* Private word flags, cleared at commit. */
#define W_RTARGET 0x10000u /* the target of a redirection, not an argument */

#define CLOSE_BRACE 1 /* parse_list terminator for { …; } */
#define END_GROUP   2 /* parse_simple met the } closing a group */

#define MAX_CASE 16

struct heredoc {
	int rslot;      /* redirection stack slot while its command is open */
	int redir;      /* committed redirection, or -1 */
	int cmd;        /* its command */
	uint32_t delim; /* cooked delimiter in sh->text */
	uint32_t dlen;
	int strip;  /* <<- strips leading tabs */
	int quoted; /* a quoted delimiter: no expansion in the body */
};

struct parser {
	struct ag_sh *sh;
	const char *s;
	size_t n, i;
	struct ag_sh_origin o;
	int stop;          /* a bound was hit: unwind */
	int nest;          /* nested lists */
	int depth;         /* recorded in commands */
	unsigned cflags;   /* added to commands */
	int parent;        /* parent for commands read now */
	int parent_word;   /* final word index, -1, or -(stack slot + 2) */
	int ppipe, pstage; /* pipeline stage new pipelines run in */
	int cur_cmd;       /* the simple command being read */
	int func;          /* the function whose body is being read */
	int brace;         /* open { groups at this level */
	int ncase;
	unsigned char case_pat[MAX_CASE]; /* expecting a case pattern */
	struct heredoc hd[AG_SH_MAX_HEREDOC];
	int nhd;
};

/* A word being cooked. */
struct wstate {
	size_t cstart; /* its first byte in sh->cstk */
	size_t start;  /* local offset where it began */
	long lbase;    /* local offset of cooked byte 0 while contiguous, -1 when not, -2 unset */
	unsigned flags;
};

static void parse_list(struct parser *p, int close);
static int parse_command(struct parser *p, int pipe, int stage, int close);

int
ag_sh_redir_writes(enum ag_sh_redir_op op)
{
	return op == AG_SH_R_OUT || op == AG_SH_R_APPEND || op == AG_SH_R_CLOBBER ||
	       op == AG_SH_R_RDWR || op == AG_SH_R_OUTERR || op == AG_SH_R_APPENDERR;
}

void
ag_sh_origin_root(struct ag_sh_origin *o)
{
	memset(o, 0, sizeof *o);
	o->base = 0;
	o->span_start = o->span_end = -1;
	o->parent = o->parent_word = -1;
	o->parent_pipe = o->parent_stage = -1;
}

void
ag_sh_init(struct ag_sh *sh)
{
	memset(sh, 0, sizeof *sh);
}

void
ag_sh_reset(struct ag_sh *sh)
{
	sh->nwords = sh->nredirs = sh->ncmds = sh->npipes = sh->ntext = 0;
	sh->nwstk = sh->nrstk = sh->ncstk = 0;
	sh->nvars = 0;
	sh->flags = 0;
}

void
ag_sh_free(struct ag_sh *sh)
{
	free(sh->words);
	free(sh->redirs);
	free(sh->cmds);
	free(sh->pipes);
	free(sh->text);
	free(sh->wstk);
	free(sh->rstk);
	free(sh->cstk);
	ag_sh_init(sh);
}

size_t
ag_sh_footprint(const struct ag_sh *sh)
{
	return sh->capwords * sizeof *sh->words + sh->capredirs * sizeof *sh->redirs +
	       sh->capcmds * sizeof *sh->cmds + sh->cappipes * sizeof *sh->pipes + sh->captext +
	       sh->capwstk * sizeof *sh->wstk + sh->caprstk * sizeof *sh->rstk + sh->capcstk;
}

/* Grows *arr to hold one more element of size elem, or returns -1 when
 * count has reached max. */
static int
grow(void **arr, size_t *cap, size_t count, size_t elem, size_t max)
{
	if (count >= max)
		return -1;
	if (count < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > max)
		ncap = max;
	*arr = xreallocarray(*arr, ncap, elem);
	*cap = ncap;
	return 0;
}

static void
bound_hit(struct parser *p, unsigned flag)
{
	p->sh->flags |= flag;
	p->stop = 1;
	p->i = p->n;
}

/* Root offset of local offset off, or -1. */
static int
root_off(const struct parser *p, size_t off)
{
	return p->o.base >= 0 ? p->o.base + (int)off : -1;
}

static void
set_span(const struct parser *p, size_t start, size_t end, int *rs, int *re)
{
	if (p->o.base >= 0) {
		*rs = p->o.base + (int)start;
		*re = p->o.base + (int)end;
	} else {
		*rs = p->o.span_start;
		*re = p->o.span_end;
	}
}

/* ---- cooked bytes ------------------------------------------------------ */

static int
cput(struct parser *p, struct wstate *w, char c, long src)
{
	struct ag_sh *sh = p->sh;
	if (grow((void **)&sh->cstk, &sh->capcstk, sh->ncstk, 1, AG_SH_MAX_TEXT) < 0) {
		bound_hit(p, AG_SH_TRUNCATED);
		return -1;
	}
	size_t k = sh->ncstk - w->cstart;
	if (src < 0)
		w->lbase = -1;
	else if (k == 0 && w->lbase == -2)
		w->lbase = src;
	else if (w->lbase >= 0 && (size_t)src != (size_t)w->lbase + k)
		w->lbase = -1;
	sh->cstk[sh->ncstk++] = c;
	return 0;
}

/* Copies source bytes [from, to) verbatim. */
static void
cput_src(struct parser *p, struct wstate *w, size_t from, size_t to)
{
	struct ag_sh *sh = p->sh;
	if (from >= to || p->stop)
		return;
	size_t n = to - from;
	if (sh->ncstk + n > AG_SH_MAX_TEXT) {
		bound_hit(p, AG_SH_TRUNCATED);
		return;
	}
	if (sh->ncstk + n > sh->capcstk) {
		size_t ncap = sh->capcstk ? sh->capcstk : 256;
		while (ncap < sh->ncstk + n)
			ncap *= 2;
		sh->cstk = xrealloc(sh->cstk, ncap);
		sh->capcstk = ncap;
	}
	/* the same contiguity bookkeeping as cput, once for the run */
	size_t k = sh->ncstk - w->cstart;
	if (k == 0 && w->lbase == -2)
		w->lbase = (long)from;
	else if (w->lbase >= 0 && from != (size_t)w->lbase + k)
		w->lbase = -1;
	memcpy(sh->cstk + sh->ncstk, p->s + from, n);
	sh->ncstk += n;
}

/* Bytes with no meaning inside an unquoted word. */
static int
plain(char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\n':
	case ';':
	case '&':
	case '|':
	case '<':
	case '>':
	case '(':
	case ')':
	case '\\':
	case '\'':
	case '"':
	case '$':
	case '`':
	case '*':
	case '?':
	case '[': return 0;
	default: return 1;
	}
}

/* Appends len bytes to sh->text plus a NUL; returns the offset or -1. */
static long
text_add(struct parser *p, const char *bytes, size_t len)
{
	struct ag_sh *sh = p->sh;
	if (sh->ntext + len + 1 > AG_SH_MAX_TEXT) {
		bound_hit(p, AG_SH_TRUNCATED);
		return -1;
	}
	if (sh->ntext + len + 1 > sh->captext) {
		size_t ncap = sh->captext ? sh->captext : 256;
		while (ncap < sh->ntext + len + 1)
			ncap *= 2;
		if (ncap > AG_SH_MAX_TEXT)
			ncap = AG_SH_MAX_TEXT;
		sh->text = xrealloc(sh->text, ncap);
		sh->captext = ncap;
	}
	long off = (long)sh->ntext;
	if (len > 0)
		memcpy(sh->text + sh->ntext, bytes, len);
	sh->text[sh->ntext + len] = '\0';
	sh->ntext += len + 1;
	return off;
}

static void
wbegin(struct parser *p, struct wstate *w)
{
	w->cstart = p->sh->ncstk;
	w->start = p->i;
	w->lbase = -2;
	w->flags = 0;
}

/* Finishes the word at p->i: moves its cooked bytes to sh->text and pushes
 * its record on the word stack. */
static int
wpush(struct parser *p, struct wstate *w, unsigned extra)
{
	struct ag_sh *sh = p->sh;
	size_t len = sh->ncstk - w->cstart;
	/* An empty first word (a bare "<") comes before any cooked byte:
	 * cstk is still NULL, and NULL + 0 is undefined. */
	long off = text_add(p, len > 0 ? sh->cstk + w->cstart : "", len);
	sh->ncstk = w->cstart;
	if (off < 0)
		return -1;
	if (grow((void **)&sh->wstk, &sh->capwstk, sh->nwstk, sizeof *sh->wstk, AG_SH_MAX_WORDS) <
	    0) {
		bound_hit(p, AG_SH_TRUNCATED);
		return -1;
	}
	struct ag_sh_word *wd = &sh->wstk[sh->nwstk++];
	wd->text = (uint32_t)off;
	wd->len = (uint32_t)len;
	set_span(p, w->start, p->i, &wd->start, &wd->end);
	wd->src_base = len == 0 ? -1 : w->lbase >= 0 ? root_off(p, (size_t)w->lbase) : -1;
	wd->flags = w->flags | extra;
	return 0;
}

/* Pushes a word straight into the committed array (heredoc bodies). */
static int
word_commit(struct parser *p, const struct ag_sh_word *w)
{
	struct ag_sh *sh = p->sh;
	if (grow((void **)&sh->words, &sh->capwords, sh->nwords, sizeof *sh->words,
	         AG_SH_MAX_WORDS) < 0) {
		bound_hit(p, AG_SH_TRUNCATED);
		return -1;
	}
	sh->words[sh->nwords] = *w;
	return (int)sh->nwords++;
}

/* ---- character classes --------------------------------------------------- */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_meta(char c)
{
	return is_blank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' ||
	       c == '>' || c == '(' || c == ')';
}

static int
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static char
at(const struct parser *p, size_t k)
{
	return k < p->n ? p->s[k] : '\0';
}

/* Skips blanks and backslash-newlines. */
static void
skip_blanks(struct parser *p)
{
	while (p->i < p->n) {
		if (is_blank(p->s[p->i]))
			p->i++;
		else if (p->s[p->i] == '\\' && at(p, p->i + 1) == '\n')
			p->i += 2;
		else
			break;
	}
}

static void
skip_comment(struct parser *p)
{
	const char *nl = memchr(p->s + p->i, '\n', p->n - p->i);
	p->i = nl ? (size_t)(nl - p->s) : p->n;
}

/* ---- variables ----------------------------------------------------------- */

/* The remembered literal value of name, or NULL (unknown or never set). */
static const char *
var_lookup(const struct parser *p, const char *name, size_t len, size_t *vlen)
{
	const struct ag_sh *sh = p->sh;
	for (size_t k = sh->nvars; k-- > 0;) {
		const struct ag_sh_var *v = &sh->vars[k];
		if (v->name_len == len && memcmp(sh->text + v->name, name, len) == 0) {
			if (v->value == UINT32_MAX)
				return NULL;
			*vlen = v->value_len;
			return sh->text + v->value;
		}
	}
	return NULL;
}

static int
var_known(const struct parser *p, const char *name, size_t len)
{
	const struct ag_sh *sh = p->sh;
	for (size_t k = 0; k < sh->nvars; k++)
		if (sh->vars[k].name_len == len &&
		    memcmp(sh->text + sh->vars[k].name, name, len) == 0)
			return 1;
	return 0;
}

/* Records NAME=value from a committed assignment word (value unknown when
 * it holds expansions). */
static void
var_record(struct ag_sh *sh, const struct ag_sh_word *w)
{
	const char *t = sh->text + w->text;
	const char *eq = memchr(t, '=', w->len);
	if (eq == NULL || eq == t)
		return;
	size_t nlen = (size_t)(eq - t);
	if (t[nlen - 1] == '+' || t[nlen - 1] == ']')
		return; /* appends and array elements: not tracked */
	struct ag_sh_var v = {w->text, (uint32_t)nlen, (uint32_t)(w->text + nlen + 1),
	                      (uint32_t)(w->len - nlen - 1)};
	if (w->flags & (AG_SH_W_EXPAND | AG_SH_W_SUBST | AG_SH_W_ARITH))
		v.value = UINT32_MAX;
	for (size_t k = 0; k < sh->nvars; k++) {
		if (sh->vars[k].name_len == nlen &&
		    memcmp(sh->text + sh->vars[k].name, t, nlen) == 0) {
			sh->vars[k] = v;
			return;
		}
	}
	if (sh->nvars < AG_SH_MAX_VARS)
		sh->vars[sh->nvars++] = v;
}

/* ---- nested lists ---------------------------------------------------------- */

/* Parses a nested list ($(…), `…`, <(…)) at p->i, stopping before close. */
static void
parse_nested(struct parser *p, int close, unsigned cflag, int parent, int parent_word)
{
	if (p->nest >= AG_SH_MAX_NEST) {
		bound_hit(p, AG_SH_TOO_DEEP);
		return;
	}
	struct parser saved = *p;
	p->cflags |= cflag;
	p->parent = parent;
	p->parent_word = parent_word;
	p->ppipe = p->pstage = -1;
	p->depth++;
	p->nest++;
	p->brace = 0;
	p->ncase = 0;
	parse_list(p, close);
	size_t i = p->i;
	int stop = p->stop, nhd = p->nhd;
	struct heredoc hd[AG_SH_MAX_HEREDOC];
	memcpy(hd, p->hd, sizeof hd);
	*p = saved;
	p->i = i;
	p->stop = stop;
	p->nhd = nhd;
	memcpy(p->hd, hd, sizeof hd);
}

/* `…` whose text starts at p->i: as bash does, the text runs to the next
 * unescaped backquote and is parsed on its own. Leaves p->i past the
 * closing backquote. */
static void
backquote(struct parser *p, int parent, int parent_word)
{
	size_t end = p->i;
	while (end < p->n && p->s[end] != '`')
		end += p->s[end] == '\\' ? 2 : 1;
	if (end > p->n)
		end = p->n;
	size_t save_n = p->n;
	p->n = end;
	parse_nested(p, 0, AG_SH_C_SUBST, parent, parent_word);
	p->n = save_n;
	if (p->stop)
		return;
	if (end < p->n)
		p->i = end + 1;
	else {
		p->i = p->n;
		p->sh->flags |= AG_SH_UNTERMINATED;
	}
}

/* Substitutions still waiting for their command to commit point at a stack
 * slot; when words from `from` on are dropped, they lose their word. */
static void
forget_slots(struct parser *p, size_t from)
{
	struct ag_sh *sh = p->sh;
	if (p->cur_cmd < 0)
		return;
	for (size_t k = (size_t)p->cur_cmd + 1; k < sh->ncmds; k++)
		if (sh->cmds[k].parent == p->cur_cmd && sh->cmds[k].parent_word <= -2 &&
		    (size_t)(-sh->cmds[k].parent_word - 2) >= from)
			sh->cmds[k].parent_word = -1;
}

/* A $(…) / `…` / <(…) inside the word being cooked: parse it, then keep its
 * source text in the word. */
static void
word_subst(struct parser *p, struct wstate *w, size_t skip, int close, unsigned cflag)
{
	size_t start = p->i;
	p->i += skip;
	if (close == '`') {
		backquote(p, p->cur_cmd, -(int)p->sh->nwstk - 2);
	} else {
		parse_nested(p, close, cflag, p->cur_cmd, -(int)p->sh->nwstk - 2);
		if (p->i < p->n && p->s[p->i] == ')')
			p->i++;
		else
			p->sh->flags |= AG_SH_UNTERMINATED;
	}
	cput_src(p, w, start, p->i);
	w->flags |= AG_SH_W_SUBST;
}

/* Index just past the ')' matching the '(' at k (quote-aware), or n. */
static size_t
match_paren(const struct parser *p, size_t k)
{
	int depth = 0;
	for (; k < p->n; k++) {
		char c = p->s[k];
		if (c == '\\') {
			k++;
		} else if (c == '\'') {
			const char *q = memchr(p->s + k + 1, '\'', p->n - k - 1);
			if (q == NULL)
				return p->n;
			k = (size_t)(q - p->s);
		} else if (c == '"') {
			for (k++; k < p->n && p->s[k] != '"'; k++)
				if (p->s[k] == '\\')
					k++;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth == 0)
				return k + 1;
		}
	}
	return p->n;
}

/* ---- $ ------------------------------------------------------------------ */

static void
put_utf8(struct parser *p, struct wstate *w, unsigned long cp)
{
	if (cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		cput(p, w, (char)cp, -1);
	} else if (cp < 0x800) {
		cput(p, w, (char)(0xc0 | (cp >> 6)), -1);
		cput(p, w, (char)(0x80 | (cp & 0x3f)), -1);
	} else if (cp < 0x10000) {
		cput(p, w, (char)(0xe0 | (cp >> 12)), -1);
		cput(p, w, (char)(0x80 | ((cp >> 6) & 0x3f)), -1);
		cput(p, w, (char)(0x80 | (cp & 0x3f)), -1);
	} else {
		cput(p, w, (char)(0xf0 | (cp >> 18)), -1);
		cput(p, w, (char)(0x80 | ((cp >> 12) & 0x3f)), -1);
		cput(p, w, (char)(0x80 | ((cp >> 6) & 0x3f)), -1);
		cput(p, w, (char)(0x80 | (cp & 0x3f)), -1);
	}
}

/* $'…' with the escapes bash decodes; p->i is at '$'. */
static void
ansi_c(struct parser *p, struct wstate *w)
{
	p->i += 2;
	w->flags |= AG_SH_W_QUOTED;
	while (p->i < p->n && p->s[p->i] != '\'' && !p->stop) {
		char c = p->s[p->i];
		if (c != '\\' || p->i + 1 >= p->n) {
			cput(p, w, c, (long)p->i);
			p->i++;
			continue;
		}
		w->flags |= AG_SH_W_DECODED;
		char e = p->s[p->i + 1];
		p->i += 2;
		static const char from[] = "abefnrtv\\'\"?E";
		static const char to[] = "\a\b\033\f\n\r\t\v\\'\"?\033";
		const char *m = strchr(from, e);
		if (e != '\0' && m != NULL) {
			cput(p, w, to[m - from], -1);
		} else if (e >= '0' && e <= '7') {
			unsigned v = (unsigned)(e - '0');
			for (int k = 0;
			     k < 2 && p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '7'; k++)
				v = v * 8 + (unsigned)(p->s[p->i++] - '0');
			cput(p, w, (char)(v & 0xff), -1);
		} else if (e == 'x' || e == 'u' || e == 'U') {
			int max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
			unsigned long v = 0;
			int k = 0;
			for (;
			     k < max && p->i < p->n && ag_hex_digit((unsigned char)p->s[p->i]) >= 0;
			     k++)
				v = v * 16 +
				    (unsigned long)ag_hex_digit((unsigned char)p->s[p->i++]);
			if (k == 0) {
				cput(p, w, '\\', -1);
				cput(p, w, e, -1);
			} else if (e == 'x') {
				cput(p, w, (char)(v & 0xff), -1);
			} else {
				put_utf8(p, w, v);
			}
		} else if (e == 'c' && p->i < p->n) {
			cput(p, w, (char)(p->s[p->i++] & 0x1f), -1);
		} else {
			cput(p, w, '\\', -1);
			cput(p, w, e, -1);
		}
	}
	if (p->i < p->n)
		p->i++;
	else
		p->sh->flags |= AG_SH_UNTERMINATED;
}

/* Ends the word being cooked and starts the next one (unquoted expansions
 * split on blanks). Empty pieces make no word. */
static void
wsplit(struct parser *p, struct wstate *w, int *pushed)
{
	if (p->sh->ncstk > w->cstart || (w->flags & AG_SH_W_QUOTED)) {
		if (wpush(p, w, 0) == 0)
			(*pushed)++;
	}
	size_t keep = p->i;
	wbegin(p, w);
	w->start = keep;
}

/* Substitutes a remembered value; unquoted, it splits on blanks as bash
 * would. */
static void
put_value(struct parser *p, struct wstate *w, const char *v, size_t len, int dq, int *pushed)
{
	w->flags |= AG_SH_W_DECODED;
	for (size_t k = 0; k < len && !p->stop; k++) {
		if (!dq && (is_blank(v[k]) || v[k] == '\n')) {
			wsplit(p, w, pushed);
			continue;
		}
		cput(p, w, v[k], -1);
	}
}

/* ${…}: the end index (past '}'), parsing any $(…) or `…` inside. */
static size_t
brace_param(struct parser *p, struct wstate *w)
{
	size_t k = p->i + 2;
	int depth = 1;
	while (k < p->n && depth > 0 && !p->stop) {
		char c = p->s[k];
		if (c == '\\') {
			k += 2;
		} else if (c == '\'') {
			const char *q = memchr(p->s + k + 1, '\'', p->n - k - 1);
			k = q ? (size_t)(q - p->s) + 1 : p->n;
		} else if (c == '$' && at(p, k + 1) == '(' && at(p, k + 2) != '(') {
			size_t save = p->i;
			p->i = k + 2;
			parse_nested(p, ')', AG_SH_C_SUBST, p->cur_cmd, -(int)p->sh->nwstk - 2);
			k = p->i < p->n ? p->i + 1 : p->n;
			p->i = save;
			w->flags |= AG_SH_W_SUBST;
		} else if (c == '`') {
			size_t save = p->i;
			p->i = k + 1;
			backquote(p, p->cur_cmd, -(int)p->sh->nwstk - 2);
			k = p->i;
			p->i = save;
			w->flags |= AG_SH_W_SUBST;
		} else if (c == '$' && at(p, k + 1) == '{') {
			depth++;
			k += 2;
		} else if (c == '}') {
			depth--;
			k++;
		} else {
			k++;
		}
	}
	if (depth > 0)
		p->sh->flags |= AG_SH_UNTERMINATED;
	return k > p->n ? p->n : k;
}

/* A '$' at p->i; dq says inside double quotes. */
static void
dollar(struct parser *p, struct wstate *w, int dq, int *pushed)
{
	char next = at(p, p->i + 1);
	if (!dq && next == '\'') {
		ansi_c(p, w);
		return;
	}
	if (next == '(') {
		if (at(p, p->i + 2) == '(') {
			size_t end = match_paren(p, p->i + 1);
			if (end >= 2 && end <= p->n && p->s[end - 2] == ')' &&
			    match_paren(p, p->i + 2) == end - 1) {
				cput_src(p, w, p->i, end);
				p->i = end;
				w->flags |= AG_SH_W_ARITH;
				return;
			}
		}
		word_subst(p, w, 2, ')', AG_SH_C_SUBST);
		return;
	}
	if (next == '{') {
		size_t end = brace_param(p, w);
		const char *name = p->s + p->i + 2;
		size_t nlen = 0;
		while (p->i + 2 + nlen < end && is_name_char(name[nlen]))
			nlen++;
		int simple = nlen > 0 && p->i + 2 + nlen + 1 == end && name[nlen] == '}';
		const char *v;
		size_t vlen;
		if (simple && (v = var_lookup(p, name, nlen, &vlen)) != NULL) {
			p->i = end;
			put_value(p, w, v, vlen, dq, pushed);
		} else if (simple && !dq && nlen == 3 && memcmp(name, "IFS", 3) == 0 &&
		           !var_known(p, name, nlen)) {
			p->i = end;
			wsplit(p, w, pushed);
		} else {
			cput_src(p, w, p->i, end);
			p->i = end;
			w->flags |= AG_SH_W_EXPAND;
		}
		return;
	}
	if (is_name_start(next)) {
		size_t k = p->i + 1;
		while (k < p->n && is_name_char(p->s[k]))
			k++;
		const char *name = p->s + p->i + 1;
		size_t nlen = k - p->i - 1;
		const char *v;
		size_t vlen;
		if ((v = var_lookup(p, name, nlen, &vlen)) != NULL) {
			p->i = k;
			put_value(p, w, v, vlen, dq, pushed);
		} else if (!dq && nlen == 3 && memcmp(name, "IFS", 3) == 0 &&
		           !var_known(p, name, nlen)) {
			p->i = k;
			wsplit(p, w, pushed);
		} else {
			cput_src(p, w, p->i, k);
			p->i = k;
			w->flags |= AG_SH_W_EXPAND;
		}
		return;
	}
	if (next != '\0' && strchr("@*#?$!-0123456789", next) != NULL) {
		cput_src(p, w, p->i, p->i + 2);
		p->i += 2;
		w->flags |= AG_SH_W_EXPAND;
		return;
	}
	cput(p, w, '$', (long)p->i);
	p->i++;
}

/* "…" at p->i. */
static void
dquote(struct parser *p, struct wstate *w, int *pushed)
{
	p->i++;
	w->flags |= AG_SH_W_QUOTED;
	while (p->i < p->n && p->s[p->i] != '"' && !p->stop) {
		char c = p->s[p->i];
		if (c == '\\' && p->i + 1 < p->n) {
			char e = p->s[p->i + 1];
			if (e == '\n') {
				p->i += 2;
			} else if (e == '$' || e == '`' || e == '"' || e == '\\') {
				cput(p, w, e, (long)p->i + 1);
				p->i += 2;
			} else {
				cput(p, w, c, (long)p->i);
				p->i++;
			}
		} else if (c == '$') {
			dollar(p, w, 1, pushed);
		} else if (c == '`') {
			word_subst(p, w, 1, '`', AG_SH_C_SUBST);
		} else {
			cput(p, w, c, (long)p->i);
			p->i++;
		}
	}
	if (p->i < p->n)
		p->i++;
	else
		p->sh->flags |= AG_SH_UNTERMINATED;
}

/* Whether the word begun at start is NAME= / NAME+= / NAME[…]= so far. */
static int
assign_prefix(const struct parser *p, size_t start, size_t end)
{
	size_t k = start;
	if (k >= end || !is_name_start(p->s[k]))
		return 0;
	while (k < end && is_name_char(p->s[k]))
		k++;
	if (k < end && p->s[k] == '[') {
		while (k < end && p->s[k] != ']')
			k++;
		k++;
	}
	if (k < end && p->s[k] == '+')
		k++;
	return k < end && p->s[k] == '=';
}

/* {a,b,c} as a whole unquoted word: bash expands it to a b c. Replaces the
 * top word of the stack with its pieces. */
static int
brace_list(struct parser *p)
{
	struct ag_sh *sh = p->sh;
	struct ag_sh_word w = sh->wstk[sh->nwstk - 1];
	const char *t = sh->text + w.text;
	if (w.flags & AG_SH_W_QUOTED || w.len < 4 || t[0] != '{' || t[w.len - 1] != '}' ||
	    memchr(t, ',', w.len) == NULL)
		return 1;
	for (size_t k = 1; k + 1 < w.len; k++)
		if (t[k] == '{' || t[k] == '}' || t[k] == '$')
			return 1;
	sh->nwstk--;
	int count = 0;
	size_t k = 1;
	while (k < w.len && !p->stop) {
		size_t e = k;
		while (e + 1 < w.len && sh->text[w.text + e] != ',')
			e++;
		/* Copy out first: text_add may move sh->text. */
		char piece[256];
		size_t plen = e - k < sizeof piece ? e - k : sizeof piece - 1;
		memcpy(piece, sh->text + w.text + k, plen);
		long off = text_add(p, piece, plen);
		if (off < 0 || grow((void **)&sh->wstk, &sh->capwstk, sh->nwstk, sizeof *sh->wstk,
		                    AG_SH_MAX_WORDS) < 0) {
			bound_hit(p, AG_SH_TRUNCATED);
			break;
		}
		struct ag_sh_word piecew = w;
		piecew.text = (uint32_t)off;
		piecew.len = (uint32_t)plen;
		piecew.src_base = -1;
		piecew.flags |= AG_SH_W_DECODED;
		sh->wstk[sh->nwstk++] = piecew;
		count++;
		k = e + 1;
	}
	return count;
}

/* Scans one word (or, when an unquoted expansion splits, several) at p->i
 * onto the word stack. Returns how many words were pushed. */
static int
scan_word(struct parser *p, unsigned extra)
{
	struct wstate w;
	int pushed = 0;
	wbegin(p, &w);
	if (p->i < p->n && p->s[p->i] == '~')
		w.flags |= AG_SH_W_TILDE;
	while (p->i < p->n && !p->stop) {
		char c = p->s[p->i];
		if ((c == '<' || c == '>') && at(p, p->i + 1) == '(' && p->sh->ncstk == w.cstart) {
			word_subst(p, &w, 2, ')', AG_SH_C_PROCSUBST);
			w.flags |= AG_SH_W_PROCSUBST;
			continue;
		}
		if (c == '(' && assign_prefix(p, w.start, p->i) && p->s[p->i - 1] == '=') {
			size_t end = match_paren(p, p->i);
			cput_src(p, &w, p->i, end);
			p->i = end;
			continue;
		}
		if (is_meta(c))
			break;
		switch (c) {
		case '\\':
			if (p->i + 1 >= p->n) {
				p->i++;
			} else if (p->s[p->i + 1] == '\n') {
				p->i += 2;
			} else {
				cput(p, &w, p->s[p->i + 1], (long)p->i + 1);
				w.flags |= AG_SH_W_QUOTED;
				p->i += 2;
			}
			break;
		case '\'': {
			const char *q = memchr(p->s + p->i + 1, '\'', p->n - p->i - 1);
			size_t end = q ? (size_t)(q - p->s) : p->n;
			cput_src(p, &w, p->i + 1, end);
			w.flags |= AG_SH_W_QUOTED;
			if (q == NULL)
				p->sh->flags |= AG_SH_UNTERMINATED;
			p->i = q ? end + 1 : p->n;
			break;
		}
		case '"': dquote(p, &w, &pushed); break;
		case '$':
			if (at(p, p->i + 1) == '"') {
				p->i++;
				dquote(p, &w, &pushed);
			} else {
				dollar(p, &w, 0, &pushed);
			}
			break;
		case '`': word_subst(p, &w, 1, '`', AG_SH_C_SUBST); break;
		case '*':
		case '?':
		case '[':
			w.flags |= AG_SH_W_GLOB;
			cput(p, &w, c, (long)p->i);
			p->i++;
			break;
		default: {
			/* a run of ordinary bytes at once */
			size_t e = p->i + 1;
			while (e < p->n && plain(p->s[e]))
				e++;
			cput_src(p, &w, p->i, e);
			p->i = e;
			break;
		}
		}
	}
	if (p->stop)
		return pushed;
	/* An unquoted expansion that was empty, or a split that left nothing
	 * after it, makes no word (as in bash). */
	if (p->sh->ncstk == w.cstart && !(w.flags & AG_SH_W_QUOTED))
		return pushed;
	if (wpush(p, &w, extra) < 0)
		return pushed;
	pushed++;
	if (pushed == 1 && !(w.flags & AG_SH_W_QUOTED))
		pushed = brace_list(p);
	return pushed;
}

/* ---- redirections and heredocs ------------------------------------------------ */

/* Tries a redirection at p->i; returns 1 and pushes it (and its target word)
 * when there is one. */
static int
try_redir(struct parser *p)
{
	size_t j = p->i, start = p->i;
	int fd = -1;
	if (at(p, j) >= '0' && at(p, j) <= '9') {
		long v = 0;
		while (at(p, j) >= '0' && at(p, j) <= '9') {
			if (v < 100000)
				v = v * 10 + (at(p, j) - '0');
			j++;
		}
		if (at(p, j) != '<' && at(p, j) != '>')
			return 0;
		fd = (int)v;
	} else if (at(p, j) == '{') {
		size_t k = j + 1;
		while (k < p->n && is_name_char(p->s[k]))
			k++;
		if (k == j + 1 || at(p, k) != '}' || (at(p, k + 1) != '<' && at(p, k + 1) != '>'))
			return 0;
		j = k + 1;
	}
	enum ag_sh_redir_op op;
	char c = at(p, j), c1 = at(p, j + 1), c2 = at(p, j + 2);
	int strip = 0;
	if (c == '&' && c1 == '>' && fd == -1) {
		op = c2 == '>' ? AG_SH_R_APPENDERR : AG_SH_R_OUTERR;
		j += c2 == '>' ? 3 : 2;
	} else if (c == '<') {
		if (c1 == '<' && c2 == '<') {
			op = AG_SH_R_HERESTRING;
			j += 3;
		} else if (c1 == '<') {
			op = AG_SH_R_HEREDOC;
			strip = c2 == '-';
			j += strip ? 3 : 2;
		} else if (c1 == '>') {
			op = AG_SH_R_RDWR;
			j += 2;
		} else if (c1 == '&') {
			op = AG_SH_R_DUPIN;
			j += 2;
		} else if (c1 == '(' && j == start) {
			return 0;
		} else {
			op = AG_SH_R_IN;
			j += 1;
		}
	} else if (c == '>') {
		if (c1 == '>') {
			op = AG_SH_R_APPEND;
			j += 2;
		} else if (c1 == '|') {
			op = AG_SH_R_CLOBBER;
			j += 2;
		} else if (c1 == '&') {
			op = AG_SH_R_DUPOUT;
			j += 2;
		} else if (c1 == '(' && j == start) {
			return 0;
		} else {
			op = AG_SH_R_OUT;
			j += 1;
		}
	} else {
		return 0;
	}
	p->i = j;
	skip_blanks(p);
	struct ag_sh *sh = p->sh;
	size_t slot = sh->nwstk;
	char c0 = at(p, p->i);
	int procsubst = (c0 == '<' || c0 == '>') && at(p, p->i + 1) == '(';
	if (p->i >= p->n || (is_meta(c0) && !procsubst) || scan_word(p, W_RTARGET) == 0) {
		struct wstate w;
		wbegin(p, &w);
		if (wpush(p, &w, W_RTARGET) < 0)
			return 1;
	}
	if (p->stop)
		return 1;
	sh->nwstk = slot + 1; /* a target is one word, even if it split */
	sh->wstk[slot].flags |= W_RTARGET;
	const struct ag_sh_word *t = &sh->wstk[slot];
	if (op == AG_SH_R_DUPOUT && t->len > 0 &&
	    strspn(sh->text + t->text, "0123456789-") != t->len)
		op = AG_SH_R_OUTERR;
	if (grow((void **)&sh->rstk, &sh->caprstk, sh->nrstk, sizeof *sh->rstk, AG_SH_MAX_REDIRS) <
	    0) {
		bound_hit(p, AG_SH_TRUNCATED);
		return 1;
	}
	struct ag_sh_redir *r = &sh->rstk[sh->nrstk];
	r->fd = fd;
	r->op = op;
	r->target = (int)slot;
	r->body = -1;
	set_span(p, start, p->i, &r->start, &r->end);
	if (op == AG_SH_R_HEREDOC) {
		if (p->nhd < AG_SH_MAX_HEREDOC) {
			struct heredoc *h = &p->hd[p->nhd++];
			h->rslot = (int)sh->nrstk;
			h->redir = -1;
			h->cmd = p->cur_cmd;
			h->delim = t->text;
			h->dlen = t->len;
			h->strip = strip;
			h->quoted = (t->flags & AG_SH_W_QUOTED) != 0;
		} else {
			bound_hit(p, AG_SH_TRUNCATED);
		}
	}
	sh->nrstk++;
	return 1;
}

/* Parses $(…) and `…` in an unquoted heredoc body [from, to). */
static void
body_substs(struct parser *p, size_t from, size_t to, int cmd, int word)
{
	size_t save_i = p->i, save_n = p->n;
	p->n = to;
	for (size_t k = from; k < to && !p->stop;) {
		char c = p->s[k];
		if (c == '\\') {
			k += 2;
		} else if (c == '`') {
			p->i = k + 1;
			backquote(p, cmd, word);
			k = p->i;
		} else if (c == '$' && at(p, k + 1) == '(' && at(p, k + 2) != '(') {
			p->i = k + 2;
			parse_nested(p, ')', AG_SH_C_SUBST, cmd, word);
			k = p->i + 1;
		} else {
			k++;
		}
	}
	p->n = save_n;
	if (!p->stop)
		p->i = save_i;
}

/* After a newline: the bodies of the heredocs opened on that line. */
static void
read_heredocs(struct parser *p)
{
	struct heredoc pending[AG_SH_MAX_HEREDOC];
	int count = p->nhd;
	memcpy(pending, p->hd, sizeof pending);
	p->nhd = 0;
	for (int h = 0; h < count && !p->stop; h++) {
		struct heredoc *hd = &pending[h];
		size_t start = p->i, end = p->n, next = p->n;
		size_t line = start;
		while (line < p->n) {
			const char *nl = memchr(p->s + line, '\n', p->n - line);
			size_t le = nl ? (size_t)(nl - p->s) : p->n;
			size_t ls = line;
			if (hd->strip)
				while (ls < le && p->s[ls] == '\t')
					ls++;
			if (le - ls == hd->dlen &&
			    memcmp(p->s + ls, p->sh->text + hd->delim, hd->dlen) == 0) {
				end = line;
				next = nl ? le + 1 : p->n;
				break;
			}
			line = nl ? le + 1 : p->n;
		}
		if (end == p->n)
			p->sh->flags |= AG_SH_UNTERMINATED;
		long off = text_add(p, p->s + start, end - start);
		if (off < 0)
			return;
		struct ag_sh_word w;
		w.text = (uint32_t)off;
		w.len = (uint32_t)(end - start);
		set_span(p, start, end, &w.start, &w.end);
		w.src_base = root_off(p, start);
		w.flags = AG_SH_W_BODY | (hd->quoted ? AG_SH_W_QUOTED : 0);
		int wi = word_commit(p, &w);
		if (wi < 0)
			return;
		if (hd->redir >= 0)
			p->sh->redirs[hd->redir].body = wi;
		if (!hd->quoted) {
			body_substs(p, start, end, hd->cmd, wi);
			/* the body's substitutions belong to the command too */
			if (hd->cmd >= 0 && (size_t)hd->cmd < p->sh->ncmds)
				p->sh->cmds[hd->cmd].nested_end = (int)p->sh->ncmds;
		}
		if (!p->stop)
			p->i = next;
	}
}

static void
eat_newline(struct parser *p)
{
	p->i++;
	if (p->nhd > 0)
		read_heredocs(p);
}

/* ---- commands ------------------------------------------------------------ */

static int
reserve_cmd(struct parser *p, int pipe, int stage)
{
	struct ag_sh *sh = p->sh;
	if (grow((void **)&sh->cmds, &sh->capcmds, sh->ncmds, sizeof *sh->cmds, AG_SH_MAX_CMDS) <
	    0) {
		bound_hit(p, AG_SH_TRUNCATED);
		return -1;
	}
	struct ag_sh_cmd *c = &sh->cmds[sh->ncmds];
	memset(c, 0, sizeof *c);
	c->assign0 = c->word0 = (int)sh->nwords;
	c->redir0 = (int)sh->nredirs;
	c->pipe = pipe;
	c->stage = stage;
	c->parent = p->parent;
	c->parent_word = p->parent_word;
	c->func = p->func;
	c->depth = p->depth;
	c->flags = p->cflags | p->o.cflags;
	c->nested_end = (int)sh->ncmds + 1;
	return (int)sh->ncmds++;
}

/* Moves the command's words (assignments, then argv, then redirection
 * targets) and redirections from the stacks into the result. */
static void
commit_cmd(struct parser *p, int idx, size_t wbase, size_t rbase)
{
	struct ag_sh *sh = p->sh;
	size_t nw = sh->nwstk - wbase;
	if (sh->nwords + nw > AG_SH_MAX_WORDS ||
	    sh->nredirs + (sh->nrstk - rbase) > AG_SH_MAX_REDIRS) {
		sh->nwstk = wbase;
		sh->nrstk = rbase;
		bound_hit(p, AG_SH_TRUNCATED);
		return;
	}
	size_t first = sh->nwords;
	struct ag_sh_cmd *c = &sh->cmds[idx];
	for (int pass = 0; pass < 3; pass++) {
		if (pass == 0)
			c->assign0 = (int)sh->nwords;
		if (pass == 1)
			c->word0 = (int)sh->nwords;
		for (size_t k = 0; k < nw; k++) {
			struct ag_sh_word w = sh->wstk[wbase + k];
			int kind = (w.flags & AG_SH_W_ASSIGN) ? 0 : (w.flags & W_RTARGET) ? 2 : 1;
			if (kind != pass)
				continue;
			w.flags &= ~W_RTARGET;
			word_commit(p, &w);
		}
		if (pass == 0)
			c->nassign = (int)sh->nwords - c->assign0;
		if (pass == 1)
			c->nwords = (int)sh->nwords - c->word0;
	}
	/* Slot -> final index: recompute by the same order. */
	int na = c->nassign, nargs = c->nwords;
	int ia = 0, iw = 0, ir = 0;
	int *map = NULL;
	int small[64];
	if (nw > 0)
		map = nw <= 64 ? small : xreallocarray(NULL, nw, sizeof *map);
	for (size_t k = 0; k < nw; k++) {
		unsigned f = sh->wstk[wbase + k].flags;
		if (f & AG_SH_W_ASSIGN)
			map[k] = (int)first + ia++;
		else if (f & W_RTARGET)
			map[k] = (int)first + na + nargs + ir++;
		else
			map[k] = (int)first + na + iw++;
	}
	c->redir0 = (int)sh->nredirs;
	for (size_t r = rbase; r < sh->nrstk; r++) {
		if (grow((void **)&sh->redirs, &sh->capredirs, sh->nredirs, sizeof *sh->redirs,
		         AG_SH_MAX_REDIRS) < 0)
			break;
		struct ag_sh_redir rd = sh->rstk[r];
		size_t slot = (size_t)rd.target;
		rd.target = slot >= wbase && slot < wbase + nw ? map[slot - wbase] : -1;
		for (int h = 0; h < p->nhd; h++)
			if (p->hd[h].redir < 0 && p->hd[h].rslot == (int)r)
				p->hd[h].redir = (int)sh->nredirs;
		sh->redirs[sh->nredirs++] = rd;
	}
	c->nredir = (int)(sh->nrstk - rbase);
	for (size_t k = (size_t)idx + 1; k < sh->ncmds; k++) {
		struct ag_sh_cmd *n = &sh->cmds[k];
		if (n->parent != idx || n->parent_word > -2)
			continue;
		size_t slot = (size_t)(-n->parent_word - 2);
		n->parent_word = slot >= wbase && slot < wbase + nw ? map[slot - wbase] : -1;
	}
	if (map != small)
		free(map);
	sh->nwstk = wbase;
	sh->nrstk = rbase;
	c->nested_end = (int)sh->ncmds;

	/* Remember literal assignments: x=rm; $x … */
	if (c->nwords == 0) {
		for (int k = 0; k < c->nassign; k++)
			var_record(sh, &sh->words[c->assign0 + k]);
	} else if (!(c->flags & AG_SH_C_TEST)) {
		const char *name = sh->text + sh->words[c->word0].text;
		/* first letters of the five, before any strcmp */
		int maybe = name[0] == 'e' || name[0] == 'd' || name[0] == 'l' || name[0] == 'r' ||
		            name[0] == 't';
		if (maybe && (strcmp(name, "export") == 0 || strcmp(name, "declare") == 0 ||
		              strcmp(name, "local") == 0 || strcmp(name, "readonly") == 0 ||
		              strcmp(name, "typeset") == 0))
			for (int k = 1; k < c->nwords; k++)
				if (is_name_start(sh->text[sh->words[c->word0 + k].text]))
					var_record(sh, &sh->words[c->word0 + k]);
	}
}

/* Drops the reserved command if it is the last one and stayed empty. */
static void
unreserve(struct parser *p, int idx)
{
	if (idx >= 0 && (size_t)idx + 1 == p->sh->ncmds)
		p->sh->ncmds--;
}

/* Redirections after ( … ) or { …; }: a word-less command of their own. */
static void
group_redirs(struct parser *p, int pipe, int stage)
{
	struct ag_sh *sh = p->sh;
	size_t wbase = sh->nwstk, rbase = sh->nrstk;
	int saved = p->cur_cmd;
	int idx = reserve_cmd(p, pipe, stage);
	if (idx < 0)
		return;
	p->cur_cmd = idx;
	for (;;) {
		skip_blanks(p);
		if (p->stop || !try_redir(p))
			break;
	}
	p->cur_cmd = saved;
	if (sh->nrstk > rbase) {
		sh->cmds[idx].flags |= AG_SH_C_GROUPREDIR;
		commit_cmd(p, idx, wbase, rbase);
	} else {
		sh->nwstk = wbase;
		unreserve(p, idx);
	}
}

/* A subshell or group body, run as stage `stage` of `pipe`. */
static void
nested_group(struct parser *p, int close, int pipe, int stage)
{
	if (p->nest >= AG_SH_MAX_NEST) {
		bound_hit(p, AG_SH_TOO_DEEP);
		return;
	}
	int ppipe = p->ppipe, pstage = p->pstage, brace = p->brace;
	p->ppipe = pipe;
	p->pstage = stage;
	p->nest++;
	if (close == CLOSE_BRACE)
		p->brace++;
	parse_list(p, close);
	p->nest--;
	p->ppipe = ppipe;
	p->pstage = pstage;
	p->brace = brace;
}

/* Asked of most words a dozen times (reserved words, {, case, …): the
 * first byte is compared before strcmp is called. */
static int
word_is(const struct parser *p, const struct ag_sh_word *w, const char *s)
{
	const char *t = p->sh->text + w->text;
	return !(w->flags & (AG_SH_W_QUOTED | AG_SH_W_EXPAND | AG_SH_W_SUBST)) && t[0] == s[0] &&
	       strcmp(t, s) == 0;
}

static int
reserved(const struct parser *p, const struct ag_sh_word *w)
{
	static const char *const words[] = {"if",   "then",   "elif",  "else",  "fi",
	                                    "do",   "done",   "while", "until", "!",
	                                    "esac", "coproc", NULL};
	for (int k = 0; words[k] != NULL; k++)
		if (word_is(p, w, words[k]))
			return 1;
	return 0;
}

/* Skips a case pattern up to its unquoted ')'. */
static void
skip_case_pattern(struct parser *p)
{
	while (p->i < p->n) {
		char c = p->s[p->i];
		if (c == '\\') {
			p->i += 2;
		} else if (c == '\'' || c == '"') {
			const char *q = memchr(p->s + p->i + 1, c, p->n - p->i - 1);
			p->i = q ? (size_t)(q - p->s) + 1 : p->n;
		} else if (c == ')') {
			p->i++;
			return;
		} else if (c == '\n' || c == ';') {
			return;
		} else {
			p->i++;
		}
	}
	if (p->i > p->n)
		p->i = p->n;
}

/* Words of a for/select/case header that are not commands: scanned (so
 * their substitutions are found) and dropped, up to a separator or `in`. */
static void
drop_words_until_separator(struct parser *p, int stop_at_in)
{
	size_t base = p->sh->nwstk;
	for (;;) {
		skip_blanks(p);
		if (p->stop || p->i >= p->n || is_meta(p->s[p->i]))
			break;
		size_t slot = p->sh->nwstk, before = p->i;
		if (scan_word(p, 0) == 0) {
			if (p->i == before)
				p->i++;
			continue;
		}
		if (stop_at_in && slot < p->sh->nwstk && word_is(p, &p->sh->wstk[slot], "in"))
			break;
	}
	forget_slots(p, base);
	p->sh->nwstk = base;
}

/* ((…)) at p->i: its end, or 0 when it is a nested subshell instead. */
static size_t
arith_end(const struct parser *p)
{
	if (at(p, p->i) != '(' || at(p, p->i + 1) != '(')
		return 0;
	size_t inner = match_paren(p, p->i + 1);
	if (inner < p->n && p->s[inner] == ')')
		return inner + 1;
	return 0;
}

/* [[ … ]]: < > ( ) && || are part of the expression. */
static void
test_expr(struct parser *p)
{
	for (;;) {
		skip_blanks(p);
		while (p->i < p->n && p->s[p->i] == '\n')
			eat_newline(p);
		skip_blanks(p);
		if (p->stop || p->i >= p->n)
			return;
		if (p->s[p->i] == ']' && at(p, p->i + 1) == ']' &&
		    (p->i + 2 >= p->n || is_meta(p->s[p->i + 2]))) {
			p->i += 2;
			return;
		}
		char c = p->s[p->i];
		if (strchr("<>()&|!;", c) != NULL) {
			struct wstate w;
			wbegin(p, &w);
			while (p->i < p->n && strchr("<>()&|!", p->s[p->i]) != NULL && !p->stop) {
				cput(p, &w, p->s[p->i], (long)p->i);
				p->i++;
			}
			if (w.start == p->i) {
				p->i++;
				continue;
			}
			wpush(p, &w, 0);
			continue;
		}
		size_t before = p->i;
		if (scan_word(p, 0) == 0 && p->i == before)
			p->i++;
	}
}

static void skip_space_lines(struct parser *p);

/* name () body, or function name [()] body: commits the definition (argv is
 * the name) and reads the body, whose commands remember the function. */
static void
funcdef(struct parser *p, int idx, size_t wbase, size_t rbase, int pipe, int stage, int close)
{
	p->sh->cmds[idx].flags |= AG_SH_C_FUNCDEF;
	commit_cmd(p, idx, wbase, rbase);
	skip_space_lines(p);
	int func = p->func;
	unsigned cflags = p->cflags;
	p->func = idx;
	p->cflags |= AG_SH_C_FUNCBODY;
	parse_command(p, pipe, stage, close);
	p->func = func;
	p->cflags = cflags;
}

/* At "(": whether blanks and ")" follow (the parentheses of a function
 * definition); leaves p->i past them when so. */
static int
empty_parens(struct parser *p)
{
	size_t k = p->i + 1;
	while (k < p->n && is_blank(p->s[k]))
		k++;
	if (at(p, p->i) != '(' || at(p, k) != ')')
		return 0;
	p->i = k + 1;
	return 1;
}

/* A keyword at the start of a command. Returns 1 when the word was a
 * keyword and has been dealt with (dropped from the stack), END_GROUP for
 * the } closing a group, 2 + 1 when the command is complete (a group or a
 * function definition was read), 0 for an ordinary word. */
#define KW_DONE 4
static int
keyword(struct parser *p, size_t slot, int idx, size_t wbase, size_t rbase, int pipe, int stage,
        int close)
{
	struct ag_sh *sh = p->sh;
	struct ag_sh_word *w = &sh->wstk[slot];
	if (p->ncase == 0 &&
	    (w->len > 8 || w->len == 0 || strchr("iteduw!c{}fs[", sh->text[w->text]) == NULL))
		return 0; /* cannot be a keyword: most words */
	if (p->ncase > 0 && p->case_pat[p->ncase - 1]) {
		forget_slots(p, slot);
		sh->nwstk = slot;
		if (word_is(p, w, "esac")) {
			p->ncase--;
			return 1;
		}
		/* A case pattern; the word just read was its start. */
		p->case_pat[p->ncase - 1] = 0;
		skip_case_pattern(p);
		return 1;
	}
	if (reserved(p, w)) {
		if (word_is(p, w, "esac") && p->ncase > 0)
			p->ncase--;
		sh->nwstk = slot;
		return 1;
	}
	if (word_is(p, w, "{")) {
		sh->nwstk = slot;
		nested_group(p, CLOSE_BRACE, pipe, stage);
		group_redirs(p, pipe, stage);
		return KW_DONE;
	}
	if (word_is(p, w, "}")) {
		sh->nwstk = slot;
		return p->brace > 0 ? END_GROUP : 1;
	}
	if (word_is(p, w, "for") || word_is(p, w, "select")) {
		sh->nwstk = slot;
		skip_blanks(p);
		size_t end = arith_end(p);
		if (end > 0)
			p->i = end;
		else
			drop_words_until_separator(p, 0);
		return 1;
	}
	if (word_is(p, w, "case")) {
		sh->nwstk = slot;
		drop_words_until_separator(p, 1);
		if (p->ncase < MAX_CASE)
			p->case_pat[p->ncase++] = 1;
		else
			bound_hit(p, AG_SH_TOO_DEEP);
		return 1;
	}
	if (word_is(p, w, "function")) {
		sh->nwstk = slot;
		skip_blanks(p);
		size_t before = p->i;
		if (p->i >= p->n || is_meta(p->s[p->i]) || scan_word(p, 0) != 1) {
			if (p->i == before && p->i < p->n)
				p->i++;
			return 1;
		}
		skip_blanks(p);
		empty_parens(p);
		funcdef(p, idx, wbase, rbase, pipe, stage, close);
		return KW_DONE;
	}
	if (word_is(p, w, "[[")) {
		sh->cmds[idx].flags |= AG_SH_C_TEST;
		test_expr(p);
		return 0;
	}
	return 0;
}

static int
parse_simple(struct parser *p, int pipe, int stage, int close)
{
	struct ag_sh *sh = p->sh;
	size_t wbase = sh->nwstk, rbase = sh->nrstk;
	int saved_cur = p->cur_cmd;
	int idx = reserve_cmd(p, pipe, stage);
	if (idx < 0)
		return 0;
	p->cur_cmd = idx;
	int nargs = 0, nassign = 0, result = 0, done = 0;
	while (!done) {
		skip_blanks(p);
		if (p->stop || p->i >= p->n)
			break;
		char c = p->s[p->i];
		if (c == '\n' || c == ';' || c == ')' || c == '|' ||
		    (c == '&' && at(p, p->i + 1) != '>'))
			break;
		if (close == '`' && c == '`')
			break;
		int cmdpos = nargs == 0 && nassign == 0;
		if (c == '(' && cmdpos && p->ncase > 0 && p->case_pat[p->ncase - 1]) {
			p->case_pat[p->ncase - 1] = 0;
			skip_case_pattern(p);
			continue;
		}
		if (try_redir(p))
			continue;
		if (c == '(') {
			if (nargs == 1 && nassign == 0 && empty_parens(p)) {
				p->cur_cmd = saved_cur;
				funcdef(p, idx, wbase, rbase, pipe, stage, close);
				return 0;
			}
			if (cmdpos) {
				/* ( after a keyword: a subshell. */
				p->i++;
				nested_group(p, ')', pipe, stage);
				if (p->i < p->n && p->s[p->i] == ')')
					p->i++;
				continue;
			}
			p->i++; /* a syntax error in bash; keep reading */
			continue;
		}
		if (c == '#') {
			skip_comment(p);
			continue;
		}
		size_t slot = sh->nwstk, start = p->i;
		int got = scan_word(p, 0);
		if (got == 0) {
			if (p->i == start)
				p->i++;
			continue;
		}
		if (nargs > 0 || got != 1) {
			nargs += got;
			continue;
		}
		if (assign_prefix(p, start, p->i)) {
			sh->wstk[slot].flags |= AG_SH_W_ASSIGN;
			nassign++;
			continue;
		}
		if (nassign == 0) {
			int k = keyword(p, slot, idx, wbase, rbase, pipe, stage, close);
			if (k == END_GROUP) {
				result = END_GROUP;
				break;
			}
			if (k == KW_DONE) {
				p->cur_cmd = saved_cur;
				if (sh->cmds[idx].flags & AG_SH_C_FUNCDEF)
					return 0;
				done = 1;
				break;
			}
			if (k == 1)
				continue;
		}
		nargs++;
	}
	p->cur_cmd = saved_cur;
	if (sh->nwstk > wbase || sh->nrstk > rbase || (size_t)idx + 1 < sh->ncmds)
		commit_cmd(p, idx, wbase, rbase);
	else
		unreserve(p, idx);
	return result;
}

static int
parse_command(struct parser *p, int pipe, int stage, int close)
{
	skip_blanks(p);
	int pattern = p->ncase > 0 && p->case_pat[p->ncase - 1];
	if (p->i < p->n && p->s[p->i] == '(' && !pattern) {
		size_t end = arith_end(p);
		if (end > 0) {
			/* ((expr)): nothing runs, but $(…) inside would. */
			size_t save_n = p->n, from = p->i + 2;
			int idx = reserve_cmd(p, pipe, stage);
			if (idx < 0)
				return 0;
			p->sh->cmds[idx].flags |= AG_SH_C_TEST;
			body_substs(p, from, end - 2, idx, -1);
			p->n = save_n;
			p->i = end;
			if ((size_t)idx + 1 == p->sh->ncmds)
				p->sh->ncmds--; /* no substitutions: drop the empty command */
			group_redirs(p, pipe, stage);
			return 0;
		}
		p->i++;
		nested_group(p, ')', pipe, stage);
		if (p->i < p->n && p->s[p->i] == ')')
			p->i++;
		else
			p->sh->flags |= AG_SH_UNTERMINATED;
		group_redirs(p, pipe, stage);
		return 0;
	}
	return parse_simple(p, pipe, stage, close);
}

static int
new_pipe(struct parser *p)
{
	struct ag_sh *sh = p->sh;
	if (grow((void **)&sh->pipes, &sh->cappipes, sh->npipes, sizeof *sh->pipes,
	         AG_SH_MAX_CMDS) < 0) {
		bound_hit(p, AG_SH_TRUNCATED);
		return -1;
	}
	sh->pipes[sh->npipes].parent_pipe = p->ppipe;
	sh->pipes[sh->npipes].parent_stage = p->pstage;
	sh->pipes[sh->npipes].nstages = 0;
	return (int)sh->npipes++;
}

static void
skip_space_lines(struct parser *p)
{
	for (;;) {
		skip_blanks(p);
		if (p->i >= p->n || p->stop)
			return;
		if (p->s[p->i] == '\n')
			eat_newline(p);
		else if (p->s[p->i] == '#')
			skip_comment(p);
		else
			return;
	}
}

static int
parse_pipeline(struct parser *p, int close)
{
	int pipe = new_pipe(p);
	if (pipe < 0)
		return 0;
	for (int stage = 0;; stage++) {
		int r = parse_command(p, pipe, stage, close);
		p->sh->pipes[pipe].nstages = stage + 1;
		if (r == END_GROUP || p->stop)
			return r;
		skip_blanks(p);
		if (at(p, p->i) == '|' && at(p, p->i + 1) != '|') {
			p->i += at(p, p->i + 1) == '&' ? 2 : 1;
			skip_space_lines(p);
			continue;
		}
		return 0;
	}
}

static void
case_separator(struct parser *p)
{
	if (p->ncase > 0)
		p->case_pat[p->ncase - 1] = 1;
}

static void
parse_list(struct parser *p, int close)
{
	while (!p->stop) {
		skip_space_lines(p);
		if (p->i >= p->n) {
			if (close == ')' || close == '`')
				p->sh->flags |= AG_SH_UNTERMINATED;
			return;
		}
		size_t before = p->i;
		char c = p->s[p->i];
		if ((close == ')' && c == ')') || (close == '`' && c == '`'))
			return;
		if (c == ')') {
			p->i++; /* stray: a syntax error in bash */
			continue;
		}
		if (c == ';' || c == '&' || c == '|') {
			if (c == ';' && at(p, p->i + 1) == ';') {
				case_separator(p);
				p->i += at(p, p->i + 2) == '&' ? 3 : 2;
			} else if (c == ';' && at(p, p->i + 1) == '&') {
				case_separator(p);
				p->i += 2;
			} else {
				p->i++;
			}
			continue;
		}
		size_t first = p->sh->ncmds;
		int r = parse_pipeline(p, close);
		if (r == END_GROUP) {
			if (close == CLOSE_BRACE)
				return;
			continue;
		}
		skip_blanks(p);
		c = at(p, p->i);
		char c1 = at(p, p->i + 1);
		if ((c == '&' && c1 == '&') || (c == '|' && c1 == '|')) {
			p->i += 2;
		} else if (c == '&') {
			for (size_t k = first; k < p->sh->ncmds; k++)
				p->sh->cmds[k].flags |= AG_SH_C_BACKGROUND;
			p->i++;
		} else if (c == ';') {
			if (c1 == ';') {
				case_separator(p);
				p->i += at(p, p->i + 2) == '&' ? 3 : 2;
			} else if (c1 == '&') {
				case_separator(p);
				p->i += 2;
			} else {
				p->i++;
			}
		} else if (c == '\n') {
			eat_newline(p);
		}
		if (p->i == before && !p->stop)
			p->i++; /* never loop without progress */
	}
}

size_t
ag_sh_parse(struct ag_sh *sh, const char *text, size_t len, const struct ag_sh_origin *origin)
{
	size_t first = sh->ncmds;
	struct parser p;
	memset(&p, 0, sizeof p);
	p.sh = sh;
	p.s = text;
	p.n = len;
	p.o = *origin;
	p.depth = origin->depth;
	p.parent = origin->parent;
	p.parent_word = origin->parent_word;
	p.ppipe = origin->parent_pipe;
	p.pstage = origin->parent_stage;
	p.cur_cmd = origin->parent;
	p.func = -1;
	parse_list(&p, 0);
	if (p.nhd > 0)
		sh->flags |= AG_SH_UNTERMINATED;
	sh->nwstk = sh->nrstk = sh->ncstk = 0;
	return first;
}

size_t
ag_sh_add_argv(struct ag_sh *sh, const char *const *argv, size_t argc)
{
	size_t first = sh->ncmds;
	struct parser p;
	memset(&p, 0, sizeof p);
	p.sh = sh;
	ag_sh_origin_root(&p.o);
	p.o.base = -1;
	p.parent = p.parent_word = -1;
	p.ppipe = p.pstage = -1;
	p.func = -1;
	int pipe = new_pipe(&p);
	if (pipe < 0)
		return first;
	sh->pipes[pipe].nstages = 1;
	int idx = reserve_cmd(&p, pipe, 0);
	if (idx < 0)
		return first;
	for (size_t k = 0; k < argc && !p.stop; k++) {
		long off = text_add(&p, argv[k], strlen(argv[k]));
		if (off < 0)
			break;
		struct ag_sh_word w = {(uint32_t)off, (uint32_t)strlen(argv[k]), -1, -1, -1,
		                       AG_SH_W_QUOTED};
		word_commit(&p, &w);
	}
	sh->cmds[idx].word0 = sh->cmds[idx].assign0;
	sh->cmds[idx].nwords = (int)sh->nwords - sh->cmds[idx].word0;
	return first;
}
