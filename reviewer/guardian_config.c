#include "reviewer/guardian_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/utf8.h"
#include "core/xmalloc.h"

#ifndef AGATE_DATADIR
#define AGATE_DATADIR "/usr/local/share/agate"
#endif

#define AG_NAME(name, str) str,
static const char *const mode_names[] = {AG_GUARDIAN_MODES(AG_NAME)};
#undef AG_NAME

const char *
ag_guardian_mode_name(enum ag_guardian_mode m)
{
	return m >= 0 && m < AG_GMODE_COUNT ? mode_names[m] : "?";
}

int
ag_guardian_mode_parse(const char *name)
{
	for (int i = 0; name != NULL && i < AG_GMODE_COUNT; i++)
		if (strcmp(mode_names[i], name) == 0)
			return i;
	return -1;
}

/* Reads a whole regular file of at most max bytes. Returns the bytes
 * (NUL-terminated, caller frees) or NULL with err. */
static char *
read_small_file(int fd, const char *path, size_t max, size_t *len, struct ag_error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		ag_fail(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		ag_fail(err, "%s: not a regular file", path);
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		ag_fail(err, "%s: %lld bytes, at most %zu", path, (long long)st.st_size, max);
		return NULL;
	}
	char *buf = xmalloc(max + 1);
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ag_fail(err, "%s: %s", path, strerror(errno));
			explicit_bzero(buf, max + 1);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			ag_fail(err, "%s: more than %zu bytes", path, max);
			explicit_bzero(buf, max + 1);
			free(buf);
			return NULL;
		}
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static char *
policy_from(const char *path, struct ag_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ag_fail(err, "policy %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t len = 0;
	char *text = read_small_file(fd, path, AG_POLICY_MAX, &len, err);
	close(fd);
	if (text == NULL)
		return NULL;
	size_t bad;
	if (memchr(text, '\0', len) != NULL || !ag_utf8_valid(text, len, &bad)) {
		free(text);
		ag_fail(err, "policy %s: not UTF-8 text", path);
		return NULL;
	}
	return text;
}

char *
ag_guardian_policy_load(const char *path, char **source, struct ag_error *err)
{
	if (path != NULL && *path != '\0') {
		char *text = policy_from(path, err);
		if (text != NULL && source != NULL)
			*source = xstrdup(path);
		return text;
	}
	const char *dir = getenv("AGATE_DATADIR");
	char *installed = xasprintf("%s/policy.txt", dir && *dir ? dir : AGATE_DATADIR);
	if (access(installed, R_OK) == 0) {
		char *text = policy_from(installed, err);
		if (text != NULL) {
			if (source != NULL)
				*source = installed;
			else
				free(installed);
			return text;
		}
		/* A broken installed copy is not fatal: the built-in one is
		 * the same text as shipped. */
	}
	free(installed);
	if (source != NULL)
		*source = xstrdup("built-in");
	return xstrdup(ag_guardian_default_policy);
}

/* Printable ASCII, no spaces: anything else could split an HTTP header. */
static int
key_chars_ok(const char *k, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)k[i] <= 0x20 || (unsigned char)k[i] >= 0x7f)
			return 0;
	return 1;
}

static int
key_from_file(const char *path, char **key, struct ag_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ELOOP)
			return ag_fail(err,
			               "guardian_api_key_file %s: is a symlink; name the file "
			               "itself",
			               path);
		return ag_fail(err, "guardian_api_key_file %s: %s", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ag_fail(err, "guardian_api_key_file %s: %s", path, strerror(errno));
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return ag_fail(err, "guardian_api_key_file %s: owned by uid %ld, not by you", path,
		               (long)st.st_uid);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return ag_fail(err,
		               "guardian_api_key_file %s: mode %04o lets others read it; run chmod "
		               "600 on it",
		               path, (unsigned)(st.st_mode & 07777));
	}
	size_t len = 0;
	char *text = read_small_file(fd, path, AG_KEY_MAX, &len, err);
	close(fd);
	if (text == NULL)
		return ag_fail_prefix(err, "guardian_api_key_file");
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
	                   text[len - 1] == '\t'))
		text[--len] = '\0';
	if (len == 0 || !key_chars_ok(text, len)) {
		explicit_bzero(text, len);
		free(text);
		return ag_fail(err,
		               len == 0 ? "guardian_api_key_file %s: the file is empty"
		                        : "guardian_api_key_file %s: the key has spaces or control "
		                          "characters",
		               path);
	}
	*key = text;
	return 1;
}

int
ag_guardian_key_load(const char *env_name, const char *file, enum ag_provider provider, char **key,
                     char *why, size_t whysize, struct ag_error *err)
{
	*key = NULL;
	why[0] = '\0';
	const char *var = env_name;
	if (provider == AG_PROVIDER_ANTHROPIC && var != NULL && strcmp(var, "OPENAI_API_KEY") == 0)
		var = "ANTHROPIC_API_KEY";
	if (var != NULL && *var != '\0') {
		const char *v = getenv(var);
		if (v != NULL && *v != '\0') {
			if (!key_chars_ok(v, strlen(v)) || strlen(v) > AG_KEY_MAX)
				return ag_fail(
				    err,
				    "$%s: the key has spaces or control characters, or is "
				    "too long",
				    var);
			*key = xstrdup(v);
			return 1;
		}
	}
	if (file != NULL && *file != '\0')
		return key_from_file(file, key, err);
	if (var != NULL && *var != '\0')
		snprintf(why, whysize,
		         "no API key: $%s is unset and guardian_api_key_file is not set "
		         "(--api-key-env VAR or --api-key-file PATH)",
		         var);
	else
		snprintf(
		    why, whysize,
		    "no API key: neither guardian_api_key_env nor guardian_api_key_file is set "
		    "(--api-key-env VAR or --api-key-file PATH)");
	return 0;
}

void
ag_guardian_key_free(char **key)
{
	if (*key != NULL) {
		explicit_bzero(*key, strlen(*key));
		free(*key);
		*key = NULL;
	}
}
