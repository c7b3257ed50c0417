/* SHA-256 against FIPS 180-4 vectors, Codex's trust hash against the hashes
 * Codex itself reported (tests/fixtures/hooks/codex/appserver-hooks-list.json),
 * and `agate init`'s merging: other settings untouched, idempotent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/hookcfg.h"
#include "cmd/udiff.h"
#include "core/sha256.h"
#include "core/xmalloc.h"

static char *
slurp(const char *rel)
{
	const char *src = getenv("AGATE_SRCDIR");
	char *path = xasprintf("%s/tests/fixtures/hooks/%s", src && *src ? src : ".", rel);
	char *buf = NULL;
	size_t len;
	struct ag_error err;
	if (udiff_read_file(path, 1 << 24, &buf, &len, &err) != 1)
		fail_msg("cannot read %s", path);
	free(path);
	return buf;
}

static void
test_sha256_vectors(void **state)
{
	(void)state;
	char hex[AG_SHA256_HEX];
	ag_sha256_hex("", 0, hex);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ag_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	ag_sha256_hex(m, strlen(m), hex);
	assert_string_equal(hex,
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a', fed in uneven pieces to exercise the block buffer. */
	struct ag_sha256 s;
	unsigned char d[AG_SHA256_LEN];
	char chunk[997];
	memset(chunk, 'a', sizeof chunk);
	ag_sha256_init(&s);
	size_t left = 1000000;
	for (size_t step = 1; left > 0; step = step % 900 + 7) {
		size_t take = step < left ? step : left;
		ag_sha256_update(&s, chunk, take);
		left -= take;
	}
	ag_sha256_final(&s, d);
	static const unsigned char want[AG_SHA256_LEN] = {
	    0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
	    0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
	    0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
	assert_memory_equal(d, want, AG_SHA256_LEN);
	/* 55, 56 and 64 bytes: the padding edge cases. */
	char buf[64];
	memset(buf, 'x', sizeof buf);
	ag_sha256_hex(buf, 55, hex);
	assert_string_equal(hex,
	                    "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
	ag_sha256_hex(buf, 56, hex);
	assert_string_equal(hex,
	                    "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
	ag_sha256_hex(buf, 64, hex);
	assert_string_equal(hex,
	                    "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
	ag_sha256_hex("The quick brown fox jumps over the lazy dog", 43, hex);
	assert_string_equal(hex,
	                    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

/* The two hashes Codex reported for command /path/to/agate-hook, timeout
 * 600, no matcher — README's recipe, computed by our code. */
static void
test_codex_hash_fixture(void **state)
{
	(void)state;
	char *h = hookcfg_codex_hash("pre_tool_use", NULL, "/path/to/agate-hook", 600, 0, NULL);
	assert_string_equal(
	    h, "sha256:f549884b1137cd400e00e51d29bab73c1d22fd3061b86e18e43505d1f0ba16d4");
	free(h);
	h = hookcfg_codex_hash("permission_request", NULL, "/path/to/agate-hook", 600, 0, NULL);
	assert_string_equal(
	    h, "sha256:c0ba6ba196446fe774862db02eaa04714bae8e334948ed97bb6195f5008c400e");
	free(h);
	/* The matcher and timeout are part of it. */
	h = hookcfg_codex_hash("pre_tool_use", "Bash", "/path/to/agate-hook", 600, 0, NULL);
	assert_string_not_equal(
	    h, "sha256:f549884b1137cd400e00e51d29bab73c1d22fd3061b86e18e43505d1f0ba16d4");
	free(h);
}

/* example-hooks.json read as agate doctor reads it gives exactly the keys
 * and hashes of Codex's own hooks/list answer, and example-config.toml
 * trusts them. */
static void
test_codex_handlers_fixture(void **state)
{
	(void)state;
	char *text = slurp("codex/example-hooks.json");
	cJSON *root = cJSON_Parse(text);
	free(text);
	struct hookcfg_handler *v;
	size_t n;
	struct ag_error err;
	assert_int_equal(
	    hookcfg_handlers(root, "/home/user/.codex/hooks.json", HOOK_CODEX, &v, &n, &err), 0);
	text = slurp("codex/appserver-hooks-list.json");
	cJSON *list = cJSON_Parse(text);
	free(text);
	const cJSON *hooks =
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(list, "data"), 0), "hooks");
	assert_int_equal(n, (size_t)cJSON_GetArraySize(hooks));
	char *toml = slurp("codex/example-config.toml");
	for (size_t i = 0; i < n; i++) {
		const cJSON *want = cJSON_GetArrayItem(hooks, (int)i);
		assert_string_equal(v[i].key, cJSON_GetObjectItem(want, "key")->valuestring);
		assert_string_equal(v[i].hash,
		                    cJSON_GetObjectItem(want, "currentHash")->valuestring);
		assert_int_equal(v[i].timeout, 600);
		assert_false(v[i].ours); /* /path/to/agate-hook is not `agate hook codex` */
		char *trusted = NULL;
		assert_int_equal(hookcfg_toml_get_trust(toml, v[i].key, &trusted), 1);
		assert_string_equal(trusted, v[i].hash);
		free(trusted);
	}
	char *none = NULL;
	assert_int_equal(
	    hookcfg_toml_get_trust(toml, "/home/user/.codex/hooks.json:stop:0:0", &none), 0);
	free(toml);
	hookcfg_handlers_free(&v, n);
	cJSON_Delete(list);
	cJSON_Delete(root);
}

static void
test_is_ours(void **state)
{
	(void)state;
	assert_true(hookcfg_is_ours("/usr/bin/agate hook claude", HOOK_CLAUDE));
	assert_true(hookcfg_is_ours("'/opt/my tools/agate' hook codex --deadline 30s", HOOK_CODEX));
	assert_true(hookcfg_is_ours("agate hook claude-code", HOOK_CLAUDE));
	assert_false(hookcfg_is_ours("/usr/bin/agate hook codex", HOOK_CLAUDE));
	assert_false(hookcfg_is_ours("/path/to/agate-hook", HOOK_CODEX));
	assert_false(hookcfg_is_ours("notagate hook claude", HOOK_CLAUDE));
	assert_false(hookcfg_is_ours("", HOOK_CLAUDE));
	assert_true(hookcfg_is_ours("/usr/bin/agate-hook codex", HOOK_CODEX));
	assert_false(hookcfg_is_ours("/usr/bin/agate-hook hook codex", HOOK_CODEX));
	assert_false(hookcfg_is_ours("/usr/bin/agate-hook claude", HOOK_CODEX));
	char *c = hookcfg_command("/opt/my tools/agate", HOOK_CODEX, 600);
	assert_string_equal(c, "'/opt/my tools/agate' hook codex");
	free(c);
	c = hookcfg_command("/usr/bin/agate-hook", HOOK_CLAUDE, 600);
	assert_string_equal(c, "/usr/bin/agate-hook claude");
	free(c);
	c = hookcfg_command("/usr/bin/agate", HOOK_CLAUDE, 60);
	assert_string_equal(c, "/usr/bin/agate hook claude --deadline 45s");
	free(c);
}

static const char *const ev[] = {"PreToolUse", "PermissionRequest"};
static const char *const claude_matchers[] = {"Bash|Write", "*"};

/* Merging keeps the user's settings and hooks, and a second run changes
 * nothing; a moved binary replaces our entry instead of adding one. */
static void
test_merge(void **state)
{
	(void)state;
	const char *user = "{\"model\":\"opus\",\"permissions\":{\"allow\":[\"Bash(ls)\"]},"
	                   "\"hooks\":{\"PreToolUse\":[{\"matcher\":\"Read\",\"hooks\":[{\"type\":"
	                   "\"command\",\"command\":\"my-logger\"}]}],\"Stop\":[]}}";
	cJSON *root = cJSON_Parse(user);
	struct ag_error err;
	assert_int_equal(hookcfg_merge(root, HOOK_CLAUDE, ev, claude_matchers, 2,
	                               "/usr/bin/agate hook claude", 600, &err),
	                 0);
	cJSON *want = cJSON_Parse(
	    "{\"model\":\"opus\",\"permissions\":{\"allow\":[\"Bash(ls)\"]},"
	    "\"hooks\":{\"PreToolUse\":[{\"matcher\":\"Read\",\"hooks\":[{\"type\":\"command\","
	    "\"command\":\"my-logger\"}]},{\"matcher\":\"Bash|Write\",\"hooks\":[{\"type\":"
	    "\"command\","
	    "\"command\":\"/usr/bin/agate hook claude\",\"timeout\":600}]}],\"Stop\":[],"
	    "\"PermissionRequest\":[{\"matcher\":\"*\",\"hooks\":[{\"type\":\"command\","
	    "\"command\":"
	    "\"/usr/bin/agate hook claude\",\"timeout\":600}]}]}}");
	assert_true(cJSON_Compare(root, want, 1));
	char *once = hookcfg_json_print(root);
	cJSON *back = cJSON_Parse(once); /* what is written reads back the same */
	assert_true(cJSON_Compare(back, root, 1));
	assert_non_null(strstr(once, "\n  \"hooks\": {\n    \"PreToolUse\": [\n"));
	cJSON_Delete(back);
	assert_int_equal(hookcfg_merge(root, HOOK_CLAUDE, ev, claude_matchers, 2,
	                               "/usr/bin/agate hook claude", 600, &err),
	                 0);
	char *twice = hookcfg_json_print(root);
	assert_string_equal(once, twice);
	/* Moved binary: the entry is replaced, not duplicated. */
	assert_int_equal(hookcfg_merge(root, HOOK_CLAUDE, ev, claude_matchers, 2,
	                               "/opt/agate hook claude", 600, &err),
	                 0);
	const cJSON *pre = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "hooks"), "PreToolUse");
	assert_int_equal(cJSON_GetArraySize(pre), 2);
	assert_string_equal(
	    cJSON_GetObjectItem(
	        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(pre, 1), "hooks"), 0),
	        "command")
	        ->valuestring,
	    "/opt/agate hook claude");
	free(once);
	free(twice);
	cJSON_Delete(want);
	cJSON_Delete(root);
	/* Shapes we would have to clobber are refused. */
	root = cJSON_Parse("{\"hooks\":[]}");
	assert_int_equal(hookcfg_merge(root, HOOK_CLAUDE, ev, claude_matchers, 2,
	                               "agate hook claude", 600, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "hooks"));
	cJSON_Delete(root);
	root = cJSON_Parse("{\"hooks\":{\"PreToolUse\":{}}}");
	assert_int_equal(hookcfg_merge(root, HOOK_CLAUDE, ev, claude_matchers, 2,
	                               "agate hook claude", 600, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "hooks.PreToolUse"));
	cJSON_Delete(root);
}

static void
test_toml(void **state)
{
	(void)state;
	const char *key = "/h/.codex/hooks.json:pre_tool_use:0:0";
	struct ag_error err;
	char *out = NULL;
	/* Append to a file of the user's, leaving it byte for byte. */
	const char *user = "model = \"gpt-5\"\n# comment\n[profiles.x]\nmodel = \"o3\"";
	assert_int_equal(hookcfg_toml_set_trust(user, key, "sha256:aa", &out, &err), 0);
	assert_string_equal(out, "model = \"gpt-5\"\n# comment\n[profiles.x]\nmodel = \"o3\"\n\n"
	                         "[hooks.state.\"/h/.codex/hooks.json:pre_tool_use:0:0\"]\n"
	                         "trusted_hash = \"sha256:aa\"\n");
	/* Again with another hash: replaced in place, nothing added. */
	char *again = NULL;
	assert_int_equal(hookcfg_toml_set_trust(out, key, "sha256:bb", &again, &err), 0);
	char *expect = xasprintf("%.*s", (int)(strstr(out, "trusted_hash") - out), out);
	char *full = xasprintf("%strusted_hash = \"sha256:bb\"\n", expect);
	assert_string_equal(again, full);
	char *h = NULL;
	assert_int_equal(hookcfg_toml_get_trust(again, key, &h), 1);
	assert_string_equal(h, "sha256:bb");
	free(h);
	/* Idempotent. */
	char *third = NULL;
	assert_int_equal(hookcfg_toml_set_trust(again, key, "sha256:bb", &third, &err), 0);
	assert_string_equal(third, again);
	free(out);
	free(again);
	free(third);
	free(expect);
	free(full);
	/* Table present without the line (another key in it): the line added. */
	const char *t2 = "[hooks.state.\"/h/.codex/hooks.json:pre_tool_use:0:0\"]\nenabled = true\n"
	                 "[other]\n";
	assert_int_equal(hookcfg_toml_set_trust(t2, key, "sha256:cc", &out, &err), 0);
	assert_string_equal(out, "[hooks.state.\"/h/.codex/hooks.json:pre_tool_use:0:0\"]\n"
	                         "trusted_hash = \"sha256:cc\"\nenabled = true\n[other]\n");
	free(out);
	/* The key in a form we do not edit: refused, naming the line. */
	const char *t3 = "[hooks.state]\n\"/h/.codex/hooks.json:pre_tool_use:0:0\" = "
	                 "{ trusted_hash = \"x\" }\n";
	assert_int_equal(hookcfg_toml_set_trust(t3, key, "sha256:dd", &out, &err), -1);
	assert_non_null(strstr(err.msg, "line 2"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_vectors),
	    cmocka_unit_test(test_codex_hash_fixture),
	    cmocka_unit_test(test_codex_handlers_fixture),
	    cmocka_unit_test(test_is_ours),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_toml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
