/* Fuzz target: what a model (or a server pretending to be one) can send
 * back, through the provider parsers and the verdict parser.
 *
 * The first byte picks the path: the verdict parser, strict or lenient, on
 * the rest; or one of the three providers' response parsers on the rest as
 * an HTTP body, then the verdict parser on the text it extracts.
 *
 * Beyond "no crash, no leak": a parse either fails with a message or yields
 * a verdict in the vocabulary, whose JSON form parses back to the same
 * verdict; and no verdict, judged against any local facts, is ever an
 * approval of a deny rule, a local critical or a model-rated critical. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reviewer/guardian_provider.h"
#include "reviewer/guardian_verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fuzz_verdict: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

static void
check_verdict(const struct ag_verdict *v)
{
	CHECK(v->risk_level >= 0 && v->risk_level < AG_LEVEL_COUNT);
	CHECK(v->user_authorization >= 0 && v->user_authorization < AG_AUTH_COUNT);
	CHECK(v->allow == 0 || v->allow == 1);
	CHECK(v->categories < (1u << AG_CATEGORY_COUNT));
	CHECK(v->rationale != NULL && strlen(v->rationale) <= AG_VERDICT_RATIONALE_MAX);

	cJSON *j = ag_verdict_to_json(v);
	struct ag_verdict w;
	struct ag_error err;
	CHECK(ag_verdict_from_json(j, &w, &err) == 0);
	CHECK(w.risk_level == v->risk_level && w.user_authorization == v->user_authorization &&
	      w.allow == v->allow && w.categories == v->categories &&
	      strcmp(w.rationale, v->rationale) == 0);
	ag_verdict_clear(&w);
	cJSON_Delete(j);

	for (int local = 0; local < AG_LEVEL_COUNT; local++)
		for (int denied = 0; denied < 2; denied++) {
			struct ag_guard_facts f = {.local_level = (enum ag_level)local,
			                           .rule_denied = denied};
			char why[256];
			enum ag_judgement jd = ag_verdict_judge(v, &f, why, sizeof why);
			CHECK(why[0] != '\0');
			if (jd == AG_JUDGE_ALLOW) {
				CHECK(!denied && local != AG_LEVEL_CRITICAL);
				CHECK(v->allow && v->risk_level != AG_LEVEL_CRITICAL);
				CHECK(v->risk_level != AG_LEVEL_HIGH ||
				      v->user_authorization >= AG_AUTH_MEDIUM);
			}
			CHECK(ag_verdict_effective_level(v, &f) >= (enum ag_level)local);
		}
}

static void
parse_text(const char *text, size_t len, int strict)
{
	struct ag_verdict v;
	struct ag_error err;
	err.msg[0] = '\0';
	if (ag_verdict_parse(text, len, strict, &v, &err) == 0) {
		check_verdict(&v);
		ag_verdict_clear(&v);
	} else {
		CHECK(err.msg[0] != '\0');
		CHECK(v.rationale == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int mode = data[0] % 5;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	if (mode < 2) {
		parse_text(text, len, mode == 0);
		return 0;
	}
	struct ag_provider_options o = {
	    .provider = (enum ag_provider)(mode - 2), .model = "m", .schema = data[0] & 8 ? 0 : 1};
	struct ag_provider_answer a;
	struct ag_error err;
	err.msg[0] = '\0';
	if (ag_provider_parse(&o, text, len, &a, &err) == 0) {
		CHECK(a.text != NULL);
		CHECK(a.tokens_in >= 0 && a.tokens_out >= 0);
		parse_text(a.text, strlen(a.text), a.strict);
		ag_provider_answer_clear(&a);
	} else {
		CHECK(err.msg[0] != '\0');
	}
	char msg[200];
	ag_provider_error_message(text, len, msg, sizeof msg);
	for (const char *c = msg; *c; c++)
		CHECK(*c >= 0x20 && *c < 0x7f);
	return 0;
}
