/* Starting and stopping tests/fake_model from a test: the server runs as a
 * child process on an ephemeral port, recording what it received. */
#ifndef AGATE_TESTS_FAKE_MODEL_SPAWN_H
#define AGATE_TESTS_FAKE_MODEL_SPAWN_H

#include <sys/types.h>

#include <cjson/cJSON.h>

struct fake_model {
	pid_t pid;
	int port;
	char base_url[64];     /* http://127.0.0.1:PORT/v1 */
	char record_path[256]; /* where it records requests */
};

/* Starts the server with these extra arguments (NULL-terminated, may be
 * NULL). The binary is $AGATE_FAKE_MODEL, else
 * $AGATE_BUILDDIR/tests/fake_model/fake_model. Aborts the test run on
 * failure (a test cannot go on without it). */
void fake_model_start(struct fake_model *fm, const char *const *args);
/* SIGTERM, wait, remove the record file. */
void fake_model_stop(struct fake_model *fm);
/* The recorded requests as a JSON array (caller deletes); [] when none. */
cJSON *fake_model_requests(const struct fake_model *fm);
/* Number of requests recorded. */
int fake_model_count(const struct fake_model *fm);

#endif
