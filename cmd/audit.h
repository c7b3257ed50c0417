/* What the journal tools share (agate export, import, replay, gc,
 * telemetry): a bounded NDJSON line reader, a set of strings, durations
 * and times on the command line, and the journal query flags. */
#ifndef AGATE_CMD_AUDIT_H
#define AGATE_CMD_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/journal.h"

/* A line reader that never buffers more than max bytes of one line: a
 * longer line is consumed and reported, not kept. */
struct ag_lines {
	FILE *in;
	char *buf; /* owned; the current line, NUL-terminated, no newline */
	size_t len, cap, max;
	size_t lineno; /* of the current line, from 1 */
	char chunk[65536];
	size_t pos, end;
	int eof;
};
void ag_lines_init(struct ag_lines *r, FILE *in, size_t max);
/* 1 for a line (r->buf, r->len), 0 at the end, -1 for a line longer than
 * max (skipped; r->lineno names it), -2 on a read error (errno set). */
int ag_lines_next(struct ag_lines *r);
void ag_lines_free(struct ag_lines *r);

/* A set of strings (ids, sessions). Open addressing, grows; owns copies. */
struct ag_strset {
	char **slots;
	size_t cap, count;
};
void ag_strset_init(struct ag_strset *s);
/* 1 when added, 0 when it was there already. */
int ag_strset_add(struct ag_strset *s, const char *key);
int ag_strset_has(const struct ag_strset *s, const char *key);
void ag_strset_free(struct ag_strset *s);

/* "30d", "12h", "90m", "45s", "500ms", "2w" to milliseconds; -1 when it is
 * none of those (a bare number is refused: the unit must be said). */
int64_t ag_audit_parse_duration(const char *s);
/* A point in time: a duration ago ("7d"), or epoch milliseconds. 0 and
 * *out, or -1. */
int ag_audit_parse_when(const char *s, int64_t now_ms, int64_t *out);

/* The filters every journal tool takes. A tool lists AG_AUDIT_FILTER_OPTS
 * in its getopt table and passes each option to ag_audit_filter_opt. */
#define AG_AUDIT_FILTER_OPTS                                                                      \
	{"session", required_argument, NULL, 0x100}, {"agent", required_argument, NULL, 0x101},   \
	    {"id", required_argument, NULL, 0x102}, {"kind", required_argument, NULL, 0x103},     \
	    {"decision", required_argument, NULL, 0x104}, {"by", required_argument, NULL, 0x105}, \
	    {"min-risk", required_argument, NULL, 0x106},                                         \
	    {"since", required_argument, NULL, 0x107}, {"until", required_argument, NULL, 0x108}, \
	{                                                                                         \
		"limit", required_argument, NULL, 0x109                                           \
	}
#define AG_AUDIT_FILTER_HELP                                                          \
	"  --session S  --agent A  --id ID\n"                                         \
	"  --kind K             exec, patch, network, mcp, permission\n"              \
	"  --decision D         approve, approve_session, deny, abort, defer\n"       \
	"  --by B               human, guardian, policy, session, timeout\n"          \
	"  --min-risk N         recorded score at least N (0-100)\n"                  \
	"  --since T, --until T a duration ago (30m, 2h, 7d) or epoch milliseconds\n" \
	"  --limit N            the most recent N requests only\n"
/* 1 when opt was one of the filters (applied to q), 0 when it is not a
 * filter, -1 after printing "agate CMD: --opt: why" to stderr. */
int ag_audit_filter_opt(const char *cmd, int opt, const char *arg, struct ag_journal_query *q);

/* Opens the journal read-only with a message on failure ("agate CMD: ...").
 * Returns NULL on failure. */
struct ag_journal *ag_audit_open(const char *cmd, const char *path, int readonly);

#endif
