# reviewer/: pure judgement over a request (risk engine, rules, Guardian).
# Uses core/ only: no FIFOs, no curses.
noinst_LIBRARIES += reviewer/libagate_reviewer.a
reviewer_libagate_reviewer_a_SOURCES = \
	reviewer/judge.c reviewer/judge.h

# The Guardian (issue 5): prompt, transport, providers, verdicts, the review
# engine with its deadlines, retries, breaker and cache.
reviewer_libagate_reviewer_a_SOURCES += \
	reviewer/guardian_verdict.c reviewer/guardian_verdict.h \
	reviewer/guardian_http.c reviewer/guardian_http.h
