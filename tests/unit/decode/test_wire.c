/* The bounds-checked byte reader (src/decode/wire.h): values in both byte orders, the sticky
 * error, and that no read ever goes past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/wire.h"

static const uint8_t B[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

static void
test_values(void **state)
{
	struct wire w;
	(void)state;

	wire_init(&w, B, sizeof B);
	assert_int_equal(wire_len(&w), 9);
	assert_int_equal(wire_u8(&w), 0x01);
	assert_int_equal(wire_u16be(&w), 0x0203);
	assert_int_equal(wire_u16le(&w), 0x0504);
	assert_int_equal(wire_pos(&w), 5);
	assert_int_equal(wire_left(&w), 4);
	assert_int_equal(wire_u32be(&w), 0x06070809);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);

	wire_init(&w, B, sizeof B);
	assert_int_equal(wire_u32le(&w), 0x04030201);
	assert_true(wire_ok(&w));
}

static void
test_sticky_error(void **state)
{
	struct wire w;
	(void)state;

	wire_init(&w, B, 3);
	assert_int_equal(wire_u16be(&w), 0x0102);
	/* Two bytes wanted, one left: 0, error set, position unchanged. */
	assert_int_equal(wire_u16be(&w), 0);
	assert_false(wire_ok(&w));
	assert_int_equal(wire_pos(&w), 2);
	/* Everything after an error fails, even reads that would fit. */
	assert_int_equal(wire_u8(&w), 0);
	assert_int_equal(wire_left(&w), 0);
	assert_false(wire_skip(&w, 0));
	assert_null(wire_ptr(&w, 0));
	uint8_t v;
	assert_false(wire_peek_u8(&w, 0, &v));
}

static void
test_each_width_at_the_end(void **state)
{
	(void)state;
	/* For every buffer length below a read's width, the read fails cleanly. */
	for (size_t len = 0; len < 4; len++) {
		struct wire w;
		wire_init(&w, B, len);
		assert_int_equal(wire_u32be(&w), 0);
		assert_false(wire_ok(&w));
		wire_init(&w, B, len);
		assert_int_equal(wire_u32le(&w), 0);
		assert_false(wire_ok(&w));
		if (len < 2) {
			wire_init(&w, B, len);
			assert_int_equal(wire_u16le(&w), 0);
			assert_false(wire_ok(&w));
		}
	}
	struct wire w;
	wire_init(&w, B, 0);
	assert_int_equal(wire_u8(&w), 0);
	assert_false(wire_ok(&w));
}

static void
test_bytes_ptr_skip(void **state)
{
	struct wire w;
	uint8_t out[4];
	(void)state;

	wire_init(&w, B, sizeof B);
	assert_true(wire_bytes(&w, out, 4));
	assert_memory_equal(out, B, 4);
	const uint8_t *p = wire_ptr(&w, 2);
	assert_ptr_equal(p, B + 4);
	assert_true(wire_skip(&w, 2));
	assert_int_equal(wire_pos(&w), 8);
	memset(out, 0xaa, sizeof out);
	assert_false(wire_bytes(&w, out, 4));       /* one byte left: zero-filled, error */
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], 0);
	assert_false(wire_ok(&w));

	wire_init(&w, B, sizeof B);
	assert_false(wire_skip(&w, 10));
	assert_false(wire_ok(&w));
	/* Sizes near SIZE_MAX cannot wrap the bounds check. */
	wire_init(&w, B, sizeof B);
	assert_null(wire_ptr(&w, SIZE_MAX));
	wire_init(&w, B, sizeof B);
	assert_false(wire_skip(&w, SIZE_MAX - 2));
}

static void
test_peek_seek_sub(void **state)
{
	struct wire w, sub;
	uint8_t v = 0;
	(void)state;

	wire_init(&w, B, sizeof B);
	assert_true(wire_peek_u8(&w, 8, &v));
	assert_int_equal(v, 9);
	assert_false(wire_peek_u8(&w, 9, &v));
	assert_true(wire_ok(&w));                  /* a failed peek sets no error */
	assert_int_equal(wire_pos(&w), 0);

	assert_true(wire_seek(&w, 9));             /* the end itself is a valid position */
	assert_int_equal(wire_left(&w), 0);
	assert_true(wire_seek(&w, 3));
	assert_int_equal(wire_u8(&w), 4);
	assert_false(wire_seek(&w, 10));
	assert_false(wire_ok(&w));

	wire_init(&w, B, sizeof B);
	wire_skip(&w, 2);
	assert_true(wire_sub(&w, 4, &sub));
	assert_int_equal(wire_pos(&w), 6);
	assert_int_equal(wire_len(&sub), 4);
	assert_int_equal(wire_u32be(&sub), 0x03040506);
	assert_int_equal(wire_u8(&sub), 0);        /* the sub-reader ends where it was cut */
	assert_false(wire_ok(&sub));
	assert_true(wire_ok(&w));
	assert_false(wire_sub(&w, 4, &sub));       /* three left */
	assert_false(wire_ok(&sub));
	assert_int_equal(wire_left(&sub), 0);
}

/* wire_rest: the unread span without consuming it; nothing at the end or after an error. */
static void
test_rest(void **state)
{
	static const uint8_t buf[] = { 1, 2, 3, 4, 5 };
	struct wire w;
	size_t n;
	(void)state;

	wire_init(&w, buf, sizeof buf);
	wire_skip(&w, 2);
	const uint8_t *r = wire_rest(&w, &n);
	assert_ptr_equal(r, buf + 2);
	assert_int_equal(n, 3);
	assert_int_equal(wire_pos(&w), 2);   /* not consumed */
	wire_skip(&w, 3);
	assert_null(wire_rest(&w, &n));
	assert_int_equal(n, 0);
	wire_init(&w, buf, sizeof buf);
	(void)wire_u32be(&w);
	(void)wire_u16be(&w);                /* past the end: the error sticks */
	assert_null(wire_rest(&w, &n));
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_each_width_at_the_end),
		cmocka_unit_test(test_bytes_ptr_skip),
		cmocka_unit_test(test_peek_seek_sub),
		cmocka_unit_test(test_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
