# reviewer/: pure judgement over a request (risk engine, rules, Guardian).
# Uses core/ only: no FIFOs, no curses.
noinst_LIBRARIES += reviewer/libagate_reviewer.a
reviewer_libagate_reviewer_a_SOURCES = \
	reviewer/judge.c reviewer/judge.h \
	reviewer/answer.c reviewer/answer.h

# Risk engine (issue 3): dispatch, the non-exec scorers and what they share,
# the diff reader (the console reuses it), and the rules file.
reviewer_libagate_reviewer_a_SOURCES += \
	reviewer/engine.c reviewer/engine.h \
	reviewer/diff.c reviewer/diff.h \
	reviewer/sensitive.c reviewer/sensitive.h \
	reviewer/secrets.c reviewer/secrets.h \
	reviewer/risk_patch.c reviewer/risk_network.c reviewer/risk_mcp.c \
	reviewer/rules.c reviewer/rules.h

# The exec scorer (issue 3): a shell-word parser and the exec policy.
reviewer_libagate_reviewer_a_SOURCES += \
	reviewer/shell.c reviewer/shell.h \
	reviewer/risk_exec.c reviewer/exec.h \
	reviewer/exec_rules.c reviewer/exec_code.c reviewer/exec_path.c

# The Guardian (issue 5): prompt, transport, providers, verdicts, the review
# engine with its deadlines, retries, breaker and cache.
reviewer_libagate_reviewer_a_SOURCES += \
	reviewer/guardian_verdict.c reviewer/guardian_verdict.h \
	reviewer/guardian_http.c reviewer/guardian_http.h \
	reviewer/guardian_prompt.c reviewer/guardian_prompt.h \
	reviewer/guardian_provider.c reviewer/guardian_provider.h \
	reviewer/guardian_cache.c reviewer/guardian_cache.h \
	reviewer/guardian.c reviewer/guardian.h \
	reviewer/guardian_config.c reviewer/guardian_config.h \
	reviewer/guardian_route.c reviewer/guardian_route.h

# The Guardian's default policy: installed (to edit or replace) and compiled
# in, so a missing install never leaves the Guardian without one.
dist_pkgdata_DATA += reviewer/policy.txt
nodist_reviewer_libagate_reviewer_a_SOURCES = reviewer/guardian_policy_text.c
CLEANFILES += reviewer/guardian_policy_text.c
reviewer/guardian_policy_text.c: $(srcdir)/reviewer/policy.txt
	$(AM_V_GEN)$(MKDIR_P) reviewer && { \
	  echo '/* Generated from reviewer/policy.txt by the build; do not edit. */'; \
	  echo '#include "reviewer/guardian_config.h"'; \
	  echo 'const char ag_guardian_default_policy[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/	"/' -e 's/$$/\\n"/' \
	    $(srcdir)/reviewer/policy.txt; \
	  echo '	;'; } > $@-t && mv $@-t $@
