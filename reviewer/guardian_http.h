/* The Guardian's HTTP transport: libcurl's multi interface behind a small
 * seam, so the review engine is one poll()-driven loop (no threads) and the
 * tests drive it against a real server on 127.0.0.1.
 *
 * Every exchange is bounded: a total timeout, a connect timeout, and a
 * maximum response size enforced in the write callback (an oversized answer
 * aborts the transfer, it is never buffered). Errors are classified so the
 * engine can decide what to retry, and their text is scrubbed of the secret
 * the caller names (curl's error buffer can echo URLs and hosts). */
#ifndef AGATE_REVIEWER_GUARDIAN_HTTP_H
#define AGATE_REVIEWER_GUARDIAN_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum ag_http_outcome {
	AG_HTTP_OK,        /* a complete response arrived (any status) */
	AG_HTTP_TIMEOUT,   /* the transfer's deadline passed */
	AG_HTTP_CONNECT,   /* refused, unreachable, DNS */
	AG_HTTP_TLS,       /* handshake or certificate */
	AG_HTTP_TRUNCATED, /* the body was cut before its announced end */
	AG_HTTP_OVERSIZED, /* the body passed max_response */
	AG_HTTP_FAILED,    /* anything else curl reports */
	AG_HTTP_CANCELLED, /* ag_http_cancel */
};
const char *ag_http_outcome_name(enum ag_http_outcome o);

struct ag_http_request {
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated; may hold the secret */
	const char *body;           /* POSTed; NULL: GET */
	size_t body_len;
	int64_t timeout_ms;  /* total, > 0 */
	size_t max_response; /* body bytes; 0: 1 MiB */
	const char *secret;  /* scrubbed from error text; may be NULL */
	void *tag;           /* returned with the response */
};

struct ag_http_response {
	enum ag_http_outcome outcome;
	long status; /* HTTP status, 0 when none arrived */
	char *body;  /* owned, NUL-terminated; what arrived, may be partial */
	size_t len;
	int64_t retry_after_ms; /* from Retry-After (seconds or HTTP date); -1: none */
	int64_t elapsed_ms;
	char error[256]; /* for outcome != OK: one line, scrubbed */
	void *tag;
};
void ag_http_response_clear(struct ag_http_response *r);

struct ag_http;

/* libcurl's global init happens here once. Caller frees with ag_http_free,
 * which aborts transfers still running. */
struct ag_http *ag_http_new(void);
void ag_http_free(struct ag_http **h);

/* Starts an exchange (copies everything it needs). Returns 0, or -1 when
 * curl refused to set it up (err says why). */
int ag_http_start(struct ag_http *h, const struct ag_http_request *req, struct ag_error *err);
/* Transfers running. */
int ag_http_running(const struct ag_http *h);
/* Aborts the exchange with this tag; it completes as AG_HTTP_CANCELLED. */
void ag_http_cancel(struct ag_http *h, void *tag);

/* Drives transfers: waits at most timeout_ms for network activity or for
 * one of the caller's descriptors (revents filled in, as poll() does).
 * Returns how many of the caller's descriptors are ready, or -1 on error. */
int ag_http_poll(struct ag_http *h, struct pollfd *extra, int nextra, int timeout_ms);
/* Returns 1 and fills *out (caller clears) for the next finished exchange;
 * 0 when none is finished. */
int ag_http_next_done(struct ag_http *h, struct ag_http_response *out);

/* Replaces, in place, every occurrence in msg of secret and of any run of
 * 8 or more of its bytes with "[redacted]" (truncating if needed), so an
 * echoed or partly masked key cannot leak. */
void ag_http_scrub(char *msg, size_t size, const char *secret);

#endif
