/* The pure half of `agate hook`: an agent's hook payload (Claude Code or
 * Codex, PreToolUse / PermissionRequest / PostToolUse / Stop) in, an agate
 * request frame out; an agate decision in, the exact bytes and exit status
 * that client honours for that event out. No I/O but reading the files an
 * edit touches (bounded), so every fixture can be checked without a bus.
 *
 * The facts this follows are in tests/fixtures/hooks/README.md (captured
 * from codex-cli 0.169.0 and Claude Code 2.1.197); doc/agate-hook.1 has the
 * tables. */
#ifndef AGATE_CMD_HOOKMAP_H
#define AGATE_CMD_HOOKMAP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/model.h"

enum hook_client { HOOK_CLAUDE, HOOK_CODEX };

#define HOOK_EVENTS(X)                             \
	X(PRE_TOOL_USE, "PreToolUse")              \
	X(PERMISSION_REQUEST, "PermissionRequest") \
	X(POST_TOOL_USE, "PostToolUse")            \
	X(STOP, "Stop")
#define HOOK_ENUM_EVENT(name, str) HOOK_EV_##name,
enum hook_event { HOOK_EVENTS(HOOK_ENUM_EVENT) HOOK_EV_OTHER };
#undef HOOK_ENUM_EVENT

#define HOOK_PAYLOAD_MAX (4u << 20) /* stdin bytes: a Write of a large file fits */
#define HOOK_CALL_LEN    24         /* hex digits of the correlation key */

/* One parsed payload. The strings are borrowed from payload. */
struct hook_call {
	enum hook_client client;
	enum hook_event event;
	cJSON *payload;         /* owned */
	const char *event_name; /* as sent */
	const char *session;    /* session_id */
	const char *cwd;
	const char *tool;        /* tool_name; NULL for Stop and other events */
	const cJSON *input;      /* tool_input (an object); NULL when no tool */
	const char *tool_use_id; /* NULL: PermissionRequest carries none */
	const char *transcript;  /* transcript_path, or NULL */
	const char *turn;        /* Codex turn_id, or NULL */
	const char *prompt;      /* Claude prompt_id, or NULL */
	const char *mode;        /* permission_mode, or NULL */
	const char *model;       /* Codex model, or NULL */
	/* Correlates the PreToolUse and the later PermissionRequest (which has no
	 * tool_use_id) of one tool call: hex of sha256 over client, session,
	 * Codex turn, tool and the input (command without trailing newlines:
	 * Codex drops the last one of a patch in PermissionRequest, and adds a
	 * description). "" when there is no tool. */
	char call[HOOK_CALL_LEN + 1];
};

const char *hook_client_name(enum hook_client client); /* "claude", "codex" */
const char *hook_agent_name(enum hook_client client);  /* "claude-code", "codex" */
int hook_client_parse(const char *name);               /* -1 if unknown */
const char *hook_event_name(enum hook_event event);

/* Parses a payload strictly: NUL bytes, invalid UTF-8, a non-object, a
 * missing session_id / cwd / hook_event_name, a field of the wrong type
 * (tool_input.command that is not a string, ...) are refused with err naming
 * the field. On success *out is filled (free with hook_call_clear). */
int hook_call_parse(enum hook_client client, const char *buf, size_t len, struct hook_call *out,
                    struct ag_error *err);
void hook_call_clear(struct hook_call *call);

/* Guesses the event of a payload that did not parse, so the refusal can
 * still be said in that event's format. HOOK_EV_OTHER when unsure. */
enum hook_event hook_event_sniff(const char *buf, size_t len);

struct hookmap_opts {
	const char *id;     /* request id */
	int64_t timeout_ms; /* request timeout_ms; 0: leave it to the hub */
	size_t max_read;    /* bytes of a file read to build a diff */
	int guard;          /* Codex PreToolUse: judged at once, nobody waits */
};

/* The request frame for a tool call (PreToolUse / PermissionRequest):
 * {"v":1,"type":"request","id","session","agent","cwd","justification",
 *  "timeout_ms","action":{...},"hook":{client,event,tool,tool_use_id,
 *  transcript_path,turn_id|prompt_id,permission_mode,model,call,guard,
 *  diff_source}}. Mapping: Bash -> exec; Edit/MultiEdit/Write/apply_patch ->
 * patch with a unified diff; WebFetch -> network; mcp__S__T -> mcp S T; any
 * other tool -> mcp with server "claude-code"/"codex" (the agent's built-in
 * tools), tool NAME, arguments = its input. Caller owns the result. */
cJSON *hookmap_request(const struct hook_call *call, const struct hookmap_opts *opts,
                       struct ag_error *err);

/* What the hook prints and its exit status. out is "" for "no output". */
struct hook_answer {
	char *out; /* owned */
	int exit;
};
void hook_answer_clear(struct hook_answer *a);

/* The answer for a decision. by is the decider's name ("human", ...) or
 * NULL; reason may be NULL. Per client and event:
 *   Claude PreToolUse        approve* -> allow; deny/abort -> deny + reason;
 *                            defer -> ask (Claude's own permission flow)
 *   Claude PermissionRequest approve -> allow; approve_session -> allow with a
 *                            session rule for an exact Bash command; deny ->
 *                            deny + message; abort -> deny + interrupt;
 *                            defer -> no output (the dialog decides)
 *   Codex PreToolUse         deny/abort -> deny + reason; anything else -> no
 *                            output (Codex cannot allow here)
 *   Codex PermissionRequest  approve* -> allow; deny/abort -> deny + message;
 *                            defer -> no output (Codex's own prompt)
 *   other events             no output
 * Always exit 0: both clients read a JSON verdict only then (Codex) or
 * regardless (Claude). */
void hookmap_answer(enum hook_client client, enum hook_event event, const struct hook_call *call,
                    enum ag_decision decision, const char *by, const char *reason,
                    struct hook_answer *out);

/* agate itself failed (why: one line). fallback is AG_DECISION_DENY or
 * AG_DECISION_DEFER (config `fallback`): a deny in the event's format with
 * the reason, or what defer answers there. When the event is unknown (the
 * payload could not be read) out->exit is 2 and out->out is the reason for
 * stderr: both clients take exit 2 with a reason as a PreToolUse deny. */
void hookmap_fail(enum hook_client client, enum hook_event event, enum ag_decision fallback,
                  const char *why, struct hook_answer *out);

/* Canonical JSON: compact, object keys sorted bytewise at every level,
 * non-ASCII left as UTF-8 (as Codex hashes its hook entries). Caller frees. */
char *hookmap_json_canonical(const cJSON *json);

#endif
