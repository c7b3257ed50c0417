# tests for core/

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_utf8
TESTS += tests/unit/test_utf8
tests_unit_test_utf8_SOURCES = tests/unit/test_utf8.c
tests_unit_test_utf8_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_utf8_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_jsonstr
TESTS += tests/unit/test_jsonstr
tests_unit_test_jsonstr_SOURCES = tests/unit/test_jsonstr.c tests/unit/jsonstr_ref.h
tests_unit_test_jsonstr_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_jsonstr_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_risk
TESTS += tests/unit/test_risk
tests_unit_test_risk_SOURCES = tests/unit/test_risk.c
tests_unit_test_risk_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_risk_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_config_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_request
TESTS += tests/unit/test_request
tests_unit_test_request_SOURCES = tests/unit/test_request.c
tests_unit_test_request_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_request_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_journal
TESTS += tests/unit/test_journal
tests_unit_test_journal_SOURCES = tests/unit/test_journal.c
tests_unit_test_journal_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_journal_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
# The hook column (schema 4) and the migration of a schema 3 file.
check_PROGRAMS += tests/unit/test_journal_hook
TESTS += tests/unit/test_journal_hook
tests_unit_test_journal_hook_SOURCES = tests/unit/test_journal_hook.c
tests_unit_test_journal_hook_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_journal_hook_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif
EXTRA_DIST += tests/fixtures/journal
