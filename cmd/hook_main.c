/* agate-hook: `agate hook` as a program of its own. Agents spawn the hook
 * for every tool call, and the full agate binary spends most of its start
 * loading libcurl and ncurses, which a hook never uses; this one links
 * only core/, ipc/, cJSON and SQLite. Hubs it starts are the `agate` in the
 * same directory. */
#include "cmd/commands.h"

int
main(int argc, char **argv)
{
	/* No ag_cmd_init(): its setlocale() reads a dozen locale files, and a
	 * hook prints nothing for a terminal. */
	return cmd_hook(argc, argv);
}
