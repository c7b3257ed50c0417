#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* vmsplice */
#endif
#include "ipc/linebuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/xmalloc.h"

#define READ_CHUNK 65536
#define LONG_ROOM  ((size_t)1 << 20)

void
ag_linebuf_init(struct ag_linebuf *lb, size_t max_line)
{
	memset(lb, 0, sizeof *lb);
	lb->max_line = max_line;
}

void
ag_linebuf_free(struct ag_linebuf *lb)
{
	free(lb->buf);
	memset(lb, 0, sizeof *lb);
}

/* A long line (a snapshot's 3.7 MB diff) is read into fresh memory, a page
 * fault every 4 KiB; one madvise maps the room the next read can fill (a
 * pipe holds at most 1 MiB) in a single call. Best effort: a kernel
 * without MADV_POPULATE_WRITE (before 5.14) faults as before. */
static void
prefault(char *p, size_t room)
{
#ifdef __linux__
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	if (room > ((size_t)1 << 20))
		room = (size_t)1 << 20;
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1),
	          e = ((uintptr_t)p + room) & ~(page - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, 23 /* MADV_POPULATE_WRITE */);
#else
	(void)p;
	(void)room;
#endif
}

/* Makes room for READ_CHUNK more bytes, first by sliding unread bytes to the
 * front, then by growing. Growth is bounded by the line limit plus a chunk,
 * because anything longer is discarded before it is kept. */
/* Empty after a big line (a long diff): let the memory go rather than keep
 * megabytes for the rest of the connection. Called where the line handed
 * out before is dead (the next call, or a fill, which moves it anyway). */
static void
linebuf_shrink(struct ag_linebuf *lb)
{
	if (lb->len == 0 && lb->cap > ((size_t)1 << 20)) {
		free(lb->buf);
		lb->buf = NULL;
		lb->cap = lb->start = lb->scanned = 0;
	}
}

static void
linebuf_reserve(struct ag_linebuf *lb)
{
	linebuf_shrink(lb);
	if (lb->start > 0 && lb->start + lb->len + READ_CHUNK > lb->cap) {
		memmove(lb->buf, lb->buf + lb->start, lb->len);
		lb->start = 0;
	}
	if (lb->start + lb->len + READ_CHUNK > lb->cap) {
		/* Inside a long line, room for what a widened pipe holds, so
		 * it is read in as few calls as the pipe allows (a 3.7 MB
		 * snapshot frame: 4 reads rather than 7). */
		size_t room = lb->len >= READ_CHUNK ? LONG_ROOM : READ_CHUNK;
		size_t cap = lb->cap ? lb->cap * 2 : READ_CHUNK * 2;
		while (cap < lb->len + room)
			cap *= 2;
		lb->buf = xrealloc(lb->buf, cap);
		lb->cap = cap;
		prefault(lb->buf + lb->start + lb->len, cap - lb->start - lb->len);
	}
}

ssize_t
ag_linebuf_fill(struct ag_linebuf *lb, int fd)
{
	linebuf_reserve(lb);
	ssize_t n;
	/* All the room there is, not one chunk: a long line (a snapshot's
	 * diff) then comes in as few reads as the pipe allows. */
	size_t room = lb->cap - lb->start - lb->len;
	do
		n = read(fd, lb->buf + lb->start + lb->len, room);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		lb->len += (size_t)n;
	return n;
}

enum ag_line_status
ag_linebuf_next(struct ag_linebuf *lb, const char **line, size_t *len)
{
	linebuf_shrink(lb);
	while (lb->len > 0) {
		char *base = lb->buf + lb->start;
		char *nl = memchr(base + lb->scanned, '\n', lb->len - lb->scanned);
		if (nl == NULL) {
			lb->scanned = lb->len;
			if (lb->discarding || lb->len > lb->max_line) {
				/* Oversize: drop what we have, remember we are inside it. */
				lb->discarding = 1;
				lb->discarded += lb->len;
				lb->start = lb->len = lb->scanned = 0;
			}
			return AG_LINE_NONE;
		}
		size_t n = (size_t)(nl - base);
		lb->start += n + 1;
		lb->len -= n + 1;
		lb->scanned = 0;
		if (lb->len == 0)
			lb->start = 0;
		if (lb->discarding || n > lb->max_line) {
			*len = lb->discarded + n;
			lb->discarding = 0;
			lb->discarded = 0;
			return AG_LINE_OVERSIZE;
		}
		*line = base;
		*len = n;
		return AG_LINE_OK;
	}
	return AG_LINE_NONE;
}

char *
ag_linebuf_detach(struct ag_linebuf *lb, const char *line)
{
	char *block = lb->buf;
	/* Megabytes of frames behind the line (a 10,001-request snapshot
	 * after a diff) would go to a second buffer grown as big while the
	 * first becomes the diff: 0.8 MB more resident in the console for
	 * good. The line is then parsed from the buffer as any other. */
	if (block == NULL || line != block || lb->len > READ_CHUNK)
		return NULL;
	char *rest = NULL;
	size_t cap = 0;
	if (lb->len > 0) {
		cap = READ_CHUNK * 2;
		while (cap < lb->len + READ_CHUNK)
			cap *= 2;
		rest = xmalloc(cap);
		memcpy(rest, block + lb->start, lb->len);
	}
	lb->buf = rest;
	lb->cap = cap;
	lb->start = 0;
	return block;
}

size_t
ag_linebuf_pending(const struct ag_linebuf *lb)
{
	return lb->len + lb->discarded;
}

void
ag_outbuf_init(struct ag_outbuf *ob)
{
	memset(ob, 0, sizeof *ob);
}

/* Shared texts at least this long get a read-only mapping of their own. */
#define SPLICE_MIN ((size_t)64 * 1024)

/* The text copied into a fresh private mapping that is then made read-only:
 * pages a pipe was handed by reference must never be written again, and a
 * stray write now faults instead of changing what a console shows. Its own
 * mapping, too, so freeing it gives the pages back (munmap) rather than to
 * malloc, whose next block would reuse them. NULL when mmap fails. */
static char *
text_map(const char *data, size_t len)
{
#ifdef __linux__
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, data, len);
	if (mprotect(p, len, PROT_READ) != 0) {
		munmap(p, len);
		return NULL;
	}
	return p;
#else
	(void)data;
	(void)len;
	return NULL;
#endif
}

struct ag_shared_text *
ag_shared_text_new(char *data, size_t len)
{
	struct ag_shared_text *t = xcalloc(1, sizeof *t);
	t->refs = 1;
	t->len = len;
	t->data = data;
	char *mapped = len >= SPLICE_MIN ? text_map(data, len) : NULL;
	if (mapped != NULL) {
		free(data);
		t->data = mapped;
		t->mapped = len;
	}
	return t;
}

void
ag_shared_text_unref(struct ag_shared_text **tp)
{
	struct ag_shared_text *t = *tp;
	*tp = NULL;
	if (t == NULL || --t->refs > 0)
		return;
	if (t->mapped > 0)
		munmap(t->data, t->mapped);
	else
		free(t->data);
	free(t);
}

static void
chunk_free(struct ag_outchunk *c)
{
	if (c->shared != NULL)
		ag_shared_text_unref(&c->shared);
	else
		free(c->data);
	free(c);
}

void
ag_outbuf_free(struct ag_outbuf *ob)
{
	struct ag_outchunk *c = ob->head, *next;
	for (; c != NULL; c = next) {
		next = c->next;
		chunk_free(c);
	}
	memset(ob, 0, sizeof *ob);
}

static struct ag_outchunk *
chunk_push(struct ag_outbuf *ob, char *data, size_t len, size_t cap)
{
	struct ag_outchunk *c = xcalloc(1, sizeof *c);
	c->data = data;
	c->len = len;
	c->cap = cap;
	if (ob->tail != NULL)
		ob->tail->next = c;
	else
		ob->head = c;
	ob->tail = c;
	return c;
}

void
ag_outbuf_append(struct ag_outbuf *ob, const char *data, size_t len)
{
	struct ag_outchunk *c = ob->tail;

	if (c == NULL || c->shared != NULL) {
		size_t cap = 4096;
		while (cap < len)
			cap *= 2;
		c = chunk_push(ob, xmalloc(cap), 0, cap);
	}
	if (c->off > 0 && c->off == c->len)
		c->off = c->len = 0;
	if (c->len + len > c->cap) {
		if (c->off > 0) {
			memmove(c->data, c->data + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		size_t cap = c->cap;
		while (cap < c->len + len)
			cap *= 2;
		if (cap != c->cap) {
			c->data = xrealloc(c->data, cap);
			c->cap = cap;
		}
	}
	memcpy(c->data + c->len, data, len);
	c->len += len;
	ob->size += len;
}

void
ag_outbuf_share(struct ag_outbuf *ob, struct ag_shared_text *t)
{
	if (ob->size == 0)
		ag_outbuf_free(ob);
	struct ag_outchunk *c = chunk_push(ob, t->data, t->len, t->len);
	c->shared = t;
	t->refs++;
	ob->size += t->len;
}

size_t
ag_outbuf_size(const struct ag_outbuf *ob)
{
	return ob->size;
}

/* Writes what fd takes of a chunk. A mapped shared text goes into a pipe
 * by reference: the kernel takes the pages instead of copying 3.7 MB into
 * its own (two thirds of the time a long diff took to reach a console).
 * Anything vmsplice cannot take (not a pipe) is written as usual. */
static ssize_t
chunk_write(const struct ag_outchunk *c, int fd)
{
#ifdef __linux__
	if (c->shared != NULL && c->shared->mapped > 0) {
		struct iovec v = {c->data + c->off, c->len - c->off};
		ssize_t n = vmsplice(fd, &v, 1, SPLICE_F_NONBLOCK);
		if (n >= 0 || (errno != EINVAL && errno != ENOSYS && errno != EBADF))
			return n;
	}
#endif
	return write(fd, c->data + c->off, c->len - c->off);
}

int
ag_outbuf_flush(struct ag_outbuf *ob, int fd)
{
	struct ag_outchunk *c;

	while ((c = ob->head) != NULL) {
		while (c->off < c->len) {
			ssize_t n = chunk_write(c, fd);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					return 0;
				return -1;
			}
			c->off += (size_t)n;
			ob->size -= (size_t)n;
		}
		c->off = c->len = 0;
		/* The last chunk stays for the next frames unless it was the
		 * shared text or a burst's (a large snapshot): a long-lived
		 * hub does not keep its peak. */
		if (c->next == NULL && c->shared == NULL && c->cap <= (1u << 20))
			break;
		ob->head = c->next;
		if (ob->head == NULL)
			ob->tail = NULL;
		chunk_free(c);
	}
	return 1;
}
