#include "ipc/busdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"

char *
ag_bus_dir_default(void)
{
	const char *bus = getenv("AGATE_BUS");
	if (bus != NULL && *bus != '\0')
		return xstrdup(bus);
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (runtime != NULL && *runtime == '/')
		return xasprintf("%s/agate", runtime);
	return xasprintf("/tmp/agate-%ld", (long)getuid());
}

char *
ag_bus_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* A directory is safe when it is a real directory (not a symlink), owned by
 * us, and nobody else can read, write or enter it. */
static int
check_dir(const char *dir, struct ag_error *err)
{
	struct stat st;
	if (lstat(dir, &st) != 0)
		return ag_fail(err, "bus directory %s: %s", dir, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return ag_fail(err,
		               "bus directory %s is a symlink; remove it or set AGATE_BUS to a "
		               "private directory",
		               dir);
	if (!S_ISDIR(st.st_mode))
		return ag_fail(
		    err, "bus directory %s is not a directory; remove it or set AGATE_BUS", dir);
	if (st.st_uid != getuid())
		return ag_fail(err,
		               "bus directory %s is owned by uid %ld, not you (uid %ld); set "
		               "AGATE_BUS to a directory of your own",
		               dir, (long)st.st_uid, (long)getuid());
	if ((st.st_mode & 077) != 0)
		return ag_fail(err,
		               "bus directory %s is accessible by others (mode %03o); fix it with: "
		               "chmod 700 %s",
		               dir, (unsigned)(st.st_mode & 0777), dir);
	return 0;
}

static int
make_dir(const char *dir, struct ag_error *err)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return ag_fail(err, "cannot create bus directory %s: %s", dir, strerror(errno));
	return check_dir(dir, err);
}

int
ag_bus_dir_prepare(const char *dir, struct ag_error *err)
{
	if (dir == NULL || *dir == '\0')
		return ag_fail(err, "empty bus directory path");
	if (make_dir(dir, err) != 0)
		return -1;
	char *clients = ag_bus_path(dir, "clients");
	int rc = make_dir(clients, err);
	free(clients);
	return rc;
}

int
ag_bus_check_fifo_fd(int fd, const char *what, struct ag_error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return ag_fail(err, "%s: %s", what, strerror(errno));
	if (!S_ISFIFO(st.st_mode))
		return ag_fail(err, "%s is not a FIFO", what);
	if (st.st_uid != getuid())
		return ag_fail(err, "%s is owned by uid %ld, not you", what, (long)st.st_uid);
	if ((st.st_mode & 077) != 0)
		return ag_fail(err, "%s is accessible by others (mode %03o)", what,
		               (unsigned)(st.st_mode & 0777));
	return 0;
}

int
ag_bus_make_fifo(const char *path, struct ag_error *err)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISFIFO(st.st_mode) || st.st_uid != getuid())
			return ag_fail(err, "%s exists and is not our FIFO; remove it", path);
		if (unlink(path) != 0)
			return ag_fail(err, "cannot replace stale %s: %s", path, strerror(errno));
	}
	if (mkfifo(path, 0600) != 0)
		return ag_fail(err, "cannot create FIFO %s: %s", path, strerror(errno));
	return 0;
}
