/* agate-hook: `agate hook` as a program of its own. Agents spawn the hook
 * for every tool call, and the full agate binary spends most of its start
 * loading libcurl and ncurses, which a hook never uses; this one links
 * only core/, ipc/, cJSON and SQLite. Hubs it starts are the `agate` in the
 * same directory. */
#include "cmd/commands.h"
#include "cmd/common.h"

int
main(int argc, char **argv)
{
	ag_cmd_init(argv[0]);
	return cmd_hook(argc, argv);
}
