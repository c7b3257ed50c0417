/* Frames and the request model: the first code every byte from an agent
 * meets. Two stages, each with its own promise:
 *
 *  ag_frame_parse   bytes -> cJSON. Bounds and encoding are checked on the
 *                   raw bytes before cJSON builds anything (cJSON recurses,
 *                   so a 10,000-deep line must never reach it), then the
 *                   tree is checked for duplicate keys and oversized arrays.
 *  ag_request_from_json  cJSON -> struct ag_request. Every field is typed
 *                   and bounded, and every failure names its path
 *                   ("action.argv[2]: expected a string, got a number").
 *
 * Agent text quoted in an error goes through repr(): short, and with every
 * byte that is not printable ASCII written as \xNN. */
#ifdef HAVE_CONFIG_H
#include <config.h> /* <>: "config.h" would find core/config.h next to us */
#endif
#include "core/request.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* configure says; a direct compile (no config.h) trusts glibc >= 2.25. */
#if defined(HAVE_GETRANDOM) || (!defined(HAVE_CONFIG_H) && defined(__GLIBC__) && \
                                (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25)))
#include <sys/random.h>
#define AG_HAVE_GETRANDOM 1
#endif

#include "core/jsonstr.h"
#include "core/utf8.h"
#include "core/xmalloc.h"

#define AG_TIMEOUT_MAX_MS (7LL * 24 * 60 * 60 * 1000) /* a week */
/* Nesting a request may use, below max_depth: the hub wraps a request in an
 * event frame ({"event":"request","request":{...}}), which must still pass
 * every subscriber's ag_frame_parse. */
#define AG_ENVELOPE_DEPTH 2
#define AG_SUMMARY_MAX    200 /* bytes of a summary before it is cut */
#define REPR_MAX          48  /* bytes of agent text quoted in an error */

void
ag_limits_default(struct ag_limits *limits)
{
	limits->max_frame = 4u << 20;
	limits->max_depth = 64;
	limits->max_string = 4096;
	limits->max_text = limits->max_frame;
	limits->max_array = 4096;
}

static const struct ag_limits *
limits_or_default(const struct ag_limits *limits, struct ag_limits *storage)
{
	if (limits != NULL)
		return limits;
	ag_limits_default(storage);
	return storage;
}

/* --- small helpers ------------------------------------------------------ */

/* A printable, bounded rendering of untrusted text for an error message,
 * in double quotes. Written into buf; returns buf. */
static const char *
repr(char *buf, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (size < 8) {
		buf[0] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (i = 0; i < REPR_MAX && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o + 8 >= size)
			break;
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o++] = '"';
	if (s[i] != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static const char *
json_type_name(const cJSON *j)
{
	if (j == NULL)
		return "nothing";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "an invalid value";
}

/* cJSON_GetObjectItemCaseSensitive, with the first byte compared before
 * strcmp is called: a request is looked up some twenty times, and most
 * keys differ at once. Like cJSON, the walk ends at a member without a
 * key. */
static const cJSON *
member(const cJSON *obj, const char *name)
{
	if (obj == NULL || name == NULL)
		return NULL;
	for (const cJSON *c = obj->child; c != NULL; c = c->next) {
		if (c->string == NULL)
			return NULL;
		if (c->string[0] == name[0] && strcmp(c->string, name) == 0)
			return c;
	}
	return NULL;
}

/* A key as it appears in a path: bare when it is a plain word, else quoted
 * by repr(). */
static const char *
key_name(char *buf, size_t size, const char *key)
{
	int plain = key[0] != '\0' && strlen(key) <= REPR_MAX;
	for (const char *p = key; *p != '\0' && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
	if (plain)
		return key;
	return repr(buf, size, key);
}

/* Appends ".key" or "[i]" to a path held in buf (size bytes, NUL
 * terminated; len of them used), cutting rather than overflowing. */
static void
path_push(char *buf, size_t size, size_t len, const char *key, int index)
{
	char r[REPR_MAX * 4 + 8];

	if (len >= size)
		return;
	if (key != NULL)
		snprintf(buf + len, size - len, "%s%s", len > 0 ? "." : "",
		         key_name(r, sizeof r, key));
	else
		snprintf(buf + len, size - len, "[%d]", index);
}

/* One step of a path ("a.b[3]"), kept on the stack of the walk that is
 * inside it. Checks pass far more often than they fail, so the path is
 * rendered (path_render) only for an error message. */
struct pseg {
	const struct pseg *up; /* NULL at the top */
	const char *key;       /* NULL: an array index */
	int index;
};

/* Writes the path of seg into buf exactly as path_push would have built it
 * one step at a time, cut at size; returns its length. */
static size_t
path_render_into(const struct pseg *seg, char *buf, size_t size)
{
	if (seg == NULL) {
		buf[0] = '\0';
		return 0;
	}
	size_t len = path_render_into(seg->up, buf, size);
	path_push(buf, size, len, seg->key, seg->index);
	return strlen(buf);
}

/* The path for an error message: "frame" for the top of a frame. */
static const char *
path_render(const struct pseg *seg, char *buf, size_t size)
{
	path_render_into(seg, buf, size);
	return buf[0] != '\0' ? buf : "frame";
}

/* Paths are cut at this many bytes, as they always were. */
#define PATH_MAX_LEN 256

/* ag_utf8_valid, same verdict and offset, with ASCII skipped 16 bytes at
 * a time: diffs and commands are almost all ASCII, and a 1 MiB diff is
 * walked here more than once. */
static int
text_valid(const char *s, size_t len, size_t *bad)
{
	return ag_jsonstr_utf8_valid(s, len, bad);
}

/* --- ids ------------------------------------------------------------------ */

int
ag_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return 0;
	for (n = 0; id[n] != '\0'; n++) {
		char c = id[n];
		if (n >= AG_ID_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return 0;
	}
	return n > 0;
}

static int
read_urandom(unsigned char *buf, size_t len)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	return 0;
}

/* Fills buf with len random bytes. Without randomness ids could collide and
 * a publisher could receive another's decision, so failure aborts. */
static void
random_bytes(unsigned char *buf, size_t len)
{
#ifdef AG_HAVE_GETRANDOM
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* ENOSYS on an old kernel: try the device */
		got += (size_t)n;
	}
	if (got == len)
		return;
#endif
	if (read_urandom(buf, len) == 0)
		return;
	fprintf(stderr, "agate: no source of randomness (getrandom, /dev/urandom)\n");
	abort();
}

/* prefix (NULL for "r") + "-" + 24 hex digits, cut to fit size. prefix must
 * itself be id characters. */
void
ag_id_generate(char *buf, size_t size, const char *prefix)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[12];
	char id[AG_ID_MAX + 1];
	size_t o;

	if (size == 0)
		return;
	random_bytes(rnd, sizeof rnd);
	o = (size_t)snprintf(id, sizeof id - 2 * sizeof rnd, "%s-", prefix != NULL ? prefix : "r");
	if (o > sizeof id - 2 * sizeof rnd - 1)
		o = sizeof id - 2 * sizeof rnd - 1;
	for (size_t i = 0; i < sizeof rnd; i++) {
		id[o++] = hex[rnd[i] >> 4];
		id[o++] = hex[rnd[i] & 15];
	}
	id[o] = '\0';
	snprintf(buf, size, "%s", id);
}

/* --- frames: checks on the raw bytes ------------------------------------ */

/* NUL bytes and strict UTF-8, one pass. */
static int
scan_encoding(const char *buf, size_t len, struct ag_error *err)
{
	const char *nul = memchr(buf, '\0', len);
	size_t bad;

	if (nul != NULL)
		return ag_fail(err, "frame: NUL byte at byte %zu", (size_t)(nul - buf));
	if (!text_valid(buf, len, &bad))
		return ag_fail(err, "frame: invalid UTF-8 at byte %zu", bad);
	return 0;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* How many bytes at the start of p (n of them) are plain string bytes, not
 * '"', '\\' or a control character: the ones scan_structure can step over.
 * Eight bytes at a time; each mask is exact about its lowest byte (a borrow
 * only spreads above a byte that really matches), which is the one that
 * matters. */
static size_t
string_plain_run(const char *p, size_t n)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		uint64_t w, q, b, m;
		memcpy(&w, p + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		m = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs;
		if (m != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return i + (size_t)__builtin_ctzll(m) / 8;
#else
			break;
#endif
		}
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '"' || c == '\\' || c < 0x20)
			break;
	}
	return i;
}

/* Nesting depth, counted outside strings, without recursion. Also refuses
 * what cJSON would accept but should not: raw control characters inside
 * strings (RFC 8259 requires them escaped) and \u0000, which cJSON would
 * turn into a C string that silently ends early ("ls\u0000; rm -rf ~"
 * shown as "ls"). Sets *wide when some \u escape stands for more than
 * ASCII: only then can cJSON's unescaping put bytes in a string that the
 * UTF-8 check of the raw line has not seen. */
static int
scan_structure(const char *buf, size_t len, int max_depth, int *wide, int *deepest,
               struct ag_error *err)
{
	int depth = 0, in_string = 0;

	*wide = 0;
	*deepest = 0;
	for (size_t i = 0; i < len; i++) {
		if (in_string) {
			/* Diff and command text: skip the plain bytes eight
			 * at a time. */
			i += string_plain_run(buf + i, len - i);
			if (i >= len)
				break;
		}
		unsigned char c = (unsigned char)buf[i];
		if (in_string) {
			if (c == '"') {
				in_string = 0;
			} else if (c == '\\') {
				if (i + 5 < len && buf[i + 1] == 'u' && buf[i + 2] == '0' &&
				    buf[i + 3] == '0' && buf[i + 4] == '0' && buf[i + 5] == '0')
					return ag_fail(err,
					               "frame: \\u0000 in a string at byte %zu", i);
				if (i + 1 < len && buf[i + 1] == 'u') {
					/* Checked by cJSON too; refused here so the
					 * offset in the message is exact. */
					for (size_t k = 2; k < 6; k++)
						if (i + k >= len || !is_hex(buf[i + k]))
							return ag_fail(err,
							               "frame: bad \\u escape at "
							               "byte %zu",
							               i);
					/* 0x0080 and up: any of the first two digits
					 * non-zero, or the third >= 8. */
					if (buf[i + 2] != '0' || buf[i + 3] != '0' ||
					    !(buf[i + 4] >= '0' && buf[i + 4] <= '7'))
						*wide = 1;
				}
				i++; /* the escaped character cannot end the string */
			} else if (c < 0x20) {
				return ag_fail(
				    err,
				    "frame: control character 0x%02x in a string at byte "
				    "%zu (must be escaped)",
				    c, i);
			}
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return ag_fail(err,
				               "frame: nested deeper than %d levels at byte %zu",
				               max_depth, i);
			if (depth > *deepest)
				*deepest = depth;
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		}
	}
	return 0;
}

/* --- frames: checks on the tree ----------------------------------------- */

static int
compare_keys(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

/* Objects up to this many members are checked pair by pair. */
#define DUP_SMALL 12

/* cJSON keeps duplicate keys and lookups return the first; another reader
 * (the agent's own JSON library, a jq filter) may take the last. A frame
 * where two readers see different commands is refused. */
static int
check_duplicates(const cJSON *obj, int n, const struct pseg *seg, struct ag_error *err)
{
	const cJSON **keys, *c;
	int i = 0, rc = 0;
	char r[REPR_MAX * 4 + 8], path[PATH_MAX_LEN];

	if (n < 2)
		return 0;
	if (n <= DUP_SMALL) {
		/* A frame's objects are small: every pair, no allocation. The
		 * key named is the one the sort below would find first, the
		 * bytewise smallest of those that repeat. */
		const char *dup = NULL;
		for (c = obj->child; c != NULL; c = c->next)
			for (const cJSON *d = c->next; d != NULL; d = d->next)
				if (c->string[0] == d->string[0] &&
				    strcmp(c->string, d->string) == 0 &&
				    (dup == NULL || strcmp(c->string, dup) < 0))
					dup = c->string;
		if (dup == NULL)
			return 0;
		return ag_fail(err, "%s: duplicate key %s", path_render(seg, path, sizeof path),
		               repr(r, sizeof r, dup));
	}
	keys = xreallocarray(NULL, (size_t)n, sizeof *keys);
	for (c = obj->child; c != NULL; c = c->next)
		keys[i++] = c;
	qsort(keys, (size_t)n, sizeof *keys, compare_keys);
	for (i = 1; i < n; i++)
		if (strcmp(keys[i - 1]->string, keys[i]->string) == 0) {
			rc = ag_fail(err, "%s: duplicate key %s",
			             path_render(seg, path, sizeof path),
			             repr(r, sizeof r, keys[i]->string));
			break;
		}
	free(keys);
	return rc;
}

/* cJSON's type tests, inline: check_tree asks several of them per node.
 * The same tests cJSON_IsString etc. make (node is never NULL here). */
static inline int
node_type_is(const cJSON *node, int type)
{
	return (node->type & 0xFF) == type;
}

/* What a caller knows about every string and key of a tree, so that the
 * walk need not find it out again. */
enum {
	TREE_UTF8 = 1,      /* all UTF-8 already (see ag_frame_parse) */
	TREE_TEXT_FITS = 2, /* none longer than max_text */
	TREE_KEYS_FIT = 4,  /* no key longer than max_string */
};

/* Walks the tree checking what the byte scan cannot: element counts, key
 * and string lengths, duplicate keys. Recursion is bounded by max_depth
 * (the byte scan has already enforced it for parsed frames; trees built in
 * memory are checked here as well). known: TREE_* facts established by the
 * caller, which are not checked again (a string's length is not even
 * taken when its length and encoding are both known to be fine).
 * The path of a node is only rendered when it fails a check. */
static int
check_tree(const cJSON *node, const struct pseg *seg, int depth, const struct ag_limits *lim,
           int known, struct ag_error *err)
{
	char where[PATH_MAX_LEN];
	int utf8_known = known & TREE_UTF8;
#define WHERE path_render(seg, where, sizeof where)

	if (node_type_is(node, cJSON_String)) {
		if (node->valuestring == NULL)
			return ag_fail(err, "%s: string without a value", WHERE);
		if (utf8_known && (known & TREE_TEXT_FITS))
			return 0;
		size_t n = strlen(node->valuestring), bad;
		if (n > lim->max_text)
			return ag_fail(err, "%s: longer than %zu bytes", WHERE, lim->max_text);
		if (!utf8_known && !text_valid(node->valuestring, n, &bad))
			return ag_fail(err, "%s: invalid UTF-8 at byte %zu", WHERE, bad);
		return 0;
	}
	/* 1e999 parses as infinity, which cJSON prints as null: refused so
	 * that what is journaled reads back as what was judged. */
	if (node_type_is(node, cJSON_Number) && !isfinite(node->valuedouble))
		return ag_fail(err, "%s: number out of range", WHERE);
	int is_object = node_type_is(node, cJSON_Object);
	if (!node_type_is(node, cJSON_Array) && !is_object)
		return 0;
	if (depth > lim->max_depth)
		return ag_fail(err, "%s: nested deeper than %d levels", WHERE, lim->max_depth);

	int n = 0, i = 0;
	const cJSON *c;
	for (c = node->child; c != NULL; c = c->next) {
		if ((size_t)++n > lim->max_array)
			return ag_fail(err, "%s: more than %zu elements", WHERE, lim->max_array);
		if (is_object && c->string == NULL)
			return ag_fail(err, "%s: member without a key", WHERE);
	}
	if (is_object && check_duplicates(node, n, seg, err) < 0)
		return -1;
	for (c = node->child; c != NULL; c = c->next, i++) {
		struct pseg child = {seg, NULL, i};
		if (is_object) {
			if (!utf8_known || !(known & TREE_KEYS_FIT)) {
				size_t klen = strlen(c->string), bad;
				if (klen > lim->max_string)
					return ag_fail(err, "%s: key longer than %zu bytes", WHERE,
					               lim->max_string);
				if (!utf8_known && !text_valid(c->string, klen, &bad))
					return ag_fail(err,
					               "%s: key with invalid UTF-8 at byte %zu",
					               WHERE, bad);
			}
			child.key = c->string;
		}
		if (check_tree(c, &child, depth + 1, lim, known, err) < 0)
			return -1;
	}
	return 0;
#undef WHERE
}

/* --- frames ------------------------------------------------------------- */

static int
check_version_of(const cJSON *v, struct ag_error *err)
{
	if (v == NULL)
		return ag_fail(err, "v: missing (every frame carries \"v\":1)");
	if (!cJSON_IsNumber(v))
		return ag_fail(err, "v: expected a number, got %s", json_type_name(v));
	if (v->valuedouble != 1.0)
		return ag_fail(err, "v: unsupported protocol version %g (this agate speaks 1)",
		               v->valuedouble);
	return 0;
}

static int
check_version(const cJSON *frame, struct ag_error *err)
{
	return check_version_of(member(frame, "v"), err);
}

/* On success *out is an owned cJSON object (cJSON_Delete). */
int
ag_frame_parse(const char *buf, size_t len, const struct ag_limits *limits, cJSON **out,
               struct ag_error *err)
{
	struct ag_frame_info info;
	return ag_frame_parse_info(buf, len, limits, out, &info, err);
}

/* mine: the block holding buf that the caller lets the parse keep, or
 * NULL (see ag_frame_parse_inplace). */
static int
frame_parse(const char *buf, size_t len, const struct ag_limits *limits, cJSON **out,
            struct ag_frame_info *info, char *mine, int *taken, struct ag_error *err)
{
	struct ag_limits storage;
	const struct ag_limits *lim = limits_or_default(limits, &storage);
	const char *end = NULL;
	cJSON *frame;
	int wide, deepest;

	*out = NULL;
	info->frame = NULL;
	if (len > lim->max_frame)
		return ag_fail(err, "frame: %zu bytes is over the limit of %zu", len,
		               lim->max_frame);
	/* One pass at memory speed; when it finds anything amiss (or is
	 * unsure), the two slow scans run to name the problem. */
	struct ag_jsonstr_scan scan;
	int fast = ag_jsonstr_scan(buf, len, lim->max_depth, &scan) == 0;
	if (fast) {
		wide = scan.wide;
		deepest = scan.deepest;
	} else {
		if (scan_encoding(buf, len, err) < 0)
			return -1;
		if (scan_structure(buf, len, lim->max_depth, &wide, &deepest, err) < 0)
			return -1;
	}

	size_t start = 0;
	while (start < len && (buf[start] == ' ' || buf[start] == '\t' || buf[start] == '\r' ||
	                       buf[start] == '\n'))
		start++;
	if (start == len)
		return ag_fail(err, "frame: empty");
	/* A long string (a diff) unescaped at memory speed, not in cJSON's
	 * byte loop; the same tree and failures either way. */
	if (fast && mine != NULL && taken != NULL)
		frame = ag_jsonstr_parse_inplace(mine, len, &scan, &end, taken);
	else if (fast)
		frame = ag_jsonstr_parse(buf, len, &scan, &end);
	else
		frame = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (frame == NULL) {
		size_t at = end != NULL && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
		return ag_fail(err, "frame: invalid JSON near byte %zu", at);
	}
	/* (Taken in place: buf is gone, and only blanks followed.) */
	for (; end != NULL && end < buf + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n') {
			cJSON_Delete(frame);
			return ag_fail(err,
			               "frame: unexpected data after the JSON value at byte %zu",
			               (size_t)(end - buf));
		}
	if (!cJSON_IsObject(frame)) {
		int rc =
		    ag_fail(err, "frame: expected a JSON object, got %s", json_type_name(frame));
		cJSON_Delete(frame);
		return rc;
	}
	/* The raw line is valid UTF-8, and without a \u escape past ASCII the
	 * strings cJSON made of it are its own bytes plus ASCII: nothing in
	 * the tree is left to decode. */
	/* cJSON's strings and keys are never longer than the line they came
	 * from (unescaping only shortens): a line within a bound proves every
	 * string within it. */
	int known = (wide ? 0 : TREE_UTF8) | (len <= lim->max_text ? TREE_TEXT_FITS : 0) |
	            (len <= lim->max_string ? TREE_KEYS_FIT : 0);
	if (check_tree(frame, NULL, 1, lim, known, err) < 0 || check_version(frame, err) < 0) {
		cJSON_Delete(frame);
		return -1;
	}
	const cJSON *type = member(frame, "type");
	const char *problem = type == NULL                   ? "missing"
	                      : !cJSON_IsString(type)        ? "expected a string"
	                      : type->valuestring[0] == '\0' ? "must not be empty"
	                                                     : NULL;
	if (problem != NULL) {
		int rc = type != NULL && !cJSON_IsString(type)
		             ? ag_fail(err, "type: %s, got %s", problem, json_type_name(type))
		             : ag_fail(err, "type: %s", problem);
		cJSON_Delete(frame);
		return rc;
	}
	*out = frame;
	info->frame = frame;
	info->limits = *lim;
	info->deepest = deepest;
	return 0;
}

int
ag_frame_parse_info(const char *buf, size_t len, const struct ag_limits *limits, cJSON **out,
                    struct ag_frame_info *info, struct ag_error *err)
{
	return frame_parse(buf, len, limits, out, info, NULL, NULL, err);
}

int
ag_frame_parse_inplace(char *buf, size_t len, const struct ag_limits *limits, cJSON **out,
                       int *taken, struct ag_error *err)
{
	struct ag_frame_info info;
	*taken = 0;
	return frame_parse(buf, len, limits, out, &info, buf, taken, err);
}

const char *
ag_frame_type(const cJSON *frame)
{
	const cJSON *type = member(frame, "type");
	return cJSON_IsString(type) ? type->valuestring : NULL;
}

/* --- typed field access -------------------------------------------------- */

/* The flags a string field can carry. */
enum {
	STR_NONEMPTY = 1, /* "" is refused */
	STR_TOKEN = 2,    /* no spaces or control characters (host, protocol) */
	/* Inside the action, whose check_tree in parse_action has walked every
	 * string for UTF-8 already (a copy of it: the bytes are the same). */
	STR_UTF8_CHECKED = 4,
};

/* A field's path, rendered only for an error message: prefix + name, or
 * prefix + name + "[index]" when indexed. */
struct field {
	const char *prefix, *name;
	size_t index;
	int indexed;
};

static const char *
field_path(const struct field *f, char *buf, size_t size)
{
	if (f->indexed)
		snprintf(buf, size, "%s%s[%zu]", f->prefix, f->name, f->index);
	else
		snprintf(buf, size, "%s%s", f->prefix, f->name);
	return buf;
}

/* Checks that j is a string of at most max bytes; sets *out (borrowed). */
static int
check_string(const cJSON *j, const struct field *f, size_t max, int flags, const char **out,
             struct ag_error *err)
{
	size_t n, bad;
	char path[80];
#define PATH field_path(f, path, sizeof path)

	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return ag_fail(err, "%s: expected a string, got %s", PATH, json_type_name(j));
	n = strlen(j->valuestring);
	if (n > max)
		return ag_fail(err, "%s: longer than %zu bytes", PATH, max);
	if ((flags & STR_NONEMPTY) && n == 0)
		return ag_fail(err, "%s: must not be empty", PATH);
	if (!(flags & STR_UTF8_CHECKED) && !text_valid(j->valuestring, n, &bad))
		return ag_fail(err, "%s: invalid UTF-8 at byte %zu", PATH, bad);
	if (flags & STR_TOKEN)
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)j->valuestring[i];
			if (c <= 0x20 || c == 0x7f)
				return ag_fail(err, "%s: space or control character at byte %zu",
				               PATH, i);
		}
	*out = j->valuestring;
	return 0;
#undef PATH
}

static int
required_string(const cJSON *obj, const char *name, const char *prefix, size_t max, int flags,
                const char **out, struct ag_error *err)
{
	const struct field f = {prefix, name, 0, 0};
	const cJSON *j = member(obj, name);

	if (j == NULL) {
		char path[80];
		return ag_fail(err, "%s: missing", field_path(&f, path, sizeof path));
	}
	return check_string(j, &f, max, flags, out, err);
}

/* j, the member name (absent: NULL), as an optional string: absent or
 * null, *out = NULL. */
static int
optional_string_of(const cJSON *j, const char *name, const char *prefix, size_t max, int flags,
                   const char **out, struct ag_error *err)
{
	const struct field f = {prefix, name, 0, 0};

	*out = NULL;
	if (j == NULL || cJSON_IsNull(j))
		return 0;
	return check_string(j, &f, max, flags, out, err);
}

static int
optional_string(const cJSON *obj, const char *name, const char *prefix, size_t max, int flags,
                const char **out, struct ag_error *err)
{
	return optional_string_of(member(obj, name), name, prefix, max, flags, out, err);
}

/* An integer in [min, max]. */
static int
check_int(const cJSON *j, const char *path, int64_t min, int64_t max, int64_t *out,
          struct ag_error *err)
{
	if (!cJSON_IsNumber(j))
		return ag_fail(err, "%s: expected an integer, got %s", path, json_type_name(j));
	double d = j->valuedouble;
	if (!isfinite(d) || floor(d) != d)
		return ag_fail(err, "%s: expected an integer, got %g", path, d);
	if (d < (double)min || d > (double)max)
		return ag_fail(err, "%s: %.0f is out of range (%lld..%lld)", path, d,
		               (long long)min, (long long)max);
	*out = (int64_t)d;
	return 0;
}

/* An array of strings: *out is an owned, NULL-terminated array of borrowed
 * strings. */
static int
string_array(const cJSON *arr, const char *path, const struct ag_limits *lim, size_t max_len,
             int flags, const char ***out, size_t *count, struct ag_error *err)
{
	const cJSON *item;
	const char **v;
	size_t n = 0;
	struct field f = {"", path, 0, 1};

	if (!cJSON_IsArray(arr))
		return ag_fail(err, "%s: expected an array, got %s", path, json_type_name(arr));
	int size = cJSON_GetArraySize(arr);
	if ((size_t)size > lim->max_array)
		return ag_fail(err, "%s: more than %zu elements", path, lim->max_array);
	v = xcalloc((size_t)size + 1, sizeof *v);
	cJSON_ArrayForEach(item, arr)
	{
		f.index = n;
		if (check_string(item, &f, max_len, flags, &v[n], err) < 0) {
			free(v);
			return -1;
		}
		n++;
	}
	*out = v;
	*count = n;
	return 0;
}

/* Removes members that are null so that "absent" has one spelling in the
 * stored action (and in its key). */
static void
drop_nulls(cJSON *obj)
{
	cJSON *c = obj->child, *next;
	for (; c != NULL; c = next) {
		next = c->next;
		if (cJSON_IsNull(c))
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, c));
	}
}

/* --- actions ------------------------------------------------------------- */

static const char *const exec_fields[] = {"kind", "command", "argv", NULL};
static const char *const patch_fields[] = {"kind", "diff", "files", NULL};
static const char *const network_fields[] = {"kind",   "host", "port", "protocol",
                                             "method", "url",  NULL};
static const char *const mcp_fields[] = {"kind", "server", "tool", "arguments", NULL};
static const char *const permission_fields[] = {"kind", "paths", "network", NULL};
static const char *const path_fields[] = {"path", "access", NULL};

static const char *const *const kind_fields[AG_KIND_COUNT] = {
    [AG_KIND_EXEC] = exec_fields,
    [AG_KIND_PATCH] = patch_fields,
    [AG_KIND_NETWORK] = network_fields,
    [AG_KIND_MCP] = mcp_fields,
    [AG_KIND_PERMISSION] = permission_fields,
};

/* Unknown fields inside an action are refused, unlike at the top level: a
 * field the console does not show (say "env") must not ride along with an
 * approval the human gave for what they saw. */
static int
check_fields(const cJSON *obj, const char *const *allowed, const char *path, const char *what,
             const char *what_name, struct ag_error *err)
{
	const cJSON *c;
	char r[REPR_MAX * 4 + 8], list[256];

	cJSON_ArrayForEach(c, obj)
	{
		size_t i;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], c->string) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		size_t o = 0;
		list[0] = '\0';
		for (i = 0; allowed[i] != NULL && o < sizeof list; i++)
			o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "",
			                      allowed[i]);
		return ag_fail(err, "%s.%s: unknown field for %s%s (allowed: %s)", path,
		               key_name(r, sizeof r, c->string), what, what_name, list);
	}
	return 0;
}

/* The kind parsers read req->action, a copy of the action that
 * parse_action's check_tree has walked: UTF-8 is not checked twice. */
#define CHECKED STR_UTF8_CHECKED

static int
parse_exec(struct ag_request *req, const struct ag_limits *lim, struct ag_error *err)
{
	struct ag_action_exec *x = &req->u.exec;
	const cJSON *argv = member(req->action, "argv");

	if (optional_string(req->action, "command", "action.", lim->max_text,
	                    CHECKED | STR_NONEMPTY, &x->command, err) < 0)
		return -1;
	if (argv != NULL) {
		if (string_array(argv, "action.argv", lim, lim->max_text, CHECKED, &x->argv,
		                 &x->argc, err) < 0)
			return -1;
		if (x->argc == 0)
			return ag_fail(err, "action.argv: must not be empty");
		if (x->argv[0][0] == '\0')
			return ag_fail(err, "action.argv[0]: must not be empty");
	}
	if (x->command == NULL && x->argv == NULL)
		return ag_fail(err, "action: exec needs \"command\" or \"argv\" (or both)");
	return 0;
}

static int
parse_patch(struct ag_request *req, const struct ag_limits *lim, struct ag_error *err)
{
	struct ag_action_patch *p = &req->u.patch;
	const cJSON *files = member(req->action, "files");

	if (required_string(req->action, "diff", "action.", lim->max_text, CHECKED | STR_NONEMPTY,
	                    &p->diff, err) < 0)
		return -1;
	if (files != NULL && string_array(files, "action.files", lim, lim->max_string,
	                                  CHECKED | STR_NONEMPTY, &p->files, &p->nfiles, err) < 0)
		return -1;
	return 0;
}

static int
parse_network(struct ag_request *req, const struct ag_limits *lim, struct ag_error *err)
{
	struct ag_action_network *n = &req->u.network;
	const cJSON *port = member(req->action, "port");
	int64_t v;

	if (required_string(req->action, "host", "action.", lim->max_string,
	                    CHECKED | STR_NONEMPTY | STR_TOKEN, &n->host, err) < 0)
		return -1;
	if (port == NULL)
		return ag_fail(err, "action.port: missing");
	if (check_int(port, "action.port", 1, 65535, &v, err) < 0)
		return -1;
	n->port = (int)v;
	if (required_string(req->action, "protocol", "action.", lim->max_string,
	                    CHECKED | STR_NONEMPTY | STR_TOKEN, &n->protocol, err) < 0 ||
	    optional_string(req->action, "method", "action.", lim->max_string,
	                    CHECKED | STR_NONEMPTY | STR_TOKEN, &n->method, err) < 0 ||
	    optional_string(req->action, "url", "action.", lim->max_text, CHECKED | STR_NONEMPTY,
	                    &n->url, err) < 0)
		return -1;
	return 0;
}

static int
parse_mcp(struct ag_request *req, const struct ag_limits *lim, struct ag_error *err)
{
	struct ag_action_mcp *m = &req->u.mcp;
	const cJSON *args = member(req->action, "arguments");

	if (required_string(req->action, "server", "action.", lim->max_string,
	                    CHECKED | STR_NONEMPTY, &m->server, err) < 0 ||
	    required_string(req->action, "tool", "action.", lim->max_string, CHECKED | STR_NONEMPTY,
	                    &m->tool, err) < 0)
		return -1;
	/* Absent arguments mean {}: stored that way so the action (and its
	 * key) has one form whether the publisher wrote it or not. */
	if (args == NULL)
		args = cJSON_AddObjectToObject(req->action, "arguments");
	if (!cJSON_IsObject(args))
		return ag_fail(err, "action.arguments: expected an object, got %s",
		               json_type_name(args));
	m->arguments = args;
	return 0;
}

static int
parse_permission(struct ag_request *req, const struct ag_limits *lim, struct ag_error *err)
{
	struct ag_action_permission *p = &req->u.permission;
	const cJSON *paths = member(req->action, "paths");
	const cJSON *net = member(req->action, "network");
	const cJSON *item;
	char path[64];

	p->network = -1;
	if (net != NULL) {
		if (!cJSON_IsBool(net))
			return ag_fail(err, "action.network: expected a boolean, got %s",
			               json_type_name(net));
		p->network = cJSON_IsTrue(net) ? 1 : 0;
	}
	if (paths != NULL) {
		if (!cJSON_IsArray(paths))
			return ag_fail(err, "action.paths: expected an array, got %s",
			               json_type_name(paths));
		int size = cJSON_GetArraySize(paths);
		if ((size_t)size > lim->max_array)
			return ag_fail(err, "action.paths: more than %zu elements", lim->max_array);
		p->paths = xcalloc((size_t)size + 1, sizeof *p->paths);
		cJSON_ArrayForEach(item, paths)
		{
			struct ag_permission_path *pp = &p->paths[p->npaths];
			snprintf(path, sizeof path, "action.paths[%zu]", p->npaths);
			if (!cJSON_IsObject(item))
				return ag_fail(err, "%s: expected an object, got %s", path,
				               json_type_name(item));
			if (check_fields(item, path_fields, path, "a permission path", "", err) < 0)
				return -1;
			snprintf(path, sizeof path, "action.paths[%zu].", p->npaths);
			if (required_string(item, "path", path, lim->max_string,
			                    CHECKED | STR_NONEMPTY, &pp->path, err) < 0 ||
			    required_string(item, "access", path, lim->max_string, CHECKED,
			                    &pp->access, err) < 0)
				return -1;
			if (strcmp(pp->access, "read") != 0 && strcmp(pp->access, "write") != 0 &&
			    strcmp(pp->access, "read-write") != 0) {
				char r[REPR_MAX * 4 + 8];
				return ag_fail(err,
				               "%saccess: unknown access %s (expected one of read, "
				               "write, read-write)",
				               path, repr(r, sizeof r, pp->access));
			}
			p->npaths++;
		}
	}
	if (p->npaths == 0 && p->network < 0)
		return ag_fail(err, "action: permission needs \"paths\" or \"network\"");
	return 0;
}

#undef CHECKED

static int (*const kind_parsers[AG_KIND_COUNT])(struct ag_request *, const struct ag_limits *,
                                                struct ag_error *) = {
    [AG_KIND_EXEC] = parse_exec,
    [AG_KIND_PATCH] = parse_patch,
    [AG_KIND_NETWORK] = parse_network,
    [AG_KIND_MCP] = parse_mcp,
    [AG_KIND_PERMISSION] = parse_permission,
};

/* trust: the frame action is a member of came from ag_frame_parse_info
 * (with lim), or NULL. */
static int
parse_action(struct ag_request *req, const cJSON *action, const struct ag_limits *lim,
             const struct ag_frame_info *trust, struct ag_error *err)
{
	const cJSON *kind;
	char r[REPR_MAX * 4 + 8];
	int k;

	if (action == NULL)
		return ag_fail(err, "action: missing");
	if (!cJSON_IsObject(action))
		return ag_fail(err, "action: expected an object, got %s", json_type_name(action));
	/* The action sits at depth 2 of the frame; AG_ENVELOPE_DEPTH more are
	 * kept free for the event that will carry it. */
	struct ag_limits inner = *lim;
	inner.max_depth = lim->max_depth - AG_ENVELOPE_DEPTH;
	/* The tree may not come from ag_frame_parse: its strings are checked
	 * here, and the typed fields below rely on that. */
	static const struct pseg action_seg = {NULL, "action", 0};
	/* A frame from ag_frame_parse_info has passed check_tree with these
	 * limits, and its strings are UTF-8: only the tighter depth is left
	 * to check, and nothing in it nests that deep unless the frame does. */
	if ((trust == NULL || trust->deepest > inner.max_depth) &&
	    check_tree(action, &action_seg, 2, &inner, 0, err) < 0)
		return -1;

	kind = member(action, "kind");
	if (kind == NULL)
		return ag_fail(err, "action.kind: missing");
	if (!cJSON_IsString(kind) || kind->valuestring == NULL)
		return ag_fail(err, "action.kind: expected a string, got %s", json_type_name(kind));
	k = ag_kind_parse(kind->valuestring);
	if (k < 0)
		return ag_fail(
		    err,
		    "action.kind: unknown kind %s (expected one of exec, patch, network, "
		    "mcp, permission)",
		    repr(r, sizeof r, kind->valuestring));
	req->kind = (enum ag_kind)k;
	/* The caller of ag_request_take gives the frame up: the action moves
	 * out of it instead of being copied. */
	if (trust != NULL)
		req->action = cJSON_DetachItemViaPointer(trust->frame, (cJSON *)action);
	else
		req->action = cJSON_Duplicate(action, 1);
	if (req->action == NULL) {
		fprintf(stderr, "agate: out of memory copying a request\n");
		abort();
	}
	drop_nulls(req->action);
	if (check_fields(req->action, kind_fields[k], "action", "kind ", ag_kind_name(req->kind),
	                 err) < 0)
		return -1;
	return kind_parsers[k](req, lim, err);
}

/* --- requests ------------------------------------------------------------ */

static char *
dup_optional(const cJSON *j, const char *name, size_t max, int flags, int *rc, struct ag_error *err)
{
	const char *s;
	if (*rc < 0)
		return xstrdup("");
	*rc = optional_string_of(j, name, "", max, flags, &s, err);
	return xstrdup(*rc == 0 && s != NULL ? s : "");
}

/* The members of a request frame request_parse reads, found in one walk
 * rather than one member() walk each: like member(), the first of a name
 * counts, and the walk ends at a member without a key. */
struct frame_fields {
	const cJSON *v, *type, *id, *session, *agent, *cwd, *justification, *timeout_ms, *hook,
	    *action;
};

static void
frame_fields(const cJSON *frame, struct frame_fields *f)
{
	memset(f, 0, sizeof *f);
	for (const cJSON *c = frame->child; c != NULL; c = c->next) {
		const char *k = c->string;
		const cJSON **slot = NULL;
		if (k == NULL)
			return;
		switch (k[0]) {
		case 'v': slot = strcmp(k, "v") == 0 ? &f->v : NULL; break;
		case 't':
			slot = strcmp(k, "type") == 0         ? &f->type
			       : strcmp(k, "timeout_ms") == 0 ? &f->timeout_ms
			                                      : NULL;
			break;
		case 'i': slot = strcmp(k, "id") == 0 ? &f->id : NULL; break;
		case 's': slot = strcmp(k, "session") == 0 ? &f->session : NULL; break;
		case 'a':
			slot = strcmp(k, "action") == 0  ? &f->action
			       : strcmp(k, "agent") == 0 ? &f->agent
			                                 : NULL;
			break;
		case 'c': slot = strcmp(k, "cwd") == 0 ? &f->cwd : NULL; break;
		case 'j': slot = strcmp(k, "justification") == 0 ? &f->justification : NULL; break;
		case 'h': slot = strcmp(k, "hook") == 0 ? &f->hook : NULL; break;
		default: break;
		}
		if (slot != NULL && *slot == NULL)
			*slot = c;
	}
}

/* The hook object is metadata the console and the journal keep; it is flat
 * so nothing nested can hide in it, and bounded like every other field. */
static int
parse_hook(struct ag_request *req, const cJSON *hook, const struct ag_limits *lim,
           struct ag_error *err)
{
	if (hook == NULL || cJSON_IsNull(hook))
		return 0;
	if (!cJSON_IsObject(hook))
		return ag_fail(err, "hook: expected an object, got %s", json_type_name(hook));
	int n = 0;
	const cJSON *m;
	char r[REPR_MAX * 4 + 8];
	cJSON_ArrayForEach(m, hook)
	{
		if (++n > AG_HOOK_FIELDS_MAX)
			return ag_fail(err, "hook: more than %d fields", AG_HOOK_FIELDS_MAX);
		if (strlen(m->string) > 64)
			return ag_fail(err, "hook: field name %s is longer than 64 bytes",
			               repr(r, sizeof r, m->string));
		if (cJSON_IsString(m)) {
			if (strlen(m->valuestring) > lim->max_string)
				return ag_fail(err, "hook.%s: longer than %zu bytes",
				               repr(r, sizeof r, m->string), lim->max_string);
		} else if (!cJSON_IsNumber(m) && !cJSON_IsBool(m)) {
			return ag_fail(err, "hook.%s: expected a string, number or boolean, got %s",
			               repr(r, sizeof r, m->string), json_type_name(m));
		}
	}
	req->hook = cJSON_Duplicate(hook, 1);
	return 0;
}

static int
request_parse(struct ag_request *req, const cJSON *frame, const struct ag_limits *lim,
              const struct ag_frame_info *trust, struct ag_error *err)
{
	struct frame_fields f;
	const cJSON *j;
	const char *s;
	char r[REPR_MAX * 4 + 8];
	int rc = 0;
	/* Strings of a frame from ag_frame_parse_info are UTF-8 already. */
	int utf8 = trust != NULL ? STR_UTF8_CHECKED : 0;

	if (!cJSON_IsObject(frame))
		return ag_fail(err, "request: expected an object, got %s", json_type_name(frame));
	frame_fields(frame, &f);
	if (check_version_of(f.v, err) < 0)
		return -1;
	j = f.type;
	if (j == NULL)
		return ag_fail(err, "type: missing");
	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return ag_fail(err, "type: expected a string, got %s", json_type_name(j));
	if (strcmp(j->valuestring, "request") != 0)
		return ag_fail(err, "type: expected \"request\", got %s",
		               repr(r, sizeof r, j->valuestring));

	if (optional_string_of(f.id, "id", "", AG_ID_MAX * 4, utf8, &s, err) < 0)
		return -1;
	if (s != NULL) {
		if (!ag_id_valid(s))
			return ag_fail(err, "id: invalid id %s (1 to %d of A-Z a-z 0-9 . _ : -)",
			               repr(r, sizeof r, s), AG_ID_MAX);
		memcpy(req->id, s, strlen(s) + 1); /* valid: at most AG_ID_MAX bytes */
	}
	req->session = dup_optional(f.session, "session", lim->max_string, utf8, &rc, err);
	req->agent = dup_optional(f.agent, "agent", lim->max_string, utf8, &rc, err);
	req->cwd = dup_optional(f.cwd, "cwd", lim->max_string, utf8, &rc, err);
	req->justification =
	    dup_optional(f.justification, "justification", lim->max_text, utf8, &rc, err);
	if (rc < 0)
		return -1;

	j = f.timeout_ms;
	if (j != NULL && !cJSON_IsNull(j) &&
	    check_int(j, "timeout_ms", 0, AG_TIMEOUT_MAX_MS, &req->timeout_ms, err) < 0)
		return -1;

	if (parse_hook(req, f.hook, lim, err) < 0)
		return -1;
	return parse_action(req, f.action, lim, trust, err);
}

/* On success *out is owned by the caller (ag_request_free); on failure it
 * is NULL. Views in req->u borrow from req->action. */
int
ag_request_from_json(const cJSON *frame, const struct ag_limits *limits, struct ag_request **out,
                     struct ag_error *err)
{
	struct ag_limits storage;
	const struct ag_limits *lim = limits_or_default(limits, &storage);
	struct ag_request *req = xcalloc(1, sizeof *req);

	*out = NULL;
	if (request_parse(req, frame, lim, NULL, err) < 0) {
		ag_request_free(&req);
		return -1;
	}
	*out = req;
	return 0;
}

int
ag_request_take(cJSON *frame, const struct ag_frame_info *info, struct ag_request **out,
                struct ag_error *err)
{
	if (info == NULL || frame == NULL || info->frame != frame)
		return ag_request_from_json(frame, info != NULL ? &info->limits : NULL, out, err);
	struct ag_request *req = xcalloc(1, sizeof *req);

	*out = NULL;
	if (request_parse(req, frame, &info->limits, info, err) < 0) {
		ag_request_free(&req);
		return -1;
	}
	*out = req;
	return 0;
}

void
ag_request_free(struct ag_request **reqp)
{
	struct ag_request *req = *reqp;

	if (req == NULL)
		return;
	free(req->session);
	free(req->agent);
	free(req->cwd);
	free(req->justification);
	/* The views are borrowed, but their arrays are ours. Which member of
	 * the union is live depends on kind, and only once action exists. */
	if (req->action != NULL) {
		switch (req->kind) {
		case AG_KIND_EXEC: free(req->u.exec.argv); break;
		case AG_KIND_PATCH: free(req->u.patch.files); break;
		case AG_KIND_PERMISSION: free(req->u.permission.paths); break;
		default: break;
		}
	}
	cJSON_Delete(req->action);
	cJSON_Delete(req->hook);
	free(req);
	*reqp = NULL;
}

static void
add_nonempty(cJSON *obj, const char *name, const char *value)
{
	if (value != NULL && value[0] != '\0')
		cJSON_AddStringToObject(obj, name, value);
}

/* Caller owns the result (cJSON_Delete). Empty fields are left out, so
 * ag_request_from_json reads back the same request. */
static cJSON *
request_frame(const struct ag_request *req, int borrow)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "request");
	add_nonempty(f, "id", req->id);
	add_nonempty(f, "session", req->session);
	add_nonempty(f, "agent", req->agent);
	add_nonempty(f, "cwd", req->cwd);
	add_nonempty(f, "justification", req->justification);
	if (req->timeout_ms > 0)
		cJSON_AddNumberToObject(f, "timeout_ms", (double)req->timeout_ms);
	if (req->action != NULL && borrow)
		cJSON_AddItemReferenceToObject(f, "action", req->action);
	else if (req->action != NULL)
		cJSON_AddItemToObject(f, "action", cJSON_Duplicate(req->action, 1));
	if (req->hook != NULL && borrow)
		cJSON_AddItemReferenceToObject(f, "hook", req->hook);
	else if (req->hook != NULL)
		cJSON_AddItemToObject(f, "hook", cJSON_Duplicate(req->hook, 1));
	return f;
}

cJSON *
ag_request_to_json(const struct ag_request *req)
{
	return request_frame(req, 0);
}

cJSON *
ag_request_to_json_borrowed(const struct ag_request *req)
{
	return request_frame(req, 1);
}

/* --- a growable string --------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void
sb_add(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 64;
		while (cap < sb->len + n + 1)
			cap *= 2;
		sb->p = xrealloc(sb->p, cap);
		sb->cap = cap;
	}
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

static void
sb_puts(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

static void
sb_putc(struct sbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap) {
		sb_add(sb, &c, 1);
		return;
	}
	sb->p[sb->len++] = c;
	sb->p[sb->len] = '\0';
}

static void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_puts(sb, s);
	free(s);
}

/* Returns the string (owned by the caller); never NULL. */
static char *
sb_finish(struct sbuf *sb)
{
	if (sb->p == NULL)
		return xstrdup("");
	return sb->p;
}

/* --- summaries ----------------------------------------------------------- */

/* Whether a word needs quotes to read back as one shell word. */
static int
needs_quotes(const char *s)
{
	if (s[0] == '\0')
		return 1;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("@%+=:,./_-", *s) != NULL))
			return 1;
	return 0;
}

static void
sb_shell_word(struct sbuf *sb, const char *s)
{
	if (!needs_quotes(s)) {
		sb_puts(sb, s);
		return;
	}
	sb_puts(sb, "'");
	for (; *s != '\0'; s++)
		if (*s == '\'')
			sb_puts(sb, "'\\''");
		else
			sb_add(sb, s, 1);
	sb_puts(sb, "'");
}

/* The first line at or after `from` (a line start) that begins with "+++ ".
 * strstr skips the lines between at memory speed: a 100,000-line diff
 * was a strchr and two strncmps a line (1.4 ms before the first screen). */
static const char *
next_plus_line(const char *from)
{
	if (strncmp(from, "+++ ", 4) == 0)
		return from;
	const char *hit = strstr(from, "\n+++ ");
	return hit != NULL ? hit + 1 : NULL;
}

/* The name on the last "--- " line longer than 4 bytes among the lines
 * from `from` up to `to` (a line start), or NULL. */
static const char *
last_minus(const char *from, const char *to)
{
	const char *found = NULL;
	for (const char *l = from; l < to;) {
		const char *eol = memchr(l, '\n', (size_t)(to - l));
		size_t len = eol != NULL ? (size_t)(eol - l) : (size_t)(to - l);
		if (len > 4 && strncmp(l, "--- ", 4) == 0)
			found = l + 4;
		if (eol == NULL)
			break;
		l = eol + 1;
	}
	return found;
}

/* Files a unified diff touches, from its "+++ " lines ("--- " when the
 * new side is /dev/null). Appends up to `show` names; returns the count. */
static size_t
diff_files(const char *diff, struct sbuf *names, size_t show)
{
	size_t n = 0;
	const char *from = diff, *after_last = diff, *line;

	while (*from != '\0' && (line = next_plus_line(from)) != NULL) {
		const char *eol = strchr(line, '\n');
		size_t len = eol != NULL ? (size_t)(eol - line) : strlen(line);
		from = eol != NULL ? eol + 1 : line + len;
		if (len <= 4)
			continue;
		const char *name = line + 4, *minus;
		/* The "--- " line read since the last file, as the line by
		 * line walk kept it. */
		if (strncmp(name, "/dev/null", 9) == 0 &&
		    (minus = last_minus(after_last, line)) != NULL)
			name = minus;
		if (strncmp(name, "a/", 2) == 0 || strncmp(name, "b/", 2) == 0)
			name += 2;
		size_t nlen = strcspn(name, "\t\n\r");
		if (n < show) {
			if (n > 0)
				sb_puts(names, ", ");
			sb_add(names, name, nlen);
		}
		n++;
		after_last = from;
	}
	return n;
}

static void
summary_patch(const struct ag_action_patch *p, struct sbuf *sb)
{
	struct sbuf names = {0};
	size_t n;

	if (p->files != NULL && p->nfiles > 0) {
		n = p->nfiles;
		for (size_t i = 0; i < n && i < 3; i++) {
			if (i > 0)
				sb_puts(&names, ", ");
			sb_puts(&names, p->files[i]);
		}
	} else {
		n = diff_files(p->diff, &names, 3);
	}
	if (n == 0) {
		/* Newlines, but not one that ends the text. */
		size_t lines = 1, len = strlen(p->diff);
		for (const char *s = p->diff, *end = s + len;
		     (s = memchr(s, '\n', (size_t)(end - s))) != NULL; s++)
			lines += s + 1 < end;
		sb_printf(sb, "patch (%zu line%s)", lines, lines == 1 ? "" : "s");
	} else {
		sb_printf(sb, "patch %zu file%s: %s%s", n, n == 1 ? "" : "s", names.p,
		          n > 3 ? ", ..." : "");
	}
	free(names.p);
}

static void
summary_network(const struct ag_action_network *n, struct sbuf *sb)
{
	/* IPv6 literals get brackets so the port stays readable. */
	int v6 = strchr(n->host, ':') != NULL && n->host[0] != '[';
	sb_printf(sb, "%s %s%s%s:%d", n->method != NULL ? n->method : n->protocol, v6 ? "[" : "",
	          n->host, v6 ? "]" : "", n->port);
}

static void
summary_permission(const struct ag_action_permission *p, struct sbuf *sb)
{
	sb_puts(sb, "permission");
	for (size_t i = 0; i < p->npaths; i++)
		sb_printf(sb, "%s %s %s", i ? "," : "", p->paths[i].access, p->paths[i].path);
	if (p->network >= 0)
		sb_printf(sb, "%s %s", p->npaths ? "," : "", p->network ? "network" : "no network");
}

/* Cuts s to at most max bytes on a code point boundary, adding "...". */
static void
truncate_utf8(char *s, size_t max)
{
	size_t len = strlen(s), i = 0;
	uint32_t cp;

	if (len <= max)
		return;
	while (i < max - 3) {
		int n = ag_utf8_decode(s + i, len - i, &cp);
		if (n < 0)
			n = 1;
		if (i + (size_t)n > max - 3)
			break;
		i += (size_t)n;
	}
	memcpy(s + i, "...", 4);
}

/* Caller frees. */
char *
ag_request_summary(const struct ag_request *req)
{
	struct sbuf sb = {0};

	switch (req->kind) {
	case AG_KIND_EXEC:
		if (req->u.exec.command != NULL) {
			sb_puts(&sb, req->u.exec.command);
		} else {
			for (size_t i = 0; i < req->u.exec.argc; i++) {
				if (i > 0)
					sb_puts(&sb, " ");
				sb_shell_word(&sb, req->u.exec.argv[i]);
			}
		}
		break;
	case AG_KIND_PATCH: summary_patch(&req->u.patch, &sb); break;
	case AG_KIND_NETWORK: summary_network(&req->u.network, &sb); break;
	case AG_KIND_MCP: sb_printf(&sb, "mcp %s/%s", req->u.mcp.server, req->u.mcp.tool); break;
	case AG_KIND_PERMISSION: summary_permission(&req->u.permission, &sb); break;
	default: sb_puts(&sb, "?"); break;
	}
	char *s = sb_finish(&sb);
	truncate_utf8(s, AG_SUMMARY_MAX);
	return s;
}

/* --- printing JSON ------------------------------------------------------ */

/* The escapes cJSON_PrintUnformatted writes, in one pass that copies
 * plain bytes 16 at a time (a 3 MB diff has two escapes a line). */
static void
json_put_string(struct sbuf *sb, const char *s)
{
	ag_jsonstr_append(&sb->p, &sb->len, &sb->cap, s, strlen(s));
}

static void
json_put_number(struct sbuf *sb, double d)
{
	char buf[32];
	if (!isfinite(d)) {
		sb_puts(sb, "null"); /* what cJSON prints too */
	} else if (floor(d) == d && fabs(d) < 9007199254740992.0) {
		/* Digit by digit: snprintf would cost more than the rest of a
		 * small frame. */
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
		char *p = buf + sizeof buf;
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			*--p = '-';
		sb_add(sb, p, (size_t)(buf + sizeof buf - p));
	} else {
		/* The shortest of 15 or 17 digits that reads back exactly. */
		snprintf(buf, sizeof buf, "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, sizeof buf, "%.17g", d);
		sb_puts(sb, buf);
	}
}

static void json_put_value(struct sbuf *sb, const cJSON *j, int sorted);

/* Members without a key cannot come from a parse; they are left out. */
static void
json_put_members(struct sbuf *sb, const cJSON *j, int sorted)
{
	const cJSON *c;
	size_t n = 0, i = 0;

	sb_putc(sb, '{');
	if (!sorted) {
		cJSON_ArrayForEach(c, j)
		{
			if (c->string == NULL)
				continue;
			if (n++ > 0)
				sb_putc(sb, ',');
			json_put_string(sb, c->string);
			sb_putc(sb, ':');
			json_put_value(sb, c, 0);
		}
		sb_putc(sb, '}');
		return;
	}
	cJSON_ArrayForEach(c, j) n++;
	const cJSON **keys = xreallocarray(NULL, n ? n : 1, sizeof *keys);
	cJSON_ArrayForEach(c, j)
	{
		if (c->string != NULL)
			keys[i++] = c;
	}
	n = i;
	qsort(keys, n, sizeof *keys, compare_keys);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_putc(sb, ',');
		json_put_string(sb, keys[i]->string);
		sb_putc(sb, ':');
		json_put_value(sb, keys[i], 1);
	}
	sb_putc(sb, '}');
	free(keys);
}

static void
json_put_value(struct sbuf *sb, const cJSON *j, int sorted)
{
	const cJSON *c;

	if (cJSON_IsNull(j) || j == NULL) {
		sb_puts(sb, "null");
	} else if (cJSON_IsTrue(j)) {
		sb_puts(sb, "true");
	} else if (cJSON_IsFalse(j)) {
		sb_puts(sb, "false");
	} else if (cJSON_IsNumber(j)) {
		json_put_number(sb, j->valuedouble);
	} else if (cJSON_IsString(j)) {
		json_put_string(sb, j->valuestring != NULL ? j->valuestring : "");
	} else if (cJSON_IsRaw(j)) {
		sb_puts(sb, j->valuestring != NULL ? j->valuestring : "null");
	} else if (cJSON_IsArray(j)) {
		sb_putc(sb, '[');
		cJSON_ArrayForEach(c, j)
		{
			if (c != j->child)
				sb_putc(sb, ',');
			json_put_value(sb, c, sorted);
		}
		sb_putc(sb, ']');
	} else if (cJSON_IsObject(j)) {
		json_put_members(sb, j, sorted);
	} else {
		sb_puts(sb, "null");
	}
}

char *
ag_json_print(const cJSON *json)
{
	struct sbuf sb = {0};
	sb.cap = 512; /* most frames fit */
	sb.p = xmalloc(sb.cap);
	json_put_value(&sb, json, 0);
	return sb_finish(&sb);
}

/* Caller frees. Keys sorted bytewise, no whitespace, non-ASCII as UTF-8. */
char *
ag_json_print_sorted(const cJSON *json)
{
	struct sbuf sb = {0};
	json_put_value(&sb, json, 1);
	return sb_finish(&sb);
}

/* Caller frees. "exec:" + the sorted action, so the same action written
 * with its keys in another order, or without an optional null, is one key. */
char *
ag_request_action_key(const struct ag_request *req)
{
	char *json = ag_json_print_sorted(req->action);
	char *key = xasprintf("%s:%s", ag_kind_name(req->kind), json);
	free(json);
	return key;
}

/* --- decisions ----------------------------------------------------------- */

void
ag_decision_info_clear(struct ag_decision_info *d)
{
	free(d->reason);
	memset(d, 0, sizeof *d);
}

/* Caller owns the result (cJSON_Delete). */
cJSON *
ag_decision_to_json(const struct ag_decision_info *d)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddNumberToObject(f, "v", 1);
	cJSON_AddStringToObject(f, "type", "decision");
	cJSON_AddStringToObject(f, "id", d->id);
	cJSON_AddStringToObject(f, "decision", ag_decision_name(d->decision));
	cJSON_AddStringToObject(f, "by", ag_decider_name(d->by));
	cJSON_AddStringToObject(f, "reason", d->reason != NULL ? d->reason : "");
	if (d->at_ms > 0)
		cJSON_AddNumberToObject(f, "at_ms", (double)d->at_ms);
	return f;
}

static int
decision_parse(const cJSON *frame, struct ag_decision_info *out, struct ag_error *err)
{
	struct ag_limits lim;
	const char *s;
	char r[REPR_MAX * 4 + 8];
	const cJSON *j;
	int v;

	ag_limits_default(&lim);
	if (!cJSON_IsObject(frame))
		return ag_fail(err, "decision: expected an object, got %s", json_type_name(frame));
	if (check_version(frame, err) < 0)
		return -1;
	if (required_string(frame, "type", "", lim.max_string, 0, &s, err) < 0)
		return -1;
	if (strcmp(s, "decision") != 0)
		return ag_fail(err, "type: expected \"decision\", got %s", repr(r, sizeof r, s));
	if (required_string(frame, "id", "", lim.max_string, 0, &s, err) < 0)
		return -1;
	if (!ag_id_valid(s))
		return ag_fail(err, "id: invalid id %s (1 to %d of A-Z a-z 0-9 . _ : -)",
		               repr(r, sizeof r, s), AG_ID_MAX);
	snprintf(out->id, sizeof out->id, "%s", s);
	if (required_string(frame, "decision", "", lim.max_string, 0, &s, err) < 0)
		return -1;
	if ((v = ag_decision_parse(s)) < 0)
		return ag_fail(err,
		               "decision: unknown decision %s (expected one of approve, "
		               "approve_session, deny, abort, defer)",
		               repr(r, sizeof r, s));
	out->decision = (enum ag_decision)v;
	if (required_string(frame, "by", "", lim.max_string, 0, &s, err) < 0)
		return -1;
	if ((v = ag_decider_parse(s)) < 0)
		return ag_fail(err,
		               "by: unknown decider %s (expected one of human, guardian, policy, "
		               "session, timeout)",
		               repr(r, sizeof r, s));
	out->by = (enum ag_decider)v;
	if (optional_string(frame, "reason", "", lim.max_text, 0, &s, err) < 0)
		return -1;
	out->reason = xstrdup(s != NULL ? s : "");
	j = member(frame, "at_ms");
	if (j != NULL && !cJSON_IsNull(j) &&
	    check_int(j, "at_ms", 0, INT64_C(1) << 53, &out->at_ms, err) < 0)
		return -1;
	return 0;
}

/* out is overwritten, not freed first; on success the caller owns
 * out->reason (ag_decision_info_clear). On failure out is cleared. */
int
ag_decision_from_json(const cJSON *frame, struct ag_decision_info *out, struct ag_error *err)
{
	memset(out, 0, sizeof *out);
	if (decision_parse(frame, out, err) < 0) {
		ag_decision_info_clear(out);
		return -1;
	}
	return 0;
}
