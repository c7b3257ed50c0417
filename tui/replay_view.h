/* The console in replay mode: a recorded session (tui/replay.h) drawn with
 * the console's own views, on a virtual clock the user plays, pauses and
 * steps. Read-only: it opens the journal read-only and has no bus client,
 * so no key can decide anything or send anything anywhere. */
#ifndef AGATE_TUI_REPLAY_VIEW_H
#define AGATE_TUI_REPLAY_VIEW_H

#include "core/error.h"

struct tui_replay_opts {
	const char *journal; /* the journal path (required) */
	const char *session; /* NULL: the most recent session */
	double speed;        /* 0: 1; else within TUI_REPLAY_SPEED_MIN..MAX */
	const char *theme;   /* name or path; NULL: "default" */
	int mouse;
};

/* Loads the session, then runs until the user quits. Returns 0, or -1
 * with err when the session cannot be loaded or there is no terminal. */
int tui_replay_run(const struct tui_replay_opts *opts, struct ag_error *err);

#endif
