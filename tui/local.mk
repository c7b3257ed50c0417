# tui/: the curses console over an ipc/ client.
noinst_LIBRARIES += tui/libagate_tui.a
tui_libagate_tui_a_SOURCES = \
	tui/theme.c tui/theme.h \
	tui/layout.c tui/layout.h
