/* The transport against a real HTTP server on 127.0.0.1 (tests/fake_model):
 * every way an exchange can go wrong is classified, bounded in time and
 * size, and its error text never carries the secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/clock.h"
#include "reviewer/guardian_http.h"
#include "tests/fake_model/spawn.h"

#define KEY "sk-test-9f8e7d6c5b4a39281706"

static struct ag_http_response
exchange(const char *url, const char *body, int64_t timeout_ms, size_t max_response)
{
	struct ag_http *h = ag_http_new();
	const char *headers[] = {"Authorization: Bearer " KEY, "Content-Type: application/json",
	                         NULL};
	struct ag_http_request req = {
	    .url = url,
	    .headers = headers,
	    .body = body,
	    .body_len = body ? strlen(body) : 0,
	    .timeout_ms = timeout_ms,
	    .max_response = max_response,
	    .secret = KEY,
	};
	struct ag_error err;
	assert_int_equal(ag_http_start(h, &req, &err), 0);
	struct ag_http_response r;
	int64_t give_up = ag_clock_mono_ms() + timeout_ms + 5000;
	while (!ag_http_next_done(h, &r)) {
		assert_true(ag_clock_mono_ms() < give_up);
		assert_true(ag_http_poll(h, NULL, 0, 100) >= 0);
	}
	ag_http_free(&h);
	assert_null(strstr(r.error, KEY));
	return r;
}

static struct ag_http_response
against(const char *step, const char *path, int64_t timeout_ms, size_t max_response)
{
	struct fake_model fm;
	const char *args[] = {"--step", step, NULL};
	fake_model_start(&fm, step ? args : NULL);
	char url[256];
	snprintf(url, sizeof url, "%s%s", fm.base_url, path);
	struct ag_http_response r = exchange(url, "{\"model\":\"m\"}", timeout_ms, max_response);
	fake_model_stop(&fm);
	return r;
}

static void
test_ok_and_body(void **state)
{
	(void)state;
	struct ag_http_response r = against(NULL, "/chat/completions", 5000, 0);
	assert_int_equal(r.outcome, AG_HTTP_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "chat.completion"));
	assert_int_equal(r.len, strlen(r.body));
	assert_int_equal(r.retry_after_ms, -1);
	ag_http_response_clear(&r);
}

static void
test_http_errors_are_statuses(void **state)
{
	(void)state;
	struct ag_http_response r =
	    against("{\"status\":500,\"body\":\"oops\"}", "/chat/completions", 5000, 0);
	assert_int_equal(r.outcome, AG_HTTP_OK);
	assert_int_equal(r.status, 500);
	assert_string_equal(r.body, "oops");
	ag_http_response_clear(&r);

	r = against(NULL, "/nowhere", 5000, 0);
	assert_int_equal(r.status, 404);
	ag_http_response_clear(&r);
}

static void
test_retry_after_seconds_and_date(void **state)
{
	(void)state;
	struct ag_http_response r =
	    against("{\"status\":429,\"retry_after\":\"3\"}", "/chat/completions", 5000, 0);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after_ms, 3000);
	ag_http_response_clear(&r);

	r = against("{\"status\":503,\"retry_after\":\"Wed, 21 Oct 2015 07:28:00 GMT\"}",
	            "/chat/completions", 5000, 0);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.retry_after_ms, 0); /* a date in the past: retry now */
	ag_http_response_clear(&r);

	r = against("{\"status\":429,\"retry_after\":\"soon\"}", "/chat/completions", 5000, 0);
	assert_int_equal(r.retry_after_ms, -1);
	ag_http_response_clear(&r);
}

static void
test_timeout_is_bounded(void **state)
{
	(void)state;
	int64_t t0 = ag_clock_mono_ms();
	struct ag_http_response r = against("{\"delay_ms\":3000}", "/chat/completions", 300, 0);
	int64_t took = ag_clock_mono_ms() - t0;
	assert_int_equal(r.outcome, AG_HTTP_TIMEOUT);
	assert_non_null(strstr(r.error, "timeout"));
	assert_true(took < 2500);
	ag_http_response_clear(&r);
}

static void
test_cut_body_is_truncated(void **state)
{
	(void)state;
	struct ag_http_response r = against("{\"cut\":true}", "/chat/completions", 5000, 0);
	assert_int_equal(r.outcome, AG_HTTP_TRUNCATED);
	ag_http_response_clear(&r);
}

static void
test_oversized_is_refused_without_buffering(void **state)
{
	(void)state;
	struct ag_http_response r =
	    against("{\"oversize\":500000}", "/chat/completions", 5000, 4096);
	assert_int_equal(r.outcome, AG_HTTP_OVERSIZED);
	assert_true(r.len <= 4096);
	assert_non_null(strstr(r.error, "oversized"));
	ag_http_response_clear(&r);
}

static void
test_closed_without_answer(void **state)
{
	(void)state;
	struct ag_http_response r = against("{\"close\":true}", "/chat/completions", 5000, 0);
	assert_int_equal(r.outcome, AG_HTTP_FAILED);
	assert_int_equal(r.status, 0);
	ag_http_response_clear(&r);
}

static int
closed_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&a, sizeof a);
	socklen_t len = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s); /* nobody listens there now */
	return ntohs(a.sin_port);
}

static void
test_refused_connection(void **state)
{
	(void)state;
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", closed_port());
	struct ag_http_response r = exchange(url, "{}", 3000, 0);
	assert_int_equal(r.outcome, AG_HTTP_CONNECT);
	ag_http_response_clear(&r);
}

static void
test_tls_error(void **state)
{
	(void)state;
	/* TLS to a plain HTTP server: the handshake fails. */
	struct fake_model fm;
	fake_model_start(&fm, NULL);
	char url[128];
	snprintf(url, sizeof url, "https://127.0.0.1:%d/v1/chat/completions", fm.port);
	struct ag_http_response r = exchange(url, "{}", 3000, 0);
	fake_model_stop(&fm);
	assert_int_equal(r.outcome, AG_HTTP_TLS);
	ag_http_response_clear(&r);
}

static void
test_key_echoed_in_url_is_scrubbed(void **state)
{
	(void)state;
	/* A key pasted into a base URL ends up in curl's error text. */
	char url[256];
	snprintf(url, sizeof url, "http://no-such-host-%s.invalid/v1", KEY);
	struct ag_http_response r = exchange(url, "{}", 3000, 0);
	assert_int_equal(r.outcome, AG_HTTP_CONNECT);
	assert_null(strstr(r.error, "9f8e7d6c"));
	ag_http_response_clear(&r);
}

static void
test_scrub(void **state)
{
	(void)state;
	char msg[128] = "key sk-abcdefghijklmnop was refused; sk-abc***mnop too";
	ag_http_scrub(msg, sizeof msg, "sk-abcdefghijklmnop");
	assert_string_equal(msg, "key [redacted] was refused; sk-abc***mnop too");
	char part[128] = "Incorrect API key: abcdefghij...";
	ag_http_scrub(part, sizeof part, "sk-abcdefghijklmnop");
	assert_string_equal(part, "Incorrect API key: [redacted]...");
	char none[64] = "nothing secret here";
	ag_http_scrub(none, sizeof none, "sk-abcdefghijklmnop");
	assert_string_equal(none, "nothing secret here");
	char tiny[24] = "x sk-abcdefghijk";
	ag_http_scrub(tiny, sizeof tiny, "sk-abcdefghijklmnop");
	assert_null(strstr(tiny, "abcdefgh"));
}

static void
test_parallel_and_caller_fds(void **state)
{
	(void)state;
	struct fake_model fm;
	const char *args[] = {"--step", "{\"delay_ms\":500}", NULL};
	fake_model_start(&fm, args);
	char url[256];
	snprintf(url, sizeof url, "%s/chat/completions", fm.base_url);
	struct ag_http *h = ag_http_new();
	const char *headers[] = {NULL};
	int tags[4];
	int64_t t0 = ag_clock_mono_ms();
	for (int i = 0; i < 4; i++) {
		struct ag_http_request req = {.url = url,
		                              .headers = headers,
		                              .body = "{}",
		                              .body_len = 2,
		                              .timeout_ms = 5000,
		                              .tag = &tags[i]};
		assert_int_equal(ag_http_start(h, &req, NULL), 0);
	}
	assert_int_equal(ag_http_running(h), 4);
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	struct pollfd p = {.fd = pfd[0], .events = POLLIN};
	assert_int_equal(ag_http_poll(h, &p, 1, 1000), 1);
	assert_true(p.revents & POLLIN);
	char c;
	assert_int_equal(read(pfd[0], &c, 1), 1);
	int done = 0;
	struct ag_http_response r;
	while (done < 4) {
		ag_http_poll(h, &p, 1, 100);
		while (ag_http_next_done(h, &r)) {
			assert_int_equal(r.outcome, AG_HTTP_OK);
			assert_true(r.tag >= (void *)&tags[0] && r.tag <= (void *)&tags[3]);
			ag_http_response_clear(&r);
			done++;
		}
	}
	/* Four 500 ms answers in parallel, not one after the other (2 s). */
	assert_true(ag_clock_mono_ms() - t0 < 1600);
	ag_http_free(&h);
	close(pfd[0]);
	close(pfd[1]);
	fake_model_stop(&fm);
}

static void
test_cancel(void **state)
{
	(void)state;
	struct fake_model fm;
	const char *args[] = {"--step", "{\"delay_ms\":3000}", NULL};
	fake_model_start(&fm, args);
	char url[256];
	snprintf(url, sizeof url, "%s/chat/completions", fm.base_url);
	struct ag_http *h = ag_http_new();
	int tag;
	struct ag_http_request req = {
	    .url = url, .body = "{}", .body_len = 2, .timeout_ms = 5000, .tag = &tag};
	assert_int_equal(ag_http_start(h, &req, NULL), 0);
	ag_http_poll(h, NULL, 0, 50);
	ag_http_cancel(h, &tag);
	struct ag_http_response r;
	assert_int_equal(ag_http_next_done(h, &r), 1);
	assert_int_equal(r.outcome, AG_HTTP_CANCELLED);
	assert_ptr_equal(r.tag, &tag);
	assert_int_equal(ag_http_running(h), 0);
	ag_http_response_clear(&r);
	ag_http_free(&h);
	fake_model_stop(&fm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ok_and_body),
	    cmocka_unit_test(test_http_errors_are_statuses),
	    cmocka_unit_test(test_retry_after_seconds_and_date),
	    cmocka_unit_test(test_timeout_is_bounded),
	    cmocka_unit_test(test_cut_body_is_truncated),
	    cmocka_unit_test(test_oversized_is_refused_without_buffering),
	    cmocka_unit_test(test_closed_without_answer),
	    cmocka_unit_test(test_refused_connection),
	    cmocka_unit_test(test_tls_error),
	    cmocka_unit_test(test_key_echoed_in_url_is_scrubbed),
	    cmocka_unit_test(test_scrub),
	    cmocka_unit_test(test_parallel_and_caller_fds),
	    cmocka_unit_test(test_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
