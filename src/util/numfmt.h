/* Number formatting without printf for the output hot paths (the JSON report, --dump):
 * exactly what printf prints for the same conversion, several times faster. Cases the fast
 * path cannot prove exact (ties within rounding error, exponents, very large values,
 * infinities) fall back to snprintf, so the output never differs from printf's.
 *
 * Threads: any (no state). Buffers: callers pass room for FS_NUMFMT_MAX bytes. */
#ifndef FLUXSCOPE_UTIL_NUMFMT_H
#define FLUXSCOPE_UTIL_NUMFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FS_NUMFMT_MAX 352   /* "%.9f" of DBL_MAX, with sign and NUL */

/* Each returns the length written (no NUL counted; a NUL follows). */
size_t fs_fmt_u64(char *buf, uint64_t v);                 /* "%" PRIu64 */
size_t fs_fmt_i64(char *buf, int64_t v);                  /* "%" PRId64 */
size_t fs_fmt_fixed(char *buf, double v, int prec);       /* "%.*f", prec 0..9 */
size_t fs_fmt_g(char *buf, double v, int prec);           /* "%.*g", prec 1..15 */

/* The same straight to a stream, without taking its lock (one thread per stream). */
void fs_fput_fixed(FILE *out, double v, int prec);
void fs_fput_g(FILE *out, double v, int prec);
void fs_fput_u64(FILE *out, uint64_t v);
/* Microseconds as seconds with six decimals: "%" PRId64 ".%06" PRId64 of t / 1e6, t % 1e6. */
size_t fs_fmt_time(char *buf, int64_t t_us);
void fs_fput_time(FILE *out, int64_t t_us);

/* Conversions that fell back to snprintf since the start (any thread; for tests). */
uint64_t fs_numfmt_fallbacks(void);

#endif
