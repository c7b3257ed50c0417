/* Unified diffs: an LCS over lines (bounded; past the bound one replace
 * block, still a correct diff), hunks with three lines of context merged
 * when they touch, GNU-style headers. And a reader for Codex's apply_patch
 * format that places each chunk in the file on disk to number its hunk. */
#include "cmd/udiff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"

/* Past this many cells (old lines x new lines of the changed middle) the LCS
 * table would cost too much memory: 4M cells of 4 bytes = 16 MiB. */
#define UDIFF_LCS_CELLS (4u << 20)
#define PATCH_MAX_LINES 1000000

void
udiff_buf_add(struct udiff_buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + len + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void
udiff_buf_str(struct udiff_buf *b, const char *s)
{
	udiff_buf_add(b, s, strlen(s));
}

static void
buf_fmt_range(struct udiff_buf *b, char sign, size_t start, size_t count)
{
	char tmp[64];
	if (count == 1)
		snprintf(tmp, sizeof tmp, "%c%zu", sign, start);
	else
		snprintf(tmp, sizeof tmp, "%c%zu,%zu", sign, start, count);
	udiff_buf_str(b, tmp);
}

char *
udiff_buf_take(struct udiff_buf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* --- lines ---------------------------------------------------------------- */

struct line {
	const char *s;
	size_t len; /* including the '\n' when there is one */
};

/* Splits text into lines, each keeping its '\n'. Caller frees the array. */
static struct line *
split_lines(const char *text, size_t len, size_t *n)
{
	size_t count = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			count++;
	if (len > 0 && text[len - 1] != '\n')
		count++;
	struct line *v = xcalloc(count ? count : 1, sizeof *v);
	size_t k = 0, start = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			v[k].s = text + start;
			v[k++].len = i + 1 - start;
			start = i + 1;
		}
	}
	if (start < len) {
		v[k].s = text + start;
		v[k++].len = len - start;
	}
	*n = k;
	return v;
}

static int
line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

enum op_kind { OP_EQ, OP_DEL, OP_ADD };
struct op {
	enum op_kind kind;
	size_t a, b; /* index of the line in A (EQ, DEL) and in B (EQ, ADD); also
	              * the position in each before this op */
};

/* The edit script for the middle A[0..n), B[0..m): LCS by dynamic
 * programming from the end, then a walk from the start. */
static size_t
script_lcs(const struct line *A, size_t n, const struct line *B, size_t m, size_t a0, size_t b0,
           struct op *ops)
{
	size_t k = 0;
	if ((uint64_t)(n + 1) * (m + 1) > UDIFF_LCS_CELLS) {
		for (size_t i = 0; i < n; i++)
			ops[k++] = (struct op){OP_DEL, a0 + i, b0};
		for (size_t j = 0; j < m; j++)
			ops[k++] = (struct op){OP_ADD, a0 + n, b0 + j};
		return k;
	}
	uint32_t *L = xcalloc((n + 1) * (m + 1), sizeof *L);
#define CELL(i, j) L[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			CELL(i, j) = line_eq(&A[i], &B[j])
			                 ? CELL(i + 1, j + 1) + 1
			                 : (CELL(i + 1, j) >= CELL(i, j + 1) ? CELL(i + 1, j)
			                                                     : CELL(i, j + 1));
	size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && line_eq(&A[i], &B[j])) {
			ops[k++] = (struct op){OP_EQ, a0 + i, b0 + j};
			i++;
			j++;
		} else if (i < n && (j == m || CELL(i + 1, j) >= CELL(i, j + 1))) {
			ops[k++] = (struct op){OP_DEL, a0 + i, b0 + j};
			i++;
		} else {
			ops[k++] = (struct op){OP_ADD, a0 + i, b0 + j};
			j++;
		}
	}
#undef CELL
	free(L);
	return k;
}

static void
emit_line(struct udiff_buf *out, char sign, const struct line *l)
{
	udiff_buf_add(out, &sign, 1);
	udiff_buf_add(out, l->s, l->len);
	if (l->len == 0 || l->s[l->len - 1] != '\n')
		udiff_buf_str(out, "\n\\ No newline at end of file\n");
}

static void
emit_hunks(struct udiff_buf *out, const struct op *ops, size_t nops, const struct line *A,
           const struct line *B)
{
	size_t i = 0;
	while (i < nops) {
		while (i < nops && ops[i].kind == OP_EQ)
			i++;
		if (i == nops)
			break;
		size_t hs = i > UDIFF_CONTEXT ? i - UDIFF_CONTEXT : 0;
		/* Extend over changes separated by at most 2*context equal lines. */
		size_t last = i;
		size_t j = i;
		while (j < nops) {
			if (ops[j].kind != OP_EQ) {
				last = j++;
				continue;
			}
			size_t run = j;
			while (run < nops && ops[run].kind == OP_EQ)
				run++;
			if (run == nops || run - j > 2 * UDIFF_CONTEXT)
				break;
			j = run;
		}
		size_t he = last + 1 + UDIFF_CONTEXT < nops ? last + 1 + UDIFF_CONTEXT : nops;
		size_t oc = 0, nc = 0;
		for (size_t k = hs; k < he; k++) {
			if (ops[k].kind != OP_ADD)
				oc++;
			if (ops[k].kind != OP_DEL)
				nc++;
		}
		size_t os = ops[hs].a + (oc ? 1 : 0);
		size_t ns = ops[hs].b + (nc ? 1 : 0);
		udiff_buf_str(out, "@@ ");
		buf_fmt_range(out, '-', os, oc);
		udiff_buf_str(out, " ");
		buf_fmt_range(out, '+', ns, nc);
		udiff_buf_str(out, " @@\n");
		for (size_t k = hs; k < he; k++) {
			if (ops[k].kind == OP_EQ)
				emit_line(out, ' ', &A[ops[k].a]);
			else if (ops[k].kind == OP_DEL)
				emit_line(out, '-', &A[ops[k].a]);
			else
				emit_line(out, '+', &B[ops[k].b]);
		}
		i = he;
	}
}

static void
emit_header(struct udiff_buf *out, const char *old_label, const char *new_label)
{
	udiff_buf_str(out, "--- ");
	udiff_buf_str(out, old_label);
	udiff_buf_str(out, "\n+++ ");
	udiff_buf_str(out, new_label);
	udiff_buf_str(out, "\n");
}

static void
diff_into(struct udiff_buf *out, const char *old_label, const char *new_label, const char *a,
          size_t alen, const char *b, size_t blen)
{
	size_t n, m;
	struct line *A = split_lines(a, alen, &n);
	struct line *B = split_lines(b, blen, &m);
	size_t p = 0;
	while (p < n && p < m && line_eq(&A[p], &B[p]))
		p++;
	size_t s = 0;
	while (s < n - p && s < m - p && line_eq(&A[n - 1 - s], &B[m - 1 - s]))
		s++;
	struct op *ops = xcalloc(n + m + 1, sizeof *ops);
	size_t k = 0;
	for (size_t i = 0; i < p; i++)
		ops[k++] = (struct op){OP_EQ, i, i};
	k += script_lcs(A + p, n - p - s, B + p, m - p - s, p, p, ops + k);
	for (size_t i = 0; i < s; i++)
		ops[k++] = (struct op){OP_EQ, n - s + i, m - s + i};
	emit_header(out, old_label, new_label);
	emit_hunks(out, ops, k, A, B);
	free(ops);
	free(A);
	free(B);
}

char *
udiff_make(const char *old_label, const char *new_label, const char *a, size_t alen, const char *b,
           size_t blen)
{
	struct udiff_buf out = {0};
	diff_into(&out, old_label, new_label, a, alen, b, blen);
	return udiff_buf_take(&out);
}

/* --- files ---------------------------------------------------------------- */

int
udiff_read_file(const char *path, size_t max, char **out, size_t *len, struct ag_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return ag_fail(err, "%s: %s", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ag_fail(err, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return ag_fail(err, "%s: larger than %zu bytes", path, max);
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max) {
				free(buf);
				close(fd);
				return ag_fail(err, "%s: larger than %zu bytes", path, max);
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return ag_fail(err, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return ag_fail(err, "%s: larger than %zu bytes", path, max);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 1;
}

char *
udiff_display_path(const char *cwd, const char *path)
{
	size_t n = cwd ? strlen(cwd) : 0;
	while (n > 1 && cwd[n - 1] == '/')
		n--;
	if (n > 0 && path[0] == '/' && strncmp(path, cwd, n) == 0 && path[n] == '/' &&
	    path[n + 1] != '\0')
		return xstrdup(path + n + 1);
	return xstrdup(path);
}

/* --- apply_patch ---------------------------------------------------------- */

struct patch_reader {
	struct line *lines;
	size_t n, i;
};

/* The line without its newline (and a '\r' before it), as a NUL-free view. */
static size_t
line_text_len(const struct line *l)
{
	size_t len = l->len;
	if (len > 0 && l->s[len - 1] == '\n')
		len--;
	if (len > 0 && l->s[len - 1] == '\r')
		len--;
	return len;
}

/* Whether the line, blanks trimmed on both sides, starts with marker; sets
 * *rest to what follows it (trimmed) when it does. */
static int
marker(const struct line *l, const char *mk, const char **rest, size_t *restlen)
{
	const char *s = l->s;
	size_t len = line_text_len(l);
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	size_t mlen = strlen(mk);
	if (len < mlen || memcmp(s, mk, mlen) != 0)
		return 0;
	if (rest) {
		*rest = s + mlen;
		*restlen = len - mlen;
		while (*restlen > 0 && (**rest == ' ' || **rest == '\t')) {
			(*rest)++;
			(*restlen)--;
		}
	}
	return 1;
}

static int
is_file_op(const struct line *l)
{
	return marker(l, "*** Add File:", NULL, NULL) ||
	       marker(l, "*** Delete File:", NULL, NULL) ||
	       marker(l, "*** Update File:", NULL, NULL) || marker(l, "*** End Patch", NULL, NULL);
}

static char *
join_path(const char *cwd, const char *p, size_t len)
{
	if (len > 0 && p[0] == '/')
		return xstrndup(p, len);
	return xasprintf("%s/%.*s", cwd && *cwd ? cwd : ".", (int)len, p);
}

struct chunk_line {
	char kind; /* ' ', '-', '+' */
	const char *s;
	size_t len; /* without newline */
};

/* Finds old[0..n) in F[from..) (exactly, then ignoring trailing blanks).
 * Returns the index or -1. */
static long
seek_lines(const struct line *F, size_t nf, size_t from, const struct chunk_line *old, size_t n,
           int at_eof)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t start = from;
		if (at_eof && nf >= n)
			start = nf - n > from ? nf - n : from;
		for (size_t k = start; k + n <= nf; k++) {
			size_t i = 0;
			for (; i < n; i++) {
				const char *fs = F[k + i].s;
				size_t fl = line_text_len(&F[k + i]);
				const char *os = old[i].s;
				size_t ol = old[i].len;
				if (pass == 1) {
					while (fl > 0 && (fs[fl - 1] == ' ' || fs[fl - 1] == '\t'))
						fl--;
					while (ol > 0 && (os[ol - 1] == ' ' || os[ol - 1] == '\t'))
						ol--;
				}
				if (fl != ol || memcmp(fs, os, fl) != 0)
					break;
			}
			if (i == n)
				return (long)k;
		}
	}
	return -1;
}

static void
add_file_name(char ***files, size_t *nfiles, char *display)
{
	*files = xreallocarray(*files, *nfiles + 2, sizeof **files);
	(*files)[(*nfiles)++] = display;
	(*files)[*nfiles] = NULL;
}

static char *
label(const char *prefix, const char *display)
{
	return display[0] == '/' ? xstrdup(display) : xasprintf("%s%s", prefix, display);
}

/* One "*** Update File:" section: its chunks become hunks. */
static int
patch_update(struct patch_reader *r, const char *cwd, size_t max_read, const char *path,
             size_t plen, struct udiff_buf *out, char ***files, size_t *nfiles,
             struct ag_error *err)
{
	char *full = join_path(cwd, path, plen);
	char *shown = udiff_display_path(cwd, full);
	char *newshown = NULL;
	const char *rest;
	size_t restlen;
	if (r->i < r->n && marker(&r->lines[r->i], "*** Move to:", &rest, &restlen)) {
		if (restlen == 0) {
			free(full);
			free(shown);
			return ag_fail(err, "patch line %zu: *** Move to: without a path",
			               r->i + 1);
		}
		char *nf = join_path(cwd, rest, restlen);
		newshown = udiff_display_path(cwd, nf);
		free(nf);
		r->i++;
	}
	char *content = NULL;
	size_t clen = 0;
	struct ag_error rerr;
	int have = udiff_read_file(full, max_read, &content, &clen, &rerr) == 1;
	size_t nf = 0;
	struct line *F = have ? split_lines(content, clen, &nf) : NULL;

	char *ol = label("a/", shown), *nl = label("b/", newshown ? newshown : shown);
	emit_header(out, ol, nl);
	free(ol);
	free(nl);
	add_file_name(files, nfiles, shown);
	if (newshown)
		add_file_name(files, nfiles, newshown);

	size_t cursor = 0;
	long offset = 0;
	int nchunks = 0, rc = 0;
	struct chunk_line *cl = NULL;
	while (r->i < r->n && !is_file_op(&r->lines[r->i])) {
		const struct line *l = &r->lines[r->i];
		int has_header = marker(l, "@@", &rest, &restlen);
		const char *hdr = has_header ? rest : NULL;
		size_t hdrlen = has_header ? restlen : 0;
		if (has_header)
			r->i++;
		else if (nchunks > 0) {
			rc = ag_fail(err, "patch line %zu: expected @@ or a file operation",
			             r->i + 1);
			break;
		}
		size_t ncl = 0;
		int at_eof = 0;
		while (r->i < r->n && !is_file_op(&r->lines[r->i]) &&
		       !marker(&r->lines[r->i], "@@", NULL, NULL)) {
			const struct line *x = &r->lines[r->i];
			if (marker(x, "*** End of File", NULL, NULL)) {
				at_eof = 1;
				r->i++;
				break;
			}
			size_t xl = line_text_len(x);
			char kind = xl == 0 ? ' ' : x->s[0];
			if (kind != ' ' && kind != '-' && kind != '+') {
				rc = ag_fail(
				    err,
				    "patch line %zu: a chunk line must start with ' ', '-' or '+'",
				    r->i + 1);
				goto done;
			}
			cl = xreallocarray(cl, ncl + 1, sizeof *cl);
			cl[ncl++] =
			    (struct chunk_line){kind, xl ? x->s + 1 : x->s, xl ? xl - 1 : 0};
			r->i++;
		}
		if (ncl == 0) {
			rc = ag_fail(err, "patch line %zu: an empty chunk", r->i);
			break;
		}
		nchunks++;
		/* Old side: context and removed lines, in order. */
		struct chunk_line *old = xcalloc(ncl, sizeof *old);
		size_t nold = 0, nnew = 0;
		for (size_t k = 0; k < ncl; k++) {
			if (cl[k].kind != '+')
				old[nold++] = cl[k];
			if (cl[k].kind != '-')
				nnew++;
		}
		long at = -1;
		if (F != NULL) {
			size_t from = cursor;
			if (hdr != NULL && hdrlen > 0) {
				struct chunk_line h = {' ', hdr, hdrlen};
				long hk = seek_lines(F, nf, cursor, &h, 1, 0);
				if (hk >= 0)
					from = (size_t)hk + 1;
			}
			at = nold ? seek_lines(F, nf, from, old, nold, at_eof)
			          : (long)(at_eof ? nf : from);
		}
		free(old);
		size_t ostart = at >= 0 ? (size_t)at : 0;
		udiff_buf_str(out, "@@ ");
		buf_fmt_range(out, '-', ostart + (nold ? 1 : 0), nold);
		udiff_buf_str(out, " ");
		buf_fmt_range(out, '+', (size_t)((long)ostart + offset) + (nnew ? 1 : 0), nnew);
		udiff_buf_str(out, " @@");
		if (at < 0)
			udiff_buf_str(out, " (position in the file not found)");
		else if (hdr && hdrlen) {
			udiff_buf_str(out, " ");
			udiff_buf_add(out, hdr, hdrlen);
		}
		udiff_buf_str(out, "\n");
		for (size_t k = 0; k < ncl; k++) {
			udiff_buf_add(out, &cl[k].kind, 1);
			udiff_buf_add(out, cl[k].s, cl[k].len);
			udiff_buf_str(out, "\n");
		}
		if (at >= 0) {
			cursor = (size_t)at + nold;
			offset += (long)nnew - (long)nold;
		}
	}
	if (rc == 0 && nchunks == 0 && newshown == NULL)
		rc = ag_fail(err, "patch: *** Update File: %.*s has no chunk", (int)plen, path);
done:
	free(cl);
	free(F);
	free(content);
	free(full);
	return rc;
}

int
udiff_from_apply_patch(const char *patch, size_t len, const char *cwd, size_t max_read, char **diff,
                       char ***files, size_t *nfiles, struct ag_error *err)
{
	struct patch_reader r = {0};
	r.lines = split_lines(patch, len, &r.n);
	struct udiff_buf out = {0};
	*files = NULL;
	*nfiles = 0;
	int rc = 0, ended = 0;
	const char *rest;
	size_t restlen;
	if (r.n > PATCH_MAX_LINES) {
		rc = ag_fail(err, "patch: more than %d lines", PATCH_MAX_LINES);
		goto out;
	}
	if (r.n == 0 || !marker(&r.lines[0], "*** Begin Patch", &rest, &restlen) || restlen != 0) {
		rc = ag_fail(err, "patch line 1: expected *** Begin Patch");
		goto out;
	}
	r.i = 1;
	while (rc == 0 && r.i < r.n) {
		const struct line *l = &r.lines[r.i];
		if (marker(l, "*** End Patch", &rest, &restlen) && restlen == 0) {
			ended = 1;
			r.i++;
			break;
		}
		if (marker(l, "*** Add File:", &rest, &restlen) && restlen > 0) {
			char *full = join_path(cwd, rest, restlen);
			char *shown = udiff_display_path(cwd, full);
			free(full);
			r.i++;
			struct udiff_buf body = {0};
			size_t count = 0;
			while (r.i < r.n && !is_file_op(&r.lines[r.i])) {
				const struct line *x = &r.lines[r.i];
				size_t xl = line_text_len(x);
				if (xl == 0 || x->s[0] != '+') {
					rc = ag_fail(
					    err,
					    "patch line %zu: a line of an added file must start "
					    "with '+'",
					    r.i + 1);
					break;
				}
				udiff_buf_add(&body, x->s, xl);
				udiff_buf_str(&body, "\n");
				count++;
				r.i++;
			}
			char *nl = label("b/", shown);
			emit_header(&out, "/dev/null", nl);
			free(nl);
			if (count > 0) {
				udiff_buf_str(&out, "@@ ");
				buf_fmt_range(&out, '-', 0, 0);
				udiff_buf_str(&out, " ");
				buf_fmt_range(&out, '+', 1, count);
				udiff_buf_str(&out, " @@\n");
				udiff_buf_add(&out, body.s, body.len);
			}
			free(body.s);
			add_file_name(files, nfiles, shown);
		} else if (marker(l, "*** Delete File:", &rest, &restlen) && restlen > 0) {
			char *full = join_path(cwd, rest, restlen);
			char *shown = udiff_display_path(cwd, full);
			char *content = NULL;
			size_t clen = 0;
			struct ag_error rerr;
			char *ol = label("a/", shown);
			if (udiff_read_file(full, max_read, &content, &clen, &rerr) == 1)
				diff_into(&out, ol, "/dev/null", content, clen, "", 0);
			else
				emit_header(&out, ol, "/dev/null");
			free(ol);
			free(content);
			free(full);
			add_file_name(files, nfiles, shown);
			r.i++;
		} else if (marker(l, "*** Update File:", &rest, &restlen) && restlen > 0) {
			r.i++;
			rc = patch_update(&r, cwd, max_read, rest, restlen, &out, files, nfiles,
			                  err);
		} else {
			rc = ag_fail(err,
			             "patch line %zu: expected a file operation (*** Add File:, "
			             "*** Delete File:, *** Update File:) or *** End Patch",
			             r.i + 1);
		}
	}
	if (rc == 0 && !ended)
		rc = ag_fail(err, "patch: no *** End Patch");
	if (rc == 0) {
		for (; r.i < r.n; r.i++)
			if (line_text_len(&r.lines[r.i]) != 0) {
				rc = ag_fail(err, "patch line %zu: text after *** End Patch",
				             r.i + 1);
				break;
			}
	}
	if (rc == 0 && *nfiles == 0)
		rc = ag_fail(err, "patch: no file operation");
out:
	free(r.lines);
	if (rc != 0) {
		free(out.s);
		udiff_files_free(files, *nfiles);
		*nfiles = 0;
		return -1;
	}
	*diff = udiff_buf_take(&out);
	return 0;
}

void
udiff_files_free(char ***files, size_t nfiles)
{
	if (*files == NULL)
		return;
	for (size_t i = 0; i < nfiles; i++)
		free((*files)[i]);
	free(*files);
	*files = NULL;
}
