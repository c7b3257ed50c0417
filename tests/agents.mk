# tests for the agent hooks (cmd/hook.c, cmd/hookmap.c, cmd/udiff.c,
# cmd/hookcfg.c, core/sha256.c): fixture round trips in `make check`, and
# `make check-agents`, which drives the real Claude Code and Codex clients.

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_hookmap
TESTS += tests/unit/test_hookmap
tests_unit_test_hookmap_SOURCES = tests/unit/test_hookmap.c cmd/hookmap.c cmd/udiff.c
tests_unit_test_hookmap_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_hookmap_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

EXTRA_DIST += tests/fixtures/hooks

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_hookcfg
TESTS += tests/unit/test_hookcfg
tests_unit_test_hookcfg_SOURCES = tests/unit/test_hookcfg.c cmd/hookcfg.c cmd/hookmap.c cmd/udiff.c
tests_unit_test_hookcfg_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_hookcfg_LDADD = $(TEST_LIBS) $(CMOCKA_LIBS)
endif

# Fixture round trips and fail-closed checks through the real binary and bus.
TESTS += tests/integration/hooks_roundtrip.sh tests/integration/hooks_failclosed.sh \
	tests/integration/hooks_init.sh tests/integration/hooks_rules.sh
EXTRA_DIST += tests/integration/hooks_lib.sh tests/integration/hooks_roundtrip.sh \
	tests/integration/hooks_failclosed.sh tests/integration/hooks_init.sh tests/integration/hooks_rules.sh

# The real clients against a scripted model on 127.0.0.1 (needs node, npm
# and the npm registry; skips plainly, exit status 0 with a SKIP line,
# when they are not there).
EXTRA_DIST += tests/integration/agents/run.sh tests/integration/agents/mock_model.js
check-agents: agate$(EXEEXT) agate-hook$(EXEEXT)
	@AGATE_BIN=$(abs_top_builddir)/agate$(EXEEXT) AGATE_SRCDIR=$(abs_top_srcdir) \
	  AGATE_BUILDDIR=$(abs_top_builddir) sh $(top_srcdir)/tests/integration/agents/run.sh; \
	  rc=$$?; if [ $$rc -eq 77 ]; then echo "check-agents: SKIPPED (see the SKIP line above)"; \
	  exit 0; fi; exit $$rc
.PHONY: check-agents
