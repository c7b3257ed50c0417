/* Private to the hub: the state its two halves share. ipc/hub.c owns the
 * loop and the clients (hellos, FIFOs, polling, flushing after commit,
 * timeouts); ipc/hub_requests.c owns a request's life (arrival, ack,
 * decide, review, abandon, guard checks, reload after a restart). Nothing
 * outside ipc/hub*.c includes this. */
#ifndef AGATE_IPC_HUB_INTERNAL_H
#define AGATE_IPC_HUB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/journal.h"
#include "core/request.h"
#include "ipc/client.h"
#include "ipc/hub.h"
#include "ipc/linebuf.h"
#include "ipc/pending.h"

struct hub_client {
	char id[AG_ID_MAX + 1];
	enum ag_role role;
	char name[64];
	long pid;
	int previews; /* its hello asked for previews of long diffs */
	int up_fd, down_fd;
	struct ag_linebuf in;
	struct ag_outbuf out;
	int dead;
	struct hub_client *next;
};

struct hub {
	const struct ag_hub_opts *opts;
	char *dir;
	char *journal_path;
	struct ag_journal *journal;
	int lock_fd, inbox_fd;
	struct ag_linebuf inbox;
	struct hub_client *clients;
	size_t nclients;
	struct ag_pending_table pending;
	int64_t start_wall, start_mono;
	int64_t next_expiry_ms;
	int64_t next_inbox_check_ms; /* monotonic */
	int inbox_lost;              /* hub.fifo was removed or replaced under us */
	uint64_t nrequests, ndecisions, nerrors;
};

/* --- ipc/hub.c: logging and sending ------------------------------------- */

/* Lifecycle and errors. */
void hub_log(struct hub *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Every request and decision: only with --verbose, off the fast path. */
void hub_trace(struct hub *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Queues one line for cl (written after the turn's commit). */
void hub_queue_text(struct hub_client *cl, const char *text, size_t len);
/* Queues frame for cl. Frees frame. */
void hub_send(struct hub_client *cl, cJSON *frame);
/* A new frame {"v":1,"type":type}. Caller owns it. */
cJSON *hub_frame_new(const char *type);
/* Queues an error frame for cl, with ref (or null) and the formatted text. */
void hub_send_error(struct hub *h, struct hub_client *cl, const char *ref, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Queues frame for every subscriber. Frees frame. */
void hub_broadcast(struct hub *h, cJSON *frame);
/* obj[key] when it is a string, else NULL. Borrowed from obj. */
const char *hub_json_string(const cJSON *obj, const char *key);

/* --- ipc/hub_requests.c: a request's life ------------------------------- */

/* The frame handlers, called by the loop for each frame a client sent. */
void hub_on_request(struct hub *h, struct hub_client *cl, const cJSON *frame);
void hub_on_decide(struct hub *h, struct hub_client *cl, const cJSON *frame);
void hub_on_review(struct hub *h, struct hub_client *cl, const cJSON *frame);
void hub_on_review_request(struct hub *h, struct hub_client *cl, const cJSON *frame);
void hub_on_abandon(struct hub *h, struct hub_client *cl, const cJSON *frame);

/* Every pending request to a subscriber that just said hello, then
 * snapshot_end. */
void hub_send_snapshot(struct hub *h, struct hub_client *cl);

/* Journals the decision, tells the publisher and the subscribers, and
 * forgets the request (p is freed). Returns -1 (with err) when the journal
 * refused it; then nothing was sent and p stays pending. */
int hub_decide(struct hub *h, struct ag_pending *p, enum ag_decision decision, enum ag_decider by,
               const char *reason, struct ag_error *err);
/* Marks p abandoned (no decision is ever sent for it) and forgets it
 * (p is freed). */
void hub_abandon(struct hub *h, struct ag_pending *p, const char *why);

/* ag_journal_load_pending's callback at start: ctx is the hub; takes req. */
int hub_reload_pending(void *ctx, struct ag_request *req, const struct ag_risk *risk,
                       int64_t created_ms, int64_t deadline_ms);

#endif
