/* printf-exact number formatting without printf (numfmt.h). */
#include "util/numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

static _Atomic uint64_t fallbacks;

uint64_t
fs_numfmt_fallbacks(void)
{
	return atomic_load_explicit(&fallbacks, memory_order_relaxed);
}

static size_t
slow(char *buf, const char *fmt, int prec, double v)
{
	atomic_fetch_add_explicit(&fallbacks, 1, memory_order_relaxed);
	return (size_t)snprintf(buf, FS_NUMFMT_MAX, fmt, prec, v);
}

static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                              1e11, 1e12, 1e13, 1e14, 1e15, 1e16 };

/* The scaled value s (>= 0, below 2^31 · 10): rounded to an integer the way the exact value
 * rounds, or -1 when s lies so close to a tie that the double's rounding error could decide. */
static int64_t
round_scaled(double s)
{
	double fl = floor(s);
	double fr = s - fl;
	if (fabs(fr - 0.5) < 1e-6)
		return -1;
	return (int64_t)fl + (fr > 0.5);
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Digits of v, at least min_digits of them (zeros in front), into buf; returns the length. */
static size_t
digits(char *buf, uint64_t v, int min_digits)
{
	char tmp[24];
	int n = 24;                /* tmp[n..24): the digits so far, written from the right */

	while (v >= 100) {         /* two digits a division */
		uint64_t q = v / 100;
		memcpy(tmp + n - 2, digit_pairs + 2 * (v - q * 100), 2);
		n -= 2;
		v = q;
	}
	if (v >= 10) {
		memcpy(tmp + n - 2, digit_pairs + 2 * v, 2);
		n -= 2;
	} else
		tmp[--n] = (char)('0' + v);
	while (24 - n < min_digits)
		tmp[--n] = '0';
	memcpy(buf, tmp + n, (size_t)(24 - n));
	return (size_t)(24 - n);
}

size_t
fs_fmt_u64(char *buf, uint64_t v)
{
	size_t n = digits(buf, v, 1);
	buf[n] = '\0';
	return n;
}

size_t
fs_fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + fs_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	}
	return fs_fmt_u64(buf, (uint64_t)v);
}

/* r (an integer) with `dec` of its digits after the decimal point. */
static size_t
put_scaled(char *buf, bool neg, uint64_t r, int dec)
{
	size_t n = 0;
	uint64_t ip = r / (uint64_t)p10[dec], fp = r % (uint64_t)p10[dec];

	if (neg)
		buf[n++] = '-';
	n += digits(buf + n, ip, 1);
	if (dec > 0) {
		buf[n++] = '.';
		n += digits(buf + n, fp, dec);
	}
	buf[n] = '\0';
	return n;
}

size_t
fs_fmt_fixed(char *buf, double v, int prec)
{
	if (prec >= 0 && prec <= 9 && isfinite(v)) {
		double a = fabs(v);
		double s = a * p10[prec];
		if (s < 1e9) {
			int64_t r = round_scaled(s);
			if (r >= 0)
				return put_scaled(buf, signbit(v) != 0, (uint64_t)r, prec);
		}
	}
	return slow(buf, "%.*f", prec, v);
}

size_t
fs_fmt_g(char *buf, double v, int prec)
{
	if (prec < 1 || prec > 9 || !isfinite(v))
		return slow(buf, "%.*g", prec < 0 ? 6 : prec, v);
	if (v == 0) {
		size_t n = 0;
		if (signbit(v))
			buf[n++] = '-';
		buf[n++] = '0';
		buf[n] = '\0';
		return n;
	}
	double a = fabs(v);
	/* %g: the exponent X of the value rounded to prec digits; fixed notation when
	 * -4 <= X < prec, with prec - 1 - X decimals, trailing zeros removed. */
	if (a >= 1e-4 && a < p10[prec]) {
		int x = (int)floor(log10(a));
		if (x < -4)
			x = -4;
		if (x > prec - 1)
			x = prec - 1;
		while (x > -4 && a < (x >= 0 ? p10[x] : 1.0 / p10[-x]))
			x--;
		while (x < prec - 1 && a >= (x + 1 >= 0 ? p10[x + 1] : 1.0 / p10[-(x + 1)]))
			x++;
		int dec = prec - 1 - x;           /* 0 .. prec - 1 + 4 */
		if (dec <= 12) {
			double s = a * p10[dec];
			if (s < 1e10) {
				int64_t r = round_scaled(s);
				if (r >= 0) {
					if ((uint64_t)r < (uint64_t)p10[prec - 1])
						goto fallback;            /* the exponent guess was off */
					if ((uint64_t)r >= (uint64_t)p10[prec]) {
						/* rounded up to the next power of ten: one decimal fewer */
						x++;
						dec--;
						r /= 10;
						if (x > prec - 1 || dec < 0)
							goto fallback;
					}
					size_t n = put_scaled(buf, signbit(v) != 0, (uint64_t)r, dec);
					if (dec > 0) {
						while (buf[n - 1] == '0')
							n--;
						if (buf[n - 1] == '.')
							n--;
						buf[n] = '\0';
					}
					return n;
				}
			}
		}
	}
fallback:
	return slow(buf, "%.*g", prec, v);
}

size_t
fs_fmt_time(char *buf, int64_t t)
{
	if (t < 0) {
		atomic_fetch_add_explicit(&fallbacks, 1, memory_order_relaxed);
		return (size_t)snprintf(buf, FS_NUMFMT_MAX, "%" PRId64 ".%06" PRId64, t / 1000000,
		                        t % 1000000);
	}
	size_t n = digits(buf, (uint64_t)t / 1000000, 1);
	buf[n++] = '.';
	n += digits(buf + n, (uint64_t)t % 1000000, 6);
	buf[n] = '\0';
	return n;
}

void
fs_fput_time(FILE *out, int64_t t)
{
	char b[FS_NUMFMT_MAX];
	fwrite_unlocked(b, 1, fs_fmt_time(b, t), out);
}

void
fs_fput_fixed(FILE *out, double v, int prec)
{
	char b[FS_NUMFMT_MAX];
	fwrite_unlocked(b, 1, fs_fmt_fixed(b, v, prec), out);
}

void
fs_fput_g(FILE *out, double v, int prec)
{
	char b[FS_NUMFMT_MAX];
	fwrite_unlocked(b, 1, fs_fmt_g(b, v, prec), out);
}

void
fs_fput_u64(FILE *out, uint64_t v)
{
	char b[24];
	fwrite_unlocked(b, 1, fs_fmt_u64(b, v), out);
}
