/* agate console (and `agate` with no arguments): the approval pane. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "tui/console.h"

static void
console_usage(FILE *out)
{
	fprintf(out, "usage: agate [console] [--theme NAME|PATH] [--no-bell] [--no-mouse]\n"
	             "                       [--no-autostart] [--bus DIR] [--journal FILE]\n\n"
	             "The approval console: every pending request from every agent on the bus,\n"
	             "its risk, command or diff and the Guardian's verdict; y approves, n denies,\n"
	             "? lists every key. Starts a hub when none runs (unless --no-autostart) and\n"
	             "reconnects by itself when the hub restarts.\n\n"
	             "  --theme NAME|PATH  a theme (agate-theme(5)); config key 'theme'\n"
	             "  --no-bell          no bell on new requests; config key 'bell'\n"
	             "  --no-mouse         leave the mouse to the terminal\n\n"
	             "NO_COLOR set to anything non-empty gives a monochrome screen.\n");
}

int
cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"theme", required_argument, NULL, 't'},
	    {"no-bell", no_argument, NULL, 'b'},
	    {"no-mouse", no_argument, NULL, 'm'},
	    {"no-autostart", no_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL, *journal = NULL, *theme = NULL;
	int bell = -1, mouse = 1, autostart = 1, c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 't': theme = optarg; break;
		case 'b': bell = 0; break;
		case 'm': mouse = 0; break;
		case 'a': autostart = 0; break;
		case 'h': console_usage(stdout); return 0;
		default: console_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		console_usage(stderr);
		return 2;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return 2;
	struct tui_console_opts o;
	memset(&o, 0, sizeof o);
	o.bus_dir = env.bus;
	o.journal = env.journal;
	o.theme = theme ? theme : ag_config_str(env.cfg, "theme");
	o.bell = bell >= 0 ? bell : ag_config_bool(env.cfg, "bell");
	o.mouse = mouse;
	o.autostart = autostart;
	struct ag_error err;
	int rc = tui_console_run(&o, &err);
	if (rc != 0)
		fprintf(stderr, "agate: %s\n", err.msg);
	ag_cmd_env_free(&env);
	return rc == 0 ? 0 : 1;
}
