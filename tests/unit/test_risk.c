/* The risk result: how the engine accumulates it, and the strict parse a
 * console applies to the copy that arrives in a frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/risk.h"

static void
assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* Parses text as a risk object and expects failure naming `field`. */
static void
assert_rejected(const char *text, const char *field)
{
	cJSON *json = cJSON_Parse(text);
	struct ag_risk risk;
	struct ag_error err = {{0}};

	assert_non_null(json);
	assert_int_equal(ag_risk_from_json(json, &risk, &err), -1);
	assert_contains(err.msg, field);
	/* Left empty on failure: nothing to free, nothing half-built. */
	assert_int_equal(risk.nreasons, 0);
	assert_null(risk.reasons);
	assert_int_equal(risk.score, 0);
	cJSON_Delete(json);
}

static void
test_level_thresholds(void **state)
{
	(void)state;
	assert_int_equal(ag_risk_level_for_score(0), AG_LEVEL_LOW);
	assert_int_equal(ag_risk_level_for_score(24), AG_LEVEL_LOW);
	assert_int_equal(ag_risk_level_for_score(25), AG_LEVEL_MEDIUM);
	assert_int_equal(ag_risk_level_for_score(49), AG_LEVEL_MEDIUM);
	assert_int_equal(ag_risk_level_for_score(50), AG_LEVEL_HIGH);
	assert_int_equal(ag_risk_level_for_score(79), AG_LEVEL_HIGH);
	assert_int_equal(ag_risk_level_for_score(80), AG_LEVEL_CRITICAL);
	assert_int_equal(ag_risk_level_for_score(100), AG_LEVEL_CRITICAL);
}

static void
test_add_raises_never_lowers(void **state)
{
	(void)state;
	struct ag_risk risk;

	ag_risk_init(&risk);
	assert_int_equal(risk.score, 0);
	assert_int_equal(risk.level, AG_LEVEL_LOW);

	ag_risk_add(&risk, 91, AG_CATEGORY(DESTRUCTIVE), 0, 6, 0,
	            "rm -rf with target outside the workspace: /");
	assert_int_equal(risk.score, 91);
	assert_int_equal(risk.level, AG_LEVEL_CRITICAL);

	ag_risk_add(&risk, 30, AG_CATEGORY(DATA_EXFILTRATION), -1, -1, 4, "curl upload");
	assert_int_equal(risk.score, 91); /* a milder reason does not calm it down */
	assert_int_equal(risk.level, AG_LEVEL_CRITICAL);
	assert_int_equal(risk.categories,
	                 AG_CATEGORY(DESTRUCTIVE) | AG_CATEGORY(DATA_EXFILTRATION));
	assert_int_equal(risk.nreasons, 2);
	assert_string_equal(risk.reasons[0].text, "rm -rf with target outside the workspace: /");
	assert_int_equal(risk.reasons[0].start, 0);
	assert_int_equal(risk.reasons[0].end, 6);
	assert_int_equal(risk.reasons[1].line, 4);
	assert_int_equal(risk.reasons[1].start, -1);

	/* Out-of-range scores are clamped, bad spans dropped. */
	ag_risk_add(&risk, 1000, 0, 5, 2, -3, NULL);
	assert_int_equal(risk.score, 100);
	assert_int_equal(risk.reasons[2].start, -1);
	assert_int_equal(risk.reasons[2].end, -1);
	assert_int_equal(risk.reasons[2].line, 0);
	assert_string_equal(risk.reasons[2].text, "");

	ag_risk_clear(&risk);
	assert_int_equal(risk.nreasons, 0);
	assert_int_equal(risk.score, 0);
	ag_risk_clear(&risk); /* twice is fine */
}

static void
test_add_text_is_copied(void **state)
{
	(void)state;
	struct ag_risk risk;
	char buf[] = "pipe to shell";

	ag_risk_init(&risk);
	ag_risk_add(&risk, 60, AG_CATEGORY(SECURITY_WEAKENING), -1, -1, 0, buf);
	buf[0] = 'X';
	assert_string_equal(risk.reasons[0].text, "pipe to shell");
	ag_risk_clear(&risk);
}

static void
test_copy_is_deep(void **state)
{
	(void)state;
	struct ag_risk a, b;

	ag_risk_init(&a);
	ag_risk_init(&b);
	ag_risk_add(&a, 55, AG_CATEGORY(CREDENTIAL_PROBING), 3, 9, 0, "reads ~/.ssh/id_rsa");
	ag_risk_copy(&b, &a);
	ag_risk_clear(&a);
	assert_int_equal(b.score, 55);
	assert_int_equal(b.level, AG_LEVEL_HIGH);
	assert_int_equal(b.nreasons, 1);
	assert_string_equal(b.reasons[0].text, "reads ~/.ssh/id_rsa");
	assert_int_equal(b.reasons[0].end, 9);
	ag_risk_copy(&b, &b); /* self-copy is a no-op, not a leak or a use-after-free */
	assert_string_equal(b.reasons[0].text, "reads ~/.ssh/id_rsa");
	ag_risk_clear(&b);
}

static void
test_json_shape(void **state)
{
	(void)state;
	struct ag_risk risk;

	ag_risk_init(&risk);
	ag_risk_add(&risk, 91, AG_CATEGORY(DESTRUCTIVE), 0, 6, 0, "rm -rf outside: /");
	cJSON *json = ag_risk_to_json(&risk);
	char *text = cJSON_PrintUnformatted(json);
	/* The DESIGN.md shape: reasons are plain strings. */
	assert_contains(text, "\"score\":91");
	assert_contains(text, "\"level\":\"critical\"");
	assert_contains(text, "\"categories\":[\"destructive\"]");
	assert_contains(text, "\"reasons\":[\"rm -rf outside: /\"]");
	assert_contains(text, "\"spans\":[{\"start\":0,\"end\":6");
	free(text);
	cJSON_Delete(json);
	ag_risk_clear(&risk);
}

static void
test_json_roundtrip(void **state)
{
	(void)state;
	struct ag_risk risk, back;
	struct ag_error err = {{0}};

	ag_risk_init(&risk);
	ag_risk_add(&risk, 40, AG_CATEGORY(DATA_EXFILTRATION), 10, 20, 0, "curl -d @.env");
	ag_risk_add(&risk, 85, AG_CATEGORY(SECURITY_WEAKENING) | AG_CATEGORY(DESTRUCTIVE), -1, -1,
	            12, "chmod 777 \xe2\x80\xae in diff");
	ag_risk_add(&risk, 10, 0, -1, -1, 0, "");
	cJSON *json = ag_risk_to_json(&risk);
	assert_int_equal(ag_risk_from_json(json, &back, &err), 0);
	assert_int_equal(back.score, risk.score);
	assert_int_equal(back.level, risk.level);
	assert_int_equal(back.categories, risk.categories);
	assert_int_equal(back.nreasons, risk.nreasons);
	for (size_t i = 0; i < risk.nreasons; i++) {
		assert_string_equal(back.reasons[i].text, risk.reasons[i].text);
		assert_int_equal(back.reasons[i].categories, risk.reasons[i].categories);
		assert_int_equal(back.reasons[i].start, risk.reasons[i].start);
		assert_int_equal(back.reasons[i].end, risk.reasons[i].end);
		assert_int_equal(back.reasons[i].line, risk.reasons[i].line);
	}
	cJSON_Delete(json);
	ag_risk_clear(&risk);
	ag_risk_clear(&back);
}

static void
test_parse_minimal_and_design_example(void **state)
{
	(void)state;
	struct ag_risk risk;
	struct ag_error err = {{0}};
	cJSON *json = cJSON_Parse("{\"score\":91,\"level\":\"critical\",\"categories\":"
	                          "[\"destructive\"],\"reasons\":[\"rm -rf with target outside "
	                          "the workspace: /\"]}");
	assert_int_equal(ag_risk_from_json(json, &risk, &err), 0);
	assert_int_equal(risk.score, 91);
	assert_int_equal(risk.categories, AG_CATEGORY(DESTRUCTIVE));
	assert_int_equal(risk.nreasons, 1);
	assert_int_equal(risk.reasons[0].start, -1); /* no spans: whole request */
	ag_risk_clear(&risk);
	cJSON_Delete(json);

	json = cJSON_Parse("{\"score\":0,\"level\":\"low\"}");
	assert_int_equal(ag_risk_from_json(json, &risk, &err), 0);
	assert_int_equal(risk.nreasons, 0);
	ag_risk_clear(&risk);
	cJSON_Delete(json);
}

static void
test_parse_rejects(void **state)
{
	(void)state;
	assert_rejected("[]", "risk: expected an object, got an array");
	assert_rejected("{\"level\":\"low\"}", "risk.score: missing");
	assert_rejected("{\"score\":\"91\",\"level\":\"critical\"}",
	                "risk.score: expected an integer, got a string");
	assert_rejected("{\"score\":9.5,\"level\":\"low\"}", "risk.score");
	assert_rejected("{\"score\":101,\"level\":\"critical\"}", "risk.score");
	assert_rejected("{\"score\":-1,\"level\":\"low\"}", "risk.score");
	assert_rejected("{\"score\":1e300,\"level\":\"low\"}", "risk.score");
	assert_rejected("{\"score\":5}", "risk.level: missing");
	assert_rejected("{\"score\":5,\"level\":3}", "risk.level: expected a string");
	assert_rejected("{\"score\":5,\"level\":\"LOW\"}", "risk.level: unknown level");
	/* Forged calm: a critical score dressed as low. */
	assert_rejected("{\"score\":91,\"level\":\"low\"}", "risk.level");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"categories\":\"destructive\"}",
	                "risk.categories: expected an array");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"categories\":[\"destructive\",7]}",
	                "risk.categories[1]: expected a string, got a number");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"categories\":[\"boring\"]}",
	                "risk.categories[0]: unknown category");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":{}}",
	                "risk.reasons: expected an array");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\",null]}",
	                "risk.reasons[1]: expected a string, got null");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],\"spans\":[]}",
	                "risk.spans: 0 elements for 1 reasons");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],\"spans\":[7]}",
	                "risk.spans[0]: expected an object");
	assert_rejected(
	    "{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],\"spans\":[{\"end\":1}]}",
	    "risk.spans[0].start: missing");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],"
	                "\"spans\":[{\"start\":4,\"end\":2}]}",
	                "risk.spans[0]: bad range");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],"
	                "\"spans\":[{\"start\":-1,\"end\":2}]}",
	                "risk.spans[0]: bad range");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],"
	                "\"spans\":[{\"start\":-5,\"end\":-1}]}",
	                "risk.spans[0].start");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],"
	                "\"spans\":[{\"start\":0,\"end\":1,\"line\":-2}]}",
	                "risk.spans[0].line");
	assert_rejected("{\"score\":5,\"level\":\"low\",\"reasons\":[\"a\"],"
	                "\"spans\":[{\"start\":0,\"end\":1,\"categories\":[\"nope\"]}]}",
	                "risk.spans[0].categories[0]: unknown category");
	/* Invalid UTF-8 smuggled into a reason through a tree not from a frame. */
	cJSON *json = cJSON_CreateObject();
	cJSON_AddNumberToObject(json, "score", 1);
	cJSON_AddStringToObject(json, "level", "low");
	cJSON *reasons = cJSON_AddArrayToObject(json, "reasons");
	cJSON_AddItemToArray(reasons, cJSON_CreateString("ok \xc0\xaf"));
	struct ag_risk risk;
	struct ag_error err = {{0}};
	assert_int_equal(ag_risk_from_json(json, &risk, &err), -1);
	assert_contains(err.msg, "risk.reasons[0]: invalid UTF-8 at byte 3");
	cJSON_Delete(json);
}

static void
test_parse_bounds(void **state)
{
	(void)state;
	struct ag_risk risk;
	struct ag_error err = {{0}};
	cJSON *json = cJSON_CreateObject();
	cJSON_AddNumberToObject(json, "score", 1);
	cJSON_AddStringToObject(json, "level", "low");
	cJSON *reasons = cJSON_AddArrayToObject(json, "reasons");
	for (int i = 0; i < 5000; i++)
		cJSON_AddItemToArray(reasons, cJSON_CreateString("x"));
	assert_int_equal(ag_risk_from_json(json, &risk, &err), -1);
	assert_contains(err.msg, "risk.reasons: more than");
	cJSON_Delete(json);

	json = cJSON_CreateObject();
	cJSON_AddNumberToObject(json, "score", 1);
	cJSON_AddStringToObject(json, "level", "low");
	reasons = cJSON_AddArrayToObject(json, "reasons");
	char *big = malloc(100001);
	memset(big, 'a', 100000);
	big[100000] = '\0';
	cJSON_AddItemToArray(reasons, cJSON_CreateString(big));
	free(big);
	assert_int_equal(ag_risk_from_json(json, &risk, &err), -1);
	assert_contains(err.msg, "risk.reasons[0]: longer than");
	cJSON_Delete(json);
}

/* Categories given by reasons but not at the top are folded in, so the
 * union invariant of struct ag_risk holds for whatever a frame says. */
static void
test_parse_folds_reason_categories(void **state)
{
	(void)state;
	struct ag_risk risk;
	struct ag_error err = {{0}};
	cJSON *json = cJSON_Parse("{\"score\":60,\"level\":\"high\",\"categories\":[],"
	                          "\"reasons\":[\"a\"],\"spans\":[{\"start\":-1,\"end\":-1,"
	                          "\"categories\":[\"credential_probing\"]}]}");
	assert_int_equal(ag_risk_from_json(json, &risk, &err), 0);
	assert_int_equal(risk.categories, AG_CATEGORY(CREDENTIAL_PROBING));
	ag_risk_clear(&risk);
	cJSON_Delete(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_level_thresholds),
	    cmocka_unit_test(test_add_raises_never_lowers),
	    cmocka_unit_test(test_add_text_is_copied),
	    cmocka_unit_test(test_copy_is_deep),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_json_roundtrip),
	    cmocka_unit_test(test_parse_minimal_and_design_example),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_parse_bounds),
	    cmocka_unit_test(test_parse_folds_reason_categories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
