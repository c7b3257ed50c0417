/* The Guardian's review engine: review jobs in, judgements out, driven by
 * one poll() loop the caller shares (the bus descriptor rides along).
 *
 *   submit(job) -> [cache hit?] -> queue -> attempt (HTTP) -> parse -> judge
 *                                   ^   retry after jittered backoff   |
 *                                   +---- (timeout, 429, 5xx) ---------+
 *
 * Robustness and cost, as issue 5 asks:
 * - a deadline per review, all attempts included; each attempt may use half
 *   of the time left, the last one all of it;
 * - bounded retries with full-jitter exponential backoff on timeouts, 408,
 *   429 and 5xx, never sooner than the server's Retry-After (and not at all
 *   when Retry-After is past the deadline);
 * - a circuit breaker: after N consecutive failed reviews it opens, reviews
 *   fail at once ("circuit open"), and after a cooldown one probe decides
 *   whether it closes (the cooldown doubles while probes fail);
 * - a concurrency limit on transfers, and a bounded queue;
 * - a verdict cache keyed by the normalized action (ag_request_action_key),
 *   the cwd, and a hash of everything that shapes the answer (policy,
 *   provider, model, prompt version). A hit is judged again with the
 *   current facts, so agate's invariants never come from the cache.
 *
 * Every failure ends as AG_JUDGE_FAILED with a reason ("review failed:
 * HTTP 503 after 3 attempts"), never as an approval. */
#ifndef AGATE_REVIEWER_GUARDIAN_H
#define AGATE_REVIEWER_GUARDIAN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/request.h"
#include "core/risk.h"
#include "reviewer/guardian_provider.h"
#include "reviewer/guardian_verdict.h"

struct ag_guardian_config {
	struct ag_provider_options api; /* strings are copied */
	const char *policy;             /* copied */
	int64_t timeout_ms;             /* deadline per review: 30 s */
	int max_attempts;               /* 3 */
	int64_t backoff_base_ms;        /* 500 */
	int64_t backoff_max_ms;         /* 8000 */
	int max_inflight;               /* 4 */
	int max_queue;                  /* 256 */
	int breaker_failures;           /* consecutive failed reviews that open it: 5 */
	int64_t breaker_cooldown_ms;    /* 30 s, doubling to 5 min */
	size_t cache_entries;           /* 1024; 0: no cache */
	int64_t cache_ttl_ms;           /* 1 h */
	size_t max_response;            /* HTTP body bytes: 256 KiB */
};
void ag_guardian_config_default(struct ag_guardian_config *c);

struct ag_review_job {
	const struct ag_request *req;
	const struct ag_risk *risk;
	const char *rule; /* may be NULL */
	int needs_human;
	int rule_denied;
	int rule_ask;         /* an ask rule matched (also read from rule: "ask ...") */
	const cJSON *history; /* recent decisions of the session, or NULL */
	int fresh;            /* skip the cache: a human asked for this review */
	void *tag;            /* handed back with the result */
};

enum ag_circuit { AG_CIRCUIT_CLOSED, AG_CIRCUIT_OPEN, AG_CIRCUIT_HALF_OPEN };
const char *ag_circuit_name(enum ag_circuit c);

struct ag_review_result {
	void *tag;
	char id[AG_ID_MAX + 1];
	enum ag_judgement judgement;
	int have_verdict;
	struct ag_verdict verdict;     /* when have_verdict */
	enum ag_level effective_level; /* higher of the engine's and the model's */
	char why[320];                 /* the judgement's reason, or why it failed */
	char model[128];
	enum ag_provider provider;
	int64_t latency_ms;
	int64_t tokens_in, tokens_out;
	int attempts; /* HTTP requests made for it */
	int cached;
	enum ag_circuit circuit; /* the breaker when the result was made */
};
void ag_review_result_clear(struct ag_review_result *r);
/* The "review" object of a review frame: the verdict's fields (when there
 * is one), "verdict" (allow/deny/failed), "reason", "error" ("review failed:
 * why", only when failed), "model", "provider", "latency_ms", "tokens_in",
 * "tokens_out", "attempts", "cached", "circuit". Caller owns. */
cJSON *ag_review_result_to_json(const struct ag_review_result *r);

struct ag_guardian_stats {
	int64_t submitted, completed, model_calls, cache_hits, failed, retries;
	int64_t tokens_in, tokens_out;
};

struct ag_guardian;

/* Fails on a configuration that cannot work (no model, bad base URL). */
int ag_guardian_new(const struct ag_guardian_config *cfg, struct ag_guardian **out,
                    struct ag_error *err);
void ag_guardian_free(struct ag_guardian **g);

/* Queues a review; the prompt is built now, from the job as it is. A cache
 * hit, an open circuit or a full queue completes at once (the result waits
 * in ag_guardian_next_result). Returns -1 only for a job that cannot be
 * reviewed at all (err says why). */
int ag_guardian_submit(struct ag_guardian *g, const struct ag_review_job *job,
                       struct ag_error *err);
/* Forgets the job with this tag (its request was decided elsewhere): no
 * result will come. */
void ag_guardian_cancel(struct ag_guardian *g, void *tag);

/* Drives everything: starts due attempts, waits at most timeout_ms for the
 * network, a backoff timer or one of the caller's descriptors (revents
 * filled in). Returns how many caller descriptors are ready, or -1. */
int ag_guardian_poll(struct ag_guardian *g, struct pollfd *extra, int nextra, int timeout_ms);
/* 1 and *out (caller clears) for the next finished review; 0 when none. */
int ag_guardian_next_result(struct ag_guardian *g, struct ag_review_result *out);
/* Jobs queued or in flight. */
int ag_guardian_pending(const struct ag_guardian *g);

/* One review, synchronously (submit, poll until its result). */
int ag_guardian_review(struct ag_guardian *g, const struct ag_review_job *job,
                       struct ag_review_result *out, struct ag_error *err);

enum ag_circuit ag_guardian_circuit(const struct ag_guardian *g, int64_t *retry_in_ms);
void ag_guardian_get_stats(const struct ag_guardian *g, struct ag_guardian_stats *out);
/* The hash of what shapes an answer, as 16 hex digits (for logs). */
const char *ag_guardian_policy_hash(const struct ag_guardian *g);

#endif
