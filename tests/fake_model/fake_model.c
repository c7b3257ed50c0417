/* fake_model — a scripted model server for the Guardian's tests and bench.
 *
 * Real HTTP/1.1 on 127.0.0.1, on an ephemeral port it prints on stdout (one
 * line, then flushes), speaking the three APIs the Guardian uses, chosen by
 * the request path:
 *   .../chat/completions  OpenAI Chat Completions (and Ollama, vLLM, ...)
 *   .../responses         OpenAI Responses
 *   .../messages          Anthropic Messages (tool use when tools are sent)
 *
 * What it answers is scripted with steps, one JSON object per line in
 * --script FILE or per --step JSON flag:
 *   {"verdict":{...}}            answer this verdict (object: as JSON text,
 *                                 or as the tool input for Anthropic)
 *   {"verdict":"text"}           answer this text as the model's content
 *   {"status":500,"body":"..."}  a raw HTTP status and body
 *   {"status":429,"retry_after":"1"}
 *   {"delay_ms":2000}            answer late (combine with any other field)
 *   {"cut":true}                 announce the whole body, send half, close
 *   {"close":true}               close without answering
 *   {"oversize":300000}          a valid answer padded to this many bytes
 *   {"garbage":true}             a body that is not JSON
 *   {"refusal":"I can't"}        the API's refusal shape
 *   {"finish":"length"}          the answer was cut by the token limit
 *   {"usage":[in,out]}           token counts to report
 *   {"when":"substring", ...}    a rule: used (not consumed) whenever the
 *                                 request body contains the substring
 *   {"when_action":"substring"}  a rule matched only inside the prompt's
 *                                 evidence block named "action" (so the
 *                                 policy and the session history, which
 *                                 quote other actions, do not match)
 * Rules are tried first, in order; then steps are consumed in order, the
 * last one repeating. With no step at all: allow, low risk.
 *
 * --record FILE appends every request as a JSON line {"n","method","path",
 * "headers":{lowercase name: value},"body"} so tests can check the prompt
 * and where the API key went. --key KEY makes requests without that key
 * fail with 401, echoing what they sent (as careless servers do) so the
 * scrubbing is tested too. SIGTERM/SIGINT: prints "requests: N" on stderr
 * and exits. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cjson/cJSON.h>

#define HEADER_MAX (64 * 1024)
#define BODY_MAX   (32 * 1024 * 1024)
#define STEPS_MAX  4096

static cJSON *rules[STEPS_MAX], *steps[STEPS_MAX];
static int nrules, nsteps, next_step;
static const char *record_path;
static const char *expected_key;
static long nrequests;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void
die(const char *what)
{
	fprintf(stderr, "fake_model: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
add_step(const char *text, const char *where)
{
	cJSON *s = cJSON_Parse(text);
	if (!cJSON_IsObject(s)) {
		fprintf(stderr, "fake_model: %s: not a JSON object: %s\n", where, text);
		exit(2);
	}
	if (cJSON_GetObjectItemCaseSensitive(s, "when") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(s, "when_action") != NULL) {
		if (nrules == STEPS_MAX)
			exit(2);
		rules[nrules++] = s;
	} else {
		if (nsteps == STEPS_MAX)
			exit(2);
		steps[nsteps++] = s;
	}
}

static void
load_script(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		die(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		char where[512];
		snprintf(where, sizeof where, "%s:%d", path, lineno);
		add_step(p, where);
	}
	free(line);
	fclose(f);
}

/* --- connection I/O ----------------------------------------------------- */

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

struct http_req {
	char method[16];
	char path[1024];
	cJSON *headers; /* lowercase name -> value */
	char *body;
	size_t body_len;
};

static char *
find_crlfcrlf(char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return buf + i;
	return NULL;
}

static int
read_request(int fd, struct http_req *r)
{
	char *buf = malloc(HEADER_MAX + 1);
	size_t len = 0;
	char *end = NULL;
	while ((end = find_crlfcrlf(buf, len)) == NULL) {
		if (len == HEADER_MAX) {
			free(buf);
			return -1;
		}
		ssize_t n = recv(fd, buf + len, HEADER_MAX - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return -1;
		}
		len += (size_t)n;
		if ((unsigned char)buf[0] == 0x16) {
			/* A TLS ClientHello: answer in plain HTTP, as a plain server
			 * does, so the client's handshake fails at once. */
			free(buf);
			return -2;
		}
	}
	*end = '\0';
	size_t head_len = (size_t)(end - buf) + 4;
	r->headers = cJSON_CreateObject();
	char *save = NULL;
	char *line = strtok_r(buf, "\r\n", &save);
	if (line == NULL || sscanf(line, "%15s %1023s", r->method, r->path) != 2) {
		free(buf);
		return -1;
	}
	size_t content_length = 0;
	int expect_continue = 0;
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		char *colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		char *v = colon + 1;
		while (*v == ' ')
			v++;
		for (char *c = line; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		cJSON_DeleteItemFromObjectCaseSensitive(r->headers, line);
		cJSON_AddStringToObject(r->headers, line, v);
		if (strcmp(line, "content-length") == 0)
			content_length = strtoul(v, NULL, 10);
		if (strcmp(line, "expect") == 0 && strcasecmp(v, "100-continue") == 0)
			expect_continue = 1;
	}
	if (content_length > BODY_MAX) {
		free(buf);
		return -1;
	}
	if (expect_continue)
		write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	r->body = malloc(content_length + 1);
	size_t have = len - head_len;
	if (have > content_length)
		have = content_length;
	memcpy(r->body, buf + head_len, have);
	free(buf);
	while (have < content_length) {
		ssize_t n = recv(fd, r->body + have, content_length - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
	r->body[content_length] = '\0';
	r->body_len = content_length;
	return 0;
}

static void
record(const struct http_req *r, long n)
{
	if (record_path == NULL)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", (double)n);
	cJSON_AddStringToObject(o, "method", r->method);
	cJSON_AddStringToObject(o, "path", r->path);
	cJSON_AddItemToObject(o, "headers", cJSON_Duplicate(r->headers, 1));
	cJSON_AddStringToObject(o, "body", r->body ? r->body : "");
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	FILE *f = fopen(record_path, "a");
	if (f != NULL) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
	free(text);
}

/* --- answers -------------------------------------------------------------- */

enum api { API_CHAT, API_RESPONSES, API_ANTHROPIC, API_UNKNOWN };

static enum api
api_of(const char *path)
{
	size_t n = strlen(path);
	const char *q = strchr(path, '?');
	if (q != NULL)
		n = (size_t)(q - path);
#define ENDS(s) (n >= sizeof(s) - 1 && strncmp(path + n - (sizeof(s) - 1), s, sizeof(s) - 1) == 0)
	if (ENDS("/chat/completions"))
		return API_CHAT;
	if (ENDS("/responses"))
		return API_RESPONSES;
	if (ENDS("/messages"))
		return API_ANTHROPIC;
#undef ENDS
	return API_UNKNOWN;
}

/* The text of the prompt's "action" evidence block, or NULL; caller frees.
 * The user message is the last of "messages" (Chat, Anthropic) or the
 * first of "input" (Responses). */
static char *
action_block(const char *body)
{
	cJSON *req = cJSON_Parse(body);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req, "messages");
	if (list == NULL)
		list = cJSON_GetObjectItemCaseSensitive(req, "input");
	const cJSON *msg = NULL, *m;
	cJSON_ArrayForEach(m, list)
	{
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		if (cJSON_IsString(role) && strcmp(role->valuestring, "user") == 0)
			msg = m;
	}
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	char *out = NULL;
	if (cJSON_IsString(content)) {
		const char *a = strstr(content->valuestring, "name=\"action\">");
		const char *b = a ? strstr(a, "</evidence-") : NULL;
		if (a && b)
			out = strndup(a, (size_t)(b - a));
	}
	cJSON_Delete(req);
	return out;
}

static const cJSON *
pick_step(const char *body)
{
	static cJSON *fallback;
	pthread_mutex_lock(&lock);
	const cJSON *s = NULL;
	char *action = NULL;
	int action_done = 0;
	for (int i = 0; i < nrules && s == NULL; i++) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(rules[i], "when");
		const cJSON *wa = cJSON_GetObjectItemCaseSensitive(rules[i], "when_action");
		if (cJSON_IsString(w) && body != NULL && strstr(body, w->valuestring) != NULL)
			s = rules[i];
		if (cJSON_IsString(wa) && body != NULL) {
			if (!action_done) {
				action = action_block(body);
				action_done = 1;
			}
			if (action != NULL && strstr(action, wa->valuestring) != NULL)
				s = rules[i];
		}
	}
	free(action);
	if (s == NULL && nsteps > 0) {
		s = steps[next_step];
		if (next_step + 1 < nsteps)
			next_step++;
	}
	if (s == NULL) {
		if (fallback == NULL)
			fallback =
			    cJSON_Parse("{\"verdict\":{\"risk_level\":\"low\",\"user_"
			                "authorization\":\"unknown\",\"outcome\":\"allow\","
			                "\"rationale\":\"fake model default\",\"categories\":[]}}");
		s = fallback;
	}
	pthread_mutex_unlock(&lock);
	return s;
}

static int
num_field(const cJSON *s, const char *name, int def)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(s, name);
	return cJSON_IsNumber(j) ? j->valueint : def;
}

static const char *
str_field(const cJSON *s, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(s, name);
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

/* The model's answer as a body in the shape of the API. */
static char *
api_body(enum api api, const cJSON *step, const struct http_req *r)
{
	const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(step, "verdict");
	char *text = cJSON_IsString(verdict) ? strdup(verdict->valuestring)
	             : verdict != NULL       ? cJSON_PrintUnformatted(verdict)
	                                     : strdup("");
	int oversize = num_field(step, "oversize", 0);
	if (oversize > 0) {
		size_t n = strlen(text);
		char *bigger = realloc(text, n + (size_t)oversize + 1);
		if (bigger == NULL) {
			fprintf(stderr, "fake_model: out of memory\n");
			exit(2);
		}
		text = bigger;
		memset(text + n, ' ', (size_t)oversize);
		text[n + (size_t)oversize] = '\0';
	}
	const char *refusal = str_field(step, "refusal");
	const char *finish = str_field(step, "finish");
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(step, "usage");
	int tin = (int)(r->body_len / 4), tout = (int)(strlen(text) / 4) + 1;
	if (cJSON_GetArraySize(usage) == 2) {
		tin = cJSON_GetArrayItem(usage, 0)->valueint;
		tout = cJSON_GetArrayItem(usage, 1)->valueint;
	}
	cJSON *req = cJSON_Parse(r->body);
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(req, "model");
	const char *mname = cJSON_IsString(model) ? model->valuestring : "fake";
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "model", mname);
	if (api == API_CHAT) {
		cJSON_AddStringToObject(o, "id", "chatcmpl-fake");
		cJSON_AddStringToObject(o, "object", "chat.completion");
		cJSON *choices = cJSON_AddArrayToObject(o, "choices");
		cJSON *c = cJSON_CreateObject();
		cJSON_AddItemToArray(choices, c);
		cJSON_AddNumberToObject(c, "index", 0);
		cJSON *msg = cJSON_AddObjectToObject(c, "message");
		cJSON_AddStringToObject(msg, "role", "assistant");
		if (refusal) {
			cJSON_AddNullToObject(msg, "content");
			cJSON_AddStringToObject(msg, "refusal", refusal);
		} else {
			cJSON_AddStringToObject(msg, "content", text);
		}
		cJSON_AddStringToObject(c, "finish_reason", finish ? finish : "stop");
		cJSON *u = cJSON_AddObjectToObject(o, "usage");
		cJSON_AddNumberToObject(u, "prompt_tokens", tin);
		cJSON_AddNumberToObject(u, "completion_tokens", tout);
		cJSON_AddNumberToObject(u, "total_tokens", tin + tout);
	} else if (api == API_RESPONSES) {
		cJSON_AddStringToObject(o, "id", "resp_fake");
		cJSON_AddStringToObject(o, "object", "response");
		cJSON_AddStringToObject(o, "status", finish ? "incomplete" : "completed");
		if (finish) {
			cJSON *inc = cJSON_AddObjectToObject(o, "incomplete_details");
			cJSON_AddStringToObject(inc, "reason", "max_output_tokens");
		}
		cJSON *out = cJSON_AddArrayToObject(o, "output");
		cJSON *reasoning = cJSON_CreateObject();
		cJSON_AddStringToObject(reasoning, "type", "reasoning");
		cJSON_AddStringToObject(reasoning, "id", "rs_fake");
		cJSON_AddArrayToObject(reasoning, "summary");
		cJSON_AddItemToArray(out, reasoning);
		cJSON *m = cJSON_CreateObject();
		cJSON_AddItemToArray(out, m);
		cJSON_AddStringToObject(m, "type", "message");
		cJSON_AddStringToObject(m, "id", "msg_fake");
		cJSON_AddStringToObject(m, "status", "completed");
		cJSON_AddStringToObject(m, "role", "assistant");
		cJSON *content = cJSON_AddArrayToObject(m, "content");
		cJSON *part = cJSON_CreateObject();
		cJSON_AddItemToArray(content, part);
		if (refusal) {
			cJSON_AddStringToObject(part, "type", "refusal");
			cJSON_AddStringToObject(part, "refusal", refusal);
		} else {
			cJSON_AddStringToObject(part, "type", "output_text");
			cJSON_AddStringToObject(part, "text", text);
			cJSON_AddArrayToObject(part, "annotations");
		}
		cJSON *u = cJSON_AddObjectToObject(o, "usage");
		cJSON_AddNumberToObject(u, "input_tokens", tin);
		cJSON_AddNumberToObject(u, "output_tokens", tout);
		cJSON_AddNumberToObject(u, "total_tokens", tin + tout);
	} else {
		cJSON_AddStringToObject(o, "id", "msg_fake");
		cJSON_AddStringToObject(o, "type", "message");
		cJSON_AddStringToObject(o, "role", "assistant");
		cJSON *content = cJSON_AddArrayToObject(o, "content");
		const cJSON *tools = cJSON_GetObjectItemCaseSensitive(req, "tools");
		const cJSON *tool0 = cJSON_GetArrayItem(tools, 0);
		const char *tname = str_field(tool0, "name");
		cJSON *block = cJSON_CreateObject();
		cJSON_AddItemToArray(content, block);
		if (refusal) {
			cJSON_AddStringToObject(block, "type", "text");
			cJSON_AddStringToObject(block, "text", refusal);
			cJSON_AddStringToObject(o, "stop_reason", "refusal");
		} else if (tname != NULL && cJSON_IsObject(verdict) && oversize == 0) {
			cJSON_AddStringToObject(block, "type", "tool_use");
			cJSON_AddStringToObject(block, "id", "toolu_fake");
			cJSON_AddStringToObject(block, "name", tname);
			cJSON_AddItemToObject(block, "input", cJSON_Duplicate(verdict, 1));
			cJSON_AddStringToObject(o, "stop_reason",
			                        finish ? "max_tokens" : "tool_use");
		} else {
			cJSON_AddStringToObject(block, "type", "text");
			cJSON_AddStringToObject(block, "text", text);
			cJSON_AddStringToObject(o, "stop_reason",
			                        finish ? "max_tokens" : "end_turn");
		}
		cJSON *u = cJSON_AddObjectToObject(o, "usage");
		cJSON_AddNumberToObject(u, "input_tokens", tin);
		cJSON_AddNumberToObject(u, "output_tokens", tout);
	}
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cJSON_Delete(req);
	free(text);
	return body;
}

static void
respond(int fd, int status, const char *extra_headers, const char *body, int cut)
{
	const char *reason = status == 200   ? "OK"
	                     : status == 401 ? "Unauthorized"
	                     : status == 404 ? "Not Found"
	                     : status == 429 ? "Too Many Requests"
	                     : status >= 500 ? "Server Error"
	                                     : "Status";
	size_t len = strlen(body);
	char head[1024];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
	                 status, reason, len, extra_headers ? extra_headers : "");
	if (write_all(fd, head, (size_t)n) != 0)
		return;
	write_all(fd, body, cut ? len / 2 : len);
}

static int
key_ok(const struct http_req *r, char *sent, size_t size)
{
	sent[0] = '\0';
	if (expected_key == NULL)
		return 1;
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(r->headers, "authorization");
	const cJSON *xkey = cJSON_GetObjectItemCaseSensitive(r->headers, "x-api-key");
	const char *got = NULL;
	if (cJSON_IsString(auth) && strncmp(auth->valuestring, "Bearer ", 7) == 0)
		got = auth->valuestring + 7;
	else if (cJSON_IsString(xkey))
		got = xkey->valuestring;
	if (got != NULL)
		snprintf(sent, size, "%s", got);
	return got != NULL && strcmp(got, expected_key) == 0;
}

static void
serve(int fd)
{
	struct http_req r;
	memset(&r, 0, sizeof r);
	int rc = read_request(fd, &r);
	if (rc == -2)
		write_all(fd, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", 47);
	if (rc != 0)
		goto out;
	pthread_mutex_lock(&lock);
	long n = ++nrequests;
	record(&r, n);
	pthread_mutex_unlock(&lock);

	enum api api = api_of(r.path);
	char sent[512];
	if (api == API_UNKNOWN || strcmp(r.method, "POST") != 0) {
		respond(fd, 404, NULL, "{\"error\":{\"message\":\"no such endpoint\"}}", 0);
		goto out;
	}
	if (!key_ok(&r, sent, sizeof sent)) {
		char body[1024];
		snprintf(body, sizeof body,
		         "{\"error\":{\"message\":\"Incorrect API key provided: %.400s\"}}", sent);
		respond(fd, 401, NULL, body, 0);
		goto out;
	}
	const cJSON *step = pick_step(r.body);
	int delay = num_field(step, "delay_ms", 0);
	if (delay > 0) {
		struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(step, "close")))
		goto out;
	int status = num_field(step, "status", 200);
	char extra[256] = "";
	const char *ra = str_field(step, "retry_after");
	if (ra != NULL)
		snprintf(extra, sizeof extra, "Retry-After: %.64s\r\n", ra);
	int cut = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(step, "cut"));
	const char *raw = str_field(step, "body");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(step, "garbage")))
		raw = "<html><body>502 Bad Gateway</body></html>\n\x01\x02 not json at all";
	if (raw != NULL || status != 200) {
		respond(fd, status, extra,
		        raw ? raw : "{\"error\":{\"message\":\"scripted failure\"}}", cut);
		goto out;
	}
	char *body = api_body(api, step, &r);
	respond(fd, status, extra, body, cut);
	free(body);
out:
	shutdown(fd, SHUT_WR);
	/* Drain what the client still sends so the close is orderly. */
	char sink[4096];
	struct timeval tv = {0, 200000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (recv(fd, sink, sizeof sink, 0) > 0)
		;
	close(fd);
	cJSON_Delete(r.headers);
	free(r.body);
}

static void *
conn_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	serve(fd);
	return NULL;
}

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fake_model [--script FILE] [--step JSON]... [--record FILE] "
	                "[--key KEY] [--port N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int port = 0;
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--script") == 0)
			load_script(argv[++i]);
		else if (strcmp(argv[i], "--step") == 0) {
			i++;
			add_step(argv[i], "--step");
		} else if (strcmp(argv[i], "--record") == 0)
			record_path = argv[++i];
		else if (strcmp(argv[i], "--key") == 0)
			expected_key = argv[++i];
		else if (strcmp(argv[i], "--port") == 0)
			port = atoi(argv[++i]);
		else
			usage();
	}
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof a) != 0)
		die("bind");
	if (listen(s, 128) != 0)
		die("listen");
	socklen_t alen = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &alen);
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!stop) {
		int fd = accept(s, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		pthread_t t;
		if (pthread_create(&t, &attr, conn_thread, (void *)(intptr_t)fd) != 0) {
			serve(fd);
		}
	}
	pthread_mutex_lock(&lock);
	fprintf(stderr, "requests: %ld\n", nrequests);
	pthread_mutex_unlock(&lock);
	return 0;
}
