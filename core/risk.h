/* The risk the hub attaches to every request: a score, a level, categories
 * and reasons. Produced by reviewer/ (the engine), carried by ipc/ (the hub
 * journals and broadcasts it), drawn by tui/. Lives in core/ because all of
 * them need the type and its JSON form, and core/ depends on nothing. */
#ifndef AGATE_CORE_RISK_H
#define AGATE_CORE_RISK_H

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/model.h"

/* One reason. The span says what caused it so the console can highlight it:
 * for exec, a byte range [start, end) in action.command; for a patch, the
 * 1-based line number in action.diff; -1/0 when the reason is about the
 * request as a whole. */
struct ag_reason {
	char *text;          /* owned; plain text, no terminal formatting */
	unsigned categories; /* AG_CATEGORY(...) bits this reason contributes */
	int start, end;      /* byte range in the command, or -1, -1 */
	int line;            /* 1-based diff line, or 0 */
};

struct ag_risk {
	int score;                 /* 0..100 */
	enum ag_level level;       /* derived from score by ag_risk_level_for_score() */
	unsigned categories;       /* union of AG_CATEGORY(...) bits */
	struct ag_reason *reasons; /* owned array */
	size_t nreasons;
};

/* Thresholds, Codex Guardian style: <25 low, <50 medium, <80 high, else critical. */
enum ag_level ag_risk_level_for_score(int score);

void ag_risk_init(struct ag_risk *risk);
/* Frees reasons and resets to an empty low-risk result. Safe to call twice. */
void ag_risk_clear(struct ag_risk *risk);
/* Deep copy; dst is overwritten, not freed: pass an empty or cleared one. */
void ag_risk_copy(struct ag_risk *dst, const struct ag_risk *src);
/* Raises the score to at least `score` (never lowers it), adds the reason's
 * categories and appends it. text is copied. Keeps level in step. */
void ag_risk_add(struct ag_risk *risk, int score, unsigned categories, int start, int end, int line,
                 const char *text);

/* {"score":91,"level":"critical","categories":[...],"reasons":[...],
 *  "spans":[{"start":0,"end":6},...]} — reasons stay plain strings as in
 * DESIGN.md; spans is a parallel array. Caller owns the result. */
cJSON *ag_risk_to_json(const struct ag_risk *risk);
/* Strict parse of the above (risk arrives from the hub in frames): level
 * must match the score, names must be known, errors name "risk.FIELD".
 * out is overwritten, not freed; on failure it is left empty. */
int ag_risk_from_json(const cJSON *json, struct ag_risk *out, struct ag_error *err);

#endif
