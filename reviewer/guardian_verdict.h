/* The Guardian's verdict: what the model answered, parsed strictly, and what
 * agate makes of it.
 *
 *   model text --ag_verdict_parse--> struct ag_verdict (five fields, typed)
 *   verdict + what agate knows locally --ag_verdict_judge--> allow/deny/failed
 *
 * The judgement applies Codex's thresholds first (low and medium allow; high
 * allows only with user authorization of medium or more; critical denies),
 * then agate's invariants (promise 3 of DESIGN.md): a deny rule or a local
 * critical is never approved by the Guardian, whatever the model says. A
 * model arguing for the approval of something it or agate rates critical is
 * a failed review, not an approval and not a plain deny. */
#ifndef AGATE_REVIEWER_GUARDIAN_VERDICT_H
#define AGATE_REVIEWER_GUARDIAN_VERDICT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/model.h"

/* How far the user (in the evidence) authorized the action, in Codex's
 * taxonomy. Ordered: a comparison means "at least". */
#define AG_AUTHS(X)           \
	X(UNKNOWN, "unknown") \
	X(LOW, "low")         \
	X(MEDIUM, "medium")   \
	X(HIGH, "high")

#define AG_ENUM_AUTH(name, str) AG_AUTH_##name,
enum ag_auth { AG_AUTHS(AG_ENUM_AUTH) AG_AUTH_COUNT };
#undef AG_ENUM_AUTH

const char *ag_auth_name(enum ag_auth auth);
int ag_auth_parse(const char *name);

/* Bounds on what a model may answer. */
#define AG_VERDICT_TEXT_MAX      (64 * 1024) /* the answer text we parse at all */
#define AG_VERDICT_RATIONALE_MAX 4000        /* bytes of rationale */

struct ag_verdict {
	enum ag_level risk_level;
	enum ag_auth user_authorization;
	int allow;           /* outcome: 1 "allow", 0 "deny" */
	char *rationale;     /* owned; valid UTF-8, may be "" */
	unsigned categories; /* AG_CATEGORY(...) bits */
};

void ag_verdict_init(struct ag_verdict *v);
/* Frees the rationale and resets; safe to call twice. */
void ag_verdict_clear(struct ag_verdict *v);
void ag_verdict_copy(struct ag_verdict *dst, const struct ag_verdict *src);

/* Strict parse of one verdict object: exactly the fields risk_level,
 * user_authorization, outcome, rationale, categories, each once, with the
 * right type and vocabulary; anything else is a schema violation named in
 * err ("outcome: expected allow or deny, got \"approve\""). */
int ag_verdict_from_json(const cJSON *obj, struct ag_verdict *out, struct ag_error *err);

/* Parses the model's answer text (len bytes, need not be NUL-terminated).
 * strict: the text is exactly one JSON object (surrounding whitespace
 * allowed) — for providers that enforce the schema. Otherwise prose around
 * the JSON is tolerated, but the text must hold exactly one JSON object:
 * two are refused as ambiguous (an answer that quotes the evidence back
 * cannot smuggle a second verdict in). On success *out is filled (caller
 * clears); on failure err says why and *out is left cleared. */
int ag_verdict_parse(const char *text, size_t len, int strict, struct ag_verdict *out,
                     struct ag_error *err);

/* {"risk_level":..,"user_authorization":..,"outcome":..,"rationale":..,
 *  "categories":[..]}; caller owns. */
cJSON *ag_verdict_to_json(const struct ag_verdict *v);

/* What agate knows about the request without the model. */
struct ag_guard_facts {
	enum ag_level local_level; /* the engine's level */
	int rule_denied;           /* a deny rule matched */
	int rule_ask;              /* an ask rule matched: a human decides */
};

enum ag_judgement { AG_JUDGE_ALLOW, AG_JUDGE_DENY, AG_JUDGE_FAILED };
const char *ag_judgement_name(enum ag_judgement j); /* "allow", "deny", "failed" */

/* Thresholds, then invariants. Writes a one-line explanation into why
 * (always, for the log and the console). Never returns AG_JUDGE_ALLOW for a
 * deny rule, a local critical, or a model-rated critical. */
enum ag_judgement ag_verdict_judge(const struct ag_verdict *v, const struct ag_guard_facts *facts,
                                   char *why, size_t whysize);

/* The level the Guardian acts on in auto mode: the higher of the engine's
 * and the model's, so a model talked into calling a risky action "low"
 * cannot lower what the engine saw. */
enum ag_level ag_verdict_effective_level(const struct ag_verdict *v,
                                         const struct ag_guard_facts *facts);

/* The JSON schema of a verdict (for response_format, text.format and
 * input_schema); caller owns. */
cJSON *ag_verdict_schema(void);

#endif
