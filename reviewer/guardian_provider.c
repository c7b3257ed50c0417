#include "reviewer/guardian_provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/xmalloc.h"
#include "reviewer/guardian_verdict.h"

#define DEFAULT_MAX_TOKENS 2048
#define SCHEMA_NAME        "guardian_verdict"
#define HEADERS_MAX        6

#define AG_NAME(name, str) str,
static const char *const provider_names[] = {AG_PROVIDERS(AG_NAME)};
#undef AG_NAME

const char *
ag_provider_name(enum ag_provider p)
{
	return p >= 0 && p < AG_PROVIDER_COUNT ? provider_names[p] : "?";
}

int
ag_provider_lookup(const char *name)
{
	for (int i = 0; name != NULL && i < AG_PROVIDER_COUNT; i++)
		if (strcmp(provider_names[i], name) == 0)
			return i;
	return -1;
}

const char *
ag_provider_default_base_url(enum ag_provider p)
{
	return p == AG_PROVIDER_ANTHROPIC ? "https://api.anthropic.com/v1"
	                                  : "https://api.openai.com/v1";
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
ag_provider_call_clear(struct ag_provider_call *c)
{
	free(c->url);
	for (char **h = c->headers; h && *h; h++)
		wipe_free(*h);
	free(c->headers);
	free(c->body);
	memset(c, 0, sizeof *c);
}

void
ag_provider_answer_clear(struct ag_provider_answer *a)
{
	free(a->text);
	memset(a, 0, sizeof *a);
}

/* The official OpenAI endpoint wants max_completion_tokens (newer models
 * refuse max_tokens); the compatible servers know max_tokens. */
static int
is_openai_cloud(const char *base)
{
	const char *host = strstr(base, "://");
	host = host ? host + 3 : base;
	return strncasecmp(host, "api.openai.com", 14) == 0 &&
	       (host[14] == '\0' || host[14] == '/' || host[14] == ':');
}

static cJSON *
message(const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", content);
	return m;
}

static cJSON *
body_chat(const struct ag_provider_options *o, const char *base, const struct ag_prompt *p,
          int max_tokens)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "model", o->model);
	cJSON *msgs = cJSON_AddArrayToObject(b, "messages");
	cJSON_AddItemToArray(msgs, message("system", p->system));
	cJSON_AddItemToArray(msgs, message("user", p->user));
	cJSON_AddNumberToObject(b, is_openai_cloud(base) ? "max_completion_tokens" : "max_tokens",
	                        max_tokens);
	if (o->schema) {
		cJSON *rf = cJSON_AddObjectToObject(b, "response_format");
		cJSON_AddStringToObject(rf, "type", "json_schema");
		cJSON *js = cJSON_AddObjectToObject(rf, "json_schema");
		cJSON_AddStringToObject(js, "name", SCHEMA_NAME);
		cJSON_AddBoolToObject(js, "strict", 1);
		cJSON_AddItemToObject(js, "schema", ag_verdict_schema());
	}
	return b;
}

static cJSON *
body_responses(const struct ag_provider_options *o, const struct ag_prompt *p, int max_tokens)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "model", o->model);
	cJSON_AddStringToObject(b, "instructions", p->system);
	cJSON *input = cJSON_AddArrayToObject(b, "input");
	cJSON_AddItemToArray(input, message("user", p->user));
	cJSON_AddNumberToObject(b, "max_output_tokens", max_tokens);
	cJSON_AddBoolToObject(b, "store", 0);
	if (o->schema) {
		cJSON *text = cJSON_AddObjectToObject(b, "text");
		cJSON *fmt = cJSON_AddObjectToObject(text, "format");
		cJSON_AddStringToObject(fmt, "type", "json_schema");
		cJSON_AddStringToObject(fmt, "name", SCHEMA_NAME);
		cJSON_AddBoolToObject(fmt, "strict", 1);
		cJSON_AddItemToObject(fmt, "schema", ag_verdict_schema());
	}
	return b;
}

static cJSON *
body_anthropic(const struct ag_provider_options *o, const struct ag_prompt *p, int max_tokens)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "model", o->model);
	cJSON_AddNumberToObject(b, "max_tokens", max_tokens);
	cJSON_AddStringToObject(b, "system", p->system);
	cJSON *msgs = cJSON_AddArrayToObject(b, "messages");
	cJSON_AddItemToArray(msgs, message("user", p->user));
	if (o->schema) {
		cJSON *tools = cJSON_AddArrayToObject(b, "tools");
		cJSON *tool = cJSON_CreateObject();
		cJSON_AddItemToArray(tools, tool);
		cJSON_AddStringToObject(tool, "name", AG_PROVIDER_TOOL);
		cJSON_AddStringToObject(tool, "description",
		                        "Record the verdict on the reviewed action.");
		cJSON_AddItemToObject(tool, "input_schema", ag_verdict_schema());
		cJSON *choice = cJSON_AddObjectToObject(b, "tool_choice");
		cJSON_AddStringToObject(choice, "type", "tool");
		cJSON_AddStringToObject(choice, "name", AG_PROVIDER_TOOL);
	}
	return b;
}

/* Printable ASCII without spaces: anything else could split a header. */
static int
key_valid(const char *k)
{
	for (; *k; k++)
		if (*k <= 0x20 || *k >= 0x7f)
			return 0;
	return 1;
}

int
ag_provider_build(const struct ag_provider_options *o, const struct ag_prompt *prompt,
                  struct ag_provider_call *out, struct ag_error *err)
{
	memset(out, 0, sizeof *out);
	const char *base =
	    o->base_url && *o->base_url ? o->base_url : ag_provider_default_base_url(o->provider);
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
		return ag_fail(err, "guardian_base_url: expected an http:// or https:// URL");
	if (o->model == NULL || *o->model == '\0')
		return ag_fail(err, "guardian_model: no model configured");
	if (o->api_key && !key_valid(o->api_key))
		return ag_fail(err, "the API key contains spaces or control characters");
	size_t blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	const char *path = o->provider == AG_PROVIDER_OPENAI      ? "/chat/completions"
	                   : o->provider == AG_PROVIDER_RESPONSES ? "/responses"
	                                                          : "/messages";
	int max_tokens = o->max_tokens > 0 ? o->max_tokens : DEFAULT_MAX_TOKENS;
	cJSON *body = o->provider == AG_PROVIDER_OPENAI ? body_chat(o, base, prompt, max_tokens)
	              : o->provider == AG_PROVIDER_RESPONSES
	                  ? body_responses(o, prompt, max_tokens)
	                  : body_anthropic(o, prompt, max_tokens);
	out->url = xasprintf("%.*s%s", (int)blen, base, path);
	out->body = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (out->body == NULL) {
		ag_provider_call_clear(out);
		return ag_fail(err, "out of memory printing the request body");
	}
	out->body_len = strlen(out->body);
	out->headers = xcalloc(HEADERS_MAX + 1, sizeof *out->headers);
	int n = 0;
	out->headers[n++] = xstrdup("Content-Type: application/json");
	out->headers[n++] = xstrdup("Accept: application/json");
	int has_key = o->api_key && *o->api_key;
	if (o->provider == AG_PROVIDER_ANTHROPIC) {
		out->headers[n++] = xstrdup("anthropic-version: 2023-06-01");
		if (has_key)
			out->headers[n++] = xasprintf("x-api-key: %s", o->api_key);
	} else if (has_key) {
		out->headers[n++] = xasprintf("Authorization: Bearer %s", o->api_key);
	}
	return 0;
}

/* --- responses ------------------------------------------------------------ */

static const cJSON *
get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void
tokens(const cJSON *usage, const char *in, const char *out, struct ag_provider_answer *a)
{
	/* A server can send any number: only a plausible count converts
	 * (a cast of a huge double to int64_t is undefined). */
	const cJSON *ti = get(usage, in), *to = get(usage, out);
	if (cJSON_IsNumber(ti) && ti->valuedouble >= 0 && ti->valuedouble < 1e12)
		a->tokens_in = (int64_t)ti->valuedouble;
	if (cJSON_IsNumber(to) && to->valuedouble >= 0 && to->valuedouble < 1e12)
		a->tokens_out = (int64_t)to->valuedouble;
}

/* Printable ASCII only, cut: provider text goes into our error messages. */
static void
clean_copy(char *buf, size_t size, const char *s, size_t max)
{
	size_t n = 0;
	for (; s && *s && n < max && n + 1 < size; s++)
		buf[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : ' ';
	buf[n] = '\0';
}

static int
parse_chat(const cJSON *root, struct ag_provider_answer *a, struct ag_error *err)
{
	char q[200];
	tokens(get(root, "usage"), "prompt_tokens", "completion_tokens", a);
	const cJSON *choice = cJSON_GetArrayItem(get(root, "choices"), 0);
	if (!cJSON_IsObject(choice))
		return ag_fail(err, "choices[0]: missing");
	const cJSON *msg = get(choice, "message");
	if (!cJSON_IsObject(msg))
		return ag_fail(err, "choices[0].message: missing");
	const cJSON *refusal = get(msg, "refusal");
	if (cJSON_IsString(refusal) && *refusal->valuestring) {
		clean_copy(q, sizeof q, refusal->valuestring, 160);
		return ag_fail(err, "the model refused: %s", q);
	}
	const cJSON *finish = get(choice, "finish_reason");
	if (cJSON_IsString(finish) && strcmp(finish->valuestring, "length") == 0)
		return ag_fail(err, "the answer was cut by the token limit (finish_reason length)");
	const cJSON *content = get(msg, "content");
	if (!cJSON_IsString(content))
		return ag_fail(err, "choices[0].message.content: expected a string");
	a->text = xstrdup(content->valuestring);
	return 0;
}

static int
parse_responses(const cJSON *root, struct ag_provider_answer *a, struct ag_error *err)
{
	char q[200];
	tokens(get(root, "usage"), "input_tokens", "output_tokens", a);
	const cJSON *status = get(root, "status");
	if (!cJSON_IsString(status))
		return ag_fail(err, "status: expected a string");
	if (strcmp(status->valuestring, "completed") != 0) {
		const cJSON *why = get(get(root, "incomplete_details"), "reason");
		if (!cJSON_IsString(why))
			why = get(get(root, "error"), "message");
		clean_copy(q, sizeof q, cJSON_IsString(why) ? why->valuestring : "", 160);
		return ag_fail(err, "the response is %.32s%s%s", status->valuestring,
		               *q ? ": " : "", q);
	}
	const cJSON *output = get(root, "output");
	if (!cJSON_IsArray(output))
		return ag_fail(err, "output: expected an array");
	char *text = NULL;
	const cJSON *item;
	cJSON_ArrayForEach(item, output)
	{
		if (!cJSON_IsString(get(item, "type")) ||
		    strcmp(get(item, "type")->valuestring, "message") != 0)
			continue;
		const cJSON *part;
		cJSON_ArrayForEach(part, get(item, "content"))
		{
			const cJSON *type = get(part, "type");
			if (!cJSON_IsString(type))
				continue;
			if (strcmp(type->valuestring, "refusal") == 0) {
				const cJSON *r = get(part, "refusal");
				clean_copy(q, sizeof q, cJSON_IsString(r) ? r->valuestring : "",
				           160);
				free(text);
				return ag_fail(err, "the model refused: %s", q);
			}
			const cJSON *t = get(part, "text");
			if (strcmp(type->valuestring, "output_text") != 0 || !cJSON_IsString(t))
				continue;
			char *joined = xasprintf("%s%s", text ? text : "", t->valuestring);
			free(text);
			text = joined;
		}
	}
	if (text == NULL)
		return ag_fail(err, "output: no output_text in the response");
	a->text = text;
	return 0;
}

static int
parse_anthropic(const cJSON *root, int schema, struct ag_provider_answer *a, struct ag_error *err)
{
	tokens(get(root, "usage"), "input_tokens", "output_tokens", a);
	const cJSON *content = get(root, "content");
	if (!cJSON_IsArray(content))
		return ag_fail(err, "content: expected an array");
	const cJSON *stop = get(root, "stop_reason");
	const char *stop_reason = cJSON_IsString(stop) ? stop->valuestring : "";
	const cJSON *block;
	char *text = NULL;
	cJSON_ArrayForEach(block, content)
	{
		const cJSON *type = get(block, "type");
		if (!cJSON_IsString(type))
			continue;
		if (schema && strcmp(type->valuestring, "tool_use") == 0) {
			const cJSON *name = get(block, "name");
			const cJSON *input = get(block, "input");
			if (!cJSON_IsString(name) ||
			    strcmp(name->valuestring, AG_PROVIDER_TOOL) != 0)
				continue;
			if (!cJSON_IsObject(input)) {
				free(text);
				return ag_fail(err, "tool_use.input: expected an object");
			}
			free(text);
			a->text = cJSON_PrintUnformatted(input);
			return a->text ? 0 : ag_fail(err, "out of memory");
		}
		const cJSON *t = get(block, "text");
		if (strcmp(type->valuestring, "text") == 0 && cJSON_IsString(t)) {
			char *joined = xasprintf("%s%s", text ? text : "", t->valuestring);
			free(text);
			text = joined;
		}
	}
	if (strcmp(stop_reason, "max_tokens") == 0) {
		free(text);
		return ag_fail(err,
		               "the answer was cut by the token limit (stop_reason max_tokens)");
	}
	if (strcmp(stop_reason, "refusal") == 0) {
		free(text);
		return ag_fail(err, "the model refused");
	}
	if (schema) {
		free(text);
		return ag_fail(err, "the model did not call %s", AG_PROVIDER_TOOL);
	}
	if (text == NULL)
		return ag_fail(err, "content: no text in the response");
	a->text = text;
	return 0;
}

int
ag_provider_parse(const struct ag_provider_options *o, const char *body, size_t len,
                  struct ag_provider_answer *out, struct ag_error *err)
{
	memset(out, 0, sizeof *out);
	out->strict = o->schema;
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (root == NULL)
		return ag_fail(err, "the response body is not JSON");
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ag_fail(err, "the response body is not a JSON object");
	}
	int rc;
	switch (o->provider) {
	case AG_PROVIDER_OPENAI: rc = parse_chat(root, out, err); break;
	case AG_PROVIDER_RESPONSES: rc = parse_responses(root, out, err); break;
	case AG_PROVIDER_ANTHROPIC: rc = parse_anthropic(root, o->schema, out, err); break;
	default: rc = ag_fail(err, "unknown provider");
	}
	cJSON_Delete(root);
	if (rc != 0) {
		free(out->text);
		out->text = NULL;
	}
	return rc;
}

void
ag_provider_error_message(const char *body, size_t len, char *buf, size_t size)
{
	buf[0] = '\0';
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (root == NULL)
		return;
	const cJSON *e = get(root, "error");
	const cJSON *m = cJSON_IsString(e) ? e : get(e, "message");
	if (!cJSON_IsString(m))
		m = get(root, "message");
	if (cJSON_IsString(m))
		clean_copy(buf, size, m->valuestring, 160);
	cJSON_Delete(root);
}
