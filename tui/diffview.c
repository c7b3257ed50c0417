/* The body index (see diffview.h). */
#include "tui/diffview.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/xmalloc.h"

static int
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

/* Reads a decimal number at *p (bounded by end); 0 on none. */
static uint32_t
number(const char **p, const char *end)
{
	uint64_t v = 0;
	while (*p < end && **p >= '0' && **p <= '9') {
		if (v < 100000000)
			v = v * 10 + (uint64_t)(**p - '0');
		(*p)++;
	}
	return (uint32_t)v;
}

/* "@@ -a[,b] +c[,d] @@": 1 and the numbers, or 0 when it has none (Codex's
 * apply_patch writes bare "@@" lines). */
static int
parse_hunk(const char *s, size_t len, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	const char *p = s + 2, *end = s + len;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '-')
		return 0;
	p++;
	*a = number(&p, end);
	*b = 1;
	if (p < end && *p == ',') {
		p++;
		*b = number(&p, end);
	}
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '+')
		return 0;
	p++;
	*c = number(&p, end);
	*d = 1;
	if (p < end && *p == ',') {
		p++;
		*d = number(&p, end);
	}
	return 1;
}

static int
is_header(const char *s, size_t len)
{
	static const char *const heads[] = {
	    "diff ",
	    "index ",
	    "new file mode",
	    "deleted file mode",
	    "old mode",
	    "new mode",
	    "similarity index",
	    "dissimilarity index",
	    "rename from",
	    "rename to",
	    "copy from",
	    "copy to",
	    "Binary files",
	    "GIT binary patch",
	    "*** Begin Patch",
	    "*** End Patch",
	    "*** Update File:",
	    "*** Add File:",
	    "*** Delete File:",
	    "*** Move to:",
	    "*** End of File",
	};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
		if (starts(s, len, heads[i]))
			return 1;
	return 0;
}

struct tui_diff_cls {
	uint32_t old_no, new_no;
	uint32_t old_left, new_left; /* lines left in a counted hunk */
	int loose;                   /* +/-/space lines without counts (apply_patch) */
};

static void
classify(struct tui_diff_cls *c, const char *s, size_t len, struct tui_dline_info *li)
{
	uint32_t a, b, cc, d;
	int in_hunk = c->old_left > 0 || c->new_left > 0;

	if (in_hunk) {
		char m = len > 0 ? s[0] : ' '; /* an empty line: context whose space was eaten */
		if (m == ' ' && c->old_left > 0 && c->new_left > 0) {
			li->kind = TUI_DL_CONTEXT;
			li->old_no = c->old_no++;
			li->new_no = c->new_no++;
			c->old_left--;
			c->new_left--;
			return;
		}
		if (m == '-' && c->old_left > 0) {
			li->kind = TUI_DL_DEL;
			li->old_no = c->old_no++;
			c->old_left--;
			return;
		}
		if (m == '+' && c->new_left > 0) {
			li->kind = TUI_DL_ADD;
			li->new_no = c->new_no++;
			c->new_left--;
			return;
		}
		if (m == '\\') {
			li->kind = TUI_DL_NOEOL;
			return;
		}
		c->old_left = c->new_left = 0; /* the counts lied: start over */
	}
	if (starts(s, len, "@@")) {
		li->kind = TUI_DL_HUNK;
		if (parse_hunk(s, len, &a, &b, &cc, &d)) {
			c->old_no = a ? a : 1;
			c->new_no = cc ? cc : 1;
			c->old_left = b;
			c->new_left = d;
			c->loose = 0;
		} else {
			c->loose = 1;
		}
		return;
	}
	if (is_header(s, len)) {
		li->kind = TUI_DL_HEADER;
		c->loose = starts(s, len, "*** Add File:") || starts(s, len, "*** Update File:");
		return;
	}
	if (!c->loose && (starts(s, len, "--- ") || starts(s, len, "+++ "))) {
		li->kind = TUI_DL_FILE;
		return;
	}
	if (len > 0 && s[0] == '\\') {
		li->kind = TUI_DL_NOEOL;
		return;
	}
	if (c->loose && len > 0) {
		li->kind = s[0] == '+'   ? TUI_DL_ADD
		           : s[0] == '-' ? TUI_DL_DEL
		           : s[0] == ' ' ? TUI_DL_CONTEXT
		                         : TUI_DL_OTHER;
		return;
	}
	li->kind = TUI_DL_OTHER;
}

#define INFO_KIND     0x0f
#define INFO_FLAGGED  0x10
#define INFO_NUMBERED 0x20 /* inside a counted hunk: old_no/new_no apply */

static int
is_file_line(const char *line, size_t len, uint8_t kind)
{
	if (kind == TUI_DL_FILE)
		return starts(line, len, "+++ ");
	return kind == TUI_DL_HEADER &&
	       (starts(line, len, "*** Update File:") || starts(line, len, "*** Add File:") ||
	        starts(line, len, "*** Delete File:"));
}

/* The newlines of text: counted, or with offs, the offset just past each
 * stored in turn. Returns how many. Sixteen bytes at a time: a memchr per
 * line was half the index's time on a 100,000-line diff. */
static size_t
newlines(const char *text, size_t len, uint32_t *offs, size_t base)
{
	size_t n = 0, i = 0;
#if defined(__SSE2__)
	const __m128i nl = _mm_set1_epi8('\n');
	if (offs == NULL) {
		/* Per-byte tallies (a match is -1), summed before they can
		 * wrap: no popcount, which without -mpopcnt is a call. */
		while (len - i >= 16) {
			__m128i tally = _mm_setzero_si128();
			for (int k = 0; k < 255 && len - i >= 16; k++, i += 16) {
				__m128i b =
				    _mm_loadu_si128((const __m128i *)(const void *)(text + i));
				tally = _mm_sub_epi8(tally, _mm_cmpeq_epi8(b, nl));
			}
			__m128i sums = _mm_sad_epu8(tally, _mm_setzero_si128());
			n += (size_t)_mm_cvtsi128_si32(sums) +
			     (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
		}
	}
	for (; offs != NULL && len - i >= 16; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(text + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, nl));
		for (; m != 0; m &= m - 1)
			offs[n++] = (uint32_t)(base + i + (size_t)__builtin_ctz(m) + 1);
	}
#endif
	for (; i < len; i++)
		if (text[i] == '\n') {
			if (offs != NULL)
				offs[n] = (uint32_t)(base + i + 1);
			n++;
		}
	return n;
}

/* Classifies line i of the index (its start and end known) and counts
 * it. */
static void
index_line(struct tui_diff_index *idx, struct tui_diff_cls *c, size_t i)
{
	const char *line = idx->text + idx->off[i];
	size_t linelen = idx->off[i + 1] - idx->off[i] - 1;
	if (i % TUI_DIFF_STEP == 0) {
		idx->nums[2 * (i / TUI_DIFF_STEP)] = c->old_no;
		idx->nums[2 * (i / TUI_DIFF_STEP) + 1] = c->new_no;
	}
	struct tui_dline_info li = {0};
	classify(c, line, linelen, &li);
	idx->info[i] = (uint8_t)((idx->info[i] & INFO_FLAGGED) | li.kind |
	                         (li.old_no || li.new_no ? INFO_NUMBERED : 0));
	if (li.old_no > idx->max_no)
		idx->max_no = li.old_no;
	if (li.new_no > idx->max_no)
		idx->max_no = li.new_no;
	if (li.kind == TUI_DL_ADD)
		idx->added++;
	else if (li.kind == TUI_DL_DEL)
		idx->removed++;
	else if (is_file_line(line, linelen, li.kind))
		idx->files++;
}

/* Text indexed at a time: its lines are classified while their bytes are
 * still in the cache (a second pass over 3 MB met every line start evicted
 * again). */
#define INDEX_BLOCK (16 * 1024)

struct tui_diff_index *
tui_diff_index_start(const char *text, size_t len, enum tui_body_kind kind,
                     const struct ag_risk *risk)
{
	struct tui_diff_index *idx = xcalloc(1, sizeof *idx);
	size_t n;

	idx->text = text;
	idx->len = len;
	idx->kind = kind;
	/* Count first, so the arrays are allocated once at their size (and
	 * the total is known before any line is classified). */
	n = newlines(text, len, NULL, 0);
	if (len > 0 && text[len - 1] != '\n')
		n++;
	idx->n = n;
	idx->off = xreallocarray(NULL, n + 1, sizeof *idx->off);
	idx->info = xcalloc(n ? n : 1, 1);
	idx->nums = xreallocarray(NULL, 2 * (n / TUI_DIFF_STEP + 1), sizeof *idx->nums);
	idx->cls = xcalloc(1, sizeof *idx->cls);
	idx->off[0] = 0;
	/* Where a line after the last would start: line i ends one byte
	 * before line i + 1, at its '\n' or past the end of the text. */
	idx->off[n] = (uint32_t)(len > 0 && text[len - 1] != '\n' ? len + 1 : len);
	/* Flags first: classifying a line keeps its flag, and the count is
	 * whole from the start. */
	for (size_t i = 0; risk != NULL && i < risk->nreasons; i++) {
		int l = risk->reasons[i].line;
		if (l > 0 && (size_t)l <= idx->n && !(idx->info[l - 1] & INFO_FLAGGED)) {
			idx->info[l - 1] |= INFO_FLAGGED;
			idx->flagged++;
		}
	}
	if (n == 0)
		tui_diff_index_complete(idx);
	return idx;
}

void
tui_diff_index_build_some(struct tui_diff_index *idx, size_t lines)
{
	if (lines > idx->n)
		lines = idx->n;
	while (idx->done < lines) {
		/* The start of each line after a newline, then the lines
		 * whose ends are known by now; past the text, the last line
		 * when no newline ends it. */
		if (idx->at < idx->len) {
			size_t chunk =
			    idx->len - idx->at < INDEX_BLOCK ? idx->len - idx->at : INDEX_BLOCK;
			idx->found += newlines(idx->text + idx->at, chunk,
			                       idx->off + 1 + idx->found, idx->at);
			idx->at += chunk;
		} else {
			idx->found = idx->n;
		}
		if (idx->kind != TUI_BODY_DIFF)
			idx->done = idx->found;
		for (; idx->done < idx->found; idx->done++)
			index_line(idx, idx->cls, idx->done);
	}
	if (idx->done == idx->n) {
		free(idx->cls);
		idx->cls = NULL;
	}
}

int
tui_diff_index_complete(struct tui_diff_index *idx)
{
	if (idx->cls == NULL)
		return 0;
	tui_diff_index_build_some(idx, idx->n);
	free(idx->cls);
	idx->cls = NULL;
	return 1;
}

struct tui_diff_index *
tui_diff_index_build(const char *text, size_t len, enum tui_body_kind kind,
                     const struct ag_risk *risk)
{
	struct tui_diff_index *idx = tui_diff_index_start(text, len, kind, risk);
	tui_diff_index_complete(idx);
	return idx;
}

void
tui_diff_line(struct tui_diff_index *idx, size_t i, struct tui_dline_info *out)
{
	if (i >= idx->done)
		tui_diff_index_build_some(idx, i + 1);
	uint8_t info = idx->info[i];

	memset(out, 0, sizeof *out);
	out->off = idx->off[i];
	out->len = idx->off[i + 1] - idx->off[i] - 1;
	out->kind = info & INFO_KIND;
	out->flagged = (info & INFO_FLAGGED) != 0;
	if (idx->kind != TUI_BODY_DIFF || !(info & INFO_NUMBERED))
		return;
	/* From the numbers stored at the step's first line, the way the
	 * classifier went: at most 63 lines. */
	size_t j = i - i % TUI_DIFF_STEP;
	uint32_t o = idx->nums[2 * (i / TUI_DIFF_STEP)],
	         nw = idx->nums[2 * (i / TUI_DIFF_STEP) + 1];
	for (; j < i; j++) {
		uint8_t k = idx->info[j] & INFO_KIND;
		uint32_t a, b, cc, d;
		if (k == TUI_DL_HUNK) {
			const char *s = idx->text + idx->off[j];
			if (parse_hunk(s, idx->off[j + 1] - idx->off[j] - 1, &a, &b, &cc, &d)) {
				o = a ? a : 1;
				nw = cc ? cc : 1;
			}
		} else if (idx->info[j] & INFO_NUMBERED) {
			o += k == TUI_DL_CONTEXT || k == TUI_DL_DEL;
			nw += k == TUI_DL_CONTEXT || k == TUI_DL_ADD;
		}
	}
	if (out->kind == TUI_DL_CONTEXT || out->kind == TUI_DL_DEL)
		out->old_no = o;
	if (out->kind == TUI_DL_CONTEXT || out->kind == TUI_DL_ADD)
		out->new_no = nw;
}

void
tui_diff_index_free(struct tui_diff_index **idxp)
{
	if (*idxp == NULL)
		return;
	free((*idxp)->off);
	free((*idxp)->info);
	free((*idxp)->nums);
	free((*idxp)->cls);
	free(*idxp);
	*idxp = NULL;
}

long
tui_diff_next_flagged(const struct tui_diff_index *idx, long from, int dir)
{
	for (long i = from + (dir > 0 ? 1 : -1); i >= 0 && (size_t)i<idx->n; i += dir> 0 ? 1 : -1)
		if (idx->info[i] & INFO_FLAGGED)
			return i;
	return -1;
}
