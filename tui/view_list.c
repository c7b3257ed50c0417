/* The request list: one line per request — marker, age, risk badge, kind
 * (or, in history, the decision), agent/session and the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "tui/draw.h"
#include "tui/view.h"

static const char *const level_badges[AG_LEVEL_COUNT] = {"LOW", "MED", "HIGH", "CRIT"};
static const enum tui_element level_els[AG_LEVEL_COUNT] = {TUI_EL_RISK_LOW, TUI_EL_RISK_MEDIUM,
                                                           TUI_EL_RISK_HIGH, TUI_EL_RISK_CRITICAL};
static const char *const kind_short[AG_KIND_COUNT] = {"exec", "patch", "net", "mcp", "perm"};

static void
draw_badge(int y, int x, int w, enum ag_level level)
{
	char buf[8];
	if (w <= 0 || (unsigned)level >= AG_LEVEL_COUNT)
		return;
	snprintf(buf, sizeof buf, "%-4s", level_badges[level]);
	struct tui_text t = tui_text_str(buf, level_els[level]);
	tui_draw_fill(y, x, w, level_els[level]);
	tui_draw_text(y, x, w, &t, 0, 0);
}

/* The decision column of the history view: short words of our own. */
static void
draw_decision(int y, int x, int w, const struct tui_item *it, enum tui_element row_el)
{
	const char *d = it->decision ? it->decision : "";
	int dv = ag_decision_parse(d);
	const char *word = dv == AG_DECISION_APPROVE           ? "allow"
	                   : dv == AG_DECISION_APPROVE_SESSION ? "sess"
	                   : dv == AG_DECISION_DENY            ? "deny"
	                   : dv == AG_DECISION_ABORT           ? "abort"
	                   : dv == AG_DECISION_DEFER           ? "defer"
	                                                       : "gone";
	enum tui_element el = dv >= 0 && ag_decision_is_approval((enum ag_decision)dv)
	                          ? TUI_EL_APPROVED
	                          : TUI_EL_DENIED;
	if (row_el == TUI_EL_CURSOR)
		el = row_el;
	struct tui_text t = tui_text_str(word, el);
	tui_draw_text(y, x, w, &t, 0, 0);
}

static void
draw_row(struct tui_ui *ui, int y, const struct tui_rect *r, const struct tui_list_columns *c,
         const struct tui_item *it, int selected)
{
	enum tui_element row_el = TUI_EL_DEFAULT;
	char age[16];

	if (selected)
		row_el = ui->focus == TUI_FOCUS_LIST || ui->fullscreen ? TUI_EL_CURSOR
		                                                       : TUI_EL_CURSOR_BLUR;
	tui_draw_fill(y, r->x, r->w, row_el);
	if (selected) {
		struct tui_text m = tui_text_str(">", row_el);
		tui_draw_text(y, r->x + c->marker_x, c->marker_w, &m, 0, 0);
	}
	int64_t when = ui->history_mode && it->decided_ms ? it->decided_ms : it->created_ms;
	tui_format_age(ui->now_ms - when, age, sizeof age);
	struct tui_text t = tui_text_str(age, selected ? row_el : TUI_EL_AGE);
	int aw = tui_text_width(&t);
	tui_draw_text(y, r->x + c->age_x + (aw < c->age_w ? c->age_w - aw : 0), c->age_w, &t, 0, 0);
	draw_badge(y, r->x + c->risk_x, c->risk_w, it->risk.level);
	if (ui->history_mode) {
		draw_decision(y, r->x + c->kind_x, c->kind_w, it, row_el);
	} else {
		/* "patch" needs five columns; four-column lists say "diff". */
		const char *kind = it->req->kind == AG_KIND_PATCH && c->kind_w < 5
		                       ? "diff"
		                       : kind_short[it->req->kind];
		t = tui_text_str(kind, selected ? row_el : TUI_EL_KIND);
		tui_draw_text(y, r->x + c->kind_x, c->kind_w, &t, 0, 0);
	}
	if (c->who_w > 0) {
		/* Raw agent text: drawn through the sanitizer like all of it. */
		char *who = it->req->session[0]
		                ? xasprintf("%s/%s", it->req->agent, it->req->session)
		                : xstrdup(it->req->agent);
		t = tui_text_str(who, selected ? row_el : TUI_EL_AGENT);
		tui_draw_text(y, r->x + c->who_x, c->who_w, &t, 0, 1);
		free(who);
	}
	const char *summary = it->summary ? it->summary : "";
	t = tui_text_str(summary, selected ? row_el : TUI_EL_SUMMARY);
	if (it->deciding || it->review_requested) {
		/* A mark of our own for "waiting for the hub/Guardian". */
		struct tui_text w = tui_text_str(it->deciding ? "\xe2\x80\xa6 " : "? ", row_el);
		int n = tui_draw_text(y, r->x + c->summary_x, c->summary_w, &w, 0, 0);
		tui_draw_text(y, r->x + c->summary_x + n, c->summary_w - n, &t, 0, 1);
	} else {
		tui_draw_text(y, r->x + c->summary_x, c->summary_w, &t, 0, 1);
	}
}

void
tui_view_list_draw(struct tui_ui *ui)
{
	struct tui_model *m = tui_ui_model(ui);
	const struct tui_rect *tr = &ui->layout.list_title, *r = &ui->layout.list;
	struct tui_list_columns c;
	char title[128];

	if (r->h <= 0)
		return;
	if (ui->history_mode)
		snprintf(title, sizeof title, " history \xc2\xb7 %zu decided", m->nview);
	else
		snprintf(title, sizeof title, " agate \xc2\xb7 %zu pending", m->nview);
	tui_draw_fill(tr->y, tr->x, tr->w, TUI_EL_TITLE);
	struct tui_text t = tui_text_str(title, TUI_EL_TITLE);
	tui_draw_text(tr->y, tr->x, tr->w, &t, 0, 1);

	ui->list_top = tui_scroll_follow(ui->list_top, (int)m->sel, r->h, (int)m->nview);
	tui_layout_list_columns(r->w, &c);
	for (int row = 0; row < r->h; row++) {
		size_t v = (size_t)ui->list_top + (size_t)row;
		int y = r->y + row;
		if (v >= m->nview) {
			tui_draw_fill(y, r->x, r->w, TUI_EL_DEFAULT);
			continue;
		}
		draw_row(ui, y, r, &c, m->items[m->view[v]], v == m->sel);
	}
	if (m->nview == 0) {
		const char *msg = m->n > 0 ? " nothing matches the filter (Esc clears)"
		                  : ui->replay && ui->history_mode
		                      ? " nothing decided yet at this point of the recording"
		                  : ui->replay ? " nothing pending at this point of the recording"
		                  : ui->history_mode ? " no decided requests in the journal"
		                  : ui->hub == TUI_HUB_UP
		                      ? " no pending requests \xe2\x80\x94 waiting"
		                      : " not connected to a hub";
		t = tui_text_str(msg, TUI_EL_AGE);
		tui_draw_text(r->y, r->x, r->w, &t, 0, 1);
	}
}

void
tui_view_list_click(struct tui_ui *ui, int row)
{
	struct tui_model *m = tui_ui_model(ui);
	size_t v = (size_t)ui->list_top + (size_t)row;
	if (row >= 0 && v < m->nview)
		tui_model_select_index(m, v);
}
