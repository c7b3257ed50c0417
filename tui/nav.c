#include "tui/nav.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xmalloc.h"
#include "tui/draw.h"

void
tui_nav_set_filters(struct tui_ui *ui, const char *search, const char *session)
{
	tui_model_set_search(&ui->pending, search);
	tui_model_set_search(&ui->history, search);
	tui_model_set_session(&ui->pending, session);
	tui_model_set_session(&ui->history, session);
}

static int
detail_has_focus(const struct tui_ui *ui)
{
	return ui->fullscreen || ui->focus == TUI_FOCUS_DETAIL;
}

/* Up, down, top and bottom move the selection, or scroll the detail when
 * it has the focus. */
static void
move_focused(struct tui_ui *ui, enum tui_action a)
{
	struct tui_model *m = tui_ui_model(ui);
	int detail = detail_has_focus(ui);

	switch (a) {
	case TUI_ACT_DOWN:
	case TUI_ACT_UP:
		if (detail)
			tui_view_detail_scroll(ui, a == TUI_ACT_DOWN ? 1 : -1);
		else
			tui_model_move(m, a == TUI_ACT_DOWN ? 1 : -1);
		break;
	default:
		if (detail)
			tui_view_detail_scroll(ui, a == TUI_ACT_TOP ? TUI_SCROLL_TOP
			                                            : TUI_SCROLL_BOTTOM);
		else
			tui_model_select_index(m, a == TUI_ACT_TOP ? 0 : m->nview);
		break;
	}
}

static void
sideways(struct tui_ui *ui, enum tui_action a)
{
	if (ui->wrap) {
		tui_ui_notice(ui, TUI_EL_NOTICE, "lines wrap; w scrolls them sideways instead");
		return;
	}
	ui->hscroll += a == TUI_ACT_RIGHT ? 8 : -8;
	if (ui->hscroll < 0)
		ui->hscroll = 0;
}

static void
session_filter(struct tui_ui *ui)
{
	struct tui_model *m = tui_ui_model(ui);
	const struct tui_item *it = tui_model_selected(m);

	if (m->session != NULL)
		tui_nav_set_filters(ui, m->search, NULL);
	else if (it != NULL && it->req->session[0] != '\0')
		tui_nav_set_filters(ui, m->search, it->req->session);
	else
		tui_ui_notice(ui, TUI_EL_NOTICE, "this request names no session");
}

int
tui_nav_action(struct tui_ui *ui, enum tui_action a)
{
	struct tui_model *m = tui_ui_model(ui);
	int page = ui->layout.detail.h > 2 ? ui->layout.detail.h - 1 : 1;

	switch (a) {
	case TUI_ACT_DOWN:
	case TUI_ACT_UP:
	case TUI_ACT_TOP:
	case TUI_ACT_BOTTOM: move_focused(ui, a); break;
	case TUI_ACT_PAGE_DOWN: tui_view_detail_scroll(ui, page); break;
	case TUI_ACT_PAGE_UP: tui_view_detail_scroll(ui, -page); break;
	case TUI_ACT_LEFT:
	case TUI_ACT_RIGHT: sideways(ui, a); break;
	case TUI_ACT_NEXT_FLAG:
	case TUI_ACT_PREV_FLAG:
		if (!tui_view_detail_flag(ui, a == TUI_ACT_NEXT_FLAG ? 1 : -1))
			tui_ui_notice(ui, TUI_EL_NOTICE, "no further flagged line");
		break;
	case TUI_ACT_FOCUS:
		ui->focus = ui->focus == TUI_FOCUS_LIST ? TUI_FOCUS_DETAIL : TUI_FOCUS_LIST;
		break;
	case TUI_ACT_FULLSCREEN: ui->fullscreen = !ui->fullscreen; break;
	case TUI_ACT_WRAP:
		ui->wrap = !ui->wrap;
		ui->hscroll = 0;
		ui->detail_row = 0;
		break;
	case TUI_ACT_SEARCH:
		free(ui->search_before);
		ui->search_before = m->search ? xstrdup(m->search) : NULL;
		tui_nav_start_prompt(ui, TUI_PROMPT_SEARCH, m->search);
		break;
	case TUI_ACT_SESSION: session_filter(ui); break;
	case TUI_ACT_CANCEL:
		if (ui->fullscreen)
			ui->fullscreen = 0;
		else
			tui_nav_set_filters(ui, NULL, NULL);
		break;
	case TUI_ACT_REDRAW: clearok(curscr, TRUE); break;
	default: return 0;
	}
	return 1;
}

void
tui_nav_mouse(struct tui_ui *ui)
{
	MEVENT me;
	int row;

	if (getmouse(&me) != OK)
		return;
	enum tui_hit hit = tui_layout_hit(&ui->layout, me.y, me.x, &row);
	if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		int down = (me.bstate & BUTTON5_PRESSED) != 0;
		if (hit == TUI_HIT_LIST)
			tui_model_move(tui_ui_model(ui), down ? 3 : -3);
		else
			tui_view_detail_scroll(ui, down ? 3 : -3);
		return;
	}
	if (!(me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)))
		return;
	if (hit == TUI_HIT_LIST) {
		tui_view_list_click(ui, row);
		ui->focus = TUI_FOCUS_LIST;
	} else if (hit == TUI_HIT_DETAIL) {
		ui->focus = TUI_FOCUS_DETAIL;
	}
}

void
tui_nav_help_key(struct tui_ui *ui, int fkey, wint_t ch)
{
	if (fkey && (ch == KEY_DOWN || ch == KEY_NPAGE))
		ui->help_top += ch == KEY_DOWN ? 1 : 10;
	else if (fkey && (ch == KEY_UP || ch == KEY_PPAGE))
		ui->help_top -= ch == KEY_UP ? 1 : 10;
	else if (!fkey && (ch == 'j' || ch == 'k'))
		ui->help_top += ch == 'j' ? 1 : -1;
	else
		ui->help = 0;
	if (ui->help_top < 0)
		ui->help_top = 0;
}

void
tui_nav_start_prompt(struct tui_ui *ui, enum tui_prompt p, const char *initial)
{
	ui->prompt = p;
	snprintf(ui->input, sizeof ui->input, "%s", initial ? initial : "");
	ui->input_len = strlen(ui->input);
	const struct tui_item *it = tui_model_selected(tui_ui_model(ui));
	snprintf(ui->prompt_id, sizeof ui->prompt_id, "%s", it ? it->req->id : "");
}

enum tui_edit
tui_nav_edit(struct tui_ui *ui, int fkey, wint_t ch)
{
	if ((!fkey && (ch == '\r' || ch == '\n')) || (fkey && ch == KEY_ENTER))
		return TUI_EDIT_ENTER;
	if (!fkey && ch == 27)
		return TUI_EDIT_ESCAPE;
	if ((fkey && ch == KEY_BACKSPACE) || (!fkey && (ch == 127 || ch == 8))) {
		/* A whole character: continuation bytes go with their lead. */
		while (ui->input_len > 0) {
			unsigned char b = (unsigned char)ui->input[--ui->input_len];
			if ((b & 0xc0) != 0x80)
				break;
		}
	} else if (!fkey && ch == 21) { /* ^U */
		ui->input_len = 0;
	} else if (!fkey && ch >= 32 && ch != 127) {
		char buf[4];
		int n = ag_utf8_encode((uint32_t)ch, buf);
		if (ui->input_len + (size_t)n >= sizeof ui->input)
			return TUI_EDIT_IGNORED;
		memcpy(ui->input + ui->input_len, buf, (size_t)n);
		ui->input_len += (size_t)n;
	} else {
		return TUI_EDIT_IGNORED;
	}
	ui->input[ui->input_len] = '\0';
	return TUI_EDIT_CHANGED;
}

void
tui_nav_search_key(struct tui_ui *ui, int fkey, wint_t ch)
{
	switch (tui_nav_edit(ui, fkey, ch)) {
	case TUI_EDIT_ENTER: ui->prompt = TUI_PROMPT_NONE; break;
	case TUI_EDIT_ESCAPE:
		ui->prompt = TUI_PROMPT_NONE;
		tui_model_set_search(&ui->pending, ui->search_before);
		tui_model_set_search(&ui->history, ui->search_before);
		break;
	case TUI_EDIT_CHANGED:
		tui_model_set_search(&ui->pending, ui->input);
		tui_model_set_search(&ui->history, ui->input);
		break;
	case TUI_EDIT_IGNORED: break;
	}
}
