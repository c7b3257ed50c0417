/* The replay loop: the console's views over models that tui/replay.c
 * fills from the journal, a virtual clock, and two status rows — the event
 * last applied (who decided, how long after arrival, why) and the replay
 * bar (play state, speed, position, recorded time). The shape is the
 * console's: poll() on the terminal, signal handlers that set flags, a
 * redraw when something changed. There is no bus here at all. */
#include "tui/replay_view.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/journal.h"
#include "core/xmalloc.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/nav.h"
#include "tui/replay.h"
#include "tui/screen.h"
#include "tui/view.h"

#define PLAY_TICK_MS 100 /* the clock's tenths move while playing */

/* The replay's own keys, enumerated once: the help overlay is built from
 * these tables and the console's navigation keys that are not taken. */
#define REPLAY_ACTIONS(X)                                             \
	X(PLAY, "play or pause (at the end: play from the start)")    \
	X(STEP, "step forward one event")                             \
	X(BACK, "step back one event")                                \
	X(FASTER, "play twice as fast (up to x64)")                   \
	X(SLOWER, "play half as fast (down to x0.5)")                 \
	X(FIRST, "go to the first event (nothing has happened yet)")  \
	X(LAST, "go to the last event")                               \
	X(DECIDED, "the requests decided so far, or back to pending") \
	X(HELP, "this help")                                          \
	X(QUIT, "quit")

#define REPLAY_BINDINGS(X) \
	X(' ', PLAY)       \
	X('.', STEP)       \
	X(KEY_RIGHT, STEP) \
	X(',', BACK)       \
	X(KEY_LEFT, BACK)  \
	X('+', FASTER)     \
	X('=', FASTER)     \
	X('-', SLOWER)     \
	X('g', FIRST)      \
	X('G', LAST)       \
	X('H', DECIDED)    \
	X('?', HELP)       \
	X('q', QUIT)

#define RP_ENUM(name, help) RP_##name,
enum rp_action { RP_NONE, REPLAY_ACTIONS(RP_ENUM) RP_COUNT };
#undef RP_ENUM
#define RP_HELP(name, help) help,
static const char *const rp_help[] = {"", REPLAY_ACTIONS(RP_HELP)};
#undef RP_HELP

static const struct {
	int key;
	enum rp_action action;
} rp_bindings[] = {
#define RP_BIND(key, action) {key, RP_##action},
    REPLAY_BINDINGS(RP_BIND)
#undef RP_BIND
};
#define NBINDINGS (sizeof rp_bindings / sizeof rp_bindings[0])

/* The console's actions that keep working here (the rest decide, ask the
 * Guardian, or are replaced by a replay key above). */
static const enum tui_action nav_actions[] = {
    TUI_ACT_DOWN,   TUI_ACT_UP,         TUI_ACT_PAGE_DOWN, TUI_ACT_PAGE_UP,   TUI_ACT_TOP,
    TUI_ACT_BOTTOM, TUI_ACT_LEFT,       TUI_ACT_RIGHT,     TUI_ACT_NEXT_FLAG, TUI_ACT_PREV_FLAG,
    TUI_ACT_FOCUS,  TUI_ACT_FULLSCREEN, TUI_ACT_WRAP,      TUI_ACT_SEARCH,    TUI_ACT_SESSION,
    TUI_ACT_CANCEL, TUI_ACT_REDRAW,
};
#define NNAV (sizeof nav_actions / sizeof nav_actions[0])
/* The console's own bindings, to list which of them still reach an action. */
static const struct {
	int key;
	enum tui_action action;
} console_bindings[] = {
#define TUI_BIND(key, action) {key, TUI_ACT_##action},
    TUI_BINDINGS(TUI_BIND)
#undef TUI_BIND
};
#define NCONSOLE (sizeof console_bindings / sizeof console_bindings[0])

struct rview {
	struct tui_ui ui;
	struct tui_replay *rp;
	int dirty;
	int quit;
	int64_t last_mono; /* when the clock last advanced (playing) */
};

static enum rp_action
rp_key_action(int key)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		if (rp_bindings[i].key == key)
			return rp_bindings[i].action;
	return RP_NONE;
}

/* --- keys --------------------------------------------------------------- */

/* Stepping by hand stops the clock: what is on screen is where the user
 * put it. */
static void
replay_action(struct rview *v, enum rp_action a)
{
	struct tui_replay *rp = v->rp;
	struct tui_ui *ui = &v->ui;

	switch (a) {
	case RP_PLAY:
		tui_replay_toggle(rp);
		v->last_mono = ag_clock_mono_ms();
		break;
	case RP_STEP:
		rp->playing = 0;
		if (tui_replay_step(rp) == NULL)
			tui_ui_notice(
			    ui, TUI_EL_NOTICE,
			    "the end of the recording (, steps back, g goes to the start)");
		break;
	case RP_BACK:
		rp->playing = 0;
		if (rp->pos == 0)
			tui_ui_notice(ui, TUI_EL_NOTICE, "the start of the recording");
		else
			tui_replay_back(rp);
		break;
	case RP_FASTER:
	case RP_SLOWER: tui_replay_speed_step(rp, a == RP_FASTER ? 1 : -1); break;
	case RP_FIRST:
		rp->playing = 0;
		tui_replay_seek(rp, 0);
		break;
	case RP_LAST:
		rp->playing = 0;
		tui_replay_seek(rp, rp->n);
		break;
	case RP_DECIDED: ui->history_mode = !ui->history_mode; break;
	case RP_HELP:
		ui->help = 1;
		ui->help_top = 0;
		break;
	case RP_QUIT: v->quit = 1; break;
	default: break;
	}
}

static void
on_key(struct rview *v, int fkey, wint_t ch)
{
	struct tui_ui *ui = &v->ui;

	v->dirty = 1;
	if (fkey && ch == KEY_RESIZE)
		return;
	if (fkey && ch == KEY_MOUSE) {
		tui_nav_mouse(ui);
		return;
	}
	if (ui->prompt == TUI_PROMPT_SEARCH) {
		tui_nav_search_key(ui, fkey, ch);
		return;
	}
	if (ui->help) {
		tui_nav_help_key(ui, fkey, ch);
		return;
	}
	int key = (int)ch;
	enum rp_action ra = rp_key_action(key);
	if (ra != RP_NONE) {
		replay_action(v, ra);
		return;
	}
	enum tui_action a = tui_key_action(key);
	switch (a) {
	case TUI_ACT_APPROVE:
	case TUI_ACT_APPROVE_SESSION:
	case TUI_ACT_DENY:
	case TUI_ACT_ABORT:
	case TUI_ACT_GUARDIAN:
		/* Nothing to send it to, and history is not for rewriting. */
		tui_ui_notice(ui, TUI_EL_ERROR,
		              "replay: read-only \xe2\x80\x94 nothing is decided or sent");
		return;
	default: break;
	}
	for (size_t i = 0; i < NNAV; i++)
		if (nav_actions[i] == a)
			tui_nav_action(ui, a);
}

/* --- drawing ------------------------------------------------------------ */

static void
draw_line(int y, int x, int w, const char *text, enum tui_element el, const char *right)
{
	tui_draw_fill(y, x, w, el);
	int rw = 0;
	if (right != NULL) {
		struct tui_text rt = tui_text_str(right, el);
		rw = tui_text_width(&rt);
		if (rw < w)
			tui_draw_text(y, x + w - rw, rw, &rt, 0, 0);
		else
			rw = 0;
	}
	/* Agent text (a reason, a summary, a session name): the sanitizer
	 * draws it, cell by cell, like every other string on screen. */
	struct tui_text t = tui_text_str(text, el);
	tui_draw_text(y, x, w - rw, &t, 0, 1);
}

static enum tui_element
event_element(const struct tui_replay_event *e)
{
	switch (e->kind) {
	case TUI_REPLAY_REQUEST: return TUI_EL_STATUS;
	case TUI_REPLAY_REVIEW:
		return e->failure != NULL ? TUI_EL_GUARDIAN_FAILED
		       : e->outcome != NULL && strcmp(e->outcome, "allow") == 0
		           ? TUI_EL_GUARDIAN_ALLOW
		           : TUI_EL_GUARDIAN_DENY;
	case TUI_REPLAY_DECIDED:
		return ag_decision_is_approval(e->decision) ? TUI_EL_APPROVED : TUI_EL_DENIED;
	case TUI_REPLAY_ABANDONED:
	default: return TUI_EL_NOTICE;
	}
}

/* The row above the bar: a prompt, a notice, or the event last applied. */
static void
draw_event_line(struct rview *v, const struct tui_rect *r)
{
	struct tui_ui *ui = &v->ui;
	char text[2048];

	if (ui->prompt == TUI_PROMPT_SEARCH) {
		tui_draw_fill(r->y, r->x, r->w, TUI_EL_PROMPT);
		struct tui_text lt = tui_text_str("search: ", TUI_EL_PROMPT);
		int n = tui_draw_text(r->y, r->x, r->w, &lt, 0, 0);
		struct tui_text it = {ui->input, ui->input_len, TUI_EL_PROMPT, NULL, 0};
		int w = tui_text_width(&it), avail = r->w - n - 1;
		int drawn = tui_draw_text(r->y, r->x + n, avail, &it, w > avail ? w - avail : 0, 0);
		move(r->y, r->x + n + drawn);
		curs_set(1);
		return;
	}
	if (ui->notice[0] != '\0' && ag_clock_mono_ms() < ui->notice_until) {
		draw_line(r->y, r->x, r->w, ui->notice, ui->notice_el, NULL);
		return;
	}
	const struct tui_replay_event *e = tui_replay_current(v->rp);
	if (e == NULL) {
		snprintf(text, sizeof text,
		         " before the first event: . steps, space plays, ? lists the keys");
		draw_line(r->y, r->x, r->w, text, TUI_EL_STATUS, NULL);
		return;
	}
	text[0] = ' ';
	tui_replay_describe(v->rp, e, text + 1, sizeof text - 1);
	draw_line(r->y, r->x, r->w, text, event_element(e), NULL);
}

static void
draw_bar(struct rview *v, int y, int cols)
{
	const struct tui_replay *rp = v->rp;
	char offset[32], wall[32], speed[16], left[1024];
	time_t secs = (time_t)(rp->clock_ms / 1000);
	struct tm tm;

	tui_replay_format_offset(rp->clock_ms - rp->start_ms, offset, sizeof offset);
	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(wall, sizeof wall, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(wall, sizeof wall, "?");
	snprintf(speed, sizeof speed, "x%g", rp->speed);
	const char *state = rp->playing        ? "\xe2\x96\xb6 playing"
	                    : rp->pos >= rp->n ? "\xe2\x96\xa0 end"
	                                       : "\xe2\x80\x96 paused";
	snprintf(left, sizeof left,
	         " REPLAY %s %s \xc2\xb7 event %zu of %zu \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 "
	         "session %.200s",
	         state, speed, rp->pos, rp->n, offset, wall, rp->session);
	draw_line(y, 0, cols, left, TUI_EL_TITLE, cols >= 50 ? "? help " : "? ");
}

static void
help_keys(enum rp_action ra, enum tui_action ta, char *buf, size_t size)
{
	size_t used = 0;
	char last[16] = "";

	buf[0] = '\0';
	for (size_t i = 0; i < NBINDINGS + NCONSOLE; i++) {
		char tmp[16];
		int key;
		if (i < NBINDINGS) {
			if (rp_bindings[i].action != ra || ra == RP_NONE)
				continue;
			key = rp_bindings[i].key;
		} else {
			if (console_bindings[i - NBINDINGS].action != ta || ta == TUI_ACT_NONE)
				continue;
			key = console_bindings[i - NBINDINGS].key;
			if (rp_key_action(key) != RP_NONE)
				continue; /* taken by the replay */
		}
		const char *name = tui_key_name(key, tmp, sizeof tmp);
		if (strcmp(last, name) == 0)
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
		snprintf(last, sizeof last, "%s", name);
	}
}

static void
draw_help(struct rview *v, int rows, int cols)
{
	struct tui_ui *ui = &v->ui;
	int total = (RP_COUNT - 1) + 1 + (int)NNAV + 1;

	tui_draw_fill(0, 0, cols, TUI_EL_TITLE);
	struct tui_text title =
	    tui_text_str(" agate replay keys \xc2\xb7 any other key closes", TUI_EL_TITLE);
	tui_draw_text(0, 0, cols, &title, 0, 1);
	int kw = cols >= 60 ? 16 : 10;
	if (ui->help_top > total - 1)
		ui->help_top = total - 1;
	for (int y = 1; y < rows; y++) {
		tui_draw_fill(y, 0, cols, TUI_EL_DEFAULT);
		int line = ui->help_top + y - 1;
		char keys[64];
		const char *help;
		if (line < RP_COUNT - 1) {
			help_keys((enum rp_action)(line + 1), TUI_ACT_NONE, keys, sizeof keys);
			help = rp_help[line + 1];
		} else if (line == RP_COUNT - 1) {
			snprintf(keys, sizeof keys, "y s n x");
			help = "read-only: a replay decides nothing and sends nothing";
		} else if (line - RP_COUNT < (int)NNAV) {
			enum tui_action a = nav_actions[line - RP_COUNT];
			help_keys(RP_NONE, a, keys, sizeof keys);
			help = tui_action_help(a);
		} else {
			continue;
		}
		struct tui_text kt = tui_text_str(keys, TUI_EL_HELP_KEY);
		struct tui_text ht = tui_text_str(help, TUI_EL_DEFAULT);
		tui_draw_text(y, 1, kw - 1, &kt, 0, 1);
		tui_draw_text(y, kw + 1, cols - kw - 1, &ht, 0, 1);
	}
}

static void
draw(struct rview *v)
{
	struct tui_ui *ui = &v->ui;
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	/* Ages, "times out in" and "decided ... ago" are read on the
	 * recorded clock, as they were when it happened. */
	ui->now_ms = v->rp->clock_ms;
	tui_layout_compute(cols, rows - 1, ui->fullscreen, (int)tui_ui_model(ui)->nview,
	                   &ui->layout);
	erase();
	curs_set(0);
	if (rows - 1 < TUI_MIN_ROWS || ui->layout.too_small) {
		struct tui_text t = tui_text_str("agate: too small", TUI_EL_ERROR);
		tui_draw_text(0, 0, cols, &t, 0, 1);
		return;
	}
	if (ui->help) {
		draw_help(v, rows - 1, cols);
	} else {
		tui_view_list_draw(ui);
		tui_view_detail_draw(ui);
	}
	draw_bar(v, rows - 1, cols);
	draw_event_line(v, &ui->layout.status);
}

/* --- setup and the loop ------------------------------------------------- */

static void
loop(struct rview *v)
{
	struct tui_replay *rp = v->rp;
	int64_t last_tick = 0;

	while (!v->quit && !tui_screen_stopped()) {
		int64_t now = ag_clock_mono_ms();
		if (rp->playing) {
			/* The bar says when the end stops it. */
			tui_replay_advance(rp, now - v->last_mono);
			v->dirty = 1; /* the clock moved */
		}
		v->last_mono = now;
		if (now - last_tick >= 1000) {
			last_tick = now;
			v->dirty = 1; /* notices expire */
			tui_screen_check_size(1);
		}
		if (tui_screen_check_size(0))
			v->dirty = 1;
		if (v->dirty) {
			draw(v);
			refresh();
			v->dirty = 0;
			/* The rest of the shown diff's index, then its totals. */
			if (tui_view_detail_complete(&v->ui))
				v->dirty = 1;
		}
		int wait = v->dirty ? 0 : 1000;
		if (rp->playing) {
			int64_t due = tui_replay_wait_ms(rp);
			wait = due >= 0 && due < PLAY_TICK_MS ? (int)due : PLAY_TICK_MS;
		}
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		if (poll(&pfd, 1, wait) < 0 && errno != EINTR)
			break;
		wint_t ch;
		int rc;
		while ((rc = get_wch(&ch)) != ERR)
			on_key(v, rc == KEY_CODE_YES, ch);
		if (tui_screen_check_size(0))
			v->dirty = 1;
	}
}

static int
load(const struct tui_replay_opts *opts, struct tui_replay **rp, char **picked,
     struct ag_error *err)
{
	struct ag_journal *j = NULL;

	*picked = NULL;
	if (opts->journal == NULL)
		return ag_fail(err, "no journal");
	if (ag_journal_open(opts->journal, 1, &j, err) != 0)
		return -1;
	const char *session = opts->session;
	if (session == NULL) {
		if (tui_replay_latest_session(j, picked, err) != 0) {
			ag_journal_close(&j);
			return -1;
		}
		session = *picked;
	}
	int rc = tui_replay_load(j, session, rp, err);
	/* Everything is in memory now: no read transaction stays open
	 * while a hub writes. */
	ag_journal_close(&j);
	if (rc != 0) {
		free(*picked);
		*picked = NULL;
	}
	return rc;
}

int
tui_replay_run(const struct tui_replay_opts *opts, struct ag_error *err)
{
	struct rview v;
	struct tui_theme theme;
	int no_color;
	char theme_error[AG_ERROR_MAX + 64];
	char *picked = NULL;

	memset(&v, 0, sizeof v);
	if (load(opts, &v.rp, &picked, err) != 0)
		return -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		tui_replay_free(&v.rp);
		free(picked);
		return ag_fail(err, "the replay console needs a terminal; for text use "
		                    "'agate export --session ID' or 'agate log --session ID'");
	}
	v.rp->speed = opts->speed > 0 ? opts->speed : 1;
	v.ui.wrap = 1;
	v.ui.hub = TUI_HUB_UP; /* the views say "no pending requests", not "not connected" */
	v.ui.replay = 1;
	v.ui.history_loaded = 1;
	tui_model_init(&v.ui.pending);
	tui_model_init(&v.ui.history);
	tui_replay_bind(v.rp, &v.ui.pending, &v.ui.history);
	tui_screen_theme(opts->theme, &theme, &no_color, theme_error, sizeof theme_error);

	tui_screen_signals();
	tui_screen_start(&theme, no_color, opts->mouse);
	if (theme_error[0] != '\0')
		tui_ui_notice(&v.ui, TUI_EL_ERROR, "%s", theme_error);
	else if (v.rp->truncated)
		tui_ui_notice(&v.ui, TUI_EL_ERROR,
		              "a long session: only its first %d requests are replayed",
		              TUI_REPLAY_MAX_REQUESTS);
	else if (v.rp->skipped > 0)
		tui_ui_notice(&v.ui, TUI_EL_NOTICE, "%zu unreadable journal rows skipped",
		              v.rp->skipped);
	else if (picked != NULL)
		tui_ui_notice(&v.ui, TUI_EL_NOTICE,
		              "the most recent session: %.200s (--session picks another)", picked);
	v.dirty = 1;
	v.last_mono = ag_clock_mono_ms();
	loop(&v);

	tui_screen_end();
	tui_replay_free(&v.rp);
	tui_model_free(&v.ui.pending);
	tui_model_free(&v.ui.history);
	free(v.ui.search_before);
	free(picked);
	return 0;
}
