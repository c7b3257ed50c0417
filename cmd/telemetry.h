/* agate telemetry: OTLP/HTTP JSON export of the bus's decisions (log
 * records) and requests (spans from arrival to decision).
 *
 * Design: a separate subscriber process, not code in the hub's loop. The
 * hub already never waits for a subscriber (it queues frames and drops a
 * client that falls too far behind), so a collector that is slow, down or
 * hostile cannot delay a decision or a journal write: the worst it can do
 * is make this process queue, retry with backoff and, past its bound, drop
 * and count. Counters go to BUS/telemetry.json, which `agate status` shows.
 *
 * The hub starts it (cmd/hub.c, when the config sets telemetry_endpoint);
 * it can also be run by hand against any bus. One per bus (a lock).
 * The exporter is cmd/telemetry.c, linked into agate-net; the two
 * functions below are cmd/telemetry_hub.c, linked into agate. */
#ifndef AGATE_CMD_TELEMETRY_H
#define AGATE_CMD_TELEMETRY_H

#include <stdio.h>
#include <sys/types.h>

#include "cmd/common.h"

/* The exporter's counters, in the bus directory. */
#define AG_TELEMETRY_STATS_FILE "telemetry.json"

/* When env's config sets telemetry_endpoint: starts `agate telemetry
 * --daemon` for env's bus as a child that dies with the caller. Returns
 * its pid, 0 when telemetry is off, -1 when it could not be started (a
 * message went to stderr; the hub runs on without it). */
pid_t ag_telemetry_spawn(const struct ag_cmd_env *env);

/* The status lines for BUS/telemetry.json, or nothing when there is no
 * such file. Used by agate status. json_out (may be NULL) gets the file's
 * object with "running" added; caller owns it. */
void ag_telemetry_status(const char *bus, FILE *out, cJSON **json_out);

#endif
