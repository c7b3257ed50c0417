#include "cmd/audit.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/clock.h"
#include "core/model.h"
#include "core/xmalloc.h"

/* ---- lines ---------------------------------------------------------------- */

void
ag_lines_init(struct ag_lines *r, FILE *in, size_t max)
{
	memset(r, 0, sizeof *r);
	r->in = in;
	r->max = max;
}

void
ag_lines_free(struct ag_lines *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

/* Appends n bytes to the current line, unless it is already too long. */
static void
lines_append(struct ag_lines *r, const char *p, size_t n, int *toolong)
{
	if (*toolong)
		return;
	if (r->len + n > r->max) {
		*toolong = 1;
		r->len = 0;
		return;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 256;
		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > r->max + 1)
			cap = r->max + 1;
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

int
ag_lines_next(struct ag_lines *r)
{
	int toolong = 0, any = 0;
	r->len = 0;
	for (;;) {
		if (r->pos == r->end) {
			if (r->eof)
				break;
			r->end = fread(r->chunk, 1, sizeof r->chunk, r->in);
			r->pos = 0;
			if (r->end == 0) {
				if (ferror(r->in))
					return -2;
				r->eof = 1;
				break;
			}
		}
		any = 1;
		const char *start = r->chunk + r->pos;
		const char *nl = memchr(start, '\n', r->end - r->pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : r->end - r->pos;
		lines_append(r, start, n, &toolong);
		r->pos += n + (nl != NULL);
		if (nl != NULL)
			break;
	}
	if (!any)
		return 0;
	r->lineno++;
	if (toolong)
		return -1;
	if (r->buf == NULL) {
		r->buf = xmalloc(1);
		r->cap = 1;
	}
	r->buf[r->len] = '\0';
	return 1;
}

/* ---- a set of strings ------------------------------------------------------ */

void
ag_strset_init(struct ag_strset *s)
{
	memset(s, 0, sizeof *s);
}

static size_t
strset_slot(char *const *slots, size_t cap, const char *key)
{
	size_t i = ag_hash_str(key) & (cap - 1);
	while (slots[i] != NULL && strcmp(slots[i], key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static void
strset_grow(struct ag_strset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	char **slots = xcalloc(cap, sizeof *slots);
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i] != NULL)
			slots[strset_slot(slots, cap, s->slots[i])] = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

int
ag_strset_add(struct ag_strset *s, const char *key)
{
	if ((s->count + 1) * 2 > s->cap)
		strset_grow(s);
	size_t i = strset_slot(s->slots, s->cap, key);
	if (s->slots[i] != NULL)
		return 0;
	s->slots[i] = xstrdup(key);
	s->count++;
	return 1;
}

int
ag_strset_has(const struct ag_strset *s, const char *key)
{
	return s->cap > 0 && s->slots[strset_slot(s->slots, s->cap, key)] != NULL;
}

void
ag_strset_free(struct ag_strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof *s);
}

/* ---- time on the command line --------------------------------------------- */

int64_t
ag_audit_parse_duration(const char *s)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = {{"ms", 1},      {"s", 1000},     {"m", 60000},
	             {"h", 3600000}, {"d", 86400000}, {"w", 7 * 86400000LL}};
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || v < 0)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > INT64_MAX / units[i].ms)
			return -1;
		return v * units[i].ms;
	}
	return -1;
}

int
ag_audit_parse_when(const char *s, int64_t now_ms, int64_t *out)
{
	int64_t d = ag_audit_parse_duration(s);
	if (d >= 0) {
		*out = now_ms - d;
		return 0;
	}
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* ---- filters -------------------------------------------------------------- */

static int
parse_int(const char *s, long long lo, long long hi, long long *out)
{
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
ag_audit_filter_opt(const char *cmd, int opt, const char *arg, struct ag_journal_query *q)
{
	long long n;
	int v;
	switch (opt) {
	case 0x100: q->session = arg; return 1;
	case 0x101: q->agent = arg; return 1;
	case 0x102: q->id = arg; return 1;
	case 0x103:
		if ((v = ag_kind_parse(arg)) < 0)
			goto bad_name;
		q->kind = v;
		return 1;
	case 0x104:
		if ((v = ag_decision_parse(arg)) < 0)
			goto bad_name;
		q->decision = v;
		return 1;
	case 0x105:
		if ((v = ag_decider_parse(arg)) < 0)
			goto bad_name;
		q->by = v;
		return 1;
	case 0x106:
		if (parse_int(arg, 0, 100, &n) != 0) {
			fprintf(stderr, "agate %s: --min-risk: expected 0 to 100, got '%s'\n", cmd,
			        arg);
			return -1;
		}
		q->min_score = (int)n;
		return 1;
	case 0x107:
	case 0x108:
		if (ag_audit_parse_when(arg, ag_clock_wall_ms(),
		                        opt == 0x107 ? &q->since_ms : &q->until_ms) != 0) {
			fprintf(stderr,
			        "agate %s: --%s: expected 30m, 2h, 7d or epoch ms, got '%s'\n", cmd,
			        opt == 0x107 ? "since" : "until", arg);
			return -1;
		}
		return 1;
	case 0x109:
		if (parse_int(arg, 1, INT64_MAX, &n) != 0) {
			fprintf(stderr, "agate %s: --limit: expected a positive number, got '%s'\n",
			        cmd, arg);
			return -1;
		}
		q->limit = n;
		return 1;
	default: return 0;
	}
bad_name:
	fprintf(stderr, "agate %s: --%s: unknown value '%s'\n", cmd,
	        opt == 0x103   ? "kind"
	        : opt == 0x104 ? "decision"
	                       : "by",
	        arg);
	return -1;
}

struct ag_journal *
ag_audit_open(const char *cmd, const char *path, int readonly)
{
	struct ag_journal *j = NULL;
	struct ag_error err;
	if (ag_journal_open(path, readonly, &j, &err) != 0) {
		fprintf(stderr, "agate %s: %s\n", cmd, err.msg);
		return NULL;
	}
	return j;
}
