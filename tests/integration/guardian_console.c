/* guardian_console — stands in for a human's console in the Guardian's
 * end-to-end tests: a subscriber named "console" (which is how the reviewer
 * knows a human is attached) that records every frame it receives and can
 * press the console's `g` key (a review_request for an id).
 *
 *   guardian_console [--bus DIR] [--record FILE] [--review ID]... [--for MS]
 *
 * Prints "ready" on stdout once connected; runs until SIGTERM or --for. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/clock.h"
#include "ipc/client.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	const char *bus = NULL, *record = NULL;
	const char *reviews[16];
	int nreviews = 0;
	long run_ms = -1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--bus") == 0)
			bus = argv[i + 1];
		else if (strcmp(argv[i], "--record") == 0)
			record = argv[i + 1];
		else if (strcmp(argv[i], "--review") == 0 && nreviews < 16)
			reviews[nreviews++] = argv[i + 1];
		else if (strcmp(argv[i], "--for") == 0)
			run_ms = atol(argv[i + 1]);
		else {
			fprintf(stderr, "guardian_console: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct ag_client_opts o = {.bus_dir = bus, .role = AG_ROLE_SUBSCRIBER, .name = "console"};
	struct ag_client *c = NULL;
	struct ag_error err;
	if (ag_client_connect(&o, &c, &err) != 0) {
		fprintf(stderr, "guardian_console: %s\n", err.msg);
		return 1;
	}
	for (int i = 0; i < nreviews; i++) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "v", 1);
		cJSON_AddStringToObject(f, "type", "review_request");
		cJSON_AddStringToObject(f, "id", reviews[i]);
		int rc = ag_client_send(c, f, &err);
		cJSON_Delete(f);
		if (rc != 0) {
			fprintf(stderr, "guardian_console: %s\n", err.msg);
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	FILE *out = record ? fopen(record, "a") : NULL;
	int64_t until = run_ms >= 0 ? ag_clock_mono_ms() + run_ms : -1;
	while (!stop && (until < 0 || ag_clock_mono_ms() < until)) {
		cJSON *f = NULL;
		int rc = ag_client_recv(c, 200, &f, &err);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		if (out != NULL) {
			char *text = cJSON_PrintUnformatted(f);
			fprintf(out, "%s\n", text);
			fflush(out);
			cJSON_free(text);
		}
		cJSON_Delete(f);
	}
	if (out)
		fclose(out);
	ag_client_close(&c);
	return 0;
}
