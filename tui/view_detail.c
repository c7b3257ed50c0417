/* The detail pane: everything about the selected request, as a document of
 * lines — fields (label + value), the coloured command, reasons, the
 * Guardian's verdict — followed by a long body (a diff, MCP arguments)
 * that is not copied into the document but read from the item's line
 * index. Scrolling is by (line, row inside a wrapped line), so a 100,000-
 * line diff costs a screenful of work per frame wherever it is scrolled. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "tui/diffview.h"
#include "tui/draw.h"
#include "tui/syntax.h"
#include "tui/view.h"

#define LABEL_W 9 /* "session  " */

enum dl_kind { DL_FIELD, DL_BLANK };

struct dline {
	enum dl_kind kind;
	const char *label;  /* ours; NULL: a continuation or a plain line */
	const char *gutter; /* ours, drawn before the value (e.g. "$ ") */
	enum tui_element gutter_el;
	struct tui_text text;
};

struct doc {
	struct dline *lines;
	size_t n, cap;
	char **owned; /* strings made for this build */
	size_t nowned, capowned;
	struct tui_diff_index *body; /* borrowed from the item */
	int label_w;
};

static struct doc cur; /* rebuilt for each draw and scroll */

static void
doc_reset(struct doc *d)
{
	for (size_t i = 0; i < d->nowned; i++)
		free(d->owned[i]);
	d->n = d->nowned = 0;
	d->body = NULL;
}

static const char *
doc_keep(struct doc *d, char *s)
{
	if (d->nowned == d->capowned) {
		d->capowned = d->capowned ? d->capowned * 2 : 32;
		d->owned = xreallocarray(d->owned, d->capowned, sizeof *d->owned);
	}
	d->owned[d->nowned++] = s;
	return s;
}

/* A string of our own making (numbers, enum names, agent text copied in). */
static const char *doc_fmt(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *
doc_fmt(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return doc_keep(d, s);
}

static struct dline *
doc_add(struct doc *d, const char *label, const char *s, size_t len, enum tui_element el)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->lines = xreallocarray(d->lines, d->cap, sizeof *d->lines);
	}
	struct dline *l = &d->lines[d->n++];
	memset(l, 0, sizeof *l);
	l->kind = DL_FIELD;
	l->label = label;
	l->text.s = s != NULL ? s : "";
	l->text.len = s != NULL ? len : 0;
	l->text.el = el;
	return l;
}

/* A field whose value may hold several lines: one document line each. */
static void
doc_field(struct doc *d, const char *label, const char *s, enum tui_element el)
{
	size_t pos = 0, len = s ? strlen(s) : 0, linelen;
	const char *line;
	int first = 1;

	if (len == 0) {
		doc_add(d, label, "", 0, el);
		return;
	}
	while (ag_line_next(s, len, &pos, &line, &linelen)) {
		doc_add(d, first ? label : NULL, line, linelen, el);
		first = 0;
	}
}

static void
doc_blank(struct doc *d)
{
	doc_add(d, NULL, "", 0, TUI_EL_DEFAULT)->kind = DL_BLANK;
}

static const enum tui_element level_els[AG_LEVEL_COUNT] = {TUI_EL_RISK_LOW, TUI_EL_RISK_MEDIUM,
                                                           TUI_EL_RISK_HIGH, TUI_EL_RISK_CRITICAL};

static void
add_risk(struct doc *d, const struct tui_item *it)
{
	char cats[256] = "";
	size_t used = 0;

	for (int b = 0; b < AG_CATEGORY_COUNT; b++) {
		if (!(it->risk.categories & (1u << b)))
			continue;
		int n =
		    snprintf(cats + used, sizeof cats - used, "%s%s", used ? ", " : " \xc2\xb7 ",
		             ag_category_name((enum ag_category_bit)b));
		if (n > 0 && (size_t)n < sizeof cats - used)
			used += (size_t)n;
	}
	const char *v = doc_fmt(d, "%d %s%s", it->risk.score, ag_level_name(it->risk.level), cats);
	doc_add(d, "risk", v, strlen(v), level_els[it->risk.level]);
	if (it->rule != NULL)
		doc_field(d, "rule", it->rule, TUI_EL_REASON);
	if (it->needs_human && !it->decision)
		doc_field(d, "", "approving takes a second key press", TUI_EL_REASON);
}

static void
add_command(struct doc *d, struct tui_item *it)
{
	const struct ag_action_exec *e = &it->req->u.exec;

	if (e->command == NULL) {
		for (size_t i = 0; i < e->argc; i++) {
			const char *label = i == 0 ? "argv" : NULL;
			struct dline *l =
			    doc_add(d, label, e->argv[i], strlen(e->argv[i]), TUI_EL_DEFAULT);
			l->gutter = doc_fmt(d, "[%zu] ", i);
			l->gutter_el = TUI_EL_LINENO;
		}
		return;
	}
	size_t len = strlen(e->command), pos = 0, linelen;
	const char *line;
	if (it->cmd_cls == NULL) {
		it->cmd_cls = xmalloc(len ? len : 1);
		tui_syntax_shell(e->command, len, it->cmd_cls);
		tui_syntax_flag_spans(&it->risk, len, it->cmd_cls);
	}
	int first = 1;
	if (len == 0)
		doc_add(d, "command", "", 0, TUI_EL_DEFAULT);
	while (ag_line_next(e->command, len, &pos, &line, &linelen)) {
		struct dline *l =
		    doc_add(d, first ? "command" : NULL, line, linelen, TUI_EL_DEFAULT);
		l->text.cls = it->cmd_cls + (line - e->command);
		l->gutter = first ? "$ " : "> ";
		l->gutter_el = TUI_EL_SH_OPERATOR;
		first = 0;
	}
}

static void
add_action(struct doc *d, struct tui_item *it)
{
	const struct ag_request *r = it->req;

	switch (r->kind) {
	case AG_KIND_EXEC: add_command(d, it); break;
	case AG_KIND_PATCH:
		if (it->preview) {
			const char *v =
			    doc_fmt(d,
			            "the first %zu of %zu bytes so far; the rest is "
			            "arriving (decide when it has)",
			            r->u.patch.diff ? strlen(r->u.patch.diff) : (size_t)0,
			            it->preview_bytes);
			doc_add(d, "receiving", v, strlen(v), TUI_EL_NOTICE);
			break;
		}
		/* The totals need every line classified: until then (the
		 * first paint, then the index is completed), what is known. */
		if (it->body != NULL && !tui_diff_index_done(it->body)) {
			const char *v = doc_fmt(d, "%zu line%s, %zu line%s flagged", it->body->n,
			                        it->body->n == 1 ? "" : "s", it->body->flagged,
			                        it->body->flagged == 1 ? "" : "s");
			doc_add(d, "patch", v, strlen(v), TUI_EL_DEFAULT);
		} else if (it->body != NULL) {
			const char *v = doc_fmt(
			    d, "%zu file%s, +%zu -%zu, %zu line%s flagged", it->body->files,
			    it->body->files == 1 ? "" : "s", it->body->added, it->body->removed,
			    it->body->flagged, it->body->flagged == 1 ? "" : "s");
			doc_add(d, "patch", v, strlen(v), TUI_EL_DEFAULT);
		}
		break;
	case AG_KIND_NETWORK: {
		const struct ag_action_network *n = &r->u.network;
		doc_field(d, "host", n->host, TUI_EL_SH_COMMAND);
		doc_field(d, "port", doc_fmt(d, "%d", n->port), TUI_EL_DEFAULT);
		doc_field(d, "protocol", n->protocol, TUI_EL_DEFAULT);
		if (n->method)
			doc_field(d, "method", n->method, TUI_EL_SH_OPTION);
		if (n->url)
			doc_field(d, "url", n->url, TUI_EL_SH_STRING);
		break;
	}
	case AG_KIND_MCP:
		doc_field(d, "server", r->u.mcp.server, TUI_EL_DEFAULT);
		doc_field(d, "tool", r->u.mcp.tool, TUI_EL_SH_COMMAND);
		break;
	case AG_KIND_PERMISSION: {
		const struct ag_action_permission *p = &r->u.permission;
		for (size_t i = 0; i < p->npaths; i++) {
			struct dline *l = doc_add(d, i == 0 ? "paths" : NULL, p->paths[i].path,
			                          strlen(p->paths[i].path), TUI_EL_SH_STRING);
			l->gutter = doc_fmt(d, "%-6.10s ", p->paths[i].access);
			l->gutter_el = TUI_EL_SH_OPTION;
		}
		if (p->network >= 0)
			doc_field(d, "network", p->network ? "allow network access" : "no network",
			          TUI_EL_DEFAULT);
		break;
	}
	default: break;
	}
}

static void
add_reasons(struct doc *d, const struct tui_item *it)
{
	if (it->risk.nreasons == 0) {
		doc_field(d, "reasons", "none", TUI_EL_AGE);
		return;
	}
	for (size_t i = 0; i < it->risk.nreasons; i++) {
		const struct ag_reason *rs = &it->risk.reasons[i];
		struct dline *l = doc_add(d, i == 0 ? "reasons" : NULL, rs->text, strlen(rs->text),
		                          TUI_EL_REASON);
		l->gutter = "! "; /* the engine's text says which line; ] jumps there */
		l->gutter_el = TUI_EL_FLAGGED;
	}
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
add_guardian(struct doc *d, const struct tui_ui *ui, const struct tui_item *it)
{
	if (it->decision != NULL)
		return; /* history: the journal row has no verdict */
	if (it->review == NULL) {
		/* In a replay nobody can be asked, and g means "first event". */
		doc_field(d, "guardian",
		          ui->replay             ? "not reviewed (so far in the recording)"
		          : it->review_requested ? "review requested, waiting for the Guardian"
		          : it->preview          ? "not reviewed (g, once the whole diff is here)"
		                                 : "not reviewed (g asks the Guardian)",
		          TUI_EL_GUARDIAN_PENDING);
		return;
	}
	const char *error = jstr(it->review, "error");
	if (error != NULL && *error != '\0') {
		/* The reviewer says "review failed: why"; say it once, whoever wrote it. */
		doc_field(d, "guardian",
		          strncmp(error, "review failed", 13) == 0
		              ? error
		              : doc_fmt(d, "review failed: %s", error),
		          TUI_EL_GUARDIAN_FAILED);
		return;
	}
	const char *outcome = jstr(it->review, "outcome");
	const char *level = jstr(it->review, "risk_level");
	const char *rationale = jstr(it->review, "rationale");
	const char *auth = jstr(it->review, "user_authorization");
	int allow = outcome != NULL && strcmp(outcome, "allow") == 0;
	/* outcome and level are the Guardian's words (a model's): sanitized
	 * like everything else when drawn. */
	const char *model = jstr(it->review, "model");
	const char *v =
	    doc_fmt(d, "%s (%s risk%s%s)%s%s", outcome ? outcome : "no outcome",
	            level ? level : "unknown", auth ? ", authorization " : "", auth ? auth : "",
	            model && *model ? " \xc2\xb7 " : "", model && *model ? model : "");
	doc_add(d, "guardian", v, strlen(v), allow ? TUI_EL_GUARDIAN_ALLOW : TUI_EL_GUARDIAN_DENY);
	if (rationale != NULL)
		doc_field(d, NULL, rationale, TUI_EL_TEXT);
}

/* cJSON indents with tabs; two spaces read better in a narrow pane. */
static char *
pretty_json(const cJSON *json)
{
	char *raw = cJSON_Print(json);
	if (raw == NULL)
		return xstrdup("(unprintable)");
	size_t len = strlen(raw), o = 0;
	char *out = xmalloc(len * 2 + 1);
	int bol = 1;
	for (size_t i = 0; i < len; i++) {
		if (bol && raw[i] == '\t') {
			out[o++] = ' ';
			out[o++] = ' ';
			continue;
		}
		bol = raw[i] == '\n';
		out[o++] = raw[i] == '\t' ? ' ' : raw[i]; /* "key":\t"value" */
	}
	out[o] = '\0';
	cJSON_free(raw);
	return out;
}

static void
ensure_body(struct tui_item *it)
{
	if (it->body != NULL)
		return;
	if (it->req->kind == AG_KIND_PATCH && it->req->u.patch.diff != NULL) {
		const char *diff = it->req->u.patch.diff;
		it->body = tui_diff_index_start(diff, strlen(diff), TUI_BODY_DIFF, &it->risk);
	} else if (it->req->kind == AG_KIND_MCP && it->req->u.mcp.arguments != NULL) {
		it->body_text = pretty_json(it->req->u.mcp.arguments);
		it->body =
		    tui_diff_index_start(it->body_text, strlen(it->body_text), TUI_BODY_JSON, NULL);
	}
}

static void
build(struct doc *d, struct tui_ui *ui, struct tui_item *it)
{
	const struct ag_request *r = it->req;
	char when[16], left[16];

	doc_reset(d);
	ensure_body(it);
	add_risk(d, it);
	if (it->decision != NULL) {
		tui_format_age(ui->now_ms - it->decided_ms, when, sizeof when);
		doc_field(d, "decision",
		          doc_fmt(d, "%s by %s, %s ago", it->decision, it->by ? it->by : "?", when),
		          ag_decision_parse(it->decision) >= 0 &&
		                  ag_decision_is_approval(
		                      (enum ag_decision)ag_decision_parse(it->decision))
		              ? TUI_EL_APPROVED
		              : TUI_EL_DENIED);
		if (it->reason != NULL && *it->reason != '\0')
			doc_field(d, "reason", it->reason, TUI_EL_TEXT);
	}
	doc_field(d, "agent", r->agent, TUI_EL_AGENT);
	if (r->session[0])
		doc_field(d, "session", r->session, TUI_EL_AGENT);
	if (r->cwd[0])
		doc_field(d, "cwd", r->cwd, TUI_EL_DEFAULT);
	tui_format_age(ui->now_ms - it->created_ms, when, sizeof when);
	if (it->decision == NULL && it->deadline_ms > 0) {
		tui_format_age(it->deadline_ms - ui->now_ms, left, sizeof left);
		doc_field(d, "asked", doc_fmt(d, "%s ago, times out in %s", when, left),
		          TUI_EL_AGE);
	} else {
		doc_field(d, "asked", doc_fmt(d, "%s ago", when), TUI_EL_AGE);
	}
	doc_field(d, "id", r->id, TUI_EL_AGE);
	if (it->orphan)
		doc_field(d, "", "its agent is disconnected (the hub restarted)", TUI_EL_NOTICE);
	if (r->justification[0])
		doc_field(d, "why", r->justification, TUI_EL_TEXT);
	doc_blank(d);
	add_action(d, it);
	doc_blank(d);
	add_reasons(d, it);
	add_guardian(d, ui, it);
	if (it->body != NULL) {
		doc_blank(d);
		doc_field(d, r->kind == AG_KIND_PATCH ? "diff" : "args", "", TUI_EL_DEFAULT);
		d->body = it->body;
	}
}

/* --- geometry of document lines ----------------------------------------- */

static size_t
doc_total(const struct doc *d)
{
	return d->n + (d->body ? d->body->n : 0);
}

static const enum tui_element dl_els[] = {
    [TUI_DL_OTHER] = TUI_EL_DEFAULT,        [TUI_DL_HEADER] = TUI_EL_DIFF_HEADER,
    [TUI_DL_FILE] = TUI_EL_DIFF_FILE,       [TUI_DL_HUNK] = TUI_EL_DIFF_HUNK,
    [TUI_DL_ADD] = TUI_EL_DIFF_ADD,         [TUI_DL_DEL] = TUI_EL_DIFF_DEL,
    [TUI_DL_CONTEXT] = TUI_EL_DIFF_CONTEXT, [TUI_DL_NOEOL] = TUI_EL_LINENO,
};

static int
digits(uint32_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d < 3 ? 3 : d;
}

/* A document line resolved for drawing: gutter text and the value. */
struct resolved {
	char gutter[32];
	const char *gutter_ptr;
	enum tui_element gutter_el;
	int gutter_w; /* columns before the value */
	const char *label;
	struct tui_text text;
	unsigned char *cls_buf; /* owned, JSON colouring */
	int flagged;
};

static void
resolve(const struct doc *d, size_t i, struct resolved *r)
{
	memset(r, 0, sizeof *r);
	if (i < d->n) {
		const struct dline *l = &d->lines[i];
		r->label = l->label;
		r->gutter_ptr = l->gutter;
		r->gutter_el = l->gutter_el;
		r->text = l->text;
		r->gutter_w = d->label_w;
		if (l->gutter != NULL) {
			struct tui_text g = tui_text_str(l->gutter, l->gutter_el);
			r->gutter_w += tui_text_width(&g);
		}
		return;
	}
	struct tui_diff_index *b = d->body;
	struct tui_dline_info line;
	const struct tui_dline_info *li = &line;
	tui_diff_line(b, i - d->n, &line);
	r->text.s = b->text + li->off;
	r->text.len = li->len;
	r->text.san_flags = AG_SAN_EXPAND_TABS;
	if (b->kind == TUI_BODY_JSON) {
		r->text.el = TUI_EL_DEFAULT;
		r->cls_buf = xmalloc(li->len ? li->len : 1);
		tui_syntax_json(r->text.s, r->text.len, r->cls_buf);
		r->text.cls = r->cls_buf;
		r->gutter_w = 2;
		snprintf(r->gutter, sizeof r->gutter, "  ");
		r->gutter_ptr = r->gutter;
		r->gutter_el = TUI_EL_LINENO;
		return;
	}
	r->text.el =
	    li->kind < sizeof dl_els / sizeof dl_els[0] ? dl_els[li->kind] : TUI_EL_DEFAULT;
	uint32_t no = li->kind == TUI_DL_DEL ? li->old_no : li->new_no;
	int dg = digits(b->max_no);
	if (dg > 10)
		dg = 10;
	if (no > 0)
		snprintf(r->gutter, sizeof r->gutter, "%*u%c", dg, no, li->flagged ? '!' : ' ');
	else
		snprintf(r->gutter, sizeof r->gutter, "%*s%c", dg, "", li->flagged ? '!' : ' ');
	r->gutter_ptr = r->gutter;
	r->gutter_el = li->flagged ? TUI_EL_DIFF_FLAGGED : TUI_EL_LINENO;
	r->gutter_w = dg + 1;
	r->flagged = li->flagged;
}

static void
unresolve(struct resolved *r)
{
	free(r->cls_buf);
	r->cls_buf = NULL;
}

static int
line_rows(const struct doc *d, size_t i, int w, int wrap)
{
	struct resolved r;
	if (!wrap || (i < d->n && d->lines[i].kind == DL_BLANK))
		return 1;
	resolve(d, i, &r);
	int tw = w - r.gutter_w;
	int rows = tw > 0 ? tui_text_rows(&r.text, tw) : 1;
	unresolve(&r);
	return rows;
}

/* Draws document line i at y from its row `first`, at most max rows. */
static int
draw_line(const struct doc *d, size_t i, int y, int x, int w, int first, int max, int wrap,
          int hscroll)
{
	struct resolved r;

	resolve(d, i, &r);
	int tw = w - r.gutter_w;
	int rows = 1;
	if (wrap && tw > 0)
		rows = tui_text_rows(&r.text, tw) - first;
	rows = rows < 1 ? 1 : rows > max ? max : rows;
	for (int k = 0; k < rows; k++)
		tui_draw_fill(y + k, x, w, TUI_EL_DEFAULT);
	if (first == 0) {
		int gx = x;
		if (i < d->n && d->label_w > 0) {
			if (r.label != NULL) {
				struct tui_text lt = tui_text_str(r.label, TUI_EL_LABEL);
				tui_draw_text(y, gx, d->label_w - 1, &lt, 0, 0);
			}
			gx += d->label_w;
		}
		if (r.gutter_ptr != NULL) {
			struct tui_text gt = tui_text_str(r.gutter_ptr, r.gutter_el);
			tui_draw_text(y, gx, x + w - gx, &gt, 0, 0);
		}
	}
	if (tw > 0) {
		if (wrap)
			tui_draw_wrapped(y, x + r.gutter_w, tw, &r.text, first, rows);
		else
			tui_draw_text(y, x + r.gutter_w, tw, &r.text, hscroll, 0);
	}
	unresolve(&r);
	return rows;
}

/* --- scrolling -------------------------------------------------------- */

static struct tui_item *
prepare(struct tui_ui *ui)
{
	struct tui_model *m = tui_ui_model(ui);
	struct tui_item *it = tui_model_selected(m);

	/* The shown request is the one kept whole; the one before is packed
	 * again (cur, which pointed into it, is rebuilt below). */
	tui_model_show(m, it);
	if (it == NULL) {
		doc_reset(&cur);
		ui->detail_id[0] = '\0';
		return NULL;
	}
	if (strcmp(ui->detail_id, it->req->id) != 0) {
		snprintf(ui->detail_id, sizeof ui->detail_id, "%s", it->req->id);
		ui->detail_line = 0;
		ui->detail_row = 0;
		ui->hscroll = 0;
	}
	cur.label_w = ui->layout.detail.w >= 30 ? LABEL_W : 0;
	build(&cur, ui, it);
	return it;
}

/* The last position from which a full page still shows: walk back from
 * the end a page of rows. */
static void
bottom_pos(const struct doc *d, int w, int h, int wrap, long *line, int *row)
{
	long total = (long)doc_total(d);
	int need = h;
	long i = total - 1;

	*line = 0;
	*row = 0;
	for (; i >= 0; i--) {
		int rows = line_rows(d, (size_t)i, w, wrap);
		if (rows >= need) {
			*line = i;
			*row = rows - need;
			return;
		}
		need -= rows;
	}
}

static void
clamp_pos(struct tui_ui *ui, int w, int h)
{
	long total = (long)doc_total(&cur);
	long bl;
	int br;

	if (ui->detail_line >= total)
		ui->detail_line = total > 0 ? total - 1 : 0;
	if (ui->detail_line < 0)
		ui->detail_line = 0;
	if (total == 0) {
		ui->detail_row = 0;
		return;
	}
	int rows = line_rows(&cur, (size_t)ui->detail_line, w, ui->wrap);
	if (ui->detail_row >= rows)
		ui->detail_row = rows - 1;
	if (ui->detail_row < 0)
		ui->detail_row = 0;
	/* Each line has a row at least, so the bottom position is at most
	 * h lines from the end: from further up, no need to walk there
	 * (which would index a long diff to its end for a first paint). */
	if (ui->detail_line < total - h)
		return;
	bottom_pos(&cur, w, h, ui->wrap, &bl, &br);
	if (ui->detail_line > bl || (ui->detail_line == bl && ui->detail_row > br)) {
		ui->detail_line = bl;
		ui->detail_row = br;
	}
}

void
tui_view_detail_scroll(struct tui_ui *ui, long delta)
{
	if (prepare(ui) == NULL)
		return;
	int w = ui->layout.detail.w, h = ui->layout.detail.h;
	long total = (long)doc_total(&cur);

	if (delta == TUI_SCROLL_TOP) {
		ui->detail_line = 0;
		ui->detail_row = 0;
		return;
	}
	if (delta == TUI_SCROLL_BOTTOM) {
		bottom_pos(&cur, w, h, ui->wrap, &ui->detail_line, &ui->detail_row);
		return;
	}
	/* Row by row; a page is at most a screenful of lines, so this stays
	 * proportional to the screen, not to the document. */
	while (delta > 0 && ui->detail_line < total) {
		int rows = line_rows(&cur, (size_t)ui->detail_line, w, ui->wrap);
		if (ui->detail_row + 1 < rows) {
			ui->detail_row++;
		} else if (ui->detail_line + 1 < total) {
			ui->detail_line++;
			ui->detail_row = 0;
		} else {
			break;
		}
		delta--;
	}
	while (delta < 0) {
		if (ui->detail_row > 0) {
			ui->detail_row--;
		} else if (ui->detail_line > 0) {
			ui->detail_line--;
			ui->detail_row = line_rows(&cur, (size_t)ui->detail_line, w, ui->wrap) - 1;
		} else {
			break;
		}
		delta++;
	}
	clamp_pos(ui, w, h);
}

int
tui_view_detail_complete(struct tui_ui *ui)
{
	struct tui_item *it = tui_model_selected(tui_ui_model(ui));

	return it != NULL && it->body != NULL && tui_diff_index_complete(it->body);
}

int
tui_view_detail_flag(struct tui_ui *ui, int dir)
{
	if (prepare(ui) == NULL || cur.body == NULL)
		return 0;
	long from = ui->detail_line - (long)cur.n;
	if (from < 0)
		from = dir > 0 ? -1 : 0;
	long next = tui_diff_next_flagged(cur.body, from, dir);
	if (next < 0)
		return 0;
	ui->detail_line = (long)cur.n + next;
	ui->detail_row = 0;
	/* Show a little context above the flagged line. */
	tui_view_detail_scroll(ui, -2);
	tui_view_detail_scroll(ui, 0);
	return 1;
}

/* --- drawing ---------------------------------------------------------- */

static void
draw_title(struct tui_ui *ui, const struct tui_item *it)
{
	const struct tui_rect *t = &ui->layout.detail_title;
	char pos[96] = "";

	tui_draw_fill(t->y, t->x, t->w, TUI_EL_TITLE);
	if (it == NULL)
		return;
	long total = (long)doc_total(&cur);
	if (total > ui->layout.detail.h)
		snprintf(pos, sizeof pos, " %ld/%ld%s ", ui->detail_line + 1, total,
		         ui->wrap ? "" : " nowrap");
	struct tui_text pt = tui_text_str(pos, TUI_EL_TITLE);
	int pw = tui_text_width(&pt);
	/* kind · agent · session: agent text, so through the sanitizer. */
	char *title = xasprintf(" %s \xc2\xb7 %s%s%s", ag_kind_name(it->req->kind), it->req->agent,
	                        it->req->session[0] ? " \xc2\xb7 " : "", it->req->session);
	struct tui_text tt = tui_text_str(title, TUI_EL_TITLE);
	int avail = t->w - pw;
	tui_draw_text(t->y, t->x, avail > 0 ? avail : t->w, &tt, 0, 1);
	free(title);
	if (pw > 0 && pw < t->w)
		tui_draw_text(t->y, t->x + t->w - pw, pw, &pt, 0, 0);
}

void
tui_view_detail_draw(struct tui_ui *ui)
{
	const struct tui_rect *r = &ui->layout.detail;
	struct tui_item *it = prepare(ui);

	if (ui->layout.border.h > 0) {
		const struct tui_rect *b = &ui->layout.border;
		tui_draw_fill(b->y, b->x, 1, TUI_EL_TITLE);
		for (int y = b->y + 1; y < b->y + b->h; y++) {
			struct tui_text bar = tui_text_str("\xe2\x94\x82", TUI_EL_BORDER);
			tui_draw_text(y, b->x, 1, &bar, 0, 0);
		}
	}
	if (it != NULL)
		clamp_pos(ui, r->w, r->h);
	draw_title(ui, it);
	if (it == NULL) {
		for (int y = 0; y < r->h; y++)
			tui_draw_fill(r->y + y, r->x, r->w, TUI_EL_DEFAULT);
		struct tui_text t = tui_text_str(
		    ui->history_mode ? " H goes back to pending requests"
		                     : " Requests from agents appear here. Try: agate demo",
		    TUI_EL_AGE);
		if (r->h > 0)
			tui_draw_text(r->y, r->x, r->w, &t, 0, 1);
		ui->detail_rows = r->h;
		return;
	}
	long total = (long)doc_total(&cur);
	int y = 0;
	long line = ui->detail_line;
	int first = ui->detail_row;
	while (y < r->h && line < total) {
		int n = draw_line(&cur, (size_t)line, r->y + y, r->x, r->w, first, r->h - y,
		                  ui->wrap, ui->hscroll);
		y += n;
		line++;
		first = 0;
	}
	for (; y < r->h; y++)
		tui_draw_fill(r->y + y, r->x, r->w, TUI_EL_DEFAULT);
	ui->detail_rows = r->h;
}
