/* Time, behind one seam so tests can pin it: AGATE_FAKE_NOW_MS, when set in
 * the environment, fixes the wall clock (for golden screens and journals). */
#ifndef AGATE_CORE_CLOCK_H
#define AGATE_CORE_CLOCK_H

#include <stdint.h>

int64_t ag_clock_wall_ms(void); /* ms since the epoch */
int64_t ag_clock_mono_ms(void); /* CLOCK_MONOTONIC, for deadlines and latency */

#endif
