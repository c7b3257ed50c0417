/* Unified diffs, read line by line with a small state machine.
 *
 *   HEADERS ──"@@ -a,b +c,d @@"──▶ HUNK (counted) ──counts spent──▶ SPENT
 *      │                      (more +/-/space lines still count as the hunk's:
 *      │                       hand-edited and model-written diffs miscount)
 *      ├──"@@" without counts, *** Update File──▶ LOOSE (until a non +/-/space line)
 *      ├──*** Add File──▶ ADDING (only "+" lines)
 *      └──GIT binary patch──▶ BINARY (literal/delta and base85 lines)
 *
 * A line that does not belong to the current state is read again in
 * HEADERS, so nothing is skipped. "--- x" counts as a header only when the
 * next line is "+++ y", which keeps prose and deleted "-- x" lines apart. */
#include "reviewer/diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

enum state { ST_HEADERS, ST_HUNK, ST_SPENT, ST_LOOSE, ST_ADDING, ST_BINARY };

struct parser {
	struct ag_diff *d;
	ag_diff_line_fn fn;
	void *ctx;
	enum state state;
	int file;        /* index of the current file, -1 before the first */
	int git_headers; /* the current file began with "diff --git", no hunk yet */
	int body;        /* the current file has had a hunk or ---/+++ pair */
	long old_left, new_left;
};

const char *
ag_diff_kind_name(enum ag_diff_kind kind)
{
	static const char *const names[] = {"other", "header", "hunk",  "context",
	                                    "add",   "del",    "noeol", "binary"};
	return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *
ag_diff_file_path(const struct ag_diff_file *file)
{
	if (file->new_path != NULL)
		return file->new_path;
	return file->old_path != NULL ? file->old_path : "";
}

void
ag_diff_clear(struct ag_diff *diff)
{
	for (size_t i = 0; i < diff->nfiles; i++) {
		free(diff->files[i].old_path);
		free(diff->files[i].new_path);
	}
	free(diff->files);
	memset(diff, 0, sizeof *diff);
}

static int
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

/* Drops a trailing '\r' so CRLF diffs read like LF ones. */
static size_t
chomp(const char *s, size_t len)
{
	return len > 0 && s[len - 1] == '\r' ? len - 1 : len;
}

/* Unquotes a git C-style quoted path ("a/f\303\251 \"x\"") starting at s[0]
 * == '"'. Writes at most AG_DIFF_MAX_PATH bytes to buf; returns the bytes
 * consumed from s, including both quotes (or all of len if unterminated). */
static size_t
unquote(const char *s, size_t len, char *buf, size_t *outlen, int *cut)
{
	size_t i = 1, o = 0;
	while (i < len && s[i] != '"') {
		unsigned char c = (unsigned char)s[i++];
		if (c == '\\' && i < len) {
			c = (unsigned char)s[i++];
			switch (c) {
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'v': c = '\v'; break;
			default:
				if (c >= '0' && c <= '3') {
					unsigned v = c - '0';
					for (int k = 0;
					     k < 2 && i < len && s[i] >= '0' && s[i] <= '7'; k++)
						v = v * 8 + (unsigned)(s[i++] - '0');
					c = (unsigned char)v;
				}
				break;
			}
		}
		if (o < AG_DIFF_MAX_PATH)
			buf[o++] = (char)c;
		else
			*cut = 1;
	}
	*outlen = o;
	return i < len ? i + 1 : len;
}

/* A path as written in a header: quoted or not, up to a tab (timestamps),
 * with the given prefix ("a/", "b/" or NULL) stripped. NULL for /dev/null or
 * an empty name. Caller frees. */
static char *
header_path(const char *s, size_t len, const char *prefix, int *cut)
{
	char buf[AG_DIFF_MAX_PATH];
	size_t n;
	if (len > 0 && s[0] == '"') {
		unquote(s, len, buf, &n, cut);
	} else {
		const char *tab = memchr(s, '\t', len);
		n = tab != NULL ? (size_t)(tab - s) : len;
		if (n > AG_DIFF_MAX_PATH) {
			n = AG_DIFF_MAX_PATH;
			*cut = 1;
		}
		memcpy(buf, s, n);
	}
	/* An embedded NUL (from "\000") ends the name. */
	const char *nul = memchr(buf, '\0', n);
	if (nul != NULL)
		n = (size_t)(nul - buf);
	if (n == 9 && memcmp(buf, "/dev/null", 9) == 0)
		return NULL;
	size_t skip = 0;
	if (prefix != NULL && n > 2 && memcmp(buf, prefix, 2) == 0)
		skip = 2;
	if (n == skip)
		return NULL;
	return xstrndup(buf + skip, n - skip);
}

static void
set_path(char **slot, char *path)
{
	free(*slot);
	*slot = path;
}

static struct ag_diff_file *
cur(struct parser *p)
{
	return p->file >= 0 ? &p->d->files[p->file] : NULL;
}

/* Starts a file entry at lineno. Past the bound, the last entry is reused
 * (its paths replaced) and the diff marked truncated. */
static struct ag_diff_file *
new_file(struct parser *p, size_t lineno)
{
	struct ag_diff *d = p->d;
	if (d->nfiles == AG_DIFF_MAX_FILES) {
		d->truncated = 1;
		return cur(p);
	}
	if ((d->nfiles & (d->nfiles - 1)) == 0) /* 0, 1, 2, 4, ...: grow by doubling */
		d->files = xreallocarray(d->files, d->nfiles ? d->nfiles * 2 : 1, sizeof *d->files);
	struct ag_diff_file *f = &d->files[d->nfiles];
	memset(f, 0, sizeof *f);
	f->line = lineno;
	p->file = (int)d->nfiles++;
	p->git_headers = 0;
	p->body = 0;
	return f;
}

static void
set_mode(struct ag_diff_file *f, const char *s, size_t len)
{
	unsigned mode = 0;
	size_t i = 0;
	while (i < len && i < 8 && s[i] >= '0' && s[i] <= '7')
		mode = mode * 8 + (unsigned)(s[i++] - '0');
	if (i == 0)
		return;
	f->flags |= AG_DIFF_F_MODE;
	f->flags &= ~(unsigned)(AG_DIFF_F_EXEC | AG_DIFF_F_SYMLINK);
	if ((mode & 0170000) == 0120000)
		f->flags |= AG_DIFF_F_SYMLINK;
	else if (mode & 0111)
		f->flags |= AG_DIFF_F_EXEC;
}

/* Reads a non-negative decimal, clamped so hostile counts cannot overflow. */
static int
number(const char *s, size_t len, size_t *i, long *out)
{
	long v = 0;
	size_t start = *i;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (v < 100000000)
			v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return *i > start ? 0 : -1;
}

/* "@@ -a[,b] +c[,d] @@": fills the counts (default 1) or returns -1. */
static int
hunk_counts(const char *s, size_t len, long *old_n, long *new_n)
{
	size_t i = 3;
	long dummy;
	if (!starts(s, len, "@@ -"))
		return -1;
	i = 4;
	*old_n = *new_n = 1;
	if (number(s, len, &i, &dummy) < 0)
		return -1;
	if (i < len && s[i] == ',') {
		i++;
		if (number(s, len, &i, old_n) < 0)
			return -1;
	}
	if (i + 2 > len || s[i] != ' ' || s[i + 1] != '+')
		return -1;
	i += 2;
	if (number(s, len, &i, &dummy) < 0)
		return -1;
	if (i < len && s[i] == ',') {
		i++;
		if (number(s, len, &i, new_n) < 0)
			return -1;
	}
	if (i + 3 > len || memcmp(s + i, " @@", 3) != 0)
		return -1;
	return 0;
}

/* "diff --git a/x b/y": the names, which later headers may refine. With
 * unquoted names containing spaces the split is ambiguous; prefer the split
 * where both sides name the same file, else the last " b/". */
static void
git_names(struct ag_diff_file *f, const char *s, size_t len)
{
	char buf[AG_DIFF_MAX_PATH];
	size_t n, used;
	int cut = 0;
	const char *second = NULL;
	size_t first_len = 0;

	if (len > 0 && s[0] == '"') {
		used = unquote(s, len, buf, &n, &cut);
		first_len = used;
		second = s + used;
		while (second < s + len && *second == ' ')
			second++;
	} else {
		if (len % 2 == 1) {
			size_t half = len / 2;
			if (s[half] == ' ' && half > 2 &&
			    memcmp(s + 2, s + half + 3, half - 2) == 0 && starts(s, len, "a/") &&
			    starts(s + half + 1, len - half - 1, "b/")) {
				first_len = half;
				second = s + half + 1;
			}
		}
		for (size_t i = len; second == NULL && i >= 3; i--)
			if (memcmp(s + i - 3, " b/", 3) == 0) {
				first_len = i - 3;
				second = s + i - 2;
			}
		if (second == NULL) {
			const char *sp = memchr(s, ' ', len);
			if (sp == NULL)
				return;
			first_len = (size_t)(sp - s);
			second = sp + 1;
		}
	}
	set_path(&f->old_path, header_path(s, first_len, "a/", &cut));
	set_path(&f->new_path, header_path(second, (size_t)(s + len - second), "b/", &cut));
	if (cut)
		f->flags |= AG_DIFF_F_TRUNC_PATH;
}

static int
base85_line(const char *s, size_t len)
{
	if (len == 0)
		return 1;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c > '~' || c == '"' || c == '\'' || c == ',' || c == '.' ||
		    c == '/' || c == ':' || c == '[' || c == '\\' || c == ']')
			return 0;
	}
	return 1;
}

/* A path after "*** Add File: " and friends. */
static void
codex_path(char **slot, const char *s, size_t len, struct ag_diff_file *f)
{
	int cut = 0;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	set_path(slot, header_path(s, len, NULL, &cut));
	if (cut)
		f->flags |= AG_DIFF_F_TRUNC_PATH;
}

/* Header-state classification of one line; may change state. next/nextlen
 * is the following line (NULL at the end), for the ---/+++ look-ahead. */
static enum ag_diff_kind
header_line(struct parser *p, size_t lineno, const char *s, size_t len, const char *next,
            size_t nextlen)
{
	struct ag_diff_file *f = cur(p);
	long o, n;
	int cut = 0;

	if (starts(s, len, "diff --git ")) {
		f = new_file(p, lineno);
		git_names(f, s + 11, len - 11);
		p->git_headers = 1;
		return AG_DIFF_HEADER;
	}
	if (starts(s, len, "--- ") && next != NULL && starts(next, nextlen, "+++ ")) {
		if (f == NULL || p->body || !p->git_headers)
			f = new_file(p, lineno);
		set_path(&f->old_path, header_path(s + 4, len - 4, "a/", &cut));
		if (f->old_path == NULL && !p->git_headers)
			f->flags |= AG_DIFF_F_NEW;
		if (cut)
			f->flags |= AG_DIFF_F_TRUNC_PATH;
		p->body = 1;
		return AG_DIFF_HEADER;
	}
	if (starts(s, len, "+++ ") && f != NULL && p->body) {
		set_path(&f->new_path, header_path(s + 4, len - 4, "b/", &cut));
		if (f->new_path == NULL)
			f->flags |= AG_DIFF_F_DELETED;
		if (cut)
			f->flags |= AG_DIFF_F_TRUNC_PATH;
		return AG_DIFF_HEADER;
	}
	if (starts(s, len, "@@")) {
		if (f == NULL)
			f = new_file(p, lineno);
		p->git_headers = 0;
		p->body = 1;
		if (hunk_counts(s, len, &o, &n) == 0) {
			p->old_left = o;
			p->new_left = n;
			p->state = o + n > 0 ? ST_HUNK : ST_HEADERS;
		} else {
			p->state = ST_LOOSE; /* "@@" with no counts: apply_patch style */
		}
		return AG_DIFF_HUNK;
	}
	if (starts(s, len, "*** ")) {
		if (starts(s, len, "*** Begin Patch") || starts(s, len, "*** End Patch") ||
		    starts(s, len, "*** End of File"))
			return AG_DIFF_HEADER;
		if (starts(s, len, "*** Add File: ")) {
			f = new_file(p, lineno);
			codex_path(&f->new_path, s + 14, len - 14, f);
			f->flags |= AG_DIFF_F_NEW;
			p->state = ST_ADDING;
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "*** Delete File: ")) {
			f = new_file(p, lineno);
			codex_path(&f->old_path, s + 17, len - 17, f);
			f->flags |= AG_DIFF_F_DELETED;
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "*** Update File: ")) {
			f = new_file(p, lineno);
			codex_path(&f->old_path, s + 17, len - 17, f);
			codex_path(&f->new_path, s + 17, len - 17, f);
			p->state = ST_LOOSE;
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "*** Move to: ") && f != NULL) {
			codex_path(&f->new_path, s + 13, len - 13, f);
			f->flags |= AG_DIFF_F_RENAMED;
			p->state = ST_LOOSE;
			return AG_DIFF_HEADER;
		}
		return AG_DIFF_OTHER;
	}
	if (starts(s, len, "Binary files ") || starts(s, len, "GIT binary patch")) {
		if (f == NULL || !p->git_headers || (f->flags & AG_DIFF_F_BINARY)) {
			/* "Binary files X and Y differ" from plain diff -r. */
			f = new_file(p, lineno);
			if (starts(s, len, "Binary files ")) {
				const char *a = s + 13, *and = NULL;
				for (const char *q = a; q + 5 <= s + len; q++)
					if (memcmp(q, " and ", 5) == 0)
						and = q;
				if (and != NULL) {
					size_t tail = (size_t)(s + len - (and+5));
					if (tail >= 7 &&
					    memcmp(and+5 + tail - 7, " differ", 7) == 0)
						tail -= 7;
					set_path(&f->old_path,
					         header_path(a, (size_t)(and-a), "a/", &cut));
					set_path(&f->new_path,
					         header_path(and+5, tail, "b/", &cut));
				}
			}
		}
		f->flags |= AG_DIFF_F_BINARY;
		if (starts(s, len, "GIT binary patch"))
			p->state = ST_BINARY;
		return AG_DIFF_BINARY;
	}
	if (f != NULL && p->git_headers) {
		if (starts(s, len, "new file mode ")) {
			f->flags |= AG_DIFF_F_NEW;
			set_mode(f, s + 14, len - 14);
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "deleted file mode ")) {
			f->flags |= AG_DIFF_F_DELETED;
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "new mode ")) {
			set_mode(f, s + 9, len - 9);
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "old mode ") || starts(s, len, "similarity index ") ||
		    starts(s, len, "dissimilarity index "))
			return AG_DIFF_HEADER;
		if (starts(s, len, "index ")) {
			const char *sp = memchr(s + 6, ' ', len - 6);
			if (sp != NULL)
				set_mode(f, sp + 1, (size_t)(s + len - sp - 1));
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "rename from ") || starts(s, len, "copy from ")) {
			size_t k = s[0] == 'r' ? 12 : 10;
			set_path(&f->old_path, header_path(s + k, len - k, NULL, &cut));
			f->flags |= s[0] == 'r' ? AG_DIFF_F_RENAMED : AG_DIFF_F_COPIED;
			return AG_DIFF_HEADER;
		}
		if (starts(s, len, "rename to ") || starts(s, len, "copy to ")) {
			size_t k = s[0] == 'r' ? 10 : 8;
			set_path(&f->new_path, header_path(s + k, len - k, NULL, &cut));
			f->flags |= s[0] == 'r' ? AG_DIFF_F_RENAMED : AG_DIFF_F_COPIED;
			return AG_DIFF_HEADER;
		}
	}
	if (starts(s, len, "diff ") || starts(s, len, "Index: ") || starts(s, len, "====="))
		return AG_DIFF_HEADER;
	return AG_DIFF_OTHER;
}

/* Body line of a hunk: ' ', '+', '-', '\' (and an empty line, which editors
 * make of a context line whose trailing space they stripped). Returns the
 * kind, or AG_DIFF_OTHER when the line is not a hunk line at all. */
static enum ag_diff_kind
body_kind(const char *s, size_t len)
{
	if (len == 0)
		return AG_DIFF_CONTEXT;
	switch (s[0]) {
	case ' ': return AG_DIFF_CONTEXT;
	case '+': return AG_DIFF_ADD;
	case '-': return AG_DIFF_DEL;
	case '\\': return AG_DIFF_NOEOL;
	default: return AG_DIFF_OTHER;
	}
}

static enum ag_diff_kind
classify(struct parser *p, size_t lineno, const char *s, size_t len, const char *next,
         size_t nextlen)
{
	enum ag_diff_kind k;
	size_t clen = chomp(s, len);

	switch (p->state) {
	case ST_HUNK:
		k = body_kind(s, clen);
		if (k == AG_DIFF_OTHER)
			break;
		if (k == AG_DIFF_CONTEXT || k == AG_DIFF_DEL)
			p->old_left--;
		if (k == AG_DIFF_CONTEXT || k == AG_DIFF_ADD)
			p->new_left--;
		if (p->old_left <= 0 && p->new_left <= 0)
			p->state = ST_SPENT; /* go on while it still looks like a hunk */
		return k;
	case ST_SPENT:
		/* format-patch's signature separator, not a deleted "- " line */
		if (clen == 3 && memcmp(s, "-- ", 3) == 0)
			break;
		/* fall through */
	case ST_LOOSE:
		k = body_kind(s, clen);
		if (k == AG_DIFF_OTHER || starts(s, clen, "@@"))
			break;
		/* A new file's "--- x" / "+++ y" pair ends a loose hunk. */
		if (k == AG_DIFF_DEL && starts(s, clen, "--- ") && next != NULL &&
		    starts(next, nextlen, "+++ "))
			break;
		return k;
	case ST_ADDING:
		if (clen > 0 && s[0] == '+')
			return AG_DIFF_ADD;
		break;
	case ST_BINARY:
		if (starts(s, clen, "literal ") || starts(s, clen, "delta ") ||
		    (base85_line(s, clen) && !starts(s, clen, "diff ")))
			return AG_DIFF_BINARY;
		break;
	case ST_HEADERS: break;
	}
	p->state = ST_HEADERS;
	return header_line(p, lineno, s, clen, next, next != NULL ? chomp(next, nextlen) : 0);
}

void
ag_diff_parse(const char *text, size_t len, struct ag_diff *out, ag_diff_line_fn fn, void *ctx)
{
	struct parser p = {.d = out, .fn = fn, .ctx = ctx, .state = ST_HEADERS, .file = -1};
	const char *s = text, *end = text + len;
	size_t lineno = 0;

	memset(out, 0, sizeof *out);
	/* Each line's end is found once: it is the look-ahead of the line before. */
	const char *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;
	while (s < end) {
		size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		const char *next = nl != NULL && nl + 1 < end ? nl + 1 : NULL;
		const char *next_nl = NULL;
		size_t nextlen = 0;
		if (next != NULL) {
			next_nl = memchr(next, '\n', (size_t)(end - next));
			nextlen = next_nl != NULL ? (size_t)(next_nl - next) : (size_t)(end - next);
		}
		lineno++;
		enum ag_diff_kind k = classify(&p, lineno, s, n, next, nextlen);
		struct ag_diff_file *f = cur(&p);
		if (f != NULL && k == AG_DIFF_ADD) {
			f->added++;
			out->added++;
		} else if (f != NULL && k == AG_DIFF_DEL) {
			f->removed++;
			out->removed++;
		}
		if (fn != NULL)
			fn(ctx, out, lineno, k, p.file, s, n);
		s = nl != NULL ? nl + 1 : end;
		nl = next_nl;
	}
	out->lines = lineno;
}
