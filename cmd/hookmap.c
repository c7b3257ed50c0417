/* Hook payload -> agate request, agate decision -> hook answer. See
 * hookmap.h for the tables and tests/fixtures/hooks/README.md for why each
 * answer has the shape it has. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem() */
#endif
#include "cmd/hookmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/udiff.h"
#include "core/sha256.h"
#include "core/utf8.h"
#include "core/xmalloc.h"

#define REASON_MAX 600 /* bytes of a reason passed on to the model */

static const char *const event_names[] = {
#define HOOK_NAME_EVENT(name, str) str,
    HOOK_EVENTS(HOOK_NAME_EVENT)
#undef HOOK_NAME_EVENT
};

const char *
hook_client_name(enum hook_client client)
{
	return client == HOOK_CLAUDE ? "claude" : "codex";
}

const char *
hook_agent_name(enum hook_client client)
{
	return client == HOOK_CLAUDE ? "claude-code" : "codex";
}

int
hook_client_parse(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "claude") == 0 || strcmp(name, "claude-code") == 0)
		return HOOK_CLAUDE;
	if (strcmp(name, "codex") == 0)
		return HOOK_CODEX;
	return -1;
}

const char *
hook_event_name(enum hook_event event)
{
	return event < HOOK_EV_OTHER ? event_names[event] : "other";
}

static enum hook_event
event_parse(const char *name)
{
	for (int i = 0; i < HOOK_EV_OTHER; i++)
		if (strcmp(name, event_names[i]) == 0)
			return (enum hook_event)i;
	return HOOK_EV_OTHER;
}

/* --- canonical JSON --------------------------------------------------------- */

static int
cmp_items(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

/* Sorts every object's members by key, in place. */
static void
sort_keys(cJSON *json)
{
	size_t n = 0;
	for (cJSON *c = json->child; c; c = c->next) {
		sort_keys(c);
		n++;
	}
	if (!cJSON_IsObject(json) || n < 2)
		return;
	cJSON **v = xcalloc(n, sizeof *v);
	size_t i = 0;
	for (cJSON *c = json->child; c; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof *v, cmp_items);
	for (i = 0; i < n; i++) {
		v[i]->prev = i > 0 ? v[i - 1] : v[n - 1]; /* cJSON: head->prev is the tail */
		v[i]->next = i + 1 < n ? v[i + 1] : NULL;
	}
	json->child = v[0];
	free(v);
}

char *
hookmap_json_canonical(const cJSON *json)
{
	cJSON *copy = cJSON_Duplicate(json, 1);
	if (copy == NULL)
		return xstrdup("null");
	sort_keys(copy);
	char *text = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	char *out = xstrdup(text ? text : "null");
	cJSON_free(text);
	return out;
}

/* --- parsing ---------------------------------------------------------------- */

static const char *
type_name(const cJSON *v)
{
	if (v == NULL)
		return "nothing";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

/* A string member: required (missing is an error), or optional (NULL when
 * missing; null allowed when nullable). Any other type is an error. */
static int
get_str(const cJSON *obj, const char *path, const char *key, int required, int nullable,
        const char **out, struct ag_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (v == NULL || (nullable && cJSON_IsNull(v))) {
		if (required)
			return ag_fail(err, "%s%s: missing", path, key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return ag_fail(err, "%s%s: expected a string, got %s", path, key, type_name(v));
	*out = v->valuestring;
	return 0;
}

static int
get_bool(const cJSON *obj, const char *path, const char *key, int *out, struct ag_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = 0;
	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return ag_fail(err, "%s%s: expected true or false, got %s", path, key,
		               type_name(v));
	*out = cJSON_IsTrue(v);
	return 0;
}

/* The input normalized for the correlation key. Caller frees. */
static char *
call_input_key(const cJSON *input)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(input, "command");
	if (cJSON_IsString(cmd)) {
		size_t n = strlen(cmd->valuestring);
		while (n > 0 &&
		       (cmd->valuestring[n - 1] == '\n' || cmd->valuestring[n - 1] == '\r'))
			n--;
		return xstrndup(cmd->valuestring, n);
	}
	return hookmap_json_canonical(input);
}

static void
call_key(struct hook_call *c)
{
	struct ag_sha256 s;
	unsigned char d[AG_SHA256_LEN];
	char *in = call_input_key(c->input);
	const char *parts[] = {"agate-call-v1", hook_client_name(c->client),
	                       c->session,      c->client == HOOK_CODEX && c->turn ? c->turn : "",
	                       c->tool,         in};
	ag_sha256_init(&s);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		ag_sha256_update(&s, parts[i],
		                 strlen(parts[i]) + 1); /* with the NUL: unambiguous */
	ag_sha256_final(&s, d);
	free(in);
	for (int i = 0; i < HOOK_CALL_LEN / 2; i++)
		snprintf(c->call + 2 * i, 3, "%02x", d[i]);
}

int
hook_call_parse(enum hook_client client, const char *buf, size_t len, struct hook_call *out,
                struct ag_error *err)
{
	memset(out, 0, sizeof *out);
	out->client = client;
	out->event = HOOK_EV_OTHER;
	if (len > HOOK_PAYLOAD_MAX)
		return ag_fail(err, "payload: larger than %u bytes", HOOK_PAYLOAD_MAX);
	if (memchr(buf, '\0', len) != NULL)
		return ag_fail(err, "payload: contains a NUL byte");
	size_t bad;
	if (!ag_utf8_valid(buf, len, &bad))
		return ag_fail(err, "payload: invalid UTF-8 at byte %zu", bad);
	const char *end = NULL;
	cJSON *p = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (p == NULL)
		return ag_fail(err, "payload: not valid JSON (near byte %zu)",
		               end ? (size_t)(end - buf) : (size_t)0);
	for (const char *q = end; q < buf + len; q++)
		if (*q != ' ' && *q != '\n' && *q != '\r' && *q != '\t') {
			cJSON_Delete(p);
			return ag_fail(err, "payload: text after the JSON object");
		}
	if (!cJSON_IsObject(p)) {
		ag_fail(err, "payload: expected a JSON object, got %s", type_name(p));
		cJSON_Delete(p);
		return -1;
	}
	out->payload = p;
	if (get_str(p, "", "hook_event_name", 1, 0, &out->event_name, err) != 0 ||
	    get_str(p, "", "session_id", 1, 0, &out->session, err) != 0 ||
	    get_str(p, "", "cwd", 1, 0, &out->cwd, err) != 0 ||
	    get_str(p, "", "transcript_path", 0, 1, &out->transcript, err) != 0 ||
	    get_str(p, "", "tool_use_id", 0, 0, &out->tool_use_id, err) != 0 ||
	    get_str(p, "", "turn_id", 0, 0, &out->turn, err) != 0 ||
	    get_str(p, "", "prompt_id", 0, 0, &out->prompt, err) != 0 ||
	    get_str(p, "", "permission_mode", 0, 0, &out->mode, err) != 0 ||
	    get_str(p, "", "model", 0, 0, &out->model, err) != 0)
		goto fail;
	out->event = event_parse(out->event_name);
	if (out->session[0] == '\0') {
		ag_fail(err, "session_id: empty");
		goto fail;
	}
	if (out->event == HOOK_EV_STOP || out->event == HOOK_EV_OTHER)
		return 0;
	if (get_str(p, "", "tool_name", 1, 0, &out->tool, err) != 0)
		goto fail;
	if (out->tool[0] == '\0') {
		ag_fail(err, "tool_name: empty");
		goto fail;
	}
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(p, "tool_input");
	if (!cJSON_IsObject(in)) {
		ag_fail(err, "tool_input: expected an object, got %s", type_name(in));
		goto fail;
	}
	out->input = in;
	call_key(out);
	return 0;
fail:
	hook_call_clear(out);
	return -1;
}

void
hook_call_clear(struct hook_call *call)
{
	cJSON_Delete(call->payload);
	memset(call, 0, sizeof *call);
	call->event = HOOK_EV_OTHER;
}

enum hook_event
hook_event_sniff(const char *buf, size_t len)
{
	int pre = memmem(buf, len, "\"PreToolUse\"", 12) != NULL;
	int perm = memmem(buf, len, "\"PermissionRequest\"", 19) != NULL;
	if (pre && !perm)
		return HOOK_EV_PRE_TOOL_USE;
	if (perm && !pre)
		return HOOK_EV_PERMISSION_REQUEST;
	return HOOK_EV_OTHER;
}

/* --- actions ---------------------------------------------------------------- */

static cJSON *
action_new(const char *kind)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "kind", kind);
	return a;
}

static cJSON *
files_array(char **files, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(files[i], files[j]) == 0;
		if (!dup)
			cJSON_AddItemToArray(arr, cJSON_CreateString(files[i]));
	}
	return arr;
}

static cJSON *
patch_action(const char *diff, char **files, size_t nfiles)
{
	cJSON *a = action_new("patch");
	cJSON_AddStringToObject(a, "diff", diff);
	cJSON_AddItemToObject(a, "files", files_array(files, nfiles));
	return a;
}

static char *
diff_label(const char *prefix, const char *shown)
{
	return shown[0] == '/' ? xstrdup(shown) : xasprintf("%s%s", prefix, shown);
}

/* Replaces the first (or every) occurrence of old in text. Returns NULL
 * when old does not occur. Caller frees. */
static char *
replace(const char *text, const char *old, const char *new, int all)
{
	size_t ol = strlen(old), nl = strlen(new);
	if (ol == 0)
		return NULL;
	struct udiff_buf b = {0};
	const char *p = text, *hit;
	int found = 0;
	while ((hit = strstr(p, old)) != NULL) {
		found = 1;
		udiff_buf_add(&b, p, (size_t)(hit - p));
		udiff_buf_add(&b, new, nl);
		p = hit + ol;
		if (!all)
			break;
	}
	if (!found) {
		free(b.s);
		return NULL;
	}
	udiff_buf_str(&b, p);
	return udiff_buf_take(&b);
}

struct edit {
	const char *old, *new;
	int all;
};

/* Edit / MultiEdit / Write: the diff of the file on disk against the file
 * after the edit; when the file cannot be read or an old_string is not in
 * it, the diff of the strings themselves (source says which). */
static cJSON *
file_edit_action(const struct hook_call *c, const char *path, const struct edit *edits,
                 size_t nedits, const char *write_content, const struct hookmap_opts *o,
                 const char **source)
{
	char *full = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", c->cwd, path);
	char *shown = udiff_display_path(c->cwd, full);
	char *la = diff_label("a/", shown), *lb = diff_label("b/", shown);
	char *text = NULL;
	size_t tlen = 0;
	struct ag_error rerr;
	int have = udiff_read_file(full, o->max_read, &text, &tlen, &rerr);
	if (have == 1 && strlen(text) != tlen)
		have = -1; /* NUL bytes: a binary file, not something to diff as text */
	char *after = NULL;
	if (write_content != NULL) {
		after = xstrdup(write_content);
	} else if (have == 1) {
		after = xstrdup(text);
		for (size_t i = 0; i < nedits && after; i++) {
			char *next = replace(after, edits[i].old, edits[i].new, edits[i].all);
			free(after);
			after = next;
		}
	} else if (have == 0 && nedits == 1 && edits[0].old[0] == '\0') {
		after = xstrdup(edits[0].new); /* Edit with an empty old_string creates the file */
	}
	struct udiff_buf d = {0};
	if (after != NULL) {
		const char *before = have == 1 ? text : "";
		char *one = udiff_make(have == 1 ? la : "/dev/null", lb, before, strlen(before),
		                       after, strlen(after));
		udiff_buf_str(&d, one);
		free(one);
		*source = have == 1 ? "file"
		                    : (have == 0 ? "new file" : "content only (file unreadable)");
	} else {
		for (size_t i = 0; i < nedits; i++) {
			char *one = udiff_make(la, lb, edits[i].old, strlen(edits[i].old),
			                       edits[i].new, strlen(edits[i].new));
			/* Several edits: one header, hunks after it. */
			const char *body = one;
			if (i > 0)
				for (int nl = 0; nl < 2 && (body = strchr(body, '\n')) != NULL;
				     nl++)
					body++;
			udiff_buf_str(&d, body ? body : "");
			free(one);
		}
		*source = "strings (old_string not found in the file, or file unreadable)";
	}
	char *diff = udiff_buf_take(&d);
	cJSON *a = patch_action(diff, &shown, 1);
	free(diff);
	free(after);
	free(text);
	free(la);
	free(lb);
	free(shown);
	free(full);
	return a;
}

static cJSON *
map_edit(const struct hook_call *c, const struct hookmap_opts *o, const char **source,
         struct ag_error *err)
{
	const char *path, *old, *new;
	int all;
	if (get_str(c->input, "tool_input.", "file_path", 1, 0, &path, err) != 0 ||
	    get_str(c->input, "tool_input.", "old_string", 1, 0, &old, err) != 0 ||
	    get_str(c->input, "tool_input.", "new_string", 1, 0, &new, err) != 0 ||
	    get_bool(c->input, "tool_input.", "replace_all", &all, err) != 0)
		return NULL;
	if (path[0] == '\0') {
		ag_fail(err, "tool_input.file_path: empty");
		return NULL;
	}
	struct edit e = {old, new, all};
	return file_edit_action(c, path, &e, 1, NULL, o, source);
}

static cJSON *
map_multiedit(const struct hook_call *c, const struct hookmap_opts *o, const char **source,
              struct ag_error *err)
{
	const char *path;
	if (get_str(c->input, "tool_input.", "file_path", 1, 0, &path, err) != 0)
		return NULL;
	if (path[0] == '\0') {
		ag_fail(err, "tool_input.file_path: empty");
		return NULL;
	}
	const cJSON *edits = cJSON_GetObjectItemCaseSensitive(c->input, "edits");
	if (!cJSON_IsArray(edits)) {
		ag_fail(err, "tool_input.edits: expected an array, got %s", type_name(edits));
		return NULL;
	}
	int n = cJSON_GetArraySize(edits);
	if (n < 1 || n > 4096) {
		ag_fail(err, "tool_input.edits: expected 1 to 4096 edits, got %d", n);
		return NULL;
	}
	struct edit *v = xcalloc((size_t)n, sizeof *v);
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, edits)
	{
		char where[64];
		snprintf(where, sizeof where, "tool_input.edits[%d].", i);
		if (!cJSON_IsObject(e)) {
			ag_fail(err, "tool_input.edits[%d]: expected an object, got %s", i,
			        type_name(e));
			free(v);
			return NULL;
		}
		if (get_str(e, where, "old_string", 1, 0, &v[i].old, err) != 0 ||
		    get_str(e, where, "new_string", 1, 0, &v[i].new, err) != 0 ||
		    get_bool(e, where, "replace_all", &v[i].all, err) != 0) {
			free(v);
			return NULL;
		}
		i++;
	}
	cJSON *a = file_edit_action(c, path, v, (size_t)n, NULL, o, source);
	free(v);
	return a;
}

static cJSON *
map_write(const struct hook_call *c, const struct hookmap_opts *o, const char **source,
          struct ag_error *err)
{
	const char *path, *content;
	if (get_str(c->input, "tool_input.", "file_path", 1, 0, &path, err) != 0 ||
	    get_str(c->input, "tool_input.", "content", 1, 0, &content, err) != 0)
		return NULL;
	if (path[0] == '\0') {
		ag_fail(err, "tool_input.file_path: empty");
		return NULL;
	}
	return file_edit_action(c, path, NULL, 0, content, o, source);
}

static cJSON *
map_apply_patch(const struct hook_call *c, const struct hookmap_opts *o, const char **source,
                struct ag_error *err)
{
	const char *body;
	if (get_str(c->input, "tool_input.", "command", 1, 0, &body, err) != 0)
		return NULL;
	char *diff = NULL;
	char **files = NULL;
	size_t nfiles = 0;
	struct ag_error perr;
	if (udiff_from_apply_patch(body, strlen(body), c->cwd, o->max_read, &diff, &files, &nfiles,
	                           &perr) == 0) {
		cJSON *a = patch_action(diff, files, nfiles);
		free(diff);
		udiff_files_free(&files, nfiles);
		*source = "apply_patch";
		return a;
	}
	/* Not a patch we can read: carry the text itself, so the console and
	 * the scorer see exactly what Codex was given (its reader is lenient in
	 * ways we do not follow). */
	cJSON *a = action_new("patch");
	cJSON_AddStringToObject(a, "diff", body);
	*source = "apply_patch text as sent (not converted)";
	return a;
}

static cJSON *
map_exec(const struct hook_call *c, struct ag_error *err)
{
	const char *cmd;
	if (get_str(c->input, "tool_input.", "command", 1, 0, &cmd, err) != 0)
		return NULL;
	if (cmd[0] == '\0') {
		ag_fail(err, "tool_input.command: empty");
		return NULL;
	}
	cJSON *a = action_new("exec");
	cJSON_AddStringToObject(a, "command", cmd);
	return a;
}

/* http(s)://[user@]host[:port][/path]: host and port for a network action.
 * Returns -1 when the URL is not of that form. */
static int
parse_url(const char *url, char **scheme, char **host, int *port)
{
	const char *p = strstr(url, "://");
	if (p == NULL || p == url)
		return -1;
	*scheme = xstrndup(url, (size_t)(p - url));
	for (char *s = *scheme; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	int defport = strcmp(*scheme, "https") == 0 ? 443 : strcmp(*scheme, "http") == 0 ? 80 : 0;
	const char *auth = p + 3;
	size_t alen = strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', alen);
	const char *at2 = at;
	while (at2 != NULL) { /* the last '@' ends the userinfo */
		at = at2;
		at2 = memchr(at + 1, '@', alen - (size_t)(at + 1 - auth));
	}
	if (at != NULL) {
		alen -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	const char *hend, *colon = NULL;
	if (alen > 0 && auth[0] == '[') {
		const char *rb = memchr(auth, ']', alen);
		if (rb == NULL)
			goto bad;
		*host = xstrndup(auth + 1, (size_t)(rb - auth - 1));
		hend = rb + 1;
		if (hend < auth + alen) {
			if (*hend != ':')
				goto bad_host;
			colon = hend;
		}
	} else {
		colon = memchr(auth, ':', alen);
		hend = colon ? colon : auth + alen;
		*host = xstrndup(auth, (size_t)(hend - auth));
	}
	if ((*host)[0] == '\0')
		goto bad_host;
	*port = defport;
	if (colon != NULL) {
		const char *q = colon + 1;
		long v = 0;
		if (q >= auth + alen)
			goto bad_host;
		for (; q < auth + alen; q++) {
			if (*q < '0' || *q > '9' || v > 65535)
				goto bad_host;
			v = v * 10 + (*q - '0');
		}
		*port = (int)v;
	}
	if (*port < 1 || *port > 65535)
		goto bad_host;
	return 0;
bad_host:
	free(*host);
	*host = NULL;
bad:
	free(*scheme);
	*scheme = NULL;
	return -1;
}

static cJSON *
builtin_tool_action(const struct hook_call *c)
{
	cJSON *a = action_new("mcp");
	cJSON_AddStringToObject(a, "server", hook_agent_name(c->client));
	cJSON_AddStringToObject(a, "tool", c->tool);
	cJSON_AddItemToObject(a, "arguments", cJSON_Duplicate(c->input, 1));
	return a;
}

static cJSON *
map_webfetch(const struct hook_call *c, const char **source, struct ag_error *err)
{
	const char *url;
	if (get_str(c->input, "tool_input.", "url", 1, 0, &url, err) != 0)
		return NULL;
	char *scheme = NULL, *host = NULL;
	int port = 0;
	if (parse_url(url, &scheme, &host, &port) != 0) {
		*source = "url not understood: shown as the tool call";
		return builtin_tool_action(c);
	}
	cJSON *a = action_new("network");
	cJSON_AddStringToObject(a, "host", host);
	cJSON_AddNumberToObject(a, "port", port);
	cJSON_AddStringToObject(a, "protocol", scheme);
	cJSON_AddStringToObject(a, "method", "GET");
	cJSON_AddStringToObject(a, "url", url);
	free(scheme);
	free(host);
	return a;
}

/* mcp__SERVER__TOOL: the server is what comes before the next "__". */
static cJSON *
map_mcp(const struct hook_call *c)
{
	const char *s = c->tool + 5;
	const char *sep = strstr(s, "__");
	if (sep == NULL || sep == s || sep[2] == '\0')
		return builtin_tool_action(c);
	cJSON *a = action_new("mcp");
	char *server = xstrndup(s, (size_t)(sep - s));
	cJSON_AddStringToObject(a, "server", server);
	cJSON_AddStringToObject(a, "tool", sep + 2);
	cJSON_AddItemToObject(a, "arguments", cJSON_Duplicate(c->input, 1));
	free(server);
	return a;
}

static void
add_opt_str(cJSON *obj, const char *key, const char *value)
{
	if (value != NULL)
		cJSON_AddStringToObject(obj, key, value);
}

cJSON *
hookmap_request(const struct hook_call *c, const struct hookmap_opts *o, struct ag_error *err)
{
	if (c->tool == NULL || c->input == NULL) {
		ag_fail(err, "%s: not a tool call", c->event_name ? c->event_name : "event");
		return NULL;
	}
	const char *source = NULL;
	cJSON *action;
	const char *t = c->tool;
	if (strcmp(t, "Bash") == 0)
		action = map_exec(c, err);
	else if (strcmp(t, "apply_patch") == 0)
		action = map_apply_patch(c, o, &source, err);
	else if (strcmp(t, "Edit") == 0)
		action = map_edit(c, o, &source, err);
	else if (strcmp(t, "MultiEdit") == 0)
		action = map_multiedit(c, o, &source, err);
	else if (strcmp(t, "Write") == 0)
		action = map_write(c, o, &source, err);
	else if (strcmp(t, "WebFetch") == 0)
		action = map_webfetch(c, &source, err);
	else if (strncmp(t, "mcp__", 5) == 0)
		action = map_mcp(c);
	else
		action = builtin_tool_action(c);
	if (action == NULL)
		return NULL;

	const char *why = NULL;
	if (get_str(c->input, "tool_input.", "description", 0, 0, &why, err) != 0) {
		cJSON_Delete(action);
		return NULL;
	}
	cJSON *r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "v", 1);
	cJSON_AddStringToObject(r, "type", "request");
	add_opt_str(r, "id", o->id);
	cJSON_AddStringToObject(r, "session", c->session);
	cJSON_AddStringToObject(r, "agent", hook_agent_name(c->client));
	cJSON_AddStringToObject(r, "cwd", c->cwd);
	cJSON_AddStringToObject(r, "justification", why ? why : "");
	if (o->timeout_ms > 0)
		cJSON_AddNumberToObject(r, "timeout_ms", (double)o->timeout_ms);
	cJSON_AddItemToObject(r, "action", action);

	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "client", hook_client_name(c->client));
	cJSON_AddStringToObject(h, "event", c->event_name);
	cJSON_AddStringToObject(h, "tool", c->tool);
	add_opt_str(h, "tool_use_id", c->tool_use_id);
	add_opt_str(h, "transcript_path", c->transcript);
	add_opt_str(h, "turn_id", c->turn);
	add_opt_str(h, "prompt_id", c->prompt);
	add_opt_str(h, "permission_mode", c->mode);
	add_opt_str(h, "model", c->model);
	cJSON_AddStringToObject(h, "call", c->call);
	if (o->guard)
		cJSON_AddBoolToObject(h, "guard", 1);
	add_opt_str(h, "diff_source", source);
	cJSON_AddItemToObject(r, "hook", h);
	return r;
}

/* --- answers ---------------------------------------------------------------- */

void
hook_answer_clear(struct hook_answer *a)
{
	free(a->out);
	a->out = NULL;
	a->exit = 0;
}

/* One line for the model: control characters become spaces, the length is
 * bounded (at a UTF-8 boundary). Caller frees. */
static char *
one_line(const char *s)
{
	size_t n = strlen(s);
	if (n > REASON_MAX) {
		n = REASON_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	char *out = xstrndup(s, n);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

static const char *
by_phrase(const char *by)
{
	if (by == NULL)
		return "agate";
	if (strcmp(by, "human") == 0)
		return "a human reviewer";
	if (strcmp(by, "guardian") == 0)
		return "the Guardian reviewer";
	if (strcmp(by, "policy") == 0)
		return "a policy rule";
	if (strcmp(by, "timeout") == 0)
		return "timeout (no decision in time)";
	if (strcmp(by, "session") == 0)
		return "an earlier approval in this session";
	return "agate";
}

/* The text a denied model reads: who, why, and not to go around it. */
static char *
deny_text(enum ag_decision d, const char *by, const char *reason)
{
	char *r = reason && *reason ? one_line(reason) : NULL;
	char *t = xasprintf("agate: %s by %s%s%s. Do not retry this or work around it with another "
	                    "command or tool; tell the user what you wanted to do and why.",
	                    d == AG_DECISION_ABORT ? "aborted" : "denied", by_phrase(by),
	                    r ? ": " : "", r ? r : "");
	free(r);
	return t;
}

static char *
print_answer(cJSON *root)
{
	char *text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	char *out = xasprintf("%s\n", text ? text : "{}");
	cJSON_free(text);
	return out;
}

static cJSON *
specific(cJSON **root, enum hook_event event)
{
	*root = cJSON_CreateObject();
	cJSON *h = cJSON_AddObjectToObject(*root, "hookSpecificOutput");
	cJSON_AddStringToObject(h, "hookEventName", hook_event_name(event));
	return h;
}

static char *
pre_tool_use(const char *verdict, const char *reason)
{
	cJSON *root;
	cJSON *h = specific(&root, HOOK_EV_PRE_TOOL_USE);
	cJSON_AddStringToObject(h, "permissionDecision", verdict);
	cJSON_AddStringToObject(h, "permissionDecisionReason", reason);
	return print_answer(root);
}

/* A Claude session rule for exactly this Bash command, or NULL when the
 * command holds a character Claude's rule syntax would read as a pattern. */
static cJSON *
claude_session_rule(const struct hook_call *call)
{
	if (call == NULL || call->tool == NULL || strcmp(call->tool, "Bash") != 0)
		return NULL;
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(call->input, "command");
	if (!cJSON_IsString(cmd) || cmd->valuestring[0] == '\0' ||
	    strpbrk(cmd->valuestring, "*()\n\r") != NULL)
		return NULL;
	cJSON *perms = cJSON_CreateArray();
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "type", "addRules");
	cJSON *rules = cJSON_AddArrayToObject(p, "rules");
	cJSON *rule = cJSON_CreateObject();
	cJSON_AddStringToObject(rule, "toolName", "Bash");
	cJSON_AddStringToObject(rule, "ruleContent", cmd->valuestring);
	cJSON_AddItemToArray(rules, rule);
	cJSON_AddStringToObject(p, "behavior", "allow");
	cJSON_AddStringToObject(p, "destination", "session");
	cJSON_AddItemToArray(perms, p);
	return perms;
}

static char *
permission_request(enum hook_client client, const struct hook_call *call, enum ag_decision d,
                   const char *message)
{
	cJSON *root;
	cJSON *h = specific(&root, HOOK_EV_PERMISSION_REQUEST);
	cJSON *dec = cJSON_AddObjectToObject(h, "decision");
	if (ag_decision_is_approval(d)) {
		cJSON_AddStringToObject(dec, "behavior", "allow");
		/* Codex refuses updatedPermissions (no verdict at all): never there. */
		cJSON *perms = client == HOOK_CLAUDE && d == AG_DECISION_APPROVE_SESSION
		                   ? claude_session_rule(call)
		                   : NULL;
		if (perms)
			cJSON_AddItemToObject(dec, "updatedPermissions", perms);
	} else {
		cJSON_AddStringToObject(dec, "behavior", "deny");
		cJSON_AddStringToObject(dec, "message", message);
		/* Claude: stop the turn. Codex treats interrupt as no verdict at
		 * all (the deny would be lost), so never there. */
		if (client == HOOK_CLAUDE && d == AG_DECISION_ABORT)
			cJSON_AddBoolToObject(dec, "interrupt", 1);
	}
	return print_answer(root);
}

void
hookmap_answer(enum hook_client client, enum hook_event event, const struct hook_call *call,
               enum ag_decision d, const char *by, const char *reason, struct hook_answer *out)
{
	out->exit = 0;
	out->out = NULL;
	int approve = ag_decision_is_approval(d);
	int deny = d == AG_DECISION_DENY || d == AG_DECISION_ABORT || d >= AG_DECISION_COUNT;
	if (d >= AG_DECISION_COUNT)
		d = AG_DECISION_DENY;
	char *msg = deny ? deny_text(d, by, reason) : NULL;
	if (event == HOOK_EV_PRE_TOOL_USE && client == HOOK_CLAUDE) {
		if (approve) {
			char *why = xasprintf("agate: approved by %s", by_phrase(by));
			out->out = pre_tool_use("allow", why);
			free(why);
		} else if (deny) {
			out->out = pre_tool_use("deny", msg);
		} else {
			out->out = pre_tool_use("ask", "agate: no decision here; Claude Code's own "
			                               "permission check decides");
		}
	} else if (event == HOOK_EV_PRE_TOOL_USE && client == HOOK_CODEX) {
		/* Codex rejects allow and ask here; only a deny is a verdict. */
		if (deny)
			out->out = pre_tool_use("deny", msg);
	} else if (event == HOOK_EV_PERMISSION_REQUEST) {
		if (approve || deny)
			out->out = permission_request(client, call, d, msg);
	}
	if (out->out == NULL)
		out->out = xstrdup("");
	free(msg);
}

void
hookmap_fail(enum hook_client client, enum hook_event event, enum ag_decision fallback,
             const char *why, struct hook_answer *out)
{
	char *line = one_line(why);
	if (event != HOOK_EV_PRE_TOOL_USE && event != HOOK_EV_PERMISSION_REQUEST) {
		/* We do not know which answer shape the client expects: exit 2 with
		 * the reason on stderr is a deny for PreToolUse in both clients and
		 * for Codex's PermissionRequest (Claude's falls back to its dialog). */
		out->out = xasprintf("agate: %s (failed closed)\n", line);
		out->exit = 2;
		free(line);
		return;
	}
	if (fallback == AG_DECISION_DEFER) {
		hookmap_answer(client, event, NULL, AG_DECISION_DEFER, NULL, NULL, out);
	} else {
		char *reason = xasprintf("agate could not decide (%s); failed closed", line);
		hookmap_answer(client, event, NULL, AG_DECISION_DENY, NULL, reason, out);
		free(reason);
	}
	free(line);
}
