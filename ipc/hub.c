/* The hub's loop and its clients: hellos on hub.fifo, the client table,
 * poll(), reading frames off each ID.up and dispatching them, flushing each
 * ID.down after the commit, timeouts. What a request frame does is in
 * ipc/hub_requests.c. See ipc/hub.h for the shape of the loop;
 * doc/agate-protocol.7 for the frames.
 *
 * Ordering is the whole point of this file. During a loop turn every
 * journal write goes into one transaction and every frame for a client goes
 * into that client's output buffer; buffers are flushed only after the
 * transaction commits. So no client ever sees a request or a decision that
 * is not on disk (DESIGN.md promise 1), and a turn costs one commit however
 * many requests it carried. */
#include "ipc/hub.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/journal.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "ipc/busdir.h"
#include "ipc/client.h"
#include "ipc/hub_internal.h"
#include "ipc/linebuf.h"
#include "ipc/pending.h"

#define HELLO_MAX      1024         /* hellos must fit PIPE_BUF anyway */
#define CLIENT_OUT_MAX (256u << 20) /* a subscriber this far behind is dropped */
#define TURN_BYTES_MAX (8u << 20)   /* per client per turn, for fairness */

static volatile sig_atomic_t hub_stop;

static void
hub_on_signal(int sig)
{
	(void)sig;
	hub_stop = 1;
}

static void hub_vlog(struct hub *h, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
hub_vlog(struct hub *h, const char *fmt, va_list ap)
{
	if (h->opts->log == NULL)
		return;
	fprintf(h->opts->log, "agate hub: ");
	vfprintf(h->opts->log, fmt, ap);
	fputc('\n', h->opts->log);
	fflush(h->opts->log);
}

void
hub_log(struct hub *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hub_vlog(h, fmt, ap);
	va_end(ap);
}

void
hub_trace(struct hub *h, const char *fmt, ...)
{
	if (!h->opts->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	hub_vlog(h, fmt, ap);
	va_end(ap);
}

void
ag_hub_opts_default(struct ag_hub_opts *opts)
{
	memset(opts, 0, sizeof *opts);
	ag_limits_default(&opts->limits);
	opts->default_timeout_ms = 10 * 60 * 1000;
	opts->timeout_decision = AG_DECISION_DENY;
	opts->orphan_grace_ms = 60 * 1000;
}

/* --- sending ---------------------------------------------------------- */

void
hub_queue_text(struct hub_client *cl, const char *text, size_t len)
{
	if (cl->dead)
		return;
	ag_outbuf_append(&cl->out, text, len);
	ag_outbuf_append(&cl->out, "\n", 1);
}

void
hub_send(struct hub_client *cl, cJSON *frame)
{
	char *text = ag_json_print(frame);
	cJSON_Delete(frame);
	hub_queue_text(cl, text, strlen(text));
	free(text);
}

cJSON *
hub_frame_new(const char *type)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", type);
	return f;
}

void
hub_send_error(struct hub *h, struct hub_client *cl, const char *ref, const char *fmt, ...)
{
	char msg[AG_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *f = hub_frame_new("error");
	if (ref != NULL && *ref != '\0')
		cJSON_AddStringToObject(f, "ref", ref);
	else
		cJSON_AddNullToObject(f, "ref");
	cJSON_AddStringToObject(f, "error", msg);
	hub_send(cl, f);
	h->nerrors++;
	/* msg may quote what the client sent: sanitize before it reaches a log. */
	char *safe = ag_sanitize_line(msg, strlen(msg));
	hub_trace(h, "error to %s: %s", cl->id, safe);
	free(safe);
}

void
hub_broadcast(struct hub *h, cJSON *frame)
{
	char *text = ag_json_print(frame);
	cJSON_Delete(frame);
	size_t len = strlen(text);
	for (struct hub_client *cl = h->clients; cl != NULL; cl = cl->next)
		if (cl->role == AG_ROLE_SUBSCRIBER)
			hub_queue_text(cl, text, len);
	free(text);
}

const char *
hub_json_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* --- status, client counts ---------------------------------------------- */

static void
hub_on_status(struct hub *h, struct hub_client *cl)
{
	size_t pubs = 0, subs = 0;
	cJSON *list = cJSON_CreateArray();
	for (struct hub_client *c = h->clients; c != NULL; c = c->next) {
		if (c->role == AG_ROLE_PUBLISHER)
			pubs++;
		else if (c->role == AG_ROLE_SUBSCRIBER)
			subs++;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", c->id);
		cJSON_AddStringToObject(o, "role",
		                        c->role == AG_ROLE_PUBLISHER    ? "publisher"
		                        : c->role == AG_ROLE_SUBSCRIBER ? "subscriber"
		                                                        : "control");
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddNumberToObject(o, "pid", (double)c->pid);
		cJSON_AddItemToArray(list, o);
	}
	cJSON *f = hub_frame_new("status");
	cJSON_AddNumberToObject(f, "pid", (double)getpid());
	cJSON_AddNumberToObject(f, "started_ms", (double)h->start_wall);
	cJSON_AddNumberToObject(f, "uptime_ms", (double)(ag_clock_mono_ms() - h->start_mono));
	cJSON_AddNumberToObject(f, "clients", (double)h->nclients);
	cJSON_AddNumberToObject(f, "publishers", (double)pubs);
	cJSON_AddNumberToObject(f, "subscribers", (double)subs);
	cJSON_AddNumberToObject(f, "pending", (double)h->pending.count);
	cJSON_AddNumberToObject(f, "requests", (double)h->nrequests);
	cJSON_AddNumberToObject(f, "decisions", (double)h->ndecisions);
	cJSON_AddNumberToObject(f, "errors", (double)h->nerrors);
	cJSON_AddStringToObject(f, "bus", h->dir);
	cJSON_AddStringToObject(f, "journal", h->journal_path);
	cJSON_AddItemToObject(f, "client_list", list);
	hub_send(cl, f);
}

/* Tells subscribers how many consoles are attached, whenever a subscriber
 * comes or goes: the Guardian escalates to a human only when one is there. */
static void
broadcast_clients(struct hub *h)
{
	int subscribers = 0, consoles = 0;
	for (struct hub_client *c = h->clients; c != NULL; c = c->next) {
		if (c->role != AG_ROLE_SUBSCRIBER || c->dead)
			continue;
		subscribers++;
		consoles += strcmp(c->name, "console") == 0;
	}
	cJSON *ev = hub_frame_new("event");
	cJSON_AddStringToObject(ev, "event", "clients");
	cJSON_AddNumberToObject(ev, "subscribers", subscribers);
	cJSON_AddNumberToObject(ev, "consoles", consoles);
	hub_broadcast(h, ev);
}

/* --- frames ------------------------------------------------------------- */

static void
hub_on_frame(struct hub *h, struct hub_client *cl, const char *line, size_t len)
{
	cJSON *frame = NULL;
	struct ag_error err;
	if (ag_frame_parse(line, len, &h->opts->limits, &frame, &err) != 0) {
		hub_send_error(h, cl, NULL, "%s", err.msg);
		return;
	}
	const char *type = ag_frame_type(frame);
	if (strcmp(type, "request") == 0)
		hub_on_request(h, cl, frame);
	else if (strcmp(type, "decide") == 0)
		hub_on_decide(h, cl, frame);
	else if (strcmp(type, "review") == 0)
		hub_on_review(h, cl, frame);
	else if (strcmp(type, "review_request") == 0)
		hub_on_review_request(h, cl, frame);
	else if (strcmp(type, "status") == 0)
		hub_on_status(h, cl);
	else if (strcmp(type, "abandon") == 0)
		hub_on_abandon(h, cl, frame);
	else if (strcmp(type, "ping") == 0)
		hub_send(cl, hub_frame_new("pong"));
	else {
		char *safe = ag_sanitize_line(type, strlen(type));
		hub_send_error(
		    h, cl, NULL,
		    "type: unknown frame type '%.64s' (expected request, decide, review, "
		    "review_request, abandon, status or ping)",
		    safe);
		free(safe);
	}
	cJSON_Delete(frame);
}

/* Reads what the client sent this turn (bounded, so one busy publisher
 * cannot starve the others) and handles each complete frame. */
static void
hub_read_client(struct hub *h, struct hub_client *cl)
{
	size_t budget = TURN_BYTES_MAX;
	for (;;) {
		const char *line;
		size_t len;
		enum ag_line_status st;
		while ((st = ag_linebuf_next(&cl->in, &line, &len)) != AG_LINE_NONE) {
			if (st == AG_LINE_OVERSIZE)
				hub_send_error(
				    h, cl, NULL,
				    "frame too large: %zu bytes (limit %zu); it was discarded", len,
				    h->opts->limits.max_frame);
			else
				hub_on_frame(h, cl, line, len);
		}
		if (budget == 0)
			return;
		ssize_t n = ag_linebuf_fill(&cl->in, cl->up_fd);
		if (n > 0) {
			budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
			continue;
		}
		if (n == 0)
			cl->dead = 1; /* every writer closed: the client is gone */
		else if (errno != EAGAIN && errno != EINTR)
			cl->dead = 1;
		return;
	}
}

/* --- clients ------------------------------------------------------------ */

static int
open_client_fifo(struct hub *h, const char *id, const char *suffix, int flags, int *fd,
                 struct ag_error *err)
{
	char name[AG_ID_MAX + 16];
	snprintf(name, sizeof name, "clients/%s.%s", id, suffix);
	char *path = ag_bus_path(h->dir, name);
	/* O_NOFOLLOW: a hello cannot point us through a symlink; the fd check
	 * then refuses anything that is not a private FIFO of ours. */
	*fd = open(path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;
		free(path);
		return ag_fail(err, "cannot open clients/%s.%s: %s", id, suffix,
		               e == ELOOP ? "it is a symlink" : strerror(e));
	}
	free(path);
	if (ag_bus_check_fifo_fd(*fd, name, err) != 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

static void
hub_on_hello(struct hub *h, const char *line, size_t len)
{
	struct ag_limits lim = h->opts->limits;
	lim.max_frame = HELLO_MAX;
	cJSON *frame = NULL;
	struct ag_error err;
	if (ag_frame_parse(line, len, &lim, &frame, &err) != 0) {
		hub_log(h, "bad hello: %s", err.msg);
		return;
	}
	const char *type = ag_frame_type(frame);
	const char *id = hub_json_string(frame, "client");
	const char *role = hub_json_string(frame, "role");
	const char *name = hub_json_string(frame, "name");
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(frame, "pid");
	int r = role == NULL                      ? -1
	        : strcmp(role, "publisher") == 0  ? AG_ROLE_PUBLISHER
	        : strcmp(role, "subscriber") == 0 ? AG_ROLE_SUBSCRIBER
	        : strcmp(role, "control") == 0    ? AG_ROLE_CONTROL
	                                          : -1;
	if (strcmp(type, "hello") != 0 || !ag_id_valid(id)) {
		hub_log(h, "bad hello: expected type hello and a client id of [A-Za-z0-9._:-]");
		cJSON_Delete(frame);
		return;
	}
	struct hub_client *cl = xcalloc(1, sizeof *cl);
	snprintf(cl->id, sizeof cl->id, "%s", id);
	cl->up_fd = cl->down_fd = -1;
	if (open_client_fifo(h, id, "down", O_WRONLY, &cl->down_fd, &err) != 0 ||
	    open_client_fifo(h, id, "up", O_RDONLY, &cl->up_fd, &err) != 0) {
		char *safe = ag_sanitize_line(err.msg, strlen(err.msg));
		hub_log(h, "refused hello: %s", safe);
		free(safe);
		if (cl->down_fd >= 0) {
			cl->role = AG_ROLE_CONTROL;
			ag_outbuf_init(&cl->out);
			hub_send_error(h, cl, NULL, "hello refused: %s", err.msg);
			ag_outbuf_flush(&cl->out, cl->down_fd);
			ag_outbuf_free(&cl->out);
			close(cl->down_fd);
		}
		free(cl);
		cJSON_Delete(frame);
		return;
	}
	ag_linebuf_init(&cl->in, h->opts->limits.max_frame);
	ag_outbuf_init(&cl->out);
	cl->role = r < 0 ? AG_ROLE_CONTROL : (enum ag_role)r;
	cl->pid = cJSON_IsNumber(pid) ? (long)pid->valuedouble : 0;
	cl->previews = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(frame, "previews"));
	if (name != NULL) {
		char *safe = ag_sanitize_line(name, strlen(name));
		snprintf(cl->name, sizeof cl->name, "%s", safe);
		free(safe);
	}
	cl->next = h->clients;
	h->clients = cl;
	h->nclients++;
	cJSON *w = hub_frame_new("welcome");
	cJSON_AddStringToObject(w, "client", cl->id);
	cJSON_AddNumberToObject(w, "hub_pid", (double)getpid());
	hub_send(cl, w);
	if (r < 0)
		hub_send_error(h, cl, NULL,
		               "hello: role: expected publisher, subscriber or control; "
		               "treated as control");
	if (cl->role == AG_ROLE_SUBSCRIBER) {
		hub_send_snapshot(h, cl);
		broadcast_clients(h);
	}
	hub_trace(h, "client %s connected (%s, pid %ld)", cl->id, role ? role : "?", cl->pid);
	cJSON_Delete(frame);
}

static void
hub_read_inbox(struct hub *h)
{
	for (;;) {
		const char *line;
		size_t len;
		enum ag_line_status st;
		while ((st = ag_linebuf_next(&h->inbox, &line, &len)) != AG_LINE_NONE) {
			if (st == AG_LINE_OVERSIZE)
				hub_log(h, "dropped a %zu-byte hello (limit %d)", len, HELLO_MAX);
			else
				hub_on_hello(h, line, len);
		}
		ssize_t n = ag_linebuf_fill(&h->inbox, h->inbox_fd);
		if (n <= 0)
			return;
	}
}

static void
client_free(struct hub_client *cl)
{
	if (cl->up_fd >= 0)
		close(cl->up_fd);
	if (cl->down_fd >= 0)
		close(cl->down_fd);
	ag_linebuf_free(&cl->in);
	ag_outbuf_free(&cl->out);
	free(cl);
}

/* Drops dead clients. A publisher's pending requests are abandoned: nobody
 * is left to receive their decision. */
static void
hub_reap_clients(struct hub *h)
{
	struct hub_client **pp = &h->clients;
	int subscriber_left = 0;
	while (*pp != NULL) {
		struct hub_client *cl = *pp;
		if (!cl->dead) {
			pp = &cl->next;
			continue;
		}
		struct ag_pending *p = h->pending.head;
		while (p != NULL) {
			struct ag_pending *next = p->next;
			if (p->publisher == cl)
				hub_abandon(h, p, "the publisher went away");
			p = next;
		}
		hub_trace(h, "client %s disconnected", cl->id);
		subscriber_left |= cl->role == AG_ROLE_SUBSCRIBER;
		*pp = cl->next;
		h->nclients--;
		client_free(cl);
	}
	if (subscriber_left)
		broadcast_clients(h);
}

/* --- time --------------------------------------------------------------- */

static void
hub_expire(struct hub *h)
{
	int64_t now = ag_clock_wall_ms();
	if (now < h->next_expiry_ms)
		return;
	int64_t next = now + 1000;
	int64_t orphan_cutoff = h->start_wall + h->opts->orphan_grace_ms;
	struct ag_pending *p = h->pending.head;
	while (p != NULL) {
		struct ag_pending *next_p = p->next;
		struct ag_error err;
		if (p->deadline_ms <= now) {
			char reason[128];
			int64_t t = p->deadline_ms - p->created_ms;
			snprintf(reason, sizeof reason, "no decision within %lld s; failed closed",
			         (long long)(t / 1000));
			if (hub_decide(h, p, h->opts->timeout_decision, AG_BY_TIMEOUT, reason,
			               &err) != 0)
				hub_log(h, "cannot journal timeout of %s: %s", p->req->id, err.msg);
		} else if (p->publisher == NULL && now >= orphan_cutoff) {
			hub_abandon(h, p,
			            "its publisher did not come back after the hub restarted");
		} else if (p->deadline_ms < next) {
			next = p->deadline_ms;
		}
		p = next_p;
	}
	if (h->pending.head != NULL && h->pending.head->publisher == NULL && orphan_cutoff < next)
		next = orphan_cutoff > now ? orphan_cutoff : now + 100;
	h->next_expiry_ms = next;
}

static int
hub_poll_timeout(const struct hub *h)
{
	int64_t wait = h->next_expiry_ms - ag_clock_wall_ms();
	if (wait < 0)
		return 0;
	return wait > 1000 ? 1000 : (int)wait;
}

/* --- startup ------------------------------------------------------------ */

static int
hub_take_lock(struct hub *h, int *already_running, struct ag_error *err)
{
	char *path = ag_bus_path(h->dir, "hub.lock");
	h->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (h->lock_fd < 0) {
		int e = errno;
		ag_fail(err, "cannot open %s: %s", path, strerror(e));
		free(path);
		return -1;
	}
	free(path);
	if (flock(h->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (already_running)
			*already_running = 1;
		return ag_fail(err, "another hub already owns the bus %s", h->dir);
	}
	return 0;
}

static void
hub_write_pid(struct hub *h)
{
	char *path = ag_bus_path(h->dir, "hub.pid");
	char *tmp = ag_bus_path(h->dir, "hub.pid.tmp");
	FILE *f = fopen(tmp, "w");
	if (f != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		if (fclose(f) == 0)
			rename(tmp, path);
	}
	free(path);
	free(tmp);
}

static int
hub_open_inbox(struct hub *h, struct ag_error *err)
{
	char *path = ag_bus_path(h->dir, "hub.fifo");
	int rc = ag_bus_make_fifo(path, err);
	if (rc == 0) {
		/* O_RDWR: we are a writer too, so the inbox never reports end of
		 * file between clients. */
		h->inbox_fd = open(path, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (h->inbox_fd < 0)
			rc = ag_fail(err, "cannot open %s: %s", path, strerror(errno));
	}
	free(path);
	ag_linebuf_init(&h->inbox, HELLO_MAX);
	return rc;
}

static int
hub_start(struct hub *h, int *already_running, struct ag_error *err)
{
	const struct ag_hub_opts *o = h->opts;
	h->lock_fd = h->inbox_fd = -1;
	ag_pending_init(&h->pending);
	h->dir = o->bus_dir ? xstrdup(o->bus_dir) : ag_bus_dir_default();
	h->journal_path = ag_journal_default_path(o->journal_path);
	h->start_wall = ag_clock_wall_ms();
	h->start_mono = ag_clock_mono_ms();
	if (ag_bus_dir_prepare(h->dir, err) != 0 || hub_take_lock(h, already_running, err) != 0)
		return -1;
	if (ag_journal_open(h->journal_path, 0, &h->journal, err) != 0)
		return ag_fail_prefix(err, "journal %s", h->journal_path);
	if (o->synchronous_full && ag_journal_set_synchronous(h->journal, 1, err) != 0)
		return -1;
	if (ag_journal_load_pending(h->journal, &o->limits, hub_reload_pending, h, err) != 0)
		return ag_fail_prefix(err, "reloading pending requests");
	if (hub_open_inbox(h, err) != 0)
		return -1;
	hub_write_pid(h);
	hub_log(h, "pid %ld owns %s; journal %s; %zu pending reloaded", (long)getpid(), h->dir,
	        h->journal_path, h->pending.count);
	return 0;
}

static void
hub_shutdown(struct hub *h)
{
	if (h->inbox_fd >= 0 && !h->inbox_lost) {
		/* Unlink while still holding the lock, so a new hub cannot have
		 * made its own inbox that we would delete. (When the inbox was
		 * lost, the names may already be another hub's.) */
		char *path = ag_bus_path(h->dir, "hub.fifo");
		unlink(path);
		free(path);
		path = ag_bus_path(h->dir, "hub.pid");
		unlink(path);
		free(path);
	}
	if (h->inbox_fd >= 0)
		close(h->inbox_fd);
	while (h->clients) {
		struct hub_client *cl = h->clients;
		h->clients = cl->next;
		client_free(cl);
	}
	ag_pending_free(&h->pending);
	ag_linebuf_free(&h->inbox);
	ag_journal_close(&h->journal);
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	free(h->dir);
	free(h->journal_path);
}

/* --- the loop ----------------------------------------------------------- */

/* Flushes each client's queued frames. Called only after the turn's
 * journal transaction committed. */
static void
hub_flush_clients(struct hub *h)
{
	for (struct hub_client *cl = h->clients; cl != NULL; cl = cl->next) {
		if (cl->dead || ag_outbuf_size(&cl->out) == 0)
			continue;
		if (ag_outbuf_flush(&cl->out, cl->down_fd) < 0)
			cl->dead = 1;
		else if (ag_outbuf_size(&cl->out) > CLIENT_OUT_MAX) {
			hub_log(h, "client %s is %zu bytes behind; dropping it", cl->id,
			        ag_outbuf_size(&cl->out));
			cl->dead = 1;
		}
	}
}

/* One turn: poll, then read and handle everything that arrived inside one
 * journal transaction, then commit, then write. pfds/owners hold at least
 * 2 * nclients + 1 entries. */
static int
hub_turn(struct hub *h, struct pollfd *pfds, struct hub_client **owners, struct ag_error *err)
{
	size_t n = 0;
	pfds[n++] = (struct pollfd){h->inbox_fd, POLLIN, 0};
	for (struct hub_client *cl = h->clients; cl != NULL; cl = cl->next) {
		owners[n] = cl;
		pfds[n++] = (struct pollfd){cl->up_fd, POLLIN, 0};
		if (ag_outbuf_size(&cl->out) > 0) {
			owners[n] = cl;
			pfds[n++] = (struct pollfd){cl->down_fd, POLLOUT, 0};
		}
	}
	int rc = poll(pfds, n, hub_poll_timeout(h));
	if (rc < 0 && errno != EINTR)
		return ag_fail(err, "poll: %s", strerror(errno));
	if (ag_journal_begin(h->journal, err) != 0)
		return -1;
	if (rc > 0) {
		if (pfds[0].revents & POLLIN)
			hub_read_inbox(h);
		for (size_t i = 1; i < n; i++) {
			struct hub_client *cl = owners[i];
			if (pfds[i].fd == cl->up_fd &&
			    (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				hub_read_client(h, cl);
			if (pfds[i].fd == cl->down_fd && (pfds[i].revents & (POLLERR | POLLHUP)))
				cl->dead = 1;
		}
	}
	hub_reap_clients(h);
	hub_expire(h);
	if (ag_journal_commit(h->journal, err) != 0)
		return -1; /* nothing of this turn was sent: exit, and let clients reconnect */
	hub_flush_clients(h);
	return 0;
}

/* Whether hub.fifo is still ours. When the bus directory is removed or
 * replaced (a user cleaning /tmp, a test's temporary directory deleted) no
 * client can reach this hub again, and a hub started on demand would own
 * the new directory: the loop stops rather than lingering forever. A
 * stat() a second. */
static int
hub_inbox_gone(struct hub *h)
{
	int64_t now = ag_clock_mono_ms();
	if (now < h->next_inbox_check_ms)
		return 0;
	h->next_inbox_check_ms = now + 1000;
	struct stat mine, there;
	if (fstat(h->inbox_fd, &mine) != 0)
		return 0;
	char *path = ag_bus_path(h->dir, "hub.fifo");
	int rc = stat(path, &there);
	int e = errno;
	free(path);
	if (rc != 0)
		return e == ENOENT || e == ENOTDIR;
	return there.st_dev != mine.st_dev || there.st_ino != mine.st_ino;
}

int
ag_hub_run(const struct ag_hub_opts *opts, int *already_running, struct ag_error *err)
{
	struct hub h;
	memset(&h, 0, sizeof h);
	h.opts = opts;
	if (already_running)
		*already_running = 0;
	hub_stop = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = hub_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	int rc = hub_start(&h, already_running, err);
	size_t cap = 64;
	struct pollfd *pfds = xcalloc(cap, sizeof *pfds);
	struct hub_client **owners = xcalloc(cap, sizeof *owners);
	while (rc == 0 && !hub_stop) {
		if (cap < h.nclients * 2 + 2) {
			cap = h.nclients * 4 + 4;
			pfds = xreallocarray(pfds, cap, sizeof *pfds);
			owners = xreallocarray(owners, cap, sizeof *owners);
		}
		rc = hub_turn(&h, pfds, owners, err);
		if (rc == 0 && hub_inbox_gone(&h)) {
			hub_log(&h,
			        "%s/hub.fifo was removed or replaced: no client can reach this hub",
			        h.dir);
			h.inbox_lost = 1;
			break;
		}
	}
	if (rc == 0)
		hub_log(&h, "stopping; %zu requests stay pending in the journal", h.pending.count);
	free(pfds);
	free(owners);
	hub_shutdown(&h);
	return rc;
}
