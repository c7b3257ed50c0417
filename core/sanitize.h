/* The one choke point for untrusted text (promise 4 of DESIGN.md).
 *
 * Everything an agent sent passes through here before it reaches a terminal,
 * a log line or a prompt. UTF-8 is decoded strictly; C0/C1 controls, DEL,
 * ESC sequences, bidi overrides and isolates, zero-width and other format
 * characters, and invalid bytes become visible badges ("^[", "<U+202E>",
 * "<\xff>") — never emitted, never silently dropped. */
#ifndef AGATE_CORE_SANITIZE_H
#define AGATE_CORE_SANITIZE_H

#include <stddef.h>

/* A single display line: newlines, tabs and CRs are badges too.
 * Returns a newly allocated, valid UTF-8 string; caller frees. */
char *ag_sanitize_line(const char *s, size_t len);

#endif
