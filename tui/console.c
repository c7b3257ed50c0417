/* The console's main loop: one poll() over the terminal and the bus, redraw
 * driven by a dirty flag (at most once per loop pass), signal handlers that
 * only set flags — tmux's shape. Keys arrive through get_wch so that
 * typed reasons can hold any character; resizes arrive as KEY_RESIZE. */
#include "tui/console.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "ipc/client.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/nav.h"
#include "tui/screen.h"
#include "tui/view.h"

#define NOTICE_MS          4000
#define STATUS_EVERY_MS    5000
#define RECONNECT_EVERY_MS 1000
/* How long a hub may take to welcome us before the screen says
 * "connecting", and how long the first paint waits for the snapshot to
 * end: one paint of the requests rather than an empty list first. */
#define QUIET_CONNECT_MS 50
#define SNAPSHOT_WAIT_MS 50

struct console {
	struct tui_ui ui;
	const struct tui_console_opts *opts;
	struct ag_client *client;
	int64_t next_connect; /* monotonic ms */
	int64_t next_status;
	int dirty;
	int quit;
	int bell;
	long title_count; /* pending count last put in the pane title */
	int more;         /* read_bus stopped at its bound: frames may wait in our buffer */
	int paint_now;    /* a preview came: paint even while a snapshot arrives */
	/* A previewed request that became whole since the last paint: keys
	 * pressed while its preview was on screen must not decide on it. */
	char unseen_id[AG_ID_MAX + 1];
	int connecting;         /* the hello is sent, the welcome not yet read */
	int64_t snapshot_until; /* monotonic ms: paint without the snapshot's end from then */
	int trim;               /* frames were read: give memory back after the paint */
};

struct tui_model *
tui_ui_model(struct tui_ui *ui)
{
	return ui->history_mode ? &ui->history : &ui->pending;
}

void
tui_ui_notice(struct tui_ui *ui, enum tui_element el, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->notice, sizeof ui->notice, fmt, ap);
	va_end(ap);
	ui->notice_el = el;
	ui->notice_until = ag_clock_mono_ms() + NOTICE_MS;
}

/* --- the bus ------------------------------------------------------------ */

static void
disconnect(struct console *c, const char *why)
{
	ag_client_close(&c->client);
	c->ui.hub = TUI_HUB_DOWN;
	c->ui.guardian = 0;
	c->ui.reconnects++;
	c->next_connect = ag_clock_mono_ms();
	tui_ui_notice(&c->ui, TUI_EL_ERROR, "lost the hub (%s); reconnecting", why);
	c->dirty = 1;
}

static int
send_frame(struct console *c, cJSON *frame)
{
	struct ag_error err;
	int rc = -1;

	if (c->client != NULL)
		rc = ag_client_send(c->client, frame, &err);
	cJSON_Delete(frame);
	if (rc != 0 && c->client != NULL)
		disconnect(c, err.msg);
	return rc;
}

static void
connect_failed(struct console *c, const char *why)
{
	c->client = NULL;
	c->connecting = 0;
	c->ui.hub = TUI_HUB_DOWN;
	c->next_connect = ag_clock_mono_ms() + RECONNECT_EVERY_MS;
	tui_ui_notice(&c->ui, TUI_EL_ERROR, "%s", why);
	c->dirty = 1;
}

/* Sends the hello (connect_finish reads the welcome). Returns -1 on
 * failure, reported as a notice unless quiet. The down pipe of a
 * subscriber is widened before the hello (ipc/client.c), so the snapshot
 * after the welcome crosses in a few hub turns. */
static int
connect_start(struct console *c, int autostart, int quiet)
{
	struct ag_client_opts o;
	struct ag_error err;

	memset(&o, 0, sizeof o);
	o.bus_dir = c->opts->bus_dir;
	o.role = AG_ROLE_SUBSCRIBER;
	o.name = "console";
	o.autostart = autostart;
	o.connect_timeout_ms = c->ui.reconnects > 0 ? 2000 : 5000;
	o.hub_argv0 = c->opts->hub_argv0;
	o.journal = c->opts->journal;
	o.previews = 1;
	if (ag_client_connect_start(&o, &c->client, &err) != 0) {
		if (quiet)
			c->client = NULL;
		else
			connect_failed(c, err.msg);
		return -1;
	}
	c->connecting = 1;
	return 0;
}

static void
connect_finish(struct console *c)
{
	struct ag_error err;

	c->connecting = 0;
	if (ag_client_connect_finish(&c->client, &err) != 0) {
		connect_failed(c, err.msg);
		return;
	}
	/* The snapshot that follows the welcome replaces what we had; the
	 * selection is kept by id. */
	tui_model_clear(&c->ui.pending);
	c->ui.hub = TUI_HUB_UP;
	if (c->ui.reconnects > 0)
		tui_ui_notice(&c->ui, TUI_EL_NOTICE, "reconnected to the hub (pid %d)",
		              ag_client_hub_pid(c->client));
	c->next_status = 0;
	c->snapshot_until = ag_clock_mono_ms() + SNAPSHOT_WAIT_MS;
	c->dirty = 1;
}

/* Returns 1 when the frame was a preview: worth a paint before reading on. */
static int
on_frame(struct console *c, cJSON *frame)
{
	struct tui_ui *ui = &c->ui;
	struct tui_event ev;

	tui_model_take(&ui->pending, frame, &ev);
	switch (ev.change) {
	case TUI_CHANGE_ADDED:
		if (c->opts->bell)
			c->bell = 1;
		if (ui->history_mode)
			tui_ui_notice(ui, TUI_EL_NOTICE, "a new request is pending (H shows it)");
		break;
	case TUI_CHANGE_DECIDED:
	case TUI_CHANGE_ABANDONED:
		if (ev.notice[0] != '\0')
			tui_ui_notice(ui, TUI_EL_NOTICE, "%s", ev.notice);
		/* A prompt about a request that is gone has nothing to act on. */
		if (ui->prompt != TUI_PROMPT_NONE && ui->prompt != TUI_PROMPT_SEARCH &&
		    strcmp(ui->prompt_id, ev.id) == 0)
			ui->prompt = TUI_PROMPT_NONE;
		ui->history_loaded = 0;
		break;
	case TUI_CHANGE_REFUSED: tui_ui_notice(ui, TUI_EL_ERROR, "%s", ev.notice); break;
	case TUI_CHANGE_COMPLETED: snprintf(c->unseen_id, sizeof c->unseen_id, "%s", ev.id); break;
	case TUI_CHANGE_REVIEW:
		if (ev.notice[0] != '\0')
			tui_ui_notice(ui, TUI_EL_NOTICE, "%s", ev.notice);
		break;
	case TUI_CHANGE_STATUS: ui->guardian = ev.guardian; break;
	case TUI_CHANGE_IGNORED:
		if (ev.notice[0] != '\0')
			tui_ui_notice(ui, TUI_EL_ERROR, "%s", ev.notice);
		break;
	default: break;
	}
	c->dirty = 1;
	return ev.preview;
}

static void
read_bus(struct console *c)
{
	struct ag_error err;
	int frames = 0;

	/* Bounded per pass so that a flood cannot starve the keyboard. What
	 * is left may sit in the client's buffer, where poll() cannot see
	 * it: the loop then polls without waiting (c->more). */
	c->more = 0;
	for (int i = 0; i < 256 && c->client != NULL; i++) {
		cJSON *frame = NULL;
		int rc = ag_client_recv(c->client, 0, &frame, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			disconnect(c, err.msg);
			break;
		}
		int preview = on_frame(c, frame);
		cJSON_Delete(frame);
		frames++;
		c->more = i == 255;
		/* The first lines of a long diff: on screen now, before the
		 * 3.7 MB behind them are read and checked. */
		if (preview) {
			c->paint_now = c->more = 1;
			break;
		}
	}
	if (frames > 0) {
		tui_model_refilter(&c->ui.pending);
		c->trim = 1;
	}
}

/* A large frame (a long diff) leaves its parse tree's memory free but
 * mapped; hand it back so a console that once showed a big patch does not
 * keep its peak for the rest of the day. After the paint, once idle. */
static void
trim_memory(struct console *c)
{
	if (!c->trim)
		return;
	c->trim = 0;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* --- decisions ---------------------------------------------------------- */

static struct tui_item *
decidable(struct console *c)
{
	struct tui_ui *ui = &c->ui;
	struct tui_item *it = tui_model_selected(tui_ui_model(ui));

	if (ui->history_mode) {
		tui_ui_notice(ui, TUI_EL_ERROR, "history is read-only (H goes back)");
		return NULL;
	}
	if (it == NULL)
		return NULL;
	if (c->client == NULL) {
		tui_ui_notice(ui, TUI_EL_ERROR, "not connected to the hub: cannot decide now");
		return NULL;
	}
	if (it->deciding) {
		tui_ui_notice(ui, TUI_EL_NOTICE, "%s: a decision was sent, waiting for the hub",
		              it->req->id);
		return NULL;
	}
	if (it->preview) {
		/* Only its first lines are here: nobody decides on part of a diff. */
		tui_ui_notice(ui, TUI_EL_NOTICE, "%s: the rest of this diff is still arriving",
		              it->req->id);
		return NULL;
	}
	if (strcmp(it->req->id, c->unseen_id) == 0) {
		/* Whole now, but the key came while its preview was shown. */
		tui_ui_notice(ui, TUI_EL_NOTICE,
		              "%s: the whole diff just arrived; look, then decide", it->req->id);
		return NULL;
	}
	return it;
}

static void
send_decision(struct console *c, struct tui_item *it, enum ag_decision d, const char *reason,
              int confirm)
{
	char id[AG_ID_MAX + 1];
	snprintf(id, sizeof id, "%s", it->req->id);
	if (it->preview) { /* (decidable() said so already; this is the guarantee) */
		tui_ui_notice(&c->ui, TUI_EL_NOTICE,
		              "%s: not sent: the rest of this diff is still "
		              "arriving",
		              id);
		return;
	}
	if (send_frame(c, tui_model_decide_frame(it, d, reason, confirm)) == 0)
		tui_ui_notice(&c->ui, TUI_EL_NOTICE, "%s: sent %s", id, ag_decision_name(d));
}

static void
approve(struct console *c, enum ag_decision d, int key)
{
	struct tui_ui *ui = &c->ui;
	struct tui_item *it = decidable(c);

	if (it == NULL)
		return;
	if (it->needs_human) {
		/* Promise 3: a second, deliberate key press. */
		ui->prompt = TUI_PROMPT_CONFIRM;
		ui->confirm_key = key;
		ui->confirm_decision = (int)d;
		snprintf(ui->prompt_id, sizeof ui->prompt_id, "%s", it->req->id);
		return;
	}
	send_decision(c, it, d, NULL, 0);
}

/* --- prompts ------------------------------------------------------------ */

/* A key at a prompt: the second key that confirms an approval, a deny
 * reason being typed, or a search. */
static void
prompt_key(struct console *c, int fkey, wint_t ch)
{
	struct tui_ui *ui = &c->ui;

	if (ui->prompt == TUI_PROMPT_CONFIRM) {
		ui->prompt = TUI_PROMPT_NONE;
		struct tui_item *it = tui_model_find(&ui->pending, ui->prompt_id);
		if (!fkey && (int)ch == ui->confirm_key && it != NULL)
			send_decision(c, it, (enum ag_decision)ui->confirm_decision, NULL, 1);
		else
			tui_ui_notice(ui, TUI_EL_NOTICE, "not approved");
		return;
	}
	if (ui->prompt == TUI_PROMPT_SEARCH) {
		tui_nav_search_key(ui, fkey, ch);
		return;
	}
	enum tui_edit e = tui_nav_edit(ui, fkey, ch);
	if (e == TUI_EDIT_ESCAPE) {
		ui->prompt = TUI_PROMPT_NONE;
	} else if (e == TUI_EDIT_ENTER) {
		ui->prompt = TUI_PROMPT_NONE;
		struct tui_item *it = tui_model_find(&ui->pending, ui->prompt_id);
		if (it == NULL)
			tui_ui_notice(ui, TUI_EL_NOTICE, "that request is no longer pending");
		else if (!it->deciding && c->client != NULL)
			send_decision(c, it, AG_DECISION_DENY, ui->input, 0);
	}
}

/* --- keys ------------------------------------------------------------- */

static void
toggle_history(struct console *c)
{
	struct tui_ui *ui = &c->ui;
	struct ag_error err;

	if (ui->history_mode) {
		ui->history_mode = 0;
		return;
	}
	if (!ui->history_loaded && tui_view_history_load(ui, &err) != 0) {
		tui_ui_notice(ui, TUI_EL_ERROR, "history: %s", err.msg);
		return;
	}
	ui->history_mode = 1;
	/* The same filters apply in both views. */
	tui_model_set_search(&ui->history, ui->pending.search);
	tui_model_set_session(&ui->history, ui->pending.session);
}

static void
do_action(struct console *c, enum tui_action a, int key)
{
	struct tui_ui *ui = &c->ui;
	struct tui_model *m = tui_ui_model(ui);
	struct tui_item *it = tui_model_selected(m);

	switch (a) {
	case TUI_ACT_APPROVE: approve(c, AG_DECISION_APPROVE, key); break;
	case TUI_ACT_APPROVE_SESSION: approve(c, AG_DECISION_APPROVE_SESSION, key); break;
	case TUI_ACT_DENY:
		if (decidable(c) != NULL)
			tui_nav_start_prompt(ui, TUI_PROMPT_REASON, "");
		break;
	case TUI_ACT_ABORT:
		if ((it = decidable(c)) != NULL)
			send_decision(c, it, AG_DECISION_ABORT, NULL, 0);
		break;
	case TUI_ACT_GUARDIAN:
		if ((it = decidable(c)) == NULL)
			break;
		if (it->review_requested) {
			tui_ui_notice(ui, TUI_EL_NOTICE, "the Guardian was already asked");
			break;
		}
		if (send_frame(c, tui_model_review_request_frame(it)) == 0)
			tui_ui_notice(ui, TUI_EL_NOTICE, "asked the Guardian%s",
			              ui->guardian ? ""
			                           : " (none is connected: start agate review)");
		break;
	case TUI_ACT_HISTORY: toggle_history(c); break;
	case TUI_ACT_HELP:
		ui->help = 1;
		ui->help_top = 0;
		break;
	case TUI_ACT_QUIT: c->quit = 1; break;
	default: tui_nav_action(ui, a); break;
	}
}

static void
on_key(struct console *c, int fkey, wint_t ch)
{
	struct tui_ui *ui = &c->ui;

	c->dirty = 1;
	if (fkey && ch == KEY_RESIZE)
		return; /* the layout is recomputed at every draw */
	if (fkey && ch == KEY_MOUSE) {
		tui_nav_mouse(ui);
		return;
	}
	if (ui->prompt != TUI_PROMPT_NONE) {
		prompt_key(c, fkey, ch);
		return;
	}
	if (ui->help) {
		tui_nav_help_key(ui, fkey, ch);
		return;
	}
	int key = (int)ch;
	enum tui_action a = tui_key_action(key);
	if (a != TUI_ACT_NONE)
		do_action(c, a, key);
}

/* --- drawing ---------------------------------------------------------- */

static void
draw_status(struct console *c)
{
	struct tui_ui *ui = &c->ui;
	const struct tui_rect *r = &ui->layout.status;
	struct tui_model *m = tui_ui_model(ui);
	char left[1024];

	if (ui->prompt == TUI_PROMPT_CONFIRM) {
		const struct tui_item *it = tui_model_find(&ui->pending, ui->prompt_id);
		snprintf(left, sizeof left,
		         "%s %s: press %c again to approve, any other key cancels", ui->prompt_id,
		         it != NULL && it->risk.level == AG_LEVEL_CRITICAL ? "is critical"
		                                                           : "matched a deny rule",
		         ui->confirm_key);
		tui_draw_fill(r->y, r->x, r->w, TUI_EL_PROMPT);
		struct tui_text t = tui_text_str(left, TUI_EL_PROMPT);
		tui_draw_text(r->y, r->x, r->w, &t, 0, 1);
		return;
	}
	if (ui->prompt == TUI_PROMPT_REASON || ui->prompt == TUI_PROMPT_SEARCH) {
		const char *label = ui->prompt == TUI_PROMPT_SEARCH ? "search: " : "deny reason: ";
		tui_draw_fill(r->y, r->x, r->w, TUI_EL_PROMPT);
		struct tui_text lt = tui_text_str(label, TUI_EL_PROMPT);
		int n = tui_draw_text(r->y, r->x, r->w, &lt, 0, 0);
		/* Typed text shows its tail when it is longer than the line. */
		struct tui_text it = {ui->input, ui->input_len, TUI_EL_PROMPT, NULL, 0};
		int w = tui_text_width(&it), avail = r->w - n - 1;
		int skip = w > avail ? w - avail : 0;
		int drawn = tui_draw_text(r->y, r->x + n, avail, &it, skip, 0);
		move(r->y, r->x + n + drawn);
		curs_set(1);
		return;
	}
	if (ui->notice[0] != '\0' && ag_clock_mono_ms() < ui->notice_until) {
		tui_draw_fill(r->y, r->x, r->w, ui->notice_el);
		struct tui_text t = tui_text_str(ui->notice, ui->notice_el);
		tui_draw_text(r->y, r->x + 1, r->w - 1, &t, 0, 1);
		return;
	}
	const char *hub = ui->hub == TUI_HUB_UP     ? "hub up"
	                  : ui->hub == TUI_HUB_DOWN ? "hub down, reconnecting"
	                                            : "connecting";
	int n = snprintf(left, sizeof left, " %zu pending \xc2\xb7 %s \xc2\xb7 guardian %s",
	                 ui->pending.nview, hub, ui->guardian ? "on" : "off");
	if (m->search != NULL && n > 0 && (size_t)n < sizeof left)
		n += snprintf(left + n, sizeof left - (size_t)n, " \xc2\xb7 /%.200s", m->search);
	if (m->session != NULL && n > 0 && (size_t)n < sizeof left)
		n += snprintf(left + n, sizeof left - (size_t)n, " \xc2\xb7 session %.200s",
		              m->session);
	enum tui_element el = ui->hub == TUI_HUB_UP ? TUI_EL_STATUS : TUI_EL_ERROR;
	tui_draw_fill(r->y, r->x, r->w, el);
	/* Filters are agent text (a session name): drawn through the sanitizer. */
	struct tui_text t = tui_text_str(left, el);
	const char *help = r->w >= 50 ? "? help " : "? ";
	struct tui_text ht = tui_text_str(help, el);
	int hw = tui_text_width(&ht);
	tui_draw_text(r->y, r->x, r->w - hw, &t, 0, 1);
	tui_draw_text(r->y, r->x + r->w - hw, hw, &ht, 0, 0);
}

void
tui_view_help_draw(struct tui_ui *ui)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	int body = rows - 1;

	tui_draw_fill(0, 0, cols, TUI_EL_TITLE);
	struct tui_text title =
	    tui_text_str(" agate keys \xc2\xb7 any other key closes", TUI_EL_TITLE);
	tui_draw_text(0, 0, cols, &title, 0, 1);
	int kw = cols >= 60 ? 16 : 10;
	if (ui->help_top > TUI_ACT_COUNT - 2)
		ui->help_top = TUI_ACT_COUNT - 2;
	for (int y = 1; y < body; y++) {
		tui_draw_fill(y, 0, cols, TUI_EL_DEFAULT);
		int a = ui->help_top + y; /* actions start at 1 */
		if (a >= TUI_ACT_COUNT)
			continue;
		char keys[64];
		tui_action_keys((enum tui_action)a, keys, sizeof keys);
		struct tui_text kt = tui_text_str(keys, TUI_EL_HELP_KEY);
		struct tui_text ht =
		    tui_text_str(tui_action_help((enum tui_action)a), TUI_EL_DEFAULT);
		tui_draw_text(y, 1, kw - 1, &kt, 0, 1);
		tui_draw_text(y, kw + 1, cols - kw - 1, &ht, 0, 1);
	}
}

static void
draw(struct console *c)
{
	struct tui_ui *ui = &c->ui;
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	ui->now_ms = ag_clock_wall_ms();
	tui_layout_compute(cols, rows, ui->fullscreen, (int)tui_ui_model(ui)->nview, &ui->layout);
	erase();
	curs_set(0);
	if (ui->layout.too_small) {
		struct tui_text t = tui_text_str("agate: too small", TUI_EL_ERROR);
		tui_draw_text(0, 0, cols, &t, 0, 1);
		return;
	}
	if (ui->help) {
		tui_view_help_draw(ui);
		draw_status(c);
		return;
	}
	tui_view_list_draw(ui);
	tui_view_detail_draw(ui);
	draw_status(c);
}

/* The pane title says how many requests wait — a number of ours, never
 * agent text, so nothing an agent writes can reach tmux or the terminal's
 * title. */
static void
update_title(struct console *c)
{
	long n = (long)c->ui.pending.n;
	char buf[64];

	if (n == c->title_count)
		return;
	c->title_count = n;
	int len = snprintf(buf, sizeof buf, "\033]2;agate: %ld pending\033\\", n);
	if (len > 0 && write(STDOUT_FILENO, buf, (size_t)len) < 0) {
		/* The title is a nicety; a terminal that refuses it is fine. */
	}
}

/* --- setup and the loop ------------------------------------------------- */

/* Whether to hold the paint: a snapshot is arriving, and painting the
 * empty list or part of it would only delay the whole. Bounded, so a long
 * snapshot still shows progress. */
static int
awaiting_snapshot(const struct console *c, int64_t now)
{
	return c->client != NULL && !c->ui.pending.snapshot_done && now < c->snapshot_until;
}

static void
loop(struct console *c)
{
	int64_t last_tick = 0;

	while (!c->quit && !tui_screen_stopped()) {
		int64_t now = ag_clock_mono_ms();
		if (c->client == NULL && now >= c->next_connect) {
			draw(c); /* say "connecting" before blocking on it */
			refresh();
			if (connect_start(c, c->opts->autostart, 0) == 0)
				connect_finish(c);
			continue;
		}
		if (c->connecting) {
			/* The hello went out before the screen was set up; a
			 * hub that answers at once is not kept waiting for a
			 * "connecting" paint nobody would see. */
			struct pollfd p = {ag_client_fd(c->client), POLLIN, 0};
			if (poll(&p, 1, QUIET_CONNECT_MS) == 0) {
				draw(c);
				refresh();
			}
			connect_finish(c);
			continue;
		}
		if (c->client != NULL && now >= c->next_status) {
			c->next_status = now + STATUS_EVERY_MS;
			send_frame(c, tui_model_status_frame());
		}
		/* Ages tick each second; notices expire. */
		if (now - last_tick >= 1000) {
			last_tick = now;
			c->dirty = 1;
			tui_screen_check_size(1);
		}
		if (tui_screen_check_size(0))
			c->dirty = 1;
		int hold = awaiting_snapshot(c, now) && !c->paint_now;
		if (c->dirty && !hold) {
			draw(c);
			if (c->bell) {
				beep();
				c->bell = 0;
			}
			refresh();
			update_title(c);
			c->dirty = c->paint_now = 0;
			c->unseen_id[0] = '\0';
			/* The paint indexed only the diff lines it showed; the
			 * rest now, and its totals painted, before any key. */
			if (tui_view_detail_complete(&c->ui))
				c->dirty = 1;
		}
		struct pollfd pfd[2] = {{STDIN_FILENO, POLLIN, 0}, {-1, POLLIN, 0}};
		if (c->client != NULL)
			pfd[1].fd = ag_client_fd(c->client);
		int wait = c->client == NULL ? RECONNECT_EVERY_MS : c->more || c->dirty ? 0 : 1000;
		if (hold && wait > (int)(c->snapshot_until - now))
			wait = (int)(c->snapshot_until - now);
		/* Memory is given back when nothing else is waiting: not while
		 * tmux is still drawing what we just wrote. */
		if (c->trim && !c->dirty && wait > 0) {
			int n = poll(pfd, 2, 20);
			if (n == 0)
				trim_memory(c);
			else if (n > 0)
				wait = 0;
		}
		if (poll(pfd, 2, wait) < 0 && errno != EINTR)
			break;
		if (c->client != NULL &&
		    (c->more || (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))))
			read_bus(c);
		/* Keys, and KEY_RESIZE after a SIGWINCH interrupted poll(). */
		wint_t ch;
		int rc;
		while ((rc = get_wch(&ch)) != ERR)
			on_key(c, rc == KEY_CODE_YES, ch);
		if (tui_screen_check_size(0))
			c->dirty = 1;
	}
}

int
tui_console_run(const struct tui_console_opts *opts, struct ag_error *err)
{
	struct console c;
	struct tui_theme theme;
	int no_color;
	char theme_error[AG_ERROR_MAX + 64];

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return ag_fail(err,
		               "the console needs a terminal; for a text feed use 'agate log -f'");
#ifdef __GLIBC__
	/* Big blocks (a diff's text, its line index) in mappings of their
	 * own, unmapped when freed: by default glibc raises this threshold
	 * after the first such free, and later diffs stay in the heap. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
	memset(&c, 0, sizeof c);
	c.opts = opts;
	c.title_count = -1;
	c.ui.wrap = 1;
	c.ui.hub = TUI_HUB_CONNECTING;
	c.ui.journal_path = opts->journal ? xstrdup(opts->journal) : NULL;
	tui_model_init(&c.ui.pending);
	tui_model_init(&c.ui.history);
	/* A running hub gets our hello first and prints our snapshot while
	 * the theme is read and the screen set up. Without one the loop
	 * starts a hub, saying "connecting" meanwhile. */
	tui_screen_signals();
	connect_start(&c, 0, 1);
	tui_screen_theme(opts->theme, &theme, &no_color, theme_error, sizeof theme_error);
	tui_screen_start(&theme, no_color, opts->mouse);
	if (theme_error[0] != '\0')
		tui_ui_notice(&c.ui, TUI_EL_ERROR, "%s", theme_error);
	c.dirty = 1;
	loop(&c);

	/* Restore the terminal first, then clean up. */
	tui_screen_end();
	const char *reset = "\033]2;\033\\";
	if (write(STDOUT_FILENO, reset, strlen(reset)) < 0) {
		/* nothing to do */
	}
	ag_client_close(&c.client);
	tui_model_free(&c.ui.pending);
	tui_model_free(&c.ui.history);
	free(c.ui.journal_path);
	free(c.ui.search_before);
	return 0;
}
