/* Fuzz target: a diff, through the reader and the patch scorer.
 *
 * Beyond "no crash, no leak": the line callback sees every line once, in
 * order, numbered from 1; each line is attributed to an existing file (or
 * to none before the first); per-file and total added/removed counts agree
 * with the callback; paths stay within their bound; and the scorer's risk
 * is well-formed, with every reason's line inside the diff. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/xmalloc.h"
#include "reviewer/diff.h"
#include "reviewer/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "fuzz_diff: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                              \
		}                                                                             \
	} while (0)

struct seen {
	size_t last, added, removed;
	const char *base, *end;
};

static void
on_line(void *ctx, const struct ag_diff *d, size_t lineno, enum ag_diff_kind kind, int file,
        const char *text, size_t len)
{
	struct seen *s = ctx;
	CHECK(lineno == s->last + 1);
	s->last = lineno;
	CHECK(file >= -1 && (file < 0 || (size_t)file < d->nfiles));
	CHECK(text >= s->base && text + len <= s->end);
	CHECK(memchr(text, '\n', len) == NULL);
	CHECK(ag_diff_kind_name(kind)[0] != '?');
	if (kind == AG_DIFF_ADD) {
		CHECK(len > 0 && text[0] == '+');
		if (file >= 0)
			s->added++;
	}
	if (kind == AG_DIFF_DEL) {
		CHECK(len > 0 && text[0] == '-');
		if (file >= 0)
			s->removed++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_diff d;
	struct seen s = {0, 0, 0, (const char *)data, (const char *)data + size};

	ag_diff_parse((const char *)data, size, &d, on_line, &s);
	CHECK(s.last == d.lines);
	CHECK(s.added == d.added && s.removed == d.removed);
	CHECK(d.nfiles <= AG_DIFF_MAX_FILES);
	size_t added = 0, removed = 0;
	for (size_t i = 0; i < d.nfiles; i++) {
		const struct ag_diff_file *f = &d.files[i];
		added += f->added;
		removed += f->removed;
		CHECK(f->line >= 1 && f->line <= d.lines);
		CHECK(f->old_path == NULL || strlen(f->old_path) <= AG_DIFF_MAX_PATH);
		CHECK(f->new_path == NULL || strlen(f->new_path) <= AG_DIFF_MAX_PATH);
	}
	CHECK(added == d.added && removed == d.removed);

	/* The scorer reads the diff as a C string, as it arrives in a request. */
	char *text = xstrndup((const char *)data, size);
	struct ag_request req;
	struct ag_risk risk;
	memset(&req, 0, sizeof req);
	req.kind = AG_KIND_PATCH;
	req.session = req.agent = req.justification = (char *)"";
	req.cwd = (char *)"/home/dev/repo";
	req.u.patch.diff = text;
	ag_risk_init(&risk);
	ag_engine_score(&req, &risk);
	CHECK(risk.score >= 0 && risk.score <= 100);
	CHECK(risk.level == ag_risk_level_for_score(risk.score));
	CHECK(risk.nreasons <= 64);
	for (size_t i = 0; i < risk.nreasons; i++) {
		CHECK(risk.reasons[i].text != NULL && risk.reasons[i].text[0] != '\0');
		CHECK(risk.reasons[i].line >= 0 && (size_t)risk.reasons[i].line <= d.lines);
		CHECK((risk.categories & risk.reasons[i].categories) == risk.reasons[i].categories);
	}
	ag_risk_clear(&risk);
	ag_diff_clear(&d);
	free(text);
	return 0;
}
