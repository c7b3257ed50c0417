/* Frames and the request model. Everything an agent sends arrives here
 * first, so every input has a bound and every failure names the field.
 *
 *   line bytes --ag_frame_parse--> cJSON object (v:1, type checked)
 *   object     --ag_request_from_json--> struct ag_request (fully typed)
 *
 * The validated request keeps the original action JSON (for the journal and
 * re-broadcast) plus typed, borrowed views into it for the risk engine. */
#ifndef AGATE_CORE_REQUEST_H
#define AGATE_CORE_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/model.h"
#include "core/risk.h"

struct ag_limits {
	size_t max_frame;  /* bytes in one line, newline excluded: 4 MiB */
	int max_depth;     /* JSON nesting: 64 */
	size_t max_string; /* one short field (id, session, host...): 4096 */
	size_t max_text;   /* one long field (command, diff): = max_frame */
	size_t max_array;  /* elements in one array (argv, files, paths): 4096 */
};

/* The defaults above. */
void ag_limits_default(struct ag_limits *limits);

#define AG_HOOK_FIELDS_MAX 32
#define AG_ID_MAX          128 /* ids: [A-Za-z0-9._:-]{1,128}, so they are safe in paths and logs */
int ag_id_valid(const char *id);
/* Writes a fresh random id (prefix + "-" + 24 hex chars; prefix NULL means
 * "r") into buf (>= 32 bytes). getrandom(), else /dev/urandom, else abort. */
void ag_id_generate(char *buf, size_t size, const char *prefix);

/* Parses one frame (without its trailing newline). Checks, in this order and
 * before building any tree: size, NUL bytes, strict UTF-8, nesting depth
 * (and raw control characters or \u0000 inside strings); then JSON syntax,
 * that it is one object, no duplicate keys, at most max_array members per
 * array/object, "v" == 1 and "type" is a non-empty string.
 * limits NULL means the defaults. On success *out is an owned cJSON object. */
int ag_frame_parse(const char *buf, size_t len, const struct ag_limits *limits, cJSON **out,
                   struct ag_error *err);
/* What ag_frame_parse_info proved about the frame it returned, so that
 * ag_request_take need not prove it again. */
struct ag_frame_info {
	cJSON *frame;            /* the frame it is about */
	struct ag_limits limits; /* what it was checked against */
	int deepest;             /* the deepest nesting of objects and arrays */
};
/* ag_frame_parse, and *info about the frame (when it succeeds). */
int ag_frame_parse_info(const char *buf, size_t len, const struct ag_limits *limits, cJSON **out,
                        struct ag_frame_info *info, struct ag_error *err);
/* ag_frame_parse for a line at the start of a malloc'd block the caller
 * gives up if asked (a bus client's line buffer): when the frame's long
 * string (a diff) can be unescaped where it lies, the block becomes that
 * string in the tree and *taken is set, success or not: the caller must
 * not touch or free buf again. Otherwise buf is left as it was. Only for
 * processes that leave cJSON's allocator as malloc. */
int ag_frame_parse_inplace(char *buf, size_t len, const struct ag_limits *limits, cJSON **out,
                           int *taken, struct ag_error *err);
/* The frame's "type" (valid after ag_frame_parse succeeded). */
const char *ag_frame_type(const cJSON *frame);

struct ag_action_exec {
	const char *command; /* may be NULL when only argv was given */
	const char **argv;   /* owned array of borrowed strings, NULL-terminated; NULL if absent */
	size_t argc;
};
struct ag_action_patch {
	const char *diff;
	const char **files; /* owned array, NULL-terminated; NULL if absent */
	size_t nfiles;
};
struct ag_action_network {
	const char *host;
	int port;             /* 1..65535 */
	const char *protocol; /* "https", "tcp", ... */
	const char *method;   /* may be NULL */
	const char *url;      /* may be NULL */
};
struct ag_action_mcp {
	const char *server;
	const char *tool;
	const cJSON *arguments; /* an object */
};
struct ag_permission_path {
	const char *path;
	const char *access; /* "read", "write", "read-write" */
};
struct ag_action_permission {
	struct ag_permission_path *paths; /* owned array */
	size_t npaths;
	int network; /* -1 absent, 0 false, 1 true */
};

struct ag_request {
	char id[AG_ID_MAX + 1];
	char *session;       /* owned; "" when absent */
	char *agent;         /* owned; "" when absent */
	char *cwd;           /* owned; "" when absent */
	char *justification; /* owned; "" when absent */
	int64_t timeout_ms;  /* 0 = the hub's default */
	enum ag_kind kind;
	cJSON *action; /* owned: the validated "action" object */
	/* owned, or NULL: what an agent hook adds (tool-use id, transcript path,
	 * the call key, "guard"): a flat object of at most AG_HOOK_FIELDS_MAX
	 * strings, numbers and booleans, kept and journaled, never judged. */
	cJSON *hook;
	union {
		struct ag_action_exec exec;
		struct ag_action_patch patch;
		struct ag_action_network network;
		struct ag_action_mcp mcp;
		struct ag_action_permission permission;
	} u; /* borrowed views into action */
};

/* Validates a "request" frame field by field ("action.argv[2]: expected a
 * string, got a number") and fills *out (caller frees with ag_request_free).
 * A missing id is left empty for the hub to generate. Unknown top-level
 * fields are ignored (forward compatibility); unknown kinds, and unknown
 * fields inside the action, are refused. null reads as absent for optional
 * fields. The action may nest 2 levels less than max_depth, so the event
 * that carries it still parses. */
int ag_request_from_json(const cJSON *frame, const struct ag_limits *limits,
                         struct ag_request **out, struct ag_error *err);
/* ag_request_from_json for a frame ag_frame_parse_info has just returned
 * (info its answer, the frame unchanged since): the same checks in the same
 * order and the same errors, without walking again what the parse proved,
 * and the action is moved out of frame rather than copied (the caller still
 * deletes frame). Any other frame is read by ag_request_from_json. For
 * callers that parse a line only to judge it (agate score). */
int ag_request_take(cJSON *frame, const struct ag_frame_info *info, struct ag_request **out,
                    struct ag_error *err);
/* The request as a frame object {"v":1,"type":"request",...}; caller owns. */
cJSON *ag_request_to_json(const struct ag_request *req);
/* The same frame with the action and hook borrowed from req, not copied:
 * for a frame printed and deleted while req lives (a hub event with a 3 MB
 * diff would otherwise copy the diff only to print it). */
cJSON *ag_request_to_json_borrowed(const struct ag_request *req);
void ag_request_free(struct ag_request **req);
/* A one-line human summary ("rm -rf build", "patch 3 files", "GET api.x:443");
 * raw agent text: sanitize before drawing. Caller frees. */
char *ag_request_summary(const struct ag_request *req);
/* A stable key for "the same action" (session grants, verdict caches): kind +
 * action JSON with sorted keys, printed compactly. Caller frees. */
char *ag_request_action_key(const struct ag_request *req);

/* A decision, as journaled and sent. */
struct ag_decision_info {
	char id[AG_ID_MAX + 1];
	enum ag_decision decision;
	enum ag_decider by;
	char *reason;  /* owned; "" when none */
	int64_t at_ms; /* wall clock, ms since the epoch */
};
void ag_decision_info_clear(struct ag_decision_info *d);
/* {"v":1,"type":"decision","id":..,"decision":..,"by":..,"reason":..};
 * the caller may add "risk"/"review". Caller owns. */
cJSON *ag_decision_to_json(const struct ag_decision_info *d);
/* Strict parse of a "decision" frame. */
int ag_decision_from_json(const cJSON *frame, struct ag_decision_info *out, struct ag_error *err);

/* Compact JSON as cJSON_PrintUnformatted writes it (keys in order, the same
 * escapes, raw items as they are), for frames and the journal, at a fraction
 * of the cost: cJSON 1.7 prints every number through "%1.15g" and an sscanf
 * round trip. Integers print as integers; other numbers in the fewest of 15
 * or 17 digits that read back exactly. Caller frees; never NULL. */
char *ag_json_print(const cJSON *json);
/* Sorted-key compact JSON printer, used for keys and Guardian prompts. Caller frees. */
char *ag_json_print_sorted(const cJSON *json);

#endif
