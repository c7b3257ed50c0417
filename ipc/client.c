#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include "ipc/client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "ipc/busdir.h"
#include "ipc/linebuf.h"

struct ag_client {
	char id[AG_ID_MAX + 1];
	char *dir;
	char *up_path, *down_path;
	int up_fd, down_fd;
	int hub_pid;
	struct ag_linebuf in;
	struct ag_limits limits;
	int64_t deadline; /* monotonic ms: the welcome is due by then */
	int timeout_ms;
};

static const char *const role_names[] = {"publisher", "subscriber", "control"};

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Starts `agate hub --daemon` detached from us (double fork, new session),
 * with its stderr in the bus directory's hub.log so a failing start can be
 * diagnosed. A second hub racing us loses the lock and exits quietly. */
static void
spawn_hub(const struct ag_client_opts *opts, const char *dir)
{
	const char *self = opts->hub_argv0 ? opts->hub_argv0 : "/proc/self/exe";
	char exe[PATH_MAX];
	ssize_t n = readlink(self, exe, sizeof exe - 1);
	if (n > 0)
		exe[n] = '\0';
	else
		snprintf(exe, sizeof exe, "%s", self);

	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	char *log = ag_bus_path(dir, "hub.log");
	int null = open("/dev/null", O_RDWR);
	int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	if (logfd >= 0)
		dup2(logfd, 2);
	/* Nothing of the client's may outlive it in the hub: an inherited pipe
	 * would keep whoever reads its other end (a hook's caller) waiting. */
	closefrom(3);
	char *argv[8];
	int argc = 0;
	argv[argc++] = exe;
	argv[argc++] = (char *)"hub";
	argv[argc++] = (char *)"--daemon";
	argv[argc++] = (char *)"--bus";
	argv[argc++] = (char *)dir;
	if (opts->journal != NULL) {
		argv[argc++] = (char *)"--journal";
		argv[argc++] = (char *)opts->journal;
	}
	argv[argc] = NULL;
	execv(exe, argv);
	fprintf(stderr, "agate: cannot start hub %s: %s\n", exe, strerror(errno));
	_exit(127);
}

/* Writes the hello to hub.fifo. Returns 0 on success, 1 when no hub is
 * reading (start one), -1 on a real error. */
static int
send_hello(struct ag_client *c, const struct ag_client_opts *opts, struct ag_error *err)
{
	char *path = ag_bus_path(c->dir, "hub.fifo");
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	int saved = errno;
	free(path);
	if (fd < 0) {
		if (saved == ENXIO || saved == ENOENT)
			return 1;
		return ag_fail(err, "cannot open %s/hub.fifo: %s", c->dir, strerror(saved));
	}
	if (ag_bus_check_fifo_fd(fd, "hub.fifo", err) != 0) {
		close(fd);
		return -1;
	}
	char line[512];
	int n =
	    snprintf(line, sizeof line,
	             "{\"v\":1,\"type\":\"hello\",\"client\":\"%s\",\"role\":\"%s\",\"pid\":%ld,"
	             "\"name\":\"%s\"%s}\n",
	             c->id, role_names[opts->role], (long)getpid(),
	             opts->name ? opts->name : role_names[opts->role],
	             opts->previews ? ",\"previews\":true" : "");
	/* Shorter than PIPE_BUF, so concurrent hellos never interleave. */
	ssize_t w = (n > 0 && (size_t)n < sizeof line) ? write(fd, line, (size_t)n) : -1;
	saved = errno;
	close(fd);
	if (w == n)
		return 0;
	if (w < 0 && saved == EAGAIN)
		return 1; /* hub inbox full: treat like a busy hub and retry */
	return ag_fail(err, "cannot write hello to the hub: %s", strerror(saved));
}

static int
make_fifos(struct ag_client *c, enum ag_role role, struct ag_error *err)
{
	if (ag_bus_make_fifo(c->up_path, err) != 0 || ag_bus_make_fifo(c->down_path, err) != 0)
		return -1;
	/* Read end of down first: it never blocks. up is opened O_RDWR (Linux)
	 * so that it counts as a writer from now until we exit: the hub sees
	 * end-of-file on up exactly when this process is gone. */
	c->down_fd = open(c->down_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (c->down_fd < 0)
		return ag_fail(err, "cannot open %s: %s", c->down_path, strerror(errno));
#ifdef F_SETPIPE_SZ
	/* A subscriber's snapshot follows the welcome in the same write: a
	 * 3.7 MB diff crosses a 64 KiB pipe in 57 hub turns, a 1 MiB one in
	 * four. Widened before the hello, so even the first write is wide.
	 * Best effort: the size is capped by fs.pipe-max-size. */
	if (role == AG_ROLE_SUBSCRIBER)
		(void)fcntl(c->down_fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)role;
#endif
	c->up_fd = open(c->up_path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (c->up_fd < 0)
		return ag_fail(err, "cannot open %s: %s", c->up_path, strerror(errno));
	return 0;
}

static void
client_free(struct ag_client *c)
{
	if (c->up_fd >= 0)
		close(c->up_fd);
	if (c->down_fd >= 0)
		close(c->down_fd);
	if (c->up_path)
		unlink(c->up_path);
	if (c->down_path)
		unlink(c->down_path);
	free(c->up_path);
	free(c->down_path);
	free(c->dir);
	ag_linebuf_free(&c->in);
	free(c);
}

static int
expect_welcome(struct ag_client *c, int timeout_ms, struct ag_error *err)
{
	cJSON *frame = NULL;
	int rc = ag_client_recv(c, timeout_ms, &frame, err);
	if (rc <= 0) {
		if (rc == 0)
			ag_fail(err, "the hub did not answer within %d ms", timeout_ms);
		return -1;
	}
	const char *type = ag_frame_type(frame);
	if (type == NULL || strcmp(type, "welcome") != 0) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(frame, "error");
		ag_fail(err, "the hub refused us: %s",
		        cJSON_IsString(msg) ? msg->valuestring : "unexpected first frame");
		cJSON_Delete(frame);
		return -1;
	}
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(frame, "hub_pid");
	c->hub_pid = cJSON_IsNumber(pid) ? pid->valueint : 0;
	cJSON_Delete(frame);
	return 0;
}

int
ag_client_connect_start(const struct ag_client_opts *opts, struct ag_client **out,
                        struct ag_error *err)
{
	struct ag_client *c = xcalloc(1, sizeof *c);
	*out = NULL;
	c->up_fd = c->down_fd = -1;
	ag_limits_default(&c->limits);
	/* The hub may send a frame as large as any request it accepted, plus
	 * the risk and framing around it. */
	c->limits.max_frame *= 2;
	ag_linebuf_init(&c->in, c->limits.max_frame);
	c->dir = opts->bus_dir ? xstrdup(opts->bus_dir) : ag_bus_dir_default();
	if (ag_bus_dir_prepare(c->dir, err) != 0)
		goto fail;
	ag_id_generate(c->id, sizeof c->id, "c");
	char name[AG_ID_MAX + 16];
	snprintf(name, sizeof name, "clients/%s.up", c->id);
	c->up_path = ag_bus_path(c->dir, name);
	snprintf(name, sizeof name, "clients/%s.down", c->id);
	c->down_path = ag_bus_path(c->dir, name);
	if (make_fifos(c, opts->role, err) != 0)
		goto fail;

	int timeout = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 5000;
	int64_t deadline = ag_clock_mono_ms() + timeout;
	int spawned = 0;
	c->timeout_ms = timeout;
	c->deadline = deadline;
	for (;;) {
		int rc = send_hello(c, opts, err);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			break;
		if (!opts->autostart) {
			ag_fail(err, "no hub is running on %s; start one with 'agate hub'", c->dir);
			goto fail;
		}
		if (!spawned || ag_clock_mono_ms() > deadline - timeout / 2) {
			spawn_hub(opts, c->dir);
			spawned = 1;
		}
		if (ag_clock_mono_ms() > deadline) {
			ag_fail(err,
			        "could not start a hub on %s within %d ms; see %s/hub.log or run "
			        "'agate hub' in a terminal",
			        c->dir, timeout, c->dir);
			goto fail;
		}
		sleep_ms(10);
	}
	*out = c;
	return 0;
fail:
	client_free(c);
	return -1;
}

int
ag_client_connect_finish(struct ag_client **cp, struct ag_error *err)
{
	struct ag_client *c = *cp;
	int left = (int)(c->deadline - ag_clock_mono_ms());

	if (expect_welcome(c, left > 0 ? left : 1, err) != 0) {
		ag_client_close(cp);
		return -1;
	}
	/* The hub has opened both ends; the names are no longer needed, and
	 * unlinking now leaves nothing behind if we are killed. */
	unlink(c->up_path);
	unlink(c->down_path);
	return 0;
}

int
ag_client_connect(const struct ag_client_opts *opts, struct ag_client **out, struct ag_error *err)
{
	if (ag_client_connect_start(opts, out, err) != 0)
		return -1;
	return ag_client_connect_finish(out, err);
}

void
ag_client_close(struct ag_client **cp)
{
	if (*cp == NULL)
		return;
	client_free(*cp);
	*cp = NULL;
}

int
ag_client_fd(const struct ag_client *c)
{
	return c->down_fd;
}

int
ag_client_hub_pid(const struct ag_client *c)
{
	return c->hub_pid;
}

static int
write_all(struct ag_client *c, const char *buf, size_t len, struct ag_error *err)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(c->up_fd, buf + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return ag_fail(err, "writing to the hub: %s", strerror(errno));
		/* Pipe full: wait for room, but notice a hub that died (we hold
		 * a read end of up ourselves, so the write alone cannot tell). */
		struct pollfd pfd[2] = {{c->up_fd, POLLOUT, 0}, {c->down_fd, 0, 0}};
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			return ag_fail(err, "poll: %s", strerror(errno));
		if (pfd[1].revents & (POLLHUP | POLLERR))
			return ag_fail(err, "the hub went away");
	}
	return 0;
}

int
ag_client_send(struct ag_client *c, const cJSON *frame, struct ag_error *err)
{
	char *text = ag_json_print(frame);
	size_t len = strlen(text);
	text[len] = '\n'; /* replace the NUL: we write len+1 bytes, never read as a string */
	int rc = write_all(c, text, len + 1, err);
	free(text);
	return rc;
}

/* Lines at least this long (a snapshot's diff) are parsed in their buffer. */
#define INPLACE_MIN (64 * 1024)

/* A long line parsed where it lies: its buffer is taken from the line
 * buffer and, when the frame's diff can be unescaped in place, becomes the
 * diff, so 3 MB are not copied into fresh memory (page faults and all)
 * before the console's first screen. No bus client changes cJSON's
 * allocator from malloc, which ag_frame_parse_inplace needs. */
static int
recv_long(struct ag_client *c, const char *line, size_t len, cJSON **frame, struct ag_error *err)
{
	char *block = ag_linebuf_detach(&c->in, line);
	if (block == NULL)
		return ag_frame_parse(line, len, &c->limits, frame, err) == 0 ? 1 : -1;
	int taken = 0;
	int rc = ag_frame_parse_inplace(block, len, &c->limits, frame, &taken, err);
	if (!taken)
		free(block);
	return rc == 0 ? 1 : -1;
}

int
ag_client_recv(struct ag_client *c, int timeout_ms, cJSON **frame, struct ag_error *err)
{
	int64_t deadline = timeout_ms > 0 ? ag_clock_mono_ms() + timeout_ms : 0;
	for (;;) {
		const char *line;
		size_t len;
		switch (ag_linebuf_next(&c->in, &line, &len)) {
		case AG_LINE_OK:
			if (len >= INPLACE_MIN)
				return recv_long(c, line, len, frame, err);
			return ag_frame_parse(line, len, &c->limits, frame, err) == 0 ? 1 : -1;
		case AG_LINE_OVERSIZE:
			return ag_fail(err, "the hub sent a frame of %zu bytes, over the limit",
			               len);
		case AG_LINE_NONE: break;
		}
		int wait = -1;
		if (timeout_ms == 0)
			wait = 0;
		else if (timeout_ms > 0) {
			int64_t left = deadline - ag_clock_mono_ms();
			wait = left > 0 ? (int)left : 0;
		}
		struct pollfd pfd = {c->down_fd, POLLIN, 0};
		int rc = poll(&pfd, 1, wait);
		if (rc < 0 && errno != EINTR)
			return ag_fail(err, "poll: %s", strerror(errno));
		if (rc == 0 && timeout_ms >= 0)
			return 0;
		if (rc <= 0)
			continue;
		ssize_t n = ag_linebuf_fill(&c->in, c->down_fd);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return ag_fail(err, "the hub closed the connection");
	}
}
