/* Config: the file format, every error path (each must name file:line), the
 * table's defaults, overrides, and that --defaults output loads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/xmalloc.h"

static char tmpdir[256];

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/agate-config-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	/* No shell: remove the few files we made, then the directory. */
	char path[512];
	static const char *const names[] = {"config", "big", "sub/config", "defaults"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/sub", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
	return 0;
}

/* Writes len bytes to tmpdir/name; returns the path (caller frees). */
static char *
write_file(const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static char *
write_text(const char *text)
{
	return write_file("config", text, strlen(text));
}

/* Loads text as a config file and expects it to fail with exactly
 * "PATH:" + want. */
static void
expect_load_error(const char *text, const char *want)
{
	char *path = write_text(text);
	struct ag_config *cfg = ag_config_new();
	struct ag_error err = {{0}};
	assert_int_equal(ag_config_load(cfg, path, 0, &err), -1);
	char *full = xasprintf("%s:%s", path, want);
	assert_string_equal(err.msg, full);
	free(full);
	free(path);
	ag_config_free(&cfg);
}

static void
test_defaults(void **state)
{
	struct ag_config *cfg = ag_config_new();
	assert_int_equal(ag_config_ms(cfg, "timeout"), 10 * 60 * 1000);
	assert_string_equal(ag_config_str(cfg, "timeout_decision"), "deny");
	assert_int_equal(ag_config_int(cfg, "max_frame"), 4194304);
	assert_int_equal(ag_config_ms(cfg, "orphan_grace"), 60 * 1000);
	assert_string_equal(ag_config_str(cfg, "journal_sync"), "normal");
	assert_string_equal(ag_config_str(cfg, "theme"), "default");
	assert_true(ag_config_bool(cfg, "bell"));
	assert_int_equal(ag_config_int(cfg, "tmux_width"), 60);
	assert_string_equal(ag_config_str(cfg, "guardian_mode"), "off");
	assert_string_equal(ag_config_str(cfg, "guardian_provider"), "openai");
	assert_string_equal(ag_config_str(cfg, "guardian_api_key_env"), "OPENAI_API_KEY");
	assert_string_equal(ag_config_str(cfg, "guardian_api_key_file"), "");
	assert_int_equal(ag_config_ms(cfg, "guardian_timeout"), 30 * 1000);
	assert_int_equal(ag_config_ms(cfg, "guardian_human_wait"), 0);
	assert_string_equal(ag_config_str(cfg, "rules_ceiling"), "high");
	assert_string_equal(ag_config_str(cfg, "fallback"), "deny");
	assert_string_equal(ag_config_str(cfg, "bus"), "");
	assert_string_equal(ag_config_str(cfg, "journal"), "");
	ag_config_free(&cfg);
	assert_null(cfg);
	ag_config_free(&cfg); /* twice is harmless */
}

static void
test_load_file(void **state)
{
	const char *text = "# agate config\n"
	                   "\n"
	                   "   # indented comment\n"
	                   "timeout = 1h30m\n"
	                   "timeout_decision=defer\n"
	                   "\tbell = off   # inline comment\n"
	                   "tmux_width = 80\r\n"
	                   "theme = \"dark # night \"  # quoted keeps '#' and blanks\n"
	                   "guardian_model = gpt-4o#mini\n"
	                   "guardian_base_url = http://127.0.0.1:8080/v1\n"
	                   "journal = \"/tmp/a \\\"b\\\" \\\\c\"\n"
	                   "guardian_human_wait = 500ms\n"
	                   "bus =\n"
	                   "max_frame = 65536"; /* no trailing newline */
	char *path = write_text(text);
	struct ag_config *cfg = ag_config_new();
	struct ag_error err = {{0}};
	assert_int_equal(ag_config_load(cfg, path, 0, &err), 0);
	assert_int_equal(ag_config_ms(cfg, "timeout"), 90 * 60 * 1000);
	assert_string_equal(ag_config_str(cfg, "timeout_decision"), "defer");
	assert_false(ag_config_bool(cfg, "bell"));
	assert_int_equal(ag_config_int(cfg, "tmux_width"), 80);
	assert_string_equal(ag_config_str(cfg, "theme"), "dark # night ");
	assert_string_equal(ag_config_str(cfg, "guardian_model"), "gpt-4o#mini");
	assert_string_equal(ag_config_str(cfg, "guardian_base_url"), "http://127.0.0.1:8080/v1");
	assert_string_equal(ag_config_str(cfg, "journal"), "/tmp/a \"b\" \\c");
	assert_int_equal(ag_config_ms(cfg, "guardian_human_wait"), 500);
	assert_string_equal(ag_config_str(cfg, "bus"), "");
	assert_int_equal(ag_config_int(cfg, "max_frame"), 65536);
	/* Keys the file does not mention keep their defaults. */
	assert_int_equal(ag_config_ms(cfg, "orphan_grace"), 60000);
	ag_config_free(&cfg);
	free(path);
}

static void
test_missing_file(void **state)
{
	char *path = xasprintf("%s/nope/config", tmpdir);
	struct ag_config *cfg = ag_config_new();
	struct ag_error err = {{0}};
	assert_int_equal(ag_config_load(cfg, path, 1, &err), 0);
	assert_int_equal(ag_config_load(cfg, path, 0, &err), -1);
	char *want = xasprintf("%s: no such file", path);
	assert_string_equal(err.msg, want);
	free(want);
	free(path);
	ag_config_free(&cfg);
}

static void
test_error_unknown_key(void **state)
{
	expect_load_error("# c\n\n\n\n\ntimeout = 5s\ntimout = 30s\n",
	                  "7: unknown key 'timout' (did you mean 'timeout'?)");
	/* Nothing close: no suggestion, but a pointer to the list. */
	expect_load_error("colour_scheme = x\n",
	                  "1: unknown key 'colour_scheme' (`agate config --defaults` lists them)");
}

static void
test_error_values(void **state)
{
	expect_load_error("\n\ntimeout = 10\n",
	                  "3: timeout: expected a duration like 30s, 10m, 500ms, got '10'");
	expect_load_error("timeout = -5s\n",
	                  "1: timeout: expected a duration like 30s, 10m, 500ms, got '-5s'");
	expect_load_error("timeout = 5 s\n",
	                  "1: timeout: expected a duration like 30s, 10m, 500ms, got '5 s'");
	expect_load_error("timeout = 99999999999999999999s\n",
	                  "1: timeout: expected a duration like 30s, 10m, 500ms, got "
	                  "'99999999999999999999s'");
	expect_load_error("timeout = 5ms\n", "1: timeout: expected a duration from 1s to 8760h, "
	                                     "got '5ms'");
	expect_load_error("a=\nbell = maybe\n", "1: unknown key 'a' (`agate config --defaults` "
	                                        "lists them)");
	expect_load_error("bell = maybe\n", "1: bell: expected true or false, got 'maybe'");
	expect_load_error("timeout_decision = approve\n",
	                  "1: timeout_decision: expected one of deny, abort, defer, got 'approve'");
	expect_load_error("fallback = abort\n",
	                  "1: fallback: expected one of deny, defer, got 'abort'");
	expect_load_error(
	    "max_frame = 4MiB\n",
	    "1: max_frame: expected a whole number from 4096 to 67108864, got '4MiB'");
	expect_load_error("tmux_width = 5\n",
	                  "1: tmux_width: expected a whole number from 20 to 1000, got '5'");
	expect_load_error("tmux_width =\n",
	                  "1: tmux_width: expected a whole number from 20 to 1000, got ''");
	/* Control bytes in a value are shown, not emitted. */
	expect_load_error("bell = \x1b[2J\n", "1: bell: expected true or false, got '\\x1b[2J'");
}

static void
test_error_syntax(void **state)
{
	expect_load_error("timeout 30s\n", "1: expected 'key = value', got 'timeout 30s'");
	expect_load_error("\n = 30s\n", "2: missing key before '='");
	expect_load_error("theme = \"dark\n", "1: theme: unterminated quoted value");
	expect_load_error("theme = \"dark\" x\n",
	                  "1: theme: unexpected text after the closing quote");
	expect_load_error("theme = \"a\\nb\"\n",
	                  "1: theme: only \\\" and \\\\ may be escaped in a quoted value");
	expect_load_error("timeout = 30s\nbell = on\ntimeout = 1m\n",
	                  "3: timeout is set twice (first on line 1)");
}

static void
test_error_bounds(void **state)
{
	/* A line of 4097 bytes on line 2. */
	size_t n = 4097;
	char *text = xmalloc(n + 32);
	memcpy(text, "bell = on\n", 10);
	memset(text + 10, '#', n);
	memcpy(text + 10 + n, "\n", 2);
	expect_load_error(text, "2: line longer than 4096 bytes");
	/* Exactly 4096 is fine. */
	text[10 + 4096] = '\n';
	text[10 + 4097] = '\0';
	char *path = write_text(text);
	struct ag_config *cfg = ag_config_new();
	struct ag_error err = {{0}};
	assert_int_equal(ag_config_load(cfg, path, 0, &err), 0);
	free(path);
	free(text);

	/* A NUL byte. */
	path = write_file("config", "bell = on\nbe\0ll = on\n", 21);
	assert_int_equal(ag_config_load(cfg, path, 0, &err), -1);
	char *want = xasprintf("%s:2: NUL byte in line (is this a text file?)", path);
	assert_string_equal(err.msg, want);
	free(want);
	free(path);

	/* A file over 1 MiB is refused before it is parsed. */
	size_t big = 1024 * 1024 + 1;
	char *data = xmalloc(big);
	memset(data, '\n', big);
	path = write_file("big", data, big);
	assert_int_equal(ag_config_load(cfg, path, 0, &err), -1);
	want = xasprintf("%s: larger than 1048576 bytes; is this the right file?", path);
	assert_string_equal(err.msg, want);
	free(want);
	free(path);
	free(data);

	/* A directory is not a config file. */
	assert_int_equal(ag_config_load(cfg, tmpdir, 1, &err), -1);
	want = xasprintf("%s: not a regular file", tmpdir);
	assert_string_equal(err.msg, want);
	free(want);
	ag_config_free(&cfg);
}

static void
test_set_overrides(void **state)
{
	char *path = write_text("timeout = 1m\nguardian_mode = advise\n");
	struct ag_config *cfg = ag_config_new();
	struct ag_error err = {{0}};
	assert_int_equal(ag_config_load(cfg, path, 0, &err), 0);
	assert_string_equal(ag_config_str(cfg, "guardian_mode"), "advise");
	/* Environment/flags come after the file and win. */
	assert_int_equal(ag_config_set(cfg, "timeout", "45s", &err), 0);
	assert_int_equal(ag_config_set(cfg, "guardian_mode", "auto", &err), 0);
	assert_int_equal(ag_config_set(cfg, "bell", "no", &err), 0);
	assert_int_equal(ag_config_ms(cfg, "timeout"), 45000);
	assert_string_equal(ag_config_str(cfg, "guardian_mode"), "auto");
	assert_false(ag_config_bool(cfg, "bell"));
	/* A bad override names the key, keeps the old value. */
	assert_int_equal(ag_config_set(cfg, "timeout", "soon", &err), -1);
	assert_string_equal(err.msg,
	                    "timeout: expected a duration like 30s, 10m, 500ms, got 'soon'");
	assert_int_equal(ag_config_ms(cfg, "timeout"), 45000);
	assert_int_equal(ag_config_set(cfg, "guardian_mod", "auto", &err), -1);
	assert_string_equal(err.msg, "unknown key 'guardian_mod' (did you mean 'guardian_mode'?)");
	assert_int_equal(ag_config_set(cfg, "rules_ceiling", "extreme", &err), -1);
	assert_string_equal(
	    err.msg, "rules_ceiling: expected one of low, medium, high, critical, got 'extreme'");
	ag_config_free(&cfg);
	free(path);
}

/* Path keys: a relative path would depend on where a command started, so
 * only absolute and ~/ paths are taken; ~ is expanded once, here. */
static void
test_paths(void **state)
{
	char *old_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("HOME", "/home/u", 1);
	char *path = write_text("journal = ~/agate/journal.db\nbus = /run/agate\n");
	struct ag_config *cfg = ag_config_new();
	struct ag_error err = {{0}};
	assert_int_equal(ag_config_load(cfg, path, 0, &err), 0);
	assert_string_equal(ag_config_str(cfg, "journal"), "/home/u/agate/journal.db");
	assert_string_equal(ag_config_str(cfg, "bus"), "/run/agate");
	assert_int_equal(ag_config_set(cfg, "guardian_api_key_file", "~", &err), 0);
	assert_string_equal(ag_config_str(cfg, "guardian_api_key_file"), "/home/u");
	assert_int_equal(ag_config_set(cfg, "bus", "", &err), 0);
	assert_string_equal(ag_config_str(cfg, "bus"), "");
	free(path);
	ag_config_free(&cfg);

	expect_load_error("\njournal = agate.db\n",
	                  "2: journal: expected an absolute path or ~/path, got 'agate.db'");
	expect_load_error("bus = ~other/agate\n",
	                  "1: bus: expected an absolute path or ~/path, got '~other/agate'");
	if (old_home != NULL)
		setenv("HOME", old_home, 1);
	free(old_home);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} ok[] = {
	    {"0", 0},        {"500ms", 500},           {"30s", 30000},     {"10m", 600000},
	    {"2h", 7200000}, {"1d", 86400000},         {"1h30m", 5400000}, {"1m500ms", 60500},
	    {"0s", 0},       {"8760h", 31536000000LL},
	};
	struct ag_config *cfg = ag_config_new();
	struct ag_error err = {{0}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(ag_config_set(cfg, "orphan_grace", ok[i].text, &err), 0);
		assert_int_equal(ag_config_ms(cfg, "orphan_grace"), ok[i].ms);
	}
	static const char *const bad[] = {"", "s", "1", "1.5s", "1 m", "m1", "1y", "1sm", "366d"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(ag_config_set(cfg, "orphan_grace", bad[i], &err), -1);
	ag_config_free(&cfg);
}

/* Uncommenting every key line of --defaults must give a file that loads
 * and sets every key to the value a fresh config has. */
static void
test_print_defaults_round_trip(void **state)
{
	char *path = xasprintf("%s/defaults", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	ag_config_print_defaults(f);
	fclose(f);

	f = fopen(path, "r");
	assert_non_null(f);
	char line[8192];
	char *text = xstrdup("");
	int keys = 0, help = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		const char *add = line;
		/* "#key = value" (no blank after '#') is a key; "# text" is help. */
		if (line[0] == '#' && line[1] != ' ' && line[1] != '\n') {
			add = line + 1;
			keys++;
		} else if (line[0] == '#') {
			help++;
		}
		char *next = xasprintf("%s%s", text, add);
		free(text);
		text = next;
	}
	fclose(f);
	free(path);
	assert_true(keys >= 20);
	assert_true(help >= keys);

	char *cpath = write_text(text);
	struct ag_config *loaded = ag_config_new();
	struct ag_config *fresh = ag_config_new();
	/* Perturb a few values first, so the load has to set them back. */
	struct ag_error err = {{0}};
	assert_int_equal(ag_config_set(loaded, "timeout", "1s", &err), 0);
	assert_int_equal(ag_config_set(loaded, "guardian_api_key_env", "X", &err), 0);
	assert_int_equal(ag_config_set(loaded, "bell", "false", &err), 0);
	assert_int_equal(ag_config_load(loaded, cpath, 0, &err), 0);
	assert_int_equal(ag_config_ms(loaded, "timeout"), ag_config_ms(fresh, "timeout"));
	assert_string_equal(ag_config_str(loaded, "guardian_api_key_env"), "OPENAI_API_KEY");
	assert_true(ag_config_bool(loaded, "bell"));
	assert_string_equal(ag_config_str(loaded, "theme"), "default");
	ag_config_free(&loaded);
	ag_config_free(&fresh);
	free(cpath);
	free(text);
}

static void
test_default_path(void **state)
{
	char *old_xdg = getenv("XDG_CONFIG_HOME") ? xstrdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *old_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	char *p = ag_config_default_path();
	assert_string_equal(p, "/x/cfg/agate/config");
	free(p);

	/* XDG: a relative path is ignored. */
	setenv("XDG_CONFIG_HOME", "rel/cfg", 1);
	setenv("HOME", "/home/u", 1);
	p = ag_config_default_path();
	assert_string_equal(p, "/home/u/.config/agate/config");
	free(p);

	unsetenv("XDG_CONFIG_HOME");
	p = ag_config_default_path();
	assert_string_equal(p, "/home/u/.config/agate/config");
	free(p);

	if (old_xdg != NULL)
		setenv("XDG_CONFIG_HOME", old_xdg, 1);
	if (old_home != NULL)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_error_unknown_key),
	    cmocka_unit_test(test_error_values),
	    cmocka_unit_test(test_error_syntax),
	    cmocka_unit_test(test_error_bounds),
	    cmocka_unit_test(test_set_overrides),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_print_defaults_round_trip),
	    cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
