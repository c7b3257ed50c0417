/* The hub: the one process that owns a bus. Single-threaded poll() loop:
 * accept hellos on hub.fifo, read frames from each client's ID.up, judge and
 * journal requests, route decisions, broadcast events to subscribers, expire
 * timeouts. Each loop turn is one journal transaction; nothing queued during
 * a turn is written to any client before that transaction commits. */
#ifndef AGATE_IPC_HUB_H
#define AGATE_IPC_HUB_H

#include <stdint.h>
#include <stdio.h>

#include "core/assessment.h"
#include "core/error.h"
#include "core/request.h"

struct ag_hub_opts {
	const char *bus_dir;      /* NULL: ag_bus_dir_default() */
	const char *journal_path; /* NULL: ag_journal_default_path(NULL) */
	struct ag_limits limits;
	int64_t default_timeout_ms;        /* for requests that give none: 10 min */
	enum ag_decision timeout_decision; /* fail closed: deny by default */
	int64_t orphan_grace_ms;           /* reloaded request whose publisher never returns */
	struct ag_judge judge;             /* may have assess == NULL: no risk, no rules */
	int synchronous_full;              /* PRAGMA synchronous=FULL (power-loss safe) */
	FILE *log;                         /* lifecycle and errors, or NULL */
	int verbose;                       /* also log every request and decision */
};

void ag_hub_opts_default(struct ag_hub_opts *opts);

/* Takes the bus lock and runs until SIGTERM/SIGINT. Returns 0 on a clean
 * stop; -1 with err when the bus cannot be owned (another hub holds it:
 * err says so, and *already_running is set when non-NULL). */
int ag_hub_run(const struct ag_hub_opts *opts, int *already_running, struct ag_error *err);

#endif
