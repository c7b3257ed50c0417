# bench/: `make bench` — every figure printed beside a baseline measured in
# the same run, as a ratio. Not part of `make check`. Each benchmark adds a
# phony target to BENCH_RUNS; BENCH_QUICK=1 shortens every run.
BENCH_RUNS = bench-bus
noinst_PROGRAMS += bench/bench_bus
bench_bench_bus_SOURCES = bench/bench_bus.c bench/timing.h
bench_bench_bus_LDADD = ipc/libagate_ipc.a core/libagate_core.a $(AGATE_LIBS)

bench-bus: bench/bench_bus agate
	@echo "== bus: round trip and throughput (machine: $$(nproc) cores, $$(uname -m)) =="
	./bench/bench_bus $(abs_top_builddir)/agate

# Hook overhead per tool call (an allow rule decides at once) beside the
# spawn of /bin/true; 1,000 calls, 200 with BENCH_QUICK=1.
BENCH_RUNS += bench-hook
noinst_PROGRAMS += bench/bench_hook
bench_bench_hook_SOURCES = bench/bench_hook.c
bench-hook: bench/bench_hook agate agate-hook
	@echo "== hook: overhead per tool call (machine: $$(nproc) cores, $$(uname -m)) =="
	./bench/bench_hook $(abs_top_builddir)/agate-hook $(if $(BENCH_QUICK),200,1000)

# The journal at 1,000,000 requests (100,000 with BENCH_QUICK=1): replay
# through the risk engine and `agate log --session X`, beside bare sqlite3
# queries of the same rows.
BENCH_RUNS += bench-journal
noinst_PROGRAMS += bench/bench_journal
bench_bench_journal_SOURCES = bench/timing.h bench/bench_journal.c
bench_bench_journal_LDADD = reviewer/libagate_reviewer.a core/libagate_core.a $(AGATE_LIBS)
bench-journal: bench/bench_journal agate
	@echo "== journal: replay and log at scale (machine: $$(nproc) cores, $$(uname -m)) =="
	./bench/bench_journal $(abs_top_builddir)/agate

bench:
	@$(MAKE) $(AM_MAKEFLAGS) $(BENCH_RUNS)
.PHONY: bench $(BENCH_RUNS)

# The Guardian on a 1,000-request trace through `agate review --headless`
# and the fake model, beside a Guardian that asks the model about
# everything (300 requests with BENCH_QUICK=1).
BENCH_RUNS += bench-guardian
noinst_PROGRAMS += bench/bench_guardian
bench_bench_guardian_SOURCES = bench/timing.h bench/bench_guardian.c
bench_bench_guardian_LDADD = ipc/libagate_ipc.a core/libagate_core.a $(AGATE_LIBS)
CLEANFILES += bench-guardian-decisions.jsonl
bench-guardian: bench/bench_guardian agate tests/fake_model/fake_model
	@echo "== guardian: model calls and decisions on a trace (machine: $$(nproc) cores, $$(uname -m)) =="
	./bench/bench_guardian $(abs_top_builddir)/agate \
	  $(abs_top_builddir)/tests/fake_model/fake_model $(if $(BENCH_QUICK),300,1000)

# `agate score` on one core (CPU 0): exec requests/s and MB/s of 1 MiB
# diffs, beside cJSON parse+print of the same input in process (100,000
# requests; 10,000 with BENCH_QUICK=1).
BENCH_RUNS += bench-score
noinst_PROGRAMS += bench/bench_score
bench_bench_score_SOURCES = bench/timing.h bench/bench_score.c
bench_bench_score_LDADD = core/libagate_core.a $(AGATE_LIBS)
bench-score: bench/bench_score agate
	@echo "== score: agate score throughput, one core (machine: $$(nproc) cores, $$(uname -m)) =="
	AGATE_SRCDIR=$(abs_top_srcdir) ./bench/bench_score $(abs_top_builddir)/agate

# The console (`agate console`) driven in a detached tmux server: publish to
# on screen, first screen of a 100,000-line diff, keypress to repaint and
# RSS with 10,000 requests pending, beside `cat` in a pane and `tig` on the
# same diff (fewer runs with BENCH_QUICK=1).
BENCH_RUNS += bench-console
noinst_PROGRAMS += bench/bench_console
bench_bench_console_SOURCES = bench/timing.h bench/bench_console.c
bench_bench_console_LDADD = ipc/libagate_ipc.a core/libagate_core.a $(AGATE_LIBS)
bench-console: bench/bench_console agate
	@echo "== console: latency and memory in tmux, beside tig (machine: $$(nproc) cores, $$(uname -m)) =="
	AGATE_SRCDIR=$(abs_top_srcdir) ./bench/bench_console $(abs_top_builddir)/agate tig
