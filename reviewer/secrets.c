/* Token shapes are checked only where a word starts, and assignments only
 * where a word that names a secret is followed by '=' or ':', so the cost is
 * one pass over the bytes plus a few comparisons per word. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "reviewer/secrets.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define MAX_VALUE 512

static int
word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-';
}

static int
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

/* Count of bytes from s matching alnum (and '_'/'-' when loose). */
static size_t
run(const char *s, size_t len, int loose)
{
	size_t i = 0;
	while (i < len && (isalnum((unsigned char)s[i]) || (loose && (s[i] == '_' || s[i] == '-'))))
		i++;
	return i;
}

double
ag_entropy(const char *s, size_t len)
{
	size_t counts[256] = {0};
	double h = 0;
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		counts[(unsigned char)s[i]]++;
	for (int c = 0; c < 256; c++)
		if (counts[c] > 0) {
			double p = (double)counts[c] / (double)len;
			h -= p * log2(p);
		}
	return h;
}

/* Character classes present: lower, upper, digit (bit set). */
static int
classes(const char *s, size_t len)
{
	int m = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (islower(c))
			m |= 1;
		else if (isupper(c))
			m |= 2;
		else if (isdigit(c))
			m |= 4;
	}
	return m;
}

static int
popcount3(int m)
{
	return (m & 1) + ((m >> 1) & 1) + ((m >> 2) & 1);
}

/* A provider token at s (a word start). Returns its length and sets what. */
static size_t
token_shape(const char *s, size_t len, int *score, const char **what)
{
	size_t n;
	/* Every shape starts with one of these bytes; most words stop here. */
	switch (s[0]) {
	case 'A':
	case 'g':
	case 'x':
	case 's':
	case 'r':
	case 'n':
	case 'h': break;
	default: return 0;
	}
	if ((starts(s, len, "AKIA") || starts(s, len, "ASIA")) && len >= 20) {
		size_t k = 4;
		while (k < 20 && (isupper((unsigned char)s[k]) || isdigit((unsigned char)s[k])))
			k++;
		/* AWS's documented example keys end in EXAMPLE. */
		if (k == 20 && (len == 20 || !isalnum((unsigned char)s[20])) &&
		    memcmp(s + 13, "EXAMPLE", 7) != 0) {
			*score = 80;
			*what = "AWS access key id";
			return 20;
		}
	}
	if (len > 4 && s[0] == 'g' && s[1] == 'h' && strchr("pousr", s[2]) != NULL && s[3] == '_') {
		n = run(s + 4, len - 4, 0);
		if (n >= 30) {
			*score = 85;
			*what = "GitHub token";
			return 4 + n;
		}
	}
	if (starts(s, len, "github_pat_") && (n = run(s + 11, len - 11, 1)) >= 40) {
		*score = 85;
		*what = "GitHub token";
		return 11 + n;
	}
	if (starts(s, len, "glpat-") && (n = run(s + 6, len - 6, 1)) >= 20) {
		*score = 85;
		*what = "GitLab token";
		return 6 + n;
	}
	if (len > 5 && starts(s, len, "xox") && strchr("abporse", s[3]) != NULL && s[4] == '-' &&
	    (n = run(s + 5, len - 5, 1)) >= 10) {
		*score = 85;
		*what = "Slack token";
		return 5 + n;
	}
	if (starts(s, len, "sk-") && (n = run(s + 3, len - 3, 1)) >= 20 &&
	    popcount3(classes(s + 3, n)) >= 2 && ag_entropy(s + 3, n) >= 3.5) {
		*score = 85;
		*what = "OpenAI or Anthropic API key";
		return 3 + n;
	}
	if ((starts(s, len, "sk_live_") || starts(s, len, "rk_live_")) &&
	    (n = run(s + 8, len - 8, 0)) >= 20) {
		*score = 85;
		*what = "Stripe live key";
		return 8 + n;
	}
	if (starts(s, len, "AIza") && (n = run(s + 4, len - 4, 1)) >= 35) {
		*score = 75;
		*what = "Google API key";
		return 4 + n;
	}
	if (starts(s, len, "npm_") && (n = run(s + 4, len - 4, 0)) >= 36) {
		*score = 80;
		*what = "npm token";
		return 4 + n;
	}
	if (starts(s, len, "hf_") && (n = run(s + 3, len - 3, 0)) >= 30 &&
	    popcount3(classes(s + 3, n)) >= 2) {
		*score = 75;
		*what = "Hugging Face token";
		return 3 + n;
	}
	return 0;
}

/* Whether a (lowercased on the fly) word names a secret. */
static int
secret_name(const char *s, size_t len)
{
	static const char *const names[] = {"secret",     "token",      "passw",      "apikey",
	                                    "api_key",    "access_key", "accesskey",  "private_key",
	                                    "privatekey", "auth_key",   "credential", "signing_key",
	                                    NULL};
	char low[64];
	if (len < 5 || len >= sizeof low)
		return 0;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[len] = '\0';
	for (size_t i = 0; names[i] != NULL; i++)
		if (strstr(low, names[i]) != NULL)
			return 1;
	return 0;
}

static int
placeholder(const char *s, size_t len)
{
	static const char *const words[] = {"xxxx",   "changeme",    "change_me", "example", "your",
	                                    "dummy",  "placeholder", "redacted",  "****",    "test",
	                                    "fake",   "sample",      "replace",   "insert",  "todo",
	                                    "secret", "password",    "token",     NULL};
	char low[MAX_VALUE + 1];
	if (len > MAX_VALUE)
		return 0;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[len] = '\0';
	for (size_t i = 0; words[i] != NULL; i++)
		if (strstr(low, words[i]) != NULL)
			return 1;
	return 0;
}

static int
value_char(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-' || c == '.' ||
	       c == '~' || c == '!' || c == '@' || c == '#' || c == '%' || c == '^' || c == '*';
}

/* After a secret-naming word ending at s: `  = "value"`, `: 'value'`,
 * `:= "..."`, `=> "..."`, `=value`. Returns 1 and the value's range when
 * it looks like a real literal secret rather than code or a placeholder. */
static int
assignment(const char *s, size_t len, size_t *vstart, size_t *vend)
{
	size_t i = 0;
	char quote = 0;
	if (i < len && (s[i] == '"' || s[i] == '\''))
		i++; /* "API_KEY": ... in JSON/YAML */
	while (i < len && s[i] == ' ')
		i++;
	if (i < len && s[i] == ':' && i + 1 < len && s[i + 1] == '=')
		i += 2;
	else if (i < len && s[i] == '=' && i + 1 < len && s[i + 1] == '>')
		i += 2;
	else if (i < len && (s[i] == '=' || s[i] == ':'))
		i++;
	else
		return 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < len && (s[i] == '"' || s[i] == '\'' || s[i] == '`'))
		quote = s[i++];
	size_t start = i;
	while (i < len && i - start <= MAX_VALUE && value_char((unsigned char)s[i]))
		i++;
	size_t n = i - start;
	if (quote != 0 && (i >= len || s[i] != quote))
		return 0; /* not a plain literal: interpolation, a call, a space */
	if (n < 12 || n > MAX_VALUE)
		return 0;
	int cls = classes(s + start, n);
	if (quote == 0 && (!(cls & 4) || !(cls & 3)))
		return 0; /* unquoted: an identifier or expression unless letters and digits */
	if (popcount3(cls) < 2 || ag_entropy(s + start, n) < 3.3 || placeholder(s + start, n))
		return 0;
	*vstart = start;
	*vend = i;
	return 1;
}

static size_t
push(struct ag_secret_hit *hits, size_t nhits, size_t max, size_t start, size_t end, int score,
     const char *what)
{
	if (nhits < max) {
		hits[nhits].start = start;
		hits[nhits].end = end;
		hits[nhits].score = score;
		hits[nhits].what = what;
		return nhits + 1;
	}
	return nhits;
}

size_t
ag_secrets_scan(const char *s, size_t len, struct ag_secret_hit *hits, size_t max)
{
	size_t nhits = 0;
	size_t i = 0;

	while (i < len && nhits < max) {
		unsigned char c = (unsigned char)s[i];
		if (c == '-' && starts(s + i, len - i, "-----BEGIN ")) {
			const char *eol = memchr(s + i, '\n', len - i);
			size_t span = eol != NULL ? (size_t)(eol - (s + i)) : len - i;
			const char *end = memmem(s + i, span, "PRIVATE KEY", 11);
			if (end != NULL) {
				nhits = push(hits, nhits, max, i, (size_t)(end - s) + 11, 90,
				             "private key block");
				i += span;
				continue;
			}
		}
		if (c == 'h' && (starts(s + i, len - i, "hooks.slack.com/services/T") ||
		                 starts(s + i, len - i, "hooks.slack.com/workflows/"))) {
			size_t n = 16 + run(s + i + 16, len - i - 16, 1);
			nhits = push(hits, nhits, max, i, i + n, 75, "Slack webhook URL");
			i += n;
			continue;
		}
		if (!word_char(c) || (i > 0 && word_char((unsigned char)s[i - 1]))) {
			i++;
			continue;
		}
		/* A word starts here. */
		int score;
		const char *what;
		size_t n = token_shape(s + i, len - i, &score, &what);
		if (n > 0) {
			nhits = push(hits, nhits, max, i, i + n, score, what);
			i += n;
			continue;
		}
		size_t w = 0;
		while (i + w < len && word_char((unsigned char)s[i + w]))
			w++;
		/* Only a word followed by '=' or ':' (after a closing quote and
		 * spaces) can be a name being assigned; look no further otherwise. */
		size_t k = i + w, vs, ve;
		if (k < len && (s[k] == '"' || s[k] == '\''))
			k++;
		while (k < len && s[k] == ' ')
			k++;
		if (k < len && (s[k] == '=' || s[k] == ':') && secret_name(s + i, w) &&
		    assignment(s + i + w, len - i - w, &vs, &ve)) {
			nhits = push(hits, nhits, max, i + w + vs, i + w + ve, 70,
			             "high-entropy value assigned to a secret name");
			i += w + ve;
			continue;
		}
		i += w > 0 ? w : 1;
	}
	return nhits;
}
