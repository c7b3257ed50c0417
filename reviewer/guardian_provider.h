/* One code path per model API: how a prompt becomes a request (URL,
 * headers, JSON body asking for structured output) and how a response body
 * becomes the verdict text and the token counts.
 *
 *   openai     Chat Completions: OpenAI, Ollama, vLLM, llama.cpp server,
 *              LM Studio. response_format json_schema (strict).
 *   responses  OpenAI Responses. text.format json_schema (strict).
 *   anthropic  Anthropic Messages. A forced tool call whose input_schema is
 *              the verdict; the tool input is the verdict object.
 *
 * The key goes in exactly one header (Authorization: Bearer, or x-api-key)
 * and nowhere else: not in the URL, not in the body. */
#ifndef AGATE_REVIEWER_GUARDIAN_PROVIDER_H
#define AGATE_REVIEWER_GUARDIAN_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "reviewer/guardian_prompt.h"

#define AG_PROVIDERS(X)           \
	X(OPENAI, "openai")       \
	X(RESPONSES, "responses") \
	X(ANTHROPIC, "anthropic")

#define AG_ENUM_PROVIDER(name, str) AG_PROVIDER_##name,
enum ag_provider { AG_PROVIDERS(AG_ENUM_PROVIDER) AG_PROVIDER_COUNT };
#undef AG_ENUM_PROVIDER

const char *ag_provider_name(enum ag_provider p);
int ag_provider_lookup(const char *name); /* -1 when unknown */
/* The public endpoint when no base URL is configured. */
const char *ag_provider_default_base_url(enum ag_provider p);

/* The name of the tool the Anthropic path forces. */
#define AG_PROVIDER_TOOL "record_verdict"

struct ag_provider_options {
	enum ag_provider provider;
	const char *base_url; /* NULL or "": the default */
	const char *model;
	const char *api_key; /* NULL or "": none sent (a local server) */
	int schema;          /* ask for structured output (1), or prose (0) */
	int max_tokens;      /* 0: 1024 */
};

struct ag_provider_call {
	char *url;      /* owned */
	char **headers; /* owned, NULL-terminated "Name: value"; one holds the key */
	char *body;     /* owned JSON */
	size_t body_len;
};
/* Wipes the header that held the key before freeing. */
void ag_provider_call_clear(struct ag_provider_call *c);

int ag_provider_build(const struct ag_provider_options *o, const struct ag_prompt *prompt,
                      struct ag_provider_call *out, struct ag_error *err);

struct ag_provider_answer {
	char *text; /* owned: the verdict text (JSON, or prose around it) */
	int strict; /* the API enforced the schema: parse strictly */
	int64_t tokens_in, tokens_out;
};
void ag_provider_answer_clear(struct ag_provider_answer *a);

/* Parses a 2xx body. Fails with a reason for a refusal, an answer cut by
 * the token limit, a missing or malformed field ("choices[0].message.content:
 * expected a string"). Token counts are filled even when it fails, if the
 * body had them. */
int ag_provider_parse(const struct ag_provider_options *o, const char *body, size_t len,
                      struct ag_provider_answer *out, struct ag_error *err);

/* The provider's own message from an error body ({"error":{"message":..}}),
 * cut to 160 bytes and reduced to printable ASCII, written to buf; "" when
 * the body has none. */
void ag_provider_error_message(const char *body, size_t len, char *buf, size_t size);

#endif
