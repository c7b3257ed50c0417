# tests for the journal tools (issue 6): replay with flip reports and
# --feed, export/import, gc, log paging, and telemetry against a real
# OTLP/HTTP receiver on 127.0.0.1. Every journal is built by real bus runs.
check_PROGRAMS += tests/integration/otlp_receiver
tests_integration_otlp_receiver_SOURCES = tests/integration/otlp_receiver.c
tests_integration_otlp_receiver_LDADD = $(CJSON_LIBS)

TESTS += tests/integration/replay_flip.sh tests/integration/replay_export.sh \
	tests/integration/replay_telemetry.sh tests/integration/replay_gc.sh \
	tests/integration/replay_feed.sh tests/integration/replay_console.sh
EXTRA_DIST += tests/integration/replay_lib.sh tests/integration/replay_flip.sh \
	tests/integration/replay_export.sh tests/integration/replay_telemetry.sh \
	tests/integration/replay_gc.sh tests/integration/replay_feed.sh \
	tests/integration/replay_console.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_audit
TESTS += tests/unit/test_audit
tests_unit_test_audit_SOURCES = tests/unit/test_audit.c cmd/audit.c cmd/audit.h
tests_unit_test_audit_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_audit_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif
