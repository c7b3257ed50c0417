# tests for tui/ (and the sanitizer in core/ that every screen goes through)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_sanitize
TESTS += tests/unit/test_sanitize
tests_unit_test_sanitize_SOURCES = tests/unit/test_sanitize.c
tests_unit_test_sanitize_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sanitize_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_theme
TESTS += tests/unit/test_theme
tests_unit_test_theme_SOURCES = tests/unit/test_theme.c
tests_unit_test_theme_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_theme_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_layout
TESTS += tests/unit/test_layout
tests_unit_test_layout_SOURCES = tests/unit/test_layout.c
tests_unit_test_layout_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_layout_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

# End-to-end: the real console in a detached tmux server (skips without tmux).
TESTS += tests/integration/console_decide.sh tests/integration/console_hostile.sh \
	tests/integration/console_layout.sh tests/integration/console_demo.sh \
	tests/integration/console_golden.sh tests/integration/console_mouse.sh
EXTRA_DIST += tests/integration/console_lib.sh tests/integration/console_decide.sh \
	tests/integration/console_hostile.sh tests/integration/console_layout.sh \
	tests/integration/console_demo.sh tests/integration/console_golden.sh \
	tests/integration/console_mouse.sh tests/integration/golden

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_tui_model
TESTS += tests/unit/test_tui_model
tests_unit_test_tui_model_SOURCES = tests/unit/test_tui_model.c
tests_unit_test_tui_model_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tui_model_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_tui_replay
TESTS += tests/unit/test_tui_replay
tests_unit_test_tui_replay_SOURCES = tests/unit/test_tui_replay.c
tests_unit_test_tui_replay_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tui_replay_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif
