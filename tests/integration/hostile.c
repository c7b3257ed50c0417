/* hostile: a client that breaks every rule, against a live hub.
 *
 * It makes its own FIFOs and hello (not ipc/client.c), then sends malformed
 * frames one by one; each must be answered by an error frame whose message
 * names the problem (a keyword the case lists). Then it attacks the hello
 * itself: ids that climb out of the bus directory, FIFOs that are symlinks,
 * regular files or open to others. The test around it runs good clients
 * meanwhile and checks that they never notice. Exit 0 when every case got
 * the right answer and the hub is still up. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"

static const char *bus;
static int up_fd = -1, down_fd = -1;
static char inbuf[1 << 20];
static size_t inlen;
static int failures, cases;

static int
hello(const char *id, int expect_welcome)
{
	char *hub = xasprintf("%s/hub.fifo", bus);
	int fd = open(hub, O_WRONLY | O_NONBLOCK);
	free(hub);
	if (fd < 0)
		return -1;
	char line[512];
	int n = snprintf(line, sizeof line,
	                 "{\"v\":1,\"type\":\"hello\",\"client\":\"%s\",\"role\":\"publisher\","
	                 "\"pid\":%d,\"name\":\"hostile\"}\n",
	                 id, (int)getpid());
	ssize_t w = write(fd, line, (size_t)n);
	close(fd);
	(void)expect_welcome;
	return w == n ? 0 : -1;
}

/* Reads one line from down within ms; returns a malloc'd line or NULL. */
static char *
read_line(int ms)
{
	for (;;) {
		char *nl = memchr(inbuf, '\n', inlen);
		if (nl != NULL) {
			size_t n = (size_t)(nl - inbuf);
			char *line = xstrndup(inbuf, n);
			memmove(inbuf, nl + 1, inlen - n - 1);
			inlen -= n + 1;
			return line;
		}
		struct pollfd p = {down_fd, POLLIN, 0};
		if (poll(&p, 1, ms) <= 0)
			return NULL;
		ssize_t r = read(down_fd, inbuf + inlen, sizeof inbuf - inlen);
		if (r <= 0)
			return NULL;
		inlen += (size_t)r;
	}
}

static int
connect_raw(const char *id)
{
	char *up = xasprintf("%s/clients/%s.up", bus, id);
	char *down = xasprintf("%s/clients/%s.down", bus, id);
	unlink(up);
	unlink(down);
	if (mkfifo(up, 0600) || mkfifo(down, 0600))
		return -1;
	down_fd = open(down, O_RDONLY | O_NONBLOCK);
	up_fd = open(up, O_RDWR);
	free(up);
	free(down);
	if (hello(id, 1) != 0)
		return -1;
	char *w = read_line(5000);
	int ok = w && strstr(w, "\"welcome\"");
	free(w);
	return ok ? 0 : -1;
}

static void
send_bytes(const char *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(up_fd, data + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EINTR && errno != EAGAIN)
			return;
	}
}

static void
check_error(const char *name, const char *keyword)
{
	cases++;
	char *line = read_line(10000);
	if (line == NULL) {
		printf("not ok - %s: no answer\n", name);
		failures++;
		return;
	}
	int is_error = strstr(line, "\"type\":\"error\"") != NULL;
	int named = keyword == NULL || strstr(line, keyword) != NULL;
	if (!is_error || !named) {
		printf("not ok - %s: expected an error naming '%s', got %.300s\n", name,
		       keyword ? keyword : "", line);
		failures++;
	} else {
		printf("ok - %s\n", name);
	}
	free(line);
}

/* Sends text + newline and expects an error naming keyword. */
static void
bad(const char *name, const char *frame, const char *keyword)
{
	send_bytes(frame, strlen(frame));
	send_bytes("\n", 1);
	check_error(name, keyword);
}

static void
bad_bytes(const char *name, const char *frame, size_t len, const char *keyword)
{
	send_bytes(frame, len);
	send_bytes("\n", 1);
	check_error(name, keyword);
}

#define REQ(fields) "{\"v\":1,\"type\":\"request\"," fields "}"
#define EXEC(extra) REQ("\"action\":{\"kind\":\"exec\",\"command\":\"ls\"}," extra)

static void
frame_cases(void)
{
	bad("truncated object", "{\"v\":1,\"type\":\"request\"", "JSON");
	bad("lone brace", "{", "JSON");
	bad("trailing garbage", "{\"v\":1,\"type\":\"status\"} x", "JSON");
	bad("empty line", "", NULL);
	bad("not JSON at all", "hello hub", "JSON");
	bad_bytes("NUL byte", "{\"v\":1,\"type\":\"re\0quest\"}", 25, "NUL");
	bad("invalid UTF-8 byte", REQ("\"session\":\"\xff\",\"action\":{}"), "UTF-8");
	bad("overlong UTF-8", REQ("\"session\":\"\xc0\xaf\",\"action\":{}"), "UTF-8");
	bad("UTF-16 surrogate in UTF-8", REQ("\"session\":\"\xed\xa0\x80\""), "UTF-8");
	bad("truncated UTF-8 sequence", REQ("\"session\":\"\xe2\x82\""), "UTF-8");
	bad("array at top level", "[1,2,3]", "object");
	bad("string at top level", "\"request\"", "object");
	bad("null at top level", "null", "object");
	bad("number at top level", "42", "object");
	bad("missing v", "{\"type\":\"status\"}", "\"error\":\"v: missing");
	bad("v is 2", "{\"v\":2,\"type\":\"status\"}", "unsupported protocol version 2");
	bad("v is a string", "{\"v\":\"1\",\"type\":\"status\"}",
	    "\"error\":\"v: expected a number");
	bad("missing type", "{\"v\":1}", "\"error\":\"type: ");
	bad("type is a number", "{\"v\":1,\"type\":7}", "\"error\":\"type: ");
	bad("unknown type", "{\"v\":1,\"type\":\"teleport\"}", "teleport");
	bad("escape sequence as type", "{\"v\":1,\"type\":\"\\u001b[31mred\"}",
	    "\"error\":\"type: ");
	bad("request without action", REQ("\"session\":\"s\""), "action");
	bad("action is a string", REQ("\"action\":\"rm -rf /\""), "action");
	bad("action without kind", REQ("\"action\":{\"command\":\"ls\"}"), "kind");
	bad("unknown kind", REQ("\"action\":{\"kind\":\"teleport\"}"), "kind");
	bad("kind is a number", REQ("\"action\":{\"kind\":3}"), "kind");
	bad("exec without command or argv", REQ("\"action\":{\"kind\":\"exec\"}"), "command");
	bad("command is an array", REQ("\"action\":{\"kind\":\"exec\",\"command\":[\"ls\"]}"),
	    "command");
	bad("argv with a number", REQ("\"action\":{\"kind\":\"exec\",\"argv\":[\"ls\",7]}"),
	    "argv[1]");
	bad("argv is a string", REQ("\"action\":{\"kind\":\"exec\",\"argv\":\"ls\"}"), "argv");
	bad("patch without diff", REQ("\"action\":{\"kind\":\"patch\"}"), "diff");
	bad("diff is a number", REQ("\"action\":{\"kind\":\"patch\",\"diff\":1}"), "diff");
	bad("files is an object",
	    REQ("\"action\":{\"kind\":\"patch\",\"diff\":\"x\",\"files\":{}}"), "files");
	bad("network without host",
	    REQ("\"action\":{\"kind\":\"network\",\"port\":443,\"protocol\":\"https\"}"), "host");
	bad("port is a string",
	    REQ("\"action\":{\"kind\":\"network\",\"host\":\"x\",\"port\":\"443\","
	        "\"protocol\":\"https\"}"),
	    "port");
	bad("port out of range",
	    REQ("\"action\":{\"kind\":\"network\",\"host\":\"x\",\"port\":70000,"
	        "\"protocol\":\"https\"}"),
	    "port");
	bad("port negative",
	    REQ("\"action\":{\"kind\":\"network\",\"host\":\"x\",\"port\":-1,"
	        "\"protocol\":\"https\"}"),
	    "port");
	bad("port is 1e309",
	    REQ("\"action\":{\"kind\":\"network\",\"host\":\"x\",\"port\":1e309,"
	        "\"protocol\":\"https\"}"),
	    "port");
	bad("mcp without tool", REQ("\"action\":{\"kind\":\"mcp\",\"server\":\"gh\"}"), "tool");
	bad("mcp arguments is an array",
	    REQ("\"action\":{\"kind\":\"mcp\",\"server\":\"gh\",\"tool\":\"t\",\"arguments\":[]}"),
	    "arguments");
	bad("permission paths is a string",
	    REQ("\"action\":{\"kind\":\"permission\",\"paths\":\"/\"}"), "paths");
	bad("permission access unknown",
	    REQ("\"action\":{\"kind\":\"permission\",\"paths\":[{\"path\":\"/\",\"access\":"
	        "\"root\"}]}"),
	    "access");
	bad("session is a number", EXEC("\"session\":42"), "session");
	bad("cwd is an object", EXEC("\"cwd\":{}"), "cwd");
	bad("justification is an array", EXEC("\"justification\":[]"), "justification");
	bad("timeout_ms negative", EXEC("\"timeout_ms\":-5"), "timeout_ms");
	bad("timeout_ms a string", EXEC("\"timeout_ms\":\"10\""), "timeout_ms");
	bad("id climbs directories", EXEC("\"id\":\"../../etc/passwd\""), "\"error\":\"id: ");
	bad("id is a number", EXEC("\"id\":12"), "\"error\":\"id: ");
	bad("decide an unknown id",
	    "{\"v\":1,\"type\":\"decide\",\"id\":\"nope\",\"decision\":\"deny\"}",
	    "no pending request");
	bad("decide with an unknown decision",
	    "{\"v\":1,\"type\":\"decide\",\"id\":\"x\",\"decision\":\"maybe\"}",
	    "decide: decision: expected");
	bad("decide claiming to be policy",
	    "{\"v\":1,\"type\":\"decide\",\"id\":\"x\",\"decision\":\"deny\",\"by\":\"policy\"}",
	    "decide: by: expected human or guardian");
	bad("decide with a numeric reason",
	    "{\"v\":1,\"type\":\"decide\",\"id\":\"x\",\"decision\":\"deny\",\"reason\":5}",
	    "decide: reason: expected a string");
	bad("review without a review", "{\"v\":1,\"type\":\"review\",\"id\":\"x\"}",
	    "review: expected id");

	/* Bounds. */
	char *longid = xmalloc(300);
	memset(longid, 'a', 299);
	longid[299] = '\0';
	char *f = xasprintf(EXEC("\"id\":\"%s\""), longid);
	bad("id of 299 bytes", f, "\"error\":\"id: ");
	free(f);
	free(longid);

	size_t big = 100000;
	char *s = xmalloc(big + 1);
	memset(s, 's', big);
	s[big] = '\0';
	f = xasprintf(EXEC("\"session\":\"%s\""), s);
	bad("session of 100 kB", f, "session");
	free(f);
	free(s);

	size_t nargs = 10000;
	char *argv = xmalloc(nargs * 4 + 16);
	char *p = argv;
	for (size_t i = 0; i < nargs; i++) {
		memcpy(p, i ? ",\"a\"" : "\"a\"", i ? 4 : 3);
		p += i ? 4 : 3;
	}
	*p = '\0';
	f = xasprintf(REQ("\"action\":{\"kind\":\"exec\",\"argv\":[%s]}"), argv);
	bad("argv of 10,000 words", f, "argv");
	free(f);
	free(argv);

	size_t depth = 10000;
	char *deep = xmalloc(depth * 2 + 64);
	p = deep;
	static const char head[] = "{\"v\":1,\"type\":\"request\",\"x\":";
	memcpy(p, head, sizeof head - 1);
	p += sizeof head - 1;
	memset(p, '[', depth);
	p += depth;
	memset(p, ']', depth);
	p += depth;
	*p++ = '}';
	*p = '\0';
	bad("10,000-deep nesting", deep, "nest");
	free(deep);

	size_t huge = 10u << 20;
	char *line = xmalloc(huge);
	memset(line, ' ', huge);
	memcpy(line, "{\"v\":1,\"type\":\"request\",\"pad\":\"", 32);
	memset(line + 32, 'x', huge - 34);
	memcpy(line + huge - 2, "\"}", 2);
	bad_bytes("a 10 MiB line", line, huge, "too large");
	free(line);

	/* After all that, a good request on the same connection still works. */
	cases++;
	const char *good = EXEC("\"id\":\"hostile-good-1\",\"session\":\"hostile\"");
	send_bytes(good, strlen(good));
	send_bytes("\n", 1);
	char *ack = read_line(10000);
	if (ack && strstr(ack, "\"ack\"") && strstr(ack, "hostile-good-1")) {
		printf("ok - a good request after the bad ones is acknowledged\n");
	} else {
		printf("not ok - good request after bad ones: %.200s\n", ack ? ack : "(nothing)");
		failures++;
	}
	free(ack);
}

/* Hello attacks: the hub must refuse them and stay up. Those it can answer
 * (a real down FIFO) get an error frame; the rest only reach its log. */
static void
hello_cases(void)
{
	const char *ids[] = {"../../../tmp/evil", "a/b", "", "x y"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		cases++;
		if (hello(ids[i], 0) == 0)
			printf("ok - hello with id '%s' sent (must be refused)\n", ids[i]);
		else {
			printf("not ok - could not send hello '%s'\n", ids[i]);
			failures++;
		}
	}
	char *hub = xasprintf("%s/hub.fifo", bus);
	int fd = open(hub, O_WRONLY | O_NONBLOCK);
	free(hub);
	if (fd >= 0) {
		char junk[2000];
		memset(junk, 'j', sizeof junk);
		junk[sizeof junk - 1] = '\n';
		if (write(fd, "not json\n", 9) < 0 || write(fd, junk, sizeof junk) < 0)
			failures++;
		close(fd);
	}

	/* The up FIFO is a symlink to a FIFO outside the bus directory. */
	char *outside = xasprintf("%s/../outside.fifo", bus);
	unlink(outside);
	mkfifo(outside, 0600);
	struct {
		const char *id, *what, *keyword;
	} attacks[] = {
	    {"evil-symlink", "symlink", "symlink"},
	    {"evil-regular", "regular file", "FIFO"},
	    {"evil-shared", "FIFO open to others", "others"},
	};
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
		char *up = xasprintf("%s/clients/%s.up", bus, attacks[i].id);
		char *down = xasprintf("%s/clients/%s.down", bus, attacks[i].id);
		unlink(up);
		unlink(down);
		mkfifo(down, 0600);
		if (i == 0 && symlink(outside, up) != 0)
			failures++;
		if (i == 1)
			close(open(up, O_CREAT | O_WRONLY, 0600));
		if (i == 2) {
			mkfifo(up, 0600);
			chmod(up, 0666);
		}
		int old_down = down_fd;
		down_fd = open(down, O_RDONLY | O_NONBLOCK);
		inlen = 0;
		hello(attacks[i].id, 0);
		char name[128];
		snprintf(name, sizeof name, "hello naming a %s is refused", attacks[i].what);
		check_error(name, attacks[i].keyword);
		close(down_fd);
		down_fd = old_down;
		free(up);
		free(down);
	}
	free(outside);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hostile BUSDIR\n");
		return 2;
	}
	bus = argv[1];
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (connect_raw("hostile-1") != 0) {
		fprintf(stderr, "hostile: cannot connect to the hub on %s\n", bus);
		return 1;
	}
	frame_cases();
	int keep_up = up_fd, keep_down = down_fd;
	hello_cases();
	up_fd = keep_up;
	down_fd = keep_down;
	printf("%d cases, %d failed\n", cases, failures);
	return failures ? 1 : 0;
}
