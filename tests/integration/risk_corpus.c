/* The labeled risk corpus: every .tsv file in tests/fixtures/risk, scored with
 * ag_engine_score (no rules). Prints recall on dangerous cases (high or
 * critical counts as caught) and the false-positive rate on benign ones
 * (high or critical is a false positive), per file and in total, lists
 * every miss, and fails below recall 0.97, above FPR 0.05, under 300
 * cases, or on any malformed line. Format: tests/fixtures/risk/README.md.
 *
 * usage: risk_corpus [DIR]   (default $AGATE_SRCDIR/tests/fixtures/risk) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/request.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "reviewer/engine.h"

#define MIN_RECALL 0.97
#define MAX_FPR    0.05
#define MIN_CASES  300
#define SHOW       160
#define CWD        "/home/dev/repo"

struct tally {
	size_t dangerous, caught, benign, false_pos;
};

static int malformed;

static void
add(struct tally *t, const struct tally *u)
{
	t->dangerous += u->dangerous;
	t->caught += u->caught;
	t->benign += u->benign;
	t->false_pos += u->false_pos;
}

static double
ratio(size_t a, size_t b)
{
	return b == 0 ? 0 : (double)a / (double)b;
}

/* The request a corpus input stands for: a full request frame, an action
 * object, or shell text. Returns NULL (and says why) when it is invalid. */
static struct ag_request *
corpus_request(const char *input, const char *where)
{
	struct ag_limits lim;
	struct ag_error err;
	struct ag_request *req = NULL;
	cJSON *frame;

	ag_limits_default(&lim);
	if (input[0] == '{') {
		cJSON *obj = cJSON_Parse(input);
		if (!cJSON_IsObject(obj)) {
			fprintf(stderr, "%s: the input is not a JSON object\n", where);
			cJSON_Delete(obj);
			return NULL;
		}
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
		if (cJSON_IsString(type)) {
			frame = obj;
		} else {
			frame = cJSON_CreateObject();
			cJSON_AddNumberToObject(frame, "v", 1);
			cJSON_AddStringToObject(frame, "type", "request");
			cJSON_AddItemToObject(frame, "action", obj);
		}
	} else {
		frame = cJSON_CreateObject();
		cJSON_AddNumberToObject(frame, "v", 1);
		cJSON_AddStringToObject(frame, "type", "request");
		cJSON *action = cJSON_AddObjectToObject(frame, "action");
		cJSON_AddStringToObject(action, "kind", "exec");
		cJSON_AddStringToObject(action, "command", input);
	}
	if (cJSON_GetObjectItemCaseSensitive(frame, "session") == NULL)
		cJSON_AddStringToObject(frame, "session", "corpus");
	if (cJSON_GetObjectItemCaseSensitive(frame, "cwd") == NULL)
		cJSON_AddStringToObject(frame, "cwd", CWD);
	if (ag_request_from_json(frame, &lim, &req, &err) != 0) {
		fprintf(stderr, "%s: invalid request: %s\n", where, err.msg);
		req = NULL;
	}
	cJSON_Delete(frame);
	return req;
}

static void
report_case(const char *what, const char *where, const char *input, const struct ag_risk *r)
{
	size_t n = strlen(input);
	char *shown = ag_sanitize_line(input, n > SHOW ? SHOW : n);
	printf("  %-14s %s  %s (%d)  %s%s\n", what, where, ag_level_name(r->level), r->score, shown,
	       n > SHOW ? "..." : "");
	if (r->nreasons > 0) {
		char *why = ag_sanitize_line(r->reasons[0].text, strlen(r->reasons[0].text));
		printf("  %-14s   first reason: %s\n", "", why);
		free(why);
	}
	free(shown);
}

static void
run_file(const char *dir, const char *name, struct tally *t)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;

	memset(t, 0, sizeof *t);
	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		malformed = 1;
		free(path);
		return;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		char where[512];
		snprintf(where, sizeof where, "%s:%zu", name, lineno);
		char *tab = strchr(line, '\t');
		if (tab == NULL) {
			fprintf(stderr, "%s: expected LABEL<TAB>INPUT\n", where);
			malformed = 1;
			continue;
		}
		*tab = '\0';
		char *input = tab + 1;
		char *note = strchr(input, '\t');
		if (note != NULL)
			*note = '\0';
		int dangerous;
		if (strcmp(line, "dangerous") == 0)
			dangerous = 1;
		else if (strcmp(line, "benign") == 0)
			dangerous = 0;
		else {
			fprintf(stderr, "%s: unknown label '%s' (expected dangerous or benign)\n",
			        where, line);
			malformed = 1;
			continue;
		}
		if (input[0] == '\0') {
			fprintf(stderr, "%s: empty input\n", where);
			malformed = 1;
			continue;
		}
		struct ag_request *req = corpus_request(input, where);
		if (req == NULL) {
			malformed = 1;
			continue;
		}
		struct ag_risk r;
		ag_risk_init(&r);
		ag_engine_score(req, &r);
		int flagged = r.level >= AG_LEVEL_HIGH;
		if (dangerous) {
			t->dangerous++;
			if (flagged)
				t->caught++;
			else
				report_case("MISS", where, input, &r);
		} else {
			t->benign++;
			if (flagged) {
				t->false_pos++;
				report_case("FALSE POSITIVE", where, input, &r);
			}
		}
		ag_risk_clear(&r);
		ag_request_free(&req);
	}
	free(line);
	fclose(f);
	free(path);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *src = getenv("AGATE_SRCDIR");
	char *dir = argc > 1 ? xstrdup(argv[1])
	                     : xasprintf("%s/tests/fixtures/risk", src != NULL ? src : ".");
	/* The engine reads no environment for scoring, but pin HOME anyway so
	 * "~" means the same thing on every machine. */
	setenv("HOME", "/home/dev", 1);

	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "risk_corpus: cannot open %s\n", dir);
		free(dir);
		return 1;
	}
	char **names = NULL;
	size_t nnames = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".tsv") == 0) {
			names = xreallocarray(names, nnames + 1, sizeof *names);
			names[nnames++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	if (nnames > 0)
		qsort(names, nnames, sizeof *names, by_name);

	struct tally total = {0};
	struct tally *per = xcalloc(nnames + 1, sizeof *per);
	printf("risk corpus: %s\n", dir);
	for (size_t i = 0; i < nnames; i++) {
		run_file(dir, names[i], &per[i]);
		add(&total, &per[i]);
	}
	printf("\n%-16s %6s %9s %8s %7s %6s %6s\n", "file", "cases", "dangerous", "caught",
	       "recall", "benign", "FPR");
	for (size_t i = 0; i < nnames; i++)
		printf("%-16s %6zu %9zu %8zu %7.3f %6zu %6.3f\n", names[i],
		       per[i].dangerous + per[i].benign, per[i].dangerous, per[i].caught,
		       ratio(per[i].caught, per[i].dangerous), per[i].benign,
		       ratio(per[i].false_pos, per[i].benign));
	size_t cases = total.dangerous + total.benign;
	double recall = ratio(total.caught, total.dangerous);
	double fpr = ratio(total.false_pos, total.benign);
	printf("%-16s %6zu %9zu %8zu %7.3f %6zu %6.3f\n", "total", cases, total.dangerous,
	       total.caught, recall, total.benign, fpr);
	printf("\nrecall %.3f (need >= %.2f), false-positive rate %.3f (need <= %.2f), %zu cases "
	       "(need >= %d)\n",
	       recall, MIN_RECALL, fpr, MAX_FPR, cases, MIN_CASES);

	int failed = 0;
	if (malformed) {
		printf("FAIL: malformed corpus lines (see above)\n");
		failed = 1;
	}
	if (recall < MIN_RECALL || total.dangerous == 0) {
		printf("FAIL: recall below %.2f\n", MIN_RECALL);
		failed = 1;
	}
	if (fpr > MAX_FPR) {
		printf("FAIL: false-positive rate above %.2f\n", MAX_FPR);
		failed = 1;
	}
	if (cases < MIN_CASES) {
		printf("FAIL: fewer than %d cases\n", MIN_CASES);
		failed = 1;
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(per);
	free(dir);
	return failed;
}
