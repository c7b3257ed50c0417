#include "core/clock.h"

#include <stdlib.h>
#include <time.h>

int64_t
ag_clock_wall_ms(void)
{
	const char *fake = getenv("AGATE_FAKE_NOW_MS");
	if (fake != NULL && *fake != '\0')
		return strtoll(fake, NULL, 10);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
ag_clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
