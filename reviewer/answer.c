/* Answer lines written without a cJSON tree (see answer.h). The costs it
 * removes, per request of `agate score`, were larger than the parse of the
 * request: ~20 allocations for the tree, and cJSON printing every number
 * with "%1.15g" and reading it back with sscanf. */
#include "reviewer/answer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonstr.h"
#include "core/xmalloc.h"

void
ag_answer_buf_free(struct ag_answer_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Grows the buffer to hold n more bytes and a NUL. */
static void
grow(struct ag_answer_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

/* Room for n more bytes and a NUL; inline, as the line is made of
 * some twenty short pieces. */
static inline void
reserve(struct ag_answer_buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		grow(b, n);
}

static inline void
put(struct ag_answer_buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

#define PUT_LIT(b, lit) put((b), (lit), sizeof(lit) - 1)

static void
put_int(struct ag_answer_buf *b, long long v)
{
	char buf[24], *p = buf + sizeof buf;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put(b, p, (size_t)(buf + sizeof buf - p));
}

/* The escapes cJSON_PrintUnformatted writes, 16 bytes at a time
 * (core/jsonstr.c, which the hub's printer uses too). */
void
ag_answer_string(struct ag_answer_buf *b, const char *s)
{
	ag_jsonstr_append(&b->p, &b->len, &b->cap, s, strlen(s));
}

/* One of our own names (a level, a category, a decision): plain ASCII
 * that needs no escaping, quoted as ag_answer_string would. */
static void
put_name(struct ag_answer_buf *b, const char *s)
{
	size_t n = strlen(s);
	reserve(b, n + 2);
	b->p[b->len++] = '"';
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
}

static void
put_categories(struct ag_answer_buf *b, unsigned categories)
{
	int first = 1;
	PUT_LIT(b, "[");
	for (int bit = 0; bit < AG_CATEGORY_COUNT; bit++)
		if (categories & (1u << bit)) {
			if (!first)
				PUT_LIT(b, ",");
			first = 0;
			put_name(b, ag_category_name((enum ag_category_bit)bit));
		}
	PUT_LIT(b, "]");
}

void
ag_answer_risk(struct ag_answer_buf *b, const struct ag_risk *risk)
{
	PUT_LIT(b, "{\"score\":");
	put_int(b, risk->score);
	PUT_LIT(b, ",\"level\":");
	put_name(b, ag_level_name(risk->level));
	PUT_LIT(b, ",\"categories\":");
	put_categories(b, risk->categories);
	PUT_LIT(b, ",\"reasons\":[");
	for (size_t i = 0; i < risk->nreasons; i++) {
		if (i > 0)
			PUT_LIT(b, ",");
		ag_answer_string(b, risk->reasons[i].text);
	}
	PUT_LIT(b, "],\"spans\":[");
	for (size_t i = 0; i < risk->nreasons; i++) {
		const struct ag_reason *r = &risk->reasons[i];
		if (i > 0)
			PUT_LIT(b, ",");
		PUT_LIT(b, "{\"start\":");
		put_int(b, r->start);
		PUT_LIT(b, ",\"end\":");
		put_int(b, r->end);
		if (r->line > 0) {
			PUT_LIT(b, ",\"line\":");
			put_int(b, r->line);
		}
		if (r->categories != 0) {
			PUT_LIT(b, ",\"categories\":");
			put_categories(b, r->categories);
		}
		PUT_LIT(b, "}");
	}
	PUT_LIT(b, "]}");
}

void
ag_answer_request(struct ag_answer_buf *b, const char *id, const struct ag_assessment *a)
{
	PUT_LIT(b, "{\"id\":");
	if (id != NULL && id[0] != '\0')
		ag_answer_string(b, id);
	else
		PUT_LIT(b, "null");
	PUT_LIT(b, ",\"risk\":");
	ag_answer_risk(b, &a->risk);
	PUT_LIT(b, ",\"rule\":");
	if (a->rule != NULL)
		ag_answer_string(b, a->rule);
	else
		PUT_LIT(b, "null");
	PUT_LIT(b, ",\"decision\":");
	if (a->decided)
		put_name(b, ag_decision_name(a->decision));
	else
		PUT_LIT(b, "null");
	PUT_LIT(b, "}\n");
}

void
ag_answer_error(struct ag_answer_buf *b, size_t lineno, const char *msg)
{
	PUT_LIT(b, "{\"line\":");
	put_int(b, (long long)lineno);
	PUT_LIT(b, ",\"error\":");
	ag_answer_string(b, msg);
	PUT_LIT(b, "}\n");
}
