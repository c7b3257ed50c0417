/* Unified diffs for the hook adapters: the agents describe edits as
 * old/new strings (Claude's Edit, MultiEdit), as whole new contents (Write)
 * or in Codex's `*** Begin Patch` format. agate shows and scores unified
 * diffs, so the adapters turn each of those into one, reading the file on
 * disk (bounded, regular files only) where line numbers need it. */
#ifndef AGATE_CMD_UDIFF_H
#define AGATE_CMD_UDIFF_H

#include <stddef.h>

#include "core/error.h"

#define UDIFF_CONTEXT 3

/* A growable byte string; always NUL-terminated after the first append. */
struct udiff_buf {
	char *s;
	size_t len, cap;
};
void udiff_buf_add(struct udiff_buf *b, const char *s, size_t len);
void udiff_buf_str(struct udiff_buf *b, const char *s);
/* Takes the string (never NULL: "" when empty); the buffer is reset. */
char *udiff_buf_take(struct udiff_buf *b);

/* The diff from a to b, with ---/+++ headers old_label/new_label (pass
 * "/dev/null" for a created or deleted file) and 3 lines of context. Equal
 * texts give the two header lines and no hunk. Caller frees. */
char *udiff_make(const char *old_label, const char *new_label, const char *a, size_t alen,
                 const char *b, size_t blen);

/* Reads a regular file of at most max bytes (O_NOFOLLOW is not used: repos
 * hold symlinks; FIFOs and devices are refused without blocking). Returns 1
 * with *out (caller frees, NUL-terminated) and *len, 0 when the file does not
 * exist, -1 with err otherwise (too large, not a regular file, unreadable). */
int udiff_read_file(const char *path, size_t max, char **out, size_t *len, struct ag_error *err);

/* The path shown in a diff header for path, relative to cwd when it lies
 * inside it ("src/x.c"), else as given. Caller frees. */
char *udiff_display_path(const char *cwd, const char *path);

/* Codex's apply_patch body to a unified diff. Paths in the patch are
 * relative to cwd (or absolute). Files are read (at most max_read bytes each)
 * to place hunks; a hunk whose place cannot be found keeps "@@ -1" line
 * numbers and says so after the @@. On success *diff and *files (a
 * NULL-terminated array of the paths it touches, display form) are owned by
 * the caller. Returns -1 with err when the body is not a well-formed patch
 * (the caller then carries the text itself). */
int udiff_from_apply_patch(const char *patch, size_t len, const char *cwd, size_t max_read,
                           char **diff, char ***files, size_t *nfiles, struct ag_error *err);

void udiff_files_free(char ***files, size_t nfiles);

#endif
