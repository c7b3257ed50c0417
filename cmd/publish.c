#include "cmd/publish.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/request.h"

static void
pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static const char *
frame_str(const cJSON *f, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Waits on one connection. Returns 1 with *decision, 0 when the hub went
 * away (reconnect), -1 on a final error. */
static int
await_decision(struct ag_client *c, const char *id, const struct ag_publish_opts *opts,
               int64_t deadline, cJSON **decision, struct ag_error *err)
{
	for (;;) {
		int64_t left = deadline - ag_clock_mono_ms();
		if (left <= 0)
			return ag_fail(err, "no decision for %s before the deadline", id);
		cJSON *f = NULL;
		struct ag_error rerr;
		int rc = ag_client_recv(c, left > 60000 ? 60000 : (int)left, &f, &rerr);
		if (rc < 0)
			return 0;
		if (rc == 0)
			continue;
		const char *type = ag_frame_type(f);
		const char *fid = frame_str(f, "id");
		const char *ref = frame_str(f, "ref");
		if (strcmp(type, "decision") == 0 && fid && strcmp(fid, id) == 0) {
			*decision = f;
			return 1;
		}
		if (strcmp(type, "ack") == 0 && opts->on_ack)
			opts->on_ack(opts->ctx, f);
		if (strcmp(type, "error") == 0 && (ref == NULL || strcmp(ref, id) == 0)) {
			const char *msg = frame_str(f, "error");
			ag_fail(err, "the hub refused the request: %s", msg ? msg : "(no reason)");
			cJSON_Delete(f);
			return -1;
		}
		cJSON_Delete(f);
	}
}

int
ag_publish(const struct ag_cmd_env *env, cJSON *request, const struct ag_publish_opts *opts,
           cJSON **decision, struct ag_error *err)
{
	char id[AG_ID_MAX + 1];
	const char *given = frame_str(request, "id");
	if (given != NULL) {
		snprintf(id, sizeof id, "%s", given);
	} else {
		/* Our own id, so that after a hub restart we can ask for this
		 * request again and get its one decision. */
		ag_id_generate(id, sizeof id, "r");
		cJSON_AddStringToObject(request, "id", id);
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(request, "timeout_ms");
	int64_t timeout = cJSON_IsNumber(t) && t->valuedouble > 0
	                      ? (int64_t)t->valuedouble
	                      : ag_config_ms(env->cfg, "timeout");
	int64_t deadline =
	    ag_clock_mono_ms() + (opts->deadline_ms > 0 ? opts->deadline_ms : timeout + 30000);
	int reconnect_ms = opts->reconnect_ms > 0 ? opts->reconnect_ms : 30000;
	int64_t lost_at = 0;

	for (;;) {
		struct ag_client_opts co = {
		    .bus_dir = env->bus,
		    .role = AG_ROLE_PUBLISHER,
		    .name = opts->name,
		    .autostart = 1,
		    .connect_timeout_ms = 5000,
		    .journal = env->journal,
		};
		struct ag_client *c = NULL;
		if (ag_client_connect(&co, &c, err) != 0) {
			if (lost_at == 0 || ag_clock_mono_ms() - lost_at > reconnect_ms ||
			    ag_clock_mono_ms() > deadline)
				return -1;
			pause_ms(100);
			continue;
		}
		lost_at = 0;
		int rc = -1;
		if (ag_client_send(c, request, err) == 0)
			rc = await_decision(c, id, opts, deadline, decision, err);
		else
			rc = 0;
		ag_client_close(&c);
		if (rc != 0)
			return rc > 0 ? 0 : -1;
		/* The hub went away with our request in its journal: a new hub
		 * reloads it; resending the same id reattaches us. */
		if (lost_at == 0)
			lost_at = ag_clock_mono_ms();
		if (ag_clock_mono_ms() - lost_at > reconnect_ms)
			return ag_fail(err, "lost the hub and could not reach a new one for %d ms",
			               reconnect_ms);
		pause_ms(20);
	}
}

int
ag_publish_exit_code(const cJSON *decision)
{
	int d = ag_decision_parse(frame_str(decision, "decision"));
	if (d == AG_DECISION_APPROVE || d == AG_DECISION_APPROVE_SESSION)
		return 0;
	if (d == AG_DECISION_DEFER)
		return 3;
	return 1;
}
