/* A real OTLP/HTTP JSON receiver on 127.0.0.1, for the telemetry test.
 *
 *   otlp_receiver --out FILE [--port N] [--port-file FILE] [--fail-first N]
 *
 * Serves POST /v1/logs and POST /v1/traces (HTTP/1.1, keep-alive, several
 * connections at once), checks each payload against the shape the OTLP
 * JSON encoding requires and the attributes agate promises, and writes one
 * line per record to FILE:
 *
 *   log ID DECISION BY SESSION KIND SCORE LEVEL TIME_MS summary=yes|no
 *   span ID DECISION|abandoned START_MS END_MS STATUS_CODE
 *   invalid PATH: why          (and the POST gets 400)
 *
 * --fail-first N answers the first N POSTs with 503 without recording
 * them, as an overloaded collector would. Runs until SIGTERM. */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define MAX_CONN 32
#define MAX_REQ  (8 << 20)

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

static FILE *out;
static int fail_first;
static int posts;
static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- payload checks ----------------------------------------------------------- */

static char why[512];

static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return -1;
}

static int
is_hex(const char *s, size_t n)
{
	if (s == NULL || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
is_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The value of attribute key: its stringValue or intValue text; NULL when
 * absent. Every attribute must be {key, value:{one typed member}}. */
static const char *
attr(const cJSON *attrs, const char *key, int *malformed)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, attrs)
	{
		const char *k = str(a, "key");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "value");
		if (k == NULL || !cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1) {
			*malformed = 1;
			return NULL;
		}
		if (strcmp(k, key) != 0)
			continue;
		if (str(v, "stringValue"))
			return str(v, "stringValue");
		if (str(v, "intValue")) {
			if (!is_digits(str(v, "intValue")))
				*malformed = 1;
			return str(v, "intValue");
		}
		if (cJSON_GetObjectItemCaseSensitive(v, "arrayValue"))
			return "(array)";
		*malformed = 1;
		return NULL;
	}
	return NULL;
}

static long long
nanos_to_ms(const char *s)
{
	return strtoll(s, NULL, 10) / 1000000;
}

static const char *const common_keys[] = {
    "agate.request.id", "agate.session",    "agate.agent",          "agate.kind",
    "agate.risk.score", "agate.risk.level", "agate.risk.categories"};

static int
check_common(const cJSON *attrs)
{
	int malformed = 0;
	for (size_t i = 0; i < sizeof common_keys / sizeof common_keys[0]; i++)
		if (attr(attrs, common_keys[i], &malformed) == NULL)
			return bad("attribute %s missing", common_keys[i]);
	if (malformed)
		return bad("a malformed attribute%s", "");
	return 0;
}

/* Walks resource -> scope -> records, checking the envelope; calls fn on
 * each record. */
static int
walk(const cJSON *root, const char *rkey, const char *skey, const char *reckey,
     int (*fn)(const cJSON *rec, char *line, size_t size), char *lines, size_t size)
{
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(root, rkey);
	if (!cJSON_IsArray(rs) || cJSON_GetArraySize(rs) == 0)
		return bad("%s: expected a non-empty array", rkey);
	const cJSON *r;
	cJSON_ArrayForEach(r, rs)
	{
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(r, "resource");
		int malformed = 0;
		const char *svc = attr(cJSON_GetObjectItemCaseSensitive(res, "attributes"),
		                       "service.name", &malformed);
		if (svc == NULL || malformed)
			return bad("resource: service.name missing%s", "");
		const cJSON *ss = cJSON_GetObjectItemCaseSensitive(r, skey);
		if (!cJSON_IsArray(ss))
			return bad("%s: expected an array", skey);
		const cJSON *s;
		cJSON_ArrayForEach(s, ss)
		{
			if (str(cJSON_GetObjectItemCaseSensitive(s, "scope"), "name") == NULL)
				return bad("scope.name missing%s", "");
			const cJSON *recs = cJSON_GetObjectItemCaseSensitive(s, reckey);
			if (!cJSON_IsArray(recs) || cJSON_GetArraySize(recs) == 0)
				return bad("%s: expected a non-empty array", reckey);
			const cJSON *rec;
			cJSON_ArrayForEach(rec, recs)
			{
				size_t used = strlen(lines);
				if (fn(rec, lines + used, size - used) != 0)
					return -1;
			}
		}
	}
	return 0;
}

static int
check_log(const cJSON *rec, char *line, size_t size)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(rec, "attributes");
	const cJSON *sev = cJSON_GetObjectItemCaseSensitive(rec, "severityNumber");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(rec, "body");
	if (!is_digits(str(rec, "timeUnixNano")))
		return bad("logRecord.timeUnixNano: expected a decimal string%s", "");
	if (!cJSON_IsNumber(sev) || sev->valueint < 1 || sev->valueint > 24)
		return bad("logRecord.severityNumber: expected 1..24%s", "");
	if (str(body, "stringValue") == NULL)
		return bad("logRecord.body.stringValue missing%s", "");
	if (!is_hex(str(rec, "traceId"), 32) || !is_hex(str(rec, "spanId"), 16))
		return bad("logRecord: traceId/spanId must be lowercase hex of 32/16%s", "");
	if (check_common(attrs) != 0)
		return -1;
	int m = 0;
	const char *dec = attr(attrs, "agate.decision", &m),
	           *by = attr(attrs, "agate.decided_by", &m);
	if (dec == NULL || by == NULL)
		return bad("logRecord: agate.decision and agate.decided_by required%s", "");
	snprintf(line, size, "log %s %s %s %s %s %s %s %lld summary=%s\n",
	         attr(attrs, "agate.request.id", &m), dec, by, attr(attrs, "agate.session", &m),
	         attr(attrs, "agate.kind", &m), attr(attrs, "agate.risk.score", &m),
	         attr(attrs, "agate.risk.level", &m), nanos_to_ms(str(rec, "timeUnixNano")),
	         attr(attrs, "agate.summary", &m) ? "yes" : "no");
	return 0;
}

static int
check_span(const cJSON *rec, char *line, size_t size)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(rec, "attributes");
	const char *start = str(rec, "startTimeUnixNano"), *end = str(rec, "endTimeUnixNano");
	if (!is_hex(str(rec, "traceId"), 32) || !is_hex(str(rec, "spanId"), 16))
		return bad("span: traceId/spanId must be lowercase hex of 32/16%s", "");
	if (str(rec, "name") == NULL)
		return bad("span.name missing%s", "");
	if (!is_digits(start) || !is_digits(end) ||
	    strtoll(start, NULL, 10) > strtoll(end, NULL, 10))
		return bad("span: start/end must be decimal strings, start <= end%s", "");
	if (check_common(attrs) != 0)
		return -1;
	int m = 0;
	const char *dec = attr(attrs, "agate.decision", &m),
	           *state = attr(attrs, "agate.state", &m);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(rec, "status"), "code");
	if (dec == NULL && state == NULL)
		return bad("span: agate.decision or agate.state required%s", "");
	snprintf(line, size, "span %s %s %lld %lld %d\n", attr(attrs, "agate.request.id", &m),
	         dec ? dec : state, nanos_to_ms(start), nanos_to_ms(end),
	         cJSON_IsNumber(code) ? code->valueint : -1);
	return 0;
}

/* 200 and lines written, or 400 with "invalid" written. */
static int
handle_payload(const char *path, const char *ctype, const char *body, size_t len)
{
	static char lines[MAX_REQ / 4];
	lines[0] = '\0';
	why[0] = '\0';
	int rc;
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (ctype == NULL || strncmp(ctype, "application/json", 16) != 0)
		rc = bad("Content-Type %s is not application/json", ctype ? ctype : "(none)");
	else if (root == NULL)
		rc = bad("body is not JSON%s", "");
	else if (strcmp(path, "/v1/logs") == 0)
		rc = walk(root, "resourceLogs", "scopeLogs", "logRecords", check_log, lines,
		          sizeof lines);
	else if (strcmp(path, "/v1/traces") == 0)
		rc = walk(root, "resourceSpans", "scopeSpans", "spans", check_span, lines,
		          sizeof lines);
	else
		rc = bad("no such path %s", path);
	cJSON_Delete(root);
	if (rc != 0) {
		fprintf(out, "invalid %s: %s\n", path, why);
		fflush(out);
		return 400;
	}
	fputs(lines, out);
	fflush(out);
	return 200;
}

/* ---- HTTP ------------------------------------------------------------------------- */

static void
reply(int fd, int status)
{
	const char *text = status == 200   ? "OK"
	                   : status == 400 ? "Bad Request"
	                                   : "Service Unavailable";
	char buf[256];
	int n = snprintf(buf, sizeof buf,
	                 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
	                 "\r\n{}",
	                 status, text);
	if (write(fd, buf, (size_t)n) < 0) {
		/* the client went away; its connection is closed next read */
	}
}

static const char *
header(const char *head, const char *name, char *val, size_t size)
{
	size_t n = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
			const char *v = p + 3 + n;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r\n");
			snprintf(val, size, "%.*s", (int)(len < size ? len : size - 1), v);
			return val;
		}
	}
	return NULL;
}

/* Handles every complete request in the buffer. -1: close. */
static int
serve(struct conn *c)
{
	for (;;) {
		char *end = c->len ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
		if (end == NULL)
			return c->len > 65536 ? -1 : 0;
		size_t head_len = (size_t)(end - c->buf) + 4;
		char *head = strndup(c->buf, head_len);
		char method[16], path[256], cl[32], ct[128], expect[64];
		if (sscanf(head, "%15s %255s", method, path) != 2) {
			free(head);
			return -1;
		}
		size_t body_len =
		    header(head, "Content-Length", cl, sizeof cl) ? strtoul(cl, NULL, 10) : 0;
		if (body_len > MAX_REQ) {
			free(head);
			return -1;
		}
		if (c->len < head_len + body_len) {
			if (header(head, "Expect", expect, sizeof expect) &&
			    strncasecmp(expect, "100-continue", 12) == 0 && c->len == head_len &&
			    write(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) < 0) {
				free(head);
				return -1;
			}
			free(head);
			return 0;
		}
		int status;
		posts++;
		if (strcmp(method, "POST") != 0)
			status = 400;
		else if (posts <= fail_first)
			status = 503;
		else
			status = handle_payload(path, header(head, "Content-Type", ct, sizeof ct),
			                        c->buf + head_len, body_len);
		free(head);
		reply(c->fd, status);
		memmove(c->buf, c->buf + head_len + body_len, c->len - head_len - body_len);
		c->len -= head_len + body_len;
	}
}

int
main(int argc, char **argv)
{
	const char *out_path = NULL, *port_file = NULL;
	int port = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--out") == 0)
			out_path = argv[i + 1];
		else if (strcmp(argv[i], "--port") == 0)
			port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--fail-first") == 0)
			fail_first = atoi(argv[i + 1]);
	}
	if (out_path == NULL || (out = fopen(out_path, "a")) == NULL) {
		fprintf(stderr, "usage: otlp_receiver --out FILE [--port N] [--port-file FILE] "
		                "[--fail-first N]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 16) != 0) {
		fprintf(stderr, "otlp_receiver: bind/listen: %s\n", strerror(errno));
		return 2;
	}
	socklen_t alen = sizeof addr;
	getsockname(ls, (struct sockaddr *)&addr, &alen);
	if (port_file != NULL) {
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
		FILE *pf = fopen(tmp, "w");
		if (pf == NULL)
			return 2;
		fprintf(pf, "%d\n", ntohs(addr.sin_port));
		fclose(pf);
		rename(tmp, port_file);
	}
	struct conn conns[MAX_CONN];
	memset(conns, 0, sizeof conns);
	for (int i = 0; i < MAX_CONN; i++)
		conns[i].fd = -1;
	while (!stop) {
		struct pollfd pfd[MAX_CONN + 1];
		int map[MAX_CONN + 1], n = 0;
		pfd[n] = (struct pollfd){ls, POLLIN, 0};
		map[n++] = -1;
		for (int i = 0; i < MAX_CONN; i++)
			if (conns[i].fd >= 0) {
				pfd[n] = (struct pollfd){conns[i].fd, POLLIN, 0};
				map[n++] = i;
			}
		if (poll(pfd, (nfds_t)n, 500) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
			int slot = -1;
			for (int i = 0; i < MAX_CONN && fd >= 0; i++)
				if (conns[i].fd < 0) {
					slot = i;
					break;
				}
			if (slot < 0 && fd >= 0)
				close(fd);
			else if (fd >= 0)
				conns[slot] = (struct conn){fd, NULL, 0, 0};
		}
		for (int k = 1; k < n; k++) {
			struct conn *c = &conns[map[k]];
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (c->cap - c->len < 65536) {
				c->cap = c->cap ? c->cap * 2 : 131072;
				c->buf = realloc(c->buf, c->cap);
			}
			ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
			if (r > 0)
				c->len += (size_t)r;
			if (r <= 0 || serve(c) < 0) {
				close(c->fd);
				free(c->buf);
				*c = (struct conn){-1, NULL, 0, 0};
			}
		}
	}
	fclose(out);
	return 0;
}
