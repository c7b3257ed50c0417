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
# Journal tools (issue 6): export/import, gc; the hub's side of telemetry.
agate_SOURCES += cmd/audit.c cmd/audit.h cmd/export.c cmd/gc.c \
	cmd/telemetry_hub.c cmd/telemetry.h
# No $(CURL_LIBS): the commands that need it are agate-net's (below), and
# nothing linked here may reference libcurl (tests/integration/net_split.sh
# checks that agate has no libcurl in its NEEDED entries).
agate_LDADD = cmd/libagate_sibling.a tui/libagate_tui.a ipc/libagate_ipc.a \
	reviewer/libagate_reviewer.a core/libagate_core.a \
	$(CJSON_LIBS) $(SQLITE_LIBS) $(NCURSES_LIBS) -lm
agate_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
# `make agate` gives an agate whose every command runs (bench and test
# rules name only agate).
EXTRA_agate_DEPENDENCIES = agate-net$(EXEEXT)

# agate-net: the commands that talk HTTP through libcurl (the N entries of
# cmd/commands.h), which `agate NAME` execs, as git runs git-remote-https:
# libcurl's dependency chain is 4.6 MB of the console's RSS otherwise.
bin_PROGRAMS += agate-net
agate_net_SOURCES = cmd/net_main.c cmd/commands.h cmd/common.c cmd/common.h \
	cmd/review.c cmd/replay.c cmd/telemetry.c cmd/telemetry.h cmd/audit.c cmd/audit.h
agate_net_LDADD = cmd/libagate_sibling.a tui/libagate_tui.a ipc/libagate_ipc.a \
	reviewer/libagate_reviewer.a core/libagate_core.a $(AGATE_LIBS)
agate_net_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed

# Finding the other program: next to /proc/self/exe, else the configured
# bindir, compiled in here (its own library so only this file needs it).
noinst_LIBRARIES += cmd/libagate_sibling.a
cmd_libagate_sibling_a_SOURCES = cmd/sibling.c cmd/sibling.h
cmd_libagate_sibling_a_CPPFLAGS = $(AM_CPPFLAGS) -DAGATE_BINDIR='"$(bindir)"'

# agate-hook: `agate hook` without libcurl and ncurses to load, since agents
# spawn it for every tool call (see cmd/hook_main.c).
bin_PROGRAMS += agate-hook
agate_hook_SOURCES = cmd/hook_main.c cmd/hook.c cmd/hookmap.c cmd/hookmap.h cmd/udiff.c \
	cmd/udiff.h cmd/common.c cmd/common.h cmd/commands.h
agate_hook_LDADD = ipc/libagate_ipc.a core/libagate_core.a $(CJSON_LIBS) $(SQLITE_LIBS) -lm
agate_hook_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
