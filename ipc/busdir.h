/* The bus directory: where hub.fifo, hub.lock, hub.pid and clients/ live.
 * Checked as tmux checks its socket directory: a directory we own, not a
 * symlink, no group/other permission bits. */
#ifndef AGATE_IPC_BUSDIR_H
#define AGATE_IPC_BUSDIR_H

#include "core/error.h"

/* $AGATE_BUS, else $XDG_RUNTIME_DIR/agate, else /tmp/agate-$UID. Caller frees. */
char *ag_bus_dir_default(void);
/* Creates dir (0700) and dir/clients when missing, then checks both.
 * The error says what is wrong and how to fix it. */
int ag_bus_dir_prepare(const char *dir, struct ag_error *err);
/* dir + "/" + name. Caller frees. */
char *ag_bus_path(const char *dir, const char *name);
/* Checks that an opened FIFO is one we made: a FIFO owned by us with no
 * group/other bits. */
int ag_bus_check_fifo_fd(int fd, const char *what, struct ag_error *err);
/* Makes path a FIFO (0600), replacing a stale FIFO; refuses anything else. */
int ag_bus_make_fifo(const char *path, struct ag_error *err);

#endif
