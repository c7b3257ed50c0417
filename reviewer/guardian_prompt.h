/* The Guardian's prompt: a trusted system part (the policy, how to read the
 * evidence, what to answer) and an untrusted user part (the evidence).
 *
 * Evidence is everything the agent sent or that quotes it: the action as
 * sorted-key JSON, the cwd and the justification, the local risk result,
 * the session's recent decisions. Each piece sits between delimiters that
 * carry a fresh random nonce ("<evidence-9f3c...>"), and each piece is
 * printed as JSON in pure ASCII with '<' and '>' escaped (\u003c, \u003e):
 * evidence therefore contains no '<' at all, so it cannot close its block
 * or forge another, whether or not it guesses the nonce. */
#ifndef AGATE_REVIEWER_GUARDIAN_PROMPT_H
#define AGATE_REVIEWER_GUARDIAN_PROMPT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/request.h"
#include "core/risk.h"

/* Bumped when the prompt's wording changes, so cached verdicts made with
 * the old wording are not reused. */
#define AG_PROMPT_VERSION 1

/* Long strings in the action (a diff, a heredoc) are cut to keep the
 * prompt bounded; the cut is marked so the model knows it saw a part. */
#define AG_PROMPT_ACTION_MAX (128 * 1024)

#define AG_PROMPT_NONCE_LEN 32 /* hex characters */

struct ag_prompt_input {
	const char *policy; /* the policy text (trusted) */
	const struct ag_request *req;
	const struct ag_risk *risk; /* the engine's result */
	const char *rule;           /* the matched rule, or NULL */
	int needs_human;
	const cJSON *history; /* the session's recent decisions (array), or NULL */
	int schema;           /* the provider enforces the JSON schema */
	const char *nonce;    /* NULL: fresh random; tests pass a fixed one */
};

struct ag_prompt {
	char *system; /* owned */
	char *user;   /* owned */
	char nonce[AG_PROMPT_NONCE_LEN + 1];
	int truncated; /* some of the action was cut */
};

/* Fills *out (caller clears). Fails only on a nonce that is not hex. */
int ag_prompt_build(const struct ag_prompt_input *in, struct ag_prompt *out, struct ag_error *err);
void ag_prompt_clear(struct ag_prompt *p);

/* One piece of evidence: value as sorted-key JSON, in ASCII, with '<', '>'
 * and '&' as \u escapes. Caller frees. */
char *ag_prompt_evidence(const cJSON *value);

/* Fills buf (>= AG_PROMPT_NONCE_LEN + 1) with random hex. */
void ag_prompt_nonce(char *buf);

#endif
