#include "reviewer/guardian_http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/xmalloc.h"

#define DEFAULT_MAX_RESPONSE (1024 * 1024)
#define CONNECT_TIMEOUT_MS   10000
#define SCRUB_RUN            8

/* One exchange in flight. */
struct xfer {
	CURL *easy;
	struct curl_slist *headers;
	char *buf;
	size_t len, cap, max;
	int oversized;
	int cancelled;
	int64_t retry_after_ms;
	int64_t started_ms;
	char *secret;
	void *tag;
	char errbuf[CURL_ERROR_SIZE];
	struct xfer *next;
};

/* A finished exchange waiting for ag_http_next_done. */
struct done {
	struct ag_http_response resp;
	struct done *next;
};

struct ag_http {
	CURLM *multi;
	struct xfer *xfers;
	struct done *done_head, **done_tail;
	int running;
};

const char *
ag_http_outcome_name(enum ag_http_outcome o)
{
	switch (o) {
	case AG_HTTP_OK: return "ok";
	case AG_HTTP_TIMEOUT: return "timeout";
	case AG_HTTP_CONNECT: return "connection failed";
	case AG_HTTP_TLS: return "TLS error";
	case AG_HTTP_TRUNCATED: return "truncated body";
	case AG_HTTP_OVERSIZED: return "oversized answer";
	case AG_HTTP_FAILED: return "transfer failed";
	case AG_HTTP_CANCELLED: return "cancelled";
	}
	return "transfer failed";
}

void
ag_http_response_clear(struct ag_http_response *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
	r->retry_after_ms = -1;
}

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* Header lines may carry the key: wipe them before the memory goes back. */
static void
headers_free(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l != NULL; l = l->next)
		if (l->data != NULL)
			explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

static void
xfer_free(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	headers_free(x->headers);
	free(x->buf);
	wipe_free(x->secret);
	free(x);
}

static int curl_ready;

struct ag_http *
ag_http_new(void)
{
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fprintf(stderr, "agate: libcurl failed to initialize\n");
			abort();
		}
		curl_ready = 1;
	}
	struct ag_http *h = xcalloc(1, sizeof *h);
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		fprintf(stderr, "agate: libcurl failed to make a multi handle\n");
		abort();
	}
	h->done_tail = &h->done_head;
	return h;
}

void
ag_http_free(struct ag_http **hp)
{
	struct ag_http *h = *hp;
	if (h == NULL)
		return;
	while (h->xfers) {
		struct xfer *x = h->xfers;
		h->xfers = x->next;
		curl_multi_remove_handle(h->multi, x->easy);
		xfer_free(x);
	}
	while (h->done_head) {
		struct done *d = h->done_head;
		h->done_head = d->next;
		ag_http_response_clear(&d->resp);
		free(d);
	}
	curl_multi_cleanup(h->multi);
	free(h);
	*hp = NULL;
}

/* The body, bounded: past max the transfer is aborted (curl reports a write
 * error, which we classify as oversized), so a hostile or broken server
 * cannot make us buffer more than max bytes. */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;
	if (n > x->max - x->len) {
		x->oversized = 1;
		return 0;
	}
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		while (cap < x->len + n + 1)
			cap *= 2;
		x->buf = xrealloc(x->buf, cap);
		x->cap = cap;
	}
	memcpy(x->buf + x->len, data, n);
	x->len += n;
	x->buf[x->len] = '\0';
	return n;
}

static int64_t
parse_retry_after(const char *v, size_t n)
{
	char text[128];
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	if (n == 0 || n >= sizeof text)
		return -1;
	memcpy(text, v, n);
	text[n] = '\0';
	if (isdigit((unsigned char)text[0])) {
		char *end;
		long long s = strtoll(text, &end, 10);
		if (*end != '\0' || s < 0)
			return -1;
		if (s > 24 * 3600)
			s = 24 * 3600;
		return (int64_t)s * 1000;
	}
	time_t t = curl_getdate(text, NULL);
	if (t < 0)
		return -1;
	int64_t delta = ((int64_t)t - (int64_t)time(NULL)) * 1000;
	return delta < 0 ? 0 : delta;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		x->retry_after_ms = -1; /* a new response (after 100 Continue, say) */
	else if (n > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0)
		x->retry_after_ms =
		    parse_retry_after(data + sizeof name - 1, n - (sizeof name - 1));
	return n;
}

#define SETOPT(x, opt, val)                                              \
	do {                                                             \
		if (curl_easy_setopt((x)->easy, opt, val) != CURLE_OK) { \
			ag_fail(err, "libcurl refused option %s", #opt); \
			goto fail;                                       \
		}                                                        \
	} while (0)

int
ag_http_start(struct ag_http *h, const struct ag_http_request *req, struct ag_error *err)
{
	struct xfer *x = xcalloc(1, sizeof *x);
	x->max = req->max_response ? req->max_response : DEFAULT_MAX_RESPONSE;
	x->retry_after_ms = -1;
	x->tag = req->tag;
	x->secret = req->secret && *req->secret ? xstrdup(req->secret) : NULL;
	x->started_ms = ag_clock_mono_ms();
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		ag_fail(err, "libcurl could not make a handle");
		goto fail;
	}
	for (const char *const *hd = req->headers; hd && *hd; hd++) {
		struct curl_slist *l = curl_slist_append(x->headers, *hd);
		if (l == NULL) {
			ag_fail(err, "out of memory for headers");
			goto fail;
		}
		x->headers = l;
	}
	/* No "Expect: 100-continue" round trip for large prompts. */
	struct curl_slist *l = curl_slist_append(x->headers, "Expect:");
	if (l == NULL) {
		ag_fail(err, "out of memory for headers");
		goto fail;
	}
	x->headers = l;

	SETOPT(x, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(x, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SETOPT(x, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SETOPT(x, CURLOPT_HTTPHEADER, x->headers);
	/* A redirect could carry the key somewhere else: never follow one. */
	SETOPT(x, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(x, CURLOPT_NOSIGNAL, 1L);
	SETOPT(x, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	SETOPT(x, CURLOPT_CONNECTTIMEOUT_MS,
	       (long)(req->timeout_ms < CONNECT_TIMEOUT_MS ? req->timeout_ms : CONNECT_TIMEOUT_MS));
	SETOPT(x, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
	SETOPT(x, CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(x, CURLOPT_USERAGENT, "agate-guardian/1");
	SETOPT(x, CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(x, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(x, CURLOPT_WRITEDATA, x);
	SETOPT(x, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(x, CURLOPT_HEADERDATA, x);
	SETOPT(x, CURLOPT_PRIVATE, x);
	if (req->body != NULL) {
		SETOPT(x, CURLOPT_POST, 1L);
		SETOPT(x, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SETOPT(x, CURLOPT_COPYPOSTFIELDS, req->body);
	}
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		ag_fail(err, "libcurl refused the transfer");
		goto fail;
	}
	x->next = h->xfers;
	h->xfers = x;
	h->running++;
	return 0;
fail:
	xfer_free(x);
	return -1;
}

int
ag_http_running(const struct ag_http *h)
{
	return h->running;
}

static enum ag_http_outcome
classify(CURLcode rc, const struct xfer *x)
{
	switch (rc) {
	case CURLE_OK: return AG_HTTP_OK;
	case CURLE_OPERATION_TIMEDOUT: return AG_HTTP_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return AG_HTTP_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED: return AG_HTTP_TLS;
	case CURLE_FILESIZE_EXCEEDED: return AG_HTTP_OVERSIZED;
	case CURLE_WRITE_ERROR: return x->oversized ? AG_HTTP_OVERSIZED : AG_HTTP_FAILED;
	case CURLE_PARTIAL_FILE: return AG_HTTP_TRUNCATED;
	default: return x->oversized ? AG_HTTP_OVERSIZED : AG_HTTP_FAILED;
	}
}

static void
finish(struct ag_http *h, struct xfer *x, CURLcode rc)
{
	struct done *d = xcalloc(1, sizeof *d);
	struct ag_http_response *r = &d->resp;
	r->retry_after_ms = x->retry_after_ms;
	r->tag = x->tag;
	r->elapsed_ms = ag_clock_mono_ms() - x->started_ms;
	long status = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	r->status = status;
	r->outcome = x->cancelled ? AG_HTTP_CANCELLED : classify(rc, x);
	if (r->outcome == AG_HTTP_OVERSIZED)
		snprintf(r->error, sizeof r->error, "oversized answer (more than %zu bytes)",
		         x->max);
	else if (r->outcome == AG_HTTP_CANCELLED)
		snprintf(r->error, sizeof r->error, "cancelled");
	else if (r->outcome != AG_HTTP_OK) {
		const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
		snprintf(r->error, sizeof r->error, "%s: %.200s", ag_http_outcome_name(r->outcome),
		         detail);
		size_t n = strlen(r->error);
		if (n > 0 && r->error[n - 1] == '\n')
			r->error[n - 1] = '\0';
		ag_http_scrub(r->error, sizeof r->error, x->secret);
	}
	r->body = x->buf ? x->buf : xstrdup("");
	r->len = x->buf ? x->len : 0;
	x->buf = NULL;

	for (struct xfer **pp = &h->xfers; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	curl_multi_remove_handle(h->multi, x->easy);
	xfer_free(x);
	h->running--;
	*h->done_tail = d;
	h->done_tail = &d->next;
}

void
ag_http_cancel(struct ag_http *h, void *tag)
{
	for (struct xfer *x = h->xfers; x != NULL; x = x->next)
		if (x->tag == tag) {
			x->cancelled = 1;
			finish(h, x, CURLE_ABORTED_BY_CALLBACK);
			return;
		}
}

static void
collect(struct ag_http *h)
{
	int left;
	CURLMsg *m;
	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		CURLcode rc = m->data.result;
		if (x != NULL)
			finish(h, x, rc);
	}
}

int
ag_http_poll(struct ag_http *h, struct pollfd *extra, int nextra, int timeout_ms)
{
	struct curl_waitfd w[8];
	if (nextra > 8)
		nextra = 8;
	for (int i = 0; i < nextra; i++) {
		w[i].fd = extra[i].fd;
		w[i].events = (short)(((extra[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
		                      ((extra[i].events & POLLPRI) ? CURL_WAIT_POLLPRI : 0) |
		                      ((extra[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
		w[i].revents = 0;
	}
	int numfds = 0;
	int running = 0;
	/* Let transfers that are already due progress before sleeping. */
	curl_multi_perform(h->multi, &running);
	collect(h);
	if (h->done_head != NULL)
		timeout_ms = 0;
	if (curl_multi_poll(h->multi, nextra ? w : NULL, (unsigned)nextra,
	                    timeout_ms < 0 ? 0 : timeout_ms, &numfds) != CURLM_OK)
		return -1;
	curl_multi_perform(h->multi, &running);
	collect(h);
	int ready = 0;
	for (int i = 0; i < nextra; i++) {
		extra[i].revents = (short)(((w[i].revents & CURL_WAIT_POLLIN) ? POLLIN : 0) |
		                           ((w[i].revents & CURL_WAIT_POLLPRI) ? POLLPRI : 0) |
		                           ((w[i].revents & CURL_WAIT_POLLOUT) ? POLLOUT : 0));
		if (extra[i].revents)
			ready++;
	}
	return ready;
}

int
ag_http_next_done(struct ag_http *h, struct ag_http_response *out)
{
	struct done *d = h->done_head;
	if (d == NULL)
		return 0;
	h->done_head = d->next;
	if (h->done_head == NULL)
		h->done_tail = &h->done_head;
	*out = d->resp;
	free(d);
	return 1;
}

/* Longest run starting at msg that also appears somewhere in secret. */
static size_t
longest_shared_run(const char *msg, const char *secret, size_t slen)
{
	size_t best = 0;
	for (size_t j = 0; j < slen; j++) {
		size_t k = 0;
		while (msg[k] != '\0' && j + k < slen && msg[k] == secret[j + k])
			k++;
		if (k > best)
			best = k;
	}
	return best;
}

void
ag_http_scrub(char *msg, size_t size, const char *secret)
{
	static const char mark[] = "[redacted]";
	if (msg == NULL || size == 0 || secret == NULL || *secret == '\0')
		return;
	size_t slen = strlen(secret);
	size_t need = slen < SCRUB_RUN ? slen : SCRUB_RUN;
	char *out = xmalloc(size);
	size_t o = 0;
	for (size_t i = 0; msg[i] != '\0' && o + 1 < size;) {
		size_t run = longest_shared_run(msg + i, secret, slen);
		if (run >= need) {
			for (size_t k = 0; mark[k] != '\0' && o + 1 < size; k++)
				out[o++] = mark[k];
			i += run;
		} else {
			out[o++] = msg[i++];
		}
	}
	out[o] = '\0';
	memcpy(msg, out, o + 1);
	explicit_bzero(out, size);
	free(out);
}
