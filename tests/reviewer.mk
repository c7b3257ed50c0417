# tests for reviewer/

# The Guardian (issue 5)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_guardian_verdict
TESTS += tests/unit/test_guardian_verdict
tests_unit_test_guardian_verdict_SOURCES = tests/unit/test_guardian_verdict.c
tests_unit_test_guardian_verdict_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_verdict_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

# The fake model server: real HTTP on 127.0.0.1 for the Guardian's tests.
check_PROGRAMS += tests/fake_model/fake_model
tests_fake_model_fake_model_SOURCES = tests/fake_model/fake_model.c
tests_fake_model_fake_model_LDADD = $(CJSON_LIBS) -lpthread
GUARDIAN_TEST_SUPPORT = tests/fake_model/spawn.c tests/fake_model/spawn.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_guardian_http
TESTS += tests/unit/test_guardian_http
tests_unit_test_guardian_http_SOURCES = tests/unit/test_guardian_http.c $(GUARDIAN_TEST_SUPPORT)
tests_unit_test_guardian_http_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_http_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

# Risk engine and rules (issue 3)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_diff
TESTS += tests/unit/test_diff
tests_unit_test_diff_SOURCES = tests/unit/test_diff.c
tests_unit_test_diff_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_diff_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_risk_other
TESTS += tests/unit/test_risk_other
tests_unit_test_risk_other_SOURCES = tests/unit/test_risk_other.c
tests_unit_test_risk_other_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_risk_other_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_rules
TESTS += tests/unit/test_rules
tests_unit_test_rules_SOURCES = tests/unit/test_rules.c
tests_unit_test_rules_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_rules_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_guardian_prompt tests/unit/test_guardian_cache \
	tests/unit/test_guardian_engine
TESTS += tests/unit/test_guardian_prompt tests/unit/test_guardian_cache \
	tests/unit/test_guardian_engine
tests_unit_test_guardian_prompt_SOURCES = tests/unit/test_guardian_prompt.c
tests_unit_test_guardian_prompt_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_prompt_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
tests_unit_test_guardian_cache_SOURCES = tests/unit/test_guardian_cache.c
tests_unit_test_guardian_cache_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_cache_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
tests_unit_test_guardian_engine_SOURCES = tests/unit/test_guardian_engine.c $(GUARDIAN_TEST_SUPPORT)
tests_unit_test_guardian_engine_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_engine_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_guardian_config
TESTS += tests/unit/test_guardian_config
tests_unit_test_guardian_config_SOURCES = tests/unit/test_guardian_config.c
tests_unit_test_guardian_config_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_config_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

# The labeled corpus (tests/fixtures/risk/*.tsv): recall and false-positive
# rate of the engine, failing below 0.97 recall or above 0.05 FPR.
check_PROGRAMS += tests/integration/risk_corpus
TESTS += tests/integration/risk_corpus
tests_integration_risk_corpus_SOURCES = tests/integration/risk_corpus.c
tests_integration_risk_corpus_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fixtures/risk

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_guardian_route
TESTS += tests/unit/test_guardian_route
tests_unit_test_guardian_route_SOURCES = tests/unit/test_guardian_route.c
tests_unit_test_guardian_route_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guardian_route_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

TESTS += tests/integration/rules_cli.sh tests/integration/rules_hub.sh
EXTRA_DIST += tests/integration/rules_cli.sh tests/integration/rules_hub.sh

# agate score's answer lines, written without cJSON, against the cJSON path.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_answer
TESTS += tests/unit/test_answer
tests_unit_test_answer_SOURCES = tests/unit/test_answer.c
tests_unit_test_answer_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_answer_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

# An ask rule in a real hub: the Guardian in auto mode and a bus without a
# human never approve it; a human's confirmed decision does.
TESTS += tests/integration/rules_ask.sh
EXTRA_DIST += tests/integration/rules_ask.sh

# The exec scorer (issue 3): the shell parser and the exec policy
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_shell tests/unit/test_risk_exec
TESTS += tests/unit/test_shell tests/unit/test_risk_exec
tests_unit_test_shell_SOURCES = tests/unit/test_shell.c
tests_unit_test_shell_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_shell_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
tests_unit_test_risk_exec_SOURCES = tests/unit/test_risk_exec.c
tests_unit_test_risk_exec_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_risk_exec_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

# The Guardian end to end: hub, fake model, agate review, and a stand-in
# console (a subscriber named "console", as a human's is).
check_PROGRAMS += tests/integration/guardian_console
tests_integration_guardian_console_SOURCES = tests/integration/guardian_console.c
tests_integration_guardian_console_LDADD = $(TEST_LIBS)
TESTS += tests/integration/guardian_headless.sh tests/integration/guardian_injection.sh \
	tests/integration/guardian_secrets.sh tests/integration/guardian_advise.sh
EXTRA_DIST += tests/integration/guardian_lib.sh tests/integration/guardian_headless.sh \
	tests/integration/guardian_injection.sh tests/integration/guardian_secrets.sh \
	tests/integration/guardian_advise.sh
