/* Timing and statistics every benchmark here uses: a monotonic clock and
 * medians (these machines are shared and noisy; means mislead). Header
 * only: each benchmark is one program of its own. */
#ifndef AGATE_BENCH_TIMING_H
#define AGATE_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* For qsort over doubles. */
static inline int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v in place. */
static inline double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

#endif
