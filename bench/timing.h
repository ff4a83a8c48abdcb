/* bench/timing: the clock and the order of samples the timing tools
 * share. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

/* Seconds and milliseconds on the monotonic clock. */
double bench_now(void);
double bench_now_ms(void);

/* qsort order of doubles, smallest first (for medians and percentiles). */
int bench_cmp_double(const void *a, const void *b);

#endif
