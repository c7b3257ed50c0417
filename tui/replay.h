/* Console replay: one recorded session, stepped through as it happened.
 *
 * The console's state (tui/model.h) is frames-in, so a replay needs no hub:
 * the session's requests, Guardian reviews, decisions and abandonments are
 * read from the journal once, each turned back into the event frame the hub
 * broadcast at its recorded time, and applied to the models on a virtual
 * clock. Stepping back rebuilds the models from the first event, so any
 * position is reached the same way whatever the path to it.
 *
 * No curses and no I/O past loading: tui/replay_view.c draws and reads
 * keys, this file decides what the models hold at each position. Nothing
 * here can send a frame anywhere; a replay has no bus. */
#ifndef AGATE_TUI_REPLAY_H
#define AGATE_TUI_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/journal.h"
#include "core/model.h"
#include "tui/model.h"

#define TUI_REPLAY_SPEED_MIN 0.5
#define TUI_REPLAY_SPEED_MAX 64.0
/* A pause in the recording longer than this much real time is cut short
 * while playing (the clock jumps to the next event): a session idle for
 * an hour would otherwise play an hour of nothing. */
#define TUI_REPLAY_MAX_WAIT_MS 3000
/* A session with more requests is replayed up to here, and says so. The
 * events are held in memory, and a step back rebuilds the models from the
 * first event: its cost grows with the square of the requests decided so
 * far (tui_model_add looks ids up one by one), about 3 s at 20,000. */
#define TUI_REPLAY_MAX_REQUESTS 20000

enum tui_replay_kind {
	TUI_REPLAY_REQUEST,
	TUI_REPLAY_REVIEW,
	TUI_REPLAY_DECIDED,
	TUI_REPLAY_ABANDONED,
};

struct tui_replay_event {
	enum tui_replay_kind kind;
	int64_t at_ms; /* recorded wall clock */
	char id[AG_ID_MAX + 1];
	char *frame;    /* owned: the event frame the hub sent, as JSON text */
	size_t request; /* index of this id's REQUEST event (itself for one) */
	/* From the request's arrival to this event (0 for REQUEST). */
	int64_t took_ms;
	/* DECIDED */
	enum ag_decision decision;
	enum ag_decider by;
	char *reason; /* owned, raw ("" none) */
	/* REQUEST: ag_request_summary and the risk, for describing it. */
	char *summary; /* owned, raw */
	enum ag_kind action_kind;
	enum ag_level level;
	int score;
	/* REVIEW: the verdict's outcome ("allow"/"deny", a model's words: raw),
	 * or the failure. Owned, or NULL. */
	char *outcome, *failure;
};

struct tui_replay {
	char *session;                   /* owned */
	struct tui_replay_event *events; /* owned, in recorded order */
	size_t n;
	size_t skipped;           /* journal rows that could not be rebuilt */
	int truncated;            /* the session has more requests than a replay holds */
	size_t pos;               /* events applied; events[pos] is the next one */
	int64_t start_ms, end_ms; /* times of the first and last events */
	int64_t clock_ms;         /* the virtual clock: the recorded time shown */
	int64_t waited_ms;        /* real time spent waiting for events[pos] */
	double speed;
	int playing;
	/* Borrowed (tui_replay_bind): what a live console would have shown
	 * at clock_ms — the pending requests, and those decided (or
	 * abandoned) so far as history items. */
	struct tui_model *pending, *decided;
};

/* Loads every recorded event of session from j (opened read-only by the
 * caller) into *out (caller frees with tui_replay_free), positioned before
 * the first event, paused, at speed 1. Fails with a message that names the
 * session when it has no recorded request. */
int tui_replay_load(struct ag_journal *j, const char *session, struct tui_replay **out,
                    struct ag_error *err);
void tui_replay_free(struct tui_replay **rp);
/* The session of the most recent request that names one. Caller frees. */
int tui_replay_latest_session(struct ag_journal *j, char **out, struct ag_error *err);

/* The models the events go to (both emptied now: position 0). */
void tui_replay_bind(struct tui_replay *rp, struct tui_model *pending, struct tui_model *decided);

/* Applies the next event and sets the clock to its time. Returns it, or
 * NULL at the end. Refilters the models. */
const struct tui_replay_event *tui_replay_step(struct tui_replay *rp);
/* Rebuilds the models with the first k events applied (k clamped to n);
 * the clock goes to the time of event k (k > 0), else to the start.
 * Returns the last event applied, or NULL at position 0. */
const struct tui_replay_event *tui_replay_seek(struct tui_replay *rp, size_t k);
/* seek(pos - 1). */
const struct tui_replay_event *tui_replay_back(struct tui_replay *rp);
/* The event last applied, or NULL at position 0. */
const struct tui_replay_event *tui_replay_current(const struct tui_replay *rp);

/* Playing: the virtual clock moves by real_ms * speed and every event that
 * falls due is applied, in order. A pause longer than
 * TUI_REPLAY_MAX_WAIT_MS of real time is cut short. Returns the number of
 * events applied; playing stops at the end. Does nothing when paused. */
size_t tui_replay_advance(struct tui_replay *rp, int64_t real_ms);
/* Real milliseconds until the next event falls due at this speed (for a
 * poll timeout), at most what is left of TUI_REPLAY_MAX_WAIT_MS; -1 when
 * paused or at the end. */
int64_t tui_replay_wait_ms(const struct tui_replay *rp);
/* Play or pause; playing at the end starts again from the first event. */
void tui_replay_toggle(struct tui_replay *rp);
/* Doubles (dir > 0) or halves the speed, within the bounds. */
void tui_replay_speed_step(struct tui_replay *rp, int dir);

/* A one-line account of an event, raw (it holds agent text: sanitize to
 * draw), e.g. "r2: approve by human after 1.2s: not now" or
 * "r1 arrives: exec, low 5: git status". */
void tui_replay_describe(const struct tui_replay *rp, const struct tui_replay_event *e, char *buf,
                         size_t size);
/* "0.4s", "12.3s", "2m05s", "1h02m" */
void tui_replay_format_duration(int64_t ms, char *buf, size_t size);
/* The clock as an offset from the start: "+00:01.2", "+1:02:03.4". */
void tui_replay_format_offset(int64_t ms, char *buf, size_t size);

#endif
