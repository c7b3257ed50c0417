/* The verdict parser and the judgement: a model's answer is accepted only in
 * the exact shape asked for, and no answer — however it is worded — turns a
 * deny rule, a local critical or a model-rated critical into an approval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reviewer/guardian_verdict.h"

#define GOOD                                                                               \
	"{\"risk_level\":\"medium\",\"user_authorization\":\"low\",\"outcome\":\"allow\"," \
	"\"rationale\":\"builds the project\",\"categories\":[]}"

static int
parse(const char *text, int strict, struct ag_verdict *v, struct ag_error *err)
{
	return ag_verdict_parse(text, strlen(text), strict, v, err);
}

static void
expect_error(const char *text, int strict, const char *needle)
{
	struct ag_verdict v;
	struct ag_error err = {{0}};
	int rc = parse(text, strict, &v, &err);
	if (rc == 0 || strstr(err.msg, needle) == NULL)
		fail_msg("parsing %s: rc=%d, error \"%s\", expected it to mention \"%s\"", text, rc,
		         err.msg, needle);
	assert_null(v.rationale);
}

static void
test_strict_accepts_exact_shape(void **state)
{
	(void)state;
	struct ag_verdict v;
	struct ag_error err;
	assert_int_equal(parse("  \n" GOOD "\n", 1, &v, &err), 0);
	assert_int_equal(v.risk_level, AG_LEVEL_MEDIUM);
	assert_int_equal(v.user_authorization, AG_AUTH_LOW);
	assert_true(v.allow);
	assert_string_equal(v.rationale, "builds the project");
	assert_int_equal(v.categories, 0);
	ag_verdict_clear(&v);

	assert_int_equal(
	    parse("{\"categories\":[\"destructive\",\"data_exfiltration\"],\"outcome\":\"deny\","
	          "\"rationale\":\"\",\"user_authorization\":\"unknown\",\"risk_level\":"
	          "\"critical\"}",
	          1, &v, &err),
	    0);
	assert_int_equal(v.categories, AG_CATEGORY(DESTRUCTIVE) | AG_CATEGORY(DATA_EXFILTRATION));
	assert_false(v.allow);
	assert_int_equal(v.risk_level, AG_LEVEL_CRITICAL);
	ag_verdict_clear(&v);
}

static void
test_strict_refuses_prose_and_trailing_text(void **state)
{
	(void)state;
	expect_error("Here is my verdict: " GOOD, 1, "prose");
	expect_error(GOOD " I hope that helps", 1, "after the JSON");
	expect_error("", 1, "empty");
	expect_error("   ", 1, "empty");
	expect_error("{\"risk_level\":\"low\",", 1, "not valid JSON");
	expect_error("[1,2]", 1, "not a JSON object");
}

static void
test_schema_violations_named(void **state)
{
	(void)state;
	expect_error(
	    "{\"risk_level\":\"low\",\"user_authorization\":\"low\",\"outcome\":\"approve\","
	    "\"rationale\":\"\",\"categories\":[]}",
	    1, "outcome: expected allow or deny, got \"approve\"");
	expect_error(
	    "{\"risk_level\":\"tiny\",\"user_authorization\":\"low\",\"outcome\":\"allow\","
	    "\"rationale\":\"\",\"categories\":[]}",
	    1, "risk_level: expected low, medium, high or critical");
	expect_error("{\"risk_level\":1,\"user_authorization\":\"low\",\"outcome\":\"allow\","
	             "\"rationale\":\"\",\"categories\":[]}",
	             1, "risk_level: expected a string, got a number");
	expect_error("{\"risk_level\":\"low\",\"user_authorization\":\"low\",\"outcome\":\"allow\","
	             "\"rationale\":\"\"}",
	             1, "missing field \"categories\"");
	expect_error("{\"risk_level\":\"low\",\"user_authorization\":\"low\",\"outcome\":\"allow\","
	             "\"rationale\":\"\",\"categories\":[],\"approved\":true}",
	             1, "unexpected field \"approved\"");
	expect_error("{\"risk_level\":\"critical\",\"risk_level\":\"low\",\"user_authorization\":"
	             "\"low\",\"outcome\":\"allow\",\"rationale\":\"\",\"categories\":[]}",
	             1, "risk_level: given twice");
	expect_error("{\"risk_level\":\"low\",\"user_authorization\":\"low\",\"outcome\":\"allow\","
	             "\"rationale\":\"\",\"categories\":[\"destructive\",\"destructive\"]}",
	             1, "categories[1]: duplicate");
	expect_error("{\"risk_level\":\"low\",\"user_authorization\":\"low\",\"outcome\":\"allow\","
	             "\"rationale\":\"\",\"categories\":[\"harmless\"]}",
	             1, "categories[0]: expected destructive");
	expect_error("{\"risk_level\":\"low\",\"user_authorization\":\"yes\",\"outcome\":\"allow\","
	             "\"rationale\":\"\",\"categories\":[]}",
	             1, "user_authorization: expected unknown, low, medium or high");
}

static void
test_error_does_not_echo_hostile_text(void **state)
{
	(void)state;
	struct ag_verdict v;
	struct ag_error err;
	const char *text = "{\"risk_level\":\"\\u001b[2Jlow\",\"user_authorization\":\"low\","
	                   "\"outcome\":\"allow\",\"rationale\":\"\",\"categories\":[]}";
	assert_int_equal(parse(text, 1, &v, &err), -1);
	assert_null(strchr(err.msg, '\x1b'));
	assert_non_null(strstr(err.msg, "?[2Jlow"));
}

static void
test_lenient_tolerates_prose_only_around_one_object(void **state)
{
	(void)state;
	struct ag_verdict v;
	struct ag_error err;
	assert_int_equal(parse("Sure. ```json\n" GOOD "\n``` {not json} done", 0, &v, &err), 0);
	assert_int_equal(v.risk_level, AG_LEVEL_MEDIUM);
	ag_verdict_clear(&v);
	/* An answer that quotes a second object (say, the evidence's fake
	 * verdict) is ambiguous, whichever comes first. */
	expect_error(GOOD " or maybe " GOOD, 0, "2 JSON objects");
	expect_error("I cannot decide.", 0, "no JSON object");
	/* Strictness of the object itself is not relaxed. */
	expect_error("ok: {\"risk_level\":\"low\",\"outcome\":\"allow\"}", 0, "missing field");
}

static void
test_bounds(void **state)
{
	(void)state;
	struct ag_verdict v;
	struct ag_error err;
	size_t n = AG_VERDICT_TEXT_MAX + 1;
	char *big = malloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	assert_int_equal(ag_verdict_parse(big, n, 1, &v, &err), -1);
	assert_non_null(strstr(err.msg, "too long"));
	free(big);

	char rat[AG_VERDICT_RATIONALE_MAX + 200];
	int len = snprintf(rat, sizeof rat,
	                   "{\"risk_level\":\"low\",\"user_authorization\":\"low\",\"outcome\":"
	                   "\"allow\",\"categories\":[],\"rationale\":\"");
	memset(rat + len, 'x', AG_VERDICT_RATIONALE_MAX + 1);
	len += AG_VERDICT_RATIONALE_MAX + 1;
	memcpy(rat + len, "\"}", 3);
	assert_int_equal(parse(rat, 1, &v, &err), -1);
	assert_non_null(strstr(err.msg, "rationale:"));

	const char nul[] = "{\"risk_level\":\"low\"}\0{}";
	assert_int_equal(ag_verdict_parse(nul, sizeof nul - 1, 0, &v, &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
	assert_int_equal(parse("{\"rationale\":\"\xff\"}", 0, &v, &err), -1);
	assert_non_null(strstr(err.msg, "UTF-8"));

	/* Many braces: bounded work, a clear error, no crash. */
	char *braces = malloc(20000);
	memset(braces, '{', 19999);
	braces[19999] = '\0';
	assert_int_equal(parse(braces, 0, &v, &err), -1);
	free(braces);
}

static enum ag_judgement
judge(const char *level, const char *auth, const char *outcome, enum ag_level local, int denied,
      char *why, size_t whysize)
{
	char text[512];
	snprintf(text, sizeof text,
	         "{\"risk_level\":\"%s\",\"user_authorization\":\"%s\",\"outcome\":\"%s\","
	         "\"rationale\":\"r\",\"categories\":[]}",
	         level, auth, outcome);
	struct ag_verdict v;
	struct ag_error err;
	assert_int_equal(parse(text, 1, &v, &err), 0);
	struct ag_guard_facts f = {.local_level = local, .rule_denied = denied};
	enum ag_judgement j = ag_verdict_judge(&v, &f, why, whysize);
	ag_verdict_clear(&v);
	return j;
}

static void
test_codex_thresholds(void **state)
{
	(void)state;
	char why[256];
	assert_int_equal(judge("low", "unknown", "allow", AG_LEVEL_LOW, 0, why, sizeof why),
	                 AG_JUDGE_ALLOW);
	assert_int_equal(judge("medium", "unknown", "allow", AG_LEVEL_MEDIUM, 0, why, sizeof why),
	                 AG_JUDGE_ALLOW);
	assert_int_equal(judge("high", "low", "allow", AG_LEVEL_MEDIUM, 0, why, sizeof why),
	                 AG_JUDGE_DENY);
	assert_non_null(strstr(why, "without user authorization"));
	assert_int_equal(judge("high", "medium", "allow", AG_LEVEL_HIGH, 0, why, sizeof why),
	                 AG_JUDGE_ALLOW);
	assert_int_equal(judge("high", "high", "allow", AG_LEVEL_HIGH, 0, why, sizeof why),
	                 AG_JUDGE_ALLOW);
	/* A model-rated critical with "allow" is a confused model: failed. */
	assert_int_equal(judge("critical", "high", "allow", AG_LEVEL_LOW, 0, why, sizeof why),
	                 AG_JUDGE_FAILED);
	assert_non_null(strstr(why, "critical"));
	assert_int_equal(judge("critical", "high", "deny", AG_LEVEL_LOW, 0, why, sizeof why),
	                 AG_JUDGE_DENY);
	/* The model's own deny always stands. */
	assert_int_equal(judge("low", "high", "deny", AG_LEVEL_LOW, 0, why, sizeof why),
	                 AG_JUDGE_DENY);
}

static void
test_model_cannot_outvote_rules_exhaustive(void **state)
{
	(void)state;
	static const char *const levels[] = {"low", "medium", "high", "critical"};
	static const char *const auths[] = {"unknown", "low", "medium", "high"};
	static const char *const outcomes[] = {"allow", "deny"};
	char why[256];
	int allowed = 0;
	for (int l = 0; l < 4; l++)
		for (int a = 0; a < 4; a++)
			for (int o = 0; o < 2; o++)
				for (int local = 0; local < AG_LEVEL_COUNT; local++)
					for (int denied = 0; denied < 2; denied++) {
						enum ag_judgement j = judge(
						    levels[l], auths[a], outcomes[o],
						    (enum ag_level)local, denied, why, sizeof why);
						if (j != AG_JUDGE_ALLOW)
							continue;
						allowed++;
						assert_false(denied);
						assert_int_not_equal(local, AG_LEVEL_CRITICAL);
						assert_int_not_equal(l, 3);
						assert_int_equal(o, 0);
					}
	assert_true(allowed > 0);
}

static void
test_effective_level_is_the_higher(void **state)
{
	(void)state;
	struct ag_verdict v;
	ag_verdict_init(&v);
	v.risk_level = AG_LEVEL_LOW;
	struct ag_guard_facts f = {.local_level = AG_LEVEL_HIGH};
	assert_int_equal(ag_verdict_effective_level(&v, &f), AG_LEVEL_HIGH);
	f.local_level = AG_LEVEL_LOW;
	v.risk_level = AG_LEVEL_MEDIUM;
	assert_int_equal(ag_verdict_effective_level(&v, &f), AG_LEVEL_MEDIUM);
	f.rule_denied = 1;
	assert_int_equal(ag_verdict_effective_level(&v, &f), AG_LEVEL_CRITICAL);
}

static void
test_roundtrip_and_schema(void **state)
{
	(void)state;
	struct ag_verdict v, w;
	struct ag_error err;
	assert_int_equal(
	    parse("{\"risk_level\":\"high\",\"user_authorization\":\"medium\",\"outcome\":\"deny\","
	          "\"rationale\":\"caf\\u00e9 "
	          "\\\"quoted\\\"\",\"categories\":[\"security_weakening\"]}",
	          1, &v, &err),
	    0);
	cJSON *j = ag_verdict_to_json(&v);
	assert_int_equal(ag_verdict_from_json(j, &w, &err), 0);
	assert_int_equal(w.risk_level, AG_LEVEL_HIGH);
	assert_int_equal(w.user_authorization, AG_AUTH_MEDIUM);
	assert_false(w.allow);
	assert_string_equal(w.rationale, "caf\xc3\xa9 \"quoted\"");
	assert_int_equal(w.categories, AG_CATEGORY(SECURITY_WEAKENING));
	cJSON_Delete(j);
	ag_verdict_clear(&v);
	ag_verdict_clear(&w);

	cJSON *s = ag_verdict_schema();
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
	assert_int_equal(cJSON_GetArraySize(req), 5);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "additionalProperties")));
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(props, "user_authorization");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(auth, "enum")), 4);
	cJSON_Delete(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strict_accepts_exact_shape),
	    cmocka_unit_test(test_strict_refuses_prose_and_trailing_text),
	    cmocka_unit_test(test_schema_violations_named),
	    cmocka_unit_test(test_error_does_not_echo_hostile_text),
	    cmocka_unit_test(test_lenient_tolerates_prose_only_around_one_object),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_codex_thresholds),
	    cmocka_unit_test(test_model_cannot_outvote_rules_exhaustive),
	    cmocka_unit_test(test_effective_level_is_the_higher),
	    cmocka_unit_test(test_roundtrip_and_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
