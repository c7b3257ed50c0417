/* The console: a bus subscriber with a curses screen. Shows every pending
 * request, sends the human's decisions, reconnects by itself when the hub
 * goes away, and restores the terminal however it exits. */
#ifndef AGATE_TUI_CONSOLE_H
#define AGATE_TUI_CONSOLE_H

#include "core/error.h"

struct tui_console_opts {
	const char *bus_dir; /* NULL: the default bus */
	const char *journal; /* for the history view and an autostarted hub */
	const char *theme;   /* name or path; NULL: "default" */
	int bell;            /* ring (and so alert tmux) when a request arrives */
	int mouse;
	int autostart;         /* start a hub when none answers */
	const char *hub_argv0; /* NULL: this executable */
};

/* Runs until the user quits or a signal ends it. Returns 0, or -1 with err
 * when it could not start (no terminal). Theme errors are printed to
 * stderr before the screen starts and the built-in default is used. */
int tui_console_run(const struct tui_console_opts *opts, struct ag_error *err);

#endif
