/* Running a sibling program: `agate` and `agate-net` are installed side
 * by side, and each hands the other the commands it does not link (see
 * cmd/commands.h). */
#ifndef AGATE_CMD_SIBLING_H
#define AGATE_CMD_SIBLING_H

#include <stddef.h>

/* Replaces this process with PROGRAM (a bare name: "agate-net"), run with
 * argv (argv[0] is replaced by the path found; the rest passes through
 * unchanged, so exit status and signals are the sibling's own). PROGRAM
 * is looked for next to /proc/self/exe first (an in-tree build, the
 * tests, a relocated install), then in the configured bindir. Returns
 * only when neither can be run, after printing
 *   "agate CMD needs PROGRAM (not found next to SELF or in BINDIR): reinstall agate"
 * (self_name is how this program is named there: "agate", "agate-net"),
 * with 2, the exit status of a usage error. */
int ag_exec_sibling(const char *self_name, const char *program, char **argv);

/* Where ag_exec_sibling would find PROGRAM: 0 with its path in out when an
 * executable file is there, else -1 (out then names the places looked
 * in, for a message). */
int ag_sibling_find(const char *program, char *out, size_t size);

#endif
