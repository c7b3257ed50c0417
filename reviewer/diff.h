/* A unified-diff reader for untrusted input: git's extended headers, plain
 * `diff -u`, and the `*** Begin Patch` format Codex's apply_patch sends.
 *
 * It never fails. Every line gets a kind, and anything it cannot make sense
 * of is AG_DIFF_OTHER, so the scorer and the console see all of the text,
 * never a parse error an agent could hide behind. Hunk line counts are
 * honoured, so "--- x" inside a hunk is a deletion, not a new file. Bounded:
 * at most AG_DIFF_MAX_FILES file entries (later headers fold into the last
 * one and set `truncated`) and AG_DIFF_MAX_PATH bytes of each path.
 *
 * The console reuses it to colour a patch: pass a line callback. */
#ifndef AGATE_REVIEWER_DIFF_H
#define AGATE_REVIEWER_DIFF_H

#include <stddef.h>

#define AG_DIFF_MAX_FILES 10000
#define AG_DIFF_MAX_PATH  4096

enum ag_diff_kind {
	AG_DIFF_OTHER,   /* commentary, mail headers, anything unrecognised */
	AG_DIFF_HEADER,  /* diff --git, index, ---/+++, modes, renames, *** Update File: */
	AG_DIFF_HUNK,    /* @@ -1,3 +1,4 @@ */
	AG_DIFF_CONTEXT, /* " line" */
	AG_DIFF_ADD,     /* "+line" */
	AG_DIFF_DEL,     /* "-line" */
	AG_DIFF_NOEOL,   /* "\ No newline at end of file" */
	AG_DIFF_BINARY,  /* "Binary files ... differ", "GIT binary patch" and its data */
};

/* Per-file flags. */
#define AG_DIFF_F_NEW        0x01  /* created (/dev/null, new file mode, *** Add File) */
#define AG_DIFF_F_DELETED    0x02  /* deleted */
#define AG_DIFF_F_RENAMED    0x04  /* rename from/to, *** Move to */
#define AG_DIFF_F_COPIED     0x08  /* copy from/to */
#define AG_DIFF_F_BINARY     0x10  /* binary content */
#define AG_DIFF_F_MODE       0x20  /* a mode is set or changed */
#define AG_DIFF_F_EXEC       0x40  /* the new mode is executable (100755) */
#define AG_DIFF_F_SYMLINK    0x80  /* the new mode is a symlink (120000) */
#define AG_DIFF_F_TRUNC_PATH 0x100 /* a path was cut at AG_DIFF_MAX_PATH */

struct ag_diff_file {
	char *old_path; /* owned; NULL when absent or /dev/null; a/ prefix stripped */
	char *new_path; /* owned; NULL when absent or /dev/null; b/ prefix stripped */
	unsigned flags; /* AG_DIFF_F_* */
	size_t added;   /* "+" lines */
	size_t removed; /* "-" lines */
	size_t line;    /* 1-based diff line of the file's first header */
};

struct ag_diff {
	struct ag_diff_file *files; /* owned array */
	size_t nfiles;
	size_t lines; /* lines in the text (a last line without '\n' counts) */
	size_t added, removed;
	int truncated; /* more than AG_DIFF_MAX_FILES file headers */
};

/* Called for every line, in order: lineno is 1-based; text/len is the line
 * without its '\n' (a trailing '\r' is kept); file is the index into
 * diff->files, or -1 before the first file. For ADD/DEL/CONTEXT lines the
 * text still starts with the marker. */
typedef void (*ag_diff_line_fn)(void *ctx, const struct ag_diff *diff, size_t lineno,
                                enum ag_diff_kind kind, int file, const char *text, size_t len);

/* Reads len bytes of text (need not be NUL-terminated; NULs are data).
 * fn may be NULL. out is overwritten; free it with ag_diff_clear. */
void ag_diff_parse(const char *text, size_t len, struct ag_diff *out, ag_diff_line_fn fn,
                   void *ctx);
void ag_diff_clear(struct ag_diff *diff);

/* The path a file is best known by: new_path, else old_path, else "". */
const char *ag_diff_file_path(const struct ag_diff_file *file);
const char *ag_diff_kind_name(enum ag_diff_kind kind);

#endif
