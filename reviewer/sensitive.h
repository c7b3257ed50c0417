/* What makes a path or a host worth a second look, shared by the patch,
 * mcp, permission and network scorers so they agree: shell start-up files,
 * ~/.ssh, git hooks, the agent's own configuration, CI, /etc, credential
 * stores; paste sites, webhook catchers and tunnels. */
#ifndef AGATE_REVIEWER_SENSITIVE_H
#define AGATE_REVIEWER_SENSITIVE_H

#include <stddef.h>

#define AG_ACCESS_READ  1
#define AG_ACCESS_WRITE 2

struct ag_path_hit {
	int score;           /* 0..100 for the access asked about */
	unsigned categories; /* AG_CATEGORY(...) bits */
	const char *what;    /* static text: "shell start-up file", ... */
};

/* Whether path (len bytes, need not be NUL-terminated) is sensitive for the
 * access (AG_ACCESS_* bits; the higher score of the two wins). Returns 1 and
 * fills *hit, or 0. Relative paths are taken as inside the workspace; "~",
 * $HOME, /home/USER, /root and /Users/USER as the home directory. */
int ag_sensitive_path(const char *path, size_t len, unsigned access, struct ag_path_hit *hit);

/* Whether a relative path climbs out of its base ("../x", "a/../../x"), or
 * the path is absolute or in the home directory. */
int ag_path_escapes(const char *path, size_t len);

/* What an exfiltration-friendly host is ("paste site", "webhook catcher",
 * "tunnel", "file drop", "chat webhook"), matched on the name and its
 * parents (case-insensitive, trailing dot ignored), or NULL. */
const char *ag_sensitive_host(const char *host, size_t len);

/* Whether host is a well-known development service (code hosts, package
 * registries, model APIs) where reads are routine. */
int ag_trusted_host(const char *host, size_t len);

#endif
