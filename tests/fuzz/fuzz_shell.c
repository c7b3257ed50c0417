/* Fuzz target: arbitrary bytes as a shell command, through the parser and
 * the exec scorer, and (split at NUL bytes) as an argv.
 *
 * Beyond "no crash, no leak, no hang": every command's words, redirections,
 * pipeline and parent indexes are inside their arrays; every word's text is
 * NUL-terminated at its length; every span is -1 or inside the command;
 * the risk is well-formed (score 0..100, level in step, categories known)
 * and every reason's span is inside the command. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/risk.h"
#include "reviewer/engine.h"
#include "reviewer/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_shell: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

static void
check_span(int start, int end, size_t size)
{
	if (start < 0) {
		CHECK(start == -1 && end == -1);
		return;
	}
	CHECK(start <= end && (size_t)end <= size);
}

static void
check_parse(const char *text, size_t size)
{
	static struct ag_sh sh; /* reused, as the scorer reuses its own */
	static int ready;
	if (!ready) {
		ag_sh_init(&sh);
		ready = 1;
	}
	ag_sh_reset(&sh);
	struct ag_sh_origin o;
	ag_sh_origin_root(&o);
	ag_sh_parse(&sh, text, size, &o);
	for (size_t i = 0; i < sh.nwords; i++) {
		const struct ag_sh_word *w = &sh.words[i];
		CHECK(w->text + (size_t)w->len < sh.ntext);
		CHECK(sh.text[w->text + w->len] == '\0');
		check_span(w->start, w->end, size);
		CHECK(w->src_base == -1 ||
		      (w->src_base >= 0 && (size_t)w->src_base + w->len <= size));
		if (w->src_base >= 0 && !(w->flags & AG_SH_W_BODY))
			CHECK(memcmp(sh.text + w->text, text + w->src_base, w->len) == 0);
	}
	for (size_t i = 0; i < sh.ncmds; i++) {
		const struct ag_sh_cmd *c = &sh.cmds[i];
		CHECK(c->assign0 >= 0 && c->nassign >= 0 && c->word0 == c->assign0 + c->nassign);
		CHECK((size_t)(c->word0 + c->nwords) <= sh.nwords);
		CHECK(c->redir0 >= 0 && (size_t)(c->redir0 + c->nredir) <= sh.nredirs);
		CHECK(c->pipe >= 0 && (size_t)c->pipe < sh.npipes && c->stage >= 0);
		CHECK(c->stage < sh.pipes[c->pipe].nstages);
		CHECK(c->parent >= -1 && c->parent < (int)sh.ncmds);
		CHECK(c->parent_word >= -1 && c->parent_word < (int)sh.nwords);
		CHECK(c->func >= -1 && c->func < (int)sh.ncmds);
		for (int k = 0; k < c->nredir; k++) {
			const struct ag_sh_redir *r = &sh.redirs[c->redir0 + k];
			CHECK(r->target >= -1 && r->target < (int)sh.nwords);
			CHECK(r->body >= -1 && r->body < (int)sh.nwords);
			check_span(r->start, r->end, size);
		}
	}
	for (size_t i = 0; i < sh.npipes; i++) {
		CHECK(sh.pipes[i].parent_pipe >= -1 && sh.pipes[i].parent_pipe < (int)sh.npipes);
		CHECK(sh.pipes[i].nstages >= 0);
	}
}

static void
check_risk(const struct ag_risk *r, size_t size)
{
	CHECK(r->score >= 0 && r->score <= 100);
	CHECK(r->level == ag_risk_level_for_score(r->score));
	CHECK((r->categories & ~((1u << AG_CATEGORY_COUNT) - 1)) == 0);
	for (size_t i = 0; i < r->nreasons; i++) {
		CHECK(r->reasons[i].text != NULL && r->reasons[i].text[0] != '\0');
		check_span(r->reasons[i].start, r->reasons[i].end, size);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_parse(text, size);

	/* As a command: the request stops at the first NUL, as JSON would. */
	struct ag_request req;
	memset(&req, 0, sizeof req);
	req.kind = AG_KIND_EXEC;
	req.cwd = (char *)"/home/dev/repo";
	req.session = req.agent = req.justification = (char *)"";
	req.u.exec.command = text;
	struct ag_risk risk;
	ag_risk_init(&risk);
	ag_risk_exec(&req, &risk);
	check_risk(&risk, strlen(text));
	ag_risk_clear(&risk);

	/* As an argv: NUL-separated words, no shell. */
	const char *argv[65];
	size_t argc = 0;
	for (size_t i = 0; i <= size && argc < 64;) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[argc] = NULL;
	req.u.exec.command = NULL;
	req.u.exec.argv = argv;
	req.u.exec.argc = argc;
	ag_risk_init(&risk);
	ag_risk_exec(&req, &risk);
	check_risk(&risk, 0);
	for (size_t i = 0; i < risk.nreasons; i++)
		CHECK(risk.reasons[i].start == -1);
	ag_risk_clear(&risk);
	free(text);
	return 0;
}
