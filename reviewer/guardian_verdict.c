#include "reviewer/guardian_verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xmalloc.h"

#define AG_NAME(name, str) str,
static const char *const auth_names[] = {AG_AUTHS(AG_NAME)};
#undef AG_NAME

/* Lenient parsing tries to read JSON at each '{' of the prose; each failed
 * try may scan to the end, so the number of tries is bounded. */
#define LENIENT_TRIES_MAX 64

const char *
ag_auth_name(enum ag_auth auth)
{
	return auth >= 0 && auth < AG_AUTH_COUNT ? auth_names[auth] : "?";
}

int
ag_auth_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < AG_AUTH_COUNT; i++)
		if (strcmp(auth_names[i], name) == 0)
			return i;
	return -1;
}

void
ag_verdict_init(struct ag_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->risk_level = AG_LEVEL_CRITICAL; /* an unfilled verdict is the worst case */
	v->user_authorization = AG_AUTH_UNKNOWN;
}

void
ag_verdict_clear(struct ag_verdict *v)
{
	free(v->rationale);
	ag_verdict_init(v);
}

void
ag_verdict_copy(struct ag_verdict *dst, const struct ag_verdict *src)
{
	*dst = *src;
	dst->rationale = xstrdup(src->rationale ? src->rationale : "");
}

/* Copies at most 32 bytes of model text into buf for an error message,
 * replacing anything but printable ASCII, so a hostile answer cannot put
 * escape sequences or a wall of text into the console or the log. */
static const char *
quote_short(char *buf, size_t size, const char *s)
{
	size_t n = 0;
	for (; n < 32 && n + 1 < size && s[n] != '\0'; n++)
		buf[n] = s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\' ? s[n] : '?';
	buf[n] = '\0';
	if (s[n] != '\0' && n + 4 < size)
		memcpy(buf + n, "...", 4);
	return buf;
}

static const char *
json_type_name(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "something else";
}

enum field { F_RISK, F_AUTH, F_OUTCOME, F_RATIONALE, F_CATEGORIES, F_COUNT };
static const char *const field_names[F_COUNT] = {"risk_level", "user_authorization", "outcome",
                                                 "rationale", "categories"};

static int
field_lookup(const char *name)
{
	for (int i = 0; i < F_COUNT; i++)
		if (name != NULL && strcmp(field_names[i], name) == 0)
			return i;
	return -1;
}

static int
parse_enum_field(const cJSON *j, const char *field, int (*parse)(const char *), const char *expect,
                 int *out, struct ag_error *err)
{
	char q[40];
	if (!cJSON_IsString(j))
		return ag_fail(err, "%s: expected a string, got %s", field, json_type_name(j));
	int v = parse(j->valuestring);
	if (v < 0)
		return ag_fail(err, "%s: expected %s, got \"%s\"", field, expect,
		               quote_short(q, sizeof q, j->valuestring));
	*out = v;
	return 0;
}

static int
parse_outcome(const char *s)
{
	if (strcmp(s, "allow") == 0)
		return 1;
	if (strcmp(s, "deny") == 0)
		return 0;
	return -1;
}

static int
parse_categories(const cJSON *j, unsigned *out, struct ag_error *err)
{
	char q[40];
	if (!cJSON_IsArray(j))
		return ag_fail(err, "categories: expected an array, got %s", json_type_name(j));
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, j)
	{
		if (i >= AG_CATEGORY_COUNT)
			return ag_fail(err, "categories: more than %d entries", AG_CATEGORY_COUNT);
		if (!cJSON_IsString(item))
			return ag_fail(err, "categories[%d]: expected a string, got %s", i,
			               json_type_name(item));
		int bit = ag_category_parse(item->valuestring);
		if (bit < 0)
			return ag_fail(err,
			               "categories[%d]: expected destructive, data_exfiltration, "
			               "credential_probing or security_weakening, got \"%s\"",
			               i, quote_short(q, sizeof q, item->valuestring));
		if (*out & (1u << bit))
			return ag_fail(err, "categories[%d]: duplicate \"%s\"", i,
			               item->valuestring);
		*out |= 1u << bit;
		i++;
	}
	return 0;
}

static int
parse_rationale(const cJSON *j, char **out, struct ag_error *err)
{
	if (!cJSON_IsString(j))
		return ag_fail(err, "rationale: expected a string, got %s", json_type_name(j));
	size_t len = strlen(j->valuestring);
	if (len > AG_VERDICT_RATIONALE_MAX)
		return ag_fail(err, "rationale: %zu bytes, at most %d", len,
		               AG_VERDICT_RATIONALE_MAX);
	size_t bad;
	if (!ag_utf8_valid(j->valuestring, len, &bad))
		return ag_fail(err, "rationale: invalid UTF-8 at byte %zu", bad);
	*out = xstrdup(j->valuestring);
	return 0;
}

int
ag_verdict_from_json(const cJSON *obj, struct ag_verdict *out, struct ag_error *err)
{
	ag_verdict_init(out);
	if (!cJSON_IsObject(obj))
		return ag_fail(err, "verdict: expected an object, got %s", json_type_name(obj));
	const cJSON *seen[F_COUNT] = {NULL};
	const cJSON *child;
	char q[40];
	cJSON_ArrayForEach(child, obj)
	{
		int f = field_lookup(child->string);
		if (f < 0)
			return ag_fail(
			    err, "verdict: unexpected field \"%s\"",
			    quote_short(q, sizeof q, child->string ? child->string : ""));
		if (seen[f] != NULL)
			return ag_fail(err, "%s: given twice", field_names[f]);
		seen[f] = child;
	}
	for (int f = 0; f < F_COUNT; f++)
		if (seen[f] == NULL)
			return ag_fail(err, "verdict: missing field \"%s\"", field_names[f]);

	struct ag_verdict v;
	ag_verdict_init(&v);
	int level = AG_LEVEL_CRITICAL, auth = AG_AUTH_UNKNOWN, allow = 0;
	if (parse_enum_field(seen[F_RISK], "risk_level", ag_level_parse,
	                     "low, medium, high or critical", &level, err) != 0 ||
	    parse_enum_field(seen[F_AUTH], "user_authorization", ag_auth_parse,
	                     "unknown, low, medium or high", &auth, err) != 0 ||
	    parse_enum_field(seen[F_OUTCOME], "outcome", parse_outcome, "allow or deny", &allow,
	                     err) != 0 ||
	    parse_categories(seen[F_CATEGORIES], &v.categories, err) != 0 ||
	    parse_rationale(seen[F_RATIONALE], &v.rationale, err) != 0) {
		ag_verdict_clear(&v);
		return -1;
	}
	v.risk_level = (enum ag_level)level;
	v.user_authorization = (enum ag_auth)auth;
	v.allow = allow;
	*out = v;
	return 0;
}

static int
is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses one JSON value starting at text (n bytes). Returns the tree and
 * sets *used to the bytes consumed, or NULL. */
static cJSON *
parse_at(const char *text, size_t n, size_t *used)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, n, &end, 0);
	if (j == NULL)
		return NULL;
	*used = (size_t)(end - text);
	return j;
}

static int
parse_strict(const char *text, size_t len, cJSON **out, struct ag_error *err)
{
	size_t a = 0, b = len;
	while (a < b && is_json_space(text[a]))
		a++;
	while (b > a && is_json_space(text[b - 1]))
		b--;
	if (a == b)
		return ag_fail(err, "the answer is empty");
	if (text[a] != '{')
		return ag_fail(err, "the answer is not a JSON object (it starts with prose)");
	size_t used = 0;
	cJSON *j = parse_at(text + a, b - a, &used);
	if (j == NULL)
		return ag_fail(err, "the answer is not valid JSON (truncated or malformed)");
	if (a + used != b) {
		cJSON_Delete(j);
		return ag_fail(err, "the answer has text after the JSON object");
	}
	*out = j;
	return 0;
}

static int
parse_lenient(const char *text, size_t len, cJSON **out, struct ag_error *err)
{
	cJSON *found = NULL;
	int nfound = 0, tries = 0;
	for (size_t i = 0; i < len;) {
		if (text[i] != '{') {
			i++;
			continue;
		}
		if (++tries > LENIENT_TRIES_MAX) {
			cJSON_Delete(found);
			return ag_fail(err, "the answer has too many braces to find a verdict in");
		}
		size_t used = 0;
		cJSON *j = parse_at(text + i, len - i, &used);
		if (j == NULL) {
			i++;
			continue;
		}
		nfound++;
		if (found == NULL)
			found = j;
		else
			cJSON_Delete(j);
		i += used > 0 ? used : 1;
	}
	if (nfound == 0)
		return ag_fail(err, "no JSON object in the answer");
	if (nfound > 1) {
		cJSON_Delete(found);
		return ag_fail(
		    err, "the answer holds %d JSON objects; expected exactly one verdict", nfound);
	}
	*out = found;
	return 0;
}

int
ag_verdict_parse(const char *text, size_t len, int strict, struct ag_verdict *out,
                 struct ag_error *err)
{
	ag_verdict_init(out);
	if (text == NULL)
		return ag_fail(err, "the answer is empty");
	if (len > AG_VERDICT_TEXT_MAX)
		return ag_fail(err, "the answer is too long (%zu bytes, at most %d)", len,
		               AG_VERDICT_TEXT_MAX);
	if (memchr(text, '\0', len) != NULL)
		return ag_fail(err, "the answer contains a NUL byte");
	size_t bad;
	if (!ag_utf8_valid(text, len, &bad))
		return ag_fail(err, "the answer is not valid UTF-8 (byte %zu)", bad);
	cJSON *obj = NULL;
	if ((strict ? parse_strict(text, len, &obj, err) : parse_lenient(text, len, &obj, err)) !=
	    0)
		return -1;
	int rc = ag_verdict_from_json(obj, out, err);
	cJSON_Delete(obj);
	if (rc != 0)
		return ag_fail_prefix(err, "schema violation");
	return 0;
}

cJSON *
ag_verdict_to_json(const struct ag_verdict *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "risk_level", ag_level_name(v->risk_level));
	cJSON_AddStringToObject(o, "user_authorization", ag_auth_name(v->user_authorization));
	cJSON_AddStringToObject(o, "outcome", v->allow ? "allow" : "deny");
	cJSON_AddStringToObject(o, "rationale", v->rationale ? v->rationale : "");
	cJSON *cats = cJSON_AddArrayToObject(o, "categories");
	for (int bit = 0; bit < AG_CATEGORY_COUNT; bit++)
		if (v->categories & (1u << bit))
			cJSON_AddItemToArray(
			    cats, cJSON_CreateString(ag_category_name((enum ag_category_bit)bit)));
	return o;
}

const char *
ag_judgement_name(enum ag_judgement j)
{
	switch (j) {
	case AG_JUDGE_ALLOW: return "allow";
	case AG_JUDGE_DENY: return "deny";
	case AG_JUDGE_FAILED: return "failed";
	}
	return "failed";
}

enum ag_judgement
ag_verdict_judge(const struct ag_verdict *v, const struct ag_guard_facts *facts, char *why,
                 size_t whysize)
{
	const char *level = ag_level_name(v->risk_level);
	if (!v->allow) {
		snprintf(why, whysize, "the model denies it (%s risk)", level);
		return AG_JUDGE_DENY;
	}
	/* Codex's thresholds. */
	switch (v->risk_level) {
	case AG_LEVEL_LOW:
	case AG_LEVEL_MEDIUM: break;
	case AG_LEVEL_HIGH:
		if (v->user_authorization < AG_AUTH_MEDIUM) {
			snprintf(
			    why, whysize,
			    "high risk without user authorization (%s); the threshold denies it",
			    ag_auth_name(v->user_authorization));
			return AG_JUDGE_DENY;
		}
		break;
	case AG_LEVEL_CRITICAL:
	default:
		snprintf(why, whysize,
		         "the model argued for approving an action it rates critical");
		return AG_JUDGE_FAILED;
	}
	/* agate's invariants: the model cannot outvote the rules. */
	if (facts->rule_denied) {
		snprintf(
		    why, whysize,
		    "the model argued for approving an action a deny rule forbids; only a human "
		    "can approve it");
		return AG_JUDGE_FAILED;
	}
	if (facts->local_level >= AG_LEVEL_CRITICAL) {
		snprintf(
		    why, whysize,
		    "the model argued for approving a locally critical action; only a human can "
		    "approve it");
		return AG_JUDGE_FAILED;
	}
	if (v->risk_level == AG_LEVEL_HIGH)
		snprintf(why, whysize, "high risk, authorized by the user (%s)%s",
		         ag_auth_name(v->user_authorization),
		         facts->rule_ask ? "; an ask rule leaves the approval to a human" : "");
	else
		snprintf(why, whysize, "the model allows it (%s risk)%s", level,
		         facts->rule_ask ? "; an ask rule leaves the approval to a human" : "");
	return AG_JUDGE_ALLOW;
}

enum ag_level
ag_verdict_effective_level(const struct ag_verdict *v, const struct ag_guard_facts *facts)
{
	enum ag_level l = v->risk_level;
	if (facts->local_level > l)
		l = facts->local_level;
	if (facts->rule_denied)
		l = AG_LEVEL_CRITICAL;
	return l;
}

static cJSON *
enum_schema(const char *const *names, int n)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "type", "string");
	cJSON *e = cJSON_AddArrayToObject(s, "enum");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(e, cJSON_CreateString(names[i]));
	return s;
}

cJSON *
ag_verdict_schema(void)
{
	static const char *const levels[] = {"low", "medium", "high", "critical"};
	static const char *const outcomes[] = {"allow", "deny"};
	static const char *const cats[] = {"destructive", "data_exfiltration", "credential_probing",
	                                   "security_weakening"};
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "type", "object");
	cJSON *props = cJSON_AddObjectToObject(s, "properties");
	cJSON_AddItemToObject(props, "risk_level", enum_schema(levels, 4));
	cJSON_AddItemToObject(props, "user_authorization", enum_schema(auth_names, AG_AUTH_COUNT));
	cJSON_AddItemToObject(props, "outcome", enum_schema(outcomes, 2));
	cJSON *rat = cJSON_AddObjectToObject(props, "rationale");
	cJSON_AddStringToObject(rat, "type", "string");
	cJSON *catarr = cJSON_AddObjectToObject(props, "categories");
	cJSON_AddStringToObject(catarr, "type", "array");
	cJSON_AddItemToObject(catarr, "items", enum_schema(cats, 4));
	cJSON *req = cJSON_AddArrayToObject(s, "required");
	for (int f = 0; f < F_COUNT; f++)
		cJSON_AddItemToArray(req, cJSON_CreateString(field_names[f]));
	cJSON_AddBoolToObject(s, "additionalProperties", 0);
	return s;
}
