#include "reviewer/guardian.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "reviewer/guardian_cache.h"
#include "reviewer/guardian_http.h"
#include "reviewer/guardian_prompt.h"

#define BREAKER_COOLDOWN_MAX_MS (5 * 60 * 1000)

/* A review waiting for, or in, an attempt. */
struct job {
	void *tag;
	char id[AG_ID_MAX + 1];
	char *cache_key;
	struct ag_guard_facts facts;
	struct ag_provider_call call;
	int64_t start_ms, deadline_ms, next_try_ms;
	int attempts;
	int in_flight;
	int probe;     /* this attempt is the half-open circuit's probe */
	int cancelled; /* forget it when its transfer comes back */
	int64_t tokens_in, tokens_out;
	char last_error[320];
	struct job *next;
};

struct result_node {
	struct ag_review_result r;
	struct result_node *next;
};

struct ag_guardian {
	struct ag_guardian_config cfg;
	char *policy, *base_url, *model, *api_key; /* our copies */
	char hash_hex[17];
	struct ag_http *http;
	struct ag_verdict_cache *cache;
	struct job *jobs, **jobs_tail;
	int njobs, inflight;
	struct result_node *results, **results_tail;
	enum ag_circuit circuit;
	int consecutive_failures;
	int64_t open_until_ms, cooldown_ms;
	int probe_inflight;
	uint64_t rng;
	struct ag_guardian_stats stats;
};

const char *
ag_circuit_name(enum ag_circuit c)
{
	switch (c) {
	case AG_CIRCUIT_CLOSED: return "closed";
	case AG_CIRCUIT_OPEN: return "open";
	case AG_CIRCUIT_HALF_OPEN: return "half-open";
	}
	return "closed";
}

void
ag_guardian_config_default(struct ag_guardian_config *c)
{
	memset(c, 0, sizeof *c);
	c->api.provider = AG_PROVIDER_OPENAI;
	c->api.schema = 1;
	c->timeout_ms = 30000;
	c->max_attempts = 3;
	c->backoff_base_ms = 500;
	c->backoff_max_ms = 8000;
	c->max_inflight = 4;
	c->max_queue = 256;
	c->breaker_failures = 5;
	c->breaker_cooldown_ms = 30000;
	c->cache_entries = 1024;
	c->cache_ttl_ms = 3600 * 1000;
	c->max_response = 256 * 1024;
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static uint64_t
rng_next(struct ag_guardian *g)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * UINT64_C(2685821657736338717);
}

static void
compute_hash(struct ag_guardian *g)
{
	char version[32];
	snprintf(version, sizeof version, "v%d/%d/%d", AG_PROMPT_VERSION, g->cfg.api.schema,
	         g->cfg.api.provider);
	uint64_t h = AG_HASH64_SEED;
	const char *parts[] = {g->policy, version, g->model, g->base_url};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		const char *p = parts[i] ? parts[i] : "";
		h = ag_hash64(p, strlen(p) + 1, h); /* the NUL separates the parts */
	}
	snprintf(g->hash_hex, sizeof g->hash_hex, "%016" PRIx64, h);
}

int
ag_guardian_new(const struct ag_guardian_config *cfg, struct ag_guardian **out,
                struct ag_error *err)
{
	*out = NULL;
	if (cfg->api.model == NULL || *cfg->api.model == '\0')
		return ag_fail(err, "guardian_model: no model configured (set guardian_model or "
		                    "--model)");
	const char *base = cfg->api.base_url && *cfg->api.base_url
	                       ? cfg->api.base_url
	                       : ag_provider_default_base_url(cfg->api.provider);
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
		return ag_fail(err, "guardian_base_url: expected an http:// or https:// URL");
	if (cfg->timeout_ms <= 0 || cfg->max_attempts <= 0 || cfg->max_inflight <= 0 ||
	    cfg->max_queue <= 0)
		return ag_fail(err, "guardian: timeout, attempts, in-flight and queue limits must "
		                    "be positive");
	struct ag_guardian *g = xcalloc(1, sizeof *g);
	g->cfg = *cfg;
	g->policy = xstrdup(cfg->policy ? cfg->policy : "");
	g->base_url = xstrdup(base);
	g->model = xstrdup(cfg->api.model);
	g->api_key = cfg->api.api_key && *cfg->api.api_key ? xstrdup(cfg->api.api_key) : NULL;
	g->cfg.policy = g->policy;
	g->cfg.api.base_url = g->base_url;
	g->cfg.api.model = g->model;
	g->cfg.api.api_key = g->api_key;
	compute_hash(g);
	g->http = ag_http_new();
	g->cache = ag_verdict_cache_new(cfg->cache_entries, cfg->cache_ttl_ms);
	g->jobs_tail = &g->jobs;
	g->results_tail = &g->results;
	g->cooldown_ms = cfg->breaker_cooldown_ms;
	if (getrandom(&g->rng, sizeof g->rng, 0) != (ssize_t)sizeof g->rng)
		g->rng = (uint64_t)ag_clock_mono_ms() ^ ((uint64_t)getpid() << 32);
	g->rng |= 1;
	*out = g;
	return 0;
}

static void
job_free(struct job *j)
{
	free(j->cache_key);
	ag_provider_call_clear(&j->call);
	free(j);
}

void
ag_guardian_free(struct ag_guardian **gp)
{
	struct ag_guardian *g = *gp;
	if (g == NULL)
		return;
	ag_http_free(&g->http); /* aborts transfers still running */
	while (g->jobs) {
		struct job *j = g->jobs;
		g->jobs = j->next;
		job_free(j);
	}
	while (g->results) {
		struct result_node *n = g->results;
		g->results = n->next;
		ag_review_result_clear(&n->r);
		free(n);
	}
	ag_verdict_cache_free(&g->cache);
	free(g->policy);
	free(g->base_url);
	free(g->model);
	wipe_free(g->api_key);
	free(g);
	*gp = NULL;
}

void
ag_review_result_clear(struct ag_review_result *r)
{
	ag_verdict_clear(&r->verdict);
	memset(r, 0, sizeof *r);
	ag_verdict_init(&r->verdict);
}

/* --- results --------------------------------------------------------------- */

static struct ag_review_result *
result_new(struct ag_guardian *g, void *tag, const char *id)
{
	struct result_node *n = xcalloc(1, sizeof *n);
	struct ag_review_result *r = &n->r;
	ag_verdict_init(&r->verdict);
	r->tag = tag;
	snprintf(r->id, sizeof r->id, "%s", id ? id : "");
	snprintf(r->model, sizeof r->model, "%s", g->model);
	r->provider = g->cfg.api.provider;
	r->judgement = AG_JUDGE_FAILED;
	*g->results_tail = n;
	g->results_tail = &n->next;
	g->stats.completed++;
	return r;
}

static void
result_judge(struct ag_guardian *g, struct ag_review_result *r, const struct ag_verdict *v,
             const struct ag_guard_facts *facts)
{
	ag_verdict_copy(&r->verdict, v);
	r->have_verdict = 1;
	r->judgement = ag_verdict_judge(v, facts, r->why, sizeof r->why);
	r->effective_level = ag_verdict_effective_level(v, facts);
	r->circuit = g->circuit;
	if (r->judgement == AG_JUDGE_FAILED)
		g->stats.failed++;
}

static void
result_fail(struct ag_guardian *g, struct ag_review_result *r, const struct ag_guard_facts *facts,
            const char *why)
{
	r->judgement = AG_JUDGE_FAILED;
	r->effective_level = facts->rule_denied ? AG_LEVEL_CRITICAL : facts->local_level;
	snprintf(r->why, sizeof r->why, "%s", why);
	ag_http_scrub(r->why, sizeof r->why, g->api_key);
	r->circuit = g->circuit;
	g->stats.failed++;
}

cJSON *
ag_review_result_to_json(const struct ag_review_result *r)
{
	cJSON *o = r->have_verdict ? ag_verdict_to_json(&r->verdict) : cJSON_CreateObject();
	cJSON_AddStringToObject(o, "verdict", ag_judgement_name(r->judgement));
	cJSON_AddStringToObject(o, "reason", r->why);
	if (r->judgement == AG_JUDGE_FAILED) {
		char *e = xasprintf("review failed: %s", r->why);
		cJSON_AddStringToObject(o, "error", e);
		free(e);
	}
	cJSON_AddStringToObject(o, "model", r->model);
	cJSON_AddStringToObject(o, "provider", ag_provider_name(r->provider));
	cJSON_AddNumberToObject(o, "latency_ms", (double)r->latency_ms);
	cJSON_AddNumberToObject(o, "tokens_in", (double)r->tokens_in);
	cJSON_AddNumberToObject(o, "tokens_out", (double)r->tokens_out);
	cJSON_AddNumberToObject(o, "attempts", r->attempts);
	cJSON_AddBoolToObject(o, "cached", r->cached);
	cJSON_AddStringToObject(o, "circuit", ag_circuit_name(r->circuit));
	return o;
}

int
ag_guardian_next_result(struct ag_guardian *g, struct ag_review_result *out)
{
	struct result_node *n = g->results;
	if (n == NULL)
		return 0;
	g->results = n->next;
	if (g->results == NULL)
		g->results_tail = &g->results;
	*out = n->r;
	free(n);
	return 1;
}

static int
take_result(struct ag_guardian *g, void *tag, struct ag_review_result *out)
{
	for (struct result_node **pp = &g->results; *pp; pp = &(*pp)->next) {
		struct result_node *n = *pp;
		if (n->r.tag != tag)
			continue;
		*pp = n->next;
		if (*pp == NULL)
			g->results_tail = pp;
		*out = n->r;
		free(n);
		return 1;
	}
	return 0;
}

/* --- the circuit breaker --------------------------------------------------- */

static void
breaker_success(struct ag_guardian *g)
{
	g->consecutive_failures = 0;
	g->circuit = AG_CIRCUIT_CLOSED;
	g->cooldown_ms = g->cfg.breaker_cooldown_ms;
}

static void
breaker_failure(struct ag_guardian *g, int64_t now)
{
	g->consecutive_failures++;
	if (g->circuit == AG_CIRCUIT_HALF_OPEN) {
		g->cooldown_ms *= 2;
		if (g->cooldown_ms > BREAKER_COOLDOWN_MAX_MS)
			g->cooldown_ms = BREAKER_COOLDOWN_MAX_MS;
	} else if (g->cfg.breaker_failures <= 0 ||
	           g->consecutive_failures < g->cfg.breaker_failures) {
		return;
	}
	g->circuit = AG_CIRCUIT_OPEN;
	g->open_until_ms = now + g->cooldown_ms;
}

static void
breaker_tick(struct ag_guardian *g, int64_t now)
{
	if (g->circuit == AG_CIRCUIT_OPEN && now >= g->open_until_ms)
		g->circuit = AG_CIRCUIT_HALF_OPEN;
}

enum ag_circuit
ag_guardian_circuit(const struct ag_guardian *g, int64_t *retry_in_ms)
{
	if (retry_in_ms != NULL) {
		int64_t left = g->open_until_ms - ag_clock_mono_ms();
		*retry_in_ms = g->circuit == AG_CIRCUIT_OPEN && left > 0 ? left : 0;
	}
	return g->circuit;
}

static void
circuit_message(struct ag_guardian *g, int64_t now, char *buf, size_t size)
{
	int64_t left = g->open_until_ms - now;
	snprintf(buf, size,
	         "circuit open after %d consecutive failed reviews; next try in %" PRId64 "s",
	         g->consecutive_failures, left > 0 ? (left + 999) / 1000 : 0);
}

/* --- jobs -------------------------------------------------------------------- */

static void
job_unlink(struct ag_guardian *g, struct job *j)
{
	for (struct job **pp = &g->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			if (*pp == NULL)
				g->jobs_tail = pp;
			break;
		}
	g->njobs--;
}

static void
job_result_base(struct ag_guardian *g, struct job *j, struct ag_review_result *r, int64_t now)
{
	r->latency_ms = now - j->start_ms;
	r->tokens_in = j->tokens_in;
	r->tokens_out = j->tokens_out;
	r->attempts = j->attempts;
	g->stats.tokens_in += j->tokens_in;
	g->stats.tokens_out += j->tokens_out;
}

/* Ends a job as failed. counts: the failure says something about the
 * endpoint, so it counts toward opening the circuit. */
static void
job_fail(struct ag_guardian *g, struct job *j, const char *why, int counts, int64_t now)
{
	if (counts)
		breaker_failure(g, now);
	struct ag_review_result *r = result_new(g, j->tag, j->id);
	job_result_base(g, j, r, now);
	result_fail(g, r, &j->facts, why);
	job_unlink(g, j);
	job_free(j);
}

static void
job_succeed(struct ag_guardian *g, struct job *j, const struct ag_verdict *v, int64_t now)
{
	breaker_success(g);
	ag_verdict_cache_put(g->cache, j->cache_key, v, ag_clock_mono_ms());
	struct ag_review_result *r = result_new(g, j->tag, j->id);
	job_result_base(g, j, r, now);
	result_judge(g, r, v, &j->facts);
	job_unlink(g, j);
	job_free(j);
}

static char *
cache_key(const struct ag_guardian *g, const struct ag_request *req)
{
	char *action = ag_request_action_key(req);
	char *key = xasprintf("%s\n%s\n%s", g->hash_hex, req->cwd ? req->cwd : "", action);
	free(action);
	return key;
}

int
ag_guardian_submit(struct ag_guardian *g, const struct ag_review_job *job, struct ag_error *err)
{
	if (job->req == NULL)
		return ag_fail(err, "guardian: a review job needs a request");
	int64_t now = ag_clock_mono_ms();
	g->stats.submitted++;
	struct ag_guard_facts facts = {job->risk ? job->risk->level : AG_LEVEL_LOW,
	                               job->rule_denied, job->rule_ask};
	/* The rule as the hub describes it ("ask exec git push * (file:3)")
	 * says which kind matched when the caller only passed the text. */
	if (job->rule != NULL && strncmp(job->rule, "ask ", 4) == 0)
		facts.rule_ask = 1;
	if (job->needs_human && !facts.rule_denied && !facts.rule_ask &&
	    facts.local_level < AG_LEVEL_CRITICAL)
		facts.rule_denied = 1; /* needs_human without a reason we know: the strictest */
	char *key = cache_key(g, job->req);
	struct ag_verdict cached;
	if (!job->fresh && ag_verdict_cache_get(g->cache, key, now, &cached)) {
		struct ag_review_result *r = result_new(g, job->tag, job->req->id);
		r->cached = 1;
		result_judge(g, r, &cached, &facts);
		ag_verdict_clear(&cached);
		g->stats.cache_hits++;
		free(key);
		return 0;
	}
	breaker_tick(g, now);
	char why[256] = "";
	if (g->circuit == AG_CIRCUIT_OPEN)
		circuit_message(g, now, why, sizeof why);
	else if (g->njobs >= g->cfg.max_queue)
		snprintf(why, sizeof why, "too many reviews waiting (%d)", g->njobs);
	if (why[0] != '\0') {
		struct ag_review_result *r = result_new(g, job->tag, job->req->id);
		result_fail(g, r, &facts, why);
		free(key);
		return 0;
	}

	struct job *j = xcalloc(1, sizeof *j);
	j->tag = job->tag;
	snprintf(j->id, sizeof j->id, "%s", job->req->id);
	j->cache_key = key;
	j->facts = facts;
	j->start_ms = now;
	j->deadline_ms = now + g->cfg.timeout_ms;
	j->next_try_ms = now;
	struct ag_prompt_input in = {
	    .policy = g->policy,
	    .req = job->req,
	    .risk = job->risk,
	    .rule = job->rule,
	    .needs_human = job->needs_human,
	    .history = job->history,
	    .schema = g->cfg.api.schema,
	};
	struct ag_prompt prompt;
	struct ag_error perr;
	int rc = ag_prompt_build(&in, &prompt, &perr);
	if (rc == 0)
		rc = ag_provider_build(&g->cfg.api, &prompt, &j->call, &perr);
	ag_prompt_clear(&prompt);
	if (rc != 0) {
		job_free(j);
		return ag_fail(err, "%s", perr.msg);
	}
	*g->jobs_tail = j;
	g->jobs_tail = &j->next;
	g->njobs++;
	return 0;
}

void
ag_guardian_cancel(struct ag_guardian *g, void *tag)
{
	for (struct job *j = g->jobs; j != NULL; j = j->next) {
		if (j->tag != tag || j->cancelled)
			continue;
		if (j->in_flight) {
			/* Its transfer comes back as cancelled; then it goes. */
			j->cancelled = 1;
			ag_http_cancel(g->http, j);
		} else {
			job_unlink(g, j);
			job_free(j);
		}
		break;
	}
	struct ag_review_result r;
	while (take_result(g, tag, &r))
		ag_review_result_clear(&r);
}

int
ag_guardian_pending(const struct ag_guardian *g)
{
	return g->njobs;
}

/* --- attempts -------------------------------------------------------------- */

static int64_t
backoff_ms(struct ag_guardian *g, int attempts)
{
	int64_t cap = g->cfg.backoff_base_ms;
	for (int i = 1; i < attempts && cap < g->cfg.backoff_max_ms; i++)
		cap *= 2;
	if (cap > g->cfg.backoff_max_ms)
		cap = g->cfg.backoff_max_ms;
	if (cap <= 0)
		return 0;
	/* Equal jitter: half fixed, half random, so a crowd of reviewers
	 * does not come back in step. */
	return cap / 2 + (int64_t)(rng_next(g) % (uint64_t)(cap / 2 + 1));
}

static void
start_attempt(struct ag_guardian *g, struct job *j, int64_t now)
{
	int64_t remaining = j->deadline_ms - now;
	int left = g->cfg.max_attempts - j->attempts;
	int64_t budget = left <= 1 ? remaining : remaining / 2;
	if (budget < 1)
		budget = 1;
	struct ag_http_request req = {
	    .url = j->call.url,
	    .headers = (const char *const *)j->call.headers,
	    .body = j->call.body,
	    .body_len = j->call.body_len,
	    .timeout_ms = budget,
	    .max_response = g->cfg.max_response,
	    .secret = g->api_key,
	    .tag = j,
	};
	struct ag_error err;
	if (ag_http_start(g->http, &req, &err) != 0) {
		job_fail(g, j, err.msg, 0, now);
		return;
	}
	j->in_flight = 1;
	j->attempts++;
	g->inflight++;
	g->stats.model_calls++;
	if (g->circuit == AG_CIRCUIT_HALF_OPEN) {
		j->probe = 1;
		g->probe_inflight = 1;
	}
}

static void
start_due(struct ag_guardian *g, int64_t now)
{
	breaker_tick(g, now);
	struct job *j = g->jobs;
	while (j != NULL) {
		struct job *next = j->next;
		if (j->in_flight || j->cancelled || j->next_try_ms > now) {
			j = next;
			continue;
		}
		char why[320];
		if (now >= j->deadline_ms) {
			if (j->last_error[0])
				snprintf(why, sizeof why,
				         "%.240s (deadline of %" PRId64
				         "s reached after %d attempts)",
				         j->last_error, g->cfg.timeout_ms / 1000, j->attempts);
			else
				snprintf(why, sizeof why,
				         "deadline of %" PRId64
				         "ms reached before the model was asked",
				         g->cfg.timeout_ms);
			job_fail(g, j, why, 0, now);
		} else if (g->circuit == AG_CIRCUIT_OPEN) {
			circuit_message(g, now, why, sizeof why);
			job_fail(g, j, why, 0, now);
		} else if (g->circuit == AG_CIRCUIT_HALF_OPEN && g->probe_inflight) {
			/* wait for the probe's verdict on the endpoint */
		} else if (g->inflight >= g->cfg.max_inflight) {
			break; /* first come, first served */
		} else {
			start_attempt(g, j, now);
		}
		j = next;
	}
}

static int
retryable_status(long status)
{
	return status == 408 || status == 429 || status >= 500;
}

static void
on_response(struct ag_guardian *g, struct ag_http_response *resp)
{
	struct job *j = resp->tag;
	int64_t now = ag_clock_mono_ms();
	j->in_flight = 0;
	g->inflight--;
	if (j->probe) {
		j->probe = 0;
		g->probe_inflight = 0;
	}
	if (j->cancelled) {
		job_unlink(g, j);
		job_free(j);
		return;
	}
	char why[320];
	int retry = 0;
	int64_t retry_after = -1;
	if (resp->outcome != AG_HTTP_OK) {
		snprintf(why, sizeof why, "%s", resp->error);
		retry = resp->outcome == AG_HTTP_TIMEOUT;
	} else if (resp->status >= 200 && resp->status < 300) {
		struct ag_provider_answer ans;
		struct ag_error err;
		int rc = ag_provider_parse(&g->cfg.api, resp->body, resp->len, &ans, &err);
		j->tokens_in += ans.tokens_in;
		j->tokens_out += ans.tokens_out;
		if (rc != 0) {
			job_fail(g, j, err.msg, 1, now);
			return;
		}
		struct ag_verdict v;
		rc = ag_verdict_parse(ans.text, strlen(ans.text), ans.strict, &v, &err);
		ag_provider_answer_clear(&ans);
		if (rc != 0) {
			job_fail(g, j, err.msg, 1, now);
			return;
		}
		job_succeed(g, j, &v, now);
		ag_verdict_clear(&v);
		return;
	} else {
		char msg[200];
		ag_provider_error_message(resp->body, resp->len, msg, sizeof msg);
		snprintf(why, sizeof why, "HTTP %ld%s%s", resp->status, msg[0] ? ": " : "", msg);
		retry = retryable_status(resp->status);
		retry_after = resp->retry_after_ms;
	}
	ag_http_scrub(why, sizeof why, g->api_key);
	if (retry && j->attempts < g->cfg.max_attempts) {
		int64_t delay = backoff_ms(g, j->attempts);
		if (retry_after > delay)
			delay = retry_after;
		if (now + delay < j->deadline_ms) {
			snprintf(j->last_error, sizeof j->last_error, "%.300s", why);
			j->next_try_ms = now + delay;
			g->stats.retries++;
			return;
		}
		if (retry_after >= 0 && now + retry_after >= j->deadline_ms) {
			size_t n = strlen(why);
			snprintf(why + n, sizeof why - n,
			         "; Retry-After %" PRId64 "s is past the deadline",
			         (retry_after + 999) / 1000);
		}
	}
	if (j->attempts > 1) {
		size_t n = strlen(why);
		snprintf(why + n, sizeof why - n, " (after %d attempts)", j->attempts);
	}
	job_fail(g, j, why, 1, now);
}

int
ag_guardian_poll(struct ag_guardian *g, struct pollfd *extra, int nextra, int timeout_ms)
{
	int64_t now = ag_clock_mono_ms();
	start_due(g, now);
	int64_t wait = timeout_ms < 0 ? 1000 : timeout_ms;
	for (struct job *j = g->jobs; j != NULL; j = j->next) {
		if (j->in_flight)
			continue;
		int64_t at = j->next_try_ms > now ? j->next_try_ms : now;
		if (g->circuit == AG_CIRCUIT_OPEN && g->open_until_ms > at)
			at = g->open_until_ms;
		if (at > j->deadline_ms)
			at = j->deadline_ms;
		if (at - now < wait && (j->next_try_ms > now || g->circuit == AG_CIRCUIT_OPEN))
			wait = at - now;
	}
	if (g->results != NULL || wait < 0)
		wait = 0;
	int ready = ag_http_poll(g->http, extra, nextra, (int)wait);
	struct ag_http_response resp;
	while (ag_http_next_done(g->http, &resp)) {
		on_response(g, &resp);
		ag_http_response_clear(&resp);
	}
	start_due(g, ag_clock_mono_ms());
	return ready;
}

int
ag_guardian_review(struct ag_guardian *g, const struct ag_review_job *job,
                   struct ag_review_result *out, struct ag_error *err)
{
	if (ag_guardian_submit(g, job, err) != 0)
		return -1;
	while (!take_result(g, job->tag, out))
		if (ag_guardian_poll(g, NULL, 0, 100) < 0)
			return ag_fail(err, "guardian: poll failed");
	return 0;
}

void
ag_guardian_get_stats(const struct ag_guardian *g, struct ag_guardian_stats *out)
{
	*out = g->stats;
}

const char *
ag_guardian_policy_hash(const struct ag_guardian *g)
{
	return g->hash_hex;
}
