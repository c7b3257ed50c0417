/* Secret-shaped text: private key blocks, provider token shapes (AWS,
 * GitHub, GitLab, Slack, OpenAI/Anthropic, Stripe, Google, npm, Hugging
 * Face), chat webhook URLs, and high-entropy literals assigned to names like
 * *secret*, *token*, *password*. One pass over the bytes, for patch lines,
 * mcp arguments and URLs alike. */
#ifndef AGATE_REVIEWER_SECRETS_H
#define AGATE_REVIEWER_SECRETS_H

#include <stddef.h>

struct ag_secret_hit {
	size_t start, end; /* byte range in the scanned text */
	int score;
	const char *what; /* static: "AWS access key id", ... */
};

/* Scans len bytes of s; writes up to max hits and returns how many it wrote. */
size_t ag_secrets_scan(const char *s, size_t len, struct ag_secret_hit *hits, size_t max);

/* Shannon entropy of the bytes, in bits per byte. */
double ag_entropy(const char *s, size_t len);

#endif
