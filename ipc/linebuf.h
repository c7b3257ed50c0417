/* Bounded line framing over non-blocking descriptors.
 *
 * ag_linebuf collects bytes and yields complete lines. A line longer than the
 * limit is not kept: the buffer switches to discarding until the next newline
 * and reports the oversize line once, so a 10 MiB line costs no memory.
 *
 * ag_outbuf queues bytes for a descriptor and writes what the pipe accepts. */
#ifndef AGATE_IPC_LINEBUF_H
#define AGATE_IPC_LINEBUF_H

#include <stddef.h>
#include <sys/types.h>

struct ag_linebuf {
	char *buf;
	size_t start, len, cap; /* unread bytes are buf[start .. start+len) */
	size_t scanned;         /* bytes after start already known to hold no '\n' */
	size_t max_line;
	int discarding;   /* inside an oversize line */
	size_t discarded; /* its size so far */
};

void ag_linebuf_init(struct ag_linebuf *lb, size_t max_line);
void ag_linebuf_free(struct ag_linebuf *lb);
/* Reads once from fd. Returns bytes read, 0 at end of file, -1 with errno
 * (EAGAIN when nothing was ready). */
ssize_t ag_linebuf_fill(struct ag_linebuf *lb, int fd);

enum ag_line_status { AG_LINE_NONE, AG_LINE_OK, AG_LINE_OVERSIZE };
/* AG_LINE_OK: *line and *len point at the next line (without '\n'), valid until
 * the next call. AG_LINE_OVERSIZE: a line over the limit was dropped and
 * *len is its size. AG_LINE_NONE: no complete line is buffered. */
enum ag_line_status ag_linebuf_next(struct ag_linebuf *lb, const char **line, size_t *len);
/* The block holding the line ag_linebuf_next just returned (line), when
 * the line starts it, as a long line does once the buffer grew for it; the
 * bytes read after the line move to a new buffer. The caller owns the block
 * (free()). NULL when the line does not start the block, or when more than
 * a read's worth follows it (a snapshot's other requests): then moving them
 * would keep two big buffers at once. */
char *ag_linebuf_detach(struct ag_linebuf *lb, const char *line);
/* Bytes of an incomplete line waiting for the rest. */
size_t ag_linebuf_pending(const struct ag_linebuf *lb);

/* Queued bytes are held in a short list of chunks: normally one buffer that
 * grows, plus the shared texts queued by ag_outbuf_share (a 3.7 MB diff's
 * request is sent to each console without a copy). */
/* Text several queues send without a copy each (a long request, printed
 * once by the hub and sent to every console that connects): freed with its
 * last reference. A long one is moved into a read-only mapping of its own,
 * which ag_outbuf_flush hands to a pipe by reference (vmsplice) instead of
 * copying it in: the pipe then holds the pages themselves, so the bytes a
 * reader gets can never change, even after the text is freed. */
struct ag_shared_text {
	size_t refs, len;
	char *data;
	size_t mapped; /* bytes of data's own read-only mapping; 0: malloc'd */
};

/* Takes data (malloc'd, len bytes; freed here or later, the caller must not
 * touch it again); one reference, the caller's. */
struct ag_shared_text *ag_shared_text_new(char *data, size_t len);
/* Drops a reference; the last frees the text. NULL is fine. */
void ag_shared_text_unref(struct ag_shared_text **t);

struct ag_outchunk {
	struct ag_outchunk *next;
	char *data;
	size_t off, len, cap;          /* unwritten bytes are data[off .. len) */
	struct ag_shared_text *shared; /* data is this text's (nothing is appended to
	                                * it), referenced until written */
};

struct ag_outbuf {
	struct ag_outchunk *head, *tail;
	size_t size; /* unwritten bytes in all chunks */
};

void ag_outbuf_init(struct ag_outbuf *ob);
void ag_outbuf_free(struct ag_outbuf *ob);
void ag_outbuf_append(struct ag_outbuf *ob, const char *data, size_t len);
/* Queues a shared text's bytes without copying them, holding a reference
 * until they are written (or the queue is freed). */
void ag_outbuf_share(struct ag_outbuf *ob, struct ag_shared_text *t);
size_t ag_outbuf_size(const struct ag_outbuf *ob);
/* Writes as much as fd accepts. Returns 1 when empty, 0 when bytes remain
 * (EAGAIN), -1 with errno on a write error (EPIPE: the reader is gone). */
int ag_outbuf_flush(struct ag_outbuf *ob, int fd);

#endif
