# tui/: the curses console over an ipc/ client.
noinst_LIBRARIES += tui/libagate_tui.a
tui_libagate_tui_a_SOURCES = \
	tui/console.c tui/console.h \
	tui/view.h tui/view_list.c tui/view_detail.c tui/view_history.c \
	tui/model.c tui/model.h \
	tui/draw.c tui/draw.h \
	tui/layout.c tui/layout.h \
	tui/theme.c tui/theme.h \
	tui/keys.c tui/keys.h \
	tui/syntax.c tui/syntax.h \
	tui/diffview.c tui/diffview.h \
	tui/screen.c tui/screen.h tui/nav.c tui/nav.h \
	tui/replay.c tui/replay.h tui/replay_view.c tui/replay_view.h
