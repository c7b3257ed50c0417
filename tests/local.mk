# tests/: cmocka unit tests (tests/unit), end-to-end harnesses
# (tests/integration), fuzz targets (tests/fuzz, `make fuzz`).
# Each area keeps its own fragment.
TEST_LIBS = tui/libagate_tui.a ipc/libagate_ipc.a reviewer/libagate_reviewer.a \
	core/libagate_core.a $(AGATE_LIBS)
AM_TESTS_ENVIRONMENT = AGATE_BIN=$(abs_top_builddir)/agate; export AGATE_BIN; \
	AGATE_SRCDIR=$(abs_top_srcdir); export AGATE_SRCDIR; \
	AGATE_BUILDDIR=$(abs_top_builddir); export AGATE_BUILDDIR;
include tests/core.mk
include tests/ipc.mk
include tests/reviewer.mk
include tests/tui.mk
include tests/fuzz.mk
include tests/agents.mk
