#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
ag_fail(struct ag_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int
ag_fail_prefix(struct ag_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return -1;
	char prefix[AG_ERROR_MAX], old[AG_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	/* Built by hand: the result is cut at the buffer's end on purpose. */
	size_t n = 0;
	const char *parts[] = {prefix, ": ", old};
	for (size_t i = 0; i < 3; i++) {
		size_t len = strnlen(parts[i], sizeof err->msg);
		if (len > sizeof err->msg - 1 - n)
			len = sizeof err->msg - 1 - n;
		memcpy(err->msg + n, parts[i], len);
		n += len;
	}
	err->msg[n] = '\0';
	return -1;
}
