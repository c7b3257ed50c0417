/* agate hub: run the bus hub. Clients start it on demand (--daemon); run it
 * in a terminal to watch what it does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/telemetry.h"
#include "core/assessment.h"
#include "ipc/hub.h"
#include "reviewer/judge.h"

static void
hub_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: agate hub [--bus DIR] [--journal FILE] [--verbose] [--daemon]\n\n"
	    "Run the hub that owns a bus: it scores and journals every request, applies\n"
	    "the rules, routes decisions and expires timeouts. Clients start one on\n"
	    "demand; running it here keeps it in the foreground, logging to stderr.\n\n"
	    "  --bus DIR       bus directory (default $AGATE_BUS, $XDG_RUNTIME_DIR/agate,\n"
	    "                  /tmp/agate-$UID)\n"
	    "  --journal FILE  journal (default $AGATE_JOURNAL, $XDG_STATE_HOME/agate/journal.db)\n"
	    "  --verbose       log every request and decision\n"
	    "  --daemon        as started by a client: quiet, exit 0 if a hub already runs\n\n"
	    "Exit status: 0 stopped by SIGTERM/SIGINT, 1 error, 3 another hub owns the bus.\n");
}

int
cmd_hub(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"verbose", no_argument, NULL, 'v'},
	    {"daemon", no_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL, *journal = NULL;
	int verbose = 0, daemon = 0, c;
	while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 'v': verbose = 1; break;
		case 'd': daemon = 1; break;
		case 'h': hub_usage(stdout); return 0;
		default: hub_usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		hub_usage(stderr);
		return 1;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return 1;

	struct ag_hub_opts opts;
	ag_hub_opts_default(&opts);
	opts.bus_dir = env.bus;
	opts.journal_path = env.journal;
	opts.default_timeout_ms = ag_config_ms(env.cfg, "timeout");
	opts.timeout_decision =
	    (enum ag_decision)ag_decision_parse(ag_config_str(env.cfg, "timeout_decision"));
	opts.orphan_grace_ms = ag_config_ms(env.cfg, "orphan_grace");
	opts.limits.max_frame = (size_t)ag_config_int(env.cfg, "max_frame");
	opts.limits.max_text = opts.limits.max_frame;
	opts.synchronous_full = strcmp(ag_config_str(env.cfg, "journal_sync"), "full") == 0;
	opts.log = stderr; /* a daemon's stderr is the bus's hub.log */
	opts.verbose = verbose;

	struct ag_error err;
	struct ag_judge_ctx *judge = NULL;
	if (ag_judge_new(env.cfg, &judge, &err) != 0) {
		fprintf(stderr, "agate hub: %s\n", err.msg);
		ag_cmd_env_free(&env);
		return 1;
	}
	opts.judge = ag_judge_interface(judge);
	/* Telemetry (issue 6): a subscriber process of its own, started here
	 * when configured, so no collector can ever sit in the hub's loop. It
	 * dies with the hub (and exits at once when this hub loses the lock). */
	ag_telemetry_spawn(&env);
	int already = 0;
	int rc = ag_hub_run(&opts, &already, &err);
	if (rc != 0 && !(already && daemon))
		fprintf(stderr, "agate hub: %s\n", err.msg);
	ag_judge_free(&judge);
	ag_cmd_env_free(&env);
	if (rc == 0)
		return 0;
	if (already)
		return daemon ? 0 : 3;
	return 1;
}
