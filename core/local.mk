# core/: request model, validation, journal, config, text sanitizing.
# Depends on nothing of ours.
noinst_LIBRARIES += core/libagate_core.a
core_libagate_core_a_SOURCES = \
	core/xmalloc.c core/xmalloc.h \
	core/error.c core/error.h \
	core/model.c core/model.h \
	core/risk.c core/risk.h \
	core/assessment.c core/assessment.h \
	core/request.c core/request.h \
	core/utf8.c core/utf8.h \
	core/jsonstr.c core/jsonstr.h core/hex.h core/hash.h \
	core/sanitize.c core/sanitize.h \
	core/journal.c core/journal.h \
	core/config.c core/config.h \
	core/clock.c core/clock.h \
	core/sha256.c core/sha256.h
