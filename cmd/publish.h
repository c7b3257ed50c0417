/* Publishing one request and waiting for its decision, surviving a hub that
 * dies meanwhile: reconnect (restarting the hub), resend the same id, and
 * take the decision the journal holds — never a second one. Used by
 * agate ask, agate exec and agate hook. */
#ifndef AGATE_CMD_PUBLISH_H
#define AGATE_CMD_PUBLISH_H

#include <cjson/cJSON.h>

#include "cmd/common.h"
#include "core/error.h"

struct ag_publish_opts {
	const char *name; /* client name for agate status: "ask", "hook-claude" */
	int64_t
	    deadline_ms;  /* give up (error) after this long overall; 0: request timeout + 30 s */
	int reconnect_ms; /* how long to keep trying to reach a hub again; 0: 30 s */
	/* Called once with the hub's ack (risk attached); may be NULL. */
	void (*on_ack)(void *ctx, const cJSON *ack);
	void *ctx;
};

/* request: a full request frame; an id is added when it has none. On
 * success *decision is the decision frame (caller owns). -1 with err when no
 * decision could be obtained (no hub, refused request, deadline). */
int ag_publish(const struct ag_cmd_env *env, cJSON *request, const struct ag_publish_opts *opts,
               cJSON **decision, struct ag_error *err);

/* Exit status of agate ask for a decision frame: 0 approve, 1 deny/abort,
 * 3 defer. */
int ag_publish_exit_code(const cJSON *decision);

#endif
