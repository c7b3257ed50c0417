# tests/: cmocka unit tests (tests/unit), end-to-end harnesses
# (tests/integration), fuzz targets (tests/fuzz, `make fuzz`).
# Each area keeps its own fragment.
TEST_LIBS = tui/libagate_tui.a ipc/libagate_ipc.a reviewer/libagate_reviewer.a \
	core/libagate_core.a $(AGATE_LIBS)
AM_TESTS_ENVIRONMENT = AGATE_BIN=$(abs_top_builddir)/agate; export AGATE_BIN; \
	AGATE_SRCDIR=$(abs_top_srcdir); export AGATE_SRCDIR; \
	AGATE_BUILDDIR=$(abs_top_builddir); export AGATE_BUILDDIR;
# Shell tests run under sh; C test programs run directly, or under valgrind
# with `make check-valgrind` (memcheck, leaks, errors fail the run).
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
VALGRIND = valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check LOG_COMPILER="$(VALGRIND)" \
	  TESTS="$$(echo ' $(TESTS) ' | tr ' ' '\n' | grep '^tests/unit/' | tr '\n' ' ')"
.PHONY: check-valgrind

include tests/core.mk
include tests/ipc.mk
include tests/reviewer.mk
include tests/tui.mk
include tests/fuzz.mk
include tests/agents.mk
include tests/replay.mk
include tests/net.mk
