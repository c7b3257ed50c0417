/* A bus client: publisher, subscriber or control (status, one-shot decide).
 *
 * Connecting: make clients/ID.up and clients/ID.down (0600), open our ends,
 * write one hello line to hub.fifo, wait for "welcome" on ID.down. When no hub
 * reads hub.fifo (ENXIO) and autostart is set, start `agate hub --daemon` and
 * retry until connect_timeout_ms. The protocol is in doc/agate-protocol.7. */
#ifndef AGATE_IPC_CLIENT_H
#define AGATE_IPC_CLIENT_H

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/request.h"

enum ag_role { AG_ROLE_PUBLISHER, AG_ROLE_SUBSCRIBER, AG_ROLE_CONTROL };

struct ag_client_opts {
	const char *bus_dir; /* NULL: ag_bus_dir_default() */
	enum ag_role role;
	const char *name;       /* shown in `agate status`, e.g. "console" */
	int autostart;          /* start a hub when none answers */
	int connect_timeout_ms; /* 0: 5000 */
	const char *hub_argv0;  /* the agate binary for autostart; NULL: /proc/self/exe */
	const char *journal;    /* passed to an autostarted hub, or NULL */
	/* A subscriber that draws (the console): before a long diff's request
	 * event the hub sends a preview of it (see agate-protocol(7)). */
	int previews;
};

struct ag_client;

int ag_client_connect(const struct ag_client_opts *opts, struct ag_client **out,
                      struct ag_error *err);
/* ag_client_connect in two halves, so that a caller can set itself up (a
 * console its screen) while the hub answers: _start makes the FIFOs and
 * sends the hello (starting a hub if needed); on success *out is owned and
 * _finish must follow, which waits (until connect_timeout_ms from the
 * start) for the welcome; on its failure *c is closed and NULL. */
int ag_client_connect_start(const struct ag_client_opts *opts, struct ag_client **out,
                            struct ag_error *err);
int ag_client_connect_finish(struct ag_client **c, struct ag_error *err);
void ag_client_close(struct ag_client **c);

/* The descriptor to poll() for readability (ID.down). */
int ag_client_fd(const struct ag_client *c);
/* The hub's pid from its welcome. */
int ag_client_hub_pid(const struct ag_client *c);

/* Writes one frame (a line). Blocks until written; -1 when the hub is gone. */
int ag_client_send(struct ag_client *c, const cJSON *frame, struct ag_error *err);

/* Reads the next frame. Returns 1 and an owned *frame; 0 when no complete
 * frame is buffered and timeout_ms passed (timeout_ms < 0 waits forever,
 * 0 does not wait); -1 with err when the hub closed the bus or sent a frame
 * that breaks the limits. */
int ag_client_recv(struct ag_client *c, int timeout_ms, cJSON **frame, struct ag_error *err);

#endif
