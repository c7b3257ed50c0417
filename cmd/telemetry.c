/* agate telemetry: see cmd/telemetry.h for why it is its own process.
 *
 *   bus events ──▶ pending table (id → what the request event said)
 *        decided ──▶ one log record + one span   ─┐  bounded queues
 *      abandoned ──▶ one span (status error)     ─┘  (drop + count past them)
 *   every interval, or at once when a batch is full:
 *        POST {endpoint}/v1/logs, POST {endpoint}/v1/traces (libcurl multi,
 *        never blocking the bus reader); records leave a queue only when
 *        the collector took them; retryable failures back off 1 s .. 30 s.
 *
 * What is exported: ids, session, agent, kind, risk (score, level,
 * categories), the rule, the decision, who made it and the times. The
 * command text and the justification stay out unless --with-summary: they
 * are what an agent wrote, and may hold anything. The reason is a human's
 * or the policy's words and goes in. */
#include "cmd/telemetry.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cmd/audit.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "config.h"
#include "core/clock.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/sha256.h"
#include "core/xmalloc.h"
#include "ipc/busdir.h"

#define STATS_FILE     AG_TELEMETRY_STATS_FILE
#define LOCK_FILE      "telemetry.lock"
#define PENDING_MAX    100000 /* requests remembered while they wait */
#define POST_TIMEOUT   10000  /* ms for one POST, connect included */
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define STATS_EVERY_MS 500

/* ---- what a request event told us --------------------------------------------- */

struct req_info {
	char id[AG_ID_MAX + 1];
	char *session, *agent, *kind, *level, *rule, *summary;
	char **categories;
	size_t ncategories;
	int score;
	int64_t created_ms;
	struct req_info *next; /* hash chain */
};

#define NBUCKETS 4096

struct pending {
	struct req_info *buckets[NBUCKETS];
	size_t count;
};

static size_t
bucket_of(const char *id)
{
	size_t h = 5381;
	for (; *id; id++)
		h = h * 33 + (unsigned char)*id;
	return h % NBUCKETS;
}

static void
info_free(struct req_info *r)
{
	free(r->session);
	free(r->agent);
	free(r->kind);
	free(r->level);
	free(r->rule);
	free(r->summary);
	for (size_t i = 0; i < r->ncategories; i++)
		free(r->categories[i]);
	free(r->categories);
	free(r);
}

/* Unlinks and returns the entry for id (caller frees), or NULL. */
static struct req_info *
pending_take(struct pending *p, const char *id)
{
	struct req_info **pp = &p->buckets[bucket_of(id)];
	for (; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->id, id) != 0)
			continue;
		struct req_info *r = *pp;
		*pp = r->next;
		p->count--;
		return r;
	}
	return NULL;
}

static void
pending_put(struct pending *p, struct req_info *r)
{
	struct req_info *old = pending_take(p, r->id);
	if (old != NULL)
		info_free(old);
	size_t b = bucket_of(r->id);
	r->next = p->buckets[b];
	p->buckets[b] = r;
	p->count++;
}

static void
pending_clear(struct pending *p)
{
	for (size_t b = 0; b < NBUCKETS; b++)
		while (p->buckets[b] != NULL) {
			struct req_info *r = p->buckets[b];
			p->buckets[b] = r->next;
			info_free(r);
		}
	p->count = 0;
}

/* ---- queues and posts ------------------------------------------------------------- */

enum signal_kind { SIG_LOGS, SIG_SPANS, SIG_COUNT };
static const char *const signal_path[SIG_COUNT] = {"/v1/logs", "/v1/traces"};
static const char *const signal_name[SIG_COUNT] = {"logs", "spans"};

struct queue {
	cJSON **v; /* log records or spans, oldest first */
	size_t n, cap;
};

struct post {
	CURL *easy;
	struct curl_slist *headers;
	char *body, *url;
	size_t nrecords; /* the first nrecords of the queue ride in it */
	char errbuf[CURL_ERROR_SIZE];
	int active;
};

struct stats {
	int64_t exported[SIG_COUNT];
	int64_t failed_posts, dropped, rejected, events;
	char last_error[256];
	int64_t last_ok_ms, last_error_ms;
};

struct telemetry {
	char *endpoint, *bus, *service;
	struct curl_slist *extra_headers; /* from OTEL_EXPORTER_OTLP_HEADERS; hold secrets */
	int batch;
	size_t queue_max;
	int64_t interval_ms;
	int with_summary;
	struct pending pending;
	struct queue q[SIG_COUNT];
	struct post post[SIG_COUNT];
	int64_t next_flush_ms[SIG_COUNT]; /* mono */
	int64_t backoff_ms[SIG_COUNT];
	CURLM *multi;
	struct stats st;
	int stats_dirty;
	int64_t stats_written_ms;
	int connected;
};

static volatile sig_atomic_t telemetry_stop;

static void
on_signal(int sig)
{
	(void)sig;
	telemetry_stop = 1;
}

/* ---- OTLP JSON ------------------------------------------------------------------------ */

static void
attr_str(cJSON *attrs, const char *key, const char *value)
{
	if (value == NULL)
		return;
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "key", key);
	cJSON *v = cJSON_AddObjectToObject(a, "value");
	cJSON_AddStringToObject(v, "stringValue", value);
	cJSON_AddItemToArray(attrs, a);
}

/* OTLP's JSON encodes int64 as a decimal string. */
static void
attr_int(cJSON *attrs, const char *key, int64_t value)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)value);
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "key", key);
	cJSON *v = cJSON_AddObjectToObject(a, "value");
	cJSON_AddStringToObject(v, "intValue", buf);
	cJSON_AddItemToArray(attrs, a);
}

static void
attr_strings(cJSON *attrs, const char *key, char *const *values, size_t n)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "key", key);
	cJSON *v = cJSON_AddObjectToObject(a, "value");
	cJSON *arr = cJSON_AddObjectToObject(v, "arrayValue");
	cJSON *vals = cJSON_AddArrayToObject(arr, "values");
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "stringValue", values[i]);
		cJSON_AddItemToArray(vals, s);
	}
	cJSON_AddItemToArray(attrs, a);
}

static void
add_nanos(cJSON *o, const char *key, int64_t ms)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld000000", (long long)(ms > 0 ? ms : 0));
	cJSON_AddStringToObject(o, key, buf);
}

/* Trace and span ids derived from the request id, so a request keeps the
 * same ids however often it is exported (and from wherever). */
static void
ids_for(const char *id, char trace[33], char span[17])
{
	unsigned char h[AG_SHA256_LEN];
	struct ag_sha256 s;
	ag_sha256_init(&s);
	ag_sha256_update(&s, "agate-request:", 14);
	ag_sha256_update(&s, id, strlen(id));
	ag_sha256_final(&s, h);
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		trace[2 * i] = hex[h[i] >> 4];
		trace[2 * i + 1] = hex[h[i] & 15];
	}
	trace[32] = '\0';
	for (int i = 0; i < 8; i++) {
		span[2 * i] = hex[h[16 + i] >> 4];
		span[2 * i + 1] = hex[h[16 + i] & 15];
	}
	span[16] = '\0';
}

static cJSON *
request_attrs(const struct telemetry *t, const struct req_info *r)
{
	cJSON *attrs = cJSON_CreateArray();
	attr_str(attrs, "agate.request.id", r->id);
	attr_str(attrs, "agate.session", r->session);
	attr_str(attrs, "agate.agent", r->agent);
	attr_str(attrs, "agate.kind", r->kind);
	attr_int(attrs, "agate.risk.score", r->score);
	attr_str(attrs, "agate.risk.level", r->level);
	attr_strings(attrs, "agate.risk.categories", r->categories, r->ncategories);
	if (r->rule != NULL)
		attr_str(attrs, "agate.rule", r->rule);
	if (t->with_summary && r->summary != NULL)
		attr_str(attrs, "agate.summary", r->summary);
	return attrs;
}

static cJSON *
make_log(const struct telemetry *t, const struct req_info *r, const char *decision, const char *by,
         const char *reason, int64_t at_ms)
{
	char trace[33], span[17];
	ids_for(r->id, trace, span);
	cJSON *o = cJSON_CreateObject();
	add_nanos(o, "timeUnixNano", at_ms);
	add_nanos(o, "observedTimeUnixNano", ag_clock_wall_ms());
	int approved = strcmp(decision, "approve") == 0 || strcmp(decision, "approve_session") == 0;
	cJSON_AddNumberToObject(o, "severityNumber", approved ? 9 : 13); /* INFO, WARN */
	cJSON_AddStringToObject(o, "severityText", approved ? "INFO" : "WARN");
	char body[160];
	snprintf(body, sizeof body, "%s %s by %s (risk %d)", r->kind, decision, by, r->score);
	cJSON *b = cJSON_AddObjectToObject(o, "body");
	cJSON_AddStringToObject(b, "stringValue", body);
	cJSON *attrs = request_attrs(t, r);
	attr_str(attrs, "agate.decision", decision);
	attr_str(attrs, "agate.decided_by", by);
	if (reason != NULL && *reason)
		attr_str(attrs, "agate.reason", reason);
	cJSON_AddItemToObject(o, "attributes", attrs);
	cJSON_AddStringToObject(o, "traceId", trace);
	cJSON_AddStringToObject(o, "spanId", span);
	return o;
}

static cJSON *
make_span(const struct telemetry *t, const struct req_info *r, const char *decision, const char *by,
          int64_t end_ms)
{
	char trace[33], span[17];
	ids_for(r->id, trace, span);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "traceId", trace);
	cJSON_AddStringToObject(o, "spanId", span);
	cJSON_AddStringToObject(o, "name", "agate.request");
	cJSON_AddNumberToObject(o, "kind", 1); /* SPAN_KIND_INTERNAL */
	add_nanos(o, "startTimeUnixNano", r->created_ms);
	add_nanos(o, "endTimeUnixNano", end_ms >= r->created_ms ? end_ms : r->created_ms);
	cJSON *attrs = request_attrs(t, r);
	if (decision != NULL) {
		attr_str(attrs, "agate.decision", decision);
		attr_str(attrs, "agate.decided_by", by);
	} else {
		attr_str(attrs, "agate.state", "abandoned");
	}
	cJSON_AddItemToObject(o, "attributes", attrs);
	cJSON *status = cJSON_AddObjectToObject(o, "status");
	if (decision == NULL) {
		cJSON_AddNumberToObject(status, "code", 2); /* ERROR */
		cJSON_AddStringToObject(status, "message", "abandoned: the publisher went away");
	} else {
		cJSON_AddNumberToObject(status, "code", 0); /* UNSET: a denial is not a failure */
	}
	return o;
}

/* The request body for the first n records of a queue; caller frees. */
static char *
make_body(const struct telemetry *t, enum signal_kind k, size_t n)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *rs = cJSON_AddArrayToObject(root, k == SIG_LOGS ? "resourceLogs" : "resourceSpans");
	cJSON *res = cJSON_CreateObject();
	cJSON_AddItemToArray(rs, res);
	cJSON *resource = cJSON_AddObjectToObject(res, "resource");
	cJSON *rattrs = cJSON_AddArrayToObject(resource, "attributes");
	attr_str(rattrs, "service.name", t->service);
	attr_str(rattrs, "service.version", PACKAGE_VERSION);
	cJSON *scopes = cJSON_AddArrayToObject(res, k == SIG_LOGS ? "scopeLogs" : "scopeSpans");
	cJSON *scope = cJSON_CreateObject();
	cJSON_AddItemToArray(scopes, scope);
	cJSON *sc = cJSON_AddObjectToObject(scope, "scope");
	cJSON_AddStringToObject(sc, "name", "agate");
	cJSON_AddStringToObject(sc, "version", PACKAGE_VERSION);
	cJSON *records = cJSON_AddArrayToObject(scope, k == SIG_LOGS ? "logRecords" : "spans");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemReferenceToArray(records, t->q[k].v[i]);
	char *body = cJSON_PrintUnformatted(root);
	cJSON_Delete(root); /* references: the records stay in the queue */
	return body;
}

/* ---- the queue ---------------------------------------------------------------------------- */

static void
enqueue(struct telemetry *t, enum signal_kind k, cJSON *record)
{
	struct queue *q = &t->q[k];
	if (q->n >= t->queue_max) {
		/* The collector is behind or away: keep what is queued (it is
		 * older, and maybe in flight) and count what we could not keep. */
		cJSON_Delete(record);
		t->st.dropped++;
		t->stats_dirty = 1;
		return;
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->v = xreallocarray(q->v, q->cap, sizeof *q->v);
	}
	q->v[q->n++] = record;
}

static void
dequeue(struct telemetry *t, enum signal_kind k, size_t n)
{
	struct queue *q = &t->q[k];
	if (n > q->n)
		n = q->n;
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(q->v[i]);
	memmove(q->v, q->v + n, (q->n - n) * sizeof *q->v);
	q->n -= n;
}

/* ---- events ---------------------------------------------------------------------------------- */

static char *
dup_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static void
on_request_event(struct telemetry *t, const cJSON *f)
{
	const cJSON *rq = cJSON_GetObjectItemCaseSensitive(f, "request");
	const cJSON *risk = cJSON_GetObjectItemCaseSensitive(f, "risk");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(rq, "id");
	const cJSON *created = cJSON_GetObjectItemCaseSensitive(f, "created_ms");
	if (!cJSON_IsString(id) || !ag_id_valid(id->valuestring))
		return;
	if (t->pending.count >= PENDING_MAX) {
		t->st.dropped++;
		return;
	}
	struct req_info *r = xcalloc(1, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s", id->valuestring);
	/* Absent on the wire means empty: the attribute is always there. */
	r->session = dup_field(rq, "session");
	if (r->session == NULL)
		r->session = xstrdup("");
	r->agent = dup_field(rq, "agent");
	if (r->agent == NULL)
		r->agent = xstrdup("");
	r->kind = dup_field(cJSON_GetObjectItemCaseSensitive(rq, "action"), "kind");
	if (r->kind == NULL)
		r->kind = xstrdup("?");
	r->level = dup_field(risk, "level");
	if (r->level == NULL)
		r->level = xstrdup("low");
	r->rule = dup_field(f, "rule");
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(risk, "score");
	r->score = cJSON_IsNumber(score) ? score->valueint : 0;
	r->created_ms =
	    cJSON_IsNumber(created) ? (int64_t)created->valuedouble : ag_clock_wall_ms();
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(risk, "categories"))
	{
		if (!cJSON_IsString(c))
			continue;
		r->categories =
		    xreallocarray(r->categories, r->ncategories + 1, sizeof *r->categories);
		r->categories[r->ncategories++] = xstrdup(c->valuestring);
	}
	if (t->with_summary) {
		struct ag_request *req = NULL;
		struct ag_error err;
		if (ag_request_from_json(rq, NULL, &req, &err) == 0) {
			char *s = ag_request_summary(req);
			r->summary = ag_sanitize_line(s, strlen(s));
			free(s);
			ag_request_free(&req);
		}
	}
	pending_put(&t->pending, r);
}

static void
on_decided_event(struct telemetry *t, const cJSON *f)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "decision");
	if (!cJSON_IsString(id))
		return;
	struct req_info *r = pending_take(&t->pending, id->valuestring);
	if (r == NULL)
		return; /* its request came before we connected and was not pending */
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(d, "decision");
	const cJSON *by = cJSON_GetObjectItemCaseSensitive(d, "by");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(d, "reason");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(d, "at_ms");
	const char *decs = cJSON_IsString(dec) ? dec->valuestring : "?";
	const char *bys = cJSON_IsString(by) ? by->valuestring : "?";
	int64_t at_ms = cJSON_IsNumber(at) ? (int64_t)at->valuedouble : ag_clock_wall_ms();
	enqueue(
	    t, SIG_LOGS,
	    make_log(t, r, decs, bys, cJSON_IsString(reason) ? reason->valuestring : NULL, at_ms));
	enqueue(t, SIG_SPANS, make_span(t, r, decs, bys, at_ms));
	info_free(r);
}

static void
on_abandoned_event(struct telemetry *t, const cJSON *f)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
	if (!cJSON_IsString(id))
		return;
	struct req_info *r = pending_take(&t->pending, id->valuestring);
	if (r == NULL)
		return;
	enqueue(t, SIG_SPANS, make_span(t, r, NULL, NULL, ag_clock_wall_ms()));
	info_free(r);
}

static void
on_frame(struct telemetry *t, const cJSON *f)
{
	if (strcmp(ag_frame_type(f), "event") != 0)
		return;
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "event");
	if (!cJSON_IsString(ev))
		return;
	t->st.events++;
	if (strcmp(ev->valuestring, "request") == 0)
		on_request_event(t, f);
	else if (strcmp(ev->valuestring, "decided") == 0)
		on_decided_event(t, f);
	else if (strcmp(ev->valuestring, "abandoned") == 0)
		on_abandoned_event(t, f);
}

/* ---- posting ------------------------------------------------------------------------------------
 */

/* The collector's answer is not needed (partial-success details are not
 * acted on); read and dropped so libcurl never prints it. */
static size_t
discard_body(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

static void
post_start(struct telemetry *t, enum signal_kind k)
{
	struct post *p = &t->post[k];
	size_t n = t->q[k].n < (size_t)t->batch ? t->q[k].n : (size_t)t->batch;
	p->body = make_body(t, k, n);
	if (p->body == NULL)
		return;
	p->nrecords = n;
	p->url = xasprintf("%s%s", t->endpoint, signal_path[k]);
	p->easy = curl_easy_init();
	p->headers = curl_slist_append(NULL, "Content-Type: application/json");
	p->headers = curl_slist_append(p->headers, "Expect:");
	for (struct curl_slist *h = t->extra_headers; h != NULL; h = h->next)
		p->headers = curl_slist_append(p->headers, h->data);
	p->errbuf[0] = '\0';
	curl_easy_setopt(p->easy, CURLOPT_URL, p->url);
	curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(p->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(p->body));
	curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, (long)POST_TIMEOUT);
	curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)POST_TIMEOUT / 2);
	curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->easy, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(p->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->easy, CURLOPT_PRIVATE, (void *)p);
	curl_multi_add_handle(t->multi, p->easy);
	p->active = 1;
}

static void
post_clear(struct telemetry *t, struct post *p)
{
	if (p->easy != NULL) {
		curl_multi_remove_handle(t->multi, p->easy);
		curl_easy_cleanup(p->easy);
	}
	curl_slist_free_all(p->headers); /* may hold an authorization header */
	cJSON_free(p->body);
	free(p->url);
	memset(p, 0, sizeof *p);
}

static void
set_error(struct telemetry *t, enum signal_kind k, const char *what)
{
	snprintf(t->st.last_error, sizeof t->st.last_error, "%s: %s", signal_name[k], what);
	t->st.last_error_ms = ag_clock_wall_ms();
}

static void
post_done(struct telemetry *t, struct post *p, CURLcode code)
{
	enum signal_kind k = p == &t->post[SIG_LOGS] ? SIG_LOGS : SIG_SPANS;
	long status = 0;
	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	int64_t now = ag_clock_mono_ms();
	if (code == CURLE_OK && status >= 200 && status < 300) {
		dequeue(t, k, p->nrecords);
		t->st.exported[k] += (int64_t)p->nrecords;
		t->st.last_ok_ms = ag_clock_wall_ms();
		t->backoff_ms[k] = 0;
		t->next_flush_ms[k] = t->q[k].n >= (size_t)t->batch ? now : now + t->interval_ms;
	} else {
		char what[200];
		if (code != CURLE_OK)
			snprintf(what, sizeof what, "%.190s",
			         p->errbuf[0] ? p->errbuf : curl_easy_strerror(code));
		else
			snprintf(what, sizeof what, "HTTP %ld", status);
		set_error(t, k, what);
		t->st.failed_posts++;
		/* A collector that refuses the payload itself will refuse it again:
		 * drop that batch. Anything else (down, overloaded) is retried. */
		int retry = code != CURLE_OK || status == 408 || status == 429 || status >= 500;
		if (!retry) {
			dequeue(t, k, p->nrecords);
			t->st.rejected += (int64_t)p->nrecords;
		}
		int64_t b = t->backoff_ms[k] ? t->backoff_ms[k] * 2 : BACKOFF_MIN_MS;
		t->backoff_ms[k] = b > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b;
		t->next_flush_ms[k] = now + t->backoff_ms[k];
	}
	t->stats_dirty = 1;
	post_clear(t, p);
}

static void
collect_posts(struct telemetry *t)
{
	int running, left;
	curl_multi_perform(t->multi, &running);
	CURLMsg *m;
	while ((m = curl_multi_info_read(t->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct post *p = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&p);
		if (p != NULL)
			post_done(t, p, m->data.result);
	}
}

/* Starts the posts that are due. */
static void
maybe_flush(struct telemetry *t, int force)
{
	int64_t now = ag_clock_mono_ms();
	for (int k = 0; k < SIG_COUNT; k++) {
		if (t->post[k].active || t->q[k].n == 0)
			continue;
		int full = t->q[k].n >= (size_t)t->batch && t->backoff_ms[k] == 0;
		if (force || full || now >= t->next_flush_ms[k])
			post_start(t, (enum signal_kind)k);
	}
}

/* ---- stats file
 * ----------------------------------------------------------------------------------- */

static void
write_stats(struct telemetry *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "pid", (double)getpid());
	cJSON_AddStringToObject(o, "endpoint", t->endpoint);
	cJSON_AddBoolToObject(o, "connected", t->connected);
	cJSON_AddNumberToObject(o, "exported_logs", (double)t->st.exported[SIG_LOGS]);
	cJSON_AddNumberToObject(o, "exported_spans", (double)t->st.exported[SIG_SPANS]);
	cJSON_AddNumberToObject(o, "failed_posts", (double)t->st.failed_posts);
	cJSON_AddNumberToObject(o, "dropped", (double)t->st.dropped);
	cJSON_AddNumberToObject(o, "rejected", (double)t->st.rejected);
	cJSON_AddNumberToObject(o, "queued_logs", (double)t->q[SIG_LOGS].n);
	cJSON_AddNumberToObject(o, "queued_spans", (double)t->q[SIG_SPANS].n);
	cJSON_AddNumberToObject(o, "events", (double)t->st.events);
	cJSON_AddStringToObject(o, "last_error", t->st.last_error);
	cJSON_AddNumberToObject(o, "last_error_ms", (double)t->st.last_error_ms);
	cJSON_AddNumberToObject(o, "last_ok_ms", (double)t->st.last_ok_ms);
	cJSON_AddNumberToObject(o, "updated_ms", (double)ag_clock_wall_ms());
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *path = ag_bus_path(t->bus, STATS_FILE);
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		size_t len = strlen(text);
		int ok = write(fd, text, len) == (ssize_t)len;
		close(fd);
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(tmp);
	free(path);
	cJSON_free(text);
	t->stats_dirty = 0;
	t->stats_written_ms = ag_clock_mono_ms();
}

/* ---- the loop
 * -------------------------------------------------------------------------------------- */

static int
next_timeout(const struct telemetry *t)
{
	int64_t now = ag_clock_mono_ms(), wait = 1000;
	for (int k = 0; k < SIG_COUNT; k++) {
		if (t->post[k].active || t->q[k].n == 0)
			continue;
		int64_t w = t->next_flush_ms[k] - now;
		if (w < wait)
			wait = w;
	}
	if (t->stats_dirty && t->stats_written_ms + STATS_EVERY_MS - now < wait)
		wait = t->stats_written_ms + STATS_EVERY_MS - now;
	if (t->post[SIG_LOGS].active || t->post[SIG_SPANS].active)
		wait = wait > 100 ? 100 : wait;
	return wait < 0 ? 0 : (int)wait;
}

/* Serves one connection to the hub until it closes or we are told to stop.
 * Returns 0 when the hub went away, 1 when stopping. */
static int
serve(struct telemetry *t, struct ag_client *c)
{
	t->connected = 1;
	t->stats_dirty = 1;
	for (;;) {
		if (telemetry_stop)
			return 1;
		/* Frames already buffered first, then wait on the bus and the
		 * network together. */
		cJSON *f = NULL;
		struct ag_error err;
		int r;
		while ((r = ag_client_recv(c, 0, &f, &err)) == 1) {
			on_frame(t, f);
			cJSON_Delete(f);
			f = NULL;
		}
		if (r < 0) {
			fprintf(stderr, "agate telemetry: %s\n", err.msg);
			t->connected = 0;
			t->stats_dirty = 1;
			return 0;
		}
		maybe_flush(t, 0);
		struct curl_waitfd w = {ag_client_fd(c), CURL_WAIT_POLLIN, 0};
		curl_multi_poll(t->multi, &w, 1, next_timeout(t), NULL);
		collect_posts(t);
		if (t->stats_dirty && ag_clock_mono_ms() - t->stats_written_ms >= STATS_EVERY_MS)
			write_stats(t);
	}
}

/* Sends what is queued, for at most ms, on the way out. */
static void
final_flush(struct telemetry *t, int64_t ms)
{
	int64_t end = ag_clock_mono_ms() + ms;
	for (int k = 0; k < SIG_COUNT; k++)
		t->backoff_ms[k] = 0;
	int64_t failed = t->st.failed_posts;
	while (ag_clock_mono_ms() < end) {
		maybe_flush(t, 1);
		if (!t->post[SIG_LOGS].active && !t->post[SIG_SPANS].active)
			break;
		curl_multi_poll(t->multi, NULL, 0, 100, NULL);
		collect_posts(t);
		/* A collector that fails now will not recover in time: stop. */
		if (t->st.failed_posts > failed)
			break;
	}
	for (int k = 0; k < SIG_COUNT; k++)
		if (t->post[k].active)
			post_clear(t, &t->post[k]);
}

/* OTEL_EXPORTER_OTLP_HEADERS: "k1=v1,k2=v2" (values may be URL-encoded;
 * taken as they are). Kept in memory only: they often carry a token. */
static struct curl_slist *
parse_headers(const char *spec)
{
	struct curl_slist *list = NULL;
	if (spec == NULL)
		return NULL;
	char *copy = xstrdup(spec), *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (eq == NULL || eq == item || strpbrk(item, "\r\n") != NULL)
			continue;
		*eq = '\0';
		while (*item == ' ')
			item++;
		char *h = xasprintf("%s: %s", item, eq + 1);
		list = curl_slist_append(list, h);
		free(h);
	}
	free(copy);
	return list;
}

/* One telemetry per bus: an flock held for our lifetime. */
static int
take_lock(const char *bus)
{
	char *path = ag_bus_path(bus, LOCK_FILE);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -2;
	}
	return fd;
}

static void
telemetry_usage(FILE *out)
{
	fprintf(out,
	        "usage: agate telemetry [--endpoint URL] [--batch N] [--interval T] [--queue N]\n"
	        "                       [--service-name NAME] [--with-summary] [--bus DIR]\n\n"
	        "Export the bus's decisions as OTLP log records and its requests as spans\n"
	        "(arrival to decision), as OTLP/HTTP JSON to URL/v1/logs and URL/v1/traces.\n"
	        "Batched, retried with backoff; a collector that is down only makes this\n"
	        "process queue (then drop, counted). `agate status` shows the counters.\n"
	        "The hub starts it when the config sets telemetry_endpoint.\n\n"
	        "  --endpoint URL      collector base URL (default: config telemetry_endpoint,\n"
	        "                      else $OTEL_EXPORTER_OTLP_ENDPOINT)\n"
	        "  --batch N           records per POST (default 512)\n"
	        "  --interval T        send at least this often (default: config, 1s)\n"
	        "  --queue N           records kept per signal while the collector is away\n"
	        "                      (default 10000; more are dropped and counted)\n"
	        "  --service-name S    the resource's service.name (default agate)\n"
	        "  --with-summary      also export the command summary (agent text; off by\n"
	        "                      default)\n"
	        "  --daemon            as started by the hub: exit when the hub does\n\n"
	        "Headers from $OTEL_EXPORTER_OTLP_HEADERS (k=v,k2=v2) are sent with each POST.\n"
	        "Exit status: 0 stopped, 2 error, 3 another agate telemetry serves this bus.\n");
}

static int
positive(const char *s, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cmd_telemetry(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"endpoint", required_argument, NULL, 'e'},
	    {"batch", required_argument, NULL, 'b'},
	    {"interval", required_argument, NULL, 'i'},
	    {"queue", required_argument, NULL, 'q'},
	    {"service-name", required_argument, NULL, 's'},
	    {"with-summary", no_argument, NULL, 'S'},
	    {"daemon", no_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL, *endpoint = NULL, *interval = NULL, *service = "agate";
	long batch = 512, queue = 10000;
	int daemon = 0, with_summary = 0, c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': break;
		case 'e': endpoint = optarg; break;
		case 'b':
		case 'q':
			if (positive(optarg, c == 'b' ? 100000 : 10000000,
			             c == 'b' ? &batch : &queue)) {
				fprintf(stderr,
				        "agate telemetry: --%s: expected a positive number\n",
				        c == 'b' ? "batch" : "queue");
				return 2;
			}
			break;
		case 'i': interval = optarg; break;
		case 's': service = optarg; break;
		case 'S': with_summary = 1; break;
		case 'd': daemon = 1; break;
		case 'h': telemetry_usage(stdout); return 0;
		default: telemetry_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		telemetry_usage(stderr);
		return 2;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, NULL) != 0)
		return 2;
	if (endpoint == NULL || *endpoint == '\0')
		endpoint = ag_config_str(env.cfg, "telemetry_endpoint");
	if (endpoint == NULL || *endpoint == '\0')
		endpoint = getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
	if (endpoint == NULL || *endpoint == '\0' ||
	    (strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0)) {
		fprintf(stderr, "agate telemetry: no collector: give --endpoint http://HOST:4318 "
		                "(or set telemetry_endpoint in the config)\n");
		ag_cmd_env_free(&env);
		return 2;
	}
	int64_t interval_ms = interval ? ag_audit_parse_duration(interval)
	                               : ag_config_ms(env.cfg, "telemetry_interval");
	if (interval_ms < 100) {
		fprintf(stderr,
		        "agate telemetry: --interval: expected a duration of at least 100ms\n");
		ag_cmd_env_free(&env);
		return 2;
	}
	struct ag_error err;
	if (ag_bus_dir_prepare(env.bus, &err) != 0) {
		fprintf(stderr, "agate telemetry: %s\n", err.msg);
		ag_cmd_env_free(&env);
		return 2;
	}
	int lock = take_lock(env.bus);
	if (lock < 0) {
		if (lock == -2 && !daemon)
			fprintf(stderr, "agate telemetry: another agate telemetry serves %s\n",
			        env.bus);
		ag_cmd_env_free(&env);
		return lock == -2 ? (daemon ? 0 : 3) : 2;
	}

	struct telemetry t;
	memset(&t, 0, sizeof t);
	t.endpoint = xstrdup(endpoint);
	size_t n = strlen(t.endpoint);
	while (n > 0 && t.endpoint[n - 1] == '/')
		t.endpoint[--n] = '\0';
	t.bus = xstrdup(env.bus);
	t.service = xstrdup(service);
	t.batch = (int)batch;
	t.queue_max = (size_t)queue;
	t.interval_ms = interval_ms;
	t.with_summary = with_summary;
	t.extra_headers = parse_headers(getenv("OTEL_EXPORTER_OTLP_HEADERS"));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t.multi = curl_multi_init();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	write_stats(&t);

	int rc = 0;
	int64_t give_up = ag_clock_mono_ms() + 15000; /* --daemon: wait this long for the hub */
	while (!telemetry_stop) {
		struct ag_client_opts o = {.bus_dir = env.bus,
		                           .role = AG_ROLE_SUBSCRIBER,
		                           .name = "telemetry",
		                           .connect_timeout_ms = 1000};
		struct ag_client *cl = NULL;
		if (ag_client_connect(&o, &cl, &err) != 0) {
			if (daemon && ag_clock_mono_ms() > give_up)
				break;
			/* Meanwhile, keep sending what is queued. */
			int64_t until = ag_clock_mono_ms() + 1000;
			while (!telemetry_stop && ag_clock_mono_ms() < until) {
				maybe_flush(&t, 0);
				curl_multi_poll(t.multi, NULL, 0, next_timeout(&t), NULL);
				collect_posts(&t);
			}
			if (t.stats_dirty)
				write_stats(&t);
			continue;
		}
		/* A new connection's snapshot re-announces what is pending. */
		pending_clear(&t.pending);
		int stop = serve(&t, cl);
		ag_client_close(&cl);
		if (stop || daemon)
			break; /* started by a hub: its end is ours */
	}
	final_flush(&t, 2000);
	t.connected = 0;
	write_stats(&t);
	for (int k = 0; k < SIG_COUNT; k++) {
		dequeue(&t, (enum signal_kind)k, t.q[k].n);
		free(t.q[k].v);
	}
	pending_clear(&t.pending);
	curl_multi_cleanup(t.multi);
	curl_slist_free_all(t.extra_headers);
	curl_global_cleanup();
	free(t.endpoint);
	free(t.bus);
	free(t.service);
	close(lock);
	ag_cmd_env_free(&env);
	return rc;
}
