/* The console's state: the pending requests it knows of (from the hub's
 * snapshot and events), what it has asked the hub to do with them, the
 * filters, and the selection — kept by id, so that requests arriving,
 * leaving or a resize never move it to another request.
 *
 * No curses and no I/O here: frames go in (tui_model_apply), frames to send
 * come out (tui_model_decide_frame), so the logic is testable alone. Every
 * string here is raw agent text; only the drawing code shows it, through
 * the sanitizer. */
#ifndef AGATE_TUI_MODEL_H
#define AGATE_TUI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/model.h"
#include "core/request.h"
#include "core/risk.h"

struct tui_diff_index;

struct tui_item {
	struct ag_request *req; /* owned */
	struct ag_risk risk;    /* owned */
	char *rule;             /* owned; NULL when no rule matched */
	int needs_human;        /* approving takes a second key */
	int orphan;             /* its publisher is gone (after a hub restart) */
	int64_t created_ms, deadline_ms;
	cJSON *review;         /* owned: the Guardian's latest verdict, or NULL */
	int review_requested;  /* we asked the Guardian and wait */
	int deciding;          /* we sent a decision and wait for the hub */
	enum ag_decision sent; /* ... which one */
	char *summary;         /* owned: ag_request_summary(), raw */
	/* A preview (see agate-protocol(7)): only the first lines of a long
	 * diff so far, never decidable; the request event right behind it
	 * replaces it. preview_bytes: the whole diff's length. */
	int preview;
	size_t preview_bytes;
	/* History rows only (decided requests from the journal). */
	char *decision, *by, *reason; /* owned, or NULL */
	int64_t decided_ms;
	/* Built on first display and kept: the line index of a diff or of
	 * pretty-printed MCP arguments, so a long body is scanned once. */
	struct tui_diff_index *body;
	char *body_text;        /* owned when the body is generated (MCP arguments) */
	unsigned char *cmd_cls; /* owned: a colour per byte of the command, or NULL */
	/* Compact (10,000 pending requests must fit in a few MB): the action
	 * (and hook fields) kept as JSON text, and req a slim copy — id,
	 * session, agent, cwd, justification, kind and timeout set; action,
	 * hook and the views into them NULL. tui_item_full() parses it back;
	 * the detail view does so for the request it shows (tui_model_show).
	 * NULL when req is the full request. */
	char *packed; /* owned: action JSON, '\0', hook JSON or "" */
};

/* Takes ownership of req. */
struct tui_item *tui_item_new(struct ag_request *req);
void tui_item_free(struct tui_item **item);
/* Makes req the full request again (parsing the packed text); returns it.
 * On a parse failure (text we printed ourselves: not expected) the slim
 * req stays, with action NULL. */
struct ag_request *tui_item_full(struct tui_item *it);
/* Packs a full request and drops what was derived from its text (the body
 * index, the command colours); a long diff (over 64 KiB) stays whole, with
 * its index, as packing it would save nothing. Pointers into req's strings
 * die. */
void tui_item_compact(struct tui_item *it);

struct tui_model {
	struct tui_item **items; /* owned, arrival order */
	size_t n, cap;
	/* The filtered view: indexes into items, rebuilt by tui_model_refilter. */
	size_t *view;
	size_t nview;
	char sel_id[AG_ID_MAX + 1]; /* the selection, by id ("" none) */
	size_t sel;                 /* its index in view (valid when nview > 0) */
	char *search;               /* owned; NULL: no search */
	char *session;              /* owned; NULL: all sessions */
	int snapshot_done;
	char shown_id[AG_ID_MAX + 1]; /* the one item kept full (tui_model_show) */
	/* Private: items by id (open addressing, a power of two of slots, at
	 * most half full), so a snapshot of 10,000 requests is not 10,000
	 * scans of the list. */
	struct tui_item **byid;
	size_t nbyid;
};

void tui_model_init(struct tui_model *m);
void tui_model_free(struct tui_model *m);
/* Drops every request (a reconnect replaces the state with a snapshot). */
void tui_model_clear(struct tui_model *m);

/* Adds an item (keeping arrival order by created_ms), replacing one with
 * the same id. Takes ownership. */
void tui_model_add(struct tui_model *m, struct tui_item *item);
/* Removes by id; 1 if it was there. */
int tui_model_remove(struct tui_model *m, const char *id);
struct tui_item *tui_model_find(const struct tui_model *m, const char *id);

/* After changing items or filters: rebuilds the view and puts the
 * selection back on sel_id, or — when that request left — on the one now
 * at its former position. */
void tui_model_refilter(struct tui_model *m);
/* The selected item, or NULL when the view is empty. */
struct tui_item *tui_model_selected(const struct tui_model *m);
/* Makes it (may be NULL) the item on display: full, and the one shown
 * before compact again. Items from frames arrive compact. */
void tui_model_show(struct tui_model *m, struct tui_item *it);
/* Moves the selection by delta within the view (clamped), or to an index. */
void tui_model_move(struct tui_model *m, long delta);
void tui_model_select_index(struct tui_model *m, size_t index);
/* Sets (copies) or clears (NULL or "") a filter, then refilters. */
void tui_model_set_search(struct tui_model *m, const char *text);
void tui_model_set_session(struct tui_model *m, const char *session);
/* Whether an item matches the search text (case-insensitive substring of
 * its summary, agent, session, cwd, justification, kind or id). */
int tui_item_matches(const struct tui_item *it, const char *search);

/* What a frame from the hub changed, for the console to react to. */
enum tui_change {
	TUI_CHANGE_NONE,
	TUI_CHANGE_ADDED,     /* a live request arrived: ring the bell */
	TUI_CHANGE_SNAPSHOT,  /* a snapshot request (no bell) */
	TUI_CHANGE_COMPLETED, /* the whole of a previewed request arrived */
	TUI_CHANGE_SNAPSHOT_END,
	TUI_CHANGE_DECIDED, /* decided: by us (ours) or elsewhere */
	TUI_CHANGE_ABANDONED,
	TUI_CHANGE_REVIEW,       /* a Guardian verdict arrived */
	TUI_CHANGE_REVIEW_ASKED, /* someone asked the Guardian */
	TUI_CHANGE_ACCEPTED,     /* the hub accepted our decision */
	TUI_CHANGE_REFUSED,      /* the hub refused something we sent */
	TUI_CHANGE_STATUS,       /* a status reply */
	TUI_CHANGE_IGNORED,      /* a frame we do not use, or a bad one */
};

struct tui_event {
	enum tui_change change;
	char id[AG_ID_MAX + 1];
	int ours;    /* DECIDED: the decision we sent */
	int preview; /* ADDED, SNAPSHOT: a preview, worth drawing at once */
	/* A one-line notice for the status line (raw: sanitize to draw). */
	char notice[256];
	/* STATUS: whether a Guardian reviewer is connected, and the count of
	 * pending requests on the hub. */
	int guardian;
	long pending;
};

/* Applies one frame from the hub. Malformed frames are ignored (the hub
 * validated requests already; a frame we cannot use is not worth dying
 * for) and say so in ev->notice. Call tui_model_refilter after a batch of
 * frames (once, not per frame: a snapshot of 10,000 requests must not
 * rebuild the view 10,000 times). */
void tui_model_apply(struct tui_model *m, const cJSON *frame, struct tui_event *ev);
/* The same, for a frame the caller deletes next: a long diff (over 64
 * KiB) is moved out of it into the request rather than copied. */
void tui_model_take(struct tui_model *m, cJSON *frame, struct tui_event *ev);

/* Frames the console sends. Caller owns the result. */
cJSON *tui_model_decide_frame(struct tui_item *it, enum ag_decision decision, const char *reason,
                              int confirm);
cJSON *tui_model_review_request_frame(struct tui_item *it);
cJSON *tui_model_status_frame(void);

#endif
