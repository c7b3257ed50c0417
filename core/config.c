/* Configuration: one table declares every key (name, type, default, help);
 * the parser, ag_config_set(), the accessors and `agate config --defaults`
 * all read it, so a key cannot be parsed one way and documented another.
 *
 * The file is `key = value` lines. A value may be double-quoted (with \" and
 * \\ escapes) to keep leading/trailing blanks or a '#'; an unquoted value
 * ends at a '#' that follows a blank (an inline comment). Every error names
 * file:line. */
#include "core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"

#define CONFIG_LINE_MAX 4096          /* bytes in one line, newline excluded */
#define CONFIG_FILE_MAX (1024 * 1024) /* a config file is a few hundred bytes */

/* CONFIG_PATH: empty, absolute, or "~/..." (expanded with $HOME when set):
 * a relative path would silently depend on where a command was started. */
enum config_type {
	CONFIG_STRING,
	CONFIG_PATH,
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_DURATION,
	CONFIG_ENUM
};

struct config_key {
	const char *name;
	enum config_type type;
	const char *def;     /* the default, as it would be written in the file */
	const char *allowed; /* enum: "a|b|c" */
	int64_t min, max;    /* int and duration (ms) bounds */
	const char *help;    /* one line */
};

#define DUR_MAX (INT64_C(365) * 24 * 3600 * 1000) /* a year, in ms */

/* Every key, once. Add new keys here; nothing else needs to change. */
static const struct config_key config_keys[] = {
    {"bus", CONFIG_PATH, "", NULL, 0, 0,
     "bus directory; empty: $AGATE_BUS, else $XDG_RUNTIME_DIR/agate, else /tmp/agate-$UID"},
    {"journal", CONFIG_PATH, "", NULL, 0, 0,
     "journal database; empty: $AGATE_JOURNAL, else $XDG_STATE_HOME/agate/journal.db"},
    {"journal_sync", CONFIG_ENUM, "normal", "normal|full", 0, 0,
     "fsync the journal at every commit (full) or at checkpoints only (normal)"},
    {"timeout", CONFIG_DURATION, "10m", NULL, 1000, DUR_MAX,
     "how long a request waits for a decision when the agent sets no timeout"},
    {"timeout_decision", CONFIG_ENUM, "deny", "deny|abort|defer", 0, 0,
     "what a request that times out gets (never an approval)"},
    {"max_frame", CONFIG_INT, "4194304", NULL, 4096, INT64_C(64) * 1024 * 1024,
     "largest frame on the bus, in bytes (large diffs need room)"},
    {"orphan_grace", CONFIG_DURATION, "60s", NULL, 0, DUR_MAX,
     "how long a request stays pending after its publisher disconnects"},
    {"fallback", CONFIG_ENUM, "deny", "deny|defer", 0, 0,
     "what hooks answer when agate itself fails (no hub, bad config)"},
    {"hook_deadline", CONFIG_DURATION, "585s", NULL, 1000, DUR_MAX,
     "how long a hook waits before answering with the fallback; keep it under the "
     "agent's hook timeout (600 s by default)"},
    {"rules_ceiling", CONFIG_ENUM, "high", "low|medium|high|critical", 0, 0,
     "an allow rule approves on its own only when the risk level is at most this"},
    {"theme", CONFIG_STRING, "default", NULL, 0, 0, "console theme name or path"},
    {"bell", CONFIG_BOOL, "true", NULL, 0, 0, "ring the terminal bell when a request arrives"},
    {"tmux_width", CONFIG_INT, "60", NULL, 20, 1000,
     "width of the `agate tmux` side pane, in columns"},
    {"guardian_mode", CONFIG_ENUM, "off", "off|advise|auto", 0, 0,
     "Guardian reviewer: off, advise (the human decides), auto (decides low/medium risk)"},
    {"guardian_provider", CONFIG_ENUM, "openai", "openai|responses|anthropic", 0, 0,
     "model API: openai (Chat Completions), responses (OpenAI Responses), anthropic (Messages)"},
    {"guardian_base_url", CONFIG_STRING, "", NULL, 0, 0,
     "model API base URL; empty: the provider's public endpoint"},
    {"guardian_model", CONFIG_STRING, "", NULL, 0, 0, "model name sent to the API"},
    {"guardian_api_key_env", CONFIG_STRING, "OPENAI_API_KEY", NULL, 0, 0,
     "environment variable that holds the API key"},
    {"guardian_api_key_file", CONFIG_PATH, "", NULL, 0, 0,
     "file (mode 0600) that holds the API key, used when the variable is unset"},
    {"guardian_timeout", CONFIG_DURATION, "30s", NULL, 100, DUR_MAX,
     "deadline for one Guardian review, retries included"},
    {"guardian_human_wait", CONFIG_DURATION, "0", NULL, 0, DUR_MAX,
     "in auto mode, how long an escalated request waits for a human; 0: do not wait"},
    /* Telemetry (issue 6): read by cmd/hub.c and cmd/telemetry.c. */
    {"telemetry_endpoint", CONFIG_STRING, "", NULL, 0, 0,
     "OTLP/HTTP collector base URL (http://host:4318); the hub starts `agate telemetry`; "
     "empty: off"},
    {"telemetry_interval", CONFIG_DURATION, "1s", NULL, 100, 3600000,
     "how often telemetry sends a batch (sooner when a batch is full)"},
};

#define NKEYS (sizeof config_keys / sizeof config_keys[0])

struct config_value {
	char *str;   /* the value as text (enum name, string); always set */
	int64_t num; /* int, bool (0/1), duration (ms) */
};

struct ag_config {
	struct config_value values[NKEYS];
};

static const struct config_key *
key_find(const char *name, size_t *index)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(config_keys[i].name, name) == 0) {
			if (index != NULL)
				*index = i;
			return &config_keys[i];
		}
	}
	return NULL;
}

/* Accessors on an undeclared key or of the wrong type are bugs in the
 * caller, not bad input: stop loudly. */
static const struct config_value *
value_of(const struct ag_config *cfg, const char *name, enum config_type want, int any_type)
{
	size_t i;
	const struct config_key *k = key_find(name, &i);
	if (k == NULL) {
		fprintf(stderr, "agate: bug: config key '%s' is not declared\n", name);
		abort();
	}
	if (!any_type && k->type != want) {
		fprintf(stderr, "agate: bug: config key '%s' read with the wrong type\n", name);
		abort();
	}
	return &cfg->values[i];
}

/* Writes s into buf for an error message, with anything unprintable shown
 * as \xNN, cut to fit. Config text is the user's own, but it still reaches
 * a terminal. */
static const char *
repr(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	for (; *s != '\0' && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f) {
			snprintf(buf + o, size - o, "\\x%02x", c);
			o += 4;
		} else {
			buf[o++] = (char)c;
		}
	}
	if (*s != '\0' && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int
fail_unknown_key(const char *name, struct ag_error *err)
{
	char buf[128];
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < NKEYS; i++) {
		size_t d = edit_distance(name, config_keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = config_keys[i].name;
		}
	}
	/* Only suggest what is plausibly a typo, not any key at all. */
	if (best != NULL && best_d <= 2 && best_d < strlen(name))
		return ag_fail(err, "unknown key '%s' (did you mean '%s'?)",
		               repr(name, buf, sizeof buf), best);
	return ag_fail(err, "unknown key '%s' (`agate config --defaults` lists them)",
	               repr(name, buf, sizeof buf));
}

/* "1h30m", "30s", "500ms", "2d", or "0". */
static int
parse_duration(const char *s, int64_t *out)
{
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	int64_t total = 0;
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		int64_t n = 0;
		while (*s >= '0' && *s <= '9') {
			if (n > (INT64_MAX - 9) / 10)
				return -1;
			n = n * 10 + (*s++ - '0');
		}
		int64_t unit;
		if (strncmp(s, "ms", 2) == 0) {
			unit = 1;
			s += 2;
		} else if (*s == 's') {
			unit = 1000;
			s++;
		} else if (*s == 'm') {
			unit = 60 * 1000;
			s++;
		} else if (*s == 'h') {
			unit = 3600 * 1000;
			s++;
		} else if (*s == 'd') {
			unit = 24 * 3600 * 1000;
			s++;
		} else {
			return -1;
		}
		if (n > (INT64_MAX - total) / unit)
			return -1;
		total += n * unit;
	}
	*out = total;
	return 0;
}

static int
parse_int(const char *s, int64_t *out)
{
	if (*s == '\0')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, int64_t *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Whether value is one of the '|'-separated names in allowed. */
static int
enum_allows(const char *allowed, const char *value)
{
	size_t len = strlen(value);
	const char *p = allowed;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (n == len && strncmp(p, value, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

static void
enum_list(const char *allowed, char *buf, size_t size)
{
	size_t o = 0;
	for (const char *p = allowed; *p != '\0' && o + 3 < size; p++) {
		if (*p == '|') {
			buf[o++] = ',';
			buf[o++] = ' ';
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
}

static void
format_duration(int64_t ms, char *buf, size_t size)
{
	if (ms % 1000 != 0)
		snprintf(buf, size, "%lldms", (long long)ms);
	else if (ms % 3600000 == 0 && ms != 0)
		snprintf(buf, size, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0 && ms != 0)
		snprintf(buf, size, "%lldm", (long long)(ms / 60000));
	else
		snprintf(buf, size, "%llds", (long long)(ms / 1000));
}

/* Validates text for key k; on success fills *num. */
static int
parse_value(const struct config_key *k, const char *value, int64_t *num, struct ag_error *err)
{
	char buf[160], lo[32], hi[32];
	*num = 0;
	switch (k->type) {
	case CONFIG_STRING: return 0;
	case CONFIG_PATH:
		if (value[0] == '\0' || value[0] == '/' || strcmp(value, "~") == 0 ||
		    strncmp(value, "~/", 2) == 0)
			return 0;
		return ag_fail(err, "%s: expected an absolute path or ~/path, got '%s'", k->name,
		               repr(value, buf, sizeof buf));
	case CONFIG_ENUM:
		if (enum_allows(k->allowed, value))
			return 0;
		enum_list(k->allowed, lo, sizeof lo);
		return ag_fail(err, "%s: expected one of %s, got '%s'", k->name, lo,
		               repr(value, buf, sizeof buf));
	case CONFIG_BOOL:
		if (parse_bool(value, num) == 0)
			return 0;
		return ag_fail(err, "%s: expected true or false, got '%s'", k->name,
		               repr(value, buf, sizeof buf));
	case CONFIG_INT:
		if (parse_int(value, num) == 0 && *num >= k->min && *num <= k->max)
			return 0;
		return ag_fail(err, "%s: expected a whole number from %lld to %lld, got '%s'",
		               k->name, (long long)k->min, (long long)k->max,
		               repr(value, buf, sizeof buf));
	case CONFIG_DURATION:
		if (parse_duration(value, num) != 0)
			return ag_fail(err,
			               "%s: expected a duration like 30s, 10m, 500ms, got '%s'",
			               k->name, repr(value, buf, sizeof buf));
		if (*num < k->min || *num > k->max) {
			format_duration(k->min, lo, sizeof lo);
			format_duration(k->max, hi, sizeof hi);
			return ag_fail(err, "%s: expected a duration from %s to %s, got '%s'",
			               k->name, lo, hi, repr(value, buf, sizeof buf));
		}
		return 0;
	}
	return ag_fail(err, "%s: unknown type", k->name);
}

static const char *
home_dir(void)
{
	const char *home = getenv("HOME");
	if (home != NULL && home[0] == '/')
		return home;
	const struct passwd *pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

static int
set_value(struct ag_config *cfg, size_t i, const char *value, struct ag_error *err)
{
	const struct config_key *k = &config_keys[i];
	int64_t num;
	if (parse_value(k, value, &num, err) != 0)
		return -1;
	char *text;
	if (k->type == CONFIG_PATH && value[0] == '~') {
		const char *home = home_dir();
		if (home == NULL)
			return ag_fail(err, "%s: cannot expand '~': no home directory", k->name);
		text = xasprintf("%s%s", home, value + 1);
	} else {
		text = xstrdup(value);
	}
	free(cfg->values[i].str);
	cfg->values[i].str = text;
	cfg->values[i].num = num;
	return 0;
}

/* Returns a config with every key at its default; free with ag_config_free. */
struct ag_config *
ag_config_new(void)
{
	struct ag_config *cfg = xcalloc(1, sizeof *cfg);
	for (size_t i = 0; i < NKEYS; i++) {
		struct ag_error err;
		if (set_value(cfg, i, config_keys[i].def, &err) != 0) {
			fprintf(stderr, "agate: bug: bad default for %s\n", err.msg);
			abort();
		}
	}
	return cfg;
}

void
ag_config_free(struct ag_config **cfg)
{
	if (cfg == NULL || *cfg == NULL)
		return;
	for (size_t i = 0; i < NKEYS; i++)
		free((*cfg)->values[i].str);
	free(*cfg);
	*cfg = NULL;
}

/* Caller frees. XDG says a relative $XDG_CONFIG_HOME is to be ignored. */
char *
ag_config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/agate/config", xdg);
	const char *home = home_dir();
	if (home != NULL)
		return xasprintf("%s/.config/agate/config", home);
	return xasprintf("/etc/agate/config");
}

int
ag_config_set(struct ag_config *cfg, const char *key, const char *value, struct ag_error *err)
{
	size_t i;
	if (key_find(key, &i) == NULL)
		return fail_unknown_key(key, err);
	if (strlen(value) > CONFIG_LINE_MAX)
		return ag_fail(err, "%s: value longer than %d bytes", key, CONFIG_LINE_MAX);
	return set_value(cfg, i, value, err);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Unquotes a "..." value in place. Returns 0, or -1 with err. */
static int
unquote(char *v, struct ag_error *err)
{
	char *w = v;
	const char *r = v + 1;
	for (;;) {
		if (*r == '\0')
			return ag_fail(err, "unterminated quoted value");
		if (*r == '"')
			break;
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\')
				return ag_fail(
				    err, "only \\\" and \\\\ may be escaped in a quoted value");
		}
		*w++ = *r++;
	}
	r++;
	while (is_blank(*r))
		r++;
	if (*r != '\0' && *r != '#')
		return ag_fail(err, "unexpected text after the closing quote");
	*w = '\0';
	return 0;
}

/* One line, without its newline. seen[] holds the line each key was set on. */
static int
parse_line(struct ag_config *cfg, char *line, int lineno, int *seen, struct ag_error *err)
{
	char buf[128];
	char *p = line;
	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;

	char *eq = strchr(p, '=');
	if (eq == NULL)
		return ag_fail(err, "expected 'key = value', got '%s'", repr(p, buf, sizeof buf));
	char *kend = eq;
	while (kend > p && is_blank(kend[-1]))
		kend--;
	*kend = '\0';
	if (*p == '\0')
		return ag_fail(err, "missing key before '='");

	char *v = eq + 1;
	while (is_blank(*v))
		v++;
	if (*v == '"') {
		if (unquote(v, err) != 0)
			return ag_fail_prefix(err, "%s", p);
	} else {
		/* An unquoted value ends at an inline comment: a '#' after a blank. */
		char *end = v;
		while (*end != '\0' && !(*end == '#' && end > v && is_blank(end[-1])))
			end++;
		while (end > v && is_blank(end[-1]))
			end--;
		*end = '\0';
	}

	size_t i;
	if (key_find(p, &i) == NULL)
		return fail_unknown_key(p, err);
	if (seen[i] != 0)
		return ag_fail(err, "%s is set twice (first on line %d)", p, seen[i]);
	if (set_value(cfg, i, v, err) != 0)
		return -1;
	seen[i] = lineno;
	return 0;
}

static int
parse_buffer(struct ag_config *cfg, const char *path, char *data, size_t len, struct ag_error *err)
{
	int seen[NKEYS] = {0};
	int lineno = 0;
	size_t off = 0;
	while (off < len) {
		lineno++;
		char *line = data + off;
		char *nl = memchr(line, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - off;
		off += n + (nl != NULL);
		if (n > CONFIG_LINE_MAX)
			return ag_fail(err, "%s:%d: line longer than %d bytes", path, lineno,
			               CONFIG_LINE_MAX);
		if (memchr(line, '\0', n) != NULL)
			return ag_fail(err, "%s:%d: NUL byte in line (is this a text file?)", path,
			               lineno);
		line[n] = '\0';
		if (parse_line(cfg, line, lineno, seen, err) != 0)
			return ag_fail_prefix(err, "%s:%d", path, lineno);
	}
	return 0;
}

/* Reads the whole file, bounded, into a NUL-terminated buffer the caller
 * frees. Returns 1 when the file is missing, 0 on success, -1 on error. */
static int
read_file(const char *path, char **out, size_t *len, struct ag_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return ag_fail(err, "%s: %s", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return ag_fail(err, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ag_fail(err, "%s: not a regular file", path);
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		return ag_fail(err, "%s: larger than %d bytes; is this the right file?", path,
		               CONFIG_FILE_MAX);
	}
	/* Read up to one byte more than the limit, in case it grew meanwhile. */
	char *buf = xmalloc(CONFIG_FILE_MAX + 2);
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, CONFIG_FILE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			free(buf);
			return ag_fail(err, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > CONFIG_FILE_MAX) {
			close(fd);
			free(buf);
			return ag_fail(err, "%s: larger than %d bytes; is this the right file?",
			               path, CONFIG_FILE_MAX);
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Applies the file on top of cfg. On error cfg may hold the keys from the
 * lines before the bad one; callers stop on error anyway. */
int
ag_config_load(struct ag_config *cfg, const char *path, int missing_ok, struct ag_error *err)
{
	char *data = NULL;
	size_t len = 0;
	int rc = read_file(path, &data, &len, err);
	if (rc == 1) {
		if (missing_ok)
			return 0;
		return ag_fail(err, "%s: no such file", path);
	}
	if (rc != 0)
		return -1;
	rc = parse_buffer(cfg, path, data, len, err);
	free(data);
	return rc;
}

const char *
ag_config_str(const struct ag_config *cfg, const char *key)
{
	/* Any type has a text form; enums and strings are the usual readers. */
	return value_of(cfg, key, CONFIG_STRING, 1)->str;
}

int64_t
ag_config_int(const struct ag_config *cfg, const char *key)
{
	return value_of(cfg, key, CONFIG_INT, 0)->num;
}

int64_t
ag_config_ms(const struct ag_config *cfg, const char *key)
{
	return value_of(cfg, key, CONFIG_DURATION, 0)->num;
}

int
ag_config_bool(const struct ag_config *cfg, const char *key)
{
	return (int)value_of(cfg, key, CONFIG_BOOL, 0)->num;
}

static const char *
type_hint(const struct config_key *k, char *buf, size_t size)
{
	switch (k->type) {
	case CONFIG_STRING: return "text";
	case CONFIG_PATH: return "absolute path or ~/path";
	case CONFIG_INT:
		snprintf(buf, size, "%lld..%lld", (long long)k->min, (long long)k->max);
		return buf;
	case CONFIG_BOOL: return "true|false";
	case CONFIG_DURATION: return "duration: 500ms, 30s, 10m, 2h";
	case CONFIG_ENUM: return k->allowed;
	}
	return "?";
}

/* Writes " value", quoted when the parser would otherwise trim or cut it. */
static void
write_value(FILE *out, const char *v)
{
	size_t len = strlen(v);
	if (len == 0)
		return;
	int quote = is_blank(v[0]) || is_blank(v[len - 1]) || v[0] == '"' || strchr(v, '#') != NULL;
	if (!quote) {
		fprintf(out, " %s", v);
		return;
	}
	fputs(" \"", out);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

/* A commented config file: uncommenting any line gives a valid file. */
void
ag_config_print_defaults(FILE *out)
{
	char buf[64];
	fprintf(out,
	        "# agate configuration: $XDG_CONFIG_HOME/agate/config (~/.config/agate/config)\n"
	        "# `key = value` lines; '#' starts a comment. Every key, at its default:\n");
	for (size_t i = 0; i < NKEYS; i++) {
		const struct config_key *k = &config_keys[i];
		fprintf(out, "\n# %s [%s]\n", k->help, type_hint(k, buf, sizeof buf));
		fprintf(out, "#%s =", k->name);
		write_value(out, k->def);
		fputc('\n', out);
	}
}
