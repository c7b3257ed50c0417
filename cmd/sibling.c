#include "cmd/sibling.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AGATE_BINDIR
#error "AGATE_BINDIR (the configured bindir) comes from cmd/local.mk"
#endif

/* Runs path if it exists. Returns only on failure: 0 when there is no
 * such file (the caller tries the next place), else exec's errno. */
static int
try_exec(const char *path, const struct stat *self, char **argv)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	/* The "sibling" is this very file (agate-net a link to agate, say):
	 * running it would hand the command back to us, forever. */
	if (self != NULL && st.st_dev == self->st_dev && st.st_ino == self->st_ino)
		return 0;
	argv[0] = (char *)path;
	execv(path, argv);
	return errno != 0 ? errno : ENOEXEC;
}

int
ag_exec_sibling(const char *self_name, const char *program, char **argv)
{
	const char *cmd = argv[1] != NULL ? argv[1] : "";
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	struct stat self_st;
	const struct stat *selfp = n > 0 && stat(self, &self_st) == 0 ? &self_st : NULL;

	char path[PATH_MAX];
	const char *failed = NULL; /* a file that exists but would not run */
	int failed_errno = 0;
	const char *slash = strrchr(self, '/');
	if (slash != NULL) {
		int len =
		    snprintf(path, sizeof path, "%.*s/%s", (int)(slash - self), self, program);
		if (len > 0 && (size_t)len < sizeof path) {
			failed_errno = try_exec(path, selfp, argv);
			if (failed_errno != 0)
				failed = path;
		}
	}
	char installed[PATH_MAX];
	int len = snprintf(installed, sizeof installed, "%s/%s", AGATE_BINDIR, program);
	if (len > 0 && (size_t)len < sizeof installed) {
		int e = try_exec(installed, selfp, argv);
		if (e != 0 && failed == NULL) {
			failed = installed;
			failed_errno = e;
		}
	}

	if (failed != NULL)
		fprintf(stderr, "%s %s: cannot run %s: %s: reinstall agate\n", self_name, cmd,
		        failed, strerror(failed_errno));
	else
		fprintf(stderr, "%s %s needs %s (not found next to %s or in %s): reinstall agate\n",
		        self_name, cmd, program, self[0] != '\0' ? self : self_name, AGATE_BINDIR);
	return 2;
}

int
ag_sibling_find(const char *program, char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	struct stat self_st, st;
	int have_self = n > 0 && stat(self, &self_st) == 0;
	const char *slash = strrchr(self, '/');
	char here[PATH_MAX] = "";
	if (slash != NULL)
		snprintf(here, sizeof here, "%.*s/%s", (int)(slash - self), self, program);
	char installed[PATH_MAX];
	snprintf(installed, sizeof installed, "%s/%s", AGATE_BINDIR, program);
	const char *const places[] = {here, installed};
	for (size_t i = 0; i < 2; i++) {
		const char *p = places[i];
		if (p[0] == '\0' || stat(p, &st) != 0 || !S_ISREG(st.st_mode) ||
		    access(p, X_OK) != 0)
			continue;
		if (have_self && st.st_dev == self_st.st_dev && st.st_ino == self_st.st_ino)
			continue;
		snprintf(out, size, "%s", p);
		return 0;
	}
	snprintf(out, size, "next to %s or in %s", self[0] ? self : "this program", AGATE_BINDIR);
	return -1;
}
