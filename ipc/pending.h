/* The hub's table of pending requests: found by id in O(1), walked in
 * arrival order for snapshots and timeouts. */
#ifndef AGATE_IPC_PENDING_H
#define AGATE_IPC_PENDING_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/assessment.h"
#include "core/request.h"

struct hub_client;
struct ag_shared_text;

struct ag_pending {
	struct ag_request *req;          /* owned */
	struct ag_assessment assessment; /* owned */
	cJSON *review;                   /* owned: the latest Guardian review, or NULL */
	char *risk_text;                 /* owned: the risk as JSON, printed once, or NULL */
	/* Owned reference: a long request (a diff) as JSON, printed once and
	 * shared by the queues of every event that carries it; or NULL. */
	struct ag_shared_text *request_text;
	int64_t created_ms, deadline_ms; /* wall clock */
	struct hub_client *publisher;    /* borrowed; NULL while orphaned (after a restart) */
	int quiet;                       /* a hook's guard check: decided at once, not broadcast */
	struct ag_pending *prev, *next;  /* arrival order */
};

struct ag_pending_table {
	struct ag_pending **slots; /* open addressing; NULL empty, TOMBSTONE deleted */
	size_t nslots, count, used;
	struct ag_pending *head, *tail;
};

void ag_pending_init(struct ag_pending_table *t);
/* Frees every entry. */
void ag_pending_free(struct ag_pending_table *t);
struct ag_pending *ag_pending_find(const struct ag_pending_table *t, const char *id);
/* Takes ownership of p (whose req->id must not be in the table yet). */
void ag_pending_add(struct ag_pending_table *t, struct ag_pending *p);
/* Unlinks p and frees it. */
void ag_pending_remove(struct ag_pending_table *t, struct ag_pending *p);

#endif
