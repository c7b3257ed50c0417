/* longframe: a long request (a 900 KB diff) reaches a subscriber byte for
 * byte, even when the subscriber reads it only after the request was
 * decided, its text freed by the hub, and another long request published
 * in its place.
 *
 *   longframe --bus D
 *
 * The hub hands a long request's printed text to each subscriber's pipe by
 * reference (vmsplice) rather than copying it in. That is safe only if the
 * pages handed over are never written again, freed or not; a text in
 * memory that malloc reuses would show a console the next request's bytes
 * under this one's id. Here subscriber S stays connected but reads
 * nothing while request long-1 is published, decided by subscriber D, and
 * replaced by long-2 (another text of the same size, so a reused block
 * would be overwritten); then S reads and must find each diff as sent.
 *
 * A subscriber that asked for previews (as the console does) gets, before
 * each long diff's request event, a preview: the same event with
 * "preview":true, the diff's first whole lines and its full length. One
 * that did not ask never sees a preview.
 *
 * Only the public client API (ipc/client.h) is used. Exit 0 on success. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/xmalloc.h"
#include "ipc/client.h"

#define DIFF_LINES 20000
#define WAIT_MS    20000

static const char *bus_dir;

static struct ag_client *
join(enum ag_role role, const char *name, int previews)
{
	struct ag_client_opts o = {.bus_dir = bus_dir,
	                           .role = role,
	                           .name = name,
	                           .autostart = 0,
	                           .connect_timeout_ms = 5000,
	                           .previews = previews};
	struct ag_client *c = NULL;
	struct ag_error err;
	if (ag_client_connect(&o, &c, &err) != 0) {
		fprintf(stderr, "longframe: %s cannot connect: %s\n", name, err.msg);
		exit(1);
	}
	return c;
}

/* A diff whose every line needs escaping (tab, quote, backslash) and holds
 * a two-byte code point, different for each tag. Caller frees. */
static char *
make_diff(char tag)
{
	size_t cap = 64 + (size_t)DIFF_LINES * 64, n = 0;
	char *d = xmalloc(cap);
	n += (size_t)snprintf(d, cap, "--- a/%c.c\n+++ b/%c.c\n@@ -1,%d +1,%d @@\n", tag, tag,
	                      DIFF_LINES, DIFF_LINES);
	for (int i = 0; i < DIFF_LINES; i++)
		n += (size_t)snprintf(d + n, cap - n, "+\tint %c%06d = f(\"q\\\\\", \xc3\xa9);\n",
		                      tag, i);
	return d;
}

/* A frame of type about request id, to fill in and send_or_die(). */
static cJSON *
frame_about(const char *type, const char *id)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", type);
	cJSON_AddStringToObject(f, "id", id);
	return f;
}

static void
send_or_die(struct ag_client *c, cJSON *f)
{
	struct ag_error err;
	if (ag_client_send(c, f, &err) != 0) {
		fprintf(stderr, "longframe: sending %s about %s: %s\n", ag_frame_type(f),
		        cJSON_GetObjectItemCaseSensitive(f, "id")->valuestring, err.msg);
		exit(1);
	}
	cJSON_Delete(f);
}

static void
publish(struct ag_client *p, const char *id, const char *diff)
{
	cJSON *r = frame_about("request", id);
	cJSON_AddStringToObject(r, "session", "longframe");
	cJSON_AddStringToObject(r, "agent", "longframe");
	cJSON_AddStringToObject(r, "cwd", "/tmp");
	cJSON_AddNumberToObject(r, "timeout_ms", 600000);
	cJSON *a = cJSON_AddObjectToObject(r, "action");
	cJSON_AddStringToObject(a, "kind", "patch");
	cJSON_AddStringToObject(a, "diff", diff);
	send_or_die(p, r);
}

static const char *
str(const cJSON *f, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Reads frames until one of type `type` (and, for events, `event`) about
 * request id; returns it (caller deletes). Exits on timeout. */
static cJSON *
await(struct ag_client *c, const char *who, const char *type, const char *event, const char *id)
{
	for (;;) {
		cJSON *f = NULL;
		struct ag_error err;
		int rc = ag_client_recv(c, WAIT_MS, &f, &err);
		if (rc <= 0) {
			fprintf(stderr, "longframe: %s waited for %s %s of %s: %s\n", who, type,
			        event ? event : "", id, rc == 0 ? "timed out" : err.msg);
			exit(1);
		}
		const cJSON *rq = cJSON_GetObjectItemCaseSensitive(f, "request");
		const char *fid = rq != NULL ? str(rq, "id") : str(f, "id");
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "preview")) &&
		    strcmp(who, "previewer") != 0) {
			fprintf(stderr, "longframe: %s got a preview it did not ask for\n", who);
			exit(1);
		}
		if (strcmp(ag_frame_type(f), type) == 0 &&
		    (event == NULL || strcmp(str(f, "event"), event) == 0) && strcmp(fid, id) == 0)
			return f;
		cJSON_Delete(f);
	}
}

static void
decide(struct ag_client *d, const char *id)
{
	cJSON_Delete(await(d, "decider", "event", "request", id));
	cJSON *f = frame_about("decide", id);
	cJSON_AddStringToObject(f, "decision", "deny");
	cJSON_AddStringToObject(f, "reason", "longframe");
	send_or_die(d, f);
}

/* What the previewer reads for id: the preview first, then the request. */
static int
check_preview(struct ag_client *pv, const char *id, const char *want)
{
	cJSON *f = await(pv, "previewer", "event", "request", id);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(f, "request"), "action");
	const char *head = str(a, "diff");
	size_t n = strlen(head);
	const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(f, "request_bytes");
	int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "preview")) && n > 0 &&
	         n <= 48 * 1024 && strncmp(head, want, n) == 0 && head[n - 1] == '\n' &&
	         cJSON_IsNumber(bytes) && (size_t)bytes->valuedouble == strlen(want);
	if (!ok)
		fprintf(stderr,
		        "longframe: %s: the first frame is not a preview of it (%zu bytes)\n", id,
		        n);
	cJSON_Delete(f);
	f = await(pv, "previewer", "event", "request", id);
	a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f, "request"),
	                                     "action");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "preview")) ||
	    strcmp(str(a, "diff"), want) != 0) {
		fprintf(stderr, "longframe: %s: the request did not follow its preview whole\n",
		        id);
		ok = 0;
	}
	cJSON_Delete(f);
	return ok;
}

/* The request event for id as the silent subscriber finally reads it. */
static int
check_received(struct ag_client *s, const char *id, const char *want)
{
	cJSON *f = await(s, "subscriber", "event", "request", id);
	const cJSON *rq = cJSON_GetObjectItemCaseSensitive(f, "request");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(rq, "action");
	const char *got = str(a, "diff");
	int same = strcmp(got, want) == 0;
	if (!same) {
		size_t at = 0;
		while (got[at] != '\0' && got[at] == want[at])
			at++;
		fprintf(stderr,
		        "longframe: %s arrived changed: %zu bytes, %zu sent, first "
		        "difference at byte %zu\n",
		        id, strlen(got), strlen(want), at);
	}
	cJSON_Delete(f);
	return same;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {{"bus", required_argument, NULL, 'b'},
	                                         {NULL, 0, NULL, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (ch == 'b')
			bus_dir = optarg;
		else
			return 2;
	if (bus_dir == NULL) {
		fprintf(stderr, "usage: longframe --bus DIR\n");
		return 2;
	}

	char *diff1 = make_diff('A'), *diff2 = make_diff('B');
	struct ag_client *silent = join(AG_ROLE_SUBSCRIBER, "longframe-silent", 0);
	struct ag_client *decider = join(AG_ROLE_SUBSCRIBER, "longframe-decider", 0);
	struct ag_client *pub = join(AG_ROLE_PUBLISHER, "longframe-publisher", 0);
	struct ag_client *previewer = join(AG_ROLE_SUBSCRIBER, "longframe-previewer", 1);

	/* long-1: published, decided and answered while S reads nothing. */
	publish(pub, "long-1", diff1);
	decide(decider, "long-1");
	cJSON_Delete(await(pub, "publisher", "decision", NULL, "long-1"));
	/* long-2, the same size: memory freed with long-1's text is reused. */
	publish(pub, "long-2", diff2);
	cJSON_Delete(await(decider, "decider", "event", "request", "long-2"));

	int ok = check_received(silent, "long-1", diff1);
	ok &= check_received(silent, "long-2", diff2);
	ok &= check_preview(previewer, "long-1", diff1);
	ok &= check_preview(previewer, "long-2", diff2);
	printf("longframe: %zu-byte diffs %s\n", strlen(diff1),
	       ok ? "arrived intact" : "ARRIVED CHANGED");

	ag_client_close(&silent);
	ag_client_close(&decider);
	ag_client_close(&pub);
	ag_client_close(&previewer);
	free(diff1);
	free(diff2);
	return ok ? 0 : 1;
}
