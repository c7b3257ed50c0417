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
	snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
	return -1;
}
