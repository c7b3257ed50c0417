/* agate-net: the agate commands that talk HTTP (review, telemetry,
 * replay; the N entries of cmd/commands.h), in the one program that links
 * libcurl. Users never run it by name: `agate review ...` execs
 * `agate-net review ...` (cmd/main.c), the way git runs git-remote-https,
 * so libcurl's dependency chain (libcrypto, gnutls, krb5, ldap...) is not
 * mapped into the console, the hub or any other agate process.
 *
 * Every other command is handed back to the `agate` beside it: a hub this
 * program starts on demand is `/proc/self/exe hub --daemon`
 * (ipc/client.c), and that must run agate's hub. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "cmd/sibling.h"
#include "config.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* NULL: run by agate */
	const char *summary;
};

#define AG_AGATE_ENTRY(name, summary) {#name, NULL, summary},
#define AG_NET_ENTRY(name, summary)   {#name, cmd_##name, summary},
static const struct command commands[] = {AG_COMMANDS(AG_AGATE_ENTRY, AG_NET_ENTRY)};
#undef AG_AGATE_ENTRY
#undef AG_NET_ENTRY

static void
usage(FILE *out)
{
	fprintf(out, "usage: agate-net COMMAND [ARGS...]\n\n"
	             "The agate commands that use the network (libcurl), kept out of the\n"
	             "agate binary so the console and the hub never load it. It is run by\n"
	             "agate: use 'agate COMMAND' instead. Every other command is handed to\n"
	             "the agate installed beside it.\n\n"
	             "Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (commands[i].run != NULL)
			fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nSee agate(1).\n");
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("agate-net %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (commands[i].run == NULL)
			return ag_exec_sibling("agate-net", "agate", argv);
		ag_cmd_init(argv[0]);
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "agate-net: unknown command '%s'; see 'agate --help'\n", argv[1]);
	return 2;
}
