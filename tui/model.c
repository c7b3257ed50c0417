/* The console's state of pending requests (see model.h). */
#include "tui/model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/xmalloc.h"
#include "tui/diffview.h"

#define PACK_MAX_DIFF (64 * 1024)

static void
item_req_free(struct tui_item *it)
{
	if (it->packed != NULL) {
		free(it->req); /* slim: one block (slim_new) */
		it->req = NULL;
	} else {
		ag_request_free(&it->req);
	}
}

struct tui_item *
tui_item_new(struct ag_request *req)
{
	struct tui_item *it = xcalloc(1, sizeof *it);
	it->req = req;
	ag_risk_init(&it->risk);
	it->summary = ag_request_summary(req);
	return it;
}

void
tui_item_free(struct tui_item **itp)
{
	struct tui_item *it = *itp;
	if (it == NULL)
		return;
	item_req_free(it);
	ag_risk_clear(&it->risk);
	free(it->rule);
	cJSON_Delete(it->review);
	free(it->summary);
	free(it->decision);
	free(it->by);
	free(it->reason);
	tui_diff_index_free(&it->body);
	free(it->body_text);
	free(it->cmd_cls);
	free(it->packed);
	free(it);
	*itp = NULL;
}

/* A slim copy of r: the struct and its four strings in one block, the
 * action and hook left out. Caller frees with free(). */
static struct ag_request *
slim_new(const struct ag_request *r)
{
	const char *src[4] = {r->session, r->agent, r->cwd, r->justification};
	size_t len[4], total = sizeof *r;
	for (int i = 0; i < 4; i++)
		total += (len[i] = strlen(src[i] ? src[i] : "") + 1);
	struct ag_request *s = xmalloc(total);
	memset(s, 0, sizeof *s);
	memcpy(s->id, r->id, sizeof s->id);
	s->kind = r->kind;
	s->timeout_ms = r->timeout_ms;
	char *p = (char *)(s + 1);
	char **dst[4] = {&s->session, &s->agent, &s->cwd, &s->justification};
	for (int i = 0; i < 4; i++) {
		memcpy(p, src[i] ? src[i] : "", len[i]);
		*dst[i] = p;
		p += len[i];
	}
	return s;
}

static void
drop_derived(struct tui_item *it)
{
	tui_diff_index_free(&it->body);
	free(it->body_text);
	it->body_text = NULL;
	free(it->cmd_cls);
	it->cmd_cls = NULL;
}

void
tui_item_compact(struct tui_item *it)
{
	if (it->packed != NULL || it->req == NULL)
		return;
	/* A long diff is one string either way, as text or in a tree: packing
	 * it would save nothing and cost a print and a parse per visit. Its
	 * line index (5 bytes a line) stays too, so that going back to it is
	 * not another pass over megabytes. */
	if (it->req->kind == AG_KIND_PATCH && it->req->u.patch.diff != NULL &&
	    strnlen(it->req->u.patch.diff, PACK_MAX_DIFF + 1) > PACK_MAX_DIFF)
		return;
	drop_derived(it);
	char *action = it->req->action ? ag_json_print(it->req->action) : xstrdup("{}");
	char *hook = it->req->hook ? ag_json_print(it->req->hook) : NULL;
	size_t la = strlen(action), lh = hook ? strlen(hook) : 0;
	struct ag_request *slim = slim_new(it->req);

	it->packed = xmalloc(la + lh + 2);
	memcpy(it->packed, action, la + 1);
	memcpy(it->packed + la + 1, hook ? hook : "", lh + 1);
	free(action);
	free(hook);
	ag_request_free(&it->req);
	it->req = slim;
}

struct ag_request *
tui_item_full(struct tui_item *it)
{
	if (it->packed == NULL)
		return it->req;
	const struct ag_request *s = it->req;
	const char *hook_text = it->packed + strlen(it->packed) + 1;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "request");
	cJSON_AddStringToObject(f, "id", s->id);
	cJSON_AddStringToObject(f, "session", s->session);
	cJSON_AddStringToObject(f, "agent", s->agent);
	cJSON_AddStringToObject(f, "cwd", s->cwd);
	cJSON_AddStringToObject(f, "justification", s->justification);
	if (s->timeout_ms > 0)
		cJSON_AddNumberToObject(f, "timeout_ms", (double)s->timeout_ms);
	cJSON *action = cJSON_Parse(it->packed);
	if (action != NULL)
		cJSON_AddItemToObject(f, "action", action);
	cJSON *hook = *hook_text ? cJSON_Parse(hook_text) : NULL;
	if (hook != NULL)
		cJSON_AddItemToObject(f, "hook", hook);

	struct ag_limits limits;
	struct ag_request *full = NULL;
	struct ag_error err;
	ag_limits_default(&limits);
	limits.max_frame = limits.max_text = (size_t)64 * 1024 * 1024;
	if (action != NULL && ag_request_from_json(f, &limits, &full, &err) == 0) {
		free(it->req);
		it->req = full;
		free(it->packed);
		it->packed = NULL;
	}
	cJSON_Delete(f);
	return it->req;
}

void
tui_model_init(struct tui_model *m)
{
	memset(m, 0, sizeof *m);
}

void
tui_model_clear(struct tui_model *m)
{
	for (size_t i = 0; i < m->n; i++)
		tui_item_free(&m->items[i]);
	if (m->byid != NULL)
		memset(m->byid, 0, m->nbyid * sizeof *m->byid);
	m->n = 0;
	m->nview = 0;
	m->snapshot_done = 0;
	m->shown_id[0] = '\0';
}

void
tui_model_free(struct tui_model *m)
{
	tui_model_clear(m);
	free(m->items);
	free(m->byid);
	free(m->view);
	free(m->search);
	free(m->session);
	memset(m, 0, sizeof *m);
}

/* --- the id table ------------------------------------------------------ */

/* The slot holding id, or the empty slot where it would go. */
static size_t
id_slot(const struct tui_model *m, const char *id)
{
	size_t mask = m->nbyid - 1, i = ag_hash_str(id) & mask;
	while (m->byid[i] != NULL && strcmp(m->byid[i]->req->id, id) != 0)
		i = (i + 1) & mask;
	return i;
}

static void
id_put(struct tui_model *m, struct tui_item *it)
{
	if ((m->n + 1) * 2 > m->nbyid) {
		size_t old = m->nbyid;
		struct tui_item **slots = m->byid;
		m->nbyid = old ? old * 2 : 128;
		while ((m->n + 1) * 2 > m->nbyid)
			m->nbyid *= 2;
		m->byid = xcalloc(m->nbyid, sizeof *m->byid);
		for (size_t i = 0; i < old; i++)
			if (slots[i] != NULL)
				m->byid[id_slot(m, slots[i]->req->id)] = slots[i];
		free(slots);
	}
	m->byid[id_slot(m, it->req->id)] = it;
}

/* Removes id's entry, shifting back the entries after it that probed
 * past it (no tombstones to clean up later). */
static void
id_del(struct tui_model *m, const char *id)
{
	if (m->nbyid == 0)
		return;
	size_t mask = m->nbyid - 1, i = id_slot(m, id);
	if (m->byid[i] == NULL)
		return;
	m->byid[i] = NULL;
	for (size_t j = (i + 1) & mask; m->byid[j] != NULL; j = (j + 1) & mask) {
		size_t home = ag_hash_str(m->byid[j]->req->id) & mask;
		/* j's entry may move to the hole unless its home lies
		 * cyclically in (i, j]. */
		int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			m->byid[i] = m->byid[j];
			m->byid[j] = NULL;
			i = j;
		}
	}
}

/* Where item sits in the list (found by address: no string compares). */
static long
item_index(const struct tui_model *m, const struct tui_item *it)
{
	for (size_t i = m->n; i-- > 0;)
		if (m->items[i] == it)
			return (long)i;
	return -1;
}

struct tui_item *
tui_model_find(const struct tui_model *m, const char *id)
{
	if (m->nbyid == 0 || id == NULL)
		return NULL;
	return m->byid[id_slot(m, id)];
}

void
tui_model_add(struct tui_model *m, struct tui_item *item)
{
	struct tui_item *prev = tui_model_find(m, item->req->id);
	if (prev != NULL) {
		/* The same request again (a snapshot after a reconnect): keep
		 * what we were waiting for. */
		long old = item_index(m, prev);
		item->review_requested = prev->review_requested;
		item->deciding = prev->deciding;
		item->sent = prev->sent;
		m->byid[id_slot(m, item->req->id)] = item;
		tui_item_free(&m->items[old]);
		m->items[old] = item;
		return;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->items = xreallocarray(m->items, m->cap, sizeof *m->items);
	}
	id_put(m, item);
	/* Arrival order: usually at the end; an older one (snapshot of a
	 * restarted hub) goes where its time puts it. */
	size_t pos = m->n;
	while (pos > 0 && m->items[pos - 1]->created_ms > item->created_ms)
		pos--;
	memmove(m->items + pos + 1, m->items + pos, (m->n - pos) * sizeof *m->items);
	m->items[pos] = item;
	m->n++;
}

int
tui_model_remove(struct tui_model *m, const char *id)
{
	struct tui_item *it = tui_model_find(m, id);
	if (it == NULL)
		return 0;
	long i = item_index(m, it);
	if (strcmp(m->shown_id, id) == 0)
		m->shown_id[0] = '\0';
	id_del(m, id);
	tui_item_free(&m->items[i]);
	memmove(m->items + i, m->items + i + 1, (m->n - (size_t)i - 1) * sizeof *m->items);
	m->n--;
	return 1;
}

static int
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (hay == NULL)
		return 0;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

int
tui_item_matches(const struct tui_item *it, const char *search)
{
	if (search == NULL || *search == '\0')
		return 1;
	const struct ag_request *r = it->req;
	return contains_nocase(it->summary, search) || contains_nocase(r->agent, search) ||
	       contains_nocase(r->session, search) || contains_nocase(r->cwd, search) ||
	       contains_nocase(r->justification, search) || contains_nocase(r->id, search) ||
	       contains_nocase(ag_kind_name(r->kind), search) ||
	       (it->decision != NULL && contains_nocase(it->decision, search)) ||
	       (it->reason != NULL && contains_nocase(it->reason, search));
}

void
tui_model_refilter(struct tui_model *m)
{
	size_t old_sel = m->sel;

	m->view = xreallocarray(m->view, m->n ? m->n : 1, sizeof *m->view);
	m->nview = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct tui_item *it = m->items[i];
		if (m->session != NULL && strcmp(it->req->session, m->session) != 0)
			continue;
		if (!tui_item_matches(it, m->search))
			continue;
		m->view[m->nview++] = i;
	}
	if (m->nview == 0) {
		m->sel = 0;
		return;
	}
	for (size_t v = 0; v < m->nview; v++) {
		if (strcmp(m->items[m->view[v]]->req->id, m->sel_id) == 0) {
			m->sel = v;
			return;
		}
	}
	/* The selected request left: take the one now in its place. */
	m->sel = old_sel < m->nview ? old_sel : m->nview - 1;
	snprintf(m->sel_id, sizeof m->sel_id, "%s", m->items[m->view[m->sel]]->req->id);
}

struct tui_item *
tui_model_selected(const struct tui_model *m)
{
	return m->nview > 0 ? m->items[m->view[m->sel]] : NULL;
}

void
tui_model_show(struct tui_model *m, struct tui_item *it)
{
	if (m->shown_id[0] != '\0' && (it == NULL || strcmp(m->shown_id, it->req->id) != 0)) {
		struct tui_item *old = tui_model_find(m, m->shown_id);
		if (old != NULL)
			tui_item_compact(old);
	}
	if (it == NULL) {
		m->shown_id[0] = '\0';
		return;
	}
	tui_item_full(it);
	snprintf(m->shown_id, sizeof m->shown_id, "%s", it->req->id);
}

void
tui_model_select_index(struct tui_model *m, size_t index)
{
	if (m->nview == 0)
		return;
	m->sel = index < m->nview ? index : m->nview - 1;
	snprintf(m->sel_id, sizeof m->sel_id, "%s", m->items[m->view[m->sel]]->req->id);
}

void
tui_model_move(struct tui_model *m, long delta)
{
	if (m->nview == 0)
		return;
	long s = (long)m->sel + delta;
	if (s < 0)
		s = 0;
	tui_model_select_index(m, (size_t)s);
}

static void
set_filter(char **slot, const char *text)
{
	free(*slot);
	*slot = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
}

void
tui_model_set_search(struct tui_model *m, const char *text)
{
	set_filter(&m->search, text);
	tui_model_refilter(m);
}

void
tui_model_set_session(struct tui_model *m, const char *session)
{
	set_filter(&m->session, session);
	tui_model_refilter(m);
}

/* --- frames from the hub ------------------------------------------------ */

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
jint(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static int
jbool(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void
copy_id(char *dst, const char *id)
{
	snprintf(dst, AG_ID_MAX + 1, "%s", id != NULL && ag_id_valid(id) ? id : "");
}

/* The long diff of a request event, if it has one: its string item. */
static cJSON *
long_diff(cJSON *rj)
{
	cJSON *action = cJSON_GetObjectItemCaseSensitive(rj, "action");
	const char *kind = jstr(action, "kind");
	cJSON *d = cJSON_GetObjectItemCaseSensitive(action, "diff");
	if (kind == NULL || strcmp(kind, "patch") != 0 || !cJSON_IsString(d) ||
	    d->valuestring == NULL || (d->type & cJSON_IsReference))
		return NULL;
	return strnlen(d->valuestring, PACK_MAX_DIFF + 1) > PACK_MAX_DIFF ? d : NULL;
}

/* ag_request_from_json, moving a long diff out of a frame the caller
 * deletes next instead of copying it (3 MB: the copy, and a UTF-8 walk
 * that parsing the frame made already). The request is validated with a
 * one-byte stand-in for the diff, which then takes the diff's place; what
 * is skipped for the diff itself (non-empty, at most 64 MiB, UTF-8) holds
 * for any string of a frame ag_frame_parse accepted. */
static int
request_from_frame(cJSON *rj, const struct ag_limits *limits, struct ag_request **req,
                   struct ag_error *err)
{
	static char stand_in[] = "-";
	cJSON *d = rj != NULL ? long_diff(rj) : NULL;
	if (d == NULL)
		return ag_request_from_json(rj, limits, req, err);
	char *text = d->valuestring;
	d->valuestring = stand_in;
	int rc = ag_request_from_json(rj, limits, req, err);
	d->valuestring = NULL; /* the frame no longer owns it */
	cJSON *mine = rc == 0 ? cJSON_GetObjectItemCaseSensitive((*req)->action, "diff") : NULL;
	if (mine == NULL || !cJSON_IsString(mine) || (*req)->kind != AG_KIND_PATCH) {
		cJSON_free(text);
		if (rc == 0)
			ag_request_free(req);
		return rc == 0 ? ag_fail(err, "action.diff: lost") : rc;
	}
	cJSON_free(mine->valuestring);
	mine->valuestring = text;
	(*req)->u.patch.diff = text;
	return 0;
}

static void
on_request(struct tui_model *m, const cJSON *f, cJSON *owned, struct tui_event *ev)
{
	struct ag_limits limits;
	struct ag_request *req = NULL;
	struct ag_error err;
	const cJSON *rj = cJSON_GetObjectItemCaseSensitive(f, "request");

	ag_limits_default(&limits);
	/* The hub accepted it under its limits, which may be larger. */
	limits.max_frame = limits.max_text = (size_t)64 * 1024 * 1024;
	int rc = -1;
	if (cJSON_IsObject(rj))
		rc = owned != NULL
		         ? request_from_frame(cJSON_GetObjectItemCaseSensitive(owned, "request"),
		                              &limits, &req, &err)
		         : ag_request_from_json(rj, &limits, &req, &err);
	if (rc != 0) {
		ev->change = TUI_CHANGE_IGNORED;
		snprintf(ev->notice, sizeof ev->notice, "unusable request event: %.200s",
		         cJSON_IsObject(rj) ? err.msg : "no request");
		return;
	}
	if (!ag_id_valid(req->id)) {
		ag_request_free(&req);
		ev->change = TUI_CHANGE_IGNORED;
		snprintf(ev->notice, sizeof ev->notice, "request event without an id");
		return;
	}
	const struct tui_item *prev = tui_model_find(m, req->id);
	int preview = jbool(f, "preview");
	if (preview && prev != NULL && !prev->preview) {
		/* We have it whole already (a snapshot after a reconnect). */
		ag_request_free(&req);
		return;
	}
	int completes = !preview && prev != NULL && prev->preview;
	struct tui_item *it = tui_item_new(req);
	it->preview = preview;
	/* A length for the "receiving" line, no more: anything odd is 0. */
	const cJSON *whole = cJSON_GetObjectItemCaseSensitive(f, "request_bytes");
	it->preview_bytes =
	    preview && cJSON_IsNumber(whole) && whole->valuedouble > 0 && whole->valuedouble < 1e15
	        ? (size_t)whole->valuedouble
	        : 0;
	const cJSON *risk = cJSON_GetObjectItemCaseSensitive(f, "risk");
	if (risk != NULL && ag_risk_from_json(risk, &it->risk, &err) != 0) {
		/* Show the request anyway, as unscored: hiding it would be worse. */
		ag_risk_clear(&it->risk);
		snprintf(ev->notice, sizeof ev->notice, "request %s: unreadable risk: %.100s",
		         req->id, err.msg);
	}
	const char *rule = jstr(f, "rule");
	it->rule = rule != NULL ? xstrdup(rule) : NULL;
	it->needs_human = jbool(f, "needs_human");
	it->orphan = jbool(f, "orphan");
	it->created_ms = jint(f, "created_ms");
	it->deadline_ms = jint(f, "deadline_ms");
	const cJSON *review = cJSON_GetObjectItemCaseSensitive(f, "review");
	if (cJSON_IsObject(review))
		it->review = cJSON_Duplicate(review, 1);
	copy_id(ev->id, req->id);
	ev->change = completes              ? TUI_CHANGE_COMPLETED
	             : jbool(f, "snapshot") ? TUI_CHANGE_SNAPSHOT
	                                    : TUI_CHANGE_ADDED;
	ev->preview = preview;
	tui_model_add(m, it);
	if (m->sel_id[0] == '\0')
		copy_id(m->sel_id, req->id);
	/* The selected one is about to be shown: no point packing it. */
	if (strcmp(m->sel_id, it->req->id) == 0)
		tui_model_show(m, it);
	else
		tui_item_compact(it);
}

static void
on_decided(struct tui_model *m, const cJSON *f, struct tui_event *ev)
{
	const char *id = jstr(f, "id");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, "decision");
	const char *decision = jstr(d, "decision");
	const char *by = jstr(d, "by");
	int dv = decision ? ag_decision_parse(decision) : -1;
	int bv = by ? ag_decider_parse(by) : -1;

	ev->change = TUI_CHANGE_DECIDED;
	if (id == NULL || !ag_id_valid(id)) {
		ev->change = TUI_CHANGE_IGNORED;
		return;
	}
	copy_id(ev->id, id);
	struct tui_item *it = tui_model_find(m, id);
	if (it == NULL)
		return;
	/* Names only from our own tables: never text from the frame. */
	const char *dn = dv >= 0 ? ag_decision_name((enum ag_decision)dv) : "decided";
	const char *bn = bv >= 0 ? ag_decider_name((enum ag_decider)bv) : "someone";
	ev->ours = it->deciding && bv == AG_BY_HUMAN && dv == (int)it->sent;
	if (ev->ours)
		snprintf(ev->notice, sizeof ev->notice, "%s: %s", id, dn);
	else
		snprintf(ev->notice, sizeof ev->notice, "%s decided elsewhere: %s by %s", id, dn,
		         bn);
	tui_model_remove(m, id);
}

static void
on_review(struct tui_model *m, const cJSON *f, struct tui_event *ev)
{
	const char *id = jstr(f, "id");
	const cJSON *review = cJSON_GetObjectItemCaseSensitive(f, "review");
	struct tui_item *it = id ? tui_model_find(m, id) : NULL;

	ev->change = TUI_CHANGE_REVIEW;
	if (it == NULL || !cJSON_IsObject(review))
		return;
	copy_id(ev->id, id);
	cJSON_Delete(it->review);
	it->review = cJSON_Duplicate(review, 1);
	it->review_requested = 0;
	snprintf(ev->notice, sizeof ev->notice, "%s: Guardian verdict", id);
}

static void
on_status(const cJSON *f, struct tui_event *ev)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(f, "client_list");
	const cJSON *c;

	ev->change = TUI_CHANGE_STATUS;
	ev->pending = (long)jint(f, "pending");
	cJSON_ArrayForEach(c, list)
	{
		const char *name = jstr(c, "name");
		const char *role = jstr(c, "role");
		if (name != NULL && role != NULL && strcmp(role, "subscriber") == 0 &&
		    (strstr(name, "guardian") != NULL || strstr(name, "review") != NULL))
			ev->guardian = 1;
	}
}

static void apply(struct tui_model *m, const cJSON *f, cJSON *owned, struct tui_event *ev);

void
tui_model_apply(struct tui_model *m, const cJSON *f, struct tui_event *ev)
{
	apply(m, f, NULL, ev);
}

void
tui_model_take(struct tui_model *m, cJSON *f, struct tui_event *ev)
{
	apply(m, f, f, ev);
}

static void
apply(struct tui_model *m, const cJSON *f, cJSON *owned, struct tui_event *ev)
{
	const char *type = jstr(f, "type");

	memset(ev, 0, sizeof *ev);
	ev->change = TUI_CHANGE_IGNORED;
	if (type == NULL)
		return;
	if (strcmp(type, "event") == 0) {
		const char *event = jstr(f, "event");
		if (event == NULL)
			return;
		if (strcmp(event, "request") == 0) {
			on_request(m, f, owned, ev);
		} else if (strcmp(event, "decided") == 0) {
			on_decided(m, f, ev);
		} else if (strcmp(event, "abandoned") == 0) {
			const char *id = jstr(f, "id");
			ev->change = TUI_CHANGE_ABANDONED;
			if (id != NULL && ag_id_valid(id) && tui_model_remove(m, id)) {
				copy_id(ev->id, id);
				snprintf(ev->notice, sizeof ev->notice,
				         "%s abandoned: its agent went away", id);
			}
		} else if (strcmp(event, "review") == 0) {
			on_review(m, f, ev);
		} else if (strcmp(event, "review_request") == 0) {
			const char *id = jstr(f, "id");
			struct tui_item *it = id ? tui_model_find(m, id) : NULL;
			ev->change = TUI_CHANGE_REVIEW_ASKED;
			if (it != NULL) {
				it->review_requested = 1;
				copy_id(ev->id, id);
			}
		}
	} else if (strcmp(type, "snapshot_end") == 0) {
		m->snapshot_done = 1;
		ev->change = TUI_CHANGE_SNAPSHOT_END;
	} else if (strcmp(type, "decided") == 0) {
		ev->change = TUI_CHANGE_ACCEPTED;
		copy_id(ev->id, jstr(f, "id"));
	} else if (strcmp(type, "error") == 0) {
		const char *ref = jstr(f, "ref");
		const char *msg = jstr(f, "error");
		ev->change = TUI_CHANGE_REFUSED;
		copy_id(ev->id, ref);
		struct tui_item *it = ref ? tui_model_find(m, ref) : NULL;
		if (it != NULL) {
			it->deciding = 0;
			it->review_requested = 0;
		}
		snprintf(ev->notice, sizeof ev->notice, "hub: %s", msg ? msg : "error");
	} else if (strcmp(type, "status") == 0) {
		on_status(f, ev);
	}
}

static cJSON *
frame_new(const char *type)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", type);
	return f;
}

cJSON *
tui_model_decide_frame(struct tui_item *it, enum ag_decision decision, const char *reason,
                       int confirm)
{
	cJSON *f = frame_new("decide");
	cJSON_AddStringToObject(f, "id", it->req->id);
	cJSON_AddStringToObject(f, "decision", ag_decision_name(decision));
	cJSON_AddStringToObject(f, "by", "human");
	if (reason != NULL && *reason != '\0')
		cJSON_AddStringToObject(f, "reason", reason);
	if (confirm)
		cJSON_AddBoolToObject(f, "confirm", 1);
	it->deciding = 1;
	it->sent = decision;
	return f;
}

cJSON *
tui_model_review_request_frame(struct tui_item *it)
{
	cJSON *f = frame_new("review_request");
	cJSON_AddStringToObject(f, "id", it->req->id);
	it->review_requested = 1;
	return f;
}

cJSON *
tui_model_status_frame(void)
{
	return frame_new("status");
}
