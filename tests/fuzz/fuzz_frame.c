/* Fuzz target: one line from a FIFO, through everything that reads it.
 *
 * Beyond "no crash, no leak" it checks the promises the rest of agate
 * relies on: an error message is printable ASCII (agent bytes never reach a
 * terminal through it); an accepted request round-trips through
 * ag_request_to_json, through printed bytes, and inside an event frame;
 * its summary is short valid UTF-8; its action key reads back as the
 * action. Decisions and risks found in a frame are round-tripped too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/risk.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_frame: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

static void
check_error(const struct ag_error *err)
{
	CHECK(err->msg[0] != '\0');
	for (const char *p = err->msg; *p != '\0'; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
}

static int
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check_same_request(const struct ag_request *a, const struct ag_request *b)
{
	CHECK(strcmp(a->id, b->id) == 0);
	CHECK(same_string(a->session, b->session));
	CHECK(same_string(a->agent, b->agent));
	CHECK(same_string(a->cwd, b->cwd));
	CHECK(same_string(a->justification, b->justification));
	CHECK(a->timeout_ms == b->timeout_ms);
	CHECK(a->kind == b->kind);
	CHECK(cJSON_Compare(a->action, b->action, 1));
}

static void
check_request(const struct ag_request *req, const struct ag_limits *lim)
{
	struct ag_request *back = NULL;
	struct ag_error err;

	/* Summary: one short line of valid UTF-8. */
	char *summary = ag_request_summary(req);
	CHECK(summary != NULL && strlen(summary) <= 200);
	CHECK(ag_utf8_valid(summary, strlen(summary), NULL));
	free(summary);

	/* Action key: "kind:" + JSON that reads back as the action. */
	char *key = ag_request_action_key(req);
	const char *kind = ag_kind_name(req->kind);
	size_t klen = strlen(kind);
	CHECK(strncmp(key, kind, klen) == 0 && key[klen] == ':');
	cJSON *keyjson = cJSON_Parse(key + klen + 1);
	CHECK(keyjson != NULL && cJSON_Compare(keyjson, req->action, 1));
	cJSON_Delete(keyjson);
	free(key);

	/* Round trip as a tree. */
	cJSON *json = ag_request_to_json(req);
	CHECK(ag_request_from_json(json, lim, &back, &err) == 0);
	check_same_request(req, back);
	ag_request_free(&back);

	/* Round trip as bytes, then wrapped in the event the hub broadcasts. */
	char *text = cJSON_PrintUnformatted(json);
	cJSON *frame = NULL;
	CHECK(ag_frame_parse(text, strlen(text), lim, &frame, &err) == 0);
	CHECK(ag_request_from_json(frame, lim, &back, &err) == 0);
	check_same_request(req, back);
	ag_request_free(&back);
	cJSON_Delete(frame);
	free(text);

	cJSON *event = cJSON_CreateObject();
	cJSON_AddNumberToObject(event, "v", 1);
	cJSON_AddStringToObject(event, "type", "event");
	cJSON_AddItemToObject(event, "request", json);
	text = cJSON_PrintUnformatted(event);
	if (strlen(text) <= lim->max_frame) {
		CHECK(ag_frame_parse(text, strlen(text), lim, &frame, &err) == 0);
		cJSON_Delete(frame);
	}
	free(text);
	cJSON_Delete(event);
}

static void
check_decision(const cJSON *frame)
{
	struct ag_decision_info d, back;
	struct ag_error err;

	if (ag_decision_from_json(frame, &d, &err) != 0) {
		check_error(&err);
		return;
	}
	cJSON *json = ag_decision_to_json(&d);
	CHECK(ag_decision_from_json(json, &back, &err) == 0);
	CHECK(strcmp(d.id, back.id) == 0 && d.decision == back.decision && d.by == back.by);
	CHECK(strcmp(d.reason, back.reason) == 0 && d.at_ms == back.at_ms);
	cJSON_Delete(json);
	ag_decision_info_clear(&back);
	ag_decision_info_clear(&d);
}

static void
check_risk(const cJSON *json)
{
	struct ag_risk risk, back;
	struct ag_error err;

	if (ag_risk_from_json(json, &risk, &err) != 0) {
		check_error(&err);
		return;
	}
	CHECK(risk.level == ag_risk_level_for_score(risk.score));
	cJSON *out = ag_risk_to_json(&risk);
	CHECK(ag_risk_from_json(out, &back, &err) == 0);
	CHECK(back.score == risk.score && back.categories == risk.categories);
	CHECK(back.nreasons == risk.nreasons);
	for (size_t i = 0; i < risk.nreasons; i++) {
		CHECK(strcmp(back.reasons[i].text, risk.reasons[i].text) == 0);
		CHECK(back.reasons[i].start == risk.reasons[i].start);
		CHECK(back.reasons[i].end == risk.reasons[i].end);
		CHECK(back.reasons[i].line == risk.reasons[i].line);
		CHECK(back.reasons[i].categories == risk.reasons[i].categories);
	}
	cJSON_Delete(out);
	ag_risk_clear(&back);
	ag_risk_clear(&risk);
}

/* Tiny limits reach every bound's error path with small inputs. Whatever
 * passes them must pass the defaults too (the limits only ever refuse). */
static void
run_tight(const uint8_t *data, size_t size)
{
	struct ag_limits lim = {
	    .max_frame = 512, .max_depth = 5, .max_string = 8, .max_text = 64, .max_array = 3};
	struct ag_limits def;
	struct ag_error err;
	cJSON *frame = NULL, *again = NULL;
	struct ag_request *req = NULL, *req2 = NULL;

	ag_limits_default(&def);
	if (ag_frame_parse((const char *)data, size, &lim, &frame, &err) != 0) {
		check_error(&err);
		return;
	}
	CHECK(ag_frame_parse((const char *)data, size, &def, &again, &err) == 0);
	cJSON_Delete(again);
	if (ag_request_from_json(frame, &lim, &req, &err) == 0) {
		CHECK(ag_request_from_json(frame, &def, &req2, &err) == 0);
		check_same_request(req, req2);
		ag_request_free(&req2);
		ag_request_free(&req);
	} else {
		check_error(&err);
	}
	cJSON_Delete(frame);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_limits lim;
	struct ag_error err;
	cJSON *frame = NULL;
	struct ag_request *req = NULL;

	run_tight(data, size);
	ag_limits_default(&lim);
	if (ag_frame_parse((const char *)data, size, &lim, &frame, &err) != 0) {
		CHECK(frame == NULL);
		check_error(&err);
		return 0;
	}
	const char *type = ag_frame_type(frame);
	CHECK(type != NULL && type[0] != '\0');

	if (ag_request_from_json(frame, &lim, &req, &err) == 0) {
		CHECK(strcmp(type, "request") == 0);
		check_request(req, &lim);
		ag_request_free(&req);
	} else {
		CHECK(req == NULL);
		check_error(&err);
	}
	check_decision(frame);
	const cJSON *risk = cJSON_GetObjectItemCaseSensitive(frame, "risk");
	if (risk != NULL)
		check_risk(risk);
	cJSON_Delete(frame);
	return 0;
}
