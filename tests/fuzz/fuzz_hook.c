/* Fuzz target: the hook adapters' reading of agent payloads (any bytes, as
 * either client) and of Codex apply_patch bodies. Whatever the input: no
 * crash; a payload is refused with a message or becomes a request frame
 * with a known action kind; every answer is empty or one line of JSON.
 * The adapters live in cmd/, outside the libraries, so they are compiled
 * in here. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cmd/hookmap.c"
#include "cmd/udiff.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_answer(const struct hook_answer *a)
{
	if (a->out[0] == '\0')
		return;
	size_t n = strlen(a->out);
	if (a->exit != 0)
		return; /* exit 2: the reason as text, for stderr */
	if (a->out[n - 1] != '\n' || memchr(a->out, '\n', n - 1) != NULL)
		abort();
	cJSON *j = cJSON_Parse(a->out);
	if (!cJSON_IsObject(j))
		abort();
	cJSON_Delete(j);
}

static void
payload(enum hook_client client, const char *buf, size_t len)
{
	struct hook_call call;
	struct ag_error err;
	struct hook_answer a;
	if (hook_call_parse(client, buf, len, &call, &err) != 0) {
		if (err.msg[0] == '\0')
			abort();
		hookmap_fail(client, hook_event_sniff(buf, len), AG_DECISION_DENY, err.msg, &a);
		check_answer(&a);
		hook_answer_clear(&a);
		return;
	}
	if (call.tool != NULL) {
		/* Files named by the payload are read (regular files only): keep it small. */
		struct hookmap_opts o = {.id = "hk-fuzz", .timeout_ms = 1000, .max_read = 1 << 16};
		cJSON *r = hookmap_request(&call, &o, &err);
		if (r != NULL) {
			const cJSON *kind =
			    cJSON_GetObjectItem(cJSON_GetObjectItem(r, "action"), "kind");
			if (!cJSON_IsString(kind) || ag_kind_parse(kind->valuestring) < 0)
				abort();
			cJSON_Delete(r);
		} else if (err.msg[0] == '\0') {
			abort();
		}
	}
	for (int d = 0; d < AG_DECISION_COUNT; d++) {
		hookmap_answer(client, call.event, &call, (enum ag_decision)d, "human",
		               "why\n\x1b[2J", &a);
		check_answer(&a);
		hook_answer_clear(&a);
	}
	hook_call_clear(&call);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;
	switch (data[0] % 3) {
	case 0: payload(HOOK_CLAUDE, buf, len); break;
	case 1: payload(HOOK_CODEX, buf, len); break;
	default: {
		char *diff = NULL;
		char **files = NULL;
		size_t nfiles = 0;
		struct ag_error err;
		if (udiff_from_apply_patch(buf, len, "/nonexistent-agate-fuzz", 1 << 16, &diff,
		                           &files, &nfiles, &err) == 0) {
			if (nfiles == 0 || files[nfiles] != NULL)
				abort();
			free(diff);
			udiff_files_free(&files, nfiles);
		}
		break;
	}
	}
	return 0;
}
