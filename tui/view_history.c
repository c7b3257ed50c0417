/* The history view's data: decided requests from the journal, opened
 * read-only (the hub owns writing), the newest HISTORY_MAX of them, turned
 * back into items so that the list and the detail pane show them as they
 * showed pending ones, plus who decided and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/journal.h"
#include "core/xmalloc.h"
#include "tui/view.h"

#define HISTORY_MAX 2000

struct load_ctx {
	struct tui_model *m;
	size_t skipped;
};

static void
add_string(cJSON *o, const char *key, const char *value)
{
	if (value != NULL)
		cJSON_AddStringToObject(o, key, value);
}

static int
on_row(void *ctx, const struct ag_journal_row *row)
{
	struct load_ctx *lc = ctx;
	struct ag_limits limits;
	struct ag_request *req = NULL;
	struct ag_error err;

	if (row->decision == NULL && strcmp(row->state, "abandoned") != 0)
		return 0;
	cJSON *frame = cJSON_CreateObject();
	cJSON_AddNumberToObject(frame, "v", 1);
	cJSON_AddStringToObject(frame, "type", "request");
	add_string(frame, "id", row->id);
	add_string(frame, "session", row->session);
	add_string(frame, "agent", row->agent);
	add_string(frame, "cwd", row->cwd);
	add_string(frame, "justification", row->justification);
	cJSON *action = row->action_json ? cJSON_Parse(row->action_json) : NULL;
	if (action == NULL) {
		cJSON_Delete(frame);
		lc->skipped++;
		return 0;
	}
	cJSON_AddItemToObject(frame, "action", action);
	ag_limits_default(&limits);
	limits.max_frame = limits.max_text = (size_t)64 * 1024 * 1024;
	int rc = ag_request_from_json(frame, &limits, &req, &err);
	cJSON_Delete(frame);
	if (rc != 0) {
		lc->skipped++;
		return 0;
	}
	struct tui_item *it = tui_item_new(req);
	if (row->risk_json != NULL) {
		cJSON *risk = cJSON_Parse(row->risk_json);
		if (risk == NULL || ag_risk_from_json(risk, &it->risk, &err) != 0)
			ag_risk_clear(&it->risk);
		cJSON_Delete(risk);
	}
	it->rule = row->rule ? xstrdup(row->rule) : NULL;
	it->created_ms = row->created_ms;
	it->decision = xstrdup(row->decision ? row->decision : "abandoned");
	it->by = xstrdup(row->by ? row->by : "nobody");
	it->reason = xstrdup(row->reason ? row->reason : "");
	it->decided_ms = row->decided_ms;
	tui_model_add(lc->m, it);
	return 0;
}

int
tui_view_history_load(struct tui_ui *ui, struct ag_error *err)
{
	struct ag_journal *j = NULL;
	struct ag_journal_query q;
	struct load_ctx lc = {&ui->history, 0};

	tui_model_clear(&ui->history);
	if (ui->journal_path == NULL)
		return ag_fail(err, "no journal configured");
	if (ag_journal_open(ui->journal_path, 1, &j, err) != 0)
		return -1;
	ag_journal_query_init(&q);
	q.limit = HISTORY_MAX;
	int rc = ag_journal_query(j, &q, on_row, &lc, err);
	ag_journal_close(&j);
	if (rc != 0)
		return -1;
	ui->history_loaded = 1;
	int fresh = ui->history.sel_id[0] == '\0';
	tui_model_refilter(&ui->history);
	if (fresh && ui->history.nview > 0)
		tui_model_select_index(&ui->history, ui->history.nview - 1); /* the newest */
	if (lc.skipped > 0)
		tui_ui_notice(ui, TUI_EL_NOTICE, "history: %zu unreadable rows skipped",
		              lc.skipped);
	return 0;
}
