/* The hook adapters' pure half, checked against the payloads captured from
 * the real clients (tests/fixtures/hooks, a byte-identical copy of
 * shared/fixtures/hooks) and against the outputs those clients were seen to
 * accept. Expectations are written from the fixtures README, not from what
 * the code prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/hookmap.h"
#include "cmd/udiff.h"
#include "core/xmalloc.h"

static char *
fixture_path(const char *rel)
{
	const char *src = getenv("AGATE_SRCDIR");
	return xasprintf("%s/tests/fixtures/hooks/%s", src && *src ? src : ".", rel);
}

static char *
slurp(const char *rel, size_t *len)
{
	char *path = fixture_path(rel);
	char *buf = NULL;
	struct ag_error err;
	int rc = udiff_read_file(path, 1 << 24, &buf, len, &err);
	if (rc != 1)
		fail_msg("cannot read %s", path);
	free(path);
	return buf;
}

static cJSON *
fixture_json(const char *rel)
{
	size_t len;
	char *buf = slurp(rel, &len);
	cJSON *j = cJSON_ParseWithLength(buf, len);
	free(buf);
	assert_non_null(j);
	return j;
}

static void
parse_fixture(enum hook_client client, const char *rel, struct hook_call *call)
{
	size_t len;
	char *buf = slurp(rel, &len);
	struct ag_error err;
	if (hook_call_parse(client, buf, len, call, &err) != 0)
		fail_msg("%s refused: %s", rel, err.msg);
	free(buf);
}

static cJSON *
request_for(const struct hook_call *call)
{
	struct hookmap_opts o = {.id = "hk-test", .timeout_ms = 585000, .max_read = 1 << 20};
	struct ag_error err;
	cJSON *r = hookmap_request(call, &o, &err);
	if (r == NULL)
		fail_msg("no request: %s", err.msg);
	return r;
}

static const char *
str_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* --- every stdin fixture maps to the right request ----------------------- */

struct expect {
	enum hook_client client;
	const char *file;
	const char *event;
	const char *kind;
	const char *field, *value; /* action.field == value */
	const char *justification;
	int has_tool_use_id;
};

static const struct expect expects[] = {
    {HOOK_CLAUDE, "claude/pretooluse-bash.json", "PreToolUse", "exec", "command",
     "echo hello > out.txt", "Write hello to out.txt", 1},
    {HOOK_CLAUDE, "claude/pretooluse-bash-tui.json", "PreToolUse", "exec", "command",
     "echo hello > out.txt", "Write hello to out.txt", 1},
    {HOOK_CLAUDE, "claude/pretooluse-bash-bypasspermissions.json", "PreToolUse", "exec", "command",
     "echo hello > out.txt", "Write hello to out.txt", 1},
    {HOOK_CLAUDE, "claude/pretooluse-bash-readonly-cmd.json", "PreToolUse", "exec", "command",
     "echo hello", "Write hello to out.txt", 1},
    {HOOK_CLAUDE, "claude/permissionrequest-bash.json", "PermissionRequest", "exec", "command",
     "echo hello > out.txt", "Write hello to out.txt", 0},
    {HOOK_CLAUDE, "claude/permissionrequest-bash-tui.json", "PermissionRequest", "exec", "command",
     "echo hello > out.txt", "Write hello to out.txt", 0},
    /* /home/user/project does not exist here: a new file against /dev/null. */
    {HOOK_CLAUDE, "claude/pretooluse-write.json", "PreToolUse", "patch", "diff",
     "--- /dev/null\n+++ b/hello.txt\n@@ -0,0 +1 @@\n+hello from Write\n", "", 1},
    {HOOK_CLAUDE, "claude/permissionrequest-write.json", "PermissionRequest", "patch", "diff",
     "--- /dev/null\n+++ b/hello.txt\n@@ -0,0 +1 @@\n+hello from Write\n", "", 0},
    {HOOK_CODEX, "codex/pretooluse-exec.json", "PreToolUse", "exec", "command",
     "echo hello > out.txt", "", 1},
    {HOOK_CODEX, "codex/pretooluse-exec-approval-never.json", "PreToolUse", "exec", "command",
     "echo hello > out.txt", "", 1},
    {HOOK_CODEX, "codex/permissionrequest-exec.json", "PermissionRequest", "exec", "command",
     "echo hello > out.txt", "Write out.txt in the project directory?", 0},
    {HOOK_CODEX, "codex/permissionrequest-exec-tui.json", "PermissionRequest", "exec", "command",
     "echo hello > out.txt", "Write out.txt in the project directory?", 0},
    {HOOK_CODEX, "codex/permissionrequest-exec-after-pretooluse-rewrite.json", "PermissionRequest",
     "exec", "command", "echo rewritten > out.txt", "Write out.txt in the project directory?", 0},
    {HOOK_CODEX, "codex/pretooluse-apply_patch.json", "PreToolUse", "patch", "diff",
     "--- /dev/null\n+++ b/hello.txt\n@@ -0,0 +1 @@\n+hello from apply_patch\n", "", 1},
    {HOOK_CODEX, "codex/permissionrequest-apply_patch.json", "PermissionRequest", "patch", "diff",
     "--- /dev/null\n+++ b/hello.txt\n@@ -0,0 +1 @@\n+hello from apply_patch\n", "", 0},
};

static void
test_fixtures_map(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof expects / sizeof expects[0]; i++) {
		const struct expect *e = &expects[i];
		struct hook_call call;
		parse_fixture(e->client, e->file, &call);
		cJSON *payload = fixture_json(e->file);
		cJSON *r = request_for(&call);
		assert_string_equal(str_at(r, "type", NULL), "request");
		assert_string_equal(str_at(r, "id", NULL), "hk-test");
		assert_string_equal(str_at(r, "agent", NULL),
		                    e->client == HOOK_CLAUDE ? "claude-code" : "codex");
		assert_string_equal(str_at(r, "session", NULL),
		                    str_at(payload, "session_id", NULL));
		assert_string_equal(str_at(r, "cwd", NULL), "/home/user/project");
		assert_string_equal(str_at(r, "justification", NULL), e->justification);
		assert_string_equal(str_at(r, "action", "kind"), e->kind);
		assert_string_equal(str_at(r, "action", e->field), e->value);
		assert_string_equal(str_at(r, "hook", "event"), e->event);
		assert_string_equal(str_at(r, "hook", "transcript_path"),
		                    str_at(payload, "transcript_path", NULL));
		assert_string_equal(str_at(r, "hook", "tool"), str_at(payload, "tool_name", NULL));
		if (e->has_tool_use_id)
			assert_string_equal(str_at(r, "hook", "tool_use_id"),
			                    str_at(payload, "tool_use_id", NULL));
		else
			assert_null(str_at(r, "hook", "tool_use_id"));
		if (strcmp(e->kind, "patch") == 0) {
			const cJSON *files =
			    cJSON_GetObjectItem(cJSON_GetObjectItem(r, "action"), "files");
			assert_int_equal(cJSON_GetArraySize(files), 1);
			assert_string_equal(cJSON_GetArrayItem(files, 0)->valuestring, "hello.txt");
		}
		const cJSON *t = cJSON_GetObjectItem(r, "timeout_ms");
		assert_true(cJSON_IsNumber(t) && t->valuedouble == 585000);
		assert_int_equal(strlen(call.call), HOOK_CALL_LEN);
		cJSON_Delete(r);
		cJSON_Delete(payload);
		hook_call_clear(&call);
	}
}

/* A PreToolUse and the later PermissionRequest of one call share the call
 * key (Codex adds a description and drops a patch's last newline); other
 * sessions do not. */
static void
test_correlation(void **state)
{
	(void)state;
	static const char *pairs[][2] = {
	    {"codex/pretooluse-exec.json", "codex/permissionrequest-exec.json"},
	    {"codex/pretooluse-apply_patch.json", "codex/permissionrequest-apply_patch.json"},
	};
	for (size_t i = 0; i < 2; i++) {
		struct hook_call a, b;
		parse_fixture(HOOK_CODEX, pairs[i][0], &a);
		parse_fixture(HOOK_CODEX, pairs[i][1], &b);
		assert_string_equal(a.call, b.call);
		hook_call_clear(&a);
		hook_call_clear(&b);
	}
	struct hook_call a, b, c;
	parse_fixture(HOOK_CLAUDE, "claude/pretooluse-bash.json", &a);
	parse_fixture(HOOK_CLAUDE, "claude/permissionrequest-bash.json", &b);
	parse_fixture(HOOK_CLAUDE, "claude/pretooluse-bash-tui.json", &c);
	assert_string_equal(a.call, b.call);
	assert_string_not_equal(a.call, c.call);
	hook_call_clear(&a);
	hook_call_clear(&b);
	hook_call_clear(&c);
	/* Same command, other Codex session (the TUI run): different call. */
	parse_fixture(HOOK_CODEX, "codex/permissionrequest-exec.json", &a);
	parse_fixture(HOOK_CODEX, "codex/permissionrequest-exec-tui.json", &b);
	assert_string_not_equal(a.call, b.call);
	hook_call_clear(&a);
	hook_call_clear(&b);
}

/* --- answers -------------------------------------------------------------- */

static cJSON *
answer(enum hook_client client, const char *file, enum ag_decision d, const char *reason,
       int *exit_code)
{
	struct hook_call call;
	parse_fixture(client, file, &call);
	struct hook_answer a;
	hookmap_answer(client, call.event, &call, d, "human", reason, &a);
	*exit_code = a.exit;
	cJSON *j = a.out[0] ? cJSON_Parse(a.out) : NULL;
	if (a.out[0])
		assert_non_null(j);
	/* One line, newline-terminated: what both clients read. */
	if (a.out[0]) {
		assert_int_equal(a.out[strlen(a.out) - 1], '\n');
		assert_null(strchr(a.out, '\n') + 1 == a.out + strlen(a.out) ? NULL : "two lines");
	}
	hook_answer_clear(&a);
	hook_call_clear(&call);
	return j;
}

static void
assert_same_json(const cJSON *got, const char *fixture)
{
	cJSON *want = fixture_json(fixture);
	if (!cJSON_Compare(got, want, 1)) {
		char *g = cJSON_PrintUnformatted(got), *w = cJSON_PrintUnformatted(want);
		fail_msg("got %s, want %s", g, w);
	}
	cJSON_Delete(want);
}

static const cJSON *
path(const cJSON *j, const char *a, const char *b, const char *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, a);
	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	if (c)
		v = cJSON_GetObjectItemCaseSensitive(v, c);
	return v;
}

static void
test_answers_claude_pretooluse(void **state)
{
	(void)state;
	int ex;
	const char *f = "claude/pretooluse-bash.json";
	cJSON *j = answer(HOOK_CLAUDE, f, AG_DECISION_APPROVE, NULL, &ex);
	assert_int_equal(ex, 0);
	assert_string_equal(path(j, "hookSpecificOutput", "hookEventName", NULL)->valuestring,
	                    "PreToolUse");
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "allow");
	cJSON_Delete(j);
	j = answer(HOOK_CLAUDE, f, AG_DECISION_APPROVE_SESSION, NULL, &ex);
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "allow");
	cJSON_Delete(j);
	j = answer(HOOK_CLAUDE, f, AG_DECISION_DENY, "rm is not allowed here", &ex);
	assert_int_equal(ex, 0);
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "deny");
	const char *why =
	    path(j, "hookSpecificOutput", "permissionDecisionReason", NULL)->valuestring;
	assert_non_null(strstr(why, "rm is not allowed here"));
	assert_non_null(strstr(why, "Do not retry"));
	cJSON_Delete(j);
	/* defer: Claude's own permission flow (its "ask"), which in -p refuses. */
	j = answer(HOOK_CLAUDE, f, AG_DECISION_DEFER, NULL, &ex);
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "ask");
	cJSON_Delete(j);
	j = answer(HOOK_CLAUDE, f, AG_DECISION_ABORT, NULL, &ex);
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "deny");
	cJSON_Delete(j);
}

static void
test_answers_claude_permissionrequest(void **state)
{
	(void)state;
	int ex;
	const char *f = "claude/permissionrequest-bash.json";
	cJSON *j = answer(HOOK_CLAUDE, f, AG_DECISION_APPROVE, NULL, &ex);
	assert_int_equal(ex, 0);
	assert_same_json(j, "claude/outputs/permissionrequest-allow.json");
	cJSON_Delete(j);
	/* approve_session: allow plus a session-scoped rule for exactly this
	 * command (the fixture's persisted rule, with destination session). */
	j = answer(HOOK_CLAUDE, f, AG_DECISION_APPROVE_SESSION, NULL, &ex);
	const cJSON *up = path(j, "hookSpecificOutput", "decision", "updatedPermissions");
	assert_int_equal(cJSON_GetArraySize(up), 1);
	const cJSON *p0 = cJSON_GetArrayItem(up, 0);
	assert_string_equal(path(p0, "destination", NULL, NULL)->valuestring, "session");
	assert_string_equal(path(p0, "behavior", NULL, NULL)->valuestring, "allow");
	const cJSON *rule = cJSON_GetArrayItem(path(p0, "rules", NULL, NULL), 0);
	assert_string_equal(path(rule, "toolName", NULL, NULL)->valuestring, "Bash");
	assert_string_equal(path(rule, "ruleContent", NULL, NULL)->valuestring,
	                    "echo hello > out.txt");
	cJSON_Delete(j);
	j = answer(HOOK_CLAUDE, f, AG_DECISION_DENY, "no", &ex);
	const cJSON *dec = path(j, "hookSpecificOutput", "decision", NULL);
	assert_string_equal(path(dec, "behavior", NULL, NULL)->valuestring, "deny");
	assert_non_null(strstr(path(dec, "message", NULL, NULL)->valuestring, "no"));
	assert_null(path(dec, "interrupt", NULL, NULL));
	cJSON_Delete(j);
	j = answer(HOOK_CLAUDE, f, AG_DECISION_ABORT, "stop", &ex);
	dec = path(j, "hookSpecificOutput", "decision", NULL);
	assert_true(cJSON_IsTrue(path(dec, "interrupt", NULL, NULL)));
	cJSON_Delete(j);
	/* defer: no output, exit 0 -> the dialog / SDK host decides. */
	j = answer(HOOK_CLAUDE, f, AG_DECISION_DEFER, NULL, &ex);
	assert_null(j);
	assert_int_equal(ex, 0);
	/* A Write approved for the session: plain allow (setMode acceptEdits
	 * would approve every edit, more than the human said). */
	j = answer(HOOK_CLAUDE, "claude/permissionrequest-write.json", AG_DECISION_APPROVE_SESSION,
	           NULL, &ex);
	assert_same_json(j, "claude/outputs/permissionrequest-allow.json");
	cJSON_Delete(j);
}

static void
test_answers_codex(void **state)
{
	(void)state;
	int ex;
	/* PreToolUse: Codex rejects allow and ask; only deny is a verdict. */
	static const enum ag_decision quiet[] = {AG_DECISION_APPROVE, AG_DECISION_APPROVE_SESSION,
	                                         AG_DECISION_DEFER};
	for (size_t i = 0; i < 3; i++) {
		cJSON *j = answer(HOOK_CODEX, "codex/pretooluse-exec.json", quiet[i], NULL, &ex);
		assert_null(j);
		assert_int_equal(ex, 0);
	}
	cJSON *j = answer(HOOK_CODEX, "codex/pretooluse-exec.json", AG_DECISION_DENY, NULL, &ex);
	assert_int_equal(ex, 0);
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "deny");
	/* Codex fails open on a deny without a non-empty reason. */
	assert_true(
	    strlen(path(j, "hookSpecificOutput", "permissionDecisionReason", NULL)->valuestring) >
	    0);
	cJSON_Delete(j);
	/* PermissionRequest: exactly the accepted allow, for approve and session. */
	j = answer(HOOK_CODEX, "codex/permissionrequest-exec.json", AG_DECISION_APPROVE, NULL, &ex);
	assert_same_json(j, "codex/outputs/permissionrequest-allow.json");
	cJSON_Delete(j);
	j = answer(HOOK_CODEX, "codex/permissionrequest-exec.json", AG_DECISION_APPROVE_SESSION,
	           NULL, &ex);
	assert_same_json(j, "codex/outputs/permissionrequest-allow.json");
	cJSON_Delete(j);
	/* deny and abort: never interrupt or updatedInput (Codex drops the verdict). */
	static const enum ag_decision no[] = {AG_DECISION_DENY, AG_DECISION_ABORT};
	for (size_t i = 0; i < 2; i++) {
		j = answer(HOOK_CODEX, "codex/permissionrequest-apply_patch.json", no[i], "bad",
		           &ex);
		const cJSON *dec = path(j, "hookSpecificOutput", "decision", NULL);
		assert_string_equal(path(dec, "behavior", NULL, NULL)->valuestring, "deny");
		assert_true(strlen(path(dec, "message", NULL, NULL)->valuestring) > 0);
		assert_null(path(dec, "interrupt", NULL, NULL));
		assert_int_equal(cJSON_GetArraySize(dec), 2);
		assert_string_equal(
		    path(j, "hookSpecificOutput", "hookEventName", NULL)->valuestring,
		    "PermissionRequest");
		cJSON_Delete(j);
	}
	j = answer(HOOK_CODEX, "codex/permissionrequest-exec.json", AG_DECISION_DEFER, NULL, &ex);
	assert_null(j);
}

/* Fail closed: agate's own failure is an explicit deny in the event's
 * format, exit 0; with fallback defer the client's own prompt decides. */
static void
test_fail_closed(void **state)
{
	(void)state;
	struct hook_answer a;
	hookmap_fail(HOOK_CODEX, HOOK_EV_PRE_TOOL_USE, AG_DECISION_DENY, "no hub", &a);
	assert_int_equal(a.exit, 0);
	cJSON *j = cJSON_Parse(a.out);
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "deny");
	assert_non_null(
	    strstr(path(j, "hookSpecificOutput", "permissionDecisionReason", NULL)->valuestring,
	           "no hub"));
	cJSON_Delete(j);
	hook_answer_clear(&a);
	hookmap_fail(HOOK_CLAUDE, HOOK_EV_PERMISSION_REQUEST, AG_DECISION_DENY, "boom\nline2", &a);
	assert_int_equal(a.exit, 0);
	j = cJSON_Parse(a.out);
	assert_string_equal(path(j, "hookSpecificOutput", "decision", "behavior")->valuestring,
	                    "deny");
	assert_null(
	    strchr(path(j, "hookSpecificOutput", "decision", "message")->valuestring, '\n'));
	cJSON_Delete(j);
	hook_answer_clear(&a);
	/* Unknown event (payload unreadable): exit 2 + stderr, a deny in both
	 * clients' PreToolUse. */
	hookmap_fail(HOOK_CLAUDE, HOOK_EV_OTHER, AG_DECISION_DENY, "bad payload", &a);
	assert_int_equal(a.exit, 2);
	assert_non_null(strstr(a.out, "bad payload"));
	hook_answer_clear(&a);
	hookmap_fail(HOOK_CODEX, HOOK_EV_PERMISSION_REQUEST, AG_DECISION_DEFER, "no hub", &a);
	assert_string_equal(a.out, "");
	assert_int_equal(a.exit, 0);
	hook_answer_clear(&a);
	hookmap_fail(HOOK_CLAUDE, HOOK_EV_PRE_TOOL_USE, AG_DECISION_DEFER, "no hub", &a);
	j = cJSON_Parse(a.out);
	assert_string_equal(path(j, "hookSpecificOutput", "permissionDecision", NULL)->valuestring,
	                    "ask");
	cJSON_Delete(j);
	hook_answer_clear(&a);
}

/* --- strict types ------------------------------------------------------------ */

static void
expect_refused(enum hook_client client, const char *payload, size_t len, const char *needle)
{
	struct hook_call call;
	struct ag_error err;
	int rc = hook_call_parse(client, payload, len, &call, &err);
	if (rc == 0) {
		struct hookmap_opts o = {.id = "x", .max_read = 1 << 20};
		cJSON *r = hookmap_request(&call, &o, &err);
		hook_call_clear(&call);
		if (r != NULL) {
			cJSON_Delete(r);
			fail_msg("accepted: %s", payload);
		}
	}
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' does not name '%s'", err.msg, needle);
}

#define BASE "\"session_id\":\"s\",\"cwd\":\"/tmp\",\"hook_event_name\":\"PreToolUse\","
static void
test_strict(void **state)
{
	(void)state;
	static const struct {
		const char *json, *needle;
	} bad[] = {
	    {"{" BASE "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":42}}",
	     "tool_input.command"},
	    {"{" BASE "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":[\"rm\",\"-rf\"]}}",
	     "tool_input.command: expected a string, got an array"},
	    {"{" BASE "\"tool_name\":\"Bash\",\"tool_input\":{}}", "tool_input.command: missing"},
	    {"{" BASE "\"tool_name\":\"Bash\",\"tool_input\":\"rm -rf /\"}", "tool_input"},
	    {"{" BASE "\"tool_name\":7,\"tool_input\":{}}", "tool_name"},
	    {"{\"cwd\":\"/tmp\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
	     "\"tool_input\":{\"command\":\"ls\"}}",
	     "session_id: missing"},
	    {"{" BASE
	     "\"tool_use_id\":1,\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"x\"}}",
	     "tool_use_id"},
	    {"{" BASE
	     "\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"/x\",\"content\":1}}",
	     "tool_input.content"},
	    {"{" BASE
	     "\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"/x\",\"old_string\":\"a\","
	     "\"new_string\":\"b\",\"replace_all\":\"yes\"}}",
	     "replace_all"},
	    {"{" BASE
	     "\"tool_name\":\"MultiEdit\",\"tool_input\":{\"file_path\":\"/x\",\"edits\":[1]}}",
	     "tool_input.edits[0]"},
	    {"{" BASE "\"tool_name\":\"WebFetch\",\"tool_input\":{\"url\":null}}",
	     "tool_input.url"},
	    {"{" BASE "\"tool_name\":\"apply_patch\",\"tool_input\":{\"command\":{}}}",
	     "tool_input.command"},
	    {"[1,2]", "expected a JSON object"},
	    {"{" BASE "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}} trailing",
	     "after"},
	    {"{\"session_id\":", "not valid JSON"},
	    {"", "not valid JSON"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_refused(HOOK_CLAUDE, bad[i].json, strlen(bad[i].json), bad[i].needle);
	static const char nul[] = "{\"session_id\":\"s\0\"}";
	expect_refused(HOOK_CODEX, nul, sizeof nul - 1, "NUL");
	static const char badutf[] = "{\"session_id\":\"\xc0\xaf\"}";
	expect_refused(HOOK_CODEX, badutf, sizeof badutf - 1, "UTF-8");
}

/* The event of an unreadable payload, for the refusal's shape. */
static void
test_sniff(void **state)
{
	(void)state;
	const char *a = "{\"hook_event_name\":\"PermissionRequest\",\"tool_input\":{\"command\":1";
	assert_int_equal(hook_event_sniff(a, strlen(a)), HOOK_EV_PERMISSION_REQUEST);
	const char *b = "{\"hook_event_name\": \"PreToolUse\", \"x\": [}";
	assert_int_equal(hook_event_sniff(b, strlen(b)), HOOK_EV_PRE_TOOL_USE);
	assert_int_equal(hook_event_sniff("garbage", 7), HOOK_EV_OTHER);
}

/* --- other tools ------------------------------------------------------------ */

static cJSON *
map_json(enum hook_client client, const char *json)
{
	struct hook_call call;
	struct ag_error err;
	if (hook_call_parse(client, json, strlen(json), &call, &err) != 0)
		fail_msg("refused: %s", err.msg);
	cJSON *r = request_for(&call);
	hook_call_clear(&call);
	return r;
}

static void
test_other_tools(void **state)
{
	(void)state;
	cJSON *r = map_json(HOOK_CLAUDE, "{" BASE "\"tool_name\":\"WebFetch\",\"tool_input\":{"
	                                 "\"url\":\"https://user@Example.com:8443/a?b\","
	                                 "\"prompt\":\"summarize\"}}");
	const cJSON *a = cJSON_GetObjectItem(r, "action");
	assert_string_equal(str_at(a, "kind", NULL), "network");
	assert_string_equal(str_at(a, "host", NULL), "Example.com");
	assert_int_equal(cJSON_GetObjectItem(a, "port")->valueint, 8443);
	assert_string_equal(str_at(a, "protocol", NULL), "https");
	assert_string_equal(str_at(a, "url", NULL), "https://user@Example.com:8443/a?b");
	cJSON_Delete(r);
	r = map_json(HOOK_CLAUDE, "{" BASE "\"tool_name\":\"WebFetch\",\"tool_input\":{"
	                          "\"url\":\"http://[::1]/x\"}}");
	a = cJSON_GetObjectItem(r, "action");
	assert_string_equal(str_at(a, "host", NULL), "::1");
	assert_int_equal(cJSON_GetObjectItem(a, "port")->valueint, 80);
	cJSON_Delete(r);
	r = map_json(HOOK_CLAUDE, "{" BASE "\"tool_name\":\"mcp__git_hub__create_issue\","
	                          "\"tool_input\":{\"title\":\"x\"}}");
	a = cJSON_GetObjectItem(r, "action");
	assert_string_equal(str_at(a, "kind", NULL), "mcp");
	assert_string_equal(str_at(a, "server", NULL), "git_hub");
	assert_string_equal(str_at(a, "tool", NULL), "create_issue");
	assert_string_equal(str_at(a, "arguments", "title"), "x");
	cJSON_Delete(r);
	/* Any other tool: honestly its name and input, as the agent's own tool. */
	r = map_json(HOOK_CODEX, "{" BASE "\"tool_name\":\"NotebookEdit\","
	                         "\"tool_input\":{\"notebook_path\":\"/n.ipynb\"}}");
	a = cJSON_GetObjectItem(r, "action");
	assert_string_equal(str_at(a, "kind", NULL), "mcp");
	assert_string_equal(str_at(a, "server", NULL), "codex");
	assert_string_equal(str_at(a, "tool", NULL), "NotebookEdit");
	assert_string_equal(str_at(a, "arguments", "notebook_path"), "/n.ipynb");
	cJSON_Delete(r);
}

/* --- edits against files on disk ---------------------------------------------- */

static char tmpdir[] = "/tmp/agate-hookmap-XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static cJSON *
map_in_tmp(enum hook_client client, const char *tool, const char *input)
{
	char *json = xasprintf("{\"session_id\":\"s\",\"cwd\":\"%s\",\"hook_event_name\":"
	                       "\"PreToolUse\",\"tool_name\":\"%s\",\"tool_input\":%s}",
	                       tmpdir, tool, input);
	cJSON *r = map_json(client, json);
	free(json);
	return r;
}

static const char *file10 = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\n";

static void
test_edit_on_disk(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	write_file("f.txt", file10);
	char *in = xasprintf("{\"file_path\":\"%s/f.txt\",\"old_string\":\"l6\\n\","
	                     "\"new_string\":\"six\\n\"}",
	                     tmpdir);
	cJSON *r = map_in_tmp(HOOK_CLAUDE, "Edit", in);
	free(in);
	assert_string_equal(str_at(r, "action", "diff"),
	                    "--- a/f.txt\n+++ b/f.txt\n"
	                    "@@ -3,7 +3,7 @@\n l3\n l4\n l5\n-l6\n+six\n"
	                    " l7\n l8\n l9\n");
	assert_string_equal(str_at(r, "hook", "diff_source"), "file");
	cJSON_Delete(r);
	/* MultiEdit: both edits, in order, in one diff. */
	in = xasprintf("{\"file_path\":\"%s/f.txt\",\"edits\":[{\"old_string\":\"l1\\n\","
	               "\"new_string\":\"\"},{\"old_string\":\"l10\",\"new_string\":\"ten\"}]}",
	               tmpdir);
	r = map_in_tmp(HOOK_CLAUDE, "MultiEdit", in);
	free(in);
	assert_string_equal(str_at(r, "action", "diff"),
	                    "--- a/f.txt\n+++ b/f.txt\n@@ -1,4 +1,3 @@\n-l1\n l2\n l3\n l4\n"
	                    "@@ -7,4 +6,4 @@\n l7\n l8\n l9\n-l10\n+ten\n");
	cJSON_Delete(r);
	/* Write over an existing file: the diff against what is on disk, and
	 * a missing final newline said so. */
	in = xasprintf("{\"file_path\":\"f.txt\",\"content\":\"l1\\nl2\\nl3\\nl4\\nl5\\nl6\\nl7\\n"
	               "l8\\nl9\\nl10\"}");
	r = map_in_tmp(HOOK_CLAUDE, "Write", in);
	free(in);
	assert_string_equal(str_at(r, "action", "diff"),
	                    "--- a/f.txt\n+++ b/f.txt\n@@ -7,4 +7,4 @@\n l7\n l8\n l9\n-l10\n+l10\n"
	                    "\\ No newline at end of file\n");
	cJSON_Delete(r);
	/* old_string not in the file: the strings themselves, said so. */
	in = xasprintf("{\"file_path\":\"%s/f.txt\",\"old_string\":\"zz\",\"new_string\":\"yy\"}",
	               tmpdir);
	r = map_in_tmp(HOOK_CLAUDE, "Edit", in);
	free(in);
	assert_string_equal(str_at(r, "action", "diff"),
	                    "--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-zz\n\\ No newline at end of "
	                    "file\n+yy\n\\ No newline at end of file\n");
	assert_non_null(strstr(str_at(r, "hook", "diff_source"), "strings"));
	cJSON_Delete(r);
	/* A path outside cwd stays absolute in the header and the files list. */
	r = map_in_tmp(HOOK_CLAUDE, "Write",
	               "{\"file_path\":\"/nonexistent-agate/x\","
	               "\"content\":\"a\\n\"}");
	assert_string_equal(str_at(r, "action", "diff"),
	                    "--- /dev/null\n+++ /nonexistent-agate/x\n@@ -0,0 +1 @@\n+a\n");
	cJSON_Delete(r);
}

static void
test_apply_patch_on_disk(void **state)
{
	(void)state;
	/* Update: the chunk is found at line 5 of f.txt; Move to; Delete reads
	 * the file it deletes; Add. */
	write_file("gone.txt", "x\ny\n");
	cJSON *r = map_in_tmp(HOOK_CODEX, "apply_patch",
	                      "{\"command\":\"*** Begin Patch\\n*** Update File: f.txt\\n"
	                      "*** Move to: g.txt\\n@@\\n l5\\n-l6\\n+six\\n l7\\n"
	                      "*** Delete File: gone.txt\\n*** Add File: new.txt\\n+n1\\n+n2\\n"
	                      "*** End Patch\"}");
	assert_string_equal(str_at(r, "action", "diff"),
	                    "--- a/f.txt\n+++ b/g.txt\n@@ -5,3 +5,3 @@\n l5\n-l6\n+six\n l7\n"
	                    "--- a/gone.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n"
	                    "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+n1\n+n2\n");
	const cJSON *files = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "action"), "files");
	assert_int_equal(cJSON_GetArraySize(files), 4);
	assert_string_equal(cJSON_GetArrayItem(files, 1)->valuestring, "g.txt");
	cJSON_Delete(r);
	/* A chunk whose place is not in the file: numbered 1, and said so. */
	r = map_in_tmp(HOOK_CODEX, "apply_patch",
	               "{\"command\":\"*** Begin Patch\\n*** Update File: f.txt\\n@@\\n-nothere\\n"
	               "+x\\n*** End Patch\\n\"}");
	assert_non_null(strstr(str_at(r, "action", "diff"), "(position in the file not found)"));
	cJSON_Delete(r);
	/* Not a patch we can read: the text travels as sent, nothing hidden. */
	const char *odd = "*** Begin Patch\\n*** Update File: f.txt\\n@@\\n?weird\\n*** End Patch";
	char *in = xasprintf("{\"command\":\"%s\"}", odd);
	r = map_in_tmp(HOOK_CODEX, "apply_patch", in);
	free(in);
	assert_string_equal(str_at(r, "action", "diff"),
	                    "*** Begin Patch\n*** Update File: f.txt\n@@\n?weird\n*** End Patch");
	cJSON_Delete(r);
	char *cmd = xasprintf("rm -rf -- '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* --- diffs ---------------------------------------------------------------- */

static void
test_udiff(void **state)
{
	(void)state;
	char *d = udiff_make("a/x", "b/x", "a\nb\nc\n", 6, "a\nB\nc\n", 6);
	assert_string_equal(d, "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	free(d);
	d = udiff_make("a/x", "b/x", "same\n", 5, "same\n", 5);
	assert_string_equal(d, "--- a/x\n+++ b/x\n");
	free(d);
	d = udiff_make("a/x", "/dev/null", "1\n2\n", 4, "", 0);
	assert_string_equal(d, "--- a/x\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-1\n-2\n");
	free(d);
	/* Two changes far apart: two hunks. */
	d = udiff_make("a/x", "b/x", file10, strlen(file10),
	               "L1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nL10\n", strlen(file10));
	assert_string_equal(d, "--- a/x\n+++ b/x\n@@ -1,4 +1,4 @@\n-l1\n+L1\n l2\n l3\n l4\n"
	                       "@@ -7,4 +7,4 @@\n l7\n l8\n l9\n-l10\n+L10\n");
	free(d);
	char *p = udiff_display_path("/home/u/p/", "/home/u/p/src/a.c");
	assert_string_equal(p, "src/a.c");
	free(p);
	p = udiff_display_path("/home/u/p", "/home/u/pq/a.c");
	assert_string_equal(p, "/home/u/pq/a.c");
	free(p);
}

/* Canonical JSON as Codex hashes it: sorted keys at every level, compact,
 * UTF-8 kept. */
static void
test_canonical(void **state)
{
	(void)state;
	cJSON *j =
	    cJSON_Parse("{\"b\":1,\"a\":{\"z\":[{\"y\":1,\"x\":\"\xc3\xa9\"}],\"c\":false}}");
	char *t = hookmap_json_canonical(j);
	assert_string_equal(t,
	                    "{\"a\":{\"c\":false,\"z\":[{\"x\":\"\xc3\xa9\",\"y\":1}]},\"b\":1}");
	free(t);
	cJSON_Delete(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures_map),
	    cmocka_unit_test(test_correlation),
	    cmocka_unit_test(test_answers_claude_pretooluse),
	    cmocka_unit_test(test_answers_claude_permissionrequest),
	    cmocka_unit_test(test_answers_codex),
	    cmocka_unit_test(test_fail_closed),
	    cmocka_unit_test(test_strict),
	    cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_other_tools),
	    cmocka_unit_test(test_edit_on_disk),
	    cmocka_unit_test(test_apply_patch_on_disk),
	    cmocka_unit_test(test_udiff),
	    cmocka_unit_test(test_canonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
