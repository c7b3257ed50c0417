/* The console's screen state and its views. console.c owns a struct tui_ui
 * and runs the loop; the views draw from it and move their scroll
 * positions:
 *
 *   view_list.c     the request list (pending, or history rows)
 *   view_detail.c   the detail pane of the selected request
 *   view_history.c  loading decided requests from the journal
 *
 * A view draws the whole of its rectangle every frame (curses sends only
 * what changed), and never keeps pointers into the model across frames
 * other than by request id. */
#ifndef AGATE_TUI_VIEW_H
#define AGATE_TUI_VIEW_H

#include <stdint.h>

#include "core/error.h"
#include "tui/layout.h"
#include "tui/model.h"
#include "tui/theme.h"

enum tui_focus { TUI_FOCUS_LIST, TUI_FOCUS_DETAIL };
enum tui_hub_state { TUI_HUB_CONNECTING, TUI_HUB_UP, TUI_HUB_DOWN };
enum tui_prompt { TUI_PROMPT_NONE, TUI_PROMPT_REASON, TUI_PROMPT_SEARCH, TUI_PROMPT_CONFIRM };

#define TUI_INPUT_MAX 1024

struct tui_ui {
	struct tui_model pending;
	struct tui_model history;
	int history_mode; /* showing history instead of pending */
	int history_loaded;
	char *journal_path; /* owned; for the history view */

	struct tui_layout layout;
	enum tui_focus focus;
	int fullscreen;
	int wrap;
	int list_top; /* first list row shown */
	/* Detail scroll: a line of the detail document and a row inside it
	 * (wrapped lines take several rows), and the columns scrolled
	 * sideways. Reset when the selection changes to another id. */
	char detail_id[AG_ID_MAX + 1];
	long detail_line;
	int detail_row;
	int hscroll;
	int detail_rows; /* rows the detail had at the last draw (paging) */

	enum tui_hub_state hub;
	int guardian; /* a Guardian reviewer is connected */
	int reconnects;
	char notice[512]; /* raw text (sanitized when drawn) */
	enum tui_element notice_el;
	int64_t notice_until; /* monotonic ms */

	enum tui_prompt prompt;
	char input[TUI_INPUT_MAX];
	size_t input_len;
	char prompt_id[AG_ID_MAX + 1];
	int confirm_key;      /* CONFIRM: the key to press again */
	int confirm_decision; /* CONFIRM: enum ag_decision */
	char *search_before;  /* SEARCH: the filter to restore on Esc; owned */

	int help; /* the help overlay is open */
	int help_top;
	int64_t now_ms; /* wall clock for ages (AGATE_FAKE_NOW_MS pins it) */
	int replay;     /* a read-only replay (tui/replay_view.c): no bus, no decisions */
};

/* The model the list shows now (pending or history). */
struct tui_model *tui_ui_model(struct tui_ui *ui);
/* Shows a notice in the status line for a few seconds. */
void tui_ui_notice(struct tui_ui *ui, enum tui_element el, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* view_list.c */
void tui_view_list_draw(struct tui_ui *ui);
/* Selects the request drawn at a list row (mouse). */
void tui_view_list_click(struct tui_ui *ui, int row);

/* view_detail.c */
void tui_view_detail_draw(struct tui_ui *ui);
/* Completes the shown request's line index, which a paint builds only as
 * far as it shows (its totals wait for the rest). Returns 1 if it did:
 * paint again, before the next key. */
int tui_view_detail_complete(struct tui_ui *ui);
/* Scrolls by rows (negative: up); TUI_SCROLL_TOP/BOTTOM jump. */
#define TUI_SCROLL_TOP    (-2000000000L)
#define TUI_SCROLL_BOTTOM (2000000000L)
void tui_view_detail_scroll(struct tui_ui *ui, long rows);
/* Jumps to the next (dir 1) or previous (-1) flagged diff line. */
int tui_view_detail_flag(struct tui_ui *ui, int dir);

/* view_history.c: loads (or reloads) decided requests from the journal. */
int tui_view_history_load(struct tui_ui *ui, struct ag_error *err);

/* The help overlay (console.c draws it from the key tables). */
void tui_view_help_draw(struct tui_ui *ui);

#endif
