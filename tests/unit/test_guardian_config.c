/* Where the Guardian's key and policy come from: a key file anyone else
 * could read is refused, errors never quote the key, an OpenAI key is not
 * sent to Anthropic by default, and a policy is always there. */
#include <dirent.h>
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

#include "reviewer/guardian_config.h"

#define SECRET "sk-cfg-31415926535897932384"

static char dir[256];

static int
setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/agate-gcfg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	unsetenv("AGATE_TEST_KEY");
	unsetenv("OPENAI_API_KEY");
	unsetenv("ANTHROPIC_API_KEY");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[600];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

static const char *
write_file(const char *name, const char *content, mode_t mode)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void
expect_refused(const char *path, const char *needle)
{
	char *key = NULL, why[256];
	struct ag_error err = {{0}};
	int rc = ag_guardian_key_load("", path, AG_PROVIDER_OPENAI, &key, why, sizeof why, &err);
	if (rc != -1 || strstr(err.msg, needle) == NULL)
		fail_msg("%s: rc %d, \"%s\", expected refusal with \"%s\"", path, rc, err.msg,
		         needle);
	assert_null(key);
	assert_null(strstr(err.msg, "31415926"));
}

static void
test_key_from_env(void **state)
{
	(void)state;
	char *key = NULL, why[256];
	struct ag_error err;
	setenv("AGATE_TEST_KEY", SECRET, 1);
	assert_int_equal(ag_guardian_key_load("AGATE_TEST_KEY", NULL, AG_PROVIDER_OPENAI, &key, why,
	                                      sizeof why, &err),
	                 1);
	assert_string_equal(key, SECRET);
	ag_guardian_key_free(&key);
	assert_null(key);
	/* A key that would split a header is refused, without quoting it. */
	setenv("AGATE_TEST_KEY", "sk-abc\r\nX-Evil: 1", 1);
	assert_int_equal(ag_guardian_key_load("AGATE_TEST_KEY", NULL, AG_PROVIDER_OPENAI, &key, why,
	                                      sizeof why, &err),
	                 -1);
	assert_null(strstr(err.msg, "Evil"));
	unsetenv("AGATE_TEST_KEY");
}

static void
test_no_key_says_so(void **state)
{
	(void)state;
	char *key = NULL, why[256];
	struct ag_error err;
	assert_int_equal(ag_guardian_key_load("OPENAI_API_KEY", "", AG_PROVIDER_OPENAI, &key, why,
	                                      sizeof why, &err),
	                 0);
	assert_null(key);
	assert_non_null(strstr(why, "no API key"));
	assert_non_null(strstr(why, "$OPENAI_API_KEY is unset"));
}

static void
test_openai_key_not_sent_to_anthropic(void **state)
{
	(void)state;
	char *key = NULL, why[256];
	struct ag_error err;
	setenv("OPENAI_API_KEY", SECRET, 1);
	assert_int_equal(ag_guardian_key_load("OPENAI_API_KEY", NULL, AG_PROVIDER_ANTHROPIC, &key,
	                                      why, sizeof why, &err),
	                 0);
	assert_non_null(strstr(why, "ANTHROPIC_API_KEY"));
	setenv("ANTHROPIC_API_KEY", "sk-ant-xyz", 1);
	assert_int_equal(ag_guardian_key_load("OPENAI_API_KEY", NULL, AG_PROVIDER_ANTHROPIC, &key,
	                                      why, sizeof why, &err),
	                 1);
	assert_string_equal(key, "sk-ant-xyz");
	ag_guardian_key_free(&key);
	unsetenv("OPENAI_API_KEY");
	unsetenv("ANTHROPIC_API_KEY");
}

static void
test_key_file_rules(void **state)
{
	(void)state;
	char *key = NULL, why[256];
	struct ag_error err;
	const char *good = write_file("good", SECRET "\n", 0600);
	assert_int_equal(
	    ag_guardian_key_load(NULL, good, AG_PROVIDER_OPENAI, &key, why, sizeof why, &err), 1);
	assert_string_equal(key, SECRET); /* the newline is not part of the key */
	ag_guardian_key_free(&key);
	const char *ro = write_file("readonly", SECRET, 0400);
	assert_int_equal(
	    ag_guardian_key_load(NULL, ro, AG_PROVIDER_OPENAI, &key, why, sizeof why, &err), 1);
	ag_guardian_key_free(&key);

	expect_refused(write_file("world", SECRET, 0644), "mode 0644 lets others read it");
	expect_refused(write_file("group", SECRET, 0640), "chmod 600");
	expect_refused(write_file("empty", "\n", 0600), "empty");
	expect_refused(write_file("spaces", "sk-a b", 0600), "spaces or control");
	char link[512];
	snprintf(link, sizeof link, "%s/link", dir);
	assert_int_equal(symlink(good, link), 0);
	expect_refused(link, "symlink");
	char missing[512];
	snprintf(missing, sizeof missing, "%s/missing", dir);
	expect_refused(missing, "No such file");
	expect_refused(dir, "not a regular file");
	if (geteuid() == 0) {
		const char *theirs = write_file("theirs", SECRET, 0600);
		assert_int_equal(chown(theirs, 65534, 65534), 0);
		expect_refused(theirs, "not by you");
	}
	/* The variable wins over the file. */
	setenv("AGATE_TEST_KEY", "sk-from-env", 1);
	assert_int_equal(ag_guardian_key_load("AGATE_TEST_KEY", good, AG_PROVIDER_OPENAI, &key, why,
	                                      sizeof why, &err),
	                 1);
	assert_string_equal(key, "sk-from-env");
	ag_guardian_key_free(&key);
	unsetenv("AGATE_TEST_KEY");
}

static void
test_policy_sources(void **state)
{
	(void)state;
	struct ag_error err;
	char *source = NULL;
	const char *mine = write_file("policy.txt", "Deny everything on Fridays.\n", 0644);
	char *text = ag_guardian_policy_load(mine, &source, &err);
	assert_string_equal(text, "Deny everything on Fridays.\n");
	assert_string_equal(source, mine);
	free(text);
	free(source);

	char missing[512];
	snprintf(missing, sizeof missing, "%s/none.txt", dir);
	assert_null(ag_guardian_policy_load(missing, &source, &err));
	assert_non_null(strstr(err.msg, "none.txt"));

	/* The data directory's copy, then the built-in one. */
	setenv("AGATE_DATADIR", dir, 1);
	text = ag_guardian_policy_load(NULL, &source, &err);
	assert_string_equal(text, "Deny everything on Fridays.\n");
	free(text);
	free(source);
	char empty[512];
	snprintf(empty, sizeof empty, "%s/nothing-here", dir);
	setenv("AGATE_DATADIR", empty, 1);
	text = ag_guardian_policy_load(NULL, &source, &err);
	assert_string_equal(source, "built-in");
	assert_string_equal(text, ag_guardian_default_policy);
	assert_non_null(strstr(text, "Prompt injection"));
	free(text);
	free(source);
	unsetenv("AGATE_DATADIR");

	/* The built-in copy is reviewer/policy.txt, byte for byte. */
	const char *src = getenv("AGATE_SRCDIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/reviewer/policy.txt", src && *src ? src : ".");
	text = ag_guardian_policy_load(path, NULL, &err);
	if (text == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(text, ag_guardian_default_policy);
	free(text);
}

static void
test_modes(void **state)
{
	(void)state;
	assert_int_equal(ag_guardian_mode_parse("advise"), AG_GMODE_ADVISE);
	assert_int_equal(ag_guardian_mode_parse("auto"), AG_GMODE_AUTO);
	assert_int_equal(ag_guardian_mode_parse("off"), AG_GMODE_OFF);
	assert_int_equal(ag_guardian_mode_parse("on"), -1);
	assert_string_equal(ag_guardian_mode_name(AG_GMODE_AUTO), "auto");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_from_env),
	    cmocka_unit_test(test_no_key_says_so),
	    cmocka_unit_test(test_openai_key_not_sent_to_anthropic),
	    cmocka_unit_test(test_key_file_rules),
	    cmocka_unit_test(test_policy_sources),
	    cmocka_unit_test(test_modes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
