# Fuzz targets: libFuzzer entry points, built by `make fuzz` with clang.
# Each target is also built as a plain program that replays its corpus
# (tests/fuzz/corpus/NAME) so `make check` runs the seeds under any compiler.
#
# Adding a target NAME is three lines here, plus its files:
#
#   FUZZ_TARGETS += tests/fuzz/fuzz_NAME
#   tests_fuzz_fuzz_NAME_SOURCES = tests/fuzz/fuzz_NAME.c tests/fuzz/replay_main.c
#   tests_fuzz_fuzz_NAME_LDADD = $(FUZZ_LIBS)
#
#   tests/fuzz/fuzz_NAME.c     defines LLVMFuzzerTestOneInput (and, if it
#                              needs one, LLVMFuzzerInitialize); no main()
#   tests/fuzz/corpus/NAME/    seed files, one input each (valid and broken);
#                              the replay fails when there are none
#   tests/fuzz/NAME.dict       optional libFuzzer dictionary
#
# `make check` builds tests/fuzz/fuzz_NAME (replay_main.c supplies main) and
# runs it over the seeds. `make fuzz` builds every library source and each
# target with clang -fsanitize=fuzzer,address,undefined into fuzz-out/ and
# runs each for FUZZ_SECONDS against a copy of its corpus; crashes land in
# fuzz-out/NAME/crash-*. Knobs:
#   make fuzz FUZZ_SECONDS=300 FUZZ_ONLY=frame FUZZ_FLAGS='-jobs=2 -workers=2'
# A crash input belongs in the corpus once fixed, so the replay keeps it.

FUZZ_TARGETS =
FUZZ_LIBS = $(TEST_LIBS)
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
# Not the whole tests/fuzz directory: a build tree has one too (objects,
# binaries), and dist would copy that one instead of the sources.
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/frame.dict tests/fuzz/shell.dict

FUZZ_TARGETS += tests/fuzz/fuzz_frame
tests_fuzz_fuzz_frame_SOURCES = tests/fuzz/fuzz_frame.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_frame_LDADD = $(FUZZ_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_rules
tests_fuzz_fuzz_rules_SOURCES = tests/fuzz/fuzz_rules.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_rules_LDADD = $(FUZZ_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_diff
tests_fuzz_fuzz_diff_SOURCES = tests/fuzz/fuzz_diff.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_diff_LDADD = $(FUZZ_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_theme tests/fuzz/fuzz_sanitize
tests_fuzz_fuzz_theme_SOURCES = tests/fuzz/fuzz_theme.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_theme_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_sanitize_SOURCES = tests/fuzz/fuzz_sanitize.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_sanitize_LDADD = $(FUZZ_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_hook
tests_fuzz_fuzz_hook_SOURCES = tests/fuzz/fuzz_hook.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_hook_LDADD = $(FUZZ_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_shell
tests_fuzz_fuzz_shell_SOURCES = tests/fuzz/fuzz_shell.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_shell_LDADD = $(FUZZ_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_verdict
tests_fuzz_fuzz_verdict_SOURCES = tests/fuzz/fuzz_verdict.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_verdict_LDADD = $(FUZZ_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz_jsonstr
tests_fuzz_fuzz_jsonstr_SOURCES = tests/fuzz/fuzz_jsonstr.c tests/fuzz/replay_main.c \
	tests/unit/jsonstr_ref.h
tests_fuzz_fuzz_jsonstr_LDADD = $(FUZZ_LIBS)

# --- make fuzz ---------------------------------------------------------------
FUZZ_SECONDS = 60
FUZZ_ONLY =
FUZZ_FLAGS =
FUZZ_CC = clang
FUZZ_OUT = fuzz-out
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Every library source, instrumented for coverage: a target links what it uses.
FUZZ_LIBRARY_FILES = $(core_libagate_core_a_SOURCES) $(reviewer_libagate_reviewer_a_SOURCES) \
	$(ipc_libagate_ipc_a_SOURCES) $(tui_libagate_tui_a_SOURCES)
FUZZ_CPP = $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) $(CJSON_CFLAGS) \
	$(SQLITE_CFLAGS) $(CURL_CFLAGS) $(NCURSES_CFLAGS)

fuzz-build:
	@set -e; out=$(FUZZ_OUT); mkdir -p $$out/obj; objs=; \
	for src in $(FUZZ_LIBRARY_FILES); do \
	  case $$src in *.c) ;; *) continue ;; esac; \
	  obj=$$out/obj/`echo $$src | sed 's|/|_|g; s|\.c$$|.o|'`; objs="$$objs $$obj"; \
	  if test ! -f $$obj || test $(srcdir)/$$src -nt $$obj; then \
	    echo "  FUZZCC   $$src"; \
	    $(FUZZ_CC) $(FUZZ_CPP) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
	      -c $(srcdir)/$$src -o $$obj; \
	  fi; \
	done; \
	rm -f $$out/libfuzz.a; $(AR) cr $$out/libfuzz.a $$objs; $(RANLIB) $$out/libfuzz.a; \
	for t in $(FUZZ_TARGETS); do \
	  name=`basename $$t`; name=$${name#fuzz_}; \
	  if test -n "$(FUZZ_ONLY)" && test "$$name" != "$(FUZZ_ONLY)"; then continue; fi; \
	  echo "  FUZZLD   $$out/fuzz_$$name"; \
	  $(FUZZ_CC) $(FUZZ_CPP) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    $(srcdir)/$$t.c $$out/libfuzz.a $(AGATE_LIBS) -o $$out/fuzz_$$name; \
	done

fuzz: fuzz-build
	@set -e; out=$(FUZZ_OUT); \
	for t in $(FUZZ_TARGETS); do \
	  name=`basename $$t`; name=$${name#fuzz_}; \
	  if test -n "$(FUZZ_ONLY)" && test "$$name" != "$(FUZZ_ONLY)"; then continue; fi; \
	  mkdir -p $$out/$$name/corpus; \
	  dict=; if test -f $(srcdir)/tests/fuzz/$$name.dict; then \
	    dict=-dict=$(srcdir)/tests/fuzz/$$name.dict; fi; \
	  echo "  FUZZ     $$name for $(FUZZ_SECONDS)s"; \
	  $$out/fuzz_$$name -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$$out/$$name/ $$dict $(FUZZ_FLAGS) \
	    $$out/$$name/corpus $(srcdir)/tests/fuzz/corpus/$$name; \
	done

fuzz-clean:
	rm -rf $(FUZZ_OUT)
clean-local: fuzz-clean
.PHONY: fuzz fuzz-build fuzz-clean
