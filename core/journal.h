/* The journal: every request, risk, review and decision, in SQLite (WAL).
 *
 * Promise 1 of DESIGN.md lives here: the hub writes a request before it is
 * acknowledged or shown and a decision before it is sent. Writes are batched:
 * the hub opens a transaction at the start of a loop turn (ag_journal_begin)
 * and commits once at the end (ag_journal_commit), so throughput does not pay
 * one fsync per request. Readers (agate log, replay) use their own handle.
 *
 * Schema versioned with PRAGMA user_version, migrated forward on open. */
#ifndef AGATE_CORE_JOURNAL_H
#define AGATE_CORE_JOURNAL_H

#include <stdint.h>

#include "core/error.h"
#include "core/request.h"
#include "core/risk.h"

struct ag_journal;

enum ag_request_state { AG_STATE_PENDING, AG_STATE_DECIDED, AG_STATE_ABANDONED };

/* Resolves the journal path: explicit (flag) > $AGATE_JOURNAL >
 * $XDG_STATE_HOME/agate/journal.db > ~/.local/state/agate/journal.db.
 * Caller frees. */
char *ag_journal_default_path(const char *explicit_path);

/* Opens (creating the file and its parent directories, 0700) and migrates.
 * readonly: for log/replay tools; fails if the file does not exist. A
 * read-only handle never migrates: it reads an older schema as it is (the
 * hook, which it lacks, reads as NULL), and refuses a newer one. */
int ag_journal_open(const char *path, int readonly, struct ag_journal **out, struct ag_error *err);
void ag_journal_close(struct ag_journal **j);
/* full: fsync at every commit (survives power loss), else NORMAL (the
 * default: WAL survives a crash of the process, fsyncs at checkpoints).
 * Not inside a batch. The config key journal_sync chooses. */
int ag_journal_set_synchronous(struct ag_journal *j, int full, struct ag_error *err);

/* Batching. begin/commit nest: only the outermost pair touches SQLite. */
int ag_journal_begin(struct ag_journal *j, struct ag_error *err);
int ag_journal_commit(struct ag_journal *j, struct ag_error *err);

/* A new request, state pending. Fails (with err) if the id already exists. */
int ag_journal_add_request(struct ag_journal *j, const struct ag_request *req,
                           const struct ag_risk *risk, const char *rule, int64_t created_ms,
                           int64_t deadline_ms, struct ag_error *err);
/* Records the decision and moves the request to decided. Fails if the request
 * is unknown or already decided (the first decision wins). */
int ag_journal_add_decision(struct ag_journal *j, const struct ag_decision_info *d,
                            struct ag_error *err);
int ag_journal_set_abandoned(struct ag_journal *j, const char *id, int64_t at_ms,
                             struct ag_error *err);

/* 1 and fills *out (caller clears) when id has a decision; 0 when it has
 * none; -1 on error. */
int ag_journal_find_decision(struct ag_journal *j, const char *id, struct ag_decision_info *out,
                             struct ag_error *err);
/* 1 and *state when id is known; 0 when unknown; -1 on error. */
int ag_journal_request_state(struct ag_journal *j, const char *id, enum ag_request_state *state,
                             struct ag_error *err);

/* Calls cb for every pending request, oldest first. The callback takes
 * ownership of req; risk is valid only during the call. Returning non-zero
 * from cb stops the walk. */
typedef int (*ag_journal_pending_cb)(void *ctx, struct ag_request *req, const struct ag_risk *risk,
                                     int64_t created_ms, int64_t deadline_ms);
int ag_journal_load_pending(struct ag_journal *j, const struct ag_limits *limits,
                            ag_journal_pending_cb cb, void *ctx, struct ag_error *err);

/* Session grants made by approve_session. */
int ag_journal_add_grant(struct ag_journal *j, const char *session, const char *action_key,
                         int64_t at_ms, struct ag_error *err);
/* 1 granted, 0 not, -1 error. */
int ag_journal_has_grant(struct ag_journal *j, const char *session, const char *action_key,
                         struct ag_error *err);

/* A Guardian review, for accounting (tokens, latency) and audit. */
struct ag_review_record {
	const char *request_id;
	const char *model;
	const char *verdict_json; /* the parsed verdict, or NULL when it failed */
	const char *error;        /* why it failed, or NULL */
	int64_t latency_ms;
	int64_t tokens_in, tokens_out;
	int64_t at_ms;
};
int ag_journal_add_review(struct ag_journal *j, const struct ag_review_record *r,
                          struct ag_error *err);

/* History queries (agate log, replay). Zero/NULL fields do not filter. */
struct ag_journal_query {
	const char *session;
	const char *agent;
	const char *id;
	int kind;                   /* -1: any */
	int decision;               /* -1: any */
	int by;                     /* -1: any */
	int min_score;              /* -1: any */
	int64_t since_ms, until_ms; /* created_ms in [since, until); 0: unbounded */
	int include_pending;        /* also rows that have no decision yet */
	int64_t limit;              /* 0: no limit; else the newest `limit` rows */
};
void ag_journal_query_init(struct ag_journal_query *q);

struct ag_journal_row {
	const char *id, *session, *agent, *kind, *cwd, *justification, *summary;
	const char *action_json; /* the action object as sent */
	const char *risk_json;   /* ag_risk_to_json form */
	const char *rule;        /* may be NULL */
	const char *state;       /* "pending", "decided", "abandoned" */
	int score;
	int64_t created_ms;
	/* NULL/0 when undecided: */
	const char *decision, *by, *reason;
	int64_t decided_ms;
	/* Added for export and replay (appended: existing users are unaffected). */
	int64_t seq;        /* arrival order in this journal */
	int64_t timeout_ms; /* as the publisher asked; 0: the hub's default */
	int64_t deadline_ms;
	int64_t abandoned_ms; /* 0 unless state is "abandoned" */
	/* The request's hook object as JSON text, or NULL when it had none (or
	 * was journaled before schema 4, or a read-only handle reads an older
	 * file). */
	const char *hook_json;
};
/* Rows in request order (oldest first). Pointers are valid during the call. */
typedef int (*ag_journal_row_cb)(void *ctx, const struct ag_journal_row *row);
int ag_journal_query(struct ag_journal *j, const struct ag_journal_query *q, ag_journal_row_cb cb,
                     void *ctx, struct ag_error *err);

/* PRAGMA integrity_check; 0 when "ok". */
int ag_journal_check(struct ag_journal *j, struct ag_error *err);

/* --- audit tools: export, import, replay, retention (cmd/export.c,
 * cmd/replay.c, cmd/gc.c) --- */

/* The request a row holds, rebuilt as the publisher sent it (with its
 * hook) and validated again (limits NULL: the defaults). Caller frees with
 * ag_request_free. */
int ag_journal_row_request(const struct ag_journal_row *row, const struct ag_limits *limits,
                           struct ag_request **out, struct ag_error *err);

/* The reviews of one request, oldest first. Pointers are valid during the
 * call; verdict_json or error may be NULL (not both). Non-zero from cb stops. */
typedef int (*ag_journal_review_cb)(void *ctx, const struct ag_review_record *r);
int ag_journal_reviews(struct ag_journal *j, const char *request_id, ag_journal_review_cb cb,
                       void *ctx, struct ag_error *err);

/* Session grants, oldest first; session NULL: every session. */
typedef int (*ag_journal_grant_cb)(void *ctx, const char *session, const char *action_key,
                                   int64_t granted_ms);
int ag_journal_grants(struct ag_journal *j, const char *session, ag_journal_grant_cb cb, void *ctx,
                      struct ag_error *err);

/* Retention. Deletes every settled request (decided or abandoned) created
 * before cutoff_ms, with its risk reasons, decision and reviews; then the
 * sessions left without requests and untouched since the cutoff, with their
 * grants. Pending requests are never deleted, however old.
 *
 * Decisions are final in the schema (a trigger refuses DELETE). gc is the
 * one sanctioned exception: each batch of at most `batch` requests (0:
 * 2000) is one write transaction that drops that trigger, deletes, and
 * recreates it from its own stored SQL before committing, so no other
 * connection ever sees the journal without it, and a crash mid-batch
 * rolls the whole batch back. Short batches keep the hub's writes waiting
 * milliseconds, not seconds. Not inside a batch of ag_journal_begin. */
struct ag_journal_gc_stats {
	int64_t requests, decisions, reviews, reasons, sessions, grants;
	int64_t kept_pending; /* pending requests older than the cutoff, kept */
};
int ag_journal_gc(struct ag_journal *j, int64_t cutoff_ms, int batch,
                  struct ag_journal_gc_stats *stats, struct ag_error *err);

/* Gives free pages back to the file system. With incremental auto-vacuum
 * (which the first full compaction turns on) in short steps; otherwise
 * only when full is set, by a VACUUM that rewrites the file (and turns
 * incremental auto-vacuum on for next time) while holding the write lock
 * for its whole duration: the hub's writes wait, so do it while no hub
 * runs. *freed_pages (may be NULL) gets the pages released; *mode gets
 * "incremental", "full" or "none" (nothing could be done without full). */
int ag_journal_compact(struct ag_journal *j, int full, int64_t *freed_pages, const char **mode,
                       struct ag_error *err);

/* Page counts, for reports: the file's pages and the free ones in it. */
int ag_journal_pages(struct ag_journal *j, int64_t *pages, int64_t *free_pages, int64_t *page_size,
                     struct ag_error *err);

#endif
