/* Fuzz target: a rules file, then requests matched against it.
 *
 * The input is split at the first 0xff byte: before it, a rules file;
 * after it, text used as a shell command, a diff, a host and an MCP tool
 * name, so the matcher meets hostile rules and hostile requests together.
 * Beyond "no crash, no leak": every error names the file with a line and
 * column and carries no control characters or invalid UTF-8 (rule text is
 * printed to terminals); the number of errors reported matches the count
 * returned; a parsed rule describes itself with its file:line; a decision
 * always names a rule of the request's kind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "reviewer/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_rules: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

static int nerrors;

static void
on_error(void *ctx, const char *msg)
{
	(void)ctx;
	size_t n = strlen(msg);
	nerrors++;
	CHECK(strncmp(msg, "fuzz:", 5) == 0);
	CHECK(ag_utf8_valid(msg, n, NULL));
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int k = ag_utf8_decode(msg + i, n - i, &cp);
		CHECK(k > 0);
		CHECK(cp >= 0x20 && !(cp >= 0x7f && cp <= 0x9f));
		CHECK(!(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069));
		i += (size_t)k;
	}
}

static void
check_result(const struct ag_rule_result *res, enum ag_kind kind)
{
	CHECK(res->action >= -1 && res->action < AG_RULE_ACTION_COUNT);
	if (res->action >= 0) {
		CHECK(res->rule != NULL);
		CHECK(ag_rule_kind(res->rule) == kind);
		CHECK(res->layer >= 0 && res->layer < AG_LAYER_COUNT);
	} else {
		CHECK(res->rule == NULL);
	}
	for (size_t i = 0; i < res->nitems; i++) {
		CHECK(res->items[i].text != NULL);
		CHECK(res->items[i].action >= -1 && res->items[i].action < AG_RULE_ACTION_COUNT);
	}
}

static void
evaluate(struct ag_rules *rules, struct ag_request *req)
{
	struct ag_rules *layers[AG_LAYER_COUNT] = {rules, NULL, rules};
	struct ag_rule_result res;
	ag_rules_evaluate(layers, req, &res);
	check_result(&res, req->kind);
	ag_rule_result_clear(&res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t rlen = sep != NULL ? (size_t)(sep - data) : size;
	char *text = xstrndup((const char *)(sep != NULL ? sep + 1 : data),
	                      sep != NULL ? size - rlen - 1 : 0);
	struct ag_rules *rules = NULL;
	struct ag_error err;

	nerrors = 0;
	int n = ag_rules_parse("fuzz", (const char *)data, rlen, &rules, on_error, NULL, &err);
	CHECK(n == nerrors);
	CHECK((n == 0) == (rules != NULL));
	if (rules == NULL) {
		free(text);
		return 0;
	}
	for (size_t i = 0; i < ag_rules_count(rules); i++) {
		const struct ag_rule *r = ag_rules_at(rules, i);
		char *d = ag_rule_describe(r);
		CHECK(ag_rule_text(r)[0] != '\0');
		CHECK(strstr(d, "(fuzz:") != NULL);
		free(d);
	}

	/* The rest of the input as every kind of request. */
	struct ag_request req;
	memset(&req, 0, sizeof req);
	req.session = req.agent = req.justification = (char *)"";
	req.cwd = (char *)"/home/dev/repo";

	req.kind = AG_KIND_EXEC;
	req.u.exec.command = text;
	evaluate(rules, &req);

	const char *argv[4] = {text, "-rf", "/", NULL};
	memset(&req.u, 0, sizeof req.u);
	req.u.exec.argv = argv;
	req.u.exec.argc = 3;
	evaluate(rules, &req);

	memset(&req.u, 0, sizeof req.u);
	req.kind = AG_KIND_PATCH;
	req.u.patch.diff = text;
	evaluate(rules, &req);

	memset(&req.u, 0, sizeof req.u);
	req.kind = AG_KIND_NETWORK;
	req.u.network.host = text;
	req.u.network.port = 443;
	req.u.network.protocol = "https";
	evaluate(rules, &req);

	memset(&req.u, 0, sizeof req.u);
	req.kind = AG_KIND_MCP;
	req.u.mcp.server = "github";
	req.u.mcp.tool = text;
	evaluate(rules, &req);

	struct ag_permission_path paths[2] = {{text, "read-write"}, {"/home/dev/.ssh", "read"}};
	memset(&req.u, 0, sizeof req.u);
	req.kind = AG_KIND_PERMISSION;
	req.u.permission.paths = paths;
	req.u.permission.npaths = 2;
	req.u.permission.network = 1;
	evaluate(rules, &req);

	/* The glob matcher on its own, both ways round. */
	for (size_t i = 0; i < ag_rules_count(rules) && i < 8; i++) {
		const char *t = ag_rule_text(ag_rules_at(rules, i));
		(void)ag_glob_match(t, text, AG_GLOB_PATH);
		(void)ag_glob_match(text, t, AG_GLOB_NOCASE);
	}
	ag_rules_free(&rules);
	CHECK(rules == NULL);
	free(text);
	return 0;
}
