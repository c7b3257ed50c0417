/* The risk result and its JSON form. The engine builds one with
 * ag_risk_add; the hub sends it in frames; consoles parse it back with
 * ag_risk_from_json, which is strict because the frame came over a FIFO any
 * local process can write to. */
#include "core/risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xmalloc.h"

/* Bounds for a parsed risk: far above what the engine produces, low enough
 * that a hostile frame cannot make a console draw a million reasons. */
#define RISK_MAX_REASONS     1024
#define RISK_MAX_REASON_TEXT 65536

enum ag_level
ag_risk_level_for_score(int score)
{
	if (score < 25)
		return AG_LEVEL_LOW;
	if (score < 50)
		return AG_LEVEL_MEDIUM;
	if (score < 80)
		return AG_LEVEL_HIGH;
	return AG_LEVEL_CRITICAL;
}

void
ag_risk_init(struct ag_risk *risk)
{
	memset(risk, 0, sizeof *risk);
	risk->level = AG_LEVEL_LOW;
}

void
ag_risk_clear(struct ag_risk *risk)
{
	for (size_t i = 0; i < risk->nreasons; i++)
		free(risk->reasons[i].text);
	free(risk->reasons);
	ag_risk_init(risk);
}

/* Deep copy. dst is overwritten, not freed first: pass one that is empty
 * (ag_risk_init) or already cleared, or its reasons leak. */
void
ag_risk_copy(struct ag_risk *dst, const struct ag_risk *src)
{
	if (dst == src)
		return;
	*dst = *src;
	dst->reasons = NULL;
	if (src->nreasons > 0) {
		dst->reasons = xcalloc(src->nreasons, sizeof *dst->reasons);
		for (size_t i = 0; i < src->nreasons; i++) {
			dst->reasons[i] = src->reasons[i];
			dst->reasons[i].text = xstrdup(src->reasons[i].text);
		}
	}
}

static int
clamp_score(int score)
{
	return score < 0 ? 0 : score > 100 ? 100 : score;
}

/* Appends without touching the score; shared by ag_risk_add and the parser
 * (which takes the score from the frame, not from the reasons). */
static void
risk_append(struct ag_risk *risk, unsigned categories, int start, int end, int line,
            const char *text)
{
	struct ag_reason *r;

	risk->reasons = xreallocarray(risk->reasons, risk->nreasons + 1, sizeof *risk->reasons);
	r = &risk->reasons[risk->nreasons++];
	r->text = xstrdup(text != NULL ? text : "");
	r->categories = categories;
	/* A half-given or backwards span highlights nothing rather than garbage. */
	if (start < 0 || end < start) {
		r->start = -1;
		r->end = -1;
	} else {
		r->start = start;
		r->end = end;
	}
	r->line = line > 0 ? line : 0;
	risk->categories |= categories;
}

void
ag_risk_add(struct ag_risk *risk, int score, unsigned categories, int start, int end, int line,
            const char *text)
{
	score = clamp_score(score);
	if (score > risk->score)
		risk->score = score;
	risk->level = ag_risk_level_for_score(risk->score);
	risk_append(risk, categories, start, end, line, text);
}

static cJSON *
categories_to_json(unsigned categories)
{
	cJSON *arr = cJSON_CreateArray();
	for (int bit = 0; bit < AG_CATEGORY_COUNT; bit++)
		if (categories & (1u << bit))
			cJSON_AddItemToArray(arr, cJSON_CreateString(ag_category_name(bit)));
	return arr;
}

/* Caller owns the result (cJSON_Delete). */
cJSON *
ag_risk_to_json(const struct ag_risk *risk)
{
	cJSON *json = cJSON_CreateObject();
	cJSON *reasons, *spans;

	cJSON_AddNumberToObject(json, "score", risk->score);
	cJSON_AddStringToObject(json, "level", ag_level_name(risk->level));
	cJSON_AddItemToObject(json, "categories", categories_to_json(risk->categories));
	reasons = cJSON_AddArrayToObject(json, "reasons");
	spans = cJSON_AddArrayToObject(json, "spans");
	for (size_t i = 0; i < risk->nreasons; i++) {
		const struct ag_reason *r = &risk->reasons[i];
		cJSON *span = cJSON_CreateObject();

		cJSON_AddItemToArray(reasons, cJSON_CreateString(r->text));
		cJSON_AddNumberToObject(span, "start", r->start);
		cJSON_AddNumberToObject(span, "end", r->end);
		if (r->line > 0)
			cJSON_AddNumberToObject(span, "line", r->line);
		if (r->categories != 0)
			cJSON_AddItemToObject(span, "categories",
			                      categories_to_json(r->categories));
		cJSON_AddItemToArray(spans, span);
	}
	return json;
}

static const char *
json_type_name(const cJSON *j)
{
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "an invalid value";
}

/* An integer in [min, max]; 0 on success. */
static int
get_int(const cJSON *j, const char *path, int min, int max, int *out, struct ag_error *err)
{
	if (!cJSON_IsNumber(j))
		return ag_fail(err, "%s: expected an integer, got %s", path, json_type_name(j));
	double d = j->valuedouble;
	if (!isfinite(d) || floor(d) != d)
		return ag_fail(err, "%s: expected an integer, got %g", path, d);
	if (d < min || d > max)
		return ag_fail(err, "%s: %.0f is out of range (%d..%d)", path, d, min, max);
	*out = (int)d;
	return 0;
}

static int
get_categories(const cJSON *arr, const char *path, unsigned *out, struct ag_error *err)
{
	const cJSON *item;
	int i = 0;

	*out = 0;
	if (!cJSON_IsArray(arr))
		return ag_fail(err, "%s: expected an array, got %s", path, json_type_name(arr));
	cJSON_ArrayForEach(item, arr)
	{
		if (i >= AG_CATEGORY_COUNT * 4)
			return ag_fail(err, "%s: too many elements", path);
		if (!cJSON_IsString(item) || item->valuestring == NULL)
			return ag_fail(err, "%s[%d]: expected a string, got %s", path, i,
			               json_type_name(item));
		int bit = ag_category_parse(item->valuestring);
		if (bit < 0)
			return ag_fail(err,
			               "%s[%d]: unknown category (expected one of destructive, "
			               "data_exfiltration, credential_probing, security_weakening)",
			               path, i);
		*out |= 1u << bit;
		i++;
	}
	return 0;
}

static int
parse_span(const cJSON *span, int i, struct ag_reason *r, struct ag_error *err)
{
	char path[64];
	const cJSON *j;

	snprintf(path, sizeof path, "risk.spans[%d]", i);
	if (!cJSON_IsObject(span))
		return ag_fail(err, "%s: expected an object, got %s", path, json_type_name(span));
	snprintf(path, sizeof path, "risk.spans[%d].start", i);
	j = cJSON_GetObjectItemCaseSensitive(span, "start");
	if (j == NULL)
		return ag_fail(err, "%s: missing", path);
	if (get_int(j, path, -1, 0x7fffffff, &r->start, err) < 0)
		return -1;
	snprintf(path, sizeof path, "risk.spans[%d].end", i);
	j = cJSON_GetObjectItemCaseSensitive(span, "end");
	if (j == NULL)
		return ag_fail(err, "%s: missing", path);
	if (get_int(j, path, -1, 0x7fffffff, &r->end, err) < 0)
		return -1;
	if ((r->start < 0) != (r->end < 0) || r->end < r->start)
		return ag_fail(err, "risk.spans[%d]: bad range %d..%d", i, r->start, r->end);
	snprintf(path, sizeof path, "risk.spans[%d].line", i);
	j = cJSON_GetObjectItemCaseSensitive(span, "line");
	r->line = 0;
	if (j != NULL && get_int(j, path, 0, 0x7fffffff, &r->line, err) < 0)
		return -1;
	snprintf(path, sizeof path, "risk.spans[%d].categories", i);
	j = cJSON_GetObjectItemCaseSensitive(span, "categories");
	r->categories = 0;
	if (j != NULL && get_categories(j, path, &r->categories, err) < 0)
		return -1;
	return 0;
}

static int
risk_parse(const cJSON *json, struct ag_risk *out, struct ag_error *err)
{
	const cJSON *j, *reasons, *spans, *item;
	int score, level, i;

	if (!cJSON_IsObject(json))
		return ag_fail(err, "risk: expected an object, got %s", json_type_name(json));

	j = cJSON_GetObjectItemCaseSensitive(json, "score");
	if (j == NULL)
		return ag_fail(err, "risk.score: missing");
	if (get_int(j, "risk.score", 0, 100, &score, err) < 0)
		return -1;
	out->score = score;

	j = cJSON_GetObjectItemCaseSensitive(json, "level");
	if (j == NULL)
		return ag_fail(err, "risk.level: missing");
	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return ag_fail(err, "risk.level: expected a string, got %s", json_type_name(j));
	level = ag_level_parse(j->valuestring);
	if (level < 0)
		return ag_fail(err, "risk.level: unknown level (expected one of low, medium, "
		                    "high, critical)");
	/* The level is a function of the score; a frame where they disagree
	 * was forged or built by a bug, and the console must not pick one. */
	if ((enum ag_level)level != ag_risk_level_for_score(score))
		return ag_fail(err, "risk.level: \"%s\" does not match score %d (expected \"%s\")",
		               ag_level_name(level), score,
		               ag_level_name(ag_risk_level_for_score(score)));
	out->level = level;

	j = cJSON_GetObjectItemCaseSensitive(json, "categories");
	if (j != NULL && !cJSON_IsNull(j) &&
	    get_categories(j, "risk.categories", &out->categories, err) < 0)
		return -1;

	reasons = cJSON_GetObjectItemCaseSensitive(json, "reasons");
	spans = cJSON_GetObjectItemCaseSensitive(json, "spans");
	if (cJSON_IsNull(reasons))
		reasons = NULL;
	if (cJSON_IsNull(spans))
		spans = NULL;
	if (reasons != NULL && !cJSON_IsArray(reasons))
		return ag_fail(err, "risk.reasons: expected an array, got %s",
		               json_type_name(reasons));
	if (spans != NULL && !cJSON_IsArray(spans))
		return ag_fail(err, "risk.spans: expected an array, got %s", json_type_name(spans));
	int nreasons = reasons != NULL ? cJSON_GetArraySize(reasons) : 0;
	int nspans = spans != NULL ? cJSON_GetArraySize(spans) : 0;
	if (nreasons > RISK_MAX_REASONS)
		return ag_fail(err, "risk.reasons: more than %d elements", RISK_MAX_REASONS);
	if (spans != NULL && nspans != nreasons)
		return ag_fail(err, "risk.spans: %d elements for %d reasons", nspans, nreasons);

	i = 0;
	const cJSON *span = spans != NULL ? spans->child : NULL;
	cJSON_ArrayForEach(item, reasons)
	{
		struct ag_reason r = {.start = -1, .end = -1};
		char path[64];

		snprintf(path, sizeof path, "risk.reasons[%d]", i);
		if (!cJSON_IsString(item) || item->valuestring == NULL)
			return ag_fail(err, "%s: expected a string, got %s", path,
			               json_type_name(item));
		size_t len = strlen(item->valuestring), bad;
		if (len > RISK_MAX_REASON_TEXT)
			return ag_fail(err, "%s: longer than %d bytes", path, RISK_MAX_REASON_TEXT);
		if (!ag_utf8_valid(item->valuestring, len, &bad))
			return ag_fail(err, "%s: invalid UTF-8 at byte %zu", path, bad);
		if (span != NULL) {
			if (parse_span(span, i, &r, err) < 0)
				return -1;
			span = span->next;
		}
		risk_append(out, r.categories, r.start, r.end, r.line, item->valuestring);
		i++;
	}
	return 0;
}

/* out is overwritten, not freed first. On failure it is left empty. */
int
ag_risk_from_json(const cJSON *json, struct ag_risk *out, struct ag_error *err)
{
	ag_risk_init(out);
	if (risk_parse(json, out, err) < 0) {
		ag_risk_clear(out);
		return -1;
	}
	return 0;
}
