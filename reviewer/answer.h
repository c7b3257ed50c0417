/* The answer lines of `agate score`, written straight into a buffer that
 * lives across lines: no cJSON tree, no number round trip through printf
 * and sscanf, no allocation once the buffer has grown to the largest line.
 *
 * The bytes are those cJSON_PrintUnformatted gives for the same object
 * (same keys in the same order, the same escapes: \" \\ \b \f \n \r \t,
 * other controls as \u00XX, every other byte as it is), so a reader cannot
 * tell which path wrote a line. tests/unit/test_answer.c holds the two
 * paths side by side. */
#ifndef AGATE_REVIEWER_ANSWER_H
#define AGATE_REVIEWER_ANSWER_H

#include <stddef.h>

#include "core/assessment.h"

/* A growable byte buffer; {0} is an empty one. p is owned (free with
 * ag_answer_buf_free) and NUL-terminated once anything was written. */
struct ag_answer_buf {
	char *p;
	size_t len, cap;
};

void ag_answer_buf_free(struct ag_answer_buf *b);

/* Appends s as a JSON string literal, quotes included. */
void ag_answer_string(struct ag_answer_buf *b, const char *s);

/* Appends the risk object {"score":..,"level":..,"categories":[..],
 * "reasons":[..],"spans":[..]}, as ag_risk_to_json builds it. */
void ag_answer_risk(struct ag_answer_buf *b, const struct ag_risk *risk);

/* Appends one answer line and its newline:
 *   {"id":ID|null,"risk":{..},"rule":TEXT|null,"decision":D|null}
 * id "" prints as null; decision is printed only when a->decided. */
void ag_answer_request(struct ag_answer_buf *b, const char *id, const struct ag_assessment *a);

/* Appends {"line":N,"error":MSG} and its newline. */
void ag_answer_error(struct ag_answer_buf *b, size_t lineno, const char *msg);

#endif
