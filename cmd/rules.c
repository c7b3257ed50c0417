/* agate rules check FILE... / agate rules explain -- CMD...
 *
 * check lists every error of every file (file:line:column), so one run
 * fixes a file. explain shows how the hub would judge a request: the items
 * it was split into, which rule matched each in which layer, the outcome,
 * and every risk reason. Anything that came from the command line or a
 * rule file passes through ag_sanitize_line before it is printed. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/assessment.h"
#include "core/request.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "reviewer/judge.h"
#include "reviewer/rules.h"

static void
rules_usage(FILE *out)
{
	fprintf(out, "usage: agate rules check FILE...\n"
	             "       agate rules explain [OPTIONS] -- COMMAND [ARG...]\n"
	             "       agate rules explain [OPTIONS] --action JSON\n\n"
	             "check    validate rule files; every error is listed as FILE:LINE:COLUMN.\n"
	             "         Exit status 0 when all files are valid, 1 otherwise.\n"
	             "explain  show how a request would be judged: the commands (or files, paths)\n"
	             "         it is made of, the rule that matched each in each layer, the\n"
	             "         outcome, and every risk reason. One COMMAND argument is shell\n"
	             "         text; several are an argv. --action takes an action object\n"
	             "         ({\"kind\":\"patch\",\"diff\":...}) for other kinds.\n\n"
	             "Options for explain:\n"
	             "  --system FILE    system rules (default /etc/agate/rules; '' for none)\n"
	             "  --user FILE      user rules (default $XDG_CONFIG_HOME/agate/rules)\n"
	             "  --project FILE   project rules (default: .agate/rules of the repository\n"
	             "                   holding --cwd)\n"
	             "  --cwd DIR        the request's working directory (default: here)\n"
	             "  --ceiling LEVEL  allow rules decide at or below LEVEL (default: config)\n\n"
	             "The rules file format is described in agate-rules(5).\n");
}

/* Prints s sanitized; the label is ours. */
static void
put_safe(FILE *out, const char *s)
{
	char *safe = ag_sanitize_line(s, strlen(s));
	fputs(safe, out);
	free(safe);
}

static void
print_error(void *ctx, const char *message)
{
	(void)ctx;
	fputs("agate rules: ", stderr);
	put_safe(stderr, message);
	fputc('\n', stderr);
}

static int
rules_check(int argc, char **argv)
{
	int failed = 0;
	if (argc < 1) {
		fprintf(stderr, "agate rules check: name at least one file\n");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		struct ag_rules *r = NULL;
		int n = ag_rules_load(argv[i], 0, &r, print_error, NULL, NULL);
		if (n > 0) {
			failed = 1;
			fprintf(stderr, "agate rules: ");
			put_safe(stderr, argv[i]);
			fprintf(stderr, ": %d error%s\n", n, n == 1 ? "" : "s");
		} else {
			put_safe(stdout, argv[i]);
			printf(": %zu rule%s, ok\n", ag_rules_count(r),
			       ag_rules_count(r) == 1 ? "" : "s");
		}
		ag_rules_free(&r);
	}
	return failed ? 1 : 0;
}

/* 'a b' -> shell text that parses back into the same argv. Caller frees. */
static char *
quote_argv(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	char *s = xmalloc(len), *o = s;
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			*o++ = ' ';
		*o++ = '\'';
		for (const char *c = argv[i]; *c != '\0'; c++) {
			if (*c == '\'') {
				memcpy(o, "'\\''", 4);
				o += 4;
			} else {
				*o++ = *c;
			}
		}
		*o++ = '\'';
	}
	*o = '\0';
	return s;
}

static struct ag_request *
build_request(cJSON *action, const char *cwd, struct ag_error *err)
{
	struct ag_limits lim;
	struct ag_request *req = NULL;
	cJSON *frame = cJSON_CreateObject();
	cJSON_AddNumberToObject(frame, "v", 1);
	cJSON_AddStringToObject(frame, "type", "request");
	cJSON_AddStringToObject(frame, "session", "explain");
	cJSON_AddStringToObject(frame, "cwd", cwd);
	cJSON_AddItemToObject(frame, "action", action);
	ag_limits_default(&lim);
	if (ag_request_from_json(frame, &lim, &req, err) != 0)
		req = NULL;
	cJSON_Delete(frame);
	return req;
}

static const char *
item_label(enum ag_kind kind)
{
	switch (kind) {
	case AG_KIND_EXEC: return "commands";
	case AG_KIND_PATCH: return "files";
	case AG_KIND_PERMISSION: return "paths";
	case AG_KIND_NETWORK: return "host";
	case AG_KIND_MCP: return "tool";
	default: return "items";
	}
}

static void
print_rule(const struct ag_rule *rule)
{
	put_safe(stdout, ag_rule_text(rule));
	printf("  (");
	put_safe(stdout, ag_rule_file(rule));
	printf(":%d)", ag_rule_line(rule));
}

static void
explain_print(const struct ag_request *req, const struct ag_assessment *a,
              const struct ag_rule_result *res, const char *const files[3], enum ag_level ceiling)
{
	char *summary = ag_request_summary(req);
	printf("request  %s: ", ag_kind_name(req->kind));
	put_safe(stdout, summary);
	free(summary);
	printf("\ncwd      ");
	put_safe(stdout, req->cwd);
	printf("\n\nlayers\n");
	for (int l = 0; l < AG_LAYER_COUNT; l++) {
		printf("  %-8s ", ag_rule_layer_name((enum ag_rule_layer)l));
		if (files[l] != NULL)
			put_safe(stdout, files[l]);
		else
			printf("(none)");
		printf("\n");
	}

	printf("\n%s\n", item_label(req->kind));
	if (res->nitems == 0)
		printf("  (no rule of this kind in any layer: nothing matched)\n");
	for (size_t i = 0; i < res->nitems; i++) {
		const struct ag_rule_item *it = &res->items[i];
		printf("  %zu. ", i + 1);
		put_safe(stdout, it->text);
		printf("\n");
		for (int l = 0; l < AG_LAYER_COUNT; l++) {
			if (files[l] == NULL)
				continue;
			printf("       %-8s ", ag_rule_layer_name((enum ag_rule_layer)l));
			if (it->match[l] != NULL)
				print_rule(it->match[l]);
			else
				printf("no match");
			printf("\n");
		}
	}

	printf("\nrule     ");
	if (res->rule != NULL) {
		print_rule(res->rule);
		printf("  [%s]\n", ag_rule_layer_name((enum ag_rule_layer)res->layer));
	} else {
		printf("none\n");
	}
	printf("outcome  ");
	if (a->decided && a->decision == AG_DECISION_DENY)
		printf("denied at once by policy\n");
	else if (a->decided)
		printf("approved at once by policy (risk %s, ceiling %s)\n",
		       ag_level_name(a->risk.level), ag_level_name(ceiling));
	else if (res->action == AG_RULE_ASK)
		printf("asks: only a human may approve (the Guardian only advises)\n");
	else if (res->action == AG_RULE_ALLOW)
		printf("not approved by the rule: risk %s is above the ceiling %s\n",
		       ag_level_name(a->risk.level), ag_level_name(ceiling));
	else
		printf("no rule decides: a human or the Guardian decides%s\n",
		       ag_assessment_needs_human(a) ? " (critical: a human only)" : "");

	printf("\nrisk     %s (%d)", ag_level_name(a->risk.level), a->risk.score);
	for (int bit = 0; bit < AG_CATEGORY_COUNT; bit++)
		if (a->risk.categories & (1u << bit))
			printf(" %s", ag_category_name((enum ag_category_bit)bit));
	printf("\n");
	for (size_t i = 0; i < a->risk.nreasons; i++) {
		const struct ag_reason *r = &a->risk.reasons[i];
		printf("  - ");
		put_safe(stdout, r->text);
		if (r->start >= 0 && req->kind == AG_KIND_EXEC && req->u.exec.command != NULL &&
		    (size_t)r->end <= strlen(req->u.exec.command)) {
			printf("  [");
			char *frag = ag_sanitize_line(req->u.exec.command + r->start,
			                              (size_t)(r->end - r->start));
			fputs(frag, stdout);
			free(frag);
			printf("]");
		}
		if (r->line > 0 && strncmp(r->text, "line ", 5) != 0)
			printf("  [diff line %d]", r->line);
		printf("\n");
	}
	if (a->risk.nreasons == 0)
		printf("  (no reasons)\n");
}

static int
rules_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},         {"system", required_argument, NULL, 's'},
	    {"user", required_argument, NULL, 'u'},   {"project", required_argument, NULL, 'p'},
	    {"cwd", required_argument, NULL, 'C'},    {"ceiling", required_argument, NULL, 'c'},
	    {"action", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0},
	};
	struct ag_judge_options opts;
	const char *cwd = NULL, *ceiling = NULL, *action_text = NULL;
	char here[PATH_MAX];
	int c;

	ag_judge_options_default(&opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': rules_usage(stdout); return 0;
		case 's': opts.system_path = optarg; break;
		case 'u': opts.user_path = optarg; break;
		case 'p': opts.project_path = optarg; break;
		case 'C': cwd = optarg; break;
		case 'c': ceiling = optarg; break;
		case 'a': action_text = optarg; break;
		default: rules_usage(stderr); return 2;
		}
	}
	if ((action_text == NULL) == (optind >= argc)) {
		fprintf(stderr, "agate rules explain: give a command after -- or --action JSON\n");
		return 2;
	}
	if (cwd == NULL)
		cwd = getcwd(here, sizeof here) != NULL ? here : "/";

	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, NULL, NULL) != 0)
		return 2;
	int level = ag_level_parse(ag_config_str(env.cfg, "rules_ceiling"));
	ag_cmd_env_free(&env);
	if (level >= 0)
		opts.ceiling = (enum ag_level)level;
	if (ceiling != NULL) {
		if ((level = ag_level_parse(ceiling)) < 0) {
			fprintf(stderr,
			        "agate rules explain: --ceiling: unknown level (expected low, "
			        "medium, high, critical)\n");
			return 2;
		}
		opts.ceiling = (enum ag_level)level;
	}

	cJSON *action;
	if (action_text != NULL) {
		action = cJSON_Parse(action_text);
		if (!cJSON_IsObject(action)) {
			fprintf(stderr, "agate rules explain: --action: expected a JSON object\n");
			cJSON_Delete(action);
			return 2;
		}
	} else {
		int n = argc - optind;
		char *text = n == 1 ? xstrdup(argv[optind]) : quote_argv(n, argv + optind);
		action = cJSON_CreateObject();
		cJSON_AddStringToObject(action, "kind", "exec");
		cJSON_AddStringToObject(action, "command", text);
		free(text);
	}
	struct ag_error err;
	struct ag_request *req = build_request(action, cwd, &err);
	if (req == NULL) {
		fprintf(stderr, "agate rules explain: ");
		put_safe(stderr, err.msg);
		fputc('\n', stderr);
		return 2;
	}
	struct ag_judge_ctx *judge = NULL;
	if (ag_judge_new_opts(&opts, &judge, &err) != 0) {
		fprintf(stderr, "agate rules explain: ");
		put_safe(stderr, err.msg);
		fputc('\n', stderr);
		ag_request_free(&req);
		return 2;
	}
	struct ag_assessment a;
	struct ag_rule_result res;
	const char *files[3];
	ag_assessment_init(&a);
	ag_judge_explain(judge, req, &a, &res, files);
	explain_print(req, &a, &res, files, opts.ceiling);
	ag_assessment_clear(&a);
	ag_judge_free(&judge);
	ag_request_free(&req);
	return 0;
}

int
cmd_rules(int argc, char **argv)
{
	if (argc < 2) {
		rules_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		rules_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "check") == 0) {
		int i = 2;
		if (i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			rules_usage(stdout);
			return 0;
		}
		if (i < argc && strcmp(argv[i], "--") == 0)
			i++;
		return rules_check(argc - i, argv + i);
	}
	if (strcmp(argv[1], "explain") == 0)
		return rules_explain(argc - 1, argv + 1);
	fprintf(stderr, "agate rules: unknown subcommand '");
	put_safe(stderr, argv[1]);
	fprintf(stderr, "' (expected check or explain)\n");
	return 2;
}
