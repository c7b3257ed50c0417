/* What the Guardian needs from outside before it can run: its mode, the
 * policy text and the API key.
 *
 * The policy: a file named by the caller, else policy.txt in agate's data
 * directory ($AGATE_DATADIR, else the installed pkgdatadir), else the copy
 * compiled in from reviewer/policy.txt — so a missing install never leaves
 * the Guardian without a policy.
 *
 * The key (promise 5 of DESIGN.md): from the environment variable the
 * config names, else from a file that must be a regular file owned by the
 * user with no group or other permissions (mode 0600 or 0400), read without
 * following a symlink. Error messages name the variable or the file and the
 * problem, never a byte of the key. */
#ifndef AGATE_REVIEWER_GUARDIAN_CONFIG_H
#define AGATE_REVIEWER_GUARDIAN_CONFIG_H

#include <stddef.h>

#include "core/error.h"
#include "reviewer/guardian_provider.h"

#define AG_GUARDIAN_MODES(X) \
	X(OFF, "off")        \
	X(ADVISE, "advise")  \
	X(AUTO, "auto")

#define AG_ENUM_GMODE(name, str) AG_GMODE_##name,
enum ag_guardian_mode { AG_GUARDIAN_MODES(AG_ENUM_GMODE) AG_GMODE_COUNT };
#undef AG_ENUM_GMODE

const char *ag_guardian_mode_name(enum ag_guardian_mode m);
int ag_guardian_mode_parse(const char *name); /* -1 when unknown */

#define AG_POLICY_MAX (64 * 1024)
#define AG_KEY_MAX    4096

/* reviewer/policy.txt, compiled in (reviewer/guardian_policy_text.c is
 * generated from it by the build). */
extern const char ag_guardian_default_policy[];

/* Loads the policy text (see above). *source (caller frees) names where it
 * came from: the path, or "built-in". Fails only when an explicit path
 * cannot be read or is not valid text. Caller frees the result. */
char *ag_guardian_policy_load(const char *path, char **source, struct ag_error *err);

/* Finds the API key. Returns 1 and *key (free with ag_guardian_key_free)
 * when there is one; 0 when none is configured (why says what to set);
 * -1 when a configured key is refused (err says why: a file with group or
 * other permissions, owned by someone else, a symlink, too large, or a key
 * with spaces or control characters). For the anthropic provider the
 * default variable OPENAI_API_KEY is read as ANTHROPIC_API_KEY, so an
 * OpenAI key is never sent to another vendor by default. */
int ag_guardian_key_load(const char *env_name, const char *file, enum ag_provider provider,
                         char **key, char *why, size_t whysize, struct ag_error *err);
/* Wipes and frees; sets *key to NULL. */
void ag_guardian_key_free(char **key);

#endif
