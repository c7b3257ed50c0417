# tests for ipc/: unit tests of the framing and the pending table, and the
# end-to-end bus tests (durability across SIGKILL, hostile clients).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_linebuf tests/unit/test_pending
TESTS += tests/unit/test_linebuf tests/unit/test_pending
tests_unit_test_linebuf_SOURCES = tests/unit/test_linebuf.c
tests_unit_test_linebuf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_linebuf_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
tests_unit_test_pending_SOURCES = tests/unit/test_pending.c
tests_unit_test_pending_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pending_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

check_PROGRAMS += tests/integration/busload tests/integration/hostile \
	tests/integration/longframe
tests_integration_longframe_SOURCES = tests/integration/longframe.c
tests_integration_longframe_LDADD = $(TEST_LIBS)
tests_integration_busload_SOURCES = tests/integration/busload.c
tests_integration_busload_LDADD = $(TEST_LIBS)
tests_integration_hostile_SOURCES = tests/integration/hostile.c
tests_integration_hostile_LDADD = $(TEST_LIBS)

TESTS += tests/integration/bus_basic.sh tests/integration/bus_hostile.sh \
	tests/integration/bus_durability.sh tests/integration/bus_hook_restart.sh \
	tests/integration/bus_long.sh
EXTRA_DIST += tests/integration/lib.sh tests/integration/bus_basic.sh \
	tests/integration/bus_hostile.sh tests/integration/bus_durability.sh \
	tests/integration/bus_hook_restart.sh tests/integration/bus_long.sh
