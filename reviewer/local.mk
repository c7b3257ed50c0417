# reviewer/: pure judgement over a request (risk engine, rules, Guardian).
# Uses core/ only: no FIFOs, no curses.
noinst_LIBRARIES += reviewer/libagate_reviewer.a
reviewer_libagate_reviewer_a_SOURCES = \
	reviewer/judge.c reviewer/judge.h
