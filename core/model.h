/* The protocol's vocabularies, enumerated once (as tig's line.h does): each
 * X-macro makes the enum and the name table together, so the parser, the
 * printer and the help text cannot drift apart. Names are the wire names of
 * ../shared/DESIGN.md. */
#ifndef AGATE_CORE_MODEL_H
#define AGATE_CORE_MODEL_H

#define AG_KINDS(X)           \
	X(EXEC, "exec")       \
	X(PATCH, "patch")     \
	X(NETWORK, "network") \
	X(MCP, "mcp")         \
	X(PERMISSION, "permission")

#define AG_DECISIONS(X)                       \
	X(APPROVE, "approve")                 \
	X(APPROVE_SESSION, "approve_session") \
	X(DENY, "deny")                       \
	X(ABORT, "abort")                     \
	X(DEFER, "defer")

#define AG_DECIDERS(X)          \
	X(HUMAN, "human")       \
	X(GUARDIAN, "guardian") \
	X(POLICY, "policy")     \
	X(SESSION, "session")   \
	X(TIMEOUT, "timeout")

#define AG_LEVELS(X)        \
	X(LOW, "low")       \
	X(MEDIUM, "medium") \
	X(HIGH, "high")     \
	X(CRITICAL, "critical")

/* Categories are a bit set: one request can be destructive and exfiltrate. */
#define AG_CATEGORIES(X)                            \
	X(DESTRUCTIVE, "destructive")               \
	X(DATA_EXFILTRATION, "data_exfiltration")   \
	X(CREDENTIAL_PROBING, "credential_probing") \
	X(SECURITY_WEAKENING, "security_weakening")

#define AG_ENUM_KIND(name, str) AG_KIND_##name,
enum ag_kind { AG_KINDS(AG_ENUM_KIND) AG_KIND_COUNT };
#define AG_ENUM_DECISION(name, str) AG_DECISION_##name,
enum ag_decision { AG_DECISIONS(AG_ENUM_DECISION) AG_DECISION_COUNT };
#define AG_ENUM_DECIDER(name, str) AG_BY_##name,
enum ag_decider { AG_DECIDERS(AG_ENUM_DECIDER) AG_BY_COUNT };
#define AG_ENUM_LEVEL(name, str) AG_LEVEL_##name,
enum ag_level { AG_LEVELS(AG_ENUM_LEVEL) AG_LEVEL_COUNT };
#define AG_ENUM_CATEGORY(name, str) AG_CATEGORY_BIT_##name,
enum ag_category_bit { AG_CATEGORIES(AG_ENUM_CATEGORY) AG_CATEGORY_COUNT };
#define AG_CATEGORY(name) (1u << AG_CATEGORY_BIT_##name)

/* name <-> value. *_name never returns NULL for a valid value; *_parse
 * returns -1 for an unknown name. */
const char *ag_kind_name(enum ag_kind kind);
int ag_kind_parse(const char *name);
const char *ag_decision_name(enum ag_decision decision);
int ag_decision_parse(const char *name);
const char *ag_decider_name(enum ag_decider by);
int ag_decider_parse(const char *name);
const char *ag_level_name(enum ag_level level);
int ag_level_parse(const char *name);
const char *ag_category_name(enum ag_category_bit bit);
int ag_category_parse(const char *name);

/* Whether a decision lets the action happen. Only approve and
 * approve_session do; everything else (deny, abort, defer) is fail-closed. */
int ag_decision_is_approval(enum ag_decision decision);

#endif
