/* agate gc: retention. Deletes settled requests older than a cutoff with
 * everything that hangs off them, leaves the journal consistent (checked
 * afterwards), and gives the space back.
 *
 * Decisions are final in the schema; gc lifts that trigger only inside its
 * own short transactions (ag_journal_gc), so a running hub keeps working
 * and never sees the journal without it. Space: incremental vacuum when the
 * journal has it; otherwise one full VACUUM, which also turns incremental
 * vacuum on, but only while no hub is writing to the journal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/audit.h"
#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/clock.h"
#include "core/journal.h"

static void
gc_usage(FILE *out)
{
	fprintf(out, "usage: agate gc --older-than AGE [--dry-run] [--vacuum auto|full|none]\n"
	             "                [--no-check] [--journal FILE] [--bus DIR]\n\n"
	             "Delete decided and abandoned requests created more than AGE ago (30d, 12h,\n"
	             "2w), with their risk reasons, reviews and decisions, and the sessions and\n"
	             "session grants left without requests. Pending requests are kept.\n\n"
	             "  --older-than AGE  the cutoff, e.g. 30d\n"
	             "  --dry-run         count what would be deleted, change nothing\n"
	             "  --vacuum MODE     give space back: auto (incremental when the journal\n"
	             "                    has it, else a full VACUUM when no hub uses the\n"
	             "                    journal), full (VACUUM now; a hub's writes wait),\n"
	             "                    none\n"
	             "  --no-check        skip the integrity check afterwards\n\n"
	             "Exit status: 0 done, 2 error.\n");
}

struct dry {
	int64_t settled, pending;
};

static int
dry_row(void *ctx, const struct ag_journal_row *r)
{
	struct dry *d = ctx;
	if (strcmp(r->state, "pending") == 0)
		d->pending++;
	else
		d->settled++;
	return 0;
}

/* Whether the hub on our bus is writing to this very journal. */
static int
hub_uses(const struct ag_cmd_env *env)
{
	struct ag_client_opts o = {
	    .bus_dir = env->bus, .role = AG_ROLE_CONTROL, .name = "gc", .connect_timeout_ms = 1000};
	struct ag_client *c = NULL;
	struct ag_error err;
	if (ag_client_connect(&o, &c, &err) != 0)
		return 0;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "status");
	int rc = ag_client_send(c, f, &err);
	cJSON_Delete(f);
	f = NULL;
	int uses = 1; /* a hub answered; assume ours unless it says otherwise */
	if (rc == 0 && ag_client_recv(c, 3000, &f, &err) == 1) {
		const cJSON *jp = cJSON_GetObjectItemCaseSensitive(f, "journal");
		if (cJSON_IsString(jp) && strcmp(jp->valuestring, env->journal) != 0)
			uses = 0;
	}
	cJSON_Delete(f);
	ag_client_close(&c);
	return uses;
}

static void
print_size(int64_t bytes)
{
	if (bytes >= 1 << 20)
		printf("%.1f MiB", (double)bytes / (1 << 20));
	else
		printf("%.1f KiB", (double)bytes / 1024);
}

int
cmd_gc(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"older-than", required_argument, NULL, 'o'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"vacuum", required_argument, NULL, 'v'},
	    {"no-check", no_argument, NULL, 'C'},
	    {"batch", required_argument, NULL, 'b'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL, *journal = NULL, *vacuum = "auto", *age_text = NULL;
	int64_t age = -1;
	int dry_run = 0, check = 1, batch = 0, c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 'o':
			age_text = optarg;
			if ((age = ag_audit_parse_duration(optarg)) < 0) {
				fprintf(stderr,
				        "agate gc: --older-than: expected an age like 30d, 12h, "
				        "2w, got '%s'\n",
				        optarg);
				return 2;
			}
			break;
		case 'n': dry_run = 1; break;
		case 'v':
			if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "full") != 0 &&
			    strcmp(optarg, "none") != 0) {
				fprintf(stderr,
				        "agate gc: --vacuum: expected auto, full or none\n");
				return 2;
			}
			vacuum = optarg;
			break;
		case 'C': check = 0; break;
		case 'b': batch = atoi(optarg); break;
		case 'h': gc_usage(stdout); return 0;
		default: gc_usage(stderr); return 2;
		}
	}
	if (optind != argc || age < 0) {
		if (age < 0 && optind == argc)
			fprintf(stderr, "agate gc: --older-than is required (there is no default "
			                "retention)\n");
		gc_usage(stderr);
		return 2;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return 2;
	int64_t cutoff = ag_clock_wall_ms() - age;
	char when[32];
	time_t t = (time_t)(cutoff / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);

	int rc = 2;
	struct ag_error err;
	struct ag_journal *j = ag_audit_open("gc", env.journal, dry_run);
	if (j == NULL)
		goto out;
	if (dry_run) {
		struct ag_journal_query q;
		ag_journal_query_init(&q);
		q.include_pending = 1;
		q.until_ms = cutoff > 0 ? cutoff : 1;
		struct dry d = {0, 0};
		if (ag_journal_query(j, &q, dry_row, &d, &err) != 0) {
			fprintf(stderr, "agate gc: %s\n", err.msg);
			goto out;
		}
		printf(
		    "would delete %lld requests created before %s; %lld pending ones would stay\n",
		    (long long)d.settled, when, (long long)d.pending);
		rc = 0;
		goto out;
	}

	int64_t pages0 = 0, psize = 0;
	ag_journal_pages(j, &pages0, NULL, &psize, &err);
	struct ag_journal_gc_stats st;
	if (ag_journal_gc(j, cutoff, batch, &st, &err) != 0) {
		fprintf(stderr, "agate gc: %s\n", err.msg);
		goto out;
	}
	printf("deleted %lld requests created before %s (%lld decisions, %lld reviews, %lld risk "
	       "reasons), %lld sessions, %lld session grants\n",
	       (long long)st.requests, when, (long long)st.decisions, (long long)st.reviews,
	       (long long)st.reasons, (long long)st.sessions, (long long)st.grants);
	if (st.kept_pending)
		printf("kept %lld pending requests older than that\n", (long long)st.kept_pending);

	int64_t auto_vacuum_freed = 0;
	const char *mode = "none";
	int full = strcmp(vacuum, "full") == 0;
	if (strcmp(vacuum, "none") != 0) {
		int64_t free_pages = 0;
		ag_journal_pages(j, NULL, &free_pages, NULL, &err);
		if (ag_journal_compact(j, 0, &auto_vacuum_freed, &mode, &err) != 0) {
			fprintf(stderr, "agate gc: %s\n", err.msg);
			goto out;
		}
		if (strcmp(mode, "none") == 0 && !full && free_pages > 0) {
			if (hub_uses(&env))
				printf("space: %lld free pages stay in the file (the hub is using "
				       "it); "
				       "run `agate gc --older-than %s --vacuum full` when it is "
				       "stopped\n",
				       (long long)free_pages, age_text);
			else
				full = 1;
		}
		if (full && ag_journal_compact(j, 1, &auto_vacuum_freed, &mode, &err) != 0) {
			fprintf(stderr, "agate gc: %s\n", err.msg);
			goto out;
		}
	}
	int64_t pages1 = 0;
	ag_journal_pages(j, &pages1, NULL, NULL, &err);
	printf("journal: ");
	print_size(pages0 * psize);
	printf(" -> ");
	print_size(pages1 * psize);
	printf(" (vacuum: %s)\n", mode);
	if (check && ag_journal_check(j, &err) != 0) {
		fprintf(stderr, "agate gc: after gc: %s\n", err.msg);
		goto out;
	}
	if (check)
		printf("integrity and foreign key checks: ok\n");
	rc = 0;
out:
	ag_journal_close(&j);
	ag_cmd_env_free(&env);
	return rc;
}
