/* util/numfmt: every conversion prints exactly what printf prints, over millions of values
 * of every magnitude and sign, decimal ties, powers of ten and their neighbours, integers,
 * zeros, infinities and NaN; and the fast path is the one taken for ordinary values (a
 * formatter that always called snprintf would pass the first test, not the second). No
 * timings here: make bench measures the speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "util/numfmt.h"
#include "fluxscope/fs.h"

static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static double
rnd_double(void)
{
	switch (rnd() % 6) {
	case 0: {                       /* any bit pattern that is finite */
		uint64_t u = rnd();
		double d;
		memcpy(&d, &u, 8);
		return isfinite(d) ? d : 1.5;
	}
	case 1:                         /* magnitudes 1e-8 .. 1e12 */
		return ((double)(rnd() % 2000001) / 1000000.0 - 1.0) * pow(10, (double)(rnd() % 21) - 8);
	case 2:                         /* decimal ties and near-ties: k/1000 + 0.0005 */
		return (double)(rnd() % 10000000) / 1000.0 + 0.0005 * (double)(rnd() % 3);
	case 3:                         /* scores and shares, two and four decimals */
		return (double)(rnd() % 1000001) / 10000.0;
	case 4:                         /* powers of ten and their neighbours */
		return nextafter(pow(10, (double)(rnd() % 24) - 10), rnd() % 2 ? INFINITY : 0);
	default:                        /* integers */
		return (double)(int64_t)(rnd() % 2000000001) - 1e9;
	}
}

static void
check(double v)
{
	char want[FS_NUMFMT_MAX], got[FS_NUMFMT_MAX];

	for (int p = 0; p <= 9; p++) {
		snprintf(want, sizeof want, "%.*f", p, v);
		size_t n = fs_fmt_fixed(got, v, p);
		if (strcmp(want, got) != 0 || n != strlen(want))
			fail_msg("%%.%df of %.17g: printf %s, fs_fmt_fixed %s", p, v, want, got);
	}
	for (int p = 1; p <= 9; p++) {
		snprintf(want, sizeof want, "%.*g", p, v);
		size_t n = fs_fmt_g(got, v, p);
		if (strcmp(want, got) != 0 || n != strlen(want))
			fail_msg("%%.%dg of %.17g: printf %s, fs_fmt_g %s", p, v, want, got);
	}
}

static void
test_same_as_printf(void **state)
{
	(void)state;
	static const double fixed[] = { 0.0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.125, 0.375, 1e-4, 9.9999e-5,
	                                999999.5, 999999.4, 9999995, 0.00012345, 123456.5, 38.0942,
	                                100.0, 3.24, 4857.30, 1e15, 1e16, 1e300, -1e300, DBL_MIN,
	                                DBL_MAX, -DBL_MAX, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.995,
	                                0.9995, 9.9995, 99.995, INFINITY, -INFINITY, NAN };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		check(fixed[i]);
	for (int i = 0; i < 100000; i++) {
		double v = rnd_double();
		check(v);
		check(-v);
	}
	char want[32], got[32];
	for (int i = 0; i < 100000; i++) {
		uint64_t u = rnd() >> (rnd() % 64);
		snprintf(want, sizeof want, "%" PRIu64, u);
		fs_fmt_u64(got, u);
		assert_string_equal(got, want);
		snprintf(want, sizeof want, "%" PRId64, (int64_t)u);
		fs_fmt_i64(got, (int64_t)u);
		assert_string_equal(got, want);
	}
	for (int i = 0; i < 100000; i++) {
		int64_t t = (int64_t)(rnd() >> (rnd() % 64)) - (i % 10 == 0 ? (int64_t)(rnd() % 5000000) : 0);
		snprintf(want, sizeof want, "%" PRId64 ".%06" PRId64, t / 1000000, t % 1000000);
		fs_fmt_time(got, t);
		assert_string_equal(got, want);
	}
	fs_fmt_i64(got, INT64_MIN);
	snprintf(want, sizeof want, "%" PRId64, INT64_MIN);
	assert_string_equal(got, want);
}

/* The fast path is taken for ordinary report numbers: few of them fall back to snprintf. */
static void
test_fast_path_taken(void **state)
{
	(void)state;
	char b[FS_NUMFMT_MAX];
	uint64_t before = fs_numfmt_fallbacks();
	for (int i = 0; i < 100000; i++) {
		double v = (double)(rnd() % 1000001) / 10000.0 + 0.00003;
		fs_fmt_g(b, v, 6);
		fs_fmt_fixed(b, v, 2);
		fs_fmt_fixed(b, v, 4);
	}
	uint64_t slow = fs_numfmt_fallbacks() - before;
	if (slow > 300)
		fail_msg("%llu of 300000 conversions fell back to snprintf", (unsigned long long)slow);
	/* and what cannot be proved exact does fall back */
	before = fs_numfmt_fallbacks();
	fs_fmt_fixed(b, 0.125, 2);
	fs_fmt_g(b, 1e300, 6);
	assert_int_equal(fs_numfmt_fallbacks() - before, 2);
}

/* fs_addr_str's IPv6 text (written by hand) is inet_ntop's, byte for byte: the forms RFC 5952
 * and glibc single out, then addresses whose groups are zero, small or large at random. */
static void
check_addr6(const uint8_t *b)
{
	fs_addr a = { .family = 6 };
	char got[FS_ADDR_STRLEN], want[INET6_ADDRSTRLEN];

	memcpy(a.bytes, b, 16);
	assert_non_null(inet_ntop(AF_INET6, b, want, sizeof want));
	assert_string_equal(fs_addr_str(&a, got, sizeof got), want);
}

static void
test_addr6_text(void **state)
{
	static const char *const edge[] = {
		"::", "::1", "::2", "1::", "::ffff:1.2.3.4", "::ffff:0.0.0.0", "::1.2.3.4", "::0.0.0.1",
		"::ffff:0:1.2.3.4", "0:0:0:0:0:1:1.2.3.4", "1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4",
		"1:0:2:0:3:0:4:0", "2001:db8::1", "2001:db8:0:0:1:0:0:1", "fe80::1:2", "ffff::",
		"0:0:1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "a:b:c:d:e:f:10:11",
		"::ffff:ffff:ffff", "::fffe:1.2.3.4", "0:0:0:0:0:ffff:0:0", "1::ffff:1.2.3.4",
	};
	uint8_t b[16];
	(void)state;

	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
		assert_int_equal(inet_pton(AF_INET6, edge[i], b), 1);
		check_addr6(b);
	}
	srand(7);
	for (int n = 0; n < 200000; n++) {
		for (int w = 0; w < 8; w++) {
			unsigned v;
			switch (rand() % 4) {
			case 0: case 1: v = 0; break;
			case 2: v = (unsigned)rand() & (0xffffu >> (4 * (rand() % 4))); break;
			default: v = (unsigned)rand() & 0xffff; break;
			}
			b[2 * w] = (uint8_t)(v >> 8);
			b[2 * w + 1] = (uint8_t)v;
		}
		if (n % 16 == 0) {            /* the mapped and compatible forms' prefixes */
			memset(b, 0, 10);
			if (n % 32 == 0)
				b[10] = b[11] = 0xff;
		}
		check_addr6(b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_printf),
		cmocka_unit_test(test_fast_path_taken),
		cmocka_unit_test(test_addr6_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
