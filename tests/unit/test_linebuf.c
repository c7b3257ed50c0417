/* ipc/linebuf: framing over real pipes — lines split across reads, many
 * lines in one read, and oversize lines dropped without being kept. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/linebuf.h"

static int fds[2];

static int
setup(void **state)
{
	(void)state;
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static void
put(const char *s)
{
	assert_int_equal(write(fds[1], s, strlen(s)), (ssize_t)strlen(s));
}

static void
test_line_split_across_reads(void **state)
{
	(void)state;
	struct ag_linebuf lb;
	const char *line;
	size_t len;
	ag_linebuf_init(&lb, 1024);
	put("{\"v\":1,");
	assert_true(ag_linebuf_fill(&lb, fds[0]) > 0);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_NONE);
	put("\"type\":\"ping\"}\nsecond");
	assert_true(ag_linebuf_fill(&lb, fds[0]) > 0);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_int_equal(len, strlen("{\"v\":1,\"type\":\"ping\"}"));
	assert_memory_equal(line, "{\"v\":1,\"type\":\"ping\"}", len);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_NONE);
	assert_int_equal(ag_linebuf_pending(&lb), strlen("second"));
	ag_linebuf_free(&lb);
}

static void
test_many_lines_one_read(void **state)
{
	(void)state;
	struct ag_linebuf lb;
	const char *line;
	size_t len;
	ag_linebuf_init(&lb, 1024);
	put("a\nbb\n\nccc\n");
	assert_true(ag_linebuf_fill(&lb, fds[0]) > 0);
	const char *want[] = {"a", "bb", "", "ccc"};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(line, want[i], len);
	}
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_NONE);
	ag_linebuf_free(&lb);
}

/* A line over the limit is reported once with its full size, its bytes are
 * not kept (the buffer stays small), and the next line arrives intact. */
static void
test_oversize_line_is_dropped(void **state)
{
	(void)state;
	struct ag_linebuf lb;
	const char *line;
	size_t len;
	ag_linebuf_init(&lb, 100);
	char chunk[4096];
	memset(chunk, 'x', sizeof chunk);
	size_t sent = 0;
	for (int i = 0; i < 64; i++) { /* 256 KiB, through a 64 KiB pipe */
		assert_int_equal(write(fds[1], chunk, sizeof chunk), (ssize_t)sizeof chunk);
		sent += sizeof chunk;
		while (ag_linebuf_fill(&lb, fds[0]) > 0)
			assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_NONE);
		assert_true(lb.cap <= 4 * 65536);
	}
	put("\nok\n");
	assert_true(ag_linebuf_fill(&lb, fds[0]) > 0);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OVERSIZE);
	assert_int_equal(len, sent);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_int_equal(len, 2);
	assert_memory_equal(line, "ok", 2);
	ag_linebuf_free(&lb);
}

static void
test_exact_limit_is_accepted(void **state)
{
	(void)state;
	struct ag_linebuf lb;
	const char *line;
	size_t len;
	ag_linebuf_init(&lb, 10);
	put("0123456789\n01234567890\n");
	assert_true(ag_linebuf_fill(&lb, fds[0]) > 0);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_int_equal(len, 10);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OVERSIZE);
	assert_int_equal(len, 11);
	ag_linebuf_free(&lb);
}

static void
test_eof_and_eagain(void **state)
{
	(void)state;
	struct ag_linebuf lb;
	ag_linebuf_init(&lb, 10);
	errno = 0;
	assert_int_equal(ag_linebuf_fill(&lb, fds[0]), -1);
	assert_int_equal(errno, EAGAIN);
	close(fds[1]);
	fds[1] = open("/dev/null", O_WRONLY);
	assert_int_equal(ag_linebuf_fill(&lb, fds[0]), 0);
	ag_linebuf_free(&lb);
}

/* The outbuf keeps what a full pipe refused and writes it later, in order. */
static void
test_outbuf_partial_writes(void **state)
{
	(void)state;
	struct ag_outbuf ob;
	ag_outbuf_init(&ob);
	size_t total = 200000;
	char *data = malloc(total);
	for (size_t i = 0; i < total; i++)
		data[i] = (char)('a' + i % 26);
	ag_outbuf_append(&ob, data, total);
	assert_int_equal(ag_outbuf_flush(&ob, fds[1]), 0); /* pipe holds 64 KiB */
	size_t got = 0;
	char buf[65536];
	while (got < total) {
		ssize_t n = read(fds[0], buf, sizeof buf);
		if (n > 0) {
			assert_memory_equal(buf, data + got, (size_t)n);
			got += (size_t)n;
		}
		ag_outbuf_flush(&ob, fds[1]);
	}
	assert_int_equal(ag_outbuf_size(&ob), 0);
	free(data);
	ag_outbuf_free(&ob);
}

/* A shared block is written in its place among appended bytes, through
 * partial writes, and the queue is usable again afterwards. */
static void
test_outbuf_share_keeps_order(void **state)
{
	(void)state;
	struct ag_outbuf ob;
	ag_outbuf_init(&ob);
	size_t big = 300000;
	char *block = malloc(big), *want = malloc(big + 64);
	for (size_t i = 0; i < big; i++)
		block[i] = (char)('A' + i % 26);
	memcpy(want, "first\n", 6);
	memcpy(want + 6, block, big);
	memcpy(want + 6 + big, "after\n", 6);
	ag_outbuf_append(&ob, "first\n", 6);
	struct ag_shared_text *t = ag_shared_text_new(block, big);
	ag_outbuf_share(&ob, t);
	ag_shared_text_unref(&t); /* the queue keeps it alive */
	ag_outbuf_append(&ob, "after\n", 6);
	assert_int_equal(ag_outbuf_size(&ob), big + 12);
	assert_int_equal(ag_outbuf_flush(&ob, fds[1]), 0);
	size_t got = 0, total = big + 12;
	char buf[65536];
	while (got < total) {
		ssize_t n = read(fds[0], buf, sizeof buf);
		if (n > 0) {
			assert_memory_equal(buf, want + got, (size_t)n);
			got += (size_t)n;
		}
		ag_outbuf_flush(&ob, fds[1]);
	}
	assert_int_equal(ag_outbuf_size(&ob), 0);
	/* Empty again: a block shared now is the whole queue. */
	char *second = malloc(10);
	memcpy(second, "0123456789", 10);
	t = ag_shared_text_new(second, 10);
	ag_outbuf_share(&ob, t);
	ag_shared_text_unref(&t);
	ag_outbuf_append(&ob, "!", 1);
	assert_int_equal(ag_outbuf_flush(&ob, fds[1]), 1);
	assert_int_equal(read(fds[0], buf, sizeof buf), 11);
	assert_memory_equal(buf, "0123456789!", 11);
	free(want);
	ag_outbuf_free(&ob);
}

/* A shared text is sent by two queues, each in its place, and freed once
 * both are written and its owner let go (valgrind and ASan see the rest). */
static void
test_outbuf_share(void **state)
{
	(void)state;
	struct ag_outbuf a, b;
	ag_outbuf_init(&a);
	ag_outbuf_init(&b);
	char *text = malloc(5);
	memcpy(text, "SHARE", 5);
	struct ag_shared_text *t = ag_shared_text_new(text, 5);
	ag_outbuf_append(&a, "<", 1);
	ag_outbuf_share(&a, t);
	ag_outbuf_append(&a, ">", 1);
	ag_outbuf_share(&b, t);
	assert_int_equal(t->refs, 3);
	ag_shared_text_unref(&t); /* the owner goes first */
	assert_null(t);
	char buf[16];
	assert_int_equal(ag_outbuf_flush(&a, fds[1]), 1);
	assert_int_equal(read(fds[0], buf, sizeof buf), 7);
	assert_memory_equal(buf, "<SHARE>", 7);
	assert_int_equal(ag_outbuf_flush(&b, fds[1]), 1);
	assert_int_equal(read(fds[0], buf, sizeof buf), 5);
	assert_memory_equal(buf, "SHARE", 5);
	ag_outbuf_free(&a);
	ag_outbuf_free(&b);
}

/* A long shared text handed to a pipe by reference (vmsplice): freed, and
 * its memory mapped again and overwritten, before the reader reads, the
 * reader still gets the bytes as they were when queued. */
static void
test_outbuf_share_outlives_free(void **state)
{
	(void)state;
	size_t big = 200000;
#ifdef F_SETPIPE_SZ
	if (fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) < (int)big)
		skip();
#else
	skip();
#endif
	struct ag_outbuf ob;
	ag_outbuf_init(&ob);
	char *block = malloc(big), *want = malloc(big);
	assert_non_null(block);
	assert_non_null(want);
	for (size_t i = 0; i < big; i++)
		want[i] = block[i] = (char)('a' + i % 23);
	struct ag_shared_text *t = ag_shared_text_new(block, big);
#ifdef __linux__
	assert_true(t->mapped > 0); /* the by-reference path, not write() */
#endif
	ag_outbuf_share(&ob, t);
	ag_shared_text_unref(&t);
	assert_int_equal(ag_outbuf_flush(&ob, fds[1]), 1); /* all in the pipe */
	ag_outbuf_free(&ob);
	/* The text is gone; whatever takes its place is scribbled over. */
	for (int k = 0; k < 4; k++) {
		char *p =
		    mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(p != MAP_FAILED);
		memset(p, 'X', big);
		char *q = malloc(big);
		memset(q, 'Y', big);
		free(q);
		munmap(p, big);
	}
	char *got = malloc(big);
	size_t n = 0;
	while (n < big) {
		ssize_t r = read(fds[0], got + n, big - n);
		assert_true(r > 0);
		n += (size_t)r;
	}
	assert_memory_equal(got, want, big);
	free(got);
	free(want);
}

/* A long shared text written to what is not a pipe (a file) goes out as
 * written bytes, the same ones. */
static void
test_outbuf_share_to_file(void **state)
{
	(void)state;
	char path[] = "/tmp/agate-linebuf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	size_t big = 150000;
	char *block = malloc(big), *want = malloc(big), *got = malloc(big);
	for (size_t i = 0; i < big; i++)
		want[i] = block[i] = (char)('0' + i % 10);
	struct ag_outbuf ob;
	ag_outbuf_init(&ob);
	struct ag_shared_text *t = ag_shared_text_new(block, big);
	ag_outbuf_share(&ob, t);
	ag_shared_text_unref(&t);
	assert_int_equal(ag_outbuf_flush(&ob, fd), 1);
	assert_int_equal(pread(fd, got, big, 0), (ssize_t)big);
	assert_memory_equal(got, want, big);
	ag_outbuf_free(&ob);
	close(fd);
	free(got);
	free(want);
}

/* A long line's block is handed over; what was read after it stays. */
static void
test_detach_long_line(void **state)
{
	(void)state;
	struct ag_linebuf lb;
	ag_linebuf_init(&lb, 1 << 20);
	size_t n = 300000;
	char *data = malloc(n + 16);
	memset(data, 'x', n);
	memcpy(data + n, "\nnext\npar", 9);
	size_t off = 0;
	while (off < n + 9) {
		ssize_t w = write(fds[1], data + off, n + 9 - off > 65536 ? 65536 : n + 9 - off);
		if (w > 0)
			off += (size_t)w;
		while (ag_linebuf_fill(&lb, fds[0]) > 0)
			;
	}
	const char *line;
	size_t len;
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_int_equal(len, n);
	char *block = ag_linebuf_detach(&lb, line);
	assert_ptr_equal(block, line);
	assert_memory_equal(block, data, n);
	free(block);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "next", 4);
	assert_int_equal(ag_linebuf_pending(&lb), 3);
	ag_linebuf_free(&lb);
	/* A line after another in its block is not handed over. */
	ag_linebuf_init(&lb, 1 << 20);
	assert_int_equal(write(fds[1], "ab\ncd\n", 6), 6);
	assert_true(ag_linebuf_fill(&lb, fds[0]) == 6);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_memory_equal(line, "cd", 2);
	assert_null(ag_linebuf_detach(&lb, line));
	ag_linebuf_free(&lb);

	/* A long line with more than a read's worth behind it (a snapshot's
	 * other requests) stays in the buffer; every line still comes out. */
	ag_linebuf_init(&lb, 1 << 20);
	size_t tail = 200 * 1000;
	memset(data, 'x', n);
	data[n] = '\n';
	char *all = malloc(n + 1 + tail);
	memcpy(all, data, n + 1);
	for (size_t i = 0; i < 200; i++) {
		memset(all + n + 1 + i * 1000, 'a' + (int)(i % 26), 999);
		all[n + 1 + i * 1000 + 999] = '\n';
	}
	off = 0;
	while (off < n + 1 + tail) {
		size_t chunk = n + 1 + tail - off > 65536 ? 65536 : n + 1 + tail - off;
		ssize_t w = write(fds[1], all + off, chunk);
		if (w > 0)
			off += (size_t)w;
		while (ag_linebuf_fill(&lb, fds[0]) > 0)
			;
	}
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
	assert_int_equal(len, n);
	assert_true(ag_linebuf_pending(&lb) > 65536);
	assert_null(ag_linebuf_detach(&lb, line));
	assert_memory_equal(line, data, n);
	for (size_t i = 0; i < 200; i++) {
		assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_OK);
		assert_int_equal(len, 999);
		assert_int_equal(line[0], 'a' + (int)(i % 26));
	}
	assert_int_equal(ag_linebuf_next(&lb, &line, &len), AG_LINE_NONE);
	free(all);
	free(data);
	ag_linebuf_free(&lb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_line_split_across_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbuf_share_keeps_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbuf_share, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbuf_share_outlives_free, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbuf_share_to_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_detach_long_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_lines_one_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oversize_line_is_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exact_limit_is_accepted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eof_and_eagain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbuf_partial_writes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
