/* Hook configuration files: merging our handler into the agents' JSON,
 * Codex's trust hash, and the [hooks.state] entries of config.toml. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem() */
#endif
#include "cmd/hookcfg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/udiff.h"
#include "core/sha256.h"
#include "core/xmalloc.h"

/* The default deadline of agate hook and the margin it needs below the
 * client's timeout (spawn, answer, a loaded machine). */
#define HOOK_DEADLINE_DEFAULT_S 585
#define HOOK_DEADLINE_MARGIN_S  15

static const struct {
	const char *event, *label;
} codex_labels[] = {
    {"PreToolUse", "pre_tool_use"},
    {"PermissionRequest", "permission_request"},
    {"PostToolUse", "post_tool_use"},
    {"SessionStart", "session_start"},
    {"UserPromptSubmit", "user_prompt_submit"},
    {"Stop", "stop"},
    {"PreCompact", "pre_compact"},
    {"PostCompact", "post_compact"},
};

const char *
hookcfg_codex_label(const char *event)
{
	for (size_t i = 0; i < sizeof codex_labels / sizeof codex_labels[0]; i++)
		if (strcmp(codex_labels[i].event, event) == 0)
			return codex_labels[i].label;
	return NULL;
}

char *
hookcfg_codex_hash(const char *label, const char *matcher, const char *command, int timeout,
                   int async, const char *status_message)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "event_name", label);
	if (matcher != NULL)
		cJSON_AddStringToObject(j, "matcher", matcher);
	cJSON *hooks = cJSON_AddArrayToObject(j, "hooks");
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "type", "command");
	cJSON_AddStringToObject(h, "command", command);
	cJSON_AddNumberToObject(h, "timeout", timeout);
	cJSON_AddBoolToObject(h, "async", async);
	if (status_message != NULL)
		cJSON_AddStringToObject(h, "statusMessage", status_message);
	cJSON_AddItemToArray(hooks, h);
	char *text = hookmap_json_canonical(j);
	cJSON_Delete(j);
	char hex[AG_SHA256_HEX];
	ag_sha256_hex(text, strlen(text), hex);
	free(text);
	return xasprintf("sha256:%s", hex);
}

/* --- commands ------------------------------------------------------------- */

/* Next shell word of s (quotes removed, no expansion); NULL at the end. */
static char *
next_word(const char **sp)
{
	const char *s = *sp;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	struct udiff_buf b = {0};
	udiff_buf_add(&b, "", 0);
	while (*s && *s != ' ' && *s != '\t') {
		if (*s == '\'') {
			const char *e = strchr(s + 1, '\'');
			if (e == NULL)
				e = s + strlen(s);
			udiff_buf_add(&b, s + 1, (size_t)(e - s - 1));
			s = *e ? e + 1 : e;
		} else if (*s == '"') {
			const char *e = strchr(s + 1, '"');
			if (e == NULL)
				e = s + strlen(s);
			udiff_buf_add(&b, s + 1, (size_t)(e - s - 1));
			s = *e ? e + 1 : e;
		} else {
			udiff_buf_add(&b, s, 1);
			s++;
		}
	}
	*sp = s;
	return udiff_buf_take(&b);
}

int
hookcfg_is_ours(const char *command, enum hook_client client)
{
	const char *s = command;
	char *w = next_word(&s);
	if (w == NULL)
		return 0;
	const char *base = strrchr(w, '/');
	base = base ? base + 1 : w;
	int agate = strcmp(base, "agate") == 0, small = strcmp(base, "agate-hook") == 0;
	free(w);
	if (!agate && !small)
		return 0;
	/* "agate hook CLIENT" or "agate-hook CLIENT" */
	char *a = next_word(&s);
	int ours;
	if (small) {
		ours = a && hook_client_parse(a) == (int)client;
	} else {
		char *b = next_word(&s);
		ours = a && b && strcmp(a, "hook") == 0 && hook_client_parse(b) == (int)client;
		free(b);
	}
	free(a);
	return ours;
}

char *
hookcfg_command(const char *exe, enum hook_client client, int timeout)
{
	int plain = 1;
	for (const char *p = exe; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+",
		            *p))
			plain = 0;
	struct udiff_buf b = {0};
	if (plain) {
		udiff_buf_str(&b, exe);
	} else {
		udiff_buf_str(&b, "'");
		for (const char *p = exe; *p; p++) {
			if (*p == '\'')
				udiff_buf_str(&b, "'\\''");
			else
				udiff_buf_add(&b, p, 1);
		}
		udiff_buf_str(&b, "'");
	}
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	udiff_buf_str(&b, strcmp(base, "agate-hook") == 0 ? " " : " hook ");
	udiff_buf_str(&b, hook_client_name(client));
	if (timeout < HOOK_DEADLINE_DEFAULT_S + HOOK_DEADLINE_MARGIN_S) {
		/* Leave the hook time to answer before the client kills it. */
		int d = timeout > 2 * HOOK_DEADLINE_MARGIN_S ? timeout - HOOK_DEADLINE_MARGIN_S
		                                             : timeout * 3 / 4;
		char tmp[64];
		if (d >= 1)
			snprintf(tmp, sizeof tmp, " --deadline %ds", d);
		else
			snprintf(tmp, sizeof tmp, " --deadline %dms", timeout * 750);
		udiff_buf_str(&b, tmp);
	}
	return udiff_buf_take(&b);
}

/* --- merging ---------------------------------------------------------------- */

static cJSON *
handler_new(const char *command, int timeout)
{
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "type", "command");
	cJSON_AddStringToObject(h, "command", command);
	cJSON_AddNumberToObject(h, "timeout", timeout);
	return h;
}

static void
set_member(cJSON *obj, const char *key, cJSON *value)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
}

static int
merge_event(cJSON *hooks, enum hook_client client, const char *event, const char *matcher,
            const char *command, int timeout, struct ag_error *err)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(hooks, event);
	if (list == NULL) {
		list = cJSON_AddArrayToObject(hooks, event);
	} else if (!cJSON_IsArray(list)) {
		return ag_fail(err, "hooks.%s: expected an array", event);
	}
	int found = 0;
	cJSON *group = list->child;
	while (group != NULL) {
		cJSON *next_group = group->next;
		cJSON *handlers = cJSON_GetObjectItemCaseSensitive(group, "hooks");
		if (cJSON_IsObject(group) && cJSON_IsArray(handlers)) {
			cJSON *h = handlers->child;
			int others = 0;
			while (h != NULL) {
				cJSON *next = h->next;
				const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(h, "command");
				if (cJSON_IsString(cmd) &&
				    hookcfg_is_ours(cmd->valuestring, client)) {
					if (found) {
						/* A second copy of ours would run twice: drop it.
						 */
						cJSON_Delete(
						    cJSON_DetachItemViaPointer(handlers, h));
					} else {
						found = 1;
						cJSON_ReplaceItemViaPointer(
						    handlers, h, handler_new(command, timeout));
					}
				} else {
					others++;
				}
				h = next;
			}
			if (cJSON_GetArraySize(handlers) == 0) {
				cJSON_Delete(cJSON_DetachItemViaPointer(list, group));
			} else if (found && others == 0) {
				/* Our own group: its matcher is ours to set. */
				if (matcher)
					set_member(group, "matcher", cJSON_CreateString(matcher));
				else
					cJSON_DeleteItemFromObjectCaseSensitive(group, "matcher");
			}
		}
		group = next_group;
	}
	if (!found) {
		cJSON *g = cJSON_CreateObject();
		if (matcher)
			cJSON_AddStringToObject(g, "matcher", matcher);
		cJSON *arr = cJSON_AddArrayToObject(g, "hooks");
		cJSON_AddItemToArray(arr, handler_new(command, timeout));
		cJSON_AddItemToArray(list, g);
	}
	return 0;
}

int
hookcfg_merge(cJSON *root, enum hook_client client, const char *const *events,
              const char *const *matchers, size_t nevents, const char *command, int timeout,
              struct ag_error *err)
{
	if (!cJSON_IsObject(root))
		return ag_fail(err, "expected a JSON object at the top");
	cJSON *hooks = cJSON_GetObjectItemCaseSensitive(root, "hooks");
	if (hooks == NULL)
		hooks = cJSON_AddObjectToObject(root, "hooks");
	else if (!cJSON_IsObject(hooks))
		return ag_fail(err, "hooks: expected an object");
	for (size_t i = 0; i < nevents; i++)
		if (merge_event(hooks, client, events[i], matchers[i], command, timeout, err) != 0)
			return -1;
	return 0;
}

int
hookcfg_handlers(const cJSON *root, const char *path, enum hook_client client,
                 struct hookcfg_handler **out, size_t *n, struct ag_error *err)
{
	*out = NULL;
	*n = 0;
	const cJSON *hooks = cJSON_GetObjectItemCaseSensitive(root, "hooks");
	if (hooks == NULL)
		return 0;
	if (!cJSON_IsObject(hooks))
		return ag_fail(err, "hooks: expected an object");
	const cJSON *list;
	cJSON_ArrayForEach(list, hooks)
	{
		if (!cJSON_IsArray(list))
			return ag_fail(err, "hooks.%s: expected an array", list->string);
		const char *label = hookcfg_codex_label(list->string);
		int gi = 0;
		const cJSON *group;
		cJSON_ArrayForEach(group, list)
		{
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(group, "matcher");
			const cJSON *handlers = cJSON_GetObjectItemCaseSensitive(group, "hooks");
			int hi = 0;
			const cJSON *h;
			cJSON_ArrayForEach(h, handlers)
			{
				const cJSON *type = cJSON_GetObjectItemCaseSensitive(h, "type");
				const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(h, "command");
				const cJSON *to = cJSON_GetObjectItemCaseSensitive(h, "timeout");
				const cJSON *as = cJSON_GetObjectItemCaseSensitive(h, "async");
				const cJSON *sm =
				    cJSON_GetObjectItemCaseSensitive(h, "statusMessage");
				if (cJSON_IsString(type) &&
				    strcmp(type->valuestring, "command") == 0 &&
				    cJSON_IsString(cmd)) {
					*out = xreallocarray(*out, *n + 1, sizeof **out);
					struct hookcfg_handler *e = &(*out)[(*n)++];
					memset(e, 0, sizeof *e);
					e->event = xstrdup(list->string);
					e->command = xstrdup(cmd->valuestring);
					e->matcher =
					    cJSON_IsString(m) ? xstrdup(m->valuestring) : NULL;
					e->timeout = cJSON_IsNumber(to) ? to->valueint
					                                : HOOKCFG_TIMEOUT_DEFAULT;
					e->ours = hookcfg_is_ours(cmd->valuestring, client);
					if (label != NULL) {
						e->key =
						    xasprintf("%s:%s:%d:%d", path, label, gi, hi);
						e->hash = hookcfg_codex_hash(
						    label, e->matcher, e->command, e->timeout,
						    cJSON_IsTrue(as),
						    cJSON_IsString(sm) ? sm->valuestring : NULL);
					}
				}
				hi++;
			}
			gi++;
		}
	}
	return 0;
}

void
hookcfg_handlers_free(struct hookcfg_handler **v, size_t n)
{
	if (*v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*v)[i].event);
		free((*v)[i].key);
		free((*v)[i].hash);
		free((*v)[i].command);
		free((*v)[i].matcher);
	}
	free(*v);
	*v = NULL;
}

/* --- TOML ------------------------------------------------------------------- */

/* KEY as a TOML basic string. Caller frees. */
static char *
toml_quote(const char *s)
{
	struct udiff_buf b = {0};
	udiff_buf_str(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char tmp[8];
		if (*p == '"' || *p == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)*p;
			udiff_buf_add(&b, tmp, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(tmp, sizeof tmp, "\\u%04x", *p);
			udiff_buf_str(&b, tmp);
		} else {
			udiff_buf_add(&b, (const char *)p, 1);
		}
	}
	udiff_buf_str(&b, "\"");
	return udiff_buf_take(&b);
}

struct tline {
	const char *s;
	size_t len; /* without the newline */
};

static struct tline *
toml_lines(const char *text, size_t *n)
{
	size_t cap = 16, k = 0;
	struct tline *v = xcalloc(cap, sizeof *v);
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (k == cap) {
			cap *= 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[k++] = (struct tline){p, len};
		p += len + (e ? 1 : 0);
	}
	*n = k;
	return v;
}

/* The line, trimmed of blanks and of a trailing comment outside quotes. */
static void
trim(const struct tline *l, const char **s, size_t *len)
{
	const char *a = l->s;
	size_t n = l->len;
	while (n > 0 && (*a == ' ' || *a == '\t')) {
		a++;
		n--;
	}
	int q = 0;
	for (size_t i = 0; i < n; i++) {
		if (a[i] == '"' && (i == 0 || a[i - 1] != '\\'))
			q = !q;
		if (a[i] == '#' && !q) {
			n = i;
			break;
		}
	}
	while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t' || a[n - 1] == '\r'))
		n--;
	*s = a;
	*len = n;
}

static int
is_header(const struct tline *l)
{
	const char *s;
	size_t n;
	trim(l, &s, &n);
	return n > 0 && s[0] == '[';
}

static int
line_is(const struct tline *l, const char *want)
{
	const char *s;
	size_t n;
	trim(l, &s, &n);
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* "trusted_hash = ..." (any spacing): returns the value part, trimmed. */
static int
trusted_hash_line(const struct tline *l, const char **val, size_t *vlen)
{
	const char *s;
	size_t n;
	trim(l, &s, &n);
	if (n < 12 || memcmp(s, "trusted_hash", 12) != 0)
		return 0;
	size_t i = 12;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n || s[i] != '=')
		return 0;
	i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	*val = s + i;
	*vlen = n - i;
	return 1;
}

/* Index of our table's header line, or -1. */
static long
find_table(const struct tline *v, size_t n, const char *header)
{
	for (size_t i = 0; i < n; i++)
		if (line_is(&v[i], header))
			return (long)i;
	return -1;
}

int
hookcfg_toml_get_trust(const char *text, const char *key, char **hash)
{
	char *q = toml_quote(key);
	char *header = xasprintf("[hooks.state.%s]", q);
	size_t n;
	struct tline *v = toml_lines(text, &n);
	long at = find_table(v, n, header);
	int found = 0;
	for (size_t i = at >= 0 ? (size_t)at + 1 : n; i < n && !is_header(&v[i]); i++) {
		const char *val;
		size_t vlen;
		if (trusted_hash_line(&v[i], &val, &vlen) && vlen >= 2 && val[0] == '"' &&
		    val[vlen - 1] == '"') {
			*hash = xstrndup(val + 1, vlen - 2);
			found = 1;
			break;
		}
	}
	free(v);
	free(header);
	free(q);
	return found;
}

int
hookcfg_toml_set_trust(const char *text, const char *key, const char *hash, char **out,
                       struct ag_error *err)
{
	char *q = toml_quote(key);
	char *header = xasprintf("[hooks.state.%s]", q);
	char *entry = xasprintf("trusted_hash = \"%s\"", hash);
	size_t n;
	struct tline *v = toml_lines(text, &n);
	long at = find_table(v, n, header);
	int rc = 0;
	/* The key written any other way (inline table, dotted keys, literal
	 * string): a second definition would make the file invalid TOML and
	 * Codex would not start. Leave it to the user. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((long)i == at)
			continue;
		if (memmem(v[i].s, v[i].len, key, strlen(key)) != NULL) {
			const char *s;
			size_t len;
			trim(&v[i], &s, &len);
			if (len > 0 && s[0] != '#')
				rc = ag_fail(
				    err,
				    "config.toml line %zu names %s in a form agate does not edit; "
				    "set its trusted_hash = \"%s\" there by hand",
				    i + 1, key, hash);
		}
	}
	struct udiff_buf b = {0};
	if (rc == 0 && at >= 0) {
		size_t end = (size_t)at + 1;
		while (end < n && !is_header(&v[end]))
			end++;
		long hl = -1;
		for (size_t i = (size_t)at + 1; i < end; i++) {
			const char *val;
			size_t vlen;
			if (trusted_hash_line(&v[i], &val, &vlen)) {
				hl = (long)i;
				break;
			}
		}
		for (size_t i = 0; i < n; i++) {
			if ((long)i == hl) {
				udiff_buf_str(&b, entry);
			} else {
				udiff_buf_add(&b, v[i].s, v[i].len);
			}
			udiff_buf_str(&b, "\n");
			if ((long)i == at && hl < 0) {
				udiff_buf_str(&b, entry);
				udiff_buf_str(&b, "\n");
			}
		}
	} else if (rc == 0) {
		udiff_buf_str(&b, text);
		if (b.len > 0 && b.s[b.len - 1] != '\n')
			udiff_buf_str(&b, "\n");
		if (b.len > 0)
			udiff_buf_str(&b, "\n");
		udiff_buf_str(&b, header);
		udiff_buf_str(&b, "\n");
		udiff_buf_str(&b, entry);
		udiff_buf_str(&b, "\n");
	}
	free(v);
	free(header);
	free(entry);
	free(q);
	if (rc != 0) {
		free(b.s);
		return -1;
	}
	*out = udiff_buf_take(&b);
	return 0;
}

/* --- printing ------------------------------------------------------------- */

static void
indent(struct udiff_buf *b, int depth)
{
	for (int i = 0; i < depth; i++)
		udiff_buf_str(b, "  ");
}

/* Objects and arrays one member a line, two-space indent (as the agents'
 * own examples are written); scalars as cJSON prints them. */
static void
print_value(struct udiff_buf *b, const cJSON *v, int depth)
{
	int obj = cJSON_IsObject(v);
	if ((obj || cJSON_IsArray(v)) && v->child != NULL) {
		udiff_buf_str(b, obj ? "{\n" : "[\n");
		for (const cJSON *c = v->child; c != NULL; c = c->next) {
			indent(b, depth + 1);
			if (obj) {
				cJSON *key = cJSON_CreateString(c->string);
				char *k = cJSON_PrintUnformatted(key);
				udiff_buf_str(b, k ? k : "\"\"");
				udiff_buf_str(b, ": ");
				cJSON_free(k);
				cJSON_Delete(key);
			}
			print_value(b, c, depth + 1);
			udiff_buf_str(b, c->next ? ",\n" : "\n");
		}
		indent(b, depth);
		udiff_buf_str(b, obj ? "}" : "]");
		return;
	}
	char *text = cJSON_PrintUnformatted(v);
	udiff_buf_str(b, text ? text : "null");
	cJSON_free(text);
}

char *
hookcfg_json_print(const cJSON *root)
{
	struct udiff_buf b = {0};
	print_value(&b, root, 0);
	udiff_buf_str(&b, "\n");
	return udiff_buf_take(&b);
}

/* --- files ------------------------------------------------------------------ */

static char *
home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return xstrdup(h);
	struct passwd *pw = getpwuid(getuid());
	return xstrdup(pw && pw->pw_dir ? pw->pw_dir : "/");
}

static char *
config_dir(const char *env, const char *name)
{
	const char *v = getenv(env);
	char *dir;
	if (v && *v) {
		dir = xstrdup(v);
	} else {
		char *home = home_dir();
		dir = xasprintf("%s/%s", home, name);
		free(home);
	}
	char real[PATH_MAX];
	if (realpath(dir, real) != NULL) {
		free(dir);
		return xstrdup(real);
	}
	if (dir[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof cwd) != NULL) {
			char *abs = xasprintf("%s/%s", cwd, dir);
			free(dir);
			return abs;
		}
	}
	return dir;
}

char *
hookcfg_claude_dir(void)
{
	return config_dir("CLAUDE_CONFIG_DIR", ".claude");
}

char *
hookcfg_codex_home(void)
{
	return config_dir("CODEX_HOME", ".codex");
}

int
hookcfg_read_json(const char *path, cJSON **out, char **text, int *existed, struct ag_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	*out = NULL;
	*text = NULL;
	int rc = udiff_read_file(path, 16u << 20, &buf, &len, err);
	if (rc < 0)
		return -1;
	*existed = rc == 1;
	if (rc == 0) {
		*out = cJSON_CreateObject();
		*text = xstrdup("");
		return 0;
	}
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	int trailing = 0;
	for (const char *p = end; j && p < buf + len; p++)
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
			trailing = 1;
	if (j == NULL || trailing || !cJSON_IsObject(j)) {
		size_t off = end ? (size_t)(end - buf) : 0, line = 1, col = 1;
		for (size_t i = 0; i < off && i < len; i++) {
			col++;
			if (buf[i] == '\n') {
				line++;
				col = 1;
			}
		}
		cJSON_Delete(j);
		free(buf);
		if (j != NULL && !trailing)
			return ag_fail(err, "%s: expected a JSON object; not changing it", path);
		return ag_fail(err, "%s:%zu:%zu: not valid JSON; not changing it", path, line, col);
	}
	*out = j;
	*text = buf;
	return 0;
}

static int
mkdir_p(const char *dir, unsigned mode, struct ag_error *err)
{
	char *d = xstrdup(dir);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, mode) != 0 && errno != EEXIST) {
			int e = errno;
			free(d);
			return ag_fail(err, "cannot create %s: %s", dir, strerror(e));
		}
		*p = '/';
	}
	int rc = 0;
	if (mkdir(d, mode) != 0 && errno != EEXIST)
		rc = ag_fail(err, "cannot create %s: %s", dir, strerror(errno));
	free(d);
	return rc;
}

int
hookcfg_write_file(const char *path, const char *text, unsigned mode, struct ag_error *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700, err) != 0) {
			free(dir);
			return -1;
		}
	}
	free(dir);
	struct stat st;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	char *tmp = xasprintf("%s.agate-%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return ag_fail(err, "cannot write %s: %s", path, strerror(e));
	}
	fchmod(fd, mode);
	size_t len = strlen(text), off = 0;
	int rc = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = ag_fail(err, "cannot write %s: %s", path, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = ag_fail(err, "cannot write %s: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = ag_fail(err, "cannot write %s: %s", path, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = ag_fail(err, "cannot replace %s: %s", path, strerror(errno));
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
