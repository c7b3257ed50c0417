/* Errors are values: a function that can fail returns -1 and fills a
 * caller-owned struct ag_error with a message naming the problem and where
 * (a field path like "action.argv[2]", or file:line:column). */
#ifndef AGATE_CORE_ERROR_H
#define AGATE_CORE_ERROR_H

#define AG_ERROR_MAX 512

struct ag_error {
	char msg[AG_ERROR_MAX];
};

/* Sets err (if non-NULL) and returns -1, so callers can `return ag_fail(...)`. */
int ag_fail(struct ag_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes an existing message: "context: old message". */
int ag_fail_prefix(struct ag_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
