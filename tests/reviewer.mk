# tests for reviewer/

# The Guardian (issue 5)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_guardian_verdict
TESTS += tests/unit/test_guardian_verdict
tests_unit_test_guardian_verdict_SOURCES = tests/unit/test_guardian_verdict.c
tests_unit_test_guardian_verdict_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_verdict_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif
