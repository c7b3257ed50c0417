/* agate — one command, subcommands like git or tmux. The few that talk
 * HTTP (review, telemetry, replay) live in agate-net, which links
 * libcurl; this binary execs it for them, so the console and the hub
 * never load libcurl's dependency chain (cmd/commands.h). */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/sibling.h"
#include "config.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* NULL: run by agate-net */
	const char *summary;
};

#define AG_COMMAND_ENTRY(name, summary) {#name, cmd_##name, summary},
#define AG_NET_ENTRY(name, summary)     {#name, NULL, summary},
static const struct command commands[] = {AG_COMMANDS(AG_COMMAND_ENTRY, AG_NET_ENTRY)};
#undef AG_COMMAND_ENTRY
#undef AG_NET_ENTRY

static void
usage(FILE *out)
{
	fprintf(out, "usage: agate [COMMAND] [ARGS...]\n\n"
	             "A terminal approval console for coding agents. With no command, opens\n"
	             "the console (when built); every command takes --help.\n\n"
	             "Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nEnvironment: AGATE_BUS (bus directory), AGATE_JOURNAL (journal file),\n"
	             "NO_COLOR. See agate(1).\n");
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("agate %s\n", PACKAGE_VERSION);
		return 0;
	}
	const char *name = argc >= 2 ? argv[1] : "console";
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i].name) == 0) {
			/* Before anything else is loaded or set up: agate-net
			 * does its own, and gets our argv as it came. */
			if (commands[i].run == NULL)
				return ag_exec_sibling("agate", "agate-net", argv);
			ag_cmd_init(argv[0]);
			return commands[i].run(argc - 1, argv + 1);
		}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	fprintf(stderr, "agate: unknown command '%s'; see 'agate --help'\n", name);
	return 2;
}
