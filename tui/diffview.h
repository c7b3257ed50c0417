/* Long bodies — a unified diff, pretty-printed MCP arguments — indexed once
 * so that drawing touches only the visible lines: a 100,000-line diff costs
 * one pass when it is first shown (about 5 bytes a line: a 32-bit offset
 * and a byte of kind and flags, plus the line numbers at every 64th line),
 * then each frame sanitizes and draws a screenful, whatever the scroll
 * position.
 *
 * The diff classifier is deliberately light (the risk engine has the full
 * parser): it colours lines, honours hunk counts so that "--- x" inside a
 * hunk is a deletion, numbers lines from the hunk headers, and marks the
 * lines a risk reason points at. It never fails: what it does not know is
 * TUI_DL_OTHER. */
#ifndef AGATE_TUI_DIFFVIEW_H
#define AGATE_TUI_DIFFVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "core/risk.h"

enum tui_body_kind { TUI_BODY_DIFF, TUI_BODY_JSON, TUI_BODY_PLAIN };

enum tui_dline {
	TUI_DL_OTHER,
	TUI_DL_HEADER, /* diff --git, index, modes, renames, *** Update File: */
	TUI_DL_FILE,   /* --- a/x, +++ b/x */
	TUI_DL_HUNK,   /* @@ -1,3 +1,4 @@ */
	TUI_DL_ADD,
	TUI_DL_DEL,
	TUI_DL_CONTEXT,
	TUI_DL_NOEOL, /* \ No newline at end of file */
};

/* One line, as tui_diff_line() resolves it. */
struct tui_dline_info {
	uint32_t off, len;       /* the line in the text, without '\n' */
	uint32_t old_no, new_no; /* line numbers in the old and new file, 0: none */
	uint8_t kind;            /* enum tui_dline */
	uint8_t flagged;         /* a risk reason points at this line */
};

#define TUI_DIFF_STEP 64 /* lines between stored line numbers */

struct tui_diff_cls;

struct tui_diff_index {
	const char *text; /* borrowed: lives as long as the request */
	size_t len;
	enum tui_body_kind kind;
	size_t n;
	/* Private (read through tui_diff_line): line starts (n + 1 of
	 * them: the last is where a line after the text would start), a
	 * byte per line (kind, flagged, numbered), and the old and new line
	 * numbers the classifier held at lines 0, 64, 128... */
	uint32_t *off;
	uint8_t *info;
	uint32_t *nums; /* 2 per TUI_DIFF_STEP lines */
	/* Whole once the index is complete (tui_diff_index_done); flagged
	 * and n are whole from the start. */
	uint32_t max_no; /* the largest line number, for the gutter width */
	size_t files, added, removed, flagged;
	/* Private: how far the lines are indexed, in order — bytes scanned
	 * for newlines, line starts found, lines classified — and the
	 * classifier's state there (NULL once complete). */
	size_t at, found, done;
	struct tui_diff_cls *cls;
};

/* Indexes text (borrowed; must outlive the index). risk may be NULL; its
 * reasons' line numbers (1-based lines of text) mark flagged lines. Caller
 * frees with tui_diff_index_free. */
struct tui_diff_index *tui_diff_index_build(const char *text, size_t len, enum tui_body_kind kind,
                                            const struct ag_risk *risk);
/* The same index, started: lines counted and flagged, none classified yet
 * (a first screen needs 40 lines of 100,000). Lines are indexed in order
 * as tui_diff_line asks for them, or by the two calls below; the totals
 * (files, added, removed, max_no) are whole only once it is complete. */
struct tui_diff_index *tui_diff_index_start(const char *text, size_t len, enum tui_body_kind kind,
                                            const struct ag_risk *risk);
/* Indexes at least the first `lines` lines. */
void tui_diff_index_build_some(struct tui_diff_index *idx, size_t lines);
/* Indexes the rest; returns 1 if anything was left, else 0. */
int tui_diff_index_complete(struct tui_diff_index *idx);
static inline int
tui_diff_index_done(const struct tui_diff_index *idx)
{
	return idx->cls == NULL;
}
void tui_diff_index_free(struct tui_diff_index **idx);
/* Line i (< idx->n): where it is, its kind, numbers and flag (indexing
 * the lines up to it first if need be). */
void tui_diff_line(struct tui_diff_index *idx, size_t i, struct tui_dline_info *out);

/* Index of the next (dir > 0) or previous flagged line from `from`,
 * exclusive, or -1. */
long tui_diff_next_flagged(const struct tui_diff_index *idx, long from, int dir);

#endif
