# cmd/: one file per subcommand; the only place where layers are wired.
bin_PROGRAMS += agate
agate_SOURCES = \
	cmd/main.c cmd/commands.h cmd/common.c cmd/common.h \
	cmd/publish.c cmd/publish.h \
	cmd/hub.c cmd/ask.c cmd/exec.c cmd/decide.c cmd/log.c cmd/status.c cmd/config.c \
	cmd/hook.c cmd/hookmap.c cmd/hookmap.h cmd/udiff.c cmd/udiff.h \
	cmd/hookcfg.c cmd/hookcfg.h cmd/init.c cmd/doctor.c \
	cmd/console.c cmd/demo.c cmd/tmux.c \
	cmd/score.c cmd/rules.c
agate_SOURCES += cmd/review.c
# Journal tools (issue 6): replay, export/import, gc, telemetry.
agate_SOURCES += cmd/audit.c cmd/audit.h cmd/replay.c cmd/export.c cmd/gc.c \
	cmd/telemetry.c cmd/telemetry.h
agate_LDADD = tui/libagate_tui.a ipc/libagate_ipc.a reviewer/libagate_reviewer.a \
	core/libagate_core.a $(AGATE_LIBS)

# agate-hook: `agate hook` without libcurl and ncurses to load, since agents
# spawn it for every tool call (see cmd/hook_main.c).
bin_PROGRAMS += agate-hook
agate_hook_SOURCES = cmd/hook_main.c cmd/hook.c cmd/hookmap.c cmd/hookmap.h cmd/udiff.c \
	cmd/udiff.h cmd/common.c cmd/common.h cmd/commands.h
agate_hook_LDADD = ipc/libagate_ipc.a core/libagate_core.a $(CJSON_LIBS) $(SQLITE_LIBS) -lm
agate_hook_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
